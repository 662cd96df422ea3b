# %% [markdown]
# # 4. Noise and variance reduction
#
# **Learning goals.** After this notebook you can
#
# * explain why stochastic gradient descent (SGD) with a constant step stops at a *noise floor*,
#   and how the floor depends on the step;
# * say what decaying steps buy (convergence) and what they cost (speed);
# * describe how SAG, SVRG, S2GD, SARAH and SARAH+ remove the noise and converge **linearly** with
#   a constant step;
# * choose their settings (`inner_iter`, `option`, `nu`, `gamma_s`) knowing what each changes;
# * compare methods fairly: by **passes over the data** (every row gradient counted, full
#   gradients included) and by **seconds**.

# %% tags=["quiet"]
import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np

from graddescent import datasets, drivers, plotting, rules

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures

# %% [markdown]
# ## 1. The problem, and how we count work
# 20 000 rows, 20 inputs, condition number 30 and noise of standard deviation 1
# (`datasets.make_ill_conditioned`, whose design has a known spectrum). The objective is
# $f(\theta) = \frac1{2n}\sum_i f_i(\theta)$ with $f_i(\theta) = (b + x_i\cdot w - y_i)^2$, and
# $\nabla f_i(\theta) = r_i\,(1, x_i)$ is one **row gradient** ($r_i$ the residual). Two curvature
# constants set the step sizes: $L$, the largest eigenvalue of the Hessian (the full gradient's
# smoothness), and $L_{\max} = \max_i (1 + \|x_i\|^2)$ (the worst single row's).

# %%
frame = datasets.make_ill_conditioned(20_000, 20, condition_number=30, noise=1.0, seed=0)
X = np.ascontiguousarray(frame.iloc[:, :-1].to_numpy())
y = frame["y"].to_numpy()
n, d = X.shape
A = np.column_stack([np.ones(n), X])
theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
eigenvalues = np.linalg.eigvalsh(A.T @ A / n)
L, mu = eigenvalues[-1], eigenvalues[0]
L_max = 1 + np.max(np.einsum("ij,ij->i", X, X))


def f(theta):
    return 0.5 * np.mean((A @ theta - y) ** 2)


f_star = f(theta_star)
print(f"n = {n}, d = {d}; L = {L:.2f}, mu = {mu:.4f}, L_max = {L_max:.1f}")


# %% [markdown]
# **Counting work.** One *pass* is $n$ row gradients. A full gradient costs one pass; a step of
# SGD or SAG costs one row gradient; an inner step of SVRG, S2GD or SARAH costs two (the same row
# at two points). `row_gradients` below counts them from the optimizer's public counters:
# `Optimizer.t` (update steps) and `Optimizer.units` (driver iterations: steps, or outer loops
# for the variance-reduced drivers, each of which starts with a full gradient). `run` records the
# gap $f(\theta) - f^*$ after every driver call, and times the calls themselves (not the
# bookkeeping), keeping the fastest of three identical runs. A first run of every driver compiles
# its kernel, so that no timing includes compilation.

# %% tags=["quiet"]
@dataclasses.dataclass
class Run:
    passes: np.ndarray  # passes over the data so far (row gradients / n)
    gaps: np.ndarray  # f(theta) - f* at those points
    seconds: np.ndarray  # time spent in the optimizer so far


def row_gradients(driver, steps, units):
    # Row gradients used by `steps` update steps and `units` driver iterations.
    if isinstance(driver, drivers.FullBatch):
        return steps * n
    if isinstance(driver, drivers.MiniBatch):
        return steps * driver.resolve_batch_size(n)
    if isinstance(driver, drivers.SAG):
        return steps  # one new row gradient per step; the others are remembered
    if isinstance(driver, drivers.SARAH):  # SARAH and SARAH+: a full-gradient step, then
        return units * n + 2 * (steps - units)  # recursive steps of two row gradients each
    return units * n + 2 * steps  # SVRG, S2GD: a full gradient, then inner steps


def run(rule, driver, passes=30, seed=0, repeats=3):
    # The same seeded run `repeats` times: each call of the optimizer does the same work every
    # time, so its fastest time is kept (the others include interruptions by other programs).
    per_call = int(np.ceil(driver.units_per_epoch(n)))  # an epoch, or one outer loop
    timings = []
    for _ in range(repeats):
        opt = drivers.Optimizer(rule, driver, np.zeros(d + 1), n)
        rng = np.random.default_rng(seed)
        done, gaps, calls = [0.0], [f(opt.theta) - f_star], []
        while done[-1] < passes:
            steps, units = opt.t, opt.units
            start = time.perf_counter()
            opt.run(X, y, per_call, rng)
            calls.append(time.perf_counter() - start)
            done.append(done[-1] + row_gradients(driver, opt.t - steps, opt.units - units) / n)
            gaps.append(f(opt.theta) - f_star)
        timings.append(calls)
    seconds = np.concatenate([[0.0], np.cumsum(np.min(timings, axis=0))])
    return Run(np.array(done), np.array(gaps), seconds)


def compare(runs, title):
    # One comparison, twice: against passes over the data and against seconds.
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained", sharey=True)
    plotting.plot_loss_curves({k: (r.passes, r.gaps) for k, r in runs.items()}, ax=axes[0],
                              logx=False, xlabel="passes over the data (full gradients counted)",
                              ylabel="f - f*", title=title + ": per pass")
    plotting.plot_loss_curves({k: (r.seconds, r.gaps) for k, r in runs.items()}, ax=axes[1],
                              logx=False, xlabel="seconds in the optimizer (measured)",
                              ylabel="f - f*", title=title + ": per second")
    axes[0].get_legend().remove()  # one legend, beside the right panel
    return fig


for driver in [drivers.FullBatch(), drivers.MiniBatch(batch_size=1), drivers.SAG(),
               drivers.SVRG(), drivers.S2GD(), drivers.SARAH(), drivers.SARAHPlus()]:
    run(rules.plain(0.01), driver, passes=1, repeats=1)  # compile (or load) every kernel

# %% [markdown]
# ## 2. SGD stalls at a noise floor
# SGD steps along one row's gradient: $\theta \leftarrow \theta - \eta\,\nabla f_i(\theta)$ with
# $i$ the next row of a shuffled pass. On average that is the full gradient, but near the
# optimum the full gradient is zero while the row gradients are not: their spread is set by the
# noise in $y$. With a constant step the iterate keeps being kicked around, and $f$ hovers at a
# level roughly **proportional to $\eta$**. Three constant steps:

# %% mystnb={"image": {"alt": "Figure: SGD with a constant step: per pass. Panels: SGD with a constant step: per second."}}
steps_sgd = {"SGD, eta = 1/L_max": 1, "SGD, eta = 1/(4 L_max)": 4,
             "SGD, eta = 1/(16 L_max)": 16}
sgd = {label: run(rules.plain(1 / (k * L_max)), drivers.MiniBatch(batch_size=1))
       for label, k in steps_sgd.items()}
fig = compare(sgd, "SGD with a constant step")
for label, r in sgd.items():
    print(f"{label:22s} floor (median gap, last 10 passes) = {np.median(r.gaps[-10:]):.2e}")

# %% [markdown]
# Each quarter of the step lowers the floor about fourfold, but also slows the approach: there is
# no constant step that is both fast and exact.
#
# ## 3. Decaying steps
# Letting $\eta_t \to 0$ (with $\sum_t \eta_t = \infty$, so the iterate can still travel any
# distance) removes the floor: the rules' `power_t` field gives $\eta_t = \eta_0 / t^{p}$ ($t$
# counts steps). The price is speed: the error then falls like a power of $t$, not
# geometrically.

# %% mystnb={"image": {"alt": "Figure: SGD with decaying steps: per pass. Panels: SGD with decaying steps: per second."}}
decaying = {
    "constant, 1/(16 L_max)": sgd["SGD, eta = 1/(16 L_max)"],
    "eta_0 / sqrt(t), eta_0 = 4/L_max": run(
        dataclasses.replace(rules.plain(4 / L_max), power_t=0.5),
        drivers.MiniBatch(batch_size=1)),
    "eta_0 / sqrt(t), eta_0 = 16/L_max": run(
        dataclasses.replace(rules.plain(16 / L_max), power_t=0.5),
        drivers.MiniBatch(batch_size=1)),
}
fig = compare(decaying, "SGD with decaying steps")

# %% [markdown]
# With $\eta_0 = 4/L_{\max}$ the gap keeps falling below the constant step's floor, slowly. With
# $\eta_0 = 16/L_{\max}$ the early steps are so large that it first hovers on a higher floor,
# which it leaves only as the step decays: the starting step still has to be tuned. (`GDRegressor`'s
# default schedule for the sampled methods lowers the rate in stages instead, as notebook 1's loss
# curves show.)
#
# ## 4. Variance reduction: a constant step, and linear convergence
# The variance-reduced methods build a gradient estimate whose noise vanishes at the optimum, so a
# constant step converges geometrically, like full gradient descent, while most steps still cost
# only one or two row gradients.
#
# * **SAG** (Le Roux, Schmidt, Bach 2012): remember the last gradient of every row; step along
#   their average, refreshing one row per step. (R's `SAGD` is something else; see notebook 5.)
# * **SVRG** (Johnson & Zhang 2013): every outer loop, take a snapshot $\tilde w$ and its full
#   gradient $\mu = \nabla f(\tilde w)$; then `inner_iter` steps along $\nabla f_i(w) -
#   \nabla f_i(\tilde w) + \mu$: unbiased, with a variance that shrinks as $w$ and $\tilde w$
#   approach $\theta^*$.
# * **S2GD** (Konečný & Richtárik 2017; R's `SSGD`): the same estimate, with a random number of
#   inner steps.
# * **SARAH** (Nguyen et al. 2017): a recursive estimate $v_t = \nabla f_i(w_t) - \nabla
#   f_i(w_{t-1}) + v_{t-1}$, started at a full gradient. **SARAH+** ends the inner loop early, once
#   $\|v_t\|^2 \le \gamma\,\|v_0\|^2$.
#
# The usual constant steps: $1/L_{\max}$ for SAG, $0.5/L_{\max}$ for the others, `inner_iter`
# $= n$ (one pass of inner steps), and full gradient descent at $1/L$ for reference.

# %% mystnb={"image": {"alt": "Figure: variance reduction: per pass. Panels: variance reduction: per second."}}
h = 0.5 / L_max
methods = {
    "GD (full batch), 1/L": (rules.plain(1 / L), drivers.FullBatch()),
    "SGD, 1/(16 L_max)": None,
    "SAG, 1/L_max": (rules.plain(1 / L_max), drivers.SAG()),
    "SVRG, option 1": (rules.plain(h), drivers.SVRG(inner_iter=n, option=1)),
    "S2GD": (rules.plain(h), drivers.S2GD(inner_iter=n)),
    "SARAH": (rules.plain(h), drivers.SARAH(inner_iter=n)),
    "SARAH+, gamma = 1/8": (rules.plain(h), drivers.SARAHPlus(inner_iter=n)),
}
vr = {label: run(*spec) if spec else sgd["SGD, eta = 1/(16 L_max)"]
      for label, spec in methods.items()}
fig = compare(vr, "variance reduction")
for label, r in vr.items():
    print(f"{label:22s} gap after {r.passes[-1]:4.1f} passes: {r.gaps[-1]:.1e}, "
          f"{r.seconds[-1] * 1e3:5.1f} ms")

# %% [markdown]
# **Per pass** (left), every variance-reduced method falls along a straight line on the log scale:
# the gap shrinks by a constant factor per pass, down to rounding error, with the same constant
# step that left SGD on its floor. Full gradient descent also converges linearly, but its factor
# per pass is set by the condition number ($1 - 1/\kappa$ at best), while the variance-reduced
# methods take $n$ cheap steps per pass.
#
# **Per second** (right) the order can change: a full gradient is a fast, vectorised pass over
# the data, while single-row steps are a loop with more work per row (SAG updates its memory,
# SARAH computes two row gradients per step). The seconds are measured on the machine that ran
# this notebook, so they vary between runs and machines; the passes do not.
#
# ## 5. The settings, one at a time
# Each panel pair changes one setting and keeps the others as above.
#
# **`inner_iter`** (SVRG's $m$): a full gradient every $m$ inner steps. A small $m$ spends most of
# the work on full gradients; a large $m$ lets the snapshot grow stale, so the variance of the
# estimate comes back. Johnson and Zhang's analysis asks for $m$ of the order of
# $L_{\max}/\mu$ steps or more:

# %% mystnb={"image": {"alt": "Figure: SVRG, inner_iter: per pass. Panels: SVRG, inner_iter: per second."}}
lengths = {"n/100": n // 100, "n/10": n // 10, "n": n, "5n": 5 * n}
svrg_m = {f"SVRG, inner_iter = {name}": run(rules.plain(h), drivers.SVRG(inner_iter=m, option=1))
          for name, m in lengths.items()}
print(f"L_max / mu = {L_max / mu:.0f} steps; n = {n}")
fig = compare(svrg_m, "SVRG, inner_iter")

# %% [markdown]
# Too short ($n/100$, a few times $L_{\max}/\mu$) and each outer loop barely pays for its full
# gradient; too long ($5n$) and the snapshot goes stale. The customary $m = n$ is safe rather
# than best: on this problem $n/10$ gets there in less than half the passes.

# %% [markdown]
# **`option`** (SVRG): the next snapshot is the last inner iterate (option 1, what practitioners
# use) or a uniformly drawn inner iterate (option 2, the one Johnson and Zhang's proof covers).

# %% mystnb={"image": {"alt": "Figure: SVRG, option: per pass. Panels: SVRG, option: per second."}}
options = {f"SVRG, option {k}": run(rules.plain(h), drivers.SVRG(inner_iter=n, option=k))
           for k in [1, 2]}
fig = compare(options, "SVRG, option")

# %% [markdown]
# Option 2 restarts from a random inner iterate, on average half-way through the loop, so it
# converges a little more slowly here; its merit is that the convergence proof covers it.
#
# **`nu`** (S2GD, R's `lamda`): the number of inner steps $t \in \{1, \dots, m\}$ is drawn with
# $P(t) \propto (1 - \nu h)^{m - t}$, where $\nu$ should be a lower bound on the strong convexity
# $\mu$. $\nu = 0$ is the uniform law (half a pass of inner steps on average); a larger $\nu$
# favours long inner loops. The mean length under each law, from the formula:

# %% mystnb={"image": {"alt": "Figure: S2GD, nu: per pass. Panels: S2GD, nu: per second."}}
nus = [0.0, mu, 10 * mu]
t = np.arange(1, n + 1)
for nu in nus:
    law = (1 - nu * h) ** (n - t)  # P(t) up to a constant, with m = inner_iter = n
    print(f"nu = {nu:.4f}: mean inner length {law @ t / law.sum() / n:.2f} n")
s2gd = {f"S2GD, nu = {nu:.3g}": run(rules.plain(h), drivers.S2GD(inner_iter=n, nu=nu))
        for nu in nus}
fig = compare(s2gd, "S2GD, nu")

# %% [markdown]
# **`gamma_s`** (SARAH+): the inner loop stops once $\|v_t\|^2 \le \gamma\, \|v_0\|^2$ (or after
# `inner_iter` steps). A small $\gamma$ lets the loop run long; $\gamma = 1$ stops after the first
# step, which is full gradient descent with the small step $h$.

# %% mystnb={"image": {"alt": "Figure: SARAH+, gamma_s: per pass. Panels: SARAH+, gamma_s: per second."}}
sarah_plus = {f"SARAH+, gamma_s = {g}": run(rules.plain(h),
                                            drivers.SARAHPlus(inner_iter=n, gamma_s=g))
              for g in [1 / 32, 1 / 8, 1 / 2, 1.0]}
fig = compare(sarah_plus, "SARAH+, gamma_s")

# %% [markdown]
# Longer inner loops (a smaller $\gamma$) pay off on this problem; the paper's $\gamma = 1/8$ is
# a safe default. $\gamma = 1/2$ ends the inner loops too early, and $\gamma = 1$ is gradient
# descent with a step meant for single rows, far too small for the full gradient.
#
# ## Exercises
#
# **Exercise 1 (batch size and the floor).** Run SGD with mini-batches of 1, 10 and 100 rows at
# the same step $1/L_{\max}$, for 30 passes. How does the floor change with the batch size? Is a
# pass with batches of 100 more expensive in seconds than a pass with single rows?
#
# <details><summary>Hint</summary>
#
# `run(rules.plain(1 / L_max), drivers.MiniBatch(batch_size=b))`. The noise of a batch mean falls
# like $1/b$ in variance, and the floor is proportional to $\eta$ times that variance.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: SGD at 1/L_max, batch size: per pass. Panels: SGD at 1/L_max, batch size: per second."}}
batches = {f"batches of {b}": run(rules.plain(1 / L_max), drivers.MiniBatch(batch_size=b))
           for b in [1, 10, 100]}
fig = compare(batches, "SGD at 1/L_max, batch size")
for label, r in batches.items():
    print(f"{label:14s} floor {np.median(r.gaps[-10:]):.1e}, "
          f"{r.seconds[-1] / r.passes[-1] * 1e3:.2f} ms per pass")
# The floor falls tenfold or more per tenfold batch; a pass costs about the same (the same row
# gradients in fewer, larger steps), but with fewer steps per pass the approach to the floor
# is slower.

# %% [markdown]
# **Exercise 2 (R's default `inner_iter = 10`).** R's `SVRG` uses 10 inner steps per outer loop.
# Run SVRG with `inner_iter=10` and with `inner_iter=n` for 30 passes and compare. Why is the
# first so slow per pass?
#
# <details><summary>Hint</summary>
#
# Count the work of one outer loop: a full gradient ($n$ row gradients) and then
# $2 \times 10$. How far can 10 steps of size $h = 0.5/L_{\max}$ move?
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: SVRG: R's inner_iter against n: per pass. Panels: SVRG: R's inner_iter against n: per second."}}
r_default = {"SVRG, inner_iter = 10 (R's default)": run(rules.plain(h),
                                                        drivers.SVRG(inner_iter=10, option=1)),
             "SVRG, inner_iter = n": vr["SVRG, option 1"]}
fig = compare(r_default, "SVRG: R's inner_iter against n")
# With 10 inner steps an outer loop is almost exactly one pass (a full gradient) for 10 small
# steps of size 0.5 / L_max: it is gradient descent with a step about L_max / L times too
# small. SVRG pays for its full gradient with many cheap steps; with 10 it cannot.

# %% [markdown]
# **Exercise 3 (how large a step for SAG?).** Run SAG with the steps $c/L_{\max}$ for
# $c = 1, 2, 4, 8$. Which converge? What happens to the others?
#
# <details><summary>Hint</summary>
#
# A run that blows up either ends with a huge gap or raises `graddescent.DivergenceError`; catch
# it with `try` / `except`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
from graddescent import DivergenceError

for c in [1, 2, 4, 8]:
    try:
        r = run(rules.plain(c / L_max), drivers.SAG())
        print(f"SAG, {c}/L_max: gap after 30 passes {r.gaps[-1]:.1e}")
    except DivergenceError as error:
        print(f"SAG, {c}/L_max: {error}")
# 1/L_max converges fastest and 2/L_max more slowly; from 4/L_max on SAG no longer converges
# (at 8/L_max the gap explodes): the safe range of its step ends at a few times 1 / L_max.

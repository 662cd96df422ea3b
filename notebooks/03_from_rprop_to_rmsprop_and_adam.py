# %% [markdown]
# # 3. From Rprop to RMSprop and Adam: adaptive learning rates
#
# **Learning goals.** After this notebook you can
#
# * explain how Rprop adapts one step size per coordinate from the *signs* of the gradient, and
#   why that works on the full batch;
# * show why it breaks on mini-batches, and how RMSprop repairs it by dividing by a running RMS
#   of the gradient;
# * describe what RMSprop's `rho`, `centered` and `momentum` do (Graves 2013);
# * explain Adam's two averages and its bias correction, reproduce the counter-example of Reddi,
#   Kale and Kumar (2018) in which Adam converges to the worst point, and say what AMSGrad
#   changes;
# * read the effective per-coordinate step sizes of Adagrad, RMSprop, Adam and AMSGrad.
#
# The rules of `graddescent.rules` all work **per coordinate**: each coefficient has its own
# state and its own step size.

# %% tags=["quiet"]
import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from graddescent import drivers, plotting, rules

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures

# %% [markdown]
# ## 1. A badly scaled problem, and Rprop on the full batch
# A problem where the two coefficients live on very different scales: the input $x$ is centred
# but tiny (standard deviation 0.1), so the objective is 100 times flatter along the slope $w$
# than along the intercept $b$. The valley is long and narrow but, unlike notebook 2's, it lies
# along the axes: exactly the case a per-coordinate step size can fix.

# %%
rng = np.random.default_rng(3)
n = 200
x = 0.1 * rng.standard_normal(n)
x -= x.mean()
y = 2.0 + 3.0 * x + 0.1 * rng.standard_normal(n)
X = x[:, None]
A = np.column_stack([np.ones(n), x])
theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
theta0 = np.array([-1.0, -2.0])
mu, L = np.linalg.eigvalsh(A.T @ A / n)


def f(theta):
    # The objective at one point or along a path of points (rows).
    return 0.5 * np.mean((np.atleast_2d(theta) @ A.T - y) ** 2, axis=-1)


f_star = f(theta_star)[0]
print(f"curvatures: L = {L:.3f} (intercept), mu = {mu:.4f} (slope); kappa = {L / mu:.0f}")

# %% [markdown]
# **Rprop** (Riedmiller & Braun 1993; here the variant iRprop$^-$ of Igel & Hüsken 2000) ignores
# the size of the gradient and keeps, for each coordinate $j$, a step size $\Delta_j$:
#
# * if $g_{t,j}$ has the same sign as $g_{t-1,j}$: $\Delta_j \leftarrow 1.2\,\Delta_j$
#   (we are going the right way, speed up);
# * if the sign flipped: $\Delta_j \leftarrow 0.5\,\Delta_j$ (we jumped over a minimum, slow
#   down) and skip this coordinate's move once;
# * then $\theta_j \leftarrow \theta_j - \operatorname{sign}(g_{t,j})\,\Delta_j$.
#
# Gradient descent at its largest safe step ($1/L$) against Rprop (initial steps 0.1), 60 steps:

# %% mystnb={"image": {"alt": "Figure: 60 steps on the full batch. Panels: objective gap; Rprop's step sizes: grow x1.2, halve on a sign flip."}}
paths = {"gradient descent, alpha = 1/L": plotting.trajectory(rules.plain(1 / L), X, y, theta0, 60),
         "Rprop": plotting.trajectory(rules.rprop(0.1), X, y, theta0, 60)}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
plotting.plot_contour_paths(X, y, paths, ax=axes[0], title="60 steps on the full batch")
plotting.plot_loss_curves({k: (np.arange(61), f(p) - f_star) for k, p in paths.items()},
                          ax=axes[1], logx=False, xlabel="step t", ylabel="f - f*",
                          title="objective gap")
axes[1].legend(fontsize=8, loc="upper right")  # inside the panel
moves = np.abs(np.diff(paths["Rprop"], axis=0))
for j, name in enumerate(["intercept b", "slope w"]):
    steps = np.arange(1, 61)
    moved = moves[:, j] > 0  # iRprop- skips a coordinate's move after a sign flip
    axes[2].semilogy(steps[moved], moves[moved, j], "o-", ms=3, label=name)
axes[2].set_xlabel("step t")
axes[2].set_ylabel("|theta_t - theta_(t-1)|, per coordinate")
axes[2].set_title("Rprop's step sizes: grow x1.2, halve on a sign flip")
axes[2].legend(fontsize=8);

# %% [markdown]
# Gradient descent solves the intercept in one step and then crawls along the slope, because the
# step that is safe for the intercept's curvature is 100 times too small for the slope's. Rprop's
# slope step grows by 1.2 per step until it overshoots, then halves: each coordinate finds its own
# scale, and the gap falls to rounding error in 60 steps.
#
# ## 2. Why Rprop fails on mini-batches
# The library refuses to run Rprop on anything but the full batch:

# %%
try:
    drivers.optimize(X, y, rules.rprop(0.1), drivers.MiniBatch(batch_size=10), theta0, 100,
                     np.random.default_rng(0))
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# Hinton's argument (lecture 6e of his 2012 course, where RMSprop was proposed): suppose a weight
# gets the gradient $+0.1$ on nine mini-batches and $-0.9$ on the tenth. On average the gradient
# is zero, so the weight should stay where it is, and stochastic gradient descent does: nine
# small steps one way, one big step back. Rprop only sees the signs: nine steps one way and one
# the other, and since the sign keeps its value eight times in a row, its step size grows. RMSprop
# divides each gradient by the **same** running RMS for neighbouring mini-batches, so it keeps
# their relative sizes and, like SGD, stays put. The cell below runs the three on this gradient
# sequence: Rprop as a short NumPy loop (it is exactly the rule above), SGD and RMSprop through
# the library's rules (`UpdateRule.step` applies one step to a given gradient).

# %% mystnb={"image": {"alt": "Figure: gradients +0.1 (x9) then -0.9: zero on average, so the weight should stay."}}
gradients = np.tile([0.1] * 9 + [-0.9], 30)  # 30 cycles of ten mini-batches


def run_rule(rule, grads):
    # The library's rule, fed the given gradients one at a time; returns the weight after each.
    w, state, out = np.zeros(1), rule.init_state(1), []
    for t, g in enumerate(grads, start=1):
        rule.step(w, np.array([g]), state, t)
        out.append(w[0])
    return np.array(out)


def rprop_on_given_gradients(grads, step=0.01, up=1.2, down=0.5, step_max=50.0):
    # NumPy transcription of iRprop- for one weight (the library runs it on full batches only).
    w, previous, out = 0.0, 0.0, []
    for g in grads:
        if g * previous > 0:
            step = min(step * up, step_max)
        elif g * previous < 0:
            step, g = step * down, 0.0  # slow down, and skip this move
        w -= np.sign(g) * step
        previous = g
        out.append(w)
    return np.array(out)


toy = {"SGD (plain step 0.01)": run_rule(rules.plain(0.01), gradients),
       "Rprop (first step 0.01), NumPy loop": rprop_on_given_gradients(gradients),
       "RMSprop (0.01, rho = 0.99)": run_rule(rules.rmsprop(0.01, rho=0.99), gradients)}
fig, ax = plt.subplots(figsize=(8, 4.3), layout="constrained")
for label, w in toy.items():
    ax.plot(np.arange(1, len(w) + 1), w, label=f"{label}: ends at {w[-1]:.3g}")
ax.set_yscale("symlog", linthresh=0.1)
ax.set_xlabel("mini-batch")
ax.set_ylabel("weight (symmetric log scale)")
ax.set_title("gradients +0.1 (x9) then -0.9: zero on average, so the weight should stay")
ax.legend(fontsize=8);

# %% [markdown]
# Rprop runs away (its step sizes grow until they hit their cap of 50). RMSprop moves a little
# during its first mini-batches, while its running average of $g^2$ still starts from zero and
# its first steps are too large (Adam's bias correction, below, is the cure), and then stays.
#
# On a real least-squares problem there is a second failure. Near the optimum the sign of a
# mini-batch gradient is close to a coin flip, so Rprop halves its step sizes about as often as it
# grows them ($1.2 \times 0.5 = 0.6 < 1$): they collapse to their floor and the coefficients
# freeze wherever they happen to be. Here is a regression with skewed noise, fitted ten times with
# different row orders, by Rprop (NumPy loop) and by the library's RMSprop on single rows and on
# batches of 10, 10 passes each:

# %%
rng = np.random.default_rng(1)
m = 500
xs = rng.standard_normal(m)
ys = 1.0 + 2.0 * xs + (rng.exponential(1.0, m) - 1.0)  # skewed noise with mean 0
Xs = xs[:, None]
As = np.column_stack([np.ones(m), xs])
best = np.linalg.lstsq(As, ys, rcond=None)[0]


def rprop_mini_batches(batch_size, epochs, rng, step=0.1, step_min=1e-6, step_max=50.0):
    # NumPy loop: iRprop- on mini-batch gradients of the least-squares objective.
    theta, steps, previous = np.zeros(2), np.full(2, step), np.zeros(2)
    step_history = []
    for _ in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            rows = order[start:start + batch_size]
            residual = theta[0] + xs[rows] * theta[1] - ys[rows]
            g = np.array([residual.mean(), (residual * xs[rows]).mean()])
            same = g * previous
            steps = np.where(same > 0, np.minimum(steps * 1.2, step_max),
                             np.where(same < 0, np.maximum(steps * 0.5, step_min), steps))
            g = np.where(same < 0, 0.0, g)
            theta -= np.sign(g) * steps
            previous = g
            step_history.append(steps.copy())
    return theta, np.array(step_history)


def contours(ax, lo, hi, levels=12):
    # Contour lines of this problem's objective over the box lo..hi (a grid of 200 x 200).
    B, W = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    # f(b, w) from the data's moments, without forming every residual on the grid
    gap = 0.5 * (B ** 2 + 2 * B * W * xs.mean() + W ** 2 * np.mean(xs ** 2)
                 - 2 * B * ys.mean() - 2 * W * np.mean(xs * ys) + np.mean(ys ** 2))
    gap -= gap.min()
    ax.contour(B, W, gap, levels=np.geomspace(gap.max() * 1e-4, gap.max(), levels),
               colors="0.7", linewidths=0.8)
    ax.plot(*best, "*", color="crimson", ms=14, label="least squares")


def rmsprop_mini_batches(batch_size, epochs, rng, learning_rate=0.01):
    opt = drivers.Optimizer(rules.rmsprop(learning_rate), drivers.MiniBatch(batch_size),
                            np.zeros(2), m)
    return opt.run_epochs(Xs, ys, epochs, rng)[-1]


ends = {}
for batch_size in [1, 10]:
    ends[f"Rprop, batches of {batch_size}"] = np.array(
        [rprop_mini_batches(batch_size, 10, np.random.default_rng(s))[0] for s in range(10)])
    ends[f"RMSprop, batches of {batch_size}"] = np.array(
        [rmsprop_mini_batches(batch_size, 10, np.random.default_rng(s)) for s in range(10)])
for label, points in ends.items():
    distance = np.linalg.norm(points - best, axis=1)
    print(f"{label:22s} distance to least squares: median {np.median(distance):.3f}, "
          f"max {distance.max():.3f}")

# %% mystnb={"image": {"alt": "Figure: where 10 runs end after 10 passes, batches of 1. Panels: where 10 runs end after 10 passes, batches of 10; random signs: the step sizes collapse to their floor."}}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
for ax, batch_size in zip(axes[:2], [1, 10], strict=True):
    chosen = {k: v for k, v in ends.items() if k.endswith(f"of {batch_size}")}
    every = np.vstack([*chosen.values(), best[None, :]])
    pad = 0.15 * (every.max(axis=0) - every.min(axis=0)) + 0.02
    contours(ax, every.min(axis=0) - pad, every.max(axis=0) + pad)
    for (label, points), marker in zip(chosen.items(), ["x", "o"], strict=True):
        ax.plot(points[:, 0], points[:, 1], marker, ms=7, mfc="none", ls="none", label=label)
    ax.set_xlabel("intercept b")
    ax.set_ylabel("slope w")
    ax.set_title(f"where 10 runs end after 10 passes, batches of {batch_size}")
    ax.legend(fontsize=8)
_, history = rprop_mini_batches(1, 2, np.random.default_rng(0))
_, history10 = rprop_mini_batches(10, 20, np.random.default_rng(0))  # as many steps
axes[2].semilogy(np.arange(1, len(history) + 1), history[:, 1], label="batches of 1")
axes[2].semilogy(np.arange(1, len(history10) + 1), history10[:, 1], label="batches of 10")
axes[2].set_xlabel("mini-batch step")
axes[2].set_ylabel("Rprop's step size for the slope")
axes[2].set_title("random signs: the step sizes collapse to their floor")
axes[2].legend(fontsize=8);

# %% [markdown]
# Rprop's runs freeze all over the valley (on single rows after a few hundred steps); RMSprop's
# cluster around the least-squares point, closer with batches of 10 than with single rows (less
# noise). Rprop is a fine method on the full batch; on mini-batches it is not.
#
# ## 3. RMSprop: divide by a running RMS of recent gradients
# RMSprop (Tieleman & Hinton 2012) keeps, per coordinate, an exponential average of the squared
# gradient and divides by its square root:
#
# $$v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad
# \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}.$$
#
# The divisor is about the same for neighbouring mini-batches, so the step keeps the gradient's
# sign *and* its relative size, as SGD does, while each coordinate gets its own scale, as in
# Rprop. The memory of the average is about $1/(1-\rho)$ steps.
#
# **The effect of `rho`.** With a short memory ($\rho = 0.5$) the divisor is about the latest
# $|g_t|$ itself, and the step is close to $\eta\,\operatorname{sign}(g_t)$: Rprop's sign step
# again, which on skewed noise aims at the *median* of the gradient, not its mean. With a long
# memory the divisor is nearly constant and the step is an SGD step scaled per coordinate, which
# aims at the mean: the least-squares solution. We average the last 20 of 60 passes over the
# skewed data, for five row orders:

# %% mystnb={"image": {"alt": "Figure: RMSprop's fixed point: a short memory aims at the median."}}
rhos = [0.5, 0.9, 0.99, 0.999]
bias = {1: [], 10: []}
for batch_size in bias:
    for rho in rhos:
        centre = []
        for seed in range(5):
            opt = drivers.Optimizer(rules.rmsprop(0.003, rho=rho), drivers.MiniBatch(batch_size),
                                    np.zeros(2), m)
            centre.append(opt.run_epochs(Xs, ys, 60, np.random.default_rng(seed))[-20:].mean(0))
        bias[batch_size].append(np.mean(centre, axis=0)[0] - best[0])
median_shift = np.log(2) - 1  # the median of the noise exp(1) - 1 is ln 2 - 1

fig, ax = plt.subplots(figsize=(7.5, 4.3), layout="constrained")
for batch_size, values in bias.items():
    ax.plot(rhos, values, "o-", label=f"RMSprop, batches of {batch_size}")
ax.axhline(0.0, color="0.3", lw=1, label="least squares (the mean)")
ax.axhline(median_shift, color="crimson", ls="--", lw=1,
           label="where a sign method aims (the median)")
ax.set_xscale("logit")
ax.set_xlabel("rho (logit scale)")
ax.set_ylabel("intercept found - least-squares intercept")
ax.set_title("RMSprop's fixed point: a short memory aims at the median")
ax.legend(fontsize=8);

# %% [markdown]
# With single rows and $\rho = 0.5$, RMSprop's intercept settles most of the way towards the
# median; with $\rho = 0.999$ it sits on the least-squares value. Batches of 10 average the noise
# before the sign is taken, so the bias is much smaller. (This is why `GDRegressor` uses
# `rho=0.999` by default, where R's `RMSPROP` and Keras use 0.9.)
#
# **`centered` and `momentum`** (Graves 2013, eqs. 38-41). The centred variant also averages the
# gradient itself, $\bar g_t = \rho\,\bar g_{t-1} + (1-\rho)\, g_t$, and divides by
# $\sqrt{v_t - \bar g_t^2}$, an estimate of the gradient's *standard deviation* rather than its
# RMS. Far from the optimum the gradient is consistent, its standard deviation is smaller than its
# RMS, and the steps are larger; near the optimum $\bar g \approx 0$ and nothing changes.
# Momentum averages the normalised steps, $b_t = \beta\, b_{t-1} + g_t / a_t$,
# $\theta_t = \theta_{t-1} - \eta\, b_t$; its steps are about $1/(1-\beta)$ times larger, so we
# divide $\eta$ by 10 for $\beta = 0.9$ to compare like with like.

# %% mystnb={"image": {"alt": "Figure: RMSprop's variants on mini-batches."}}
variants = {"RMSprop": rules.rmsprop(0.01),
            "centred": rules.rmsprop(0.01, centered=True),
            "momentum 0.9 (eta / 10)": rules.rmsprop(0.001, momentum=0.9),
            "centred + momentum 0.9 (eta / 10)": rules.rmsprop(0.001, centered=True,
                                                               momentum=0.9)}
start = np.array([-2.0, -1.0])
f_best = 0.5 * np.mean((As @ best - ys) ** 2)
curves = {}
for label, rule in variants.items():
    gaps = []
    for seed in range(5):
        opt = drivers.Optimizer(rule, drivers.MiniBatch(batch_size=10), start, m)
        path = opt.run_epochs(Xs, ys, 30, np.random.default_rng(seed))
        gaps.append(0.5 * np.mean((path @ As.T - ys) ** 2, axis=1) - f_best)
    curves[label] = np.median(gaps, axis=0)
ax = plotting.plot_loss_curves(curves, logx=False, xlabel="epoch (batches of 10)",
                               ylabel="f - f* (median of 5 row orders)",
                               title="RMSprop's variants on mini-batches")

# %% [markdown]
# The centred variants get to the noise floor in about half the epochs; all four end at the same
# floor, set by the learning rate and the batch size. Momentum, at an equal typical step, changes
# little here; it matters more when gradients are noisy in a direction that should be averaged
# away.
#
# ## 4. Adam: momentum, RMSprop and a bias correction
# Adam (Kingma & Ba 2015) keeps two averages per coordinate, of the gradient and of its square:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,$$
# $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
# \theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# Both averages start at zero, so early on they are too small: after $t$ steps of a constant
# gradient $g$, $m_t = (1-\beta_1^t)\,g$. Dividing by $1-\beta^t$ removes exactly that bias. On a
# constant gradient Adam's step is then exactly $\eta$ from the first step on. Without the
# correction (a two-line NumPy formula below), and for RMSprop, which has no correction, the first
# steps are several times too large; this is the jump RMSprop made in Hinton's example above.

# %% mystnb={"image": {"alt": "Figure: a constant gradient: the step of each rule, in units of the learning rate."}}
T = np.arange(1, 301)
g = 1.0
adam = rules.adam(0.01)
w, state, adam_steps = np.zeros(1), adam.init_state(1), []
for t in T:
    before = w[0]
    adam.step(w, np.array([g]), state, t)
    adam_steps.append(before - w[0])
b1, b2 = 0.9, 0.999
uncorrected = 0.01 * (1 - b1 ** T) * g / np.sqrt((1 - b2 ** T) * g * g)  # m_t / sqrt(v_t)
rms = run_rule(rules.rmsprop(0.01, rho=0.999), np.full(T.size, g))
fig, ax = plt.subplots(figsize=(7.5, 4.3), layout="constrained")
ax.plot(T, np.array(adam_steps) / 0.01, label="Adam (bias-corrected), library rule")
ax.plot(T, uncorrected / 0.01, "--", label="Adam without the correction (NumPy formula)")
ax.plot(T, -np.diff(np.concatenate([[0.0], rms])) / 0.01, ":",
        label="RMSprop, rho = 0.999, library rule")
ax.set_xscale("log")
ax.set_xlabel("step t")
ax.set_ylabel("step size / learning rate")
ax.set_title("a constant gradient: the step of each rule, in units of the learning rate")
ax.legend(fontsize=8);


# %% [markdown]
# ## 5. AMSGrad, and Reddi et al.'s counter-example
# Reddi, Kale and Kumar ("On the convergence of Adam and beyond", ICLR 2018) built a
# one-dimensional online problem on which Adam converges to the *worst* point. On
# $x \in [-1, 1]$ the loss at step $t$ is
#
# $$f_t(x) = \begin{cases} 1010\,x & t \bmod 101 = 1,\\ -10\,x & \text{otherwise.} \end{cases}$$
#
# Over a period of 101 steps the gradients add up to $1010 - 100 \times 10 = +10$, so the best
# fixed choice is $x^* = -1$. Adam with $\beta_1 = 0.9$, $\beta_2 = 0.99$ and the step
# $\eta_t = \eta/\sqrt t$ (the paper's Section 5 experiment) moves towards $+1$. The rare large
# gradient inflates $v_t$, so its own step is damped; $v_t$ then decays over the next hundred
# steps (its memory is $1/(1-\beta_2) = 100$ steps) and the small gradients, which all point the
# other way, get relatively large steps. **AMSGrad** divides by the running *maximum* of $v_t$
# instead, so the steps of the small gradients stay small and the large gradient's direction
# wins.
#
# We run both rules of the library on this problem: `UpdateRule.step` with the given gradient,
# then a projection onto $[-1, 1]$ (`np.clip`), with the schedule $\eta/\sqrt t$ (the rules'
# `power_t` field; `dataclasses.replace` sets it on a rule).

# %% mystnb={"image": {"alt": "Figure: Reddi et al.'s problem: where the iterate goes. Panels: average regret: Adam's stays away from 0."}}
def online(rule, steps, big=1010.0, small=-10.0, period=101):
    # Projected online steps of `rule` on Reddi et al.'s problem: x_t and the average regret.
    x, state = np.zeros(1), rule.init_state(1)
    xs_t, regret = np.empty(steps), np.empty(steps)
    total = 0.0
    for t in range(1, steps + 1):
        g = big if t % period == 1 else small
        total += g * x[0] - g * -1.0  # f_t(x_t) - f_t(x*) with x* = -1
        rule.step(x, np.array([g]), state, t)
        np.clip(x, -1.0, 1.0, out=x)
        xs_t[t - 1], regret[t - 1] = x[0], total / t
    return xs_t, regret


steps = 60_000
runs = {name: online(dataclasses.replace(factory(0.5, beta1=0.9, beta2=0.99), power_t=0.5),
                     steps)
        for name, factory in [("Adam", rules.adam), ("AMSGrad", rules.amsgrad)]}
t = np.arange(1, steps + 1)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.3), layout="constrained")
for name, (x_t, regret) in runs.items():
    axes[0].plot(t, x_t, label=name)
    axes[1].plot(t, regret, label=name)
    print(f"{name:8s} x after {steps} steps: {x_t[-1]:+.3f}; average regret {regret[-1]:.3f}")
axes[0].axhline(-1, color="crimson", ls="--", lw=1, label="the optimum x* = -1")
axes[1].axhline(2 * 10 / 101, color="crimson", ls="--", lw=1,
                label="the cost of sitting at x = +1")
axes[0].set_ylabel("x_t")
axes[0].set_title("Reddi et al.'s problem: where the iterate goes")
axes[1].set_ylabel("average regret R_t / t (log scale)")
axes[1].set_yscale("log")
axes[1].set_title("average regret: Adam's stays away from 0")
for ax in axes:
    ax.set_xscale("log")
    ax.set_xlabel("step t")
    ax.legend(fontsize=8)

# %% [markdown]
# Adam ends at the wrong end of the interval: its average regret levels off at the cost of
# sitting at $x = +1$ (twice the mean gradient, $2 \times 10/101 \approx 0.2$ per step, the
# dashed line it approaches), while AMSGrad goes to $x^* = -1$ and its average regret keeps
# falling towards zero. (The library's AMSGrad is PyTorch's form, with a bias correction; the
# paper's form has none.) In practice Adam usually works well; the example shows that its
# convergence proof has a hole, and which quantity, the decaying $v_t$, causes it.
#
# ## 6. The effective step size, per coordinate
# Every adaptive rule divides the learning rate by a running size of each coordinate's gradient:
# $\eta / (\sqrt{G_t} + \epsilon)$ for Adagrad (the sum of all past $g^2$), $\eta /
# (\sqrt{v_t} + \epsilon)$ for RMSprop, and the bias-corrected version for Adam and AMSGrad.
# `plotting.effective_step_sizes` recomputes these from the gradients along a full-batch run.
# On the badly scaled problem of section 1:

# %% mystnb={"image": {"alt": "Figure: effective step size per coordinate (full batch, badly scaled problem). Panels: Adagrad, eta = 0.5; Adadelta (eta = 1); RMSprop, eta = 0.05; Adam, eta = 0.1; Adam, eta = 0.1, beta2 = 0.99; AMSGrad, eta = 0.1, beta2 = 0.99."}}
effective = {name: plotting.effective_step_sizes(rule, X, y, theta0, 150)
             for name, rule in [("Adagrad, eta = 0.5", rules.adagrad(0.5)),
                                ("Adadelta (eta = 1)", rules.adadelta()),
                                ("RMSprop, eta = 0.05", rules.rmsprop(0.05)),
                                ("Adam, eta = 0.1", rules.adam(0.1)),
                                ("Adam, eta = 0.1, beta2 = 0.99", rules.adam(0.1, beta2=0.99)),
                                ("AMSGrad, eta = 0.1, beta2 = 0.99",
                                 rules.amsgrad(0.1, beta2=0.99))]}
fig = plotting.plot_effective_step_sizes(effective, names=["intercept b", "slope w"],
                                         title="effective step size per coordinate "
                                               "(full batch, badly scaled problem)")
for ax in fig.axes:
    ax.axhline(1 / L, color="0.4", ls=":", lw=1)
fig.axes[0].annotate("1/L: plain GD's safe step", (150, 1 / L), ha="right", va="bottom",
                     fontsize=8);

# %% [markdown]
# For every rule the slope's effective step is tens of times the intercept's: each has found
# the coordinates' different scales, as Rprop did. Adagrad's steps only shrink (its sum of $g^2$
# only grows). Adadelta needs no learning rate: its step is the ratio of two running RMS values,
# of past updates and of gradients, and starts tiny. RMSprop's and Adam's steps rise again as the
# gradient shrinks near the optimum, because they divide by the *recent* gradient size; with
# $\beta_2 = 0.99$ Adam forgets faster and its steps rise sooner. AMSGrad with the same
# $\beta_2$ divides by the largest $v_t$ seen so far, so its steps rise only through the bias
# correction $\sqrt{1 - \beta_2^t}$, which has nearly reached 1 after 150 steps.
#
# ## Exercises
#
# **Exercise 1 (centred RMSprop on Hinton's sequence).** Run `rules.rmsprop(0.01, rho=0.99,
# centered=True)` on the sequence `gradients` and compare the final weight with the plain
# RMSprop's. Why is the centred version different on this sequence?
#
# <details><summary>Hint</summary>
#
# `run_rule(rule, gradients)` returns the weight after each mini-batch. What is the running mean
# $\bar g$ of this sequence, and how large is $v - \bar g^2$ compared with $v$?
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for label, rule in [("plain", rules.rmsprop(0.01, rho=0.99)),
                    ("centred", rules.rmsprop(0.01, rho=0.99, centered=True))]:
    print(f"RMSprop {label:8s}: final weight {run_rule(rule, gradients)[-1]:+.4f}")
# The mean of the sequence is 0, so after the first cycles gbar is about 0 and v - gbar^2 is
# about v: the two behave alike. Only during the first cycle, while gbar is still far from 0
# (it starts with nine +0.1), does the centred divisor differ, and it is smaller: larger steps.

# %% [markdown]
# **Exercise 2 (the memory of Adam's $v_t$).** In Reddi et al.'s problem, rerun Adam with
# $\beta_2 = 0.999$ (a memory of about 1000 steps, ten periods) instead of 0.99. Where is $x_t$,
# on average over ten periods, after 10 000, 30 000 and 60 000 steps? Is the longer memory a cure?
#
# <details><summary>Hint</summary>
#
# `online(dataclasses.replace(rules.adam(0.5, beta1=0.9, beta2=0.999), power_t=0.5), steps)`
# returns $x_t$ and the average regret. Average `x_t[k - 1010:k]` to smooth out the periods.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
x_long, _ = online(dataclasses.replace(rules.adam(0.5, beta1=0.9, beta2=0.999), power_t=0.5),
                   steps)
for label, x_t in [("beta2 = 0.99 ", runs["Adam"][0]), ("beta2 = 0.999", x_long)]:
    means = [x_t[k - 1010:k].mean() for k in (10_000, 30_000, 60_000)]
    print(f"Adam, {label}: mean x over ten periods at 10k, 30k, 60k steps: "
          f"{np.round(means, 3)}")
# With the longer memory the large gradient is not forgotten before it returns, so the drift
# is much slower; but x still moves away from x* = -1. Reddi et al. prove (their Theorem 3)
# that for any beta1 < sqrt(beta2) some problem of this kind defeats Adam: a longer memory only
# needs a more extreme example (a rarer, larger gradient). AMSGrad's maximum removes the cause.

# %% [markdown]
# **Exercise 3 (how large a batch does Rprop need?).** Run `rprop_mini_batches` with batches of
# 1, 10, 50 and 100 rows (10 passes) and with the full batch of 500 rows (100 passes: one step
# per pass) for five row orders each, and print the median distance to the least-squares point.
# From which batch size on does Rprop work?
#
# <details><summary>Hint</summary>
#
# `rprop_mini_batches(batch_size, epochs, np.random.default_rng(seed))[0]` is the final point.
# The signs of the mini-batch gradients must be right most of the time, even near the optimum.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for batch_size, epochs in [(1, 10), (10, 10), (50, 10), (100, 10), (500, 100)]:
    finals = np.array([rprop_mini_batches(batch_size, epochs, np.random.default_rng(s))[0]
                       for s in range(5)])
    distance = np.linalg.norm(finals - best, axis=1)
    print(f"batches of {batch_size:3d}, {epochs * m // batch_size:4d} steps: "
          f"median distance {np.median(distance):.2g}")
# The error falls as the batch grows, but only the full batch (500 rows: exact signs, here
# given 100 steps) reaches the least-squares point to many digits.

# %% [markdown]
# # 2. Step sizes and momentum
#
# **Learning goals.** After this notebook you can
#
# * explain, with the eigenvalues of the Hessian, why gradient descent converges for a step size
#   below $2/L$, zig-zags above $1/L$ and diverges above $2/L$;
# * predict how fast it converges (the condition number $\kappa = L/\mu$) and pick the best
#   constant step;
# * say what heavy-ball momentum and Nesterov's look-ahead change, and recognise their paths;
# * explore the rules yourself with an interactive panel, and watch them race.
#
# We use the smallest problem with a picture: one input $x$, so two coefficients, the intercept
# $b$ and the slope $w$. The objective $f(b, w)$ is a bowl over the $(b, w)$ plane, and we can
# draw its contour lines and the path each method takes.

# %% tags=["quiet"]
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from matplotlib import animation

from graddescent import DivergenceError, plotting, rules

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures

# %% [markdown]
# ## 1. The problem, and its Hessian
# Sixty points with $x$ between 0 and 4 and $y = 1 + 0.8x + \text{noise}$. Because $x$ is
# **not centred** (its mean is about 2), changing the slope also changes the best intercept: the
# bowl is a long, narrow, tilted valley.
#
# For least squares $f$ is exactly quadratic. With $\tilde x_i = (1, x_i)$ and the Hessian
# $H = \frac1n \sum_i \tilde x_i \tilde x_i^\top$,
#
# $$f(\theta) = f(\theta^*) + \tfrac12 (\theta - \theta^*)^\top H (\theta - \theta^*),
# \qquad \nabla f(\theta) = H(\theta - \theta^*).$$
#
# The eigenvalues of $H$ are the curvatures of the valley: $L$ (the largest) across it, $\mu$
# (the smallest) along its floor. Their ratio $\kappa = L/\mu$ is the **condition number**.

# %%
rng = np.random.default_rng(0)
x = rng.uniform(0, 4, 60)
y = 1.0 + 0.8 * x + 0.3 * rng.standard_normal(60)
X = x[:, None]  # the library takes a 2-D array of inputs

A = np.column_stack([np.ones_like(x), x])
H = A.T @ A / len(x)
mu, L = np.linalg.eigvalsh(H)
theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
theta0 = np.array([-1.0, 2.5])  # where every method starts


def f(theta):
    # The objective at one point (shape (2,)) or at every point of a path (shape (k, 2)).
    residual = np.atleast_2d(theta) @ A.T - y
    return 0.5 * np.mean(residual ** 2, axis=-1)


f_star = f(theta_star)[0]
print(f"H = {np.round(H, 3).tolist()}")
print(f"L = {L:.3f}, mu = {mu:.3f}, condition number kappa = {L / mu:.1f}")
print(f"least squares: b = {theta_star[0]:.3f}, w = {theta_star[1]:.3f}")

# %% [markdown]
# ## 2. The learning rate: converge, zig-zag or diverge
# One gradient step is $\theta_{t+1} = \theta_t - \alpha H(\theta_t - \theta^*)$, so the error
# $e_t = \theta_t - \theta^*$ obeys
#
# $$e_{t+1} = (I - \alpha H)\, e_t .$$
#
# Along the eigenvector of eigenvalue $\lambda$ the error is multiplied by $1 - \alpha\lambda$ at
# every step. So:
#
# * $\alpha < 1/L$: every factor lies in $(0, 1)$: a smooth approach, no overshoot;
# * $1/L < \alpha < 2/L$: across the valley the factor $1 - \alpha L$ is negative: the path
#   jumps from one wall to the other (zig-zag), but the jumps shrink;
# * $\alpha > 2/L$: $|1 - \alpha L| > 1$: every jump is longer than the last: **divergence**.
#
# So $2/L$ is the edge, and it is set by the steepest direction alone. Four step sizes, 30 steps
# each (`plotting.trajectory` runs the library's engine one step at a time and keeps every
# iterate):

# %% mystnb={"image": {"alt": "Figure: 30 gradient-descent steps at four learning rates. Panels: alpha = 0.5 / L = 0.080; alpha = 1.0 / L = 0.160; alpha = 1.9 / L = 0.303; alpha = 2.1 / L = 0.335."}}
factors = [0.5, 1.0, 1.9, 2.1]
fig, axes = plt.subplots(2, 2, figsize=(10, 8), layout="constrained")
sweep = {}
for factor, ax in zip(factors, axes.ravel(), strict=True):
    path = plotting.trajectory(rules.plain(factor / L), X, y, theta0, 30)
    sweep[f"alpha = {factor} / L"] = path
    plotting.plot_contour_paths(X, y, {"gradient descent": path}, ax=ax,
                                title=f"alpha = {factor} / L = {factor / L:.3f}")
fig.suptitle("30 gradient-descent steps at four learning rates");

# %% [markdown]
# At $0.5/L$ the path creeps down the valley floor; at $1/L$ it gets further; at $1.9/L$ it
# zig-zags across the valley and still gets there; at $2.1/L$ the zig-zag grows at every step
# (note the axes: the picture zoomed out to follow it). The objective tells the same story:

# %% mystnb={"image": {"alt": "Figure: objective gap at four learning rates."}}
gaps = {label: (np.arange(len(path)), f(path) - f_star) for label, path in sweep.items()}
ax = plotting.plot_loss_curves(gaps, logx=False, xlabel="step t", ylabel="f(theta_t) - f*",
                               title="objective gap at four learning rates")

# %% [markdown]
# ### How fast? The factor per step
# Far from the start, the error shrinks by the largest factor $\max_\lambda |1 - \alpha\lambda|
# = \max(|1 - \alpha\mu|, |1 - \alpha L|)$ per step. Below we measure that factor on the engine's
# iterates (the ratio of the errors 20 steps apart, to the power 1/20) for 44 learning rates, and
# draw the formula beside it.

# %% mystnb={"image": {"alt": "Figure: gradient descent: convergence factor against the learning rate."}}
alphas = np.linspace(0.05, 2.2, 44) / L
measured = []
for alpha in alphas:
    path = plotting.trajectory(rules.plain(alpha), X, y, theta0, 200, on_divergence="stop")
    error = np.linalg.norm(path - theta_star, axis=1)
    measured.append((error[-1] / error[-21]) ** (1 / 20))
theory = np.maximum(np.abs(1 - alphas * mu), np.abs(1 - alphas * L))
best = 2 / (L + mu)

fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
ax.plot(alphas * L, theory, color="0.3", lw=2, label="max |1 - alpha lambda| (theory)")
ax.plot(alphas * L, measured, "o", color="tab:orange", ms=5, label="measured on the engine")
ax.axhline(1.0, color="crimson", ls=":", lw=1)
for value, text, align in [(1.0, "1/L", "center"), (best * L, "2/(L+mu) ", "right"),
                          (2.0, " 2/L", "left")]:
    ax.axvline(value, color="0.6", ls="--", lw=1)
    ax.annotate(text, (value, 1.17), ha=align, fontsize=9, backgroundcolor="white")
ax.set_ylim(0.9, 1.2)
ax.set_xlabel("learning rate alpha, in units of 1/L")
ax.set_ylabel("error factor per step (below 1: converges)")
ax.set_title("gradient descent: convergence factor against the learning rate")
ax.legend(loc="lower left", fontsize=9);

# %% [markdown]
# The measurements sit on the formula. The factor is smallest at $\alpha = 2/(L + \mu)$, where the
# two directions shrink equally fast, with the factor
#
# $$\frac{\kappa - 1}{\kappa + 1},$$
#
# close to 1 when $\kappa$ is large: plain gradient descent is slow on ill-conditioned problems
# however well the step is chosen, because one step size has to suit the steep and the flat
# direction at once.

# %%
kappa = L / mu
print(f"best constant step 2/(L+mu) = {best:.4f} = {best * L:.3f} / L")
print(f"best factor (kappa-1)/(kappa+1) = {(kappa - 1) / (kappa + 1):.4f}; "
      f"steps to shrink the error 1000-fold: "
      f"{np.log(1e-3) / np.log((kappa - 1) / (kappa + 1)):.0f}")

# %% [markdown]
# ## 3. Momentum and Nesterov
# **Heavy-ball momentum** (Polyak 1964; R's `MGD`) keeps a velocity: $u_t = \beta u_{t-1} + \alpha
# g_t$, $\theta_t = \theta_{t-1} - u_t$, where $g_t = \nabla f(\theta_{t-1})$. Along the valley
# floor the gradients keep pointing the same way and the velocity builds up (up to $1/(1-\beta)$
# times a plain step); across the valley they alternate in sign and cancel.
#
# **Nesterov's method** (in Sutskever's form; what `AGD` should be) takes the gradient at the
# point the velocity is about to carry us to: $v_t = \beta v_{t-1} - \alpha\nabla f(\theta_{t-1} +
# \beta v_{t-1})$, $\theta_t = \theta_{t-1} + v_t$. Looking ahead lets it brake before it
# overshoots.
#
# With the step $\alpha = 1/L$ and $\beta = 0.9$, 40 steps each:

# %% mystnb={"image": {"alt": "Figure: alpha = 1/L: plain steps, heavy ball and Nesterov."}}
paths = {
    "gradient descent": plotting.trajectory(rules.plain(1 / L), X, y, theta0, 40),
    "heavy ball, beta = 0.9": plotting.trajectory(rules.momentum(1 / L, 0.9), X, y, theta0, 40),
    "Nesterov, beta = 0.9": plotting.trajectory(rules.nesterov(1 / L, 0.9), X, y, theta0, 40),
}
ax = plotting.plot_contour_paths(X, y, paths,
                                 title="alpha = 1/L: plain steps, heavy ball and Nesterov")

# %% [markdown]
# Gradient descent walks slowly down the valley. The heavy ball races along it, overshoots and
# circles the minimum; Nesterov takes the same speed but curls in much sooner.
#
# **Tuned momentum.** For a quadratic the best heavy-ball settings are known (Polyak):
# $\alpha = 4/(\sqrt L + \sqrt\mu)^2$ and $\beta = \bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa +
# 1}\bigr)^2$, with the factor $\frac{\sqrt\kappa-1}{\sqrt\kappa+1}$ per step: $\sqrt\kappa$ where
# gradient descent has $\kappa$. Nesterov with $\alpha = 1/L$ and $\beta = \frac{\sqrt\kappa -
# 1}{\sqrt\kappa + 1}$ has a factor of about $1 - 1/\sqrt\kappa$. We measure all of them:

# %% mystnb={"image": {"alt": "Figure: objective gap: tuned and untuned momentum."}}
root = np.sqrt(kappa)
settings = {
    "gradient descent, best alpha": (rules.plain(best), (kappa - 1) / (kappa + 1)),
    "heavy ball, Polyak's tuning": (rules.momentum(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                                                   ((root - 1) / (root + 1)) ** 2),
                                    (root - 1) / (root + 1)),
    "Nesterov, alpha = 1/L, tuned beta": (rules.nesterov(1 / L, (root - 1) / (root + 1)),
                                          1 - 1 / root),
    "heavy ball, alpha = 1/L, beta = 0.9": (rules.momentum(1 / L, 0.9), None),
    "Nesterov, alpha = 1/L, beta = 0.9": (rules.nesterov(1 / L, 0.9), None),
}
curves = {}
for label, (rule, predicted) in settings.items():
    path = plotting.trajectory(rule, X, y, theta0, 120)
    curves[label] = (np.arange(len(path)), f(path) - f_star)
    error = np.linalg.norm(path - theta_star, axis=1)
    factor = (error[60] / error[20]) ** (1 / 40)
    note = f" (theory {predicted:.3f})" if predicted else ""
    print(f"{label:38s} factor per step {factor:.3f}{note}")
ax = plotting.plot_loss_curves(curves, logx=False, xlabel="step t", ylabel="f(theta_t) - f*",
                               title="objective gap: tuned and untuned momentum")

# %% [markdown]
# Tuned, both momentum methods leave the best plain step far behind: the measured factors match
# the theory. (The gap $f - f^*$ is quadratic in the error, so it shrinks by the square of the
# factor per step.) With the common default $\beta = 0.9$ at $\alpha = 1/L$ they are not tuned
# for this problem: the heavy ball then does no better than the best plain step, and Nesterov's
# gap falls in waves, one for each turn of its spiral around the minimum.
#
# ## 4. Try it yourself: an interactive panel
# The panel below redraws the path over the contours for the rule, learning rate (`alpha`, on a
# log scale), momentum and number of steps you choose. The momentum slider applies to the
# heavy-ball, Nesterov and RMSprop rules; the others ignore it. The title shows the learning rate
# in units of $1/L$ and the final gap. A path that runs away is cut where it leaves the picture.
#
# The panel needs a running kernel and a widget front-end (JupyterLab, Jupyter Notebook 7, VS
# Code). On a static page (a repository's file view, an HTML export) it cannot move; the figure
# just below shows what it draws, for the momentum rule at three settings of the slider.

# %% tags=["quiet"]
PANEL_RULES = ["plain", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad",
               "rprop"]


def make_rule(name, learning_rate, momentum):
    # Build an update rule; the momentum value only goes to the rules that take one.
    factory = rules.RULES[name]
    kwargs = {"learning_rate": learning_rate}
    if "momentum" in inspect.signature(factory).parameters:
        kwargs["momentum"] = momentum
    return factory(**kwargs)


def draw_path(rule="momentum", learning_rate=0.16, momentum=0.6, steps=40, ax=None):
    # The panel's picture: one rule's path over the contour lines of f.
    if ax is None:
        ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")[1]
    try:
        path = plotting.trajectory(make_rule(rule, learning_rate, momentum), X, y, theta0,
                                   steps)
    except DivergenceError:  # overflowed to inf: keep the finite part
        path = np.array([theta0])
    far = np.linalg.norm(path - theta_star, axis=1) > 3 * np.linalg.norm(theta0 - theta_star)
    runaway = bool(far.any())
    if runaway:
        path = path[:max(int(np.argmax(far)), 1) + 1]
    uses_momentum = "momentum" in inspect.signature(rules.RULES[rule]).parameters
    title = (f"{rule}: alpha = {learning_rate:.3g} ({learning_rate * L:.2f} / L)"
             + (f", momentum {momentum:.2f}" if uses_momentum else "")
             + f"\nafter {steps} steps: "
             + ("runs away (diverges)" if runaway
                else f"gap f - f* = {f(path[-1])[0] - f_star:.2e}"))
    plotting.plot_contour_paths(X, y, {rule: path}, ax=ax, title=title)
    return ax


# %% mystnb={"image": {"alt": "Figure: what the panel draws: the heavy-ball rule with momentum 0, 0.6 and 0.9. Panels: momentum: alpha = 0.16 (1.00 / L), momentum 0.00, after 40 steps: gap f - f* = 3.79e-02; momentum: alpha = 0.16 (1.00 / L), momentum 0.60, after 40 steps: gap f - f* = 1.11e-04; momentum: alpha = 0.16 (1.00 / L), momentum 0.90, after 40 steps: gap f - f* = 4.20e-02."}}
fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.5), layout="constrained")
for beta, ax in zip([0.0, 0.6, 0.9], axes, strict=True):
    draw_path("momentum", learning_rate=0.16, momentum=beta, steps=40, ax=ax)
fig.suptitle("what the panel draws: the heavy-ball rule with momentum 0, 0.6 and 0.9");

# %% mystnb={"image": {"alt": "Figure: momentum: alpha = 0.16 (1.00 / L), momentum 0.60, after 40 steps: gap f - f* = 1.11e-04."}}
try:
    import ipywidgets as widgets
except ImportError:  # the figure above is the static version of the panel
    widgets = None
    print("ipywidgets is not installed (pip install ipywidgets): no interactive panel.")

if widgets is not None:
    controls = {
        "rule": widgets.Dropdown(options=PANEL_RULES, value="momentum", description="rule"),
        "learning_rate": widgets.FloatLogSlider(value=0.16, base=10, min=-3, max=0.5,
                                                step=0.005, description="alpha",
                                                readout_format=".3g"),
        "momentum": widgets.FloatSlider(value=0.6, min=0.0, max=0.99, step=0.01,
                                        description="momentum"),
        "steps": widgets.IntSlider(value=40, min=1, max=200, description="steps"),
    }

    def redraw(**settings):
        draw_path(**settings)
        plt.show()

    panel = widgets.VBox([widgets.HBox([controls["rule"], controls["steps"]]),
                          widgets.HBox([controls["learning_rate"], controls["momentum"]]),
                          widgets.interactive_output(redraw, controls)])
    bundle = panel._repr_mimebundle_()
    bundle["text/plain"] = ("[An interactive panel: it needs a running kernel and a widget "
                            "front-end such as JupyterLab. The figure above is its static "
                            "version.]")
    display(bundle, raw=True)

# %% [markdown]
# Things to try: the plain rule at 1.9/L and at 2.1/L; momentum 0.99 (the ball hardly feels
# friction); Adam or RMSprop with a learning rate of 0.05, then 0.5 (their steps have about the
# size of the learning rate whatever the gradient, notebook 3 explains why); Rprop, which only
# looks at the sign of each gradient component.
#
# ## 5. The race
# The same start, the same contours, five rules stepping together. The animation is an HTML/JS
# player (play, pause, step) that works in any browser page that runs JavaScript; the static
# figure after it shows the race at three moments, for pages that do not.

# %% tags=["quiet"]
RACERS = {
    "gradient descent, 1/L": rules.plain(1 / L),
    "heavy ball, 1/L, 0.9": rules.momentum(1 / L, 0.9),
    "Nesterov, 1/L, 0.9": rules.nesterov(1 / L, 0.9),
    "RMSprop, 0.05": rules.rmsprop(0.05),
    "Adam, 0.1": rules.adam(0.1),
}
RACE_STEPS = 40
race = {label: plotting.trajectory(rule, X, y, theta0, RACE_STEPS)
        for label, rule in RACERS.items()}


def draw_race(ax):
    # The contours and the full paths; returns the path lines, to be cut at step k.
    plotting.plot_contour_paths(X, y, race, ax=ax, title="")
    lines = {line.get_label().split(" (")[0]: line for line in ax.lines}
    return [lines[label] for label in race]


def show_race_at(lines, ax, k):
    for line, path in zip(lines, race.values(), strict=True):
        line.set_data(path[:k + 1, 0], path[:k + 1, 1])
    ax.set_title(f"five rules racing from the same start: step {k} of {RACE_STEPS}")
    return lines


# %%
fig, ax = plt.subplots(figsize=(6.6, 5.4), dpi=72, layout="constrained")
race_lines = draw_race(ax)
frames = [*range(0, RACE_STEPS, 3), RACE_STEPS]
movie = animation.FuncAnimation(fig, lambda k: show_race_at(race_lines, ax, k), frames=frames)
with plt.rc_context({"animation.frame_format": "jpeg"}):  # 3 times smaller than PNG frames
    player = movie.to_jshtml(fps=3, default_mode="once")
plt.close(fig)  # the player holds the frames; no extra static copy of the last one
HTML(player)

# %% mystnb={"image": {"alt": "Figure: the race at steps 3, 10 and 40 (static version of the animation). Panels: five rules racing from the same start: step 3 of 40; five rules racing from the same start: step 10 of 40; five rules racing from the same start: step 40 of 40."}}
fig, axes = plt.subplots(1, 3, figsize=(14, 4.7), layout="constrained", sharex=True,
                         sharey=True)
for k, ax in zip([3, 10, RACE_STEPS], axes, strict=True):
    show_race_at(draw_race(ax), ax, k)
for ax in axes[1:]:
    ax.get_legend().remove()
fig.suptitle("the race at steps 3, 10 and 40 (static version of the animation)");

# %% [markdown]
# At step 3 the gradient methods have dropped straight into the valley (the gradient points
# across it, the steep way), while RMSprop and Adam move diagonally: they divide each coordinate's
# gradient by its own running size, so both coordinates move by about the same amount. By step 10
# the momentum methods are far ahead along the valley, the heavy ball swinging wide, Nesterov
# cutting in; at step 40 Nesterov is near the minimum, the heavy ball still circles it, and the
# others are still walking down the valley floor.
#
# ## Exercises
#
# **Exercise 1 (the best step, measured).** Run plain gradient descent with $\alpha = 1/L$ and
# with $\alpha = 2/(L+\mu)$ for 200 steps. How many steps does each need to bring the error
# $\|\theta_t - \theta^*\|$ below $10^{-6}$ times its start? Compare with the theory.
#
# <details><summary>Hint</summary>
#
# `plotting.trajectory(rules.plain(alpha), X, y, theta0, 200)` gives the iterates;
# `np.argmax(error < threshold)` gives the first step below a threshold. With factor $q$ per
# step you need about $\log(10^{-6}) / \log q$ steps.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
start = np.linalg.norm(theta0 - theta_star)
for label, alpha in [("1/L", 1 / L), ("2/(L+mu)", 2 / (L + mu))]:
    error = np.linalg.norm(plotting.trajectory(rules.plain(alpha), X, y, theta0, 400)
                           - theta_star, axis=1)
    q = max(abs(1 - alpha * mu), abs(1 - alpha * L))
    print(f"alpha = {label:9s} steps to 1e-6: measured {np.argmax(error < 1e-6 * start)}, "
          f"theory about {np.log(1e-6) / np.log(q):.0f}")

# %% [markdown]
# **Exercise 2 (centre the input).** Replace $x$ by $x - \bar x$. Compute the new Hessian, its
# eigenvalues and $\kappa$. How many plain steps at $\alpha = 1/L$ does it now take to reach a gap
# $f - f^* < 10^{-10}$, compared with the original data? Draw both paths over their contours.
#
# <details><summary>Hint</summary>
#
# With a centred input, $H = \begin{pmatrix} 1 & 0 \\ 0 & \overline{x^2} - \bar x^2
# \end{pmatrix}$: the intercept and the slope no longer interact. Start the centred problem from
# the same slope and the intercept that gives the same line (it is the same model, written
# differently): $b_c = b + w\bar x$.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: original x: 30 steps at alpha = 1/L. Panels: centred x: 30 steps at alpha = 1/L."}}
xc = x - x.mean()
Ac = np.column_stack([np.ones_like(xc), xc])
Hc = Ac.T @ Ac / len(xc)
mu_c, L_c = np.linalg.eigvalsh(Hc)
print(f"centred: H = {np.round(Hc, 3).tolist()}, kappa = {L_c / mu_c:.2f} (was {L / mu:.1f})")
start_c = np.array([theta0[0] + theta0[1] * x.mean(), theta0[1]])  # the same line
runs = {"original x": (X, A, 1 / L, theta0), "centred x": (xc[:, None], Ac, 1 / L_c, start_c)}
fig, axes = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
for (label, (Xk, Ak, alpha, start)), ax in zip(runs.items(), axes, strict=True):
    path = plotting.trajectory(rules.plain(alpha), Xk, y, start, 600)
    gap = 0.5 * np.mean((path @ Ak.T - y) ** 2, axis=1) - f_star  # same minimum for both
    below = np.flatnonzero(gap < 1e-10)
    print(f"{label:10s}: steps to a gap below 1e-10: "
          + (str(below[0]) if below.size else f"more than {len(gap) - 1}"))
    plotting.plot_contour_paths(Xk[:, 0], y, {"gradient descent": path[:31]}, ax=ax,
                                title=f"{label}: 30 steps at alpha = 1/L",
                                names=("intercept" + (" b_c" if "centred" in label else " b"),
                                       "slope w"))

# %% [markdown]
# **Exercise 3 (how much momentum?).** Keep $\alpha = 1/L$ and try heavy-ball momentum $\beta$
# from 0 to 0.99. Which $\beta$ gives the smallest gap after 60 steps? Compare with Polyak's
# formula for the best $\beta$ at this step, $\beta^* = \max(|1 - \sqrt{\alpha\mu}|,
# |1 - \sqrt{\alpha L}|)^2$.
#
# <details><summary>Hint</summary>
#
# Loop over `np.linspace(0, 0.99, 100)`, compute `f(path[-1]) - f_star` for each and take the
# `argmin`. Plot the gap against $\beta$ on a log scale.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: heavy ball at alpha = 1/L: the gap against the momentum."}}
betas = np.linspace(0, 0.99, 100)
final = [f(plotting.trajectory(rules.momentum(1 / L, b), X, y, theta0, 60)[-1])[0] - f_star
         for b in betas]
alpha = 1 / L
beta_star = max(abs(1 - np.sqrt(alpha * mu)), abs(1 - np.sqrt(alpha * L))) ** 2
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.semilogy(betas, np.maximum(final, 1e-30), label="gap after 60 steps")
ax.axvline(beta_star, color="crimson", ls="--", label=f"Polyak's beta* = {beta_star:.3f}")
ax.set_xlabel("momentum beta")
ax.set_ylabel("f - f* after 60 steps")
ax.set_title("heavy ball at alpha = 1/L: the gap against the momentum")
ax.legend()
print(f"best beta on the grid: {betas[int(np.argmin(final))]:.2f}; "
      f"Polyak's: {beta_star:.3f}")

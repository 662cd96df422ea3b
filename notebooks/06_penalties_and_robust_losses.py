# %% [markdown]
# # 6. Penalties and robust losses
#
# **Learning goals.** After this notebook you can
#
# * write the penalised objective that `GDRegressor` minimises, and translate its `alpha` to
#   scikit-learn's `Ridge`, `Lasso` and `ElasticNet`;
# * read ridge and lasso **paths** (the coefficients against `alpha`) and say why the lasso sets
#   coefficients to exactly zero and ridge never does;
# * draw **soft thresholding**, the proximal step of the L1 penalty, and explain why a plain
#   (sub)gradient step cannot produce exact zeros;
# * run proximal SGD and SAGA on the lasso, compare them with scikit-learn's `Lasso`, and say
#   which of them finds its exact zeros, and why;
# * fit the **Huber loss** against least squares on the CO2 data with R's nine corrupted values,
#   and choose its threshold `epsilon`.
#
# Until now every method minimised half the mean squared error. `GDRegressor` minimises
# scikit-learn's more general objective (the same names and scaling as `SGDRegressor`): with
# the residuals $r_i = b + x_i \cdot w - y_i$, a loss $l$, and $\rho$ = `l1_ratio`,
#
# $$F(b, w) = \frac{1}{n}\sum_{i=1}^{n} l(r_i)
#   + \alpha \Bigl(\rho\, \|w\|_1 + \frac{1 - \rho}{2}\, \|w\|_2^2\Bigr).$$
#
# `penalty="l2"` (ridge) is $\rho = 0$, `penalty="l1"` (lasso) is $\rho = 1$, `"elasticnet"`
# anything between; the intercept $b$ is never penalised. With the squared error
# $l(r) = r^2 / 2$ this is exactly `Lasso(alpha)` and `ElasticNet(alpha, l1_ratio)`, and
# `Ridge(alpha=n * alpha)` (Ridge does not divide its sum of squares by $2n$).

# %% tags=["quiet"]
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet, Lasso, LassoCV, LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

from graddescent import GDRegressor, datasets, drivers, plotting, rules
from graddescent.problems import PENALTIES, Problem

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures

# %% [markdown]
# ## 1. The data, and what `alpha` means
# The diabetes data (442 patients, ten baseline measurements, a measure of disease progression
# a year later), each feature standardised. The penalty treats all coefficients alike, so the
# features must be on one scale: standardising first is not optional here.

# %%
data = datasets.load_diabetes(scaled=False)
names = list(data.columns[:-1])
X = StandardScaler().fit_transform(data[names].to_numpy())
y = data["target"].to_numpy()
n, d = X.shape

ridge = GDRegressor("saga", penalty="l2", alpha=0.1, tol="precise", random_state=0).fit(X, y)
lasso = GDRegressor("saga", penalty="l1", alpha=2.0, tol="precise", random_state=0).fit(X, y)
for label, ours, theirs in [
        ("ridge, alpha = 0.1  vs Ridge(alpha=0.1 n)", ridge, Ridge(alpha=0.1 * n)),
        ("lasso, alpha = 2    vs Lasso(alpha=2)   ", lasso, Lasso(alpha=2.0, tol=1e-12))]:
    exact = theirs.fit(X, y).coef_
    distance = np.linalg.norm(ours.coef_ - exact) / np.linalg.norm(exact)
    print(f"{label}: relative distance {distance:.1e}")

# %% [markdown]
# SAGA run to float precision (`tol="precise"`) finds scikit-learn's solutions to many digits:
# the same problems, with the same `alpha`s (after the factor $n$ for `Ridge`).
#
# ## 2. Ridge and lasso paths
# A **path** is the solution as a function of `alpha`: at `alpha` = 0 the least-squares
# coefficients, and as `alpha` grows the penalty pulls them towards 0. Above
# $\alpha_{\max} = \max_j |x_j \cdot (y - \bar y)| / n$ the lasso's solution is exactly $w = 0$
# (the penalty's pull beats the gradient of every feature at 0). Each point below is one fit
# run to float precision; the dots are scikit-learn's solutions.

# %% mystnb={"image": {"alt": "Figure: two panels, the ten coefficients against alpha on a log scale. Left, ridge: every coefficient shrinks smoothly towards zero and none reaches it. Right, lasso: the coefficients reach exactly zero one after another until all are zero above alpha_max. scikit-learn's solutions lie on the curves."}}
alphas = np.logspace(-2, 1.9, 14)
alpha_max = np.max(np.abs(X.T @ (y - y.mean()))) / n


def path(penalty, **settings):
    # One fit per alpha, run to float precision; rows: alphas, columns: features.
    return np.array([GDRegressor("saga", penalty=penalty, alpha=a, tol="precise",
                                 random_state=0, **settings).fit(X, y).coef_ for a in alphas])


paths = {"ridge": path("l2"), "lasso": path("l1")}
reference = {"ridge": np.array([Ridge(alpha=a * n).fit(X, y).coef_ for a in alphas]),
             "lasso": np.array([Lasso(alpha=a, tol=1e-12, max_iter=100_000).fit(X, y).coef_
                                for a in alphas])}

fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained", sharey=True)
colors = plt.cm.tab10(np.arange(d))
for ax, kind in zip(axes, paths, strict=True):
    for j in range(d):
        ax.plot(alphas, paths[kind][:, j], color=colors[j], label=names[j])
    ax.plot(alphas, reference[kind], "o", ms=3, color="0.2", label="_scikit-learn")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("alpha (log scale)")
    ax.set_title(f"{kind} path: the coefficients against alpha (dots: scikit-learn)")
axes[1].axvline(alpha_max, color="0.4", ls=":", label="alpha_max")
axes[0].set_ylabel("coefficient (per standard deviation of the feature)")
fig.legend(*axes[1].get_legend_handles_labels(), loc="outside right center", fontsize=8)

zeros = pd.DataFrame({"lasso: exact zeros": (paths["lasso"] == 0).sum(axis=1),
                      "Lasso (scikit-learn)": (reference["lasso"] == 0).sum(axis=1),
                      "ridge: exact zeros": (paths["ridge"] == 0).sum(axis=1)},
                     index=pd.Index(alphas.round(3), name="alpha"))
print(f"alpha_max = {alpha_max:.2f}; largest distance to scikit-learn on the paths: "
      f"{max(np.abs(paths[k] - reference[k]).max() for k in paths):.1e}")
zeros.T

# %% [markdown]
# **Reading the paths.** Ridge shrinks every coefficient smoothly and never to zero: even at
# the largest `alpha` all ten are still non-zero, only small. The lasso sets them to **exactly
# zero**, one after another (`age` and `s2` first, then `s4`, `s1` and `s6`, ...; `bmi` and
# `s5`, the strongest predictors, last), and above $\alpha_{\max}$ all of them: it *selects*
# features. The number of exact zeros matches scikit-learn's coordinate descent at every
# `alpha`. The lasso is not a simple shrinkage either: `s1` and `s2` (two correlated
# cholesterol measurements), large and of opposite signs at small `alpha`, shrink fastest, and
# `s2` is gone at `alpha` of about 0.3 while `s5` stays near 25 over two decades of `alpha`; and
# `s3` passes through exactly 0 at one `alpha` on its way from one sign to the other.
#
# ## 3. Soft thresholding: where the exact zeros come from
# $\|w\|_1$ has no gradient at 0, so gradient descent cannot step on it. A method takes its
# gradient step on the smooth part $f$ (the loss, and the L2 part if any) and then applies the
# **proximal operator** of the L1 part,
#
# $$\operatorname{prox}_{\tau |\cdot|}(v) = \arg\min_u \Bigl(\tfrac12 (u - v)^2 + \tau |u|\Bigr)
#   = \operatorname{sign}(v)\,\max(|v| - \tau,\ 0),$$
#
# with $\tau = \eta\,\alpha$ for a step $\eta$: **soft thresholding**. Everything within $\tau$
# of 0 lands on exactly 0; the rest moves $\tau$ closer to it. The L2 penalty's proximal
# operator, $v / (1 + \tau)$, only divides: it never produces a zero. The proximal gradient step
# is $w \leftarrow \operatorname{prox}_{\eta \alpha |\cdot|}\bigl(w - \eta \nabla f(w)\bigr)$
# (ISTA). The package's soft thresholding is in the penalty's registry row
# (`PENALTIES["l1"]`).
#
# Compare with a **subgradient** step, which replaces the missing gradient of $|w_j|$ by
# $\operatorname{sign}(w_j)$: $w \leftarrow w - \eta\,(\nabla f(w) + \alpha \operatorname{sign}
# (w))$. On the right, the coefficient of `age` (0 in the lasso's solution at $\alpha = 2$)
# under both, with the step $\eta = 1/L$:

# %% mystnb={"image": {"alt": "Figure: two panels. Left, the soft-thresholding function: zero between minus tau and tau, then the identity shifted by tau; beside it the L2 proximal map, a straight line through the origin with slope one half, and the identity. Right, the coefficient of age over 120 full-batch steps: the subgradient step keeps jumping from one side of zero to the other, the proximal step lands on exactly zero and stays there."}}
soft_threshold = PENALTIES["l1"].reference_prox
problem = Problem(penalty="l1", alpha=2.0)
L = problem.lipschitz(X)  # the smoothness constant of the full gradient
A = np.column_stack([np.ones(n), X])


def gradient(theta):
    # The gradient of the smooth part, (1/2n) ||A theta - y||^2.
    return A.T @ (A @ theta - y) / n


steps = 120
subgradient = [np.zeros(d + 1)]
for _ in range(steps):
    theta = subgradient[-1]
    g = gradient(theta) + 2.0 * np.r_[0.0, np.sign(theta[1:])]  # the intercept is free
    subgradient.append(theta - g / L)
proximal_gd = drivers.Optimizer(rules.plain(1 / L), drivers.FullBatch(), np.zeros(d + 1), n,
                                problem)
proximal = [proximal_gd.theta.copy()]
for _ in range(steps):
    proximal.append(proximal_gd.run(X, y, 1, np.random.default_rng(0)).copy())
age = names.index("age") + 1  # theta[0] is the intercept

fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
v = np.linspace(-3, 3, 601)
axes[0].plot(v, soft_threshold(v, 1.0), lw=2.5, label="L1: soft thresholding, tau = 1")
axes[0].plot(v, v / 2.0, ls="--", label="L2: v / (1 + tau), tau = 1")
axes[0].plot(v, v, color="0.6", lw=0.8, ls=":", label="no penalty: v")
axes[0].set(xlabel="v (the coefficient after the gradient step)", ylabel="prox(v)",
            title="proximal operators of the penalties")
axes[0].legend(fontsize=8)
axes[1].plot(np.array(subgradient)[:, age], lw=0.8, label="subgradient step")
axes[1].plot(np.array(proximal)[:, age], lw=2, label="proximal step (soft thresholding)")
axes[1].axhline(0.0, color="0.5", lw=0.8)
axes[1].set(xlabel="full-batch step", ylabel="coefficient of age",
            title="the lasso's zero for age, at step 1/L", ylim=(-0.6, 0.6))
axes[1].legend(fontsize=8)
last = np.array(subgradient)[-50:, age]
print(f"last 50 of {steps} subgradient steps: age between {last.min():+.3f} and {last.max():+.3f}, "
      f"exactly 0 in {np.sum(last == 0)} of them")
print(f"proximal steps: age is exactly 0 from step "
      f"{np.flatnonzero(np.array(proximal)[:, age] != 0).max() + 1} on")

# %% [markdown]
# The subgradient step overshoots 0 by up to $\eta\alpha$ every time and keeps jumping across it;
# only a decaying step would make the jumps shrink, and even then the coefficient would be
# small, never 0. The proximal step lands on 0 the first time the gradient step brings the
# coefficient within $\tau$ of it, and stays there because $|\partial f / \partial w_j| <
# \alpha$ at the solution: that inequality is the lasso's condition for a zero.
#
# ## 4. Proximal SGD and SAGA on the lasso
# On single rows the same recipe gives **proximal SGD**:
# $w \leftarrow \operatorname{prox}_{\eta\alpha|\cdot|}(w - \eta\, \nabla f_i(w))$ with $i$ one
# row. **SAGA** (Defazio, Bach and Lacoste-Julien 2014) keeps the last gradient of every row,
# like SAG (notebook 4), but forms an *unbiased* estimate
# $\nabla f_i(w) - \nabla f_i(\phi_i) + \frac1n \sum_k \nabla f_k(\phi_k)$, which is what lets
# the proximal step in. Both, with full-batch proximal gradient descent (ISTA) for reference,
# against scikit-learn's `Lasso(alpha=2)` solved to `tol=1e-12`, whose solution has three exact
# zeros. After every pass: the distance to that solution, and how many coefficients are exactly 0.

# %% mystnb={"image": {"alt": "Figure: two panels over 60 passes on the lasso at alpha 2. Left, the relative distance to scikit-learn's Lasso solution on a log scale: SAGA falls in a straight line to 1e-13, full-batch proximal gradient descent slowly, proximal SGD stops on a floor near 1e-2. Right, the number of coefficients exactly zero: SAGA reaches the lasso's three after 12 passes and keeps them, proximal gradient descent has two at 60 passes, proximal SGD has none at the end of almost every pass."}}
exact = Lasso(alpha=2.0, tol=1e-12).fit(X, y)
theta_star = np.r_[exact.intercept_, exact.coef_]
L_max = problem.l_max(X)  # the smoothness constant of the worst single row
print("Lasso's zeros:", [names[j] for j in np.flatnonzero(exact.coef_ == 0)])


def run(rule, driver, passes=60, seed=0):
    # After every pass: the distance to the lasso's solution, the number of exact zeros, and
    # whether they are exactly the lasso's zeros; and the last iterate.
    opt = drivers.Optimizer(rule, driver, np.zeros(d + 1), n, problem)
    rng = np.random.default_rng(seed)
    per_pass = int(np.ceil(driver.units_per_epoch(n)))
    distance, zeros, matches = [], [], []
    for _ in range(passes):
        theta = opt.run(X, y, per_pass, rng)
        distance.append(np.linalg.norm(theta - theta_star) / np.linalg.norm(theta_star))
        zeros.append(int(np.sum(theta[1:] == 0)))
        matches.append(np.array_equal(theta[1:] == 0, exact.coef_ == 0))
    return np.array(distance), np.array(zeros), theta.copy(), np.array(matches)


methods = {
    "proximal GD (ISTA), 1/L": (rules.plain(1 / L), drivers.FullBatch()),
    "proximal SGD, 1/(4 L_max)": (rules.plain(0.25 / L_max), drivers.MiniBatch(batch_size=1)),
    "proximal SGD, 1/(L_max sqrt(t))": (dataclasses.replace(rules.plain(1 / L_max), power_t=0.5),
                                        drivers.MiniBatch(batch_size=1)),
    "SAGA, 1/L_max": (rules.plain(1 / L_max), drivers.SAGA()),
}
runs = {label: run(*spec) for label, spec in methods.items()}

fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
passes = np.arange(1, 61)
plotting.plot_loss_curves({k: (passes, r[0]) for k, r in runs.items()}, ax=axes[0], logx=False,
                          xlabel="passes over the data", ylabel="relative distance to Lasso",
                          title="distance to scikit-learn's Lasso solution")
axes[0].get_legend().remove()  # one legend, in the right panel
for label, (_, zeros, _, _) in runs.items():
    axes[1].step(passes, zeros, where="post", label=label)
axes[1].axhline(3, color="0.5", ls=":", label="the lasso's zeros (3)")
axes[1].set(xlabel="passes over the data", ylabel="coefficients exactly 0",
            title="exact zeros at the end of each pass", yticks=range(d + 1), ylim=(-0.2, 4.5))
axes[1].legend(fontsize=8)
last_miss = np.flatnonzero(~runs["SAGA, 1/L_max"][3]).max() + 1  # a pass without them
print(f"SAGA's zeros are exactly the lasso's from pass {last_miss + 1} on")
pd.DataFrame({label: {"distance after 60 passes": f"{distance[-1]:.1e}",
                      "exact zeros at the end": ", ".join(
                          names[j] for j in np.flatnonzero(theta[1:] == 0)) or "(none)",
                      "passes that ended with a zero": f"{np.mean(zeros > 0):.0%}"}
              for label, (distance, zeros, theta, _) in runs.items()}).T

# %% [markdown]
# **Reading it.** SAGA converges linearly, as SAG does on least squares, down to rounding
# error, and from its twelfth pass on its zeros are exactly the lasso's. ISTA also
# converges, slowly (its rate is set by the condition number of the features); at 60 passes it
# has found some of the zeros. Proximal SGD gets the *values* close quickly but never finds
# the zeros: a single row's gradient $r_i x_{ij}$ is much larger than $\alpha$, so every step
# kicks a coefficient that was 0 out of the threshold band again, and at the end of a pass it
# is almost never exactly 0. A decaying step does not help: it shrinks the threshold
# $\eta\alpha$ and the kicks alike. Exact zeros need a gradient estimate whose noise vanishes
# at the solution: the full gradient, or a variance-reduced one (SAGA, SVRG, SARAH).
#
# The estimator does the same with `GDRegressor(method="saga", penalty="l1")`; the page
# "Penalties and losses" of the documentation says which method runs which penalty.

# %% [markdown]
# ## 5. Huber against least squares: the CO2 data with nine corrupted values
# Notebook 1 ended with R's nine data-entry errors in the compressibility factor of CO2: nine
# values of Z divided by $10^4$, about 1 away from the plane while the other residuals are about
# 0.1. Least squares squares the residuals, so each bad row pulls the plane with a force
# proportional to its residual. The **Huber loss** (Huber 1964) is the squared error near the
# fit and the absolute error beyond a threshold $\epsilon$:
#
# $$l_\epsilon(r) = \begin{cases} r^2/2 & |r| \le \epsilon \\ \epsilon |r| - \epsilon^2 / 2 &
#   |r| > \epsilon \end{cases}, \qquad l_\epsilon'(r) = \operatorname{clip}(r, -\epsilon,
#   \epsilon):$$
#
# a row pulls with a force of at most $\epsilon$, however wrong it is. A classical choice is
# $\epsilon = 1.35\,\hat\sigma$ (95 % of least squares' efficiency when the noise is Gaussian),
# with $\hat\sigma$ a robust estimate of the residuals' spread: 1.4826 times their median
# absolute deviation. $\epsilon$ is in the units of $y$ (here Z, dimensionless).
#
# The fair question is not which plane fits the clean data better (Huber's and least squares'
# are different summaries of the same curved surface) but **how far the nine bad rows move
# each fit**: fit each loss on the clean and on the corrupted data, and compare.

# %%
clean = datasets.load_compressibility_factor()
dirty = datasets.load_compressibility_factor(outliers=True)
key = datasets.compressibility_factor_outliers()  # the answer key: which rows are corrupted
features = ["temperature_k", "pressure_atm"]
X_co2 = StandardScaler().fit_transform(clean[features])

first = LinearRegression().fit(X_co2, dirty["z_factor"])
residuals = first.predict(X_co2) - dirty["z_factor"]  # r = prediction - Z
sigma = 1.4826 * np.median(np.abs(residuals - np.median(residuals)))
epsilon = 1.35 * sigma
print(f"robust spread of the residuals: {sigma:.3f}, so epsilon = {epsilon:.3f}")

losses = {"least squares": {}, f"Huber, epsilon = {epsilon:.2f}": {"loss": "huber",
                                                                   "epsilon": epsilon}}
fits, rows = {}, []
for label, settings in losses.items():
    for version, frame in [("clean", clean), ("corrupted", dirty)]:
        model = GDRegressor("saga", tol="precise", random_state=0, **settings)
        fits[label, version] = model.fit(X_co2, frame["z_factor"])
    on_clean = fits[label, "clean"]
    moved = fits[label, "corrupted"].predict(X_co2) - on_clean.predict(X_co2)
    rows.append({"loss": label, "clean data: intercept": on_clean.intercept_,
                 "temperature": on_clean.coef_[0], "pressure": on_clean.coef_[1],
                 "largest move of a prediction": np.abs(moved).max(),
                 "median move": np.median(np.abs(moved))})
table = pd.DataFrame(rows).set_index("loss")
ratio = table.iloc[0, -2:] / table.iloc[1, -2:]  # least squares' moves / Huber's
print(f"least squares' predictions move {ratio.iloc[0]:.1f}x further than Huber's (largest "
      f"move), {ratio.iloc[1]:.1f}x (median)")
table.round(5)

# %% mystnb={"image": {"alt": "Figure: two panels. Left, the pull of a row on the fit against its residual: a straight line for least squares, clipped at plus and minus epsilon for Huber; the nine corrupted rows sit at residuals between 0.9 and 1.5, where least squares pulls about ten times harder. Right, how far the nine corrupted rows move each of the 2110 predictions, against pressure: least squares moves them down by up to 0.016, more at high pressure, Huber about five times less."}}
fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
r = np.linspace(-0.6, 1.6, 400)
axes[0].plot(r, r, label="least squares: l'(r) = r")
axes[0].plot(r, np.clip(r, -epsilon, epsilon), lw=2.5, label=f"Huber: clip(r, -{epsilon:.2f}, "
             f"{epsilon:.2f})")
bad = residuals[key.index]
axes[0].plot(bad, bad, "o", mfc="none", color="crimson", label="the nine corrupted rows")
axes[0].plot(bad, np.clip(bad, -epsilon, epsilon), "o", mfc="none", color="crimson")
axes[0].set(xlabel="residual r = prediction - Z", ylabel="pull on the fit, l'(r)",
            title="how hard a row pulls, against its residual")
axes[0].legend(fontsize=8)
for label in losses:
    moved = fits[label, "corrupted"].predict(X_co2) - fits[label, "clean"].predict(X_co2)
    axes[1].plot(clean["pressure_atm"], moved, ".", ms=3, label=label)
axes[1].axhline(0.0, color="0.5", lw=0.8)
axes[1].set(xlabel="pressure (atm)", ylabel="prediction on corrupted - on clean data",
            title="how far the nine corrupted rows move each prediction")
axes[1].legend(fontsize=8, markerscale=3);

# %% [markdown]
# The nine bad rows move every least-squares prediction (the mean of Z alone drops by about
# $9 \times 1.2 / 2110 \approx 0.005$), most at high pressure (seven of the nine bad rows are
# above 500 atm, and they tilt the plane). Under the Huber loss each of them pulls with the
# force $\epsilon \approx 0.12$ instead of 0.9 to 1.5, and the predictions move five to six
# times less (the ratios printed above). The residual plot of notebook 1 still finds the nine
# rows under either loss, but the robust fit is much less changed by them. The price: with a
# small $\epsilon$ the Huber plane is another summary of the data than the least-squares plane
# even without errors (compare the coefficients on the clean data in the table), and
# $\epsilon$ is one more setting to choose (exercise 3).
#
# ## Exercises
# Each exercise has a hint, and a solution in the collapsed cell below it.
#
# **Exercise 1 (the elastic net).** Draw the elastic net's path with `l1_ratio=0.5` on the
# same `alphas`, and compare its number of exact zeros with the lasso's at each `alpha`. Check
# one point against scikit-learn's `ElasticNet(alpha, l1_ratio=0.5)`.
#
# <details><summary>Hint</summary>
#
# `path("elasticnet", l1_ratio=0.5)` runs the fits. With $\rho = 0.5$ the L1 part is
# $\alpha\rho$: the threshold is half the lasso's at the same `alpha`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: the elastic net's path with l1_ratio 0.5, the ten coefficients against alpha: they shrink smoothly and reach exactly zero later than the lasso's: eight of the ten at the largest alpha."}}
net = path("elasticnet", l1_ratio=0.5)
fig, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
for j in range(d):
    ax.plot(alphas, net[:, j], color=colors[j], label=names[j])
ax.axhline(0.0, color="0.5", lw=0.8)
ax.set(xscale="log", xlabel="alpha (log scale)", ylabel="coefficient",
       title="elastic-net path, l1_ratio = 0.5")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
print("exact zeros, elastic net:", (net == 0).sum(axis=1))
print("exact zeros, lasso:      ", (paths["lasso"] == 0).sum(axis=1))
k = 8
sk = ElasticNet(alpha=alphas[k], l1_ratio=0.5, tol=1e-12).fit(X, y).coef_
print(f"alpha = {alphas[k]:.2f}: distance to ElasticNet "
      f"{np.linalg.norm(net[k] - sk) / np.linalg.norm(sk):.1e}")
# The elastic net removes features later than the lasso (half the threshold) and fewer of
# them (two of ten at alpha = 19.95, where the lasso removes seven): its L2 part shrinks the
# coefficients of correlated features together instead of keeping one of them.

# %% [markdown]
# **Exercise 2 (choosing `alpha`).** Choose the lasso's `alpha` by 5-fold cross-validation with
# `GridSearchCV` over `GDRegressor(method="saga", penalty="l1")`, and compare with
# scikit-learn's `LassoCV` on the same grid and folds.
#
# <details><summary>Hint</summary>
#
# Pass the same `KFold(5, shuffle=True, random_state=0)` as `cv` to both. `GridSearchCV` scores
# with $R^2$, `LassoCV` with the mean squared error: both pick the best `alpha` on each fold's
# held-out rows.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
folds = KFold(5, shuffle=True, random_state=0)
grid = GridSearchCV(GDRegressor("saga", penalty="l1", tol="precise", random_state=0),
                    {"alpha": alphas[:10]}, cv=folds).fit(X, y)
lasso_cv = LassoCV(alphas=alphas[:10], cv=folds, tol=1e-10, max_iter=100_000).fit(X, y)
print(f"GridSearchCV with GDRegressor: alpha = {grid.best_params_['alpha']:.3f}")
print(f"LassoCV:                       alpha = {lasso_cv.alpha_:.3f}")
print("features the chosen lasso drops:",
      [names[j] for j in np.flatnonzero(grid.best_estimator_.coef_ == 0)])
# The same problem on the same folds: the same choice. Cross-validation keeps a fairly small
# alpha here; with ten features and 442 rows the penalty mostly removes noise.

# %% [markdown]
# **Exercise 3 (Huber's `epsilon`).** For $\epsilon$ from 0.01 to 3, fit the Huber loss on the
# clean and on the corrupted CO2 data and draw how far the nine rows move the predictions
# (the largest move) against $\epsilon$, with least squares' for reference. What happens for
# large $\epsilon$, and why?
#
# <details><summary>Hint</summary>
#
# Reuse the loop of section 5 with `{"loss": "huber", "epsilon": e}`. Once $\epsilon$ is
# larger than every residual, no row is clipped.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true} mystnb={"image": {"alt": "Figure: the largest move of a prediction caused by the nine corrupted rows, against epsilon on log scales: small and nearly flat for small epsilon, rising steeply once epsilon passes about 0.3, and equal to least squares' above about 1.3."}}
epsilons = np.logspace(-2, 0.5, 9)
largest = []
for e in epsilons:
    pair = [GDRegressor("saga", loss="huber", epsilon=e, tol="precise", random_state=0)
            .fit(X_co2, frame["z_factor"]).predict(X_co2) for frame in (clean, dirty)]
    largest.append(np.abs(pair[1] - pair[0]).max())
ls_move = np.abs(fits["least squares", "corrupted"].predict(X_co2)
                 - fits["least squares", "clean"].predict(X_co2)).max()
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
ax.loglog(epsilons, largest, "o-", label="Huber")
ax.axhline(ls_move, color="0.3", ls="--", label="least squares")
ax.axvline(epsilon, color="0.6", ls=":", label="1.35 sigma (section 5)")
ax.set(xlabel="epsilon", ylabel="largest move of a prediction",
       title="how far nine bad rows move the Huber fit, against epsilon")
ax.legend(fontsize=8)
# Up to about the size of the ordinary residuals the bad rows pull with the small force epsilon;
# beyond, the pull grows with epsilon, and once epsilon exceeds the bad rows' residuals (about
# 1.2) nothing is clipped and the Huber fit is the least-squares fit.

# %% [markdown]
# **Exercise 4 (weights instead of a robust loss).** If you know which rows are wrong, you can
# give them the weight 0 (`fit(..., sample_weight=w)`). Do that with least squares on the
# corrupted data, using the answer key `key.index`, and compare with the fit on the clean data.
# Why is this not a substitute for a robust loss?
#
# <details><summary>Hint</summary>
#
# `w = np.ones(len(dirty)); w[key.index] = 0`. Compare the coefficients with those of
# `LinearRegression` fitted on the 2101 good rows only.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
w = np.ones(len(dirty))
w[key.index] = 0.0
weighted = GDRegressor("saga", tol="precise", random_state=0).fit(X_co2, dirty["z_factor"],
                                                                   sample_weight=w)
good = w > 0
without = LinearRegression().fit(X_co2[good], dirty["z_factor"][good])
print("weights 0 on the nine rows:", weighted.intercept_, weighted.coef_)
print("the 2101 good rows alone:  ", without.intercept_, without.coef_)
# A weight of 0 removes a row exactly: the fit is that of the good rows (not quite that of the
# clean data, which has the nine rows with their correct values). It needs the answer key;
# a robust loss needs none, which is what makes it useful on data nobody has checked.

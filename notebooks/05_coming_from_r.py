# %% [markdown]
# # 5. Coming from R: gradDescent 3.0 and `graddescent`
#
# **Learning goals.** After this notebook you can
#
# * translate an R script that uses gradDescent 3.0 into Python, function by function;
# * reproduce R's own numbers, random draws included, with `graddescent.r_replay`, and put the
#   papers' algorithms beside them;
# * name every place where R gradDescent 3.0 computes something other than the published
#   algorithm, show it on a small example, and say what `graddescent` does instead.
#
# Two modes, on purpose. The main API (`graddescent.GD`, ..., `learn`, `predict`) keeps R's names,
# arguments and defaults, but each algorithm is the one its paper defines. `graddescent.r_replay`
# is the one place that reproduces what R 3.0 computes, step for step and draw for draw, bugs
# included: use it to check migrated course material against R, not to fit models.

# %% tags=["quiet"]
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import graddescent as gd
from graddescent import datasets, r_replay
from graddescent.r_replay import RRandom

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures


# %% [markdown]
# ## 1. Function by function
# | R gradDescent 3.0 | `graddescent` | notes |
# | --- | --- | --- |
# | `library(gradDescent)` | `import graddescent as gd` |  |
# | `data(gradDescentRData)` | `gd.datasets.load_compressibility_factor()`, `load_mackey_glass()`, `load_diabetes()` | our own copies (see `help(gd.datasets)`); the gas furnace data: `load_csv` |
# | `splitData(ds, 0.8, seed)` | `gd.split_data(ds, 0.8, seed=...)` | NumPy's generator; R's exact rows: `r_replay.split_data` |
# | `varianceScaling(ds)` | `gd.variance_scaling(ds)` | `$scaledDataSet`, `$scalingParameter` become `.scaled_data_set`, `.scaling_parameter` |
# | `varianceDescaling(ds, p)` | `gd.variance_descaling(ds, p)` |  |
# | `minmaxScaling(ds)`, `minmaxDescaling(ds, p)` | `gd.minmax_scaling(ds)`, `gd.minmax_descaling(ds, p)` |  |
# | `GD(dataTrain, alpha, maxIter, seed)` and the other 13 learners | `gd.GD(data_train, alpha=..., max_iter=..., seed=...)` | arguments in snake case (table below) |
# | `prediction(model, dataTestInput)` | `gd.prediction(theta, data_test_input)` |  |
# | `RMSE(outputData, prediction)` | `gd.rmse(output_data, prediction)` |  |
# | `gradDescentR.learn(ds, featureScaling, scalingMethod, learningMethod, control, seed)` | `gd.learn(ds, feature_scaling=..., scaling_method=..., learning_method=..., control={...}, seed=...)` | `control` keys in snake case: `max_iter`, `n_batch`, `inner_iter`, `gamma_s`, ... |
# | `predict(model, newdata)` | `gd.predict(model, new_data)` | `new_data` with or without the output column |
#
# The fourteen learners, their R signatures and the Python calls, generated from the package's
# method table (`gd.METHODS`), so this table cannot drift from the code:

# %%
def r_spelling(name):
    # snake_case -> R's camelCase (max_iter -> maxIter, gamma_s -> gammaS)
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def r_value(value):
    return "NULL" if value is None else repr(value)


rows = []
for method in gd.METHODS.values():
    if method.r_name is None:
        continue
    args = method.r_args
    rows.append({
        "R": f"{method.r_name}(dataTrain, "
             + ", ".join(f"{r_spelling(k)}={r_value(v)}" for k, v in args.items()) + ")",
        "Python": f"gd.{method.r_name}(data_train, "
                  + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")",
        "algorithm": method.summary,
    })
with pd.option_context("display.max_colwidth", None):
    display(pd.DataFrame(rows))

# %% [markdown]
# ## 2. A whole script, side by side
# <table>
# <tr><th>R</th><th>Python</th></tr>
# <tr><td>
#
# ```r
# library(gradDescent)
# data(gradDescentRData)
# ds <- gradDescentRData$CompressilbilityFactor.dt
# split <- splitData(ds, dataTrainRate = 0.8, seed = 1)
# model <- gradDescentR.learn(
#   split$dataTrain, learningMethod = "SVRG",
#   control = list(maxIter = 100, innerIter = 10),
#   seed = 1)
# pred <- predict(model, split$dataTest)
# RMSE(split$dataTest[, 3], pred[, 3])
# ```
#
# </td><td>
#
# ```python
# import graddescent as gd
#
# ds = gd.datasets.load_compressibility_factor()
# train, test = gd.split_data(ds, 0.8, seed=1)
# model = gd.learn(
#     train, learning_method="SVRG",
#     control={"max_iter": 100, "inner_iter": 10},
#     seed=1)
# pred = gd.predict(model, test)
# gd.rmse(test.iloc[:, 2], pred["prediction"])
# ```
#
# </td></tr>
# </table>
#
# The Python column, run (on our copy of the data: R's copy has nine typing errors, see
# notebook 1, and values from a different source):

# %%
ds = datasets.load_compressibility_factor()
train, test = gd.split_data(ds, 0.8, seed=1)
model = gd.learn(train, learning_method="SVRG", control={"max_iter": 100, "inner_iter": 10},
                 seed=1)
pred = gd.predict(model, test)
print(f"test RMSE: {gd.rmse(test.iloc[:, 2], pred['prediction']):.5f}")

# %% [markdown]
# ## 3. R's numbers, reproduced
# R's random numbers come from its Mersenne-Twister generator with its own seeding and its own
# way of turning random words into indices. `r_replay.RRandom` reproduces them draw for draw. In
# R 4.x:
#
# ```r
# > set.seed(1); runif(5)
# [1] 0.2655087 0.3721239 0.5728534 0.9082078 0.2016819
# > set.seed(1); sample(10)
#  [1]  9  4  7  1  2  5  3 10  6  8
# ```

# %%
print("RRandom(1).runif(5):", np.round(RRandom(1).runif(5), 7))
print("RRandom(1).sample(10):", RRandom(1).sample(10))

# %% [markdown]
# On top of that generator, `r_replay` reproduces R's `splitData`, its scalings, every learner
# (R's row shuffle, its starting point $\theta_0 \sim U(0,1)$, its row lists, its update order and
# every deviation of section 4) and `predict`. The project's test suite checks the replay
# against results computed by R 4.2.2 with gradDescent 3.0 on R's own data sets, to about
# $10^{-12}$ (`tests/r_replay/test_r_replay.py`).
#
# **R's algorithm next to the paper's.** The same rows (R's split of our data, seed 1), each of
# the 14 learners as R 3.0 computes it (replayed) and as its paper defines it (the main API),
# with R's defaults and `maxIter = 1000`. Draws that R makes after clearing its seed (SAGD's
# coin, SVRG's and SARAH's picks) cannot be reproduced from R; the replay takes them from a
# seeded stream of its own (`unseeded_rng`).

# %%
split = r_replay.split_data(ds, 0.8, seed=1)  # R's rows: splitData(ds, 0.8, 1)
train_r, test_r = split.data_train, split.data_test
print("R's first training rows (1-based, as R numbers them):",
      (train_r.index[:6] + 1).tolist())
scaled = gd.variance_scaling(train_r).scaled_data_set
ols = np.linalg.lstsq(np.column_stack([np.ones(len(scaled)), scaled.iloc[:, :-1]]),
                      scaled.iloc[:, -1], rcond=None)[0]  # least squares, in scaled units
raw = np.linalg.lstsq(np.column_stack([np.ones(len(train_r)), train_r.iloc[:, :-1]]),
                      train_r.iloc[:, -1], rcond=None)[0]  # the same fit, in original units
ols_rmse = gd.rmse(test_r.iloc[:, -1], raw[0] + test_r.iloc[:, :-1].to_numpy() @ raw[1:])

rows = []
for name in r_replay.LEARNERS:
    replayed = r_replay.learn(train_r, learning_method=name, control={"maxIter": 1000}, seed=1,
                              unseeded_rng=RRandom(2024))
    ours = gd.learn(train_r, learning_method=name, control={"max_iter": 1000}, seed=1)
    rows.append({
        "learner": name,
        "R 3.0 (replayed)": gd.rmse(test_r.iloc[:, -1], r_replay.predict(replayed, test_r)
                                    .iloc[:, -1]) / ols_rmse,
        "paper (graddescent)": gd.rmse(test_r.iloc[:, -1], gd.predict(ours, test_r)
                                       ["prediction"]) / ols_rmse,
        "theta, R 3.0": np.round(replayed.model, 4),
        "theta, paper": np.round(ours.model, 4),
    })
table = pd.DataFrame(rows)
print(f"least-squares theta: {np.round(ols, 4)}, test RMSE {ols_rmse:.5f}")
table.round(4)

# %% mystnb={"image": {"alt": "Figure: R 3.0 and the papers on the same split of the CO2 data."}}
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
positions = np.arange(len(table))
ax.plot(table["R 3.0 (replayed)"], positions, "o", ms=8, mfc="none", label="R 3.0 (replayed)")
ax.plot(table["paper (graddescent)"], positions, "x", ms=8, label="the paper's algorithm")
ax.axvline(1.0, color="crimson", ls="--", lw=1, label="least squares")
ax.set_yticks(positions, table["learner"])
ax.invert_yaxis()
ax.set_xlabel("test RMSE / least-squares test RMSE (same rows)")
ax.set_ylabel("learner, R's defaults, maxIter = 1000")
ax.set_title("R 3.0 and the papers on the same split of the CO2 data")
ax.legend(fontsize=8, loc="lower right");

# %% [markdown]
# On this easy, well-scaled problem most of R's deviations hardly change the test error: the
# full-gradient and variance-reduced learners reach least squares either way. The single-row
# learners differ, partly by chance (different rows are drawn; a ratio below 1 can happen, when
# stopping early acts as a regulariser on these test rows) and partly by design: R's SGD draws
# rows with replacement, R's ADAGRAD, RMSPROP and ADAM share one step size between all
# coefficients. Our SAGD, the real SAG, is behind here: 1000 single-row steps are 0.6 passes, and
# its memory of row gradients is not even full yet (SAG pays off over several passes, see
# notebook 4). The next section isolates each deviation on a small problem where it shows.
#
# ## 4. Where R gradDescent 3.0 computes something else
# A small problem for the examples: 40 rows, 2 inputs, variance-scaled (`toy`), with its exact
# least-squares solution, and R's and our starting points (a learner run with zero steps).

# %%
toy = gd.variance_scaling(datasets.make_ill_conditioned(40, 2, condition_number=10,
                                                         noise=0.3, seed=1)).scaled_data_set
A_toy = np.column_stack([np.ones(len(toy)), toy.iloc[:, :-1]])
y_toy = toy.iloc[:, -1].to_numpy()
best = np.linalg.lstsq(A_toy, y_toy, rcond=None)[0]


def gap(theta):
    # f(theta) - f(least squares) on the toy problem
    return 0.5 * np.mean((A_toy @ theta - y_toy) ** 2) - 0.5 * np.mean((A_toy @ best - y_toy) ** 2)


r_start = r_replay.GD(toy, alpha=0.0, max_iter=1, seed=1)  # R's theta0 for seed 1
our_start = gd.GD(toy, max_iter=0, seed=1)  # ours: max_iter = 0 returns theta0
print("R's theta0:", np.round(r_start, 4), "  ours:", np.round(our_start, 4))

# %% [markdown]
# ### 4.1 ADAGRAD, RMSPROP, ADAM (and ADADELTA) share one state between all coefficients
# The papers keep one accumulator **per coefficient**, so every coefficient gets its own step
# size: that is the whole point of these methods. R keeps one scalar for all of them and updates
# it coefficient by coefficient inside a step. Its first ADAGRAD step, for instance, divides the
# intercept's gradient by $|g_1|$, the first slope's by $\sqrt{g_1^2 + g_2^2}$, the second's by
# $\sqrt{g_1^2 + g_2^2 + g_3^2}$: the step a coefficient gets depends on which columns come before
# it. One step of each, from each one's own starting point; the move of every coefficient in
# units of $\alpha = 0.1$:

# %%
moves = {}
for name in ["ADAGRAD", "RMSPROP", "ADAM"]:
    r_move = np.abs(getattr(r_replay, name)(toy, max_iter=1, seed=1) - r_start) / 0.1
    our_move = np.abs(getattr(gd, name)(toy, max_iter=1, seed=1) - our_start) / 0.1
    moves[f"{name}, R 3.0"] = r_move
    moves[f"{name}, paper"] = our_move
pd.DataFrame(moves, index=["intercept", "x1", "x2"]).T.round(4)

# %% [markdown]
# In the papers' versions every coefficient moves by the same amount on the first step (exactly
# $\alpha$ for Adagrad and Adam; $\alpha/\sqrt{1-\rho} = 3.16\,\alpha$ for RMSprop, whose average
# starts at zero). In R's, only the intercept does; the others move less, by amounts that depend
# on the order of the columns. (R's ADAGRAD also has no $\epsilon$: a zero gradient component as
# its first one divides by zero.) `graddescent` keeps a state per coefficient; reorder the
# columns and its result is reordered, nothing else.
#
# R's **ADADELTA** shares its accumulators too, and in addition its first coefficient never moves
# on the first step (the RMS of past updates starts at zero):

# %%
print("ADADELTA, one step, R 3.0:", np.round(r_replay.ADADELTA(toy, max_iter=1, seed=1)
                                             - r_start, 6))
print("ADADELTA, one step, paper:", np.round(gd.ADADELTA(toy, max_iter=1, seed=1)
                                             - our_start, 6))

# %% [markdown]
# ### 4.2 ADAM's bias correction divides by constants
# Adam divides its averages by $1 - \beta_1^t$ and $1 - \beta_2^t$, which removes the bias of
# averages that start at zero. R divides by the constants $1 - \beta_1 = 0.1$ and
# $1 - \beta_2 = 0.001$ (its line is `alpha * (m / 0.1) / (sqrt(v / 0.001) + 1e-7)`). For one
# coefficient with a constant gradient $g$, $m_t = (1 - 0.9^t)\,g$ and $v_t = (1 - 0.999^t)\,g^2$,
# so the paper's step is exactly $\alpha$ at every step while R's is
# $\alpha\,\frac{(1 - 0.9^t)/0.1}{\sqrt{(1 - 0.999^t)/0.001}}$:

# %%
t = np.array([1, 2, 5, 10, 30, 100, 300, 1000, 3000])
r_factor = ((1 - 0.9 ** t) / 0.1) / np.sqrt((1 - 0.999 ** t) / 0.001)  # R's line, g = 1
adam = gd.rules.adam(1.0)
w, state, paper = np.zeros(1), adam.init_state(1), []
for step in range(1, t[-1] + 1):  # the library's rule on a constant gradient of 1
    before = w[0]
    adam.step(w, np.array([1.0]), state, step)
    paper.append(before - w[0])
pd.DataFrame({"step t": t, "R 3.0: step / alpha": r_factor.round(3),
              "paper: step / alpha": np.array(paper)[t - 1].round(3)}).set_index("step t").T

# %% [markdown]
# R's steps start right, grow to about twice the paper's around step 10 to 20, and then shrink
# towards $\alpha\sqrt{0.001}/0.1 \approx 0.32\,\alpha$: after a few hundred steps R's ADAM
# moves about three times more slowly than the published algorithm, whatever $\alpha$ says.
#
# ### 4.3 AGD applies the momentum term twice
# R's "accelerated" gradient first moves by $-\beta u$, then takes MGD's step at that point, which
# again adds $\beta u$: the momentum counts twice per iteration. That is neither of Nesterov's
# forms. We compare R's AGD with R's MGD (the same starting point) and our AGD (Nesterov, in
# Sutskever's form) with our MGD, at R's defaults ($\alpha = 0.1$, $\beta = 0.9$):

# %% mystnb={"image": {"alt": "Figure: R's AGD against heavy ball and Nesterov (alpha = 0.1, momentum = 0.9)."}}
iterations = np.arange(1, 61)
curves = {
    "R 3.0 MGD (heavy ball)": [gap(r_replay.MGD(toy, max_iter=k, seed=1)) for k in iterations],
    "R 3.0 AGD (momentum twice)": [gap(r_replay.AGD(toy, max_iter=k, seed=1))
                                   for k in iterations],
    "graddescent MGD (heavy ball)": [gap(gd.MGD(toy, max_iter=k, seed=1)) for k in iterations],
    "graddescent AGD (Nesterov)": [gap(gd.AGD(toy, max_iter=k, seed=1)) for k in iterations],
}
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
for (label, values), style in zip(curves.items(), ["-", "-", "--", "--"], strict=True):
    ax.semilogy(iterations, values, style, label=label)
ax.set_xlabel("iterations (maxIter)")
ax.set_ylabel("f - f* on the toy problem")
ax.set_title("R's AGD against heavy ball and Nesterov (alpha = 0.1, momentum = 0.9)")
ax.legend(fontsize=8);

# %% [markdown]
# Nesterov's look-ahead damps the heavy ball's oscillation. R's AGD, with the momentum counted
# twice, behaves like a heavy ball: the same oscillating envelope, none of the look-ahead's
# damping.
#
# ### 4.4 SAGD is not SAG
# R's SAGD is SGD that skips each step on a coin flip, and that coin is drawn after R has cleared
# its seed, so two runs with the same seed differ. Real SAG (Le Roux, Schmidt, Bach 2012)
# remembers every row's last gradient. The replay takes R's clock-seeded draws from
# `unseeded_rng`; we give it two different streams, as two R sessions would:

# %%
run1 = r_replay.SAGD(toy, max_iter=50, seed=1, unseeded_rng=RRandom(1))
run2 = r_replay.SAGD(toy, max_iter=50, seed=1, unseeded_rng=RRandom(2))
print("R 3.0 SAGD, seed = 1, two sessions:", np.round(run1, 4), np.round(run2, 4))
print("graddescent SAGD (SAG), seed = 1, twice:",
      np.array_equal(gd.SAGD(toy, max_iter=50, seed=1), gd.SAGD(toy, max_iter=50, seed=1)))

# %% [markdown]
# ### 4.5 SSGD's correction has the wrong sign; SVRG reuses its rows
# S2GD steps along $\mu + \nabla f_i(y) - \nabla f_i(x)$ (the full gradient at the snapshot,
# corrected by the row's change). R's SSGD uses $\mu - \nabla f_i(y) + \nabla f_i(x)$, which adds
# the row's noise twice instead of cancelling it. R's SVRG draws its list of `innerIter` rows once
# and reuses it in every outer loop, and its option 1 returns the next-to-last inner iterate
# $w_{m-1}$ instead of $w_m$. The gap after 5, 20 and 50 outer loops, at R's defaults:

# %%
rows = []
for k in [5, 20, 50]:
    rows.append({"outer loops": k,
                 "SSGD, R 3.0": gap(r_replay.SSGD(toy, max_iter=k, seed=1)),
                 "SSGD (S2GD), paper": gap(gd.SSGD(toy, max_iter=k, seed=1)),
                 "SVRG option 1, R 3.0": gap(r_replay.SVRG(toy, max_iter=k, option=1, seed=1)),
                 "SVRG option 1, paper": gap(gd.SVRG(toy, max_iter=k, option=1, seed=1))})
with pd.option_context("display.float_format", "{:.1e}".format):
    display(pd.DataFrame(rows).set_index("outer loops"))

# %% [markdown]
# Both of R's versions still converge on this small problem (the full gradient at each snapshot
# pulls them back), but more slowly. With `innerIter = 1`, R's SVRG option 1 returns $w_0$ and
# never moves (exercise 2). R's SSGD also fails outright where its law of the inner-loop length
# is undefined, for `innerIter = 1` with `lamda != 0` and for `lamda * alpha = 1`; the paper's
# law is defined for `inner_iter = 1`, and `graddescent` explains the second case:

# %%
for settings in [{"lamda": 0.5, "inner_iter": 1}, {"lamda": 10.0, "alpha": 0.1}]:
    try:
        print(f"R 3.0 SSGD {settings}:", r_replay.SSGD(toy, max_iter=3, seed=1, **settings))
    except r_replay.RError as error:
        print(f"R 3.0 SSGD {settings}: error: {error}")
    try:
        print(f"graddescent SSGD {settings}:",
              np.round(gd.SSGD(toy, max_iter=3, seed=1, **settings), 4))
    except ValueError as error:
        print(f"graddescent SSGD {settings}: ValueError: {error}")

# %% [markdown]
# ### 4.6 SARAH and SARAHPlus
# R's SARAH picks its output among $w_0, w_2, \dots, w_m$: $w_1$, the full-gradient step, is never
# offered. R's SARAHPlus stops its inner loop by looking at the **intercept's** component of
# $v_t$ only, and with `gammaS = 1` it never moves at all; the paper's SARAH+ with $\gamma = 1$ is
# gradient descent (one full-gradient step per outer loop):

# %%
print("SARAHPlus, gamma_s = 1, 50 outer loops, R 3.0: moved by",
      np.abs(r_replay.SARAHPlus(toy, gamma_s=1.0, max_iter=50, seed=1) - r_start).max())
print("SARAHPlus, gamma_s = 1, 50 outer loops, paper: gap",
      f"{gap(gd.SARAHPlus(toy, gamma_s=1.0, max_iter=50, seed=1)):.2e} "
      f"(from {gap(our_start):.2f})")

# %% [markdown]
# ### 4.7 MBGD drops rows and refuses one-row batches
# R's MBGD cuts the once-shuffled rows into `nBatch` fixed blocks of $n / \text{nBatch}$ rows
# (rounded down where that is not whole), so some rows are never used, and a block of one row is
# an error. Which row of 10 does it drop with `nBatch = 3`? Change each row's output by 100 in turn
# and see which change leaves R's result untouched:

# %%
ten = toy.iloc[:10].reset_index(drop=True)
reference = r_replay.MBGD(ten, n_batch=3, max_iter=30, seed=1)
never_used = []
for row in range(len(ten)):
    changed = ten.copy()
    changed.iloc[row, -1] += 100.0
    if np.array_equal(r_replay.MBGD(changed, n_batch=3, max_iter=30, seed=1), reference):
        never_used.append(row)
print("rows R's MBGD never reads (0-based):", never_used)
try:
    r_replay.MBGD(ten, n_batch=10, max_iter=3, seed=1)
except r_replay.RError as error:
    print("R 3.0, n_batch = 10 on 10 rows:", error)
print("graddescent, n_batch = 10 on 10 rows:", np.round(gd.MBGD(ten, n_batch=10, max_iter=3,
                                                                seed=1), 4))

# %% [markdown]
# `graddescent` uses every row in every epoch (batches of $\lceil n / \text{n\_batch} \rceil$
# rows) in a fresh random order every second epoch and its reverse in between (the flip-flop
# order of Rajput, Lee and Papailiopoulos 2022; see "Stochastic and mini-batch gradient descent"
# in the documentation).
#
# ### 4.8 SGD draws rows with replacement
# R's SGD draws its `maxIter` rows with replacement, so "one pass" of $n$ draws misses about
# $1/e \approx 37\,\%$ of the rows and uses others twice. `graddescent` goes through a fresh
# permutation in every epoch (random reshuffling, scikit-learn's convention). R's kind of draw,
# with R's generator:

# %%
draws = RRandom(1).sample(1000, 1000, replace=True)  # sample(1000, 1000, replace = TRUE)
print(f"1000 draws with replacement from 1000 rows reach {np.unique(draws).size} distinct "
      f"rows; a permutation reaches all 1000")

# %% [markdown]
# ### 4.9 Small things with large effects
# * `maxIter = 0` runs two iterations in R (its loop `1:maxIter` is `1:0`, the two values 1 and 0);
#   in `graddescent` it returns $\theta_0$.
# * A learning rate that makes R diverge returns `NaN` without a word; `graddescent` raises
#   `DivergenceError` with advice.
# * R's `predict` silently drops the last column of `newdata`, whatever it is; `graddescent`'s
#   `predict` takes the inputs with or without the output column and checks the count.
# * A constant column makes R's variance scaling divide by zero and every coefficient `NaN`;
#   `graddescent` says which column is constant.
# * Kept on purpose: variance scaling with the $n - 1$ standard deviation, as R.

# %%
print("maxIter = 0, R 3.0 moved by:", np.round(r_replay.GD(toy, max_iter=0, seed=1) - r_start, 4))
print("max_iter = 0, graddescent:", np.array_equal(gd.GD(toy, max_iter=0, seed=1), our_start))

with np.errstate(all="ignore"), warnings.catch_warnings():
    warnings.simplefilter("ignore")  # R prints nothing either
    print("R 3.0 GD on unscaled data, alpha = 0.1:", r_replay.GD(ds, alpha=0.1, max_iter=100,
                                                                seed=1))
try:
    gd.GD(ds, alpha=0.1, max_iter=100, seed=1)
except gd.DivergenceError as error:
    print("graddescent:", error)

inputs_only = test.iloc[:, :-1]
print("graddescent predict without the output column:",
      np.round(gd.predict(model, inputs_only)["prediction"].to_numpy()[:3], 4))
try:
    r_replay.predict(r_replay.learn(train, learning_method="GD"), inputs_only)
except ValueError as error:
    print("R 3.0 predict without the output column:", error)

flat = toy.assign(constant=1.0)[["constant", *toy.columns]]  # a constant first input
with np.errstate(all="ignore"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    print("R 3.0 learn with a constant column:", r_replay.learn(flat, seed=1).model)
try:
    gd.learn(flat, seed=1)
except ValueError as error:
    print("graddescent:", error)

sd = gd.variance_scaling(ds).scaling_parameter.loc["sd"]
print("the sd of variance scaling is pandas' std(ddof=1):", np.allclose(sd, ds.std(ddof=1)))

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (translate a script).** Translate this R script twice: once with `r_replay` (to
# get R's numbers) and once with the main API (the papers' algorithms). Use our Mackey-Glass data
# (`datasets.load_mackey_glass()`, output in column 5).
#
# ```r
# split <- splitData(gradDescentRData$MackeyGlass1000.dt, 0.75, seed = 3)
# model <- gradDescentR.learn(split$dataTrain, learningMethod = "MGD",
#                             control = list(alpha = 0.05, maxIter = 500, momentum = 0.8),
#                             seed = 3)
# RMSE(split$dataTest[, 5], predict(model, split$dataTest)[, 5])
# ```
#
# <details><summary>Hint</summary>
#
# `r_replay.split_data`, `r_replay.learn` (control keys as in R, e.g. `"maxIter"`) and
# `r_replay.predict` mirror R exactly; `gd.split_data`, `gd.learn` (`"max_iter"`) and
# `gd.predict` are the main API. R's column 5 is `.iloc[:, 4]`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
mg = datasets.load_mackey_glass()
r_split = r_replay.split_data(mg, 0.75, seed=3)
r_model = r_replay.learn(r_split.data_train, learning_method="MGD",
                         control={"alpha": 0.05, "maxIter": 500, "momentum": 0.8}, seed=3)
print("R 3.0 (replayed):", gd.rmse(r_split.data_test.iloc[:, 4],
                                   r_replay.predict(r_model, r_split.data_test).iloc[:, 4]))
mg_train, mg_test = gd.split_data(mg, 0.75, seed=3)
our_model = gd.learn(mg_train, learning_method="MGD",
                     control={"alpha": 0.05, "max_iter": 500, "momentum": 0.8}, seed=3)
print("graddescent:     ", gd.rmse(mg_test.iloc[:, 4],
                                   gd.predict(our_model, mg_test)["prediction"]))
# MGD is one of the learners where R computes the published algorithm (heavy ball): the two
# differ only through the split and the starting point (R's generator against NumPy's).

# %% [markdown]
# **Exercise 2 (R's SVRG with `innerIter = 1`).** Show that R's SVRG with option 1 and
# `inner_iter=1` returns its starting point whatever `max_iter` is, while the paper's SVRG
# converges. Why?
#
# <details><summary>Hint</summary>
#
# R keeps the list $[\tilde w, w_1, \dots, w_m]$ and option 1 returns entry number `innerIter`
# (counting from 1). Compare with `r_start`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for k in [1, 10, 100]:
    r_theta = r_replay.SVRG(toy, inner_iter=1, option=1, max_iter=k, seed=1)
    ours = gd.SVRG(toy, inner_iter=1, option=1, max_iter=k, seed=1)
    print(f"max_iter = {k:3d}: R 3.0 moved {np.abs(r_theta - r_start).max():.1e}, "
          f"paper gap {gap(ours):.1e}")
# With one inner step the list is [w~, w_1]; entry number innerIter = 1 is w~ itself, so every
# outer loop ends where it started. The paper's option 1 keeps w_m = w_1.

# %% [markdown]
# **Exercise 3 (column order).** Reverse the input columns of `toy` (keep the output last) and
# take one ADAGRAD step with the replay and with the main API. Which coefficient gets the full
# step $\alpha$ in R now? And in `graddescent`?
#
# <details><summary>Hint</summary>
#
# `toy.iloc[:, [1, 0, 2]]` reverses the two inputs. Compute the moves as in section 4.1, with the
# starting points of the reordered data (`r_replay.GD(..., alpha=0.0, max_iter=1, seed=1)` and
# `gd.GD(..., max_iter=0, seed=1)`).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
flipped = toy.iloc[:, [1, 0, 2]]
r0 = r_replay.GD(flipped, alpha=0.0, max_iter=1, seed=1)
o0 = gd.GD(flipped, max_iter=0, seed=1)
print("columns (intercept, x2, x1)")
print("R 3.0 moves / alpha:", np.round(np.abs(r_replay.ADAGRAD(flipped, max_iter=1, seed=1)
                                              - r0) / 0.1, 4))
print("paper moves / alpha:", np.round(np.abs(gd.ADAGRAD(flipped, max_iter=1, seed=1)
                                              - o0) / 0.1, 4))
# R: the intercept always gets the full step and the inputs get what is left, in column order;
# the paper's Adagrad moves every coefficient by alpha on its first step, in any order.

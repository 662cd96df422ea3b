# %% [markdown]
# # 1. Quick start: the R workflow in Python
#
# **Learning goals.** After this notebook you can
#
# * run the workflow of the R package *gradDescent* (split, scale, learn, predict, RMSE) with
#   `graddescent`, and say what each step does;
# * explain why the data are scaled before gradient descent, and recognise the error you get
#   when they are not;
# * fit the same model with `GDRegressor` inside a scikit-learn pipeline;
# * run `graddescent compare` and read its report;
# * see how a handful of bad values pulls a least-squares fit.
#
# The model is a straight line through the data (a plane, here, with two inputs):
# $\hat y = b + w_1 x_1 + w_2 x_2$. Every method in the package looks for the intercept $b$ and
# the slopes $w$ that minimise half the mean squared error,
#
# $$f(b, w) = \frac{1}{2n}\sum_{i=1}^{n} \bigl(b + x_i \cdot w - y_i\bigr)^2 .$$
#
# Gradient descent starts somewhere and walks downhill: $\theta \leftarrow \theta - \alpha\,
# \nabla f(\theta)$ with $\theta = (b, w)$ and a step size (learning rate) $\alpha$. The first run
# of a notebook compiles the package's numba kernels (about 10 to 30 seconds, once per machine).

# %% tags=["quiet"]
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, display
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import graddescent as gd
from graddescent import datasets, plotting

plt.rcParams.update({"figure.dpi": 96, "axes.titlesize": 10})  # the notebook stores its figures

# %% [markdown]
# ## 1. The data: how far CO2 is from an ideal gas
# The compressibility factor $Z = PV / (nRT)$ is 1 for an ideal gas. For carbon dioxide it
# drops below 1 at moderate pressure (the molecules attract each other) and rises above 1 at high
# pressure (they get in each other's way). The data set has Z on a grid of 101 temperatures and
# 21 pressures, the grid of Kennedy's 1954 measurements that R's `gradDescentRData` uses; the
# values come from a reference equation of state (see `help(datasets)`). As in R, **the output
# is the last column**.

# %%
data = datasets.load_compressibility_factor()
print(data.shape)
data.head()

# %% mystnb={"image": {"alt": "Figure: CO2: Z against pressure, one line per temperature."}}
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for temperature in [273.1, 373.1, 573.1, 873.1, 1273.1]:
    rows = data[np.isclose(data["temperature_k"], temperature)]
    ax.plot(rows["pressure_atm"], rows["z_factor"], "o-", ms=3, label=f"{temperature:.0f} K")
ax.axhline(1.0, color="0.5", ls=":", label="ideal gas (Z = 1)")
ax.set_xlabel("pressure (atm)")
ax.set_ylabel("compressibility factor Z")
ax.set_title("CO2: Z against pressure, one line per temperature")
ax.legend(title="temperature", fontsize=8);

# %% [markdown]
# The curves are not straight, so a plane $b + w_1 T + w_2 P$ can only be a rough summary. That
# is fine for us: the question of this notebook is how gradient descent *finds* the best plane,
# and we can check its answer against the exact least-squares solution.
#
# ## 2. Split the rows
# `split_data` puts 80 % of the rows, drawn at random, into a training set, and the rest into a
# test set, like R's `splitData(data, 0.8, seed = 1)`. (R's random numbers are not NumPy's, so
# the rows differ from R's; notebook 5 shows how to get R's exact rows.)

# %%
train, test = gd.split_data(data, 0.8, seed=1)
print(f"{len(train)} training rows, {len(test)} test rows")


# %% [markdown]
# ## 3. Why scale first
# The gradient of $f$ is $\nabla f(\theta) = \frac1n \tilde X^\top(\tilde X\theta - y)$, where
# $\tilde X$ is the data with a column of ones in front. How large a step can be before the walk
# runs away is set by the **curvature** of $f$: the largest eigenvalue $L$ of
# $\tilde X^\top \tilde X / n$. A step $\alpha$ is safe only when $\alpha < 2/L$ (notebook 2
# shows why). Temperatures near 800 K and pressures near 500 atm make $L$ enormous:

# %%
def curvature(frame):
    # Largest eigenvalue L of [1, X]^T [1, X] / n: the steepest curvature of f.
    A = np.column_stack([np.ones(len(frame)), frame.iloc[:, :-1].to_numpy()])
    return np.linalg.eigvalsh(A.T @ A / len(A))[-1]


print(f"raw data:    L = {curvature(train):.3g}, so alpha must stay below "
      f"{2 / curvature(train):.2g}")
try:
    gd.learn(train, feature_scaling=False, learning_method="GD", control={"max_iter": 100})
except gd.DivergenceError as error:
    print("GD with R's alpha = 0.1 on the raw data:", error)

# %% [markdown]
# R would return `Inf` or `NaN` here without a word; `graddescent` stops with an error that says
# what to do. **Variance scaling** turns every column, the output included, into
# $(x - \text{mean}) / \text{sd}$, like R's `varianceScaling` (the sd with the $n - 1$
# denominator). After it every column has mean 0 and sd 1, and $L$ is about 1:

# %%
scaled = gd.variance_scaling(train)
print(f"scaled data: L = {curvature(scaled.scaled_data_set):.3f}")
scaled.scaling_parameter

# %% [markdown]
# ## 4. Learn, predict, measure
# `learn` does the scaling for you, runs the learner named by `learning_method` with the settings
# in `control` (R's names in snake case: `max_iter` for `maxIter`, ...) and remembers the scaling
# parameters. `predict` scales the new rows, predicts, and turns the prediction back into the
# output's units. Here is plain gradient descent (`GD`) with R's step $\alpha = 0.1$ and 1000
# iterations, checked against the exact least-squares fit of the same training rows:

# %%
model = gd.learn(train, learning_method="GD", control={"max_iter": 1000}, seed=1)
pred = gd.predict(model, test)
print("theta in scaled units (intercept first):", np.round(model.model, 6))
print(f"test RMSE of GD: {gd.rmse(test['z_factor'], pred['prediction']):.6f}")

exact = LinearRegression().fit(train.iloc[:, :-1], train.iloc[:, -1])
ols_rmse = gd.rmse(test["z_factor"], exact.predict(test.iloc[:, :-1]))
print(f"test RMSE of the exact least-squares fit: {ols_rmse:.6f}")

# %% mystnb={"image": {"alt": "Figure: GD on the test rows: predicted against actual Z. Panels: residuals: the curvature a plane cannot follow."}}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plotting.plot_predicted_vs_actual(test["z_factor"], pred["prediction"], ax=axes[0],
                                  title="GD on the test rows: predicted against actual Z")
plotting.plot_residuals(test["z_factor"], pred["prediction"], ax=axes[1],
                        title="residuals: the curvature a plane cannot follow")
axes[0].set_xlabel("actual Z")
axes[0].set_ylabel("predicted Z")
axes[1].set_xlabel("predicted Z");

# %% [markdown]
# The residuals are not random noise: they bend, because Z is not linear in T and P (exercise 2
# improves the model). Gradient descent did its job, though: it found the same plane as the exact
# solution.
#
# ## 5. All fourteen R learners in one loop
# The same call runs every learner of R's package. `max_iter` keeps R's meaning: one step for
# most learners (a full-gradient step for GD, MGD and AGD, one row for SGD and the adaptive
# ones), one outer loop for SSGD, SVRG, SARAH and SARAHPlus.

# %%
rows = []
for method in gd.METHODS.values():
    if method.r_name is None:  # amsgrad and rprop have no R learner
        continue
    model = gd.learn(train, learning_method=method.r_name, control={"max_iter": 1000}, seed=1)
    error = gd.rmse(test["z_factor"], gd.predict(model, test)["prediction"])
    rows.append({"R learner": method.r_name, "what it is": method.summary,
                 "test RMSE": error, "/ least squares": error / ols_rmse})
pd.DataFrame(rows).round(4)

# %% [markdown]
# **How to read it.** A ratio of 1.0000 means the learner reached the least-squares plane. The
# full-gradient learners (GD, MGD, AGD) and the variance-reduced ones (SSGD, SVRG, SARAH,
# SARAHPlus) get there. The learners that use **one row per step** (SGD, SAGD, ADAGRAD, ADADELTA,
# RMSPROP, ADAM) made only 1000 single-row steps, about 0.6 passes over the 1688 training rows,
# with a constant step: they stop in the noise of single-row gradients (notebook 4 is about that
# noise and how to remove it). `help(gd.SGD)` and the other learners' docstrings say what each
# computes and where R 3.0 computes something else (notebook 5).
#
# ## 6. The same with scikit-learn: `GDRegressor`
# `GDRegressor` runs any of the methods behind scikit-learn's estimator interface, so it fits in
# pipelines, cross-validation and grid searches. Two differences from the R-style functions:
# `max_iter` counts **epochs** (passes over the data), and the defaults pick a step size from the
# data (`learning_rate="auto"`) and stop when the fit stops improving, as `SGDRegressor` does
# (by less than `tol = 1e-3` of the variance of `y` over a few epochs); `tol="precise"` runs on
# to the least-squares solution to float precision.

# %%
X_train, y_train = train.iloc[:, :-1], train["z_factor"]
X_test, y_test = test.iloc[:, :-1], test["z_factor"]

pipe = make_pipeline(StandardScaler(), gd.GDRegressor(method="svrg", random_state=0))
pipe.fit(X_train, y_train)
svrg = pipe[-1]
print(f"SVRG: {svrg.n_iter_} epochs, learning rate {svrg.learning_rate_:.3f}, "
      f"test R^2 = {pipe.score(X_test, y_test):.6f}, "
      f"test RMSE = {gd.rmse(y_test, pipe.predict(X_test)):.6f}")
exact = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train)
print("coefficients, SVRG:             ", svrg.intercept_, svrg.coef_)
print("coefficients, LinearRegression: ", exact[-1].intercept_, exact[-1].coef_)

# %% [markdown]
# After `fit`, `loss_curve_` holds the training objective after every epoch. Subtracting the
# least-squares minimum shows how fast each method closes the gap (log scale: a straight line
# going down means the gap shrinks by the same factor every epoch). With `tol="precise"` each
# method runs until it has reached the minimum:

# %% mystnb={"image": {"alt": "Figure: GDRegressor with tol='precise': gap to the least-squares minimum."}}
f_min = 0.5 * np.mean((y_train - exact.predict(X_train)) ** 2)
curves = {}
for method in ["gd", "agd", "svrg", "sgd", "adam"]:
    fitted = make_pipeline(StandardScaler(),
                           gd.GDRegressor(method=method, tol="precise", random_state=0))
    fitted.fit(X_train, y_train)
    curves[f"{method} ({fitted[-1].n_iter_} epochs)"] = np.array(fitted[-1].loss_curve_)
ax = plotting.plot_loss_curves(curves, optimum=f_min, xlabel="epoch (pass over the data)",
                               title="GDRegressor, tol='precise': gap to the least-squares minimum")

# %% [markdown]
# The full-gradient methods (`gd`, and `agd` with Nesterov momentum) and SVRG converge steadily.
# `sgd` and `adam` take one row per step: their curves drop in stages, because their default
# schedule lowers the step each time the noise stops the progress.
#
# Because it is a scikit-learn estimator, a grid search over methods and step sizes is one call:

# %%
grid = GridSearchCV(make_pipeline(StandardScaler(), gd.GDRegressor(tol="precise", random_state=0)),
                    {"gdregressor__method": ["gd", "agd", "svrg"],
                     "gdregressor__learning_rate": ["auto", 0.05]}, cv=3)
grid.fit(X_train, y_train)
results = pd.DataFrame(grid.cv_results_)[["param_gdregressor__method",
                                          "param_gdregressor__learning_rate",
                                          "mean_test_score"]]
print("best:", grid.best_params_)
results.round(6)

# %% [markdown]
# `mean_test_score` is the $R^2$ on the held-out fold, averaged over the three folds. On this
# small, well-scaled problem every setting reaches the least-squares fit of its folds (`tol="precise"`), so the
# scores agree to many digits: the step size changes how long a fit takes, not where it ends.
#
# ## 7. The command line: `graddescent compare`
# `graddescent compare` runs R's workflow for many methods on several random splits and data sets
# and writes a table, a CSV file with every fit, and figures. From a terminal you would type the
# command printed below; here we run it through the Python that runs this notebook. (The
# `seconds` column is measured, so it changes from run to run.)

# %%
out = Path(tempfile.mkdtemp(prefix="graddescent-compare-"))
command = ["compare", "--data", "compressibility_factor", "--methods", "GD", "SGD", "RMSPROP",
           "SVRG", "SARAH", "--seeds", "3", "--max-iter", "1000", "--out", str(out)]
print("$ graddescent " + " ".join(command).replace(str(out), "results/"))
run = subprocess.run([sys.executable, "-m", "graddescent", *command], capture_output=True,
                     text=True, check=True)
print(run.stdout.replace(str(out), "results"))

# %% [markdown]
# **Reading the report**, column by column (each is the median over the seeds, i.e. over three
# different random splits):
#
# * `test RMSE`, `train RMSE`: prediction error in the output's units on the held-out rows and
#   on the training rows. `IQR`: how much the test RMSE varies between splits.
# * `/ OLS`: the test RMSE divided by that of the exact least-squares fit on the same split.
#   1.000 means the method reached the optimum; 1.05 means 5 % worse.
# * `updates`: how many times the coefficients changed. SVRG and SARAH make `inner_iter = 10`
#   inner steps per outer loop, so 1000 outer loops are 10 000 updates (plus a full gradient per
#   outer loop, not counted).
# * `seconds`: the wall time of the fit alone (measured, so it varies between runs).
#
# It also wrote two figures per data set; here is the first:

# %% mystnb={"image": {"alt": "Figure of the comparison report: the test RMSE of every method on the compressibility-factor data, over the seeds."}}
print("files written:", sorted(p.name for p in out.iterdir()))
display(Image(filename=str(out / "compressibility_factor_test_rmse.png"), width=620))
shutil.rmtree(out)  # a temporary folder: clean up

# %% [markdown]
# Each dot is one split, the black bar the median. The dots of SGD and RMSprop sit to the right of
# the red line (worse than least squares) and scatter more: the single-row methods' noise again.
#
# ## 8. A lesson in outliers
# R's copy of this data set has nine values of Z that are about $10^4$ times too small (typing
# errors). `outliers=True` puts the same kind of error into nine of our rows, and
# `compressibility_factor_outliers()` is the answer key. Least squares squares the residuals, so
# each bad row, about 1 away from the plane, weighs as much as a hundred ordinary rows: they pull
# the plane towards them, and they stand out in the residuals.

# %% mystnb={"image": {"alt": "Figure: residuals with nine data-entry errors: they stand out, and pull the fit."}}
dirty = datasets.load_compressibility_factor(outliers=True)
key = datasets.compressibility_factor_outliers()
fits = {}
for label, frame in [("clean data", data), ("with the nine bad rows", dirty)]:
    model = gd.learn(frame, learning_method="GD", control={"max_iter": 1000}, seed=1)
    fits[label] = gd.predict(model, data)["prediction"]
residual = dirty["z_factor"] - fits["with the nine bad rows"]
print("the 9 rows with the largest |residual|:", sorted(residual.abs().nlargest(9).index))
print("the corrupted rows (answer key):       ", sorted(key.index))
shift = (fits["with the nine bad rows"] - fits["clean data"]).abs()
print(f"nine bad rows moved every prediction: by {shift.median():.4f} (median) and up to "
      f"{shift.max():.4f}")

fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
ax.scatter(fits["with the nine bad rows"], residual, s=8, alpha=0.5, label="rows")
ax.scatter(fits["with the nine bad rows"][key.index], residual[key.index], s=40,
           facecolors="none", edgecolors="crimson", label="the nine corrupted rows")
ax.set_xlabel("prediction of the fit on the corrupted data")
ax.set_ylabel("actual - predicted Z")
ax.set_title("residuals with nine data-entry errors: they stand out, and pull the fit")
ax.legend(fontsize=8);

# %% [markdown]
# ## Exercises
# Each exercise has a hint, and a solution in the collapsed cell below it (click the bar at its
# left, or the three dots, to open it).
#
# **Exercise 1 (min-max scaling).** `learn(..., scaling_method="MINMAX")` scales every column to
# $[0, 1]$ instead. Run GD with 30, 100 and 300 iterations with each scaling and compare the test
# RMSE with the least-squares value. Which scaling gets there sooner, and why?
#
# <details><summary>Hint</summary>
#
# Compare the eigenvalues of $\tilde X^\top \tilde X / n$ after each scaling (the `curvature`
# function above prints only the largest; `np.linalg.eigvalsh` gives all). Gradient descent is
# slow along the direction of the *smallest* eigenvalue when the largest forces a small step.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for scaling, scale in [("VARIANCE", gd.variance_scaling), ("MINMAX", gd.minmax_scaling)]:
    frame = scale(train).scaled_data_set
    A = np.column_stack([np.ones(len(frame)), frame.iloc[:, :-1]])
    eig = np.linalg.eigvalsh(A.T @ A / len(A))
    errors = []
    for max_iter in [30, 100, 300]:
        model = gd.learn(train, scaling_method=scaling, learning_method="GD",
                         control={"max_iter": max_iter}, seed=1)
        errors.append(gd.rmse(test["z_factor"], gd.predict(model, test)["prediction"]))
    print(f"{scaling:8s} eigenvalues {np.round(eig, 3)} (ratio {eig[-1] / eig[0]:5.1f}); "
          f"test RMSE after 30/100/300: {np.round(errors, 4)} (least squares {ols_rmse:.4f})")
# Min-max scaling does not centre the columns: the intercept and the slopes are coupled, the
# eigenvalues spread over a factor of about 23, and GD needs many more steps.

# %% [markdown]
# **Exercise 2 (a better model with the same workflow).** For an ideal gas the density is
# proportional to $P / T$. Add a column `p_over_t` (before the output column, which must stay
# last), split with the same seed, learn with GD and compare the test RMSE with the plane's.
#
# <details><summary>Hint</summary>
#
# `frame.insert(2, "p_over_t", frame["pressure_atm"] / frame["temperature_k"])` inserts the
# column at position 2, before `z_factor`. Work on a copy of `data`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
richer = data.copy()
richer.insert(2, "p_over_t", richer["pressure_atm"] / richer["temperature_k"])
train2, test2 = gd.split_data(richer, 0.8, seed=1)
model2 = gd.learn(train2, learning_method="GD", control={"max_iter": 1000}, seed=1)
error2 = gd.rmse(test2["z_factor"], gd.predict(model2, test2)["prediction"])
print(f"test RMSE with P/T: {error2:.4f}  (plane in T and P: {ols_rmse:.4f})")

# %% [markdown]
# **Exercise 3 (why several seeds).** Compute the exact least-squares test RMSE for the splits
# made with seeds 1 to 5. How much does it change? What does that mean for a comparison of two
# methods on a single split?
#
# <details><summary>Hint</summary>
#
# Loop over the seeds, split, fit `LinearRegression` on the training part and compute `gd.rmse`
# on the test part.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
errors = []
for seed in range(1, 6):
    tr, te = gd.split_data(data, 0.8, seed=seed)
    fit = LinearRegression().fit(tr.iloc[:, :-1], tr.iloc[:, -1])
    errors.append(gd.rmse(te.iloc[:, -1], fit.predict(te.iloc[:, :-1])))
print("least-squares test RMSE for seeds 1-5:", np.round(errors, 4))
print(f"spread: {max(errors) - min(errors):.4f}, i.e. {np.ptp(errors) / np.mean(errors):.0%} "
      f"of the mean")
# The split alone moves the test RMSE by the spread printed above: a difference between two
# methods on one split means little unless it is larger than that. `graddescent compare`
# therefore reports medians and the IQR over several splits, and the ratio to least squares on
# the same split.

"""Write the classroom notebooks (``python notebooks/make_notebooks.py``).

The notebooks are kept as plain cell lists here so that their code is reviewed like code; the
test suite runs every code cell (``tests/test_notebooks.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def notebook(cells: list[tuple[str, str]]) -> dict:
    out = []
    for kind, text in cells:
        cell = {"cell_type": kind, "metadata": {}, "source": text.strip("\n").splitlines(True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                      "language": "python", "name": "python3"},
                                       "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


TOUR = [
    ("markdown", """
# Gradient descent for linear regression: a guided tour

This notebook follows the R package *gradDescent*'s workflow (split, scale, learn, predict,
RMSE) with `graddescent`, then opens the box: every method is an **update rule** (how a gradient
becomes a step) run by a **driver** (which gradient is used, and when).

The objective is half the mean squared error,
$f(\\theta) = \\frac{1}{2n}\\sum_i (b + x_i \\cdot w - y_i)^2$ with $\\theta = (b, w)$.
"""),
    ("code", """
import numpy as np

import graddescent as gd
from graddescent import datasets, drivers, plotting, r_replay, rules
"""),
    ("markdown", """
## 1. The R workflow
The compressibility factor Z of CO2 over temperature and pressure (computed with a reference
equation of state on the grid of Kennedy's 1954 measurements). The output is the last column,
as in R.
"""),
    ("code", """
data = datasets.load_compressibility_factor()
train, test = gd.split_data(data, 0.8, seed=1)
for method in ["GD", "SGD", "RMSPROP", "SVRG"]:
    model = gd.learn(train, learning_method=method, control={"max_iter": 1000}, seed=1)
    pred = gd.predict(model, test)
    print(f"{method:8s} test RMSE = {gd.rmse(test.iloc[:, -1], pred['prediction']):.5f}")
"""),
    ("markdown", """
Full-gradient and variance-reduced methods reach the least-squares fit; single-row methods with
R's constant step of 0.1 stop in the gradient noise. `graddescent compare` runs this for every
method on every built-in data set.

## 2. Rules on a two-parameter problem
With one input there are two coefficients, so we can draw the objective's contour lines and the
path each rule takes. The input is deliberately badly scaled, which makes the valley long and
narrow.
"""),
    ("code", """
rng = np.random.default_rng(0)
x = rng.uniform(0, 4, 60)
y = 1.0 + 0.8 * x + 0.3 * rng.standard_normal(60)
X = x[:, None]
theta0 = np.array([-1.0, 2.5])
paths = {
    "gradient descent": plotting.trajectory(rules.plain(0.1), X, y, theta0, 60),
    "momentum 0.9": plotting.trajectory(rules.momentum(0.05, 0.9), X, y, theta0, 60),
    "Nesterov 0.9": plotting.trajectory(rules.nesterov(0.05, 0.9), X, y, theta0, 60),
    "RMSprop": plotting.trajectory(rules.rmsprop(0.05), X, y, theta0, 60),
    "Adam": plotting.trajectory(rules.adam(0.1), X, y, theta0, 60),
}
ax = plotting.plot_contour_paths(X, y, paths)
"""),
    ("markdown", """
Momentum overshoots and swings back; Nesterov looks ahead and swings less. RMSprop and Adam
divide every coordinate's step by the running size of its own gradient, so both coordinates
move at a similar pace whatever their scale. That division is the *effective step size*:
"""),
    ("code", """
steps = {name: plotting.effective_step_sizes(rule, X, y, theta0, 60)
         for name, rule in [("Adagrad", rules.adagrad(0.1)), ("RMSprop", rules.rmsprop(0.05)),
                            ("Adam", rules.adam(0.1))]}
fig = plotting.plot_effective_step_sizes(steps)
"""),
    ("markdown", """
## 3. Drivers: noise, and how variance reduction removes it
Same rule (a plain step), same constant step size, different gradient estimates. SGD uses one
row per step and stalls at a noise floor; SAG remembers every row's last gradient, SVRG and
SARAH correct the single-row gradient with a full gradient taken now and then.
"""),
    ("code", """
rng = np.random.default_rng(1)
X = rng.standard_normal((500, 5))
y = 0.5 + X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + rng.standard_normal(500)
A = np.column_stack([np.ones(len(y)), X])
best = 0.5 * np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2)
n = len(y)
curves = {}
for name, driver, units in [("SGD", drivers.MiniBatch(batch_size=1), n),
                            ("SAG", drivers.SAG(), n),
                            ("SVRG", drivers.SVRG(inner_iter=n, option=1), 1),
                            ("SARAH", drivers.SARAH(inner_iter=n), 1)]:
    opt = drivers.Optimizer(rules.plain(0.02), driver, np.zeros(X.shape[1] + 1), n)
    rng = np.random.default_rng(0)
    curve = []
    for _ in range(40):
        theta = opt.run(X, y, units, rng)
        curve.append(0.5 * np.mean((A @ theta - y) ** 2))
    curves[name] = np.array(curve)
ax = plotting.plot_loss_curves(curves, optimum=best,
                              xlabel="pass over the data (SVRG, SARAH: outer loop)")
"""),
    ("markdown", """
## 4. What R gradDescent 3.0 computes instead
R's ADAM, RMSPROP, ADAGRAD and ADADELTA keep one scalar state shared by all coefficients (so the
fit depends on the order of the columns), and R's ADAM divides by the constants 1 - beta instead
of 1 - beta^t. `graddescent.r_replay` reproduces R's numbers exactly, for migrating course
material; the main API follows the papers. Our Adam keeps one state per coefficient: reorder the
columns and the fit is reordered, bit for bit.
"""),
    ("code", """
scaled = gd.variance_scaling(train).scaled_data_set
Xs = np.ascontiguousarray(scaled.iloc[:, :-1].to_numpy())
ys = scaled.iloc[:, -1].to_numpy()


def fit(X):
    return drivers.optimize(X, ys, rules.adam(0.01), drivers.MiniBatch(batch_size=1),
                            np.zeros(X.shape[1] + 1), 2000, np.random.default_rng(0))


a = fit(Xs)
b = fit(np.ascontiguousarray(Xs[:, ::-1]))
print("Adam, columns in order:        ", a)
print("Adam, columns reversed, undone:", b[[0, 2, 1]])
print("identical:", np.array_equal(a, b[[0, 2, 1]]))

ols = np.linalg.lstsq(np.column_stack([np.ones(len(ys)), Xs]), ys, rcond=None)[0]
print("least squares:            ", np.round(ols, 4))
print("R 3.0's ADAM (replayed):  ", np.round(r_replay.ADAM(scaled, max_iter=1000, seed=1), 4))
print("Adam as published:        ", np.round(gd.ADAM(scaled, alpha=0.01, max_iter=1000, seed=1), 4))
"""),
    ("markdown", """
## 5. A lesson in outliers
Nine of R's 2110 compressibility values were entered 10 000 times too small. `outliers=True`
puts the same decimal-shift error into our data. Least squares pulls the whole fit towards them:
"""),
    ("code", """
clean = datasets.load_compressibility_factor()
dirty = datasets.load_compressibility_factor(outliers=True)
fits = {}
for label, frame in [("clean", clean), ("with the nine outliers", dirty)]:
    model = gd.learn(frame, learning_method="SVRG", control={"max_iter": 200}, seed=1)
    residual = frame.iloc[:, -1] - gd.predict(model, frame)["prediction"]
    fits[label] = gd.predict(model, clean)["prediction"]
    print(f"{label:24s} rows with the 9 largest |residuals|:",
          sorted(residual.abs().nlargest(9).index.tolist()))
print("the corrupted rows:", sorted(datasets.compressibility_factor_outliers().index.tolist()))
shift = (fits["with the nine outliers"] - fits["clean"]).abs()
print(f"nine bad rows move every prediction: median shift {shift.median():.4f}, "
      f"max {shift.max():.4f}")
"""),
]


NOTEBOOKS = {"01_tour.ipynb": TOUR}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        (HERE / name).write_text(json.dumps(notebook(cells), indent=1) + "\n")


if __name__ == "__main__":
    main()

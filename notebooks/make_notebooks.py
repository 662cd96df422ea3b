"""Write, run and save the classroom notebooks: ``python notebooks/make_notebooks.py``.

The five lessons are kept here as lists of cells, so that their code is reviewed like code. The
command writes every notebook, runs it top to bottom in a fresh Jupyter kernel (nbclient) and
saves it **with its outputs**, figures included, so that it renders on a repository page::

    python notebooks/make_notebooks.py                    # all five
    python notebooks/make_notebooks.py 02_step_sizes_and_momentum
    python notebooks/make_notebooks.py --no-execute       # sources only (outputs left empty)

While a notebook runs, every figure it draws is checked for a title, axis labels and a legend
where several labelled lines share an axis (:data:`FIGURE_CHECK`); a problem is reported and
makes the command fail. ``tests/test_notebooks.py`` runs the same checks, executes every
notebook again, and compares the committed cell sources with this file.

Cells are ``(kind, source)`` pairs: ``"markdown"``; ``"code"`` (a cell that shows something);
``"quiet"`` (a code cell that only defines things, so it has no output); ``"solution"`` (an
exercise's solution: a code cell whose source and output start collapsed in JupyterLab).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Metadata of a solution cell: collapsed (source and output) in JupyterLab and Notebook 7.
SOLUTION_METADATA = {"jupyter": {"source_hidden": True, "outputs_hidden": True},
                     "tags": ["solution"]}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

#: Run in the kernel before the first cell (an IPython ``exec_files`` entry, so the cells keep
#: their execution counts): every time matplotlib renders a figure (inline display, savefig,
#: animation frames), check that each of its axes has a title (or the figure a suptitle), an
#: x and a y label (or shares that axis with one that has it), and that a figure with several
#: labelled lines or point sets in one axes has a legend. Problems go to REPORT, one JSON line
#: each, with the first line of the cell that drew the figure.
FIGURE_CHECK = r'''
import json as _json

import matplotlib.backend_bases as _backend_bases

_REPORT = @REPORT@
_print_figure = _backend_bases.FigureCanvasBase.print_figure


def _figure_problems(fig):
    problems = []
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    has_legend = bool(fig.legends) or any(ax.get_legend() is not None for ax in fig.axes)
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>" or not ax.axison:
            continue
        if not (ax.lines or ax.collections or ax.images or ax.patches):
            continue
        if not (ax.get_title() or ax.get_title("left") or suptitle):
            problems.append("an axes without a title")
        xs = ax.get_shared_x_axes().get_siblings(ax)
        ys = ax.get_shared_y_axes().get_siblings(ax)
        if not any(a.get_xlabel() for a in xs):
            problems.append(f"no x label ({ax.get_title()!r})")
        if not any(a.get_ylabel() for a in ys):
            problems.append(f"no y label ({ax.get_title()!r})")
        labelled = [a for a in [*ax.lines, *ax.collections]
                    if a.get_label() and not a.get_label().startswith("_")]
        if len(labelled) >= 2 and not has_legend:
            problems.append(f"{len(labelled)} labelled lines but no legend "
                            f"({ax.get_title()!r})")
    return problems


def _checked_print_figure(self, *args, **kwargs):
    try:
        problems = _figure_problems(self.figure)
    except Exception as exc:  # the check must never break a figure
        problems = [f"figure check failed: {exc!r}"]
    if problems:
        history = get_ipython().history_manager.input_hist_raw  # noqa: F821 (in the kernel)
        title = self.figure.get_suptitle() if hasattr(self.figure, "get_suptitle") else ""
        titles = [title] + [ax.get_title() for ax in self.figure.axes]
        with open(_REPORT, "a") as report:
            report.write(_json.dumps({"cell": (history[-1].strip() + "\n").splitlines()[0],
                                       "figure": next((t for t in titles if t), ""),
                                       "problems": sorted(set(problems))}) + "\n")
    return _print_figure(self, *args, **kwargs)


_backend_bases.FigureCanvasBase.print_figure = _checked_print_figure
'''


def md(text: str) -> tuple[str, str]:
    return ("markdown", text)


def code(text: str) -> tuple[str, str]:
    return ("code", text)


def quiet(text: str) -> tuple[str, str]:
    return ("quiet", text)


def solution(text: str) -> tuple[str, str]:
    return ("solution", text)


def cell_source(text: str) -> str:
    """The source as stored: without leading and trailing blank lines."""
    return text.strip("\n")


def notebook(name: str, cells: list[tuple[str, str]]) -> dict:
    """The notebook ``name`` (no outputs yet) as an nbformat 4.5 dictionary."""
    stem = name.split("_")[0]
    out = []
    for k, (kind, text) in enumerate(cells):
        cell = {"cell_type": "markdown" if kind == "markdown" else "code",
                "id": f"nb{stem}-{k:03d}", "metadata": {},
                "source": cell_source(text)}
        if kind == "solution":
            cell["metadata"] = json.loads(json.dumps(SOLUTION_METADATA))
        if cell["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return {"cells": out,
            "metadata": {"kernelspec": KERNELSPEC,
                         "language_info": {"name": "python", "pygments_lexer": "ipython3"}},
            "nbformat": 4, "nbformat_minor": 5}


def expects_output(kind: str) -> bool:
    """Whether an executed cell of this kind must show something."""
    return kind in ("code", "solution")


def execute(nb: dict, cwd: Path | str, timeout: int = 600,
            then: tuple[str, ...] = ()) -> tuple[dict, list[dict]]:
    """Run ``nb`` top to bottom in a fresh python3 kernel started in ``cwd``.

    Returns the executed notebook (a plain dictionary) and the figure problems found
    (:data:`FIGURE_CHECK`). A cell that raises stops the run with
    ``nbclient.exceptions.CellExecutionError``. ``then``: code run in the same kernel after the
    last cell (checks of the kernel's state), left out of the returned notebook.
    """
    import nbclient
    import nbformat

    extra = [{"cell_type": "code", "id": f"then-{k}", "metadata": {}, "source": source,
              "execution_count": None, "outputs": []} for k, source in enumerate(then)]
    node = nbformat.from_dict(json.loads(json.dumps({**nb, "cells": nb["cells"] + extra})))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.jsonl"
        report.touch()
        check = Path(tmp) / "figure_check.py"
        check.write_text(FIGURE_CHECK.replace("@REPORT@", repr(str(report))))
        client = nbclient.NotebookClient(
            node, timeout=timeout, kernel_name="python3", record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
            extra_arguments=[f"--IPKernelApp.exec_files={json.dumps([str(check)])}"])
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # the kernel's own inline backend draws the figures
        client.execute(env=env)
        problems = [json.loads(line) for line in report.read_text().splitlines() if line]
    executed = json.loads(nbformat.writes(node))
    executed["cells"] = executed["cells"][:len(nb["cells"])]
    return executed, problems


def write(path: Path, nb: dict) -> None:
    import nbformat

    nbformat.write(nbformat.from_dict(nb), str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to write (default: all): names or "
                        "their beginnings, e.g. 02")
    parser.add_argument("--no-execute", action="store_true",
                        help="write the sources only, without running them")
    args = parser.parse_args(argv)
    wanted = list(NOTEBOOKS) if not args.names else []
    for given in args.names:
        matches = [name for name in NOTEBOOKS if name.startswith(Path(given).name)]
        if not matches:
            parser.error(f"unknown notebook {given!r}; known: {', '.join(NOTEBOOKS)}")
        wanted += [name for name in matches if name not in wanted]
    failed = False
    for name in wanted:
        nb = notebook(name, NOTEBOOKS[name])
        if not args.no_execute:
            start = time.perf_counter()
            nb, problems = execute(nb, HERE)
            print(f"{name}: ran in {time.perf_counter() - start:.1f} s")
            for problem in problems:
                failed = True
                print(f"  figure {problem['figure']!r} (cell {problem['cell']!r}): "
                      f"{', '.join(problem['problems'])}")
        write(HERE / name, nb)
        print(f"  wrote {name} ({(HERE / name).stat().st_size / 1e3:.0f} kB)")
    return 1 if failed else 0


# --- 1. Quick start --------------------------------------------------------------------------
QUICKSTART = [
    md(r"""
# 1. Quick start: the R workflow in Python

**Learning goals.** After this notebook you can

* run the workflow of the R package *gradDescent* (split, scale, learn, predict, RMSE) with
  `graddescent`, and say what each step does;
* explain why the data are scaled before gradient descent, and recognise the error you get
  when they are not;
* fit the same model with `GDRegressor` inside a scikit-learn pipeline;
* run `graddescent compare` and read its report;
* see how a handful of bad values pulls a least-squares fit.

The model is a straight line through the data (a plane, here, with two inputs):
$\hat y = b + w_1 x_1 + w_2 x_2$. Every method in the package looks for the intercept $b$ and
the slopes $w$ that minimise half the mean squared error,

$$f(b, w) = \frac{1}{2n}\sum_{i=1}^{n} \bigl(b + x_i \cdot w - y_i\bigr)^2 .$$

Gradient descent starts somewhere and walks downhill: $\theta \leftarrow \theta - \alpha\,
\nabla f(\theta)$ with $\theta = (b, w)$ and a step size (learning rate) $\alpha$. The first run
of a notebook compiles the package's numba kernels (about 10 to 30 seconds, once per machine).
"""),
    quiet(r"""
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

plt.rcParams.update({"figure.dpi": 72, "axes.titlesize": 10})  # the notebook stores its figures
"""),
    md(r"""
## 1. The data: how far CO2 is from an ideal gas
The compressibility factor $Z = PV / (nRT)$ is 1 for an ideal gas. For carbon dioxide it
drops below 1 at moderate pressure (the molecules attract each other) and rises above 1 at high
pressure (they get in each other's way). The data set has Z on a grid of 101 temperatures and
21 pressures, the grid of Kennedy's 1954 measurements that R's `gradDescentRData` uses; the
values come from a reference equation of state (see `help(datasets)`). As in R, **the output
is the last column**.
"""),
    code(r"""
data = datasets.load_compressibility_factor()
print(data.shape)
data.head()
"""),
    code(r"""
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for temperature in [273.1, 373.1, 573.1, 873.1, 1273.1]:
    rows = data[np.isclose(data["temperature_k"], temperature)]
    ax.plot(rows["pressure_atm"], rows["z_factor"], "o-", ms=3, label=f"{temperature:.0f} K")
ax.axhline(1.0, color="0.5", ls=":", label="ideal gas (Z = 1)")
ax.set_xlabel("pressure (atm)")
ax.set_ylabel("compressibility factor Z")
ax.set_title("CO2: Z against pressure, one line per temperature")
ax.legend(title="temperature", fontsize=8);
"""),
    md(r"""
The curves are not straight, so a plane $b + w_1 T + w_2 P$ can only be a rough summary. That
is fine for us: the question of this notebook is how gradient descent *finds* the best plane,
and we can check its answer against the exact least-squares solution.

## 2. Split the rows
`split_data` puts 80 % of the rows, drawn at random, into a training set, and the rest into a
test set, like R's `splitData(data, 0.8, seed = 1)`. (R's random numbers are not NumPy's, so
the rows differ from R's; notebook 5 shows how to get R's exact rows.)
"""),
    code(r"""
train, test = gd.split_data(data, 0.8, seed=1)
print(f"{len(train)} training rows, {len(test)} test rows")
"""),
    md(r"""
## 3. Why scale first
The gradient of $f$ is $\nabla f(\theta) = \frac1n \tilde X^\top(\tilde X\theta - y)$, where
$\tilde X$ is the data with a column of ones in front. How large a step can be before the walk
runs away is set by the **curvature** of $f$: the largest eigenvalue $L$ of
$\tilde X^\top \tilde X / n$. A step $\alpha$ is safe only when $\alpha < 2/L$ (notebook 2
shows why). Temperatures near 800 K and pressures near 500 atm make $L$ enormous:
"""),
    code(r"""
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
"""),
    md(r"""
R would return `Inf` or `NaN` here without a word; `graddescent` stops with an error that says
what to do. **Variance scaling** turns every column, the output included, into
$(x - \text{mean}) / \text{sd}$, like R's `varianceScaling` (the sd with the $n - 1$
denominator). After it every column has mean 0 and sd 1, and $L$ is about 1:
"""),
    code(r"""
scaled = gd.variance_scaling(train)
print(f"scaled data: L = {curvature(scaled.scaled_data_set):.3f}")
scaled.scaling_parameter
"""),
    md(r"""
## 4. Learn, predict, measure
`learn` does the scaling for you, runs the learner named by `learning_method` with the settings
in `control` (R's names in snake case: `max_iter` for `maxIter`, ...) and remembers the scaling
parameters. `predict` scales the new rows, predicts, and turns the prediction back into the
output's units. Here is plain gradient descent (`GD`) with R's step $\alpha = 0.1$ and 1000
iterations, checked against the exact least-squares fit of the same training rows:
"""),
    code(r"""
model = gd.learn(train, learning_method="GD", control={"max_iter": 1000}, seed=1)
pred = gd.predict(model, test)
print("theta in scaled units (intercept first):", np.round(model.model, 6))
print(f"test RMSE of GD: {gd.rmse(test['z_factor'], pred['prediction']):.6f}")

exact = LinearRegression().fit(train.iloc[:, :-1], train.iloc[:, -1])
ols_rmse = gd.rmse(test["z_factor"], exact.predict(test.iloc[:, :-1]))
print(f"test RMSE of the exact least-squares fit: {ols_rmse:.6f}")
"""),
    code(r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plotting.plot_predicted_vs_actual(test["z_factor"], pred["prediction"], ax=axes[0],
                                  title="GD on the test rows: predicted against actual Z")
plotting.plot_residuals(test["z_factor"], pred["prediction"], ax=axes[1],
                        title="residuals: the curvature a plane cannot follow")
axes[0].set_xlabel("actual Z")
axes[0].set_ylabel("predicted Z")
axes[1].set_xlabel("predicted Z");
"""),
    md(r"""
The residuals are not random noise: they bend, because Z is not linear in T and P (exercise 2
improves the model). Gradient descent did its job, though: it found the same plane as the exact
solution.

## 5. All fourteen R learners in one loop
The same call runs every learner of R's package. `max_iter` keeps R's meaning: one step for
most learners (a full-gradient step for GD, MGD and AGD, one row for SGD and the adaptive
ones), one outer loop for SSGD, SVRG, SARAH and SARAHPlus.
"""),
    code(r"""
rows = []
for method in gd.METHODS.values():
    if method.r_name is None:  # amsgrad and rprop have no R learner
        continue
    model = gd.learn(train, learning_method=method.r_name, control={"max_iter": 1000}, seed=1)
    error = gd.rmse(test["z_factor"], gd.predict(model, test)["prediction"])
    rows.append({"R learner": method.r_name, "what it is": method.summary,
                 "test RMSE": error, "/ least squares": error / ols_rmse})
pd.DataFrame(rows).round(4)
"""),
    md(r"""
**How to read it.** A ratio of 1.0000 means the learner reached the least-squares plane. The
full-gradient learners (GD, MGD, AGD) and the variance-reduced ones (SSGD, SVRG, SARAH,
SARAHPlus) get there. The learners that use **one row per step** (SGD, SAGD, ADAGRAD, ADADELTA,
RMSPROP, ADAM) made only 1000 single-row steps, about 0.6 passes over the 1688 training rows,
with a constant step: they stop in the noise of single-row gradients (notebook 4 is about that
noise and how to remove it). `help(gd.SGD)` and the other learners' docstrings say what each
computes and where R 3.0 computes something else (notebook 5).

## 6. The same with scikit-learn: `GDRegressor`
`GDRegressor` runs any of the methods behind scikit-learn's estimator interface, so it fits in
pipelines, cross-validation and grid searches. Two differences from the R-style functions:
`max_iter` counts **epochs** (passes over the data), and the defaults pick a step size from the
data (`learning_rate="auto"`) and stop when the fit stops improving.
"""),
    code(r"""
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
"""),
    md(r"""
After `fit`, `loss_curve_` holds the training objective after every epoch. Subtracting the
least-squares minimum shows how fast each method closes the gap (log scale: a straight line
going down means the gap shrinks by the same factor every epoch).
"""),
    code(r"""
f_min = 0.5 * np.mean((y_train - exact.predict(X_train)) ** 2)
curves = {}
for method in ["gd", "agd", "svrg", "sgd", "adam"]:
    fitted = make_pipeline(StandardScaler(), gd.GDRegressor(method=method, random_state=0))
    fitted.fit(X_train, y_train)
    curves[f"{method} ({fitted[-1].n_iter_} epochs)"] = np.array(fitted[-1].loss_curve_)
ax = plotting.plot_loss_curves(curves, optimum=f_min, xlabel="epoch (pass over the data)",
                               title="GDRegressor's defaults: gap to the least-squares minimum")
"""),
    md(r"""
The full-gradient methods (`gd`, and `agd` with Nesterov momentum) and SVRG converge steadily.
`sgd` and `adam` take one row per step: their curves drop in stages, because their default
schedule lowers the step each time the noise stops the progress.

Because it is a scikit-learn estimator, a grid search over methods and step sizes is one call:
"""),
    code(r"""
grid = GridSearchCV(make_pipeline(StandardScaler(), gd.GDRegressor(random_state=0)),
                    {"gdregressor__method": ["gd", "agd", "svrg"],
                     "gdregressor__learning_rate": ["auto", 0.05]}, cv=3)
grid.fit(X_train, y_train)
results = pd.DataFrame(grid.cv_results_)[["param_gdregressor__method",
                                          "param_gdregressor__learning_rate",
                                          "mean_test_score"]]
print("best:", grid.best_params_)
results.round(6)
"""),
    md(r"""
`mean_test_score` is the $R^2$ on the held-out fold, averaged over the three folds. On this
small, well-scaled problem every setting reaches the least-squares fit of its folds, so the
scores agree to many digits: the step size changes how long a fit takes, not where it ends.

## 7. The command line: `graddescent compare`
`graddescent compare` runs R's workflow for many methods on several random splits and data sets
and writes a table, a CSV file with every fit, and figures. From a terminal you would type the
command printed below; here we run it through the Python that runs this notebook. (The
`seconds` column is measured, so it changes from run to run.)
"""),
    code(r"""
out = Path(tempfile.mkdtemp(prefix="graddescent-compare-"))
command = ["compare", "--data", "compressibility_factor", "--methods", "GD", "SGD", "RMSPROP",
           "SVRG", "SARAH", "--seeds", "3", "--max-iter", "1000", "--out", str(out)]
print("$ graddescent " + " ".join(command).replace(str(out), "results/"))
run = subprocess.run([sys.executable, "-m", "graddescent", *command], capture_output=True,
                     text=True, check=True)
print(run.stdout.replace(str(out), "results"))
"""),
    md(r"""
**Reading the report**, column by column (each is the median over the seeds, i.e. over three
different random splits):

* `test RMSE`, `train RMSE`: prediction error in the output's units on the held-out rows and
  on the training rows. `IQR`: how much the test RMSE varies between splits.
* `/ OLS`: the test RMSE divided by that of the exact least-squares fit on the same split.
  1.000 means the method reached the optimum; 1.05 means 5 % worse.
* `updates`: how many times the coefficients changed. SVRG and SARAH make `inner_iter = 10`
  inner steps per outer loop, so 1000 outer loops are 10 000 updates (plus a full gradient per
  outer loop, not counted).
* `seconds`: the wall time of the fit alone (measured, so it varies between runs).

It also wrote two figures per data set; here is the first:
"""),
    code(r"""
print("files written:", sorted(p.name for p in out.iterdir()))
display(Image(filename=str(out / "compressibility_factor_test_rmse.png"), width=620))
shutil.rmtree(out)  # a temporary folder: clean up
"""),
    md(r"""
Each dot is one split, the black bar the median. The dots of SGD and RMSprop sit to the right of
the red line (worse than least squares) and scatter more: the single-row methods' noise again.

## 8. A lesson in outliers
R's copy of this data set has nine values of Z that are about $10^4$ times too small (typing
errors). `outliers=True` puts the same kind of error into nine of our rows, and
`compressibility_factor_outliers()` is the answer key. Least squares squares the residuals, so
each bad row, about 1 away from the plane, weighs as much as a hundred ordinary rows: they pull
the plane towards them, and they stand out in the residuals.
"""),
    code(r"""
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
"""),
    md(r"""
## Exercises
Each exercise has a hint, and a solution in the collapsed cell below it (click the bar at its
left, or the three dots, to open it).

**Exercise 1 (min-max scaling).** `learn(..., scaling_method="MINMAX")` scales every column to
$[0, 1]$ instead. Run GD with 30, 100 and 300 iterations with each scaling and compare the test
RMSE with the least-squares value. Which scaling gets there sooner, and why?

<details><summary>Hint</summary>

Compare the eigenvalues of $\tilde X^\top \tilde X / n$ after each scaling (the `curvature`
function above prints only the largest; `np.linalg.eigvalsh` gives all). Gradient descent is
slow along the direction of the *smallest* eigenvalue when the largest forces a small step.
</details>
"""),
    solution(r"""
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
"""),
    md(r"""
**Exercise 2 (a better model with the same workflow).** For an ideal gas the density is
proportional to $P / T$. Add a column `p_over_t` (before the output column, which must stay
last), split with the same seed, learn with GD and compare the test RMSE with the plane's.

<details><summary>Hint</summary>

`frame.insert(2, "p_over_t", frame["pressure_atm"] / frame["temperature_k"])` inserts the
column at position 2, before `z_factor`. Work on a copy of `data`.
</details>
"""),
    solution(r"""
richer = data.copy()
richer.insert(2, "p_over_t", richer["pressure_atm"] / richer["temperature_k"])
train2, test2 = gd.split_data(richer, 0.8, seed=1)
model2 = gd.learn(train2, learning_method="GD", control={"max_iter": 1000}, seed=1)
error2 = gd.rmse(test2["z_factor"], gd.predict(model2, test2)["prediction"])
print(f"test RMSE with P/T: {error2:.4f}  (plane in T and P: {ols_rmse:.4f})")
"""),
    md(r"""
**Exercise 3 (why several seeds).** Compute the exact least-squares test RMSE for the splits
made with seeds 1 to 5. How much does it change? What does that mean for a comparison of two
methods on a single split?

<details><summary>Hint</summary>

Loop over the seeds, split, fit `LinearRegression` on the training part and compute `gd.rmse`
on the test part.
</details>
"""),
    solution(r"""
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
"""),
]

# --- 2. Step sizes and momentum --------------------------------------------------------------
STEP_SIZES = [
    md(r"""
# 2. Step sizes and momentum

**Learning goals.** After this notebook you can

* explain, with the eigenvalues of the Hessian, why gradient descent converges for a step size
  below $2/L$, zig-zags above $1/L$ and diverges above $2/L$;
* predict how fast it converges (the condition number $\kappa = L/\mu$) and pick the best
  constant step;
* say what heavy-ball momentum and Nesterov's look-ahead change, and recognise their paths;
* explore the rules yourself with an interactive panel, and watch them race.

We use the smallest problem with a picture: one input $x$, so two coefficients, the intercept
$b$ and the slope $w$. The objective $f(b, w)$ is a bowl over the $(b, w)$ plane, and we can
draw its contour lines and the path each method takes.
"""),
    quiet(r"""
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from matplotlib import animation

from graddescent import DivergenceError, plotting, rules

plt.rcParams.update({"figure.dpi": 72, "axes.titlesize": 10})  # the notebook stores its figures
"""),
    md(r"""
## 1. The problem, and its Hessian
Sixty points with $x$ between 0 and 4 and $y = 1 + 0.8x + \text{noise}$. Because $x$ is
**not centred** (its mean is about 2), changing the slope also changes the best intercept: the
bowl is a long, narrow, tilted valley.

For least squares $f$ is exactly quadratic. With $\tilde x_i = (1, x_i)$ and the Hessian
$H = \frac1n \sum_i \tilde x_i \tilde x_i^\top$,

$$f(\theta) = f(\theta^*) + \tfrac12 (\theta - \theta^*)^\top H (\theta - \theta^*),
\qquad \nabla f(\theta) = H(\theta - \theta^*).$$

The eigenvalues of $H$ are the curvatures of the valley: $L$ (the largest) across it, $\mu$
(the smallest) along its floor. Their ratio $\kappa = L/\mu$ is the **condition number**.
"""),
    code(r"""
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
"""),
    md(r"""
## 2. The learning rate: converge, zig-zag or diverge
One gradient step is $\theta_{t+1} = \theta_t - \alpha H(\theta_t - \theta^*)$, so the error
$e_t = \theta_t - \theta^*$ obeys

$$e_{t+1} = (I - \alpha H)\, e_t .$$

Along the eigenvector of eigenvalue $\lambda$ the error is multiplied by $1 - \alpha\lambda$ at
every step. So:

* $\alpha < 1/L$: every factor lies in $(0, 1)$: a smooth approach, no overshoot;
* $1/L < \alpha < 2/L$: across the valley the factor $1 - \alpha L$ is negative: the path
  jumps from one wall to the other (zig-zag), but the jumps shrink;
* $\alpha > 2/L$: $|1 - \alpha L| > 1$: every jump is longer than the last: **divergence**.

So $2/L$ is the edge, and it is set by the steepest direction alone. Four step sizes, 30 steps
each (`plotting.trajectory` runs the library's engine one step at a time and keeps every
iterate):
"""),
    code(r"""
factors = [0.5, 1.0, 1.9, 2.1]
fig, axes = plt.subplots(2, 2, figsize=(10, 8), layout="constrained")
sweep = {}
for factor, ax in zip(factors, axes.ravel(), strict=True):
    path = plotting.trajectory(rules.plain(factor / L), X, y, theta0, 30)
    sweep[f"alpha = {factor} / L"] = path
    plotting.plot_contour_paths(X, y, {"gradient descent": path}, ax=ax,
                                title=f"alpha = {factor} / L = {factor / L:.3f}")
fig.suptitle("30 gradient-descent steps at four learning rates");
"""),
    md(r"""
At $0.5/L$ the path creeps down the valley floor; at $1/L$ it gets further; at $1.9/L$ it
zig-zags across the valley and still gets there; at $2.1/L$ the zig-zag grows at every step
(note the axes: the picture zoomed out to follow it). The objective tells the same story:
"""),
    code(r"""
gaps = {label: (np.arange(len(path)), f(path) - f_star) for label, path in sweep.items()}
ax = plotting.plot_loss_curves(gaps, logx=False, xlabel="step t", ylabel="f(theta_t) - f*",
                               title="objective gap at four learning rates")
"""),
    md(r"""
### How fast? The factor per step
Far from the start, the error shrinks by the largest factor $\max_\lambda |1 - \alpha\lambda|
= \max(|1 - \alpha\mu|, |1 - \alpha L|)$ per step. Below we measure that factor on the engine's
iterates (the ratio of the errors 20 steps apart, to the power 1/20) for 44 learning rates, and
draw the formula beside it.
"""),
    code(r"""
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
"""),
    md(r"""
The measurements sit on the formula. The factor is smallest at $\alpha = 2/(L + \mu)$, where the
two directions shrink equally fast, with the factor

$$\frac{\kappa - 1}{\kappa + 1},$$

close to 1 when $\kappa$ is large: plain gradient descent is slow on ill-conditioned problems
however well the step is chosen, because one step size has to suit the steep and the flat
direction at once.
"""),
    code(r"""
kappa = L / mu
print(f"best constant step 2/(L+mu) = {best:.4f} = {best * L:.3f} / L")
print(f"best factor (kappa-1)/(kappa+1) = {(kappa - 1) / (kappa + 1):.4f}; "
      f"steps to shrink the error 1000-fold: "
      f"{np.log(1e-3) / np.log((kappa - 1) / (kappa + 1)):.0f}")
"""),
    md(r"""
## 3. Momentum and Nesterov
**Heavy-ball momentum** (Polyak 1964; R's `MGD`) keeps a velocity: $u_t = \beta u_{t-1} + \alpha
g_t$, $\theta_t = \theta_{t-1} - u_t$, where $g_t = \nabla f(\theta_{t-1})$. Along the valley
floor the gradients keep pointing the same way and the velocity builds up (up to $1/(1-\beta)$
times a plain step); across the valley they alternate in sign and cancel.

**Nesterov's method** (in Sutskever's form; what `AGD` should be) takes the gradient at the
point the velocity is about to carry us to: $v_t = \beta v_{t-1} - \alpha\nabla f(\theta_{t-1} +
\beta v_{t-1})$, $\theta_t = \theta_{t-1} + v_t$. Looking ahead lets it brake before it
overshoots.

With the step $\alpha = 1/L$ and $\beta = 0.9$, 40 steps each:
"""),
    code(r"""
paths = {
    "gradient descent": plotting.trajectory(rules.plain(1 / L), X, y, theta0, 40),
    "heavy ball, beta = 0.9": plotting.trajectory(rules.momentum(1 / L, 0.9), X, y, theta0, 40),
    "Nesterov, beta = 0.9": plotting.trajectory(rules.nesterov(1 / L, 0.9), X, y, theta0, 40),
}
ax = plotting.plot_contour_paths(X, y, paths,
                                 title="alpha = 1/L: plain steps, heavy ball and Nesterov")
"""),
    md(r"""
Gradient descent walks slowly down the valley. The heavy ball races along it, overshoots and
circles the minimum; Nesterov takes the same speed but curls in much sooner.

**Tuned momentum.** For a quadratic the best heavy-ball settings are known (Polyak):
$\alpha = 4/(\sqrt L + \sqrt\mu)^2$ and $\beta = \bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa +
1}\bigr)^2$, with the factor $\frac{\sqrt\kappa-1}{\sqrt\kappa+1}$ per step: $\sqrt\kappa$ where
gradient descent has $\kappa$. Nesterov with $\alpha = 1/L$ and $\beta = \frac{\sqrt\kappa -
1}{\sqrt\kappa + 1}$ has a factor of about $1 - 1/\sqrt\kappa$. We measure all of them:
"""),
    code(r"""
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
"""),
    md(r"""
Tuned, both momentum methods leave the best plain step far behind: the measured factors match
the theory. (The gap $f - f^*$ is quadratic in the error, so it shrinks by the square of the
factor per step.) With the common default $\beta = 0.9$ at $\alpha = 1/L$ they are not tuned
for this problem: the heavy ball then does no better than the best plain step, and Nesterov's
gap falls in waves, one for each turn of its spiral around the minimum.

## 4. Try it yourself: an interactive panel
The panel below redraws the path over the contours for the rule, learning rate (`alpha`, on a
log scale), momentum and number of steps you choose. The momentum slider applies to the
heavy-ball, Nesterov and RMSprop rules; the others ignore it. The title shows the learning rate
in units of $1/L$ and the final gap. A path that runs away is cut where it leaves the picture.

The panel needs a running kernel and a widget front-end (JupyterLab, Jupyter Notebook 7, VS
Code). On a static page (a repository's file view, an HTML export) it cannot move; the figure
just below shows what it draws, for the momentum rule at three settings of the slider.
"""),
    quiet(r"""
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
"""),
    code(r"""
fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.5), layout="constrained")
for beta, ax in zip([0.0, 0.6, 0.9], axes, strict=True):
    draw_path("momentum", learning_rate=0.16, momentum=beta, steps=40, ax=ax)
fig.suptitle("what the panel draws: the heavy-ball rule with momentum 0, 0.6 and 0.9");
"""),
    code(r"""
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
"""),
    md(r"""
Things to try: the plain rule at 1.9/L and at 2.1/L; momentum 0.99 (the ball hardly feels
friction); Adam or RMSprop with a learning rate of 0.05, then 0.5 (their steps have about the
size of the learning rate whatever the gradient, notebook 3 explains why); Rprop, which only
looks at the sign of each gradient component.

## 5. The race
The same start, the same contours, five rules stepping together. The animation is an HTML/JS
player (play, pause, step) that works in any browser page that runs JavaScript; the static
figure after it shows the race at three moments, for pages that do not.
"""),
    quiet(r"""
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
"""),
    code(r"""
fig, ax = plt.subplots(figsize=(6.6, 5.4), dpi=72, layout="constrained")
race_lines = draw_race(ax)
frames = [*range(0, RACE_STEPS, 3), RACE_STEPS]
movie = animation.FuncAnimation(fig, lambda k: show_race_at(race_lines, ax, k), frames=frames)
with plt.rc_context({"animation.frame_format": "jpeg"}):  # 3 times smaller than PNG frames
    player = movie.to_jshtml(fps=3, default_mode="once")
plt.close(fig)  # the player holds the frames; no extra static copy of the last one
HTML(player)
"""),
    code(r"""
fig, axes = plt.subplots(1, 3, figsize=(14, 4.7), layout="constrained", sharex=True,
                         sharey=True)
for k, ax in zip([3, 10, RACE_STEPS], axes, strict=True):
    show_race_at(draw_race(ax), ax, k)
for ax in axes[1:]:
    ax.get_legend().remove()
fig.suptitle("the race at steps 3, 10 and 40 (static version of the animation)");
"""),
    md(r"""
At step 3 the gradient methods have dropped straight into the valley (the gradient points
across it, the steep way), while RMSprop and Adam move diagonally: they divide each coordinate's
gradient by its own running size, so both coordinates move by about the same amount. By step 10
the momentum methods are far ahead along the valley, the heavy ball swinging wide, Nesterov
cutting in; at step 40 Nesterov is near the minimum, the heavy ball still circles it, and the
others are still walking down the valley floor.

## Exercises

**Exercise 1 (the best step, measured).** Run plain gradient descent with $\alpha = 1/L$ and
with $\alpha = 2/(L+\mu)$ for 200 steps. How many steps does each need to bring the error
$\|\theta_t - \theta^*\|$ below $10^{-6}$ times its start? Compare with the theory.

<details><summary>Hint</summary>

`plotting.trajectory(rules.plain(alpha), X, y, theta0, 200)` gives the iterates;
`np.argmax(error < threshold)` gives the first step below a threshold. With factor $q$ per
step you need about $\log(10^{-6}) / \log q$ steps.
</details>
"""),
    solution(r"""
start = np.linalg.norm(theta0 - theta_star)
for label, alpha in [("1/L", 1 / L), ("2/(L+mu)", 2 / (L + mu))]:
    error = np.linalg.norm(plotting.trajectory(rules.plain(alpha), X, y, theta0, 400)
                           - theta_star, axis=1)
    q = max(abs(1 - alpha * mu), abs(1 - alpha * L))
    print(f"alpha = {label:9s} steps to 1e-6: measured {np.argmax(error < 1e-6 * start)}, "
          f"theory about {np.log(1e-6) / np.log(q):.0f}")
"""),
    md(r"""
**Exercise 2 (centre the input).** Replace $x$ by $x - \bar x$. Compute the new Hessian, its
eigenvalues and $\kappa$. How many plain steps at $\alpha = 1/L$ does it now take to reach a gap
$f - f^* < 10^{-10}$, compared with the original data? Draw both paths over their contours.

<details><summary>Hint</summary>

With a centred input, $H = \begin{pmatrix} 1 & 0 \\ 0 & \overline{x^2} - \bar x^2
\end{pmatrix}$: the intercept and the slope no longer interact. Start the centred problem from
the same slope and the intercept that gives the same line (it is the same model, written
differently): $b_c = b + w\bar x$.
</details>
"""),
    solution(r"""
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
"""),
    md(r"""
**Exercise 3 (how much momentum?).** Keep $\alpha = 1/L$ and try heavy-ball momentum $\beta$
from 0 to 0.99. Which $\beta$ gives the smallest gap after 60 steps? Compare with Polyak's
formula for the best $\beta$ at this step, $\beta^* = \max(|1 - \sqrt{\alpha\mu}|,
|1 - \sqrt{\alpha L}|)^2$.

<details><summary>Hint</summary>

Loop over `np.linspace(0, 0.99, 100)`, compute `f(path[-1]) - f_star` for each and take the
`argmin`. Plot the gap against $\beta$ on a log scale.
</details>
"""),
    solution(r"""
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
"""),
]

# --- 3. From Rprop to RMSprop and Adam --------------------------------------------------------
ADAPTIVE = [
    md(r"""
# 3. From Rprop to RMSprop and Adam: adaptive learning rates

**Learning goals.** After this notebook you can

* explain how Rprop adapts one step size per coordinate from the *signs* of the gradient, and
  why that works on the full batch;
* show why it breaks on mini-batches, and how RMSprop repairs it by dividing by a running RMS
  of the gradient;
* describe what RMSprop's `rho`, `centered` and `momentum` do (Graves 2013);
* explain Adam's two averages and its bias correction, reproduce the counter-example of Reddi,
  Kale and Kumar (2018) in which Adam converges to the worst point, and say what AMSGrad
  changes;
* read the effective per-coordinate step sizes of Adagrad, RMSprop, Adam and AMSGrad.

The rules of `graddescent.rules` all work **per coordinate**: each coefficient has its own
state and its own step size.
"""),
    quiet(r"""
import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from graddescent import drivers, plotting, rules

plt.rcParams.update({"figure.dpi": 72, "axes.titlesize": 10})  # the notebook stores its figures
"""),
    md(r"""
## 1. A badly scaled problem, and Rprop on the full batch
A problem where the two coefficients live on very different scales: the input $x$ is centred
but tiny (standard deviation 0.1), so the objective is 100 times flatter along the slope $w$
than along the intercept $b$. The valley is long and narrow but, unlike notebook 2's, it lies
along the axes: exactly the case a per-coordinate step size can fix.
"""),
    code(r"""
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
"""),
    md(r"""
**Rprop** (Riedmiller & Braun 1993; here the variant iRprop$^-$ of Igel & Hüsken 2000) ignores
the size of the gradient and keeps, for each coordinate $j$, a step size $\Delta_j$:

* if $g_{t,j}$ has the same sign as $g_{t-1,j}$: $\Delta_j \leftarrow 1.2\,\Delta_j$
  (we are going the right way, speed up);
* if the sign flipped: $\Delta_j \leftarrow 0.5\,\Delta_j$ (we jumped over a minimum, slow
  down) and skip this coordinate's move once;
* then $\theta_j \leftarrow \theta_j - \operatorname{sign}(g_{t,j})\,\Delta_j$.

Gradient descent at its largest safe step ($1/L$) against Rprop (initial steps 0.1), 60 steps:
"""),
    code(r"""
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
"""),
    md(r"""
Gradient descent solves the intercept in one step and then crawls along the slope, because the
step that is safe for the intercept's curvature is 100 times too small for the slope's. Rprop's
slope step grows by 1.2 per step until it overshoots, then halves: each coordinate finds its own
scale, and the gap falls to rounding error in 60 steps.

## 2. Why Rprop fails on mini-batches
The library refuses to run Rprop on anything but the full batch:
"""),
    code(r"""
try:
    drivers.optimize(X, y, rules.rprop(0.1), drivers.MiniBatch(batch_size=10), theta0, 100,
                     np.random.default_rng(0))
except ValueError as error:
    print("ValueError:", error)
"""),
    md(r"""
Hinton's argument (lecture 6e of his 2012 course, where RMSprop was proposed): suppose a weight
gets the gradient $+0.1$ on nine mini-batches and $-0.9$ on the tenth. On average the gradient
is zero, so the weight should stay where it is, and stochastic gradient descent does: nine
small steps one way, one big step back. Rprop only sees the signs: nine steps one way and one
the other, and since the sign keeps its value eight times in a row, its step size grows. RMSprop
divides each gradient by the **same** running RMS for neighbouring mini-batches, so it keeps
their relative sizes and, like SGD, stays put. The cell below runs the three on this gradient
sequence: Rprop as a short NumPy loop (it is exactly the rule above), SGD and RMSprop through
the library's rules (`UpdateRule.step` applies one step to a given gradient).
"""),
    code(r"""
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
"""),
    md(r"""
Rprop runs away (its step sizes grow until they hit their cap of 50). RMSprop moves a little
during its first mini-batches, while its running average of $g^2$ still starts from zero and
its first steps are too large (Adam's bias correction, below, is the cure), and then stays.

On a real least-squares problem there is a second failure. Near the optimum the sign of a
mini-batch gradient is close to a coin flip, so Rprop halves its step sizes about as often as it
grows them ($1.2 \times 0.5 = 0.6 < 1$): they collapse to their floor and the coefficients
freeze wherever they happen to be. Here is a regression with skewed noise, fitted ten times with
different row orders, by Rprop (NumPy loop) and by the library's RMSprop on single rows and on
batches of 10, 10 passes each:
"""),
    code(r"""
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
"""),
    code(r"""
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
"""),
    md(r"""
Rprop's runs freeze all over the valley (on single rows after a few hundred steps); RMSprop's
cluster around the least-squares point, closer with batches of 10 than with single rows (less
noise). Rprop is a fine method on the full batch; on mini-batches it is not.

## 3. RMSprop: divide by a running RMS of recent gradients
RMSprop (Tieleman & Hinton 2012) keeps, per coordinate, an exponential average of the squared
gradient and divides by its square root:

$$v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad
\theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}.$$

The divisor is about the same for neighbouring mini-batches, so the step keeps the gradient's
sign *and* its relative size, as SGD does, while each coordinate gets its own scale, as in
Rprop. The memory of the average is about $1/(1-\rho)$ steps.

**The effect of `rho`.** With a short memory ($\rho = 0.5$) the divisor is about the latest
$|g_t|$ itself, and the step is close to $\eta\,\operatorname{sign}(g_t)$: Rprop's sign step
again, which on skewed noise aims at the *median* of the gradient, not its mean. With a long
memory the divisor is nearly constant and the step is an SGD step scaled per coordinate, which
aims at the mean: the least-squares solution. We average the last 20 of 60 passes over the
skewed data, for five row orders:
"""),
    code(r"""
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
"""),
    md(r"""
With single rows and $\rho = 0.5$, RMSprop's intercept settles most of the way towards the
median; with $\rho = 0.999$ it sits on the least-squares value. Batches of 10 average the noise
before the sign is taken, so the bias is much smaller. (This is why `GDRegressor` uses
`rho=0.999` by default, where R's `RMSPROP` and Keras use 0.9.)

**`centered` and `momentum`** (Graves 2013, eqs. 38-41). The centred variant also averages the
gradient itself, $\bar g_t = \rho\,\bar g_{t-1} + (1-\rho)\, g_t$, and divides by
$\sqrt{v_t - \bar g_t^2}$, an estimate of the gradient's *standard deviation* rather than its
RMS. Far from the optimum the gradient is consistent, its standard deviation is smaller than its
RMS, and the steps are larger; near the optimum $\bar g \approx 0$ and nothing changes.
Momentum averages the normalised steps, $b_t = \beta\, b_{t-1} + g_t / a_t$,
$\theta_t = \theta_{t-1} - \eta\, b_t$; its steps are about $1/(1-\beta)$ times larger, so we
divide $\eta$ by 10 for $\beta = 0.9$ to compare like with like.
"""),
    code(r"""
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
"""),
    md(r"""
The centred variants get to the noise floor in about half the epochs; all four end at the same
floor, set by the learning rate and the batch size. Momentum, at an equal typical step, changes
little here; it matters more when gradients are noisy in a direction that should be averaged
away.

## 4. Adam: momentum, RMSprop and a bias correction
Adam (Kingma & Ba 2015) keeps two averages per coordinate, of the gradient and of its square:

$$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,$$
$$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
\theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$

Both averages start at zero, so early on they are too small: after $t$ steps of a constant
gradient $g$, $m_t = (1-\beta_1^t)\,g$. Dividing by $1-\beta^t$ removes exactly that bias. On a
constant gradient Adam's step is then exactly $\eta$ from the first step on. Without the
correction (a two-line NumPy formula below), and for RMSprop, which has no correction, the first
steps are several times too large; this is the jump RMSprop made in Hinton's example above.
"""),
    code(r"""
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
"""),
    md(r"""
## 5. AMSGrad, and Reddi et al.'s counter-example
Reddi, Kale and Kumar ("On the convergence of Adam and beyond", ICLR 2018) built a
one-dimensional online problem on which Adam converges to the *worst* point. On
$x \in [-1, 1]$ the loss at step $t$ is

$$f_t(x) = \begin{cases} 1010\,x & t \bmod 101 = 1,\\ -10\,x & \text{otherwise.} \end{cases}$$

Over a period of 101 steps the gradients add up to $1010 - 100 \times 10 = +10$, so the best
fixed choice is $x^* = -1$. Adam with $\beta_1 = 0.9$, $\beta_2 = 0.99$ and the step
$\eta_t = \eta/\sqrt t$ (the paper's Section 5 experiment) moves towards $+1$. The rare large
gradient inflates $v_t$, so its own step is damped; $v_t$ then decays over the next hundred
steps (its memory is $1/(1-\beta_2) = 100$ steps) and the small gradients, which all point the
other way, get relatively large steps. **AMSGrad** divides by the running *maximum* of $v_t$
instead, so the steps of the small gradients stay small and the large gradient's direction
wins.

We run both rules of the library on this problem: `UpdateRule.step` with the given gradient,
then a projection onto $[-1, 1]$ (`np.clip`), with the schedule $\eta/\sqrt t$ (the rules'
`power_t` field; `dataclasses.replace` sets it on a rule).
"""),
    code(r"""
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
"""),
    md(r"""
Adam ends at the wrong end of the interval: its average regret levels off at the cost of
sitting at $x = +1$ (twice the mean gradient, $2 \times 10/101 \approx 0.2$ per step, the
dashed line it approaches), while AMSGrad goes to $x^* = -1$ and its average regret keeps
falling towards zero. (The library's AMSGrad is PyTorch's form, with a bias correction; the
paper's form has none.) In practice Adam usually works well; the example shows that its
convergence proof has a hole, and which quantity, the decaying $v_t$, causes it.

## 6. The effective step size, per coordinate
Every adaptive rule divides the learning rate by a running size of each coordinate's gradient:
$\eta / (\sqrt{G_t} + \epsilon)$ for Adagrad (the sum of all past $g^2$), $\eta /
(\sqrt{v_t} + \epsilon)$ for RMSprop, and the bias-corrected version for Adam and AMSGrad.
`plotting.effective_step_sizes` recomputes these from the gradients along a full-batch run.
On the badly scaled problem of section 1:
"""),
    code(r"""
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
"""),
    md(r"""
For every rule the slope's effective step is tens of times the intercept's: each has found
the coordinates' different scales, as Rprop did. Adagrad's steps only shrink (its sum of $g^2$
only grows). Adadelta needs no learning rate: its step is the ratio of two running RMS values,
of past updates and of gradients, and starts tiny. RMSprop's and Adam's steps rise again as the
gradient shrinks near the optimum, because they divide by the *recent* gradient size; with
$\beta_2 = 0.99$ Adam forgets faster and its steps rise sooner. AMSGrad with the same
$\beta_2$ divides by the largest $v_t$ seen so far, so its steps rise only through the bias
correction $\sqrt{1 - \beta_2^t}$, which has nearly reached 1 after 150 steps.

## Exercises

**Exercise 1 (centred RMSprop on Hinton's sequence).** Run `rules.rmsprop(0.01, rho=0.99,
centered=True)` on the sequence `gradients` and compare the final weight with the plain
RMSprop's. Why is the centred version different on this sequence?

<details><summary>Hint</summary>

`run_rule(rule, gradients)` returns the weight after each mini-batch. What is the running mean
$\bar g$ of this sequence, and how large is $v - \bar g^2$ compared with $v$?
</details>
"""),
    solution(r"""
for label, rule in [("plain", rules.rmsprop(0.01, rho=0.99)),
                    ("centred", rules.rmsprop(0.01, rho=0.99, centered=True))]:
    print(f"RMSprop {label:8s}: final weight {run_rule(rule, gradients)[-1]:+.4f}")
# The mean of the sequence is 0, so after the first cycles gbar is about 0 and v - gbar^2 is
# about v: the two behave alike. Only during the first cycle, while gbar is still far from 0
# (it starts with nine +0.1), does the centred divisor differ, and it is smaller: larger steps.
"""),
    md(r"""
**Exercise 2 (the memory of Adam's $v_t$).** In Reddi et al.'s problem, rerun Adam with
$\beta_2 = 0.999$ (a memory of about 1000 steps, ten periods) instead of 0.99. Where is $x_t$,
on average over ten periods, after 10 000, 30 000 and 60 000 steps? Is the longer memory a cure?

<details><summary>Hint</summary>

`online(dataclasses.replace(rules.adam(0.5, beta1=0.9, beta2=0.999), power_t=0.5), steps)`
returns $x_t$ and the average regret. Average `x_t[k - 1010:k]` to smooth out the periods.
</details>
"""),
    solution(r"""
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
"""),
    md(r"""
**Exercise 3 (how large a batch does Rprop need?).** Run `rprop_mini_batches` with batches of
1, 10, 50 and 100 rows (10 passes) and with the full batch of 500 rows (100 passes: one step
per pass) for five row orders each, and print the median distance to the least-squares point.
From which batch size on does Rprop work?

<details><summary>Hint</summary>

`rprop_mini_batches(batch_size, epochs, np.random.default_rng(seed))[0]` is the final point.
The signs of the mini-batch gradients must be right most of the time, even near the optimum.
</details>
"""),
    solution(r"""
for batch_size, epochs in [(1, 10), (10, 10), (50, 10), (100, 10), (500, 100)]:
    finals = np.array([rprop_mini_batches(batch_size, epochs, np.random.default_rng(s))[0]
                       for s in range(5)])
    distance = np.linalg.norm(finals - best, axis=1)
    print(f"batches of {batch_size:3d}, {epochs * m // batch_size:4d} steps: "
          f"median distance {np.median(distance):.2g}")
# The error falls as the batch grows, but only the full batch (500 rows: exact signs, here
# given 100 steps) reaches the least-squares point to many digits.
"""),
]

# --- 4. Noise and variance reduction ----------------------------------------------------------
VARIANCE = [
    md(r"""
# 4. Noise and variance reduction

**Learning goals.** After this notebook you can

* explain why stochastic gradient descent (SGD) with a constant step stops at a *noise floor*,
  and how the floor depends on the step;
* say what decaying steps buy (convergence) and what they cost (speed);
* describe how SAG, SVRG, S2GD, SARAH and SARAH+ remove the noise and converge **linearly** with
  a constant step;
* choose their settings (`inner_iter`, `option`, `nu`, `gamma_s`) knowing what each changes;
* compare methods fairly: by **passes over the data** (every row gradient counted, full
  gradients included) and by **seconds**.
"""),
    quiet(r"""
import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np

from graddescent import datasets, drivers, plotting, rules

plt.rcParams.update({"figure.dpi": 72, "axes.titlesize": 10})  # the notebook stores its figures
"""),
    md(r"""
## 1. The problem, and how we count work
20 000 rows, 20 inputs, condition number 30 and noise of standard deviation 1
(`datasets.make_ill_conditioned`, whose design has a known spectrum). The objective is
$f(\theta) = \frac1{2n}\sum_i f_i(\theta)$ with $f_i(\theta) = (b + x_i\cdot w - y_i)^2$, and
$\nabla f_i(\theta) = r_i\,(1, x_i)$ is one **row gradient** ($r_i$ the residual). Two curvature
constants set the step sizes: $L$, the largest eigenvalue of the Hessian (the full gradient's
smoothness), and $L_{\max} = \max_i (1 + \|x_i\|^2)$ (the worst single row's).
"""),
    code(r"""
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
"""),
    md(r"""
**Counting work.** One *pass* is $n$ row gradients. A full gradient costs one pass; a step of
SGD or SAG costs one row gradient; an inner step of SVRG, S2GD or SARAH costs two (the same row
at two points). `row_gradients` below counts them from the optimizer's public counters:
`Optimizer.t` (update steps) and `Optimizer.units` (driver iterations: steps, or outer loops
for the variance-reduced drivers, each of which starts with a full gradient). `run` records the
gap $f(\theta) - f^*$ after every driver call, and times the calls themselves (not the
bookkeeping), keeping the fastest of three identical runs. A first run of every driver compiles
its kernel, so that no timing includes compilation.
"""),
    quiet(r"""
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
"""),
    md(r"""
## 2. SGD stalls at a noise floor
SGD steps along one row's gradient: $\theta \leftarrow \theta - \eta\,\nabla f_i(\theta)$ with
$i$ the next row of a shuffled pass. On average that is the full gradient, but near the
optimum the full gradient is zero while the row gradients are not: their spread is set by the
noise in $y$. With a constant step the iterate keeps being kicked around, and $f$ hovers at a
level roughly **proportional to $\eta$**. Three constant steps:
"""),
    code(r"""
steps_sgd = {"SGD, eta = 1/L_max": 1, "SGD, eta = 1/(4 L_max)": 4,
             "SGD, eta = 1/(16 L_max)": 16}
sgd = {label: run(rules.plain(1 / (k * L_max)), drivers.MiniBatch(batch_size=1))
       for label, k in steps_sgd.items()}
fig = compare(sgd, "SGD with a constant step")
for label, r in sgd.items():
    print(f"{label:22s} floor (median gap, last 10 passes) = {np.median(r.gaps[-10:]):.2e}")
"""),
    md(r"""
Each quarter of the step lowers the floor about fourfold, but also slows the approach: there is
no constant step that is both fast and exact.

## 3. Decaying steps
Letting $\eta_t \to 0$ (with $\sum_t \eta_t = \infty$, so the iterate can still travel any
distance) removes the floor: the rules' `power_t` field gives $\eta_t = \eta_0 / t^{p}$ ($t$
counts steps). The price is speed: the error then falls like a power of $t$, not
geometrically.
"""),
    code(r"""
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
"""),
    md(r"""
With $\eta_0 = 4/L_{\max}$ the gap keeps falling below the constant step's floor, slowly. With
$\eta_0 = 16/L_{\max}$ the early steps are so large that it first hovers on a higher floor,
which it leaves only as the step decays: the starting step still has to be tuned. (`GDRegressor`'s
default schedule for the sampled methods lowers the rate in stages instead, as notebook 1's loss
curves show.)

## 4. Variance reduction: a constant step, and linear convergence
The variance-reduced methods build a gradient estimate whose noise vanishes at the optimum, so a
constant step converges geometrically, like full gradient descent, while most steps still cost
only one or two row gradients.

* **SAG** (Le Roux, Schmidt, Bach 2012): remember the last gradient of every row; step along
  their average, refreshing one row per step. (R's `SAGD` is something else; see notebook 5.)
* **SVRG** (Johnson & Zhang 2013): every outer loop, take a snapshot $\tilde w$ and its full
  gradient $\mu = \nabla f(\tilde w)$; then `inner_iter` steps along $\nabla f_i(w) -
  \nabla f_i(\tilde w) + \mu$: unbiased, with a variance that shrinks as $w$ and $\tilde w$
  approach $\theta^*$.
* **S2GD** (Konečný & Richtárik 2017; R's `SSGD`): the same estimate, with a random number of
  inner steps.
* **SARAH** (Nguyen et al. 2017): a recursive estimate $v_t = \nabla f_i(w_t) - \nabla
  f_i(w_{t-1}) + v_{t-1}$, started at a full gradient. **SARAH+** ends the inner loop early, once
  $\|v_t\|^2 \le \gamma\,\|v_0\|^2$.

The usual constant steps: $1/L_{\max}$ for SAG, $0.5/L_{\max}$ for the others, `inner_iter`
$= n$ (one pass of inner steps), and full gradient descent at $1/L$ for reference.
"""),
    code(r"""
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
"""),
    md(r"""
**Per pass** (left), every variance-reduced method falls along a straight line on the log scale:
the gap shrinks by a constant factor per pass, down to rounding error, with the same constant
step that left SGD on its floor. Full gradient descent also converges linearly, but its factor
per pass is set by the condition number ($1 - 1/\kappa$ at best), while the variance-reduced
methods take $n$ cheap steps per pass.

**Per second** (right) the order can change: a full gradient is a fast, vectorised pass over
the data, while single-row steps are a loop with more work per row (SAG updates its memory,
SARAH computes two row gradients per step). The seconds are measured on the machine that ran
this notebook, so they vary between runs and machines; the passes do not.

## 5. The settings, one at a time
Each panel pair changes one setting and keeps the others as above.

**`inner_iter`** (SVRG's $m$): a full gradient every $m$ inner steps. A small $m$ spends most of
the work on full gradients; a large $m$ lets the snapshot grow stale, so the variance of the
estimate comes back. Johnson and Zhang's analysis asks for $m$ of the order of
$L_{\max}/\mu$ steps or more:
"""),
    code(r"""
lengths = {"n/100": n // 100, "n/10": n // 10, "n": n, "5n": 5 * n}
svrg_m = {f"SVRG, inner_iter = {name}": run(rules.plain(h), drivers.SVRG(inner_iter=m, option=1))
          for name, m in lengths.items()}
print(f"L_max / mu = {L_max / mu:.0f} steps; n = {n}")
fig = compare(svrg_m, "SVRG, inner_iter")
"""),
    md(r"""
Too short ($n/100$, a few times $L_{\max}/\mu$) and each outer loop barely pays for its full
gradient; too long ($5n$) and the snapshot goes stale. The customary $m = n$ is safe rather
than best: on this problem $n/10$ gets there in less than half the passes.
"""),
    md(r"""
**`option`** (SVRG): the next snapshot is the last inner iterate (option 1, what practitioners
use) or a uniformly drawn inner iterate (option 2, the one Johnson and Zhang's proof covers).
"""),
    code(r"""
options = {f"SVRG, option {k}": run(rules.plain(h), drivers.SVRG(inner_iter=n, option=k))
           for k in [1, 2]}
fig = compare(options, "SVRG, option")
"""),
    md(r"""
Option 2 restarts from a random inner iterate, on average half-way through the loop, so it
converges a little more slowly here; its merit is that the convergence proof covers it.

**`nu`** (S2GD, R's `lamda`): the number of inner steps $t \in \{1, \dots, m\}$ is drawn with
$P(t) \propto (1 - \nu h)^{m - t}$, where $\nu$ should be a lower bound on the strong convexity
$\mu$. $\nu = 0$ is the uniform law (half a pass of inner steps on average); a larger $\nu$
favours long inner loops. The mean length under each law, from the formula:
"""),
    code(r"""
nus = [0.0, mu, 10 * mu]
t = np.arange(1, n + 1)
for nu in nus:
    law = (1 - nu * h) ** (n - t)  # P(t) up to a constant, with m = inner_iter = n
    print(f"nu = {nu:.4f}: mean inner length {law @ t / law.sum() / n:.2f} n")
s2gd = {f"S2GD, nu = {nu:.3g}": run(rules.plain(h), drivers.S2GD(inner_iter=n, nu=nu))
        for nu in nus}
fig = compare(s2gd, "S2GD, nu")
"""),
    md(r"""
**`gamma_s`** (SARAH+): the inner loop stops once $\|v_t\|^2 \le \gamma\, \|v_0\|^2$ (or after
`inner_iter` steps). A small $\gamma$ lets the loop run long; $\gamma = 1$ stops after the first
step, which is full gradient descent with the small step $h$.
"""),
    code(r"""
sarah_plus = {f"SARAH+, gamma_s = {g}": run(rules.plain(h),
                                            drivers.SARAHPlus(inner_iter=n, gamma_s=g))
              for g in [1 / 32, 1 / 8, 1 / 2, 1.0]}
fig = compare(sarah_plus, "SARAH+, gamma_s")
"""),
    md(r"""
Longer inner loops (a smaller $\gamma$) pay off on this problem; the paper's $\gamma = 1/8$ is
a safe default. $\gamma = 1/2$ ends the inner loops too early, and $\gamma = 1$ is gradient
descent with a step meant for single rows, far too small for the full gradient.

## Exercises

**Exercise 1 (batch size and the floor).** Run SGD with mini-batches of 1, 10 and 100 rows at
the same step $1/L_{\max}$, for 30 passes. How does the floor change with the batch size? Is a
pass with batches of 100 more expensive in seconds than a pass with single rows?

<details><summary>Hint</summary>

`run(rules.plain(1 / L_max), drivers.MiniBatch(batch_size=b))`. The noise of a batch mean falls
like $1/b$ in variance, and the floor is proportional to $\eta$ times that variance.
</details>
"""),
    solution(r"""
batches = {f"batches of {b}": run(rules.plain(1 / L_max), drivers.MiniBatch(batch_size=b))
           for b in [1, 10, 100]}
fig = compare(batches, "SGD at 1/L_max, batch size")
for label, r in batches.items():
    print(f"{label:14s} floor {np.median(r.gaps[-10:]):.1e}, "
          f"{r.seconds[-1] / r.passes[-1] * 1e3:.2f} ms per pass")
# The floor falls tenfold or more per tenfold batch; a pass costs about the same (the same row
# gradients in fewer, larger steps), but with fewer steps per pass the approach to the floor
# is slower.
"""),
    md(r"""
**Exercise 2 (R's default `inner_iter = 10`).** R's `SVRG` uses 10 inner steps per outer loop.
Run SVRG with `inner_iter=10` and with `inner_iter=n` for 30 passes and compare. Why is the
first so slow per pass?

<details><summary>Hint</summary>

Count the work of one outer loop: a full gradient ($n$ row gradients) and then
$2 \times 10$. How far can 10 steps of size $h = 0.5/L_{\max}$ move?
</details>
"""),
    solution(r"""
r_default = {"SVRG, inner_iter = 10 (R's default)": run(rules.plain(h),
                                                        drivers.SVRG(inner_iter=10, option=1)),
             "SVRG, inner_iter = n": vr["SVRG, option 1"]}
fig = compare(r_default, "SVRG: R's inner_iter against n")
# With 10 inner steps an outer loop is almost exactly one pass (a full gradient) for 10 small
# steps of size 0.5 / L_max: it is gradient descent with a step about L_max / L times too
# small. SVRG pays for its full gradient with many cheap steps; with 10 it cannot.
"""),
    md(r"""
**Exercise 3 (how large a step for SAG?).** Run SAG with the steps $c/L_{\max}$ for
$c = 1, 2, 4, 8$. Which converge? What happens to the others?

<details><summary>Hint</summary>

A run that blows up either ends with a huge gap or raises `graddescent.DivergenceError`; catch
it with `try` / `except`.
</details>
"""),
    solution(r"""
from graddescent import DivergenceError

for c in [1, 2, 4, 8]:
    try:
        r = run(rules.plain(c / L_max), drivers.SAG())
        print(f"SAG, {c}/L_max: gap after 30 passes {r.gaps[-1]:.1e}")
    except DivergenceError as error:
        print(f"SAG, {c}/L_max: {error}")
# 1/L_max converges fastest and 2/L_max more slowly; from 4/L_max on SAG no longer converges
# (at 8/L_max the gap explodes): the safe range of its step ends at a few times 1 / L_max.
"""),
]

def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table (kept as a list here so that the source lines stay short)."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n"


FUNCTION_TABLE = md_table(["R gradDescent 3.0", "`graddescent`", "notes"], [
    ["`library(gradDescent)`", "`import graddescent as gd`", ""],
    ["`data(gradDescentRData)`",
     "`gd.datasets.load_compressibility_factor()`, `load_mackey_glass()`, `load_diabetes()`",
     "our own copies (see `help(gd.datasets)`); the gas furnace data: `load_csv`"],
    ["`splitData(ds, 0.8, seed)`", "`gd.split_data(ds, 0.8, seed=...)`",
     "NumPy's generator; R's exact rows: `r_replay.split_data`"],
    ["`varianceScaling(ds)`", "`gd.variance_scaling(ds)`",
     "`$scaledDataSet`, `$scalingParameter` become `.scaled_data_set`, `.scaling_parameter`"],
    ["`varianceDescaling(ds, p)`", "`gd.variance_descaling(ds, p)`", ""],
    ["`minmaxScaling(ds)`, `minmaxDescaling(ds, p)`",
     "`gd.minmax_scaling(ds)`, `gd.minmax_descaling(ds, p)`", ""],
    ["`GD(dataTrain, alpha, maxIter, seed)` and the other 13 learners",
     "`gd.GD(data_train, alpha=..., max_iter=..., seed=...)`",
     "arguments in snake case (table below)"],
    ["`prediction(model, dataTestInput)`", "`gd.prediction(theta, data_test_input)`", ""],
    ["`RMSE(outputData, prediction)`", "`gd.rmse(output_data, prediction)`", ""],
    ["`gradDescentR.learn(ds, featureScaling, scalingMethod, learningMethod, control, seed)`",
     "`gd.learn(ds, feature_scaling=..., scaling_method=..., learning_method=..., "
     "control={...}, seed=...)`",
     "`control` keys in snake case: `max_iter`, `n_batch`, `inner_iter`, `gamma_s`, ..."],
    ["`predict(model, newdata)`", "`gd.predict(model, new_data)`",
     "`new_data` with or without the output column"],
])


# --- 5. Coming from R -------------------------------------------------------------------------
FROM_R = [
    md(r"""
# 5. Coming from R: gradDescent 3.0 and `graddescent`

**Learning goals.** After this notebook you can

* translate an R script that uses gradDescent 3.0 into Python, function by function;
* reproduce R's own numbers, random draws included, with `graddescent.r_replay`, and put the
  papers' algorithms beside them;
* name every place where R gradDescent 3.0 computes something other than the published
  algorithm, show it on a small example, and say what `graddescent` does instead.

Two modes, on purpose. The main API (`graddescent.GD`, ..., `learn`, `predict`) keeps R's names,
arguments and defaults, but each algorithm is the one its paper defines. `graddescent.r_replay`
is the one place that reproduces what R 3.0 computes, step for step and draw for draw, bugs
included: use it to check migrated course material against R, not to fit models.
"""),
    quiet(r"""
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import graddescent as gd
from graddescent import datasets, r_replay
from graddescent.r_replay import RRandom

plt.rcParams.update({"figure.dpi": 72, "axes.titlesize": 10})  # the notebook stores its figures
"""),
    md(r"""
## 1. Function by function
""" + FUNCTION_TABLE + r"""
The fourteen learners, their R signatures and the Python calls, generated from the package's
method table (`gd.METHODS`), so this table cannot drift from the code:
"""),
    code(r"""
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
"""),
    md(r"""
## 2. A whole script, side by side
<table>
<tr><th>R</th><th>Python</th></tr>
<tr><td>

```r
library(gradDescent)
data(gradDescentRData)
ds <- gradDescentRData$CompressilbilityFactor.dt
split <- splitData(ds, dataTrainRate = 0.8, seed = 1)
model <- gradDescentR.learn(
  split$dataTrain, learningMethod = "SVRG",
  control = list(maxIter = 100, innerIter = 10),
  seed = 1)
pred <- predict(model, split$dataTest)
RMSE(split$dataTest[, 3], pred[, 3])
```

</td><td>

```python
import graddescent as gd

ds = gd.datasets.load_compressibility_factor()
train, test = gd.split_data(ds, 0.8, seed=1)
model = gd.learn(
    train, learning_method="SVRG",
    control={"max_iter": 100, "inner_iter": 10},
    seed=1)
pred = gd.predict(model, test)
gd.rmse(test.iloc[:, 2], pred["prediction"])
```

</td></tr>
</table>

The Python column, run (on our copy of the data: R's copy has nine typing errors, see
notebook 1, and values from a different source):
"""),
    code(r"""
ds = datasets.load_compressibility_factor()
train, test = gd.split_data(ds, 0.8, seed=1)
model = gd.learn(train, learning_method="SVRG", control={"max_iter": 100, "inner_iter": 10},
                 seed=1)
pred = gd.predict(model, test)
print(f"test RMSE: {gd.rmse(test.iloc[:, 2], pred['prediction']):.5f}")
"""),
    md(r"""
## 3. R's numbers, reproduced
R's random numbers come from its Mersenne-Twister generator with its own seeding and its own
way of turning random words into indices. `r_replay.RRandom` reproduces them draw for draw. In
R 4.x:

```r
> set.seed(1); runif(5)
[1] 0.2655087 0.3721239 0.5728534 0.9082078 0.2016819
> set.seed(1); sample(10)
 [1]  9  4  7  1  2  5  3 10  6  8
```
"""),
    code(r"""
print("RRandom(1).runif(5):", np.round(RRandom(1).runif(5), 7))
print("RRandom(1).sample(10):", RRandom(1).sample(10))
"""),
    md(r"""
On top of that generator, `r_replay` reproduces R's `splitData`, its scalings, every learner
(R's row shuffle, its starting point $\theta_0 \sim U(0,1)$, its row lists, its update order and
every deviation of section 4) and `predict`. The project's test suite checks the replay
against results computed by R 4.2.2 with gradDescent 3.0 on R's own data sets, to about
$10^{-12}$ (`tests/test_r_replay.py`).

**R's algorithm next to the paper's.** The same rows (R's split of our data, seed 1), each of
the 14 learners as R 3.0 computes it (replayed) and as its paper defines it (the main API),
with R's defaults and `maxIter = 1000`. Draws that R makes after clearing its seed (SAGD's
coin, SVRG's and SARAH's picks) cannot be reproduced from R; the replay takes them from a
seeded stream of its own (`unseeded_rng`).
"""),
    code(r"""
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
"""),
    code(r"""
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
"""),
    md(r"""
On this easy, well-scaled problem most of R's deviations hardly change the test error: the
full-gradient and variance-reduced learners reach least squares either way. The single-row
learners differ, partly by chance (different rows are drawn; a ratio below 1 can happen, when
stopping early acts as a regulariser on these test rows) and partly by design: R's SGD draws
rows with replacement, R's ADAGRAD, RMSPROP and ADAM share one step size between all
coefficients. Our SAGD, the real SAG, is behind here: 1000 single-row steps are 0.6 passes, and
its memory of row gradients is not even full yet (SAG pays off over several passes, see
notebook 4). The next section isolates each deviation on a small problem where it shows.

## 4. Where R gradDescent 3.0 computes something else
A small problem for the examples: 40 rows, 2 inputs, variance-scaled (`toy`), with its exact
least-squares solution, and R's and our starting points (a learner run with zero steps).
"""),
    code(r"""
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
"""),
    md(r"""
### 4.1 ADAGRAD, RMSPROP, ADAM (and ADADELTA) share one state between all coefficients
The papers keep one accumulator **per coefficient**, so every coefficient gets its own step
size: that is the whole point of these methods. R keeps one scalar for all of them and updates
it coefficient by coefficient inside a step. Its first ADAGRAD step, for instance, divides the
intercept's gradient by $|g_1|$, the first slope's by $\sqrt{g_1^2 + g_2^2}$, the second's by
$\sqrt{g_1^2 + g_2^2 + g_3^2}$: the step a coefficient gets depends on which columns come before
it. One step of each, from each one's own starting point; the move of every coefficient in
units of $\alpha = 0.1$:
"""),
    code(r"""
moves = {}
for name in ["ADAGRAD", "RMSPROP", "ADAM"]:
    r_move = np.abs(getattr(r_replay, name)(toy, max_iter=1, seed=1) - r_start) / 0.1
    our_move = np.abs(getattr(gd, name)(toy, max_iter=1, seed=1) - our_start) / 0.1
    moves[f"{name}, R 3.0"] = r_move
    moves[f"{name}, paper"] = our_move
pd.DataFrame(moves, index=["intercept", "x1", "x2"]).T.round(4)
"""),
    md(r"""
In the papers' versions every coefficient moves by the same amount on the first step (exactly
$\alpha$ for Adagrad and Adam; $\alpha/\sqrt{1-\rho} = 3.16\,\alpha$ for RMSprop, whose average
starts at zero). In R's, only the intercept does; the others move less, by amounts that depend
on the order of the columns. (R's ADAGRAD also has no $\epsilon$: a zero gradient component as
its first one divides by zero.) `graddescent` keeps a state per coefficient; reorder the
columns and its result is reordered, nothing else.

R's **ADADELTA** shares its accumulators too, and in addition its first coefficient never moves
on the first step (the RMS of past updates starts at zero):
"""),
    code(r"""
print("ADADELTA, one step, R 3.0:", np.round(r_replay.ADADELTA(toy, max_iter=1, seed=1)
                                             - r_start, 6))
print("ADADELTA, one step, paper:", np.round(gd.ADADELTA(toy, max_iter=1, seed=1)
                                             - our_start, 6))
"""),
    md(r"""
### 4.2 ADAM's bias correction divides by constants
Adam divides its averages by $1 - \beta_1^t$ and $1 - \beta_2^t$, which removes the bias of
averages that start at zero. R divides by the constants $1 - \beta_1 = 0.1$ and
$1 - \beta_2 = 0.001$ (its line is `alpha * (m / 0.1) / (sqrt(v / 0.001) + 1e-7)`). For one
coefficient with a constant gradient $g$, $m_t = (1 - 0.9^t)\,g$ and $v_t = (1 - 0.999^t)\,g^2$,
so the paper's step is exactly $\alpha$ at every step while R's is
$\alpha\,\frac{(1 - 0.9^t)/0.1}{\sqrt{(1 - 0.999^t)/0.001}}$:
"""),
    code(r"""
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
"""),
    md(r"""
R's steps start right, grow to about twice the paper's around step 10 to 20, and then shrink
towards $\alpha\sqrt{0.001}/0.1 \approx 0.32\,\alpha$: after a few hundred steps R's ADAM
moves about three times more slowly than the published algorithm, whatever $\alpha$ says.

### 4.3 AGD applies the momentum term twice
R's "accelerated" gradient first moves by $-\beta u$, then takes MGD's step at that point, which
again adds $\beta u$: the momentum counts twice per iteration. That is neither of Nesterov's
forms. We compare R's AGD with R's MGD (the same starting point) and our AGD (Nesterov, in
Sutskever's form) with our MGD, at R's defaults ($\alpha = 0.1$, $\beta = 0.9$):
"""),
    code(r"""
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
"""),
    md(r"""
Nesterov's look-ahead damps the heavy ball's oscillation. R's AGD, with the momentum counted
twice, behaves like a heavy ball: the same oscillating envelope, none of the look-ahead's
damping.

### 4.4 SAGD is not SAG
R's SAGD is SGD that skips each step on a coin flip, and that coin is drawn after R has cleared
its seed, so two runs with the same seed differ. Real SAG (Le Roux, Schmidt, Bach 2012)
remembers every row's last gradient. The replay takes R's clock-seeded draws from
`unseeded_rng`; we give it two different streams, as two R sessions would:
"""),
    code(r"""
run1 = r_replay.SAGD(toy, max_iter=50, seed=1, unseeded_rng=RRandom(1))
run2 = r_replay.SAGD(toy, max_iter=50, seed=1, unseeded_rng=RRandom(2))
print("R 3.0 SAGD, seed = 1, two sessions:", np.round(run1, 4), np.round(run2, 4))
print("graddescent SAGD (SAG), seed = 1, twice:",
      np.array_equal(gd.SAGD(toy, max_iter=50, seed=1), gd.SAGD(toy, max_iter=50, seed=1)))
"""),
    md(r"""
### 4.5 SSGD's correction has the wrong sign; SVRG reuses its rows
S2GD steps along $\mu + \nabla f_i(y) - \nabla f_i(x)$ (the full gradient at the snapshot,
corrected by the row's change). R's SSGD uses $\mu - \nabla f_i(y) + \nabla f_i(x)$, which adds
the row's noise twice instead of cancelling it. R's SVRG draws its list of `innerIter` rows once
and reuses it in every outer loop, and its option 1 returns the next-to-last inner iterate
$w_{m-1}$ instead of $w_m$. The gap after 5, 20 and 50 outer loops, at R's defaults:
"""),
    code(r"""
rows = []
for k in [5, 20, 50]:
    rows.append({"outer loops": k,
                 "SSGD, R 3.0": gap(r_replay.SSGD(toy, max_iter=k, seed=1)),
                 "SSGD (S2GD), paper": gap(gd.SSGD(toy, max_iter=k, seed=1)),
                 "SVRG option 1, R 3.0": gap(r_replay.SVRG(toy, max_iter=k, option=1, seed=1)),
                 "SVRG option 1, paper": gap(gd.SVRG(toy, max_iter=k, option=1, seed=1))})
with pd.option_context("display.float_format", "{:.1e}".format):
    display(pd.DataFrame(rows).set_index("outer loops"))
"""),
    md(r"""
Both of R's versions still converge on this small problem (the full gradient at each snapshot
pulls them back), but more slowly. With `innerIter = 1`, R's SVRG option 1 returns $w_0$ and
never moves (exercise 2). R's SSGD also fails outright where its law of the inner-loop length
is undefined, for `innerIter = 1` with `lamda != 0` and for `lamda * alpha = 1`; the paper's
law is defined for `inner_iter = 1`, and `graddescent` explains the second case:
"""),
    code(r"""
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
"""),
    md(r"""
### 4.6 SARAH and SARAHPlus
R's SARAH picks its output among $w_0, w_2, \dots, w_m$: $w_1$, the full-gradient step, is never
offered. R's SARAHPlus stops its inner loop by looking at the **intercept's** component of
$v_t$ only, and with `gammaS = 1` it never moves at all; the paper's SARAH+ with $\gamma = 1$ is
gradient descent (one full-gradient step per outer loop):
"""),
    code(r"""
print("SARAHPlus, gamma_s = 1, 50 outer loops, R 3.0: moved by",
      np.abs(r_replay.SARAHPlus(toy, gamma_s=1.0, max_iter=50, seed=1) - r_start).max())
print("SARAHPlus, gamma_s = 1, 50 outer loops, paper: gap",
      f"{gap(gd.SARAHPlus(toy, gamma_s=1.0, max_iter=50, seed=1)):.2e} "
      f"(from {gap(our_start):.2f})")
"""),
    md(r"""
### 4.7 MBGD drops rows and refuses one-row batches
R's MBGD cuts the once-shuffled rows into `nBatch` fixed blocks of $n / \text{nBatch}$ rows
(rounded down where that is not whole), so some rows are never used, and a block of one row is
an error. Which row of 10 does it drop with `nBatch = 3`? Change each row's output by 100 in turn
and see which change leaves R's result untouched:
"""),
    code(r"""
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
"""),
    md(r"""
`graddescent` uses every row in every epoch (batches of $\lceil n / \text{n\_batch} \rceil$
rows) in a fresh random order every second epoch and its reverse in between (the flip-flop
order of Rajput, Lee and Papailiopoulos 2022; see the README).

### 4.8 SGD draws rows with replacement
R's SGD draws its `maxIter` rows with replacement, so "one pass" of $n$ draws misses about
$1/e \approx 37\,\%$ of the rows and uses others twice. `graddescent` goes through a fresh
permutation in every epoch (random reshuffling, scikit-learn's convention). R's kind of draw,
with R's generator:
"""),
    code(r"""
draws = RRandom(1).sample(1000, 1000, replace=True)  # sample(1000, 1000, replace = TRUE)
print(f"1000 draws with replacement from 1000 rows reach {np.unique(draws).size} distinct "
      f"rows; a permutation reaches all 1000")
"""),
    md(r"""
### 4.9 Small things with large effects
* `maxIter = 0` runs two iterations in R (its loop `1:maxIter` is `1:0`, the two values 1 and 0);
  in `graddescent` it returns $\theta_0$.
* A learning rate that makes R diverge returns `NaN` without a word; `graddescent` raises
  `DivergenceError` with advice.
* R's `predict` silently drops the last column of `newdata`, whatever it is; `graddescent`'s
  `predict` takes the inputs with or without the output column and checks the count.
* A constant column makes R's variance scaling divide by zero and every coefficient `NaN`;
  `graddescent` says which column is constant.
* Kept on purpose: variance scaling with the $n - 1$ standard deviation, as R.
"""),
    code(r"""
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
"""),
    md(r"""
## Exercises

**Exercise 1 (translate a script).** Translate this R script twice: once with `r_replay` (to
get R's numbers) and once with the main API (the papers' algorithms). Use our Mackey-Glass data
(`datasets.load_mackey_glass()`, output in column 5).

```r
split <- splitData(gradDescentRData$MackeyGlass1000.dt, 0.75, seed = 3)
model <- gradDescentR.learn(split$dataTrain, learningMethod = "MGD",
                            control = list(alpha = 0.05, maxIter = 500, momentum = 0.8),
                            seed = 3)
RMSE(split$dataTest[, 5], predict(model, split$dataTest)[, 5])
```

<details><summary>Hint</summary>

`r_replay.split_data`, `r_replay.learn` (control keys as in R, e.g. `"maxIter"`) and
`r_replay.predict` mirror R exactly; `gd.split_data`, `gd.learn` (`"max_iter"`) and
`gd.predict` are the main API. R's column 5 is `.iloc[:, 4]`.
</details>
"""),
    solution(r"""
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
"""),
    md(r"""
**Exercise 2 (R's SVRG with `innerIter = 1`).** Show that R's SVRG with option 1 and
`inner_iter=1` returns its starting point whatever `max_iter` is, while the paper's SVRG
converges. Why?

<details><summary>Hint</summary>

R keeps the list $[\tilde w, w_1, \dots, w_m]$ and option 1 returns entry number `innerIter`
(counting from 1). Compare with `r_start`.
</details>
"""),
    solution(r"""
for k in [1, 10, 100]:
    r_theta = r_replay.SVRG(toy, inner_iter=1, option=1, max_iter=k, seed=1)
    ours = gd.SVRG(toy, inner_iter=1, option=1, max_iter=k, seed=1)
    print(f"max_iter = {k:3d}: R 3.0 moved {np.abs(r_theta - r_start).max():.1e}, "
          f"paper gap {gap(ours):.1e}")
# With one inner step the list is [w~, w_1]; entry number innerIter = 1 is w~ itself, so every
# outer loop ends where it started. The paper's option 1 keeps w_m = w_1.
"""),
    md(r"""
**Exercise 3 (column order).** Reverse the input columns of `toy` (keep the output last) and
take one ADAGRAD step with the replay and with the main API. Which coefficient gets the full
step $\alpha$ in R now? And in `graddescent`?

<details><summary>Hint</summary>

`toy.iloc[:, [1, 0, 2]]` reverses the two inputs. Compute the moves as in section 4.1, with the
starting points of the reordered data (`r_replay.GD(..., alpha=0.0, max_iter=1, seed=1)` and
`gd.GD(..., max_iter=0, seed=1)`).
</details>
"""),
    solution(r"""
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
"""),
]


NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_step_sizes_and_momentum.ipynb": STEP_SIZES,
    "03_from_rprop_to_rmsprop_and_adam.ipynb": ADAPTIVE,
    "04_noise_and_variance_reduction.ipynb": VARIANCE,
    "05_coming_from_r.ipynb": FROM_R,
}


if __name__ == "__main__":
    sys.exit(main())

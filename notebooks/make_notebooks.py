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


def execute(nb: dict, cwd: Path | str, timeout: int = 600) -> tuple[dict, list[dict]]:
    """Run ``nb`` top to bottom in a fresh python3 kernel started in ``cwd``.

    Returns the executed notebook (a plain dictionary) and the figure problems found
    (:data:`FIGURE_CHECK`). A cell that raises stops the run with
    ``nbclient.exceptions.CellExecutionError``.
    """
    import nbclient
    import nbformat

    node = nbformat.from_dict(json.loads(json.dumps(nb)))
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

plt.rcParams["figure.dpi"] = 72  # modest pictures: the notebook is stored with its figures
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

It also wrote a figure per data set; here is one of them:
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

plt.rcParams["figure.dpi"] = 72  # modest pictures: the notebook is stored with its figures
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
    path = plotting.trajectory(rules.plain(alpha), X, y, theta0, 200)
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
The panel below redraws the path over the contours for the rule, learning rate, momentum and
number of steps you choose. The momentum slider applies to the heavy-ball, Nesterov and RMSprop
rules; the others ignore it. The title shows the learning rate in units of $1/L$ and the final
gap. A path that runs away is cut where it leaves the picture.

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
                                                step=0.02, description="learning rate",
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


NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_step_sizes_and_momentum.ipynb": STEP_SIZES,
}


if __name__ == "__main__":
    sys.exit(main())

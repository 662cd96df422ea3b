"""The method comparison behind ``graddescent compare`` (computes and writes files, never prints).

For every data set x method x seed, :func:`run_comparison` does R's workflow: split the data
(``split_data(data, train_fraction, seed)``), scale the training part (variance scaling by
default), fit, predict the test part in original units and record:

``test_rmse``, ``train_rmse``
    RMSE of the predictions in the data's original units.
``ols_test_rmse``, ``ratio_to_ols``
    Test RMSE of the exact least-squares fit on the same split (``numpy.linalg.lstsq``), and
    ``test_rmse / ols_test_rmse``: 1 means the method reached the least-squares optimum; below
    1 happens when stopping early acts as regularisation.
``updates``
    How many times the coefficients were updated: one per full-batch, mini-batch or single-row
    step, and one per inner step of the variance-reduced methods (SSGD, SVRG, SARAH,
    SARAHPlus), whose outer loops also each compute one full gradient (not counted). This is
    the engine's step counter ``Optimizer.t`` (``GDRegressor.t_`` in the estimator style).
``seconds``
    Wall time of the fit alone (scaling and learning; not the split nor the prediction), after
    a warm-up fit that compiles the numba kernels (or loads them from numba's cache).

Two styles of settings:

``style="r"`` (default)
    The 14 R learners through :func:`graddescent.learn` with R's defaults (``alpha = 0.1``,
    ``momentum = 0.9``, ``inner_iter = 10``, ...) and ``max_iter`` R iterations (steps, or outer
    loops for the variance-reduced methods). Methods without an R learner (``amsgrad``,
    ``rprop``) run through the same engine with the same settings and starting point
    (``theta0 ~ U(0, 1)``, :func:`graddescent.r_api.initial_theta`).
``style="estimator"``
    :class:`graddescent.GDRegressor` with its defaults (``learning_rate="auto"``, stopping on
    ``tol``) and ``max_iter`` epochs, on the same scaled data.

The loss curve of every fit (the training objective on the scaled data at log-spaced
checkpoints, or per epoch for the estimator) is kept for the figures, with the least-squares
optimum of the same objective. Runs are independent tasks for :class:`joblib.Parallel`, so any
joblib backend (processes, or a Dask cluster through ``joblib.parallel_config("dask")``) can
run the grid.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import objective as O
from ._registry import METHODS, Method, get_method
from ._validation import split_xy
from .drivers import DivergenceError, Optimizer
from .metrics import rmse
from .preprocessing import split_data
from .r_api import (
    CONTROL_DEFAULTS,
    SCALING_METHODS,
    GradDescentModel,
    initial_theta,
    learn,
    predict,
)

__all__ = [
    "CompareSettings",
    "Comparison",
    "FitOutcome",
    "RESULT_COLUMNS",
    "SCALINGS",
    "STYLES",
    "fit_method",
    "load_dataset",
    "original_coefficients",
    "run_comparison",
    "summarize",
    "to_markdown",
    "write_outputs",
]

#: ``--scaling`` choices -> the R ``scaling_method`` (None: no scaling).
SCALINGS: dict[str, str | None] = {"variance": "VARIANCE", "minmax": "MINMAX", "none": None}
#: ``--style`` choices.
STYLES = ("r", "estimator")
#: R iterations of the default R-style run.
DEFAULT_MAX_ITER = 1000
#: Number of seeds (1, 2, ...) of the default run.
DEFAULT_N_SEEDS = 5
#: Columns of ``results.csv``, in order.
RESULT_COLUMNS = ("dataset", "method", "r_name", "style", "seed", "status", "test_rmse",
                  "train_rmse", "ols_test_rmse", "ratio_to_ols", "updates", "seconds",
                  "max_iter", "scaling", "n_train", "n_test", "message")
_N_CHECKPOINTS = 40


@dataclasses.dataclass(frozen=True)
class CompareSettings:
    """What to compare and how.

    Attributes
    ----------
    datasets : tuple of str
        Built-in data set names (:data:`graddescent.datasets.DATASETS`) or CSV paths.
    methods : tuple of str
        Method names (lower-case or R names); default every method of the registry.
    seeds : tuple of int
        One split and fit per seed.
    max_iter : int or None
        R style: R iterations (default 1000); estimator style: epochs (default: GDRegressor's).
    scaling : {"variance", "minmax", "none"}
    style : {"r", "estimator"}
    train_fraction : float
        Fraction of the rows in the training part.
    learning_rate : float or None
        R style: ``alpha`` (None: R's 0.1); estimator style: ``learning_rate`` (None: "auto").
    n_jobs : int or None
        Parallel tasks for :class:`joblib.Parallel` (None: the active joblib configuration).
    """

    datasets: tuple[str, ...] = ()
    methods: tuple[str, ...] = tuple(METHODS)
    seeds: tuple[int, ...] = tuple(range(1, DEFAULT_N_SEEDS + 1))
    max_iter: int | None = None
    scaling: str = "variance"
    style: str = "r"
    train_fraction: float = 0.8
    learning_rate: float | None = None
    n_jobs: int | None = 1

    def __post_init__(self) -> None:
        if not self.datasets:
            from .datasets import DATASETS

            object.__setattr__(self, "datasets", tuple(DATASETS))
        object.__setattr__(self, "methods",
                           tuple(get_method(m).name for m in self.methods))
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {sorted(SCALINGS)}, got {self.scaling!r}.")
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {self.style!r}.")
        if not self.seeds:
            raise ValueError("give at least one seed.")
        if self.max_iter is not None and int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be at least 1, got {self.max_iter!r}.")
        if not 0.0 < float(self.train_fraction) < 1.0:
            raise ValueError(f"train_fraction must lie in (0, 1), got {self.train_fraction!r}.")
        if self.learning_rate is not None and not float(self.learning_rate) > 0.0:
            raise ValueError(f"the learning rate must be > 0, got {self.learning_rate!r}.")

    @property
    def resolved_max_iter(self) -> int | None:
        """``max_iter`` with the style's default filled in (None: GDRegressor's own)."""
        if self.max_iter is not None:
            return int(self.max_iter)
        return DEFAULT_MAX_ITER if self.style == "r" else None


@dataclasses.dataclass
class FitOutcome:
    """One fit of :func:`fit_method`.

    Attributes
    ----------
    model : GradDescentModel
        Usable with :func:`graddescent.predict` (original units).
    seconds : float
        Wall time of scaling and learning.
    updates : int
        Coefficient updates (see the module documentation).
    curve_x, curve_f : ndarray
        Checkpoints (R iterations, or epochs) and the training objective there (scaled data).
    optimum : float
        Least-squares minimum of the same objective.
    """

    model: GradDescentModel
    seconds: float
    updates: int
    curve_x: np.ndarray
    curve_f: np.ndarray
    optimum: float


def load_dataset(spec: str) -> tuple[str, pd.DataFrame]:
    """A data set by built-in name or CSV path: ``(name, frame)`` with the output last.

    Raises
    ------
    FileNotFoundError, ValueError
        For an unknown name, a missing file or a file that is not all-numeric (one line).
    """
    from .datasets import DATASETS, load_csv

    if spec in DATASETS:
        return spec, DATASETS[spec]()
    path = Path(spec)
    if path.suffix.lower() == ".csv" or path.exists():
        return path.stem, load_csv(path)
    raise ValueError(f"unknown data set {spec!r}: use a CSV path or one of "
                     f"{', '.join(DATASETS)}.")


def _checkpoints(max_iter: int) -> np.ndarray:
    grid = np.unique(np.round(np.geomspace(1, max(max_iter, 1), _N_CHECKPOINTS)).astype(int))
    return grid[grid <= max_iter]


def _r_args(method: Method, max_iter: int, alpha: float | None) -> dict[str, Any]:
    """The arguments ``learn`` would give the method's learner, R-named, without the seed."""
    control = dict(CONTROL_DEFAULTS, max_iter=max_iter)
    if alpha is not None:
        control["alpha"] = float(alpha)
    return {k: v for k, v in control.items() if k in method.r_args}


def _engine(method: Method, X: np.ndarray, y: np.ndarray, args: dict[str, Any],
            seed: int, checkpoints: np.ndarray | None):
    """Run ``method`` as its R learner would; optionally record the objective at checkpoints."""
    glossary = method.glossary(args)
    theta0 = initial_theta(X.shape[1] + 1, seed)
    opt = Optimizer(method.make_rule(**glossary), method.make_driver(**glossary), theta0,
                    X.shape[0])
    rng = np.random.default_rng(seed)
    if checkpoints is None:
        opt.run(X, y, args["max_iter"], rng)
        return opt, np.empty(0), np.empty(0)
    values, done = [O.objective(X, y, opt.theta)], 0
    for c in checkpoints:
        opt.run(X, y, int(c) - done, rng)
        done = int(c)
        values.append(O.objective(X, y, opt.theta))
    return opt, np.concatenate([[0], checkpoints]).astype(float), np.asarray(values)


def _scale(train: pd.DataFrame, scaling: str):
    key = SCALINGS[scaling]
    if key is None:
        return train, None, "VARIANCE"
    scaled, params = SCALING_METHODS[key](train)
    return scaled, params, key


def fit_method(train: pd.DataFrame, method: str, seed: int, *, style: str = "r",
               max_iter: int | None = None, scaling: str = "variance",
               learning_rate: float | None = None, record_curve: bool = True) -> FitOutcome:
    """Scale ``train`` and fit one method the way ``graddescent compare`` does.

    Parameters
    ----------
    train : DataFrame
        Training data, numbers only, output last, original units.
    method : str
        Lower-case or R name of a :data:`graddescent.METHODS` entry.
    seed : int
        Seed of theta0 and of the row sampling.
    style : {"r", "estimator"}
        R's learner and defaults, or :class:`graddescent.GDRegressor` with its defaults.
    max_iter : int or None
        R iterations (R style, default 1000) or epochs (estimator style, default its own).
    scaling : {"variance", "minmax", "none"}
    learning_rate : float or None
        ``alpha`` (R style) or ``learning_rate`` (estimator); None keeps the style's default.
    record_curve : bool
        Also record the training objective along the way (R style: a second, untimed run of
        the same fit through the engine, checkpointed).

    Returns
    -------
    FitOutcome

    Raises
    ------
    graddescent.DivergenceError
        When the fit overflows.
    """
    m = get_method(method)
    start = time.perf_counter()
    scaled, params, key = _scale(train, scaling)
    X, y, _ = split_xy(scaled, "data_train")
    prep = time.perf_counter() - start  # learn() scales inside its own timing
    columns = list(train.columns)
    settings: dict[str, Any]
    if style == "estimator":
        from .estimator import GDRegressor

        kwargs: dict[str, Any] = {"method": m.name, "random_state": seed}
        if max_iter is not None:
            kwargs["max_iter"] = int(max_iter)
        if learning_rate is not None:
            kwargs["learning_rate"] = float(learning_rate)
        est = GDRegressor(**kwargs)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning when max_iter is reached
            est.fit(X, y)
        seconds = prep + time.perf_counter() - start
        theta = np.concatenate([[est.intercept_], est.coef_])
        updates = int(est.t_)
        curve_f = np.asarray(est.loss_curve_, dtype=float)
        curve_x = np.arange(1, curve_f.shape[0] + 1, dtype=float)
        settings = est.get_params()
    else:
        iters = DEFAULT_MAX_ITER if max_iter is None else int(max_iter)
        args = _r_args(m, iters, learning_rate)
        settings = dict(args)
        start = time.perf_counter()
        if m.r_name is not None:  # R's own workflow
            control = {k: v for k, v in args.items() if k != "seed"}
            fitted = learn(train, feature_scaling=params is not None, scaling_method=key,
                           learning_method=m.r_name, control=control, seed=seed)
            theta = fitted.model
        else:  # no R learner: the same engine, settings and starting point
            opt, _, _ = _engine(m, X, y, args, seed, None)
            theta = opt.theta.copy()
            start -= prep
        seconds = time.perf_counter() - start
        curve_x = curve_f = np.empty(0)
        updates = int(opt.t) if m.r_name is None else -1
        if record_curve or m.r_name is not None:  # replay: learn() does not report its steps
            opt, curve_x, curve_f = _engine(m, X, y, args, seed,
                                            _checkpoints(iters) if record_curve else None)
            updates = int(opt.t)
    model = GradDescentModel(params is not None, key, params, m.r_name or m.name,
                             np.asarray(theta, dtype=float), settings, columns)
    optimum = float(O.objective(X, y, O.least_squares(X, y)))
    return FitOutcome(model, seconds, updates, curve_x, curve_f, optimum)


def original_coefficients(model: GradDescentModel) -> tuple[float, np.ndarray]:
    """``(intercept, coefficients)`` of a model in the data's original units."""
    theta = np.asarray(model.model, dtype=float)
    if not model.feature_scaling:
        return float(theta[0]), theta[1:].copy()
    params = np.asarray(model.scaling_parameter, dtype=float)
    d = theta.shape[0] - 1
    center, spread = params[0, :d], params[1, :d]
    y_center, y_spread = params[0, d], params[1, d]
    coef = y_spread * theta[1:] / spread
    intercept = y_center + y_spread * theta[0] - float(coef @ center)
    return float(intercept), coef


_WARM: set[tuple[str, str]] = set()


def _warm_up(train: pd.DataFrame, method: str, style: str) -> None:
    """Fit once on a few rows so that the timed fit excludes numba's compilation (or loading
    it from the cache), once per method and style in each process."""
    if (method, style) in _WARM:
        return
    _WARM.add((method, style))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit_method(train.iloc[:20], method, 0, style=style, max_iter=2, scaling="none",
                       record_curve=True)
        except (ValueError, FloatingPointError):
            pass


def _task(dataset: str, data: pd.DataFrame, method: str, seed: int,
          settings: CompareSettings, record_curve: bool) -> tuple[dict[str, Any], Any]:
    """One cell of the grid: a row of ``results.csv`` and (optionally) the loss curve."""
    m = METHODS[method]
    row: dict[str, Any] = {
        "dataset": dataset, "method": m.name, "r_name": m.r_name or "", "style": settings.style,
        "seed": seed, "status": "ok", "test_rmse": math.nan, "train_rmse": math.nan,
        "ols_test_rmse": math.nan, "ratio_to_ols": math.nan, "updates": -1,
        "seconds": math.nan, "max_iter": settings.resolved_max_iter or -1,
        "scaling": settings.scaling, "n_train": 0, "n_test": 0, "message": ""}
    curve = None
    try:
        train, test = split_data(data, settings.train_fraction, seed)
        row.update(n_train=len(train), n_test=len(test))
        Xtr, ytr, _ = split_xy(train, "data_train")
        Xte, yte, _ = split_xy(test, "data_test", min_rows=1)
        beta = O.least_squares(Xtr, ytr)
        ols = row["ols_test_rmse"] = rmse(yte, beta[0] + Xte @ beta[1:])
        _warm_up(train, method, settings.style)
        out = fit_method(train, m.name, seed, style=settings.style,
                         max_iter=settings.resolved_max_iter, scaling=settings.scaling,
                         learning_rate=settings.learning_rate, record_curve=record_curve)
        test_pred = predict(out.model, test)["prediction"].to_numpy()
        train_pred = predict(out.model, train)["prediction"].to_numpy()
        if not (np.all(np.isfinite(test_pred)) and np.all(np.isfinite(train_pred))):
            raise DivergenceError("the predictions overflowed")
        row.update(test_rmse=rmse(yte, test_pred), train_rmse=rmse(ytr, train_pred),
                   updates=out.updates, seconds=out.seconds)
        row["ratio_to_ols"] = row["test_rmse"] / ols if ols > 0 else math.nan
        if record_curve:
            curve = (out.curve_x, out.curve_f, out.optimum)
    except DivergenceError as exc:
        row.update(status="diverged", message=str(exc).splitlines()[0])
    except (ValueError, FloatingPointError) as exc:
        row.update(status="error", message=str(exc).splitlines()[0])
    return row, curve


@dataclasses.dataclass
class Comparison:
    """What :func:`run_comparison` returns.

    Attributes
    ----------
    settings : CompareSettings
    results : DataFrame
        One row per data set x method x seed, columns :data:`RESULT_COLUMNS`.
    curves : dict
        ``(dataset, method) -> (x, objective, optimum)`` for the first seed.
    """

    settings: CompareSettings
    results: pd.DataFrame
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, float]]


def run_comparison(settings: CompareSettings,
                   progress: Callable[[int, int], None] | None = None,
                   data: dict[str, pd.DataFrame] | None = None) -> Comparison:
    """Run every data set x method x seed of ``settings``.

    Parameters
    ----------
    settings : CompareSettings
    progress : callable, optional
        Called as ``progress(done, total)`` after each finished task.
    data : dict, optional
        Already loaded frames by data set name (default: :func:`load_dataset` of each entry of
        ``settings.datasets``).

    Returns
    -------
    Comparison
    """
    from joblib import Parallel, delayed

    if data is None:
        data = dict(load_dataset(spec) for spec in settings.datasets)
    first = settings.seeds[0]
    grid = [(name, method, seed) for name in data for method in settings.methods
            for seed in settings.seeds]
    tasks = (delayed(_task)(name, data[name], method, seed, settings, seed == first)
             for name, method, seed in grid)
    rows, curves = [], {}
    if progress is not None:
        progress(0, len(grid))
    parallel = Parallel(n_jobs=settings.n_jobs, return_as="generator")
    for done, (row, curve) in enumerate(parallel(tasks), 1):
        rows.append(row)
        if curve is not None:
            curves[(row["dataset"], row["method"])] = curve
        if progress is not None:
            progress(done, len(grid))
    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return Comparison(settings, results, curves)


def _iqr(values: pd.Series) -> float:
    return float(values.quantile(0.75) - values.quantile(0.25))


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """One row per data set and method: medians over the seeds, spread of the test RMSE.

    Columns: ``dataset, method, runs, failed, test_rmse_median, test_rmse_iqr,
    train_rmse_median, ratio_to_ols_median, updates_median, seconds_median``; within a data set
    the methods are sorted by median test RMSE (failed runs count as worst).
    """
    out = []
    for (dataset, method), group in results.groupby(["dataset", "method"], sort=False):
        ok = group[group["status"] == "ok"]
        out.append({
            "dataset": dataset, "method": method, "runs": len(group),
            "failed": int((group["status"] != "ok").sum()),
            "test_rmse_median": ok["test_rmse"].median() if len(ok) else math.nan,
            "test_rmse_iqr": _iqr(ok["test_rmse"]) if len(ok) else math.nan,
            "train_rmse_median": ok["train_rmse"].median() if len(ok) else math.nan,
            "ratio_to_ols_median": ok["ratio_to_ols"].median() if len(ok) else math.nan,
            "updates_median": ok["updates"].median() if len(ok) else math.nan,
            "seconds_median": ok["seconds"].median() if len(ok) else math.nan,
        })
    table = pd.DataFrame(out)
    if table.empty:
        return table
    order = {name: i for i, name in enumerate(dict.fromkeys(results["dataset"]))}
    table["_d"] = table["dataset"].map(order)
    table["_bad"] = table["failed"] == table["runs"]
    table = table.sort_values(["_d", "_bad", "test_rmse_median"], na_position="last",
                              kind="stable")
    return table.drop(columns=["_d", "_bad"]).reset_index(drop=True)


def _fmt(value: float, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}g}"


def table_rows(summary: pd.DataFrame, dataset: str) -> tuple[list[str], list[list[str]]]:
    """Header and formatted cells of one data set's table (for the terminal and Markdown)."""
    header = ["method", "test RMSE", "IQR", "train RMSE", "/ OLS", "updates", "seconds"]
    rows = []
    for _, r in summary[summary["dataset"] == dataset].iterrows():
        name = r["method"]
        r_name = METHODS[name].r_name
        label = f"{name} ({r_name})" if r_name else name
        if r["failed"]:
            label += f" [{r['failed']}/{r['runs']} failed]"
        updates = "-" if math.isnan(r["updates_median"]) else f"{int(r['updates_median']):d}"
        ratio = "-" if math.isnan(r["ratio_to_ols_median"]) else f"{r['ratio_to_ols_median']:.3f}"
        seconds = _fmt(r["seconds_median"], 2)
        rows.append([label, _fmt(r["test_rmse_median"]), _fmt(r["test_rmse_iqr"], 2),
                     _fmt(r["train_rmse_median"]), ratio, updates, seconds])
    return header, rows


def _describe(settings: CompareSettings, results: pd.DataFrame) -> str:
    if settings.style == "r":
        how = (f"R-style learners with R's defaults (alpha = "
               f"{settings.learning_rate or CONTROL_DEFAULTS['alpha']}), max_iter = "
               f"{settings.resolved_max_iter} R iterations")
    else:
        how = ("GDRegressor with its defaults"
               + (f", max_iter = {settings.max_iter} epochs" if settings.max_iter else ""))
    seeds = ", ".join(str(s) for s in settings.seeds)
    k = len(settings.seeds)
    return (f"{how}; {settings.scaling} scaling; {int(settings.train_fraction * 100)} % of the "
            f"rows for training; seed{'s' * (k > 1)} {seeds} ({k} random split"
            f"{'s' * (k > 1)} and fit{'s' * (k > 1)} per method).")


def to_markdown(comparison: Comparison, figures: dict[str, list[str]] | None = None) -> str:
    """The Markdown report: settings, one table per data set, the figures, the definitions."""
    summary = summarize(comparison.results)
    lines = ["# graddescent compare", "", _describe(comparison.settings, comparison.results), ""]
    for dataset in dict.fromkeys(comparison.results["dataset"]):
        sub = comparison.results[comparison.results["dataset"] == dataset].iloc[0]
        lines += [f"## {dataset} ({sub['n_train']} training rows, {sub['n_test']} test rows)", ""]
        header, rows = table_rows(summary, dataset)
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
        for fig in (figures or {}).get(dataset, []):
            what = "loss curves" if fig.endswith("_loss_curves.png") else "test RMSE per method"
            lines += [f"![{dataset}: {what}]({fig})", ""]
    lines += [
        "Columns: medians over the seeds. *test RMSE* and *train RMSE* are in the output's "
        "original units; *IQR* is the interquartile range of the test RMSE over the seeds; "
        "*/ OLS* is the test RMSE divided by the exact least-squares fit's on the same split "
        "(1 = the least-squares optimum); *updates* counts coefficient updates (steps, and inner "
        "steps of SSGD, SVRG, SARAH and SARAHPlus); *seconds* is the fit's wall time. Every run "
        "is a row of `results.csv`.", ""]
    return "\n".join(lines)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _loss_curve_figure(comparison: Comparison, dataset: str,
                       curves: dict[str, tuple[np.ndarray, np.ndarray, float]], n_train: int):
    """Loss curves in two panels: full-gradient iterations, and sampled (stochastic) ones."""
    import matplotlib.pyplot as plt

    from . import plotting

    estimator = comparison.settings.style == "estimator"
    groups: dict[bool, dict[str, Any]] = {False: {}, True: {}}
    for method, curve in curves.items():
        sampled = METHODS[method].make_driver().units_per_epoch(n_train) > 1
        label = f"{method} ({METHODS[method].r_name})" if METHODS[method].r_name else method
        groups[sampled][label] = curve[:2]
    optimum = next(iter(curves.values()))[2]
    panels = [(k, v) for k, v in groups.items() if v]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9.0, 3.6 * len(panels) + 0.6),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    subtitles = {False: "full-gradient methods (full batch, or variance-reduced outer loops "
                        "that start with a full gradient)",
                 True: "sampled-gradient methods (one row or one mini-batch per step)"}
    for ax, (sampled, group) in zip(axes[:, 0], panels, strict=True):
        plotting.plot_loss_curves(group, optimum=optimum, ax=ax, xlabel="",
                                  title=subtitles[sampled])
    axes[-1, 0].set_xlabel("epochs" if estimator else
                           "R iterations (max_iter units: steps; outer loops for SSGD, SVRG, "
                           "SARAH, SARAHPlus)")
    fig.suptitle(f"{dataset}: training objective minus its least-squares minimum "
                 f"(seed {comparison.settings.seeds[0]}, scaled data)", fontsize=11)
    return fig


def write_outputs(comparison: Comparison, out: str | Path, plots: bool = True
                  ) -> dict[str, Path]:
    """Write ``results.csv``, ``report.md`` and (``plots=True``) PNG figures into ``out``.

    Returns
    -------
    dict
        ``"results"``, ``"report"`` and one ``"<dataset>_<figure>"`` entry per PNG -> path.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["results"] = out / "results.csv"
    comparison.results.to_csv(paths["results"], index=False)
    figures: dict[str, list[str]] = {}
    if plots:
        from . import plotting

        for dataset in dict.fromkeys(comparison.results["dataset"]):
            sub = comparison.results[comparison.results["dataset"] == dataset]
            fig = plotting.plot_method_scores(
                sub, title=f"{dataset}: test RMSE relative to least squares, "
                           f"{sub['seed'].nunique()} random split"
                           f"{'s' * (sub['seed'].nunique() > 1)}")
            key = f"{_slug(dataset)}_test_rmse"
            paths[key] = out / f"{key}.png"
            plotting.save(fig, paths[key])
            curves = {m: c for (d, m), c in comparison.curves.items() if d == dataset}
            if curves:
                fig = _loss_curve_figure(comparison, dataset, curves,
                                         int(sub["n_train"].iloc[0]))
                key = f"{_slug(dataset)}_loss_curves"
                paths[key] = out / f"{key}.png"
                plotting.save(fig, paths[key])
            figures[dataset] = [p.name for k, p in paths.items()
                                if k.startswith(_slug(dataset) + "_")]
    paths["report"] = out / "report.md"
    paths["report"].write_text(to_markdown(comparison, figures), encoding="utf-8")
    return paths


def settings_from(datasets: Sequence[str] | None = None, **kwargs: Any) -> CompareSettings:
    """:class:`CompareSettings` with ``datasets=None`` meaning every built-in data set."""
    return CompareSettings(datasets=tuple(datasets or ()), **kwargs)

"""The method comparison behind ``graddescent compare``: it runs the fits and computes the tables.

What a comparison writes (``results.csv``, the Markdown report, the figures) is
:mod:`graddescent.report`'s job; nothing here draws or prints.

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
    The 14 R learners as :func:`graddescent.learn` runs them, with R's defaults (``alpha =
    0.1``, ``momentum = 0.9``, ``inner_iter = 10``, ...) and ``max_iter`` R iterations (steps, or
    outer loops for the variance-reduced methods), through
    :func:`graddescent.r_api.run_learner`. Methods without an R learner (``amsgrad``,
    ``rprop``) run through it too, with the same settings and starting point (``theta0 ~
    U(0, 1)``, :func:`graddescent.r_api.initial_theta`).
``style="estimator"``
    :class:`graddescent.GDRegressor` with its defaults (``learning_rate="auto"``, stopping on
    ``tol``) and ``max_iter`` epochs.

Budgeted comparisons (``budget_epochs`` and/or ``budget_seconds``) run every method as its R-style
learner is set up (R's defaults and starting point) until it has used the same work, in epochs
(``n`` row-gradient evaluations, :mod:`graddescent.budget`) or seconds, with R's learning rate,
the one given, or (``tune=True``) the best of a log grid (:mod:`graddescent.tuning`);
scikit-learn's solvers run beside them as reference rows (:mod:`graddescent.references`). Their
rows also fill ``epochs``, ``learning_rate``, ``rel_subopt`` (final ``(f - f*) / f*`` on the
training rows) and ``status`` (``ok``: converged to ``f*`` before the budget, ``diverged``:
overflowed or ended a millionfold above the starting objective, ``budget reached``);
``kind`` is ``fit`` for the method's reported fit, ``grid`` for the other learning rates tried,
``reference`` for scikit-learn's.

Each fit scales its training data once and runs the engine once. The loss curve of a fit (the
training objective on the scaled data at log-spaced checkpoints of that run, or per epoch for
the estimator) is kept for the figures, with the least-squares optimum of the same objective.
Runs are independent tasks for :class:`joblib.Parallel`, so any joblib backend (processes, or a
Dask cluster through ``joblib.parallel_config("dask")``) can run the grid.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import objective as O
from ._registry import METHODS, Method, get_method
from ._validation import (
    BUDGET_ROW_COST,
    ITERATION_COST,
    check_interval,
    check_iterations,
    check_positive,
    check_work,
    split_xy,
)
from .budget import Budget, Trace, relative_suboptimality, run_budgeted
from .drivers import DivergenceError
from .metrics import rmse
from .preprocessing import split_data
from .r_api import CONTROL_DEFAULTS, SCALING_METHODS, GradDescentModel, predict, run_learner
from .references import REFERENCES, run_reference
from .tuning import tune

__all__ = [
    "CompareSettings",
    "Comparison",
    "FitOutcome",
    "RESULT_COLUMNS",
    "SCALINGS",
    "STYLES",
    "fit_method",
    "far_from_least_squares",
    "load_dataset",
    "load_datasets",
    "original_coefficients",
    "run_comparison",
    "summarize",
]

#: ``--scaling`` choices -> the R ``scaling_method`` (None: no scaling).
SCALINGS: dict[str, str | None] = {"variance": "VARIANCE", "minmax": "MINMAX", "none": None}
#: ``--style`` choices.
STYLES = ("r", "estimator")
#: R iterations of the default R-style run.
DEFAULT_MAX_ITER = 1000
#: Number of seeds (1, 2, ...) of the default run.
DEFAULT_N_SEEDS = 5
#: The most seeds one comparison may run.
MAX_SEEDS = 10_000
#: Columns of ``results.csv``, in order.
RESULT_COLUMNS = ("dataset", "method", "r_name", "style", "seed", "status", "test_rmse",
                  "train_rmse", "ols_test_rmse", "ratio_to_ols", "updates", "seconds",
                  "max_iter", "scaling", "n_train", "n_test", "message", "kind", "epochs",
                  "learning_rate", "rel_subopt", "budget")
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
    budget_epochs, budget_seconds : float or None
        Run every method until it has used this many epochs or seconds (R style only; the
        figures then show relative suboptimality against epochs and seconds).
    tune : bool
        With a budget: pick each method's learning rate on a log grid
        (:func:`graddescent.tuning.tune`).
    references : tuple of str
        With a budget: scikit-learn reference rows (:data:`graddescent.references.REFERENCES`).
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
    budget_epochs: float | None = None
    budget_seconds: float | None = None
    tune: bool = False
    references: tuple[str, ...] = tuple(REFERENCES)

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
        if len(self.seeds) > MAX_SEEDS:
            raise ValueError(f"seeds holds {len(self.seeds)} seeds; at most {MAX_SEEDS}.")
        if self.max_iter is not None:
            check_iterations("max_iter", self.max_iter)
        check_interval("train_fraction", self.train_fraction, 0.0, 1.0, closed="neither")
        if self.learning_rate is not None:
            check_positive("learning_rate", self.learning_rate)
        unknown = set(self.references) - set(REFERENCES)
        if unknown:
            raise ValueError(f"unknown reference(s) {sorted(unknown)}; known: "
                             f"{', '.join(REFERENCES)}.")
        if self.budget is not None and self.style != "r":
            raise ValueError("budgets run the methods as their R-style learners are set up; "
                             "use style='r' with budget_epochs or budget_seconds.")
        if self.tune and self.budget is None:
            raise ValueError("tune needs a budget (budget_epochs or budget_seconds): every "
                             "learning rate of the grid runs within it.")

    @property
    def budget(self) -> Budget | None:
        """The :class:`~graddescent.budget.Budget` of a budgeted comparison, else None."""
        if self.budget_epochs is None and self.budget_seconds is None:
            return None
        return Budget(self.budget_epochs, self.budget_seconds)

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
    warnings : list of str
        What the fit warned about (e.g. a ConvergenceWarning), one line each.
    """

    model: GradDescentModel
    seconds: float
    updates: int
    curve_x: np.ndarray
    curve_f: np.ndarray
    optimum: float
    warnings: list[str] = dataclasses.field(default_factory=list)


def load_dataset(spec: str, sep: str = ",") -> tuple[str, pd.DataFrame]:
    """A data set by built-in name or CSV path: ``(name, frame)`` with the output last.

    A path's name is its file name without ``.csv``; :func:`load_datasets` makes the names of
    several data sets distinct. ``sep`` is the CSV files' separator.

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
        return path.stem, load_csv(path, sep=sep)
    raise ValueError(f"unknown data set {spec!r}: use a CSV path or one of "
                     f"{', '.join(DATASETS)}.")


def load_datasets(specs: tuple[str, ...] | list[str], sep: str = ","
                  ) -> dict[str, pd.DataFrame]:
    """Several data sets (:func:`load_dataset`), each under its own name.

    A file is named by its file name without ``.csv``, unless another data set has that name
    (a built-in set, or a file of the same name in another folder): then by its path as given
    (made absolute if still ambiguous). The same file or built-in set given twice is refused.
    """
    from .datasets import DATASETS

    loaded, seen = [], {}
    for spec in specs:
        name, frame = load_dataset(spec, sep)
        key = spec if spec in DATASETS else str(Path(spec).resolve())
        if key in seen:
            raise ValueError(f"the data set {spec!r} is given twice (as {seen[key]!r} too).")
        seen[key] = spec
        loaded.append((spec, name, frame))
    counts: dict[str, int] = {}
    for _, name, _ in loaded:
        counts[name] = counts.get(name, 0) + 1
    out: dict[str, pd.DataFrame] = {}
    for spec, name, frame in loaded:
        if counts[name] > 1 and spec not in DATASETS:
            name = spec if spec not in out and spec not in counts else str(Path(spec).resolve())
        out[name] = frame
    return out


#: A printed fit whose training RMSE exceeds the least-squares one by more than this fraction
#: (of the least-squares RMSE, or of the output's spread when that is 0) is flagged.
FAR_FROM_LEAST_SQUARES = 0.05


def far_from_least_squares(rmse_fit: float, rmse_ols: float, y_spread: float,
                           what: str = "training RMSE") -> str:
    """A one-line warning when a fit's ``what`` is far above the exact least-squares one on
    the same rows (more than ``FAR_FROM_LEAST_SQUARES`` of it, or of ``y_spread`` when
    least squares fits exactly), else ``""``."""
    if not math.isfinite(rmse_fit):
        return f"the fit's {what} is not finite: its coefficients are not usable."
    excess = rmse_fit - rmse_ols
    if excess <= FAR_FROM_LEAST_SQUARES * max(rmse_ols, 1e-9 * y_spread, 1e-300):
        return ""
    how = (f"{rmse_fit / rmse_ols:.3g} times" if rmse_ols > 1e-9 * y_spread
           else f"{excess:.3g} above")
    return (f"the fit's {what} {rmse_fit:.6g} is {how} the exact least-squares {what} "
            f"{rmse_ols:.6g}: these coefficients are far from the least-squares solution "
            f"(the method has not converged).")


def _checkpoints(max_iter: int) -> np.ndarray:
    grid = np.unique(np.round(np.geomspace(1, max(max_iter, 1), _N_CHECKPOINTS)).astype(int))
    return grid[grid <= max_iter]


def _r_args(method: Method, max_iter: int, alpha: float | None) -> dict[str, Any]:
    """The arguments ``learn`` would give the method's learner, R-named, without the seed."""
    control = dict(CONTROL_DEFAULTS, max_iter=max_iter)
    if alpha is not None:
        control["alpha"] = float(alpha)
    return {k: v for k, v in control.items() if k in method.r_args}


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
        Also record the training objective along the way (R style: at log-spaced checkpoints of
        the same run, untimed; the estimator records its loss curve anyway).

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
    prep = time.perf_counter() - start
    if style == "estimator":
        fit = _fit_estimator(m, X, y, seed, max_iter, learning_rate)
    else:
        fit = _fit_r(m, scaled, X, y, seed, max_iter, learning_rate, record_curve)
    theta, updates, seconds, curve_x, curve_f, settings, *said = fit
    model = GradDescentModel(params is not None, key, params, m.r_name or m.name,
                             np.asarray(theta, dtype=float), settings, list(train.columns))
    optimum = O.objective_value(X, y, O.least_squares(X, y))
    return FitOutcome(model, prep + seconds, updates, curve_x, curve_f, optimum,
                      list(said[0]) if said else [])


def _fit_r(m: Method, scaled: pd.DataFrame, X: np.ndarray, y: np.ndarray, seed: int,
           max_iter: int | None, learning_rate: float | None, record_curve: bool):
    """The R style: ``run_learner`` once, the objective recorded at checkpoints (untimed)."""
    iters = DEFAULT_MAX_ITER if max_iter is None else int(max_iter)
    args = _r_args(m, iters, learning_rate)
    values: list[float] = []
    paused = 0.0

    def record(opt) -> None:
        nonlocal paused
        begin = time.perf_counter()
        values.append(O.objective_value(X, y, opt.theta))
        paused += time.perf_counter() - begin

    checkpoints = np.concatenate([[0], _checkpoints(iters)]) if record_curve else np.empty(0)
    start = time.perf_counter()
    opt = run_learner(m.name, scaled, {**args, "seed": seed}, checkpoints=checkpoints,
                      on_checkpoint=record)
    seconds = time.perf_counter() - start - paused
    return (opt.theta, int(opt.t), seconds, checkpoints.astype(float), np.asarray(values),
            dict(args))


def _fit_estimator(m: Method, X: np.ndarray, y: np.ndarray, seed: int, max_iter: int | None,
                   learning_rate: float | None):
    """The estimator style: GDRegressor with its defaults; its loss curve is per epoch."""
    from .estimator import GDRegressor

    kwargs: dict[str, Any] = {"method": m.name, "random_state": seed}
    if max_iter is not None:
        kwargs["max_iter"] = int(max_iter)
    if learning_rate is not None:
        kwargs["learning_rate"] = float(learning_rate)
    est = GDRegressor(**kwargs)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # kept (a ConvergenceWarning) for the caller to show
        est.fit(X, y)
    seconds = time.perf_counter() - start
    curve_f = np.asarray(est.loss_curve_, dtype=float)
    said = list(dict.fromkeys(str(w.message).splitlines()[0] for w in caught))
    return (np.concatenate([[est.intercept_], est.coef_]), int(est.t_), seconds,
            np.arange(1, curve_f.shape[0] + 1, dtype=float), curve_f, est.get_params(), said)


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


def _new_row(dataset: str, method: str, r_name: str, seed: int, settings: CompareSettings,
             **values: Any) -> dict[str, Any]:
    """A row of ``results.csv`` with nothing measured yet, ``values`` filled in."""
    row: dict[str, Any] = {
        "dataset": dataset, "method": method, "r_name": r_name, "style": settings.style,
        "seed": seed, "status": "ok", "test_rmse": math.nan, "train_rmse": math.nan,
        "ols_test_rmse": math.nan, "ratio_to_ols": math.nan, "updates": -1,
        "seconds": math.nan, "max_iter": -1, "scaling": settings.scaling, "n_train": 0,
        "n_test": 0, "message": "", "kind": "fit", "epochs": math.nan,
        "learning_rate": math.nan, "rel_subopt": math.nan, "budget": ""}
    row.update(values)
    return row


def _split(data: pd.DataFrame, settings: CompareSettings, seed: int, row: dict[str, Any]):
    """R's split of ``data``; fills the row's sizes and the least-squares test RMSE."""
    train, test = split_data(data, settings.train_fraction, seed)
    row.update(n_train=len(train), n_test=len(test))
    Xtr, ytr, _ = split_xy(train, "data_train")
    Xte, yte, _ = split_xy(test, "data_test", min_rows=1)
    beta = O.least_squares(Xtr, ytr)
    row["ols_test_rmse"] = rmse(yte, beta[0] + Xte @ beta[1:])
    return train, test, Xtr, ytr, Xte, yte


def _task(dataset: str, data: pd.DataFrame, method: str, seed: int,
          settings: CompareSettings, record_curve: bool) -> tuple[list[dict[str, Any]], Any, None]:
    """One cell of the grid: a row of ``results.csv`` and (optionally) the loss curve."""
    m = METHODS[method]
    row = _new_row(dataset, m.name, m.r_name or "", seed, settings,
                   max_iter=settings.resolved_max_iter or -1,
                   learning_rate=_learning_rate(m, settings))
    curve = None
    try:
        train, test, Xtr, ytr, Xte, yte = _split(data, settings, seed, row)
        ols = row["ols_test_rmse"]
        _warm_up(train, method, settings.style)
        out = fit_method(train, m.name, seed, style=settings.style,
                         max_iter=settings.resolved_max_iter, scaling=settings.scaling,
                         learning_rate=settings.learning_rate, record_curve=record_curve)
        test_pred = predict(out.model, test)["prediction"].to_numpy()
        train_pred = predict(out.model, train)["prediction"].to_numpy()
        if not (np.all(np.isfinite(test_pred)) and np.all(np.isfinite(train_pred))):
            raise DivergenceError("the predictions overflowed")
        row.update(test_rmse=rmse(yte, test_pred), train_rmse=rmse(ytr, train_pred),
                   updates=out.updates, seconds=out.seconds, message="; ".join(out.warnings))
        row["ratio_to_ols"] = row["test_rmse"] / ols if ols > 0 else math.nan
        if record_curve:
            curve = (out.curve_x, out.curve_f, out.optimum)
    except DivergenceError as exc:
        row.update(status="diverged", message=str(exc).splitlines()[0])
    except (ValueError, FloatingPointError) as exc:
        row.update(status="error", message=str(exc).splitlines()[0])
    return [row], curve, None


def _learning_rate(m: Method, settings: CompareSettings) -> float:
    """The learning rate a fit is given (R style: ``alpha``; NaN when it has none or the
    estimator picks it)."""
    if settings.learning_rate is not None:
        return float(settings.learning_rate)
    if settings.style == "r" and "alpha" in m.r_args:
        return float(m.r_args["alpha"])
    return math.nan


_WARM_BUDGET: set[str] = set()


def _warm_up_budget(X: np.ndarray, y: np.ndarray, method: str) -> None:
    """One budgeted fit on a few rows per method and process: numba's compilation (or its
    cache load) stays out of the timings."""
    if method in _WARM_BUDGET or method in REFERENCES:
        return
    _WARM_BUDGET.add(method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # chunks of 3/4 epoch: single steps, chunks within an epoch and across its end
            run_budgeted(method, X[:20], y[:20], 0, Budget(epochs=3.0, n_points=4))
        except (ValueError, FloatingPointError):
            pass


def _budget_rows(base: dict[str, Any], trace: Trace, kind: str, optimum: float, model_args,
                 train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """A row of ``results.csv`` for one budgeted run."""
    row = dict(base, kind=kind, status=trace.status, message=trace.message,
               learning_rate=trace.learning_rate, updates=trace.updates,
               seconds=float(trace.seconds[-1]), epochs=float(trace.epochs[-1]))
    if trace.status == "diverged":
        return row
    row["rel_subopt"] = float(relative_suboptimality(trace.final_objective, optimum,
                                                     trace.scale))
    model = GradDescentModel(*model_args[:4], np.asarray(trace.theta, dtype=float),
                             {"learning_rate": trace.learning_rate}, model_args[4])
    test_pred = predict(model, test)["prediction"].to_numpy()
    train_pred = predict(model, train)["prediction"].to_numpy()
    if np.all(np.isfinite(test_pred)) and np.all(np.isfinite(train_pred)):
        row.update(test_rmse=rmse(test.iloc[:, -1].to_numpy(float), test_pred),
                   train_rmse=rmse(train.iloc[:, -1].to_numpy(float), train_pred))
        ols = row["ols_test_rmse"]
        row["ratio_to_ols"] = row["test_rmse"] / ols if ols > 0 else math.nan
    return row


def _budget_task(dataset: str, data: pd.DataFrame, method: str, seed: int,
                 settings: CompareSettings, record_curve: bool):
    """One budgeted cell of the grid: its rows (the fit, and the grid when tuned), the first
    seed's curve, and ``(optimum, trace)`` of the reported fit."""
    budget = settings.budget
    reference = method in REFERENCES
    m = None if reference else METHODS[method]
    base = _new_row(dataset, method, "" if reference else (m.r_name or ""), seed, settings,
                    kind="reference" if reference else "fit", budget=budget.describe())
    try:
        train, test = _split(data, settings, seed, base)[:2]
        scaled, params, key = _scale(train, settings.scaling)
        X, y, _ = split_xy(scaled, "data_train")
        optimum = O.objective_value(X, y, O.least_squares(X, y))
        _warm_up_budget(X, y, method)
        if reference:
            best = run_reference(method, X, y, seed, budget)
            grid = [best]
        elif settings.tune and "alpha" in m.r_args:
            best, grid = tune(m.name, X, y, seed, budget, optimum,
                              settings.learning_rate or float(m.r_args["alpha"]))
        else:
            best = run_budgeted(m.name, X, y, seed, budget,
                                learning_rate=settings.learning_rate, optimum=optimum)
            grid = [best]
    except (ValueError, FloatingPointError) as exc:
        return [dict(base, status="error", message=str(exc).splitlines()[0])], None, None
    model_args = (params is not None, key, params, method if reference else (m.r_name or m.name),
                  list(train.columns))
    rows = [_budget_rows(base, trace, base["kind"] if trace is best else "grid", optimum,
                         model_args, train, test) for trace in grid]
    curve = None
    if record_curve and np.isfinite(best.epochs).all():
        curve = (best.epochs, best.objective, optimum)
    return rows, curve, (optimum, best)


@dataclasses.dataclass
class Comparison:
    """What :func:`run_comparison` returns.

    Attributes
    ----------
    settings : CompareSettings
    results : DataFrame
        One row per data set x method x seed, columns :data:`RESULT_COLUMNS`.
    curves : dict
        ``(dataset, method) -> (x, objective, optimum)`` for the first seed (budgeted: x in
        epochs).
    traces : dict
        Budgeted comparisons: ``(dataset, method) -> [(optimum, Trace), ...]``, the reported
        fit of each seed (:mod:`graddescent.curves` summarises them).
    """

    settings: CompareSettings
    results: pd.DataFrame
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, float]]
    traces: dict[tuple[str, str], list[tuple[float, Trace]]] = dataclasses.field(
        default_factory=dict)


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
        data = load_datasets(settings.datasets)
    check_comparison_work(settings, data)
    first = settings.seeds[0]
    budgeted = settings.budget is not None
    names = settings.methods + (settings.references if budgeted else ())
    grid = [(name, method, seed) for name in data for method in names
            for seed in settings.seeds]
    task = _budget_task if budgeted else _task
    tasks = (delayed(task)(name, data[name], method, seed, settings, seed == first)
             for name, method, seed in grid)
    rows, curves, traces = [], {}, {}
    if progress is not None:
        progress(0, len(grid))
    parallel = Parallel(n_jobs=settings.n_jobs, return_as="generator")
    for done, (task_rows, curve, trace) in enumerate(parallel(tasks), 1):
        rows.extend(task_rows)
        key = (task_rows[0]["dataset"], task_rows[0]["method"])
        if curve is not None:
            curves[key] = curve
        if trace is not None:
            traces.setdefault(key, []).append(trace)
        if progress is not None:
            progress(done, len(grid))
    results = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return Comparison(settings, results, curves, traces)


#: The most seconds the fits of one budgeted comparison may be given in all.
MAX_BUDGET_SECONDS = 3600.0


def check_comparison_work(settings: CompareSettings, data: dict[str, pd.DataFrame]) -> None:
    """Refuse, before any fit, a comparison that asks for more work than one run may use.

    The count is an upper bound: per fit and R iteration or epoch ``3 n`` row gradients (a
    full gradient is ``n``; a variance-reduced outer loop ``n`` plus two per inner step), plus
    ``2 inner_iter`` and the iteration's own cost
    (:data:`graddescent._validation.ITERATION_COST`), or the epoch budget times ``n`` (each
    counted as :data:`graddescent._validation.BUDGET_ROW_COST`), times the learning rates a
    tuned run may try; a time budget may not exceed
    :data:`MAX_BUDGET_SECONDS` in all. Raises a ValueError naming the setting.
    """
    from .tuning import GRID_SIZE, MAX_WIDENINGS

    n_fits = len(settings.seeds) * len(settings.methods)
    tries = GRID_SIZE + MAX_WIDENINGS if settings.tune else 1
    rows = sum(math.ceil(len(frame) * settings.train_fraction) for frame in data.values())
    budget = settings.budget
    if budget is not None:
        if budget.epochs is not None:
            n_runs = (n_fits + len(settings.seeds) * len(settings.references)) * tries
            check_work("budget_epochs", float(budget.epochs) * rows * n_runs * BUDGET_ROW_COST,
                       f"{budget.epochs:g} epochs x {rows} training rows in all x "
                       f"{n_runs} runs, each budgeted row gradient counted as "
                       f"{BUDGET_ROW_COST}")
        if budget.seconds is not None:
            total = float(budget.seconds) * n_fits * len(data) * tries
            if total > MAX_BUDGET_SECONDS:
                raise ValueError(f"budget_seconds asks for about {total:.3g} s of fits in all "
                                 f"({budget.seconds:g} s x {n_fits * len(data) * tries} "
                                 f"fits), more than the {MAX_BUDGET_SECONDS:g} s one "
                                 f"comparison may use; ask for less.")
        return
    iterations = settings.resolved_max_iter
    if iterations is not None:
        per = 3.0 * rows + len(data) * (2 * CONTROL_DEFAULTS["inner_iter"] + ITERATION_COST)
        check_work("max_iter", per * iterations * n_fits,
                   f"{iterations} iterations x {n_fits} fits on {rows} training rows in all")


def _iqr(values: pd.Series) -> float:
    return float(values.quantile(0.75) - values.quantile(0.25))


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """One row per data set and method: medians over the seeds, spread of the test RMSE.

    Columns: ``dataset, method, runs, failed, test_rmse_median, test_rmse_iqr,
    train_rmse_median, ratio_to_ols_median, updates_median, seconds_median``; within a data set
    the methods are sorted by median test RMSE (failed runs count as worst). Budgeted results
    add ``epochs_median, learning_rate_median, rel_subopt_median`` (the tuning grid's other
    rows, ``kind == "grid"``, are left out; "budget reached" is not a failure).
    """
    out = []
    if "kind" in results:
        results = results[results["kind"] != "grid"]
    for (dataset, method), group in results.groupby(["dataset", "method"], sort=False):
        good = group["status"].isin(["ok", "budget reached"])
        ok = group[good]
        extra = {}
        if "kind" in group:
            extra = {f"{c}_median": ok[c].median() if len(ok) else math.nan
                     for c in ("epochs", "learning_rate", "rel_subopt")}
        out.append({
            "dataset": dataset, "method": method, "runs": len(group),
            "failed": int((~good).sum()),
            "test_rmse_median": ok["test_rmse"].median() if len(ok) else math.nan,
            "test_rmse_iqr": _iqr(ok["test_rmse"]) if len(ok) else math.nan,
            "train_rmse_median": ok["train_rmse"].median() if len(ok) else math.nan,
            "ratio_to_ols_median": ok["ratio_to_ols"].median() if len(ok) else math.nan,
            "updates_median": ok["updates"].median() if len(ok) else math.nan,
            "seconds_median": ok["seconds"].median() if len(ok) else math.nan,
            **extra,
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


#: The writers of a comparison, which live in :mod:`graddescent.report` (a layer above).
_IN_REPORT = ("table_rows", "to_markdown", "write_outputs")


def __getattr__(name: str) -> Any:
    # The writers were once served from here too; say where they are rather than import them.
    if name in _IN_REPORT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}: use "
                             f"graddescent.report.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

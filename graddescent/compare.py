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

**The problem** (``problem``, a :class:`graddescent.problems.Problem`: the loss, ``epsilon``, the
penalty, its strength ``alpha``, ``l1_ratio``, ``fit_intercept``; scikit-learn's objective
``1/n sum_i loss_i + alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)``, the intercept never
penalised; the penalty strength ``alpha`` is not R's ``alpha``, the learning rate): every fit
minimises it on the scaled training rows, ``rel_subopt`` is measured against its exact
minimum (:func:`graddescent.references.exact_solution`: least squares, ``Ridge``, ``Lasso``,
``ElasticNet``, or ``Problem.optimum`` for the other losses), and a method that cannot minimise
it (:meth:`Problem.method_problem <graddescent.problems.Problem.method_problem>`: a non-smooth
loss for the variance-reduced drivers, an L1 part for SAG, SARAH+, look-ahead rules and Rprop)
gets a row with status ``refused`` and the reason, as does a reference that cannot run it.
``ols_test_rmse`` and ``ratio_to_ols`` stay the plain least-squares fit's (a penalised or robust
fit may well be above 1 by design).

**Sparse data sets** (:data:`SPARSE_DATASETS`: the flights, a generated problem, a sparse file,
or a :class:`SparseData` given in ``data``) run in both kinds of comparison, R-style and
budgeted, and give the same table, report and figures as dense data: the rows are split as
dense rows are (``graddescent.preprocessing.split_rows``: :func:`graddescent.split_data`'s rows and
order for the same seed), the columns scaled without centring (``variance``: divided by their
standard deviation, R's ``sd``; ``minmax``: by their largest magnitude; the output is centred
and scaled as R scales it; the intercept absorbs the columns' means), every method fits the
CSR rows (the R-style learners through the same optimizer as ``run_learner``'s, so with
``scaling="none"`` a row equals the dense comparison's of the same matrix), and the objective,
``f*``, the least-squares test RMSE and the predictions are computed from the nonzeros: the
matrix is never densified.

**On Dask** (``chunks=k``, budgeted, R style): the training rows are held by Dask in ``k``
chunks and every method runs its distributed driver; the rows then record the communication
``rounds`` (one ``dask.compute`` each: one per step for the full-batch methods) and
``budget_rounds`` is a budget. Methods without a distributed form are refused.

Each fit scales its training data once and runs the engine once. The loss curve of a fit (the
training objective on the scaled data at log-spaced checkpoints of that run, or per epoch for
the estimator) is kept for the figures, with the least-squares optimum of the same objective.
Runs are independent tasks for :class:`joblib.Parallel`, so any joblib backend (processes, or a
Dask cluster through ``joblib.parallel_config("dask")``) can run the grid.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import objective as O
from ._compile_ahead import compile_ahead
from ._registry import METHODS, Method, get_method
from ._sparse import is_sparse
from ._validation import (
    BUDGET_ROW_COST,
    ITERATION_COST,
    check_int,
    check_interval,
    check_iterations,
    check_positive,
    check_work,
    split_xy,
)
from .budget import (
    Budget,
    Trace,
    r_optimizer,
    refusal,
    relative_suboptimality,
    run_budgeted,
    training_objective,
)
from .drivers import DivergenceError
from .metrics import rmse
from .preprocessing import split_data, split_rows
from .problems import Problem
from .r_api import CONTROL_DEFAULTS, SCALING_METHODS, GradDescentModel, predict, run_learner
from .references import (
    DASK_REFERENCES,
    REFERENCES,
    dask_normal_equations,
    exact_solution,
    reference_refusal,
    run_reference,
)
from .tuning import tune

__all__ = [
    "CompareSettings",
    "Comparison",
    "FitOutcome",
    "RESULT_COLUMNS",
    "SCALINGS",
    "SPARSE_DATASETS",
    "SPARSE_SUFFIXES",
    "STATUS_REFUSED",
    "STYLES",
    "SparseData",
    "describe_problem",
    "uses_l1_ratio",
    "fit_method",
    "far_from_least_squares",
    "load_dataset",
    "load_datasets",
    "load_sparse_file",
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
                  "learning_rate", "rel_subopt", "budget", "rounds", "problem")
#: Status of a method (or reference) that cannot minimise the comparison's problem.
STATUS_REFUSED = "refused"
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
    problem : graddescent.problems.Problem or None
        What every fit minimises (None: least squares; see the module documentation).
    chunks : int or None
        With a budget: hold the training rows in Dask in this many chunks and run the
        methods' distributed drivers (R style).
    budget_rounds : int or None
        With ``chunks``: run every method for this many communication rounds. On Dask data the
        reference row is the exact answer there
        (:data:`graddescent.references.DASK_REFERENCES`: the normal equations in one round),
        scikit-learn's solvers running in memory.
    compile_jobs : int or None
        When numba's cache is cold, compile the methods' kernels first in this many worker
        processes at once (None: one per core; 1: compile each in turn as its first fit comes),
        for comparisons whose fits run one after the other (``n_jobs=1``) without a budget:
        the first run on an installation then takes a fraction of the time
        (:mod:`graddescent._compile_ahead`). Results do not depend on it.
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
    problem: Problem | None = None
    chunks: int | None = None
    budget_rounds: int | None = None
    compile_jobs: int | None = None

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
        if self.compile_jobs is not None:
            object.__setattr__(self, "compile_jobs", check_int("compile_jobs", self.compile_jobs,
                                                               low=1))
        check_interval("train_fraction", self.train_fraction, 0.0, 1.0, closed="neither")
        if self.learning_rate is not None:
            check_positive("learning_rate", self.learning_rate)
        unknown = set(self.references) - set(REFERENCES)
        if unknown:
            raise ValueError(f"unknown reference(s) {sorted(unknown)}; known: "
                             f"{', '.join(REFERENCES)}.")
        if self.problem is not None and not isinstance(self.problem, Problem):
            raise TypeError(f"problem must be a graddescent.problems.Problem or None, got "
                            f"{type(self.problem).__name__}.")
        if self.budget_rounds is not None and self.chunks is None:
            raise ValueError("budget_rounds counts communication rounds on data held by Dask: "
                             "give chunks too.")
        if self.chunks is not None:
            check_int("chunks", self.chunks, low=1)
            if self.budget is None:
                raise ValueError("chunks must come with a budget (data held by Dask run in "
                                 "budgeted comparisons): give budget_epochs, budget_seconds "
                                 "or budget_rounds.")
            if self.style != "r":
                raise ValueError("chunks must come with style='r' (data held by Dask run the "
                                 "R-style learners).")
        if self.tune and self.budget is None:
            raise ValueError("tune needs a budget (budget_epochs or budget_seconds): every "
                             "learning rate of the grid runs within it.")
        if self.tune and self.style != "r":
            raise ValueError("tune searches the R-style learning rate around R's alpha; the "
                             "estimator style picks its own (learning_rate='auto').")

    @property
    def budget(self) -> Budget | None:
        """The :class:`~graddescent.budget.Budget` of a budgeted comparison, else None."""
        if (self.budget_epochs is None and self.budget_seconds is None
                and self.budget_rounds is None):
            return None
        return Budget(self.budget_epochs, self.budget_seconds, rounds=self.budget_rounds)

    @property
    def problem_label(self) -> str:
        """The problem in words (``""`` for least squares)."""
        return describe_problem(self.problem)

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
    objective : float
        The training objective (scaled data) at the fit's coefficients.
    """

    model: GradDescentModel
    seconds: float
    updates: int
    curve_x: np.ndarray
    curve_f: np.ndarray
    optimum: float
    warnings: list[str] = dataclasses.field(default_factory=list)
    objective: float = math.nan


@dataclasses.dataclass(frozen=True)
class SparseData:
    """A sparse data set: ``X`` a ``scipy.sparse`` matrix (held as a float64 CSR matrix, never
    densified) and the output ``y``; ``len()`` is its number of rows."""

    X: Any
    y: np.ndarray

    def __post_init__(self) -> None:
        if not is_sparse(self.X):
            raise TypeError(f"SparseData.X must be a scipy.sparse matrix, got "
                            f"{type(self.X).__name__}.")
        import scipy.sparse as sp

        y = np.asarray(self.y, dtype=np.float64).reshape(-1)
        if y.shape[0] != self.X.shape[0]:
            raise ValueError(f"SparseData: X has {self.X.shape[0]} rows but y has "
                             f"{y.shape[0]} values.")
        X = self.X if isinstance(self.X, sp.csr_matrix) else sp.csr_matrix(self.X)
        # the kernels read float64 values: other types are converted once, here
        object.__setattr__(self, "X", X if X.dtype == np.float64 else X.astype(np.float64))
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return int(self.X.shape[0])


def _flights() -> SparseData:
    from .datasets import load_flights

    return SparseData(*load_flights(sparse=True))


def _sparse_synthetic() -> SparseData:
    from .datasets import make_sparse_regression

    return SparseData(*make_sparse_regression())


#: Sparse built-in data sets: the 2013 New York flights
#: (:func:`graddescent.datasets.load_flights`, needs the ``data`` extra) and a generated problem
#: (:func:`graddescent.datasets.make_sparse_regression` with its defaults: 20,000 x 2,000, 10
#: values per row).
SPARSE_DATASETS: dict[str, Callable[[], SparseData]] = {
    "flights": _flights, "sparse_synthetic": _sparse_synthetic}


#: File suffixes read as sparse data sets: a ``scipy.sparse.save_npz`` matrix whose last column
#: is the output, or a libsvm (svmlight) file (the output first on each line).
SPARSE_SUFFIXES = (".npz", ".svm", ".libsvm", ".svmlight")


def load_sparse_file(path: str | Path, min_rows: int = 2) -> SparseData:
    """A sparse data file (:data:`SPARSE_SUFFIXES`) as :class:`SparseData`: a
    ``scipy.sparse.save_npz`` matrix whose last column is the output, or a libsvm file
    (``sklearn.datasets.load_svmlight_file``). A one-line ValueError when it cannot be read or
    has fewer than ``min_rows`` rows."""
    from scipy import sparse
    from sklearn.datasets import load_svmlight_file

    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no such file: {str(path)!r}")
    try:
        if p.suffix.lower() == ".npz":
            M = sparse.load_npz(p).tocsr()
            if M.shape[1] < 2:
                raise ValueError(f"{str(path)!r} holds a matrix of {M.shape[1]} column(s): it "
                                 f"needs the inputs and, last, the output")
            X, y = M[:, :-1].tocsr(), M[:, -1].toarray().ravel().astype(np.float64)
        else:
            X, y = load_svmlight_file(str(p))
    except (ValueError, OSError, KeyError) as exc:
        if str(exc).startswith(repr(str(path))):
            raise
        kind = "scipy.sparse .npz" if p.suffix.lower() == ".npz" else "libsvm"
        raise ValueError(f"{str(path)!r} is not a readable {kind} file: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from None
    if X.shape[0] < min_rows:
        raise ValueError(f"{str(path)!r} has {X.shape[0]} row(s); at least {min_rows} are "
                         f"needed")
    return SparseData(X, y)


def load_dataset(spec: str, sep: str = ","):
    """A data set by built-in name or CSV path: ``(name, frame)`` with the output last, or
    ``(name, SparseData)`` for the names of :data:`SPARSE_DATASETS` and for sparse files
    (:data:`SPARSE_SUFFIXES`: ``.npz`` with the output in the last column, or libsvm).

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
    if spec in SPARSE_DATASETS:
        try:
            return spec, SPARSE_DATASETS[spec]()
        except ImportError as exc:
            raise ValueError(f"the data set {spec!r} needs an optional extra: pip install "
                             f"'graddescent[data]' ({exc}).") from None
    path = Path(spec)
    if path.suffix.lower() in SPARSE_SUFFIXES:
        data = load_sparse_file(path, min_rows=3)
        if not (np.isfinite(data.X.data).all() and np.isfinite(data.y).all()):
            raise ValueError(f"{spec!r} holds NaN or infinite values")
        return path.stem, data
    if path.suffix.lower() == ".csv" or path.exists():
        return path.stem, load_csv(path, sep=sep)
    raise ValueError(f"unknown data set {spec!r}: use a CSV path or one of "
                     f"{', '.join([*DATASETS, *SPARSE_DATASETS])}.")


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
        builtin = spec in DATASETS or spec in SPARSE_DATASETS
        key = spec if builtin else str(Path(spec).resolve())
        if key in seen:
            raise ValueError(f"the data set {spec!r} is given twice (as {seen[key]!r} too).")
        seen[key] = spec
        loaded.append((spec, name, frame))
    counts: dict[str, int] = {}
    for _, name, _ in loaded:
        counts[name] = counts.get(name, 0) + 1
    out: dict[str, pd.DataFrame] = {}
    for spec, name, frame in loaded:
        if counts[name] > 1 and spec not in DATASETS and spec not in SPARSE_DATASETS:
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
               learning_rate: float | None = None, record_curve: bool = True,
               problem: Problem | None = None) -> FitOutcome:
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
    problem : graddescent.problems.Problem, optional
        What the fit minimises on the scaled rows (None: least squares, R's learners as they
        are); ``optimum`` is then its exact minimum.

    Returns
    -------
    FitOutcome

    Raises
    ------
    graddescent.DivergenceError
        When the fit overflows.
    ValueError
        For a method that cannot minimise ``problem`` (the message names those that can).
    """
    m = get_method(method)
    start = time.perf_counter()
    scaled, params, key = _scale(train, scaling)
    X, y, _ = split_xy(scaled, "data_train")
    prep = time.perf_counter() - start
    fit = _fit_scaled(m, X, y, seed, style, max_iter, learning_rate, record_curve, problem,
                      scaled)
    theta, updates, seconds, curve_x, curve_f, settings, *said = fit
    model = GradDescentModel(params is not None, key, params, m.r_name or m.name,
                             np.asarray(theta, dtype=float), settings, list(train.columns))
    optimum = _optimum(problem, X, y)
    final = float(training_objective(X, y, problem)(np.asarray(theta, dtype=float)))
    return FitOutcome(model, prep + seconds, updates, curve_x, curve_f, optimum,
                      list(said[0]) if said else [], final)


def _optimum(problem: Problem | None, X, y) -> float:
    """The minimum of the training objective: least squares exactly, or ``problem``'s
    (:func:`graddescent.references.exact_solution`)."""
    if problem is None and not is_sparse(X):
        return O.objective_value(X, y, O.least_squares(X, y))
    return float(training_objective(X, y, problem)(exact_solution(problem, X, y)[0]))


def _fit_scaled(m: Method, X, y: np.ndarray, seed: int, style: str, max_iter: int | None,
                learning_rate: float | None, record_curve: bool, problem: Problem | None,
                scaled: pd.DataFrame | None = None):
    """One fit on scaled training rows ``X`` (dense, or CSR read through its nonzeros), ``y``
    in either style: ``(theta, updates, seconds, curve_x, curve_f, settings[, warnings])``.
    ``scaled`` is the same rows as a frame (output last), which R's learner reads; None for
    sparse rows."""
    if style == "estimator":
        return _fit_estimator(m, X, y, seed, max_iter, learning_rate, problem)
    return _fit_r(m, scaled, X, y, seed, max_iter, learning_rate, record_curve, problem)


def _fit_r(m: Method, scaled: pd.DataFrame | None, X, y: np.ndarray, seed: int,
           max_iter: int | None, learning_rate: float | None, record_curve: bool,
           problem: Problem | None = None):
    """The R style: ``run_learner`` once (with a problem, or on sparse rows that R's learner
    cannot read as a frame: the same learner's optimizer, minimising the problem), the
    objective recorded at checkpoints (untimed)."""
    iters = DEFAULT_MAX_ITER if max_iter is None else int(max_iter)
    args = _r_args(m, iters, learning_rate)
    values: list[float] = []
    paused = 0.0
    objective = training_objective(X, y, problem)

    def record(opt) -> None:
        nonlocal paused
        begin = time.perf_counter()
        values.append(objective(opt.theta))
        paused += time.perf_counter() - begin

    checkpoints = np.concatenate([[0], _checkpoints(iters)]) if record_curve else np.empty(0)
    start = time.perf_counter()
    if problem is None and scaled is not None:
        opt = run_learner(m.name, scaled, {**args, "seed": seed}, checkpoints=checkpoints,
                          on_checkpoint=record)
    else:
        opt = r_optimizer(m.name, X, seed, learning_rate, problem)[0]
        rng = np.random.default_rng(seed)
        for stop in [*checkpoints.astype(int), None]:
            opt.run(X, y, (iters if stop is None else int(stop)) - opt.units, rng)
            if stop is not None:
                record(opt)
    seconds = time.perf_counter() - start - paused
    return (opt.theta, int(opt.t), seconds, checkpoints.astype(float), np.asarray(values),
            dict(args))


def _fit_estimator(m: Method, X: np.ndarray, y: np.ndarray, seed: int, max_iter: int | None,
                   learning_rate: float | None, problem: Problem | None = None):
    """The estimator style: GDRegressor with its defaults; its loss curve is per epoch."""
    from .estimator import GDRegressor

    kwargs: dict[str, Any] = {"method": m.name, "random_state": seed}
    if problem is not None:
        kwargs.update(loss=problem.loss, epsilon=problem.epsilon, penalty=problem.penalty,
                      alpha=problem.alpha, l1_ratio=problem.l1_ratio,
                      fit_intercept=problem.fit_intercept)
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


_WARM: set[tuple] = set()


def _warm_up(key: tuple, fit: Callable[[], Any]) -> None:
    """``fit()`` (a fit on a few rows) once per ``key`` in each process, its warnings and
    errors ignored: the timed fits exclude numba's compilation (or its load from the cache).
    ``key`` names what picks the compiled kernels: the method, the style, dense or sparse
    rows, the problem's kind."""
    if key in _WARM:
        return
    _WARM.add(key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit()
        except (ValueError, FloatingPointError):
            pass


def _problem_kind(problem: Problem | None) -> tuple | None:
    return None if problem is None else (problem.loss, problem.penalty, problem.fit_intercept)


def uses_l1_ratio(spec) -> bool:
    """Whether a penalty (its :class:`~graddescent.problems.PenaltySpec`) depends on
    ``l1_ratio`` (the elastic net's mixing): its ``uses_l1_ratio``."""
    return spec.uses_l1_ratio


def describe_problem(problem: Problem | None) -> str:
    """A problem in words for tables and reports (``""`` for least squares)."""
    if problem is None or problem.is_least_squares:
        return ""
    parts = [problem.loss.replace("_", " ") + " loss"]
    if problem.loss_spec.uses_epsilon:
        parts[0] += f" (epsilon {problem.epsilon:g})"
    if problem.penalty is not None:
        pen = f"{problem.penalty} penalty of strength {problem.alpha:g}"
        if problem.penalty_spec.uses_l1_ratio:
            pen += f" (l1_ratio {problem.l1_ratio:g})"
        parts.append(pen)
    if not problem.fit_intercept:
        parts.append("no intercept")
    return ", ".join(parts)


def _new_row(dataset: str, method: str, r_name: str, seed: int, settings: CompareSettings,
             **values: Any) -> dict[str, Any]:
    """A row of ``results.csv`` with nothing measured yet, ``values`` filled in."""
    row: dict[str, Any] = {
        "dataset": dataset, "method": method, "r_name": r_name, "style": settings.style,
        "seed": seed, "status": "ok", "test_rmse": math.nan, "train_rmse": math.nan,
        "ols_test_rmse": math.nan, "ratio_to_ols": math.nan, "updates": -1,
        "seconds": math.nan, "max_iter": -1, "scaling": settings.scaling, "n_train": 0,
        "n_test": 0, "message": "", "kind": "fit", "epochs": math.nan,
        "learning_rate": math.nan, "rel_subopt": math.nan, "budget": "",
        "rounds": math.nan, "problem": describe_problem(settings.problem)}
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


def _task(dataset: str, data, method: str, seed: int,
          settings: CompareSettings, record_curve: bool) -> tuple[list[dict[str, Any]], Any, None]:
    """One cell of the grid: a row of ``results.csv`` and (optionally) the loss curve. Dense
    and sparse data (:class:`SparseData`) run alike: split, scaled (:class:`_Prepared`),
    fitted, predicted in original units."""
    m = METHODS[method]
    row = _new_row(dataset, m.name, m.r_name or "", seed, settings,
                   max_iter=settings.resolved_max_iter or -1,
                   learning_rate=_learning_rate(m, settings))
    curve = None
    problem = settings.problem
    why = refusal(m.name, problem) if problem is not None else ""
    if why:
        row.update(status=STATUS_REFUSED, message=why)
        return [row], None, None
    try:
        prepared = _Prepared(data, settings, seed, row)
        X, y, scaled = prepared.X, prepared.y, prepared.scaled
        _warm_fit(m, prepared, settings)
        theta, updates, seconds, curve_x, curve_f, _, *said = _fit_scaled(
            m, X, y, seed, settings.style, settings.resolved_max_iter, settings.learning_rate,
            record_curve, problem, scaled)
        train_pred, test_pred = prepared.predictions(theta, m.r_name or m.name,
                                                     row["learning_rate"])
        if not (np.all(np.isfinite(test_pred)) and np.all(np.isfinite(train_pred))):
            raise DivergenceError("the predictions overflowed")
        row.update(test_rmse=rmse(prepared.y_test, test_pred),
                   train_rmse=rmse(prepared.y_train, train_pred), updates=updates,
                   seconds=prepared.seconds + seconds,
                   message="; ".join(said[0]) if said else "")
        ols = row["ols_test_rmse"]
        row["ratio_to_ols"] = row["test_rmse"] / ols if ols > 0 else math.nan
        if problem is not None or record_curve:
            optimum = _optimum(problem, X, y)
        if problem is not None:
            final = float(training_objective(X, y, problem)(np.asarray(theta, dtype=float)))
            row["rel_subopt"] = float(relative_suboptimality(final, optimum))
        if record_curve:
            curve = (curve_x, curve_f, optimum)
    except DivergenceError as exc:
        row.update(status="diverged", message=str(exc).splitlines()[0])
    except (ValueError, FloatingPointError) as exc:
        row.update(status="error", message=str(exc).splitlines()[0])
    return [row], curve, None


def _warm_fit(m: Method, prepared: _Prepared, settings: CompareSettings) -> None:
    """The warm-up fit of ``m`` (on 20 of the prepared rows) before its first timed fit."""
    X, y, scaled = prepared.X, prepared.y, prepared.scaled
    _warm_up((m.name, settings.style, prepared.sparse, _problem_kind(settings.problem)),
             lambda: _fit_scaled(m, X[:20], y[:20], 0, settings.style, 2, None, True,
                                 settings.problem, None if scaled is None else scaled.iloc[:20]))


#: Rows of a data set that :func:`_warm_method` prepares (enough for a split of 20 training
#: rows; the kernels' types do not depend on the number of rows).
_WARM_ROWS = 64


def _warm_method(data: pd.DataFrame, method: str, seed: int, settings: CompareSettings) -> None:
    """What :func:`_task` runs before its timed fit, on the first rows of ``data``: the warm-up
    fit of ``method`` (a task of :func:`graddescent._compile_ahead.compile_ahead`)."""
    m = METHODS[method]
    if settings.problem is not None and refusal(m.name, settings.problem):
        return
    try:
        _warm_fit(m, _Prepared(data.iloc[:_WARM_ROWS], settings, seed, {}), settings)
    except (ValueError, FloatingPointError):
        pass


def _compile_methods_ahead(data: dict, settings: CompareSettings) -> None:
    """Compile the methods' kernels on every core first when numba's cache is cold
    (:func:`graddescent._compile_ahead.compile_ahead`), from the first dense data set: for a
    plain R-style or estimator-style comparison whose fits run one after the other."""
    dense = [frame for frame in data.values() if isinstance(frame, pd.DataFrame)]
    if settings.n_jobs != 1 or not dense or settings.compile_jobs == 1:
        return
    tasks = [functools.partial(_warm_method, dense[0], method, settings.seeds[0], settings)
             for method in settings.methods]
    compile_ahead(tasks, settings.compile_jobs, stamp="compare")


def _learning_rate(m: Method, settings: CompareSettings) -> float:
    """The learning rate a fit is given (R style: ``alpha``; NaN when it has none or the
    estimator picks it)."""
    if settings.learning_rate is not None:
        return float(settings.learning_rate)
    if settings.style == "r" and "alpha" in m.r_args:
        return float(m.r_args["alpha"])
    return math.nan


def _warm_up_budget(X, y, method: str, settings: CompareSettings) -> None:
    """One budgeted fit on a few rows per method, style and problem kind in each process:
    numba's compilation (or its cache load) stays out of the timings."""
    if method in REFERENCES or method in DASK_REFERENCES:
        return
    pb = settings.problem
    # chunks of 3/4 epoch: single steps, chunks within an epoch and across its end
    _warm_up(("budget", method, settings.style, is_sparse(X), settings.chunks,
              _problem_kind(pb)),
             lambda: run_budgeted(method, X[:20], y[:20], 0, Budget(epochs=3.0, n_points=4),
                                  problem=pb, style=settings.style,
                                  chunks=None if settings.chunks is None else
                                  min(settings.chunks, 2)))


def _sparse_scaling(X, y: np.ndarray, scaling: str) -> tuple[np.ndarray, float, float]:
    """``(spread, y_center, y_spread)`` of sparse training rows: each column is divided by its
    spread and never centred (a centred sparse column would fill; the intercept absorbs the
    means, as in scikit-learn's sparse solvers), the output centred and divided as R scales it.

    ``variance``: the standard deviations (R's ``sd``, denominator ``n - 1``, of the column
    with its implicit zeros); ``minmax``: the largest magnitudes (a column's range when its
    smallest value is 0, as a one-hot column's); ``none``: 1. A column whose spread is 0 (no
    value in these rows, or one value throughout) is divided by 1. Read from the nonzeros."""
    from sklearn.utils.sparsefuncs import mean_variance_axis, min_max_axis

    n, d = X.shape
    if scaling == "variance":
        spread = np.sqrt(mean_variance_axis(X, axis=0)[1] * (n / (n - 1)))
        y_center, y_spread = float(y.mean()), float(y.std(ddof=1))
    elif scaling == "minmax":
        lo, hi = min_max_axis(X, axis=0)
        spread = np.maximum(np.abs(lo), np.abs(hi))
        y_center = float(y.min())
        y_spread = float(y.max()) - y_center
    else:
        return np.ones(d), 0.0, 1.0
    return np.where(spread > 0, spread, 1.0), y_center, y_spread if y_spread > 0 else 1.0


class _Prepared:
    """One seed's split of a data set, scaled for the fits: the training rows ``X, y`` the
    methods see (and ``scaled``, the same rows as a frame, output last, for R's learner; None
    for sparse rows), the seconds the scaling took, and the predictions in original units of a
    fit's ``theta``.

    Dense and sparse data are split alike (:func:`graddescent.preprocessing.split_rows`: the
    same rows in the same order for the same seed); sparse columns are scaled without
    centring (:func:`_sparse_scaling`)."""

    def __init__(self, data, settings: CompareSettings, seed: int, row: dict[str, Any]):
        self.sparse = isinstance(data, SparseData)
        if self.sparse:
            self._split_sparse(data, settings, seed, row)
        else:
            train, test = _split(data, settings, seed, row)[:2]
            start = time.perf_counter()
            scaled, params, key = _scale(train, settings.scaling)
            self.X, self.y, _ = split_xy(scaled, "data_train")
            self.seconds = time.perf_counter() - start
            self.scaled = scaled
            self.train, self.test = train, test
            self.y_train = train.iloc[:, -1].to_numpy(float)
            self.y_test = test.iloc[:, -1].to_numpy(float)
            self._model = (params is not None, key, params, list(train.columns))

    def _split_sparse(self, data: SparseData, settings: CompareSettings, seed: int,
                      row: dict[str, Any]) -> None:
        n = len(data)
        tr, te = split_rows(n, settings.train_fraction, seed)
        if len(tr) < 2:
            raise ValueError(f"the data set has {n} rows: too few for a training part of "
                             f"{settings.train_fraction:g} and a test part.")
        Xtr, Xte = data.X[tr], data.X[te]  # CSR rows, in the order drawn as split_data's
        self.y_train, self.y_test = data.y[tr], data.y[te]
        row.update(n_train=len(tr), n_test=len(te))
        beta = exact_solution(None, Xtr, self.y_train)[0]
        row["ols_test_rmse"] = rmse(self.y_test, beta[0] + Xte @ beta[1:])
        import sklearn.utils.sparsefuncs  # noqa: F401 - its first import is not the scaling's time

        start = time.perf_counter()
        spread, y_center, y_spread = _sparse_scaling(Xtr, self.y_train, settings.scaling)
        if settings.scaling == "none":
            self.X = Xtr
        else:
            import scipy.sparse as sp

            self.X = (Xtr @ sp.diags(1.0 / spread)).tocsr()
        self.y = (self.y_train - y_center) / y_spread
        self.seconds = time.perf_counter() - start
        self.scaled = None
        self._Xtr, self._Xte = Xtr, Xte
        self._sparse_scale = (spread, y_center, y_spread)

    def predictions(self, theta: np.ndarray, name: str, learning_rate: float
                    ) -> tuple[np.ndarray, np.ndarray]:
        """``(train, test)`` predictions in original units of the scaled fit ``theta``."""
        theta = np.asarray(theta, dtype=float)
        if self.sparse:
            spread, y_center, y_spread = self._sparse_scale
            coef = y_spread * theta[1:] / spread
            b = y_center + y_spread * theta[0]
            return b + self._Xtr @ coef, b + self._Xte @ coef
        scaling, key, params, columns = self._model
        model = GradDescentModel(scaling, key, params, name, theta,
                                 {"learning_rate": learning_rate}, columns)
        return (predict(model, self.train)["prediction"].to_numpy(),
                predict(model, self.test)["prediction"].to_numpy())


def _budget_rows(base: dict[str, Any], trace: Trace, kind: str, optimum: float,
                 prepared: _Prepared, name: str) -> dict[str, Any]:
    """A row of ``results.csv`` for one budgeted run."""
    row = dict(base, kind=kind, status=trace.status, message=trace.message,
               learning_rate=trace.learning_rate, updates=trace.updates,
               seconds=float(trace.seconds[-1]), epochs=float(trace.epochs[-1]))
    if trace.rounds is not None:
        row["rounds"] = float(trace.rounds[-1])
    if trace.status == "diverged":
        return row
    row["rel_subopt"] = float(relative_suboptimality(trace.final_objective, optimum,
                                                     trace.scale))
    train_pred, test_pred = prepared.predictions(trace.theta, name, trace.learning_rate)
    if np.all(np.isfinite(test_pred)) and np.all(np.isfinite(train_pred)):
        row.update(test_rmse=rmse(prepared.y_test, test_pred),
                   train_rmse=rmse(prepared.y_train, train_pred))
        ols = row["ols_test_rmse"]
        row["ratio_to_ols"] = row["test_rmse"] / ols if ols > 0 else math.nan
    return row


def _budget_task(dataset: str, data, method: str, seed: int,
                 settings: CompareSettings, record_curve: bool):
    """One budgeted cell of the grid: its rows (the fit, and the grid when tuned), the first
    seed's curve, and ``(optimum, trace)`` of the reported fit."""
    budget = settings.budget
    reference = method in REFERENCES or method in DASK_REFERENCES
    m = None if reference else METHODS[method]
    base = _new_row(dataset, method, "" if reference else (m.r_name or ""), seed, settings,
                    kind="reference" if reference else "fit", budget=budget.describe())
    problem = settings.problem
    if reference:
        why = reference_refusal(method, problem, isinstance(data, SparseData))
    else:
        why = refusal(m.name, problem, settings.chunks, len(data))
    if why:
        return [dict(base, status=STATUS_REFUSED, message=why)], None, None
    options = {"problem": problem, "style": settings.style, "chunks": settings.chunks}
    try:
        prepared = _Prepared(data, settings, seed, base)
        X, y = prepared.X, prepared.y
        optimum = _optimum(problem, X, y)
        _warm_up_budget(X, y, method, settings)
        if method in DASK_REFERENCES:
            best = dask_normal_equations(X, y, settings.chunks, problem)
            grid = [best]
        elif reference:
            best = run_reference(method, X, y, seed, budget, problem)
            grid = [best]
        elif settings.tune and "alpha" in m.r_args:
            best, grid = tune(m.name, X, y, seed, budget, optimum,
                              settings.learning_rate or float(m.r_args["alpha"]), **options)
        else:
            best = run_budgeted(m.name, X, y, seed, budget,
                                learning_rate=settings.learning_rate, optimum=optimum,
                                **options)
            grid = [best]
        name = method if reference else (m.r_name or m.name)
        rows = [_budget_rows(base, trace, base["kind"] if trace is best else "grid", optimum,
                             prepared, name) for trace in grid]
    except (ValueError, FloatingPointError, TypeError, ArithmeticError) as exc:
        return [dict(base, status="error", message=str(exc).splitlines()[0])], None, None
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
    n_features : dict
        Data set -> its number of input columns.
    """

    settings: CompareSettings
    results: pd.DataFrame
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, float]]
    traces: dict[tuple[str, str], list[tuple[float, Trace]]] = dataclasses.field(
        default_factory=dict)
    n_features: dict[str, int] = dataclasses.field(default_factory=dict)


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
    # scikit-learn's references run in memory: a comparison on Dask data runs the exact answer
    # there instead (the normal equations in one round)
    references = () if not budgeted else (
        settings.references if settings.chunks is None else
        tuple(DASK_REFERENCES) if settings.references else ())
    names = settings.methods + references
    grid = [(name, method, seed) for name in data for method in names
            for seed in settings.seeds]
    task = _budget_task if budgeted else _task
    if not budgeted:
        _compile_methods_ahead(data, settings)
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
    widths = {name: int(frame.X.shape[1] if isinstance(frame, SparseData)
                        else frame.shape[1] - 1) for name, frame in data.items()}
    return Comparison(settings, results, curves, traces, widths)


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
        if budget.rounds is not None:
            n_runs = n_fits * tries
            check_work("budget_rounds", 3.0 * budget.rounds * rows * n_runs * BUDGET_ROW_COST,
                       f"{budget.rounds} rounds (up to 3 epochs each) x {rows} training rows "
                       f"in all x {n_runs} runs, each budgeted row gradient counted as "
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

    Columns: ``dataset, method, runs, failed, refused, test_rmse_median, test_rmse_iqr,
    train_rmse_median, ratio_to_ols_median, updates_median, seconds_median``; within a data set
    the methods are sorted by median test RMSE (failed and refused runs count as worst;
    ``refused``: the method cannot minimise the problem, not counted as failed). Budgeted results
    add ``epochs_median, learning_rate_median, rel_subopt_median`` (the tuning grid's other
    rows, ``kind == "grid"``, are left out; "budget reached" is not a failure).
    """
    out = []
    if "kind" in results:
        results = results[results["kind"] != "grid"]
    for (dataset, method), group in results.groupby(["dataset", "method"], sort=False):
        good = group["status"].isin(["ok", "budget reached"])
        refused = group["status"] == STATUS_REFUSED
        ok = group[good]
        extra = {}
        if "kind" in group:
            extra = {f"{c}_median": ok[c].median() if len(ok) else math.nan
                     for c in ("epochs", "learning_rate", "rel_subopt")}
        out.append({
            "dataset": dataset, "method": method, "runs": len(group),
            "failed": int((~good & ~refused).sum()), "refused": int(refused.sum()),
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
    table["_bad"] = (table["failed"] + table["refused"]) == table["runs"]
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

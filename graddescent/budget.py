r"""Budgeted fits: every method runs until it has used the same work, in epochs or seconds.

An **epoch** is ``n`` row-gradient evaluations on the ``n`` training rows (the usual "effective
passes"), whatever the method: a full gradient costs 1 epoch, an SGD or SAG step ``1/n``, a
mini-batch step ``b/n``, an SVRG, S2GD (SSGD) or SARAH inner step ``2/n`` (the row's gradient at
two points) plus the full gradient of each outer loop, an Rprop or GD step 1. Each driver states
its count (:meth:`graddescent.drivers.Driver.gradient_evaluations`); SARAH+'s inner loops may stop
early, so what ran is counted.

:func:`run_budgeted` runs one method of :data:`graddescent.METHODS` as its R-style learner is set
up (R's defaults and starting point, :func:`graddescent.r_api.run_learner`), with the learning
rate given or R's, in chunks of driver iterations, and records the training objective after each
chunk (at least ``n_points`` regular points when the budget allows one per iteration; the
recording is not timed). ``style="estimator"`` runs :class:`graddescent.GDRegressor` with its
defaults instead (see :func:`run_budgeted`).

**The problem.** With ``problem`` (a :class:`graddescent.problems.Problem`: a loss, a penalty,
whether the intercept is fitted) the methods minimise that objective and every recording is
:meth:`Problem.objective <graddescent.problems.Problem.objective>`, which reads a sparse ``X``
(``scipy.sparse``) through its nonzeros: sparse data are never densified. A method that cannot
minimise the problem raises a ValueError saying why (its ``check_method``).

**Communication rounds.** With ``chunks=k`` the rows are held by Dask in ``k`` chunks and each
method runs its distributed driver (``graddescent.drivers.on_dask``): the full-batch methods one
reduction per step, the others in rounds where the chunks are (docs: the distributed guide). A
**round** is one exchange between the chunks and this process (one ``dask.compute``): one per
step for the full-batch methods, as each driver counts them otherwise. ``Budget.rounds`` stops
a fit after that many rounds; :attr:`Trace.rounds` records them.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import drivers as D
from . import objective as O
from ._registry import METHODS, check_r_arguments, get_method
from ._validation import (
    BUDGET_ROW_COST,
    MAX_ITERATIONS,
    check_int,
    check_positive,
    check_real,
    check_work,
)
from .r_api import initial_theta

__all__ = ["Budget", "Trace", "STATUSES", "CONVERGED", "GROWTH", "SCALE_FLOOR", "BUDGET_STYLES",
           "epochs_used", "rounds_used", "relative_suboptimality", "loss_scale", "problem_scale",
           "r_optimizer", "refusal", "run_budgeted", "training_objective"]

#: ``style`` of a budgeted fit: the R-style learner, or GDRegressor with its defaults.
BUDGET_STYLES = ("r", "estimator")

#: Status of a budgeted fit: converged before the budget, diverged, or stopped by the budget.
STATUSES = ("ok", "diverged", "budget reached")
#: Relative suboptimality at which a budgeted fit stops early with status "ok".
CONVERGED = 1e-12
#: A fit whose training objective ends this many times above its start is "diverged" too (its
#: iterates were growing without bound, short of overflowing).
GROWTH = 1e6
#: The denominator of the relative suboptimality is at least this fraction of the problem's
#: scale (:func:`loss_scale`), so a problem fitted exactly (``f*`` zero up to rounding) does not
#: divide rounding errors by a rounding error.
SCALE_FLOOR = 1e-12
#: The most seconds one budgeted fit may be given.
MAX_SECONDS = 3600.0


@dataclasses.dataclass(frozen=True)
class Budget:
    """Work allowed to each fit: ``epochs``, ``seconds``, communication ``rounds`` or several
    (whichever comes first).

    Attributes
    ----------
    epochs : float or None
        Row-gradient evaluations, in multiples of the training rows ``n``.
    seconds : float or None
        Wall time of the fit (recording excluded).
    n_points : int
        Recordings of the objective aimed at (besides the start).
    rounds : int or None
        Communication rounds of a fit on data held by Dask (see the module documentation);
        in memory a fit has no rounds, and this budget needs ``chunks``.
    """

    epochs: float | None = None
    seconds: float | None = None
    n_points: int = 60
    rounds: int | None = None

    def __post_init__(self) -> None:
        if self.epochs is None and self.seconds is None and self.rounds is None:
            raise ValueError("a budget needs epochs, seconds, rounds or several of them.")
        if self.rounds is not None:
            object.__setattr__(self, "rounds", check_int("budget_rounds", self.rounds, low=1,
                                                         high=int(MAX_ITERATIONS)))
        if self.epochs is not None:
            check_real("budget_epochs", self.epochs, lambda v: 0 < v <= MAX_ITERATIONS,
                       f"be a positive number of epochs, at most {MAX_ITERATIONS:.0e}")
        if self.seconds is not None:
            check_positive("budget_seconds", self.seconds)
            check_real("budget_seconds", self.seconds, lambda v: v <= MAX_SECONDS,
                       f"be at most {MAX_SECONDS:g} (an hour)")
        check_int("n_points", self.n_points, low=1)

    def describe(self) -> str:
        """``"20 epochs"``, ``"0.5 s"``, ``"50 rounds"`` or ``"20 epochs or 0.5 s, whichever
        comes first"``."""
        parts = ([f"{self.epochs:g} epochs"] if self.epochs is not None else []) + (
            [f"{self.seconds:g} s"] if self.seconds is not None else []) + (
            [f"{self.rounds} rounds"] if self.rounds is not None else [])
        return " or ".join(parts) + (", whichever comes first" if len(parts) > 1 else "")


@dataclasses.dataclass
class Trace:
    """One budgeted fit.

    Attributes
    ----------
    epochs, seconds, objective : ndarray
        At the start and after each recorded chunk: epochs used, fit seconds, training
        objective.
    theta : ndarray
        Final coefficients, intercept first (scaled data).
    status : {"ok", "diverged", "budget reached"}
    learning_rate : float
        The learning rate used (NaN for a method without one, ADADELTA).
    message : str
    updates : int
        Coefficient updates (``Optimizer.t``; -1 when not counted).
    scale : float
        The problem's scale (:func:`loss_scale` of the training outputs; NaN when unknown),
        the floor of the relative suboptimality's denominator.
    rounds : ndarray or None
        Communication rounds used at each recording (fits on Dask data; None in memory).
    """

    epochs: np.ndarray
    seconds: np.ndarray
    objective: np.ndarray
    theta: np.ndarray
    status: str
    learning_rate: float
    message: str = ""
    updates: int = -1
    scale: float = math.nan
    rounds: np.ndarray | None = None

    @property
    def final_objective(self) -> float:
        """The last recorded objective (inf when the fit diverged)."""
        if self.status == "diverged" or not self.objective.size:
            return math.inf
        return float(self.objective[-1])


def epochs_used(optimizer: D.Optimizer, n: int) -> float:
    """Epochs (``n`` row gradients each) an optimizer has used on ``n`` rows so far."""
    return optimizer.driver.gradient_evaluations(n, optimizer.units, optimizer.t) / n


def loss_scale(y: np.ndarray) -> float:
    """The problem's scale: ``Var(y) / 2``, the objective of the best constant prediction
    (``mean(y^2) / 2`` for a constant ``y``, 1 for ``y = 0``)."""
    y = np.asarray(y, dtype=float)
    var = float(np.var(y)) if y.size else 0.0
    if var > 0:
        return 0.5 * var
    square = float(np.mean(y * y)) if y.size else 0.0
    return 0.5 * square if square > 0 else 1.0


def relative_suboptimality(f: np.ndarray | float, optimum: float,
                           scale: float | None = None) -> np.ndarray:
    """``(f - f*) / max(f*, SCALE_FLOOR * scale)``, clipped at 0 (rounding).

    ``scale`` is the problem's scale (:func:`loss_scale`): with it, a problem fitted exactly
    (``f*`` zero, or zero up to rounding) gives ``(f - f*) / (1e-12 scale)``, not a rounding
    error divided by a rounding error. Without it (None or NaN), ``f - f*`` when ``f*`` is 0.
    """
    floor = SCALE_FLOOR * scale if scale is not None and math.isfinite(scale) else 0.0
    denominator = max(float(optimum), floor)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging fit's inf stays inf
        gap = np.maximum(np.asarray(f, dtype=float) - optimum, 0.0)
        return gap / denominator if denominator > 0 else gap


def rounds_used(optimizer: D.Optimizer) -> int:
    """Communication rounds an optimizer has used on data held by Dask: its driver's count
    (``driver_state.rounds``), or one reduction per step for the full-batch driver."""
    counted = getattr(optimizer.driver_state, "rounds", None)
    return int(optimizer.units if counted is None else counted)


def refusal(method: str, problem=None, chunks: int | None = None, n: int = 2) -> str:
    """Why ``method`` (R's settings) cannot minimise ``problem`` (with ``chunks``: on data held
    by Dask), or ``""`` when it can: the problem's ``method_problem``, and on Dask a driver
    without a distributed form."""
    from .problems import Problem

    m = get_method(method)
    rule, driver = m.make_rule(), m.make_driver()
    if chunks is not None:
        from ._dask_fit import dask_driver

        try:
            driver = dask_driver(m.name, driver, max(int(n), 2))
        except ValueError:
            return f"{m.name} has no form on Dask data"
    return (problem or Problem()).method_problem(rule, driver) or ""


def training_objective(X, y, problem):
    """The recorded objective ``theta -> F(theta)`` on the training rows: the least-squares
    kernel for dense least squares (as before problems existed), else the problem's
    objective (which reads a sparse ``X`` through its nonzeros)."""
    from ._sparse import is_sparse
    from .problems import Problem

    if problem is None and not is_sparse(X):
        return lambda theta: O.objective_value(X, y, theta)
    pb = problem or Problem()
    return lambda theta: pb.objective(X, y, theta)


def problem_scale(y, problem) -> float:
    """The scale of ``problem`` (None: least squares, :func:`loss_scale`) on outputs ``y``: the
    floor of the relative suboptimality's denominator."""
    return loss_scale(y) if problem is None else problem.loss_scale(y)


def r_optimizer(method: str, X, seed: int, learning_rate: float | None, problem=None,
                chunks: int | None = None) -> tuple[D.Optimizer, float]:
    """``(optimizer, alpha)``: ``method`` set up as its R-style learner on the rows of ``X``
    (R's defaults, ``learning_rate`` as ``alpha`` when given, starting point ``U(0, 1)`` from
    ``seed``), minimising ``problem``; with ``chunks``, its driver on data held by Dask. A
    method that cannot minimise ``problem`` raises a ValueError naming those that can."""
    m = get_method(method)
    args = dict(m.r_args, seed=seed)
    if learning_rate is not None and "alpha" in args:
        args["alpha"] = float(learning_rate)
    params = check_r_arguments(args, X.shape[0])
    glossary = m.glossary(params)
    rule, driver = m.make_rule(**glossary), m.make_driver(**glossary)
    if chunks is not None:
        from ._dask_fit import dask_driver

        driver = dask_driver(m.name, driver, X.shape[0])
    if problem is not None:
        problem.check_method(rule, driver, METHODS)
    opt = D.Optimizer(rule, driver, initial_theta(X.shape[1] + 1, seed), X.shape[0],
                      problem=problem)
    return opt, float(params.get("alpha", math.nan))


def _on_dask(X: np.ndarray, y: np.ndarray, chunks: int):
    """``(X, y)`` held by Dask in ``chunks`` row chunks (as equal as possible), validated."""
    import dask.array as da

    from ._dask_fit import dask_data

    n = X.shape[0]
    k = check_int("chunks", chunks, low=1, high=n)
    rows = tuple(len(part) for part in np.array_split(np.arange(n), k))
    data = dask_data(da.from_array(X, chunks=(rows, X.shape[1])),
                     da.from_array(y, chunks=(rows,)), False)
    return data, data


def run_budgeted(method: str, X: np.ndarray, y: np.ndarray, seed: int, budget: Budget, *,
                 learning_rate: float | None = None, optimum: float | None = None,
                 problem=None, style: str = "r", chunks: int | None = None) -> Trace:
    """Run ``method`` on ``(X, y)`` (scaled training rows) until ``budget`` is used.

    Parameters
    ----------
    method : str
        Lower-case or R name of a :data:`graddescent.METHODS` entry.
    X : ndarray or scipy.sparse matrix of shape (n, d)
        Sparse input is read through its nonzeros (CSR; never densified).
    y : ndarray of shape (n,)
    seed : int
        Seed of the starting point and of the row sampling (as ``run_learner``'s).
    budget : Budget
    learning_rate : float, optional
        R's ``alpha`` (None: the method's R default); estimator style: ``learning_rate``
        (None: ``"auto"``).
    optimum : float, optional
        Minimum of the objective; with it the fit stops early (status "ok") once its
        relative suboptimality is below :data:`CONVERGED`.
    problem : graddescent.problems.Problem, optional
        What is minimised (None: least squares). A method that cannot minimise it raises a
        ValueError naming the methods that can.
    style : {"r", "estimator"}
        ``"r"``: the R-style learner (R's defaults and starting point ``U(0, 1)``);
        ``"estimator"``: :class:`graddescent.GDRegressor` with its defaults
        (``learning_rate="auto"``, its schedule, zero start) and ``tol=None``, the budget being
        the stopping rule; each recording is a fit of that many epochs from scratch (its
        seconds that fit's, made non-decreasing against timing noise), as scikit-learn's
        reference fits are recorded.
    chunks : int, optional
        Hold the rows in Dask in this many chunks and run the method's distributed driver
        (R style only); the trace then records communication rounds.

    Returns
    -------
    Trace
        A divergent fit returns status "diverged" (no exception): its iterates overflowed, or
        its objective ended more than :data:`GROWTH` times above its start.
    """
    n = X.shape[0]
    if budget.epochs is not None:
        check_work("budget_epochs", float(budget.epochs) * n * BUDGET_ROW_COST,
                   f"{budget.epochs:g} epochs x {n} rows, each budgeted row gradient counted "
                   f"as {BUDGET_ROW_COST}")
    if style not in BUDGET_STYLES:
        raise ValueError(f"style must be one of {BUDGET_STYLES}, got {style!r}.")
    if budget.rounds is not None and chunks is None:
        raise ValueError("a budget of communication rounds needs data held by Dask: give "
                         "chunks (the number of Dask chunks of the rows).")
    if style == "estimator":
        if chunks is not None:
            raise ValueError("chunks (data held by Dask) runs the R-style learners; use "
                             "style='r'.")
        return _run_estimator(method, X, y, seed, budget, learning_rate, optimum, problem)
    scale = problem_scale(y, problem)
    objective = training_objective(X, y, problem)
    opt, lr = r_optimizer(method, X, seed, learning_rate, problem, chunks)
    data = (X, y) if chunks is None else _on_dask(np.asarray(X), np.asarray(y), chunks)
    rng = np.random.default_rng(seed)
    epochs, seconds, values = [0.0], [0.0], [objective(opt.theta)]
    rounds = [0]
    status, message, elapsed, chunk = "budget reached", "", 0.0, 1

    def trace(status: str, message: str) -> Trace:
        return Trace(np.array(epochs), np.array(seconds), np.array(values), opt.theta.copy(),
                     status, lr, message, int(opt.t), scale,
                     None if chunks is None else np.array(rounds, dtype=float))

    while True:
        start = time.perf_counter()
        try:
            opt.run(*data, chunk, rng)
        except D.DivergenceError as exc:
            return trace("diverged", str(exc).splitlines()[0])
        elapsed += time.perf_counter() - start
        used = epochs_used(opt, n)
        f = objective(opt.theta)
        epochs.append(used)
        seconds.append(elapsed)
        values.append(f)
        if chunks is not None:
            rounds.append(rounds_used(opt))
        if not math.isfinite(f):
            status, message = "diverged", "the training objective overflowed"
            break
        if optimum is not None and relative_suboptimality(f, optimum, scale) <= CONVERGED:
            status = "ok"
            break
        if ((budget.epochs is not None and used >= budget.epochs * (1 - 1e-12))
                or (budget.seconds is not None and elapsed >= budget.seconds)
                or (budget.rounds is not None and rounds[-1] >= budget.rounds)):
            break
        chunk = _next_chunk(budget, opt.units, used, elapsed, rounds[-1])
    if status != "diverged" and values[-1] > GROWTH * values[0]:
        status = "diverged"
        message = (f"the training objective grew {values[-1] / values[0]:.3g}-fold from its "
                   f"start with learning rate {lr:g}: the iterates were diverging")
    return trace(status, message)


def _run_estimator(method: str, X, y, seed: int, budget: Budget, learning_rate, optimum,
                   problem) -> Trace:
    """The estimator style of :func:`run_budgeted`: GDRegressor fits of 1, 2, 4, ... epochs."""
    import warnings

    from ._fit_settings import FitSettings
    from .estimator import GDRegressor
    from .problems import Problem

    pb = problem or Problem()
    kwargs = dict(method=get_method(method).name, random_state=seed, tol=None,
                  loss=pb.loss, epsilon=pb.epsilon, penalty=pb.penalty, alpha=pb.alpha,
                  l1_ratio=pb.l1_ratio, fit_intercept=pb.fit_intercept)
    if learning_rate is not None:
        kwargs["learning_rate"] = float(learning_rate)
    est = GDRegressor(**kwargs)
    n = X.shape[0]
    driver = FitSettings(est.get_params(deep=False)).driver(n)
    pb.check_method(get_method(method).make_rule(), driver, METHODS)
    per_epoch = math.ceil(driver.units_per_epoch(n))
    scale = problem_scale(y, problem)
    objective = training_objective(X, y, problem)
    theta = np.zeros(X.shape[1] + 1)
    epochs, seconds, values = [0.0], [0.0], [objective(theta)]
    status, message, lr, updates, k = "budget reached", "", math.nan, 0, 1
    while True:
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.set_params(max_iter=k).fit(X, y)
        except D.DivergenceError as exc:
            status, message = "diverged", str(exc).splitlines()[0]
            break
        took = time.perf_counter() - start
        theta = np.concatenate([[est.intercept_], est.coef_])
        lr, updates = float(est.learning_rate_), int(est.t_)
        used = driver.gradient_evaluations(n, est.n_iter_ * per_epoch, est.t_) / n
        epochs.append(used)
        seconds.append(max(took, seconds[-1]))
        values.append(objective(theta))
        if not math.isfinite(values[-1]):
            status, message = "diverged", "the training objective overflowed"
            break
        if optimum is not None and relative_suboptimality(values[-1], optimum, scale) \
                <= CONVERGED:
            status = "ok"
            break
        if ((budget.epochs is not None and used >= budget.epochs * (1 - 1e-12))
                or (budget.seconds is not None and took >= budget.seconds)):
            break
        step = used / k  # epochs of work per estimator epoch
        k = 2 * k if budget.epochs is None else \
            min(2 * k, max(k + 1, math.floor(budget.epochs / step + 1e-9)))
        check_int("max_iter", k, high=int(MAX_ITERATIONS))
    return Trace(np.array(epochs), np.array(seconds), np.array(values), theta, status, lr,
                 message, updates, scale)


def _next_chunk(budget: Budget, units: int, used: float, elapsed: float,
                rounds: int = 0) -> int:
    """Driver iterations until the next recording: ``1 / n_points`` of the budget at the rates
    seen so far, never past the epoch or rounds budget."""
    per_unit = used / units
    chunks = []
    if budget.rounds is not None:
        per_round = max(rounds / units, 1e-9)
        chunks.append(budget.rounds / budget.n_points / per_round)
        chunks.append(max(1.0, math.ceil((budget.rounds - rounds) / per_round - 1e-9)))
    if budget.epochs is not None:
        chunks.append(budget.epochs / budget.n_points / per_unit)
        left = math.ceil((budget.epochs - used) / per_unit - 1e-9)
    if budget.seconds is not None:
        chunks.append(budget.seconds / budget.n_points / max(elapsed / units, 1e-9))
    chunk = max(1, int(min(chunks)))
    if budget.epochs is not None:
        chunk = min(chunk, max(1, left))
    return chunk

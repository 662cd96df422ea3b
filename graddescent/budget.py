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
recording is not timed).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import drivers as D
from . import objective as O
from ._registry import check_r_arguments, get_method
from ._validation import (
    BUDGET_ROW_COST,
    MAX_ITERATIONS,
    check_int,
    check_positive,
    check_real,
    check_work,
)
from .r_api import initial_theta

__all__ = ["Budget", "Trace", "STATUSES", "CONVERGED", "GROWTH", "SCALE_FLOOR", "epochs_used",
           "relative_suboptimality", "loss_scale", "run_budgeted"]

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
    """Work allowed to each fit: ``epochs``, ``seconds`` or both (whichever comes first).

    Attributes
    ----------
    epochs : float or None
        Row-gradient evaluations, in multiples of the training rows ``n``.
    seconds : float or None
        Wall time of the fit (recording excluded).
    n_points : int
        Recordings of the objective aimed at (besides the start).
    """

    epochs: float | None = None
    seconds: float | None = None
    n_points: int = 60

    def __post_init__(self) -> None:
        if self.epochs is None and self.seconds is None:
            raise ValueError("a budget needs epochs, seconds or both.")
        if self.epochs is not None:
            check_real("budget_epochs", self.epochs, lambda v: 0 < v <= MAX_ITERATIONS,
                       f"be a positive number of epochs, at most {MAX_ITERATIONS:.0e}")
        if self.seconds is not None:
            check_positive("budget_seconds", self.seconds)
            check_real("budget_seconds", self.seconds, lambda v: v <= MAX_SECONDS,
                       f"be at most {MAX_SECONDS:g} (an hour)")
        check_int("n_points", self.n_points, low=1)

    def describe(self) -> str:
        """``"20 epochs"``, ``"0.5 s"`` or ``"20 epochs or 0.5 s, whichever comes first"``."""
        parts = ([f"{self.epochs:g} epochs"] if self.epochs is not None else []) + (
            [f"{self.seconds:g} s"] if self.seconds is not None else [])
        return " or ".join(parts) + (", whichever comes first" if len(parts) == 2 else "")


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


def _optimizer(method: str, X: np.ndarray, seed: int, learning_rate: float | None
               ) -> tuple[D.Optimizer, float]:
    m = get_method(method)
    args = dict(m.r_args, seed=seed)
    if learning_rate is not None and "alpha" in args:
        args["alpha"] = float(learning_rate)
    params = check_r_arguments(args, X.shape[0])
    glossary = m.glossary(params)
    opt = D.Optimizer(m.make_rule(**glossary), m.make_driver(**glossary),
                      initial_theta(X.shape[1] + 1, seed), X.shape[0])
    return opt, float(params.get("alpha", math.nan))


def run_budgeted(method: str, X: np.ndarray, y: np.ndarray, seed: int, budget: Budget, *,
                 learning_rate: float | None = None, optimum: float | None = None) -> Trace:
    """Run ``method`` on ``(X, y)`` (scaled training rows) until ``budget`` is used.

    Parameters
    ----------
    method : str
        Lower-case or R name of a :data:`graddescent.METHODS` entry.
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    seed : int
        Seed of the starting point and of the row sampling (as ``run_learner``'s).
    budget : Budget
    learning_rate : float, optional
        R's ``alpha`` (None: the method's R default).
    optimum : float, optional
        Least-squares minimum of the objective; with it the fit stops early (status "ok")
        once its relative suboptimality is below :data:`CONVERGED`.

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
    scale = loss_scale(y)
    opt, lr = _optimizer(method, X, seed, learning_rate)
    rng = np.random.default_rng(seed)
    epochs, seconds, values = [0.0], [0.0], [O.objective_value(X, y, opt.theta)]
    status, message, elapsed, chunk = "budget reached", "", 0.0, 1
    while True:
        start = time.perf_counter()
        try:
            opt.run(X, y, chunk, rng)
        except D.DivergenceError as exc:
            return Trace(np.array(epochs), np.array(seconds), np.array(values), opt.theta.copy(),
                         "diverged", lr, str(exc).splitlines()[0], int(opt.t), scale)
        elapsed += time.perf_counter() - start
        used = epochs_used(opt, n)
        f = O.objective_value(X, y, opt.theta)
        epochs.append(used)
        seconds.append(elapsed)
        values.append(f)
        if not math.isfinite(f):
            status, message = "diverged", "the training objective overflowed"
            break
        if optimum is not None and relative_suboptimality(f, optimum, scale) <= CONVERGED:
            status = "ok"
            break
        if ((budget.epochs is not None and used >= budget.epochs * (1 - 1e-12))
                or (budget.seconds is not None and elapsed >= budget.seconds)):
            break
        chunk = _next_chunk(budget, opt.units, used, elapsed)
    if status != "diverged" and values[-1] > GROWTH * values[0]:
        status = "diverged"
        message = (f"the training objective grew {values[-1] / values[0]:.3g}-fold from its "
                   f"start with learning rate {lr:g}: the iterates were diverging")
    return Trace(np.array(epochs), np.array(seconds), np.array(values), opt.theta.copy(),
                 status, lr, message, int(opt.t), scale)


def _next_chunk(budget: Budget, units: int, used: float, elapsed: float) -> int:
    """Driver iterations until the next recording: ``1 / n_points`` of the budget at the rates
    seen so far, never past the epoch budget."""
    per_unit = used / units
    chunks = []
    if budget.epochs is not None:
        chunks.append(budget.epochs / budget.n_points / per_unit)
        left = math.ceil((budget.epochs - used) / per_unit - 1e-9)
    if budget.seconds is not None:
        chunks.append(budget.seconds / budget.n_points / max(elapsed / units, 1e-9))
    chunk = max(1, int(min(chunks)))
    if budget.epochs is not None:
        chunk = min(chunk, max(1, left))
    return chunk

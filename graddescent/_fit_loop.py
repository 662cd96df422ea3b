"""GDRegressor's epoch loop: run epochs in blocks until the stopping rule or ``max_iter`` ends it.

The stopping rules themselves (patience, and the adaptive schedule's stages) are in
:mod:`graddescent._schedule`; this module runs an optimizer under one of them, and says how the
fit ended. It knows nothing of the estimator: the estimator hands it a function that runs ``k``
epochs and a function that reports one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ._schedule import Patience
from .drivers import Optimizer

__all__ = ["FitOutcome", "run_until_stopped"]

#: Epochs run in one compiled call hold at most this many snapshot values (epochs x params).
BLOCK_VALUES = 1 << 16


@dataclasses.dataclass
class FitOutcome:
    """How a fit ended: epochs run, whether the stopping rule ended it, and, when the fit gave
    up on a budget it could not meet, why (a sentence for the ConvergenceWarning)."""

    epochs: int
    converged: bool
    hopeless: str = ""
    validation_scores: list[float] | None = None


def run_until_stopped(opt: Optimizer, run_epochs: Callable[[int], tuple[np.ndarray, np.ndarray]],
                      stopper: Patience, max_iter: int, scale: float, *,
                      validation: Callable[[np.ndarray], float] | None = None,
                      give_up: bool = False,
                      report: Callable[[int, str, bool], None] | None = None) -> FitOutcome:
    """Run ``opt`` until ``stopper`` says it converged or ``max_iter`` epochs ran.

    Parameters
    ----------
    opt : Optimizer
    run_epochs : callable
        ``run_epochs(k)`` runs ``k`` epochs and returns the coefficients after each, shape
        ``(k, p)``, and the training objective after each.
    stopper : Patience or StepDecay
        The stopping rule; it watches ``1 - R^2`` per epoch: the training objective (or, with
        ``validation``, the validation set's) divided by ``scale``.
    max_iter : int
    scale : float
        The objective of the best constant prediction on the training rows (``Var(y) / 2``
        for least squares): the unit of the watched training objective.
    validation : callable or None
        ``validation(theta)``, the validation :math:`R^2` (``early_stopping``): watched as
        ``1 - R^2`` instead of the training objective, and returned in ``validation_scores``.
    give_up : bool
        Stop (not converged, with a reason) as soon as the stage in progress needs more epochs
        than are left (only meaningful when ``max_iter`` is the estimator's own budget).
    report : callable or None
        ``report(epoch, extra, last_of_block)`` after every epoch (verbose output).
    """
    scores: list[float] | None = [] if validation is not None else None
    converged, epoch, steps_per_epoch = False, 0, 1.0
    p = opt.theta.shape[0]
    while epoch < max_iter and not converged:
        # Epochs run in blocks that end where the stopping rule could next act, so the result
        # is the same as deciding after every epoch (and does not depend on verbose).
        k = min(stopper.epochs_before_decision(opt, steps_per_epoch), max_iter - epoch,
                max(1, BLOCK_VALUES // p))
        t_before = opt.t
        snapshots, objectives = run_epochs(k)
        steps_per_epoch = max((opt.t - t_before) / k, 1.0)
        for e in range(k):
            epoch += 1
            watched, extra = float(objectives[e]) / scale, ""
            if validation is not None:
                scores.append(validation(snapshots[e]))
                watched = 1.0 - scores[-1]
                extra = f", validation R^2 {scores[-1]:.12g}"
            if report is not None:
                report(epoch, extra, e == k - 1)
            # the rule acts only at a block's end
            converged = stopper.observe(watched, opt, final=e == k - 1)
        needed = stopper.epochs_needed(opt, steps_per_epoch)
        if give_up and needed > max_iter - epoch:
            return FitOutcome(
                epoch, False,
                f"its slowest direction needs about {needed:.3g} more epochs at the current "
                f"rate, more than the {max_iter - epoch} left: the problem is too "
                f"ill-conditioned for this method and schedule (scale the features, e.g. with "
                f"StandardScaler, or use a variance-reduced method).", scores)
    return FitOutcome(epoch, converged, "", scores)

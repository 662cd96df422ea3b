"""Tuned step sizes: each method's learning rate picked on a log grid, within the same budget.

:func:`tune` runs a method at :data:`GRID_SIZE` learning rates spaced half a decade apart around
its default (R's ``alpha``), each with the same :class:`~graddescent.budget.Budget` on the same
training rows, and widens the grid by half a decade while the best value sits on an edge. The
best is the lowest final training objective (relative suboptimalities below
:data:`graddescent.budget.CONVERGED` tie, and then the fewest epochs wins). Divergent grid points
are kept with status "diverged".
"""

from __future__ import annotations

import math

import numpy as np

from .budget import CONVERGED, Budget, Trace, relative_suboptimality, run_budgeted

__all__ = ["GRID_SIZE", "GRID_STEP", "MAX_WIDENINGS", "learning_rate_grid", "tune"]

#: Learning rates of the first grid.
GRID_SIZE = 9
#: Ratio of neighbouring learning rates (half a decade).
GRID_STEP = math.sqrt(10.0)
#: At most this many values added beyond the first grid.
MAX_WIDENINGS = 6


def learning_rate_grid(default: float, size: int = GRID_SIZE) -> np.ndarray:
    """``size`` learning rates ``GRID_STEP`` apart, centred on ``default`` (increasing)."""
    half = (size - 1) / 2
    return float(default) * GRID_STEP ** (np.arange(size) - half)


def _score(trace: Trace, optimum: float) -> tuple[float, float]:
    f = trace.final_objective
    if not math.isfinite(f):
        return math.inf, math.inf
    return (max(float(relative_suboptimality(f, optimum, trace.scale)), CONVERGED),
            float(trace.epochs[-1]))


def tune(method: str, X: np.ndarray, y: np.ndarray, seed: int, budget: Budget, optimum: float,
         default: float) -> tuple[Trace, list[Trace]]:
    """Pick ``method``'s learning rate on a log grid around ``default``.

    Parameters
    ----------
    method : str
        A :data:`graddescent.METHODS` name.
    X, y : ndarray
        Scaled training rows.
    seed : int
    budget : Budget
        Each grid point's budget.
    optimum : float
        Least-squares minimum of the training objective.
    default : float
        The method's default learning rate, the grid's centre.

    Returns
    -------
    best : Trace
    grid : list of Trace
        Every run, by increasing learning rate (``best`` among them).
    """
    runs = {float(lr): run_budgeted(method, X, y, seed, budget, learning_rate=float(lr),
                                    optimum=optimum)
            for lr in learning_rate_grid(default)}
    for _ in range(MAX_WIDENINGS):
        rates = sorted(runs)
        best = min(rates, key=lambda lr: _score(runs[lr], optimum))
        if best == rates[0]:
            new = rates[0] / GRID_STEP
        elif best == rates[-1]:
            new = rates[-1] * GRID_STEP
        else:
            break
        runs[new] = run_budgeted(method, X, y, seed, budget, learning_rate=new, optimum=optimum)
    rates = sorted(runs)
    best = min(rates, key=lambda lr: _score(runs[lr], optimum))
    return runs[best], [runs[lr] for lr in rates]

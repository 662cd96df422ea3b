"""Suboptimality curves of budgeted fits: medians over seeds, and the work to reach a target.

The relative suboptimality of a fit is ``(f - f*) / max(f*, 1e-12 s)``, with ``f*`` the exact
least-squares objective on the fit's training rows and ``s`` the problem's scale (``Var(y) /
2``, the trace's ``scale``: an exactly fitted problem does not divide rounding by rounding;
:func:`graddescent.budget.relative_suboptimality`). Curves of several seeds are put on a common
axis (epochs, or seconds) by holding each fit's last value until its next recording (a step
function: what the fit had reached by then) and summarised by the median and the quartiles.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .budget import Trace, relative_suboptimality

__all__ = ["TARGETS", "FLOOR", "band", "first_reached", "reach_summary"]

#: Relative suboptimalities of the "to reach" table.
TARGETS = (1e-2, 1e-4, 1e-6)
#: Values below this are drawn at it on log axes (a fit that reached f* to rounding).
FLOOR = 1e-16


def _values(trace: Trace, optimum: float) -> np.ndarray:
    v = relative_suboptimality(trace.objective, optimum, trace.scale)
    return np.where(np.isfinite(v), np.maximum(v, FLOOR), np.inf)


def band(traces: list[tuple[float, Trace]], axis: str = "epochs", n_grid: int = 200
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Median and quartiles over seeds of the relative suboptimality on a common axis.

    Parameters
    ----------
    traces : list of (optimum, Trace)
        One entry per seed.
    axis : {"epochs", "seconds"}
    n_grid : int
        Points of the common axis (evenly spaced from 0 to the longest run).

    Returns
    -------
    x, median, q25, q75 : ndarray
        NaN where fewer than half the seeds had recorded anything yet (or had diverged).
    """
    runs = [(getattr(t, axis), _values(t, opt)) for opt, t in traces]
    ends = [x[-1] for x, _ in runs if x.size > 1]
    if not ends:
        return (np.empty(0),) * 4
    x = np.linspace(0.0, max(ends), n_grid)
    stack = np.full((len(runs), n_grid), np.nan)
    for k, (xs, vs) in enumerate(runs):
        pos = np.searchsorted(xs, x, side="right") - 1
        ok = (pos >= 0) & (x <= xs[-1] * (1 + 1e-9))
        stack[k, ok] = vs[pos[ok]]
    stack[~np.isfinite(stack)] = np.nan
    enough = np.sum(np.isfinite(stack), axis=0) * 2 >= len(runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        med, q25, q75 = (np.nanquantile(stack, q, axis=0) for q in (0.5, 0.25, 0.75))
    for arr in (med, q25, q75):
        arr[~enough] = np.nan
    return x, med, q25, q75


def first_reached(trace: Trace, optimum: float, target: float) -> tuple[float, float]:
    """``(epochs, seconds)`` at the first recording with relative suboptimality <= ``target``,
    or ``(nan, nan)`` when the fit never got there."""
    v = _values(trace, optimum)
    hit = np.flatnonzero(v <= target)
    if not hit.size:
        return math.nan, math.nan
    return float(trace.epochs[hit[0]]), float(trace.seconds[hit[0]])


def reach_summary(traces: dict[tuple[str, str], list[tuple[float, Trace]]],
                  targets: tuple[float, ...] = TARGETS):
    """Per data set and method: median epochs and seconds to reach each target.

    Parameters
    ----------
    traces : dict
        ``(dataset, method) -> [(optimum, Trace), ...]`` (``Comparison.traces``).
    targets : tuple of float

    Returns
    -------
    DataFrame
        Columns ``dataset, method, seeds`` and per target ``epochs_<t>``, ``seconds_<t>``,
        ``reached_<t>`` (seeds that got there); the medians are over the seeds that reached it,
        NaN when fewer than half did.
    """
    import pandas as pd

    rows = []
    for (dataset, method), runs in traces.items():
        row: dict = {"dataset": dataset, "method": method, "seeds": len(runs)}
        for target in targets:
            hits = np.array([first_reached(t, opt, target) for opt, t in runs]).reshape(-1, 2)
            ok = np.isfinite(hits[:, 1])
            enough = ok.sum() * 2 >= len(runs) and ok.any()
            row[f"reached_{target:g}"] = int(ok.sum())
            row[f"epochs_{target:g}"] = float(np.median(hits[ok, 0])) if enough else math.nan
            row[f"seconds_{target:g}"] = float(np.median(hits[ok, 1])) if enough else math.nan
        rows.append(row)
    return pd.DataFrame(rows)

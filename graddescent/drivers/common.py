"""Compiled pieces shared by the driver kernels (no driver of its own)."""

from __future__ import annotations

from .._jit import kernel, prefetch_item, prefetch_row
from ..objective import full_gradient, residual, residual_pair
from ..rules.base import by_look_ahead, look_ahead

__all__: list[str] = []


@kernel(inline=True)
def prefetch_next(X, y, idx, k):
    """Ask for row ``idx[k]`` of ``X`` and ``y`` ahead of use (nothing past the end of ``idx``).

    Returns the row number, or -1 past the end.
    """
    if k < idx.shape[0]:
        nxt = idx[k]
        prefetch_row(X, nxt)
        prefetch_item(y, nxt)
        return nxt
    return -1


@kernel(inline=True)
def _residual_ahead(hp, X, y, i, theta, state, z):
    look_ahead(hp, theta, state, z)
    return residual(X, y, i, z)


@kernel(inline=True)
def _residual_here(hp, X, y, i, theta, state, z):
    return residual(X, y, i, theta)


#: ``r_i`` at the point where the rule takes its gradient: ``theta``, or its look-ahead point
#: (written into ``z``) for the rules that look ahead; picked for the rule at compile time.
residual_at = by_look_ahead(_residual_ahead, _residual_here, inline=True)


@kernel(inline=True)
def _change_ahead(hp, X, y, i, theta, state, z, other):
    look_ahead(hp, theta, state, z)
    r_now, r_other = residual_pair(X, y, i, z, other)
    return r_now - r_other


@kernel(inline=True)
def _change_here(hp, X, y, i, theta, state, z, other):
    r_now, r_other = residual_pair(X, y, i, theta, other)
    return r_now - r_other


#: ``r_i(point) - r_i(other)`` with the point as in :func:`residual_at`, one pass over row
#: ``i`` (each residual bit-identical to :func:`graddescent.objective.residual`).
residual_change = by_look_ahead(_change_ahead, _change_here, inline=True)


@kernel
def begin_outer_loop(X, y, theta, first, second, grad):
    """Copy ``theta`` into ``first`` and ``second`` and write ``grad f(theta)`` into ``grad``
    (the start of a variance-reduced outer loop); return ``f(theta)``."""
    for j in range(theta.shape[0]):
        first[j] = theta[j]
        second[j] = theta[j]
    return full_gradient(X, y, theta, grad)

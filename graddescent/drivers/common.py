"""Compiled pieces shared by the driver kernels (no driver of its own)."""

from __future__ import annotations

from .._jit import kernel, prefetch_item
from ..problems.engine import (
    full_gradient,
    prefetch_offsets,
    prefetch_row,
)
from ..rules.base import by_look_ahead, look_ahead

__all__: list[str] = []

#: How many rows beyond the prefetched row :func:`prefetch_next` asks for the next offsets.
OFFSETS_AHEAD = 8


@kernel(inline=True)
def prefetch_next(X, y, idx, k):
    """Ask for row ``idx[k]`` of ``X`` and ``y`` ahead of use (nothing past the end of ``idx``),
    and for where row ``idx[k + OFFSETS_AHEAD]`` starts (sparse rows: its ``indptr`` entries,
    which must arrive before its nonzeros can be asked for).

    Returns the row number, or -1 past the end.
    """
    far = k + OFFSETS_AHEAD
    if far < idx.shape[0]:
        prefetch_offsets(X, idx[far])
    if k < idx.shape[0]:
        nxt = idx[k]
        prefetch_row(X, nxt)
        prefetch_item(y, nxt)
        return nxt
    return -1


@kernel(inline=True)
def _point_ahead(hp, theta, state, z):
    look_ahead(hp, theta, state, z)
    return z


@kernel(inline=True)
def _point_here(hp, theta, state, z):
    return theta


#: The point where the rule takes its gradient: ``theta``, or its look-ahead point (written
#: into ``z``) for the rules that look ahead; picked for the rule at compile time. Drivers read
#: the row there with the problem's rule-free kernels (``row_derivative(pb, X, y, i,
#: gradient_point(hp, theta, state, z))``): each rule's specialization then compiles only this
#: choice, not another copy of the row's arithmetic.
gradient_point = by_look_ahead(_point_ahead, _point_here, inline=True)


@kernel(inline=True)
def _current_ahead(hp, theta, z):
    return z


@kernel(inline=True)
def _current_here(hp, theta, z):
    return theta


#: The point :func:`gradient_point` last returned (``z`` as left there for the rules that look
#: ahead, ``theta`` for the others), without a new look-ahead: where the L2 part is read.
current_point = by_look_ahead(_current_ahead, _current_here, inline=True)


@kernel
def begin_outer_loop(pb, X, y, theta, first, second, grad):
    """Copy ``theta`` into ``first`` and ``second`` and write ``grad F(theta)`` into ``grad``
    (the start of a variance-reduced outer loop); return ``F(theta)``."""
    for j in range(theta.shape[0]):
        first[j] = theta[j]
        second[j] = theta[j]
    return full_gradient(pb, X, y, theta, grad)


@kernel(inline=True)
def catch_up_all(theta, drift, c, q, last, s):
    """The just-in-time updates' end (sparse rows): bring every coefficient up to date with its
    pending steps along ``c * drift[j]`` (``q - last[j]`` of them, in units of the running sum
    ``q``) and fold the scale ``s`` in (``theta[1:]`` becomes the coefficients themselves)."""
    for j in range(1, theta.shape[0]):
        theta[j] = s * (theta[j] - drift[j] * c * (q - last[j]))
        last[j] = 0.0

"""Compiled pieces shared by the driver kernels (no driver of its own)."""

from __future__ import annotations

from .._jit import kernel, prefetch_item
from ..problems.engine import (
    full_gradient,
    prefetch_offsets,
    prefetch_row,
    prox_steps,
    shrink,
    with_l2,
)
from ..rules.base import by_look_ahead, constant_rate, look_ahead, rate

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


@kernel(inline=True)
def catch_up_prox(pb, hp, w, done, t, drift):
    """A coefficient ``w``, up to date after step ``done``, brought up to date after step ``t``
    (sparse rows, an L1 part): the plain rule's steps ``done + 1 .. t`` that no row touched it
    at, ``w <- prox(w - lr_s (drift + l2 w))`` with its smooth gradient ``drift`` constant
    meanwhile.

    At a constant rate these are ``t - done`` identical steps, taken at once by the penalty's
    closed form (:func:`graddescent.problems.engine.prox_steps`: O(1)); under a schedule each
    has its own rate and threshold, and they are taken one by one (O(t - done)), as
    scikit-learn's ``sag_fast`` replays missed steps."""
    if t <= done:
        return w
    if constant_rate(hp):
        lr = rate(hp, t)
        return prox_steps(pb, w, t - done, lr * with_l2(pb, 0.0, 1.0), lr * drift, lr * pb.l1)
    for s in range(done + 1, t + 1):
        lr = rate(hp, s)
        w = shrink(pb, w - lr * with_l2(pb, drift, w), lr * pb.l1)
    return w


@kernel(inline=True)
def catch_up_all_prox(pb, hp, theta, drift, c, last, t):
    """:func:`catch_up_prox` of every coefficient (``theta[j]`` up to date after step
    ``last[j]``, its drift ``c * drift[j]``) to step ``t``: the end of the just-in-time updates
    with an L1 part, or an iterate they keep."""
    for j in range(1, theta.shape[0]):
        theta[j] = catch_up_prox(pb, hp, theta[j], int(last[j]), t, c * drift[j])
        last[j] = t

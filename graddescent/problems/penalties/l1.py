r"""The L1 (lasso) penalty, scikit-learn's ``"l1"``: :math:`\alpha \|w\|_1`.

Not differentiable: it enters as a proximal step after each update,
:math:`w_j \leftarrow \mathrm{prox}_{\tau_j |\cdot|}(w_j) = \mathrm{sign}(w_j)
\max(|w_j| - \tau_j, 0)` (soft thresholding) with :math:`\tau_j = D_j \alpha`, :math:`D_j` the
rule's effective step of coordinate ``j`` (the prox in the rule's diagonal metric: Duchi, Hazan
and Singer 2011). With the squared error this is exactly ``Lasso``'s objective
(:math:`\frac{1}{2n}\|y - Xw - b\|^2 + \alpha \|w\|_1`).

The steps a just-in-time update owes a coefficient that no row touched
(``soft_threshold_steps``: ``k`` steps of :math:`w \leftarrow \mathrm{shrink}(f w - c,
\tau)` at once) have a closed form of fixed cost, whatever ``k``.

References
----------
R. Tibshirani, Regression shrinkage and selection via the lasso, *JRSS B* 58 (1996).
J. Duchi, E. Hazan and Y. Singer, Adaptive subgradient methods for online learning and
stochastic optimization, *JMLR* 12 (2011), section 3 (composite mirror descent).
"""

from __future__ import annotations

import math

import numpy as np

from ..._jit import kernel
from ..base import PenaltySpec

__all__ = ["SPEC", "soft_threshold", "reference_soft_threshold", "soft_threshold_steps",
           "prox_steps"]


@kernel(inline=True)
def soft_threshold(pb, v, tau):
    """``sign(v) max(|v| - tau, 0)``: the proximal operator of ``tau |.|`` at ``v``."""
    if v > tau:
        return v - tau
    if v < -tau:
        return v + tau
    return 0.0 * v


def reference_soft_threshold(v, tau):
    return np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)


@kernel(inline=True)
def _affine(x, i, g, lf, b):
    """``x_i`` of ``x_0 = x``, ``x_{s+1} = f x_s - b`` with ``f = 1 - g`` and ``lf = log(f)``:
    ``f^i x - b (1 - f^i) / g`` (``x - i b`` for ``g = 0``), with ``expm1`` so that a decay
    ``g`` near 0 loses no digits (the fixed point ``-b / g`` would be huge and cancel)."""
    if g == 0.0:
        return x - i * b
    e = i * lf
    return math.exp(e) * x + b * (math.expm1(e) / g)


@kernel(inline=True)
def _positive_phase(x, k, g, lf, c, tau):
    """From ``x`` with ``f x - c > tau``: how many of the next ``k`` steps of ``x <- f x - (c
    + tau)`` (the step while the point stays above the zero region) are taken before
    ``f x - c <= tau``, i.e. the first ``m >= 1`` with ``f x_m - c <= tau``, or ``k``; returns
    ``(m, x_m)``.

    With ``b = c + tau`` the iterates fall only when ``b > 0``. They leave at ``x_m <= b / f``:
    ``m >= log(1 + g (f x - b) / b) / -log(f)`` (``x / b - 1`` for ``f = 1``, its limit), with
    ``f x > b > 0`` and ``log1p`` so that a small decay ``g`` loses no digits. That count can
    be one off in floating point, so it is then moved until the iterates say the same: the
    iterate before the last in closed form (:func:`_affine`), the last and any further ones by
    single steps, so that the phase ends exactly where the step-by-step iterates (up to their
    rounding) leave it."""
    f = 1.0 - g
    b = c + tau
    if not b > 0.0:  # the iterates never fall: the whole run is this phase
        return k, _affine(x, k, g, lf, b)
    if g == 0.0:
        est = x / b - 1.0
    else:
        est = math.log1p(g * ((f * x - b) / b)) / -lf
    m = k
    if est < k - 1:  # (also a NaN estimate: the run's end, then the neighbours decide)
        m = max(1, int(math.ceil(est)))
    prev = _affine(x, m - 1, g, lf, b)
    while m > 1 and f * prev - c <= tau:  # the iterate before had already left: step back
        m -= 1
        prev = _affine(x, m - 1, g, lf, b)
    xm = f * prev - b
    while m < k and f * xm - c > tau:  # it has not left yet: step on
        m += 1
        xm = f * xm - b
    return m, xm


@kernel
def soft_threshold_steps(w, k, g, c, tau):
    r"""``k`` steps of :math:`w \leftarrow \mathrm{shrink}((1 - g) w - c, \tau)` at one
    coordinate, in O(1) whatever ``k`` (``0 <= g < 1``, ``tau >= 0``).

    This is what the plain rule's proximal step does to a coefficient that no row touches
    while the smooth part of its gradient is constant (SAGA's mean remembered gradient,
    SVRG's snapshot gradient: the drift ``c = lr mu_j``, the L2 decay ``g = lr l2``, the
    threshold ``tau = lr l1``), so that the just-in-time updates apply the missed steps when a
    row next touches the coefficient.

    The map :math:`T(w) = \mathrm{shrink}(f w - c, \tau)` is non-decreasing, so its iterates
    are monotone: at most one affine phase on the starting side (:math:`w \mapsto f w - (c \pm
    \tau)`: geometric for :math:`f < 1`, arithmetic for :math:`f = 1`), then possibly the zero
    region (where :math:`T(w) = 0`; 0 is a fixed point when :math:`|c| \le \tau`), then at most
    one affine phase on the other side, which it never leaves. Each affine phase's length has
    a closed form (:func:`_positive_phase`; the negative side is the positive one of
    :math:`(-w, -c)`, as :math:`T` is odd in :math:`(w, c)`), so the loop below runs at most
    three times. A decay with :math:`f \le 0` (a step beyond the L2 part's own curvature) or a
    non-finite input is stepped one by one (no monotone form; divergence is caught by the
    drivers).
    """
    f = 1.0 - g
    if not (f > 0.0 and np.isfinite(w) and np.isfinite(c)):
        for _ in range(k):
            a = f * w - c
            w = a - tau if a > tau else (a + tau if a < -tau else 0.0 * a)
        return w
    lf = 0.0  # log(f), taken when a phase needs it (not for a coefficient stuck at 0)
    while k > 0:
        a = f * w - c
        if a > tau:
            side = 1.0
        elif a < -tau:
            side = -1.0
        else:  # the zero region: one step to 0
            w = 0.0 * a
            k -= 1
            if abs(c) <= tau:  # T(0) = 0: it stays
                return w
            continue
        if lf == 0.0 and g != 0.0:
            lf = math.log1p(-g)
        m, x = _positive_phase(side * w, k, g, lf, side * c, tau)
        w = side * x
        k -= m
    return w


@kernel(inline=True)
def prox_steps(pb, w, k, g, c, tau):
    """:func:`soft_threshold_steps`, as the penalty spec's ``prox_steps``."""
    return soft_threshold_steps(w, k, g, c, tau)


SPEC = PenaltySpec(name="l1", label="l1", strengths=lambda alpha, l1_ratio: (alpha, 0.0),
                   smooth=False, prox=soft_threshold, reference_prox=reference_soft_threshold,
                   prox_steps=prox_steps)

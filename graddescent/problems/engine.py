r"""The problem's compiled entry points: everything a driver kernel needs to know about the
objective, found through the problem's record ``pb`` (``graddescent.problems.records``).

The objective of a record is

.. math:: F(\theta) = \frac{1}{n} \sum_i \omega_i\, l(r_i) + l_1 \|w\|_1 + \frac{l_2}{2}
          \|w\|_2^2, \qquad r_i = b + x_i \cdot w - y_i, \qquad \theta = (b, w),

with :math:`\omega_i = n\, s_i / \sum_k s_k` the sample weights scaled to mean 1 (1 when
unweighted), so :math:`\frac{1}{n}\sum_i \omega_i l(r_i) = \frac{1}{\sum s}\sum_i s_i l(r_i)`.
The per-row gradient of the smooth part is :math:`\omega_i l'(r_i) (1, x_i) + l_2 (0, w)`; the
intercept's component is dropped when the intercept is not fitted. The L1 part enters only
through :func:`prox`, after each step.

Every entry point is picked at compile time from the record's class (and, for :func:`prox`,
the rule's), so each driver specialization compiles only what its problem needs: for the
unweighted least-squares record without a penalty, :func:`row_derivative` is
:func:`graddescent.objective.residual`, :func:`full_gradient` is
:func:`graddescent.objective.full_gradient`, :func:`with_l2` returns its first argument and
:func:`prox` is empty, which is the code of the drivers before problems existed, bit for bit.
Like every kernel they check nothing (the entry points of the package check).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .. import _sparse as S
from .._jit import block_range, choose, kernel, n_blocks
from .._jit import prefetch_distance as _dense_prefetch_distance
from .._jit import prefetch_row as _dense_prefetch_row
from .._sparse import by_layout
from ..objective import residual as _dense_residual
from ..objective import residual_pair as _dense_residual_pair
from ..rules.base import by_linearity, effective_steps, rate

__all__ = ["loss_value", "loss_derivative", "weigh", "derivative", "row_derivative",
           "row_derivative_change", "intercept", "set_row", "add_row", "step_row",
           "with_l2", "with_l2_change", "add_l2", "add_l2_change", "penalty_value",
           "full_gradient", "objective", "objective_strided", "prox", "shrink", "prox_steps",
           "gradient_finite", "step_corrected_row", "step_row_plus", "add_penalty",
           "residual", "residual_pair", "decay", "prefetch_row", "prefetch_offsets",
           "prefetch_distance", "lazy_decay", "LAZY_SCALE_FLOOR"]


# --- the rows of X: a dense array or a CSR record, picked at compile time ---------------------
#: ``r_i = z[0] + x_i . z[1:] - y[i]``: the dense lanes of :func:`graddescent.objective.residual`,
#: or row ``i``'s nonzeros (:mod:`graddescent._sparse`).
residual = by_layout(_dense_residual, S.residual, inline=True)
#: ``(r_i(a), r_i(b))`` in one pass over row ``i`` (dense or its nonzeros).
residual_pair = by_layout(_dense_residual_pair, S.residual_pair, inline=True)


@kernel(inline=True)
def _prefetch_dense(X, i):
    _dense_prefetch_row(X, i)


#: Ask for row ``i`` ahead of use (dense: its cache lines; sparse: its nonzeros' lines).
prefetch_row = by_layout(_prefetch_dense, S.prefetch_row, inline=True)


@kernel(inline=True)
def _no_offsets(X, i):
    return None


#: Ask for where row ``i`` starts, further ahead than :func:`prefetch_row` (dense: nothing,
#: a row's address is arithmetic; sparse: its ``indptr`` entries).
prefetch_offsets = by_layout(_no_offsets, S.prefetch_offsets, inline=True)


@kernel
def _sparse_prefetch_distance(X):
    return 8


#: How many rows ahead the sampled drivers prefetch (dense: by the row's bytes; sparse: 8).
prefetch_distance = by_layout(_dense_prefetch_distance, _sparse_prefetch_distance)


# --- the loss, the weights, the intercept ------------------------------------------------------
@kernel(inline=True)
def _value_like(pb, r):
    return 0.5 * (r * r)


#: ``l(r)``, the loss of the record's class.
loss_value = choose(lambda c: c.LOSS.value, _value_like, inline=True)


@kernel(inline=True)
def _derivative_like(pb, r):
    return r


#: ``l'(r)``, the derivative of the record's loss.
loss_derivative = choose(lambda c: c.LOSS.derivative, _derivative_like, inline=True)


@kernel(inline=True)
def _unweighted(pb, i, v):
    return v


@kernel(inline=True)
def _weighted(pb, i, v):
    return pb.w[i] * v


#: ``omega_i v``: ``v`` itself when unweighted.
weigh = choose(lambda c: _weighted if c.WEIGHTED else _unweighted, _unweighted, inline=True)


@kernel(inline=True)
def derivative(pb, i, r):
    """``omega_i l'(r)``: the coefficient of row ``i``'s gradient at residual ``r``."""
    return weigh(pb, i, loss_derivative(pb, r))


@kernel(inline=True)
def row_derivative(pb, X, y, i, z):
    """``omega_i l'(r_i(z))`` (least squares unweighted: the residual ``r_i(z)``)."""
    return derivative(pb, i, residual(X, y, i, z))


@kernel(inline=True)
def row_derivative_change(pb, X, y, i, a, b):
    """``omega_i (l'(r_i(a)) - l'(r_i(b)))`` in one pass over row ``i``."""
    ra, rb = residual_pair(X, y, i, a, b)
    return derivative(pb, i, ra) - derivative(pb, i, rb)


@kernel(inline=True)
def _keep(pb, v):
    return v


@kernel(inline=True)
def _drop(pb, v):
    return 0.0


#: The intercept's component ``v`` of a gradient, or 0 when the intercept is not fitted.
intercept = choose(lambda c: _keep if c.INTERCEPT else _drop, _keep, inline=True)


# --- rows ----------------------------------------------------------------------------------------
# Each has a dense kernel (every column) and a sparse one (the row's nonzeros), picked by the
# layout of X at compile time. A step with a dense part (the L2 term, SAGA's and SVRG's mean
# gradients) costs O(d) on sparse rows too; the sparse drivers' lazy steps avoid it where a
# closed form exists.
@kernel(inline=True)
def _set_row_dense(pb, X, i, coef, g):
    g[0] = intercept(pb, coef)
    for j in range(X.shape[1]):
        g[j + 1] = coef * X[i, j]


@kernel(inline=True)
def _set_row_sparse(pb, X, i, coef, g):
    g[0] = intercept(pb, coef)
    S.scale_into(X, i, coef, g)


#: ``g = coef (1, X[i])`` (the intercept's component 0 when it is not fitted).
set_row = by_layout(_set_row_dense, _set_row_sparse, at=1, inline=True)


@kernel(inline=True)
def _add_row_dense(pb, X, i, coef, g):
    g[0] += intercept(pb, coef)
    for j in range(X.shape[1]):
        g[j + 1] += coef * X[i, j]


@kernel(inline=True)
def _add_row_sparse(pb, X, i, coef, g):
    g[0] += intercept(pb, coef)
    S.add_data(X, i, coef, g)


#: ``g += coef (1, X[i])`` (as :func:`set_row`; sparse rows: their nonzeros only).
add_row = by_layout(_add_row_dense, _add_row_sparse, at=1, inline=True)


@kernel(inline=True)
def _step_row_dense(pb, X, i, coef, lr, theta):
    theta[0] -= lr * intercept(pb, coef)
    for j in range(X.shape[1]):
        theta[j + 1] -= lr * with_l2(pb, coef * X[i, j], theta[j + 1])


@kernel(inline=True)
def _step_row_sparse(pb, X, i, coef, lr, theta):
    theta[0] -= lr * intercept(pb, coef)
    decay(pb, lr, theta)
    S.add_data(X, i, -(lr * coef), theta)


#: ``theta -= lr (coef (1, X[i]) + l2 (0, w))``: a linear rule's single-row step without a
#: gradient buffer (sparse rows: the L2 decay of every coefficient, then the row's nonzeros).
step_row = by_layout(_step_row_dense, _step_row_sparse, at=1, inline=True)


# --- the smooth (L2) part of the penalty ------------------------------------------------------
@kernel(inline=True)
def _first(pb, gj, zj):
    return gj


@kernel(inline=True)
def _plus_l2(pb, gj, zj):
    return gj + pb.l2 * zj


#: ``gj + l2 zj`` for a coefficient's gradient ``gj`` at ``zj`` (``gj`` without an L2 part).
with_l2 = choose(lambda c: _plus_l2 if c.L2 else _first, _first, inline=True)


@kernel(inline=True)
def _first3(pb, gj, aj, bj):
    return gj


@kernel(inline=True)
def _plus_l2_change(pb, gj, aj, bj):
    return gj + pb.l2 * (aj - bj)


#: ``gj + l2 (aj - bj)``: a gradient difference's L2 part (``gj`` without one).
with_l2_change = choose(lambda c: _plus_l2_change if c.L2 else _first3, _first3, inline=True)


@kernel(inline=True)
def _no_l2(pb, z, g):
    return None


@kernel(inline=True)
def _add_l2(pb, z, g):
    for j in range(1, g.shape[0]):
        g[j] += pb.l2 * z[j]


#: ``g += l2 (0, w)`` at ``z = (b, w)`` (nothing without an L2 part).
add_l2 = choose(lambda c: _add_l2 if c.L2 else _no_l2, _no_l2, inline=True)


@kernel(inline=True)
def _no_l2_change(pb, a, b, g):
    return None


@kernel(inline=True)
def _add_l2_change(pb, a, b, g):
    for j in range(1, g.shape[0]):
        g[j] += pb.l2 * (a[j] - b[j])


#: ``g += l2 (0, a_w - b_w)`` (nothing without an L2 part).
add_l2_change = choose(lambda c: _add_l2_change if c.L2 else _no_l2_change, _no_l2_change,
                       inline=True)


@kernel(inline=True)
def penalty_value(pb, z):
    """``l1 ||w||_1 + l2 / 2 ||w||_2^2`` at ``z = (b, w)``."""
    s1 = 0.0
    s2 = 0.0
    for j in range(1, z.shape[0]):
        s1 += abs(z[j])
        s2 += z[j] * z[j]
    return pb.l1 * s1 + 0.5 * pb.l2 * s2


@kernel(inline=True)
def _unpenalised(pb, z, g, f):
    return f


@kernel(inline=True)
def _penalised(pb, z, g, f):
    add_l2(pb, z, g)
    return f + penalty_value(pb, z)


#: Add the penalty's smooth gradient to ``g`` and its value to ``f``; return the new ``f``.
add_penalty = choose(lambda c: _penalised if c.PENALISED else _unpenalised, _unpenalised,
                     inline=True)


@kernel(inline=True)
def _value_only_unpenalised(pb, z, f):
    return f


@kernel(inline=True)
def _value_only_penalised(pb, z, f):
    return f + penalty_value(pb, z)


_plus_penalty = choose(lambda c: _value_only_penalised if c.PENALISED
                       else _value_only_unpenalised, _value_only_unpenalised, inline=True)


@kernel(inline=True)
def _no_decay(pb, lr, theta):
    return None


@kernel(inline=True)
def _decay_all(pb, lr, theta):
    for j in range(1, theta.shape[0]):
        theta[j] -= lr * (pb.l2 * theta[j])


#: ``w -= lr l2 w`` (every coefficient: O(d); nothing without an L2 part).
decay = choose(lambda c: _decay_all if c.L2 else _no_decay, _no_decay, inline=True)


@kernel(inline=True)
def _scale_unchanged(pb, lr, theta, s):
    return s


@kernel(inline=True)
def _scale_decayed(pb, lr, theta, s):
    f = 1.0 - lr * pb.l2
    if f > 0.0 and s * f >= LAZY_SCALE_FLOOR:
        return s * f
    for j in range(1, theta.shape[0]):  # fold the scale in (rare: O(d))
        theta[j] *= s * f
    return 1.0


#: The L2 decay of a lazy step: the coefficients are ``s v`` with ``v`` in ``theta[1:]``, and
#: ``w -= lr l2 w`` is ``s *= 1 - lr l2`` (O(1)); the scale is folded into ``v`` when it falls
#: below :data:`LAZY_SCALE_FLOOR` (or the factor is not positive). Returns the new scale.
lazy_decay = choose(lambda c: _scale_decayed if c.L2 else _scale_unchanged, _scale_unchanged,
                    inline=True)

#: A lazy step's scale is folded into the coefficients below this (scikit-learn's ``wscale``
#: does the same at 1e-9).
LAZY_SCALE_FLOOR = 1e-9


# --- the full gradient and the objective ---------------------------------------------------------
@kernel
def _generic_gradient(pb, X, y, z, g):
    """``(1/n) sum_i omega_i l'(r_i) (1, x_i)`` into ``g``; returns the mean weighted loss."""
    n = X.shape[0]
    for j in range(g.shape[0]):
        g[j] = 0.0
    total = 0.0
    for i in range(n):
        r = residual(X, y, i, z)
        total += weigh(pb, i, loss_value(pb, r))
        add_row(pb, X, i, derivative(pb, i, r), g)
    for j in range(g.shape[0]):
        g[j] /= n
    return total / n


@kernel
def _generic_objective_strided(pb, X, y, z, stride):
    """The mean weighted loss on rows ``0, stride, 2 stride, ...``."""
    total = 0.0
    count = 0
    for i in range(0, X.shape[0], stride):
        total += weigh(pb, i, loss_value(pb, residual(X, y, i, z)))
        count += 1
    return total / count


@kernel
def _generic_objective(pb, X, y, z):
    return _generic_objective_strided(pb, X, y, z, 1)


_dense_objective_strided = choose(lambda c: c.FAST[2] if c.FAST else
                                  _generic_objective_strided, _generic_objective_strided,
                                  inline=True)


@kernel(inline=True)
def _fast_or_generic_gradient(pb, X, y, z, g):
    return _dense_gradient(pb, X, y, z, g)


@kernel(inline=True)
def _fast_or_generic_objective(pb, X, y, z):
    return _dense_objective(pb, X, y, z)


@kernel(inline=True)
def _fast_or_generic_objective_strided(pb, X, y, z, stride):
    return _dense_objective_strided(pb, X, y, z, stride)


# dense rows: the loss's hand-tuned kernels where it has them; sparse rows: the generic loops,
# one pass over the nonzeros
_data_gradient = by_layout(_fast_or_generic_gradient, _generic_gradient, at=1, inline=True)
_data_objective = by_layout(_fast_or_generic_objective, _generic_objective, at=1, inline=True)
_data_objective_strided = by_layout(_fast_or_generic_objective_strided,
                                    _generic_objective_strided, at=1, inline=True)


# --- the same passes in row blocks on numba's threads (a record of a BLOCKED class) ------------
@kernel(inline=True)
def _generic_rows(pb, X, y, z, g, lo, hi):
    """Add ``sum_{lo <= i < hi} omega_i l'(r_i) (1, x_i)`` to ``g``; return the rows' weighted
    loss (the loop of :func:`_generic_gradient`)."""
    total = 0.0
    for i in range(lo, hi):
        r = residual(X, y, i, z)
        total += weigh(pb, i, loss_value(pb, r))
        add_row(pb, X, i, derivative(pb, i, r), g)
    return total


@kernel(inline=True)
def _generic_block(pb, X, y, z, parts, b):
    lo, hi = block_range(X.shape[0], b)
    row = parts[b]
    for j in range(row.shape[0]):
        row[j] = 0.0
    row[z.shape[0]] = _generic_rows(pb, X, y, z, row, lo, hi)


@kernel(parallel=True)
def _generic_blocks(pb, X, y, z, g):
    """:func:`_generic_rows` over the row blocks on numba's threads, the blocks' sums added in
    block order (:mod:`graddescent._jit.blocks`); ``g`` zero on entry."""
    n = X.shape[0]
    nb = n_blocks(n)
    p = z.shape[0]
    parts = np.empty((nb, p + 1 + (-(p + 1)) % 8))  # rows of whole cache lines
    for b in prange(nb):
        _generic_block(pb, X, y, z, parts, b)
    total = 0.0
    for b in range(nb):
        for j in range(p):
            g[j] += parts[b, j]
        total += parts[b, p]
    return total


@kernel
def _generic_gradient_blocked(pb, X, y, z, g):
    """:func:`_generic_gradient` in row blocks (the same bits on any number of threads)."""
    n = X.shape[0]
    for j in range(g.shape[0]):
        g[j] = 0.0
    total = _generic_blocks(pb, X, y, z, g)
    for j in range(g.shape[0]):
        g[j] /= n
    return total / n


@kernel(parallel=True)
def _generic_loss_blocks(pb, X, y, z):
    """The weighted loss's sum over the row blocks (as :func:`_generic_blocks`)."""
    n = X.shape[0]
    nb = n_blocks(n)
    parts = np.empty(nb)
    for b in prange(nb):
        lo, hi = block_range(n, b)
        total = 0.0
        for i in range(lo, hi):
            total += weigh(pb, i, loss_value(pb, residual(X, y, i, z)))
        parts[b] = total
    total = 0.0
    for b in range(nb):
        total += parts[b]
    return total


@kernel
def _generic_objective_blocked(pb, X, y, z):
    """The mean weighted loss on every row, in the blocks of :func:`_generic_gradient_blocked`."""
    return _generic_loss_blocks(pb, X, y, z) / X.shape[0]


def _pick_gradient(c):
    """The dense full gradient of record class ``c``: the loss's hand-tuned kernel where it has
    one, else the generic loop; in row blocks on numba's threads for a ``BLOCKED`` class (the
    record's class says which: a small data set never compiles the parallel kernels)."""
    if c.BLOCKED:
        return c.FAST_BLOCKED[0] if c.FAST_BLOCKED else _generic_gradient_blocked
    return c.FAST[0] if c.FAST else _generic_gradient


def _pick_objective(c):
    """The dense objective of record class ``c`` (as :func:`_pick_gradient`)."""
    if c.BLOCKED:
        return c.FAST_BLOCKED[1] if c.FAST_BLOCKED else _generic_objective_blocked
    return c.FAST[1] if c.FAST else _generic_objective


_dense_gradient = choose(_pick_gradient, _generic_gradient, inline=True)
_dense_objective = choose(_pick_objective, _generic_objective, inline=True)


# The three passes below are inlined into the drivers (numba's level): a layer of kernels of
# their own above the passes' loops made each first fit compile those loops once more (see
# docs/development.md, "Compile time and linked copies"); from Python they are compiled as any
# kernel.
@kernel(inline=True)
def full_gradient(pb, X, y, z, g):
    """Write the gradient of the smooth part of ``F`` at ``z`` into ``g`` in one pass over
    ``X``; return ``F(z)`` (the L1 part included)."""
    return add_penalty(pb, z, g, _data_gradient(pb, X, y, z, g))


@kernel(inline=True)
def objective(pb, X, y, z):
    """``F(z)`` without allocating."""
    return _plus_penalty(pb, z, _data_objective(pb, X, y, z))


@kernel(inline=True)
def objective_strided(pb, X, y, z, stride):
    """``F`` with its mean loss taken on the rows ``0, stride, 2 stride, ...`` (a fixed
    function of ``z`` costing ``n / stride`` rows)."""
    return _plus_penalty(pb, z, _data_objective_strided(pb, X, y, z, stride))


# --- the L1 part: a proximal step after each update ----------------------------------------------
@kernel(inline=True)
def _shrink_like(pb, v, tau):
    return v


#: The penalty's proximal operator at one coordinate (soft thresholding by ``tau``).
shrink = choose(lambda c: c.PROX if c.PROX is not None else _shrink_like, _shrink_like,
                inline=True)


@kernel(inline=True)
def _steps_one_by_one(pb, w, k, g, c, tau):
    f = 1.0 - g
    for _ in range(k):
        w = shrink(pb, f * w - c, tau)
    return w


#: ``k`` proximal steps ``w <- prox((1 - g) w - c, tau)`` at one coordinate: the penalty's
#: closed form where it has one (soft thresholding: O(1) whatever ``k``,
#: :func:`graddescent.problems.penalties.l1.soft_threshold_steps`), else one by one. The steps
#: a just-in-time update owes a coefficient no row touched.
prox_steps = choose(lambda c: c.PROX_STEPS if c.PROX_STEPS is not None else _steps_one_by_one,
                    _steps_one_by_one, inline=True)


@kernel(inline=True)
def _prox_linear(hp, pb, theta, state, t, buf):
    """The plain rule's step is ``rate_t``: one threshold for every coefficient."""
    tau = rate(hp, t) * pb.l1
    for j in range(1, theta.shape[0]):
        theta[j] = shrink(pb, theta[j], tau)


@kernel(inline=True)
def _prox_metric(hp, pb, theta, state, t, buf):
    """The prox in the rule's diagonal metric: coefficient ``j`` thresholded by ``D_j l1``
    with ``D`` the rule's effective steps after step ``t`` (written into ``buf``)."""
    effective_steps(hp, state, t, buf)
    for j in range(1, theta.shape[0]):
        theta[j] = shrink(pb, theta[j], buf[j] * pb.l1)


_prox_by_rule = by_linearity(_prox_linear, _prox_metric, inline=True)


@kernel(inline=True)
def _no_prox(pb, hp, theta, state, t, buf):
    return None


@kernel(inline=True)
def _prox(pb, hp, theta, state, t, buf):
    _prox_by_rule(hp, pb, theta, state, t, buf)


#: After step ``t`` of rule ``hp``: ``w <- prox_{D l1 ||.||_1}(w)`` (nothing without an L1
#: part); ``buf`` is scratch of length ``p``.
prox = choose(lambda c: _prox if c.PROX is not None else _no_prox, _no_prox, inline=True)


@kernel(inline=True)
def _intercept_finite(pb, g):
    return np.isfinite(g[0])


@kernel(inline=True)
def _all_finite(pb, g):
    total = 0.0
    for j in range(g.shape[0]):
        total += g[j]
    return np.isfinite(total)


#: Whether a gradient ``g`` is finite, as far as the drivers check it: its intercept's
#: component (every row adds to it), or every component when the intercept is not fitted.
gradient_finite = choose(lambda c: _intercept_finite if c.INTERCEPT else _all_finite,
                         _intercept_finite, inline=True)


@kernel(inline=True)
def _step_corrected_row_dense(pb, X, i, mu, coef, lr, theta, snap):
    theta[0] -= lr * (mu[0] + intercept(pb, coef))
    for j in range(X.shape[1]):
        theta[j + 1] -= lr * with_l2_change(pb, mu[j + 1] + coef * X[i, j], theta[j + 1],
                                            snap[j + 1])


@kernel(inline=True)
def _step_corrected_row_sparse(pb, X, i, mu, coef, lr, theta, snap):
    theta[0] -= lr * (mu[0] + intercept(pb, coef))
    for j in range(1, theta.shape[0]):
        theta[j] -= lr * with_l2_change(pb, mu[j], theta[j], snap[j])
    S.add_data(X, i, -(lr * coef), theta)


#: ``theta -= lr (mu + coef (1, X[i]) + l2 (0, w - snap_w))``: a linear rule's
#: variance-reduced step without a gradient buffer (sparse rows: O(d), ``mu`` is dense).
step_corrected_row = by_layout(_step_corrected_row_dense, _step_corrected_row_sparse, at=1,
                               inline=True)


@kernel(inline=True)
def _step_row_plus_dense(pb, X, i, coef, base, scale, lr, theta):
    theta[0] -= lr * (intercept(pb, coef) + scale * base[0])
    for j in range(X.shape[1]):
        theta[j + 1] -= lr * with_l2(pb, coef * X[i, j] + scale * base[j + 1], theta[j + 1])


@kernel(inline=True)
def _step_row_plus_sparse(pb, X, i, coef, base, scale, lr, theta):
    theta[0] -= lr * (intercept(pb, coef) + scale * base[0])
    for j in range(1, theta.shape[0]):
        theta[j] -= lr * with_l2(pb, scale * base[j], theta[j])
    S.add_data(X, i, -(lr * coef), theta)


#: ``theta -= lr (coef (1, X[i]) + scale * base + l2 (0, w))``: a linear rule's SAGA step
#: without a gradient buffer (sparse rows: O(d), ``base`` is dense).
step_row_plus = by_layout(_step_row_plus_dense, _step_row_plus_sparse, at=1, inline=True)

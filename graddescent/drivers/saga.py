r"""SAGA (Defazio, Bach and Lacoste-Julien 2014): SAG's table, an unbiased step, a prox."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _sparse as S
from .._jit import DIVERGED, OK, choose, kernel, prefetch_item
from .._sparse import by_layout
from ..problems.engine import (
    LAZY_SCALE_FLOOR,
    add_l2,
    add_row,
    derivative,
    intercept,
    prefetch_distance,
    prox,
    row_derivative,
    shrink,
    step_row_plus,
    with_l2,
)
from ..rules.base import by_linearity, rate, step
from .base import Driver, DriverState, buffers, record_of
from .common import (
    catch_up_all,
    catch_up_all_prox,
    catch_up_prox,
    current_point,
    gradient_point,
    prefetch_next,
)
from .divergence import raise_if_diverged
from .extra_sum import NoExtra, add_extra
from .sampling import IndexStream

__all__ = ["SAGA", "SAGAState"]


@kernel(inline=True)
def _linear_saga_step(hp, pb, X, i, change, dsum, inv_n, theta, g, state, t, z):
    """Step ``t + 1`` of a linear rule along ``change (1, X[i]) + dsum / n + l2 (0, w)``,
    without the gradient buffer; returns ``t + 1``."""
    t += 1
    step_row_plus(pb, X, i, change, dsum, inv_n, rate(hp, t), theta)
    return t


@kernel(inline=True)
def _rule_saga_step(hp, pb, X, i, change, dsum, inv_n, theta, g, state, t, z):
    """Step ``t + 1`` of the rule along ``g = change (1, X[i]) + dsum / n + l2 (0, w)``;
    returns ``t + 1``."""
    for j in range(theta.shape[0]):
        g[j] = dsum[j] * inv_n
    add_row(pb, X, i, change, g)
    add_l2(pb, current_point(hp, theta, z), g)
    t += 1
    step(hp, theta, g, state, t)
    return t


#: SAGA's step, picked for the rule at compile time.
saga_step = by_linearity(_linear_saga_step, _rule_saga_step, inline=True)


@kernel(inline=True)
def saga_steps(X, y, idx, theta, state, t, hp, memory, dsum, inv_n, extra, g, z, pb):
    """SAGA's steps over the rows ``idx`` with ``inv_n = 1 / n`` and the optional extra sum
    ``extra`` (:mod:`~graddescent.drivers.extra_sum`; the chunks of the distributed SAGA):
    see :func:`_saga_dense`. Returns ``(t, status)``."""
    ahead = prefetch_distance(X)
    for k in range(idx.shape[0]):
        nxt = prefetch_next(X, y, idx, k + ahead)
        if nxt >= 0:
            prefetch_item(memory, nxt)
        i = idx[k]
        d = row_derivative(pb, X, y, i, gradient_point(hp, theta, state, z))
        if not np.isfinite(d):
            return t, DIVERGED
        change = d - memory[i]
        t = saga_step(hp, pb, X, i, change, dsum, inv_n, theta, g, state, t, z)
        prox(pb, hp, theta, state, t, g)
        add_row(pb, X, i, change, dsum)
        add_extra(extra, pb, X, i, change)
        memory[i] = d
    return t, OK


@kernel
def _saga_dense(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb):
    """SAGA, one step per entry of ``idx``.

    Row ``i``'s remembered gradient is ``memory[i] (1, x_i)`` (``memory[i]`` its loss
    derivative when last seen, 0 before), ``dsum`` their sum. Step: ``g = (d_i - memory[i])
    (1, x_i) + dsum / n + l2 (0, w)`` with ``d_i`` the derivative at the current point (the old
    table's mean: an unbiased estimate of the gradient whatever the table), the rule's step, the
    prox of the L1 part; then the table takes ``d_i``. Returns ``(t, status)``.
    """
    return saga_steps(X, y, idx, theta, state, t, hp, memory, dsum, 1.0 / X.shape[0],
                      NoExtra(g[:0], 0), g, z, pb)


@kernel
def _saga_lazy(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb):
    """:func:`_saga_dense` for a linear rule on sparse rows without an L1 part, in O(nonzeros)
    per step: just-in-time updates (Schmidt et al. 2017; scikit-learn's ``sag_fast``).

    The coefficients are held as ``s v`` (``v`` in ``theta[1:]``): the L2 decay multiplies
    ``s``; the mean remembered gradient ``dsum / n``, constant in a coefficient until a row
    touches it, enters ``v_j`` as ``dsum_j / n`` times the sum of ``lr_t / s_t`` over the steps
    since its last update (the running sum ``q``, its value at each coefficient's last update
    kept in ``g``), applied when a row next touches the coefficient, and to every coefficient at
    the end of the call (or when ``s`` gets small). The same iterates as the dense steps, up to
    rounding."""
    ahead = prefetch_distance(X)
    inv_n = 1.0 / X.shape[0]
    last = g
    for j in range(theta.shape[0]):
        last[j] = 0.0
    q = 0.0
    s = 1.0
    status = OK
    for k in range(idx.shape[0]):
        nxt = prefetch_next(X, y, idx, k + ahead)
        if nxt >= 0:
            prefetch_item(memory, nxt)
        i = idx[k]
        lo = X.indptr[i]
        hi = X.indptr[i + 1]
        dot = 0.0
        for kk in range(lo, hi):  # bring the row's coefficients up to date
            j = X.indices[kk] + 1
            theta[j] -= dsum[j] * inv_n * (q - last[j])
            last[j] = q
            dot += X.data[kk] * theta[j]
        d = derivative(pb, i, (theta[0] - y[i]) + s * dot)
        if not np.isfinite(d):
            status = DIVERGED
            break
        change = d - memory[i]
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * (intercept(pb, change) + dsum[0] * inv_n)
        f = 1.0 - lr * pb.l2
        if not (f > 0.0 and s * f >= LAZY_SCALE_FLOOR):  # fold the scale in (rare: O(d))
            catch_up_all(theta, dsum, inv_n, q, last, s)
            q = 0.0
            s = 1.0
        s *= f
        q += lr / s
        c = lr / s
        for kk in range(lo, hi):  # this step's data term, and its mean term with the old dsum
            j = X.indices[kk] + 1
            theta[j] -= c * (change * X.data[kk])
            if last[j] != q:  # (a column stored twice in the row takes the mean term once)
                theta[j] -= c * (dsum[j] * inv_n)
                last[j] = q
        dsum[0] += intercept(pb, change)
        S.add_data(X, i, change, dsum)
        memory[i] = d
    catch_up_all(theta, dsum, inv_n, q, last, s)
    return t, status


@kernel
def _saga_lazy_prox(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb):
    """:func:`_saga_dense` for a linear rule on sparse rows with an L1 part (L1 or elastic
    net), in O(nonzeros) per step: just-in-time updates with their proximal steps.

    A coefficient no row touches takes, at each step, ``w <- shrink(w - lr (dsum_j / n + l2
    w), lr l1)`` with ``dsum_j`` constant until a row touches it: ``g`` keeps the step after
    which each coefficient is up to date, and the missed steps are applied at once when a row
    next touches it (before its residual is read), and to every coefficient at the end of the
    call (:func:`graddescent.drivers.common.catch_up_prox`: a closed form of fixed cost at a
    constant rate). A touched coefficient takes the dense step: its decay and mean term once,
    the row's data term, then its threshold once. The same iterates as the dense steps, up
    to rounding."""
    ahead = prefetch_distance(X)
    inv_n = 1.0 / X.shape[0]
    last = g
    for j in range(theta.shape[0]):
        last[j] = t
    status = OK
    for k in range(idx.shape[0]):
        nxt = prefetch_next(X, y, idx, k + ahead)
        if nxt >= 0:
            prefetch_item(memory, nxt)
        i = idx[k]
        lo = X.indptr[i]
        hi = X.indptr[i + 1]
        dot = 0.0
        for kk in range(lo, hi):  # bring the row's coefficients up to date
            j = X.indices[kk] + 1
            v = catch_up_prox(pb, hp, theta[j], int(last[j]), t, inv_n * dsum[j])
            theta[j] = v
            last[j] = t
            dot += X.data[kk] * v
        d = derivative(pb, i, (theta[0] - y[i]) + dot)
        if not np.isfinite(d):
            status = DIVERGED
            break
        change = d - memory[i]
        done = t
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * (intercept(pb, change) + dsum[0] * inv_n)
        for kk in range(lo, hi):  # the step: decay and mean term once a column, data term
            j = X.indices[kk] + 1
            if last[j] == done:  # (-1 marks a column stepped but not yet thresholded)
                theta[j] -= lr * with_l2(pb, inv_n * dsum[j], theta[j])
                last[j] = -1.0
            theta[j] -= lr * (change * X.data[kk])
        tau = lr * pb.l1
        for kk in range(lo, hi):  # its threshold once a column; then the table
            j = X.indices[kk] + 1
            if last[j] != t:
                theta[j] = shrink(pb, theta[j], tau)
                last[j] = t
            dsum[j] += change * X.data[kk]
        dsum[0] += intercept(pb, change)
        memory[i] = d
    catch_up_all_prox(pb, hp, theta, dsum, inv_n, last, t)
    return t, status


@kernel(inline=True)
def _lazy_problem_first(pb, X, y, idx, theta, state, t, hp, memory, dsum, g, z):
    return _saga_lazy(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb)


@kernel(inline=True)
def _lazy_prox_problem_first(pb, X, y, idx, theta, state, t, hp, memory, dsum, g, z):
    return _saga_lazy_prox(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb)


#: Without an L1 part the lazy steps; with one, the lazy steps with their proximal steps.
_lazy_by_penalty = choose(lambda c: _lazy_prox_problem_first if c.PROX is not None
                          else _lazy_problem_first, _lazy_problem_first)


@kernel(inline=True)
def _lazy_rule_first(hp, X, y, idx, theta, state, t, memory, dsum, g, z, pb):
    return _lazy_by_penalty(pb, X, y, idx, theta, state, t, hp, memory, dsum, g, z)


@kernel(inline=True)
def _exact_rule_first(hp, X, y, idx, theta, state, t, memory, dsum, g, z, pb):
    return _saga_dense(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb)


#: A linear rule goes lazy; the other rules' steps read the whole gradient (O(d)).
_sparse_by_rule = by_linearity(_lazy_rule_first, _exact_rule_first)


@kernel
def _saga_sparse(X, y, idx, theta, state, t, hp, memory, dsum, g, z, pb):
    return _sparse_by_rule(hp, X, y, idx, theta, state, t, memory, dsum, g, z, pb)


#: SAGA's steps over the rows ``idx`` (see :func:`_saga_dense`), picked by the layout of ``X``
#: (sparse rows with a linear rule: :func:`_saga_lazy`, or :func:`_saga_lazy_prox` with an L1
#: part).
saga = by_layout(_saga_dense, _saga_sparse)


#: SAGA draws its rows in blocks of at most this many (its only memory for them).
DRAW_CHUNK = 65536


@dataclasses.dataclass
class SAGAState(DriverState):
    """SAGA's table: one loss derivative per row (0 until the row is seen) and their sum."""

    stream: IndexStream
    memory: np.ndarray
    dsum: np.ndarray


@dataclasses.dataclass(frozen=True)
class SAGA(Driver):
    r"""SAGA (Defazio, Bach and Lacoste-Julien 2014, section 2).

    With :math:`j` drawn uniformly (with replacement) and :math:`\phi_i` the table of the
    points where each row's gradient was last taken:

    .. math:: w \leftarrow \mathrm{prox}_{\gamma h}\Big(\mathrm{step}\big(w,\;
              \nabla f_j(w) - \nabla f_j(\phi_j) + \tfrac{1}{n}\textstyle\sum_i
              \nabla f_i(\phi_i)\big)\Big), \qquad \phi_j \leftarrow w,

    an unbiased estimate of the gradient (SAG's is biased), which is what lets the proximal
    step of the L1 part :math:`h` in (SAG has no proximal form). Only the loss derivative of
    each row is stored (its gradient is that times :math:`(1, x_i)`); the L2 part's exact
    gradient enters every step. The table starts at 0 (the estimate is unbiased for any
    table). The paper's step is :math:`1 / (3 L_{max})`; ``1 / L_max`` works in practice.

    Not in R gradDescent. One unit = one single-row step; ``n`` units per epoch.
    """

    name = "saga"
    needs_smooth_loss = True

    def units_per_epoch(self, n: int) -> float:
        return float(n)

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """One row's gradient per step (the table supplies the others)."""
        return int(steps)

    def init_state(self, n: int, p: int) -> SAGAState:
        return SAGAState(IndexStream(n, "replace", block_size=DRAW_CHUNK), np.zeros(n),
                         np.zeros(p))

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        s = driver_state
        g, z = buffers(theta.shape[0])
        hp = rule.hyperparameters()
        pb = record_of(pb)
        while n_units > 0:  # the draws in pieces: the same indices as in one take
            idx = s.stream.take_piece(rng, n_units)
            n_units -= idx.shape[0]
            t, status = saga(X, y, idx, theta, rule_state, t, hp, s.memory, s.dsum, g, z, pb)
            raise_if_diverged(status, t, rule)
        return t

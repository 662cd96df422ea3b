r"""Stochastic average gradient (Le Roux, Schmidt, Bach 2012; Schmidt et al. 2017)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _sparse as S
from .._jit import DIVERGED, OK, kernel, prefetch_item
from .._sparse import by_layout
from ..problems.engine import (
    LAZY_SCALE_FLOOR,
    add_l2,
    add_row,
    derivative,
    intercept,
    prefetch_distance,
    row_derivative,
    with_l2,
)
from ..rules.base import by_linearity, rate, step
from .base import Driver, DriverState, buffers, record_of
from .common import catch_up_all, current_point, gradient_point, prefetch_next
from .divergence import raise_if_diverged
from .extra_sum import NoExtra, add_extra
from .sampling import IndexStream

__all__ = ["SAG", "SAGState"]


@kernel(inline=True)
def _linear_mean_step(hp, pb, theta, dsum, m, g, state, t, z):
    """Step ``t + 1`` of a linear rule along ``dsum / m + l2 (0, w)``, without the gradient
    buffer (the arithmetic of its step on that ``g``); returns ``t + 1``."""
    t += 1
    lr = rate(hp, t)
    theta[0] -= lr * (dsum[0] / m)
    for j in range(1, theta.shape[0]):
        theta[j] -= lr * with_l2(pb, dsum[j] / m, theta[j])
    return t


@kernel(inline=True)
def _rule_mean_step(hp, pb, theta, dsum, m, g, state, t, z):
    """Step ``t + 1`` of the rule along ``g = dsum / m + l2 (0, w)`` (``w`` at the rule's
    gradient point); returns ``t + 1``."""
    for j in range(theta.shape[0]):
        g[j] = dsum[j] / m
    add_l2(pb, current_point(hp, theta, z), g)
    t += 1
    step(hp, theta, g, state, t)
    return t


#: SAG's step along the mean remembered gradient, picked for the rule at compile time.
mean_step = by_linearity(_linear_mean_step, _rule_mean_step, inline=True)


@kernel(inline=True)
def sag_steps(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, extra, g, z, pb):
    """SAG's steps over the rows ``idx`` (see :func:`sag`) with the optional extra sum
    ``extra`` (:mod:`~graddescent.drivers.extra_sum`; the chunks of the distributed SAG, for
    which ``m`` also counts ``extra.others``, the rows seen elsewhere). Returns ``(t, n_seen,
    status)``."""
    ahead = prefetch_distance(X)
    for k in range(idx.shape[0]):
        nxt = prefetch_next(X, y, idx, k + ahead)
        if nxt >= 0:
            prefetch_item(memory, nxt)
        i = idx[k]
        r = row_derivative(pb, X, y, i, gradient_point(hp, theta, state, z))
        if not np.isfinite(r):
            return t, n_seen, DIVERGED
        old = memory[i]
        if old != old:  # NaN: the first visit of row i
            old = 0.0
            n_seen += 1
        add_row(pb, X, i, r - old, dsum)
        add_extra(extra, pb, X, i, r - old)
        memory[i] = r
        m = fixed_m if fixed_m > 0 else n_seen + extra.others
        t = mean_step(hp, pb, theta, dsum, m, g, state, t, z)
    return t, n_seen, OK


@kernel
def _sag_dense(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb):
    """Stochastic average gradient, one step per entry of ``idx``.

    The gradient memory of row ``i`` is the scalar loss derivative ``memory[i]`` (its gradient
    is ``memory[i] (1, x_i)``; least squares: the residual; NaN while row ``i`` has not been
    seen: its gradient counts as 0); ``dsum`` is the sum of the remembered gradients. The L2
    part of the penalty is not remembered: its exact gradient enters every step. The step uses
    ``dsum / m`` where ``m`` is the number of distinct rows seen so far, or ``fixed_m`` when it
    is positive (e.g. ``n``). Returns ``(t, n_seen, status)``.
    """
    return sag_steps(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m,
                     NoExtra(g[:0], 0), g, z, pb)


@kernel
def _sag_lazy(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb):
    """:func:`_sag_dense` for a linear rule on sparse rows, in O(nonzeros) per step:
    just-in-time updates (Schmidt et al. 2017, section 4.1; scikit-learn's ``sag_fast``).

    The coefficients are held as ``s v`` (``v`` in ``theta[1:]``): the L2 decay multiplies
    ``s``. A coefficient no row touches keeps its ``dsum_j``, so its steps move ``v_j`` by
    ``dsum_j`` times the sum of ``lr_t / (m_t s_t)`` over them (the running sum ``q``, its value
    at each coefficient's last update kept in ``g``), applied when a row next touches the
    coefficient, and to every coefficient at the end of the call (or when ``s`` gets small).
    The same iterates as the dense steps, up to rounding."""
    ahead = prefetch_distance(X)
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
            theta[j] -= dsum[j] * (q - last[j])
            last[j] = q
            dot += X.data[kk] * theta[j]
        r = derivative(pb, i, (theta[0] - y[i]) + s * dot)
        if not np.isfinite(r):
            status = DIVERGED
            break
        old = memory[i]
        if old != old:  # NaN: the first visit of row i
            old = 0.0
            n_seen += 1
        change = r - old
        dsum[0] += intercept(pb, change)
        S.add_data(X, i, change, dsum)
        memory[i] = r
        m = fixed_m if fixed_m > 0 else n_seen
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * (dsum[0] / m)
        f = 1.0 - lr * with_l2(pb, 0.0, 1.0)  # the L2 decay's factor (1 without an L2 part)
        if not (f > 0.0 and s * f >= LAZY_SCALE_FLOOR):  # fold the scale in (rare: O(d))
            catch_up_all(theta, dsum, 1.0, q, last, s)
            q = 0.0
            s = 1.0
        s *= f
        c = lr / (m * s)
        q += c
        for kk in range(lo, hi):  # this step's mean term with the new dsum
            j = X.indices[kk] + 1
            if last[j] != q:  # (a column stored twice in the row moves once)
                theta[j] -= c * dsum[j]
                last[j] = q
    catch_up_all(theta, dsum, 1.0, q, last, s)
    return t, n_seen, status


@kernel(inline=True)
def _lazy_rule_first(hp, X, y, idx, theta, state, t, memory, dsum, n_seen, fixed_m, g, z,
                     pb):
    return _sag_lazy(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb)


@kernel(inline=True)
def _exact_rule_first(hp, X, y, idx, theta, state, t, memory, dsum, n_seen, fixed_m, g, z,
                      pb):
    return _sag_dense(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb)


#: A linear rule goes lazy on sparse rows; the other rules' steps read the whole mean (O(d)).
_sparse_by_rule = by_linearity(_lazy_rule_first, _exact_rule_first)


@kernel
def _sag_sparse(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb):
    return _sparse_by_rule(hp, X, y, idx, theta, state, t, memory, dsum, n_seen, fixed_m, g,
                           z, pb)


#: SAG's steps over the rows ``idx`` (see :func:`_sag_dense`), picked by the layout of ``X``
#: (sparse rows with a linear rule: :func:`_sag_lazy`).
sag = by_layout(_sag_dense, _sag_sparse)


#: SAG draws its rows in blocks of at most this many (its only memory for them).
DRAW_CHUNK = 65536


@dataclasses.dataclass
class SAGState(DriverState):
    """SAG's gradient table: one residual per row (NaN until the row is seen), their sum, the
    number of rows seen."""

    stream: IndexStream
    memory: np.ndarray
    dsum: np.ndarray
    n_seen: int = 0


@dataclasses.dataclass(frozen=True)
class SAG(Driver):
    r"""Stochastic average gradient (Le Roux, Schmidt, Bach 2012; Schmidt et al. 2017).

    With :math:`i` drawn uniformly (with replacement):
    :math:`d \mathrel{+}= \nabla f_i(\theta) - y_i`, :math:`y_i = \nabla f_i(\theta)`,
    :math:`\theta \leftarrow \mathrm{step}(\theta, d / m)` where :math:`m` is the number of
    distinct rows seen so far (``divide="seen"``, the practical form) or :math:`n`
    (``divide="n"``). For least squares only the scalar residual of each row is stored. The
    practical step is ``1 / L_max`` with ``L_max = max_i (1 + ||x_i||^2)``.

    R gradDescent's ``SAGD`` is SGD that skips each step on an unseeded coin flip: not SAG.
    One unit = one single-row step; ``n`` units per epoch.
    """

    divide: str = "seen"

    name = "sag"
    needs_smooth_loss = True
    proximal = False  # no convergence theory for SAG with a prox: SAGA has one

    def units_per_epoch(self, n: int) -> float:
        return float(n)

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """One row's gradient per step (the table supplies the others)."""
        return int(steps)

    def init_state(self, n: int, p: int) -> SAGState:
        if self.divide not in ("seen", "n"):
            raise ValueError(f"divide must be 'seen' or 'n', got {self.divide!r}.")
        return SAGState(IndexStream(n, "replace", block_size=DRAW_CHUNK), np.full(n, np.nan),
                        np.zeros(p))

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        s = driver_state
        fixed_m = X.shape[0] if self.divide == "n" else 0
        g, z = buffers(theta.shape[0])
        hp = rule.hyperparameters()
        while n_units > 0:  # the draws in pieces: the same indices as in one take
            idx = s.stream.take_piece(rng, n_units)
            n_units -= idx.shape[0]
            t, s.n_seen, status = sag(X, y, idx, theta, rule_state, t, hp, s.memory, s.dsum,
                                      s.n_seen, fixed_m, g, z, record_of(pb))
            raise_if_diverged(status, t, rule)
        return t

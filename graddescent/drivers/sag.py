r"""Stochastic average gradient (Le Roux, Schmidt, Bach 2012; Schmidt et al. 2017)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._jit import DIVERGED, OK, kernel, prefetch_item
from ..problems.engine import add_row, prefetch_distance, with_l2
from ..rules.base import by_linearity, rate, step
from .base import Driver, DriverState, IndexStream, buffers, raise_if_diverged, record_of
from .common import add_l2_at, derivative_at, prefetch_next
from .extra_sum import NoExtra, add_extra

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
    add_l2_at(hp, pb, theta, z, g)
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
        r = derivative_at(hp, pb, X, y, i, theta, state, z)
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
def sag(X, y, idx, theta, state, t, hp, memory, dsum, n_seen, fixed_m, g, z, pb):
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

r"""SARAH and SARAH+ (Nguyen, Liu, Scheinberg, Takac 2017, Algorithms 1 and 2)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._jit import DIVERGED, OK, kernel
from ..problems.engine import (
    add_l2_change,
    add_row,
    prefetch_distance,
    prox,
    row_derivative_change,
)
from ..rules.base import by_linearity, rate, step
from .base import Driver, buffers, record_of
from .common import begin_outer_loop, current_point, gradient_point, prefetch_next
from .divergence import raise_if_diverged
from .sampling import uniform_rows_into
from .snapshot import DrawsState, draws_of, inner_length

__all__ = ["SARAH", "SARAHPlus"]


@kernel(inline=True)
def _linear_step_along(hp, theta, v, g, state, t):
    """Step ``t + 1`` of a linear rule along ``v``, without copying it (the arithmetic of its
    step on ``g = v``); returns ``t + 1``."""
    t += 1
    lr = rate(hp, t)
    for j in range(theta.shape[0]):
        theta[j] -= lr * v[j]
    return t


@kernel(inline=True)
def _rule_step_along(hp, theta, v, g, state, t):
    """Step ``t + 1`` of the rule along ``g = v`` (a copy: the step may write ``g``)."""
    for j in range(theta.shape[0]):
        g[j] = v[j]
    t += 1
    step(hp, theta, g, state, t)
    return t


#: SARAH's step along its recursive gradient, picked for the rule at compile time.
step_along = by_linearity(_linear_step_along, _rule_step_along, inline=True)


@kernel
def sarah(X, y, idx, m, picks, gamma, theta, state, t, hp, v, prev, keep, g, z, pb):
    """SARAH and SARAH+ outer loops.

    Outer loop ``s``: ``v_0 = grad f(w_0)``, ``w_1 = step(w_0, v_0)``; then for ``t = 1..m-1``
    (row ``i`` the next of the ``m - 1`` entries of ``idx`` reserved for this loop)
    ``v_t = grad f_i(w_t) - grad f_i(w_{t-1}) + v_{t-1}`` and ``w_{t+1} = step(w_t, v_t)``.
    SARAH (``gamma <= 0``) outputs ``w_{picks[s]}``; SARAH+ (``gamma > 0``) runs the inner loop
    only while ``||v_{t-1}||^2 > gamma ||v_0||^2`` and outputs the last iterate. With an L1
    part each step is followed by its prox (ProxSARAH: Pham, Nguyen, Phan and Tran-Dinh 2020).
    """
    for s in range(picks.shape[0]):
        if not np.isfinite(begin_outer_loop(pb, X, y, theta, prev, keep, v)):
            return t, DIVERGED
        t, status = inner_loop(X, y, idx, s * (m - 1), m, picks[s], gamma, theta, state, t, hp,
                               v, prev, keep, g, z, pb)
        if status != OK:
            return t, status
    return t, OK


@kernel(inline=True)
def inner_loop(X, y, idx, base, m, pick, gamma, theta, state, t, hp, v, prev, keep, g, z, pb):
    """One inner loop of :func:`sarah` from ``v = v_0`` (``prev = keep = w_0``), its rows the
    ``m - 1`` entries of ``idx`` from ``base``; SARAH (``gamma <= 0``) ends on ``w_{pick}``.
    Returns ``(t, status)``."""
    p = theta.shape[0]
    plus = gamma > 0.0
    ahead = prefetch_distance(X)
    v0_sq = 0.0
    for j in range(p):
        v0_sq += v[j] * v[j]
    v_sq = v0_sq
    for k in range(m):  # step k takes w_k to w_{k+1}; step 0 uses v_0
        if k > 0:
            if plus and not v_sq > gamma * v0_sq:
                break
            pos = base + k - 1
            prefetch_next(X, y, idx, pos + ahead)
            i = idx[pos]
            dr = row_derivative_change(pb, X, y, i, gradient_point(hp, theta, state, z), prev)
            if not np.isfinite(dr):
                return t, DIVERGED
            add_row(pb, X, i, dr, v)
            add_l2_change(pb, current_point(hp, theta, z), prev, v)
            v_sq = 0.0
            for j in range(p):
                v_sq += v[j] * v[j]
                prev[j] = theta[j]
        t = step_along(hp, theta, v, g, state, t)
        prox(pb, hp, theta, state, t, g)
        if pick == k + 1:
            for j in range(p):
                keep[j] = theta[j]
    if not plus:
        for j in range(p):
            theta[j] = keep[j]
    return t, OK


@dataclasses.dataclass(frozen=True)
class SARAH(Driver):
    r"""StochAstic Recursive grAdient algoritHm (Nguyen, Liu, Scheinberg, Takac 2017, Alg. 1).

    Each outer loop: :math:`v_0 = \nabla f(w_0)`, :math:`w_1 = \mathrm{step}(w_0, v_0)`; for
    :math:`t = 1..m-1`: :math:`v_t = \nabla f_i(w_t) - \nabla f_i(w_{t-1}) + v_{t-1}`,
    :math:`w_{t+1} = \mathrm{step}(w_t, v_t)`; the output is :math:`w_t` with
    :math:`t \sim U\{0..m\}`. R gradDescent's ``SARAH`` never offers :math:`w_1`.
    One unit = one outer loop; ``inner_iter=None`` means ``n``.
    """

    inner_iter: int | None = None

    name = "sarah"
    needs_smooth_loss = True

    def gamma(self) -> float:
        return 0.0

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """Per outer loop the full gradient ``v_0`` (``n`` rows) and its step, then two row
        gradients per further inner step; SARAH+'s loops may stop early, so ``steps`` (the
        steps that ran) decides."""
        return int(units) * int(n) + 2 * (int(steps) - int(units))

    def init_state(self, n: int, p: int) -> DrawsState:
        return DrawsState()

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        n, p = X.shape[0], theta.shape[0]
        m = inner_length(self.inner_iter, n)
        plus = self.gamma() > 0
        idx = draws_of(driver_state).take(n_units * (m - 1), n)
        picks = np.full(n_units, -1, dtype=np.int64)
        for s in range(n_units):
            uniform_rows_into(rng, n, idx[s * (m - 1):(s + 1) * (m - 1)])
            if not plus:
                picks[s] = rng.integers(0, m + 1)
        v, prev, keep, g, z = buffers(p, 5)
        t, status = sarah(X, y, idx, m, picks, self.gamma(), theta, rule_state, t,
                          rule.hyperparameters(), v, prev, keep, g, z, record_of(pb, X))
        raise_if_diverged(status, t, rule)
        return t


@dataclasses.dataclass(frozen=True)
class SARAHPlus(SARAH):
    r"""SARAH+ (same paper, Algorithm 2): the inner loop of :class:`SARAH` runs while
    :math:`\|v_{t-1}\|^2 > \gamma \|v_0\|^2` and :math:`t < m`; the output is the last iterate
    (:math:`w_1` when no inner step ran, so ``gamma_s = 1`` is gradient descent).

    R gradDescent's ``SARAHPlus`` tests only the intercept's component and never moves with
    ``gammaS = 1``. The paper suggests ``gamma = 1/8``.
    """

    gamma_s: float = 0.125

    name = "sarah_plus"
    # its stopping test reads the norm of v, which the L1 part's prox leaves out
    proximal = False

    def gamma(self) -> float:
        if not 0.0 < self.gamma_s <= 1.0:
            raise ValueError(f"gamma_s must lie in (0, 1], got {self.gamma_s!r}.")
        return float(self.gamma_s)

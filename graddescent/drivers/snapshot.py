r"""Snapshot variance reduction: SVRG (Johnson & Zhang 2013) and S2GD (Konecny & Richtarik)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._jit import DIVERGED, OK, choose, kernel
from .._sparse import by_layout
from ..problems.engine import (
    LAZY_SCALE_FLOOR,
    add_l2_change,
    add_row,
    derivative,
    intercept,
    prefetch_distance,
    prox,
    row_derivative_change,
    shrink,
    step_corrected_row,
    with_l2,
    with_l2_change,
)
from ..rules.base import by_linearity, rate, step
from .base import Driver, DriverState, buffers, record_of
from .common import (
    begin_outer_loop,
    catch_up_all,
    catch_up_all_prox,
    catch_up_prox,
    current_point,
    gradient_point,
    prefetch_next,
)
from .divergence import raise_if_diverged
from .sampling import RowDraws, uniform_rows_into

__all__ = ["SVRG", "S2GD", "s2gd_length_law", "DrawsState"]


@kernel(inline=True)
def _linear_corrected_step(hp, pb, theta, mu, dr, X, i, g, state, t, z, snap):
    """Step ``t + 1`` of a linear rule along ``mu + dr (1, X[i]) + l2 (0, w - snap_w)``,
    without the gradient buffer (the arithmetic of its step on that ``g``); returns ``t + 1``."""
    t += 1
    step_corrected_row(pb, X, i, mu, dr, rate(hp, t), theta, snap)
    return t


@kernel(inline=True)
def _rule_corrected_step(hp, pb, theta, mu, dr, X, i, g, state, t, z, snap):
    """Step ``t + 1`` of the rule along ``g = mu + dr (1, X[i]) + l2 (0, w - snap_w)``;
    returns ``t + 1``."""
    for j in range(theta.shape[0]):
        g[j] = mu[j]
    add_row(pb, X, i, dr, g)
    add_l2_change(pb, current_point(hp, theta, z), snap, g)
    t += 1
    step(hp, theta, g, state, t)
    return t


#: The variance-reduced step, picked for the rule at compile time.
corrected_step = by_linearity(_linear_corrected_step, _rule_corrected_step, inline=True)


@kernel
def _snapshot_dense(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g, z, pb):
    """SVRG and S2GD outer loops.

    Outer loop ``s``: snapshot ``snap = theta`` and its full gradient ``mu``; then ``lengths[s]``
    inner steps along ``grad f_i(theta) - grad f_i(snap) + mu`` with ``i`` the next entry of
    ``idx``. The next snapshot is the last inner iterate when ``picks[s] < 0`` (SVRG option 1,
    S2GD) or the inner iterate number ``picks[s]`` (0 = the snapshot itself; SVRG option 2).
    With an L1 part each inner step is followed by its prox (Prox-SVRG: Xiao and Zhang 2014).
    """
    pos = 0
    for s in range(lengths.shape[0]):
        if not np.isfinite(begin_outer_loop(pb, X, y, theta, snap, keep, mu)):
            return t, DIVERGED
        t, status = inner_loop(X, y, idx, pos, lengths[s], picks[s], theta, state, t, hp, mu,
                               snap, keep, g, z, pb)
        if status != OK:
            return t, status
        pos += lengths[s]
    return t, OK


@kernel(inline=True)
def inner_loop(X, y, idx, pos, length, pick, theta, state, t, hp, mu, snap, keep, g, z, pb):
    """One inner loop of :func:`snapshot_vr` from the snapshot ``snap`` (``= keep = theta``)
    and its full gradient ``mu``: ``length`` steps, rows the entries of ``idx`` from ``pos``;
    ``theta`` ends on the last inner iterate (``pick < 0``) or iterate ``pick``. Returns
    ``(t, status)``."""
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    for k in range(length):
        prefetch_next(X, y, idx, pos + k + ahead)
        i = idx[pos + k]
        dr = row_derivative_change(pb, X, y, i, gradient_point(hp, theta, state, z), snap)
        if not np.isfinite(dr):
            return t, DIVERGED
        t = corrected_step(hp, pb, theta, mu, dr, X, i, g, state, t, z, snap)
        prox(pb, hp, theta, state, t, g)
        if pick == k + 1:
            for j in range(p):
                keep[j] = theta[j]
    if pick >= 0:
        for j in range(p):
            theta[j] = keep[j]
    return t, OK


@kernel(inline=True)
def _begin_lazy_outer_loop(pb, X, y, theta, snap, keep, mu, drift, last, start):
    """:func:`graddescent.drivers.common.begin_outer_loop` for the lazy inner steps: also the
    constant drift ``mu - l2 (0, snap)`` of the coefficients no row touches, and every
    coefficient's last update at ``start``. Returns whether ``F(theta)`` is finite."""
    if not np.isfinite(begin_outer_loop(pb, X, y, theta, snap, keep, mu)):
        return False
    for j in range(theta.shape[0]):
        drift[j] = mu[j] - with_l2(pb, 0.0, snap[j])
        last[j] = start
    return True


@kernel
def _snapshot_lazy(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g, z, pb):
    """:func:`_snapshot_dense` for a linear rule on sparse rows without an L1 part, with inner
    steps in O(nonzeros) (just-in-time updates, as SAGA's).

    Within an outer loop the step of a coefficient no row touches is
    ``w_j -= lr (mu_j + l2 (w_j - snap_j))``, i.e. the L2 decay ``w_j *= 1 - lr l2`` (a scale
    ``s``: the coefficients are ``s v``, ``v`` in ``theta[1:]``) and a constant drift
    ``mu_j - l2 snap_j`` (kept in ``z``), which enters ``v_j`` times the sum of ``lr_t / s_t``
    since its last update (the running sum ``q``, its value at each coefficient's last update
    kept in ``g``), applied when a row next touches the coefficient, before the iterate is
    kept (SVRG's option 2) and at the end of the outer loop. The same iterates as the dense
    steps, up to rounding."""
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    last = g
    drift = z
    pos = 0
    for o in range(lengths.shape[0]):
        if not _begin_lazy_outer_loop(pb, X, y, theta, snap, keep, mu, drift, last, 0.0):
            return t, DIVERGED
        q = 0.0
        s = 1.0
        for k in range(lengths[o]):
            prefetch_next(X, y, idx, pos + ahead)
            i = idx[pos]
            pos += 1
            lo = X.indptr[i]
            hi = X.indptr[i + 1]
            da = 0.0
            db = 0.0
            for kk in range(lo, hi):  # bring the row's coefficients up to date
                j = X.indices[kk] + 1
                theta[j] -= drift[j] * (q - last[j])
                last[j] = q
                x = X.data[kk]
                da += x * theta[j]
                db += x * snap[j]
            yi = y[i]
            dr = (derivative(pb, i, (theta[0] - yi) + s * da)
                  - derivative(pb, i, (snap[0] - yi) + db))
            if not np.isfinite(dr):
                catch_up_all(theta, drift, 1.0, q, last, s)
                return t, DIVERGED
            t += 1
            lr = rate(hp, t)
            theta[0] -= lr * (mu[0] + intercept(pb, dr))
            f = 1.0 - lr * with_l2(pb, 0.0, 1.0)  # the L2 decay's factor (1 without L2)
            if not (f > 0.0 and s * f >= LAZY_SCALE_FLOOR):  # fold the scale in (rare: O(d))
                catch_up_all(theta, drift, 1.0, q, last, s)
                q = 0.0
                s = 1.0
            s *= f
            c = lr / s
            q += c
            for kk in range(lo, hi):  # this step's data term and its drift
                j = X.indices[kk] + 1
                theta[j] -= c * (dr * X.data[kk])
                if last[j] != q:  # (a column stored twice in the row drifts once)
                    theta[j] -= c * drift[j]
                    last[j] = q
            if picks[o] == k + 1:  # the iterate kept: brought up to date (O(d), once)
                catch_up_all(theta, drift, 1.0, q, last, s)
                q = 0.0
                s = 1.0
                for j in range(p):
                    keep[j] = theta[j]
        catch_up_all(theta, drift, 1.0, q, last, s)
        if picks[o] >= 0:
            for j in range(p):
                theta[j] = keep[j]
    return t, OK


@kernel
def _snapshot_lazy_prox(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g, z,
                        pb):
    """:func:`_snapshot_dense` for a linear rule on sparse rows with an L1 part (L1 or elastic
    net: Prox-SVRG), with inner steps in O(nonzeros): just-in-time updates with their proximal
    steps, as SAGA's.

    Within an outer loop a coefficient no row touches takes, at each step, ``w <- shrink(w -
    lr (drift_j + l2 w), lr l1)`` with the constant drift ``mu_j - l2 snap_j`` (kept in
    ``z``); ``g`` keeps the step after which each coefficient is up to date, and the missed
    steps are applied at once (:func:`graddescent.drivers.common.catch_up_prox`) when a row
    next touches the coefficient, before the iterate is kept (SVRG's option 2) and at the end
    of the outer loop. The same iterates as the dense steps, up to rounding."""
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    last = g
    drift = z
    pos = 0
    for o in range(lengths.shape[0]):
        if not _begin_lazy_outer_loop(pb, X, y, theta, snap, keep, mu, drift, last, t):
            return t, DIVERGED
        for k in range(lengths[o]):
            prefetch_next(X, y, idx, pos + ahead)
            i = idx[pos]
            pos += 1
            lo = X.indptr[i]
            hi = X.indptr[i + 1]
            da = 0.0
            db = 0.0
            for kk in range(lo, hi):  # bring the row's coefficients up to date
                j = X.indices[kk] + 1
                v = catch_up_prox(pb, hp, theta[j], int(last[j]), t, drift[j])
                theta[j] = v
                last[j] = t
                x = X.data[kk]
                da += x * v
                db += x * snap[j]
            yi = y[i]
            dr = (derivative(pb, i, (theta[0] - yi) + da)
                  - derivative(pb, i, (snap[0] - yi) + db))
            if not np.isfinite(dr):
                catch_up_all_prox(pb, hp, theta, drift, 1.0, last, t)
                return t, DIVERGED
            done = t
            t += 1
            lr = rate(hp, t)
            theta[0] -= lr * (mu[0] + intercept(pb, dr))
            for kk in range(lo, hi):  # the step: decay and drift once a column, data term
                j = X.indices[kk] + 1
                if last[j] == done:  # (-1 marks a column stepped but not yet thresholded)
                    theta[j] -= lr * with_l2_change(pb, mu[j], theta[j], snap[j])
                    last[j] = -1.0
                theta[j] -= lr * (dr * X.data[kk])
            tau = lr * pb.l1
            for kk in range(lo, hi):  # its threshold, once a column
                j = X.indices[kk] + 1
                if last[j] != t:
                    theta[j] = shrink(pb, theta[j], tau)
                    last[j] = t
            if picks[o] == k + 1:  # the iterate kept: brought up to date (O(d), once)
                catch_up_all_prox(pb, hp, theta, drift, 1.0, last, t)
                for j in range(p):
                    keep[j] = theta[j]
        catch_up_all_prox(pb, hp, theta, drift, 1.0, last, t)
        if picks[o] >= 0:
            for j in range(p):
                theta[j] = keep[j]
    return t, OK


@kernel(inline=True)
def _lazy_problem_first(pb, X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep,
                        g, z):
    return _snapshot_lazy(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g,
                          z, pb)


@kernel(inline=True)
def _lazy_prox_problem_first(pb, X, y, idx, lengths, picks, theta, state, t, hp, mu, snap,
                             keep, g, z):
    return _snapshot_lazy_prox(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep,
                               g, z, pb)


#: Without an L1 part the lazy steps; with one, the lazy steps with their proximal steps.
_lazy_by_penalty = choose(lambda c: _lazy_prox_problem_first if c.PROX is not None
                          else _lazy_problem_first, _lazy_problem_first)


@kernel(inline=True)
def _lazy_rule_first(hp, X, y, idx, lengths, picks, theta, state, t, mu, snap, keep, g, z,
                     pb):
    return _lazy_by_penalty(pb, X, y, idx, lengths, picks, theta, state, t, hp, mu, snap,
                            keep, g, z)


@kernel(inline=True)
def _exact_rule_first(hp, X, y, idx, lengths, picks, theta, state, t, mu, snap, keep, g, z,
                      pb):
    return _snapshot_dense(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g,
                           z, pb)


#: A linear rule goes lazy; the other rules' steps read the whole gradient (O(d)).
_sparse_by_rule = by_linearity(_lazy_rule_first, _exact_rule_first)


@kernel
def _snapshot_sparse(X, y, idx, lengths, picks, theta, state, t, hp, mu, snap, keep, g, z, pb):
    return _sparse_by_rule(hp, X, y, idx, lengths, picks, theta, state, t, mu, snap, keep, g,
                           z, pb)


#: SVRG's and S2GD's outer loops (see :func:`_snapshot_dense`), picked by the layout of ``X``
#: (sparse rows with a linear rule: :func:`_snapshot_lazy`, or :func:`_snapshot_lazy_prox` with
#: an L1 part).
snapshot_vr = by_layout(_snapshot_dense, _snapshot_sparse)


@dataclasses.dataclass
class DrawsState(DriverState):
    """What SVRG, S2GD, SARAH and SARAH+ keep between calls: the buffer their row indices are
    drawn into."""

    draws: RowDraws = dataclasses.field(default_factory=RowDraws, repr=False)


def draws_of(driver_state) -> RowDraws:
    """The index buffer of ``driver_state``, or a new one for a state without it."""
    draws = getattr(driver_state, "draws", None)
    return draws if isinstance(draws, RowDraws) else RowDraws()


def inner_length(inner_iter: int | None, n: int) -> int:
    """Inner steps per outer loop: ``inner_iter``, or ``n`` for None."""
    m = n if inner_iter is None else int(inner_iter)
    if m < 1:
        raise ValueError(f"inner_iter must be at least 1, got {inner_iter!r}.")
    return m


@dataclasses.dataclass(frozen=True)
class _Snapshot(Driver):
    """Shared machinery of SVRG and S2GD: a snapshot, its full gradient, inner steps."""

    inner_iter: int | None = None

    needs_smooth_loss = True

    def units_per_epoch(self, n: int) -> float:
        return 1.0

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """Per outer loop the snapshot's full gradient (``n`` rows), then two row gradients
        per inner step (the row at the iterate and at the snapshot)."""
        return int(units) * int(n) + 2 * int(steps)

    def lengths_and_picks(self, rng, m, rule):
        raise NotImplementedError

    def init_state(self, n: int, p: int) -> DrawsState:
        return DrawsState()

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        n, p = X.shape[0], theta.shape[0]
        m = inner_length(self.inner_iter, n)
        lengths, picks = np.empty(n_units, np.int64), np.empty(n_units, np.int64)
        idx = draws_of(driver_state).take(n_units * m, n)  # (an outer loop runs at most m steps)
        pos = 0
        for s in range(n_units):  # one draw sequence per outer loop, whatever the chunking
            lengths[s], picks[s] = self.lengths_and_picks(rng, m, rule)
            uniform_rows_into(rng, n, idx[pos:pos + lengths[s]])
            pos += int(lengths[s])
        idx = idx[:pos]
        mu, snap, keep, g, z = buffers(p, 5)
        t, status = snapshot_vr(X, y, idx, lengths, picks, theta, rule_state, t,
                                rule.hyperparameters(), mu, snap, keep, g, z, record_of(pb, X))
        raise_if_diverged(status, t, rule)
        return t


@dataclasses.dataclass(frozen=True)
class SVRG(_Snapshot):
    r"""Stochastic variance-reduced gradient (Johnson & Zhang 2013).

    Each outer loop: snapshot :math:`\tilde w`, :math:`\mu = \nabla f(\tilde w)`; then
    ``inner_iter`` steps :math:`w \leftarrow \mathrm{step}(w, \nabla f_i(w) - \nabla f_i(\tilde w)
    + \mu)` with a fresh uniform :math:`i` each step. Option 1: the next snapshot is the last
    inner iterate :math:`w_m`; option 2: :math:`w_t` with :math:`t \sim U\{0..m-1\}`.

    R gradDescent's ``SVRG`` reuses one list of rows in every outer loop and its option 1 returns
    :math:`w_{m-1}`. One unit = one outer loop (one full-gradient pass plus ``inner_iter`` steps);
    ``inner_iter=None`` means ``n``.
    """

    option: int = 2

    name = "svrg"

    def check(self, n: int, rule) -> None:
        """Also refuse option 2 with one inner step, under which SVRG never moves."""
        super().check(n, rule)
        if self.option == 2 and inner_length(self.inner_iter, n) == 1:
            what = ("inner_iter=1" if self.inner_iter is not None
                    else "inner_iter=None (n inner steps) on 1 sample")
            raise ValueError(f"SVRG with option 2 and {what} never moves: the next snapshot is "
                             f"drawn from the inner iterates 0..inner_iter-1, i.e. it is always "
                             f"the snapshot itself. Use option=1, or at least 2 inner steps.")

    def lengths_and_picks(self, rng, m, rule):
        if self.option not in (1, 2):
            raise ValueError(f"option must be 1 or 2, got {self.option!r}.")
        return m, (-1 if self.option == 1 else int(rng.integers(0, m)))


def s2gd_length_law(m: int, nu_h: float) -> np.ndarray:
    r"""S2GD's law of the inner-loop length: :math:`P(t) \propto (1 - \nu h)^{m - t}`, t = 1..m."""
    if not 0.0 <= nu_h < 1.0:
        raise ValueError(f"S2GD needs 0 <= nu * learning_rate < 1, got {nu_h!r}.")
    w = (1.0 - nu_h) ** (m - np.arange(1, m + 1, dtype=np.float64))
    return w / w.sum()


@dataclasses.dataclass(frozen=True)
class S2GD(_Snapshot):
    r"""Semi-stochastic gradient descent (Konecny & Richtarik 2013/2017, Algorithm 1).

    Each outer loop: :math:`g = \nabla f(x)`; draw :math:`t \in \{1..m\}` with
    :math:`P(t) \propto (1 - \nu h)^{m-t}` (:math:`h` the learning rate; ``nu = 0`` is uniform);
    :math:`t` inner steps :math:`y \leftarrow \mathrm{step}(y, g + \nabla f_i(y) -
    \nabla f_i(x))`; :math:`x = y`. R gradDescent: ``SSGD`` (``lamda`` is :math:`\nu`), whose
    variance-reduced direction has the wrong sign. One unit = one outer loop.
    """

    nu: float = 0.0

    name = "s2gd"

    def lengths_and_picks(self, rng, m, rule):
        law = s2gd_length_law(m, float(self.nu) * rule.learning_rate)
        return int(rng.choice(m, p=law)) + 1, -1

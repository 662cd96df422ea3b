r"""Mini-batch and single-sample gradients: :math:`g = \frac{1}{|B|}\sum_{i\in B}\nabla f_i`."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .. import _sparse as S
from .. import objective as O
from .._jit import (
    DIVERGED,
    OK,
    bit_generator_pointers,
    choose,
    kernel,
    shuffle,
)
from .._sparse import by_layout
from ..problems.engine import (
    LAZY_SCALE_FLOOR,
    add_l2,
    add_row,
    derivative,
    gradient_finite,
    intercept,
    lazy_decay,
    prefetch_distance,
    prox,
    row_derivative,
    set_row,
    shrink,
    step_row,
    with_l2,
)
from ..rules.base import (
    by_coordinates,
    by_linearity,
    by_skip_condition,
    coordinate_point,
    coordinate_step,
    look_ahead,
    looks_ahead,
    rate,
    skipped_steps,
    skips_exactly,
    step,
)
from .averaging import NO_AVERAGE, Average, accumulate, keep_mean
from .base import Driver, DriverState, buffers, record_of
from .common import current_point, gradient_point, prefetch_next
from .divergence import raise_if_diverged
from .sampling import IndexStream

__all__ = ["MiniBatch", "StreamState"]


class OneRow(NamedTuple):
    """The plan of single-row steps (``size`` is 1): their own loops, no batch bookkeeping."""

    size: int


class Batches(NamedTuple):
    """The plan of steps on batches of ``size`` rows."""

    size: int


def plan_of(batch_size: int) -> OneRow | Batches:
    """The kernels' plan for steps of ``batch_size`` rows (its type picks the loop compiled)."""
    return OneRow(1) if int(batch_size) == 1 else Batches(int(batch_size))


@kernel
def _single_linear(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """Single-row steps of a linear rule ``theta -= rate_t * (d_i (1, X[i]) + l2 (0, w))``
    (``d_i`` the row's loss derivative), without a gradient buffer (the same arithmetic as the
    rule's step on that ``g``), each followed by the prox of the L1 part."""
    ahead = prefetch_distance(X)
    for k in range(n_steps):
        prefetch_next(X, y, idx, k + ahead)
        i = idx[k]
        d = row_derivative(pb, X, y, i, theta)
        if not np.isfinite(d):
            return t, DIVERGED
        t += 1
        step_row(pb, X, i, d, rate(hp, t), theta)
        prox(pb, hp, theta, state, t, g)
        accumulate(av, theta, t)
    return t, OK


@kernel
def _single_rule_dense(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """Single-row steps of any rule: ``g = d_i (1, X[i]) + l2 (0, w)`` at the rule's gradient
    point, then the rule's step and the prox of the L1 part (the numbers of the batch loop
    below for one-row batches)."""
    ahead = prefetch_distance(X)
    for k in range(n_steps):
        prefetch_next(X, y, idx, k + ahead)
        i = idx[k]
        d = row_derivative(pb, X, y, i, gradient_point(hp, theta, state, z))
        if not np.isfinite(d):
            return t, DIVERGED
        set_row(pb, X, i, d, g)
        add_l2(pb, current_point(hp, theta, z), g)
        t += 1
        step(hp, theta, g, state, t)
        prox(pb, hp, theta, state, t, g)
        accumulate(av, theta, t)
    return t, OK


@kernel(inline=True)
def _up_to_date(hp, theta, state, last, j, t):
    """Bring coefficient ``j`` (and its state) from step ``last[j]`` to step ``t``: the steps
    between had a zero gradient component there, applied in the rule's closed form."""
    k = t - last[j]
    if k > 0.0:
        # an integer count: a power by squaring costs a few products where a float pow
        # costs tens of nanoseconds, once per nonzero
        skipped_steps(hp, theta, j, state, last[j], int(k))
        last[j] = t


@kernel(inline=True)
def _all_up_to_date(hp, theta, state, last, t):
    for j in range(1, theta.shape[0]):
        _up_to_date(hp, theta, state, last, j, t)


@kernel(inline=True)
def _touch_row(hp, pb, X, y, i, theta, state, last, t):
    """Row ``i``'s loss derivative at the rule's gradient point after step ``t``, the row's
    coefficients first brought up to date (the residual summed as
    :func:`graddescent._sparse.residual` sums it)."""
    r = coordinate_point(hp, theta, 0, state) - y[i]
    for kk in range(X.indptr[i], X.indptr[i + 1]):
        j = X.indices[kk] + 1
        _up_to_date(hp, theta, state, last, j, t)
        r += X.data[kk] * coordinate_point(hp, theta, j, state)
    return derivative(pb, i, r)


@kernel(inline=True)
def _step_row_columns(hp, X, i, theta, state, last, g, inv, t):
    """Step ``t`` at row ``i``'s columns not yet stepped, along ``g[j] * inv``, each
    component then cleared (a column the step's rows store more than once: its summed
    component, once)."""
    for kk in range(X.indptr[i], X.indptr[i + 1]):
        j = X.indices[kk] + 1
        if last[j] < t:
            coordinate_step(hp, theta, j, g[j] * inv, state, t)
            last[j] = t
            g[j] = 0.0


@kernel(inline=True)
def _begin_coordinates(theta, g, z, t):
    """The coordinate-wise steps' start: the summed gradient ``g`` cleared, every coefficient
    up to date with step ``t`` (``last``, kept in ``z``, returned)."""
    for j in range(theta.shape[0]):
        g[j] = 0.0
        z[j] = t
    return z


@kernel(inline=True)
def _mean_up_to_date(av, hp, theta, state, last, t):
    if t >= av.start:
        _all_up_to_date(hp, theta, state, last, t)
        accumulate(av, theta, t)


@kernel(inline=True)
def _no_mean_lazy(av, hp, theta, state, last, t):
    return None


#: :func:`graddescent.drivers.averaging.accumulate` of the lazy iterate: every coefficient
#: brought up to date first (averaging costs O(d) per step).
_accumulate_up_to_date = choose(lambda c: _mean_up_to_date if c is Average else _no_mean_lazy,
                                _no_mean_lazy, inline=True)


@kernel
def _single_coordinates(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """:func:`_single_rule_dense` on sparse rows without a penalty for a rule with a
    coordinate-wise form (:func:`graddescent.rules.base.attach`), in O(nonzeros) per step:
    the gradient ``d_i (1, x_i)`` is zero off the row's columns, so the step runs at the
    intercept and the row's columns only, and the steps a coefficient misses (a zero gradient
    component: Adagrad's change nothing, momentum's and RMSprop's move it and decay their
    state geometrically) are applied in the rule's closed form when a row next touches it
    (``last[j]``, kept in ``z``: the step it is up to date with), and to every coefficient at
    the end of the call. The same iterates as the dense steps, up to rounding."""
    ahead = prefetch_distance(X)
    last = _begin_coordinates(theta, g, z, t)
    status = OK
    for k in range(n_steps):
        prefetch_next(X, y, idx, k + ahead)
        i = idx[k]
        d = _touch_row(hp, pb, X, y, i, theta, state, last, t)
        if not np.isfinite(d):
            status = DIVERGED
            break
        t += 1
        S.add_data(X, i, d, g)
        coordinate_step(hp, theta, 0, intercept(pb, d), state, t)
        _step_row_columns(hp, X, i, theta, state, last, g, 1.0, t)
        _accumulate_up_to_date(av, hp, theta, state, last, t)
    _all_up_to_date(hp, theta, state, last, t)
    return t, status


@kernel
def _single_coordinates_if_exact(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """:func:`_single_coordinates` where the rule's closed form holds for its
    hyperparameters, the dense steps otherwise."""
    if skips_exactly(hp):
        return _single_coordinates(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)
    return _single_rule_dense(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


_single_coordinates_any = by_skip_condition(_single_coordinates_if_exact, _single_coordinates)


@kernel(inline=True)
def _coordinates_problem_first(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _single_coordinates_any(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


@kernel(inline=True)
def _dense_problem_first(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _single_rule_dense(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


#: Without a penalty the coordinate steps; a penalty's gradient or prox reaches every
#: coefficient at every step (O(d)).
_coordinates_by_penalty = choose(lambda c: _dense_problem_first if c.PENALISED
                                 else _coordinates_problem_first, _coordinates_problem_first)


@kernel(inline=True)
def _coordinates_rule_first(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _coordinates_by_penalty(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av)


#: Sparse rows: a rule with a coordinate-wise form may step the row's columns alone.
_sparse_by_rule = by_coordinates(_coordinates_rule_first, _single_rule_dense)


@kernel
def _single_rule_sparse(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _sparse_by_rule(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


_single_rule_by_layout = by_layout(_single_rule_dense, _single_rule_sparse, at=2)


@kernel
def _single_rule(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """Single-row steps of any rule (sparse rows: :func:`_single_coordinates` where it
    applies)."""
    return _single_rule_by_layout(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


@kernel(inline=True)
def _no_mean(av, theta, s, t):
    return None


@kernel(inline=True)
def _scaled_mean(av, theta, s, t):
    if t >= av.start:
        inv = 1.0 / (t - av.start + 1)
        av.theta[0] += (theta[0] - av.theta[0]) * inv
        for j in range(1, theta.shape[0]):
            av.theta[j] += (s * theta[j] - av.theta[j]) * inv


#: :func:`graddescent.drivers.averaging.accumulate` of the iterate ``(theta[0], s theta[1:])``
#: (averaging costs O(d) per step).
_accumulate_scaled = choose(lambda c: _scaled_mean if c is Average else _no_mean, _no_mean,
                            inline=True)


@kernel
def _single_linear_lazy(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """:func:`_single_linear` on sparse rows in O(nonzeros) per step (just-in-time updates, as
    scikit-learn's ``sag_fast`` and ``SGDRegressor``'s ``wscale``): the coefficients are held
    as ``s v`` (``v`` in ``theta[1:]``), the L2 decay of every coefficient multiplies ``s``
    alone and the row's nonzeros update ``v`` by ``-lr d_i x_i / s``; ``s`` is folded back into
    ``theta`` at the end of the call (and when it gets small). The same iterates as the dense
    steps, up to rounding."""
    ahead = prefetch_distance(X)
    s = 1.0
    status = OK
    for k in range(n_steps):
        prefetch_next(X, y, idx, k + ahead)
        i = idx[k]
        d = derivative(pb, i, (theta[0] - y[i]) + s * S.dot(X, i, theta))
        if not np.isfinite(d):
            status = DIVERGED
            break
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * intercept(pb, d)
        s = lazy_decay(pb, lr, theta, s)
        S.add_data(X, i, -(lr * d) / s, theta)
        _accumulate_scaled(av, theta, s, t)
    if s != 1.0:
        for j in range(1, theta.shape[0]):
            theta[j] *= s
    return t, status


@kernel(inline=True)
def _catch_up_prox(pb, theta, last, u, scale):
    """Bring every coefficient up to date (its pending thresholds ``u - last[j]``) and
    multiply it by ``scale``: ``theta[1:]`` becomes the coefficients themselves."""
    for j in range(1, theta.shape[0]):
        theta[j] = scale * shrink(pb, theta[j], u - last[j])
        last[j] = 0.0


@kernel(inline=True)
def _no_mean_prox(av, pb, theta, s, u, last, t):
    return None


@kernel(inline=True)
def _scaled_mean_prox(av, pb, theta, s, u, last, t):
    if t >= av.start:
        inv = 1.0 / (t - av.start + 1)
        av.theta[0] += (theta[0] - av.theta[0]) * inv
        for j in range(1, theta.shape[0]):
            av.theta[j] += (s * shrink(pb, theta[j], u - last[j]) - av.theta[j]) * inv


#: :func:`graddescent.drivers.averaging.accumulate` of the lazy iterate with its pending
#: thresholds applied (averaging costs O(d) per step).
_accumulate_prox = choose(lambda c: _scaled_mean_prox if c is Average else _no_mean_prox,
                          _no_mean_prox, inline=True)


@kernel
def _single_linear_lazy_prox(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    """:func:`_single_linear` with an L1 part (L1 or elastic net) on sparse rows in
    O(nonzeros) per step: the L2 decay as in :func:`_single_linear_lazy` (the coefficients
    are ``s v``), and the soft thresholding of every coefficient after each step applied just
    in time (as lightning's and scikit-learn's lazy L1 updates).

    Step ``t`` thresholds ``w_j`` by ``tau_t = rate_t l1``, i.e. ``v_j`` by ``tau_t / s_t``;
    thresholds compose (``shrink(shrink(v, a), b) = shrink(v, a + b)``) and a coefficient no
    row touches has no other move in ``v``, so its pending thresholds are the running sum
    ``u`` of ``tau_t / s_t`` since its last update (``u`` at that update kept in ``g``),
    applied when a row next touches it, and to every coefficient at the end of the call (or
    when ``s`` gets small). The same iterates as the dense steps, up to rounding."""
    ahead = prefetch_distance(X)
    last = g
    for j in range(theta.shape[0]):
        last[j] = 0.0
    u = 0.0
    s = 1.0
    status = OK
    for k in range(n_steps):
        prefetch_next(X, y, idx, k + ahead)
        i = idx[k]
        lo = X.indptr[i]
        hi = X.indptr[i + 1]
        dot = 0.0
        for kk in range(lo, hi):  # bring the row's coefficients up to date
            j = X.indices[kk] + 1
            v = shrink(pb, theta[j], u - last[j])
            theta[j] = v
            last[j] = u
            dot += X.data[kk] * v
        d = derivative(pb, i, (theta[0] - y[i]) + s * dot)
        if not np.isfinite(d):
            status = DIVERGED
            break
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * intercept(pb, d)
        f = 1.0 - lr * with_l2(pb, 0.0, 1.0)  # the L2 decay's factor (1 without an L2 part)
        if f > 0.0 and s * f >= LAZY_SCALE_FLOOR:
            s *= f
        else:  # fold the scale and the pending thresholds in (rare: O(d))
            _catch_up_prox(pb, theta, last, u, s * f)
            u = 0.0
            s = 1.0
        c = -(lr * d) / s
        for kk in range(lo, hi):
            theta[X.indices[kk] + 1] += c * X.data[kk]
        u += lr * pb.l1 / s  # this step's threshold, pending for every coefficient
        _accumulate_prox(av, pb, theta, s, u, last, t)
    _catch_up_prox(pb, theta, last, u, s)
    return t, status


@kernel(inline=True)
def _lazy_problem_first(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _single_linear_lazy(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


@kernel(inline=True)
def _lazy_prox_problem_first(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _single_linear_lazy_prox(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


#: Sparse rows: the lazy steps, with the lazy thresholds when the problem has an L1 part.
_by_penalty = choose(lambda c: _lazy_prox_problem_first if c.PROX is not None
                     else _lazy_problem_first, _lazy_problem_first)


@kernel
def _single_linear_sparse(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _by_penalty(pb, hp, X, y, idx, n_steps, theta, state, t, g, z, av)


_single_linear_by_layout = by_layout(_single_linear, _single_linear_sparse, at=2)


@kernel
def _single_linear_any(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av):
    return _single_linear_by_layout(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


#: Single-row steps: the linear rules' loop without a buffer (lazy on sparse rows), or the
#: general one.
_single = by_linearity(_single_linear_any, _single_rule, inline=True)


@kernel
def _one_row(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z, pb,
             av):
    """``n_steps`` single-row steps (no batch can cross an epoch boundary)."""
    return _single(hp, pb, X, y, idx, n_steps, theta, state, t, g, z, av)


@kernel(inline=True)
def _batch_end(plan, start, boundary, epoch_len):
    """Where the batch starting at entry ``start`` ends, and the epoch boundary then: batches
    never cross one (``boundary``, moved on by ``epoch_len`` once reached)."""
    if start == boundary:
        boundary += epoch_len
    return min(start + plan.size, boundary), boundary


@kernel
def _batches(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z, pb,
             av):
    """``n_steps`` steps on batches of ``plan.size`` rows."""
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    start = 0
    boundary = first_len
    for _ in range(n_steps):
        stop, boundary = _batch_end(plan, start, boundary, epoch_len)
        point = theta
        if looks_ahead(hp):
            look_ahead(hp, theta, state, z)
            point = z
        for j in range(p):
            g[j] = 0.0
        for k in range(start, stop):
            prefetch_next(X, y, idx, k + ahead)
            i = idx[k]
            add_row(pb, X, i, row_derivative(pb, X, y, i, point), g)
        inv = 1.0 / (stop - start)
        for j in range(p):
            g[j] *= inv
        if not gradient_finite(pb, g):
            return t, DIVERGED
        add_l2(pb, point, g)
        t += 1
        step(hp, theta, g, state, t)
        prox(pb, hp, theta, state, t, g)
        accumulate(av, theta, t)
        start = stop
    return t, OK


@kernel
def _batches_lazy(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                  pb, av):
    """:func:`_batches` for a linear rule on sparse rows, in O(nonzeros of the batch) per
    step: the just-in-time updates of :func:`_single_linear_lazy_prox` (the L2 decay a scale
    ``s``, the L1 thresholds running sums applied when a row next touches a coefficient; no
    thresholds without an L1 part), the batch's derivatives all taken at the same point (kept
    in ``z``, of at least ``plan.size`` entries; else the dense steps) before its rows update
    ``v``. The same iterates as the dense steps, up to rounding."""
    if z.shape[0] < plan.size:  # no room for the batch's derivatives: the dense steps
        return _batches(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g,
                        z, pb, av)
    ahead = prefetch_distance(X)
    ds = z  # the batch's derivatives
    last = g
    for j in range(theta.shape[0]):
        last[j] = 0.0
    u = 0.0
    s = 1.0
    status = OK
    start = 0
    boundary = first_len
    for _ in range(n_steps):
        stop, boundary = _batch_end(plan, start, boundary, epoch_len)
        total = 0.0
        for k in range(start, stop):
            prefetch_next(X, y, idx, k + ahead)
            i = idx[k]
            dot = 0.0
            for kk in range(X.indptr[i], X.indptr[i + 1]):  # the row's coefficients now
                j = X.indices[kk] + 1
                v = shrink(pb, theta[j], u - last[j])
                theta[j] = v
                last[j] = u
                dot += X.data[kk] * v
            d = derivative(pb, i, (theta[0] - y[i]) + s * dot)
            ds[k - start] = d
            total += d
        if not np.isfinite(total):
            status = DIVERGED
            break
        inv = 1.0 / (stop - start)
        t += 1
        lr = rate(hp, t)
        theta[0] -= lr * intercept(pb, total * inv)
        f = 1.0 - lr * with_l2(pb, 0.0, 1.0)  # the L2 decay's factor (1 without an L2 part)
        if f > 0.0 and s * f >= LAZY_SCALE_FLOOR:
            s *= f
        else:  # fold the scale and the pending thresholds in (rare: O(d))
            _catch_up_prox(pb, theta, last, u, s * f)
            u = 0.0
            s = 1.0
        for k in range(start, stop):
            i = idx[k]
            c = -(lr * (ds[k - start] * inv)) / s
            for kk in range(X.indptr[i], X.indptr[i + 1]):
                theta[X.indices[kk] + 1] += c * X.data[kk]
        u += lr * pb.l1 / s  # this step's threshold (0 without an L1 part)
        _accumulate_prox(av, pb, theta, s, u, last, t)
        start = stop
    _catch_up_prox(pb, theta, last, u, s)
    return t, status


@kernel(inline=True)
def _lazy_batches_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta, state,
                             t, g, z, pb, av):
    return _batches_lazy(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp,
                         g, z, pb, av)


@kernel(inline=True)
def _dense_batches_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                              state, t, g, z, pb, av):
    return _batches(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                    pb, av)


@kernel
def _batches_coordinates(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp,
                         g, z, pb, av):
    """:func:`_batches` on sparse rows without a penalty for a rule with a coordinate-wise
    form, in O(nonzeros of the batch) per step: :func:`_single_coordinates`'s lazy steps, the
    batch's derivatives all taken at the same point (each row's coefficients brought up to
    date as it is read) and summed into ``g`` at the batch's columns, then the step at those
    columns (``last`` kept in ``z``). The same iterates as the dense steps, up to rounding."""
    ahead = prefetch_distance(X)
    last = _begin_coordinates(theta, g, z, t)
    status = OK
    start = 0
    boundary = first_len
    for _ in range(n_steps):
        stop, boundary = _batch_end(plan, start, boundary, epoch_len)
        g0 = 0.0
        total = 0.0
        for k in range(start, stop):
            prefetch_next(X, y, idx, k + ahead)
            i = idx[k]
            d = _touch_row(hp, pb, X, y, i, theta, state, last, t)
            g0 += intercept(pb, d)
            total += d
            S.add_data(X, i, d, g)
        if not np.isfinite(total):
            status = DIVERGED
            break
        inv = 1.0 / (stop - start)
        t += 1
        coordinate_step(hp, theta, 0, g0 * inv, state, t)
        for k in range(start, stop):
            _step_row_columns(hp, X, idx[k], theta, state, last, g, inv, t)
        _accumulate_up_to_date(av, hp, theta, state, last, t)
        start = stop
    _all_up_to_date(hp, theta, state, last, t)
    return t, status


@kernel
def _batches_coordinates_if_exact(plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                                  state, t, hp, g, z, pb, av):
    """:func:`_batches_coordinates` where the rule's closed form holds for its
    hyperparameters, the dense steps otherwise."""
    if skips_exactly(hp):
        return _batches_coordinates(plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                                    state, t, hp, g, z, pb, av)
    return _batches(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                    pb, av)


@kernel(inline=True)
def _exact_if_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta, state,
                         t, g, z, pb, av):
    return _batches_coordinates_if_exact(plan, X, y, idx, first_len, epoch_len, n_steps,
                                         theta, state, t, hp, g, z, pb, av)


@kernel(inline=True)
def _coordinates_batches_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps,
                                    theta, state, t, g, z, pb, av):
    return _batches_coordinates(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state,
                                t, hp, g, z, pb, av)


_coordinates_batches_any = by_skip_condition(_exact_if_rule_first,
                                             _coordinates_batches_rule_first)


@kernel(inline=True)
def _coordinates_batches_problem_first(pb, hp, plan, X, y, idx, first_len, epoch_len, n_steps,
                                       theta, state, t, g, z, av):
    return _coordinates_batches_any(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                                    state, t, g, z, pb, av)


@kernel(inline=True)
def _dense_batches_problem_first(pb, hp, plan, X, y, idx, first_len, epoch_len, n_steps,
                                 theta, state, t, g, z, av):
    return _batches(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                    pb, av)


#: Without a penalty the coordinate-wise steps; a penalty reaches every coefficient (O(d)).
_batches_by_penalty = choose(lambda c: _dense_batches_problem_first if c.PENALISED
                             else _coordinates_batches_problem_first,
                             _coordinates_batches_problem_first)


@kernel(inline=True)
def _by_penalty_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta, state,
                           t, g, z, pb, av):
    return _batches_by_penalty(pb, hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                               state, t, g, z, av)


_other_batches_by_rule = by_coordinates(_by_penalty_rule_first, _dense_batches_rule_first,
                                        inline=True)


@kernel(inline=True)
def _other_batches_rule_first(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                              state, t, g, z, pb, av):
    return _other_batches_by_rule(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                                  state, t, g, z, pb, av)


#: Sparse rows: a linear rule's batches go lazy, and so do those of a rule with a
#: coordinate-wise form without a penalty; the other rules' steps read the whole gradient
#: (O(d)).
_sparse_batches_by_rule = by_linearity(_lazy_batches_rule_first, _other_batches_rule_first)


@kernel
def _batches_sparse(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                    pb, av):
    return _sparse_batches_by_rule(hp, plan, X, y, idx, first_len, epoch_len, n_steps, theta,
                                   state, t, g, z, pb, av)


_batches_by_layout = by_layout(_batches, _batches_sparse, at=1)


@kernel
def _batches_any(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                 pb, av):
    """Steps on batches (sparse rows with a linear rule: :func:`_batches_lazy`)."""
    return _batches_by_layout(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t,
                              hp, g, z, pb, av)


#: The loop of a plan, picked by its type at compile time.
_steps = choose(lambda kind: _one_row if kind is OneRow else _batches_any, _batches_any,
                inline=True)


@kernel
def sampled(X, y, idx, first_len, epoch_len, plan, n_steps, theta, state, t, hp, g, z, pb,
            av):
    """Mini-batch / single-sample steps over the rows ``idx`` (concatenated epoch orders).

    Batches are consecutive runs of ``plan.size`` entries of ``idx`` (:func:`plan_of`) that
    never cross an epoch boundary: the first epoch (the rest of one already begun) ends after
    ``first_len`` entries, every later one after ``epoch_len`` more. The gradient of a batch is
    the mean of the per-sample gradients over it. Runs ``n_steps`` batches.

    Single rows take loops of their own, without the batch bookkeeping: a linear rule (plain
    SGD) without a gradient buffer (:func:`_single_linear`), any other rule with
    :func:`_single_rule`. The plan's type and the rule pick the loop at compile time, so each
    specialization compiles only the loop it runs. ``pb`` is the problem's compiled record
    (``graddescent.problems.engine``), ``av`` the averaging record
    (:mod:`graddescent.drivers.averaging`).
    """
    return _steps(plan, X, y, idx, first_len, epoch_len, n_steps, theta, state, t, hp, g, z,
                  pb, av)


#: Row orders :func:`sampled_epochs` draws itself (the schemes of :class:`IndexStream`).
_DRAWN = {"shuffle": 0, "flipflop": 1, "cyclic": 2}


@kernel
def _next_order(order, scheme, drawn, fnptr, bitgen):
    """The row order of the next epoch, in place: a fresh permutation (``shuffle``, and the
    even epochs of ``flipflop``), the previous one reversed (odd ``flipflop`` epochs) or the
    data order (``cyclic``); ``drawn`` epochs were drawn before."""
    n = order.shape[0]
    if scheme == 1 and drawn % 2 == 1:
        for i in range(n // 2):
            tmp = order[i]
            order[i] = order[n - 1 - i]
            order[n - 1 - i] = tmp
        return
    for i in range(n):
        order[i] = i
    if scheme != 2:
        shuffle(order, fnptr, bitgen)


@kernel
def sampled_epochs(X, y, order, scheme, drawn, plan, steps_per_epoch, theta, state, t, hp,
                   g, z, snapshots, fnptr, bitgen, pb, av, means):
    """Whole epochs of :func:`sampled`, ``theta`` copied into ``snapshots[e]`` after epoch ``e``
    (and with averaging, the running mean into ``means[e]``: same shape as ``snapshots``).

    Each epoch's row order is drawn here, into the one buffer ``order`` (``n`` entries, reused
    by every epoch), from the caller's Generator (``fnptr``, ``bitgen``:
    :func:`graddescent._jit.bit_generator_pointers`) exactly as :class:`IndexStream` draws it:
    the steps are those of :func:`sampled` over the same indices, and memory does not grow with
    the number of epochs.
    """
    n = X.shape[0]
    for e in range(snapshots.shape[0]):
        _next_order(order, scheme, drawn + e, fnptr, bitgen)
        t, status = sampled(X, y, order, n, n, plan, steps_per_epoch, theta, state, t, hp,
                            g, z, pb, av)
        if status != OK:
            return t, status
        for j in range(theta.shape[0]):
            snapshots[e, j] = theta[j]
        keep_mean(av, means, e)
    return t, OK


def _buffers(X, p: int, batch_size: int) -> list[np.ndarray]:
    """The kernels' scratch vectors ``g`` and ``z``: ``z`` also holds a batch's derivatives on
    sparse rows (:func:`_batches_lazy`), so it has ``max(p, batch_size)`` entries there."""
    g, z = buffers(p)
    if S.is_sparse(X) and batch_size > p:
        z = np.empty(batch_size)
    return [g, z]


@dataclasses.dataclass
class StreamState(DriverState):
    """The row order a sampled driver is going through."""

    stream: IndexStream


@dataclasses.dataclass(frozen=True)
class MiniBatch(Driver):
    r"""Mini-batch and single-sample gradients: :math:`g = \frac{1}{|B|}\sum_{i\in B}\nabla f_i`.

    Every epoch the rows are put in a new order (``scheme``) and cut into consecutive batches
    of ``batch_size`` rows (the last one of an epoch may be smaller), so every row is used once
    per epoch. ``batch_size=None`` with ``n_batch`` set means ``ceil(n / n_batch)``.
    ``batch_size=1`` is single-sample SGD.

    ``scheme="flipflop"`` (Rajput, Lee and Papailiopoulos, *Permutation-based SGD: is random
    optimal?*, ICLR 2022) draws a fresh permutation every second epoch and runs the epochs in
    between in the reverse order of the one before. With a constant step, random reshuffling
    leaves each epoch a random error of order :math:`\alpha^2` (the step on the second batch sees
    the first batch's move: :math:`\alpha^2 H_B g_A`); reversing the order makes the next epoch's
    error of opposite sign (:math:`\alpha^2 H_A g_B`, with :math:`g_A + g_B \approx 0` near the
    optimum), so a pair of epochs leaves only :math:`\alpha^2 (H_B - H_A) g_A`. Same cost, same
    unbiasedness; measured on R's data sets at R's MBGD defaults (alpha 0.1, two batches,
    1000 steps), the median test-RMSE gap to least squares is 1.7-7 times smaller than with
    reshuffling (``python -m benchmarks.mbgd_order``).

    R gradDescent's ``MBGD`` instead cycles ``nBatch`` fixed contiguous blocks of the data shuffled
    once, drops rows when ``n`` is not divisible by ``nBatch`` and errors on one-row batches; its
    ``SGD`` draws rows with replacement. One unit = one batch step.

    Smoothness constant of batches of ``b`` rows drawn without replacement:
    ``L_b = (n (b - 1) L + (n - b) L_max) / (b (n - 1))`` (Gower et al. 2019), which runs from
    ``L_max`` (b = 1) to ``L`` (b = n).

    Parameters
    ----------
    batch_size : int or None
        Rows per step; None uses ``n_batch``.
    n_batch : int or None
        Batches per epoch (R: ``nBatch``), used when ``batch_size`` is None; None with
        ``batch_size=None`` means the full batch.
    scheme : {"shuffle", "flipflop", "cyclic", "replace"}
        Row order within an epoch: a fresh permutation, a fresh permutation then its reverse,
        the data order, or draws with replacement.
    """

    batch_size: int | None = 1
    n_batch: int | None = None
    scheme: str = "shuffle"

    name = "mini_batch"
    averages = True

    def resolve_batch_size(self, n: int) -> int:
        if self.batch_size is not None:
            size = int(self.batch_size)
        elif self.n_batch is not None:
            size = -(-n // int(self.n_batch))
        else:
            size = n
        if size < 1:
            raise ValueError(f"batch_size must be at least 1, got {size}.")
        return min(size, n)

    def units_per_epoch(self, n: int) -> float:
        return float(-(-n // self.resolve_batch_size(n)))

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """``batch_size`` rows per step, the last batch of each epoch holding what is left:
        ``n`` rows per ``ceil(n / batch_size)`` steps."""
        b = self.resolve_batch_size(n)
        per_epoch = -(-int(n) // b)
        return (int(steps) // per_epoch) * int(n) + (int(steps) % per_epoch) * b

    def is_full_batch(self, n: int) -> bool:
        return self.resolve_batch_size(n) >= n

    def is_noisy(self, n: int) -> bool:
        return not self.is_full_batch(n)

    def smoothness(self, X: np.ndarray, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        n = X.shape[0]
        b = self.resolve_batch_size(n)
        if problem is not None and not (problem.is_least_squares and sample_weight is None):
            l_max = problem.l_max(X, sample_weight)
            top = problem.lipschitz(X, sample_weight) if b > 1 else l_max
        else:
            l_max = O.l_max(X) if l_max is None else l_max
            top = O.top_eigenvalue(X) if b > 1 else l_max
        if b > 1:
            return (n * (b - 1) * top + (n - b) * l_max) / (b * (n - 1))
        return l_max

    def describe(self, n: int) -> str:
        return f"batches of {self.resolve_batch_size(n)} of the {n} rows"

    def init_state(self, n: int, p: int) -> StreamState:
        return StreamState(IndexStream(n, self.scheme))

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None,
            av=NO_AVERAGE):
        n = X.shape[0]
        bs = self.resolve_batch_size(n)
        idx, first_len = driver_state.stream.take_batches(rng, n_units, bs)
        g, z = _buffers(X, theta.shape[0], bs)
        t, status = sampled(X, y, idx, first_len, n, plan_of(bs), n_units, theta, rule_state,
                            t, rule.hyperparameters(), g, z, record_of(pb), av)
        raise_if_diverged(status, t, rule)
        return t

    def run_epochs(self, X, y, theta, rule, rule_state, t, driver_state, rng, snapshots,
                   pb=None, means=None, av=NO_AVERAGE):
        stream = driver_state.stream
        n = X.shape[0]
        if stream.pos < stream.block.shape[0]:  # an epoch already begun: one at a time
            return super().run_epochs(X, y, theta, rule, rule_state, t, driver_state, rng,
                                      snapshots, pb, means, av=av)
        if stream.scheme not in _DRAWN or not isinstance(rng, np.random.Generator):
            return super().run_epochs(X, y, theta, rule, rule_state, t, driver_state, rng,
                                      snapshots, pb, means, av=av)
        if isinstance(av, Average) and (means is None or means.shape != snapshots.shape):
            means = np.empty_like(snapshots)  # the kernel writes every epoch's mean
        bs = self.resolve_batch_size(n)
        units = -(-n // bs)
        order = stream.block  # the last epoch's order, reused in place
        if order.shape[0] != n:  # nothing drawn yet (the first epoch draws a fresh order)
            order = np.empty(n, stream.dtype)
        elif not order.flags.writeable:
            order = order.copy()
        g, z = _buffers(X, theta.shape[0], bs)
        fnptr, bitgen = bit_generator_pointers(rng)
        with rng.bit_generator.lock:
            t, status = sampled_epochs(X, y, order, _DRAWN[stream.scheme], stream.blocks,
                                       plan_of(bs), units, theta, rule_state, t,
                                       rule.hyperparameters(), g, z, snapshots, fnptr, bitgen,
                                       record_of(pb), av, snapshots if means is None else means)
        stream.block, stream.pos = order, n
        stream.blocks += snapshots.shape[0]
        raise_if_diverged(status, t, rule)
        return t

"""What each of R's 14 learners computes, loop by loop, from R's preamble and its arguments.

Every function ``compute(run, a)`` takes a :class:`~graddescent.r_replay.session.Run` (R's
shuffled data, theta0 and generator) and the learner's R arguments ``a`` by name, and returns
theta. :data:`COMPUTE` maps R's names to them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from .arithmetic import r_colon, r_seq
from .errors import RError
from .rng import RRandom
from .rules import Adadelta, Adagrad, Adam, Momentum, Plain, RMSprop, Rule
from .session import GradientAt, Run

__all__ = ["COMPUTE", "ssgd_inner_length"]


def _descend(
    run: Run,
    max_iter: int,
    batch: Callable[[int], GradientAt | None],
    rule: Rule,
    look_ahead: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """R's loop ``for (iteration in 1:maxIter)`` of the first ten learners.

    Each iteration: optional look-ahead (AGD), the batch of this iteration (``None``: skip, as
    SAGD's coin does), the gradient at the current theta, one step of ``rule``.
    """
    theta = run.theta0
    for step, iteration in enumerate(r_seq(max_iter), start=1):
        if look_ahead is not None:
            theta = look_ahead(theta)
        gradient_at = batch(iteration)
        if gradient_at is not None:
            theta = rule(theta, gradient_at(theta))
        run.trace.check(theta, step)
    return theta


def _outer_loops(run: Run, max_iter: int, outer: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """R's loop ``for (iteration in 1:maxIter)`` of the last four learners: theta = outer(theta)."""
    theta = run.theta0
    for step, _ in enumerate(r_seq(max_iter), start=1):
        theta = outer(theta)
        run.trace.check(theta, step)
    return theta


def _mbgd_batches(run: Run, n_batch: int) -> Callable[[int], GradientAt]:
    """R's MBGD batches: ``x = n * (1 / nBatch)``; rows ``temp:temp2``, shifted by x each time.

    The cycle restarts when ``iteration %% nBatch == 1`` (or nBatch is 1); fractional row
    numbers are truncated (row 0 is dropped, as R's indexing drops it), so rows are dropped
    when x is not whole.
    """
    width = run.n * (1 / n_batch)
    bounds = [1.0, width]

    def batch(iteration: int) -> GradientAt:
        if iteration % n_batch == 1 or n_batch == 1:
            bounds[:] = [1.0, width]
        rows = np.trunc(r_colon(*bounds)).astype(np.int64)
        rows = rows[rows != 0]
        bounds[0] += width
        bounds[1] += width
        if rows.size and rows.max() > run.n:
            raise RError("subscript out of bounds (MBGD batch past the last row)")
        if rows.size == 1:
            raise RError(
                "incorrect number of dimensions: R's MBGD fails on a one-row batch "
                f"(n_batch={n_batch} for {run.n} rows)"
            )
        if rows.size and np.array_equal(rows, np.arange(rows[0], rows[0] + rows.size)):
            return run.rows(int(rows[0]) - 1, int(rows[-1]))
        return run.subset(rows - 1)

    return batch


def ssgd_inner_length(rng: RRandom, inner_iter: int, lamda: float, alpha: float) -> int:
    """R's ``getRandomProb``: the number of inner steps of one SSGD outer loop.

    ``lamda == 0``: ``sample(innerIter, 1)``. Otherwise the weights ``(1 - lamda alpha)^-t`` are
    min-max scaled to s(t), ordered by (s, t), and the first t with ``runif(1) <= s(t)`` is taken.
    """
    if lamda == 0:
        return int(rng.sample(inner_iter, 1)[0])
    steps = np.arange(1, inner_iter + 1)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        weight = np.power(1 - (lamda * alpha), -steps.astype(float))
        low = weight.min()
        scaled = (weight - low) / (weight.max() - low)
    u = rng.runif(1)[0]
    for t in np.lexsort((steps, scaled)):  # NaN sorts last, as in R's order()
        if np.isnan(scaled[t]):
            raise RError(
                "missing value where TRUE/FALSE needed: R's SSGD inner-length law is undefined "
                f"for inner_iter={inner_iter}, lamda={lamda}, alpha={alpha}"
            )
        if u <= scaled[t]:
            return int(steps[t])
    raise RError("object 'result' not found: R's SSGD found no inner length")


def _sarah_outer(
    run: Run,
    theta: np.ndarray,
    alpha: float,
    rows: np.ndarray,
    steps: range,
    keep_going: Callable[[np.ndarray, np.ndarray], bool] | None = None,
) -> list[np.ndarray]:
    """One SARAH outer loop as R runs it; returns R's list [w0, w2, ..., w_k].

    v = full gradient at w0 and w1 = w0 - alpha v; then for each k of ``steps`` (while
    ``keep_going(v, v0)``), with the k-th listed row i: ``v = g_i(w_k) - g_i(w_(k-1)) + v`` and
    ``w_(k+1) = w_k - alpha v``.
    """
    v = first = run.full_gradient(theta)
    previous, w = theta, theta - alpha * v
    iterates = [theta]
    for k in steps:
        if keep_going is not None and not keep_going(v, first):
            break
        gradient_at = run.listed_row(rows, k)
        v = (gradient_at(w) - gradient_at(previous)) + v
        previous, w = w, w - alpha * v
        iterates.append(w)
    return iterates


_Args = SimpleNamespace  # the learner's R arguments by name (alpha, max_iter, ...)


def _all_rows(run: Run) -> Callable[[int], GradientAt]:
    """The full batch, every iteration."""
    return lambda iteration: run.full_gradient


def _gd(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, _all_rows(run), Plain(a.alpha))


def _mbgd(run: Run, a: _Args) -> np.ndarray:
    batches = _mbgd_batches(run, a.n_batch)
    return _descend(run, a.max_iter, batches, Plain(a.alpha))


def _sgd(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), Plain(a.alpha))


def _sagd(run: Run, a: _Args) -> np.ndarray:
    listed = run.listed(a.max_iter)

    def coin_gated(iteration: int) -> GradientAt | None:
        return listed(iteration) if run.rng.sample_from([0, 1], 1)[0] == 1 else None

    return _descend(run, a.max_iter, coin_gated, Plain(a.alpha))


def _mgd(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, _all_rows(run), Momentum(a.alpha, a.momentum, run.theta0.size))


def _agd(run: Run, a: _Args) -> np.ndarray:
    rule = Momentum(a.alpha, a.momentum, run.theta0.size)
    return _descend(run, a.max_iter, _all_rows(run), rule, look_ahead=rule.look_ahead)


def _adagrad(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), Adagrad(a.alpha))


def _adadelta(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), Adadelta(a.momentum))


def _rmsprop(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), RMSprop(a.alpha, a.momentum))


def _adam(run: Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), Adam(a.alpha))


def _ssgd(run: Run, a: _Args) -> np.ndarray:
    inner_iter, alpha = a.inner_iter, a.alpha

    def outer(theta: np.ndarray) -> np.ndarray:
        mu = run.full_gradient(theta)
        y = theta
        for _ in range(ssgd_inner_length(run.rng, inner_iter, a.lamda, alpha)):
            gradient_at = run.random_row()
            y = y - alpha * ((mu - gradient_at(y)) + gradient_at(theta))
        return y

    return _outer_loops(run, a.max_iter, outer)


def _svrg(run: Run, a: _Args) -> np.ndarray:
    inner_iter, alpha = a.inner_iter, a.alpha
    rows = run.row_list(inner_iter)

    def outer(snapshot: np.ndarray) -> np.ndarray:
        w = snapshot
        mu = run.full_gradient(snapshot)
        iterates = [snapshot]
        for k in r_seq(inner_iter):
            gradient_at = run.listed_row(rows, k)
            w = w - alpha * ((gradient_at(w) - gradient_at(snapshot)) + mu)
            iterates.append(w)
        pick = int(run.rng.sample(inner_iter, 1)[0])  # R draws it for both options
        return iterates[(inner_iter if a.option == 1 else pick) - 1]

    return _outer_loops(run, a.max_iter, outer)


def _sarah(run: Run, a: _Args) -> np.ndarray:
    inner_iter = a.inner_iter
    rows = run.row_list(inner_iter)

    def outer(theta: np.ndarray) -> np.ndarray:
        iterates = _sarah_outer(run, theta, a.alpha, rows, r_seq(inner_iter - 1))
        return iterates[int(run.rng.sample(inner_iter, 1)[0]) - 1]

    return _outer_loops(run, a.max_iter, outer)


def _sarah_plus(run: Run, a: _Args) -> np.ndarray:
    inner_iter = a.inner_iter
    rows = run.row_list(inner_iter)

    def keep_going(v: np.ndarray, first: np.ndarray) -> bool:
        # R: (abs(colSums(gradient)/3))^2 > gammaS*(...)^2 with `&&`, which uses element 1 only
        # (R 4.2 warns about the length; R >= 4.3 stops, the ground truth is R 4.2's).
        now, start = abs(v[0] / 3), abs(first[0] / 3)
        left, right = now * now, a.gamma_s * (start * start)
        if np.isnan(left) or np.isnan(right):  # NA && TRUE is NA: `while (NA)` stops R
            raise RError(
                "missing value where TRUE/FALSE needed: R's SARAHPlus tests "
                f"(|v_1| / 3)^2 > gammaS (|v0_1| / 3)^2 with v_1 = {float(v[0])!r}, "
                f"v0_1 = {float(first[0])!r}, gammaS = {a.gamma_s!r} (a NaN in the data or "
                "the steps)"
            )
        return bool(left > right)

    def outer(theta: np.ndarray) -> np.ndarray:
        return _sarah_outer(run, theta, a.alpha, rows, range(1, inner_iter), keep_going)[-1]

    return _outer_loops(run, a.max_iter, outer)


COMPUTE: dict[str, Callable[[Run, _Args], np.ndarray]] = {
    "GD": _gd, "MBGD": _mbgd, "SGD": _sgd, "SAGD": _sagd, "MGD": _mgd, "AGD": _agd,
    "ADAGRAD": _adagrad, "ADADELTA": _adadelta, "RMSPROP": _rmsprop, "ADAM": _adam,
    "SSGD": _ssgd, "SVRG": _svrg, "SARAH": _sarah, "SARAHPlus": _sarah_plus,
}  # fmt: skip
"""R name -> what that learner computes."""

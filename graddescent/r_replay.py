"""R-replay mode: R gradDescent 3.0's numbers, bugs included.

The main API implements each method as its paper defines it. This module is the one place that
instead reproduces what R gradDescent 3.0 computes, step for step and draw for draw: R's row
shuffle, its initial theta, its lists of sample rows (all drawn with R's own random numbers, see
:class:`~graddescent._r_rng.RRandom`), its per-coordinate update order and every deviation listed in
ALGORITHMS.md section 5. Use it to migrate from R and check that the numbers agree; use the main
API for the algorithms themselves. The main engine does not depend on this module.

Every learner takes the names of R's arguments in snake_case with R's defaults and returns theta
(intercept first) in the units of ``data_train``. ``split_data``, ``learn`` and ``predict``
mirror R's ``splitData``, ``gradDescentR.learn`` and ``predict``.

R re-seeds its global generator inside the learners: ``set.seed(seed)`` before each seeded draw
and ``set.seed(NULL)`` (a clock seed) after some of them. Draws R makes after ``set.seed(NULL)``
cannot be replayed; they come from the ``unseeded_rng`` keyword of every function here (all draws
do when ``seed`` is None). Passing the same ``unseeded_rng`` makes a run reproducible.
"""

from __future__ import annotations

import inspect
import math
import numbers
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._r_rng import RRandom
from ._registry import R_NAMES
from .r_api import _signed_function

__all__ = [
    "ADADELTA",
    "ADAGRAD",
    "ADAM",
    "AGD",
    "GD",
    "LEARNERS",
    "MBGD",
    "MGD",
    "RError",
    "RMSPROP",
    "RRandom",
    "RReplayModel",
    "SAGD",
    "SARAH",
    "SARAHPlus",
    "SGD",
    "SSGD",
    "SVRG",
    "SplitData",
    "learn",
    "predict",
    "split_data",
]

DataLike = Union[pd.DataFrame, npt.ArrayLike]
UnseededRNG = Union[RRandom, np.random.Generator, None]
Batch = tuple[np.ndarray, np.ndarray]

_SMOOTH = 1e-7  # R's `smooth` in ADADELTA, RMSPROP and ADAM
_FLT_EPSILON = 2.0**-23  # fuzz of R's `:` operator on doubles


class RError(ValueError):
    """An error R gradDescent 3.0 itself raises for these arguments (the replay raises it too)."""


# -- R's generator as a learner sees it --------------------------------------------------------
def _as_rrandom(unseeded_rng: UnseededRNG) -> RRandom:
    """Return the stream that stands in for R's clock-seeded draws."""
    if unseeded_rng is None:
        return RRandom()
    if isinstance(unseeded_rng, RRandom):
        return unseeded_rng
    if isinstance(unseeded_rng, np.random.Generator):
        return RRandom(int(unseeded_rng.integers(-(2**31) + 1, 2**31)))
    raise TypeError(
        f"unseeded_rng must be an RRandom, a numpy Generator or None, got {unseeded_rng!r}"
    )


class _RSession:
    """R's global generator: ``set_seed(seed)`` re-seeds it, ``set_seed(None)`` unseeds it.

    After ``set_seed(None)`` the draws continue one stream made from ``unseeded_rng`` (built on
    first use), standing in for R's clock seeds.
    """

    def __init__(self, unseeded_rng: UnseededRNG) -> None:
        self._unseeded_rng = unseeded_rng
        self._unseeded: RRandom | None = None
        self._seeded: RRandom | None = None
        self.rng: RRandom | None = None

    def set_seed(self, seed: int | None) -> None:
        if seed is not None:
            if self._seeded is None:
                self._seeded = RRandom(seed)
            else:
                self._seeded.set_seed(seed)
            self.rng = self._seeded
            return
        if self._unseeded is None:
            self._unseeded = _as_rrandom(self._unseeded_rng)
        self.rng = self._unseeded


def _as_matrix(data: DataLike) -> np.ndarray:
    """Return the data as a float matrix (R: ``matrix(unlist(dataTrain), ...)``)."""
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] < 2 or matrix.shape[0] < 1:
        raise ValueError("data must be 2-D with at least one row and two columns (last = output)")
    return matrix


def _count(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an int of at least ``minimum`` (integral floats accepted, as in R)."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        value = int(value) if float(value).is_integer() else value
    if not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _r_seq(stop: int) -> range:
    """R's ``1:stop`` for ``stop >= 0``: ``1:0`` is the two values 1 and 0."""
    return range(1, stop + 1) if stop >= 1 else range(1, stop - 1, -1)


def _r_colon(start: float, stop: float) -> np.ndarray:
    """R's ``start:stop`` on doubles (count ``|stop - start| + 1``, with R's fuzz)."""
    count = int(abs(stop - start) + 1 + _FLT_EPSILON)
    step = 1.0 if start <= stop else -1.0
    return start + step * np.arange(count)


# -- the least-squares pieces, in R's floating-point order ----------------------------------
def _linear(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``x %*% t(theta)``: reference BLAS sums the columns left to right."""
    out = x[:, 0] * theta[0]
    for j in range(1, x.shape[1]):
        out = out + x[:, j] * theta[j]
    return out


def _gradient(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of R's objective over the rows of ``x``: ``sum(error * x_j) / nrow`` per j.

    R's ``sum`` accumulates in long double, row by row; so does this.
    """
    term = (_linear(x, theta) - y)[:, None] * x
    total = np.cumsum(term, axis=0, dtype=np.longdouble)[-1]
    return total.astype(np.float64) / x.shape[0]


class _Run(_RSession):
    """One learner call after R's preamble (R-SEMANTICS.md section 3, steps 1-3).

    ``set.seed(seed)``; shuffle the rows with ``sample(n)``; ``set.seed(NULL)``; then theta0 =
    ``runif(p)`` between two ``set.seed(seed)``; a column of ones goes before the inputs.
    """

    def __init__(self, data_train: DataLike, seed: int | None, unseeded_rng: UnseededRNG) -> None:
        super().__init__(unseeded_rng)
        data = _as_matrix(data_train)
        self.seed = seed
        self.n, p = data.shape
        self.set_seed(seed)
        data = data[self.rng.sample(self.n) - 1]
        self.set_seed(None)
        self.set_seed(seed)
        self.theta0 = self.rng.runif(p)
        self.set_seed(seed)
        self.x = np.column_stack([np.ones(self.n), data[:, :-1]])
        self.y = data[:, -1]

    def row_list(self, size: int) -> np.ndarray:
        """R's row list: ``set.seed(seed); sample(n, size, replace=TRUE); set.seed(NULL)``."""
        self.set_seed(self.seed)
        rows = self.rng.sample(self.n, size, replace=True)
        self.set_seed(None)
        return rows

    def all_rows(self, iteration: int) -> Batch:
        """The full batch (every iteration)."""
        return self.x, self.y

    def full_gradient(self, theta: np.ndarray) -> np.ndarray:
        return _gradient(self.x, self.y, theta)

    def listed_row(self, rows: np.ndarray, k: int) -> Batch:
        """Row ``rows[k]`` with R's indexing: NA past the end, an error at index 0."""
        if k < 1:  # reached when R loops over 1:0 on an empty or short list
            raise RError("replacement has length zero (R indexes its row list with 0)")
        if k > rows.size:  # R's NA row: the coefficients become NA
            return np.full((1, self.x.shape[1]), np.nan), np.full(1, np.nan)
        i = rows[k - 1] - 1
        return self.x[i : i + 1], self.y[i : i + 1]

    def listed(self, max_iter: int) -> Callable[[int], Batch]:
        """Batches for single-row learners: R's row list of ``max_iter`` rows; iteration k
        uses the k-th listed row."""
        rows = self.row_list(_count(max_iter, "max_iter", 0))
        return lambda k: self.listed_row(rows, k)

    def random_row(self) -> Batch:
        """A row drawn from the current stream with ``sample(n, 1)`` (SSGD)."""
        i = int(self.rng.sample(self.n, 1)[0]) - 1
        return self.x[i : i + 1], self.y[i : i + 1]


# -- update rules, as R writes them ---------------------------------------------------------
class _Plain:
    """``theta_j - alpha * g_j``."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        return theta - self.alpha * g


class _Momentum:
    """R's MGD rule ``u = momentum u + alpha g; theta -= u``, with AGD's look-ahead."""

    def __init__(self, alpha: float, momentum: float, size: int) -> None:
        self.alpha, self.momentum = alpha, momentum
        self.u = np.zeros(size)

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.u = self.momentum * self.u + self.alpha * g
        return theta - self.u

    def look_ahead(self, theta: np.ndarray) -> np.ndarray:
        """AGD's first move, kept: ``theta - u * momentum``."""
        return theta - self.u * self.momentum


class _SharedScalarRule:
    """R's adaptive rules: scalar state carried from coefficient to coefficient, in column order.

    Subclasses give ``_coordinate(j, theta_j, g_j) -> new theta_j``. Arithmetic is on NumPy
    scalars so that a zero divisor gives Inf/NaN as in R instead of raising.
    """

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            pairs = enumerate(zip(theta, g, strict=True))
            return np.array([self._coordinate(j, t, gj) for j, (t, gj) in pairs])

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        raise NotImplementedError


class _Adagrad(_SharedScalarRule):
    """Sum of squares of every gradient component seen so far; no epsilon."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.total = np.float64(0.0)  # gradientList %*% t(gradientList), a left-to-right sum

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        self.total = self.total + g * g
        return theta_j - (self.alpha / np.sqrt(self.total)) * g


class _Adadelta(_SharedScalarRule):
    """Shared ``Eg``, ``Ex`` and RMS of updates; ``u_j`` is coefficient j's previous update."""

    def __init__(self, rho: float) -> None:
        self.rho = rho
        self.eg = self.ex = self.rms_update = np.float64(0.0)
        self.update: dict[int, np.float64] = {}  # R's updateRule, 0 before the first step

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        rho = self.rho
        previous = self.update.get(j, 0.0)
        self.eg = (rho * self.eg) + (1 - rho) * (g * g)
        rms_gradient = np.sqrt(self.eg + _SMOOTH)
        self.ex = (rho * self.ex) + (1 - rho) * (previous * previous)
        self.update[j] = (self.rms_update / rms_gradient) * g
        self.rms_update = np.sqrt(self.ex + _SMOOTH)
        return theta_j - self.update[j]


class _RMSprop(_SharedScalarRule):
    """One shared average of squared gradients; epsilon inside the root."""

    def __init__(self, alpha: float, rho: float) -> None:
        self.alpha, self.rho = alpha, rho
        self.e = np.float64(0.0)

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        self.e = (self.rho * self.e) + (1 - self.rho) * (g * g)
        return theta_j - (self.alpha / np.sqrt(self.e + _SMOOTH)) * g


class _Adam(_SharedScalarRule):
    """Shared moments; bias correction by the constants ``1 - beta``; epsilon outside."""

    beta1, beta2 = 0.9, 0.999

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.m = self.v = np.float64(0.0)

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        b1, b2 = self.beta1, self.beta2
        self.m = (b1 * self.m) + (1 - b1) * g
        self.v = (b2 * self.v) + (1 - b2) * (g * g)
        m_hat, v_hat = self.m / (1 - b1), self.v / (1 - b2)
        return theta_j - (self.alpha / (np.sqrt(v_hat) + _SMOOTH)) * m_hat


Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _descend(
    run: _Run,
    max_iter: int,
    batch: Callable[[int], Batch | None],
    rule: Rule,
    look_ahead: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """R's loop ``for (iteration in 1:maxIter)`` of the first ten learners.

    Each iteration: optional look-ahead (AGD), the batch of this iteration (``None``: skip, as
    SAGD's coin does), the gradient at the current theta, one step of ``rule``.
    """
    theta = run.theta0
    for iteration in _r_seq(_count(max_iter, "max_iter", 0)):
        if look_ahead is not None:
            theta = look_ahead(theta)
        rows = batch(iteration)
        if rows is not None:
            theta = rule(theta, _gradient(*rows, theta))
    return theta


def _outer_loops(run: _Run, max_iter: int, outer: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """R's loop ``for (iteration in 1:maxIter)`` of the last four learners: theta = outer(theta)."""
    theta = run.theta0
    for _ in _r_seq(_count(max_iter, "max_iter", 0)):
        theta = outer(theta)
    return theta


def _mbgd_batches(run: _Run, n_batch: int) -> Callable[[int], Batch]:
    """R's MBGD batches: ``x = n * (1 / nBatch)``; rows ``temp:temp2``, shifted by x each time.

    The cycle restarts when ``iteration %% nBatch == 1`` (or nBatch is 1); fractional row
    numbers are truncated, so rows are dropped when x is not whole.
    """
    width = run.n * (1 / n_batch)
    bounds = [1.0, width]

    def batch(iteration: int) -> Batch:
        if iteration % n_batch == 1 or n_batch == 1:
            bounds[:] = [1.0, width]
        rows = np.trunc(_r_colon(*bounds)).astype(np.int64)
        bounds[0] += width
        bounds[1] += width
        if rows.max() > run.n:
            raise RError("subscript out of bounds (MBGD batch past the last row)")
        if rows.size == 1:
            raise RError(
                "incorrect number of dimensions: R's MBGD fails on a one-row batch "
                f"(n_batch={n_batch} for {run.n} rows)"
            )
        return run.x[rows - 1], run.y[rows - 1]

    return batch


def _ssgd_inner_length(rng: RRandom, inner_iter: int, lamda: float, alpha: float) -> int:
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
    run: _Run,
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
        x_i, y_i = run.listed_row(rows, k)
        v = (_gradient(x_i, y_i, w) - _gradient(x_i, y_i, previous)) + v
        previous, w = w, w - alpha * v
        iterates.append(w)
    return iterates


# -- what each learner computes, from R's preamble (``run``) and its arguments (``a``) ----------
_Args = SimpleNamespace  # the learner's R arguments by name (alpha, max_iter, ...)


def _gd(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.all_rows, _Plain(a.alpha))


def _mbgd(run: _Run, a: _Args) -> np.ndarray:
    batches = _mbgd_batches(run, _count(a.n_batch, "n_batch", 1))
    return _descend(run, a.max_iter, batches, _Plain(a.alpha))


def _sgd(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), _Plain(a.alpha))


def _sagd(run: _Run, a: _Args) -> np.ndarray:
    listed = run.listed(a.max_iter)

    def coin_gated(iteration: int) -> Batch | None:
        return listed(iteration) if run.rng.sample_from([0, 1], 1)[0] == 1 else None

    return _descend(run, a.max_iter, coin_gated, _Plain(a.alpha))


def _mgd(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.all_rows, _Momentum(a.alpha, a.momentum, run.theta0.size))


def _agd(run: _Run, a: _Args) -> np.ndarray:
    rule = _Momentum(a.alpha, a.momentum, run.theta0.size)
    return _descend(run, a.max_iter, run.all_rows, rule, look_ahead=rule.look_ahead)


def _adagrad(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), _Adagrad(a.alpha))


def _adadelta(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), _Adadelta(a.momentum))


def _rmsprop(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), _RMSprop(a.alpha, a.momentum))


def _adam(run: _Run, a: _Args) -> np.ndarray:
    return _descend(run, a.max_iter, run.listed(a.max_iter), _Adam(a.alpha))


def _ssgd(run: _Run, a: _Args) -> np.ndarray:
    inner_iter, alpha = _count(a.inner_iter, "inner_iter", 1), a.alpha

    def outer(theta: np.ndarray) -> np.ndarray:
        mu = run.full_gradient(theta)
        y = theta
        for _ in range(_ssgd_inner_length(run.rng, inner_iter, a.lamda, alpha)):
            x_i, y_i = run.random_row()
            y = y - alpha * ((mu - _gradient(x_i, y_i, y)) + _gradient(x_i, y_i, theta))
        return y

    return _outer_loops(run, a.max_iter, outer)


def _svrg(run: _Run, a: _Args) -> np.ndarray:
    inner_iter, alpha = _count(a.inner_iter, "inner_iter", 1), a.alpha
    rows = run.row_list(inner_iter)

    def outer(snapshot: np.ndarray) -> np.ndarray:
        w = snapshot
        mu = run.full_gradient(snapshot)
        iterates = [snapshot]
        for k in _r_seq(inner_iter):
            x_i, y_i = run.listed_row(rows, k)
            w = w - alpha * ((_gradient(x_i, y_i, w) - _gradient(x_i, y_i, snapshot)) + mu)
            iterates.append(w)
        pick = int(run.rng.sample(inner_iter, 1)[0])  # R draws it for both options
        return iterates[(inner_iter if a.option == 1 else pick) - 1]

    return _outer_loops(run, a.max_iter, outer)


def _sarah(run: _Run, a: _Args) -> np.ndarray:
    inner_iter = _count(a.inner_iter, "inner_iter", 1)
    rows = run.row_list(inner_iter)

    def outer(theta: np.ndarray) -> np.ndarray:
        iterates = _sarah_outer(run, theta, a.alpha, rows, _r_seq(inner_iter - 1))
        return iterates[int(run.rng.sample(inner_iter, 1)[0]) - 1]

    return _outer_loops(run, a.max_iter, outer)


def _sarah_plus(run: _Run, a: _Args) -> np.ndarray:
    inner_iter = _count(a.inner_iter, "inner_iter", 1)
    rows = run.row_list(inner_iter)

    def keep_going(v: np.ndarray, first: np.ndarray) -> bool:
        # R: (abs(colSums(gradient)/3))^2 > gammaS*(...)^2 with `&&`, which uses element 1 only
        now, start = abs(v[0] / 3), abs(first[0] / 3)
        return bool(now * now > a.gamma_s * (start * start))

    def outer(theta: np.ndarray) -> np.ndarray:
        return _sarah_outer(run, theta, a.alpha, rows, range(1, inner_iter), keep_going)[-1]

    return _outer_loops(run, a.max_iter, outer)


# -- the public learners: one factory, R's arguments from the registry ------------------------
# Each R argument: (annotation, description). Types and defaults come from R_NAMES[...].r_args.
_ARGUMENTS: dict[str, tuple[str, str]] = {
    "alpha": ("float", "Learning rate (R: ``alpha``)."),
    "max_iter": (
        "int",
        "Iterations (R: ``maxIter``). R loops over ``1:maxIter``, so 0 runs two iterations\n"
        "(and the single-row learners fail, as in R).",
    ),
    "n_batch": ("int", "Number of batches (R: ``nBatch``)."),
    "momentum": ("float", "Momentum coefficient (R: ``momentum``)."),
    "lamda": (
        "float",
        "Strong-convexity parameter nu of the inner-length law (R: ``lamda``); 0: uniform.",
    ),
    "inner_iter": ("int", "Length of the inner loop (R: ``innerIter``); at least 1."),
    "option": (
        "int",
        "R's ``option``: 1 keeps the next-to-last inner iterate, anything else a random one.",
    ),
    "gamma_s": ("float", "Sufficient-reduction factor of the stopping test (R: ``gammaS``)."),
    "seed": (
        "int | None",
        "R's ``seed``: each ``set.seed(seed)`` of R is replayed with it. None: every draw comes\n"
        "from ``unseeded_rng``.",
    ),
}
_RHO_DOC = "R's ``momentum``, used here as the decay rho of the running averages."
_DATA_TRAIN_DOC = """data_train : pandas.DataFrame or array_like of shape (n_rows, n_columns)
    Training data, numbers only, the last column being the output (R: ``dataTrain``)."""
_UNSEEDED_RNG_DOC = """unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
    Stands in for the draws R makes after ``set.seed(NULL)`` (clock-seeded, so not
    reproducible in R). An :class:`RRandom` is used and advanced in place; a Generator seeds
    a fresh :class:`RRandom` with one draw. None: a fresh stream from OS entropy."""
_THETA_DOC = """numpy.ndarray of shape (n_columns,)
    theta, intercept first, in the units of ``data_train``."""


def _replay_docstring(r_name: str, description: str, raises: str) -> str:
    """The numpydoc docstring: the learner's own description, then the shared sections."""
    method = R_NAMES[r_name]
    items = [_DATA_TRAIN_DOC]
    for arg, default in method.r_args.items():
        kind, text = _ARGUMENTS[arg]
        if method.r_glossary.get(arg) == "rho":
            text = _RHO_DOC
        header = f"{arg} : {kind.replace(' | ', ' or ')}, default={default!r}"
        items.append(header + "\n" + textwrap.indent(text, "    "))
    items.append(_UNSEEDED_RNG_DOC)
    sections = [
        inspect.cleandoc(description),
        "Parameters\n----------\n" + "\n".join(items),
        "Returns\n-------\n" + _THETA_DOC,
    ]
    if raises:
        sections.append("Raises\n------\nRError\n    " + raises)
    return "\n\n".join(sections) + "\n"


def _make_replay_learner(
    r_name: str, compute: Callable[[_Run, _Args], np.ndarray], description: str, raises: str = ""
) -> Callable[..., np.ndarray]:
    """R's learner ``r_name``: R's arguments in R's order with R's defaults, then the keyword
    ``unseeded_rng``; runs R's preamble (:class:`_Run`) and ``compute(run, arguments)``."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("data_train", kind, annotation="DataLike")]
    params += [
        inspect.Parameter(arg, kind, default=default, annotation=_ARGUMENTS[arg][0])
        for arg, default in R_NAMES[r_name].r_args.items()
    ]
    params.append(
        inspect.Parameter(
            "unseeded_rng", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="UnseededRNG"
        )
    )
    signature = inspect.Signature(params, return_annotation="np.ndarray")

    def learner(arguments: dict[str, object]) -> np.ndarray:
        run = _Run(arguments.pop("data_train"), arguments["seed"], arguments.pop("unseeded_rng"))
        return compute(run, _Args(**arguments))

    doc = _replay_docstring(r_name, description, raises)
    return _signed_function(r_name, signature, learner, doc, module=__name__)


GD = _make_replay_learner(
    "GD",
    _gd,
    """Full-batch gradient descent, as R's ``GD``.

    R computes ``theta_j -= alpha * g_j`` with g the mean gradient over all rows. Reproduced
    deviation: ``maxIter = 0`` runs two iterations.""",
)
MBGD = _make_replay_learner(
    "MBGD",
    _mbgd,
    """Mini-batch gradient descent, as R's ``MBGD``.

    R cycles ``n_batch`` fixed contiguous blocks of the once-shuffled rows, one plain step per
    block. Reproduced deviations: rows dropped when ``n_rows / n_batch`` is not whole, an error
    on one-row batches, no reshuffle between cycles.""",
    raises="When a batch has a single row, as R does.",
)
SGD = _make_replay_learner(
    "SGD",
    _sgd,
    """Stochastic gradient descent, as R's ``SGD``.

    R draws ``max_iter`` rows with replacement (seeded) and takes one plain step per listed row;
    ``max_iter`` counts single-row steps, not epochs. ``max_iter = 0`` fails as in R.""",
)
SAGD = _make_replay_learner(
    "SAGD",
    _sagd,
    """R's ``SAGD``: SGD that skips each step on a coin flip (not the SAG of the literature).

    Each iteration R first draws ``sample(0:1, 1)`` after ``set.seed(NULL)`` and steps only on
    a 1; the coins come from ``unseeded_rng``. Reproduced deviation: no gradient memory at all.""",
)
MGD = _make_replay_learner(
    "MGD",
    _mgd,
    """Full-batch momentum gradient descent, as R's ``MGD``.

    R computes ``u_j = momentum u_j + alpha g_j; theta_j -= u_j`` (heavy ball, u starts at 0).""",
)
AGD = _make_replay_learner(
    "AGD",
    _agd,
    """R's ``AGD`` ("accelerated"): a look-ahead step, then MGD's step at that point.

    R keeps ``theta -= momentum u`` and then applies ``u = momentum u + alpha g(theta);
    theta -= u``. Reproduced deviation: the momentum term counts twice per iteration (neither
    Nesterov form).""",
)
ADAGRAD = _make_replay_learner(
    "ADAGRAD",
    _adagrad,
    """Single-row Adagrad as R's ``ADAGRAD`` computes it.

    For each coefficient in order R appends ``g_j`` to one list of every gradient component
    ever seen and steps ``alpha g_j / sqrt(sum of squares of the list)``. Reproduced deviations:
    one accumulator shared by all coefficients, no epsilon.""",
)
ADADELTA = _make_replay_learner(
    "ADADELTA",
    _adadelta,
    """Single-row Adadelta as R's ``ADADELTA`` computes it (no learning rate).

    R keeps scalars ``Eg``, ``Ex`` and the RMS of updates shared by all coefficients
    (eps = 1e-7 inside the roots). Reproduced deviations: the shared state, and the first
    coefficient never moving on the first step (the RMS of updates starts at 0).""",
)
RMSPROP = _make_replay_learner(
    "RMSPROP",
    _rmsprop,
    """Single-row RMSprop as R's ``RMSPROP`` computes it.

    R steps ``alpha g_j / sqrt(E + 1e-7)`` after ``E = rho E + (1 - rho) g_j^2``. Reproduced
    deviation: one scalar ``E`` shared by all coefficients.""",
)
ADAM = _make_replay_learner(
    "ADAM",
    _adam,
    """Single-row Adam as R's ``ADAM`` computes it (beta1 0.9, beta2 0.999, eps 1e-7).

    R steps ``alpha (m / 0.1) / (sqrt(v / 0.001) + 1e-7)``. Reproduced deviations: moments shared
    by all coefficients, bias correction by the constants ``1 - beta`` instead of ``1 - beta^t``.
    """,
)
SSGD = _make_replay_learner(
    "SSGD",
    _ssgd,
    """Semi-stochastic gradient descent as R's ``SSGD`` computes it.

    Each outer loop: mu = full gradient at w = theta; a random inner length t; t steps
    ``y -= alpha (mu - g_i(y) + g_i(w))`` on rows ``sample(n, 1)``; theta = y. The draws continue
    the stream R re-seeded after theta0, so they start with theta0's uniforms. Reproduced
    deviations: the wrong sign of the correction, the inner-length law (never 1 when
    ``lamda != 0``) and its errors.""",
    raises="For ``lamda != 0`` with ``inner_iter = 1`` or ``lamda * alpha = 1``, as R does.",
)
SVRG = _make_replay_learner(
    "SVRG",
    _svrg,
    """Stochastic variance-reduced gradient as R's ``SVRG`` computes it.

    Each outer loop: snapshot w~ = theta, mu = full gradient at w~, then for the k-th listed row
    i: ``w -= alpha (g_i(w) - g_i(w~) + mu)``, keeping [w~, w_1, ..., w_m]; theta is entry
    ``inner_iter`` (option 1) or entry ``sample(innerIter, 1)`` (otherwise; drawn after
    ``set.seed(NULL)``, so from ``unseeded_rng``). Reproduced deviations: one row list reused by
    every outer loop; option 1 returns w_(m-1), not w_m.""",
)
SARAH = _make_replay_learner(
    "SARAH",
    _sarah,
    """Stochastic recursive gradient (SARAH) as R's ``SARAH`` computes it.

    Each outer loop: a full-gradient step to w1, then ``inner_iter - 1`` recursive steps on the
    listed rows (one list for all outer loops); theta is entry ``sample(innerIter, 1)`` of
    [w0, w2, ..., w_m], drawn after ``set.seed(NULL)`` (so from ``unseeded_rng``). Reproduced
    deviations: w1 is never offered; ``inner_iter = 1`` is an error (R loops over ``1:0``).""",
    raises="For ``inner_iter = 1``, as R does.",
)
SARAHPlus = _make_replay_learner(
    "SARAHPlus",
    _sarah_plus,
    """SARAH+ as R's ``SARAHPlus`` computes it.

    As :func:`SARAH`, but the inner loop runs while ``(v_1 / 3)^2 > gamma_s (v0_1 / 3)^2`` and
    fewer than ``inner_iter - 1`` steps were taken; theta is the last iterate (w0 if the loop
    never ran). Reproduced deviations: the test looks at the intercept's component only, and
    with ``gamma_s = 1`` theta never moves.""",
)

LEARNERS: dict[str, Callable[..., np.ndarray]] = {
    f.__name__: f
    for f in (
        GD,
        MBGD,
        SGD,
        SAGD,
        MGD,
        AGD,
        ADAGRAD,
        ADADELTA,
        RMSPROP,
        ADAM,
        SSGD,
        SVRG,
        SARAH,
        SARAHPlus,
    )
}
"""The 14 learners by R name: the dispatch table of :func:`learn`."""


# -- R's workflow: splitData, scaling, gradDescentR.learn, predict ----------------------------
class SplitData(NamedTuple):
    """R's ``splitData`` result: training rows (in the order drawn) and test rows."""

    data_train: pd.DataFrame | np.ndarray
    data_test: pd.DataFrame | np.ndarray


def _take_rows(data: DataLike, rows: np.ndarray) -> pd.DataFrame | np.ndarray:
    return data.iloc[rows] if isinstance(data, pd.DataFrame) else np.asarray(data)[rows]


def split_data(
    data_set: DataLike,
    data_train_rate: float = 0.5,
    seed: int | None = None,
    *,
    unseeded_rng: UnseededRNG = None,
) -> SplitData:
    """Split rows exactly as R's ``splitData``.

    R: ``set.seed(seed)``; the training rows are ``sample(n, trunc(n * dataTrainRate))`` in the
    order drawn; the test rows are the others in their original order. Reproduced quirk: when
    no training row is drawn, R's ``dataSet[-integer(0), ]`` leaves the test set empty too.

    Parameters
    ----------
    data_set : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        The data (R: ``dataSet``). A DataFrame keeps its index, so the index shows R's rows.
    data_train_rate : float, default=0.5
        Fraction of rows for training (R: ``dataTrainRate``).
    seed : int or None, default=None
        R's ``seed``; None draws from ``unseeded_rng``.
    unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
        Source of the draws when ``seed`` is None (see :func:`GD`).

    Returns
    -------
    SplitData
        Named tuple ``(data_train, data_test)`` of the same type as ``data_set``.
    """
    n = len(data_set)
    session = _RSession(unseeded_rng)
    session.set_seed(seed)
    train = session.rng.sample(n, math.trunc(n * data_train_rate)) - 1
    test = np.setdiff1d(np.arange(n), train) if train.size else train
    return SplitData(_take_rows(data_set, train), _take_rows(data_set, test))


def _long_double_sum(x: np.ndarray) -> np.ndarray:
    """Column sums accumulated row by row in long double, as R's ``sum``, ``mean`` and ``var``."""
    return np.cumsum(x, axis=0, dtype=np.longdouble)[-1]


def _variance_parameter(data: np.ndarray) -> np.ndarray:
    """R's ``getMeanStd``: rows mean and sd (n - 1 denominator), with R's long-double sums."""
    n = data.shape[0]
    mean = _long_double_sum(data) / n
    mean = np.where(np.isfinite(mean), mean + _long_double_sum(data - mean) / n, mean)
    mean = mean.astype(np.float64)
    deviation = data.astype(np.longdouble) - mean
    variance = (_long_double_sum(deviation * deviation) / (n - 1)).astype(np.float64)
    return np.vstack([mean, np.sqrt(variance)])


def _minmax_parameter(data: np.ndarray) -> np.ndarray:
    """R's ``getMinMax``: rows min and max - min."""
    low = data.min(axis=0)
    return np.vstack([low, data.max(axis=0) - low])


def _scale(data: np.ndarray, parameter: np.ndarray) -> np.ndarray:
    """``(x - parameter[0]) / parameter[1]`` per column (both R scalings have this form)."""
    return (data - parameter[0]) / parameter[1]


def _descale(data: np.ndarray, parameter: np.ndarray) -> np.ndarray:
    """``x * parameter[1] + parameter[0]`` per column (R's descalings)."""
    return (data * parameter[1]) + parameter[0]


_SCALINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "VARIANCE": _variance_parameter,
    "MINMAX": _minmax_parameter,
}

# R's control entries of gradDescentR.learn: learner argument and R's default.
_CONTROL: dict[str, tuple[str, float]] = {
    "alpha": ("alpha", 0.1),
    "maxIter": ("max_iter", 10),
    "momentum": ("momentum", 0.9),
    "nBatch": ("n_batch", 2),
    "lamda": ("lamda", 0),
    "innerIter": ("inner_iter", 10),
    "option": ("option", 2),
    "gammaS": ("gamma_s", 0.125),
}


def _fill_control(control: Mapping[str, object] | None) -> dict[str, object]:
    """R's ``setDefaultParametersIfMissing``; keys by R name or by learner argument name."""
    by_argument = {argument: name for name, (argument, _) in _CONTROL.items()}
    filled = {name: default for name, (_, default) in _CONTROL.items()}
    for key, value in (control or {}).items():
        name = key if key in _CONTROL else by_argument.get(key)
        if name is None:
            raise ValueError(f"unknown control entry {key!r}; R's entries are {list(_CONTROL)}")
        if value is not None:  # R treats a NULL entry as missing
            filled[name] = value
    return filled


@dataclass(frozen=True)
class RReplayModel:
    """R's ``gradDescentRObject``, as returned by :func:`learn`.

    Attributes
    ----------
    feature_scaling : bool
        Whether the data were scaled before learning.
    scaling_method : str
        ``"VARIANCE"`` or ``"MINMAX"``.
    scaling_parameter : numpy.ndarray of shape (2, n_columns) or None
        Mean and sd rows (VARIANCE) or min and max - min rows (MINMAX); None without scaling.
    learning_method : str
        R name of the learner.
    model : numpy.ndarray of shape (n_columns,)
        theta in scaled units, intercept first.
    control : dict
        The control entries by R name, R's defaults filled in.
    """

    feature_scaling: bool
    scaling_method: str
    scaling_parameter: np.ndarray | None
    learning_method: str
    model: np.ndarray
    control: dict[str, object] = field(default_factory=dict)


def learn(
    data_set: DataLike,
    feature_scaling: bool = True,
    scaling_method: str = "VARIANCE",
    learning_method: str = "GD",
    control: Mapping[str, object] | None = None,
    seed: int | None = None,
    *,
    unseeded_rng: UnseededRNG = None,
) -> RReplayModel:
    """Scale and learn exactly as R's ``gradDescentR.learn``.

    Missing control entries get R's defaults (alpha 0.1, maxIter 10, momentum 0.9, nBatch 2,
    lamda 0, innerIter 10, option 2, gammaS 0.125); the whole frame, output included, is scaled
    if asked; the learner named ``learning_method`` (looked up in :data:`LEARNERS`) gets the
    control entries it takes, and ``seed``.

    Parameters
    ----------
    data_set : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        Training data, the last column being the output (R: ``dataSet``).
    feature_scaling : bool, default=True
        Scale every column first (R: ``featureScaling``).
    scaling_method : {"VARIANCE", "MINMAX"}, default="VARIANCE"
        ``(x - mean) / sd`` with the n - 1 sd, or ``(x - min) / (max - min)``.
    learning_method : str, default="GD"
        One of the 14 R names in :data:`LEARNERS`.
    control : mapping or None, default=None
        Entries by R name (``maxIter``) or argument name (``max_iter``). Unlike R, an unknown
        entry is an error rather than ignored.
    seed : int or None, default=None
        R's ``seed``, passed to the learner.
    unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
        Source of the draws R makes after ``set.seed(NULL)`` (see :func:`GD`).

    Returns
    -------
    RReplayModel
        R's fields: feature_scaling, scaling_method, scaling_parameter, learning_method,
        model (theta), control.

    Raises
    ------
    RError
        For an unknown ``scaling_method`` (when scaling) or ``learning_method``, as R does.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(20.0)
    >>> train, test = split_data(np.column_stack([x, 2 * x + 1]), 0.8, seed=1)
    >>> model = learn(train, learning_method="SGD", control={"maxIter": 50}, seed=1)
    >>> model.model.shape
    (2,)
    >>> predict(model, test).shape
    (4, 2)
    """
    control = _fill_control(control)
    data = _as_matrix(data_set)
    parameter = None
    if feature_scaling:
        if scaling_method not in _SCALINGS:
            raise RError(f"unknown scalingMethod argument value {scaling_method!r}")
        parameter = _SCALINGS[scaling_method](data)
        data = _scale(data, parameter)
    if learning_method not in LEARNERS:
        raise RError(f"unknown learningMethod argument value {learning_method!r}")
    learner = LEARNERS[learning_method]
    accepted = inspect.signature(learner).parameters
    arguments = {arg: control[name] for name, (arg, _) in _CONTROL.items() if arg in accepted}
    theta = learner(data, seed=seed, unseeded_rng=unseeded_rng, **arguments)
    return RReplayModel(feature_scaling, scaling_method, parameter, learning_method, theta, control)


def predict(model: RReplayModel, new_data: DataLike) -> pd.DataFrame | np.ndarray:
    """Predict exactly as R's ``predict`` for a ``gradDescentRObject``.

    R scales every column of ``new_data`` with the stored parameters, drops its last column
    (so ``new_data`` must still hold an output column, whatever its values), predicts
    ``theta_0 + sum theta_j x_j``, appends the prediction and descales every column, the
    prediction with the output's parameters.

    Parameters
    ----------
    model : RReplayModel
        The result of :func:`learn`.
    new_data : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        Data with the same columns as the training data, output last.

    Returns
    -------
    pandas.DataFrame or numpy.ndarray of shape (n_rows, n_columns)
        The inputs (scaled and descaled, as R returns them) and the prediction as the last
        column, named ``"prediction"`` (R calls it ``V1``); a DataFrame keeps its index.
    """
    data = _as_matrix(new_data)
    if data.shape[1] != model.model.size:
        raise ValueError(
            f"new_data has {data.shape[1]} columns; the model was learned on {model.model.size}"
        )
    if model.feature_scaling:
        data = _scale(data, model.scaling_parameter)
    inputs = data[:, :-1]
    prediction = _linear(np.column_stack([np.ones(len(inputs)), inputs]), model.model)
    result = np.column_stack([inputs, prediction])
    if model.feature_scaling:
        result = _descale(result, model.scaling_parameter)
    if isinstance(new_data, pd.DataFrame):
        columns = [*new_data.columns[:-1], "prediction"]
        return pd.DataFrame(result, index=new_data.index, columns=columns)
    return result

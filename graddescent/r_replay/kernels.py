"""The replay's compiled loops: R's gradient, R's column means and sds, R's index draws.

Each kernel performs the floating-point operations of the R (or C) code it replaces, in the same
order, so its results are R's bit for bit. The long-double sums use
:mod:`~graddescent.r_replay.longdouble` and may only be called when
:func:`~graddescent.r_replay.longdouble.available` is true;
:mod:`~graddescent.r_replay.arithmetic` chooses. The index draws need no long double.
All kernels are compiled on first use (``cache=True``), never at import.
"""

from __future__ import annotations

import numba
import numpy as np

from .longdouble import ld_add, ld_div, ld_gt, ld_lt, ld_mul, ld_sub, narrow, widen

__all__ = ["apply_draws", "gradient", "indices_below", "mean_sd", "r_sum"]

_DBL_MAX = np.finfo(np.float64).max
_BLOCK = 4  # long-double sums run side by side (independent x87 chains)


@numba.njit(cache=True, error_model="numpy")
def _r_double(total) -> float:
    """R's ``rsum`` result: ``(double) s``, but +-Inf beyond +-DBL_MAX (summary.c)."""
    if ld_gt(total, widen(_DBL_MAX)):
        return np.inf
    if ld_lt(total, widen(-_DBL_MAX)):
        return -np.inf
    return narrow(total)


@numba.njit(cache=True, error_model="numpy")
def r_sum(values: np.ndarray) -> float:
    """R's ``sum(values)`` for a double vector: ``s = 0; s += v`` in long double, in order."""
    total = widen(0.0)
    for v in values:
        total = ld_add(total, widen(v))
    return _r_double(total)


@numba.njit(cache=True, error_model="numpy")
def _error(x: np.ndarray, y: np.ndarray, theta: np.ndarray, lo: int, hi: int,
           error: np.ndarray) -> None:
    """``error = (x %*% t(theta)) - y`` on rows ``lo:hi``, as reference BLAS ``dgemv`` does.

    ``dgemv`` sets the result to 0, then adds ``theta_j * x[, j]`` column by column; here four
    columns per pass over the rows, each element still adding them one at a time in order.
    """
    m = hi - lo
    for i in range(m):
        error[i] = 0.0
    p = x.shape[1]
    j = 0
    while j + 4 <= p:
        t0, t1, t2, t3 = theta[j], theta[j + 1], theta[j + 2], theta[j + 3]
        c0, c1, c2, c3 = x[lo:hi, j], x[lo:hi, j + 1], x[lo:hi, j + 2], x[lo:hi, j + 3]
        for i in range(m):
            error[i] = (((error[i] + t0 * c0[i]) + t1 * c1[i]) + t2 * c2[i]) + t3 * c3[i]
        j += 4
    while j < p:
        t0, c0 = theta[j], x[lo:hi, j]
        for i in range(m):
            error[i] = error[i] + t0 * c0[i]
        j += 1
    for i in range(m):
        error[i] = error[i] - y[lo + i]


@numba.njit(cache=True, error_model="numpy")
def gradient(x: np.ndarray, y: np.ndarray, theta: np.ndarray, lo: int, hi: int,
             error: np.ndarray, out: np.ndarray) -> None:
    """R's full-batch gradient on rows ``lo:hi`` of a column-major ``x`` (ones column first).

    R: ``error <- (inputData %*% t(theta)) - outputData``; for each column
    ``gradient <- sum(error * inputData[, column]) / rowLength``. Each ``sum`` is a long-double
    accumulation from 0 in row order; :data:`_BLOCK` columns are summed side by side (their
    sums are independent, so this changes no rounding). ``error`` is workspace of at least
    ``hi - lo`` doubles; the gradient goes to ``out``.
    """
    _error(x, y, theta, lo, hi, error)
    rows = float(hi - lo)
    p = x.shape[1]
    for j in range(0, p, _BLOCK):
        # columns j..j+3; past the last column the last is summed again and not stored
        last = p - 1
        c0 = x[lo:hi, j]
        c1 = x[lo:hi, min(j + 1, last)]
        c2 = x[lo:hi, min(j + 2, last)]
        c3 = x[lo:hi, min(j + 3, last)]
        s0 = s1 = s2 = s3 = widen(0.0)
        for i in range(hi - lo):
            e = error[i]
            s0 = ld_add(s0, widen(e * c0[i]))
            s1 = ld_add(s1, widen(e * c1[i]))
            s2 = ld_add(s2, widen(e * c2[i]))
            s3 = ld_add(s3, widen(e * c3[i]))
        sums = (s0, s1, s2, s3)
        for k in range(min(_BLOCK, p - j)):
            out[j + k] = _r_double(sums[k]) / rows


@numba.njit(cache=True, error_model="numpy")
def mean_sd(data: np.ndarray, out: np.ndarray) -> None:
    """R's ``mean`` and ``sd`` of each column of a column-major ``data`` into ``out`` (2, p).

    ``mean`` (summary.c): ``s = sum / n``; if ``(double) s`` is finite, ``s += sum(x - s) / n``,
    all in long double. ``sd`` = ``sqrt(var)`` (cov.c): the same two-pass mean, then
    ``sum((long double)(x - m) * (x - m)) / (n - 1)`` with ``m`` the mean as a double.
    """
    n = data.shape[0]
    count = widen(float(n))
    for j in range(data.shape[1]):
        column = data[:, j]
        total = widen(0.0)
        for v in column:
            total = ld_add(total, widen(v))
        mean = ld_div(total, count)
        if np.isfinite(narrow(mean)):
            correction = widen(0.0)
            for v in column:
                correction = ld_add(correction, ld_sub(widen(v), mean))
            mean = ld_add(mean, ld_div(correction, count))
        centre = widen(narrow(mean))
        squares = widen(0.0)
        for v in column:
            deviation = ld_sub(widen(v), centre)
            squares = ld_add(squares, ld_mul(deviation, deviation))
        out[0, j] = narrow(mean)
        out[1, j] = np.sqrt(narrow(ld_div(squares, widen(float(n - 1)))))


@numba.njit(cache=True)
def indices_below(uniforms: np.ndarray, bounds: np.ndarray, out: np.ndarray) -> tuple[int, int]:
    """R's ``R_unif_index(b)`` for each bound ``b`` in order, from a window of uniforms.

    An attempt for ``b`` builds an integer from ``bits // 16 + 1`` chunks ``floor(u * 65536)``
    of consecutive uniforms (``bits = ceil(log2(b))``), keeps its low ``bits`` bits and is
    rejected unless below ``b``; ``b <= 0`` gives 0 without drawing. Stops when the window
    cannot hold the next attempt.

    Returns
    -------
    done : int
        How many bounds got their index (written to ``out[:done]``).
    used : int
        How many uniforms those draws consumed (rejected attempts included).
    """
    used = 0
    for i in range(bounds.size):
        bound = bounds[i]
        if bound <= 0:
            out[i] = 0
            continue
        bits = 0
        while (np.int64(1) << bits) < bound:
            bits += 1
        chunks = bits // 16 + 1
        mask = (np.uint64(1) << np.uint64(bits)) - np.uint64(1)
        while True:
            if used + chunks > uniforms.size:
                return i, used
            value = np.uint64(0)
            for c in range(chunks):
                chunk = np.uint64(np.int64(uniforms[used + c] * 65536.0))
                value = value * np.uint64(65536) + chunk
            used += chunks
            value &= mask
            if value < np.uint64(bound):
                out[i] = np.int64(value)
                break
    return bounds.size, used


@numba.njit(cache=True)
def apply_draws(n: int, picks: np.ndarray) -> np.ndarray:
    """R's ``do_sample`` without replacement, given its index draws (1-based results).

    ``x = 0..n-1``; for each pick ``j`` (drawn below the current length) output ``x[j] + 1``,
    then move the last element into ``x[j]``.
    """
    pool = np.arange(n)
    out = np.empty(picks.size, dtype=np.int64)
    for i in range(picks.size):
        j = picks[i]
        out[i] = pool[j] + 1
        pool[j] = pool[n - i - 1]
    return out

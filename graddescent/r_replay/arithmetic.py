"""R's arithmetic, in R's floating-point order: ``%*%``, ``sum``, ``mean``, ``sd`` and ``:``.

R's ``sum`` (and the sums inside ``mean`` and ``var``) accumulate in long double, element by
element from 0. Where the x87 format is available (:func:`~graddescent.r_replay.longdouble.
available`) the compiled kernels of :mod:`~graddescent.r_replay.kernels` do this; elsewhere the
same sums run in NumPy's ``longdouble``, a bounded block of rows at a time (no n x p temporary),
which is what R computes on such a platform. Both give the same bits on x86-64 Linux (the
tests compare them).
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .longdouble import available

__all__ = [
    "Gradient",
    "linear",
    "mean_sd",
    "r_colon",
    "r_seq",
    "row_gradient",
]

_FLT_EPSILON = 2.0**-23  # fuzz of R's `:` operator on doubles
_DBL_MAX = np.finfo(np.float64).max
_ROWS_PER_BLOCK = 8192  # rows per NumPy long-double block (bounded temporaries)


def r_seq(stop: int) -> range:
    """R's ``1:stop`` for ``stop >= 0``: ``1:0`` is the two values 1 and 0."""
    return range(1, stop + 1) if stop >= 1 else range(1, stop - 1, -1)


def r_colon(start: float, stop: float) -> np.ndarray:
    """R's ``start:stop`` on doubles (count ``|stop - start| + 1``, with R's fuzz)."""
    count = int(abs(stop - start) + 1 + _FLT_EPSILON)
    step = 1.0 if start <= stop else -1.0
    return start + step * np.arange(count)


def linear(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``x %*% t(theta)``: reference BLAS starts from 0 and adds the columns left to right."""
    out = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        out = out + theta[j] * x[:, j]
    return out


def row_gradient(row: list[float], y: float, theta: list[float]) -> list[float]:
    """R's gradient on one row: ``error <- row %*% t(theta) - y``; ``error * row[j]`` per j.

    On Python floats (IEEE doubles, one rounding per operation), the fastest way for one row.
    """
    error = 0.0
    for x_j, theta_j in zip(row, theta, strict=True):
        error = error + theta_j * x_j
    error = error - y
    return [error * x_j for x_j in row]


def _r_double(total: np.ndarray) -> np.ndarray:
    """R's ``rsum`` result: ``(double) s``, but +-Inf beyond +-DBL_MAX (summary.c)."""
    out = total.astype(np.float64)
    out[total > _DBL_MAX] = np.inf
    out[total < -_DBL_MAX] = -np.inf
    return out


def _column_sums(blocks, width: int) -> np.ndarray:
    """Long-double sums from 0 of ``width`` columns, row by row, over an iterable of blocks."""
    total = np.zeros(width, dtype=np.longdouble)
    for block in blocks:
        stacked = np.empty((block.shape[0] + 1, width), dtype=np.longdouble)
        stacked[0] = total
        stacked[1:] = block
        total = np.cumsum(stacked, axis=0)[-1]  # cumsum adds strictly in row order
    return total


class Gradient:
    """R's full-batch gradient over the rows of one data set, in R's order of operations.

    Parameters
    ----------
    x : numpy.ndarray of shape (n, p)
        R's ``inputData``: a column of ones, then the inputs (any memory order).
    y : numpy.ndarray of shape (n,)
        R's ``outputData``.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = np.asfortranarray(x)
        self.y = np.ascontiguousarray(y)
        self.compiled = available()
        self._error = np.empty(self.x.shape[0])

    def __call__(self, theta: np.ndarray, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """The gradient at ``theta`` over rows ``lo:hi`` (all rows by default).

        R: ``error <- (inputData %*% t(theta)) - outputData``, then for each column
        ``sum(error * inputData[, column]) / rowLength``.
        """
        hi = self.x.shape[0] if hi is None else hi
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        out = np.empty(self.x.shape[1])
        with np.errstate(all="ignore"):
            if self.compiled:
                kernels.gradient(self.x, self.y, theta, lo, hi, self._error, out)
            else:
                out = self._numpy(theta, lo, hi)
        return out

    def _numpy(self, theta: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """The same gradient with NumPy's long double, a block of rows at a time."""
        x, y = self.x[lo:hi], self.y[lo:hi]
        error = linear(x, theta) - y
        blocks = (
            error[i : i + _ROWS_PER_BLOCK, None] * x[i : i + _ROWS_PER_BLOCK]
            for i in range(0, x.shape[0], _ROWS_PER_BLOCK)
        )
        return _r_double(_column_sums(blocks, x.shape[1])) / x.shape[0]


def mean_sd(data: np.ndarray) -> np.ndarray:
    """R's ``mean`` and ``sd`` (n - 1 denominator) of every column: rows 0 and 1 of the result.

    ``mean``: ``s = sum / n``, then, if ``(double) s`` is finite, ``s += sum(x - s) / n``, in
    long double; ``sd``: ``sqrt(sum((x - m)^2) / (n - 1))`` with the deviations, their squares
    and the sum in long double and ``m`` the double mean (R's summary.c and cov.c).
    """
    data = np.asfortranarray(data, dtype=np.float64)
    out = np.empty((2, data.shape[1]))
    with np.errstate(all="ignore"):
        if available():
            kernels.mean_sd(data, out)
            return out
        (n, p), blocks = data.shape, range(0, data.shape[0], _ROWS_PER_BLOCK)
        mean = _column_sums((data[i : i + _ROWS_PER_BLOCK] for i in blocks), p) / n
        finite = np.isfinite(mean.astype(np.float64))
        correction = _column_sums((data[i : i + _ROWS_PER_BLOCK] - mean for i in blocks), p) / n
        mean = np.where(finite, mean + correction, mean).astype(np.float64)
        deviations = (data[i : i + _ROWS_PER_BLOCK].astype(np.longdouble) - mean for i in blocks)
        squares = _column_sums((d * d for d in deviations), p)
        out[0] = mean
        out[1] = np.sqrt((squares / (n - 1)).astype(np.float64))
    return out

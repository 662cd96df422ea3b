"""R's arithmetic, in R's floating-point order: ``%*%``, ``sum`` and the ``:`` operator."""

from __future__ import annotations

import numpy as np

__all__ = ["gradient", "linear", "long_double_sum", "r_colon", "r_seq"]

_FLT_EPSILON = 2.0**-23  # fuzz of R's `:` operator on doubles


def r_seq(stop: int) -> range:
    """R's ``1:stop`` for ``stop >= 0``: ``1:0`` is the two values 1 and 0."""
    return range(1, stop + 1) if stop >= 1 else range(1, stop - 1, -1)


def r_colon(start: float, stop: float) -> np.ndarray:
    """R's ``start:stop`` on doubles (count ``|stop - start| + 1``, with R's fuzz)."""
    count = int(abs(stop - start) + 1 + _FLT_EPSILON)
    step = 1.0 if start <= stop else -1.0
    return start + step * np.arange(count)


def linear(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``x %*% t(theta)``: reference BLAS sums the columns left to right."""
    out = x[:, 0] * theta[0]
    for j in range(1, x.shape[1]):
        out = out + x[:, j] * theta[j]
    return out


def gradient(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of R's objective over the rows of ``x``: ``sum(error * x_j) / nrow`` per j.

    R's ``sum`` accumulates in long double, row by row; so does this.
    """
    term = (linear(x, theta) - y)[:, None] * x
    total = np.cumsum(term, axis=0, dtype=np.longdouble)[-1]
    return total.astype(np.float64) / x.shape[0]


def long_double_sum(x: np.ndarray) -> np.ndarray:
    """Column sums accumulated row by row in long double, as R's ``sum``, ``mean`` and ``var``."""
    return np.cumsum(x, axis=0, dtype=np.longdouble)[-1]

r"""The least-squares objective: the only place it, its gradient and its constants are computed.

.. math:: f(\theta) = \frac{1}{2n} \sum_i r_i^2, \qquad
          r_i = b + x_i \cdot w - y_i, \qquad \theta = (b, w)

``theta`` has length ``p = d + 1``: ``theta[0]`` is the intercept ``b`` and ``theta[1:]`` the
coefficients ``w``. The intercept is never materialised as a column of ones: the per-sample
gradient of ``f_i = r_i^2 / 2`` is ``(r_i, r_i * X[i])``.

Compiled (for the driver kernels, and for anyone): :func:`residual`, :func:`residual_pair`,
:func:`add_sample`, :func:`full_gradient` (one pass over ``X``, the objective for free) and
:func:`objective`. Like every kernel they check nothing: they assume float64 C-contiguous
arrays of matching shapes (``y`` of length ``n``, ``z`` of length ``d + 1``), as
:func:`graddescent._validation.engine_arrays` makes them; the entry points of the package
(the :class:`~graddescent.drivers.Optimizer` included) check before calling them.

The passes over every row have a sequential kernel (:func:`full_gradient`, :func:`objective`,
:func:`scan_rows`: one loop over the rows) and a blocked one for large ``X``
(:func:`full_gradient_blocked`, :func:`objective_blocked`, :func:`scan_rows_blocked`,
:func:`predict_blocked`: fixed blocks of :data:`graddescent._jit.BLOCK_ROWS` rows, each summed
on its own on numba's threads, added in block order: the same bits on any number of threads;
:mod:`graddescent.threads`). Python picks between them by the size of ``X``
(:func:`graddescent._jit.is_large`): :func:`scan`, :func:`objective_value`, :func:`predict`;
the drivers through the problem's record (:mod:`graddescent.problems.records`).

In Python, on whole arrays and a chunk of rows at a time (never an
``n``-length temporary beyond ``X`` itself): :func:`hessian` ``[1, X]^T [1, X] / n``,
:func:`top_eigenvalue` (its largest eigenvalue ``L``), :func:`max_row_sq_norm` and
:func:`l_max` (``L_max = max_i (1 + ||x_i||^2)``), :func:`variance` and :func:`least_squares`
(the exact minimiser, the reference every comparison is measured against).

Examples
--------
>>> import numpy as np
>>> from graddescent import objective
>>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
>>> objective.least_squares(X, y)
array([1., 2.])
>>> float(objective.objective(X, y, np.array([1.0, 2.0])))
0.0
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from . import _sparse as S
from ._jit import block_range, is_large, kernel, n_blocks, prefetch_item, prefetch_row

__all__ = ["residual", "residual_pair", "add_sample", "full_gradient", "objective",
           "objective_strided", "watched", "watched_stride", "WATCHED_ROWS", "scan_rows",
           "full_gradient_blocked", "objective_blocked", "scan_rows_blocked", "scan",
           "objective_value", "predict", "predict_blocked",
           "mean_and_variance", "mean_square", "hessian", "top_eigenvalue", "power_iteration",
           "max_row_sq_norm", "l_max", "variance", "least_squares", "objective_on_grid",
           "loss_scale", "CHUNK"]

#: Rows per chunk of the statistics of X computed in Python: they never allocate more than
#: this many values per column.
CHUNK = 8192
#: :func:`objective_strided` asks for the sampled row this many samples ahead of its use.
WATCHED_AHEAD = 12
#: Power iterations of :func:`top_eigenvalue` at most.
POWER_ITERATIONS = 100
#: :func:`least_squares` scales the columns of ``[1, X]`` to a largest magnitude of 1 when their
#: magnitudes differ by more than this factor (``lstsq`` would otherwise drop the small ones).
EQUILIBRATE_RATIO = 1e8


# --- compiled: residuals, gradient, objective ----------------------------------------------
@kernel(inline=True)
def residual(X, y, i, z):
    """``r_i = z[0] + X[i] . z[1:] - y[i]``.

    The dot product runs in four lanes (columns ``j mod 4``, the first lane starting from
    ``z[0] - y[i]``), added ``(l0 + l1) + (l2 + l3)``: a fixed order, so the same inputs give
    the same bits, with four independent chains instead of one that waits for each addition.
    A row of fewer than four columns is one chain, summed in order and returned as it is
    (adding the empty lanes' zeros would only wait, and change the sign of a zero residual;
    the test comes after the lanes: before them it slowed 32-column rows by 10%, measured).
    """
    d = X.shape[1]
    d4 = d - d % 4
    r0 = z[0] - y[i]
    r1 = 0.0
    r2 = 0.0
    r3 = 0.0
    for j in range(0, d4, 4):
        r0 += X[i, j] * z[j + 1]
        r1 += X[i, j + 1] * z[j + 2]
        r2 += X[i, j + 2] * z[j + 3]
        r3 += X[i, j + 3] * z[j + 4]
    for j in range(d4, d):
        r0 += X[i, j] * z[j + 1]
    if d4 == 0:  # fewer than four columns: the other lanes hold zeros, adding them would wait
        return r0
    return (r0 + r1) + (r2 + r3)


@kernel(inline=True)
def residual_pair(X, y, i, a, b):
    """``(r_i(a), r_i(b))`` in one pass over row ``i`` (each summed in the lanes and the order
    of :func:`residual`, so bit-identical to it but for the sign of a zero residual: the lanes
    of a row of fewer than four columns are added here, which costs two additions per pair
    and, measured, less than returning early, which slows the rows of 32 columns by 10%)."""
    d = X.shape[1]
    d4 = d - d % 4
    yi = y[i]
    a0 = a[0] - yi
    b0 = b[0] - yi
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    b1 = 0.0
    b2 = 0.0
    b3 = 0.0
    for j in range(0, d4, 4):
        x0 = X[i, j]
        x1 = X[i, j + 1]
        x2 = X[i, j + 2]
        x3 = X[i, j + 3]
        a0 += x0 * a[j + 1]
        a1 += x1 * a[j + 2]
        a2 += x2 * a[j + 3]
        a3 += x3 * a[j + 4]
        b0 += x0 * b[j + 1]
        b1 += x1 * b[j + 2]
        b2 += x2 * b[j + 3]
        b3 += x3 * b[j + 4]
    for j in range(d4, d):
        a0 += X[i, j] * a[j + 1]
        b0 += X[i, j] * b[j + 1]
    return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)


@kernel(inline=True)
def _gradient_rows(X, y, z, g, lo, hi):
    """Add ``sum_{lo <= i < hi} r_i (1, X[i])`` to ``g``; return ``sum r_i^2`` over those rows.

    Inlined at numba's level into :func:`full_gradient` (all the rows) and into each block of
    :func:`full_gradient_blocked`, so that the pass is the body of the kernel the drivers call:
    as a kernel of its own, linked into every caller's module, it ran 10 to 15 % slower at
    10_000 x 3 depending on which module's copy of it the process had loaded first.

    Rows go four at a time: their four residuals are independent sums (each in the column order
    of :func:`residual`, so bit-identical to it) that the CPU overlaps, and each coordinate of
    the gradient then adds the four rows' terms in the data order (the same sums as one row at
    a time). Each row is read once, while it is in cache.
    """
    d = X.shape[1]
    loss = 0.0
    b = z[0]
    i = lo
    while i + 4 <= hi:
        r0 = b - y[i]
        r1 = b - y[i + 1]
        r2 = b - y[i + 2]
        r3 = b - y[i + 3]
        for j in range(d):
            zj = z[j + 1]
            r0 += X[i, j] * zj
            r1 += X[i + 1, j] * zj
            r2 += X[i + 2, j] * zj
            r3 += X[i + 3, j] * zj
        loss += r0 * r0
        loss += r1 * r1
        loss += r2 * r2
        loss += r3 * r3
        g[0] += r0
        g[0] += r1
        g[0] += r2
        g[0] += r3
        for j in range(d):
            gj = g[j + 1]
            gj += r0 * X[i, j]
            gj += r1 * X[i + 1, j]
            gj += r2 * X[i + 2, j]
            gj += r3 * X[i + 3, j]
            g[j + 1] = gj
        i += 4
    while i < hi:
        r = residual(X, y, i, z)
        loss += r * r
        g[0] += r
        for j in range(d):
            g[j + 1] += r * X[i, j]
        i += 1
    return loss


@kernel(inline=True)
def _gradient_block(X, y, z, parts, b):
    """Block ``b``'s partial sums into ``parts[b]``: the gradient's, then the loss's."""
    lo, hi = block_range(X.shape[0], b)
    row = parts[b]
    for j in range(row.shape[0]):
        row[j] = 0.0
    row[z.shape[0]] = _gradient_rows(X, y, z, row, lo, hi)


@kernel(parallel=True)
def _gradient_blocks(X, y, z, g):
    """``g = sum_i r_i (1, X[i])`` (``g`` zero on entry) and ``sum_i r_i^2`` over blocks of rows
    on numba's threads, added in block order."""
    n = X.shape[0]
    nb = n_blocks(n)
    p = z.shape[0]
    parts = np.empty((nb, p + 1 + (-(p + 1)) % 8))  # rows of whole cache lines
    for b in prange(nb):
        _gradient_block(X, y, z, parts, b)
    loss = 0.0
    for b in range(nb):
        for j in range(p):
            g[j] += parts[b, j]
        loss += parts[b, p]
    return loss


@kernel
def full_gradient(X, y, z, g):
    """Write ``grad f(z) = (1/n) sum_i r_i (1, X[i])`` into ``g`` in one pass over ``X``.

    Returns the objective ``f(z) = (1/2n) sum_i r_i^2`` at the same point (free).

    One loop over the rows (:func:`_gradient_rows`: four rows at a time, each row read once),
    at about the speed of ``X.sum()`` on large data; :func:`full_gradient_blocked` is the same
    on every core.
    """
    n = X.shape[0]
    for j in range(z.shape[0]):
        g[j] = 0.0
    loss = _gradient_rows(X, y, z, g, 0, n)
    for j in range(z.shape[0]):
        g[j] /= n
    return 0.5 * loss / n


@kernel
def full_gradient_blocked(X, y, z, g):
    """:func:`full_gradient` with the rows in blocks of :data:`~graddescent._jit.BLOCK_ROWS`,
    each block's sums on their own, on numba's threads, added in block order: the same bits
    whatever the number of threads (not those of :func:`full_gradient`: another order)."""
    n = X.shape[0]
    for j in range(z.shape[0]):
        g[j] = 0.0
    loss = _gradient_blocks(X, y, z, g)
    for j in range(z.shape[0]):
        g[j] /= n
    return 0.5 * loss / n


@kernel(inline=True)
def _loss_rows(X, y, z, lo, hi):
    """``sum_{lo <= i < hi} r_i^2``, rows four at a time as in :func:`_gradient_rows` (the same
    sum, in the same order)."""
    d = X.shape[1]
    loss = 0.0
    b = z[0]
    i = lo
    while i + 4 <= hi:
        r0 = b - y[i]
        r1 = b - y[i + 1]
        r2 = b - y[i + 2]
        r3 = b - y[i + 3]
        for j in range(d):
            zj = z[j + 1]
            r0 += X[i, j] * zj
            r1 += X[i + 1, j] * zj
            r2 += X[i + 2, j] * zj
            r3 += X[i + 3, j] * zj
        loss += r0 * r0
        loss += r1 * r1
        loss += r2 * r2
        loss += r3 * r3
        i += 4
    while i < hi:
        r = residual(X, y, i, z)
        loss += r * r
        i += 1
    return loss


@kernel(parallel=True)
def _loss_blocks(X, y, z):
    """``sum_i r_i^2`` over blocks of rows (as :func:`_gradient_blocks`)."""
    n = X.shape[0]
    nb = n_blocks(n)
    parts = np.empty(nb)
    for b in prange(nb):
        lo, hi = block_range(n, b)
        parts[b] = _loss_rows(X, y, z, lo, hi)
    loss = 0.0
    for b in range(nb):
        loss += parts[b]
    return loss


@kernel
def objective(X, y, z):
    """``f(z) = (1/2n) sum_i r_i^2`` without allocating.

    Rows four at a time, as in :func:`full_gradient` (the same sum, in the same order).
    """
    n = X.shape[0]
    return 0.5 * _loss_rows(X, y, z, 0, n) / n


@kernel
def objective_blocked(X, y, z):
    """:func:`objective` in the blocks of :func:`full_gradient_blocked` (the same sum, in the
    same order), on numba's threads."""
    n = X.shape[0]
    return 0.5 * _loss_blocks(X, y, z) / n


def objective_value(X: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """``f(z)`` from Python: :func:`objective_blocked` for large ``X``
    (:func:`graddescent._jit.is_large`), else :func:`objective`."""
    return float((objective_blocked if is_large(X) else objective)(X, y, z))


@kernel(inline=True)
def add_sample(X, i, coef, g):
    """``g += coef * (1, X[i])``."""
    g[0] += coef
    for j in range(X.shape[1]):
        g[j + 1] += coef * X[i, j]


@kernel
def objective_strided(X, y, z, stride):
    """``f`` on the systematic subsample of rows ``0, stride, 2 stride, ...`` (their mean of
    ``r_i^2 / 2``): a fixed function of ``z`` that costs ``n / stride`` rows instead of ``n``."""
    n = X.shape[0]
    ahead = WATCHED_AHEAD * stride
    loss = 0.0
    count = 0
    for i in range(0, n, stride):
        if i + ahead < n:  # rows far apart: ask for each one ahead of use
            prefetch_row(X, i + ahead)
            prefetch_item(y, i + ahead)
        r = residual(X, y, i, z)
        loss += r * r
        count += 1
    return 0.5 * loss / count


@kernel(inline=True)
def _first_bad(X, i):
    """``i`` if row ``i`` holds a NaN or an infinite entry, else -1."""
    for j in range(X.shape[1]):
        if not np.isfinite(X[i, j]):
            return i
    return -1


#: The objective that divergence checks and stopping rules watch is evaluated on every row up
#: to this many rows, and above on a fixed systematic subsample of about this many.
WATCHED_ROWS = 4096


def watched_stride(n: int) -> int:
    """Every how many rows the watched objective is evaluated on ``n`` rows (1: every row)."""
    return 1 if n <= WATCHED_ROWS else -(-n // WATCHED_ROWS)


def watched(X: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """The watched objective: ``f(z)``, or above :data:`WATCHED_ROWS` rows ``f`` on every
    ``ceil(n / WATCHED_ROWS)``-th row (:func:`objective_strided`), a fixed function of ``z``
    that costs a small fraction of a pass over ``X``."""
    stride = watched_stride(X.shape[0])
    if isinstance(X, S.CSRRows):  # sparse rows: their nonzeros
        return float(S.objective_strided(X, y, z, stride))
    if stride == 1:
        return float(objective(X, y, z))
    return float(objective_strided(X, y, z, stride))


@kernel(inline=True)
def _scan_range(X, lo, hi):
    """:func:`scan_rows` on rows ``lo .. hi - 1`` (the max over the rows before the first bad
    one's group of four)."""
    d = X.shape[1]
    top = 0.0
    i = lo
    while i + 4 <= hi:
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        for j in range(d):
            s0 += X[i, j] * X[i, j]
            s1 += X[i + 1, j] * X[i + 1, j]
            s2 += X[i + 2, j] * X[i + 2, j]
            s3 += X[i + 3, j] * X[i + 3, j]
        if not np.isfinite(s0 + s1 + s2 + s3):
            for k in range(i, i + 4):
                if _first_bad(X, k) >= 0:
                    return top, k
        top = max(top, max(max(s0, s1), max(s2, s3)))
        i += 4
    while i < hi:
        sq = 0.0
        for j in range(d):
            sq += X[i, j] * X[i, j]
        if not np.isfinite(sq) and _first_bad(X, i) >= 0:
            return top, i
        top = max(top, sq)
        i += 1
    return top, -1


@kernel(parallel=True)
def _scan_blocks(X):
    """:func:`scan_rows` over blocks of rows on numba's threads, combined in block order."""
    n = X.shape[0]
    nb = n_blocks(n)
    tops = np.empty(nb)
    bads = np.empty(nb, np.int64)
    for b in prange(nb):
        lo, hi = block_range(n, b)
        tops[b], bads[b] = _scan_range(X, lo, hi)
    top = 0.0
    for b in range(nb):
        top = max(top, tops[b])
        if bads[b] >= 0:
            return top, bads[b]
    return top, -1


@kernel
def scan_rows(X):
    """One pass over ``X``: ``(max_i ||x_i||^2, first row with a NaN or an infinite entry)``
    (``-1`` when every entry is finite).

    Rows go four at a time, as in :func:`full_gradient` (four independent sums that the CPU
    overlaps), so the pass runs at about the speed of reading ``X``. A row whose squared norm
    overflows although every entry is finite is not reported; its norm is ``inf``.
    """
    return _scan_range(X, 0, X.shape[0])


@kernel
def scan_rows_blocked(X):
    """:func:`scan_rows` in blocks of rows on numba's threads (a maximum and a first row: the
    same result in any order)."""
    return _scan_blocks(X)


def scan(X: np.ndarray) -> tuple[float, int]:
    """:func:`scan_rows` from Python, :func:`scan_rows_blocked` for large ``X``."""
    return (scan_rows_blocked if is_large(X) else scan_rows)(X)


@kernel
def _predict_rows(X, coef, intercept, out, lo, hi):
    d = X.shape[1]
    d4 = d - d % 4
    for i in range(lo, hi):
        r0 = intercept
        r1 = 0.0
        r2 = 0.0
        r3 = 0.0
        for j in range(0, d4, 4):
            r0 += X[i, j] * coef[j]
            r1 += X[i, j + 1] * coef[j + 1]
            r2 += X[i, j + 2] * coef[j + 2]
            r3 += X[i, j + 3] * coef[j + 3]
        for j in range(d4, d):
            r0 += X[i, j] * coef[j]
        out[i] = (r0 + r1) + (r2 + r3)


@kernel(parallel=True)
def predict_blocked(X, coef, intercept, out):
    """``out = intercept + X @ coef``, each row's dot product in the four lanes of
    :func:`residual` (a fixed order per row: the same bits on any number of threads), the rows
    in blocks on numba's threads."""
    n = X.shape[0]
    for b in prange(n_blocks(n)):
        lo, hi = block_range(n, b)
        _predict_rows(X, coef, intercept, out, lo, hi)


def predict(X: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """``intercept + X @ coef`` for a float64 ``X`` of shape (n, d) and ``coef`` of length
    ``d``: for a large C-contiguous ``X`` :func:`predict_blocked` (on every core, the same bits
    on any number of threads), else BLAS."""
    coef = np.ascontiguousarray(coef, dtype=np.float64)
    if not (is_large(X) and X.flags.c_contiguous):
        return X @ coef + intercept
    out = np.empty(X.shape[0])
    predict_blocked(X, coef, float(intercept), out)
    return out


@kernel(inline=True)
def _lane_sum(y, shift, square):
    """``sum_i (y_i - shift)`` (``square``: of its squares) in four lanes, ``i mod 4``, added
    ``(l0 + l1) + (l2 + l3)``: a fixed order, four independent chains."""
    n = y.shape[0]
    n4 = n - n % 4
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for i in range(0, n4, 4):
        e0 = y[i] - shift
        e1 = y[i + 1] - shift
        e2 = y[i + 2] - shift
        e3 = y[i + 3] - shift
        if square:
            e0 *= e0
            e1 *= e1
            e2 *= e2
            e3 *= e3
        s0 += e0
        s1 += e1
        s2 += e2
        s3 += e3
    for i in range(n4, n):
        e = y[i] - shift
        s0 += e * e if square else e
    return (s0 + s1) + (s2 + s3)


@kernel
def mean_square(y):
    """``mean(y^2)`` in one pass over ``y`` (no BLAS call, no temporary)."""
    return _lane_sum(y, 0.0, True) / y.shape[0]


@kernel
def mean_and_variance(y):
    """``(mean(y), Var(y))`` in two passes over ``y``, without a temporary."""
    n = y.shape[0]
    mean = _lane_sum(y, 0.0, False) / n
    return mean, _lane_sum(y, mean, True) / n


# --- in Python, a chunk of rows at a time -------------------------------------------------------
def hessian(X: np.ndarray) -> np.ndarray:
    """``[1, X]^T [1, X] / n`` (intercept first), a chunk of rows at a time (no column of ones;
    sparse rows: ``X^T X`` from their nonzeros, then dense ``(d + 1) x (d + 1)``)."""
    X = S.csr_rows(X) if S.is_sparse(X) else X
    n, d = X.shape
    if isinstance(X, S.CSRRows):
        A = S.as_scipy(X)
        H = np.empty((d + 1, d + 1))
        H[0, 0] = 1.0
        H[1:, 1:] = (A.T @ A).toarray() / n
        total = np.empty(d)
        S.column_sums(X, np.ones(n), total)
        H[0, 1:] = H[1:, 0] = total / n
        return H
    H = np.empty((d + 1, d + 1))
    H[0, 0] = 1.0
    XtX = np.zeros((d, d))
    total = np.zeros(d)
    for i in range(0, n, CHUNK):
        chunk = X[i:i + CHUNK]
        XtX += chunk.T @ chunk
        total += chunk.sum(axis=0)
    H[1:, 1:] = XtX / n
    H[0, 1:] = H[1:, 0] = total / n
    return H


def max_row_sq_norm(X: np.ndarray) -> float:
    """``max_i ||x_i||^2`` (:func:`scan_rows`, the estimator's validation pass: the same bits
    whichever computes it; NaN when ``X`` holds a NaN or an infinity)."""
    X = S.csr_rows(X) if S.is_sparse(X) else X
    top, bad = (S.scan_rows if isinstance(X, S.CSRRows) else scan)(X)
    return math.nan if bad >= 0 else float(top)


def l_max(X: np.ndarray) -> float:
    """``L_max = max_i (1 + ||x_i||^2)``: the smoothness constant of a single row's gradient."""
    return 1.0 + max_row_sq_norm(X)


def top_eigenvalue(X: np.ndarray) -> float:
    """Largest eigenvalue ``L`` of ``[1, X]^T [1, X] / n`` by power iteration (at least 1).

    The Gram matrix is never formed (two products with ``X`` per iteration); see
    :func:`power_iteration`.
    """
    X = S.csr_rows(X) if S.is_sparse(X) else X
    n, d = X.shape
    if isinstance(X, S.CSRRows):  # sparse rows: two passes over the nonzeros per iteration
        r = np.empty(n)

        def apply(v: np.ndarray, w: np.ndarray) -> None:
            S.matvec(X, v[1:], r)
            r[:] += v[0]
            w[0] = r.sum() / n
            S.rmatvec(X, r, w[1:])
            w[1:] /= n

        return power_iteration(apply, d + 1)

    def apply(v: np.ndarray, w: np.ndarray) -> None:
        r = X @ v[1:] + v[0]
        w[0] = r.sum() / n
        w[1:] = X.T @ r / n

    return power_iteration(apply, d + 1)


def power_iteration(apply, p: int) -> float:
    """Largest eigenvalue (at least 1) of a symmetric positive semi-definite operator.

    ``apply(v, w)`` writes ``A v`` into ``w``. The start vector comes from a private seeded
    generator, so the estimate is a deterministic function of ``A``; it stops once the estimate
    changed by at most ``1e-6`` of itself, or after ``POWER_ITERATIONS`` iterations.
    """
    v = np.random.default_rng(0).standard_normal(p)
    v /= np.linalg.norm(v)
    w = np.empty(p)
    lam = 0.0
    for _ in range(POWER_ITERATIONS):
        apply(v, w)
        lam_new = float(v @ w)
        norm = float(np.linalg.norm(w))
        if norm == 0.0:
            break
        v = w / norm
        done = abs(lam_new - lam) <= 1e-6 * lam_new
        lam = lam_new
        if done:
            break
    return max(lam, 1.0)  # the intercept's direction alone gives 1


def variance(y: np.ndarray) -> float:
    """``Var(y)`` (two passes over ``y``, no temporary)."""
    return float(mean_and_variance(np.ascontiguousarray(y, dtype=np.float64))[1])


def loss_scale(y: np.ndarray) -> float:
    """``Var(y) / 2``, the objective of the best constant prediction (``1 - R^2`` is the
    objective in this unit); constant ``y`` falls back to ``mean(y^2) / 2``, or 1 when ``y`` is
    0."""
    var = variance(y)
    if var > 0:
        return 0.5 * var
    sq = float(mean_square(y))
    return 0.5 * sq if sq > 0 else 1.0


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The exact least-squares coefficients ``(b, w)``, intercept first (``numpy.linalg.lstsq``
    on ``[1, X]``: the minimum-norm solution when ``X`` is rank-deficient).

    When the columns' magnitudes differ by more than :data:`EQUILIBRATE_RATIO` (a column of
    1e100 next to the intercept's ones, or of 1e-100), ``lstsq`` runs on the columns scaled to a
    largest magnitude of 1 and the coefficients are scaled back, so that no column is taken
    for numerically zero.
    """
    A = np.column_stack([np.ones(X.shape[0]), X])
    with np.errstate(all="ignore"):
        peaks = np.max(np.abs(A), axis=0) if A.shape[0] else np.ones(A.shape[1])
    peaks[~(peaks > 0) | ~np.isfinite(peaks)] = 1.0
    if peaks.max() <= EQUILIBRATE_RATIO * peaks.min():
        return np.linalg.lstsq(A, y, rcond=None)[0]
    with np.errstate(over="ignore"):  # a coefficient beyond float64 (a 1e-320 column) is inf
        return np.linalg.lstsq(A / peaks, y, rcond=None)[0] / peaks


def objective_on_grid(x: np.ndarray, y: np.ndarray, B: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``f(b, w) = (1/2n) sum_i (b + w x_i - y_i)^2`` of a one-input problem on a grid of
    ``(b, w)`` values (any shape), from the sufficient statistics of ``(x, y)``."""
    mx, my = x.mean(), y.mean()
    mxx, mxy, myy = (x * x).mean(), (x * y).mean(), (y * y).mean()
    return 0.5 * (B * B + 2 * B * W * mx + W * W * mxx - 2 * B * my - 2 * W * mxy + myy)

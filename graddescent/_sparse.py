r"""Sparse rows: the compiled record of a CSR matrix and its row kernels.

A ``scipy.sparse`` CSR matrix reaches the kernels as it is: :func:`csr_rows` wraps its ``data``,
``indices`` and ``indptr`` arrays (the same objects, never copied nor written; int32 or int64
indices; a read-only ``data`` array is read as it is) in a :class:`CSRRows` record, whose
``shape`` is the matrix's. Only a CSC or COO matrix (or any other format) is converted, once, by
``tocsr()``, and ``data`` of another dtype than float64 is converted to float64 (a copy of
``data`` alone).

The kernels here read row ``i`` as its nonzeros ``data[k]`` at columns ``indices[k]`` for ``k``
in ``indptr[i]:indptr[i + 1]``: a row costs its nonzeros, whatever the number of columns, and
the full passes cost ``nnz(X)``. :func:`by_layout` makes a function that runs the dense kernel
on an array and the sparse one on a :class:`CSRRows` record, picked at compile time (as the rule
and problem records pick their kernels), so that the row access lives in one place
(:mod:`graddescent.problems.rows`) and the drivers never know the layout.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from ._jit import kernel, overload_inline, prefetch_item

__all__ = ["CSRRows", "is_sparse", "csr_rows", "as_scipy", "by_layout", "residual",
           "residual_pair", "add_data", "scale_into", "scan_rows", "matvec", "rmatvec",
           "prefetch_row", "prefetch_offsets", "column_sq_sums", "column_sums"]


class CSRRows(NamedTuple):
    """A CSR matrix as the kernels read it: ``data`` (float64), ``indices``, ``indptr`` (int32
    or int64) and ``shape`` ``(n_rows, n_columns)``, scipy's own arrays."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple


def is_sparse(X: Any) -> bool:
    """True for a ``scipy.sparse`` matrix or array, or a :class:`CSRRows` record."""
    if isinstance(X, CSRRows):
        return True
    if isinstance(X, np.ndarray):
        return False
    try:
        from scipy import sparse
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return False
    return sparse.issparse(X)


def csr_rows(X: Any) -> CSRRows:
    """``X`` (a scipy.sparse matrix or array, or a record) as a :class:`CSRRows` record.

    CSR with float64 data: its own arrays, no copy. Another format: converted once by
    ``tocsr()``; data of another real dtype: ``data`` converted to float64. Shapes and dtypes
    are checked here; values are not.
    """
    if isinstance(X, CSRRows):
        return X
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, of shape (n_samples, n_features); got a sparse "
                         f"array of shape {X.shape}.")
    if X.format != "csr":
        X = X.tocsr()
    data = X.data
    if data.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {data.dtype}.")
    if data.dtype != np.float64:
        data = data.astype(np.float64)
    indices, indptr = X.indices, X.indptr
    if indices.dtype != indptr.dtype or indices.dtype not in (np.int32, np.int64):
        dtype = np.int64 if np.int64 in (indices.dtype, indptr.dtype) else np.int32
        indices, indptr = indices.astype(dtype), indptr.astype(dtype)
    data, indices, indptr = (np.ascontiguousarray(a) for a in (data, indices, indptr))
    return CSRRows(data, indices, indptr, (int(X.shape[0]), int(X.shape[1])))


def as_scipy(X: CSRRows):
    """A ``scipy.sparse.csr_matrix`` over the record's arrays (no copy)."""
    from scipy import sparse

    m = sparse.csr_matrix(X.shape, dtype=np.float64)
    # set the arrays themselves: the constructor would narrow int64 indices (a copy)
    m.data, m.indices, m.indptr = X.data, X.indices, X.indptr
    return m


def by_layout(dense: Callable, sparse: Callable, *, at: int = 0, inline: bool = False
              ) -> Callable:
    """A function that runs ``sparse(*args)`` when argument ``at`` is a :class:`CSRRows` record
    and ``dense(*args)`` otherwise, the pick made at compile time in a kernel (only the kernel
    picked is compiled into the caller), at run time from Python. Both take the arguments of
    ``dense`` (the same names, in the same order)."""

    def call(*args):
        return (sparse if isinstance(args[at], CSRRows) else dense)(*args)

    if not numba.config.DISABLE_JIT:
        def typer(*args):
            chosen = sparse if isinstance(args[at], types.BaseNamedTuple) else dense
            return chosen.py_func

        typer.__signature__ = inspect.signature(dense.py_func)
        jit_options = {"nogil": True, "error_model": "numpy"}
        if inline:
            overload_inline(call, typer, jit_options)
        else:
            overload(call, jit_options=jit_options)(typer)
    call.__doc__ = (f"{dense.__name__} on a dense array, {sparse.__name__} on a CSR record, "
                    f"picked at compile time.")
    return call


# --- compiled: one row --------------------------------------------------------------------------
@kernel(inline=True)
def residual(X, y, i, z):
    """``r_i = z[0] + x_i . z[1:] - y[i]`` over row ``i``'s nonzeros, in their stored order."""
    r = z[0] - y[i]
    for k in range(X.indptr[i], X.indptr[i + 1]):
        r += X.data[k] * z[X.indices[k] + 1]
    return r


@kernel(inline=True)
def residual_pair(X, y, i, a, b):
    """``(r_i(a), r_i(b))`` in one pass over row ``i``'s nonzeros."""
    yi = y[i]
    ra = a[0] - yi
    rb = b[0] - yi
    for k in range(X.indptr[i], X.indptr[i + 1]):
        x = X.data[k]
        j = X.indices[k] + 1
        ra += x * a[j]
        rb += x * b[j]
    return ra, rb


@kernel(inline=True)
def add_data(X, i, coef, g):
    """``g[1:] += coef x_i`` over row ``i``'s nonzeros (``g[0]``, the intercept's, untouched)."""
    for k in range(X.indptr[i], X.indptr[i + 1]):
        g[X.indices[k] + 1] += coef * X.data[k]


@kernel(inline=True)
def scale_into(X, i, coef, g):
    """``g[1:] = coef x_i``: zeros, then row ``i``'s nonzeros (O(d): a dense vector)."""
    for j in range(1, g.shape[0]):
        g[j] = 0.0
    add_data(X, i, coef, g)


@kernel(inline=True)
def prefetch_row(X, i):
    """Ask for row ``i``'s nonzeros (every cache line of its values and of its columns) ahead
    of use; its offsets ``indptr[i:i + 2]`` should have been asked for earlier
    (:func:`prefetch_offsets`), or reading them here waits for memory."""
    lo = X.indptr[i]
    hi = X.indptr[i + 1]
    if hi > lo:
        for k in range(lo, hi, 64 // X.data.itemsize):
            prefetch_item(X.data, k)
        prefetch_item(X.data, hi - 1)  # the last line, when the row straddles one more
        for k in range(lo, hi, 64 // X.indices.itemsize):
            prefetch_item(X.indices, k)
        prefetch_item(X.indices, hi - 1)


@kernel(inline=True)
def prefetch_offsets(X, i):
    """Ask for row ``i``'s offsets ``indptr[i:i + 2]``: a row order visits them at random, so
    they are asked for a distance further ahead than the row's nonzeros."""
    prefetch_item(X.indptr, i)
    prefetch_item(X.indptr, i + 1)


# --- compiled: full passes ------------------------------------------------------------------
@kernel
def scan_rows(X):
    """One pass over the nonzeros: ``(max_i ||x_i||^2, first row with a NaN or an infinite
    entry)`` (``-1`` when every entry is finite), as :func:`graddescent.objective.scan_rows`."""
    top = 0.0
    for i in range(X.shape[0]):
        sq = 0.0
        for k in range(X.indptr[i], X.indptr[i + 1]):
            sq += X.data[k] * X.data[k]
        if not np.isfinite(sq):
            for k in range(X.indptr[i], X.indptr[i + 1]):
                if not np.isfinite(X.data[k]):
                    return top, i
        top = max(top, sq)
    return top, -1


@kernel
def matvec(X, v, out):
    """``out = X v`` over the nonzeros."""
    for i in range(X.shape[0]):
        s = 0.0
        for k in range(X.indptr[i], X.indptr[i + 1]):
            s += X.data[k] * v[X.indices[k]]
        out[i] = s


@kernel
def rmatvec(X, r, out):
    """``out = X^T r`` over the nonzeros."""
    for j in range(out.shape[0]):
        out[j] = 0.0
    for i in range(X.shape[0]):
        ri = r[i]
        for k in range(X.indptr[i], X.indptr[i + 1]):
            out[X.indices[k]] += X.data[k] * ri


@kernel
def row_sq_norms(X, out):
    """``out[i] = ||x_i||^2``."""
    for i in range(X.shape[0]):
        s = 0.0
        for k in range(X.indptr[i], X.indptr[i + 1]):
            s += X.data[k] * X.data[k]
        out[i] = s


@kernel
def column_sums(X, w, out):
    """``out[j] = sum_i w_i x_ij`` over the nonzeros."""
    for j in range(out.shape[0]):
        out[j] = 0.0
    for i in range(X.shape[0]):
        for k in range(X.indptr[i], X.indptr[i + 1]):
            out[X.indices[k]] += w[i] * X.data[k]


@kernel
def column_sq_sums(X, w, out):
    """``out[j] = sum_i w_i x_ij^2`` over the nonzeros."""
    for j in range(out.shape[0]):
        out[j] = 0.0
    for i in range(X.shape[0]):
        for k in range(X.indptr[i], X.indptr[i + 1]):
            out[X.indices[k]] += w[i] * X.data[k] * X.data[k]


@kernel
def objective_strided(X, y, z, stride):
    """Least squares ``(1/2m) sum r_i^2`` on the rows ``0, stride, 2 stride, ...`` (``m`` of
    them) over their nonzeros."""
    loss = 0.0
    count = 0
    for i in range(0, X.shape[0], stride):
        r = residual(X, y, i, z)
        loss += r * r
        count += 1
    return 0.5 * loss / count


@kernel(inline=True)
def dot(X, i, v):
    """``x_i . v[1:]`` over row ``i``'s nonzeros (``v[0]``, the intercept's, left out)."""
    s = 0.0
    for k in range(X.indptr[i], X.indptr[i + 1]):
        s += X.data[k] * v[X.indices[k] + 1]
    return s

"""Full passes over the rows of large data: fixed row blocks, summed in block order, on numba's
threads.

A pass over all the rows (full gradients, objectives, the validation scan, predictions) of a
large ``X`` cuts the rows into blocks of :data:`BLOCK_ROWS`, computes each block's partial sums
on its own (``numba.prange`` over the blocks, on numba's threads) and adds them in block order.
The blocks do not depend on the number of threads, so the same data give the same bits on 1, 2
or 64 threads.

Which pass runs is chosen in Python, from the size of ``X`` (:func:`is_large`), never in
compiled code: numba compiles every function a kernel may call, and a parallel kernel costs
several times the compile of a sequential one (measured: the least-squares gradient's first
compile 0.98 -> 4.74 s CPU), so data below the cut-over never compile one. Below it, every pass
is the one sequential loop over the rows (the bits of a loop over all rows).
"""

from __future__ import annotations

import os

from .compile import kernel

__all__ = ["BLOCK_ROWS", "PARALLEL_MIN_VALUES", "n_blocks", "block_range", "is_large"]

#: Rows per block of a full pass (fixed: the partial sums, hence the bits, depend on it only).
BLOCK_ROWS = 8192
#: A full pass over ``X`` runs in blocks on numba's threads from this many values of ``X``
#: (rows times columns: 8 MB, about half a millisecond on one core). The blocks pay from two of
#: them (``benchmarks.run``'s cut-over rows); the cut-over sits above that so that smaller data
#: never pay a parallel kernel's compile. The environment variable
#: ``GRADDESCENT_PARALLEL_MIN_VALUES`` sets it at import; :func:`graddescent.threads.cutover`
#: within a ``with`` block.
PARALLEL_MIN_VALUES = int(os.environ.get("GRADDESCENT_PARALLEL_MIN_VALUES", 1 << 20))


def is_large(X) -> bool:
    """Whether a full pass over the dense array ``X`` runs in blocks on numba's threads."""
    shape = getattr(X, "shape", ())
    if len(shape) != 2:
        return False
    return shape[0] * max(shape[1], 1) >= PARALLEL_MIN_VALUES


@kernel(inline=True)
def n_blocks(n):
    """Blocks of :data:`BLOCK_ROWS` rows covering ``n`` rows (at least 1)."""
    return max((n + BLOCK_ROWS - 1) // BLOCK_ROWS, 1)


@kernel(inline=True)
def block_range(n, b):
    """``(first row, end row)`` of block ``b`` of ``n`` rows."""
    lo = b * BLOCK_ROWS
    return lo, min(lo + BLOCK_ROWS, n)

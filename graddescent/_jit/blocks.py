"""Full passes over the rows: fixed row blocks, summed in block order, on numba's threads.

Every pass over all the rows (full gradients, objectives, the validation scan, predictions)
cuts the rows into blocks of BLOCK_ROWS, computes each block's partial sums on its own (in
parallel: ``numba.prange`` over the blocks) and adds them in block order. The blocks do not
depend on the number of threads, so the same data give the same bits on 1, 2 or 64 threads;
data of at most one block are summed exactly as one sequential loop. Threads follow numba's
conventions (``NUMBA_NUM_THREADS``, ``numba.set_num_threads``, which is per calling thread;
see :mod:`graddescent.threads`).
"""

from __future__ import annotations

import os

from .compile import kernel

__all__ = ["BLOCK_ROWS", "PARALLEL_MIN_VALUES", "n_blocks", "block_range", "use_threads"]

#: Rows per block of a full pass (fixed: the partial sums, hence the bits, depend on it only).
BLOCK_ROWS = 8192
#: A full pass runs its blocks on several threads from this many values of ``X`` (rows times
#: columns: 8 MB, half a millisecond on one core); below, waking the threads costs more than
#: they save, and the blocks run in turn, with the same sums.
PARALLEL_MIN_VALUES = 1 << 20

# numba's OpenMP layer (its default where TBB is absent): GNU OpenMP's threads spin while they
# wait for work, which on a machine busier than its cores (a shared server, a CI runner) turned
# a 0.1 ms pass into 40 ms (measured: a 2-core machine with a load of 9, each region waiting a
# time slice for a spinning thread). Sleeping waiters cost microseconds per pass instead. Only
# a default: a user's OMP_WAIT_POLICY wins, and it applies only if OpenMP loads after this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@kernel(inline=True)
def n_blocks(n):
    """Blocks of :data:`BLOCK_ROWS` rows covering ``n`` rows (at least 1)."""
    return max((n + BLOCK_ROWS - 1) // BLOCK_ROWS, 1)


@kernel(inline=True)
def block_range(n, b):
    """``(first row, end row)`` of block ``b`` of ``n`` rows."""
    lo = b * BLOCK_ROWS
    return lo, min(lo + BLOCK_ROWS, n)


@kernel(inline=True)
def use_threads(n, d):
    """Whether a pass over ``n`` rows of ``d`` values runs its blocks on several threads."""
    return n > BLOCK_ROWS and n * max(d, 1) >= PARALLEL_MIN_VALUES

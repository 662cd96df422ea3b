"""Compiled code of the engine: one module per job.

:mod:`~graddescent._jit.compile` (the kernel decorator, the compile-time choice, status codes),
:mod:`~graddescent._jit.collector` (the garbage collector paused while numba compiles),
:mod:`~graddescent._jit.cache` (the on-disk cache and its key), :mod:`~graddescent._jit.prefetch`
(prefetch intrinsics), :mod:`~graddescent._jit.random` (NumPy-compatible draws and shuffle) and
:mod:`~graddescent._jit.blocks` (full passes in fixed row blocks, on numba's threads);
their names are served from here.

Every kernel of the engine (:mod:`graddescent.objective`, the rule modules of
:mod:`graddescent.rules`, the problem modules of :mod:`graddescent.problems`, the driver modules
of :mod:`graddescent.drivers`) is a module-level
function decorated with :func:`kernel`: ``numba.njit`` with the options below and an on-disk
cache beside the package. With ``NUMBA_DISABLE_JIT=1`` the very same code runs as plain
Python, which is how the test suite checks it against independent references.

Options. ``nogil``: fits may run in threads. ``error_model="numpy"``: a float division by zero
gives inf/NaN (caught as :data:`DIVERGED`) instead of raising, which spares a branch per division
and lets the compiler vectorize the per-coordinate loops of the rules. ``_nrt=False``: no
reference counting, as no kernel allocates (numba's own option; skipped if a numba version lacks
it, at the cost of speed only), but for the full passes over large data, which allocate their
blocks' partial sums and run on numba's threads (:mod:`~graddescent._jit.blocks`).

Cache. numba keys a cached function on its own source file only, but a driver kernel inlines the
rule's step from another module: editing ``rules/adam.py`` would leave a stale driver kernel in
the cache. :class:`~graddescent._jit.cache.EngineCache` adds a hash of the sources of every
engine module to the key, so any edit of the engine recompiles what depends on it (installed
copies never change, so users always hit the cache).
"""

from __future__ import annotations

from .blocks import BLOCK_ROWS, block_range, is_large, n_blocks
from .compile import DIVERGED, OK, choose, kernel, on_first_compile, overload_inline
from .prefetch import PREFETCH_BYTES, prefetch_distance, prefetch_item, prefetch_row
from .random import (
    INTEGERS_MAX,
    bit_generator_pointers,
    integers_into,
    next_uint32,
    permutation_into,
    random_interval,
    shuffle,
)

__all__ = ["kernel", "choose", "overload_inline", "OK", "DIVERGED", "prefetch_row", "prefetch_item",
           "prefetch_distance", "PREFETCH_BYTES", "bit_generator_pointers", "next_uint32",
           "random_interval", "shuffle", "permutation_into", "integers_into", "INTEGERS_MAX",
           "BLOCK_ROWS",
           "n_blocks", "block_range", "is_large", "on_first_compile"]

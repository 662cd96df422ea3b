"""How many threads the full passes use: numba's own setting, an ``n_jobs``, threadpoolctl.

Every pass over all the rows of a large ``X`` (full gradients, snapshot gradients, objectives,
the validation scan, predictions) runs fixed blocks of rows on numba's threads, added in block
order; its result does not depend on their number. ``X`` is large from
:func:`parallel_min_values` values (rows times columns; ``2**20`` unless the environment
variable ``GRADDESCENT_PARALLEL_MIN_VALUES`` says otherwise at import, or :func:`cutover`
within a ``with`` block); below, every pass is one sequential loop, and no parallel kernel is
compiled. The number of threads is numba's:
``NUMBA_NUM_THREADS`` (default: every core) at most, lowered for the calling thread by
``numba.set_num_threads(k)``, by :func:`limit` (``n_jobs`` as scikit-learn and joblib count
it), or by ``threadpoolctl.threadpool_limits(k)`` once this module is imported (it registers a
threadpoolctl controller for numba's thread pool, found once numba has started it). The
single-row loops of the sampled methods are sequential whatever the setting.

Examples
--------
>>> import numpy as np
>>> from graddescent import drivers, rules, threads
>>> X = np.array([[0.5], [-1.0], [1.5], [2.0]]); y = np.array([1.0, -0.5, 2.0, 3.5])
>>> with threads.limit(1):
...     theta = drivers.optimize(X, y, rules.plain(0.1), drivers.FullBatch(), np.zeros(2), 1,
...                              np.random.default_rng(0))
>>> theta
array([0.15 , 0.275])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numba

from ._jit import blocks

__all__ = ["resolve", "limit", "current", "available", "parallel_min_values", "cutover"]


def available() -> int:
    """The most threads numba may use (``NUMBA_NUM_THREADS``, default: the number of cores)."""
    return int(numba.config.NUMBA_NUM_THREADS)


def current() -> int:
    """The threads the calling thread's full passes use now (``numba.get_num_threads()``)."""
    return int(numba.get_num_threads())


def resolve(n_jobs: int | None) -> int:
    """Threads for ``n_jobs`` as joblib counts them: None keeps the current setting, ``k >= 1``
    means ``k`` (at most :func:`available`), ``-1`` every thread, ``-2`` all but one, ...

    Raises
    ------
    ValueError
        For 0, a non-integer or a negative count beyond the available threads.
    """
    if n_jobs is None:
        return current()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) and not hasattr(n_jobs,
                                                                             "__index__"):
        raise ValueError(f"n_jobs must be an integer or None, got {n_jobs!r}.")
    k = int(n_jobs)
    top = available()
    if k == 0 or k < -top:
        raise ValueError(f"n_jobs must be None, a positive integer or -1 .. -{top} (-1: every "
                         f"one of the {top} threads), got {n_jobs!r}.")
    return min(k, top) if k > 0 else top + 1 + k


@contextlib.contextmanager
def limit(n_jobs: int | None) -> Iterator[int]:
    """Within the ``with`` block, the calling thread's full passes use :func:`resolve`\\
    ``(n_jobs)`` threads (numba's per-thread setting, restored after); yields that number."""
    k = resolve(n_jobs)
    before = current()
    numba.set_num_threads(k)
    try:
        yield k
    finally:
        numba.set_num_threads(before)


def parallel_min_values() -> int:
    """The values of ``X`` (rows times columns) from which its full passes run in row blocks on
    numba's threads."""
    return int(blocks.PARALLEL_MIN_VALUES)


@contextlib.contextmanager
def cutover(values: int) -> Iterator[int]:
    """Within the ``with`` block, ``X`` of at least ``values`` values (rows times columns) is
    large: its full passes run in row blocks on numba's threads (process-wide; for tests and
    measurements). Yields ``values``."""
    if isinstance(values, bool) or not isinstance(values, int) or values < 1:
        raise ValueError(f"values must be a positive integer, got {values!r}.")
    before = blocks.PARALLEL_MIN_VALUES
    blocks.PARALLEL_MIN_VALUES = values
    try:
        yield values
    finally:
        blocks.PARALLEL_MIN_VALUES = before


def _register_threadpoolctl() -> None:
    """Let ``threadpoolctl`` see and limit numba's pool (its libraries: omppool, tbbpool,
    workqueue), through numba's per-thread setting, as threadpoolctl limits per process."""
    try:
        from threadpoolctl import LibController, register
    except ImportError:  # threadpoolctl < 3.5 or absent: numba's own setting still works
        return

    class NumbaController(LibController):
        user_api = "numba"
        internal_api = "numba"
        filename_prefixes = ("omppool", "tbbpool", "workqueue")

        def get_num_threads(self):
            return current()

        def set_num_threads(self, num_threads):
            numba.set_num_threads(max(1, min(int(num_threads), available())))

        def get_version(self):
            return numba.__version__

    register(NumbaController)


_register_threadpoolctl()

"""Compiling a run's kernels on every core before it starts, when numba's cache is cold.

A comparison runs many methods, each needing kernels of its own; on an empty numba cache their
compilation (one core, tens of seconds) is most of a first run's time, while the fits
themselves take seconds. Compiling is independent per method, and numba's on-disk cache is
shared by processes: so :func:`compile_ahead` runs the first warm-up in this process, and only
if that compiled something (the cache is cold, or stale after an upgrade) runs the other
warm-ups in worker processes at once, one per core, each writing what it compiled to the
cache; the run itself then loads every kernel from there. A warm cache costs nothing more than
the first warm-up. Results never depend on it: the same kernels are compiled either way, and a
kernel a worker missed is simply compiled by the run when it needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["compile_ahead"]


def _compiles(task: Callable[[], object]) -> bool:
    """Run ``task``; whether numba compiled anything meanwhile (not a load from its cache)."""
    from numba.core import event

    with event.install_recorder("numba:compile") as recorder:
        task()
    return bool(recorder.buffer)


def compile_ahead(tasks: Sequence[Callable[[], object]], n_jobs: int | None = None) -> int:
    """Run warm-up ``tasks`` (picklable callables that compile kernels by calling them), the
    first one here and, if it compiled, the others in up to ``n_jobs`` worker processes
    (None: one per core; 1: none).

    Returns how many tasks ran in workers (0 when the cache was warm, when there is one task
    or one job, or under ``NUMBA_DISABLE_JIT``).
    """
    import numba
    from joblib import Parallel, cpu_count, delayed

    if not tasks:
        return 0
    if numba.config.DISABLE_JIT:
        return 0
    cold = _compiles(tasks[0])
    rest = list(tasks[1:])
    jobs = min(len(rest), cpu_count() if n_jobs is None else n_jobs)
    if not cold or jobs < 2:
        return 0
    Parallel(n_jobs=jobs, backend="loky")(delayed(task)() for task in rest)
    return len(rest)

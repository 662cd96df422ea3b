"""Compiling a run's kernels on every core before it starts, when numba's cache is cold.

A comparison runs many methods, each needing kernels of its own; on an empty numba cache their
compilation (one core, tens of seconds) is most of a first run's time, while the fits
themselves take seconds. Compiling is independent per method, and numba's on-disk cache is
shared by processes: so :func:`compile_ahead` runs the warm-ups in worker processes, one per
core, each writing what it compiled to the cache; the run itself then loads every kernel from
there. Whether the cache is cold is known for sure only by running a warm-up: a run that has
compiled ahead before leaves a stamp beside the cache, named for the engine's sources and
numba's version (:func:`graddescent._jit.cache.cache_stamp`); without one every warm-up goes to
the workers at once, with one the first warm-up runs here and the workers start only if it
compiled (a cache emptied by hand, or a run with other methods). A warm cache costs nothing
more than the first warm-up. Results never depend on it: the same kernels are compiled either
way, and a kernel a worker missed is simply compiled by the run when it needs it.
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


def _call(task: Callable[[], object]) -> None:
    task()


def _run_in_workers(tasks: Sequence[Callable[[], object]], jobs: int) -> None:
    """Run ``tasks`` in ``jobs`` new worker processes, and let the workers go as soon as the
    last task is done: they exit while the run goes on, instead of at the interpreter's exit,
    which would wait for them (about a second)."""
    from joblib.externals.loky import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        for _ in pool.map(_call, tasks):
            pass
    except Exception:  # noqa: BLE001 - a task's error recurs in the run itself, in context,
        pass  # and a lost worker only leaves kernels for the run to compile
    finally:
        pool.shutdown(wait=False)


def _leave(stamp) -> None:
    try:
        stamp.touch()
    except OSError:  # a read-only cache folder: the next run tests the cache again
        pass


def compile_ahead(tasks: Sequence[Callable[[], object]], n_jobs: int | None = None,
                  stamp: str | None = None) -> int:
    """Run warm-up ``tasks`` (picklable callables that compile kernels by calling them) in up
    to ``n_jobs`` worker processes (None: one per core; 1: none) when the cache is cold.

    With a ``stamp`` name and no such stamp in the cache folder, every task runs in the
    workers at once and the stamp is left behind; otherwise the first task runs here and, if it
    compiled, the others in the workers. Returns how many tasks ran in workers (0 when the cache
    was warm, when there is one task or one job, or under ``NUMBA_DISABLE_JIT``).
    """
    import numba
    from joblib import cpu_count

    from ._jit.cache import cache_stamp

    if not tasks or numba.config.DISABLE_JIT:
        return 0
    cores = cpu_count() if n_jobs is None else n_jobs
    mark = cache_stamp(stamp) if stamp is not None else None
    if mark is not None and not mark.exists() and min(len(tasks), cores) >= 2:
        _run_in_workers(tasks, min(len(tasks), cores))
        _leave(mark)
        return len(tasks)
    cold = _compiles(tasks[0])
    rest = list(tasks[1:])
    jobs = min(len(rest), cores)
    if not cold or jobs < 2:
        return 0
    _run_in_workers(rest, jobs)
    if mark is not None:
        _leave(mark)
    return len(rest)

"""Compiling a comparison's kernels on every core first when numba's cache is cold."""

import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graddescent._compile_ahead import compile_ahead
from graddescent._jit import cache as engine_cache
from graddescent.compare import CompareSettings

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_to_run():
    assert compile_ahead([]) == 0


def test_a_warm_cache_runs_only_the_first_task():
    ran = []
    tasks = [lambda k=k: ran.append(k) for k in range(3)]
    # plain Python tasks compile nothing: as on a warm cache, the workers are not started
    assert compile_ahead(tasks, n_jobs=2) == 0
    assert ran == [0]


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="needs the compiler")
def test_without_a_stamp_every_task_goes_to_the_workers_at_once(tmp_path, monkeypatch):
    """No stamp of an earlier run: all the tasks run in the workers and the stamp is left;
    with the stamp, the first task runs here (compiling nothing, it starts no worker)."""
    monkeypatch.setattr(engine_cache, "cache_stamp", lambda name: tmp_path / f"{name}.stamp")
    tasks = [functools.partial(Path.write_text, tmp_path / f"ran{k}", "x") for k in range(3)]
    assert compile_ahead(tasks, n_jobs=2, stamp="compare") == 3
    assert sorted(p.name for p in tmp_path.glob("ran*")) == ["ran0", "ran1", "ran2"]
    assert (tmp_path / "compare.stamp").exists()
    for path in tmp_path.glob("ran*"):
        path.unlink()
    assert compile_ahead(tasks, n_jobs=2, stamp="compare") == 0
    assert [p.name for p in tmp_path.glob("ran*")] == ["ran0"]


def test_the_stamp_names_the_engine_and_numba():
    from numba import __version__

    stamp = engine_cache.cache_stamp("compare")
    assert stamp is None or (engine_cache.engine_source_hash()[:16] in stamp.name
                             and __version__ in stamp.name)


def test_compile_jobs_is_checked():
    with pytest.raises(ValueError, match="compile_jobs"):
        CompareSettings(compile_jobs=0)


_COLD_RUN = textwrap.dedent("""
    import json, time
    from numba.core import event
    from graddescent import compare as C

    ends = []
    ahead = C.compile_ahead

    def timed(tasks, n_jobs, **kwargs):
        n = ahead(tasks, n_jobs, **kwargs)
        ends.append((n, time.time()))
        return n

    C.compile_ahead = timed
    settings = dict(datasets=("diabetes",), methods=("sgd", "adam", "gd"), seeds=(1, 2))
    with event.install_recorder("numba:compile") as recorder:
        first = C.run_comparison(C.CompareSettings(compile_jobs=2, **settings)).results
    after = [e.data["dispatcher"].py_func.__name__ for t, e in recorder.buffer
             if t > ends[0][1] and e.is_start]
    again = C.run_comparison(C.CompareSettings(compile_jobs=1, **settings)).results
    keep = [c for c in first.columns if c != "seconds"]
    print(json.dumps({"in_workers": ends[0][0], "compiled_after": after,
                      "same": first[keep].equals(again[keep])}))
""")


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="needs the compiler")
def test_a_cold_cache_compiles_in_workers_and_the_run_loads_their_kernels(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", _COLD_RUN], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["in_workers"] == 3  # no stamp of an earlier run: every method in workers
    assert report["compiled_after"] == []  # the fits loaded every kernel from the cache
    assert report["same"]  # and their results do not depend on it

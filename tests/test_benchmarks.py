"""Smoke test: the documented benchmark command runs end to end at tiny sizes.

``python -m benchmarks.run --quick`` exercises every row of the full benchmark (scikit-learn
comparisons, time to a target objective, the bandwidth floor, the fresh-process memory probe,
the compile-time and import measurements) in a few seconds, so the script cannot rot.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from graddescent import rules

ROOT = Path(__file__).resolve().parents[1]

EXPECTED_KEYS = {"sgd_floor", "sgd_same", "sgd_default", "minibatch", "minibatch_floor",
                 "sag_target", "svrg_target", "sarah_target", "svrg_epoch", "sarah_epoch",
                 "gd_floor", "gd_numpy", "fit_same", "fit_default", "adam_fit_same",
                 "overhead", "overhead_default", "memory", "import", "compile",
                 "warm_first_fit", "import_first_fit", "sparse_sgd_l2", "sparse_saga_ridge",
                 "sparse_saga_lasso", "sparse_memory",
                 "sparse_step", "floor_allcore", "gd_allcore",
                 "svrg_allcore", "predict_allcore", "predict_blas"}
#: Every rule that runs on single rows has its row against the floor loop (the registry's).
RULE_KEYS = {("sgd" if s.name == "plain" else s.name) + "_floor"
             for s in rules.specs() if not s.full_batch_only}
#: Differences, which can be negative: of two timings (noise), and the default fit's test R^2
#: shortfall to SGDRegressor's (negative where ours is higher).
DIFFERENCES = {"overhead", "overhead_default", "default_r2", "default_r2_mbgd"}


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="benchmarks the compiled kernels")
def test_benchmark_quick_end_to_end(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--repeats", "1",
         "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    table = (tmp_path / "results.md").read_text()
    assert "| size n x d | case | measured | reference | ratio | goal | status |" in table
    assert table in proc.stdout  # the same table is printed

    with open(tmp_path / "results.csv", newline="") as f:
        records = list(csv.DictReader(f))
    keys = {r["key"] for r in records}
    assert EXPECTED_KEYS | RULE_KEYS <= keys, (EXPECTED_KEYS | RULE_KEYS) - keys
    several = numba.config.NUMBA_NUM_THREADS >= 2
    assert ("gd_scaling" in keys) == several
    assert ({"cutover", "cutover_found"} <= keys) == several
    for r in records:
        if r["key"] in ("sag_target", "svrg_target", "sarah_target", "sparse_saga_ridge",
                        "sparse_saga_lasso", "cutover_found") and not r["value"]:
            continue  # "not reached" (or no size where the blocks win) is legitimate
        assert r["key"] in DIFFERENCES or float(r["value"]) >= 0.0, r
        if r["reference_value"]:
            assert float(r["reference_value"]) > 0.0, r
    timed = [r for r in records if r["key"] in ("sgd_floor", "adam_floor", "svrg_epoch",
                                                "gd_floor")]
    assert all(float(r["value"]) > 0.0 for r in timed)


def test_mbgd_order_benchmark_runs(shared_dir, capsys):
    """``python -m benchmarks.mbgd_order`` at one split and one learn seed (its flip-flop runs
    are checked inside against ``learn(..., "MBGD")``)."""
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import mbgd_order
    finally:
        sys.path.remove(str(ROOT))
    assert mbgd_order.main(["--splits", "1", "--learn-seeds", "1",
                            "--data", str(shared_dir / "data")]) == 0
    table = capsys.readouterr().out
    for name in mbgd_order.DATASETS:
        assert f"| {name} | flipflop |" in table and f"| {name} | shuffle |" in table


def test_replay_benchmark_quick_end_to_end(tmp_path):
    """``python -m benchmarks.replay --quick``: every replay learner and ``learn`` timed against
    the main API, the processor named, the table printed and written."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.replay", "--quick", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = (tmp_path / "replay.md").read_text()
    assert text in proc.stdout
    assert "Processor: " in text and "load average" in text
    header = "| learner | max_iter | main API (s) | replay (s) | replay / main | goal | status |"
    assert header in text
    with open(tmp_path / "replay.csv", newline="") as f:
        records = list(csv.DictReader(f))
    from graddescent.r_replay import LEARNERS
    assert {(r["learner"], r["max_iter"]) for r in records} == {
        (name, str(k)) for name in [*LEARNERS, "learn"] for k in (5, 20)}
    for r in records:
        assert float(r["main_s"]) > 0 and float(r["replay_s"]) > 0, r
        assert float(r["ratio"]) == pytest.approx(float(r["replay_s"]) / float(r["main_s"]))
        assert r["status"] == ("met" if float(r["ratio"]) <= 10 else "missed")


def test_dask_ml_l2_with_the_mapped_c_is_our_ridge_on_standardised_data():
    # the distributed benchmark's L2 comparison: dask-ml's C = 1/(2 n alpha) solves our ridge
    # on standardised centred columns, and another problem on raw-scaled data
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask_ml")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.distributed import check_l2_mapping

    with dask.config.set(scheduler="synchronous"):
        distance, gap, raw = check_l2_mapping()
    assert distance <= 1e-6
    assert 0 <= gap <= 1e-10
    assert raw > 1e-2

"""Smoke test of the benchopt benchmark (benchmarks/benchopt) on a tiny configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("benchopt", reason="benchopt is not installed: pip install -e '.[benchopt]'")
pd = pytest.importorskip("pandas")

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "benchopt"


def test_benchopt_run_on_a_tiny_configuration(tmp_path):
    bench = tmp_path / "benchopt"
    shutil.copytree(BENCHMARK, bench, ignore=shutil.ignore_patterns("outputs", "__cache__"))
    argv = [sys.executable, "-m", "benchopt", "run", str(bench),
            "-d", "simulated[n_samples=200,n_features=5,rho=0.9]", "-d", "builtin[data=diabetes]",
            "-s", "graddescent[method=[gd,sagd],learning_rate=inverse_L]",
            "-s", "sklearn[estimator=[ridge_sag,sgd_constant]]",
            "-n", "4", "--timeout", "60", "--no-plot", "--no-display"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (result,) = (bench / "outputs").glob("*.parquet")
    df = pd.read_parquet(result)
    assert {"graddescent[learning_rate=inverse_L,method=gd]", "sklearn[estimator=ridge_sag]",
            "sklearn[estimator=sgd_constant]"} <= set(df["solver_name"])
    gd = df[df["solver_name"].str.contains("method=gd")]
    # GD with 1/L decreases the objective: the last recording is below the first
    assert gd["objective_value"].iloc[-1] < gd["objective_value"].iloc[0]
    assert (df["objective_relative_suboptimality"] >= 0).all()
    assert set(df["dataset_name"]) == {"simulated[n_features=5,n_samples=200,rho=0.9,seed=0]",
                                       "builtin[data=diabetes]"}

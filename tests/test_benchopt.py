"""Smoke test of the benchopt benchmark (benchmarks/benchopt) on a tiny configuration."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
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
            "-d", "sparse[data=generated,n_samples=300,n_features=20]",
            "-o", "*[penalty=least_squares,reg=0.0]", "-o", "*[penalty=lasso,reg=0.1]",
            "-s", "sklearn[estimator=[ridge_sag,sgd_constant,lasso_cd]]",
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
    assert set(df["dataset_name"]) == {
        "simulated[n_features=5,n_samples=200,rho=0.9,seed=0]", "builtin[data=diabetes]",
        "sparse[data=generated,n_features=20,n_samples=300]"}
    # the lasso: benchopt's lambda = reg * lambda_max; Lasso runs it, Ridge and SAG are skipped
    lasso = df[df["objective_name"].str.contains("penalty=lasso")]
    assert "sklearn[estimator=lasso_cd]" in set(lasso["solver_name"])
    assert not lasso["solver_name"].str.contains("ridge_sag|method=sagd").any()
    assert "sklearn[estimator=lasso_cd]" not in set(df["solver_name"][
        df["objective_name"].str.contains("least_squares")])
    # coordinate descent decreases the lasso objective (graddescent's scaling) on every set
    cd = lasso[lasso["solver_name"] == "sklearn[estimator=lasso_cd]"]
    for _, runs in cd.groupby("dataset_name"):
        assert runs["objective_value"].iloc[-1] < runs["objective_value"].iloc[0]
    assert "objective_support_size" in df


def _statuses(output: str) -> dict[tuple[str, str], str]:
    """``(objective, solver) -> "done" | "skip: <reason>" | other status`` from benchopt's
    terminal output (colours and progress lines removed)."""
    lines = [line.rstrip() for line in
             re.sub(r"\x1b\[[0-9;]*m", "", output).replace("\r", "\n").splitlines()]
    found: dict[tuple[str, str], str] = {}
    objective = None
    for i, line in enumerate(lines):
        head = re.fullmatch(r"  \|--(.+)", line)
        if head:
            objective = head.group(1).strip()
            continue
        status = re.fullmatch(r"    \|--(.+?): (done|skip|error|failed|diverged|timeout)\b.*",
                              line)
        if status is None:
            continue
        solver, word = status.groups()
        if word == "skip":
            reason = lines[i + 1].strip() if i + 1 < len(lines) else ""
            word = "skip: " + reason.removeprefix("Reason:").strip()
        found[(objective, solver)] = word
    return found


def test_every_solver_runs_or_skips_with_a_reason_on_sparse_data(tmp_path):
    """Every solver of the benchmark on its sparse data set (CSR), least squares and the lasso:
    it runs, or benchopt skips it with a reason. The JIT is off (the kernels' code run as
    Python, in benchopt's process): compiling every method's sparse kernels for both problems
    would cost minutes; the compiled sparse path is run by the test above."""
    bench = tmp_path / "benchopt"
    shutil.copytree(BENCHMARK, bench, ignore=shutil.ignore_patterns("outputs", "__cache__"))
    argv = [sys.executable, "-m", "benchopt", "run", str(bench),
            "-d", "sparse[data=generated,n_samples=100,n_features=10]",
            "-s", "graddescent", "-s", "sklearn",
            "-o", "*[penalty=least_squares,reg=0.0]", "-o", "*[penalty=lasso,reg=0.1]",
            "-n", "2", "--timeout", "60", "--no-plot", "--no-display"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env=dict(os.environ, NUMBA_DISABLE_JIT="1"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    statuses = _statuses(done.stdout)
    (result,) = (bench / "outputs").glob("*.parquet")
    df = pd.read_parquet(result)
    from graddescent import METHODS

    solvers = 2 * len(METHODS) + 5  # both learning rates of every method; 5 of scikit-learn
    assert len(statuses) == 2 * solvers, sorted(statuses)
    for (objective, solver), status in statuses.items():
        if status.startswith("skip"):
            assert len(status) > len("skip: ") + 10, (objective, solver, status)
        else:
            assert status == "done", (objective, solver, status)
            runs = df[(df["solver_name"] == solver)
                      & df["objective_name"].str.endswith(objective.split("[")[-1])]
            assert len(runs) and np.isfinite(runs["objective_value"]).all(), (objective,
                                                                                solver)
    ran = {k for k, v in statuses.items() if v == "done"}
    assert len(ran) == df.groupby(["objective_name", "solver_name"]).ngroups
    skipped = {k[1] for k, v in statuses.items() if v.startswith("skip")}
    assert "sklearn[estimator=ridge_saga]" in skipped  # no intercept on sparse data
    assert "graddescent[learning_rate=r,method=sagd]" in skipped  # no L1 part

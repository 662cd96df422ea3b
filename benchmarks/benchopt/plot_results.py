"""Draw a benchopt run of this benchmark: relative suboptimality against time, one line per
solver, one figure per objective (least squares, ridge or lasso at its reg) and data set (PNG),
from the run's parquet file.

Usage: ``python benchmarks/benchopt/plot_results.py [RESULT.parquet] [--out DIR]`` (default: the
newest file in ``benchmarks/benchopt/outputs``, figures beside it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

OUTPUTS = Path(__file__).resolve().parent / "outputs"


def _label(solver: str) -> str:
    return (solver.replace("graddescent[learning_rate=inverse_L,method=", "graddescent ")
            .replace("graddescent[learning_rate=r,method=", "graddescent (R's alpha) ")
            .replace("sklearn[estimator=", "sklearn ").rstrip("]"))


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    result = Path(args.result) if args.result else max(OUTPUTS.glob("*.parquet"),
                                                        key=lambda p: p.stat().st_mtime)
    out = Path(args.out) if args.out else result.parent
    out.mkdir(parents=True, exist_ok=True)
    df = pd.read_parquet(result)
    paths = []
    groups = df.groupby(["objective_name", "dataset_name"], sort=False)
    for k, ((objective, dataset), sub) in enumerate(groups):
        fig, ax = plt.subplots(figsize=(8.5, 5.2), layout="constrained")
        solvers = list(dict.fromkeys(sub["solver_name"]))
        cmap = plt.get_cmap("tab20" if len(solvers) > 10 else "tab10")
        for i, solver in enumerate(solvers):
            runs = sub[sub["solver_name"] == solver]
            curve = runs.groupby("stop_val")[["time", "objective_relative_suboptimality"]].median()
            gap = np.maximum(curve["objective_relative_suboptimality"].to_numpy(), 1e-16)
            style = "--" if solver.startswith("sklearn") else "-"
            ax.plot(curve["time"], gap, style, color=cmap(i % cmap.N), lw=1.6,
                    label=_label(solver))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time (s, benchopt's timing; numba compilation excluded by warm-up)")
        ax.set_ylabel("relative suboptimality (f - f*) / f*")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7.5, loc="lower left", ncol=2)
        # the objective's parameters (penalty, reg) as benchopt names them
        what = objective.split("[", 1)[1].rstrip("]") if "[" in objective else objective
        ax.set_title(f"benchopt: {what} on {dataset}", fontsize=10)
        path = out / f"benchopt_{k}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
        print(path)
    return paths


if __name__ == "__main__":
    main()

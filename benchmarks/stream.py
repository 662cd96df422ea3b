"""Streaming a file larger than the memory budget, against Dask and in-memory full-batch fits.

One command, from the repository root::

    python -m benchmarks.stream              # a 2 GB CSV file (16 million rows x 10 inputs)
    python -m benchmarks.stream --quick      # a 20 MB file, a few seconds
    python -m benchmarks.stream --out DIR    # where stream.md goes (default benchmarks/results)

The file is generated chunk by chunk in a temporary folder (deleted at the end, never
committed): ``X`` standard normal, ``y = 0.5 + X w + 0.1 noise``, the output last. Three
measurements, in rows processed per second (rows x passes / wall time):

* **streaming**: ``graddescent fit FILE --chunksize 100000 --epochs 1 --method sgd`` in a
  child process, whose peak resident memory (``ru_maxrss`` of the child) is reported and must
  stay under 400 MB; its time includes the statistics pass (2 passes over the file);
* **Dask full batch**: ``GDRegressor("gd", max_iter=20, tol=None, learning_rate=0.1).fit``
  on a chunked ``dask.array`` of the first 2 million rows, on an in-process ``LocalCluster``
  (one worker, two threads; 20 gradient reductions; the chunks of the streaming run);
* **in memory**: the same fit on those rows as a NumPy array.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python benchmarks/stream.py``
    sys.path.insert(0, str(ROOT))

from graddescent import GDRegressor  # noqa: E402

FULL = {"gigabytes": 2.0, "fit_rows": 2_000_000, "chunksize": 100_000}
QUICK = {"gigabytes": 0.02, "fit_rows": 50_000, "chunksize": 20_000}
INPUTS = 10
RSS_LIMIT_MB = 400.0


def chunk(rows: int, seed: int) -> np.ndarray:
    """``[X, y]`` for ``rows`` rows of the benchmark's problem (seeded per chunk)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, INPUTS))
    y = 0.5 + x @ np.linspace(-1.0, 1.0, INPUTS) + 0.1 * rng.standard_normal(rows)
    return np.column_stack([x, y])


def write_csv(path: Path, gigabytes: float, rows_per_chunk: int = 200_000) -> int:
    """Write chunks until the file has at least ``gigabytes``; return its rows."""
    columns = [f"x{j}" for j in range(INPUTS)] + ["y"]
    rows, seed = 0, 0
    with path.open("w") as fh:
        while rows == 0 or path.stat().st_size < gigabytes * 1e9:
            pd.DataFrame(chunk(rows_per_chunk, seed), columns=columns).to_csv(
                fh, index=False, header=rows == 0, float_format="%.8f")
            fh.flush()
            rows += rows_per_chunk
            seed += 1
    return rows


def stream(path: Path, chunksize: int) -> tuple[float, float]:
    """Run the streamed CLI fit in a child; return (seconds, its peak RSS in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graddescent", "fit", str(path), "--method", "sgd",
                    "--chunksize", str(chunksize), "--epochs", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak < before:  # pragma: no cover - ru_maxrss is a maximum over the children
        peak = before
    return seconds, peak / 1024.0  # kilobytes on Linux


def full_batch(rows: int, chunksize: int) -> tuple[float, float]:
    """Seconds of 20 full-batch gd steps on ``rows`` rows: (in memory, on Dask)."""
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    data = np.vstack([chunk(min(200_000, rows - s), 10_000 + s) for s in range(0, rows, 200_000)])
    X, y = data[:, :-1], data[:, -1]
    # a fixed rate: the time of 20 gradient passes (learning_rate="auto" adds the power
    # iteration on X in memory, and one pass for the Hessian on Dask)
    kw = {"max_iter": 20, "tol": None, "learning_rate": 0.1}
    GDRegressor("gd", **kw).fit(X, y)  # compile every kernel once (the timed fit is the second)
    start = time.perf_counter()
    GDRegressor("gd", **kw).fit(X, y)
    memory = time.perf_counter() - start
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        Xd = da.from_array(X, chunks=(chunksize, INPUTS))
        yd = da.from_array(y, chunks=chunksize)
        GDRegressor("gd", max_iter=1, tol=None).fit(Xd, yd)  # the chunk tasks' first run
        start = time.perf_counter()
        GDRegressor("gd", **kw).fit(Xd, yd)
        dask_s = time.perf_counter() - start
    return memory, dask_s


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and write ``stream.md``; exit 1 if the RSS goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 20 MB file")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        start = time.perf_counter()
        rows = write_csv(path, cfg["gigabytes"])
        size = path.stat().st_size / 1e9
        written = time.perf_counter() - start
        stream_s, rss = stream(path, cfg["chunksize"])
    memory_s, dask_s = full_batch(cfg["fit_rows"], cfg["chunksize"])
    fit_rows = cfg["fit_rows"]
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        f"File: {size:.2f} GB CSV, {rows} rows x {INPUTS} inputs (written in {written:.0f} s).",
        "",
        "| fit | rows | passes | seconds | rows/s | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
        f"| streaming `fit --chunksize {cfg['chunksize']} --epochs 1` (sgd) | {rows} | 2 | "
        f"{stream_s:.1f} | {2 * rows / stream_s:,.0f} | {rss:.0f} MB |",
        f"| Dask full batch (gd, 20 steps) | {fit_rows} | 20 | {dask_s:.2f} | "
        f"{20 * fit_rows / dask_s:,.0f} | |",
        f"| in memory full batch (gd, 20 steps) | {fit_rows} | 20 | {memory_s:.2f} | "
        f"{20 * fit_rows / memory_s:,.0f} | |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "stream.md").write_text(text)
    ok = rss < RSS_LIMIT_MB
    if not ok:
        print(f"peak RSS {rss:.0f} MB is above the {RSS_LIMIT_MB:.0f} MB goal", file=sys.stderr)
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of the R replay (:mod:`graddescent.r_replay`) against the main API, learner by learner.

One command, from the repository root::

    python -m benchmarks.replay             # 200_000 x 10, maxIter 100 and 1000
    python -m benchmarks.replay --quick     # tiny sizes, a few seconds (the smoke test runs it)
    python -m benchmarks.replay --out DIR   # where replay.md and replay.csv go

For every one of R's 14 learners, and for ``learn`` (variance scaling, then GD), the replay and
the main API (:mod:`graddescent.r_api`, the same R-style call) run on the same data with the same
settings: R's defaults, ``max_iter`` as given, ``seed=1`` (the replay's unseeded draws from
``RRandom(0)``). Each time is the median of ``--repeats`` calls measured one right after the
other in this run, after a warm-up call on small data (compilation excluded; the replay compiles
its kernels once, then loads them from numba's on-disk cache). Data: ``X`` standard normal
(200_000 rows, 10 inputs), ``y = 0.5 + X w + 0.1 noise``, the output as the last column.

Goal: every replay time at most 10x the main API's, at the full size. The table is
printed as Markdown and written to ``DIR/replay.md`` and ``DIR/replay.csv`` (default ``DIR``:
``benchmarks/results``); at the full size the command exits 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python benchmarks/replay.py``
    sys.path.insert(0, str(ROOT))

import graddescent  # noqa: E402
from graddescent import r_api, r_replay  # noqa: E402
from graddescent.r_replay import longdouble  # noqa: E402

FULL = {"rows": 200_000, "inputs": 10, "iterations": (100, 1000), "repeats": 3}
QUICK = {"rows": 2_000, "inputs": 10, "iterations": (5, 20), "repeats": 1}
GOAL = 10.0  # replay time / main API time, at most

LEARNERS = list(r_replay.LEARNERS)
COLUMNS = ["learner", "max_iter", "main_s", "replay_s", "ratio", "goal", "status"]


def make_data(rows: int, inputs: int, seed: int = 0) -> np.ndarray:
    """``[X, y]`` with ``X`` standard normal and ``y = 0.5 + X w + 0.1 noise``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, inputs))
    y = 0.5 + x @ np.linspace(-1.0, 1.0, inputs) + 0.1 * rng.standard_normal(rows)
    return np.column_stack([x, y])


def calls(name: str, data: np.ndarray, max_iter: int) -> tuple[Callable[[], object], ...]:
    """(main API call, replay call) of one learner, or of ``learn`` with GD."""
    if name == "learn":
        return (
            lambda: graddescent.learn(data, control={"max_iter": max_iter}, seed=1),
            lambda: r_replay.learn(data, control={"maxIter": max_iter}, seed=1,
                                   unseeded_rng=r_replay.RRandom(0)),
        )
    main, replay = getattr(r_api, name), r_replay.LEARNERS[name]
    return (
        lambda: main(data, max_iter=max_iter, seed=1),
        lambda: replay(data, max_iter=max_iter, seed=1, unseeded_rng=r_replay.RRandom(0)),
    )


def median_time(call: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(rows: int, inputs: int, iterations: tuple[int, ...], repeats: int) -> list[dict]:
    """One record per (learner, max_iter): both medians, their ratio and the goal's status."""
    data = make_data(rows, inputs)
    warm = make_data(64, inputs, seed=1)
    records = []
    for name in [*LEARNERS, "learn"]:
        for call in calls(name, warm, 3):  # compile, or load the compiled kernels
            call()
        for max_iter in iterations:
            main, replay = calls(name, data, max_iter)
            main_s = median_time(main, repeats)
            replay_s = median_time(replay, repeats)
            ratio = replay_s / main_s
            records.append({
                "learner": name, "max_iter": max_iter, "main_s": main_s, "replay_s": replay_s,
                "ratio": ratio, "goal": GOAL, "status": "met" if ratio <= GOAL else "missed",
            })
    return records


def processor() -> str:
    """The processor model (``/proc/cpuinfo``'s model name where there is one)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(command: str, rows: int, inputs: int, repeats: int) -> str:
    """Command, machine, load and what the replay's sums run on."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    sums = ("compiled x87 long double" if longdouble.available()
            else "NumPy longdouble blocks (no x87 here)")
    return (
        f"Command: `{command}`  \n"
        f"Processor: {processor()}, {os.cpu_count()} logical CPUs; load average {load} "
        f"(1, 5, 15 min) at the start; Python {platform.python_version()}, NumPy "
        f"{np.__version__}, numba {__import__('numba').__version__}.  \n"
        f"Data: {rows:_} x {inputs} (+ output); R's defaults, seed 1; medians of {repeats} "
        f"call(s). Replay sums: {sums}.\n"
    )


def table(records: list[dict]) -> str:
    """The Markdown table."""
    lines = [
        "| learner | max_iter | main API (s) | replay (s) | replay / main | goal | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['learner']} | {r['max_iter']} | {r['main_s']:.4g} | {r['replay_s']:.4g} | "
            f"{r['ratio']:.2f}x | <= {r['goal']:g}x | {r['status']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="folder for replay.md and replay.csv")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per case")
    args = parser.parse_args(argv)
    size = dict(QUICK if args.quick else FULL)
    if args.repeats is not None:
        size["repeats"] = args.repeats
    command = "python -m benchmarks.replay" + (" --quick" if args.quick else "")
    text = header(command, size["rows"], size["inputs"], size["repeats"])
    records = measure(size["rows"], size["inputs"], size["iterations"], size["repeats"])
    text += "\n" + table(records)
    print(text, end="")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "replay.md").write_text(text)
    with open(args.out / "replay.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    missed = [r for r in records if r["status"] != "met"]
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())

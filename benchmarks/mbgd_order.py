"""How close MBGD with R's defaults gets to least squares, by row order (flip-flop vs reshuffling).

One command, from the repository root (needs R's data sets in ``../shared/data``)::

    python -m benchmarks.mbgd_order                # split seeds 1-30, 11 learn seeds each
    python -m benchmarks.mbgd_order --splits 5 --learn-seeds 3

For every data set, split seed ``s`` (``split_data(data, 0.8, seed=s)``) and learn seed (``s``
itself and 100, 101, ...), the R workflow is run as :func:`graddescent.learn` runs MBGD (variance
scaling, ``theta0 = initial_theta``, alpha 0.1, two batches, 1000 steps, the generator made from
the learn seed), once per row order: ``"shuffle"`` (a fresh permutation every epoch) and
``"flipflop"`` (MBGD's order: a fresh permutation, then its reverse). Reported: the median, the
maximum and the share above 0.1% of the relative gap between the test RMSE and the test RMSE of
the least-squares fit on the same training rows. The flip-flop runs are checked to be
bit-identical to ``learn(..., learning_method="MBGD")``.
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import sys

import numpy as np
import pandas as pd

import graddescent as gd
from graddescent import drivers, rules
from graddescent.objective import least_squares
from graddescent.r_api import initial_theta

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = ["compressibility_factor", "gas_furnace", "mackey_glass_1000"]
SCHEMES = ["shuffle", "flipflop"]


def _ols_test_rmse(train: pd.DataFrame, test: pd.DataFrame) -> float:
    beta = least_squares(train.iloc[:, :-1].to_numpy(float), train.iloc[:, -1].to_numpy(float))
    return gd.rmse(test.iloc[:, -1], beta[0] + test.iloc[:, :-1].to_numpy(float) @ beta[1:])


def gaps(data: pd.DataFrame, split_seed: int, learn_seeds: list[int]) -> dict[str, list[float]]:
    """Relative test-RMSE gaps to OLS of MBGD (R's defaults) for each row order."""
    train, test = gd.split_data(data, 0.8, seed=split_seed)
    target = _ols_test_rmse(train, test)
    scaled, _ = gd.variance_scaling(train)
    X = np.ascontiguousarray(scaled.iloc[:, :-1].to_numpy(dtype=np.float64))
    y = scaled.iloc[:, -1].to_numpy(dtype=np.float64)
    out: dict[str, list[float]] = {scheme: [] for scheme in SCHEMES}
    for seed in learn_seeds:
        model = gd.learn(train, learning_method="MBGD", control={"max_iter": 1000}, seed=seed)
        for scheme in SCHEMES:
            driver = drivers.MiniBatch(batch_size=None, n_batch=2, scheme=scheme)
            opt = drivers.Optimizer(rules.plain(0.1), driver, initial_theta(X.shape[1] + 1, seed),
                                    X.shape[0])
            theta = opt.run(X, y, 1000, np.random.default_rng(seed)).copy()
            if scheme == "flipflop" and not np.array_equal(theta, model.model):
                raise AssertionError("the flip-flop run differs from learn(..., 'MBGD')")
            fitted = dataclasses.replace(model, model=theta)
            got = gd.rmse(test.iloc[:, -1], gd.predict(fitted, test)["prediction"])
            out[scheme].append(abs(got - target) / target)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, default=30, help="split seeds 1..SPLITS")
    parser.add_argument("--learn-seeds", type=int, default=11,
                        help="learn seeds per split: the split seed and 100, 101, ...")
    parser.add_argument("--data", type=pathlib.Path, default=SHARED,
                        help="folder with R's data sets (default ../shared/data)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"R's data sets not found in {args.data}: nothing to measure.", file=sys.stderr)
        return 2
    print(f"MBGD, R's defaults, max_iter 1000; split seeds 1-{args.splits}, "
          f"{args.learn_seeds} learn seeds each; test RMSE gap to OLS\n")
    print("| data set | order | median | max | share > 0.1% |")
    print("|---|---|---:|---:|---:|")
    for name in DATASETS:
        data = pd.read_csv(args.data / f"{name}.csv")
        found: dict[str, list[float]] = {scheme: [] for scheme in SCHEMES}
        for split in range(1, args.splits + 1):
            seeds = [split] + list(range(100, 100 + args.learn_seeds - 1))
            for scheme, values in gaps(data, split, seeds).items():
                found[scheme] += values
        for scheme in SCHEMES:
            g = np.array(found[scheme])
            print(f"| {name} | {scheme} | {np.median(g):.4%} | {g.max():.4%} | "
                  f"{(g > 1e-3).mean():.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

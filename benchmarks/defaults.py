"""GDRegressor with its defaults against SGDRegressor with its own: fit time and test R^2.

::

    python -m benchmarks.defaults            # the benchmark's sizes 10_000 x 3 and 100_000 x 8
    python -m benchmarks.defaults --big      # and 1_000_000 x 32

Data as in :mod:`benchmarks.run` (``X`` standard normal, ``y = 0.5 + X w + 0.1 noise``), 75 % of
the rows for training. Every single-row method and mbgd, with the defaults and with
``average=True``, each timed right after SGDRegressor on the same split (median of
``--repeats`` fits, after one fit that compiles the kernels). Prints a Markdown table and the
processor.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import train_test_split

from benchmarks.replay import processor
from graddescent import METHODS, GDRegressor

SIZES = [(10_000, 3), (100_000, 8)]


def _median_fit(make, X, y, repeats):
    times, est = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        est = make().fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), est


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = SIZES + ([(1_000_000, 32)] if args.big else [])
    methods = [m for m, spec in METHODS.items()
               if spec.make_driver().is_noisy(1000)]  # single-row rules and mbgd
    print(f"Processor: {processor()}; repeats {args.repeats}")
    print("| n x d | method | fit (s) | SGDRegressor fit (s) | time ratio | epochs | "
          "test R^2 | SGDRegressor test R^2 |")
    print("|---|---|---|---|---|---|---|---|")
    warnings.simplefilter("ignore")
    for n, d in sizes:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((n, d))
        y = 0.5 + X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
        Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
        for m in methods:
            for kw in ({}, {"average": True}):
                GDRegressor(method=m, max_iter=2, **kw).fit(Xtr[:200], ytr[:200])  # compile
                t_sk, sk = _median_fit(lambda: SGDRegressor(random_state=0), Xtr, ytr,
                                       args.repeats)
                t_gd, gd = _median_fit(
                    lambda m=m, kw=kw: GDRegressor(method=m, random_state=0, **kw), Xtr, ytr,
                    args.repeats)
                name = m + (", average=True" if kw else "")
                print(f"| {n:_} x {d} | {name} | {t_gd:.4f} | {t_sk:.4f} | {t_gd / t_sk:.2f}x | "
                      f"{gd.n_iter_} | {gd.score(Xte, yte):.6f} | {sk.score(Xte, yte):.6f} |",
                      flush=True)


if __name__ == "__main__":
    main()

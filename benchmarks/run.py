"""Speed and memory of graddescent's compiled engine, measured side by side with scikit-learn.

One command, from the repository root::

    python -m benchmarks.run              # sizes 10_000 x 3, 100_000 x 8, 1_000_000 x 32
    python -m benchmarks.run --quick      # tiny sizes, a few seconds (the smoke test runs it)
    python -m benchmarks.run --out DIR    # where results.md and results.csv go

(``python benchmarks/run.py`` works too; ``--repeats`` sets the number of timed runs.) The table
is printed as Markdown and written to ``DIR/results.md`` and ``DIR/results.csv`` (default
``DIR``: ``benchmarks/results``).

Every ratio divides two medians measured in the same run, on the same data, one right after the
other. The data are synthetic: ``X`` standard normal (C-contiguous float64), ``y = 0.5 + X w +
0.1 noise``. Our engine is timed through :class:`graddescent.drivers.Optimizer`, one epoch per
``run`` call (``driver.units_per_epoch(n)`` units, the drawing of the row order included), after
the kernels were compiled (compilation is measured on its own, in fresh processes).

Rows, for each size ``n x d``:

* single-row SGD (plain) and momentum, Adagrad, Adadelta, RMSprop, Adam (one row per step):
  seconds per epoch against ``SGDRegressor(max_iter=5, tol=None)``'s fit time / 5;
* mini-batch 32 (plain), against the same SGDRegressor epoch;
* SAG: time to reach the objective value that ``Ridge(alpha=0, solver="sag")`` reaches,
  against the time of that Ridge fit (step ``1 / L_max`` for both);
* SAGA with the L2 penalty (``alpha = 0.01``, scikit-learn's scaling): time to reach the
  objective ``Ridge(alpha=n * 0.01, solver="saga")`` reaches, against that fit's time; SAGA with
  the L1 penalty: time to ``Lasso(alpha=0.01)``'s objective to 1e-6 relative, against its fit;
* SVRG (option 1) and SARAH, ``inner_iter = n``: seconds per outer loop (its full gradient
  included) against the SGDRegressor epoch, and time to the Ridge-sag objective;
* full-batch GD: seconds per iteration (the whole loop runs in compiled code) against the
  memory-bandwidth floor (bytes of ``X`` read per iteration / the read bandwidth of
  ``X.sum()``) and against the same iteration written in NumPy (BLAS);
* the all-core floor (the column sums of ``X`` in the engine's row blocks on every numba
  thread) and, against it, the full-batch GD iteration, the SVRG outer loop and ``predict``;
  ``predict`` against BLAS; the GD iteration on 2, 4, ... threads against 1 thread (scaling);
* ``GDRegressor(method="sgd", max_iter=5, tol=None)``'s whole fit against SGDRegressor's;
* every single-row method's (and mbgd's) ``GDRegressor(method=m).fit`` with the defaults against
  ``SGDRegressor().fit``: time, and the test R^2 shortfall in units of SGDRegressor's own spread
  over seeds (:mod:`benchmarks.defaults`);
* the peak resident memory of a fit above the memory before it (in a fresh process), against
  the size of ``X``;

and, once: where the full passes' row blocks on every thread start to beat one sequential
pass (the GD iteration both ways, ``2**16`` to ``2**23`` values of ``X``: :func:`cutover_rows`),
``import graddescent``, the first-call compile time (empty cache) and the extra cost
of the first fit in a new process with the on-disk cache warm.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import dataclasses
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from numba import njit, prange

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python benchmarks/run.py``
    sys.path.insert(0, str(ROOT))

import graddescent  # noqa: E402
from graddescent import drivers as D  # noqa: E402
from graddescent import objective as O  # noqa: E402
from graddescent import rules, threads  # noqa: E402
from graddescent._fit_settings import AVERAGE_AFTER_EPOCHS  # noqa: E402
from graddescent._jit import BLOCK_ROWS  # noqa: E402

FULL_SIZES = [(10_000, 3), (100_000, 8), (1_000_000, 32)]
QUICK_SIZES = [(2_000, 3), (4_000, 8)]

BIG = ((100_000, 8), (1_000_000, 32))

#: Goals: (case, size or None for every size) -> (at most this, aim).
GOALS = {
    **{("sgd_floor", size): (1.5, None) for size in BIG},
    **{("sgd_same", size): (0.35, None) for size in BIG},
    **{(f"{rule}_floor", size): (2.5, None) for size in BIG
       for rule in ("momentum", "adagrad", "adadelta", "rmsprop", "adam")},
    ("fit_same", None): (0.4, None),
    ("fit_same", (10_000, 3)): (0.5, None),
    ("adam_fit_same", None): (1.0, None),
    ("overhead", None): (0.001, None),
    ("overhead_default", None): (0.001, None),
    ("svrg_epoch", None): (1.0, None),
    ("sarah_epoch", None): (1.0, None),
    ("sag_target", None): (0.5, None),
    ("saga_ridge_target", None): (0.5, None),
    ("sparse_sgd_l2", None): (0.5, None),
    ("sparse_saga_ridge", None): (0.5, None),
    ("sparse_memory", None): (0.1, None),
    ("gd_floor", (1_000_000, 32)): (2.2, 1.5),
    ("gd_allcore", (1_000_000, 32)): (1.3, None),
    ("gd_numpy", (10_000, 3)): (1.0, None),
    ("memory", None): (0.1, None),
    ("memory", (10_000, 3)): (0.25, None),
    ("import", None): (1.0, None),
    ("warm_first_fit", None): (1.0, None),
    ("import_first_fit", None): (1.0, None),
    # GDRegressor(method=m).fit with the defaults, every single-row method (benchmarks.defaults)
    ("default_fit", None): (1.0, None),
    ("default_r2", None): (1.0, None),
}


@dataclasses.dataclass
class Row:
    """One line of the table: a measurement, what it is compared with, and the goal."""

    size: tuple[int, int] | None
    key: str
    case: str
    value: float | None
    unit: str
    reference: str = ""
    reference_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference_value:
            return None
        return self.value / self.reference_value

    @property
    def goal(self) -> tuple[float, float | None] | None:
        return GOALS.get((self.key, self.size)) or GOALS.get((self.key, None))

    @property
    def compared(self) -> float | None:
        """What the goal bounds: the ratio, or the value itself when there is no reference."""
        return self.ratio if self.reference else self.value

    @property
    def status(self) -> str:
        if self.goal is None:
            return ""
        if self.compared is None:
            return "MISSED"
        return "met" if self.compared <= self.goal[0] else "MISSED"

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        unit = "x" if self.reference else (f" {self.unit}" if self.unit else "")
        text = f"<= {self.goal[0]:g}{unit}"
        return text + (f" (aim {self.goal[1]:g}{unit})" if self.goal[1] is not None else "")


# --- measuring -------------------------------------------------------------------------------
def median_time(fn, repeats: int, setup=None, budget: float = math.inf) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs (``setup()`` before each, untimed).

    Stops early once the runs so far took more than ``budget`` seconds (at least one run).
    """
    times: list[float] = []
    spent = 0.0
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        spent += times[-1]
        if spent > budget:
            break
    return statistics.median(times)


def make_data(n: int, d: int, seed: int = 0):
    """``X`` standard normal (n, d), ``y = 0.5 + X w + 0.1 noise`` with ``w`` standard normal."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d)
    y += 0.5
    y += 0.1 * rng.standard_normal(n)
    return X, y


def objective(X, y, theta) -> float:
    """``f = (1/2n) sum (b + x.w - y)^2`` in NumPy."""
    r = X @ theta[1:]
    r += theta[0] - y
    return 0.5 * float(r @ r) / X.shape[0]


def l_max(X) -> float:
    """``max_i 1 + ||x_i||^2``: the largest per-row curvature."""
    return 1.0 + float(np.einsum("ij,ij->i", X, X).max())


def l_full(X) -> float:
    """Largest eigenvalue of ``[1, X]^T [1, X] / n``."""
    n, d = X.shape
    gram = np.empty((d + 1, d + 1))
    gram[0, 0] = n
    gram[0, 1:] = gram[1:, 0] = X.sum(axis=0)
    gram[1:, 1:] = X.T @ X
    return float(np.linalg.eigvalsh(gram / n)[-1])


def single_row_rules(X, y, lmax: float) -> list[tuple[str, str, rules.UpdateRule]]:
    """Every rule of the registry that runs on single rows, at its automatic learning rate
    (``1 / L_max`` for the plain rule, ``0.1 / L_max`` with momentum 0.9, a multiple of
    ``RMS(y)`` for the normalised rules): ``(key, label, rule)``, the plain rule first."""
    rms = float(np.sqrt(np.dot(y, y) / y.shape[0]))
    out = []
    for spec in rules.specs():
        if spec.full_batch_only:
            continue
        rule = spec.factory()
        rule = rule.replace(learning_rate=rule.auto_learning_rate(lambda: lmax, rms, True))
        if spec.name == "plain":
            out.insert(0, ("sgd", "SGD (plain)", rule))
        else:
            out.append((spec.name, spec.name, rule))
    return out


def engine_epoch(X, y, rule, driver, repeats: int, budget: float) -> float:
    """Median seconds of one epoch of ``rule`` under ``driver`` (index drawing included)."""
    n = X.shape[0]
    units = math.ceil(driver.units_per_epoch(n))
    opt = D.Optimizer(rule, driver, np.zeros(X.shape[1] + 1), n)
    rng = np.random.default_rng(1)
    return median_time(lambda: opt.run(X, y, units, rng), repeats, budget=budget)


def engine_to_target(X, y, rule, driver, target: float, repeats: int, budget: float,
                     problem=None):
    """Epochs and median seconds to reach ``objective <= target`` (None, None if never) on
    ``problem`` (a :class:`graddescent.problems.Problem`; None: least squares).

    A first, untimed run counts the epochs, checking the objective after each; the timed runs
    then run exactly that many epochs from scratch (the same seed, so the same iterates).
    """
    n = X.shape[0]
    units = math.ceil(driver.units_per_epoch(n))
    f = objective if problem is None else problem.objective

    def fresh():
        return (D.Optimizer(rule, driver, np.zeros(X.shape[1] + 1), n, problem),
                np.random.default_rng(2))

    opt, rng = fresh()
    epochs, start = 0, time.perf_counter()
    while True:
        opt.run(X, y, units, rng)
        epochs += 1
        if f(X, y, opt.theta) <= target:
            break
        if time.perf_counter() - start > budget or epochs >= 2000:
            return None, None
    state = {}

    def setup():
        state["opt"], state["rng"] = fresh()

    def go():
        for _ in range(epochs):
            state["opt"].run(X, y, units, state["rng"])

    return epochs, median_time(go, repeats, setup=setup, budget=budget)


def numpy_gd_iteration(X, y, lr: float, iters: int) -> None:
    """``iters`` plain full-batch steps written in NumPy (two BLAS passes per step)."""
    n = X.shape[0]
    theta = np.zeros(X.shape[1] + 1)
    for _ in range(iters):
        r = X @ theta[1:]
        r += theta[0] - y
        theta[0] -= lr * r.sum() / n
        theta[1:] -= lr * (X.T @ r) / n


def sklearn_sgd_fit(X, y, eta0: float | None = None) -> None:
    """``SGDRegressor(max_iter=5, tol=None)``: with its defaults (an L2 penalty, the
    ``invscaling`` schedule) when ``eta0`` is None, else the same work as our plain
    constant-step SGD (``penalty=None``, ``learning_rate="constant"``, ``eta0``)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDRegressor

    kwargs = {} if eta0 is None else {"penalty": None, "learning_rate": "constant",
                                      "eta0": eta0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SGDRegressor(max_iter=5, tol=None, random_state=0, **kwargs).fit(X, y)


@njit(cache=True, nogil=True, error_model="numpy")
def floor_epoch(X, y, idx, theta, lr):
    """The speed of light of a single-row epoch: for each row of ``idx``, the dot product and
    the axpy of a plain step, nothing else (no prefetching, no checks)."""
    d = X.shape[1]
    for k in range(idx.shape[0]):
        i = idx[k]
        r = theta[0] - y[i]
        for j in range(d):
            r += X[i, j] * theta[j + 1]
        step = lr * r
        theta[0] -= step
        for j in range(d):
            theta[j + 1] -= step * X[i, j]


def floor_time(X, y, lr: float, repeats: int) -> float:
    """Median seconds of :func:`floor_epoch` over a fixed permutation (drawn untimed)."""
    idx = np.random.default_rng(5).permutation(X.shape[0]).astype(np.int32)
    theta = np.zeros(X.shape[1] + 1)
    floor_epoch(X[:8], y[:8], idx[idx < 8], theta, lr)  # compile outside the timing
    return median_time(lambda: floor_epoch(X, y, idx, theta, lr), repeats)


@njit(parallel=True, nogil=True)
def allcore_sum(X, parts):
    """The all-core bandwidth floor: the column sums of ``X`` in the engine's row blocks, one
    block per ``prange`` iteration on every numba thread, added in block order (the read
    pattern of a full pass, with the least arithmetic)."""
    n, d = X.shape
    nb = parts.shape[0]
    for b in prange(nb):
        acc = np.zeros(d)
        for i in range(b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, n)):
            for j in range(d):
                acc[j] += X[i, j]
        parts[b] = acc.sum()
    total = 0.0
    for b in range(nb):
        total += parts[b]
    return total


def gd_iteration_time(X, y, rule, iters: int, repeats: int) -> float:
    """Median seconds of one full-batch GD iteration, ``iters`` per ``Optimizer.run`` call
    (after a first call that compiles or loads the kernels)."""
    opt = D.Optimizer(rule, D.FullBatch(), np.zeros(X.shape[1] + 1), X.shape[0])
    opt.run(X, y, 1, np.random.default_rng(0))
    return median_time(lambda: opt.run(X, y, iters, np.random.default_rng(0)), repeats) / iters


def allcore_rows(X, y, t_svrg: float, lfull: float, repeats: int, log) -> list[Row]:
    """The full passes against the all-core floor, and how they scale with numba's threads."""
    n, d = X.shape
    size = (n, d)
    parts = np.empty(-(-n // BLOCK_ROWS))
    allcore_sum(X[:8], parts[:1])  # compile outside the timing
    top = threads.available()
    counts = sorted({k for k in (1, 2, 4, 8, 16, 32, 64) if k < top} | {top})
    iters = 10
    rule = rules.plain(1.0 / lfull)
    coef, b = np.linspace(-1, 1, d), 0.5

    floors, gds = {}, {}
    for k in counts:
        log(f"{n} x {d}: full passes on {k} thread(s)")
        with threads.limit(k):
            floors[k] = median_time(lambda: allcore_sum(X, parts), max(repeats, 5))
            gds[k] = gd_iteration_time(X, y, rule, iters, repeats)
            if k == top:
                t_predict = median_time(lambda: O.predict(X, coef, b), max(repeats, 5))
    t_blas = median_time(lambda: X @ coef + b, max(repeats, 5))
    floor = floors[top]
    ref = f"all-core floor ({top} threads)"
    rows = [Row(size, "floor_allcore", f"all-core bandwidth floor: blocked column sum of X on "
                f"{top} threads", floor, "s", "the same sum on 1 thread", floors[1],
                note=f"{X.nbytes / floor / 1e9:.1f} GB/s on {top} threads, "
                     f"{X.nbytes / floors[1] / 1e9:.1f} GB/s on 1"),
            Row(size, "gd_allcore", f"full-batch GD iteration ({iters} per call), {top} threads",
                gds[top], "s", ref, floor),
            Row(size, "svrg_allcore", "SVRG option 1 outer loop, m = n (one full gradient + n "
                "sequential row steps)", t_svrg, "s", ref, floor),
            Row(size, "predict_allcore", f"predict (compiled, blocked), {top} threads",
                t_predict, "s", ref, floor),
            Row(size, "predict_blas", f"predict (compiled, blocked), {top} threads", t_predict,
                "s", "X @ coef + intercept (BLAS)", t_blas)]
    for k in counts[1:]:
        rows.append(Row(size, "gd_scaling", f"full-batch GD iteration on {k} threads", gds[k],
                        "s", "the same on 1 thread", gds[1],
                        note=f"floor on {k} threads / on 1: {floors[k] / floors[1]:.2f}"))
    return rows


#: Values of ``X`` (32 columns) at which :func:`cutover_rows` times both kinds of full pass.
CUTOVER_VALUES = [2**k for k in range(16, 24)]


def cutover_rows(repeats: int, quick: bool, log) -> list[Row]:
    """The full-batch GD iteration with its passes in row blocks on every thread against the
    same iteration with one sequential pass, from ``2**16`` to ``2**23`` values of ``X`` (32
    columns), and the smallest size where the blocks are faster (and the sizes at or above the
    engine's cut-over, :func:`graddescent.threads.parallel_min_values`, where they were not).
    Nothing on one thread.

    The blocks start to pay at two blocks (``2 * BLOCK_ROWS`` rows), where two threads have
    work; the engine's cut-over sits above that because a parallel kernel also costs several
    times a sequential one's compile, which small data then never pay."""
    top = threads.available()
    if top < 2:
        return []
    d, iters = 32, 10
    sizes = CUTOVER_VALUES[:3] if quick else CUTOVER_VALUES
    rows, wins = [], []
    for values in sizes:
        n = values // d
        X, y = make_data(n, d)
        rule = rules.plain(0.5 / l_full(X))
        log(f"{n} x {d}: cut-over, GD iteration sequential and in blocks on {top} threads")
        with threads.cutover(X.size + 1):
            t_seq = gd_iteration_time(X, y, rule, iters, max(repeats, 5))
        with threads.cutover(1):
            t_blocks = gd_iteration_time(X, y, rule, iters, max(repeats, 5))
        wins.append(t_blocks < t_seq)
        rows.append(Row((n, d), "cutover", f"full-batch GD iteration, passes in row blocks on "
                        f"{top} threads ({values} values of X)", t_blocks, "s",
                        "the same, one sequential pass", t_seq))
    cut = threads.parallel_min_values()
    first = next((v for v, win in zip(sizes, wins, strict=True) if win), None)
    lost = [v for v, win in zip(sizes, wins, strict=True) if v >= cut and not win]
    rows.append(Row(None, "cutover_found", f"smallest X (values, of {sizes[0]} to {sizes[-1]}) "
                    f"where the blocks on {top} threads are faster", first, "values",
                    "the engine's cut-over (threads.parallel_min_values())", float(cut),
                    note="slower at or above the cut-over: "
                         + (", ".join(str(v) for v in lost) if lost else "none")))
    return rows


def gd_regressor():
    """``graddescent.GDRegressor`` if the estimator is available, else None."""
    try:
        return graddescent.GDRegressor
    except (AttributeError, ImportError):
        return None


# --- memory and compilation: in fresh processes -------------------------------------------------
def _child_env(cache_dir: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    return env


def _run_child(code: str, env: dict[str, str], timeout: float = 600) -> dict:
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), timeout=timeout,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def memory_child(n: int, d: int, what: str) -> None:
    """(In a fresh process.) Print the peak resident memory of one fit above the memory before.

    On Linux the peak counter is reset right before the fit (``/proc/self/clear_refs``) after
    the freed heap was returned to the system (``malloc_trim``), so the number is what the fit
    itself made resident; elsewhere a thread samples the resident size every millisecond.
    """
    import ctypes
    import threading

    from graddescent import threads

    X, y = make_data(n, d)
    # The warm-up fit takes the same code paths as the measured one (more than 8192 rows: the
    # estimator's subsampled objective; the blocked passes of large X, whose parallel kernels
    # and thread pool take about 0.85 MB to load), so that loading them is not measured.
    small_X, small_y = make_data(min(n, 9000), d, seed=1)
    fit = _memory_fits(what, 1.0 / l_max(X))  # the engine's step is set outside its fit
    large = X.size >= threads.parallel_min_values()
    with threads.cutover(1 if large else max(X.size, small_X.size) + 1):
        fit(small_X, small_y)  # load the compiled kernels before measuring
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status_kb("VmRSS") * 1024
        fit(X, y)
        peak = _status_kb("VmHWM") * 1024
        method = "VmHWM"
    except OSError:
        import psutil

        proc = psutil.Process()
        before = proc.memory_info().rss
        samples = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                samples.append(proc.memory_info().rss)
                time.sleep(0.001)

        thread = threading.Thread(target=sample)
        thread.start()
        fit(X, y)
        done.set()
        thread.join()
        peak = max(samples + [proc.memory_info().rss])
        method = "psutil sampling"
    print(json.dumps({"extra": max(peak - before, 0), "x_bytes": X.nbytes, "method": method}))


def _memory_fits(what: str, lr: float):
    if what in ("estimator", "estimator_default"):
        est = gd_regressor()
        kwargs = {"max_iter": 5, "tol": None} if what == "estimator" else {"max_iter": 20}

        def fit(X, y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # max_iter reached
                est(method="sgd", random_state=0, **kwargs).fit(X, y)
        return fit
    driver = D.SAG() if what == "sag" else D.MiniBatch(batch_size=1)

    def fit(X, y):
        opt = D.Optimizer(rules.plain(lr), driver, np.zeros(X.shape[1] + 1), X.shape[0])
        rng = np.random.default_rng(0)
        for _ in range(5):
            opt.run(X, y, X.shape[0], rng)
    return fit


_COMPILE_CHILD = """
import json, time
t0 = time.perf_counter()
import graddescent
t_import = time.perf_counter() - t0
import sys
compiled = [f"{{m}}.{{name}}" for m, mod in list(sys.modules.items())
            if m.startswith("graddescent") for name, f in vars(mod).items()
            if hasattr(f, "signatures") and f.signatures]
numba_at_import = "numba" in sys.modules
t0 = time.perf_counter()
import numba  # the first fit would import it: timed apart from the compile
t_numba = time.perf_counter() - t0
from benchmarks.run import compile_cases
cases = compile_cases({quick})
first = {{}}
for name, fit in cases.items():
    t0 = time.perf_counter(); fit(); first[name] = time.perf_counter() - t0
again = {{}}
for name, fit in cases.items():
    t0 = time.perf_counter(); fit(); again[name] = time.perf_counter() - t0
print(json.dumps({{"import": t_import, "compiled_at_import": compiled,
                  "numba_at_import": numba_at_import, "numba": t_numba,
                  "first": sum(first.values()), "again": sum(again.values())}}))
"""


def compile_cases(quick: bool) -> dict:
    """The fits whose first call compiles (or loads) the kernels: one per driver family."""
    X, y = make_data(500, 5, seed=3)
    est = gd_regressor()
    methods = ["sgd"] if quick else ["sgd", "adam", "mbgd", "gd", "sagd", "svrg", "sarah"]
    if est is not None:
        return {m: (lambda m=m: est(method=m, max_iter=2, tol=None, random_state=0).fit(X, y))
                for m in methods}
    plans = {"sgd": (rules.plain(0.01), D.MiniBatch(batch_size=1)),
             "adam": (rules.adam(0.01), D.MiniBatch(batch_size=1)),
             "mbgd": (rules.plain(0.01), D.MiniBatch(batch_size=32)),
             "gd": (rules.plain(0.1), D.FullBatch()), "sagd": (rules.plain(0.01), D.SAG()),
             "svrg": (rules.plain(0.01), D.SVRG()), "sarah": (rules.plain(0.01), D.SARAH())}
    return {m: (lambda r=plans[m][0], dr=plans[m][1]:
                D.optimize(X, y, r, dr, np.zeros(6), 2, np.random.default_rng(0)))
            for m in methods}


def process_rows(quick: bool) -> list[Row]:
    """Import time, cold compile time and the warm-cache first-fit overhead (fresh processes).

    The package's bytecode is compiled first, as ``pip install`` does: the import is then
    timed as users see it, also where ``PYTHONDONTWRITEBYTECODE`` is set.
    """
    compileall.compile_dir(str(ROOT / "graddescent"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="graddescent-numba-cache-") as cache:
        code = _COMPILE_CHILD.format(quick=quick)
        cold = _run_child(code, _child_env(cache))
        warm = _run_child(code, _child_env(cache))
    what = "sgd fit" if quick else "7 fits (sgd, adam, mbgd, gd, sagd, svrg, sarah)"
    lazy = "numba not imported" if not warm["numba_at_import"] else "numba imported"
    return [
        Row(None, "import", "import graddescent (fresh process, warm cache)", warm["import"],
            "s", note=f"functions compiled at import: {len(warm['compiled_at_import'])}; "
                      f"{lazy}"),
        # numba's import is timed apart (a first fit would pay it): these two rows are the
        # compile, and the load from the cache, alone
        Row(None, "compile", f"first-call compile, empty cache: {what}",
            cold["first"] - cold["again"], "s", note="numba imported before"),
        Row(None, "warm_first_fit", f"first fit in a new process, warm cache: {what}, "
            "extra time over the same fits again", warm["first"] - warm["again"], "s",
            note="numba imported before"),
        Row(None, "import_first_fit", f"import and first fit in a new process, warm cache: "
            f"{what}, extra time over the same fits again",
            warm["import"] + warm["numba"] + warm["first"] - warm["again"], "s",
            note="numba's import included"),
    ]


def fit_rows(est, X, y, lmax, repeats, budget, log, sk_same_fit, sk_fit) -> list[Row]:
    """Whole GDRegressor fits against SGDRegressor's, and the estimator's overhead: the fit's
    time minus the engine's epochs (the same rule, driver and row orders) and minus one read
    pass over ``X`` (the validation)."""
    size = X.shape
    rows = []
    est(method="sgd", max_iter=1, tol=None, random_state=0).fit(X[:100], y[:100])
    est(method="adam", max_iter=1, tol=None, random_state=0).fit(X[:100], y[:100])
    def fit(**kwargs):
        def go():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # max_iter reached with the default tol
                est(random_state=0, **kwargs).fit(X, y)
        return go

    log(f"{size[0]} x {size[1]}: GDRegressor fits")
    t_fit = median_time(fit(method="sgd", max_iter=5, tol=None), repeats, budget=budget)
    t_default = median_time(fit(method="sgd", max_iter=5), repeats, budget=budget)
    t_adam = median_time(fit(method="adam", max_iter=5, tol=None), repeats, budget=budget)
    same = "SGDRegressor(max_iter=5, tol=None, penalty=None, learning_rate='constant').fit"
    case = "GDRegressor(method='sgd', max_iter=5, tol=None).fit"
    rows.append(Row(size, "fit_same", case, t_fit, "s", same, sk_same_fit))
    rows.append(Row(size, "fit_default", case, t_fit, "s",
                    "SGDRegressor(max_iter=5, tol=None).fit, defaults", sk_fit))
    rows.append(Row(size, "adam_fit_same", "GDRegressor(method='adam', max_iter=5, "
                    "tol=None).fit", t_adam, "s", same, sk_same_fit))

    def engine(average=False):  # the estimator's engine run: 5 epochs at its rate, its row
        # orders (the default fit also keeps the running mean of the iterates after half an
        # epoch: part of the method's work, not of the estimator's overhead)
        opt = D.Optimizer(rules.plain(1.0 / lmax), D.MiniBatch(batch_size=1),
                          np.zeros(size[1] + 1), size[0], average=average)
        opt.run_epochs(X, y, 5, np.random.default_rng(0))

    t_engine = median_time(engine, repeats, budget=budget)
    average_start = math.ceil(AVERAGE_AFTER_EPOCHS * size[0])  # the default fit's
    t_engine_mean = median_time(lambda: engine(average=average_start), repeats, budget=budget)
    t_pass = median_time(X.sum, max(repeats, 5))
    note = (f"fit {t_fit:.4g} s - engine's 5 epochs {t_engine:.4g} s - one read pass "
            f"{t_pass:.3g} s")
    rows.append(Row(size, "overhead", "GDRegressor sgd fit (tol=None): time beyond the engine's "
                    "epochs and one pass over X", t_fit - t_engine - t_pass, "s", note=note))
    note = (f"fit {t_default:.4g} s - engine's 5 epochs, averaged after half an epoch, "
            f"{t_engine_mean:.4g} s - one read pass {t_pass:.3g} s")
    rows.append(Row(size, "overhead_default", "GDRegressor sgd fit (default tol and schedule): "
                    "time beyond the engine's epochs and one pass over X",
                    t_default - t_engine_mean - t_pass, "s", note=note))
    return rows


#: The penalty strength of the penalised rows (scikit-learn's scaling: Ridge's is n times it).
PENALTY_ALPHA = 0.01


def penalised_rows(X, y, repeats: int, budget: float, log) -> list[Row]:
    """SAGA with the L2 penalty to the objective ``Ridge(solver="saga")`` reaches, and with the
    L1 penalty to ``Lasso``'s objective to 1e-6 relative, against those fits' times (step
    ``1 / L_max`` of the penalised problem)."""
    from sklearn.linear_model import Lasso, Ridge

    from graddescent.problems import Problem

    n, d = X.shape
    size = (n, d)
    rows = []
    holder = {}
    ridge_problem = Problem(penalty="l2", alpha=PENALTY_ALPHA)
    lasso_problem = Problem(penalty="l1", alpha=PENALTY_ALPHA)

    def ridge():
        holder["ridge"] = Ridge(alpha=n * PENALTY_ALPHA, solver="saga", random_state=0).fit(X, y)

    def lasso():
        holder["lasso"] = Lasso(alpha=PENALTY_ALPHA).fit(X, y)

    for key, label, fit, problem, slack, ref in [
            ("saga_ridge_target", "SAGA + L2 (1/L_max): time to Ridge-saga's objective", ridge,
             ridge_problem, 0.0, f"Ridge(alpha=n*{PENALTY_ALPHA}, solver='saga') fit"),
            ("saga_lasso_target", "SAGA + L1 (1/L_max): time to Lasso's objective (1e-6 rel.)",
             lasso, lasso_problem, 1e-6, f"Lasso(alpha={PENALTY_ALPHA}) fit")]:
        log(f"{n} x {d}: {label}")
        t_ref = median_time(fit, repeats, budget=budget)
        model = holder["ridge" if problem is ridge_problem else "lasso"]
        f_ref = problem.objective(X, y, np.concatenate(([model.intercept_], model.coef_)))
        target = f_ref * (1.0 + slack)
        driver = D.SAGA()
        rule = rules.plain(1.0 / driver.smoothness(X, problem=problem))
        epochs, t = engine_to_target(X, y, rule, driver, target, repeats, budget, problem)
        note = (f"{epochs} epochs; target F = {target:.10g}" if epochs else
                f"not reached within the time budget; target F = {target:.10g}")
        rows.append(Row(size, key, label, t, "s", ref, t_ref, note=note))
    return rows


# --- one size ----------------------------------------------------------------------------------
def bench_size(n: int, d: int, repeats: int, quick: bool, log, processes: bool = True
               ) -> list[Row]:
    size = (n, d)
    X, y = make_data(n, d)
    budget = 5.0 if quick else 60.0
    rows: list[Row] = []
    lmax, lfull = l_max(X), l_full(X)

    log(f"{n} x {d}: SGDRegressor")
    sk_fit = median_time(lambda: sklearn_sgd_fit(X, y), repeats, budget=budget)
    sk_same_fit = median_time(lambda: sklearn_sgd_fit(X, y, 1.0 / lmax), repeats, budget=budget)
    sk_epoch, sk_same = sk_fit / 5, sk_same_fit / 5
    ref = "SGDRegressor epoch, defaults (L2 penalty, invscaling)"
    ref_same = "SGDRegressor epoch, same work (penalty=None, constant rate)"
    log(f"{n} x {d}: floor loop")
    t_floor = floor_time(X, y, 1.0 / lmax, max(repeats, 5))
    ref_floor = "floor loop (dot + axpy per row)"

    for key, label, rule in single_row_rules(X, y, lmax):
        log(f"{n} x {d}: {label}")
        t = engine_epoch(X, y, rule, D.MiniBatch(batch_size=1), repeats, budget)
        case = f"{label}, 1 row per step, epoch (row order drawn in it)"
        rows.append(Row(size, f"{key}_floor", case, t, "s", ref_floor, t_floor))
        if key == "sgd":
            rows.append(Row(size, "sgd_same", case, t, "s", ref_same, sk_same))
            rows.append(Row(size, "sgd_default", case, t, "s", ref, sk_epoch))
    log(f"{n} x {d}: mini-batch 32")
    t = engine_epoch(X, y, rules.plain(1.0 / lmax), D.MiniBatch(batch_size=32), repeats, budget)
    rows.append(Row(size, "minibatch_floor", "mini-batch 32 (plain), epoch", t, "s", ref_floor,
                    t_floor))
    rows.append(Row(size, "minibatch", "mini-batch 32 (plain), epoch", t, "s", ref_same,
                    sk_same))

    log(f"{n} x {d}: Ridge(sag)")
    from sklearn.linear_model import Ridge

    holder = {}

    def ridge():
        holder["m"] = Ridge(alpha=0.0, solver="sag", random_state=0).fit(X, y)

    t_ridge = median_time(ridge, repeats, budget=budget)
    model = holder["m"]
    target = objective(X, y, np.concatenate(([model.intercept_], model.coef_)))
    ref_r = "Ridge(alpha=0, solver='sag') fit"
    for key, label, rule, driver in [
            ("sag_target", "SAG (1/L_max)", rules.plain(1.0 / lmax), D.SAG()),
            ("svrg_target", "SVRG option 1, m = n (0.5/L_max)", rules.plain(0.5 / lmax),
             D.SVRG(option=1)),
            ("sarah_target", "SARAH, m = n (0.5/L_max)", rules.plain(0.5 / lmax), D.SARAH())]:
        log(f"{n} x {d}: {label} to the Ridge objective")
        epochs, t = engine_to_target(X, y, rule, driver, target, repeats, budget)
        note = (f"{epochs} epochs; target f = {target:.10g}" if epochs else
                f"not reached within the time budget; target f = {target:.10g}")
        rows.append(Row(size, key, f"{label}: time to Ridge-sag's objective", t, "s", ref_r,
                        t_ridge, note=note))
    rows += penalised_rows(X, y, repeats, budget, log)
    for key, label, rule, driver in [
            ("svrg_epoch", "SVRG option 1, m = n", rules.plain(0.5 / lmax), D.SVRG(option=1)),
            ("sarah_epoch", "SARAH, m = n", rules.plain(0.5 / lmax), D.SARAH())]:
        log(f"{n} x {d}: {label} epoch")
        t = engine_epoch(X, y, rule, driver, repeats, budget)
        rows.append(Row(size, key, f"{label}: outer loop (full gradient + n steps)", t, "s",
                        ref, sk_epoch))

    log(f"{n} x {d}: full-batch GD")
    bandwidth = X.nbytes / median_time(X.sum, max(repeats, 5))
    floor = X.nbytes / bandwidth
    iters = max(5, min(200, int(0.2 / max(floor, 1e-6))))
    rule = rules.plain(1.0 / lfull)
    opt = D.Optimizer(rule, D.FullBatch(), np.zeros(d + 1), n)
    t_gd = median_time(lambda: opt.run(X, y, iters, np.random.default_rng(0)), repeats) / iters
    t_np = median_time(lambda: numpy_gd_iteration(X, y, 1.0 / lfull, iters), repeats) / iters
    rows.append(Row(size, "gd_floor", f"full-batch GD iteration ({iters} per call)", t_gd, "s",
                    "bandwidth floor (X bytes / X.sum() read bandwidth)", floor,
                    note=f"read bandwidth {bandwidth / 1e9:.1f} GB/s"))
    rows.append(Row(size, "gd_numpy", "full-batch GD iteration", t_gd, "s",
                    "NumPy iteration (X @ w, X.T @ r)", t_np))
    t_svrg = next(r.value for r in rows if r.key == "svrg_epoch")
    rows += allcore_rows(X, y, t_svrg, lfull, repeats, log)

    est = gd_regressor()
    if est is not None:
        rows += fit_rows(est, X, y, lmax, repeats, budget, log, sk_same_fit, sk_fit)

    probes = [("estimator", "GDRegressor sgd fit, 5 epochs, tol=None"),
              ("estimator_default", "GDRegressor sgd fit, defaults, max_iter=20"),
              ("engine", "engine: SGD, 5 epochs"), ("sag", "engine: SAG, 5 epochs")]
    if quick:  # one fresh process is enough to keep the probe from rotting
        probes = probes[2:3]
    for what, label in probes if processes else []:
        if what == "estimator" and est is None:
            continue
        log(f"{n} x {d}: peak memory, {label}")
        code = f"from benchmarks.run import memory_child; memory_child({n}, {d}, {what!r})"
        res = _run_child(code, _child_env())
        rows.append(Row(size, "memory", f"peak resident memory above start: {label}",
                        res["extra"] / 1e6, "MB", "size of X (MB)", res["x_bytes"] / 1e6,
                        note=res["method"]))
    return rows


# --- output ------------------------------------------------------------------------------------
def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "MB":
        return f"{value:.2f} MB"
    return f"{value:.4g} {unit}"


def markdown(rows: list[Row], header: str) -> str:
    lines = [header, "",
             "| size n x d | case | measured | reference | ratio | goal | status |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        size = f"{r.size[0]:_} x {r.size[1]}" if r.size else "-"
        ref = f"{r.reference}: {_fmt(r.reference_value, r.unit)}" if r.reference else ""
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        case = r.case + (f" ({r.note})" if r.note else "")
        lines.append(f"| {size} | {case} | {_fmt(r.value, r.unit)} | {ref} | {ratio} | "
                     f"{r.goal_text()} | {r.status} |")
    return "\n".join(lines) + "\n"


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["n", "d", "key", "case", "value", "unit", "reference", "reference_value",
                    "ratio", "goal", "status", "note"])
        for r in rows:
            w.writerow([r.size[0] if r.size else "", r.size[1] if r.size else "", r.key, r.case,
                        "" if r.value is None else f"{r.value:.6g}", r.unit, r.reference,
                        "" if r.reference_value is None else f"{r.reference_value:.6g}",
                        "" if r.ratio is None else f"{r.ratio:.4f}",
                        "" if r.goal is None else r.goal[0], r.status, r.note])


def machine_header(command: str) -> str:
    import numba
    import sklearn

    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{i.get('internal_api')}"
            + (f" (core type {i['architecture']})" if i.get("architecture") else "")
            + f" {i.get('num_threads')} threads" for i in threadpool_info())
    except ImportError:
        blas = "threadpoolctl not installed"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (f"Command: `{command}`  \n"
            f"Machine: {cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, numba {numba.__version__}, scikit-learn "
            f"{sklearn.__version__}; BLAS: {blas}; OPENBLAS_CORETYPE="
            f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}.  \n"
            f"Medians over the repeats; every ratio is measured side by side in this run.")


def warm_up() -> None:
    """Load every kernel (compiled or from the cache) and scikit-learn's code, on tiny data."""
    from sklearn.linear_model import Ridge

    X, y = make_data(64, 3, seed=4)
    for rule in (rules.plain(0.01), rules.momentum(0.01), rules.adam(0.01)):
        for driver in (D.MiniBatch(batch_size=1), D.MiniBatch(batch_size=8), D.FullBatch(),
                       D.SAG(), D.SVRG(option=1), D.SARAH()):
            D.optimize(X, y, rule, driver, np.zeros(4), 2, np.random.default_rng(0))
    for _, _, rule in single_row_rules(X, y, l_max(X)):
        D.optimize(X, y, rule, D.MiniBatch(batch_size=1), np.zeros(4), 2,
                   np.random.default_rng(0))
    from graddescent.problems import Problem

    for problem in (Problem(penalty="l2", alpha=PENALTY_ALPHA),
                    Problem(penalty="l1", alpha=PENALTY_ALPHA)):
        D.optimize(X, y, rules.plain(0.01), D.SAGA(), np.zeros(4), 2, np.random.default_rng(0),
                   problem=problem)
    sklearn_sgd_fit(X, y)
    Ridge(alpha=0.0, solver="sag", random_state=0).fit(X, y)
    if gd_regressor() is not None:
        gd_regressor()(method="sgd", max_iter=1, tol=None, random_state=0).fit(X, y)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="directory for results.md and results.csv")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed runs per measurement (default 5, quick 2)")
    parser.add_argument("--no-processes", action="store_true",
                        help="skip the fresh-process measurements (memory, compile, import)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    command = "python -m benchmarks.run" + (" --quick" if args.quick else "")
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr, flush=True)

    warm_up()
    rows: list[Row] = []
    for n, d in sizes:
        rows += bench_size(n, d, repeats, args.quick, log, not args.no_processes)
    from benchmarks.defaults import default_rows
    from benchmarks.sparse import sparse_rows

    rows += cutover_rows(repeats, args.quick, log)
    rows += default_rows(sizes, repeats, log, Row)
    rows += sparse_rows(args.quick, repeats, log, Row)
    if not args.no_processes:
        log("import, compile and first-fit times (fresh processes)")
        rows += process_rows(args.quick)
    table = markdown(rows, machine_header(command))
    table += f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(table)
    write_csv(rows, args.out / "results.csv")
    print(table)
    return rows


if __name__ == "__main__":
    main()

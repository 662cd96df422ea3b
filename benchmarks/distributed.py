"""Least squares on a Dask cluster: our distributed methods beside dask-ml's solvers.

One command, from the repository root::

    python -m benchmarks.distributed            # 2_000_000 x 100, 300 s cap per method
    python -m benchmarks.distributed --quick    # 40_000 x 20, 60 s cap per method (10-20 min)
    python -m benchmarks.distributed --out DIR  # where distributed.md goes (benchmarks/results)

Data: generated as Dask arrays on the cluster (never written to disk): ``Z`` standard normal
times a fixed ``d x d`` mixing matrix with singular values spread over 1.5 decades, then each
column centred and scaled to unit standard deviation (as ``StandardScaler`` would; the
Hessian's condition number about 1e3 comes from the columns' correlations, which no column
scaling removes), ``y = X w + noise`` centred; 4 chunks of rows (2 per worker).

Two problems: plain least squares, and ridge: ``1/(2n) sum r_i^2 + alpha/2 ||w||^2`` (the
intercept unpenalised), ``alpha = 1e-4``. dask-ml's ``LinearRegression(penalty='l2', C)``
minimises, through dask-glm, ``sum r_i^2 + (1/C) / 2 ||beta'||^2`` where ``beta'`` are the
coefficients **of the standardised columns and the intercept** (dask-glm's ``normalize``
standardises every non-constant column first, and the L2 regulariser ``||beta||^2 / 2`` takes
the intercept column it adds too). So ``C = 1 / (2 n alpha)`` is our problem exactly when the
columns have unit standard deviation and the optimum's intercept is 0 (centred columns and
``y``): this data. On other data it is another problem (a ridge on rescaled coefficients with
a penalised intercept); :func:`check_l2_mapping` shows both facts on small data at each start.
dask-ml's ``newton`` and ``gradient_descent`` drop the penalty (its ``_get_solver_kwargs``
removes ``regularizer`` for them): with L2 they solve least squares, another problem, and are
reported as such.

Measured, for each method, the wall time and the communication rounds (``dask.compute``
calls) until the relative suboptimality ``(F - F*) / F*`` is at most 1e-6, ``F*`` from the
one-pass normal equations:

* ours: the distributed drivers run directly (:mod:`graddescent.drivers.distributed_vr`,
  :mod:`graddescent.drivers.local_sgd`, and the full-batch reduction), one unit at a time; the
  objective after each unit is evaluated outside the timed part;
* dask-ml's ``LinearRegression`` iterative solvers (``admm``, ``lbfgs``, ``gradient_descent``,
  ``proximal_grad``): they have no callback, so each is fitted with ``max_iter`` 2, 4, 8, ...
  (``tol=0``) until it reaches the target; reported: the time of the first fit that does
  (its own whole fit, an upper bound) and of the one before (a lower bound);
* the exact answers: dask-ml's ``newton`` and the one-pass normal equations
  (``X^T X``, ``X^T y`` in one pass, then a ``(d+1)``-square solve on this process); and
  where in the number of columns the exact answer becomes cheaper than the best iterative
  method (the pass costs ``O(n d^2)`` where a round costs ``O(n d)``; measured at two column
  counts at the end).

Communication rounds: for ours the ``dask.compute`` calls of the driver (its state's
``rounds``: a full gradient pass, or one round of local work on every chunk); dask-ml's
solvers keep no such count, their ``max_iter`` is shown.

Each method gets at most ``--cap`` seconds. The processor, ``uptime`` and the versions are
printed with the table, and an estimate of the whole run's time before it starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = 1e-6
#: The ridge problems' alpha (the columns have unit variance).
ALPHA = 1e-4
#: Passes per column count in the crossover's timings (the fastest is kept).
REPEATS = 3


def _mixing(d, seed=0):
    """A ``d x d`` matrix with singular values spread over 1.5 decades (random rotations)."""
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.normal(size=(d, d)))[0]
    V = np.linalg.qr(rng.normal(size=(d, d)))[0]
    return U @ np.diag(np.logspace(0.0, -1.5, d)) @ V


def _data(n, d, chunks, seed=0):
    """Standardised, correlated columns and a centred ``y`` (see the module's text)."""
    import dask
    import dask.array as da

    rs = da.random.RandomState(seed)
    rows = -(-n // chunks)
    X = rs.standard_normal((n, d), chunks=(rows, d)) @ _mixing(d, seed)
    mean, std = dask.compute(X.mean(axis=0), X.std(axis=0))
    X = (X - mean) / std
    w = np.random.default_rng(seed).normal(size=d)
    y = X @ w + 0.1 * rs.standard_normal(n, chunks=rows)
    y = y - y.mean()
    return X, y


def _normal_equations(X, y, alpha):
    """``(theta, F*)`` from one pass (the sums) and a solve; ``F`` as :class:`Problem`."""
    import dask
    import dask.array as da

    n, d = X.shape
    A = da.concatenate([da.ones((n, 1), chunks=(X.chunks[0], 1)), X], axis=1)
    AtA, Aty, yty = dask.compute(A.T @ A, A.T @ y, (y * y).sum())
    reg = np.zeros(d + 1)
    reg[1:] = n * alpha
    theta = np.linalg.solve(AtA + np.diag(reg), Aty)
    value = (yty - 2 * theta @ Aty + theta @ AtA @ theta) / (2 * n) + \
        0.5 * alpha * theta[1:] @ theta[1:]
    return theta, float(value), AtA, Aty, float(yty)


class _Objective:
    """``F(theta)`` from the sums of the normal equations (exact for least squares + L2)."""

    def __init__(self, AtA, Aty, yty, n, alpha):
        self.AtA, self.Aty, self.yty, self.n, self.alpha = AtA, Aty, yty, n, alpha

    def __call__(self, theta):
        r2 = self.yty - 2 * theta @ self.Aty + theta @ self.AtA @ theta
        return float(r2 / (2 * self.n) + 0.5 * self.alpha * theta[1:] @ theta[1:])


def _ours(name, driver, rule, data, problem, F, best, cap):
    """Time and rounds to the target, running one unit at a time (evaluation untimed); the
    rounds are the driver state's ``rounds`` (its ``dask.compute`` calls)."""
    p = data.shape[1] + 1
    theta = np.zeros(p)
    state = driver.init_state(data.shape[0], p)
    rule_state = rule.init_state(p)
    rng = np.random.default_rng(0)
    pb = None if problem.is_least_squares else problem.record()
    t, spent, units = 0, 0.0, 0
    rounds = 0
    while spent < cap:
        start = time.perf_counter()
        t = driver.run(data, None, theta, rule, rule_state, t, state, rng, 1, pb)
        rounds = state.rounds
        spent += time.perf_counter() - start
        units += 1
        gap = (F(theta) - best) / best
        if not np.isfinite(gap):
            return {"method": name, "status": "diverged", "seconds": spent, "rounds": rounds}
        if gap <= TARGET:
            return {"method": name, "status": "ok", "seconds": spent, "rounds": rounds,
                    "units": units}
    return {"method": name, "status": f"not reached ({gap:.1e})", "seconds": spent,
            "rounds": rounds, "units": units}


def dask_ml_l2(n, alpha):
    """dask-ml's options for our ridge ``alpha`` on ``n`` rows of standardised columns with a
    zero intercept at the optimum: ``C = 1 / (2 n alpha)`` (dask-glm: ``sum r^2 + 1/(2C)
    ||beta||^2``); no penalty: ``C = 1e20``."""
    return {"penalty": "l2", "C": 1.0 / (2 * n * alpha) if alpha else 1e20}


def check_l2_mapping(n=2000, d=5, alpha=1e-2, seed=1):
    """On small data: ``(distance, gap, raw distance)``, the relative distance between our
    ridge optimum (:meth:`graddescent.problems.Problem.optimum`) and dask-ml's ``lbfgs`` fit
    with :func:`dask_ml_l2` (``tol=1e-14``) on standardised centred data, the relative
    suboptimality of that fit in our objective, and the same distance on raw-scaled data with
    an intercept (where dask-ml's ridge is another problem). dask-ml's ``proximal_grad`` stops
    short of the ridge optimum (its line search and stopping test watch the loss without the
    penalty) and ``admm`` needs thousands of iterations for 1e-6: neither is a check."""
    import dask.array as da
    from dask_ml.linear_model import LinearRegression

    from graddescent.problems import Problem

    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, d)) @ _mixing(d, seed) * np.logspace(0, 1, d) + 3.0
    w = rng.normal(size=d)
    problem = Problem(penalty="l2", alpha=alpha)
    out = []
    for X in ((raw - raw.mean(0)) / raw.std(0), raw):
        y = X @ w + 0.1 * rng.normal(size=n)
        y = y - y.mean() if X is not raw else y + 2.0
        best = problem.optimum(X, y)
        est = LinearRegression(solver="lbfgs", max_iter=500, tol=1e-14,
                               **dask_ml_l2(n, alpha)).fit(
            da.from_array(X, chunks=(n // 2, d)), da.from_array(y, chunks=n // 2))
        theta = np.r_[est.intercept_, est.coef_]
        out.append(float(np.linalg.norm(theta - best) / np.linalg.norm(best)))
        if X is not raw:
            f_best = problem.objective(X, y, best)
            out.append(float((problem.objective(X, y, theta) - f_best) / f_best))
    return tuple(out)


def _dask_ml(solver, X, y, alpha, F, best, cap):
    from dask_ml.linear_model import LinearRegression

    kw = dask_ml_l2(X.shape[0], alpha)
    if alpha and solver == "gradient_descent":
        return {"method": f"dask-ml {solver}", "status": "drops the penalty (solves least "
                "squares: another problem)", "seconds": float("nan"), "rounds": "-"}
    previous, k, total, last = 0.0, 2, 0.0, None
    while total < cap:
        start = time.perf_counter()
        # its own stopping tests off: max_iter decides (admm's abstol/reltol replace tol)
        extra = {"solver_kwargs": {"abstol": 0.0, "reltol": 0.0}} if solver == "admm" else {}
        est = LinearRegression(solver=solver, max_iter=k, tol=0.0, **kw, **extra).fit(X, y)
        spent = time.perf_counter() - start
        total += spent
        theta = np.r_[est.intercept_, est.coef_]
        gap = (F(theta) - best) / best
        if gap <= TARGET:
            return {"method": f"dask-ml {solver}", "status": "ok", "seconds": spent,
                    "lower": previous, "rounds": f"max_iter={k}"}
        if last is not None and np.array_equal(theta, last):  # stopped by its own test
            return {"method": f"dask-ml {solver}", "status": f"stalls ({gap:.1e})",
                    "seconds": total, "rounds": f"max_iter={k}"}
        previous, k, last = spent, 2 * k, theta
        if total + 2 * spent > cap:  # the next fit (twice the iterations) would pass the cap
            break
    return {"method": f"dask-ml {solver}", "status": f"not reached ({gap:.1e})",
            "seconds": total, "rounds": f"max_iter={k // 2}"}


def _exact_newton(X, y, alpha, F, best):
    from dask_ml.linear_model import LinearRegression

    kw = dask_ml_l2(X.shape[0], alpha)
    start = time.perf_counter()
    est = LinearRegression(solver="newton", **kw).fit(X, y)
    spent = time.perf_counter() - start
    gap = (F(np.r_[est.intercept_, est.coef_]) - best) / best
    name = "dask-ml newton (exact)" if not alpha else \
        "dask-ml newton (drops the penalty: least squares)"
    return {"method": name, "status": f"gap {max(gap, 0):.1e}", "seconds": spent,
            "rounds": "-"}


def _crossover(X, y, d, best_iterative, say):
    """The one-pass normal equations' time on the first ``k`` columns for a few ``k``, fitted
    as ``a + b k^2`` (the pass's ``X^T X`` costs ``n k^2``), beside the best iterative time
    at ``d`` columns scaled by ``k / d`` (a round costs ``n k``; the rounds to the target
    taken as independent of ``k``, an assumption): the column count where they cross.
    Each time is the fastest of ``REPEATS`` passes: a single pass read 2.1 to 7.6 s at 100
    columns within one full run."""
    times = {}
    for k in sorted({max(2, d // 4), max(2, d // 2), d}):
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            _normal_equations(X[:, :k], y, 0.0)
            runs.append(time.perf_counter() - start)
        times[k] = min(runs)
    say(f"| columns | one-pass normal equations (s, fastest of {REPEATS}) |")
    say("|---|---|")
    for k, secs in times.items():
        say(f"| {k} | {secs:.2f} |")
    if best_iterative is None:
        return "No iterative method of ours reached the target: no crossover to compare."
    ks = np.array(list(times), dtype=float)
    a, b = np.linalg.lstsq(np.c_[np.ones_like(ks), ks ** 2], np.array(list(times.values())),
                           rcond=None)[0]
    per_column = best_iterative / d
    disc = per_column ** 2 - 4 * b * a
    if b <= 0 or disc < 0:  # no growth measured: the pass's overhead dominates
        which = "cheaper" if times[d] < best_iterative else "dearer"
        return (f"The exact answer ({times[d]:.1f} s at {d} columns) is {which} than the best "
                f"of ours ({best_iterative:.1f} s); its time did not grow with the columns "
                f"measured (the overhead of a pass dominates), so no crossover is estimated.")
    cross = (per_column + np.sqrt(disc)) / (2 * b)
    return (f"At {d} columns the exact answer takes {times[d]:.1f} s, the best of ours "
            f"{best_iterative:.1f} s; fitted, the exact answer stays cheaper up to about "
            f"{cross:.0f} columns (beyond, the iterative methods win, their rounds assumed "
            f"independent of the columns).")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--cap", type=float, default=None, help="seconds per method")
    args = parser.parse_args(argv)

    import dask
    import dask_ml
    from dask.distributed import Client, LocalCluster

    from benchmarks.replay import processor
    from graddescent import objective as O
    from graddescent import rules
    from graddescent.drivers import (
        DaskFullBatch,
        DaskLocalSGD,
        DaskS2GD,
        DaskSAG,
        DaskSAGA,
        DaskSARAH,
        DaskSARAHPlus,
        DaskSVRG,
    )
    from graddescent.drivers.distributed import DaskData
    from graddescent.problems import Problem

    n, d = (40_000, 20) if args.quick else (2_000_000, 100)
    cap = args.cap or (60.0 if args.quick else 300.0)
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        X, y = _data(n, d, chunks=4)
        X, y = dask.persist(X, y)
        say(f"# Least squares on a Dask cluster ({n} x {d}, 4 chunks, 2 single-thread workers)")
        say()
        say(f"processor: {processor()}, {os.cpu_count()} cores; "
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        say(f"dask {dask.__version__}, dask-ml {dask_ml.__version__}, target relative "
            f"suboptimality {TARGET:g}, cap {cap:g} s per method")
        mapping = check_l2_mapping()
        say(f"dask-ml's L2 with C = 1/(2 n alpha) on small standardised centred data: its "
            f"lbfgs optimum {mapping[0]:.1e} from ours (relative; objective gap "
            f"{mapping[1]:.1e}); on raw-scaled data with an intercept {mapping[2]:.1e} (another "
            f"problem)")
        start = time.perf_counter()
        data = DaskData(X, y, O.watched_stride)
        scan = time.perf_counter() - start
        methods = 2 * (9 + 4)
        say(f"Validation pass of DaskData (one pass, also accumulates X^T X): {scan:.1f} s. "
            f"Estimated run time: at most {methods} x {cap:g} s (every method to its cap) + "
            f"about {12 * scan:.0f} s of exact answers and column counts = "
            f"{(methods * cap + 12 * scan) / 60:.0f} min; typically a third of that.")
        best_ours = {}
        for alpha in (0.0, ALPHA):
            start = time.perf_counter()
            _, best, AtA, Aty, yty = _normal_equations(X, y, alpha)
            exact_time = time.perf_counter() - start
            F = _Objective(AtA, Aty, yty, n, alpha)
            problem = Problem(penalty="l2", alpha=alpha) if alpha else Problem()
            l_max = data.l_max
            H = data.hessian()
            eig = np.linalg.eigvalsh(H)
            top, low = float(eig[-1]) + alpha, float(eig[0]) + alpha
            root = np.sqrt(top / low)
            rows = []
            plain = rules.plain
            runs = [
                ("SVRG (dask_svrg)", DaskSVRG(), plain(0.5 / l_max)),
                # more local work per round, fewer rounds (the chunks resemble the whole)
                ("SVRG, 5 local passes (dask_svrg)", DaskSVRG(inner_iter=5 * (n // 4)),
                 plain(1.0 / l_max)),
                ("S2GD (dask_s2gd)", DaskS2GD(), plain(0.5 / l_max)),
                ("SARAH (dask_sarah)", DaskSARAH(), plain(0.5 / l_max)),
                ("SARAH+ (dask_sarah_plus)", DaskSARAHPlus(), plain(0.5 / l_max)),
                ("SAGA (dask_saga)", DaskSAGA(), plain(0.5 / l_max)),
                ("SAG (dask_sag)", DaskSAG(), plain(1.0 / (16 * l_max))),
                ("local SGD, batch 64 (dask_local_sgd)", DaskLocalSGD(batch_size=64),
                 plain(0.5 / l_max)),
                ("Nesterov, full batch (dask_full_batch)", DaskFullBatch(),
                 rules.nesterov(1.0 / top, momentum=(root - 1) / (root + 1))),
            ]
            for name, driver, rule in runs:
                rows.append(_ours(name, driver, rule, data, problem, F, best, cap))
                print(rows[-1], flush=True)
            for solver in ("admm", "lbfgs", "gradient_descent", "proximal_grad"):
                rows.append(_dask_ml(solver, X, y, alpha, F, best, cap))
                print(rows[-1], flush=True)
            rows.append(_exact_newton(X, y, alpha, F, best))
            rows.append({"method": "one-pass normal equations (exact)", "status": "exact",
                         "seconds": exact_time, "rounds": 1})
            say()
            say(f"## {'L2 penalty alpha = ' + format(alpha, 'g') if alpha else 'No penalty'}")
            say()
            say("| method | status | seconds to 1e-6 | communication rounds |")
            say("|---|---|---|---|")
            for r in rows:
                secs = "-" if r["seconds"] != r["seconds"] else f"{r['seconds']:.1f}"
                if "lower" in r:
                    secs += f" (> {r['lower']:.1f})"
                say(f"| {r['method']} | {r['status']} | {secs} | {r['rounds']} |")
            ours = [r["seconds"] for r in rows[:len(runs)] if r["status"] == "ok"]
            if ours:
                best_ours[alpha] = min(ours)
            theirs = [r["seconds"] for r in rows[len(runs):len(runs) + 4] if r["status"] == "ok"]
            say()
            if ours and theirs:
                say(f"Best of ours / best of dask-ml's iterative solvers: "
                    f"{min(ours) / min(theirs):.2f} (goal <= 0.5)")
            elif ours:
                say("None of dask-ml's iterative solvers reached the target within the cap.")
        say()
        say("## Where the exact answer is cheaper")
        say()
        say(_crossover(X, y, d, best_ours.get(0.0), say))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "distributed-quick.md" if args.quick else "distributed.md"
    (out / name).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

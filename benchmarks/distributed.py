"""Least squares on a Dask cluster: our distributed methods beside dask-ml's solvers.

One command, from the repository root::

    python -m benchmarks.distributed            # 2_000_000 x 100, 2 single-thread workers
    python -m benchmarks.distributed --quick    # 40_000 x 20, a minute
    python -m benchmarks.distributed --out DIR  # where distributed.md goes (benchmarks/results)

Data: generated as Dask arrays on the cluster (never written to disk), ``X = Z diag(s)`` with
``Z`` standard normal and the column scales ``s`` spread over 1.5 decades (the Hessian's
condition number about 1e3), ``y = X w + noise`` (no intercept: dask-ml penalises its intercept,
ours does not; with the optimum's intercept near 0 both are the same problem to about 1e-8);
4 chunks of rows (2 per worker).
Two problems: plain least squares, and with an L2 penalty ``alpha = 1e-4`` (the objective
``1/(2n) sum r_i^2 + alpha/2 ||w||^2``; dask-ml's ``C = 1 / (2 n alpha)`` is the same problem,
its intercept penalised too: checked against the exact answer below).

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
  (``X^T X``, ``X^T y`` in one pass, then a ``(d+1)``-square solve on this process).

Each method gets at most ``--cap`` seconds. The processor, ``uptime`` and the versions are
printed with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = 1e-6


def _data(n, d, chunks, seed=0):
    import dask.array as da

    rs = da.random.RandomState(seed)
    scales = np.logspace(0.0, -1.5, d)
    rows = -(-n // chunks)
    X = rs.standard_normal((n, d), chunks=(rows, d)) * scales
    w = np.random.default_rng(seed).normal(size=d)
    y = X @ w + 0.1 * rs.standard_normal(n, chunks=rows)
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
    """Time and rounds to the target, running one unit at a time (evaluation untimed)."""
    from graddescent.drivers import DaskFullBatch

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
        if isinstance(driver, DaskFullBatch):
            t = driver.run(data, None, theta, rule, rule_state, t, state, rng, 1)
            rounds += 1
        else:
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


def _penalty(X, alpha):
    """dask-ml's L2 options for our ``alpha`` (it has no unpenalised setting: ``C = 1e20``)."""
    return {"penalty": "l2", "C": 1.0 / (2 * X.shape[0] * alpha) if alpha else 1e20}


def _dask_ml(solver, X, y, alpha, F, best, cap):
    from dask_ml.linear_model import LinearRegression

    kw = _penalty(X, alpha)
    previous, k, total = 0.0, 2, 0.0
    while total < cap:
        start = time.perf_counter()
        est = LinearRegression(solver=solver, max_iter=k, tol=0.0, **kw).fit(X, y)
        spent = time.perf_counter() - start
        total += spent
        theta = np.r_[est.intercept_, est.coef_]
        gap = (F(theta) - best) / best
        if gap <= TARGET:
            return {"method": f"dask-ml {solver}", "status": "ok", "seconds": spent,
                    "lower": previous, "rounds": f"max_iter={k}"}
        previous, k = spent, 2 * k
    return {"method": f"dask-ml {solver}", "status": f"not reached ({gap:.1e})",
            "seconds": total, "rounds": f"max_iter={k // 2}"}


def _exact_newton(X, y, alpha, F, best):
    from dask_ml.linear_model import LinearRegression

    kw = _penalty(X, alpha)
    start = time.perf_counter()
    est = LinearRegression(solver="newton", **kw).fit(X, y)
    spent = time.perf_counter() - start
    gap = (F(np.r_[est.intercept_, est.coef_]) - best) / best
    return {"method": "dask-ml newton (exact)", "status": f"gap {max(gap, 0):.1e}",
            "seconds": spent, "rounds": "-"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--cap", type=float, default=None, help="seconds per method")
    args = parser.parse_args(argv)

    import dask
    import dask_ml
    from dask.distributed import Client, LocalCluster

    from graddescent import objective as O
    from graddescent import rules
    from graddescent.drivers import (
        DaskFullBatch,
        DaskLocalSGD,
        DaskSAG,
        DaskSAGA,
        DaskSARAH,
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
        say(f"processor: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        say(f"dask {dask.__version__}, dask-ml {dask_ml.__version__}, target relative "
            f"suboptimality {TARGET:g}, cap {cap:g} s per method")
        for alpha in (0.0, 1e-4):
            start = time.perf_counter()
            _, best, AtA, Aty, yty = _normal_equations(X, y, alpha)
            exact_time = time.perf_counter() - start
            F = _Objective(AtA, Aty, yty, n, alpha)
            problem = Problem(penalty="l2", alpha=alpha) if alpha else Problem()
            start = time.perf_counter()
            data = DaskData(X, y, O.watched_stride)
            scan = time.perf_counter() - start
            l_max = data.l_max
            H = data.hessian()
            eig = np.linalg.eigvalsh(H)
            top, low = float(eig[-1]) + alpha, float(eig[0]) + alpha
            root = np.sqrt(top / low)
            rows = []
            plain = rules.plain
            runs = [
                ("SVRG (dask_svrg)", DaskSVRG(), plain(0.5 / l_max)),
                ("SARAH (dask_sarah)", DaskSARAH(), plain(0.5 / l_max)),
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
            say(f"Validation pass of DaskData (also accumulates X^T X): {scan:.1f} s")
            say()
            say("| method | status | seconds to 1e-6 | communication rounds |")
            say("|---|---|---|---|")
            for r in rows:
                secs = f"{r['seconds']:.1f}"
                if "lower" in r:
                    secs += f" (> {r['lower']:.1f})"
                say(f"| {r['method']} | {r['status']} | {secs} | {r['rounds']} |")
            ours = [r["seconds"] for r in rows[:len(runs)] if r["status"] == "ok"]
            theirs = [r["seconds"] for r in rows[len(runs):len(runs) + 4] if r["status"] == "ok"]
            if ours and theirs:
                say()
                say(f"Best of ours / best of dask-ml's iterative solvers: "
                    f"{min(ours) / min(theirs):.2f} (goal <= 0.5)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "distributed-quick.md" if args.quick else "distributed.md"
    (out / name).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Dask input: full-batch fits as distributed reductions, dask-ml's Incremental, and no import
of Dask without Dask input. Each test starts its own small in-process LocalCluster."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from graddescent import GDRegressor

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


@pytest.fixture
def client():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _problem(n=400, d=3, seed=0, noise=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 2.0, 0.5][:d]
    y = 1.0 + X @ np.array([1.5, -0.5, 2.0])[:d] + noise * rng.normal(size=n)
    return X, y


CASES = [("gd", {}), ("mgd", {}), ("agd", {}), ("rprop", {}),
         ("adam", {"batch_size": "full"})]


@pytest.mark.parametrize("method,kw", CASES)
def test_full_batch_on_a_chunked_dask_array_equals_the_numpy_fit(client, method, kw):
    X, y = _problem()
    kw = dict(kw, max_iter=60, tol=None, random_state=0)
    ref = GDRegressor(method, **kw).fit(X, y)
    got = GDRegressor(method, **kw).fit(da.from_array(X, chunks=(97, 3)),
                                        da.from_array(y, chunks=97))
    assert_allclose(got.coef_, ref.coef_, rtol=0, atol=1e-10)
    assert abs(got.intercept_ - ref.intercept_) <= 1e-10
    assert got.t_ == ref.t_ == 60
    assert got.learning_rate_ == pytest.approx(ref.learning_rate_, rel=1e-12)
    assert_allclose(got.loss_curve_, ref.loss_curve_, rtol=1e-12)


PROBLEM_CASES = [("gd", {"penalty": "l2", "alpha": 0.1}),
                 ("adam", {"batch_size": "full", "penalty": "l1", "alpha": 0.05}),
                 ("gd", {"loss": "huber", "epsilon": 0.5, "penalty": "elasticnet",
                         "alpha": 0.05, "fit_intercept": False})]


@pytest.mark.parametrize("method,kw", PROBLEM_CASES)
def test_full_batch_on_dask_runs_the_penalised_problems_as_in_memory(client, method, kw):
    # the loss and the penalty on Dask: the same iterates and watched objective (penalty
    # included) as the in-memory fit of the same problem
    X, y = _problem()
    kw = dict(kw, max_iter=40, tol=None, random_state=0)
    ref = GDRegressor(method, **kw).fit(X, y)
    got = GDRegressor(method, **kw).fit(da.from_array(X, chunks=(97, 3)),
                                        da.from_array(y, chunks=97))
    assert_allclose(got.coef_, ref.coef_, rtol=0, atol=1e-10)
    assert abs(got.intercept_ - ref.intercept_) <= 1e-10
    assert_allclose(got.loss_curve_, ref.loss_curve_, rtol=1e-10)
    if kw.get("penalty") == "l1":
        assert np.array_equal(got.coef_ == 0, ref.coef_ == 0)


WEIGHTED_CASES = [("gd", {}), ("agd", {"penalty": "l2", "alpha": 0.1}),
                  ("adam", {"batch_size": "full"})]


@pytest.mark.parametrize("method,kw", WEIGHTED_CASES)
def test_weighted_full_batch_on_dask_equals_repeated_rows_and_the_in_memory_fit(client, method,
                                                                                kw):
    # integer weights (zeros included) count a row that many times: the same steps as the
    # repeated rows, the weights normalised by their global sum (not per chunk); the learning
    # rate "auto" and the watched objective from the weighted statistics
    X, y = _problem(n=200)
    w = np.random.default_rng(5).integers(0, 4, 200).astype(float)
    rep = np.repeat(np.arange(200), w.astype(int))
    kw = dict(kw, max_iter=40, tol=None, random_state=0)
    got = GDRegressor(method, **kw).fit(da.from_array(X, chunks=(57, 3)),
                                        da.from_array(y, chunks=57), sample_weight=w)
    repeated = GDRegressor(method, **kw).fit(X[rep], y[rep])
    ref = GDRegressor(method, **kw).fit(X, y, sample_weight=w)
    for other in (repeated, ref):
        assert_allclose(got.coef_, other.coef_, rtol=0, atol=1e-10)
        assert abs(got.intercept_ - other.intercept_) <= 1e-10
        assert got.learning_rate_ == pytest.approx(other.learning_rate_, rel=1e-12)
    assert_allclose(got.loss_curve_, ref.loss_curve_, rtol=1e-10)
    unweighted = GDRegressor(method, **kw).fit(X, y)
    assert np.max(np.abs(got.coef_ - unweighted.coef_)) > 1e-3


def test_dask_weights_are_rechunked_to_the_rows_of_x(client):
    # a Dask array chunked otherwise, a Dask series and a NumPy array: the same fit
    dd = pytest.importorskip("dask.dataframe")
    X, y = _problem(n=120)
    w = np.random.default_rng(1).uniform(0.5, 2.0, 120)
    Xd, yd = da.from_array(X, chunks=(40, 3)), da.from_array(y, chunks=40)
    fits = [GDRegressor(max_iter=5, tol=None).fit(Xd, yd, sample_weight=sw).coef_
            for sw in (w, da.from_array(w, chunks=25), dd.from_pandas(pd.Series(w),
                                                                      npartitions=7))]
    for coef in fits[1:]:
        assert np.array_equal(coef, fits[0])
    # weights all equal are no weights, as in memory
    flat = GDRegressor(max_iter=5, tol=None).fit(Xd, yd, sample_weight=np.full(120, 3.0))
    assert np.array_equal(flat.coef_, GDRegressor(max_iter=5, tol=None).fit(Xd, yd).coef_)


@pytest.mark.parametrize("change,message", [
    (lambda w: np.r_[w, 1.0], r"sample_weight has 41 values but X has 40 rows"),
    (lambda w: np.where(np.arange(40) == 27, -1.0, w), r"sample_weight must be finite and "
                                                        r">= 0; row 27 has -1\.0"),
    (lambda w: np.where(np.arange(40) == 31, np.nan, w), r"sample_weight .* row 31 has nan"),
    (lambda w: 0.0 * w, r"sample_weight must not be all zero"),
    (lambda w: w.astype(str), r"sample_weight must hold real numbers"),
], ids=["length", "negative", "nan", "zero", "text"])
def test_bad_dask_weights_are_refused_naming_sample_weight(client, change, message):
    X, y = _problem(n=40)
    w = change(np.ones(40) + np.arange(40) % 2)
    for method in ("gd", "sgd"):  # the full-batch driver and the rounds
        with pytest.raises((ValueError, TypeError), match=message):
            GDRegressor(method).fit(da.from_array(X, chunks=10), da.from_array(y, chunks=10),
                                    sample_weight=da.from_array(w, chunks=15)
                                    if w.dtype.kind == "f" else w)


def test_dask_full_batch_watches_the_penalised_objective_without_an_extra_pass(client):
    from graddescent import objective as O
    from graddescent import rules
    from graddescent.drivers import DaskFullBatch, Optimizer
    from graddescent.drivers.distributed import DaskData
    from graddescent.problems import Problem

    X, y = _problem()
    problem = Problem(penalty="l2", alpha=0.5)
    data = DaskData(da.from_array(X, chunks=(97, 3)), da.from_array(y, chunks=97),
                    O.watched_stride)
    opt = Optimizer(rules.plain(0.1), DaskFullBatch(), np.zeros(4), 400, problem)
    for units in (5, 3):
        opt.run(data, None, units, np.random.default_rng(0))
    # one pass at the start (the divergence reference), then one per step, the last pass of
    # each run giving the watched value and the next run's first gradient
    assert data.passes == 1 + 8 + 1
    assert opt.driver_state.rounds == 9
    want = problem.objective(X, y, opt.theta)
    assert opt._watch(data, None, opt.theta) == pytest.approx(want, rel=1e-12)
    assert data.passes == 10  # remembered, not computed again
    assert want - Problem().objective(X, y, opt.theta) > 0.01  # the penalty is in it


def test_dask_dataframe_with_default_stopping(client):
    dd = pytest.importorskip("dask.dataframe")
    X, y = _problem()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    ref = GDRegressor("agd").fit(frame, y)
    got = GDRegressor("agd").fit(dd.from_pandas(frame, npartitions=3),
                                 dd.from_pandas(pd.Series(y), npartitions=3))
    assert got.n_iter_ == ref.n_iter_
    assert_allclose(got.coef_, ref.coef_, rtol=0, atol=1e-10)
    assert list(got.feature_names_in_) == ["a", "b", "c"]
    assert_allclose(got.predict(dd.from_pandas(frame, npartitions=3)).compute(),
                    ref.predict(frame), rtol=0, atol=1e-9)


def test_sampling_methods_run_where_the_chunks_are(client):
    from graddescent.drivers.chunks import RoundsDriver

    X, y = _problem(n=40)
    for method in ("svrg", "sgd", "sagd"):
        est = GDRegressor(method, max_iter=2, tol=None).fit(da.from_array(X, chunks=10),
                                                            da.from_array(y, chunks=10))
        assert isinstance(est._optimizer.driver, RoundsDriver)


def test_nan_in_a_dask_chunk_names_the_row(client):
    X, y = _problem(n=40)
    X[33, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinity \(row 33\)"):
        GDRegressor().fit(da.from_array(X, chunks=10), da.from_array(y, chunks=10))


@pytest.mark.parametrize("method,kw", [("sgd", {}), ("adam", {}), ("mbgd", {"batch_size": 10})])
def test_dask_ml_incremental(client, method, kw):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = _problem(n=4000, noise=0.0)
    Xd, yd = da.from_array(X, chunks=(500, 3)), da.from_array(y, chunks=500)
    inc = wrappers.Incremental(GDRegressor(method, random_state=0, **kw)).fit(Xd, yd)
    pred = inc.predict(Xd).compute()
    r2 = 1 - np.sum((pred - y) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.99
    assert inc.estimator_.t_ > 0
    # the scoring path users have: the fitted estimator's score on the Dask arrays (dask-ml
    # 2025.1's Incremental.score fails on dask 2026.x; docs/user_guide/distributed.md says so)
    assert inc.estimator_.score(Xd, yd) == pytest.approx(r2, rel=1e-9)


def test_import_graddescent_does_not_import_dask():
    code = ("import sys, numpy as np, graddescent\n"
            "from graddescent import GDRegressor\n"
            "X = np.random.default_rng(0).normal(size=(30, 2))\n"
            "GDRegressor(max_iter=3, tol=None).fit(X, X[:, 0]).predict(X)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed', 'dask_ml', 'dask_expr')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_compare_scheduler_runs_the_grid_on_the_cluster(tmp_path, capsys):
    from graddescent import cli

    # two threads: joblib runs the tasks itself when the cluster has a single one
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        code = cli.main(["compare", "--data", "mackey_glass", "--methods", "gd", "sgd",
                         "--seeds", "2", "--max-iter", "5", "--out", str(tmp_path), "--quiet",
                         "--no-plots", "--scheduler", cluster.scheduler_address])
        assert code == 0, capsys.readouterr().err
        executed = sum(w.state.executed_count for w in cluster.workers.values())
    results = pd.read_csv(tmp_path / "results.csv")
    assert len(results) == 4 and (results["status"] == "ok").all()
    assert executed >= 1  # the grid's runs were tasks on the cluster's worker


def test_compare_scheduler_unreachable_is_one_line(tmp_path, capsys):
    import dask

    from graddescent import cli

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = cli.main(["compare", "--data", "mackey_glass", "--methods", "gd", "--seeds",
                         "1", "--max-iter", "2", "--out", str(tmp_path), "--quiet",
                         "--no-plots", "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_partial_fit_after_a_dask_fit_continues_in_memory(client):
    X, y = _problem(n=40)
    est = GDRegressor("gd", max_iter=5, tol=None).fit(da.from_array(X, chunks=10),
                                                      da.from_array(y, chunks=10))
    ref = GDRegressor("gd", max_iter=5, tol=None).fit(X, y)
    assert_allclose(est.partial_fit(X, y).coef_, ref.partial_fit(X, y).coef_, rtol=0,
                    atol=1e-12)


@pytest.mark.parametrize("method", ["svrg", "sgd"])
def test_the_auto_rate_on_dask_counts_the_l2_part(client, method):
    # learning_rate="auto" is a multiple of 1 / L_max; with an L2 part L_max grows by l2 (as in
    # memory), so a strong ridge shrinks the step by l_max / (l_max + l2)
    X, y = _problem()
    Xd, yd = da.from_array(X, chunks=(100, 3)), da.from_array(y, chunks=100)
    kw = dict(max_iter=1, tol=None, random_state=0)
    plain = GDRegressor(method, **kw).fit(Xd, yd).learning_rate_
    ridge = GDRegressor(method, penalty="l2", alpha=5.0, **kw).fit(Xd, yd).learning_rate_
    l_max = float((1.0 + np.einsum("ij,ij->i", X, X)).max())
    assert ridge / plain == pytest.approx(l_max / (l_max + 5.0), rel=1e-12)

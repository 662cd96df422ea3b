"""The stochastic drivers that run where the Dask chunks are (SVRG, S2GD, SARAH, SAG, SAGA,
local SGD): one chunk equals the in-memory method bit for bit; several chunks reach the
(penalised) optimum; one seed gives one result whatever the workers; a lost worker does not
corrupt a fit. Small data on in-process LocalClusters."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from graddescent import objective as O
from graddescent import rules
from graddescent.drivers import (
    S2GD,
    SAG,
    SAGA,
    SARAH,
    SVRG,
    DaskLocalSGD,
    DaskS2GD,
    DaskSAG,
    DaskSAGA,
    DaskSARAH,
    DaskSARAHPlus,
    DaskSVRG,
    MiniBatch,
    Optimizer,
    SARAHPlus,
)
from graddescent.drivers.distributed import DaskData
from graddescent.problems import Problem

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


def _cluster(workers):
    return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                                    dashboard_address=None)


@pytest.fixture(scope="module")
def client():
    with _cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


def _data(n=480, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, 1] += 0.5 * X[:, 0]  # correlated columns
    y = 1.0 + X @ np.linspace(1.0, -1.0, d) + 0.3 * rng.normal(size=n)
    return X, y


def _dask(X, y, chunk, w=None):
    return DaskData(da.from_array(X, chunks=(chunk, X.shape[1])), da.from_array(y, chunks=chunk),
                    O.watched_stride, sample_weight=w)


def _weights(n=480, seed=3):
    """Integer weights 0 to 3 (zeros included)."""
    return np.random.default_rng(seed).integers(0, 4, n).astype(float)


def _fit(driver, rule, X, y, units, seed=7, problem=None):
    opt = Optimizer(rule, driver, np.zeros(X.shape[1] + 1), X.shape[0], problem)
    return opt.run(X, y, units, np.random.default_rng(seed)).copy(), opt


# (distributed driver, its rounds, in-memory driver, its units for the same work)
N = 480
PAIRS = [
    (DaskSVRG(option=1), 3, SVRG(option=1), 3),
    (DaskSVRG(option=2, inner_iter=50), 3, SVRG(option=2, inner_iter=50), 3),
    (DaskS2GD(nu=0.5, inner_iter=60), 3, S2GD(nu=0.5, inner_iter=60), 3),
    (DaskSARAH(), 3, SARAH(), 3),
    (DaskSARAHPlus(), 3, SARAHPlus(), 3),
    (DaskSAG(), 2, SAG(), 2 * N),
    (DaskSAG(divide="n", local_steps=100), 3, SAG(divide="n"), 300),
    (DaskSAGA(), 2, SAGA(), 2 * N),
    (DaskLocalSGD(), 2, MiniBatch(batch_size=1), 2 * N),
    (DaskLocalSGD(batch_size=16, local_steps=7), 4, MiniBatch(batch_size=16), 28),
]


@pytest.mark.parametrize("make_rule", [rules.plain, rules.adam], ids=["plain", "adam"])
@pytest.mark.parametrize("dist,rounds,mem,units", PAIRS, ids=lambda v: getattr(v, "name", ""))
def test_one_chunk_is_the_in_memory_method_bit_for_bit(client, dist, rounds, mem, units,
                                                       make_rule):
    X, y = _data()
    lr = 0.05 / O.l_max(X)
    rule = make_rule(lr)
    got, opt = _fit(dist, rule, _dask(X, y, N), None, rounds)
    child = np.random.default_rng(7).spawn(1)[0]  # chunk 0's stream: child 0 of the fit's
    ref = Optimizer(rule, mem, np.zeros(5), N)
    want = ref.run(X, y, units, child)
    assert np.array_equal(got, want), (got, want)
    assert opt.t == ref.t
    assert np.array_equal(opt.rule_state, ref.rule_state)


# one per family of chunk task (snapshot, recursive, table, local steps), plain rule
WEIGHTED_PAIRS = [PAIRS[0], PAIRS[3], PAIRS[5], PAIRS[7], PAIRS[8]]


@pytest.mark.parametrize("dist,rounds,mem,units", WEIGHTED_PAIRS,
                         ids=lambda v: getattr(v, "name", ""))
def test_one_weighted_chunk_is_the_in_memory_weighted_method_bit_for_bit(client, dist, rounds,
                                                                         mem, units):
    # the chunk's record carries the rows' weights scaled by the global sum: on one chunk,
    # the in-memory record's weights to the bit
    X, y = _data()
    w = _weights()
    rule = rules.plain(0.05 / O.l_max(X))
    got, opt = _fit(dist, rule, _dask(X, y, N, w), None, rounds)
    ref = Optimizer(rule, mem, np.zeros(5), N)
    want = ref.run(X, y, units, np.random.default_rng(7).spawn(1)[0], w)
    assert np.array_equal(got, want), (got, want)
    assert opt.t == ref.t
    unweighted = _fit(dist, rule, _dask(X, y, N), None, rounds)[0]
    assert np.max(np.abs(got - unweighted)) > 1e-3  # the weights changed the steps


def _suboptimality(problem, X, y, theta, w=None):
    best = problem.objective(X, y, problem.optimum(X, y, w), w)
    return (problem.objective(X, y, theta, w) - best) / best


# SAG's stale global mean (the other chunks' part enters every local step) needs the smaller
# step; measured: 0.3 / L_max still converges, 0.5 / L_max diverges on this problem
CONVERGING = [(DaskSVRG(), 0.3, 25), (DaskSARAH(), 0.3, 30), (DaskS2GD(), 0.3, 30),
              (DaskSARAHPlus(), 0.3, 40),
              (DaskSAG(), 0.1, 50), (DaskSAGA(), 0.3, 45)]


@pytest.mark.parametrize("penalty", [None, "l2"])
@pytest.mark.parametrize("driver,step,rounds", CONVERGING, ids=lambda v: getattr(v, "name", ""))
def test_several_chunks_reach_the_optimum(client, driver, step, rounds, penalty):
    X, y = _data()
    problem = Problem(penalty=penalty, alpha=0.05) if penalty else Problem()
    theta, opt = _fit(driver, rules.plain(step / O.l_max(X)), _dask(X, y, 120), None, rounds,
                      problem=problem)
    assert _suboptimality(problem, X, y, theta) <= 1e-8
    assert opt.driver_state.rounds >= rounds


@pytest.mark.parametrize("driver,step,rounds", [CONVERGING[0], CONVERGING[5]],
                         ids=lambda v: getattr(v, "name", ""))
def test_several_weighted_chunks_reach_the_weighted_optimum(client, driver, step, rounds):
    # weights normalised by their global sum: the fixed point is the optimum of the weighted
    # objective of the whole data (integer weights: that of the repeated rows)
    X, y = _data()
    w = _weights()
    problem = Problem(penalty="l2", alpha=0.05)
    lr = step / problem.l_max(X, w)
    theta, _ = _fit(driver, rules.plain(lr), _dask(X, y, 120, w), None, rounds,
                    problem=problem)
    assert _suboptimality(problem, X, y, theta, w) <= 1e-8
    rep = np.repeat(np.arange(N), w.astype(int))
    assert np.max(np.abs(theta - problem.optimum(X[rep], y[rep]))) <= 1e-5


def test_local_sgd_approaches_the_optimum(client):
    X, y = _data()
    problem = Problem()
    theta, _ = _fit(DaskLocalSGD(batch_size=8), rules.plain(0.5 / O.l_max(X)),
                    _dask(X, y, 120), None, 25)
    assert _suboptimality(problem, X, y, theta) <= 1e-3


def test_local_sgd_epoch_counts_the_rounds_of_the_largest_chunk(client):
    # 4 chunks of 120 rows, batches of 8: 15 local steps make a chunk's pass; H = 4 local
    # steps per round: 4 rounds per epoch (not 15 * 4 / 4 = 15, as on one chunk of 480 rows)
    X, y = _data()
    driver = DaskLocalSGD(batch_size=8, local_steps=4)
    assert driver.units_per_epoch(N, chunk_rows=120) == 4.0
    assert driver.units_per_epoch(N) == 15.0  # one chunk of all the rows
    opt = Optimizer(rules.plain(0.1 / O.l_max(X)), driver, np.zeros(5), N)
    opt.run_epochs(_dask(X, y, 120), None, 2, np.random.default_rng(0))
    assert opt.driver_state.rounds == 8
    assert opt.units == 8  # the optimizer counts the rounds the driver ran
    assert driver.epoch_units(_dask(X, y, 120)) == 4
    assert opt.t == 2 * 4 * 4  # each round advances the step count by H


@pytest.mark.parametrize("driver", [DaskSVRG(), DaskSAGA(), DaskLocalSGD(batch_size=4)],
                         ids=lambda v: v.name)
def test_same_seed_same_bits_with_1_2_4_workers_and_the_local_scheduler(driver):
    import dask

    X, y = _data()
    rule = rules.plain(0.1 / O.l_max(X))
    results = []
    for workers in (1, 2, 4):
        with _cluster(workers) as cluster, distributed.Client(cluster):
            results.append(_fit(driver, rule, _dask(X, y, 120), None, 3)[0])
    with dask.config.set(scheduler="threads"):
        results.append(_fit(driver, rule, _dask(X, y, 120), None, 3)[0])
    for other in results[1:]:
        assert np.array_equal(results[0], other)
    assert not np.array_equal(results[0], _fit(driver, rule, _dask(X, y, 120), None, 3,
                                               seed=8)[0])


def test_a_worker_lost_mid_fit_does_not_corrupt_the_result():
    X, y = _data(n=4000)
    rule = rules.plain(0.2 / O.l_max(X))
    with _cluster(2) as cluster, distributed.Client(cluster):
        want = _fit(DaskSVRG(), rule, _dask(X, y, 500), None, 40)[0]
    with _cluster(2) as cluster, distributed.Client(cluster) as c:
        data = _dask(X, y, 500)
        opt = Optimizer(rule, DaskSVRG(), np.zeros(5), 4000)
        out = {}

        def fit():
            try:
                out["theta"] = opt.run(data, None, 40, np.random.default_rng(7)).copy()
            except Exception as exc:  # noqa: BLE001 (what the fit raised is the check)
                out["error"] = exc

        worker = threading.Thread(target=fit)
        worker.start()
        while opt.driver_state.rounds < 10 and worker.is_alive():
            time.sleep(0.001)
        assert worker.is_alive()  # the worker goes while the fit runs
        victim = list(cluster.workers.values())[0]
        c.sync(victim.close)
        worker.join(120)
        lost_at = opt.driver_state.rounds
    assert not worker.is_alive()
    assert 10 <= lost_at
    if "error" in out:
        assert isinstance(out["error"], RuntimeError)
        assert "communication round" in str(out["error"])
    else:  # the lost tasks ran again elsewhere: pure functions of their inputs
        assert np.array_equal(out["theta"], want)


def test_gdregressor_fits_every_method_on_dask(client):
    from graddescent import GDRegressor
    from graddescent._registry import METHODS
    from graddescent.drivers.chunks import RoundsDriver
    from graddescent.drivers.distributed import DaskFullBatch

    X, y = _data(n=240)
    best = Problem().optimum(X, y)
    Xd, yd = da.from_array(X, chunks=(60, 4)), da.from_array(y, chunks=60)
    for method in METHODS:
        est = GDRegressor(method, max_iter=4, tol=None, random_state=0).fit(Xd, yd)
        assert isinstance(est._optimizer.driver, (RoundsDriver, DaskFullBatch)), method
        assert len(est.loss_curve_) == 4 and np.all(np.isfinite(est.coef_)), method
    for method in ("svrg", "sarah"):  # the variance-reduced ones to the optimum
        est = GDRegressor(method, max_iter=25, tol=None, random_state=0).fit(Xd, yd)
        assert np.max(np.abs(np.r_[est.intercept_, est.coef_] - best)) <= 1e-6, method

"""Full passes on several threads: the same bits on 1 and 2 threads, the blocks fixed.

Every pass over all the rows of a large ``X`` cuts them into blocks of ``BLOCK_ROWS`` rows and
adds the blocks' partial sums in block order (graddescent._jit.blocks), so the number of numba
threads changes no bit. The data here have six blocks (five whole and a short one); the
cut-over is lowered to them (``threads.cutover``) to keep the tests quick.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numba
import numpy as np
import pytest

from graddescent import METHODS, GDRegressor, rules, threads
from graddescent import drivers as D
from graddescent import objective as O
from graddescent._jit import BLOCK_ROWS
from graddescent.problems import Problem

pytestmark = [
    pytest.mark.skipif(numba.config.DISABLE_JIT, reason="numba's threads run compiled code"),
    pytest.mark.skipif(threads.available() < 2, reason="needs 2 numba threads "
                       "(NUMBA_NUM_THREADS >= 2)"),
]

N, P = 5 * BLOCK_ROWS + 7, 8  # five whole blocks and a short one


@pytest.fixture(scope="module", autouse=True)
def large():
    """``X`` of ``N`` rows is large (its passes in blocks on numba's threads)."""
    with threads.cutover(BLOCK_ROWS * P):
        yield


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((N, P)) / np.sqrt(P)  # rows of norm about 1: every default rate
    y = X @ rng.standard_normal(P) + 0.5 + 0.1 * rng.standard_normal(N)
    return X, y


def on_threads(fn):
    """``[fn() on 1 thread, fn() on 2 threads]``."""
    out = []
    for k in (1, 2):
        with threads.limit(k):
            out.append(fn())
    return out


def assert_same_bits(a, b):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_threads_are_used_and_restored():
    before = numba.get_num_threads()
    with threads.limit(1) as k:
        assert k == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    assert threads.resolve(-1) == threads.available()
    with pytest.raises(ValueError, match="n_jobs"):
        threads.resolve(0)


def test_threadpoolctl_limits_numba(data):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X, y = data
    O.objective(X, y, np.zeros(P + 1))  # numba's pool started: threadpoolctl can find it
    with threadpoolctl.threadpool_limits(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() >= 2


def test_objectives_gradients_scan_and_predictions(data):
    X, y = data
    z = np.linspace(-1, 1, P + 1)

    def passes():
        g = np.empty(P + 1)
        f = O.full_gradient_blocked(X, y, z, g)
        return (f, g, O.objective_value(X, y, z), O.scan(X), O.predict(X, z[1:], z[0]),
                O.watched(X, y, z))

    one, two = on_threads(passes)
    for a, b in zip(one, two, strict=True):
        assert_same_bits(a, b)
    assert one[0] == one[2]  # the objective is the gradient pass's sum
    r = X @ z[1:] + z[0] - y
    np.testing.assert_allclose(one[0], 0.5 * r @ r / N, rtol=1e-13)
    np.testing.assert_allclose(one[1], np.r_[r.sum(), X.T @ r] / N, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(one[4], X @ z[1:] + z[0], rtol=1e-13, atol=1e-13)
    assert one[3][1] == -1
    np.testing.assert_allclose(one[3][0], np.max(np.einsum("ij,ij->i", X, X)), rtol=1e-14)


def test_scan_finds_the_first_bad_row_in_a_later_block(data):
    X, _ = data
    bad = X.copy()
    bad[3 * BLOCK_ROWS + 11, 2] = np.nan
    bad[4 * BLOCK_ROWS + 1, 0] = np.inf
    one, two = on_threads(lambda: O.scan(bad))
    assert one == two and one[1] == 3 * BLOCK_ROWS + 11


@pytest.mark.parametrize("problem", [
    Problem("huber", penalty="elasticnet", alpha=1e-3),
    Problem(penalty="l2", alpha=1e-2, fit_intercept=False),
], ids=["huber-elasticnet", "l2-no-intercept"])
def test_problem_objectives(data, problem):
    X, y = data
    w = np.random.default_rng(1).random(N)
    theta = np.linspace(-0.5, 0.5, P + 1)
    one, two = on_threads(lambda: (problem.objective(X, y, theta),
                                   problem.objective(X, y, theta, w)))
    assert one == two


FULL_BATCH = [name for name, m in METHODS.items() if m.make_driver().is_full_batch(N)]
SNAPSHOTS = [name for name, m in METHODS.items()
             if isinstance(m.make_driver(), (D.SVRG, D.S2GD, D.SARAH))]


@pytest.mark.parametrize("name", FULL_BATCH + SNAPSHOTS)
def test_every_full_pass_method(data, name):
    """Every full-batch method and every snapshot method (SVRG, S2GD, SARAH, SARAH+): the same
    iterates on 1 and 2 threads (the snapshot methods' inner loops shortened)."""
    X, y = data
    method = METHODS[name]
    driver = method.make_driver()
    if isinstance(driver, (D.SVRG, D.S2GD, D.SARAH)):
        driver = dataclasses.replace(driver, inner_iter=50)
    rule = method.make_rule()

    def fit():
        opt = D.Optimizer(rule, driver, np.zeros(P + 1), N)
        thetas = opt.run_epochs(X, y, 3, np.random.default_rng(0))
        return thetas, opt.objectives

    one, two = on_threads(fit)
    assert_same_bits(one[0], two[0])
    assert_same_bits(one[1], two[1])
    assert np.isfinite(one[0]).all()


@pytest.mark.parametrize("problem", [
    Problem("huber"), Problem(penalty="l1", alpha=1e-3)], ids=["huber", "lasso"])
def test_full_batch_and_svrg_on_problems(data, problem):
    X, y = data
    w = np.random.default_rng(2).random(N)
    for driver in (D.FullBatch(), D.SVRG(inner_iter=50)):
        def fit(driver=driver):
            return D.optimize(X, y, rules.plain(0.05), driver, np.zeros(P + 1), 3,
                              np.random.default_rng(0), problem=problem, sample_weight=w)

        one, two = on_threads(fit)
        assert_same_bits(one, two)


def test_estimator_fit_validation_and_predict(data):
    X, y = data

    def fit():
        est = GDRegressor(method="gd", max_iter=5, tol=None, early_stopping=True,
                          random_state=0).fit(X, y)
        return est.coef_, est.intercept_, est.predict(X)

    one, two = on_threads(fit)
    for a, b in zip(one, two, strict=True):
        assert_same_bits(a, b)


SMALL_FIT = """
import numpy as np
from graddescent import GDRegressor, objective as O
from graddescent.problems import engine
rng = np.random.default_rng(0)
X = rng.standard_normal((200, 3)); y = X @ np.ones(3)
for method in ("gd", "svrg", "sarah"):
    GDRegressor(method=method, max_iter=2, tol=None, random_state=0).fit(X, y).predict(X)
parallel = [O._gradient_blocks, O._loss_blocks, O._scan_blocks, O.predict_blocked,
            engine._generic_blocks, engine._generic_loss_blocks]
print(sum(len(k.signatures) for k in parallel))
"""


def test_small_data_never_compile_a_parallel_kernel():
    """The blocked record and kernels are picked in Python: a fit on small data neither
    compiles nor loads a parallel kernel (a fresh process; numba's cache may be warm)."""
    out = subprocess.run([sys.executable, "-c", SMALL_FIT], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split()[-1] == "0", out.stdout + out.stderr


def test_cutover_setting():
    assert threads.parallel_min_values() == BLOCK_ROWS * P  # the module's fixture
    with threads.cutover(5) as k:
        assert k == 5 and threads.parallel_min_values() == 5
    assert threads.parallel_min_values() == BLOCK_ROWS * P
    with pytest.raises(ValueError, match="values"):
        with threads.cutover(0):
            pass

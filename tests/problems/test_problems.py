"""The problem axis: losses, penalties, weights, the intercept, averaging.

Reference optimima come from independent solvers: ``Ridge(solver="cholesky")`` (``alpha_R =
sum(s) * alpha``), ``Lasso`` / ``ElasticNet`` at ``tol=1e-12``, scipy's L-BFGS on the smooth
losses' objective; each method that converges reaches them to 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import well_conditioned
from scipy.optimize import minimize
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.preprocessing import StandardScaler

from graddescent import drivers as D
from graddescent import objective as O
from graddescent import rules
from graddescent.datasets import load_diabetes
from graddescent.problems import LOSSES, PENALTIES, Problem


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float)
    return X, (y - y.mean()) / y.std()


@pytest.fixture(scope="module")
def generated():
    X, y, _ = well_conditioned(n=300, d=6, noise=0.5, seed=4)
    return X, y


DATA = ["diabetes", "generated"]


def _data(request, name):
    return request.getfixturevalue(name)


def _rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _objective_numpy(problem, X, y, theta, sample_weight=None):
    """F from its definition (scikit-learn's scaling), independent of the package's kernels."""
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    b = theta[0] if problem.fit_intercept else 0.0
    r = b + X @ theta[1:] - y
    loss = LOSSES[problem.loss].reference_value(r, problem.epsilon)
    ratio = {None: None, "l2": 0.0, "l1": 1.0, "elasticnet": problem.l1_ratio}[problem.penalty]
    w = theta[1:]
    pen = 0.0 if ratio is None else problem.alpha * (ratio * np.abs(w).sum()
                                                     + 0.5 * (1 - ratio) * w @ w)
    return float(s @ loss / s.sum() + pen)


# --- the problem itself ------------------------------------------------------------------------
def test_default_is_least_squares():
    p = Problem()
    assert p.is_least_squares and p.is_smooth and not p.has_l1
    assert type(p.record()).FAST is not None  # the hand-tuned least-squares kernels
    X, y, theta = np.array([[0.5], [-1.0], [1.5]]), np.array([1.0, 0.0, 2.0]), np.ones(2)
    assert p.objective(X, y, theta) == O.objective(X, y, theta)
    # constant weights are no weights (the same objective): the same record class
    assert type(p.record(np.full(3, 2.0), 3)) is type(p.record())


@pytest.mark.parametrize("kwargs, match", [
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"penalty": "l3"}, "unknown penalty 'l3'"),
    ({"alpha": -1.0}, "alpha"),
    ({"l1_ratio": 1.5}, "l1_ratio"),
    ({"epsilon": -0.1}, "epsilon"),
])
def test_bad_problem_settings_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Problem(**kwargs)


def test_bad_sample_weight_is_named():
    p, X, y = Problem(), np.ones((3, 1)), np.ones(3)
    for bad, match in [([1.0, -1.0, 1.0], ">= 0"), ([0.0, 0.0, 0.0], "positive"),
                       ([1.0, 2.0], "one per row"), ([1.0, np.nan, 1.0], "non-finite")]:
        with pytest.raises(ValueError, match=match):
            p.objective(X, y, np.zeros(2), bad)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_loss_kernels_match_their_references(loss):
    spec = LOSSES[loss]
    pb = Problem(loss, epsilon=0.3).record()
    for r in [-2.0, -0.3, -0.29, -0.1, 0.0, 0.1, 0.3, 0.31, 2.5]:
        assert spec.value(pb, r) == pytest.approx(float(spec.reference_value(np.array(r), 0.3)),
                                                  abs=1e-15)
        assert spec.derivative(pb, r) == pytest.approx(
            float(spec.reference_derivative(np.array(r), 0.3)), abs=1e-15)
        # the derivative is the value's slope (away from the kinks)
        h = 1e-6
        if min(abs(abs(r) - 0.3), abs(r)) > 2 * h:
            slope = (spec.reference_value(np.array(r + h), 0.3)
                     - spec.reference_value(np.array(r - h), 0.3)) / (2 * h)
            assert spec.derivative(pb, r) == pytest.approx(float(slope), abs=1e-6)
    assert np.isnan(spec.derivative(pb, np.nan))  # divergence stays visible


@pytest.mark.parametrize("problem", [
    Problem(penalty="l2", alpha=0.3),
    Problem("huber", epsilon=0.5, penalty="l1", alpha=0.1, fit_intercept=False),
    Problem("epsilon_insensitive", epsilon=0.2, penalty="elasticnet", alpha=0.2, l1_ratio=0.3),
    Problem("squared_epsilon_insensitive", epsilon=0.2),
], ids=repr)
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_matches_its_definition(problem, weighted):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((23, 3)), rng.standard_normal(23)
    theta = rng.standard_normal(4)
    s = rng.uniform(0.0, 3.0, 23) if weighted else None
    want = _objective_numpy(problem, X, y, theta, s)
    assert problem.objective(X, y, theta, s) == pytest.approx(want, rel=1e-13)


# --- reference optima against independent solvers ---------------------------------------------
@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_optimum_is_sklearns(request, data, weighted, fit_intercept):
    X, y = _data(request, data)
    s = np.random.default_rng(2).integers(1, 4, len(y)).astype(float) if weighted else None
    alpha = 0.05
    problem = Problem(penalty="l2", alpha=alpha, fit_intercept=fit_intercept)
    W = len(y) if s is None else s.sum()
    ridge = Ridge(alpha=W * alpha, solver="cholesky", fit_intercept=fit_intercept)
    ridge.fit(X, y, sample_weight=s)
    got = problem.optimum(X, y, s)
    np.testing.assert_allclose(got, np.r_[ridge.intercept_, ridge.coef_], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_lasso_and_elasticnet_optima_are_sklearns(request, data, penalty):
    X, y = _data(request, data)
    alpha = 0.02
    problem = Problem(penalty=penalty, alpha=alpha, l1_ratio=0.4)
    ref = (Lasso(alpha=alpha, tol=1e-12, max_iter=1_000_000) if penalty == "l1" else
           ElasticNet(alpha=alpha, l1_ratio=0.4, tol=1e-12, max_iter=1_000_000)).fit(X, y)
    want = np.r_[ref.intercept_, ref.coef_]
    got = problem.optimum(X, y)
    assert _rel(got, want) < 1e-8
    np.testing.assert_array_equal(got[1:] == 0, ref.coef_ == 0)


def _lbfgs(problem, X, y):
    """scipy's L-BFGS on F (a smooth loss, the L2 part), from its NumPy definition."""
    spec = LOSSES[problem.loss]
    A = np.column_stack([np.ones(len(y)), X])
    l2 = problem.strengths[1]

    def fun(theta):
        r = A @ theta - y
        g = A.T @ spec.reference_derivative(r, problem.epsilon) / len(y)
        g[1:] += l2 * theta[1:]
        return _objective_numpy(problem, X, y, theta), g

    res = minimize(fun, np.zeros(A.shape[1]), jac=True, method="L-BFGS-B",
                   options={"ftol": 0.0, "gtol": 1e-13, "maxiter": 100_000, "maxcor": 30})
    return res.x


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("problem", [Problem("huber", epsilon=0.5, penalty="l2", alpha=1e-3),
                                     Problem("squared_epsilon_insensitive", epsilon=0.2)],
                         ids=repr)
def test_smooth_loss_optimum_is_lbfgs(request, data, problem):
    X, y = _data(request, data)
    got, ref = problem.optimum(X, y), _lbfgs(problem, X, y)
    assert _rel(got, ref) < 1e-6
    f_ref = _objective_numpy(problem, X, y, ref)
    assert problem.objective(X, y, got) <= f_ref + 1e-14 * f_ref  # as good, to rounding


def test_epsilon_insensitive_optimum_is_a_minimum(generated):
    X, y = generated
    problem = Problem("epsilon_insensitive", epsilon=0.3, penalty="l1", alpha=0.01)
    best = problem.optimum(X, y)
    f = problem.objective(X, y, best)
    rng = np.random.default_rng(0)
    for scale in (1e-2, 1e-4, 1e-6):
        for _ in range(50):
            assert problem.objective(X, y, best + scale * rng.standard_normal(best.size)) >= \
                f - 1e-12


# --- the methods reach the optimum of the same objective ------------------------------------------
def _fit(problem, X, y, rule, driver, epochs, sample_weight=None, seed=0):
    opt = D.Optimizer(rule, driver, np.zeros(X.shape[1] + 1), len(y), problem)
    opt.run_epochs(X, y, epochs, np.random.default_rng(seed), sample_weight)
    return opt.theta


def _step(problem, driver, X, s=None, factor=1.0):
    return rules.plain(factor / driver.smoothness(X, problem=problem, sample_weight=s))


CONVERGING = [  # (problem, driver, epochs)
    (Problem(penalty="l2", alpha=0.05), D.FullBatch(), 3000),
    (Problem(penalty="l2", alpha=0.05), D.SAG(), 150),
    (Problem(penalty="l2", alpha=0.05), D.SAGA(), 150),
    (Problem(penalty="l2", alpha=0.05), D.SVRG(option=1), 60),
    (Problem(penalty="l1", alpha=0.02), D.FullBatch(), 3000),
    (Problem(penalty="l1", alpha=0.02), D.SAGA(), 150),
    (Problem(penalty="l1", alpha=0.02), D.SVRG(option=1), 60),
    (Problem(penalty="l1", alpha=0.02), D.SARAH(), 60),
    (Problem(penalty="elasticnet", alpha=0.02, l1_ratio=0.4), D.SAGA(), 150),
    (Problem("huber", epsilon=0.5, penalty="l2", alpha=0.01), D.SAGA(), 300),
    (Problem("squared_epsilon_insensitive", epsilon=0.2, penalty="l2", alpha=0.01), D.SAG(),
     300),
    (Problem(penalty="l2", alpha=0.05, fit_intercept=False), D.SAGA(), 150),
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("problem, driver, epochs", CONVERGING,
                         ids=[f"{p.loss}-{p.penalty}-{d.name}-{p.fit_intercept}"
                              for p, d, _ in CONVERGING])
def test_methods_reach_the_optimum(request, data, problem, driver, epochs):
    X, y = _data(request, data)
    want = problem.optimum(X, y)
    got = _fit(problem, X, y, _step(problem, driver, X), driver, epochs)
    assert _rel(got, want) < 1e-6
    if problem.has_l1:  # exactly sparse where the reference is
        np.testing.assert_array_equal(got[1:] == 0, want[1:] == 0)
    if not problem.fit_intercept:
        assert got[0] == 0.0


@pytest.mark.parametrize("driver", [D.SAGA(), D.FullBatch()], ids=lambda d: d.name)
def test_adaptive_rules_run_the_prox_in_their_metric(generated, driver):
    """Adagrad's L1 step thresholds each coefficient by its effective step (the diagonal
    metric's prox): the fit is sparse where the lasso is and settles near it."""
    X, y = generated
    problem = Problem(penalty="l1", alpha=0.05)
    want = problem.optimum(X, y)
    got = _fit(problem, X, y, rules.adagrad(0.5), driver, 200)
    assert _rel(got, want) < 1e-2
    np.testing.assert_array_equal(got[1:] == 0, want[1:] == 0)


def test_weighted_sampled_fit_reaches_the_weighted_ridge(generated):
    X, y = generated
    s = np.random.default_rng(3).integers(0, 4, len(y)).astype(float)
    problem = Problem(penalty="l2", alpha=0.05)
    ridge = Ridge(alpha=s.sum() * 0.05, solver="cholesky").fit(X, y, sample_weight=s)
    driver = D.SAGA()
    got = _fit(problem, X, y, _step(problem, driver, X, s), driver, 200, sample_weight=s)
    assert _rel(got, np.r_[ridge.intercept_, ridge.coef_]) < 1e-6


# --- sample weights and the intercept ------------------------------------------------------------
_FULL_BATCH_CASES = [
    pytest.param(rule, problem, id=f"{rule.name}-{problem!r}")
    for rule in (rules.plain(0.1), rules.momentum(0.05, momentum=0.9),
                 rules.nesterov(0.05, momentum=0.9), rules.adagrad(0.3), rules.rprop(0.01))
    for problem in (Problem(), Problem(penalty="l2", alpha=0.1),
                    Problem("huber", epsilon=0.4, penalty="elasticnet", alpha=0.05))
    if problem.method_problem(rule, D.FullBatch()) is None  # Rprop has no L1 prox
]


@pytest.mark.parametrize("rule, problem", _FULL_BATCH_CASES)
def test_integer_weights_equal_duplicated_rows(generated, rule, problem):
    X, y = generated
    s = np.random.default_rng(5).integers(0, 4, len(y))
    weighted = D.Optimizer(rule, D.FullBatch(), np.zeros(X.shape[1] + 1), len(y), problem)
    weighted.run(X, y, 40, np.random.default_rng(0), s.astype(float))
    Xd, yd = np.repeat(X, s, axis=0), np.repeat(y, s)
    dup = D.Optimizer(rule, D.FullBatch(), np.zeros(X.shape[1] + 1), len(yd), problem)
    dup.run(Xd, yd, 40, np.random.default_rng(0))
    np.testing.assert_allclose(weighted.theta, dup.theta, rtol=1e-10, atol=1e-12)
    assert problem.objective(X, y, weighted.theta, s) == pytest.approx(
        problem.objective(Xd, yd, dup.theta), rel=1e-10)


@pytest.mark.parametrize("rule", [rules.plain(0.01), rules.adam(0.01)], ids=lambda r: r.name)
@pytest.mark.parametrize("driver", [D.MiniBatch(batch_size=1), D.MiniBatch(batch_size=7),
                                    D.FullBatch(), D.SAG(), D.SAGA(), D.SVRG(inner_iter=20),
                                    D.SARAH(inner_iter=20)], ids=lambda d: d.name)
def test_no_intercept_fits_through_the_origin(generated, rule, driver):
    X, y = generated
    problem = Problem(penalty="l2", alpha=0.01, fit_intercept=False)
    opt = D.Optimizer(rule, driver, np.ones(X.shape[1] + 1), len(y), problem)
    opt.run(X, y, 5, np.random.default_rng(0))
    assert opt.theta[0] == 0.0
    assert np.all(opt.theta[1:] != 1.0)


def test_default_problem_and_constant_weights_change_no_bit(generated):
    X, y = generated
    runs = []
    for kwargs, s in [({}, None), ({"problem": Problem()}, None), ({}, np.full(len(y), 3.0))]:
        opt = D.Optimizer(rules.adam(0.01), D.MiniBatch(batch_size=1), np.zeros(7), len(y),
                          **kwargs)
        runs.append(opt.run(X, y, 500, np.random.default_rng(1), s).copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])


# --- averaged iterates ---------------------------------------------------------------------------
@pytest.mark.parametrize("average", [True, 37])
def test_average_matches_a_numpy_averaged_sgd(average, generated):
    """Averaged SGD (Polyak-Juditsky; SGDRegressor's ``average``) transcribed in NumPy on the
    same rows: the running mean of the iterates from update ``average`` on."""
    X, y = generated
    n, lr = len(y), 0.02
    problem = Problem(penalty="l2", alpha=0.01)
    opt = D.Optimizer(rules.plain(lr), D.MiniBatch(batch_size=1), np.zeros(7), n, problem,
                      average=average)
    opt.run(X, y, 450, np.random.default_rng(3))
    idx = D.IndexStream(n, "shuffle").take(np.random.default_rng(3), 450)
    theta, avg, start = np.zeros(7), np.zeros(7), 1 if average is True else average
    for t, i in enumerate(idx, 1):
        r = theta[0] + X[i] @ theta[1:] - y[i]
        g = r * np.r_[1.0, X[i]] + np.r_[0.0, 0.01 * theta[1:]]
        theta = theta - lr * g
        if t >= start:
            avg = avg + (theta - avg) / (t - start + 1)
    np.testing.assert_allclose(opt.theta, theta, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(opt.theta_average, avg, rtol=1e-12, atol=1e-14)
    assert D.optimize(X, y, rules.plain(lr), D.MiniBatch(batch_size=1), np.zeros(7), 450,
                      np.random.default_rng(3), problem=problem, average=average).tolist() \
        == opt.theta_average.tolist()


def test_average_needs_an_averaging_driver():
    with pytest.raises(ValueError, match="average"):
        D.Optimizer(rules.plain(0.1), D.SAG(), np.zeros(3), 10, average=True)


def test_registries_list_the_contract():
    assert set(LOSSES) == {"squared_error", "huber", "epsilon_insensitive",
                           "squared_epsilon_insensitive"}
    assert set(PENALTIES) == {None, "l2", "l1", "elasticnet"}


def test_hessian_is_the_curvature_of_the_objective(generated):
    X, y = generated
    s = np.random.default_rng(8).uniform(0.5, 2.0, len(y))
    problem = Problem(penalty="elasticnet", alpha=0.2, l1_ratio=0.25)
    H = problem.hessian(X, s)
    A = np.column_stack([np.ones(len(y)), X])
    want = (A * (s / s.mean())[:, None]).T @ A / len(y) + np.diag(np.r_[0.0, np.full(6, 0.15)])
    np.testing.assert_allclose(H, want, rtol=1e-12)
    np.testing.assert_array_equal(Problem().hessian(X), O.hessian(X))
    L, top = problem.lipschitz(X, s), np.linalg.eigvalsh(H)[-1]
    assert top * (1 - 1e-5) <= L <= top + 0.15  # a bound: lambda_max(data part) + l2


def test_equal_weights_in_a_new_array_keep_the_run_going(generated):
    """An estimator may pass a fresh weight array per call: equal values keep the record and
    the divergence reference; other values make new ones."""
    X, y = generated
    s = np.random.default_rng(9).uniform(0.5, 2.0, len(y))
    opt = D.Optimizer(rules.plain(0.01), D.SAGA(), np.zeros(7), len(y), Problem())
    opt.run(X, y, 10, np.random.default_rng(0), s)
    monitor = opt.monitor
    opt.run(X, y, 10, np.random.default_rng(0), s.copy())
    assert opt.monitor is monitor
    opt.run(X, y, 10, np.random.default_rng(0), 2 * s + 1)
    assert opt.monitor is not monitor

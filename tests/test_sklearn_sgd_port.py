"""scikit-learn's own regression tests of SGDRegressor and SAG, ported to GDRegressor.

The specification of what a scikit-learn user expects: the tests of
``sklearn/linear_model/tests/test_sgd.py`` that concern regression, and of ``test_sag.py`` for
SAG, rewritten for GDRegressor's names (``method="sgd"`` for SGDRegressor, ``"sagd"`` for SAG;
``learning_rate`` for ``eta0``, ``schedule`` for ``learning_rate``).

Not ported: the tests of SGDRegressor's internals (test_plain_has_no_average_attr,
test_loss_function_epsilon, test_validation_mask_correctly_subsets, the loss classes' tests)
and the classifiers' (test_regression_losses and test_large_regularization among them: they
run SGDClassifier only). Sparse input: tests/test_sparse.py runs the ports without parameters
on CSR rows (test_ported_sgd_tests_on_sparse_input).

SGDRegressor's default penalty is ``"l2"`` with ``alpha=1e-4``; GDRegressor's is None (plain
least squares, so that every earlier result stands): the ports that rely on a penalty name it.

Deliberate differences, each with its reason:

* ``intercept_`` is a float, not an array of shape (1,) (test_partial_fit checks the shape):
  GDRegressor's public contract since its first release, and ``LinearRegression`` on one target
  does the same.
* ``early_stopping=True`` with :meth:`~GDRegressor.partial_fit` is ignored, not an error
  (test_sgd_early_stopping_with_partial_fit): GDRegressor documents partial_fit as one epoch on
  the data given, which streaming (``dask_ml.wrappers.Incremental``) calls with estimators
  configured for ``fit``.
* The validation split is drawn from ``random_state`` by GDRegressor (a NumPy Generator), not by
  ``ShuffleSplit`` (test_validation_set_not_used_for_training compares with the rows that split
  keeps): the port computes the held-out rows the same way GDRegressor does.
* ``tol`` measures the training objective in units of ``Var(y) / 2`` (``1 - R^2``), not in those
  of ``y`` squared, so that it does not depend on the units of ``y`` and means the same for the
  training and the validation score; the tests that compare epoch counts across ``tol`` values
  hold either way.
* ``tol=0`` is ported as ``tol=1e-6`` (test_tol_parameter): under the default adaptive schedule
  a fit at a tiny rate keeps improving its objective by rounding-level amounts, so "no
  improvement at all" may take longer than ``max_iter``; any positive ``tol`` stops it.
* ``learning_rate="auto"`` needs a loss with a Lipschitz derivative: with
  ``loss="epsilon_insensitive"`` the port passes SGDRegressor's ``eta0`` and ``invscaling``
  (test_sgd_epsilon_insensitive).
* A diverging fit raises :class:`~graddescent.DivergenceError` (a ValueError) where
  SGDRegressor returns huge coefficients: test_warm_start and test_partial_fit_equal_fit with
  ``"optimal"`` run on standardised iris with ``alpha=1`` instead of the toy data, on which
  SGDRegressor's own ``"optimal"`` fit ends with coefficients of 1e12.
* ``t_`` counts the update steps; SGDRegressor's counts from 1 (``n_iter_ * n_samples + 1``).
* Float32 input is fitted in float64 (test_sgd_numerical_consistency compares float32 with
  float64 fits to 1e-5): GDRegressor's engine runs in float64 only, so the two fits are equal,
  and ``coef_`` is float64 whatever the input's type (test_sgd_dtype_match expects the input's:
  rounding float64 coefficients to float32 would lose digits the fit computed).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.linear_model._sag import get_auto_step_size
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

from graddescent import GDRegressor

# test_sgd.py's toy data
X = np.array([[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1]], dtype=float)
Y = np.array([1, 1, 1, 2, 2, 2], dtype=float)
T = np.array([[-1, -1], [2, 2], [3, 2]], dtype=float)
X3 = np.array([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0],
               [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1],
               [0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0]], dtype=float)
Y3 = np.array([1, 1, 1, 1, 2, 2, 2, 2], dtype=float)
IRIS = load_iris()

SCHEDULES = ["constant", "invscaling", "adaptive"]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_warm_start(schedule):
    # explicit (coef_init) and implicit (warm_start) restarts are the same fit
    kw = {"method": "sgd", "learning_rate": 0.01, "shuffle": False, "schedule": schedule}
    first = GDRegressor(**kw).fit(X, Y)
    second = GDRegressor(**kw).fit(X, Y, coef_init=first.coef_.copy(),
                                   intercept_init=first.intercept_)
    warm = GDRegressor(warm_start=True, **kw).fit(X, Y)
    assert warm.t_ == first.t_
    assert_allclose(warm.coef_, first.coef_)
    warm.fit(X, Y)
    assert warm.t_ == second.t_
    assert_allclose(warm.coef_, second.coef_)


def test_input_format():
    est = GDRegressor(method="sgd", shuffle=False).fit(X, Y)
    with pytest.raises(ValueError):
        est.fit(X, np.c_[Y, Y])


def test_clone():
    est = clone(GDRegressor(method="adam", random_state=0))
    est.set_params(method="sgd")
    est.fit(X, Y)
    assert_array_equal(est.coef_, GDRegressor(method="sgd", random_state=0).fit(X, Y).coef_)


@pytest.mark.parametrize("early_stopping", [True, False])
def test_early_stopping(early_stopping):
    Xi, Yi = IRIS.data[IRIS.target > 0], IRIS.target[IRIS.target > 0].astype(float)
    est = GDRegressor(method="sgd", early_stopping=early_stopping, tol=1e-3, max_iter=1000,
                      random_state=0).fit(Xi, Yi)
    assert est.n_iter_ < 1000


def test_adaptive_longer_than_constant():
    kw = {"method": "sgd", "learning_rate": 0.01, "tol": 1e-3, "max_iter": 100,
          "random_state": 0}
    adaptive = GDRegressor(schedule="adaptive", **kw).fit(IRIS.data, IRIS.target)
    constant = GDRegressor(schedule="constant", **kw).fit(IRIS.data, IRIS.target)
    assert adaptive.n_iter_ > constant.n_iter_


def test_validation_set_not_used_for_training():
    Xi, Yi = IRIS.data, IRIS.target.astype(float)
    fraction, seed, max_iter = 0.4, 42, 10
    kw = {"method": "sgd", "schedule": "constant", "learning_rate": 0.01, "tol": None,
          "max_iter": max_iter, "shuffle": False}
    held = GDRegressor(early_stopping=True, validation_fraction=fraction, random_state=seed,
                       **kw).fit(Xi, Yi)
    assert held.n_iter_ == max_iter
    # the rows GDRegressor holds out: the first ceil(0.4 n) of a permutation from the seed
    n = len(Yi)
    val = np.zeros(n, dtype=bool)
    val[np.random.default_rng(seed).permutation(n)[:math.ceil(fraction * n)]] = True
    plain = GDRegressor(random_state=seed, **kw).fit(Xi[~val], Yi[~val])
    assert_array_equal(held.coef_, plain.coef_)


@pytest.mark.parametrize("early_stopping", [True, False])
def test_n_iter_no_change(early_stopping):
    epochs = [GDRegressor(method="sgd", early_stopping=early_stopping, n_iter_no_change=k,
                          tol=1e-4, max_iter=1000, random_state=0)
              .fit(IRIS.data, IRIS.target).n_iter_ for k in (2, 3, 10)]
    assert_array_equal(epochs, sorted(epochs))


def test_not_enough_sample_for_early_stopping():
    with pytest.raises(ValueError):
        GDRegressor(method="sgd", early_stopping=True, validation_fraction=0.99).fit(X3, Y3)


def test_partial_fit():
    third = X.shape[0] // 3
    est = GDRegressor(method="sgd").partial_fit(X[:third], Y[:third])
    assert est.coef_.shape == (X.shape[1],)
    assert isinstance(est.intercept_, float)  # a deliberate difference: see the docstring
    assert est.predict([[0, 0]]).shape == (1,)
    est.partial_fit(X[third:], Y[third:])
    assert est.coef_.shape == (X.shape[1],)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_partial_fit_equal_fit(schedule):
    kw = {"method": "sgd", "learning_rate": 0.01, "schedule": schedule, "shuffle": False}
    fitted = GDRegressor(max_iter=2, tol=None, **kw).fit(X, Y)
    inc = GDRegressor(**kw)
    for _ in range(2):
        inc.partial_fit(X, Y)
    assert inc.t_ == fitted.t_
    assert_allclose(inc.predict(T), fitted.predict(T), atol=1e-2)


def test_tol_parameter():
    Xs = StandardScaler().fit_transform(IRIS.data)
    y = (IRIS.target == 1).astype(float)
    assert GDRegressor(method="sgd", tol=None, max_iter=42, random_state=0).fit(
        Xs, y).n_iter_ == 42
    tight = GDRegressor(method="sgd", tol=1e-6, max_iter=2000, random_state=0).fit(Xs, y)
    assert 5 < tight.n_iter_ < 2000
    loose = GDRegressor(method="sgd", tol=0.1, max_iter=2000, random_state=0).fit(Xs, y)
    assert tight.n_iter_ > loose.n_iter_ > 3
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        short = GDRegressor(method="sgd", max_iter=3, tol=1e-3, random_state=0).fit(Xs, y)
    assert short.n_iter_ == 3


def test_multi_core_gridsearch_and_early_stopping():
    grid = GridSearchCV(GDRegressor(method="sgd", early_stopping=True, random_state=0),
                        {"learning_rate": [0.01, 0.05]},
                        cv=KFold(3, shuffle=True, random_state=0), n_jobs=2)
    grid.fit(StandardScaler().fit_transform(IRIS.data), IRIS.target)
    assert grid.best_score_ > 0.8


def test_sgd_numerical_consistency():
    Xs = StandardScaler().fit_transform(IRIS.data)
    y = IRIS.target.astype(float)
    est64 = GDRegressor(method="sgd", max_iter=20, random_state=0).fit(Xs, y)
    est32 = GDRegressor(method="sgd", max_iter=20, random_state=0).fit(
        Xs.astype(np.float32), y.astype(np.float32))
    assert_allclose(est32.coef_, est64.coef_, rtol=1e-5)


# --- test_sag.py --------------------------------------------------------------------------------
def test_get_auto_step_size():
    # SAG's step for least squares with an intercept: 1 / (max_i ||x_i||^2 + 1)
    Xs = StandardScaler().fit_transform(IRIS.data)
    est = GDRegressor(method="sagd", max_iter=1, tol=None).fit(Xs, IRIS.target)
    want = get_auto_step_size(np.max(np.sum(Xs**2, axis=1)), 0.0, "squared", True)
    assert est.learning_rate_ == pytest.approx(want, rel=1e-12)


def test_sag_regressor_reaches_least_squares():
    # test_sag_regressor with alpha=0: SAG's fit is the least-squares solution
    rng = np.random.RandomState(42)
    Xs = rng.normal(size=(200, 10))
    y = Xs @ rng.normal(size=10) + 0.5 * rng.normal(size=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDRegressor(method="sagd", tol="precise", random_state=0).fit(Xs, y)
    ols = LinearRegression().fit(Xs, y)
    assert_allclose(est.coef_, ols.coef_, rtol=1e-6)
    assert est.intercept_ == pytest.approx(ols.intercept_, abs=1e-6)
    assert est.score(Xs, y) == pytest.approx(ols.score(Xs, y), abs=1e-9)


# --- penalties, losses, weights (the problem axis) ----------------------------------------------
def test_sgd_reg():
    est = GDRegressor(method="sgd", penalty="l2", alpha=0.1, max_iter=2, fit_intercept=False)
    est.fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    assert est.coef_[0] == est.coef_[1] and est.intercept_ == 0.0


def _line(noise: bool):
    Xl = np.linspace(-5, 5, 100).reshape(100, 1)
    y = 0.5 * Xl.ravel()
    if noise:
        y = y + np.random.RandomState(0).randn(100)
    return Xl, y


@pytest.mark.parametrize("noise, least", [(False, 0.99), (True, 0.5)])
def test_sgd_epsilon_insensitive(noise, least):
    Xl, y = _line(noise)
    est = GDRegressor(method="sgd", loss="epsilon_insensitive", epsilon=0.01, penalty="l2",
                      alpha=0.1, max_iter=20, fit_intercept=False, learning_rate=0.01,
                      schedule="invscaling", random_state=0).fit(Xl, y)
    assert est.score(Xl, y) > least


@pytest.mark.parametrize("noise, least", [(False, 0.99), (True, 0.5)])
def test_sgd_huber_fit(noise, least):
    Xl, y = _line(noise)
    est = GDRegressor(method="sgd", loss="huber", epsilon=0.1, penalty="l2", alpha=0.1,
                      max_iter=20, fit_intercept=False, random_state=0).fit(Xl, y)
    assert est.score(Xl, y) > least


@pytest.mark.parametrize("alpha", [0.01, 0.001])
@pytest.mark.parametrize("l1_ratio", [0.5, 0.8, 1.0])
def test_elasticnet_convergence(alpha, l1_ratio):
    from sklearn.linear_model import ElasticNet
    rng = np.random.RandomState(0)
    Xe = rng.randn(1000, 5)
    y = Xe @ rng.randn(5)
    cd = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False).fit(Xe, y)
    sgd = GDRegressor(method="sgd", penalty="elasticnet", max_iter=50, alpha=alpha,
                      l1_ratio=l1_ratio, fit_intercept=False, random_state=0).fit(Xe, y)
    assert_allclose(sgd.coef_, cd.coef_, atol=1.5e-2)  # decimal=2


@pytest.mark.parametrize("l1_ratio", [0, 0.7, 1])
def test_sgd_l1_ratio_not_used(l1_ratio):
    a = GDRegressor(method="sgd", penalty="l1", l1_ratio=None, random_state=0).fit(X, Y)
    b = GDRegressor(method="sgd", penalty="l1", l1_ratio=l1_ratio, random_state=0).fit(X, Y)
    assert_allclose(a.coef_, b.coef_)


def test_sgd_failing_penalty_validation():
    est = GDRegressor(method="sgd", penalty="elasticnet", l1_ratio=None)
    with pytest.raises(ValueError, match="l1_ratio must be set when penalty is 'elasticnet'"):
        est.fit(X, Y)


def test_sgd_least_squares_fit():
    rng = np.random.RandomState(0)
    Xl = np.linspace(-5, 5, 100).reshape(100, 1)
    y = 0.5 * Xl.ravel()
    kw = {"method": "sgd", "penalty": "l2", "alpha": 0.1, "max_iter": 20,
          "fit_intercept": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert GDRegressor(**kw).fit(Xl, y).score(Xl, y) > 0.99
        y = 0.5 * Xl.ravel() + rng.randn(100)
        assert GDRegressor(**kw).fit(Xl, y).score(Xl, y) > 0.5


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_sgd_random_state(seed):
    from sklearn.datasets import make_regression
    Xr, yr = make_regression(random_state=seed)

    def one_epoch(s):
        with pytest.warns(ConvergenceWarning):
            est = GDRegressor(method="sgd", random_state=s, max_iter=1).fit(Xr, yr)
        assert est.n_iter_ == 1
        return est.coef_

    a, b = one_epoch(seed), one_epoch(seed)
    assert_array_equal(a, b)  # the same seed: the same bits
    assert np.abs(a - one_epoch(seed + 1)).max() > 1.0  # another shuffle after one epoch


def test_sgd_verbose(capsys):
    GDRegressor(method="sgd", verbose=1).fit(X, Y)
    assert capsys.readouterr().out  # it says something, and fits


def test_clone_with_penalties():
    est = clone(GDRegressor(method="sgd", alpha=0.01, penalty="l1", random_state=0))
    est.set_params(penalty="l2")
    est.fit(X, Y)
    ref = GDRegressor(method="sgd", alpha=0.01, penalty="l2", random_state=0).fit(X, Y)
    assert_array_equal(est.coef_, ref.coef_)


def test_sample_weights():
    # tiny weights on rows pull the fit towards the fit without them
    Xw = np.array([[-1.0, -1.0], [-1.0, 0], [-0.8, -1.0], [1.0, 1.0], [1.0, 0.0]])
    y = np.array([1.0, 1.0, 1.0, -1.0, -1.0]) + np.array([0.3, -0.2, 0.1, 0.0, 0.4])
    kw = {"method": "gd", "penalty": "l2", "alpha": 0.1, "fit_intercept": False,
          "tol": "precise"}
    plain = GDRegressor(**kw).fit(Xw, y)
    weighted = GDRegressor(**kw).fit(Xw, y, sample_weight=[0.001] * 3 + [1] * 2)
    without = GDRegressor(**kw).fit(Xw[3:], y[3:])
    assert np.linalg.norm(weighted.coef_ - without.coef_) < 0.1 * np.linalg.norm(
        plain.coef_ - without.coef_)


def test_wrong_sample_weights():
    with pytest.raises(ValueError):
        GDRegressor(method="sgd", penalty="l2", alpha=0.1, max_iter=1000,
                    fit_intercept=False).fit(X, Y, sample_weight=np.arange(7))


def test_sgd_error_on_zero_validation_weight():
    n, fraction, seed = len(IRIS.target), 0.4, 0
    held = np.random.default_rng(seed).permutation(n)[:math.ceil(fraction * n)]
    sample_weight = np.ones(n)
    sample_weight[held] = 0.0
    est = GDRegressor(method="sgd", early_stopping=True, validation_fraction=fraction,
                      random_state=seed)
    with pytest.raises(ValueError, match="validation set.*all zero"):
        est.fit(IRIS.data, IRIS.target, sample_weight=sample_weight)


IRIS_X = StandardScaler().fit_transform(IRIS.data)
IRIS_Y = IRIS.target.astype(float)


def test_warm_start_optimal():
    # on standardised iris: on the toy data the "optimal" steps diverge (see below)
    kw = {"method": "sgd", "penalty": "l2", "alpha": 1.0, "shuffle": False,
          "schedule": "optimal"}
    first = GDRegressor(**kw).fit(IRIS_X, IRIS_Y)
    warm = GDRegressor(warm_start=True, **kw).fit(IRIS_X, IRIS_Y)
    assert warm.t_ == first.t_
    assert_allclose(warm.coef_, first.coef_)


def test_partial_fit_equal_fit_optimal():
    kw = {"method": "sgd", "penalty": "l2", "alpha": 1.0, "schedule": "optimal",
          "shuffle": False}
    fitted = GDRegressor(max_iter=2, tol=None, **kw).fit(IRIS_X, IRIS_Y)
    inc = GDRegressor(**kw)
    for _ in range(2):
        inc.partial_fit(IRIS_X, IRIS_Y)
    assert inc.t_ == fitted.t_ == 2 * len(IRIS_Y)
    assert_allclose(inc.predict(IRIS_X), fitted.predict(IRIS_X), rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.3, 3.0])
def test_optimal_schedule_is_sgdregressors_step_by_step(alpha):
    # t0 = alpha ** -0.75 is not a whole number here (2.466, 0.439): each step's rate is still
    # scikit-learn's 1 / (alpha (t0 + t - 1)), so the paths agree after every step
    from sklearn.linear_model import SGDRegressor
    Xs, ys = IRIS_X[::10] / 4, IRIS_Y[::10]
    for k in range(1, 7):
        kw = {"shuffle": False, "max_iter": 1, "tol": None, "penalty": "l2", "alpha": alpha}
        ours = GDRegressor(method="sgd", schedule="optimal", **kw).fit(Xs[:k], ys[:k])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            theirs = SGDRegressor(learning_rate="optimal", **kw).fit(Xs[:k], ys[:k])
        assert_allclose(ours.coef_, theirs.coef_, rtol=1e-12, atol=1e-15)
        assert ours.intercept_ == pytest.approx(theirs.intercept_[0], rel=1e-12, abs=1e-15)
        assert ours.t_ == k == theirs.t_ - 1  # SGDRegressor's t_ counts from 1


def test_optimal_schedule_is_sgdregressors():
    # the plain rule under "optimal" takes SGDRegressor's steps: the same path
    from sklearn.linear_model import SGDRegressor
    ours = GDRegressor(method="sgd", penalty="l2", alpha=1.0, schedule="optimal",
                       shuffle=False, max_iter=5, tol=None).fit(IRIS_X, IRIS_Y)
    theirs = SGDRegressor(penalty="l2", alpha=1.0, learning_rate="optimal", shuffle=False,
                          max_iter=5, tol=None).fit(IRIS_X, IRIS_Y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7)
    assert ours.intercept_ == pytest.approx(theirs.intercept_[0], rel=1e-7)
    assert ours.t_ == theirs.t_ - 1  # SGDRegressor's t_ counts from 1


def test_optimal_schedule_divergence_is_an_error():
    # SGDRegressor(learning_rate="optimal", alpha=0.01) on the toy data returns coefficients of
    # 1e12 (its first step is 3.2 on rows of squared norm up to 5); GDRegressor says so
    from graddescent import DivergenceError
    with pytest.raises(DivergenceError, match="diverged"):
        GDRegressor(method="sgd", penalty="l2", alpha=0.01, schedule="optimal",
                    shuffle=False).fit(X, Y)


def test_sag_pobj_matches_ridge_regression():
    from sklearn.linear_model import Ridge
    rng = np.random.RandomState(10)
    Xr = rng.normal(size=(100, 10))
    y = Xr @ rng.normal(size=10)
    alpha = 1.0  # Ridge's: ours is alpha / n
    ridge = Ridge(fit_intercept=False, alpha=alpha, solver="lsqr", tol=1e-5).fit(Xr, y)
    for method in ("sagd", "saga"):
        est = GDRegressor(method=method, penalty="l2", alpha=alpha / 100, fit_intercept=False,
                          tol="precise", random_state=42).fit(Xr, y)

        def pobj(w):
            return 0.5 * np.mean((Xr @ w - y) ** 2) + 0.5 * alpha / 100 * w @ w

        assert pobj(est.coef_) == pytest.approx(pobj(ridge.coef_), abs=1e-4)


@pytest.mark.parametrize("noise, least", [(False, 0.98), (True, 0.45)])
def test_sag_regressor(noise, least):
    xs = np.linspace(-5, 5, 300).reshape(300, 1)
    rng = np.random.RandomState(0)
    y = 0.5 * xs.ravel() + (rng.randn(300) if noise else 0.0)
    for method in ("sagd", "saga"):
        est = GDRegressor(method=method, penalty="l2", alpha=0.1, tol=1e-3, max_iter=100,
                          random_state=0).fit(xs, y)
        assert est.score(xs, y) > least


def test_metadata_routing_sends_sample_weight_to_fit():
    from sklearn import config_context
    from sklearn.pipeline import make_pipeline
    w = np.r_[np.full(75, 0.01), np.ones(75)]
    Xs = StandardScaler().fit_transform(IRIS.data)
    y = IRIS.target.astype(float)
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(GDRegressor(method="gd", random_state=0).set_fit_request(
            sample_weight=True))
        pipe.fit(Xs, y, sample_weight=w)
    direct = GDRegressor(method="gd", random_state=0).fit(Xs, y, sample_weight=w)
    assert_array_equal(pipe[-1].coef_, direct.coef_)
    assert not np.allclose(direct.coef_, GDRegressor(method="gd").fit(Xs, y).coef_)


# --- averaged SGD -------------------------------------------------------------------------------
def _asgd(X, y, eta, alpha, weight_init, intercept_init):
    """Averaged SGD with a constant rate and an L2 penalty, rows in order (a NumPy
    transcription of test_sgd.py's reference)."""
    w, b = weight_init.copy(), intercept_init
    avg_w, avg_b = np.zeros_like(w), 0.0
    for i, (entry, target) in enumerate(zip(X, y, strict=True)):
        grad = entry @ w + b - target
        w = w - eta * (grad * entry + alpha * w)
        b = b - eta * grad
        avg_w = avg_w + (w - avg_w) / (i + 1)
        avg_b = avg_b + (b - avg_b) / (i + 1)
    return avg_w, avg_b


def test_sgd_averaged_computed_correctly():
    eta, alpha = 0.001, 0.01
    rng = np.random.RandomState(0)
    Xa = rng.normal(size=(20, 5))
    y = Xa @ rng.normal(size=5)
    est = GDRegressor(method="sgd", schedule="constant", learning_rate=eta, penalty="l2",
                      alpha=alpha, max_iter=1, tol=None, average=True, shuffle=False)
    est.fit(Xa, y)
    w, b = _asgd(Xa, y, eta, alpha, np.zeros(5), 0.0)
    assert_allclose(est.coef_, w, rtol=1e-12, atol=1e-15)
    assert est.intercept_ == pytest.approx(b, rel=1e-12, abs=1e-15)


def test_sgd_averaged_partial_fit():
    eta, alpha = 0.001, 0.01
    rng = np.random.RandomState(0)
    Xa = rng.normal(size=(20, 5))
    y = Xa @ rng.normal(size=5)
    est = GDRegressor(method="sgd", schedule="constant", learning_rate=eta, penalty="l2",
                      alpha=alpha, average=True, shuffle=False)
    est.partial_fit(Xa[:10], y[:10])
    est.partial_fit(Xa[10:], y[10:])
    w, b = _asgd(Xa, y, eta, alpha, np.zeros(5), 0.0)
    assert_allclose(est.coef_, w, rtol=1e-12, atol=1e-15)
    assert est.intercept_ == pytest.approx(b, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("average", [True, 10])
@pytest.mark.parametrize("schedule", ["constant", "optimal"])
def test_averaged_sgd_is_sgdregressors(average, schedule):
    from sklearn.linear_model import SGDRegressor
    kw = {"penalty": "l2", "alpha": 1.0} if schedule == "optimal" else {"penalty": None}
    ours = GDRegressor(method="sgd", schedule=schedule, learning_rate=0.01, shuffle=False,
                       max_iter=5, tol=None, average=average, **kw).fit(IRIS_X, IRIS_Y)
    theirs = SGDRegressor(learning_rate=schedule, eta0=0.01, shuffle=False, max_iter=5,
                          tol=None, average=average, **kw).fit(IRIS_X, IRIS_Y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(theirs.intercept_[0], rel=1e-9)


def test_late_onset_averaging_not_reached():
    # 100 partial fits of 6 rows: 600 updates, averaging from update 600 on (its own iterate)
    late = GDRegressor(method="sgd", average=600, random_state=0)
    plain = GDRegressor(method="sgd", random_state=0)
    for _ in range(100):
        late.partial_fit(X, Y)
        plain.partial_fit(X, Y)
    assert_array_equal(late.coef_, plain.coef_)
    assert late.intercept_ == plain.intercept_


def test_late_onset_averaging_reached():
    eta, alpha = 0.001, 0.0001
    y = np.where(Y == 1, -1.0, 1.0)
    kw = {"method": "sgd", "schedule": "constant", "learning_rate": eta, "penalty": "l2",
          "alpha": alpha, "shuffle": False, "tol": None}
    late = GDRegressor(average=7, max_iter=2, **kw).fit(X, y)
    first = GDRegressor(average=False, max_iter=1, **kw).fit(X, y)
    # averaging from update 7 on: the mean of the second epoch's iterates
    w, b = _asgd(X, y, eta, alpha, first.coef_.ravel(), first.intercept_)
    assert_allclose(late.coef_, w, rtol=1e-15, atol=1e-16)  # decimal=16
    assert late.intercept_ == pytest.approx(b, rel=1e-15, abs=1e-16)

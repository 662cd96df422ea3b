"""scikit-learn's own regression tests of SGDRegressor and SAG, ported to GDRegressor.

The specification of what a scikit-learn user expects: the tests of
``sklearn/linear_model/tests/test_sgd.py`` that concern regression, and of ``test_sag.py`` for
SAG, rewritten for GDRegressor's names (``method="sgd"`` for SGDRegressor, ``"sagd"`` for SAG;
``learning_rate`` for ``eta0``, ``schedule`` for ``learning_rate``).

Not ported yet: the tests that need penalties, other losses, ``sample_weight``, ``average``,
``fit_intercept=False`` or the ``"optimal"`` schedule (test_sgd_reg, test_regression_losses,
test_sgd_epsilon_insensitive, test_sgd_huber_fit, test_elasticnet_convergence, test_sgd_l1,
test_sample_weights, test_wrong_sample_weights, test_sgd_averaged_*, test_sgd_l1_ratio_not_used,
test_sgd_error_on_zero_validation_weight, test_sag_regressor_computed_correctly,
test_sag_pobj_matches_ridge_regression...): they wait for the problem axis of the engine.
Sparse input is the next issue's.

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
* Float32 input is fitted in float64 (test_sgd_numerical_consistency compares float32 with
  float64 fits to 1e-5): GDRegressor's engine runs in float64 only, so the two fits are equal.
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

"""GDRegressor: scikit-learn's contract, the engine's numbers, R parity and convergence."""

from __future__ import annotations

import doctest
import pickle
import warnings

import numpy as np
import pytest
from conftest import well_conditioned
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import graddescent
from graddescent import estimator as estimator_module
from graddescent._registry import METHODS, R_NAMES
from graddescent.drivers import DivergenceError, MiniBatch
from graddescent.estimator import GDRegressor
from graddescent.r_api import initial_theta

ALL = list(METHODS)
#: Sampled gradients (single rows, mini-batches): a noise floor, shrunk by the schedule.
NOISY = [m for m, method in METHODS.items() if method.make_driver().is_noisy(100)]
#: Exact gradients (full batch, variance-reduced): the iterates converge to the optimum.
EXACT = [m for m in METHODS if m not in NOISY]
FULL_BATCH = [m for m, method in METHODS.items() if method.make_driver().is_full_batch(100)]


def test_integer_weights_are_repeated_rows_for_the_deterministic_methods():
    # what check_sample_weight_equivalence checks, to 1e-10, on a determined problem, with
    # every loss and penalty (the full-batch methods; the others at tol="precise": sgd)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 1.0 + 0.3 * rng.normal(size=40)
    sw = rng.integers(0, 4, size=40)
    for kw in ({}, {"penalty": "l2", "alpha": 0.1}, {"penalty": "l1", "alpha": 0.05},
               {"loss": "huber", "epsilon": 0.5}, {"fit_intercept": False}):
        # agd (Nesterov's look-ahead) has no L1 prox: it refuses the lasso
        methods = ("gd", "mgd") if kw.get("penalty") == "l1" else ("gd", "mgd", "agd")
        for method in methods:
            a = GDRegressor(method=method, tol="precise", **kw).fit(X, y, sample_weight=sw)
            b = GDRegressor(method=method, tol="precise", **kw).fit(X.repeat(sw, axis=0),
                                                                    y.repeat(sw))
            assert_allclose(np.r_[a.intercept_, a.coef_], np.r_[b.intercept_, b.coef_],
                            rtol=1e-10, atol=1e-10)


def test_method_lists_cover_the_registry():
    assert set(FULL_BATCH) >= {"gd", "mgd", "agd", "rprop"}
    assert set(NOISY) >= {"mbgd", "sgd", "adagrad", "adadelta", "rmsprop", "adam", "amsgrad"}
    assert {"sagd", "ssgd", "svrg", "sarah", "sarahplus"} <= set(EXACT) - set(FULL_BATCH)
    assert graddescent.GDRegressor is GDRegressor


#: The sample-weight checks (check_sample_weight_equivalence_on_dense_data and its sparse twin:
#: 15 rows, 30 features, integer weights 0 to 4, the weighted rows shuffled, predictions on all
#: 15 rows compared with rtol 1e-7 and atol 1e-9) ask the weighted fit to be the fit on the
#: repeated rows. The full-batch methods take the same steps either way (the weighted gradient
#: is the repeated one, and every data statistic the fit reads, the "auto" rate included,
#: counts a row w times), so they run the check with their defaults. A sampled driver visits
#: other rows in another order when the rows are shuffled and repeated, so its path differs,
#: and on this under-determined problem a normalised rule's path decides which interpolant it
#: reaches. As scikit-learn does for its own stochastic solvers (MLPRegressor's "sgd" runs the
#: check with a batch of every row), each such method runs the check with the settings that
#: make it meaningful for it: the batchable ones (mini-batch and single-row drivers) with
#: ``batch_size="full"``, their rule on the exact weighted gradient, run to the optimum
#: (``tol="precise"``: a normalised rule at a constant rate hovers around the minimum and
#: amplifies the rounding of the two gradient sums' orders, 6e-15 to 8e-2 apart in 18 epochs for
#: rmsprop; the precise schedule shrinks its steps); the variance-reduced ones,
#: which only sample, to float precision (``tol=None``, 3000 epochs: they reach the repeated
#: rows' minimum-norm solution, measured 1e-13 apart).
#: test_sampled_weighted_fits_reach_the_repeated_rows_limit checks the sampled paths themselves.
SAMPLE_WEIGHT_CHECKS = ("check_sample_weight_equivalence_on_dense_data",
                        "check_sample_weight_equivalence_on_sparse_data")
SAMPLE_WEIGHT_SETTINGS = {
    m: ({"batch_size": "full", "tol": "precise"} if isinstance(METHODS[m].make_driver(), MiniBatch)
        else {"tol": None, "max_iter": 3000})
    for m in ALL if m not in FULL_BATCH}


def test_sampled_weighted_fits_reach_the_repeated_rows_limit():
    # the data of scikit-learn's sample-weight check, with each method's own sampling: the
    # plain and variance-reduced methods reach the repeated rows' minimum-norm solution (to
    # 1e-6 under tol="precise"); a normalised rule interpolates the weighted rows as well but
    # lands elsewhere on the zero-weight ones (its path decides which interpolant)
    from sklearn.utils import shuffle
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    sw = rng.randint(0, 5, size=15)
    Xw, yw, sww = shuffle(X, y, sw, random_state=0)
    for method in ("sgd", "saga", "adam"):
        kw = {"method": method, "tol": "precise", "random_state": 0}
        repeated = GDRegressor(**kw).fit(X.repeat(sw, axis=0), y.repeat(sw)).predict(X)
        weighted = GDRegressor(**kw).fit(Xw, yw, sample_weight=sww).predict(X)
        assert_allclose(weighted[sw > 0], y[sw > 0], atol=1e-5)
        gap = np.max(np.abs(weighted - repeated))
        assert gap < 1e-6 if method != "adam" else gap > 1e-3


def test_the_auto_rate_counts_a_weighted_row_w_times():
    # the normalised rules' "auto" rate is a multiple of RMS(y): with integer weights, the RMS
    # of the repeated targets (a zero-weight outlier changes nothing)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=30)
    sw = rng.integers(0, 3, size=30)
    y_out = y.copy()
    y_out[sw == 0] = 1e3
    a = GDRegressor(method="adam", max_iter=1, tol=None).fit(X, y_out, sample_weight=sw)
    b = GDRegressor(method="adam", max_iter=1, tol=None).fit(X.repeat(sw, axis=0), y.repeat(sw))
    assert a.learning_rate_ == pytest.approx(b.learning_rate_, rel=1e-12)


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


@parametrize_with_checks([GDRegressor(method=m) for m in ALL])
def test_sklearn_estimator_checks(estimator, check, monkeypatch):
    # check_array_api_input skips itself unless SCIPY_ARRAY_API is set: run it too
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    if _check_name(check) in SAMPLE_WEIGHT_CHECKS:
        estimator = clone(estimator).set_params(**SAMPLE_WEIGHT_SETTINGS.get(estimator.method, {}))
    check(estimator)


@pytest.fixture(scope="module")
def diabetes():
    """Diabetes with standardised features (the target as it is), and the least squares."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ols = LinearRegression().fit(X, y)
    return X, y, ols.coef_, ols.intercept_


def _diabetes_target(diabetes, target):
    """Diabetes with the target as it is, or standardised too (and its least squares)."""
    X, y, coef, intercept = diabetes
    if target == "standardised":
        y = (y - y.mean()) / y.std()
        ols = LinearRegression().fit(X, y)
        coef, intercept = ols.coef_, ols.intercept_
    return X, y, coef, intercept


def _rel_err(est, coef, intercept):
    got = np.r_[est.intercept_, est.coef_]
    want = np.r_[intercept, coef]
    return np.linalg.norm(got - want) / np.linalg.norm(want)


# --- convergence with the defaults --------------------------------------------------------------
def _reaches_least_squares_with_defaults(method, target, diabetes):
    """Fit with the defaults and tol="precise" (no ConvergenceWarning: it stops by its own
    criterion) and check the coefficients, with and without the intercept, to 1e-4 relative;
    return the fit."""
    X, y, coef, intercept = _diabetes_target(diabetes, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDRegressor(method=method, tol="precise", random_state=0).fit(X, y)
    assert _rel_err(est, coef, intercept) < 1e-4
    assert np.linalg.norm(est.coef_ - coef) / np.linalg.norm(coef) < 1e-4
    return est, X, y


@pytest.mark.parametrize("target", ["as is", "standardised"])
@pytest.mark.parametrize("method", EXACT)
def test_exact_methods_reach_least_squares_with_defaults(method, target, diabetes):
    _reaches_least_squares_with_defaults(method, target, diabetes)


@pytest.mark.parametrize("target", ["as is", "standardised"])
@pytest.mark.parametrize("method", NOISY)
def test_sampled_methods_reach_least_squares_with_defaults(method, target, diabetes):
    # The adaptive schedule (step decay, stages as long as the slowest direction needs) takes
    # the noisy single-row and mini-batch methods to the least-squares coefficients too.
    est, X, y = _reaches_least_squares_with_defaults(method, target, diabetes)
    assert est.n_iter_ <= estimator_module._MAX_ITER_NOISY
    assert est.learning_rate_ < GDRegressor(method=method, max_iter=1, tol=None).fit(
        X, y).learning_rate_  # the adaptive schedule lowered the rate


@pytest.mark.parametrize("method", NOISY)
def test_every_rule_reaches_least_squares_on_the_full_batch(method, diabetes):
    X, y, coef, intercept = diabetes
    est = GDRegressor(method=method, batch_size="full", tol="precise").fit(X, y)
    assert _rel_err(est, coef, intercept) < 1e-4


def test_auto_learning_rate_does_not_depend_on_the_units_of_y(diabetes):
    X, y, _, _ = diabetes
    y = (y - y.mean()) / y.std()
    for method in ("gd", "sgd", "svrg", "adam"):
        small = GDRegressor(method=method, tol="precise", random_state=0).fit(X, y)
        big = GDRegressor(method=method, tol="precise", random_state=0).fit(X, 1000.0 * y)
        assert abs(big.n_iter_ - small.n_iter_) <= 0.01 * small.n_iter_  # rounding aside
        assert big.learning_rate_ == pytest.approx(
            small.learning_rate_ * (1000.0 if method == "adam" else 1.0))
        assert_allclose(big.coef_ / 1000.0, small.coef_, rtol=1e-5, atol=1e-8)


def test_auto_learning_rate_is_safe_on_unscaled_data():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 50, size=(100, 4)) + 100.0  # far from standardised
    y = X @ np.array([0.5, -1.0, 2.0, 0.1]) + rng.normal(size=100)
    for method in ("gd", "agd", "sgd", "svrg", "sagd"):
        est = GDRegressor(method=method, max_iter=50, tol=None, random_state=0).fit(X, y)
        assert np.all(np.isfinite(est.coef_)) and est.loss_curve_[-1] < est.loss_curve_[0]


# --- the default fit of the sampled methods ------------------------------------------------------
@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_default_sampled_fit_returns_the_tail_average_when_it_is_better(method):
    # noisy data: the mean of the iterates after half an epoch (a constant rate) is returned;
    # it is what average=n/2 gives, and its training objective is below the last iterate's
    X, y, _ = well_conditioned(n=400, d=3, noise=0.5)
    default = GDRegressor(method=method, random_state=0).fit(X, y)
    same = {"schedule": "constant", "max_iter": default.n_iter_, "tol": None, "random_state": 0}
    tail = GDRegressor(method=method, average=200, **same).fit(X, y)
    last = GDRegressor(method=method, average=False, **same).fit(X, y)
    assert_array_equal(default.coef_, tail.coef_)
    assert not np.array_equal(default.coef_, last.coef_)
    assert np.mean((default.predict(X) - y) ** 2) < np.mean((last.predict(X) - y) ** 2)


def test_default_sampled_fit_returns_the_last_iterate_on_an_exact_fit():
    # y = X w exactly: the objective falls geometrically, the last iterate beats any average
    X, _, _ = well_conditioned(n=400, d=3)
    y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    default = GDRegressor(method="sgd", random_state=0).fit(X, y)
    last = GDRegressor(method="sgd", average=False, schedule="constant", tol=None,
                       max_iter=default.n_iter_, random_state=0).fit(X, y)
    assert_array_equal(default.coef_, last.coef_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_and_precise_fits_do_not_average_by_default():
    X, y, _ = well_conditioned(n=200, d=3)
    a = GDRegressor(method="sgd", random_state=0).partial_fit(X, y)
    b = GDRegressor(method="sgd", average=False, random_state=0).partial_fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    a = GDRegressor(method="sgd", tol="precise", max_iter=20, random_state=0).fit(X, y)
    b = GDRegressor(method="sgd", tol="precise", max_iter=20, average=False,
                    random_state=0).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)


# --- scikit-learn workflow ---------------------------------------------------------------------
def test_pipeline_and_grid_search():
    X, y, _ = well_conditioned(n=120, d=3)
    X = 5.0 * X + 10.0
    pipe = make_pipeline(StandardScaler(), GDRegressor(method="svrg", random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.9
    grid = GridSearchCV(make_pipeline(StandardScaler(), GDRegressor(random_state=0)),
                        {"gdregressor__method": ["gd", "adam", "sarah"],
                         "gdregressor__learning_rate": ["auto", 0.05]}, cv=3)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert grid.best_score_ > 0.9
    assert grid.best_estimator_[-1].method in ("gd", "adam", "sarah")


@pytest.mark.parametrize("method", ["sgd", "sagd", "svrg", "rprop"])
def test_clone_and_pickle_round_trip(method):
    X, y, _ = well_conditioned(n=60, d=3)
    est = GDRegressor(method=method, max_iter=20, tol=None, random_state=3).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.predict(X), est.predict(X))
    assert_array_equal(clone(est).fit(X, y).predict(X), est.predict(X))
    # the unpickled estimator keeps the optimizer: partial_fit continues identically
    assert_array_equal(again.partial_fit(X, y).coef_, est.partial_fit(X, y).coef_)


@pytest.mark.parametrize("method", FULL_BATCH)
def test_partial_fit_k_times_equals_fit_max_iter_k(method):
    X, y, _ = well_conditioned(n=50, d=3)
    k = 7
    with pytest.warns(ConvergenceWarning):
        fitted = GDRegressor(method=method, max_iter=k, tol="precise").fit(X, y)
    inc = GDRegressor(method=method)
    for _ in range(k):
        inc.partial_fit(X, y)
    assert_array_equal(inc.coef_, fitted.coef_)
    assert inc.intercept_ == fitted.intercept_
    assert inc.loss_curve_ == fitted.loss_curve_ and inc.t_ == fitted.t_ == k


@pytest.mark.parametrize("method", ALL)
def test_partial_fit_continues_the_random_stream(method):
    # with the same seed, k partial_fit calls replay fit's row draws exactly
    X, y, _ = well_conditioned(n=40, d=2)
    fitted = GDRegressor(method=method, max_iter=4, tol=None, random_state=5).fit(X, y)
    inc = GDRegressor(method=method, random_state=5)
    for _ in range(4):
        inc.partial_fit(X, y)
    assert_allclose(inc.coef_, fitted.coef_, rtol=0, atol=1e-13)
    assert inc.t_ == fitted.t_ and fitted.n_iter_ == 4


def test_partial_fit_after_fit_continues_and_accepts_new_sizes():
    X, y, _ = well_conditioned(n=60, d=3)
    a = GDRegressor(method="sagd", max_iter=3, tol=None, random_state=0).fit(X, y)
    b = GDRegressor(method="sagd", max_iter=4, tol=None, random_state=0).fit(X, y)
    assert_allclose(a.partial_fit(X, y).coef_, b.coef_, rtol=0, atol=1e-13)
    a.partial_fit(X[:25], y[:25])  # another number of rows: the SAG memory restarts
    assert a.t_ == b.t_ + 25 and len(a.loss_curve_) == 5
    with pytest.raises(ValueError, match="features"):
        a.partial_fit(X[:, :2], y)


# --- the engine's numbers ----------------------------------------------------------------------
TOY_X = np.array([[0.5], [-1.0], [1.5], [2.0]])
TOY_Y = np.array([1.0, -0.5, 2.0, 3.5])


def _reference_step(rule, theta, g, state, t, hp):
    """One step of ``rule``, transcribed from ALGORITHMS.md section 2 (pure NumPy)."""
    lr = hp["lr"]
    if rule == "plain":
        return theta - lr * g
    if rule == "momentum":
        state["u"] = hp["mu"] * state.get("u", 0.0) + lr * g
        return theta - state["u"]
    if rule == "adagrad":
        state["G"] = state.get("G", 0.0) + g**2
        return theta - lr * g / (np.sqrt(state["G"]) + hp["eps"])
    if rule == "adadelta":
        rho, eps = hp["rho"], hp["eps"]
        state["Eg"] = rho * state.get("Eg", 0.0) + (1 - rho) * g**2
        dx = -np.sqrt(state.get("Ex", 0.0) + eps) / np.sqrt(state["Eg"] + eps) * g
        state["Ex"] = rho * state.get("Ex", 0.0) + (1 - rho) * dx**2
        return theta + lr * dx
    if rule == "rmsprop":
        rho, eps, mu = hp["rho"], hp["eps"], hp.get("mu", 0.0)
        state["v"] = rho * state.get("v", 0.0) + (1 - rho) * g**2
        if hp.get("centered"):
            state["gbar"] = rho * state.get("gbar", 0.0) + (1 - rho) * g
            a = np.sqrt(state["v"] - state["gbar"] ** 2) + eps
        else:
            a = np.sqrt(state["v"]) + eps
        if mu > 0:
            state["buf"] = mu * state.get("buf", 0.0) + g / a
            return theta - lr * state["buf"]
        return theta - lr * g / a
    if rule in ("adam", "amsgrad"):
        b1, b2, eps = 0.9, 0.999, hp["eps"]
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g**2
        if rule == "amsgrad":
            state["vmax"] = np.maximum(state.get("vmax", 0.0), state["v"])
            denom = np.sqrt(state["vmax"]) / np.sqrt(1 - b2**t) + eps
        else:
            denom = np.sqrt(state["v"] / (1 - b2**t)) + eps
        return theta - lr * state["m"] / (1 - b1**t) / denom
    if rule == "rprop":
        step = state.get("step", np.full_like(theta, lr))
        prev = state.get("prev", np.zeros_like(theta))
        s = g * prev
        step = np.where(s > 0, np.minimum(step * 1.2, 50.0),
                        np.where(s < 0, np.maximum(step * 0.5, 1e-6), step))
        g = np.where(s < 0, 0.0, g)
        state["step"], state["prev"] = step, g
        return theta - np.sign(g) * step
    raise AssertionError(rule)


def _reference_path(rule, hp, X, y, n_steps):
    """Full-batch gradient descent with ``rule`` on least squares; theta after each step."""
    A = np.column_stack([np.ones(len(y)), X])
    theta, state, path = np.zeros(A.shape[1]), {}, []
    for t in range(1, n_steps + 1):
        if rule == "nesterov":  # Sutskever form: the gradient at the look-ahead point
            v = state.get("v", 0.0)
            g = A.T @ (A @ (theta + hp["mu"] * v) - y) / len(y)
            state["v"] = hp["mu"] * v - hp["lr"] * g
            theta = theta + state["v"]
        else:
            g = A.T @ (A @ theta - y) / len(y)
            theta = _reference_step(rule, theta, g, state, t, hp)
        path.append(theta)
    return np.array(path)


# (method, estimator settings, reference rule, reference hyperparameters)
RULE_CASES = [
    ("gd", {"learning_rate": 0.1}, "plain", {"lr": 0.1}),
    ("mgd", {"learning_rate": 0.1}, "momentum", {"lr": 0.1, "mu": 0.9}),
    ("agd", {"learning_rate": 0.1}, "nesterov", {"lr": 0.1, "mu": 0.9}),
    ("adagrad", {"learning_rate": 0.1}, "adagrad", {"lr": 0.1, "eps": 1e-10}),
    ("adadelta", {"learning_rate": 1.0, "rho": 0.9}, "adadelta",
     {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.9}, "rmsprop",
     {"lr": 0.01, "rho": 0.9, "eps": 1e-8}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.9}, "rmsprop",
     {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "mu": 0.9}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.9, "centered": True}, "rmsprop",
     {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "centered": True}),
    ("adam", {"learning_rate": 0.1}, "adam", {"lr": 0.1, "eps": 1e-8}),
    ("amsgrad", {"learning_rate": 0.1}, "amsgrad", {"lr": 0.1, "eps": 1e-8}),
    ("rprop", {"learning_rate": 0.1}, "rprop", {"lr": 0.1}),
]

# ALGORITHMS.md section 6: a fixed gradient sequence, and theta after steps 1, 2, 3.
_G = [np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([-0.25, 1.5])]
RULE_VECTORS = {
    ("plain", 0.1): [[0.4, -0.1], [0.35, -0.2], [0.375, -0.35]],
    ("adagrad", 0.1): [[0.40000000001000002, -0.20000000000499998],
                       [0.35527864046400426, -0.24472135955299579],
                       [0.37710042948569872, -0.3004299610040424]],
    ("adadelta", 1.0): [[0.49683773815110133, -0.2968377262926713],
                        [0.49475260828910761, -0.29892286686357389],
                        [0.49590568340438684, -0.30179010237776654]],
    ("rmsprop", 0.01): [[0.46837722439831619, -0.2683772238983162],
                        [0.45363302921760906, -0.2831214192964146],
                        [0.4611793928957309, -0.30188608468769285]],
    ("adam", 0.1): [[0.40000000099999999, -0.2000000005],
                    [0.30678203829816109, -0.17336629670243153],
                    [0.25041590149632964, -0.19188324266807816]],
    ("rprop", 0.1): [[0.4, -0.2], [0.28, -0.2], [0.28, -0.25]],
}


@pytest.mark.parametrize("rule_lr", list(RULE_VECTORS))
def test_reference_rules_reproduce_the_test_vectors(rule_lr):
    rule, lr = rule_lr
    hp = {"lr": lr, "eps": {"adagrad": 1e-10, "adadelta": 1e-6}.get(rule, 1e-8), "rho": 0.9}
    theta, state = np.array([0.5, -0.3]), {}
    for t, (g, want) in enumerate(zip(_G, RULE_VECTORS[rule_lr], strict=True), 1):
        theta = _reference_step(rule, theta, g, state, t, hp)
        assert_allclose(theta, want, rtol=0, atol=1e-15)


def test_full_batch_paths_match_the_least_squares_vectors():
    vectors = {"gd": [[0.15, 0.275], [0.264375, 0.4871875],
                      [0.35139843750000005, 0.65101171875000008]],
               "mgd": [[0.15, 0.275], [0.399375, 0.7346875],
                       [0.67877343749999997, 1.2556992187500002]],
               "agd": [[0.15, 0.275], [0.3673125, 0.67815625],
                       [0.578529609375, 1.0785929296875001]]}
    for method, want in vectors.items():
        for k in (1, 2, 3):
            est = GDRegressor(method=method, learning_rate=0.1, max_iter=k, tol=None)
            est.fit(TOY_X, TOY_Y)
            assert_allclose(np.r_[est.intercept_, est.coef_], want[k - 1], rtol=0, atol=1e-15)


@pytest.mark.parametrize("method, settings, rule, hp", RULE_CASES)
def test_full_batch_trajectory_matches_pure_numpy(method, settings, rule, hp):
    n_epochs = 60
    est = GDRegressor(method=method, batch_size="full", max_iter=n_epochs, tol=None, **settings)
    est.fit(TOY_X, TOY_Y)
    path = _reference_path(rule, hp, TOY_X, TOY_Y, n_epochs)
    A = np.column_stack([np.ones(4), TOY_X])
    losses = 0.5 * np.mean((path @ A.T - TOY_Y) ** 2, axis=1)
    assert_allclose(est.loss_curve_, losses, rtol=1e-12, atol=1e-15)
    assert_allclose(np.r_[est.intercept_, est.coef_], path[-1], rtol=1e-12, atol=1e-15)
    inc = GDRegressor(method=method, batch_size="full", **settings)
    for k in range(5):  # every epoch along the way
        inc.partial_fit(TOY_X, TOY_Y)
        assert_allclose(np.r_[inc.intercept_, inc.coef_], path[k], rtol=1e-12, atol=1e-15)


# --- R parity ----------------------------------------------------------------------------------
# R name -> (estimator settings matching the R learner's defaults, R iterations per epoch)
R_SETTINGS = {
    "GD": ({}, lambda n: 1), "MGD": ({}, lambda n: 1), "AGD": ({}, lambda n: 1),
    "MBGD": ({}, lambda n: 2), "SGD": ({}, lambda n: n), "SAGD": ({}, lambda n: n),
    "ADAGRAD": ({}, lambda n: n), "ADAM": ({}, lambda n: n),
    "ADADELTA": ({"rho": 0.9, "learning_rate": 1.0}, lambda n: n),
    "RMSPROP": ({"rho": 0.9}, lambda n: n),
    "SSGD": ({"inner_iter": 10}, lambda n: 1), "SVRG": ({"inner_iter": 10}, lambda n: 1),
    "SARAH": ({"inner_iter": 10}, lambda n: 1), "SARAHPlus": ({"inner_iter": 10}, lambda n: 1),
}


@pytest.mark.parametrize("r_name", list(R_SETTINGS))
def test_same_numbers_as_the_r_style_learner(r_name):
    X, y, _ = well_conditioned(n=30, d=3, seed=4)
    settings, per_epoch = R_SETTINGS[r_name]
    seed, epochs = 11, 3
    alpha = {"ADADELTA": {}}.get(r_name, {"alpha": 0.05})
    learner = getattr(graddescent, r_name)
    theta_r = learner(np.column_stack([X, y]), max_iter=epochs * per_epoch(len(y)), seed=seed,
                      **alpha)
    theta0 = initial_theta(X.shape[1] + 1, seed)
    settings = {"learning_rate": 0.05, **settings}
    est = GDRegressor(method=R_NAMES[r_name].name, max_iter=epochs, tol=None,
                      schedule="constant", random_state=seed, **settings)
    est.fit(X, y, coef_init=theta0[1:], intercept_init=theta0[0])
    assert_allclose(np.r_[est.intercept_, est.coef_], theta_r, rtol=1e-12, atol=1e-14)


# --- stopping, schedules, errors ---------------------------------------------------------------
def test_convergence_warning_only_when_max_iter_cuts_the_fit():
    X, y, _ = well_conditioned(n=50, d=3)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        GDRegressor(method="gd", max_iter=3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDRegressor(method="gd", max_iter=3, tol=None).fit(X, y)
        est = GDRegressor(method="gd").fit(X, y)
    assert est.n_iter_ < estimator_module._MAX_ITER
    assert len(est.loss_curve_) == est.n_iter_
    assert est.t_ == est.n_iter_  # one step per full-batch epoch


def test_loss_curve_is_the_objective_after_every_epoch():
    X, y, _ = well_conditioned(n=50, d=3)
    est = GDRegressor(method="sgd", max_iter=3, tol=None, random_state=0).fit(X, y)
    inc = GDRegressor(method="sgd", random_state=0)
    for k in range(3):
        inc.partial_fit(X, y)
        pred = inc.predict(X)
        assert est.loss_curve_[k] == pytest.approx(0.5 * np.mean((pred - y) ** 2), rel=1e-12)
    assert est.t_ == 3 * 50


def test_divergence_raises_a_value_error_that_says_what_to_do():
    X, y, _ = well_conditioned(n=50, d=3)
    for method in ("gd", "sgd", "svrg"):
        with pytest.raises(ValueError, match="Scale the data.*lower the learning rate"):
            GDRegressor(method=method, learning_rate=50.0, random_state=0).fit(X, y)
    with pytest.raises(DivergenceError):
        GDRegressor(method="agd", learning_rate=5.0).fit(100 * X, y)


def test_rprop_needs_the_full_batch():
    X, y, _ = well_conditioned(n=50, d=3)
    with pytest.raises(ValueError, match="full-batch method"):
        GDRegressor(method="rprop", batch_size=10).fit(X, y)
    GDRegressor(method="rprop", batch_size=50, max_iter=5, tol=None).fit(X, y)  # = all rows


def test_invalid_parameters_are_rejected():
    X, y, _ = well_conditioned(n=20, d=2)
    for params in ({"method": "GD"}, {"learning_rate": 0.0}, {"batch_size": "half"},
                   {"schedule": "fastest"}, {"option": 3}, {"tol": -1.0}, {"loss": "hinge"},
                   {"penalty": "l3"}, {"alpha": -1.0}, {"l1_ratio": 1.5}, {"rho": 1.0}):
        with pytest.raises(ValueError, match="parameter"):
            GDRegressor(**params).fit(X, y)
    with pytest.raises(ValueError, match="coef_init"):
        GDRegressor().fit(X, y, coef_init=np.zeros(3))


def test_batch_size_and_shuffle():
    X, y, _ = well_conditioned(n=40, d=2)
    kw = {"max_iter": 2, "tol": None, "random_state": 0}
    full = GDRegressor(method="adam", batch_size="full", **kw).fit(X, y)
    assert full.t_ == 2 and full._optimizer.driver.name == "full_batch"
    minib = GDRegressor(method="gd", batch_size=8, **kw).fit(X, y)
    assert minib.t_ == 2 * 5 and minib._optimizer.driver.batch_size == 8
    assert GDRegressor(method="mbgd", n_batch=4, **kw).fit(X, y).t_ == 8
    # variance-reduced methods ignore batch_size
    svrg = GDRegressor(method="svrg", **kw).fit(X, y)
    assert_array_equal(GDRegressor(method="svrg", batch_size=4, **kw).fit(X, y).coef_,
                       svrg.coef_)
    # shuffle=False visits the rows in order: the seed no longer matters
    a = GDRegressor(method="sgd", shuffle=False, max_iter=2, tol=None, random_state=1)
    b = GDRegressor(method="sgd", shuffle=False, max_iter=2, tol=None, random_state=2)
    assert_array_equal(a.fit(X, y).coef_, b.fit(X, y).coef_)


def test_schedules():
    X, y, _ = well_conditioned(n=40, d=2)
    kw = {"method": "sgd", "learning_rate": 0.05, "max_iter": 3, "tol": None,
          "random_state": 0}
    const = GDRegressor(schedule="constant", **kw).fit(X, y)
    inv = GDRegressor(schedule="invscaling", power_t=0.5, **kw).fit(X, y)
    assert inv._optimizer.rule.power_t == 0.5 and const._optimizer.rule.power_t == 0.0
    assert not np.allclose(inv.coef_, const.coef_)
    adaptive = GDRegressor(method="sgd", schedule="adaptive", tol="precise",
                           random_state=0).fit(X, y)
    start = GDRegressor(method="sgd", max_iter=1, tol=None).fit(X, y).learning_rate_
    assert adaptive.learning_rate_ <= start / 25  # at least two stages after the first
    constant = GDRegressor(method="sgd", schedule="constant", tol="precise",
                           random_state=0).fit(X, y)
    theta = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), y, rcond=None)[0]
    err = [np.linalg.norm(np.r_[e.intercept_, e.coef_] - theta) / np.linalg.norm(theta)
           for e in (adaptive, constant)]
    assert err[0] < 1e-4 < 1e-2 < err[1]  # a constant rate hovers at its noise floor
    assert GDRegressor(method="gd").fit(X, y)._optimizer.rule.learning_rate == pytest.approx(
        GDRegressor(method="gd").fit(X, y).learning_rate_)


def test_start_point_and_warm_start():
    X, y, theta = well_conditioned(n=40, d=2)
    est = GDRegressor(method="gd", max_iter=1, tol=None)
    est.fit(X, y, coef_init=theta[1:], intercept_init=theta[0])
    assert_allclose(np.r_[est.intercept_, est.coef_], theta, atol=1e-12)  # at the optimum
    cold = GDRegressor(method="gd", max_iter=5, tol=None).fit(X, y)
    warm = GDRegressor(method="gd", max_iter=5, tol=None, warm_start=True).fit(X, y)
    first = warm.loss_curve_[-1]
    warm.fit(X, y)
    assert warm.loss_curve_[0] < first and cold.loss_curve_[-1] == first


def test_early_stopping():
    X, y, _ = well_conditioned(n=200, d=3, noise=1.0)
    est = GDRegressor(method="sgd", early_stopping=True, validation_fraction=0.2,
                      random_state=0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ < estimator_module._MAX_ITER
    assert max(est.validation_scores_) > 0.5
    again = GDRegressor(method="sgd", early_stopping=True, validation_fraction=0.2,
                        random_state=0).fit(X, y)
    assert_array_equal(again.coef_, est.coef_)
    assert GDRegressor(method="gd").fit(X, y).validation_scores_ is None
    with pytest.raises(ValueError, match="validation_fraction"):
        GDRegressor(early_stopping=True, validation_fraction=0.9).fit(X[:2], y[:2])


def test_random_state_kinds_and_the_global_state():
    X, y, _ = well_conditioned(n=30, d=2)
    kw = {"method": "svrg", "max_iter": 3, "tol": None}
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    by_int = GDRegressor(random_state=7, **kw).fit(X, y)
    by_gen = GDRegressor(random_state=np.random.default_rng(7), **kw).fit(X, y)
    assert_array_equal(by_int.coef_, by_gen.coef_)
    by_rs = GDRegressor(random_state=np.random.RandomState(7), **kw).fit(X, y)
    assert np.all(np.isfinite(by_rs.coef_))
    GDRegressor(**kw).fit(X, y)
    assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_verbose_reports_epochs_only_when_asked(capsys):
    X, y, _ = well_conditioned(n=30, d=2)
    GDRegressor(max_iter=2, tol=None).fit(X, y)
    assert capsys.readouterr().out == ""
    GDRegressor(max_iter=2, tol=None, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("-- Epoch") == 2 and "objective" in out


def test_docstring_example_runs():
    result = doctest.testmod(estimator_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_adagrad_self_decay_is_not_mistaken_for_convergence(diabetes):
    # Adagrad's step shrinks by itself, so a stage may lower its rate much less than 5x; a small
    # move of the coefficients then says little (random_state=42 stopped at 3e-4 before the
    # stopping rule weighed the move by the actual fall of the rate).
    X, y, coef, intercept = diabetes
    est = GDRegressor(method="adagrad", tol="precise", random_state=42).fit(X, y)
    assert np.linalg.norm(est.coef_ - coef) / np.linalg.norm(coef) < 1e-4


# --- stopping as scikit-learn users expect ----------------------------------------------------
@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("method", ALL)
def test_default_tol_stops_every_method(method, iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDRegressor(method=method, max_iter=2000, random_state=0).fit(X, y)
    assert est.n_iter_ < 200
    assert est.score(X, y) > 0.92  # least squares: 0.9304


def test_tol_sets_how_long_a_sampled_fit_runs(iris):
    X, y = iris
    epochs = [GDRegressor(method="sgd", tol=tol, max_iter=2000, random_state=0).fit(X, y).n_iter_
              for tol in (1e-1, 1e-3, 1e-5)]
    assert epochs[0] < epochs[2] < 2000 and epochs == sorted(epochs)


def test_patience_stops_as_sgdregressor_does():
    # constant schedule: the last n_iter_no_change epochs did not improve on the best before
    # them by tol, and every earlier window of that length did (in units of Var(y) / 2)
    X, y, _ = well_conditioned(n=200, d=3, noise=0.5)
    tol, patience = 1e-4, 5
    est = GDRegressor(method="gd", tol=tol, n_iter_no_change=patience).fit(X, y)
    watched = np.array(est.loss_curve_) / (0.5 * np.var(y))
    best_before = watched[:-patience].min()
    assert np.all(watched[-patience:] >= best_before - tol)
    assert est.n_iter_ < estimator_module._MAX_ITER


@pytest.mark.parametrize("method", ["gd", "sgd", "adam", "svrg", "mbgd"])
def test_early_stopping_stops_on_the_validation_score(method):
    X, y, _ = well_conditioned(n=300, d=3, noise=1.0)
    est = GDRegressor(method=method, early_stopping=True, max_iter=500,
                      random_state=0).fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ < 500
    assert max(scores[-5:]) < max(scores[:-5]) + 1e-3  # no improvement by tol at the end


def test_default_sampled_fit_is_short_and_precise_is_one_setting_away():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 20))
    y = 0.5 + X @ rng.standard_normal(20) + 0.1 * rng.standard_normal(20_000)
    est = GDRegressor(method="sgd", random_state=0).fit(X, y)
    assert est.n_iter_ <= 30  # 592 epochs before the stopping rework
    ols = LinearRegression().fit(X, y)
    assert est.score(X, y) > ols.score(X, y) - 1e-3
    precise = GDRegressor(method="svrg", tol="precise", random_state=0).fit(X, y)
    assert_allclose(precise.coef_, ols.coef_, rtol=1e-6)
    same = GDRegressor(method="svrg", tol="auto", random_state=0).fit(X, y)  # former name
    assert_array_equal(same.coef_, precise.coef_)


def test_rule_hyperparameters_come_from_the_rule_specs():
    from graddescent import _rule_options, rules
    options = _rule_options.rule_options()
    params = GDRegressor().get_params()
    for name, pairs in options.items():
        assert params[name] is None and name in GDRegressor.__doc__
        for spec, h in pairs:
            assert f"default ``{h.default!r}``" in GDRegressor.__doc__
            rule = METHODS[next(m for m in METHODS if METHODS[m].rule == spec.name)]
            assert getattr(GDRegressor(method=rule.name, max_iter=1, tol=None).fit(
                TOY_X, TOY_Y)._optimizer.rule, name) == h.default
    assert "rho" in options and {"step_min", "step_max"}.isdisjoint(options)
    assert rules.get_spec("rmsprop").hyperparameters[0].default == 0.9


# --- scikit-learn's problems: loss, penalty, fit_intercept ---------------------------------------
@pytest.mark.parametrize("method", ["gd", "svrg", "saga"])
def test_ridge_alpha_means_what_it_means_in_sklearn(method, diabetes):
    from sklearn.linear_model import Ridge
    X, y, _, _ = diabetes
    alpha = 0.5
    est = GDRegressor(method=method, penalty="l2", alpha=alpha, tol="precise",
                      random_state=0).fit(X, y)
    ref = Ridge(alpha=alpha * len(y), solver="cholesky").fit(X, y)  # Ridge's alpha is n times
    assert_allclose(np.r_[est.intercept_, est.coef_], np.r_[ref.intercept_, ref.coef_],
                    rtol=1e-6)


@pytest.mark.parametrize("method", ["gd", "saga"])
def test_lasso_is_exactly_sparse_where_lasso_is(method, diabetes):
    from sklearn.linear_model import Lasso
    X, y, _, _ = diabetes
    alpha = 2.0
    est = GDRegressor(method=method, penalty="l1", alpha=alpha, tol="precise",
                      random_state=0).fit(X, y)
    ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * np.abs(ref.coef_).max())
    assert (ref.coef_ == 0).any() and np.array_equal(est.coef_ == 0, ref.coef_ == 0)


def test_huber_reaches_the_exact_optimum(diabetes):
    from graddescent.problems import Problem
    X, y, _, _ = diabetes
    est = GDRegressor(method="svrg", loss="huber", epsilon=30.0, tol="precise",
                      random_state=0).fit(X, y)
    theta = Problem("huber", epsilon=30.0).optimum(X, y)
    assert _rel_err(est, theta[1:], theta[0]) < 1e-6  # relative, in norm


def test_fit_intercept_false_goes_through_the_origin():
    X, y, _ = well_conditioned(n=60, d=3)
    est = GDRegressor(method="sgd", fit_intercept=False, random_state=0).fit(X, y + 5.0)
    assert est.intercept_ == 0.0 and est.predict(np.zeros((1, 3)))[0] == 0.0
    ols = LinearRegression(fit_intercept=False).fit(X, y + 5.0)
    precise = GDRegressor(method="svrg", fit_intercept=False, tol="precise",
                          random_state=0).fit(X, y + 5.0)
    assert_allclose(precise.coef_, ols.coef_, rtol=1e-8)


def test_methods_that_cannot_run_a_problem_say_which_can():
    X, y, _ = well_conditioned(n=40, d=2)
    with pytest.raises(ValueError, match="epsilon_insensitive.*Methods that handle it:.*sgd"):
        GDRegressor(method="svrg", loss="epsilon_insensitive", learning_rate=0.01).fit(X, y)
    with pytest.raises(ValueError, match="rprop.*proximal"):
        GDRegressor(method="rprop", penalty="l1").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        GDRegressor(method="sgd", loss="epsilon_insensitive").fit(X, y)
    with pytest.raises(ValueError, match="optimal.*plain rule|rule 'adam'"):
        GDRegressor(method="adam", penalty="l2", schedule="optimal").fit(X, y)
    with pytest.raises(ValueError, match="alpha > 0"):
        GDRegressor(method="sgd", alpha=0.0, schedule="optimal").fit(X, y)


def test_a_diverging_optimal_schedule_names_the_schedule_and_its_first_step():
    # alpha 1e-4 (the default, unused by penalty=None) makes the first step 1 / (alpha t0) = 10:
    # the message names that step and alpha, not the nominal rate 1 / alpha = 1e4
    X, y, _ = well_conditioned(n=200, d=3)
    with pytest.raises(DivergenceError) as info:
        GDRegressor(method="sgd", schedule="optimal", random_state=0).fit(X * 10.0, y)
    message = str(info.value)
    assert "schedule='optimal'" in message and "the first 10 with alpha=0.0001" in message
    assert "raise alpha or choose another schedule" in message and "10000" not in message
    # the step count is where the kernel stopped, not that of the last completed call (0)
    assert info.value.t > 0 and f"after {info.value.t} update steps" in message


def test_early_stopping_with_sample_weight_watches_the_weighted_validation_r2():
    from sklearn.metrics import r2_score
    X, y, _ = well_conditioned(n=200, d=3, noise=1.0)
    sw = np.random.default_rng(1).uniform(0.1, 2.0, size=200)
    est = GDRegressor(method="gd", early_stopping=True, max_iter=7, tol=None,
                      random_state=0).fit(X, y, sample_weight=sw)
    held = np.random.default_rng(0).permutation(200)[:20]  # the split drawn from random_state
    want = r2_score(y[held], est.predict(X[held]), sample_weight=sw[held])
    assert est.validation_scores_[-1] == pytest.approx(want, rel=1e-12)

"""The R-style API: names, R defaults, reproducibility, workflow helpers and bad input."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent._registry import R_NAMES
from graddescent.r_api import CONTROL_DEFAULTS, initial_theta

R_SIGNATURES = {
    "GD": ["alpha", "max_iter", "seed"],
    "MBGD": ["alpha", "max_iter", "n_batch", "seed"],
    "SGD": ["alpha", "max_iter", "seed"],
    "SAGD": ["alpha", "max_iter", "seed"],
    "MGD": ["alpha", "max_iter", "momentum", "seed"],
    "AGD": ["alpha", "max_iter", "momentum", "seed"],
    "ADAGRAD": ["alpha", "max_iter", "seed"],
    "ADADELTA": ["max_iter", "momentum", "seed"],
    "RMSPROP": ["alpha", "max_iter", "momentum", "seed"],
    "ADAM": ["alpha", "max_iter", "seed"],
    "SSGD": ["alpha", "max_iter", "lamda", "inner_iter", "seed"],
    "SVRG": ["alpha", "max_iter", "inner_iter", "option", "seed"],
    "SARAH": ["alpha", "max_iter", "inner_iter", "seed"],
    "SARAHPlus": ["alpha", "max_iter", "inner_iter", "gamma_s", "seed"],
}
R_DEFAULTS = {"alpha": 0.1, "max_iter": 10, "seed": None, "n_batch": 2, "momentum": 0.9,
              "lamda": 0.0, "inner_iter": 10, "option": 2, "gamma_s": 0.125}


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = 1.0 + X @ np.array([0.5, -1.0, 2.0]) + 0.1 * rng.standard_normal(60)
    return pd.DataFrame(np.column_stack([X, y]), columns=["a", "b", "c", "out"])


def test_every_r_name_is_exported_with_r_arguments_and_defaults():
    assert set(R_SIGNATURES) == set(R_NAMES)
    for name, args in R_SIGNATURES.items():
        fn = getattr(gd, name)
        params = inspect.signature(fn).parameters
        assert list(params) == ["data_train", *args], name
        for a in args:
            assert params[a].default == R_DEFAULTS[a], (name, a)
        assert fn.__name__ == name
        doc = fn.__doc__
        assert f"``{name}``" in doc and "Differences from R gradDescent 3.0" in doc
        assert "Parameters" in doc and "Returns" in doc


@pytest.mark.parametrize("name", sorted(R_SIGNATURES))
def test_same_seed_same_bits_different_seed_differs(name, data):
    fn = getattr(gd, name)
    a, b = fn(data, max_iter=7, seed=3), fn(data, max_iter=7, seed=3)
    c = fn(data, max_iter=7, seed=4)
    assert a.shape == (4,)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", sorted(R_SIGNATURES))
def test_max_iter_zero_returns_theta0(name, data):
    theta = getattr(gd, name)(data, max_iter=0, seed=5)
    np.testing.assert_array_equal(theta, initial_theta(4, 5))
    assert np.all((theta >= 0) & (theta < 1))


@pytest.mark.parametrize("name", sorted(R_SIGNATURES))
def test_callers_data_is_not_modified(name, data):
    before = data.copy(deep=True)
    getattr(gd, name)(data, max_iter=3, seed=1)
    pd.testing.assert_frame_equal(data, before)


def test_array_and_frame_inputs_agree(data):
    np.testing.assert_array_equal(gd.SGD(data, seed=2), gd.SGD(data.to_numpy(), seed=2))


def test_does_not_touch_global_random_state(data):
    before = np.random.get_state()  # noqa: NPY002 (the legacy global state is the subject)
    for name in R_SIGNATURES:
        getattr(gd, name)(data, max_iter=3, seed=1)
    after = np.random.get_state()  # noqa: NPY002
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


def test_rmsprop_and_adadelta_momentum_means_rho(data):
    a = gd.RMSPROP(data, momentum=0.5, seed=1)
    b = gd.RMSPROP(data, momentum=0.9, seed=1)
    assert not np.array_equal(a, b)


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("mutate,exc,message", [
    (lambda d: d.assign(a=d["a"].astype(str)), TypeError, "Column 'a' .* is not numeric"),
    (lambda d: d.assign(b=d["b"] > 0), TypeError, "Column 'b' .* is boolean"),
    (lambda d: d.assign(c=np.where(d.index == 3, np.nan, d["c"])), ValueError,
     "Column 'c' .* 1 NaN value"),
    (lambda d: d.assign(out=np.where(d.index == 0, np.inf, d["out"])), ValueError,
     "Column 'out' .* infinite"),
    (lambda d: d[["out"]], ValueError, "at least 2 columns"),
    (lambda d: d.iloc[:1], ValueError, "at least 2 rows"),
])
def test_bad_data_gets_a_clear_error(data, mutate, exc, message):
    with pytest.raises(exc, match=message):
        gd.GD(mutate(data))


@pytest.mark.parametrize("fn,kwargs,message", [
    ("GD", {"alpha": 0}, "alpha must be a positive number"),
    ("GD", {"alpha": -0.1}, "alpha must be a positive number"),
    ("GD", {"max_iter": -1}, "max_iter must be at least 0"),
    ("GD", {"max_iter": 2.5}, "max_iter must be an integer"),
    ("MBGD", {"n_batch": 0}, "n_batch must be at least 1"),
    ("MBGD", {"n_batch": 61}, "n_batch must be at most 60"),
    ("SVRG", {"inner_iter": 0}, "inner_iter must be at least 1"),
    ("SVRG", {"option": 3}, "option must be 1 or 2"),
    ("SARAHPlus", {"gamma_s": 0}, r"gamma_s must lie in \(0, 1\]"),
    ("SARAHPlus", {"gamma_s": 1.5}, r"gamma_s must lie in \(0, 1\]"),
    ("MGD", {"momentum": 1.0}, r"momentum must lie in \[0, 1\)"),
    ("RMSPROP", {"momentum": -0.1}, r"momentum must lie in \[0, 1\)"),
    ("ADADELTA", {"momentum": 1.2}, r"momentum must lie in \[0, 1\)"),
    ("SSGD", {"lamda": -1}, "lamda must be >= 0"),
    ("SSGD", {"lamda": 10}, "lamda \\* alpha must be < 1"),
])
def test_bad_hyperparameters_get_a_clear_error(data, fn, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(gd, fn)(data, **kwargs)


def test_unknown_argument_is_a_type_error(data):
    with pytest.raises(TypeError, match="GD\\(\\): .*unexpected keyword argument 'n_batch'"):
        gd.GD(data, n_batch=3)


def test_overflow_stops_with_advice(data):
    big = data * 1e4
    with pytest.raises(ValueError, match="Scale the data .* lower the learning rate"):
        gd.GD(big, alpha=1.0, max_iter=200, seed=1)


# --- workflow ----------------------------------------------------------------------------------
def test_split_data_sizes_order_and_reproducibility(data):
    train, test = gd.split_data(data, 0.8, seed=1)
    assert len(train) == 48 and len(test) == 12
    assert sorted([*train.index, *test.index]) == list(range(60))
    assert list(test.index) == sorted(test.index)  # test rows keep the original order
    again = gd.split_data(data, 0.8, seed=1)
    pd.testing.assert_frame_equal(train, again.data_train)
    assert not gd.split_data(data, 0.8, seed=2).data_train.index.equals(train.index)


@pytest.mark.parametrize("rate", [0.0, 1.0, 1.5])
def test_split_data_rejects_bad_rates(data, rate):
    with pytest.raises(ValueError, match="data_train_rate must lie in"):
        gd.split_data(data, rate)


def test_variance_scaling_uses_n_minus_1_and_round_trips(data):
    scaled, params = gd.variance_scaling(data)
    np.testing.assert_allclose(scaled.std(ddof=1), 1.0)
    np.testing.assert_allclose(params.loc["sd"], data.std(ddof=1))
    np.testing.assert_allclose(gd.variance_descaling(scaled, params), data)


def test_minmax_scaling_round_trips(data):
    scaled, params = gd.minmax_scaling(data)
    np.testing.assert_allclose(scaled.min(), 0.0)
    np.testing.assert_allclose(scaled.max(), 1.0)
    np.testing.assert_allclose(gd.minmax_descaling(scaled, params), data)


@pytest.mark.parametrize("scaler", [gd.variance_scaling, gd.minmax_scaling])
def test_constant_column_under_scaling_is_an_error(data, scaler):
    with pytest.raises(ValueError, match="Column\\(s\\) 'b' are constant"):
        scaler(data.assign(b=3.0))


def test_constant_column_under_learn_is_an_error(data):
    with pytest.raises(ValueError, match="constant"):
        gd.learn(data.assign(a=1.0), scaling_method="MINMAX")


def test_learn_fills_r_control_defaults_and_predicts_with_or_without_output(data):
    model = gd.learn(data, learning_method="MGD", control={"max_iter": 1000}, seed=1)
    assert model.control == {**CONTROL_DEFAULTS, "max_iter": 1000}
    assert model.learning_method == "MGD" and model.scaling_method == "VARIANCE"
    assert list(model.scaling_parameter.index) == ["mean", "sd"]
    with_out = gd.predict(model, data)
    without = gd.predict(model, data.drop(columns="out"))
    as_array = gd.predict(model, data.drop(columns="out").to_numpy())
    np.testing.assert_allclose(with_out["prediction"], without["prediction"])
    np.testing.assert_allclose(as_array["prediction"], without["prediction"])
    assert list(with_out.columns) == ["a", "b", "c", "prediction"]
    X = np.column_stack([np.ones(60), data[["a", "b", "c"]]])
    ols = X @ np.linalg.lstsq(X, data["out"], rcond=None)[0]
    np.testing.assert_allclose(with_out["prediction"], ols, atol=1e-8)


def test_learn_without_scaling_and_with_minmax(data):
    for kw in ({"feature_scaling": False}, {"scaling_method": "MINMAX"}):
        model = gd.learn(data, learning_method="SVRG", control={"max_iter": 300}, seed=1, **kw)
        pred = gd.predict(model, data)["prediction"]
        assert gd.rmse(data["out"], pred) < 0.2


@pytest.mark.parametrize("kwargs,message", [
    ({"learning_method": "FOO"}, "Unknown learning method 'FOO'"),
    ({"learning_method": "rprop"}, "is not one of them"),
    ({"scaling_method": "ROBUST"}, "Unknown scaling_method 'ROBUST'"),
    ({"control": {"maxIter": 3}}, r"Unknown control setting\(s\) \['maxIter'\]"),
])
def test_learn_rejects_unknown_names(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gd.learn(data, **kwargs)


def test_predict_rejects_wrong_width(data):
    model = gd.learn(data, control={"max_iter": 5}, seed=1)
    with pytest.raises(ValueError, match="model expects 3 inputs"):
        gd.predict(model, np.ones((4, 6)))


def test_prediction_and_rmse():
    out = gd.prediction(np.array([1.0, 2.0]), pd.DataFrame({"x": [0.0, 1.0]}))
    assert list(out["prediction"]) == [1.0, 3.0]
    assert gd.rmse([1.0, 3.0], out["prediction"]) == 0.0
    with pytest.raises(ValueError, match="theta has 3 values"):
        gd.prediction([1.0, 2.0, 3.0], pd.DataFrame({"x": [0.0]}))
    with pytest.raises(ValueError, match="differ in length"):
        gd.rmse([1.0, 2.0], [1.0])


def test_mbgd_is_flipflop_mini_batch_gradient_descent():
    """MBGD against a NumPy loop: batches of ceil(n / n_batch) rows of every row, a fresh
    permutation every second epoch and its reverse in between, a plain constant step."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((23, 4))
    X, y = data[:, :-1], data[:, -1]
    alpha, n_batch, steps, seed = 0.05, 3, 17, 4  # 3 batches of 8, 8, 7; 5 2/3 epochs
    theta = initial_theta(4, seed)
    stream, draws = [], np.random.default_rng(seed)
    while len(stream) < 6:
        order = draws.permutation(23)
        stream += [order, order[::-1]]
    steps_done = 0
    for order in stream:
        for start in range(0, 23, 8):
            if steps_done == steps:
                break
            b = order[start:start + 8]
            residual = theta[0] + X[b] @ theta[1:] - y[b]
            theta = theta - alpha * np.concatenate([[residual.mean()], X[b].T @ residual / len(b)])
            steps_done += 1
    got = gd.MBGD(data, alpha=alpha, max_iter=steps, n_batch=n_batch, seed=seed)
    np.testing.assert_allclose(got, theta, rtol=1e-12, atol=1e-14)


def test_r_facts_come_from_the_registry():
    """learn's control defaults, the learners' defaults and argument docs: one source."""
    from graddescent import _registry as R

    assert CONTROL_DEFAULTS == R.control_defaults()
    assert list(CONTROL_DEFAULTS) == [a for a in R.R_ARGUMENTS if a != "seed"]
    for method in R_NAMES.values():
        doc = getattr(gd, method.r_name).__doc__
        for arg, default in method.r_args.items():
            assert arg == "seed" or CONTROL_DEFAULTS[arg] == default
            assert R.r_argument_doc(method, arg) in doc, (method.r_name, arg)
            assert f"{arg} : {R.R_ARGUMENTS[arg].annotation}, default {default!r}" in doc


def test_r_arguments_are_checked_once_by_name(data):
    from graddescent._registry import check_r_arguments

    checked = check_r_arguments({"alpha": 1, "max_iter": 3.0, "seed": None, "option": 1}, 10)
    assert checked == {"alpha": 1.0, "max_iter": 3, "seed": None, "option": 1}
    assert isinstance(checked["max_iter"], int)
    with pytest.raises(TypeError, match="unknown R argument"):
        check_r_arguments({"maxIter": 3}, 10)
    with pytest.raises(ValueError, match="max_iter must be an integer, got True"):
        gd.GD(data, max_iter=True)
    with pytest.raises(ValueError, match="option must be 1 or 2"):
        gd.SVRG(data, option=3, max_iter=0)  # checked before running, not only by the driver

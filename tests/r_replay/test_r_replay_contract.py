"""The replay's contract with R: R's errors raised as RError, R's NaN and Inf returned with one
warning naming the cause and the step, R's reading of the data (text refused, logicals as 0/1).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from graddescent import r_replay
from graddescent.r_replay import RError, RRandom
from graddescent.r_replay.errors import RNonFiniteWarning


def _frame(n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = 1.0 + x @ np.array([2.0, -1.0]) + 0.1 * rng.normal(size=n)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "out": y})


def _one_warning(record: list) -> str:
    """The single RNonFiniteWarning of a call, pointing at the caller (this file)."""
    ours = [w for w in record if issubclass(w.category, RNonFiniteWarning)]
    assert len(ours) == 1, [str(w.message) for w in record]
    assert ours[0].filename == __file__
    return str(ours[0].message)


# -- where R stops, the replay raises R's error ----------------------------------------------
def test_sarah_plus_raises_where_r_stops_on_nan() -> None:
    # R: while (NA && iter < innerIter) -> "missing value where TRUE/FALSE needed"
    data = _frame()
    data.loc[4, "a"] = np.nan
    with pytest.raises(RError, match="missing value where TRUE/FALSE needed.*SARAHPlus"):
        r_replay.SARAHPlus(data, seed=1)
    # a constant column scales to NaN: learn stops in the learner the same way
    constant = _frame().assign(b=2.0)
    with pytest.raises(RError, match="missing value where TRUE/FALSE needed"):
        r_replay.learn(constant, learning_method="SARAHPlus", seed=1)
    # with inner_iter = 1, NA && FALSE is FALSE: no error, theta stays theta0 (finite)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theta = r_replay.SARAHPlus(data, inner_iter=1, seed=1)
    np.testing.assert_array_equal(theta, RRandom(1).runif(3))


def test_mbgd_and_svrg_tests_on_missing_values_raise() -> None:
    data = _frame()
    with pytest.raises(RError, match=r"missing value where TRUE/FALSE needed.*nBatch = 0"):
        r_replay.MBGD(data, n_batch=0, seed=1)
    with pytest.raises(RError, match="object 'temp' not found"):
        r_replay.MBGD(data, n_batch=-2, seed=1)
    with pytest.raises(RError, match=r"missing value where TRUE/FALSE needed.*option = NA"):
        r_replay.SVRG(data, option=float("nan"), seed=1)


# -- where R returns NaN or Inf: R's numbers and one warning with the cause --------------------
def test_constant_column_under_scaling_warns_once_naming_it() -> None:
    data = _frame().assign(b=3.0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model = r_replay.learn(data, seed=1)
    message = _one_warning(record)
    assert "column 'b' is constant (3.0)" in message
    assert "varianceScaling divides it by its sd 0" in message
    assert "after iteration 1" in message
    assert np.isnan(model.model).all()  # R's numbers
    assert model.scaling_parameter[1, 1] == 0.0
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        r_replay.learn(data, scaling_method="MINMAX", seed=1)
    assert "minmaxScaling divides it by its max - min 0" in _one_warning(record)


def test_na_in_the_data_warns_with_column_and_step() -> None:
    data = _frame()
    data.loc[[3, 7], "a"] = np.nan
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        theta = r_replay.GD(data, seed=1)
    message = _one_warning(record)
    assert "column 'a' has 2 NA/NaN value(s)" in message
    assert "after iteration 1 (the intercept)" in message
    assert np.isnan(theta).all()
    array = data.to_numpy(copy=True)
    array[0, 2] = np.inf
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        r_replay.MGD(array, seed=1)
    message = _one_warning(record)
    assert "column 0 has 2 NA/NaN value(s)" in message
    assert "column 2 has 1 infinite value(s)" in message


def test_single_row_learners_warn_only_when_theta_is_not_finite() -> None:
    data = _frame()
    order = RRandom(1).sample(30) - 1  # R's shuffle: shuffled row r is original row order[r]
    listed = order[RRandom(1).sample(30, 10, replace=True) - 1]  # original rows SGD reads
    unvisited = next(i for i in range(30) if i not in set(listed))
    data.iloc[unvisited, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(r_replay.SGD(data, seed=1)).all()
    k = next(k for k in range(1, 10) if listed[k] not in set(listed[:k]))
    data.iloc[listed[k], 0] = np.nan  # first read at iteration k + 1
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        r_replay.SGD(data, seed=1)
    assert f"after iteration {k + 1} " in _one_warning(record)


def test_overflowing_steps_warn_with_the_step() -> None:
    data = _frame() * 1e3
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        theta = r_replay.GD(data, alpha=10, max_iter=100, seed=1)
    message = _one_warning(record)
    assert "steps overflowed" in message and "lower alpha" in message
    step = int(message.split("after iteration ")[1].split()[0])
    assert 1 < step < 100
    assert np.isfinite(r_replay.GD(data, alpha=10, max_iter=step - 1, seed=1)).all()
    assert not np.isfinite(theta).all()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        r_replay.GD(_frame(), alpha=float("inf"), seed=1)
    assert "alpha is inf" in _one_warning(record)


def test_predict_warns_on_na_rows() -> None:
    model = r_replay.learn(_frame(), seed=1)
    new = _frame(seed=1)
    new.loc[2, "b"] = np.nan
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        predicted = r_replay.predict(model, new)
    assert "1 non-finite prediction(s)" in _one_warning(record)
    assert "column 'b' has 1 NA/NaN" in str(record[0].message)
    assert np.isnan(predicted["prediction"].iloc[2])
    assert np.isfinite(predicted["prediction"].drop(index=2)).all()


# -- R's reading of the data -----------------------------------------------------------------
def test_numeric_strings_are_text_to_r() -> None:
    data = _frame()
    data["a"] = data["a"].astype(str)
    # the learners: R's %*% on a text matrix
    with pytest.raises(RError, match=r"requires numeric/complex matrix/vector arguments: "
                                     r"column 'a' of data_train holds text"):
        r_replay.GD(data, seed=1)
    # learn scales first: R's (dataSet - mean) / sd on text
    with pytest.raises(RError, match=r"non-numeric argument to binary operator: column 'a' "
                                     r"of data_set holds text"):
        r_replay.learn(data, seed=1)
    with pytest.raises(RError, match="requires numeric/complex"):
        r_replay.learn(data, feature_scaling=False, seed=1)
    array = np.array([["1.5", "2"], ["3", "4"]])
    with pytest.raises(RError, match=r"column 0 of data_train holds text \(e.g. '1.5'\)"):
        r_replay.SGD(array, seed=1)


def test_text_column_gives_a_clear_error() -> None:
    data = _frame().assign(name=lambda f: [f"row{i}" for i in range(len(f))])
    data = data[["a", "name", "out"]]
    with pytest.raises(RError, match=r"column 'name' of data_train holds text \(e.g. 'row0'\)"):
        r_replay.SVRG(data, seed=1)
    model = r_replay.learn(_frame()[["a", "b", "out"]], seed=1)
    with pytest.raises(RError, match="column 'name' of new_data holds text"):
        r_replay.predict(model, data)
    # R's splitData does no arithmetic: text is split like anything else
    train, test = r_replay.split_data(data, 0.5, seed=1)
    assert len(train) == len(test) == 15


def test_other_column_kinds() -> None:
    data = _frame()
    as_bool = data.assign(a=data["a"] > 0)
    as_float = data.assign(a=(data["a"] > 0).astype(float))
    # R's unlist reads logicals as 0/1
    np.testing.assert_array_equal(r_replay.GD(as_bool, seed=1), r_replay.GD(as_float, seed=1))
    with pytest.raises(TypeError, match="column 'a' of data_train is categorical"):
        r_replay.GD(data.assign(a=data["a"].round().astype("category")), seed=1)
    with pytest.raises(TypeError, match="holds dates"):
        r_replay.GD(data.assign(a=pd.Timestamp("2020-01-01")), seed=1)
    with pytest.raises(TypeError, match="complex"):
        r_replay.GD(data.to_numpy() + 0j, seed=1)
    nullable = data.assign(a=pd.array([1, None] * 15, dtype="Int64"))
    with pytest.warns(RNonFiniteWarning, match="column 'a' has 15 NA/NaN"):
        r_replay.GD(nullable, seed=1)


def test_arguments_as_r_uses_them() -> None:
    data = _frame()
    # R's alpha * gradient on text
    with pytest.raises(RError, match="non-numeric argument to binary operator: alpha"):
        r_replay.GD(data, alpha="0.1")
    with pytest.raises(RError, match="non-numeric argument to binary operator: gamma_s"):
        r_replay.learn(data, learning_method="SARAHPlus", control={"gammaS": "0.5"})
    with pytest.raises(TypeError, match="max_iter must be an integer >= 0, got '10'"):
        r_replay.GD(data, max_iter="10")
    with pytest.raises(TypeError, match="momentum must be a number, got None"):
        r_replay.MGD(data, momentum=None)
    np.testing.assert_array_equal(r_replay.GD(data, max_iter=3.0, seed=2),
                                  r_replay.GD(data, max_iter=3, seed=2))

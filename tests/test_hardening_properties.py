"""Property-based tests (hypothesis): hostile frames and arrays through every entry point.

Generated input: extreme magnitudes (1e300, 1e160, 1e154, 1e-300, subnormals, the largest
float), NaN and infinities anywhere, duplicated column names, odd dtypes (float16, float32,
long double, integers, booleans, objects, numeric strings, categories, nullable integers,
complex), mismatched shapes. Through the R-style learners, ``learn``/``predict``, scaling,
``GDRegressor`` (in memory and on Dask data frames), ``drivers.optimize``/``trajectory``,
the streamed fits (``streaming.stream_fit`` on CSV and Parquet files) and the command line
(``fit``, ``fit --chunksize``, ``compare``), each call must give
either a ValueError/TypeError (DivergenceError included) whose message names the column,
argument or option at fault, or a finite result; the command line never shows a traceback;
the caller's input is never modified; and every kernel call only ever sees the shapes, dtype
and contiguity it assumes (:func:`kernel_guard` checks each driver call), so no kernel reads out
of bounds. Small data and few examples: the module runs in seconds.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graddescent as gd
from graddescent import cli, drivers, plotting, rules
from graddescent import objective as O
from graddescent.drivers import DivergenceError, DivergenceMonitor

FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EXTREMES = [0.0, 1.0, -1.0, 1e300, -1e300, 1e160, 1e154, 1e-300, 5e-324, 1.7e308, -1.7e308,
            math.nan, math.inf, -math.inf]
VALUES = st.one_of(st.floats(-10, 10, allow_nan=False), st.sampled_from(EXTREMES))
ORDINARY = st.floats(-10, 10, allow_nan=False)
DTYPES = ["float64"] * 8 + ["float32", "float16", "longdouble", "int64", "uint8", "bool",
                            "object", "str", "category", "Int64", "complex"]
NAMES = st.sampled_from(["a", "b", "y", "a", 0])  # duplicates happen often
R_LEARNERS = ["GD", "SGD", "MBGD", "SVRG", "ADAM", "SARAHPlus"]


# --- generators ----------------------------------------------------------------------------------
def _as_dtype(values: list[float], dtype: str):
    """A column of ``values`` in ``dtype`` (out-of-range values become what NumPy makes)."""
    arr = np.array(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        if dtype in ("float64", "float32", "float16", "longdouble", "complex"):
            return arr.astype(dtype)
        finite = np.nan_to_num(arr, nan=0.0, posinf=1e9, neginf=-1e9).clip(-1e9, 1e9)
        if dtype == "int64":
            return finite.astype(np.int64)
        if dtype == "uint8":
            return np.abs(finite).clip(0, 255).astype(np.uint8)
        if dtype == "bool":
            return arr > 0
        if dtype == "object":
            return arr.astype(object)
        if dtype == "str":
            return np.array([repr(float(v)) for v in arr])
        if dtype == "category":
            return pd.Categorical(arr)
        return pd.array([None if not np.isfinite(v) else int(v) for v in finite], dtype="Int64")


@st.composite
def hostile_frames(draw, min_rows=0, max_rows=6, max_cols=4, dtypes=DTYPES, values=VALUES):
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(1, max_cols))
    columns = [_as_dtype(draw(st.lists(values, min_size=n, max_size=n)),
                         draw(st.sampled_from(dtypes))) for _ in range(k)]
    frame = pd.DataFrame(dict(enumerate(columns)))
    frame.columns = [draw(NAMES) for _ in range(k)]
    return frame


@st.composite
def hostile_arrays(draw):
    """``(X, y)`` for GDRegressor: odd dtypes and shapes, sometimes of mismatched length."""
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    X = _as_dtype(draw(st.lists(VALUES, min_size=n * d, max_size=n * d)),
                  draw(st.sampled_from(["float64"] * 4 + ["float32", "float16", "longdouble",
                                                          "int64", "bool", "object"])))
    X = np.asarray(X).reshape(n, d)
    m = n if draw(st.booleans()) or n == 1 else draw(st.integers(1, 6))
    y = np.asarray(_as_dtype(draw(st.lists(VALUES, min_size=m, max_size=m)),
                             draw(st.sampled_from(["float64"] * 4 + ["float16", "longdouble",
                                                                     "str", "int64"]))))
    return X, y


# --- checks --------------------------------------------------------------------------------------
def _check_call(X, y, theta):
    assert isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == np.float64
    assert X.flags.c_contiguous and X.flags.writeable
    assert isinstance(y, np.ndarray) and y.shape == (X.shape[0],) and y.dtype == np.float64
    assert y.flags.c_contiguous and y.flags.writeable
    assert theta.shape == (X.shape[1] + 1,) and theta.dtype == np.float64


@contextlib.contextmanager
def kernel_guard():
    """Check the arrays of every driver call (the Python side of each kernel) and every
    objective evaluation: they must be what the kernels assume, so no read can fall outside."""
    saved = []

    def wrap(cls, name):
        original = cls.__dict__[name]

        def guarded(self, X, y, theta, rule, rule_state, t, driver_state, *args):
            _check_call(X, y, theta)
            stream = getattr(driver_state, "stream", None)
            if stream is not None:
                assert stream.n == X.shape[0]
            memory = getattr(driver_state, "memory", None)
            if memory is not None:
                assert memory.shape == (X.shape[0],)
            return original(self, X, y, theta, rule, rule_state, t, driver_state, *args)

        saved.append((cls, name, original))
        setattr(cls, name, guarded)

    classes = set(drivers.DRIVERS.values()) | {drivers.Driver}
    for cls in classes:
        for name in ("run", "run_epochs"):
            if name in cls.__dict__:
                wrap(cls, name)
    objective = O.objective

    def checked_objective(X, y, z):
        _check_call(X, y, z)
        return objective(X, y, z)

    O.objective = checked_objective
    try:
        yield
    finally:
        O.objective = objective
        for cls, name, original in saved:
            setattr(cls, name, original)


def _names_something(message: str, frame: pd.DataFrame | None, words: list[str]) -> bool:
    if any(w in message for w in words):
        return True
    return frame is not None and any(repr(c) in message for c in frame.columns)


def _assert_unmodified(now, before):
    if isinstance(now, pd.DataFrame):
        pd.testing.assert_frame_equal(now, before)
    else:
        assert now.dtype == before.dtype and now.shape == before.shape
        if now.dtype.kind in "fc":
            assert np.array_equal(now, before, equal_nan=True)
        elif now.dtype.kind == "O":  # NaN objects are not equal to themselves
            assert all(a is b or a == b or (a != a and b != b)
                       for a, b in zip(now.ravel(), before.ravel(), strict=True))
        else:
            assert np.array_equal(now, before)


# --- the R-style API -----------------------------------------------------------------------------
@FAST
@given(frame=hostile_frames(), method=st.sampled_from(R_LEARNERS),
       alpha=st.sampled_from([0.1, 1.0, 30.0]))
def test_r_style_learners_give_a_named_error_or_a_finite_theta(frame, method, alpha):
    before = frame.copy(deep=True)
    with kernel_guard():
        try:
            theta = getattr(gd, method)(frame, alpha=alpha, max_iter=8, seed=1)
        except (ValueError, TypeError) as exc:
            assert _names_something(str(exc), frame, ["data_train", "(alpha)"]), str(exc)
        else:
            assert theta.shape == (frame.shape[1],) and np.isfinite(theta).all()
    _assert_unmodified(frame, before)


@FAST
@given(frame=hostile_frames(), new=hostile_frames(max_rows=3),
       method=st.sampled_from(R_LEARNERS), scaling=st.sampled_from(["VARIANCE", "MINMAX"]),
       feature_scaling=st.booleans())
def test_learn_and_predict(frame, new, method, scaling, feature_scaling):
    before, new_before = frame.copy(deep=True), new.copy(deep=True)
    with kernel_guard():
        try:
            model = gd.learn(frame, feature_scaling, scaling, method, {"max_iter": 5}, seed=2)
        except (ValueError, TypeError) as exc:
            assert _names_something(str(exc), frame, ["data_set", "data_train", "(alpha)"]), \
                str(exc)
        else:
            assert np.isfinite(model.model).all()
            for data in (frame, new):
                try:
                    out = gd.predict(model, data)
                except (ValueError, TypeError) as exc:
                    assert _names_something(str(exc), data, ["new_data", "prediction of row"]), \
                        str(exc)
                else:
                    assert np.isfinite(out["prediction"].to_numpy(dtype=float)).all()
    _assert_unmodified(frame, before)
    _assert_unmodified(new, new_before)


@FAST
@given(frame=hostile_frames(min_rows=2, dtypes=["float64"]))
def test_scaling_is_finite_and_undone_or_names_the_column(frame):
    before = frame.copy(deep=True)
    for scale, descale in ((gd.variance_scaling, gd.variance_descaling),
                           (gd.minmax_scaling, gd.minmax_descaling)):
        try:
            scaled, params = scale(frame)
        except ValueError as exc:
            assert _names_something(str(exc), frame, ["data_set"]), str(exc)
            continue
        values, s = frame.to_numpy(), scaled.to_numpy()
        assert np.isfinite(s).all() and np.isfinite(params.to_numpy()).all()
        if scale is gd.minmax_scaling:
            assert (s >= -1e-12).all() and (s <= 1 + 1e-12).all()
        else:
            np.testing.assert_allclose(s.mean(axis=0), 0.0, atol=1e-12)
            np.testing.assert_allclose(s.std(axis=0, ddof=1), 1.0, rtol=1e-12)
        try:
            back = descale(scaled, params).to_numpy()
        except ValueError as exc:  # the largest floats: x * spread + center may overflow
            assert _names_something(str(exc), frame, []), str(exc)
            continue
        peaks = np.abs(values).max(axis=0)
        # relative to the column's peak; subnormal columns (5e-324) are spaced 5e-324 apart
        spacing = np.finfo(np.float64).smallest_subnormal
        assert (np.abs(back - values) <= 1e-12 * peaks + 16 * spacing).all()
    _assert_unmodified(frame, before)


# --- the estimator -------------------------------------------------------------------------------
ESTIMATOR_WORDS = ["Input X", "Input y", "X has", "y has", "y must", "coef_init", "Column",
                   "The output y", "sample", "learning rate", "features"]


@FAST
@given(arrays=hostile_arrays(), method=st.sampled_from(["gd", "sgd", "svrg", "adam", "rprop"]),
       lr=st.sampled_from(["auto", 0.1, 50.0]), coef=st.sampled_from([None, "ok", "long", "nan"]))
def test_estimator_gives_a_named_error_or_finite_coefficients(arrays, method, lr, coef):
    X, y = arrays
    X_before, y_before = X.copy(), y.copy()
    d = X.shape[1]
    coef_init = {None: None, "ok": np.zeros(d), "long": np.zeros(d + 1),
                 "nan": np.full(d, np.nan)}[coef]
    est = gd.GDRegressor(method=method, learning_rate=lr, max_iter=3, tol=None, random_state=0)
    with kernel_guard():
        try:
            est.fit(X, y, coef_init=coef_init)
        except (ValueError, TypeError) as exc:
            assert _names_something(str(exc), None, ESTIMATOR_WORDS), str(exc)
        else:
            assert np.isfinite(est.coef_).all() and math.isfinite(est.intercept_)
            assert np.isfinite(est.predict(X.astype(np.float64))).all()
    _assert_unmodified(X, X_before)
    _assert_unmodified(y, y_before)


# --- the engine ----------------------------------------------------------------------------------
@FAST
@given(n=st.integers(1, 5), d=st.integers(0, 3), m=st.integers(0, 6), p=st.integers(0, 5),
       driver=st.sampled_from([drivers.FullBatch(), drivers.MiniBatch(batch_size=2),
                               drivers.SAG(), drivers.SVRG(inner_iter=3, option=1),
                               drivers.SARAHPlus(inner_iter=3)]),
       values=st.lists(VALUES, min_size=40, max_size=40), order=st.sampled_from("CF"))
def test_optimize_and_trajectory_check_every_shape(n, d, m, p, driver, values, order):
    X = np.asarray(np.resize(values, n * d), dtype=np.float64).reshape((n, d), order=order)
    y = np.asarray(np.resize(values[::-1], m), dtype=np.float64)
    theta0 = np.resize(values[1::2], p)
    before = X.copy(), y.copy(), theta0.copy()
    for call in (lambda: drivers.optimize(X, y, rules.plain(0.1), driver, theta0, 4,
                                          np.random.default_rng(0)),
                 lambda: plotting.trajectory(rules.plain(0.1), X, y, theta0, 3, driver=driver)):
        with kernel_guard():
            try:
                out = call()
            except (ValueError, TypeError) as exc:  # DivergenceError included
                assert _names_something(str(exc), None, ["X", "y", "theta0", "theta",
                                                         "learning rate"]), str(exc)
                if not (n == m and p == d + 1):  # refused before any step
                    assert not isinstance(exc, DivergenceError), str(exc)
            else:
                assert n == m and p == d + 1 and np.isfinite(out).all()
    for now, was in zip((X, y, theta0), before, strict=True):
        assert np.array_equal(now, was, equal_nan=True)


@FAST
@given(start=st.floats(1e-3, 1e3), scale=st.floats(1e-3, 1e3),
       steps=st.lists(st.one_of(st.floats(-0.2, 0.6), st.sampled_from([40.0, math.inf,
                                                                         math.nan])),
                      min_size=17, max_size=90))
def test_divergence_monitor_whole_arrays_equal_one_value_at_a_time(start, scale, steps):
    with np.errstate(all="ignore"):
        values = start * np.exp(np.cumsum(steps))
    tags = np.arange(1, values.size + 1)
    rule = rules.plain(0.1)
    outcomes = []
    for whole in (True, False):
        monitor = DivergenceMonitor(start, scale, 0)
        try:
            if whole:
                monitor.observe(values, tags, rule)
            else:
                for v, t in zip(values.tolist(), tags.tolist(), strict=True):
                    monitor.observe_one(v, t, rule)
            outcomes.append((None, monitor.streak, monitor.last, monitor.peak,
                             monitor.longest_rise))
        except DivergenceError as exc:
            assert "Scale the data" in str(exc) and "lower the learning rate" in str(exc)
            outcomes.append((str(exc),))
    assert outcomes[0] == outcomes[1]


# --- the command line ----------------------------------------------------------------------------
ORDINARY_CELL = st.floats(-100, 100, allow_nan=False).map(repr)
CELLS = st.one_of(ORDINARY_CELL, ORDINARY_CELL, ORDINARY_CELL,  # mostly readable files
                  st.sampled_from(["1e300", "-1e300", "1e160", "1e400", "1e-300", "nan", "",
                                   "inf", "abc", "0", "7"]))
OPTIONS = {"--seed": ["-1", "0", "3", "x"], "--max-iter": ["0", "1", "5", "x"],
           "--alpha": ["0", "inf", "nan", "0.05", "40"], "--train-fraction": ["0", "0.5", "1"],
           "--scaling": ["variance", "minmax", "none", "bogus"],
           "--style": ["r", "estimator"], "--method": ["gd", "SVRG", "adam", "nope"],
           "--plot": ["out.xyz", "noext"], "--jobs": ["0", "1", "x"]}
FIT_ONLY, COMPARE_ONLY = ("--seed", "--method", "--plot"), ("--jobs",)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@FAST
@given(header=st.one_of(st.just(["a", "b", "y"]), st.just(["x", "y"]),
                        st.lists(st.sampled_from(["a", "b", "y", "a", "x 1"]), min_size=1,
                                 max_size=4)),
       rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=12),
       command=st.sampled_from(["fit", "compare"]),
       options=st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.integers(0, 4),
                               max_size=3))
def test_command_line_never_shows_a_traceback(workdir, header, rows, command, options):
    path = workdir / "data.csv"
    path.write_text("\n".join([",".join(header)] + [",".join(r[:len(header)]) for r in rows])
                    + "\n")
    argv = [command, str(path)] if command == "fit" else [
        command, "--data", str(path), "--methods", "gd", "--seeds", "1", "--out",
        str(workdir / "out"), "--no-plots", "--quiet"]
    for option, k in options.items():
        if option in (COMPARE_ONLY if command == "fit" else FIT_ONLY):
            continue
        value = OPTIONS[option][k % len(OPTIONS[option])]
        argv += [option, str(workdir / value) if option == "--plot" else value]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), kernel_guard():
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    message = err.getvalue()
    assert "Traceback" not in message
    assert code in (0, 1, 2), (code, message)
    if code == 1:
        error = message.splitlines()[-1]
        assert error.startswith("graddescent: error: "), message
        assert all(line.startswith("graddescent: warning: ")
                   for line in message.splitlines()[:-1]), message
        # the command line names its options and the user's files, not Python arguments
        assert not any(name in error for name in ("data_set", "new_data", "data_train",
                                                  "max_iter", "n_jobs")), error
    if code == 2:
        assert "error: argument" in message or "error:" in message, message
    if code == 0 and command == "fit":  # a fit that is reported must be a finite one
        line = next(s for s in out.getvalue().splitlines() if s.startswith("test RMSE"))
        assert math.isfinite(float(line.split()[2])), line
    if code == 0 and command == "compare":  # exit 0 only when some fit worked
        results = pd.read_csv(workdir / "out" / "results.csv")
        assert (results["status"] == "ok").any()


# --- streamed fits -------------------------------------------------------------------------------
STREAM_WORDS = ["column", "Column", "data row", "rows", "header", "chunksize", "epochs",
                "separator", "no data rows", "empty", "input column"]


@contextlib.contextmanager
def chunk_guard():
    """Check every array the compiled kernels of the statistics and Dask passes see."""
    saved = {name: getattr(O, name) for name in ("full_gradient", "scan_rows")}

    def full_gradient(X, y, z, g):
        _check_call(X, y, z)
        assert g.shape == z.shape and g.dtype == np.float64
        return saved["full_gradient"](X, y, z, g)

    def scan_rows(X):
        assert isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == np.float64
        assert X.flags.c_contiguous and X.flags.writeable
        return saved["scan_rows"](X)

    O.full_gradient, O.scan_rows = full_gradient, scan_rows
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(O, name, fn)


def _write_table(path, header, rows, sep=","):
    path.write_text("\n".join([sep.join(header)] + [sep.join(r[:len(header)]) for r in rows])
                    + "\n")


@FAST
@given(header=st.one_of(st.just(["a", "b", "y"]), st.lists(st.sampled_from(
           ["a", "b", "y", "1", "2.5", "x;y"]), min_size=1, max_size=4)),
       rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=0, max_size=12),
       chunksize=st.integers(1, 5), epochs=st.integers(1, 3),
       method=st.sampled_from(["gd", "sgd", "svrg", "adam", "sagd"]))
def test_streamed_fits_give_a_named_error_or_a_finite_fit(workdir, header, rows, chunksize,
                                                          epochs, method):
    from graddescent import GDRegressor, streaming

    path = workdir / "stream.csv"
    _write_table(path, header, rows)
    with kernel_guard(), chunk_guard():
        try:
            est, stats = streaming.stream_fit(GDRegressor(method, random_state=0), path,
                                              chunksize, epochs)
        except (ValueError, TypeError) as exc:  # DivergenceError included
            assert _names_something(str(exc), None, STREAM_WORDS + ESTIMATOR_WORDS), str(exc)
        else:
            assert np.isfinite(est.coef_).all() and math.isfinite(est.intercept_)
            assert np.isfinite(stats.mean).all() and np.isfinite(stats.comoment).all()
            assert est.coef_.shape == (len(stats.columns) - 1,)
            try:
                beta = stats.least_squares()
            except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover
                raise AssertionError(f"finite statistics, no reference: {exc}") from exc
            assert np.isfinite(beta).all()


PARQUET_DTYPES = ["float64"] * 6 + ["float32", "int64", "uint8", "bool", "str", "category",
                                    "Int64", "datetime", "timedelta"]


@st.composite
def parquet_frames(draw):
    n, k = draw(st.integers(0, 8)), draw(st.integers(1, 4))
    columns = {}
    for j in range(k):
        dtype = draw(st.sampled_from(PARQUET_DTYPES))
        values = draw(st.lists(VALUES, min_size=n, max_size=n))
        if dtype == "datetime":
            columns[f"c{j}"] = pd.date_range("2020-01-01", periods=n, freq="D")
        elif dtype == "timedelta":
            columns[f"c{j}"] = pd.to_timedelta(np.arange(n), unit="s")
        else:
            columns[f"c{j}"] = _as_dtype(values, dtype)
    return pd.DataFrame(columns)


@FAST
@given(frame=parquet_frames(), chunksize=st.integers(1, 4))
def test_streamed_parquet_is_read_as_memory_is(workdir, frame, chunksize):
    """A Parquet column is refused when streamed exactly when the in-memory path refuses its
    type (dates and durations included), and a finite fit otherwise or a named error."""
    pytest.importorskip("pyarrow")
    from graddescent import GDRegressor, streaming

    path = workdir / "stream.parquet"
    frame.to_parquet(path, index=False)
    with kernel_guard(), chunk_guard():
        try:
            est, _ = streaming.stream_fit(GDRegressor("sgd", random_state=0), path, chunksize)
        except (ValueError, TypeError) as exc:
            assert _names_something(str(exc), frame, STREAM_WORDS + ESTIMATOR_WORDS), str(exc)
            streamed_ok = False
        else:
            assert np.isfinite(est.coef_).all()
            streamed_ok = True
    from graddescent._validation import as_frame, numeric_matrix

    try:  # the in-memory validation of the same table's types
        numeric_matrix(as_frame(pd.read_parquet(path), "data"), "data", min_rows=0)
    except TypeError:
        assert not streamed_ok  # a type refused in memory is refused streamed
    except ValueError:  # values (NaN, ...): refused streamed too, or no rows to fit
        assert not streamed_ok


STREAM_OPTIONS = {"--chunksize": ["1", "3", "0", "x"], "--epochs": ["1", "2", "0", "1e12"],
                  "--style": ["r", "estimator"], "--train-fraction": ["0.5"],
                  "--sep": [";", ",", "\\t", "ab"], "--alpha": ["0.01", "1e6", "nan"],
                  "--method": ["gd", "adam", "rprop", "nope"], "--max-iter": ["3"],
                  "--predict": ["new.csv"], "--scaling": ["minmax", "none"]}


@FAST
@given(header=st.one_of(st.just(["a", "b", "y"]), st.just(["1", "2", "3"]),
                        st.just(["a;b;y"])),
       rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=0, max_size=10),
       options=st.dictionaries(st.sampled_from(sorted(STREAM_OPTIONS)), st.integers(0, 3),
                               max_size=3))
def test_streamed_command_line_never_shows_a_traceback(workdir, header, rows, options):
    path = workdir / "stream_cli.csv"
    _write_table(path, header, rows)
    argv = ["fit", str(path), "--chunksize", "2"]
    for option, k in options.items():
        value = STREAM_OPTIONS[option][k % len(STREAM_OPTIONS[option])]
        argv += [option, value]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), kernel_guard():
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    message = err.getvalue()
    assert "Traceback" not in message and code in (0, 1, 2), (code, message)
    errors = [line for line in message.splitlines() if "error" in line]
    if code == 1:
        assert len(errors) == 1 and message.splitlines()[-1].startswith("graddescent: error: ")
        assert all(line.startswith("graddescent: ") for line in message.splitlines()), message
    if code == 0:
        line = next(s for s in out.getvalue().splitlines() if s.startswith("train RMSE"))
        assert math.isfinite(float(line.split()[2])), line


# --- Dask data frames ----------------------------------------------------------------------------
DASK_WORDS = ESTIMATOR_WORDS + ["columns of X", "X must", "Input", "rows", "Column"]


@FAST
@given(frame=hostile_frames(max_rows=7), new=hostile_frames(max_rows=3),
       method=st.sampled_from(["gd", "agd", "rprop"]), parts=st.integers(1, 3))
def test_dask_frames_give_a_named_error_or_finite_results(frame, new, method, parts):
    """The Dask path refuses what the in-memory one refuses (text, categories, booleans, NaN,
    overflow, mismatched lengths and columns), naming it, or fits and predicts finite values."""
    dd = pytest.importorskip("dask.dataframe")
    import dask

    from graddescent import GDRegressor

    before, new_before = frame.copy(deep=True), new.copy(deep=True)
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]  # Dask needs distinct names
    new = new.loc[:, ~pd.Index(new.columns).duplicated()]
    frame.columns = [str(c) for c in frame.columns]
    new.columns = [str(c) for c in new.columns]
    if frame.shape[1] < 2:
        return
    X, y = frame.iloc[:, :-1], frame.iloc[:, -1]
    est = GDRegressor(method, max_iter=4, tol=None, random_state=0)
    with dask.config.set(scheduler="synchronous"), chunk_guard():
        try:
            est.fit(dd.from_pandas(X, npartitions=parts), dd.from_pandas(y, npartitions=parts))
        except (ValueError, TypeError) as exc:
            assert _names_something(str(exc), frame, DASK_WORDS), str(exc)
        else:
            assert np.isfinite(est.coef_).all() and math.isfinite(est.intercept_)
            for data in (X, new):
                try:
                    out = est.predict(dd.from_pandas(data, npartitions=parts)).compute()
                except (ValueError, TypeError) as exc:
                    assert _names_something(str(exc), data, DASK_WORDS), str(exc)
                else:
                    assert list(data.columns) == list(X.columns)  # same columns, same order
                    assert np.isfinite(out).all()
    _assert_unmodified(before, before)
    _assert_unmodified(new_before, new_before)

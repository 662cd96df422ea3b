"""Streaming fits: partial_fit on successive chunks, and stream_fit on CSV and Parquet files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from graddescent import GDRegressor
from graddescent.streaming import ChunkStats, read_chunks, scan, stream_fit


def _frame(n=230, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.5] + [2.0, -1.0, 10.0]
    y = 4.0 + X @ np.array([1.5, -0.5, 2.0]) + 0.1 * rng.normal(size=n)
    return pd.DataFrame(np.column_stack([X, y]), columns=["a", "b", "c", "y"])


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    return path


def test_stats_equal_the_in_memory_ones(csv):
    data = _frame().to_numpy()
    stats = scan(csv, 50)
    assert stats.n == data.shape[0]
    assert_allclose(stats.mean, data.mean(axis=0), rtol=1e-13)
    assert_allclose(stats.std, data.std(axis=0, ddof=1), rtol=1e-13)
    A = np.column_stack([np.ones(len(data)), data[:, :-1]])
    beta = np.linalg.lstsq(A, data[:, -1], rcond=None)[0]
    assert_allclose(stats.least_squares(), beta, rtol=1e-11)
    assert_allclose(stats.rss(beta[0], beta[1:]), np.sum((A @ beta - data[:, -1]) ** 2),
                    rtol=1e-9)


@pytest.mark.parametrize("kw", [{"penalty": "l2", "alpha": 0.3},
                                {"penalty": "l2", "alpha": 0.3, "fit_intercept": False},
                                {"penalty": "elasticnet", "alpha": 0.1}])
def test_stats_reference_and_objective_of_the_penalised_problems(csv, kw):
    # the ridge optimum from one scan equals the problem package's, and the objective of any
    # penalty on the squared loss follows from the statistics
    from graddescent.problems import Problem

    problem = Problem(**kw)
    data = _frame().to_numpy()
    X, y = data[:, :-1], data[:, -1]
    stats = scan(csv, 50)
    theta = np.array([1.0, 0.5, -0.2, 1.5])
    assert stats.objective(theta[0], theta[1:], problem) == pytest.approx(
        problem.objective(X, y, theta), rel=1e-10)
    if kw["penalty"] == "l2":
        assert_allclose(stats.optimum(problem), problem.optimum(X, y), rtol=1e-9, atol=1e-12)
    else:  # no sufficient statistics for the L1 part's optimum: said, not guessed
        with pytest.raises(ValueError, match="no sufficient statistics"):
            stats.optimum(problem)
    with pytest.raises(ValueError, match="no sufficient statistics"):
        stats.objective(theta[0], theta[1:], Problem("huber"))


@pytest.mark.parametrize("method", ["sgd", "mbgd", "gd", "adam", "svrg", "sagd"])
def test_stream_fit_equals_one_partial_fit_per_chunk_by_hand(csv, method):
    streamed, stats = stream_fit(GDRegressor(method, random_state=3), csv, 50, epochs=2)
    data = _frame()
    Z = (data.to_numpy() - stats.mean) / stats.std
    hand = GDRegressor(method, random_state=3)
    for _ in range(2):
        for start in range(0, len(data), 50):
            rows = slice(start, start + 50)
            hand.partial_fit(pd.DataFrame(Z[rows, :-1], columns=["a", "b", "c"]), Z[rows, -1])
    assert_array_equal(streamed.coef_, hand.coef_)
    assert streamed.intercept_ == hand.intercept_
    assert streamed.t_ == hand.t_ == (2 * 230 if method in ("sgd", "sagd") else streamed.t_)
    assert list(streamed.feature_names_in_) == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["sgd", "adam", "mbgd"])
def test_chunks_in_order_are_one_pass_over_their_concatenation(method):
    # shuffle=False and a fixed rate: the chunks' steps are the concatenation's, in order
    Z = _frame().to_numpy()
    X, y = Z[:, :-1], Z[:, -1]
    X = (X - X.mean(0)) / X.std(0)
    kw = dict(learning_rate=0.01, shuffle=False, schedule="invscaling")
    if method == "mbgd":
        kw["batch_size"] = 10  # batches that never straddle two chunks of 50 rows
    whole = GDRegressor(method, **kw).partial_fit(X, y)
    chunked = GDRegressor(method, **kw)
    for start in range(0, len(y), 50):
        chunked.partial_fit(X[start:start + 50], y[start:start + 50])
    assert_allclose(chunked.coef_, whole.coef_, rtol=0, atol=1e-13)
    assert chunked.t_ == whole.t_


@pytest.mark.parametrize("method", ["sgd", "adam", "mbgd"])
def test_weighted_chunks_in_order_are_one_pass_over_the_weighted_concatenation(method):
    # with the stream's mean weight, each row weighs as in one call on all the rows, whatever
    # the chunks' own mean weights (here 0.1 to 3.8); without it, each chunk weighs in by its
    # row count (the weights act within a chunk only)
    Z = _frame().to_numpy()
    X, y = Z[:, :-1], Z[:, -1]
    X = (X - X.mean(0)) / X.std(0)
    w = np.sort(np.random.default_rng(2).exponential(size=230))
    kw = dict(learning_rate=0.01, shuffle=False, schedule="invscaling")
    if method == "mbgd":
        kw["batch_size"] = 10
    whole = GDRegressor(method, **kw).partial_fit(X, y, sample_weight=w)
    chunked, per_chunk = GDRegressor(method, **kw), GDRegressor(method, **kw)
    for start in range(0, len(y), 50):
        rows = slice(start, start + 50)
        chunked.partial_fit(X[rows], y[rows], sample_weight=w[rows], weight_mean=w.mean())
        per_chunk.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    assert_allclose(chunked.coef_, whole.coef_, rtol=0, atol=1e-13)
    assert np.max(np.abs(per_chunk.coef_ - whole.coef_)) > 1e-3


def test_weight_mean_needs_weights_and_a_positive_number():
    Z = _frame().to_numpy()
    X, y = Z[:, :-1], Z[:, -1]
    with pytest.raises(ValueError, match="weight_mean is the mean weight sample_weight is "
                                         "divided by: give sample_weight"):
        GDRegressor().partial_fit(X, y, weight_mean=2.0)
    with pytest.raises(ValueError, match=r"weight_mean must be a finite number > 0, got -1"):
        GDRegressor().partial_fit(X, y, sample_weight=np.ones(230), weight_mean=-1)
    est = GDRegressor().partial_fit(X, y, sample_weight=np.full(230, 2.0), weight_mean=2.0)
    assert_array_equal(est.coef_, GDRegressor().partial_fit(X, y).coef_)  # 2 / 2: unweighted


def test_sag_table_restarts_on_other_rows_and_rprop_refuses():
    Z = _frame().to_numpy()
    X, y = Z[:, :-1], Z[:, -1]
    a = GDRegressor("sagd", random_state=0).partial_fit(X[:50], y[:50])
    b = GDRegressor("sagd", random_state=0).partial_fit(X[:50], y[:50])
    a.partial_fit(X[50:100], y[50:100])
    b._optimizer.driver_state = b._optimizer.driver.init_state(50, 4)  # a fresh table by hand
    b._rows_digest = None
    b.partial_fit(X[50:100], y[50:100])
    assert_array_equal(a.coef_, b.coef_)
    r = GDRegressor("rprop").partial_fit(X[:50], y[:50]).partial_fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="cannot run on a stream of chunks"):
        r.partial_fit(X[50:100], y[50:100])


def test_parquet_chunks_equal_csv_chunks(tmp_path, csv):
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    _frame().to_parquet(path, index=False)
    for a, b in zip(read_chunks(csv, 64), read_chunks(path, 64), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_bad_chunks_name_the_row(tmp_path):
    text = tmp_path / "text.csv"
    frame = _frame().astype(object)
    frame.iloc[123, 1] = "oops"  # chunk 3 of 50 rows
    frame.to_csv(text, index=False)
    with pytest.raises(ValueError, match=r"column 'b' has the non-numeric value 'oops' in "
                                         r"data row 124$"):
        list(read_chunks(text, 50))
    nan = tmp_path / "nan.csv"
    frame = _frame()
    frame.iloc[228, 3] = np.nan  # the last chunk
    frame.to_csv(nan, index=False)
    with pytest.raises(ValueError, match="column 'y' has a missing value .* in data row 229$"):
        scan(nan, 50)


def test_chunk_stats_merge_order_does_not_matter():
    Z = _frame().to_numpy()
    one, many = ChunkStats(list("abcy")), ChunkStats(list("abcy"))
    one.update(Z)
    for start in range(0, len(Z), 7):
        many.update(Z[start:start + 7])
    assert_allclose(many.comoment, one.comoment, rtol=1e-12, atol=1e-9)


# --- sample weights from a column of the file ---------------------------------------------------
def _weighted_csv(tmp_path, w=None):
    """The data with a weight column ``w`` (integer weights 0 to 3) before the output."""
    frame = _frame()
    w = np.random.default_rng(4).integers(0, 4, len(frame)).astype(float) if w is None else w
    frame.insert(3, "w", w)
    path = tmp_path / "weighted.csv"
    frame.to_csv(path, index=False)
    return path, w


def test_weighted_stats_equal_numpy_and_the_repeated_rows(tmp_path):
    from graddescent.problems import Problem

    path, w = _weighted_csv(tmp_path)
    stats = scan(path, 50, weight_column="w")
    Z = _frame().to_numpy()
    assert stats.columns == ["a", "b", "c", "y"] and stats.weight_column == "w"
    assert stats.n == 230 and stats.total == w.sum()
    mean = np.average(Z, axis=0, weights=w)
    assert_allclose(stats.mean, mean, rtol=1e-13)
    assert_allclose(stats.comoment, ((Z - mean) * w[:, None]).T @ (Z - mean), rtol=1e-11)
    assert_allclose(stats.std, np.sqrt(np.average((Z - mean) ** 2, axis=0, weights=w)),
                    rtol=1e-12)
    # integer weights: the statistics of the repeated rows
    repeated = ChunkStats(list("abcy"))
    repeated.update(Z[np.repeat(np.arange(230), w.astype(int))])
    assert_allclose(stats.mean, repeated.mean, rtol=1e-13)
    assert_allclose(stats.comoment, repeated.comoment, rtol=1e-11)
    X, y = Z[:, :-1], Z[:, -1]
    assert_allclose(stats.least_squares(), Problem().optimum(X, y, w), rtol=1e-10)
    ridge = Problem(penalty="l2", alpha=0.3)
    assert_allclose(stats.optimum(ridge), ridge.optimum(X, y, w), rtol=1e-9)
    theta = np.array([1.0, 0.5, -0.2, 1.5])
    assert stats.objective(theta[0], theta[1:], ridge) == pytest.approx(
        ridge.objective(X, y, theta, w), rel=1e-10)
    r = theta[0] + X @ theta[1:] - y
    assert stats.rss(theta[0], theta[1:]) == pytest.approx(w @ r**2, rel=1e-10)


@pytest.mark.parametrize("method", ["sgd", "gd"])
def test_weighted_stream_fit_is_the_weighted_partial_fit_sequence(tmp_path, method):
    # the weight column leaves the inputs, is scaled by nothing and goes to partial_fit with
    # its chunk and the file's mean weight; a chunk whose weights are all zero is skipped
    w = np.random.default_rng(4).integers(0, 4, 230).astype(float)
    w[100:150] = 0.0
    path, w = _weighted_csv(tmp_path, w)
    streamed, stats = stream_fit(GDRegressor(method, random_state=3), path, 50, epochs=2,
                                 weight_column="w")
    Z = (_frame().to_numpy() - stats.mean) / stats.std
    hand = GDRegressor(method, random_state=3)
    for _ in range(2):
        for start in (0, 50, 150, 200):
            rows = slice(start, start + 50)
            hand.partial_fit(pd.DataFrame(Z[rows, :-1], columns=["a", "b", "c"]), Z[rows, -1],
                             sample_weight=w[rows], weight_mean=w.mean())
    assert_array_equal(streamed.coef_, hand.coef_)
    assert streamed.t_ == hand.t_
    assert list(streamed.feature_names_in_) == ["a", "b", "c"]
    unweighted = stream_fit(GDRegressor(method, random_state=3), path, 50, epochs=2)[0]
    assert unweighted.n_features_in_ == 4  # without weight_column, w is an input


@pytest.mark.parametrize("weights,message", [
    (lambda w: np.where(np.arange(230) == 77, -2.0, w),
     r"weight column 'w' has the negative value -2 in data row 78"),
    (lambda w: np.where(np.arange(230) == 160, np.nan, w),
     r"column 'w' has a missing value .* in data row 161"),
    (lambda w: 0.0 * w, r"weights of column 'w' are all zero"),
], ids=["negative", "nan", "zero"])
def test_bad_weight_columns_are_refused_naming_the_row(tmp_path, capsys, weights, message):
    path, _ = _weighted_csv(tmp_path, weights(np.ones(230)))
    with pytest.raises(ValueError, match=message):
        stream_fit(GDRegressor(), path, 50, weight_column="w")
    code, out, err = _run(capsys, "fit", path, "--chunksize", 50, "--weight-column", "w")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.search(message, err), err


def test_weight_column_must_exist_and_match_the_stats(tmp_path, capsys, csv):
    path, _ = _weighted_csv(tmp_path)
    with pytest.raises(ValueError, match=r"has no column 'v' \(weight_column\); its columns: "
                                         r"a, b, c, w, y"):
        stream_fit(GDRegressor(), path, 50, weight_column="v")
    with pytest.raises(ValueError, match="stats are unweighted, and the fit asks for "
                                         "weight_column='w'"):
        stream_fit(GDRegressor(), path, 50, stats=scan(path, 50), weight_column="w")
    code, _, err = _run(capsys, "fit", path, "--chunksize", 50, "--weight-column", "v")
    assert code == 1 and "no column 'v' (--weight-column)" in err
    code, _, err = _run(capsys, "fit", path, "--weight-column", "w")
    assert code == 1 and "--weight-column weighs a streamed fit: give --chunksize" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_weight_column_fits_and_reports_the_weighted_rmse(tmp_path, capsys):
    path, w = _weighted_csv(tmp_path)
    code, out, err = _run(capsys, "fit", path, "--method", "svrg", "--chunksize", 64,
                          "--epochs", 10, "--weight-column", "w")
    assert code == 0, err
    assert "weighted by column 'w'" in out and "  w " not in out  # not an input
    line = next(ln for ln in out.splitlines() if ln.startswith("weighted train RMSE"))
    stats = scan(path, 64, weight_column="w")
    beta = stats.least_squares()
    ols = np.sqrt(stats.rss(beta[0], beta[1:]) / w.sum())
    assert float(line.rsplit(":", 1)[1].strip(" )")) == pytest.approx(ols, rel=1e-5)
    assert ols <= float(line.split()[3]) <= 1.05 * ols


# --- graddescent fit --chunksize ---------------------------------------------------------------
def _run(capsys, *argv):
    from graddescent.cli import main

    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_chunksize_streams_csv_and_parquet(tmp_path, capsys, suffix):
    path = tmp_path / f"data{suffix}"
    frame = _frame()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        pytest.importorskip("pyarrow")
        frame.to_parquet(path, index=False)
    code, out, err = _run(capsys, "fit", path, "--method", "svrg", "--chunksize", 64,
                          "--epochs", 10)
    assert code == 0, err
    assert "230 training rows" in out and "10 epoch(s)" in out
    rmse = [float(line.split()[2]) for line in out.splitlines() if line.startswith("train RMSE")]
    ols = float(out.rsplit(":", 1)[1].strip(" )\n"))
    assert ols == pytest.approx(0.1, rel=0.2)  # the noise level
    # each outer loop solves its chunk: the streamed fit hovers within 2 % of the optimum
    assert ols <= rmse[0] <= 1.02 * ols


@pytest.mark.parametrize("bad", ["text", "nan"])
def test_cli_chunksize_bad_file_is_one_line(tmp_path, capsys, bad):
    path = tmp_path / "bad.csv"
    frame = _frame().astype(object)
    if bad == "text":
        frame.iloc[123, 1] = "oops"  # chunk 3
    else:
        frame.iloc[228, 3] = np.nan  # the last chunk
    frame.to_csv(path, index=False)
    code, out, err = _run(capsys, "fit", path, "--chunksize", 50)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"data row {124 if bad == 'text' else 229}" in err


def test_cli_chunksize_refuses_max_iter(csv, capsys):
    code, out, err = _run(capsys, "fit", csv, "--chunksize", 50, "--max-iter", 3)
    assert code == 1 and "--epochs" in err

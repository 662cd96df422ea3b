"""Hostile input on the newer surfaces (streaming, Dask, budgets and reports, r_replay,
benchopt, plotting) and the command line's honesty, one section per class of failure:

(1) no input file is written and no report mixes two runs; (2) no setting hangs or allocates
beyond the machine; (3) no silent wrong number; (4) no state corrupted by an error; (5) every
error names what is wrong; (6) report files carry no HTML nor spreadsheet formula; (7) the
command line says what the library knows. Each class is tested on several cases, through
every entry point it concerns; the generated hostile input is in
test_hardening_properties.py.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graddescent as gd
from graddescent import GDRegressor, cli, plotting, streaming
from graddescent._outputs import MANIFEST, OutputError, report_names
from graddescent._validation import MAX_ITERATIONS, csv_safe
from graddescent.budget import Budget, relative_suboptimality, run_budgeted
from graddescent.datasets import load_mackey_glass
from graddescent.drivers import DivergenceError, FullBatch, Optimizer

ROOT = Path(__file__).resolve().parents[1]
INTERNAL_NAMES = ("data_set", "new_data", "data_train", "data_test", "max_iter", "n_jobs",
                  "budget_epochs", "learning_rate=")


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def usage(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([str(a) for a in argv])
    return exc.value.code, capsys.readouterr().err


def one_line_error(code, err, *words):
    assert code == 1, err
    assert err.startswith("graddescent: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    said = re.sub(r"'[^']*'", "''", err)  # file names may hold anything
    for name in INTERNAL_NAMES:
        assert name not in said, err


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "mg.csv"
    load_mackey_glass().iloc[:60].to_csv(path, index=False)
    return path


def _bytes(path):
    return Path(path).read_bytes()


# --- (1) files: never an input, never two runs mixed ---------------------------------------------
@pytest.mark.parametrize("spell", ["plain", "dotted", "symlink"])
def test_compare_never_writes_over_its_data_file(tmp_path, capsys, spell, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "results.csv"
    load_mackey_glass().iloc[:40].to_csv(data, index=False)
    before = _bytes(data)
    given_as = {"plain": "results.csv", "dotted": "./sub/../results.csv", "symlink": "link.csv"}
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(data)
    code, _, err = run(["compare", "--data", given_as[spell], "--methods", "gd", "--seeds", 1,
                        "--out", ".", "--no-plots", "--overwrite"], capsys)
    one_line_error(code, err, "input file")
    assert _bytes(data) == before
    assert not (tmp_path / "report.md").exists()  # refused before any fit or file


@pytest.mark.parametrize("which", ["predict", "data"])
def test_fit_never_writes_its_predictions_over_an_input(csv, tmp_path, capsys, which):
    new = tmp_path / "new.csv"
    load_mackey_glass().iloc[60:70].to_csv(new, index=False)
    target = new if which == "predict" else csv
    saved = {p: _bytes(p) for p in (csv, new)}
    for spelled in (target, target.parent / "." / target.name, Path("..") / Path.cwd().name /
                    Path(target).relative_to(Path.cwd()) if Path(target).is_relative_to(
                        Path.cwd()) else target):
        code, _, err = run(["fit", csv, "--predict", new, "--output", spelled, "--overwrite"],
                           capsys)
        one_line_error(code, err, "input file")
    assert all(_bytes(p) == b for p, b in saved.items())


def test_fit_never_draws_over_its_data(tmp_path, capsys):
    data = tmp_path / "data.png"  # a CSV file, whatever its name
    load_mackey_glass().iloc[:40].to_csv(data, index=False)
    before = _bytes(data)
    code, _, err = run(["fit", data, "--plot", data, "--overwrite"], capsys)
    one_line_error(code, err, "input file")
    assert _bytes(data) == before


def test_fit_outputs_need_overwrite_to_replace_a_file(csv, tmp_path, capsys):
    new = tmp_path / "new.csv"
    load_mackey_glass().iloc[60:70].to_csv(new, index=False)
    out = tmp_path / "pred.csv"
    argv = ["fit", csv, "--predict", new, "--output", out]
    assert run(argv, capsys)[0] == 0
    first = _bytes(out)
    code, _, err = run(argv + ["--seed", 2], capsys)
    one_line_error(code, err, "--overwrite")
    assert _bytes(out) == first
    assert run(argv + ["--seed", 2, "--overwrite"], capsys)[0] == 0
    assert _bytes(out) != first


def _names(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def test_a_second_report_is_refused_or_replaces_the_first_whole(tmp_path, capsys):
    a, b = tmp_path / "alpha.csv", tmp_path / "beta.csv"
    load_mackey_glass().iloc[:40].to_csv(a, index=False)
    load_mackey_glass().iloc[40:80].to_csv(b, index=False)
    out = tmp_path / "out"
    common = ["--methods", "gd", "--seeds", 1, "--max-iter", 5, "--out", out, "--quiet"]
    assert run(["compare", "--data", a, *common], capsys)[0] == 0
    first = _names(out)
    assert "alpha_test_rmse.png" in first and MANIFEST in first
    code, _, err = run(["compare", "--data", b, *common], capsys)
    one_line_error(code, err, "--overwrite")
    assert _names(out) == first
    assert run(["compare", "--data", b, *common, "--overwrite"], capsys)[0] == 0
    second = _names(out)
    assert not [n for n in second if n.startswith("alpha")]  # nothing of the first run left
    assert "beta_test_rmse.png" in second
    assert set((out / MANIFEST).read_text().split()) == set(second) - {MANIFEST}


def test_data_sets_get_distinct_names_and_figures(tmp_path, capsys):
    frame = load_mackey_glass()
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    files = {"one/data.csv": frame.iloc[:40], "two/data.csv": frame.iloc[40:80],
             "diabetes.csv": frame.iloc[80:120], "x y.csv": frame.iloc[120:160],
             "x_y.csv": frame.iloc[160:200], "X_Y.csv": frame.iloc[200:240]}
    for name, part in files.items():
        part.to_csv(tmp_path / name, index=False)
    out = tmp_path / "out"
    specs = [str(tmp_path / n) for n in files] + ["diabetes"]
    code, _, err = run(["compare", "--data", *specs, "--methods", "gd", "--seeds", 1,
                        "--max-iter", 3, "--out", out, "--quiet"], capsys)
    assert code == 0, err
    results = pd.read_csv(out / "results.csv")
    assert results["dataset"].nunique() == 7
    assert results.groupby("dataset")["n_train"].first().sort_values().tolist() == \
        sorted([32] * 6 + [353])
    pngs = sorted(out.glob("*_test_rmse.png"))
    assert len(pngs) == 7
    report = (out / "report.md").read_text()
    links = {line for line in report.splitlines() if line.startswith("![")
             and "test_rmse.png)" in line}
    assert len(links) == 7 and {line.rsplit("(", 1)[1][:-1] for line in links} == \
        {p.name for p in pngs}
    # the same file given twice is refused
    code, _, err = run(["compare", "--data", specs[0], str(tmp_path / "two/../one/data.csv"),
                        "--out", tmp_path / "o2"], capsys)
    one_line_error(code, err, "given twice")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6, unique=True))
def test_report_names_never_collide_even_ignoring_case(names):
    stems = report_names(names)
    assert len({s.lower() for s in stems.values()}) == len(names)
    for stem in stems.values():
        assert stem and all(c.isascii() and (c.isalnum() or c in "-_") for c in stem)


def test_write_outputs_refuses_an_input_in_the_library_too(tmp_path):
    from graddescent import report
    from graddescent.compare import CompareSettings, run_comparison

    data = tmp_path / "report.md"
    load_mackey_glass().iloc[:40].to_csv(data, index=False)
    comparison = run_comparison(CompareSettings(datasets=(str(data),), methods=("gd",),
                                                seeds=(1,), max_iter=3))
    with pytest.raises(OutputError, match="input file"):
        report.write_outputs(comparison, tmp_path, plots=False, inputs=[data])


# --- (2) work and memory: refused before anything runs -------------------------------------------
def _quick(fn):
    start = time.perf_counter()
    result = fn()
    assert time.perf_counter() - start < 20
    return result


@pytest.mark.parametrize("argv,option", [
    (["fit", "{csv}", "--max-iter", "1e12"], "--max-iter"),
    (["compare", "--data", "{csv}", "--max-iter", "1e12"], "--max-iter"),
    (["compare", "--data", "{csv}", "--budget-epochs", "1e15"], "--budget-epochs"),
    (["fit", "{csv}", "--chunksize", "10", "--epochs", "1e12"], "--epochs"),
    (["compare", "--data", "{csv}", "--seeds", "1e9"], "--seeds"),
    (["compare", "--data", "{csv}", "--jobs", "10000"], "--jobs"),
    (["compare", "--data", "{csv}", "--jobs", "-10000"], "--jobs"),
])
def test_absurd_settings_are_usage_errors(csv, capsys, argv, option):
    code, err = _quick(lambda: usage([a.format(csv=csv) for a in argv], capsys))
    assert code == 2 and option in err and ("at most" in err or "on this machine" in err)


@pytest.mark.parametrize("argv,option", [
    (["compare", "--data", "{csv}", "--max-iter", "10000000"], "--max-iter"),
    (["compare", "--data", "{csv}", "--budget-epochs", "1e6"], "--budget-epochs"),
    (["compare", "--data", "{csv}", "--budget-seconds", "1000"], "--budget-seconds"),
    (["fit", "{csv}", "--chunksize", "1", "--epochs", "100000"], "--epochs"),
])
def test_settings_beyond_the_machine_are_refused_before_running(csv, tmp_path, capsys, argv,
                                                                 option):
    argv = [a.format(csv=csv) for a in argv] + (["--out", tmp_path / "o"]
                                                if argv[0] == "compare" else [])
    code, _, err = _quick(lambda: run(argv, capsys))
    one_line_error(code, err, option)
    assert not (tmp_path / "o").exists()


def test_library_entry_points_cap_the_work(csv):
    frame = pd.read_csv(csv)
    X, y = frame.iloc[:, :-1].to_numpy(), frame.iloc[:, -1].to_numpy()
    with pytest.raises(ValueError, match="max_iter must be at most"):
        gd.GD(frame, max_iter=10**12)
    with pytest.raises(ValueError, match="inner_iter must be at most"):
        gd.SVRG(frame, inner_iter=10**12)
    with pytest.raises(ValueError, match="n_steps asks for"):
        _quick(lambda: plotting.trajectory("gd", X, y, np.zeros(X.shape[1] + 1), 10**12))
    with pytest.raises(ValueError, match="n_steps asks for"):
        plotting.effective_step_sizes("adam", X, y, np.zeros(X.shape[1] + 1), 10**11)
    with pytest.raises(ValueError, match="budget_epochs must"):
        Budget(epochs=1e15)
    with pytest.raises(ValueError, match="budget_seconds must"):
        Budget(seconds=1e9)
    with pytest.raises(ValueError, match="budget_epochs asks for"):
        run_budgeted("sgd", X, y, 1, Budget(epochs=MAX_ITERATIONS))
    opt = Optimizer(gd.rules.plain(0.1), FullBatch(), np.zeros(X.shape[1] + 1), X.shape[0])
    with pytest.raises(ValueError, match="n_units asks for"):
        opt.run(X, y, 10**12, np.random.default_rng(0))
    with pytest.raises(ValueError, match="epochs must be at most"):
        streaming.stream_fit(GDRegressor(), csv, 10, epochs=10**12)
    from graddescent import r_replay

    with pytest.raises(ValueError, match="max_iter asks the replay"):
        _quick(lambda: r_replay.SVRG(frame, max_iter=10**6, inner_iter=100))


def test_a_huge_value_in_a_late_chunk_is_named_not_a_hang(tmp_path, capsys):
    frame = load_mackey_glass().iloc[:300].copy()
    frame.iloc[287, 2] = 1e300  # the last chunk of 50: its squares overflow
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    name = frame.columns[2]
    with pytest.raises(ValueError, match=rf"column '{name}' has values up to 1e\+300 .* rows "
                                         rf"251 to 300"):
        _quick(lambda: streaming.scan(path, 50))
    code, _, err = _quick(lambda: run(["fit", path, "--chunksize", 50], capsys))
    one_line_error(code, err, f"column '{name}'")


def test_many_columns_are_refused_or_linear(tmp_path, capsys):
    k = 50_000
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{j}" for j in range(k)) + "\n" + ",".join(["1"] * k) + "\n")
    code, _, err = _quick(lambda: run(["fit", wide, "--chunksize", 1], capsys))
    one_line_error(code, err, "50000 x 50000", "memory")
    # three rows of 50,000 columns in memory: checked per column in linear time
    three = tmp_path / "three.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(3, 2000)),
                 columns=[f"c{j}" for j in range(2000)]).to_csv(three, index=False)
    from graddescent._validation import numeric_matrix

    frame = pd.DataFrame(rng.normal(size=(3, k)), columns=[f"c{j}" for j in range(k)])
    _quick(lambda: numeric_matrix(frame))
    _quick(lambda: gd.datasets.load_csv(three))


# --- (3) no silent wrong number --------------------------------------------------------------
def test_streamed_dates_are_refused_as_in_memory(tmp_path):
    pytest.importorskip("pyarrow")
    frame = load_mackey_glass().iloc[:30].copy()
    frame.insert(0, "when", pd.date_range("2020-01-01", periods=30, freq="D"))
    path = tmp_path / "dates.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(TypeError, match="Column 'when' .* dates or durations"):
        streaming.scan(path, 7)
    with pytest.raises(TypeError, match="Column 'when'"):
        gd.learn(frame)
    frame["when"] = frame["when"] - frame["when"].iloc[0]  # durations too
    frame.to_parquet(path, index=False)
    with pytest.raises(TypeError, match="Column 'when' .* dates or durations"):
        streaming.scan(path, 7)


def test_streamed_infinity_is_named(tmp_path):
    path = tmp_path / "inf.csv"
    frame = load_mackey_glass().iloc[:30].copy()
    frame.iloc[17, 1] = np.inf
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=rf"column '{frame.columns[1]}' has an infinite value "
                                         rf".* data row 18"):
        streaming.scan(path, 5)


@pytest.mark.parametrize("noise", [0.0, 1e-17])
def test_relative_suboptimality_of_an_exact_fit_stays_bounded(noise):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ [1.0, -2.0] + 0.5 + noise * rng.normal(size=40)  # f* zero up to rounding
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    from graddescent import objective as O

    optimum = float(O.objective(X, y, O.least_squares(X, y)))
    trace = run_budgeted("gd", X, y, 1, Budget(epochs=2000), optimum=optimum)
    final = float(relative_suboptimality(trace.final_objective, optimum, trace.scale))
    assert final < 1e-2  # converged; not a rounding error over a rounding error (1e28)
    # an ordinary f* is untouched by the floor
    assert relative_suboptimality(2.0, 1.0, 0.5) == 1.0


def _benchopt_module(relative):
    pytest.importorskip("benchopt")
    path = ROOT / "benchmarks" / "benchopt" / relative
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchopt_objective_checks_theta_before_compiled_code():
    module = _benchopt_module("objective.py")
    obj = module.Objective()
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    obj.set_data(X, y)
    good = obj.evaluate_result(np.zeros(4))
    assert math.isfinite(good["value"])
    for bad in (np.zeros(3), np.zeros(5), np.zeros((4, 1, 2)), [0, 0, np.nan, 0]):
        with pytest.raises(ValueError, match="theta"):
            obj.evaluate_result(bad)
    with pytest.raises(ValueError, match="y has 19 values"):
        obj.set_data(X, y[:19])


def test_benchopt_solver_refuses_unknown_settings_by_name():
    module = _benchopt_module("solvers/graddescent.py")
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.zeros(20)
    for params, match in (({"method": "nope", "learning_rate": "r"}, "nope"),
                          ({"method": "gd", "learning_rate": "inverse_l"}, "learning_rate")):
        solver = module.Solver.__new__(module.Solver)
        solver.method, solver.learning_rate = params["method"], params["learning_rate"]
        with pytest.raises(ValueError, match=match):
            solver.set_objective(X, y)


# --- (4) no state corrupted by an error ----------------------------------------------------------
@pytest.mark.parametrize("method", ["sgd", "sagd", "gd", "svrg"])
def test_partial_fit_after_a_divergence_continues_as_if_it_had_not_run(method):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, 2.0, 3.0] + 1.0
    ref = GDRegressor(method, learning_rate=0.01, random_state=0)
    got = GDRegressor(method, learning_rate=0.01, random_state=0)
    for est in (ref, got):
        est.partial_fit(X, y)
    with pytest.raises(DivergenceError):
        got.partial_fit(X * 1e100, y)
    for est in (ref, got):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(got.coef_, ref.coef_)
    assert got.intercept_ == ref.intercept_ and got.t_ == ref.t_
    assert got.loss_curve_ == ref.loss_curve_


def test_a_first_partial_fit_that_diverges_leaves_the_estimator_unfitted():
    from sklearn.exceptions import NotFittedError

    X = np.random.default_rng(0).normal(size=(30, 2)) * 1e100
    est = GDRegressor("sgd", learning_rate=1.0, random_state=0)
    with pytest.raises(DivergenceError):
        est.partial_fit(X, np.ones(30))
    with pytest.raises(NotFittedError):
        est.predict(X)
    est.partial_fit(X / 1e100, np.ones(30))
    assert np.isfinite(est.coef_).all()


def test_rprop_that_refused_other_rows_still_runs_on_its_own():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    est = GDRegressor("rprop", random_state=0).partial_fit(X, y)
    for _ in range(2):
        with pytest.raises(ValueError, match="other rows than before"):
            est.partial_fit(X[:20], y[:20])
    t = est.t_
    est.partial_fit(X, y)
    assert est.t_ == t + 1


# --- (5) errors that name what is wrong ----------------------------------------------------------
def test_stream_fit_names_bad_settings_and_other_files_statistics(tmp_path, csv):
    other = tmp_path / "other.csv"
    load_mackey_glass().iloc[100:150].to_csv(other, index=False)
    with pytest.raises(ValueError, match="chunksize must be at least 1"):
        streaming.stream_fit(GDRegressor(), csv, 0)
    with pytest.raises(ValueError, match="epochs must be an integer"):
        streaming.stream_fit(GDRegressor(), csv, 10, epochs=1.5)
    stats = streaming.scan(other, 10)
    est = GDRegressor()
    with pytest.raises(ValueError, match="stats are of another file"):
        streaming.stream_fit(est, csv, 10, stats=stats)
    assert not hasattr(est, "coef_")  # refused before any partial_fit
    with pytest.raises(TypeError, match="stats must be the ChunkStats"):
        streaming.stream_fit(est, csv, 10, stats={"n": 3})


@pytest.mark.parametrize("command", ["fit", "stream", "compare", "predict"])
def test_a_csv_holding_only_the_output_column_is_named(tmp_path, csv, capsys, command):
    only = tmp_path / "only.csv"
    only.write_text("y\n1\n2\n3\n4\n")
    argv = {"fit": ["fit", only], "stream": ["fit", only, "--chunksize", 2],
            "compare": ["compare", "--data", only, "--out", tmp_path / "o"],
            "predict": ["fit", csv, "--predict", only]}[command]
    code, _, err = run(argv, capsys)
    one_line_error(code, err, "only.csv")
    assert "column" in err


@pytest.mark.parametrize("address", ["foo", "tcp://", "tcp://127.0.0.1:1", "nonsense://x:1"])
def test_scheduler_addresses_are_one_line_errors(csv, tmp_path, capsys, address):
    pytest.importorskip("dask.distributed")
    code, _, err = _quick(lambda: run(["compare", "--data", csv, "--methods", "gd", "--seeds", 1,
                                       "--scheduler", address, "--out", tmp_path], capsys))
    one_line_error(code, err, "--scheduler", address)


@pytest.mark.parametrize("rate", [1.5, -0.1, math.nan, 1e300])
def test_r_replay_split_data_names_its_rate(rate):
    from graddescent import r_replay
    from graddescent.r_replay.errors import RError

    with pytest.raises(RError, match="data_train_rate must lie in"):
        r_replay.split_data(pd.DataFrame({"a": range(10), "y": range(10)}), rate, 1)
    with pytest.raises(TypeError, match="data_train_rate must be a number"):
        r_replay.split_data(pd.DataFrame({"a": range(10), "y": range(10)}), "0.5", 1)


@pytest.mark.parametrize("call,match", [
    (lambda: plotting.plot_predicted_vs_actual([], []), "empty"),
    (lambda: plotting.plot_predicted_vs_actual([1.0, 2.0], [1.0]), "yhat has 1 values"),
    (lambda: plotting.plot_residuals([1.0, np.nan], [1.0, 2.0]), "y has a non-finite"),
    (lambda: plotting.plot_loss_curves({}), "curves is empty"),
    (lambda: plotting.plot_loss_curves({"a": (np.arange(3), np.ones(4))}), "curve 'a'"),
    (lambda: plotting.plot_method_scores(pd.DataFrame()), "results is empty"),
    (lambda: plotting.plot_method_scores(pd.DataFrame({"method": ["gd"]})), "no column"),
    (lambda: plotting.plot_suboptimality_bands({}), "bands is empty"),
    (lambda: plotting.plot_suboptimality_bands({"a": (np.arange(3),) * 3}), "band 'a'"),
    (lambda: plotting.plot_contour_paths([1.0, 2.0], [1.0, 2.0], {}), "paths is empty"),
    (lambda: plotting.plot_contour_paths([1.0, 2.0], [1.0, 2.0], {"p": np.zeros((3, 3))}),
     "path 'p'"),
    (lambda: plotting.plot_effective_step_sizes({}), "steps is empty"),
])
def test_plotting_helpers_name_empty_or_mismatched_input(call, match):
    import matplotlib

    matplotlib.use("Agg")
    with pytest.raises(ValueError, match=match):
        call()


# --- (6) report files carry no HTML nor formula ----------------------------------------------
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False)))
def test_csv_safe_quotes_exactly_what_a_spreadsheet_would_run(value):
    out = csv_safe(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert out == "'" + value
    else:
        assert out is value


def test_user_text_reaches_the_report_files_escaped(tmp_path, capsys):
    name = "=HYPERLINK(x)<img src=x onerror=alert(1)>*b*|c"
    path = tmp_path / f"{name}.csv"
    load_mackey_glass().iloc[:40].to_csv(path, index=False)
    out = tmp_path / "out"
    code, _, err = run(["compare", "--data", path, "--methods", "gd", "--seeds", 1, "--max-iter",
                        3, "--out", out, "--quiet"], capsys)
    assert code == 0, err
    md = (out / "report.md").read_text()
    assert "<img" not in md and "&lt;img src=x onerror=alert\\(1\\)&gt;" not in md
    assert "&lt;img" in md and "\\*b\\*\\|c" in md
    html = (out / "report.html").read_text()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    import csv as csvlib

    with open(out / "results.csv", newline="") as handle:
        cells = [c for row in csvlib.reader(handle) for c in row]
    assert f"'{name}" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                or (c[:1] == "-" and not _number(c))]


def _number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- (7) the command line says what the library knows ------------------------------------------
def test_fit_warns_when_far_from_least_squares(tmp_path, capsys):
    frame = gd.datasets.make_ill_conditioned(n_samples=200, n_features=3,
                                             condition_number=1e4, seed=0)
    path = tmp_path / "ill.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(["fit", path, "--method", "sgd", "--max-iter", 5], capsys)
    assert code == 0, err
    lines = err.splitlines()
    assert any(s.startswith("graddescent: warning: the fit's training RMSE") and
               "least-squares" in s for s in lines), err
    code, out, err = run(["fit", path, "--method", "gd", "--max-iter", 20000, "--alpha", 0.5],
                         capsys)
    assert code == 0 and "warning" not in err, err  # converged: nothing to say


def test_streamed_fit_far_from_least_squares_is_said(tmp_path, capsys):
    path = tmp_path / "s.csv"
    load_mackey_glass().iloc[:300].to_csv(path, index=False)
    code, _, err = run(["fit", path, "--chunksize", 100, "--method", "adam", "--alpha", 1e-4],
                       capsys)
    assert code == 0 and "graddescent: warning: the fit's training RMSE" in err, err


def test_convergence_warnings_reach_the_terminal_in_one_line(csv, capsys):
    code, _, err = run(["fit", csv, "--style", "estimator", "--max-iter", 1, "--method", "sgd"],
                       capsys)
    assert code == 0, err
    said = [s for s in err.splitlines() if "stopped" in s]
    assert len(said) == 1 and said[0].startswith("graddescent: warning: GDRegressor")
    assert "--max-iter" in said[0] and "max_iter" not in said[0].replace("--max-iter", "")


@pytest.mark.parametrize("option", [["--style", "estimator"], ["--style", "r"],
                                    ["--train-fraction", "0.5"]])
def test_options_a_streamed_fit_cannot_use_are_refused(csv, capsys, option):
    code, _, err = run(["fit", csv, "--chunksize", 10, *option], capsys)
    one_line_error(code, err, option[0], "--chunksize")


@pytest.mark.parametrize("how", ["fit", "stream", "compare", "predict"])
def test_a_csv_without_a_header_row_is_refused_not_shortened(tmp_path, csv, capsys, how):
    bare = tmp_path / "bare.csv"
    frame = load_mackey_glass().iloc[:30]
    frame.to_csv(bare, index=False, header=False)
    argv = {"fit": ["fit", bare], "stream": ["fit", bare, "--chunksize", 7],
            "compare": ["compare", "--data", bare, "--out", tmp_path / "o"],
            "predict": ["fit", csv, "--predict", bare]}[how]
    code, _, err = run(argv, capsys)
    one_line_error(code, err, "no header row")


@pytest.mark.parametrize("sep,given", [(";", ";"), ("\t", "\\t"), ("\t", "tab"), ("|", "|")])
def test_other_separators_are_named_and_read_with_sep(tmp_path, capsys, sep, given):
    path = tmp_path / "semi.csv"
    load_mackey_glass().iloc[:60].to_csv(path, index=False, sep=sep)
    code, _, err = run(["fit", path], capsys)
    one_line_error(code, err, "--sep")
    for extra in ([], ["--chunksize", 20]):
        code, out, err = run(["fit", path, "--sep", given, *extra], capsys)
        assert code == 0, err
    code, _, err = run(["compare", "--data", path, "--sep", given, "--methods", "gd", "--seeds",
                        1, "--max-iter", 3, "--out", tmp_path / "o", "--quiet"], capsys)
    assert code == 0, err


def test_predict_keeps_every_column_of_its_input(csv, tmp_path, capsys):
    new = tmp_path / "new.csv"
    part = load_mackey_glass().iloc[60:70]
    part.to_csv(new, index=False)
    assert run(["fit", csv, "--predict", new], capsys)[0] == 0
    written = pd.read_csv(tmp_path / "new_predictions.csv")
    assert list(written.columns) == [*part.columns, "prediction"]
    pd.testing.assert_frame_equal(written[part.columns], part.reset_index(drop=True))


def test_messages_name_options_not_python_arguments(csv, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, _, err = run(["fit", csv, "--alpha", 1e6, "--scaling", "none"], capsys)
    one_line_error(code, err, "--alpha")
    assert "StandardScaler" not in err and "variance_scaling" not in err


# --- Dask input: refused or named as in memory ---------------------------------------------------
@pytest.fixture
def dask_problem():
    dd = pytest.importorskip("dask.dataframe")
    import dask

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = pd.Series(X.to_numpy() @ [1.0, 2.0, 3.0] + 1.0)
    with dask.config.set(scheduler="synchronous"):
        yield dd, X, y, dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3)


def test_dask_predict_refuses_what_memory_refuses(dask_problem):
    dd, X, y, dX, dy = dask_problem
    est = GDRegressor("gd", random_state=0).fit(dX, dy)
    np.testing.assert_allclose(est.predict(dX).compute(), est.predict(X), rtol=1e-12)
    holed = X.copy()
    holed.iloc[40, 0] = np.nan
    lazy = est.predict(dd.from_pandas(holed, npartitions=3))  # refused when computed
    with pytest.raises(ValueError, match=r"NaN or infinity \(row 40\)"):
        lazy.compute()
    with pytest.raises(ValueError, match="another order"):
        est.predict(dX[["b", "a", "c"]])
    with pytest.raises(ValueError, match="not those seen at fit time"):
        est.predict(dX[["a", "b"]])
    import dask.array as da

    with pytest.raises(ValueError, match="X has 2 features, but GDRegressor is expecting 3"):
        est.predict(da.from_array(X.to_numpy()[:, :2], chunks=20))
    with pytest.raises(TypeError, match="Column 't' of X is not numeric"):
        est.predict(dX.assign(t="x")[["a", "b", "t"]])


@pytest.mark.parametrize("case,error,match", [
    ("text", TypeError, "Column 't' of X is not numeric"),
    ("category", TypeError, "Column 't' of X is not numeric"),
    ("dates", TypeError, "Column 't' of X holds dates"),
    ("short y", ValueError, "X has 60 rows but y has 50 values"),
    ("no rows", ValueError, "X has 0 rows"),
    ("huge", ValueError, "Column 'b' of X has values up to 2e\\+200"),
    ("huge y", ValueError, "The output y has values up to 1e\\+200"),
    ("text y", TypeError, "y must hold real numbers"),
])
def test_dask_fits_name_what_is_wrong(dask_problem, case, error, match):
    dd, X, y, dX, dy = dask_problem
    parts = {"npartitions": 3}
    if case in ("text", "category", "dates"):
        column = {"text": ["x"] * 60, "category": pd.Categorical(["x"] * 60),
                  "dates": pd.date_range("2020-01-01", periods=60)}[case]
        dX, dy = dd.from_pandas(X.assign(t=column), **parts), dy
    elif case == "short y":
        dy = dd.from_pandas(y.iloc[:50], **parts)
    elif case == "no rows":
        dX, dy = dd.from_pandas(X.iloc[:0], npartitions=1), dd.from_pandas(y.iloc[:0],
                                                                         npartitions=1)
    elif case == "huge":
        dX = dd.from_pandas(X * [1.0, 1e200, 1.0], **parts)
    elif case == "huge y":
        dy = dd.from_pandas(y * 0 + 1e200, **parts)
    else:
        dy = dd.from_pandas(pd.Series(["a"] * 60), **parts)
    with pytest.raises(error, match=match):
        GDRegressor("gd").fit(dX, dy)


def test_dask_arrays_of_unknown_chunk_sizes_are_measured_first(dask_problem):
    import dask.array as da

    _, X, y, _, _ = dask_problem
    Xa, ya = da.from_array(X.to_numpy(), chunks=20), da.from_array(y.to_numpy(), chunks=20)
    keep = ya > -1e9  # every row, in chunks of unknown length
    got = GDRegressor("gd", max_iter=20, tol=None).fit(Xa[keep], ya[keep])
    ref = GDRegressor("gd", max_iter=20, tol=None).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_allclose(got.coef_, ref.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="X has 60 rows but y has 0 values"):
        GDRegressor("gd").fit(Xa, ya[ya > 1e9])


def test_an_earlier_report_without_a_manifest_is_replaced_whole(tmp_path, capsys):
    data = tmp_path / "gamma.csv"
    load_mackey_glass().iloc[:40].to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("results.csv", "report.md", "old_set_test_rmse.png", "old_set_loss_curves.png"):
        (out / name).write_text("from an earlier version")
    (out / "notes.txt").write_text("the user's")
    code, _, err = run(["compare", "--data", data, "--methods", "gd", "--seeds", 1, "--max-iter",
                        3, "--out", out, "--quiet", "--overwrite"], capsys)
    assert code == 0, err
    names = _names(out)
    assert not [n for n in names if n.startswith("old_set")] and "notes.txt" in names

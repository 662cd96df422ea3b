"""The ``graddescent`` command and the comparison engine behind it, on tiny settings."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent import cli
from graddescent import compare as C
from graddescent.datasets import load_mackey_glass
from graddescent.objective import objective

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    """The first 120 rows of Mackey-Glass as a user's CSV file."""
    path = tmp_path_factory.mktemp("data") / "mg.csv"
    load_mackey_glass().iloc[:120].to_csv(path, index=False)
    return path


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- help and entry points -----------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["compare", "--help"], ["fit", "--help"]])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: graddescent")
    assert "--help" in out


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "compare" in capsys.readouterr().out


def test_python_m_graddescent_is_the_command():
    result = subprocess.run([sys.executable, "-m", "graddescent", "fit", "--help"], cwd=ROOT,
                            capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: graddescent fit")


def test_console_script_entry_point():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    scripts = cfg["options.entry_points"]["console_scripts"].strip()
    assert scripts == "graddescent = graddescent.cli:main"


def test_unknown_method_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["compare", "--methods", "nope"])
    assert exc.value.code == 2
    assert "Unknown learning method 'nope'" in capsys.readouterr().err


# --- compare ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    code = cli.main(["compare", "--data", "mackey_glass", "--methods", "GD", "sgd", "svrg",
                     "amsgrad", "rprop", "--seeds", "2", "--max-iter", "30", "--out", str(out),
                     "--quiet"])
    return code, out


def test_compare_writes_csv_report_and_figures(tiny_run):
    code, out = tiny_run
    assert code == 0
    results = pd.read_csv(out / "results.csv")
    assert tuple(results.columns) == C.RESULT_COLUMNS
    assert len(results) == 5 * 2
    assert set(results["method"]) == {"gd", "sgd", "svrg", "amsgrad", "rprop"}
    assert set(results["seed"]) == {1, 2}
    assert (results["status"] == "ok").all()
    assert (results["max_iter"] == 30).all()
    assert (results["n_train"] == 800).all() and (results["n_test"] == 200).all()
    assert np.isfinite(results[["test_rmse", "train_rmse", "seconds"]].to_numpy()).all()
    # A converged full-batch method sits at the least-squares optimum's test RMSE or above it
    # only by a little; ratio is test RMSE / OLS test RMSE.
    np.testing.assert_allclose(results["ratio_to_ols"],
                               results["test_rmse"] / results["ols_test_rmse"])
    assert (results["ratio_to_ols"] > 0.9).all()
    updates = results.groupby("method")["updates"].first()
    assert updates["gd"] == 30 and updates["sgd"] == 30 and updates["amsgrad"] == 30
    assert updates["rprop"] == 30
    assert updates["svrg"] == 30 * 10  # inner steps; R's default inner_iter = 10
    report = (out / "report.md").read_text()
    assert "## mackey_glass (800 training rows, 200 test rows)" in report
    assert "| gd (GD) |" in report and "| amsgrad |" in report
    for name in ("mackey_glass_test_rmse.png", "mackey_glass_loss_curves.png"):
        assert (out / name).stat().st_size > 10_000
        assert f"]({name})" in report


def test_compare_values_are_the_r_workflow(tiny_run):
    """The CSV's numbers are split_data -> learn -> predict -> rmse, by hand."""
    _, out = tiny_run
    results = pd.read_csv(out / "results.csv").set_index(["method", "seed"])
    data = load_mackey_glass()
    train, test = gd.split_data(data, 0.8, seed=2)
    model = gd.learn(train, learning_method="SGD", control={"max_iter": 30}, seed=2)
    expected = gd.rmse(test.iloc[:, -1], gd.predict(model, test)["prediction"])
    assert results.loc[("sgd", 2), "test_rmse"] == pytest.approx(expected, rel=1e-12)
    A = np.column_stack([np.ones(len(train)), train.iloc[:, :-1]])
    beta = np.linalg.lstsq(A, train.iloc[:, -1], rcond=None)[0]
    ols = gd.rmse(test.iloc[:, -1], beta[0] + test.iloc[:, :-1].to_numpy() @ beta[1:])
    assert results.loc[("sgd", 2), "ols_test_rmse"] == pytest.approx(ols, rel=1e-12)


@pytest.mark.parametrize("r_name", list(gd.r_api.R_NAMES))
def test_recorded_curve_comes_from_the_run_that_is_learn(r_name):
    """One run gives learn()'s theta, its step count and the checkpointed loss curve."""
    data = load_mackey_glass().iloc[:150]
    model = gd.learn(data, learning_method=r_name, control={"max_iter": 25}, seed=3)
    for record in (True, False):
        out = C.fit_method(data, r_name, 3, max_iter=25, record_curve=record)
        np.testing.assert_array_equal(out.model.model, model.model)
    scaled, _ = gd.variance_scaling(data)
    opt = gd.r_api.run_learner(r_name, scaled, {"max_iter": 25, "seed": 3})
    np.testing.assert_array_equal(opt.theta, model.model)
    assert out.updates == opt.t and opt.units == 25
    out = C.fit_method(data, r_name, 3, max_iter=25, record_curve=True)
    assert out.curve_x[0] == 0 and out.curve_x[-1] == 25 and out.curve_f.shape == out.curve_x.shape
    X = np.ascontiguousarray(scaled.iloc[:, :-1].to_numpy(float))
    y = scaled.iloc[:, -1].to_numpy(float)
    assert out.curve_f[-1] == objective(X, y, model.model)
    assert out.curve_f[0] == objective(X, y, gd.r_api.initial_theta(X.shape[1] + 1, 3))


def test_run_learner_checks_its_checkpoints_and_arguments(small_csv):
    data = pd.read_csv(small_csv)
    seen = []
    gd.r_api.run_learner("sgd", data, {"max_iter": 6, "seed": 1}, checkpoints=[0, 2, 6],
                         on_checkpoint=lambda opt: seen.append(opt.units))
    assert seen == [0, 2, 6]
    with pytest.raises(ValueError, match="checkpoints must increase"):
        gd.r_api.run_learner("sgd", data, {"max_iter": 6}, checkpoints=[3, 2])
    with pytest.raises(ValueError, match="checkpoints must increase"):
        gd.r_api.run_learner("sgd", data, {"max_iter": 6}, checkpoints=[7])
    with pytest.raises(TypeError, match="SGD has no argument"):
        gd.r_api.run_learner("SGD", data, {"momentum": 0.5})


def test_compare_names_where_the_writers_are_and_never_loads_report():
    for name in ("to_markdown", "write_outputs", "table_rows"):
        with pytest.raises(AttributeError, match=f"use graddescent.report.{name}"):
            getattr(C, name)
    with pytest.raises(AttributeError):
        C.nothing_of_that_name  # noqa: B018
    code = "import sys, graddescent.compare; assert 'graddescent.report' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr


def test_compare_prints_tables(small_csv, tmp_path, capsys):
    code, out, err = run(["compare", "--data", small_csv, "--methods", "gd", "adam", "--seeds",
                          1, "--max-iter", 5, "--out", tmp_path, "--no-plots"], capsys)
    assert code == 0, err
    assert "mg: 96 training rows, 24 test rows" in out
    assert "gd (GD)" in out and "adam (ADAM)" in out and "test RMSE" in out
    assert not list(tmp_path.glob("*.png"))
    # no progress bar when stderr is not a terminal; only warnings, one line each (these
    # methods stop short of least squares in 5 iterations)
    assert all(line.startswith("graddescent: warning: ") for line in err.splitlines())


def test_compare_estimator_style(small_csv, tmp_path, capsys):
    code, _, err = run(["compare", "--data", small_csv, "--methods", "gd", "rmsprop",
                        "--style", "estimator", "--max-iter", 4, "--seeds", 1, "--out",
                        tmp_path, "--quiet"], capsys)
    assert code == 0, err
    results = pd.read_csv(tmp_path / "results.csv")
    assert (results["style"] == "estimator").all() and (results["status"] == "ok").all()
    assert (results["updates"] > 0).all()


def test_compare_records_divergence(small_csv, tmp_path, capsys):
    code, _, err = run(["compare", "--data", small_csv, "--methods", "gd", "--alpha", "50",
                        "--seeds", 1, "--max-iter", 200, "--out", tmp_path, "--quiet"], capsys)
    # every fit failed: a one-line error and exit code 1, the rows still written
    assert code == 1 and err.startswith("graddescent: error: every fit failed (diverged 1;")
    assert err.count("\n") == 1
    row = pd.read_csv(tmp_path / "results.csv").iloc[0]
    assert row["status"] == "diverged" and "diverged" in row["message"]
    assert np.isnan(row["test_rmse"])


def test_compare_on_a_data_set_too_small_to_split(tmp_path, capsys):
    path = tmp_path / "two_rows.csv"
    path.write_text("x,y\n1,2\n2,3\n")
    code, out, err = run(["compare", "--data", path, "--methods", "gd", "--seeds", 2,
                          "--out", tmp_path, "--no-plots"], capsys)
    assert code == 1 and "every fit failed (error 2;" in err  # the tables are still printed
    results = pd.read_csv(tmp_path / "results.csv")
    assert (results["status"] == "error").all()
    assert results["message"].str.contains("at least 2 rows").all()
    assert "gd (GD) [2/2 failed]" in out


def test_parallel_jobs_give_the_same_numbers(small_csv):
    kwargs = {"datasets": (str(small_csv),), "methods": ("sgd", "sarah"), "seeds": (1, 2),
              "max_iter": 10}
    one = C.run_comparison(C.CompareSettings(n_jobs=1, **kwargs)).results
    two = C.run_comparison(C.CompareSettings(n_jobs=2, **kwargs)).results
    cols = ["test_rmse", "train_rmse", "updates"]
    pd.testing.assert_frame_equal(one[cols], two[cols])


def test_progress_bar_is_tqdm(capsys):
    update, close = cli._progress_bar("compare", True)
    update(0, 4)
    update(4, 4)
    close()
    err = capsys.readouterr().err
    assert "compare: 100%" in err and "4/4" in err


# --- fit -------------------------------------------------------------------------------------
def test_fit_prints_coefficients_and_rmse(small_csv, capsys):
    code, out, err = run(["fit", small_csv, "--method", "rmsprop", "--max-iter", 200], capsys)
    assert code == 0, err
    assert "rmsprop (RMSPROP) on" in out and "96 training rows, 24 test rows" in out
    for name in ["intercept", *load_mackey_glass().columns[:-1]]:
        assert f"  {name}" in out
    assert "test RMSE" in out and "train RMSE" in out


def test_original_coefficients_reproduce_predict(small_csv):
    data = pd.read_csv(small_csv)
    for scaling in ("variance", "minmax", "none"):
        out = C.fit_method(data, "gd", 1, max_iter=50, scaling=scaling, record_curve=False)
        b, w = C.original_coefficients(out.model)
        np.testing.assert_allclose(b + data.iloc[:, :-1].to_numpy() @ w,
                                   gd.predict(out.model, data)["prediction"], rtol=1e-10)


def test_fit_predict_writes_predictions(small_csv, tmp_path, capsys):
    new = tmp_path / "new.csv"
    pd.read_csv(small_csv).iloc[:7, :-1].to_csv(new, index=False)
    code, out, err = run(["fit", small_csv, "--predict", new, "--plot", tmp_path / "f.png"],
                         capsys)
    assert code == 0, err
    written = pd.read_csv(tmp_path / "new_predictions.csv")
    assert len(written) == 7 and written.columns[-1] == "prediction"
    assert np.isfinite(written["prediction"]).all()
    assert (tmp_path / "f.png").stat().st_size > 10_000
    target = tmp_path / "chosen.csv"
    code, _, _ = run(["fit", small_csv, "--predict", new, "-o", target], capsys)
    assert code == 0 and len(pd.read_csv(target)) == 7


BAD_FILES = {
    "missing": (None, "no such data file"),
    "empty": ("", "is empty"),
    "non_numeric": ("x,y\n1,2\nabc,3\n", "column 'x' (position 1)"),
    "nan": ("x,y\n1,2\n,3\n4,5\n", "missing value"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_data_file_is_one_line_error(kind, tmp_path, capsys):
    content, message = BAD_FILES[kind]
    path = tmp_path / f"{kind}.csv"
    if content is not None:
        path.write_text(content)
    for argv in (["fit", path], ["compare", "--data", path, "--out", tmp_path / "o"]):
        code, out, err = run(argv, capsys)
        assert code == 1
        assert err.startswith("graddescent: error: ") and message in err
        assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_predict_file_is_one_line_error(kind, small_csv, tmp_path, capsys):
    content, _ = BAD_FILES[kind]
    path = tmp_path / f"{kind}.csv"
    if content is not None:
        path.write_text(content)
    code, out, err = run(["fit", small_csv, "--predict", path], capsys)
    assert code == 1
    assert err.startswith("graddescent: error: ") and err.count("\n") == 1
    assert out == ""  # checked before fitting


def test_predict_file_with_wrong_columns(small_csv, tmp_path, capsys):
    path = tmp_path / "two.csv"
    path.write_text("a,b\n1,2\n")
    code, _, err = run(["fit", small_csv, "--predict", path], capsys)
    # named as the user knows it: the file, not the Python argument
    assert code == 1 and "two.csv' has 2 columns" in err and "new_data" not in err


def test_fit_divergence_is_one_line_error(small_csv, capsys):
    code, _, err = run(["fit", small_csv, "--alpha", "50", "--max-iter", "300"], capsys)
    assert code == 1 and err.startswith("graddescent: error: The fit diverged")
    assert err.count("\n") == 1


def test_subprocess_error_exit_code(tmp_path):
    result = subprocess.run([sys.executable, "-m", "graddescent", "fit",
                             str(tmp_path / "absent.csv")], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 1
    assert result.stderr.startswith("graddescent: error: no such data file")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("argv,message", [
    (["--max-iter", "0"], "argument --max-iter: value must be at least 1, got 0"),
    (["--max-iter", "2.5"], "argument --max-iter: value must be an integer, got 2.5"),
    (["--max-iter", "ten"], "argument --max-iter: expected a number, got 'ten'"),
    (["--seed", "-1"], "argument --seed: value must be at least 0, got -1"),
    (["--train-fraction", "1"], r"argument --train-fraction: value must lie in \(0, 1\)"),
    (["--alpha", "0"], "argument --alpha/--learning-rate: value must be a positive number"),
])
def test_bad_option_values_are_usage_errors(small_csv, argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fit", str(small_csv), *argv])
    assert exc.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_help_states_the_registry_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"R's alpha, default {gd.r_api.CONTROL_DEFAULTS['alpha']}" in out
    assert f"style r, default {C.DEFAULT_MAX_ITER}" in out
    assert "GDRegressor's max_iter=None" in out and "GDRegressor's 1000" not in out

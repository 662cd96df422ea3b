"""Budgets in common units: each driver's count of row gradients, and budgeted fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graddescent import cli, rules
from graddescent import compare as C
from graddescent import drivers as D
from graddescent import objective as O
from graddescent.budget import Budget, relative_suboptimality, run_budgeted
from graddescent.references import REFERENCES
from graddescent.tuning import GRID_SIZE

N = 10


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 2))
    return X, X @ np.array([1.0, -2.0]) + 0.5 + 0.1 * rng.normal(size=N)


def _run(driver, data, units, lr=0.01):
    X, y = data
    opt = D.Optimizer(rules.plain(lr), driver, np.zeros(3), N)
    opt.run(X, y, units, np.random.default_rng(1))
    return opt, driver.gradient_evaluations(N, opt.units, opt.t)


def test_full_batch_counts_n_rows_per_step(data):
    assert _run(D.FullBatch(), data, 3)[1] == 3 * N


def test_mini_batch_counts_the_rows_its_batches_hold(data):
    # batches of 3 of 10 rows: 3 + 3 + 3 + 1 in the first epoch, then 3: 13 rows in 5 steps
    opt, count = _run(D.MiniBatch(batch_size=3), data, 5)
    assert opt.t == 5 and count == 13
    stream = opt.driver_state.stream
    assert count == (stream.blocks - 1) * N + stream.pos  # the rows the stream handed out


def test_single_row_and_sag_count_one_row_per_step(data):
    assert _run(D.MiniBatch(batch_size=1), data, 7)[1] == 7
    assert _run(D.SAG(), data, 7)[1] == 7


def test_svrg_counts_its_full_gradient_and_two_rows_per_inner_step(data):
    opt, count = _run(D.SVRG(inner_iter=4), data, 2)
    assert opt.t == 8 and count == 2 * N + 2 * 8


def test_s2gd_counts_the_inner_steps_that_ran(data):
    opt, count = _run(D.S2GD(inner_iter=4, nu=0.5), data, 3)
    assert 3 <= opt.t <= 12 and count == 3 * N + 2 * opt.t


def test_sarah_counts_its_full_gradient_and_two_rows_per_later_step(data):
    # per outer loop: v_0 (N rows) and its step, then 3 steps of two rows each
    opt, count = _run(D.SARAH(inner_iter=4), data, 2)
    assert opt.t == 8 and count == 2 * N + 2 * 3 * 2


def test_sarah_plus_stopped_at_once_counts_only_its_full_gradients(data):
    opt, count = _run(D.SARAHPlus(inner_iter=4, gamma_s=1.0), data, 3)
    assert opt.t == 3 and count == 3 * N


@pytest.mark.parametrize("method, expected", [("gd", 1.0), ("sgd", 1 / N), ("svrg", 3.0)])
def test_budgeted_fit_stops_at_the_epoch_budget(data, method, expected):
    X, y = data
    trace = run_budgeted(method, X, y, 1, Budget(epochs=6.0))
    assert trace.status == "budget reached"
    assert 6.0 <= trace.epochs[-1] < 6.0 + expected + 1e-9  # at most one iteration past
    steps = np.diff(trace.epochs)
    assert np.all(steps > 0) and trace.epochs[0] == 0.0
    assert np.all(np.diff(trace.seconds) >= 0)


def test_budgeted_fit_records_at_least_50_regular_points(data):
    X, y = data
    trace = run_budgeted("sgd", X, y, 1, Budget(epochs=20.0))
    assert trace.objective.size >= 51
    gaps = np.diff(trace.epochs[1:-1])  # the last chunk is what the budget has left
    assert gaps.max() - gaps.min() <= 1 / N + 1e-9
    assert trace.objective[-1] == pytest.approx(O.objective(X, y, trace.theta))


def test_seconds_budget_stops_on_time(data):
    X, y = data
    trace = run_budgeted("sgd", X, y, 1, Budget(seconds=0.05))
    assert trace.status == "budget reached" and 0.05 <= trace.seconds[-1] < 1.0
    assert trace.objective.size >= 20


def test_divergence_is_a_status_and_convergence_stops_early(data):
    X, y = data
    assert run_budgeted("gd", X, y, 1, Budget(epochs=500), learning_rate=100.0).status == "diverged"
    f_star = O.objective(X, y, O.least_squares(X, y))
    trace = run_budgeted("gd", X, y, 1, Budget(epochs=5000), learning_rate=0.5, optimum=f_star)
    assert trace.status == "ok" and trace.epochs[-1] < 5000
    assert relative_suboptimality(trace.objective[-1], f_star) <= 1e-12
    assert relative_suboptimality(2.0, 0.0) == 2.0
    growing = run_budgeted("gd", X, y, 1, Budget(epochs=30), learning_rate=5.0)
    assert np.isfinite(growing.objective[-1]) and growing.status == "diverged"
    assert "diverged" in growing.message and "learning rate" in growing.message
    assert growing.final_objective == np.inf


# --- the budgeted comparison, end to end (tiny) ----------------------------------------------
@pytest.fixture(scope="module")
def budget_run(tmp_path_factory):
    """Four methods tuned within 4 epochs on diabetes, two seeds, with the references."""
    out = tmp_path_factory.mktemp("budget")
    argv = ["compare", "--data", "diabetes", "--methods", "gd", "sgd", "sarahplus", "adadelta",
            "--seeds", "2", "--budget-epochs", "4", "--tune", "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    return out, pd.read_csv(out / "results.csv")


def test_budgeted_csv_columns_and_values(budget_run):
    res = budget_run[1]
    assert tuple(res.columns) == C.RESULT_COLUMNS
    fits = res[res["kind"] == "fit"]
    assert sorted(fits["method"].unique()) == ["adadelta", "gd", "sarahplus", "sgd"]
    assert len(fits) == 4 * 2 and set(res["budget"]) == {"4 epochs"}
    assert set(res["status"]) <= {"ok", "diverged", "budget reached"}
    done = res[res["status"] != "diverged"]
    assert (done["epochs"].dropna() >= 4).all()
    # epochs of a full-batch fit are its steps; a single-row fit's are steps / n
    gd = fits[fits["method"] == "gd"]
    assert (gd["epochs"] == gd["updates"]).all()
    sgd = res[(res["method"] == "sgd") & (res["status"] == "budget reached")]
    np.testing.assert_allclose(sgd["epochs"], sgd["updates"] / sgd["n_train"])
    # the tuned grid: >= 9 learning rates per fit, the reported one has the lowest objective
    for _, grid in res[res["method"].isin(["gd", "sgd"])].groupby(["method", "seed"]):
        assert len(grid) >= GRID_SIZE and (grid["kind"] == "fit").sum() == 1
        assert grid["learning_rate"].nunique() == len(grid)
        best = grid.loc[grid["kind"] == "fit", "rel_subopt"].iloc[0]
        assert best <= grid["rel_subopt"].min() * (1 + 1e-9) or best <= 1e-12
    assert fits.loc[fits["method"] == "adadelta", "learning_rate"].isna().all()
    refs = res[res["kind"] == "reference"]
    assert set(refs["method"]) == set(REFERENCES)
    lstsq = refs[refs["method"] == "sk_lstsq"]
    assert (lstsq["rel_subopt"] < 1e-9).all() and (lstsq["seconds"] > 0).all()


def test_budgeted_report_has_the_reach_table_and_figure(budget_run):
    out = budget_run[0]
    report = (out / "report.md").read_text()
    assert "epochs to 1e-2" in report and "s to 1e-6" in report
    assert "n row-gradient evaluations" in report
    assert "| sk_ridge_saga |" in report and "learning rate (tuned)" in report
    assert (out / "diabetes_suboptimality.png").stat().st_size > 20_000
    assert "](diabetes_suboptimality.png)" in report


def test_budget_settings_are_checked():
    with pytest.raises(ValueError, match="tune needs a budget"):
        C.CompareSettings(datasets=("diabetes",), tune=True)
    # budgets run in the estimator style too; tuning and Dask chunks are R-style only
    assert C.CompareSettings(datasets=("diabetes",), style="estimator",
                             budget_epochs=2).budget.epochs == 2
    with pytest.raises(ValueError, match="learning_rate='auto'"):
        C.CompareSettings(datasets=("diabetes",), style="estimator", budget_epochs=2, tune=True)
    with pytest.raises(ValueError, match="come with a budget"):
        C.CompareSettings(datasets=("diabetes",), chunks=2)
    with pytest.raises(ValueError, match="give chunks too"):
        C.CompareSettings(datasets=("diabetes",), budget_rounds=5)
    with pytest.raises(ValueError, match="come with style='r'"):
        C.CompareSettings(datasets=("diabetes",), style="estimator", chunks=2, budget_rounds=5)


def test_html_report_is_self_contained_and_sortable(budget_run):
    import re

    page = (budget_run[0] / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # the suboptimality and test RMSE figures
    assert not re.search(r'src="(?!data:)', page) and "<link" not in page
    assert page.count('onclick="sortTable(this)"') == 12  # one table of 12 columns
    assert "function sortTable" in page
    assert "<td>sk_ridge_saga</td>" in page and "<code>(f - f*) / f*</code>" in page
    assert "sk_lstsq is f* itself" in page


def test_html_report_renders_in_a_headless_browser(budget_run, tmp_path):
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--screenshot={shot}",
                    "--window-size=1300,1600", (budget_run[0] / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.stat().st_size > 50_000  # text, a table and a figure, not a blank page


# --- tuning and curves on hand-made cases --------------------------------------------------
def test_tuning_widens_the_grid_while_the_best_is_on_an_edge(data):
    from graddescent.tuning import GRID_STEP, learning_rate_grid, tune

    X, y = data
    f_star = O.objective(X, y, O.least_squares(X, y))
    grid = learning_rate_grid(1e-6)
    assert grid.size == GRID_SIZE and np.allclose(grid[1:] / grid[:-1], GRID_STEP)
    best, runs = tune("gd", X, y, 1, Budget(epochs=5), f_star, default=1e-6)
    rates = [t.learning_rate for t in runs]
    assert len(runs) > GRID_SIZE and rates[-1] > grid[-1]  # widened upwards
    assert best.final_objective == min(t.final_objective for t in runs)


def test_tuning_records_divergent_grid_points(data):
    from graddescent.tuning import tune

    X, y = data
    f_star = O.objective(X, y, O.least_squares(X, y))
    best, runs = tune("gd", X, y, 1, Budget(epochs=300), f_star, default=1.0)
    assert any(t.status == "diverged" for t in runs) and best.status != "diverged"


def test_band_and_first_reached_on_hand_made_traces():
    from graddescent.budget import Trace
    from graddescent.curves import band, first_reached, reach_summary

    def trace(values):
        v = np.asarray(values, float)
        return Trace(np.arange(v.size, dtype=float), 0.5 * np.arange(v.size), v, np.zeros(2),
                     "budget reached", 0.1)

    # optimum 1: relative suboptimalities 1, 0.1, 0.005, 0.001 and 1, 1, 0.1, 0.001
    a, b = trace([2.0, 1.1, 1.005, 1.001]), trace([2.0, 2.0, 1.1, 1.001])
    assert first_reached(a, 1.0, 1e-2) == (2.0, 1.0)
    assert np.isnan(first_reached(b, 1.0, 1e-4)[0])
    x, med, q25, q75 = band([(1.0, a), (1.0, b)], "epochs", n_grid=4)
    np.testing.assert_allclose(x, [0, 1, 2, 3])
    np.testing.assert_allclose(med, [1.0, 0.55, 0.0525, 0.001])
    assert np.all(q25 <= med) and np.all(med <= q75)
    table = reach_summary({("d", "m"): [(1.0, a), (1.0, b)]})
    assert table.loc[0, "epochs_0.01"] == 2.5 and table.loc[0, "reached_0.01"] == 1 + 1
    assert table.loc[0, "reached_0.0001"] == 0 and np.isnan(table.loc[0, "seconds_0.0001"])

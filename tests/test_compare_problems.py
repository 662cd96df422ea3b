"""The comparison layer on every problem the engine runs: penalties and losses, sparse data sets,
data held by Dask (communication rounds) and estimator-style budgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from graddescent import cli, report
from graddescent import compare as C
from graddescent.budget import Budget, refusal, relative_suboptimality, run_budgeted
from graddescent.datasets import load_diabetes, make_sparse_regression
from graddescent.problems import Problem
from graddescent.references import exact_solution, reference_refusal, run_reference

PROBLEMS = [None, Problem(penalty="l2", alpha=0.1), Problem(penalty="l1", alpha=0.05),
            Problem(penalty="elasticnet", alpha=0.05, l1_ratio=0.4),
            Problem(fit_intercept=False), Problem("huber", penalty="l2", alpha=0.01),
            Problem("epsilon_insensitive", penalty="l1", alpha=0.01)]


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4))
    y = 1.0 + X @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.3 * rng.standard_normal(120)
    return X, y


@pytest.fixture(scope="module")
def scaled_diabetes():
    frame = load_diabetes().to_numpy(float)
    frame = (frame - frame.mean(axis=0)) / frame.std(axis=0)
    return frame[:, :-1], frame[:, -1]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
def test_exact_solution_is_the_problems_optimum_dense_and_sparse(small, problem):
    X, y = small
    pb = problem or Problem()
    reference = pb.objective(X, y, pb.optimum(X, y))
    for data in (X, sp.csr_matrix(X)):
        theta, solver = exact_solution(problem, data, y)
        assert solver
        assert pb.objective(X, y, theta) - reference <= 1e-12 * max(1.0, reference)
    if problem is not None and problem.penalty == "l1":  # the same zeros as the lasso
        np.testing.assert_array_equal(exact_solution(problem, X, y)[0] == 0,
                                      pb.optimum(X, y) == 0)


def test_sparse_normal_equations_with_collinear_columns(small):
    X, y = small
    wide = sp.csr_matrix(np.column_stack([X, X[:, 0]]))  # one column twice: a singular Gram
    theta, solver = exact_solution(None, wide, y)
    assert solver == "normal equations"
    assert Problem().objective(wide, y, theta) == pytest.approx(
        Problem().objective(X, y, exact_solution(None, X, y)[0]), rel=1e-12)


def test_ridge_reference_uses_n_times_alpha(scaled_diabetes):
    # Ridge(alpha = n * alpha) minimises the same objective: sag reaches its exact minimum
    X, y = scaled_diabetes
    pb = Problem(penalty="l2", alpha=0.3)
    optimum = pb.objective(X, y, exact_solution(pb, X, y)[0])
    trace = run_reference("sk_ridge_sag", X, y, 0, Budget(epochs=300), pb)
    assert relative_suboptimality(trace.objective[-1], optimum) < 1e-8
    # SGDRegressor gets the same penalty: its objective is that of the problem, near f*
    sgd = run_reference("sk_sgd_invscaling", X, y, 0, Budget(epochs=30), pb)
    assert 0 <= relative_suboptimality(sgd.objective[-1], optimum) < 0.05


def test_references_and_methods_refuse_what_they_cannot_minimise():
    lasso = Problem(penalty="l1", alpha=0.1)
    assert "L2 penalty only" in reference_refusal("sk_ridge_saga", lasso)
    assert reference_refusal("sk_ridge_saga", Problem(penalty="l2")) == ""
    assert reference_refusal("sk_sgd_constant", lasso) == ""
    assert "proximal" in refusal("sagd", lasso)
    assert refusal("gd", lasso) == ""
    assert "Lipschitz" in refusal("svrg", Problem("epsilon_insensitive"))
    with pytest.raises(ValueError, match="Methods that handle it"):
        run_budgeted("sagd", np.ones((5, 1)), np.arange(5.0), 0, Budget(epochs=1),
                     problem=lasso)


def test_penalised_comparison_reports_refusals_and_the_exact_minimum():
    settings = C.CompareSettings(datasets=("diabetes",), methods=("gd", "sagd", "agd"),
                                 seeds=(1,), budget_epochs=2,
                                 problem=Problem(penalty="l1", alpha=0.05),
                                 references=("sk_ridge_sag", "sk_lstsq"))
    res = run = C.run_comparison(settings).results
    by = run.set_index("method")
    assert by.loc["sagd", "status"] == by.loc["agd", "status"] == C.STATUS_REFUSED
    assert "proximal" in by.loc["sagd", "message"]
    assert by.loc["sk_ridge_sag", "status"] == C.STATUS_REFUSED
    assert by.loc["gd", "status"] == "budget reached" and by.loc["gd", "rel_subopt"] > 0
    assert by.loc["sk_lstsq", "message"].startswith("Lasso(")
    assert by.loc["sk_lstsq", "rel_subopt"] == 0
    assert (res["problem"] == "squared error loss, l1 penalty of strength 0.05").all()
    summary = C.summarize(res).set_index("method")
    assert summary.loc["sagd", "refused"] == 1 and summary.loc["sagd", "failed"] == 0


def test_unbudgeted_comparison_with_a_problem_in_both_styles():
    for style in ("r", "estimator"):
        settings = C.CompareSettings(datasets=("diabetes",), methods=("svrg", "sagd"),
                                     seeds=(1,), max_iter=300, style=style,
                                     problem=Problem("huber", penalty="l2", alpha=0.01))
        res = C.run_comparison(settings).results.set_index("method")
        assert res.loc["svrg", "status"] == "ok", res.loc["svrg", "message"]
        assert 0 <= res.loc["svrg", "rel_subopt"] < 0.05


@pytest.fixture(scope="module")
def sparse_set():
    X, y = make_sparse_regression(400, 30, 4, seed=2)
    return C.SparseData(X, y)


def test_sparse_data_set_runs_budgeted_without_densifying(sparse_set, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a sparse matrix was densified")

    monkeypatch.setattr(sp.csr_matrix, "toarray", refuse)
    monkeypatch.setattr(sp.csr_matrix, "todense", refuse)
    settings = C.CompareSettings(datasets=("generated",), methods=("gd", "saga"), seeds=(1,),
                                 budget_epochs=3, learning_rate=0.02,
                                 references=("sk_lstsq", "sk_sgd_constant", "sk_ridge_sag",
                                             "sk_ridge_saga"))
    res = C.run_comparison(settings, data={"generated": sparse_set}).results
    by = res.set_index("method")
    assert by.loc["sk_ridge_saga", "status"] == C.STATUS_REFUSED  # no intercept on sparse
    by = by.drop(index="sk_ridge_saga")
    assert set(by["status"]) <= {"budget reached", "ok"}, by["message"].to_dict()
    assert by.loc["gd", "n_train"] == 320 and by.loc["gd", "n_test"] == 80
    # the exact least-squares reference, unscaled to original units, is the OLS fit itself
    assert by.loc["sk_lstsq", "ratio_to_ols"] == pytest.approx(1.0, rel=1e-9)
    assert by.loc["sk_lstsq", "rel_subopt"] == 0 and np.isfinite(by.loc["gd", "rel_subopt"])


def test_estimator_style_budget_records_the_estimators_own_fits(small):
    from graddescent import GDRegressor

    X, y = small
    pb = Problem(penalty="l2", alpha=0.01)
    trace = run_budgeted("sgd", X, y, 3, Budget(epochs=4), problem=pb, style="estimator")
    np.testing.assert_array_equal(trace.epochs, [0, 1, 2, 4])
    est = GDRegressor(method="sgd", random_state=3, tol=None, max_iter=4, penalty="l2",
                      alpha=0.01).fit(X, y)
    np.testing.assert_array_equal(trace.theta, np.concatenate([[est.intercept_], est.coef_]))
    assert trace.objective[-1] == pb.objective(X, y, trace.theta)


def test_communication_rounds_budget_on_dask(small):
    pytest.importorskip("dask")
    X, y = small
    gd = run_budgeted("gd", X, y, 1, Budget(rounds=5), chunks=2)
    # one reduction per step, plus one: the first call reads the gradient at the start, and
    # every call ends with the pass at its result (the watched objective and the next step's
    # gradient), so the budget of 5 rounds holds 4 steps
    np.testing.assert_array_equal(gd.rounds, [0, 2, 3, 4, 5])
    np.testing.assert_array_equal(gd.epochs, np.arange(5))
    svrg = run_budgeted("svrg", X, y, 1, Budget(rounds=6), chunks=2,
                        problem=Problem(penalty="l2", alpha=0.01))
    assert svrg.rounds[-1] >= 6 and np.all(np.diff(svrg.rounds) > 0)
    assert svrg.objective[-1] < svrg.objective[0]
    with pytest.raises(ValueError, match="needs data held by Dask"):
        run_budgeted("gd", X, y, 1, Budget(rounds=5))


def test_compare_on_dask_reports_rounds_and_the_exact_answer(tmp_path):
    pytest.importorskip("dask")
    settings = C.CompareSettings(datasets=("diabetes",), methods=("gd", "svrg"), seeds=(1,),
                                 budget_rounds=4, chunks=2)
    comparison = C.run_comparison(settings)
    res = comparison.results
    # scikit-learn's references run in memory; the exact answer on Dask takes one round
    assert set(res["method"]) == {"gd", "svrg", "dask_normal_equations"}
    exact = res.set_index("method").loc["dask_normal_equations"]
    assert exact["rounds"] == 1 and exact["rel_subopt"] < 1e-10
    assert (res.loc[res["kind"] == "fit", "rounds"] >= 4).all()
    note = report.exact_answer_note(comparison, "diabetes")
    assert "with 10 columns" in note and "1 round" in note and "took" in note
    header, rows = report.budget_table_rows(comparison, "diabetes")
    assert "rounds to 1e-6" in header
    text = report.to_markdown(comparison)
    assert "The exact answer" in text


def _cli(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_problem_options(tmp_path, capsys):
    data = tmp_path / "diabetes.csv"
    load_diabetes().to_csv(data, index=False)
    code, out, err = _cli(["fit", data, "--method", "svrg", "--penalty", "l1",
                           "--penalty-strength", "0.05"], capsys)
    assert code == 0, err
    assert "minimising squared error loss, l1 penalty of strength 0.05" in out
    assert "relative gap" in out
    code, out, err = _cli(["fit", data, "--method", "sagd", "--penalty", "l1"], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "--method sagd cannot minimise" in err and "methods that can: gd" in err
    assert "--alpha" not in err  # the penalty strength is never called alpha
    for argv, says in [(["--l1-ratio", "0.3"], "--penalty elasticnet"),
                       (["--penalty-strength", "1"], "--penalty-strength needs"),
                       (["--epsilon", "1"], "--epsilon is the threshold"),
                       (["--chunksize", "50", "--penalty", "l2"], "--chunksize streams")]:
        code, out, err = _cli(["fit", data, *argv], capsys)
        assert code == 1 and says in err and err.count("\n") == 1, err
    with pytest.raises(SystemExit) as exc:
        cli.main(["fit", str(data), "--penalty-strength", "-1"])
    assert exc.value.code == 2
    assert "--penalty-strength" in capsys.readouterr().err


def test_cli_compare_with_a_penalty_writes_refused_rows(tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, err = _cli(["compare", "--data", "diabetes", "--methods", "gd", "sagd",
                           "--seeds", "1", "--budget-epochs", "2", "--penalty", "l1",
                           "--penalty-strength", "0.05", "--no-plots", "--out", out_dir],
                          capsys)
    assert code == 0, err
    table = pd.read_csv(out_dir / "results.csv")
    assert table.set_index("method").loc["sagd", "status"] == "refused"
    assert "minimising squared error loss, l1 penalty of strength 0.05" in out
    code, out, err = _cli(["compare", "--data", "diabetes", "--budget-rounds", "3",
                           "--out", tmp_path / "o2"], capsys)
    assert code == 1 and "give chunks too" in err.replace("--chunks", "chunks")


def test_tuning_runs_the_problem(small):
    from graddescent.tuning import tune

    X, y = small
    pb = Problem(penalty="elasticnet", alpha=0.05)
    optimum = pb.objective(X, y, exact_solution(pb, X, y)[0])
    best, grid = tune("gd", X, y, 0, Budget(epochs=20), optimum, 0.1, problem=pb)
    assert len(grid) >= 9 and any(t is best for t in grid)
    assert best.objective[-1] == pb.objective(X, y, best.theta)
    assert 0 <= relative_suboptimality(best.objective[-1], optimum) < 1e-3


def test_cli_fit_on_a_sparse_file_takes_the_penalty(tmp_path, capsys):
    X, y = make_sparse_regression(300, 12, 3, seed=4)
    path = tmp_path / "data.npz"
    sp.save_npz(path, sp.hstack([X, sp.csr_matrix(y[:, None])]).tocsr())
    code, out, err = _cli(["fit", path, "--method", "gd", "--penalty", "l1",
                           "--penalty-strength", "0.5"], capsys)
    assert code == 0, err
    nonzero = int(out.split("; ")[1].split(" nonzero")[0])
    assert nonzero < 12  # a strong lasso leaves exact zeros


def test_compare_reads_a_sparse_file(tmp_path, capsys):
    X, y = make_sparse_regression(200, 10, 3, seed=5)
    path = tmp_path / "mine.npz"
    sp.save_npz(path, sp.hstack([X, sp.csr_matrix(y[:, None])]).tocsr())
    name, data = C.load_dataset(str(path))
    assert name == "mine" and isinstance(data, C.SparseData) and data.X.shape == (200, 10)
    (tmp_path / "bad.npz").write_text("not a matrix")
    code, out, err = _cli(["compare", "--data", tmp_path / "bad.npz", "--budget-epochs", "1",
                           "--out", tmp_path / "o"], capsys)
    assert code == 1 and "not a readable scipy.sparse .npz file" in err and err.count("\n") == 1

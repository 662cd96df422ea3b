"""The R-style comparison (no budget) on sparse data: the same table as for dense data, computed
from the CSR rows, never a dense copy of X.

A sparse fit equals the dense fit on the same data, seed and row order (tests/test_sparse.py):
the sparse comparison splits the rows as the dense one does, so with ``scaling="none"`` (the
only scaling that is the same on both: sparse columns are scaled without centring) every row
of the sparse comparison equals the dense comparison's of the same matrix densified.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from graddescent import METHODS, cli
from graddescent import compare as C
from graddescent.datasets import make_sparse_regression
from graddescent.preprocessing import split_data, split_rows

#: What a sparse and a dense comparison of the same matrix must agree on.
MEASURED = ["status", "test_rmse", "train_rmse", "ols_test_rmse", "ratio_to_ols", "updates",
            "n_train", "n_test"]


def _no_densifying(monkeypatch):
    """Make densifying a CSR matrix of more than one column fail (a one-column matrix is the
    output column of a ``.npz`` file, read as the output vector)."""
    for name in ("toarray", "todense"):
        original = getattr(sp.csr_matrix, name)

        def refuse(self, *args, _original=original, **kwargs):
            if min(self.shape) > 1:
                raise AssertionError("a sparse matrix was densified")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(sp.csr_matrix, name, refuse)


def _sparse_and_dense():
    """A small sparse problem, and the same matrix densified as a frame (output last)."""
    X, y = make_sparse_regression(60, 8, 3, seed=3)
    dense = pd.DataFrame(np.column_stack([X.toarray(), y]),
                         columns=[f"x{j}" for j in range(8)] + ["y"])
    return C.SparseData(X, y), dense


@pytest.fixture(scope="module")
def problem():
    return _sparse_and_dense()


def test_split_rows_are_split_datas_rows():
    frame = pd.DataFrame({"x": np.arange(50.0), "y": np.arange(50.0)})
    train, test = split_data(frame, 0.7, seed=4)
    tr, te = split_rows(50, 0.7, seed=4)
    np.testing.assert_array_equal(train.index, tr)  # in the order drawn
    np.testing.assert_array_equal(test.index, te)
    with pytest.raises(ValueError, match="both parts need at least one row"):
        split_rows(1, 0.5, 0)


def _same_rows(got, want) -> None:
    """The sparse comparison's rows (and loss curves) are the dense comparison's."""
    res = got.results.set_index(["method", "seed"])
    ref = want.results.set_index(["method", "seed"]).loc[res.index]
    for column in MEASURED:
        if column in ("status", "updates", "n_train", "n_test"):
            pd.testing.assert_series_equal(res[column], ref[column])
        else:
            np.testing.assert_allclose(res[column], ref[column], rtol=1e-9, err_msg=column)
    # the loss curves too (the figures): the same objective at the same checkpoints
    assert set(got.curves) == set(want.curves)
    for key, (x, f, optimum) in got.curves.items():
        x_ref, f_ref, optimum_ref = want.curves[key]
        np.testing.assert_array_equal(x, x_ref)
        np.testing.assert_allclose(f, f_ref, rtol=1e-9, err_msg=str(key))
        assert optimum == pytest.approx(optimum_ref, rel=1e-9)


_EVERY_METHOD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import scipy.sparse as sp
    from graddescent import METHODS
    from graddescent import compare as C
    from test_compare_sparse import _same_rows, _sparse_and_dense

    sparse, dense = _sparse_and_dense()
    settings = C.CompareSettings(seeds=(1, 2), max_iter=15, scaling="none")
    want = C.run_comparison(settings, data={{"data": dense}})

    def refuse(self, *args, **kwargs):
        raise AssertionError("a sparse matrix was densified")

    sp.csr_matrix.toarray = sp.csr_matrix.todense = refuse
    got = C.run_comparison(settings, data={{"data": sparse}})
    res = got.results
    assert sorted(set(res["method"])) == sorted(METHODS) and len(res) == 2 * len(METHODS)
    assert (res["status"] == "ok").all(), res["message"].to_dict()
    assert (res["updates"] > 0).all() and (res["n_train"] == 48).all()
    _same_rows(got, want)
    print(len(res))
""")


def test_every_method_plain_comparison_on_sparse_rows_equals_the_dense_one():
    """Every method, with the JIT off (the kernels' code run as Python, in a subprocess:
    compiling every method's sparse specialization would cost most of a minute); a compiled
    subset runs through the command line below."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", _EVERY_METHOD.format(tests=tests)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip()) == 2 * len(METHODS)


def test_plain_comparison_on_sparse_rows_scales_without_centring(problem, monkeypatch):
    sparse, _ = problem
    _no_densifying(monkeypatch)
    for scaling in ("variance", "minmax"):
        settings = C.CompareSettings(methods=("gd", "sgd"), seeds=(1,), max_iter=20_000,
                                     scaling=scaling)
        res = C.run_comparison(settings, data={"data": sparse}).results.set_index("method")
        assert (res["status"] == "ok").all(), res["message"].to_dict()
        # GD reaches least squares whatever the scaling: its test RMSE, back in original
        # units, is the exact least-squares fit's (the scaling undone right, the intercept
        # holding the columns' means)
        assert res.loc["gd", "ratio_to_ols"] == pytest.approx(1.0, abs=1e-6), scaling
        assert math.isfinite(res.loc["sgd", "test_rmse"])


def test_plain_comparison_estimator_style_on_sparse_rows(problem, monkeypatch):
    sparse, dense = problem
    settings = C.CompareSettings(methods=("sgd",), seeds=(1,), max_iter=5, scaling="none",
                                 style="estimator")
    want = C.run_comparison(settings, data={"data": dense}).results
    _no_densifying(monkeypatch)
    got = C.run_comparison(settings, data={"data": sparse}).results
    assert got["status"].iloc[0] == "ok", got["message"].iloc[0]
    np.testing.assert_allclose(got["test_rmse"], want["test_rmse"], rtol=1e-9)
    assert got["updates"].iloc[0] == want["updates"].iloc[0]


def test_plain_comparison_refuses_what_a_method_cannot_minimise(problem, monkeypatch):
    from graddescent.problems import Problem

    sparse, _ = problem
    _no_densifying(monkeypatch)
    settings = C.CompareSettings(methods=("gd", "sagd"), seeds=(1,), max_iter=200,
                                 problem=Problem(penalty="l1", alpha=0.01))
    res = C.run_comparison(settings, data={"data": sparse}).results.set_index("method")
    assert res.loc["sagd", "status"] == C.STATUS_REFUSED and res.loc["sagd", "message"]
    assert res.loc["gd", "status"] == "ok" and 0 <= res.loc["gd", "rel_subopt"] < 1e-3


def _cli(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_compare_on_a_sparse_file_is_the_dense_files_comparison(problem, tmp_path,
                                                                     monkeypatch, capsys):
    sparse, dense = problem
    (tmp_path / "csv").mkdir()
    dense.to_csv(tmp_path / "csv" / "mine.csv", index=False)
    sp.save_npz(tmp_path / "mine.npz",
                sp.hstack([sparse.X, sp.csr_matrix(sparse.y[:, None])]).tocsr())
    argv = ["--methods", "gd", "saga", "--seeds", "2", "--max-iter", "20", "--scaling", "none"]
    code, out, err = _cli(["compare", "--data", tmp_path / "csv" / "mine.csv", *argv,
                           "--no-plots", "--out", tmp_path / "dense"], capsys)
    assert code == 0, err
    _no_densifying(monkeypatch)
    code, out, err = _cli(["compare", "--data", tmp_path / "mine.npz", *argv,
                           "--out", tmp_path / "sparse"], capsys)
    assert code == 0, err
    assert "mine: 48 training rows, 12 test rows" in out and "Traceback" not in err
    got = pd.read_csv(tmp_path / "sparse" / "results.csv").set_index(["method", "seed"])
    want = pd.read_csv(tmp_path / "dense" / "results.csv").set_index(["method", "seed"])
    assert len(got) == 4 and set(got.index.get_level_values(0)) == {"gd", "saga"}
    assert (got["status"] == "ok").all()
    for column in MEASURED[1:]:
        np.testing.assert_allclose(got[column], want.loc[got.index, column], rtol=1e-9,
                                   err_msg=column)
    # the report as for dense data: the table, and the test-RMSE and loss-curve figures
    report = (tmp_path / "sparse" / "report.md").read_text()
    assert "## mine (48 training rows, 12 test rows)" in report and "| gd (GD) |" in report
    assert {p.name for p in (tmp_path / "sparse").glob("*.png")} == {
        "mine_test_rmse.png", "mine_loss_curves.png"}
    assert (tmp_path / "sparse" / "report.html").stat().st_size > 0


@pytest.mark.parametrize("l2, fit_intercept", [(0.0, True), (1e-3, True), (1e-3, False)])
def test_exact_reference_beyond_the_gram_limit_is_lsqr_on_the_nonzeros(
        l2, fit_intercept, monkeypatch):
    # wider than MAX_SPARSE_GRAM columns the exact row solves by LSQR on the sparse operator:
    # the same solution as the normal equations (forced here on a narrow problem), no Gram
    from graddescent import references as R
    from graddescent.problems import Problem

    rng = np.random.default_rng(0)
    X = sp.random(600, 80, density=0.1, format="csr", random_state=1)
    y = X @ rng.normal(size=80) + 0.5 + 0.1 * rng.normal(size=600)
    penalty = {"penalty": "l2", "alpha": l2} if l2 else {}
    problem = Problem(fit_intercept=fit_intercept, **penalty)
    gram, solver = R.exact_solution(problem, X, y)
    assert solver == "normal equations"
    monkeypatch.setattr(R, "MAX_SPARSE_GRAM", 79)
    _no_densifying(monkeypatch)
    wide, solver = R.exact_solution(problem, X, y)
    assert solver == "LSQR on the sparse operator"
    np.testing.assert_allclose(wide, gram, rtol=1e-10, atol=1e-12)

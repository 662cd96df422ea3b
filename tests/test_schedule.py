"""The estimator's stopping rules and adaptive schedule (graddescent._schedule)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import well_conditioned
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from graddescent import _schedule as S
from graddescent import drivers as D
from graddescent import objective as O
from graddescent import rules
from graddescent.estimator import GDRegressor


def test_hessian_in_chunks_is_the_gram_matrix_with_the_intercept(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(37, 4)) + 3.0
    A = np.column_stack([np.ones(37), X])
    monkeypatch.setattr(O, "CHUNK", 5)  # several chunks, the last one short
    assert_allclose(O.hessian(X), A.T @ A / 37, rtol=1e-13)


def test_patience_stops_after_that_many_epochs_without_improvement():
    opt = D.Optimizer(rules.plain(0.1), D.FullBatch(), np.zeros(2), 4)
    stop = S.Patience(tol=0.1, patience=3)
    assert stop.epochs_before_decision(opt, 1.0) == 3
    seen = [stop.observe(v, opt) for v in (1.0, 0.95, 0.5, 0.45, 0.44, 0.43)]
    assert seen == [False] * 5 + [True]  # 0.45, 0.44, 0.43: not 0.1 below 0.5
    again = S.Patience(tol=0.1, patience=2)
    again.observe(1.0, opt)
    assert not again.observe(1.0, opt, final=False)  # inside a block: never acts
    assert again.observe(1.0, opt, final=True)


def _stages(est_kwargs, X, y, monkeypatch):
    """Fit, recording (t, cuts, min steps) every time the schedule acts."""
    log = []
    orig = S.StepDecay.stage_ended

    def recording(self, opt):
        start, cuts = self.stage_start, self.cuts
        ended = orig(self, opt)
        if ended or self.cuts != cuts:
            log.append((opt.t - start, S.RELAXATION / self._lam if self._lam else 0.0, ended,
                        self.flat_stages, self.moved))
        return ended

    monkeypatch.setattr(S.StepDecay, "stage_ended", recording)
    return GDRegressor(**est_kwargs).fit(X, y), log


@pytest.mark.parametrize("method", ["sgd", "adam", "adagrad"])
def test_stages_last_as_long_as_the_slowest_direction_needs(method, monkeypatch):
    X, y, _ = well_conditioned(n=60, d=3)
    X[:, 1] = X[:, 0] + 0.2 * X[:, 1]  # a slow direction (correlated features)
    theta = np.linalg.lstsq(np.column_stack([np.ones(60), X]), y, rcond=None)[0]
    est, log = _stages({"method": method, "tol": "precise", "random_state": 0}, X, y,
                       monkeypatch)
    assert len(log) >= 3 and log[-1][2] and not any(row[2] for row in log[:-1])
    for length, needed, *_ in log:
        assert length >= needed > 0
    err = np.linalg.norm(np.r_[est.intercept_, est.coef_] - theta) / np.linalg.norm(theta)
    assert err < 1e-4


def test_blocks_do_not_change_the_result():
    # verbose reports every epoch; the fit is the same whatever the block sizes
    X, y, _ = well_conditioned(n=40, d=2)
    quiet = GDRegressor(method="rmsprop", random_state=3).fit(X, y)
    loud = GDRegressor(method="rmsprop", random_state=3, verbose=1)
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()) as out:
        loud.fit(X, y)
    assert_array_equal(loud.coef_, quiet.coef_)
    assert loud.loss_curve_ == quiet.loss_curve_ and loud.t_ == quiet.t_
    assert out.getvalue().count("-- Epoch") == quiet.n_iter_


def test_an_ill_conditioned_problem_warns_early_instead_of_running_a_million_epochs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)) + 100.0  # unscaled: the intercept and the means are tied
    y = X @ np.array([0.5, -0.2]) + rng.normal(size=80)
    with pytest.warns(ConvergenceWarning, match="ill-conditioned.*StandardScaler"):
        est = GDRegressor(method="sgd", tol="precise", random_state=0).fit(X, y)
    assert est.n_iter_ < 10_000
    with pytest.warns(ConvergenceWarning, match="max_iter=300"):  # an explicit budget is run
        est = GDRegressor(method="sgd", max_iter=300, tol="precise", random_state=0).fit(X, y)
    assert est.n_iter_ == 300


def test_noisy_weakly_determined_coefficients_end_the_schedule(monkeypatch):
    # y is noise orthogonal to X: the coefficients are zero, so they keep moving relative to
    # their norm, but the objective stops improving; after FLAT_STAGES + 1 such stages the fit
    # has converged
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    A = np.column_stack([np.ones(30), X])
    noise = rng.normal(size=30)
    y = 3.0 + noise - A @ np.linalg.lstsq(A, noise, rcond=None)[0]  # least squares: w = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est, log = _stages({"method": "sgd", "tol": "precise", "random_state": 0}, X, y,
                           monkeypatch)
    start = GDRegressor(method="sgd", max_iter=1, tol=None).fit(X, y).learning_rate_
    assert est.learning_rate_ >= start * 1e-6
    *_, ended, flat, moved = log[-1]
    assert ended and flat == S.FLAT_STAGES + 1 and moved > S.COEF_RTOL, log

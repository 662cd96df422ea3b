"""Every plot function draws the expected artists into a non-empty PNG and never shows it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

from graddescent import METHODS, rules  # noqa: E402
from graddescent import drivers as D  # noqa: E402
from graddescent import plotting as P  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a plot function called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


@pytest.fixture
def line_problem():
    """One input, not centred: the elongated valley of the classroom picture."""
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 1.0, 60)
    y = 1.0 + 2.0 * x + rng.normal(0.0, 0.5, 60)
    return x[:, None], y


def assert_png_drawn(fig, path: Path) -> None:
    """Save ``fig`` and check the PNG holds a drawing, not a blank canvas."""
    P.save(fig, path)
    image = mpimg.imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 200
    ink = np.any(image[..., :3] < 0.9, axis=-1).mean()
    assert 0.01 < ink < 0.9
    assert len(np.unique(image[..., :3].reshape(-1, 3), axis=0)) > 20  # more than text


def test_import_does_not_load_matplotlib():
    code = ("import sys, graddescent, graddescent.plotting, graddescent.compare, "
            "graddescent.report, graddescent.cli; assert 'matplotlib' not in sys.modules, "
            "'loaded'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr


def test_loss_curves(tmp_path):
    curves = {"gd": (np.arange(0, 50), 1.0 + 2.0 ** -np.arange(50)),
              "sgd": 1.0 + 1.0 / np.arange(1, 51), "flat": np.full(20, 1.0)}
    ax = P.plot_loss_curves(curves, optimum=1.0, xlabel="iteration")
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert {"gd", "sgd", "flat"} <= set(lines)
    gd_line = lines["gd"]
    np.testing.assert_array_equal(gd_line.get_xdata(), np.arange(1, 50))  # x = 0 left out
    np.testing.assert_allclose(gd_line.get_ydata()[:3], [0.5, 0.25, 0.125])
    assert np.all(lines["flat"].get_ydata() > 0)  # at the optimum: drawn at the floor
    assert any("rounding" in label for label in lines)  # and the floor is explained
    assert ax.get_legend() is not None and "least-squares" in ax.get_ylabel()
    assert_png_drawn(ax.figure, tmp_path / "loss.png")


def test_loss_curves_without_optimum_on_given_axes(tmp_path):
    fig, ax = plt.subplots()
    out = P.plot_loss_curves({"a": np.array([3.0, 2.0, 1.5])}, ax=ax, logx=False)
    assert out is ax and ax.get_ylabel() == "objective" and ax.get_xscale() == "linear"
    assert_png_drawn(fig, tmp_path / "loss2.png")


def test_trajectory_matches_one_run(line_problem):
    X, y = line_problem
    theta0 = np.array([-2.0, -1.0])
    path = P.trajectory("mgd", X, y, theta0, 25, learning_rate=0.02, momentum=0.9)
    assert path.shape == (26, 2)
    np.testing.assert_array_equal(path[0], theta0)
    once = D.optimize(X, y, rules.momentum(0.02, 0.9), D.FullBatch(), theta0, 25,
                      np.random.default_rng(0))
    np.testing.assert_array_equal(path[-1], once)
    sampled = P.trajectory(rules.adam(0.1), X, y, theta0, 30,
                           driver=D.MiniBatch(batch_size=1), seed=4)
    ref = D.optimize(X, y, rules.adam(0.1), D.MiniBatch(batch_size=1), theta0, 30,
                     np.random.default_rng(4))
    np.testing.assert_array_equal(sampled[-1], ref)


def test_contour_paths(line_problem, tmp_path):
    X, y = line_problem
    theta0 = np.array([-2.0, -1.0])
    paths = {"gd": P.trajectory("gd", X, y, theta0, 40, learning_rate=0.1),
             "nesterov": P.trajectory("agd", X, y, theta0, 40, learning_rate=0.02),
             "rmsprop": P.trajectory("rmsprop", X, y, theta0, 40, driver=D.FullBatch(),
                                     learning_rate=0.05)}
    ax = P.plot_contour_paths(X, y, paths)
    from matplotlib.contour import ContourSet

    assert any(isinstance(c, ContourSet) for c in ax.collections)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "gd (40 steps)" in labels and "nesterov (40 steps)" in labels
    assert "start" in labels and "least-squares minimum" in labels
    star = next(line for line in ax.get_lines() if line.get_label() == "least-squares minimum")
    A = np.column_stack([np.ones(len(y)), X[:, 0]])
    np.testing.assert_allclose(np.r_[star.get_xdata(), star.get_ydata()],
                               np.linalg.lstsq(A, y, rcond=None)[0])
    gd_line = next(line for line in ax.get_lines() if line.get_label().startswith("gd"))
    np.testing.assert_array_equal(gd_line.get_xdata(), paths["gd"][:, 0])
    assert ax.get_xlabel() == "intercept b" and ax.get_ylabel() == "slope w"
    assert_png_drawn(ax.figure, tmp_path / "contour.png")


def test_contour_needs_one_input():
    with pytest.raises(ValueError, match="one input column"):
        P.plot_contour_paths(np.ones((10, 2)), np.ones(10), {})


def test_effective_step_sizes_rmsprop_by_hand(line_problem):
    X, y = line_problem
    theta0 = np.array([0.5, 0.5])
    lr, rho, eps = 0.05, 0.9, 1e-8
    got = P.effective_step_sizes(rules.rmsprop(lr, rho=rho, eps=eps), X, y, theta0, 5)
    theta, v, A = theta0.copy(), np.zeros(2), np.column_stack([np.ones(len(y)), X[:, 0]])
    for t in range(5):
        g = A.T @ (A @ theta - y) / len(y)
        v = rho * v + (1 - rho) * g * g
        step = lr / (np.sqrt(v) + eps)
        np.testing.assert_allclose(got[t], step, rtol=1e-12)
        theta = theta - step * g


@pytest.mark.parametrize("name", ["adagrad", "rmsprop"])
def test_effective_step_sizes_explain_the_engine(name, line_problem):
    """Without momentum, the engine's update is exactly step size times gradient (Adadelta's
    effective step after step t uses its updated E[dx^2]_t, the one of the next step)."""
    X, y = line_problem
    theta0 = np.array([0.3, -0.2])
    steps = P.effective_step_sizes(name, X, y, theta0, 20)
    path = P.trajectory(name, X, y, theta0, 20, driver=D.FullBatch())
    A = np.column_stack([np.ones(len(y)), X[:, 0]])
    grads = np.array([A.T @ (A @ th - y) / len(y) for th in path[:-1]])
    np.testing.assert_allclose(np.diff(path, axis=0), -steps * grads, rtol=1e-9, atol=1e-15)


def test_effective_step_sizes_of_every_adaptive_rule(line_problem):
    X, y = line_problem
    theta0 = np.zeros(2)
    for name, method in METHODS.items():  # every rule with an effective step, full batch
        if method.rule_factory().spec.reference_effective is None:
            continue
        steps = P.effective_step_sizes(name, X, y, theta0, 10)
        assert steps.shape == (10, 2) and np.all(np.isfinite(steps)) and np.all(steps > 0)
    plain = P.effective_step_sizes("gd", X, y, theta0, 4, learning_rate=0.3)
    np.testing.assert_array_equal(plain, 0.3)
    adagrad = P.effective_step_sizes("adagrad", X, y, theta0, 30)
    assert np.all(np.diff(adagrad, axis=0) <= 0)  # Adagrad's steps only shrink
    with pytest.raises(ValueError, match="no step-size formula for the 'rprop' rule"):
        P.effective_step_sizes("rprop", X, y, theta0, 3)


def test_plot_effective_step_sizes(line_problem, tmp_path):
    X, y = line_problem
    steps = {name: P.effective_step_sizes(name, X, y, np.zeros(2), 50)
             for name in ("gd", "adagrad", "rmsprop", "adam")}
    fig = P.plot_effective_step_sizes(steps)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == list(steps)
    for ax in visible:
        assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    labels = [t.get_text() for t in visible[0].get_legend().get_texts()]
    assert labels == ["intercept", "w1"]
    assert_png_drawn(fig, tmp_path / "steps.png")


def test_predicted_vs_actual_and_residuals(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.normal(size=80)
    yhat = y + rng.normal(scale=0.3, size=80)
    ax = P.plot_predicted_vs_actual(y, yhat)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 1
    np.testing.assert_allclose(points[0].get_offsets(), np.column_stack([y, yhat]))
    assert "RMSE" in points[0].get_label()
    assert any(line.get_label() == "predicted = actual" for line in ax.get_lines())
    assert_png_drawn(ax.figure, tmp_path / "pva.png")
    ax = P.plot_residuals(y, yhat)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(points[0].get_offsets(), np.column_stack([yhat, y - yhat]))
    assert ax.get_ylabel() == "actual - predicted"
    assert_png_drawn(ax.figure, tmp_path / "resid.png")


def test_method_scores(tmp_path):
    results = pd.DataFrame({
        "method": ["gd", "gd", "sgd", "sgd", "adam", "adam"],
        "status": ["ok", "ok", "ok", "ok", "diverged", "diverged"],
        "ratio_to_ols": [1.0, 1.01, 1.3, 1.5, np.nan, np.nan]})
    fig = P.plot_method_scores(results, title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["gd (GD)", "sgd (SGD)",
                                                            "adam (ADAM)"]
    assert any(t.get_text() == "diverged" for t in ax.texts)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o" and
            len(line.get_xdata())]
    assert sum(len(line.get_xdata()) for line in dots) == 4
    assert_png_drawn(fig, tmp_path / "scores.png")

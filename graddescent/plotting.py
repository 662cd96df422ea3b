"""Pictures of gradient descent (matplotlib is imported only when a function draws).

* :func:`plot_loss_curves`: loss curves of several fits on one log-scale axis;
* :func:`trajectory` and :func:`plot_contour_paths`: the path of the two coefficients of a
  one-input problem over the contour lines of the objective (the classroom picture of
  momentum, Nesterov, RMSprop and Adam);
* :func:`effective_step_sizes` and :func:`plot_effective_step_sizes`: the per-coordinate step
  size an adaptive rule really applies over time;
* :func:`plot_predicted_vs_actual` and :func:`plot_residuals`;
* :func:`plot_method_scores`: test RMSE per method over several seeds (``graddescent compare``).

Every function returns the matplotlib Axes (or Figure) it drew on and never calls
``plt.show()``; :func:`save` writes a PNG and closes the figure.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> from graddescent import plotting
>>> ax = plotting.plot_loss_curves({"gd": np.array([1.0, 0.5, 0.25])}, optimum=0.0)
>>> ax.get_yscale()
'log'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import objective as O
from ._registry import METHODS
from ._validation import (
    ITERATION_COST,
    check_allocation,
    check_int,
    check_magnitudes,
    check_vector,
    check_work,
    engine_arrays,
)
from .drivers import DivergenceError, Driver, FullBatch, Optimizer
from .rules import UpdateRule

__all__ = [
    "effective_step_sizes",
    "plot_contour_paths",
    "plot_effective_step_sizes",
    "plot_loss_curves",
    "plot_method_scores",
    "plot_predicted_vs_actual",
    "plot_residuals",
    "plot_suboptimality_bands",
    "save",
    "trajectory",
]


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, figsize=(7.0, 4.5)):
    if ax is not None:
        return ax
    fig, ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return ax


def save(fig: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` (a Figure or an Axes) as a PNG at ``path`` and close it; return the path."""
    fig = getattr(fig, "figure", fig)
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    _pyplot().close(fig)
    return path


def _colors(n: int):
    cmap = _pyplot().get_cmap("tab20" if n > 10 else "tab10")
    return [cmap(i % cmap.N) for i in range(n)]


def _nonempty(name: str, value: Any) -> Any:
    """A mapping or frame with something in it, else a ValueError naming ``name``."""
    if value is None or len(value) == 0:
        raise ValueError(f"{name} is empty: there is nothing to draw.")
    return value


def _pair(y: Any, yhat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Actual and predicted outputs: finite vectors of one length, not empty."""
    y = check_vector("y", y, flatten=True)
    yhat = check_vector("yhat", yhat, y.shape[0], flatten=True,
                        expected=f"one per actual value: y has {y.shape[0]}")
    if not y.size:
        raise ValueError("y and yhat are empty: there is nothing to draw.")
    return y, yhat


def _curve(label: Any, x: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).reshape(-1)
    values = np.asarray(values, dtype=float).reshape(-1)
    if x.shape != values.shape:
        raise ValueError(f"the curve {label!r} has {x.size} x values for {values.size} "
                         f"values; they must match.")
    return x, values


def plot_loss_curves(curves: Mapping[str, Any], optimum: float | None = None, ax: Any = None,
                     *, xlabel: str = "iteration", ylabel: str | None = None,
                     title: str | None = None, logx: bool = True) -> Any:
    """Loss curves of several fits on one axis, log scale.

    Parameters
    ----------
    curves : mapping
        Label -> objective values (1-D array, x = 1, 2, ...) or ``(x, values)``.
    optimum : float, optional
        The minimum of the objective; when given, ``values - optimum`` is drawn (values at or
        below the optimum are drawn at a floor of 1e-15 times the largest gap, the limit of
        double precision).
    ax : matplotlib Axes, optional
    xlabel, ylabel, title : str, optional
    logx : bool, default True
        Logarithmic x axis (x <= 0 is left out).

    Returns
    -------
    matplotlib Axes
    """
    _nonempty("curves", curves)
    prepared = {}
    for label, curve in curves.items():
        if isinstance(curve, tuple):
            x, values = _curve(label, *curve[:2])
        else:
            values = np.asarray(curve, dtype=float).reshape(-1)
            x = np.arange(1, values.shape[0] + 1, dtype=float)
        if optimum is not None:
            values = values - optimum
        if logx:
            keep = x > 0
            x, values = x[keep], values[keep]
        prepared[label] = (x, values)
    ax = _axes(ax, (8.5, 5.0))
    finite = [v[np.isfinite(v) & (v > 0)] for _, v in prepared.values()]
    top = max((float(v.max()) for v in finite if v.size), default=1.0)
    floor = top * 1e-15
    styles = [(0, ()), (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2))]
    for i, ((label, (x, values)), color) in enumerate(zip(prepared.items(),
                                                          _colors(len(prepared)), strict=True)):
        ax.plot(x, np.maximum(values, floor), color=color, label=label, lw=1.6,
                ls=styles[i % len(styles)])
    if any(np.any(v <= floor) for _, v in prepared.values()):
        ax.axhline(floor, color="0.4", ls=":", lw=1.0,
                   label="converged to rounding\nerror (at or below)")
    ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or ("objective - least-squares minimum" if optimum is not None
                             else "objective"))
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def _rule_and_driver(method_or_rule: str | UpdateRule, driver: Driver | None,
                     params: dict[str, Any]) -> tuple[UpdateRule, Driver]:
    if isinstance(method_or_rule, UpdateRule):
        return method_or_rule, driver or FullBatch()
    method = METHODS.get(str(method_or_rule).lower())
    if method is None:
        from ._registry import get_method

        method = get_method(method_or_rule)
    rule = method.make_rule(**params)
    return rule, driver or method.make_driver(**params)


def _problem(X: Any, y: Any, theta0: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, theta0)`` checked by the validation layer (a 1-D ``X`` is one input column)."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 1:
        X = X[:, None]
    if y.ndim > 1 and sum(s > 1 for s in y.shape) <= 1:
        y = y.reshape(-1)
    theta0 = check_vector("theta0", theta0)
    X, y = engine_arrays(X, y, theta0.shape[0])
    check_magnitudes(X, y)
    return X, y, theta0


def trajectory(method_or_rule: str | UpdateRule, X: Any, y: Any, theta0: Any, n_steps: int,
               *, driver: Driver | None = None, seed: int = 0, on_divergence: str = "raise",
               **params: Any) -> np.ndarray:
    """The iterates of a fit, one row per unit (step, or outer loop), ``theta0`` first.

    Parameters
    ----------
    method_or_rule : str or UpdateRule
        A method name of :data:`graddescent.METHODS` (its rule and natural driver, built from
        the glossary-named ``params``) or an update rule (run full-batch unless ``driver``).
    X : array of shape (n, d)
    y : array of shape (n,)
    theta0 : array of shape (d + 1,)
        Starting point, intercept first.
    n_steps : int
        Units to run (each one ``Optimizer.run(X, y, 1, rng)``).
    driver : Driver, optional
        Overrides the driver.
    seed : int
        Seed of the row sampling.
    on_divergence : {"raise", "stop"}, default "raise"
        What a diverging fit does (the engine's criterion,
        :class:`~graddescent.drivers.DivergenceMonitor`): raise
        :class:`~graddescent.DivergenceError`, or ``"stop"``: return the path up to the last
        iterate before the criterion fired (to draw a divergence in class).
    **params
        Glossary-named settings, e.g. ``learning_rate=0.05, momentum=0.9``.

    Returns
    -------
    ndarray of shape (n_steps + 1, d + 1)
        Fewer rows when ``on_divergence="stop"`` and the fit diverged.

    Raises
    ------
    ValueError
        When the shapes do not match (``y`` one value per row, ``theta0`` ``d + 1`` values),
        a value is not finite or too large (the message names the column), or the fit
        diverges (:class:`~graddescent.DivergenceError`).
    """
    X, y, theta0 = _problem(X, y, theta0)
    n_steps = check_int("n_steps", n_steps, low=0)
    check_allocation("n_steps", (n_steps + 1.0) * theta0.shape[0] * 2,
                     f"a path of {n_steps + 1} iterates of {theta0.shape[0]} coefficients")
    check_work("n_steps", float(n_steps) * (X.shape[0] + ITERATION_COST),
               f"{n_steps} steps on {X.shape[0]} rows")
    seed = check_int("seed", seed, low=0)
    rule, drv = _rule_and_driver(method_or_rule, driver, params)
    opt = Optimizer(rule, drv, theta0, X.shape[0])
    rng = np.random.default_rng(seed)
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}.")
    path = [opt.theta.copy()]
    for _ in range(int(n_steps)):
        try:
            path.append(opt.run(X, y, 1, rng).copy())
        except DivergenceError:
            if on_divergence == "raise":
                raise
            break
    return np.array(path)


def plot_contour_paths(X: Any, y: Any, paths: Mapping[str, Any], ax: Any = None, *,
                       levels: int = 14, title: str | None = None,
                       names: tuple[str, str] = ("intercept b", "slope w"),
                       margin: float = 0.15) -> Any:
    """Paths of the two coefficients over the contour lines of a one-input objective.

    Parameters
    ----------
    X : array of shape (n,) or (n, 1)
        The single input column.
    y : array of shape (n,)
    paths : mapping
        Label -> array of shape (k, 2) of iterates ``(b, w)`` (e.g. from :func:`trajectory`).
    ax : matplotlib Axes, optional
    levels : int
        Contour lines, spaced geometrically in ``f - f*`` (dense near the minimum).
    title : str, optional
    names : (str, str)
        Axis labels of the intercept and the slope.
    margin : float
        Fraction of the paths' extent added around them.

    Returns
    -------
    matplotlib Axes
    """
    x = np.asarray(X, dtype=float).ravel()
    yv = np.asarray(y, dtype=float).ravel()
    if x.shape != yv.shape:
        raise ValueError(f"plot_contour_paths needs one input column: X has {x.size} values "
                         f"for {yv.size} outputs.")
    if x.size < 2 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(yv))):
        raise ValueError("plot_contour_paths needs at least two rows of finite numbers in X "
                         "and y.")
    _nonempty("paths", paths)
    for label, path in paths.items():
        arr = np.asarray(path, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2 or not arr.shape[0]:
            raise ValueError(f"the path {label!r} must be an array of shape (k, 2) (intercept, "
                             f"slope), k >= 1; got shape {arr.shape}.")
    A = np.column_stack([np.ones_like(x), x])
    opt = np.linalg.lstsq(A, yv, rcond=None)[0]
    pts = [np.asarray(p, dtype=float).reshape(-1, 2) for p in paths.values()]
    allp = np.vstack(pts + [opt[None, :]])
    finite = allp[np.all(np.isfinite(allp), axis=1)]
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * (np.abs(hi) + 1))
    lo, hi = lo - margin * span, hi + margin * span
    B, W = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    F = O.objective_on_grid(x, yv, B, W)
    fstar = float(O.objective_on_grid(x, yv, np.array(opt[0]), np.array(opt[1])))
    gap = np.maximum(F - fstar, 0.0)
    top = float(gap.max())
    lv = np.geomspace(max(top * 1e-4, 1e-12), top, levels)
    ax = _axes(ax, (7.0, 6.0))
    ax.contour(B, W, gap, levels=lv, colors="0.6", linewidths=0.8)
    markers, styles = "o^sDvPX", ["-", "--", "-.", ":"]
    for i, ((label, p), color) in enumerate(zip(paths.items(), _colors(len(paths)),
                                                strict=True)):
        p = np.asarray(p, dtype=float).reshape(-1, 2)
        ax.plot(p[:, 0], p[:, 1], color=color, ls=styles[i % len(styles)],
                marker=markers[i % len(markers)], ms=3.5, mfc="none", lw=1.3, alpha=0.9,
                label=f"{label} ({p.shape[0] - 1} steps)")
    start = pts[0][0] if pts else opt
    ax.plot(*start, "s", color="black", ms=7, label="start")
    ax.plot(*opt, "*", color="crimson", ms=14, label="least-squares minimum")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title or "coefficient paths over contour lines of the objective", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return ax


def effective_step_sizes(method_or_rule: str | UpdateRule, X: Any, y: Any, theta0: Any,
                         n_steps: int, **params: Any) -> np.ndarray:
    """The step size each coordinate really gets at every full-batch step.

    Row ``t - 1`` is the rule's effective step after step ``t``
    (:meth:`graddescent.rules.UpdateRule.effective_steps`, the same numbers the adaptive
    schedule reads): the step per unit of gradient (or of its running average) that the rule
    applies at its current state. Adagrad ``eta / (sqrt(G_t) + eps)``, RMSprop
    ``eta / (sqrt(v_t) + eps)``, Adam and AMSGrad ``eta / (sqrt(v_t / (1 - beta2^t)) + eps)``,
    Adadelta ``eta * RMS[dx]_{t-1} / RMS[g]_t``; plain ``eta``, momentum and Nesterov
    ``eta / (1 - mu)``; each rule's docstring gives its formula. The iterates come from the
    engine (full batch).

    Parameters
    ----------
    method_or_rule : str or UpdateRule
        A method name of :data:`graddescent.METHODS` (its update rule, from the
        glossary-named ``params``) or an update rule.
    X : array of shape (n, d)
    y : array of shape (n,)
    theta0 : array of shape (d + 1,)
        Starting point, intercept first.
    n_steps : int
    **params
        Glossary-named settings, e.g. ``learning_rate=0.05, rho=0.9``.

    Returns
    -------
    ndarray of shape (n_steps, d + 1)
        Row t - 1 holds step t's step sizes, intercept first.

    Raises
    ------
    ValueError
        For Rprop, whose steps are not a multiple of the gradient.
    """
    X, y, theta0 = _problem(X, y, theta0)
    n_steps = check_int("n_steps", n_steps, low=0)
    check_allocation("n_steps", float(n_steps) * theta0.shape[0],
                     f"{n_steps} step sizes of {theta0.shape[0]} coefficients")
    check_work("n_steps", float(n_steps) * (X.shape[0] + ITERATION_COST),
               f"{n_steps} steps on {X.shape[0]} rows")
    rule, _ = _rule_and_driver(method_or_rule, FullBatch(), params)
    opt = Optimizer(rule, FullBatch(), theta0, X.shape[0])
    rng = np.random.default_rng(0)
    out = np.empty((int(n_steps), X.shape[1] + 1))
    for k in range(int(n_steps)):
        opt.run(X, y, 1, rng)
        out[k] = rule.effective_steps(opt.rule_state, opt.t)
    if n_steps and not np.all(np.isfinite(out)):
        raise ValueError(f"no step-size formula for the {rule.name!r} rule (its steps are "
                         f"absolute, not a multiple of the gradient).")
    return out


def plot_effective_step_sizes(steps: Mapping[str, Any], fig: Any = None, *,
                              names: list[str] | None = None, title: str | None = None) -> Any:
    """One panel per rule: the per-coordinate step size over the steps (log scale).

    Parameters
    ----------
    steps : mapping
        Label -> array of shape (n_steps, p) (from :func:`effective_step_sizes`).
    fig : matplotlib Figure, optional
        Drawn into (its existing axes are cleared); a new figure otherwise.
    names : list of str, optional
        Coordinate names (default ``intercept, w1, w2, ...``).
    title : str, optional

    Returns
    -------
    matplotlib Figure
    """
    plt = _pyplot()
    _nonempty("steps", steps)
    k = len(steps)
    ncols = min(k, 3)
    nrows = -(-k // ncols)
    if fig is None:
        fig = plt.figure(figsize=(4.2 * ncols, 3.4 * nrows), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    for ax, (label, values) in zip(axes, steps.items(), strict=False):
        values = np.asarray(values, dtype=float)
        labels = names or ["intercept"] + [f"w{j}" for j in range(1, values.shape[1])]
        t = np.arange(1, values.shape[0] + 1)
        for j, color in enumerate(_colors(values.shape[1])):
            ax.plot(t, values[:, j], color=color, lw=1.5, label=labels[j])
        ax.set_yscale("log")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("step t")
        ax.grid(True, alpha=0.3)
    for ax in axes[k:]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_ylabel("effective step size")
    axes[0].legend(fontsize=8)
    fig.suptitle(title or "per-coordinate step size: learning rate / running RMS of the "
                          "gradient", fontsize=11)
    return fig


def _rmse(y: np.ndarray, yhat: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - yhat) ** 2)))


def plot_predicted_vs_actual(y: Any, yhat: Any, ax: Any = None, *, title: str | None = None,
                             label: str = "test rows") -> Any:
    """Predicted against actual values, with the line ``predicted = actual``.

    Parameters
    ----------
    y, yhat : array of shape (n,)
        Actual and predicted outputs.
    ax : matplotlib Axes, optional
    title : str, optional
    label : str
        Legend entry of the points.

    Returns
    -------
    matplotlib Axes
    """
    y, yhat = _pair(y, yhat)
    ax = _axes(ax, (5.5, 5.0))
    ax.scatter(y, yhat, s=12, alpha=0.6, label=f"{label} (RMSE {_rmse(y, yhat):.4g})")
    lo = float(min(y.min(), yhat.min()))
    hi = float(max(y.max(), yhat.max()))
    ax.plot([lo, hi], [lo, hi], "--", color="crimson", lw=1.2, label="predicted = actual")
    ax.set_xlabel("actual")
    ax.set_ylabel("predicted")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(title or "predicted against actual", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_residuals(y: Any, yhat: Any, ax: Any = None, *, title: str | None = None) -> Any:
    """Residuals ``actual - predicted`` against the predictions, with the zero line.

    Parameters
    ----------
    y, yhat : array of shape (n,)
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    y, yhat = _pair(y, yhat)
    ax = _axes(ax, (6.5, 4.0))
    resid = y - yhat
    ax.scatter(yhat, resid, s=12, alpha=0.6, label=f"residuals (RMSE {_rmse(y, yhat):.4g})")
    ax.axhline(0.0, color="crimson", ls="--", lw=1.2)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual - predicted")
    ax.set_title(title or "residuals", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_method_scores(results: Any, metric: str = "ratio_to_ols", ax: Any = None, *,
                       title: str | None = None) -> Any:
    """Dot plot of one score per method: every seed a dot, the median a bar.

    Parameters
    ----------
    results : DataFrame
        Rows of ``results.csv`` for one data set (columns ``method``, ``status`` and
        ``metric``).
    metric : str, default "ratio_to_ols"
        The column drawn; ``ratio_to_ols`` (test RMSE over the least-squares fit's) gets a
        reference line at 1.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Figure
    """
    _nonempty("results", results)
    missing = [c for c in ("method", "status", metric) if c not in getattr(results, "columns", ())]
    if missing:
        raise ValueError(f"results has no column(s) {missing}; it needs 'method', 'status' and "
                         f"the metric {metric!r} (rows of results.csv).")
    ok = results[results["status"] == "ok"]
    order = list(ok.groupby("method", sort=False)[metric].median().sort_values().index)
    failed = [m for m in dict.fromkeys(results["method"]) if m not in order]
    order += failed
    ax = _axes(ax, (7.5, 0.32 * len(order) + 1.6))
    for i, method in enumerate(order):
        vals = ok.loc[ok["method"] == method, metric].to_numpy(dtype=float)
        if vals.size:
            ax.plot(vals, np.full(vals.size, i), "o", color="tab:blue", alpha=0.55, ms=5)
            ax.plot([np.median(vals)] * 2, [i - 0.32, i + 0.32], color="black", lw=2)
        else:
            ax.annotate("diverged", (0.02, i), xycoords=("axes fraction", "data"),
                        va="center", fontsize=8, color="crimson")
    labels = [f"{m} ({METHODS[m].r_name})" if m in METHODS and METHODS[m].r_name else m
              for m in order]
    ax.set_yticks(range(len(order)), labels)
    ax.invert_yaxis()
    if metric == "ratio_to_ols":
        ax.axvline(1.0, color="crimson", ls="--", lw=1.2, label="least squares (= 1)")
        ax.set_xlabel("test RMSE / test RMSE of the least-squares fit on the same split")
    else:
        ax.set_xlabel(metric)
    values = ok[metric].to_numpy(dtype=float)
    if values.size and values.min() > 0 and values.max() / values.min() > 10:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.plot([], [], "o", color="tab:blue", alpha=0.55, label="one seed (split)")
    ax.plot([], [], color="black", lw=2, label="median")
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(title or metric, fontsize=10)
    return ax.figure



def plot_suboptimality_bands(bands: Mapping[str, Any], ax: Any = None, *, xlabel: str = "epochs",
                             title: str | None = None, colors: Mapping[str, Any] | None = None,
                             ylabel: str = "relative suboptimality (f - f*) / f*") -> Any:
    """Median lines with interquartile bands, log y, linear x.

    Parameters
    ----------
    bands : mapping
        Label -> ``(x, median, q25, q75)`` arrays (NaN where undefined).
    ax : matplotlib Axes, optional
    xlabel, title, ylabel : str, optional
    colors : mapping, optional
        Label -> colour (default: the tab palette in order).

    Returns
    -------
    matplotlib Axes
    """
    _nonempty("bands", bands)
    for label, band in bands.items():
        sizes = {np.asarray(a, dtype=float).reshape(-1).size for a in band}
        if len(band) != 4 or len(sizes) != 1:
            raise ValueError(f"the band {label!r} must be (x, median, q25, q75), four arrays "
                             f"of one length.")
    ax = _axes(ax, (7.0, 4.5))
    palette = _colors(len(bands))
    for k, (label, (x, med, q25, q75)) in enumerate(bands.items()):
        color = (colors or {}).get(label, palette[k])
        x = np.asarray(x, dtype=float)
        if not np.any(np.isfinite(med)):
            ax.plot([], [], color=color, lw=1.6, label=f"{label} (diverged)")
            continue
        ax.fill_between(x, q25, q75, color=color, alpha=0.18, lw=0)
        ax.plot(x, med, color=color, lw=1.6, label=label)
    ax.set_xlim(left=0.0)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7.5, loc="lower left", ncol=1, framealpha=0.85)
    return ax

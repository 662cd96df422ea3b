"""What a comparison writes: ``results.csv``, the Markdown report and its figures.

:mod:`graddescent.compare` runs the fits and computes the tables; this module only presents
them: :func:`describe` says in one sentence how the comparison ran, :func:`table_rows` formats a
data set's summary (for the Markdown report and the command line's tables), :func:`to_markdown`
writes the report and :func:`write_outputs` writes every file (matplotlib is imported only when
it draws the figures).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._registry import METHODS, control_defaults
from .compare import CompareSettings, Comparison, summarize

__all__ = ["describe", "table_rows", "to_markdown", "write_outputs"]


def _fmt(value: float, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}g}"


def describe(settings: CompareSettings) -> str:
    """One sentence: which learners, iterations, scaling, split and seeds a comparison used."""
    if settings.style == "r":
        how = (f"R-style learners with R's defaults (alpha = "
               f"{settings.learning_rate or control_defaults()['alpha']}), max_iter = "
               f"{settings.resolved_max_iter} R iterations")
    else:
        how = ("GDRegressor with its defaults"
               + (f", max_iter = {settings.max_iter} epochs" if settings.max_iter else ""))
    seeds = ", ".join(str(s) for s in settings.seeds)
    k = len(settings.seeds)
    return (f"{how}; {settings.scaling} scaling; {int(settings.train_fraction * 100)} % of the "
            f"rows for training; seed{'s' * (k > 1)} {seeds} ({k} random split"
            f"{'s' * (k > 1)} and fit{'s' * (k > 1)} per method).")


def table_rows(summary: pd.DataFrame, dataset: str) -> tuple[list[str], list[list[str]]]:
    """Header and formatted cells of one data set's table (for the terminal and Markdown).

    ``summary`` is :func:`graddescent.compare.summarize` of the results.
    """
    header = ["method", "test RMSE", "IQR", "train RMSE", "/ OLS", "updates", "seconds"]
    rows = []
    for _, r in summary[summary["dataset"] == dataset].iterrows():
        name = r["method"]
        r_name = METHODS[name].r_name
        label = f"{name} ({r_name})" if r_name else name
        if r["failed"]:
            label += f" [{r['failed']}/{r['runs']} failed]"
        updates = "-" if math.isnan(r["updates_median"]) else f"{int(r['updates_median']):d}"
        ratio = "-" if math.isnan(r["ratio_to_ols_median"]) else f"{r['ratio_to_ols_median']:.3f}"
        seconds = _fmt(r["seconds_median"], 2)
        rows.append([label, _fmt(r["test_rmse_median"]), _fmt(r["test_rmse_iqr"], 2),
                     _fmt(r["train_rmse_median"]), ratio, updates, seconds])
    return header, rows


def to_markdown(comparison: Comparison, figures: dict[str, list[str]] | None = None) -> str:
    """The Markdown report: settings, one table per data set, the figures, the definitions.

    Parameters
    ----------
    comparison : Comparison
        What :func:`graddescent.compare.run_comparison` returned.
    figures : dict, optional
        Data set -> file names of its figures, linked below its table.

    Returns
    -------
    str
    """
    summary = summarize(comparison.results)
    lines = ["# graddescent compare", "", describe(comparison.settings), ""]
    for dataset in dict.fromkeys(comparison.results["dataset"]):
        sub = comparison.results[comparison.results["dataset"] == dataset].iloc[0]
        lines += [f"## {dataset} ({sub['n_train']} training rows, {sub['n_test']} test rows)", ""]
        header, rows = table_rows(summary, dataset)
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
        for fig in (figures or {}).get(dataset, []):
            what = "loss curves" if fig.endswith("_loss_curves.png") else "test RMSE per method"
            lines += [f"![{dataset}: {what}]({fig})", ""]
    lines += [
        "Columns: medians over the seeds. *test RMSE* and *train RMSE* are in the output's "
        "original units; *IQR* is the interquartile range of the test RMSE over the seeds; "
        "*/ OLS* is the test RMSE divided by the exact least-squares fit's on the same split "
        "(1 = the least-squares optimum); *updates* counts coefficient updates (steps, and inner "
        "steps of SSGD, SVRG, SARAH and SARAHPlus); *seconds* is the fit's wall time. Every run "
        "is a row of `results.csv`.", ""]
    return "\n".join(lines)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _loss_curve_figure(comparison: Comparison, dataset: str,
                       curves: dict[str, tuple[np.ndarray, np.ndarray, float]], n_train: int):
    """Loss curves in two panels: full-gradient iterations, and sampled (stochastic) ones."""
    import matplotlib.pyplot as plt

    from . import plotting

    estimator = comparison.settings.style == "estimator"
    groups: dict[bool, dict[str, Any]] = {False: {}, True: {}}
    for method, curve in curves.items():
        sampled = METHODS[method].make_driver().units_per_epoch(n_train) > 1
        label = f"{method} ({METHODS[method].r_name})" if METHODS[method].r_name else method
        groups[sampled][label] = curve[:2]
    optimum = next(iter(curves.values()))[2]
    panels = [(k, v) for k, v in groups.items() if v]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9.0, 3.6 * len(panels) + 0.6),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    subtitles = {False: "full-gradient methods (full batch, or variance-reduced outer loops "
                        "that start with a full gradient)",
                 True: "sampled-gradient methods (one row or one mini-batch per step)"}
    for ax, (sampled, group) in zip(axes[:, 0], panels, strict=True):
        plotting.plot_loss_curves(group, optimum=optimum, ax=ax, xlabel="",
                                  title=subtitles[sampled])
    axes[-1, 0].set_xlabel("epochs" if estimator else
                           "R iterations (max_iter units: steps; outer loops for SSGD, SVRG, "
                           "SARAH, SARAHPlus)")
    fig.suptitle(f"{dataset}: training objective minus its least-squares minimum "
                 f"(seed {comparison.settings.seeds[0]}, scaled data)", fontsize=11)
    return fig


def write_outputs(comparison: Comparison, out: str | Path, plots: bool = True
                  ) -> dict[str, Path]:
    """Write ``results.csv``, ``report.md`` and (``plots=True``) PNG figures into ``out``.

    Returns
    -------
    dict
        ``"results"``, ``"report"`` and one ``"<dataset>_<figure>"`` entry per PNG -> path.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["results"] = out / "results.csv"
    comparison.results.to_csv(paths["results"], index=False)
    figures: dict[str, list[str]] = {}
    if plots:
        from . import plotting

        for dataset in dict.fromkeys(comparison.results["dataset"]):
            sub = comparison.results[comparison.results["dataset"] == dataset]
            fig = plotting.plot_method_scores(
                sub, title=f"{dataset}: test RMSE relative to least squares, "
                           f"{sub['seed'].nunique()} random split"
                           f"{'s' * (sub['seed'].nunique() > 1)}")
            key = f"{_slug(dataset)}_test_rmse"
            paths[key] = out / f"{key}.png"
            plotting.save(fig, paths[key])
            curves = {m: c for (d, m), c in comparison.curves.items() if d == dataset}
            if curves:
                fig = _loss_curve_figure(comparison, dataset, curves,
                                         int(sub["n_train"].iloc[0]))
                key = f"{_slug(dataset)}_loss_curves"
                paths[key] = out / f"{key}.png"
                plotting.save(fig, paths[key])
            figures[dataset] = [p.name for k, p in paths.items()
                                if k.startswith(_slug(dataset) + "_")]
    paths["report"] = out / "report.md"
    paths["report"].write_text(to_markdown(comparison, figures), encoding="utf-8")
    return paths

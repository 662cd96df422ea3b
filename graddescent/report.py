"""What a comparison writes: ``results.csv``, the Markdown report and its figures.

:mod:`graddescent.compare` runs the fits and computes the tables; this module only presents
them: :func:`describe` says in one sentence how the comparison ran, :func:`table_rows` formats a
data set's summary (for the Markdown report and the command line's tables), :func:`to_markdown`
writes the report and :func:`write_outputs` writes every file (matplotlib is imported only when
it draws the figures).
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._outputs import ReportFolder, report_names
from ._registry import METHODS, control_defaults
from ._validation import csv_safe
from .compare import CompareSettings, Comparison, summarize
from .curves import TARGETS, band, reach_summary
from .references import REFERENCES

__all__ = ["REPORT_FILES", "ReportFolder", "results_for_csv",
           "describe", "budget_table_rows", "family", "FAMILIES", "table_rows", "to_html",
           "to_markdown", "write_outputs"]

#: Panels of the suboptimality figure: family -> its title.
FAMILIES = {
    "full": "full gradient per step",
    "row": "one row per step (SGD, adaptive rules)",
    "vr": "mini-batch, SAG, variance-reduced",
    "sklearn": "scikit-learn references",
}

#: What an epoch costs, said once for the report and the docs.
EPOCH_NOTE = ("An epoch is n row-gradient evaluations on the n training rows: a full gradient "
              "costs 1, an SGD or SAG step 1/n, a mini-batch step b/n, an SVRG, SSGD or SARAH "
              "inner step 2/n (plus the full gradient of each outer loop), an Rprop or GD "
              "step 1.")


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
    budget = settings.budget
    if budget is not None:
        lr = ("each method's learning rate tuned on a log grid within the same budget"
              if settings.tune else
              f"alpha = {settings.learning_rate}" if settings.learning_rate else
              f"R's alpha = {control_defaults()['alpha']}")
        how = (f"R-style methods (R's defaults and starting point), {lr}, each run for "
               f"{budget.describe()}")
    seeds = ", ".join(str(s) for s in settings.seeds)
    k = len(settings.seeds)
    return (f"{how}; {settings.scaling} scaling; {int(settings.train_fraction * 100)} % of the "
            f"rows for training; seed{'s' * (k > 1)} {seeds} ({k} random split"
            f"{'s' * (k > 1)} and fit{'s' * (k > 1)} per method).")


def family(method: str) -> str:
    """The :data:`FAMILIES` key of a method or reference."""
    if method in REFERENCES:
        return "sklearn"
    m = METHODS[method]
    if m.driver == "full_batch":
        return "full"
    if m.driver == "mini_batch" and m.driver_kwargs.get("batch_size") == 1:
        return "row"
    return "vr"


def _label(method: str) -> str:
    r_name = METHODS[method].r_name if method in METHODS else None
    return f"{method} ({r_name})" if r_name else method


def _power(t: float) -> str:
    """``1e-2`` for 0.01."""
    return f"1e{round(math.log10(t))}"


def _reach(value: float, digits: int) -> str:
    return "not reached" if math.isnan(value) else f"{value:.{digits}g}"


def budget_table_rows(comparison: Comparison, dataset: str
                      ) -> tuple[list[str], list[list[str]]]:
    """Header and cells of a budgeted comparison's table for one data set, best first.

    Medians over the seeds: the learning rate, the final relative suboptimality, the epochs
    and seconds to reach each of :data:`graddescent.curves.TARGETS` ("not reached" when fewer
    than half the seeds got there), the test RMSE over the least-squares fit's.
    """
    summary = summarize(comparison.results)
    summary = summary[summary["dataset"] == dataset].sort_values(
        "rel_subopt_median", na_position="last", kind="stable")
    reach = reach_summary({k: v for k, v in comparison.traces.items() if k[0] == dataset})
    reach = reach.set_index("method") if len(reach) else reach
    header = ["method", "learning rate" + (" (tuned)" if comparison.settings.tune else ""),
              "final rel. subopt."]
    for t in TARGETS:
        header += [f"epochs to {_power(t)}", f"s to {_power(t)}"]
    header += ["/ OLS", "seconds", "status"]
    rows = []
    for _, r in summary.iterrows():
        name = r["method"]
        lr = _fmt(r["learning_rate_median"], 3)
        cells = [_label(name), lr, _fmt(r["rel_subopt_median"], 2)]
        for t in TARGETS:
            if name in reach.index:
                epochs = reach.loc[name, f"epochs_{t:g}"]
                cells += ["-" if name == "sk_lstsq" else _reach(epochs, 3),
                          _reach(reach.loc[name, f"seconds_{t:g}"], 2)]
            else:
                cells += ["-", "-"]
        ratio = "-" if math.isnan(r["ratio_to_ols_median"]) else f"{r['ratio_to_ols_median']:.3f}"
        status = "ok" if not r["failed"] else f"{r['failed']}/{r['runs']} failed"
        sub = comparison.results
        sub = sub[(sub["dataset"] == dataset) & (sub["method"] == name) & (sub["kind"] != "grid")]
        counts = sub["status"].value_counts()
        status = ", ".join(f"{k} {counts[k]}/{len(sub)}" for k in counts.index)
        cells += [ratio, _fmt(r["seconds_median"], 2), status]
        rows.append(cells)
    return header, rows


def table_rows(summary: pd.DataFrame, dataset: str) -> tuple[list[str], list[list[str]]]:
    """Header and formatted cells of one data set's table (for the terminal and Markdown).

    ``summary`` is :func:`graddescent.compare.summarize` of the results.
    """
    header = ["method", "test RMSE", "IQR", "train RMSE", "/ OLS", "updates", "seconds"]
    rows = []
    for _, r in summary[summary["dataset"] == dataset].iterrows():
        name = r["method"]
        label = _label(name)
        if r["failed"]:
            label += f" [{r['failed']}/{r['runs']} failed]"
        updates = "-" if math.isnan(r["updates_median"]) else f"{int(r['updates_median']):d}"
        ratio = "-" if math.isnan(r["ratio_to_ols_median"]) else f"{r['ratio_to_ols_median']:.3f}"
        seconds = _fmt(r["seconds_median"], 2)
        rows.append([label, _fmt(r["test_rmse_median"]), _fmt(r["test_rmse_iqr"], 2),
                     _fmt(r["train_rmse_median"]), ratio, updates, seconds])
    return header, rows


def _blocks(comparison: Comparison, figures: dict[str, list[str]] | None) -> list[tuple]:
    """The report's content, for either writer: ``("h1" | "h2" | "p", text)``,
    ``("table", header, rows)`` and ``("img", file name, alt text)``."""
    summary = summarize(comparison.results)
    budgeted = comparison.settings.budget is not None
    blocks: list[tuple] = [("h1", "graddescent compare"), ("p", describe(comparison.settings))]
    if budgeted:
        blocks += [("p", EPOCH_NOTE), ("p", BUDGET_COLUMNS)]
    for dataset in dict.fromkeys(comparison.results["dataset"]):
        sub = comparison.results[comparison.results["dataset"] == dataset].iloc[0]
        blocks.append(("h2", f"{dataset} ({sub['n_train']} training rows, {sub['n_test']} test "
                             f"rows)"))
        blocks.append(("table", *(budget_table_rows(comparison, dataset) if budgeted
                                  else table_rows(summary, dataset))))
        for fig in (figures or {}).get(dataset, []):
            what = next((v for k, v in _FIGURE_TITLES.items() if fig.endswith("_" + k)),
                        "test RMSE per method")
            blocks.append(("img", fig, f"{dataset}: {what}"))
    if not budgeted:
        blocks.append(("p", R_COLUMNS))
    return blocks


#: Markdown's inline punctuation: code, emphasis, links, tables, strike-through; ``_`` only at
#: a word's edge (inside a word, as in ``mackey_glass``, it formats nothing).
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~])|(?<!\w)_|_(?!\w)")


def _md_escape(text: str) -> str:
    """User text (a data set's name) as literal Markdown: HTML characters as entities and
    Markdown's inline punctuation backslash-escaped, so it can neither inject HTML nor format."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), html.escape(text, quote=False))


def _md_cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|")


def to_markdown(comparison: Comparison, figures: dict[str, list[str]] | None = None) -> str:
    """The Markdown report: settings, one table per data set, the figures, the definitions.

    Data set names (user text: file names) are escaped, so that no name reaches the report as
    HTML or as Markdown formatting.

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
    lines: list[str] = []
    for kind, *rest in _blocks(comparison, figures):
        if kind == "table":
            header, rows = rest
            lines.append("| " + " | ".join(map(_md_cell, header)) + " |")
            lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
            lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in rows]
        elif kind == "img":
            lines.append(f"![{_md_escape(rest[1])}]({rest[0]})")
        elif kind == "h2":  # the data set's name: user text
            lines.append("## " + _md_escape(rest[0]))
        else:
            lines.append({"h1": "# ", "p": ""}[kind] + html.escape(rest[0], quote=False))
        lines.append("")
    return "\n".join(lines)


def to_html(comparison: Comparison, out: str | Path,
            figures: dict[str, list[str]] | None = None) -> str:
    """The same report as one self-contained HTML page: figures embedded (base64 PNG, read
    from the folder ``out``), tables sortable by a click on a column header."""
    from .html import page

    blocks = [(kind, *rest) if kind != "img" else ("img", Path(out) / rest[0], rest[1])
              for kind, *rest in _blocks(comparison, figures)]
    return page("graddescent compare", blocks)


#: The column notes of an R-style report.
R_COLUMNS = (
    "Columns: medians over the seeds. *test RMSE* and *train RMSE* are in the output's "
    "original units; *IQR* is the interquartile range of the test RMSE over the seeds; "
    "*/ OLS* is the test RMSE divided by the exact least-squares fit's on the same split "
    "(1 = the least-squares optimum); *updates* counts coefficient updates (steps, and inner "
    "steps of SSGD, SVRG, SARAH and SARAHPlus); *seconds* is the fit's wall time. Every run "
    "is a row of `results.csv`.")


_FIGURE_TITLES = {"loss_curves.png": "loss curves",
                  "suboptimality.png": "relative suboptimality against epochs and seconds"}

#: The column notes of a budgeted report.
BUDGET_COLUMNS = (
    "Columns: medians over the seeds, best final suboptimality first. *final rel. subopt.* is "
    "`(f - f*) / f*`, the relative suboptimality of the training objective f at the end of "
    "the budget (f\\* the exact least-squares objective on the training rows, scaled data; "
    "when f\\* is below 1e-12 of the problem's scale Var(y) / 2, the denominator is that "
    "floor: an exact fit does not divide rounding by rounding); *epochs to* and *s to* give "
    "the work and the fit's seconds "
    "(recording excluded) at which it first fell below 1e-2, 1e-4 and 1e-6 (*not reached*: "
    "fewer than half the seeds got there within the budget); */ OLS* is the test RMSE over the "
    "least-squares fit's on the same split; *status*: how many seeds ended *ok* (converged to "
    "f\\* before the budget ran out), *budget reached* or *diverged* (the iterates "
    "overflowed, or the objective ended a millionfold above its start). The rows named "
    "sk\\_... are scikit-learn's solvers on the same rows (sk\\_lstsq is f\\* itself: its "
    "seconds are its fit time). Timings of sub-millisecond fits vary with the machine's load. "
    "Every run, and with --tune every learning rate tried (kind = grid), is a row of "
    "`results.csv`.")


def _suboptimality_figure(comparison: Comparison, dataset: str):
    """Small multiples: one row of panels per family, epochs left, seconds right."""
    import matplotlib.pyplot as plt

    from . import plotting

    traces = {m: v for (d, m), v in comparison.traces.items() if d == dataset}
    groups: dict[str, list[str]] = {}
    for method in traces:
        groups.setdefault(family(method), []).append(method)
    keys = [k for k in FAMILIES if k in groups]
    fig, axes = plt.subplots(len(keys), 2, figsize=(12.0, 3.9 * len(keys) + 0.8),
                             squeeze=False, layout="constrained", sharey=True)
    lstsq = traces.get("sk_lstsq")
    for row, key in zip(axes, keys, strict=True):
        methods = [m for m in groups[key] if m != "sk_lstsq"]
        for ax, axis in zip(row, ("epochs", "seconds"), strict=True):
            bands = {_label(m): band(traces[m], axis) for m in methods}
            plotting.plot_suboptimality_bands(
                bands, ax=ax, xlabel="epochs (n row gradients each)" if axis == "epochs"
                else "seconds (fit only)", title=f"{FAMILIES[key]}: against {axis}")
            if axis == "seconds" and lstsq:
                took = float(np.median([t.seconds[-1] for _, t in lstsq]))
                inside = took <= ax.get_xlim()[1]
                if inside:
                    ax.axvline(took, color="black", ls=":", lw=1.2)
                ax.annotate(f"LinearRegression (exact f*): {took * 1e3:.2g} ms"
                            + ("" if inside else " (off this scale)"), (0.99, 0.98),
                            xycoords="axes fraction", va="top", ha="right", fontsize=7.5)
    for ax in axes[:, 1]:
        ax.set_ylabel("")
    k = len(comparison.settings.seeds)
    fig.suptitle(f"{dataset}: relative suboptimality of the training objective, median over "
                 f"{k} seed{'s' * (k > 1)} (band: interquartile range)", fontsize=11)
    return fig


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


#: The fixed file names of a report (its figures are named per data set).
REPORT_FILES = ("results.csv", "report.md", "report.html")
#: The names of a report's figures (an earlier report's, without a manifest, are found by them).
FIGURE_PATTERNS = ("*_test_rmse.png", "*_loss_curves.png", "*_suboptimality.png")


def results_for_csv(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` as ``results.csv`` holds it: every text cell and column name that a
    spreadsheet would run as a formula quoted (:func:`graddescent._validation.csv_safe`)."""
    out = results.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_safe)
    out.columns = [csv_safe(str(c)) for c in out.columns]
    return out


def write_outputs(comparison: Comparison, out: str | Path, plots: bool = True, *,
                  overwrite: bool = True, inputs=(), overwrite_option: str = "overwrite=True"
                  ) -> dict[str, Path]:
    """Write ``results.csv``, ``report.md``, ``report.html`` and (``plots=True``) PNG figures
    into ``out``.

    An earlier report in ``out`` is replaced whole (its files removed first, so the folder
    never mixes two runs' figures), or refused with ``overwrite=False``; ``inputs`` (the run's
    input files) are never written: a report file that would be one is refused (a ValueError).
    Figures are named by :func:`graddescent._outputs.report_names` (one stem per data set, no
    two alike). Text cells of ``results.csv`` that a spreadsheet would run as formulas are
    quoted; names in ``report.md`` are escaped.

    Returns
    -------
    dict
        ``"results"``, ``"report"``, ``"html"`` (``report.html``) and one
        ``"<stem>_<figure>"`` entry per PNG -> path.
    """
    folder = ReportFolder(out, REPORT_FILES, inputs, overwrite=overwrite,
                          overwrite_option=overwrite_option, patterns=FIGURE_PATTERNS)
    out = folder.folder
    paths: dict[str, Path] = {}
    table = results_for_csv(comparison.results)
    paths["results"] = folder.write("results.csv", lambda p: table.to_csv(p, index=False))
    figures: dict[str, list[str]] = {}
    stems = report_names(list(dict.fromkeys(comparison.results["dataset"])))
    if plots:
        from . import plotting

        def save(key: str, fig) -> None:
            paths[key] = folder.write(f"{key}.png", lambda p: plotting.save(fig, p))
            figures.setdefault(dataset, []).append(paths[key].name)

        for dataset, stem in stems.items():
            sub = comparison.results[comparison.results["dataset"] == dataset]
            if "kind" in sub:  # the reported fits only; a budget reached is a finished fit
                sub = sub[sub["kind"] != "grid"].replace({"status": {"budget reached": "ok"}})
            if comparison.traces:
                save(f"{stem}_suboptimality", _suboptimality_figure(comparison, dataset))
            save(f"{stem}_test_rmse", plotting.plot_method_scores(
                sub, title=f"{dataset}: test RMSE relative to least squares, "
                           f"{sub['seed'].nunique()} random split"
                           f"{'s' * (sub['seed'].nunique() > 1)}"))
            curves = {m: c for (d, m), c in comparison.curves.items() if d == dataset}
            if curves and not comparison.traces:
                save(f"{stem}_loss_curves", _loss_curve_figure(
                    comparison, dataset, curves, int(sub["n_train"].iloc[0])))
    paths["report"] = folder.write(
        "report.md", lambda p: p.write_text(to_markdown(comparison, figures), encoding="utf-8"))
    paths["html"] = folder.write(
        "report.html",
        lambda p: p.write_text(to_html(comparison, out, figures), encoding="utf-8"))
    folder.close()
    return paths

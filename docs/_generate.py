"""Pages of the site that the code or the benchmarks own, written at build time.

Sphinx's ``conf.py`` calls :func:`write_generated`; the pages include the files it writes, so a
table here is never written twice: R's differences and the learners' signatures come from the
method registry (``graddescent._registry``), the rules' hyperparameters from their specs, and the
benchmark pages from ``benchmarks/results``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(_cell(c) for c in line) + " |" for line in lines) + "\n"


def r_spelling(name: str) -> str:
    """snake_case -> R's camelCase (``max_iter`` -> ``maxIter``, ``gamma_s`` -> ``gammaS``)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _r_value(value: object) -> str:
    return "NULL" if value is None else repr(value)


def r_differences() -> str:
    """Every R learner, what R gradDescent 3.0 computes differently, from the registry."""
    from graddescent._registry import R_NAMES

    rows = [[f"`{m.r_name}`", f"`{m.name}`", m.summary, f"`{m.rule}` rule, `{m.driver}` driver",
             m.r_differences] for m in R_NAMES.values()]
    return table(["R learner", "method", "what it is", "made of", "where R 3.0 differs"], rows)


def r_learners() -> str:
    """Each R learner's call beside its Python twin, with R's defaults, from the registry."""
    from graddescent._registry import R_NAMES

    rows = []
    for r_name, m in R_NAMES.items():
        r_call = ", ".join(f"{r_spelling(k)} = {_r_value(v)}" for k, v in m.r_args.items())
        py_call = ", ".join(f"{k}={v!r}" for k, v in m.r_args.items())
        rows.append([f"`{r_name}(dataTrain, {r_call})`", f"`gd.{r_name}(data_train, {py_call})`",
                     m.summary])
    return table(["R gradDescent 3.0", "graddescent", "method"], rows)


def rule_hyperparameters() -> str:
    """Each update rule's hyperparameters and defaults, from the rules' specs."""
    import inspect

    from graddescent import rules

    rows = []
    for spec in rules.specs():
        params = inspect.signature(spec.factory).parameters
        shown = ", ".join(f"`{k}={p.default!r}`" for k, p in params.items()
                          if p.default is not inspect.Parameter.empty)
        rows.append([f"[`{spec.name}`](#graddescent.rules.{spec.name})",
                     ", ".join(spec.state) or "(none)", shown])
    return table(["rule", "state (per coefficient)", "hyperparameters (defaults)"], rows)


def write_generated(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    pages = {
        "r_differences.md": r_differences(),
        "r_learners.md": r_learners(),
        "rule_hyperparameters.md": rule_hyperparameters(),
    }
    for name, text in pages.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:  # unchanged: no rebuild
            path.write_text(text)

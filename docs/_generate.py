"""Pages of the site that the code or the benchmarks own, written at build time.

Sphinx's ``conf.py`` calls :func:`write_generated`; the pages include the files it writes, so a
table here is never written twice: R's differences and the learners' signatures come from the
method registry (``graddescent._registry``), the rules' hyperparameters from their specs, and the
benchmark pages from ``benchmarks/results``.
"""

from __future__ import annotations

import re
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


def _module_text(function) -> str:
    """The docstring of the module that defines ``function`` (a loss's or a penalty's module),
    for an ``eval-rst`` block: its numpydoc "References" heading becomes a rubric (a section
    heading cannot sit inside a block)."""
    import importlib
    import inspect

    doc = inspect.cleandoc(importlib.import_module(function.__module__).__doc__ or "")
    heading = re.search(r"^References\n-+\n", doc, flags=re.M)
    if heading is None:
        return doc
    head, references = doc[:heading.start()], doc[heading.end():]
    # One paragraph per reference (a new one starts with an initial, "R. Tibshirani, ..."),
    # its initial escaped: "A. E. Hoerl" would open an enumerated list.
    references = re.sub(r"\n(?=[A-Z]\. )", "\n\n", references.strip())
    references = re.sub(r"^([A-Z])\. ", r"\1\\. ", references, flags=re.M)
    return f"{head}.. rubric:: References\n\n{references}\n"


def _eval_rst(text: str) -> str:
    return "```{eval-rst}\n" + text.strip() + "\n```\n"


class _Symbol:
    """A name that records the arithmetic done on it, to print a penalty's strengths
    ``strengths(alpha, l1_ratio)`` as the formulas they are."""

    def __init__(self, text: str, atom: bool = True) -> None:
        self.text, self.atom = text, atom

    def _wrap(self) -> str:
        return self.text if self.atom else f"({self.text})"

    @staticmethod
    def _of(value: object) -> _Symbol:
        if isinstance(value, _Symbol):
            return value
        return _Symbol(f"{value:g}" if isinstance(value, float) else str(value))

    def __mul__(self, other: object) -> _Symbol:
        other = self._of(other)
        if other.text == "1":
            return self
        return _Symbol(f"{self._wrap()} {other._wrap()}")

    def __rmul__(self, other: object) -> _Symbol:
        return self._of(other) * self

    def __rsub__(self, other: object) -> _Symbol:
        return _Symbol(f"{self._of(other).text} - {self._wrap()}", atom=False)

    def __sub__(self, other: object) -> _Symbol:
        return _Symbol(f"{self.text} - {self._of(other)._wrap()}", atom=False)


def _strength(value: object) -> str:
    if isinstance(value, _Symbol):
        return f"`{value.text}`"
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def _method_problems():
    """The problems that some method cannot run, one per loss and per penalty (the others'
    defaults), with each method's reason (None: it can)."""
    from graddescent import METHODS
    from graddescent.problems import LOSSES, PENALTIES, Problem

    problems = {**{("loss", name): Problem(name) for name in LOSSES},
                **{("penalty", name): Problem(penalty=name, alpha=1.0)
                   for name in PENALTIES if name is not None}}
    reasons = {label: {name: problem.method_problem(m.make_rule(), m.make_driver())
                       for name, m in METHODS.items()}
               for label, problem in problems.items()}
    return reasons


def problem_losses() -> str:
    """The losses: a table of what the methods need to know (from the loss specs), then each
    loss's definition (its module's docstring)."""
    from graddescent.problems import LOSSES

    reasons = _method_problems()
    rows = []
    for name, spec in LOSSES.items():
        refused = [m for m, why in reasons["loss", name].items() if why]
        rows.append([f"`{name}`", "yes" if spec.uses_epsilon else "no",
                     f"yes, $\\sup l'' = {spec.curvature:g}$" if spec.is_smooth else "no",
                     ", ".join(f"`{m}`" for m in refused) or "(none)"])
    text = table(["loss", "uses `epsilon`", "smooth (Lipschitz $l'$)", "methods that refuse it"],
                 rows)
    for name, spec in LOSSES.items():
        text += f"\n# `{name}`\n\n" + _eval_rst(_module_text(spec.reference_value))
    return text


def problem_penalties() -> str:
    """The penalties: their two strengths as functions of ``alpha`` and ``l1_ratio`` (from the
    penalty specs), then each penalty's definition (its module's docstring)."""
    from graddescent.problems import PENALTIES

    alpha, l1_ratio = _Symbol("alpha"), _Symbol("l1_ratio")
    rows = []
    for name, spec in PENALTIES.items():
        l1, l2 = spec.strengths(alpha, l1_ratio)
        enters = [part for part, present in [("a gradient term `l2 w`", spec.smooth),
                                              ("a proximal step (soft thresholding)",
                                               spec.has_l1)] if present]
        rows.append([f"`{name}`", _strength(l1), _strength(l2),
                     " and ".join(enters) or "nothing"])
    text = table(["penalty", "`l1`", "`l2`", "enters the method as"], rows)
    for name, spec in PENALTIES.items():
        if name is not None:
            text += f"\n# `{name}`\n\n" + _eval_rst(_module_text(spec.strengths))
    return text


def _listed(labels: list[tuple[str, str]]) -> str:
    """``[("loss", "huber"), ("penalty", "l2")]`` -> "the loss `huber` and the penalty `l2`"."""
    parts = []
    for kind in dict.fromkeys(k for k, _ in labels):
        names = [f"`{name}`" for k, name in labels if k == kind]
        words = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        plural = {"loss": "losses", "penalty": "penalties"}[kind]
        parts.append(f"the {plural if len(names) > 1 else kind} {words}")
    return " and ".join(parts)


def problem_support() -> str:
    """Which method runs which loss and penalty, and averaging, from the methods' rules and
    drivers (:meth:`graddescent.problems.Problem.method_problem`): one column per group of
    problems that the same methods refuse."""
    from graddescent import METHODS

    reasons = _method_problems()
    groups: dict[tuple[bool, ...], list[tuple[str, str]]] = {}
    for label, by_method in reasons.items():
        refused = tuple(bool(by_method[name]) for name in METHODS)
        groups.setdefault(refused, []).append(label)
    everyone = groups.pop((False,) * len(METHODS), [])
    rows = []
    for name, m in METHODS.items():
        why = [reasons[labels[0]][name] for labels in groups.values()]
        averages = getattr(m.make_driver(), "averages", False)
        rows.append([f"`{name}`", f"`{m.rule}` + `{m.driver}`",
                     *("no" if w else "yes" for w in why), "yes" if averages else "no",
                     "; ".join(w for w in why if w)])
    heads = [_listed(labels).removeprefix("the ") for labels in groups.values()]
    text = table(["method", "rule + driver", *heads, "`average`", "why not"], rows)
    return text + (f"\nEvery method runs {_listed(everyone)}.\n" if everyone else "")


def write_generated(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    pages = {
        "r_differences.md": r_differences(),
        "r_learners.md": r_learners(),
        "rule_hyperparameters.md": rule_hyperparameters(),
        "problem_losses.md": problem_losses(),
        "problem_penalties.md": problem_penalties(),
        "problem_support.md": problem_support(),
    }
    for name, text in pages.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:  # unchanged: no rebuild
            path.write_text(text)

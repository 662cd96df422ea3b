"""The update rules' hyperparameters as GDRegressor's parameters, derived from the rule specs.

Each rule declares its hyperparameters once, in its :class:`~graddescent.rules.RuleSpec` (name,
default, valid range, one doc line, R name). GDRegressor takes one parameter per hyperparameter
name used by the rules of :data:`graddescent.METHODS` (a name shared by several rules, like
``eps``, is one parameter); its default None means "each rule's own default". This module turns
the specs into the estimator's parameter constraints and its docstring's Parameters entries, so
that neither restates a default or a range. Hyperparameters that the estimator sets from the
learning rate (:attr:`~graddescent.rules.RuleSpec.follow_rate`: Rprop's step bounds) are not
parameters.
"""

from __future__ import annotations

import numbers
import textwrap

from sklearn.utils._param_validation import Interval

from . import rules
from ._registry import METHODS
from .rules.base import Hyperparameter, RuleSpec

__all__ = ["rule_options", "parameters_of", "constraints", "docstring_entries"]

#: A hyperparameter's declared range (Hyperparameter.check) as a scikit-learn constraint.
_RANGES = {
    "positive": lambda: Interval(numbers.Real, 0, None, closed="neither"),
    "unit": lambda: Interval(numbers.Real, 0, 1, closed="left"),
    "nonnegative": lambda: Interval(numbers.Real, 0, None, closed="left"),
    "bool": lambda: "boolean",
}
_TYPES = {"positive": "float > 0", "unit": "float in [0, 1)", "nonnegative": "float >= 0",
          "bool": "bool"}


def rule_options() -> dict[str, list[tuple[RuleSpec, Hyperparameter]]]:
    """Parameter name -> the (rule spec, hyperparameter) pairs it sets, over the rules that a
    method of :data:`graddescent.METHODS` runs, in registry order."""
    used = {m.rule for m in METHODS.values()}
    options: dict[str, list[tuple[RuleSpec, Hyperparameter]]] = {}
    for spec in rules.specs():
        if spec.name not in used:
            continue
        for h in _settable(spec):
            options.setdefault(h.name, []).append((spec, h))
    for name, pairs in options.items():
        checks = {h.check for _, h in pairs}
        if len(checks) > 1:
            raise TypeError(f"hyperparameter {name!r} has different ranges in the rules "
                            f"{', '.join(s.name for s, _ in pairs)}: one estimator parameter "
                            f"cannot check them; rename one.")
    return options


def parameters_of(rule: str) -> tuple[str, ...]:
    """The estimator parameters that set the hyperparameters of the rule named ``rule``: the
    rule's part of :func:`rule_options` (what a fit reads, without walking every rule)."""
    return tuple(h.name for h in _settable(rules.get_spec(rule)))


def _settable(spec: RuleSpec) -> list[Hyperparameter]:
    """The hyperparameters of ``spec`` that are estimator parameters: all but those set from
    the learning rate."""
    return [h for h in spec.hyperparameters if h.name not in spec.follow_rate]


def constraints() -> dict[str, list]:
    """scikit-learn parameter constraints: the declared range, or None (the rule's default)."""
    return {name: [_RANGES[pairs[0][1].check](), None]
            for name, pairs in rule_options().items()}


def _methods_of(rule: str) -> str:
    return ", ".join(m.name for m in METHODS.values() if m.rule == rule)


def docstring_entries(indent: int = 4) -> str:
    """The numpydoc Parameters entries of the rule hyperparameters."""
    out = []
    for name, pairs in rule_options().items():
        out.append(f"{name} : {_TYPES[pairs[0][1].check]} or None, default=None")
        parts = []
        for spec, h in pairs:
            r = f"; R: ``{h.r_name}``" if h.r_name else ""
            parts.append(f"{_methods_of(spec.name)}: {h.doc} (default ``{h.default!r}``{r})")
        body = "; ".join(parts) + ". None: the rule's default; the other methods ignore it."
        out.append(textwrap.fill(body, width=96 - indent - 4, initial_indent="    ",
                                 subsequent_indent="    "))
    return textwrap.indent("\n".join(out), " " * indent)

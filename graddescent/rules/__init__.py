r"""Update rules: how a gradient :math:`g_t` becomes a step, per coordinate.

An update rule is a small immutable record (:class:`UpdateRule`) made by a factory function
(``plain``, ``momentum``, ``nesterov``, ``adagrad``, ``adadelta``, ``rmsprop``, ``adam``,
``amsgrad``, ``rprop``, and every rule module added since: :data:`RULES` lists them all). Its
state is a ``(k, p)`` array, one named row per state vector (:meth:`UpdateRule.state_dict`), so
every coefficient (the intercept included) has its own state: the result never depends on the
order of the columns. Each rule lives in one module of this package, with its compiled step
(see :mod:`graddescent.rules.base` for how every driver runs it); :meth:`UpdateRule.step`
exposes it for teaching and testing.

Conventions differ between libraries; ours follow ``torch.optim`` so that every rule can be
checked against it:

.. warning::
   *Where epsilon sits.* Adagrad, RMSprop, Adam and AMSGrad add ``eps`` **outside** the square
   root (as torch); Adadelta adds it **inside** (as Zeiler's paper and torch). optax and Keras put
   RMSprop's ``eps`` inside the root. optax's Adadelta without a learning rate ascends and optax's
   Rprop emits each update one step late: do not use optax as the reference for those two.

The R package gradDescent 3.0 implements only single-row Adagrad, Adadelta, RMSprop and Adam, and
each of them keeps *one scalar state shared by all coefficients* (see ``ALGORITHMS.md`` section 5):
we do not reproduce that (see :mod:`graddescent.r_replay` for a faithful replay of R's numbers).

Adding a rule: write one module here (its :class:`~graddescent.rules.base.RuleSpec`, compiled
record, kernels, factory and references, as the existing ones do); it is found and registered on
import, and its factory appears in this namespace and in :data:`RULES`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from .base import RuleSpec, UpdateRule, get_spec, specs

__all__ = ["UpdateRule", "RuleSpec", "RULES", "get_spec", "specs"]

# Every module of this package but the base is a rule module: import each, by name (each
# registers its specs).
for _name in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base"):
    importlib.import_module(f"{__name__}.{_name}")

#: Rule name -> factory. Each factory's keyword arguments are glossary names.
RULES: dict[str, Callable[..., UpdateRule]] = {s.name: s.factory for s in specs()}

globals().update(RULES)
__all__ += list(RULES)

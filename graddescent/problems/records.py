"""The problem's compiled records: one NamedTuple class per (loss, penalty, weights, intercept).

A driver kernel never names a loss or a penalty: it takes the problem's record ``pb`` (fields
``eps`` (the loss's epsilon), ``l1`` and ``l2`` (the penalty's strengths) and ``w`` (the sample
weights scaled to mean 1, empty when unweighted)) and calls the entry points of
``graddescent.problems.engine``, which numba resolves at compile time from the record's class,
as it resolves a rule's step from the rule's record (:mod:`graddescent.rules.base`). The class
carries the loss and penalty specs and two flags, so each combination compiles only what it
runs: the unweighted least-squares record without a penalty compiles to exactly the code of the
drivers before problems existed.

Each combination has a second class for large data (``BLOCKED``; its name ends in ``Blocked``):
the same fields and entry points, but its full passes (gradients, objectives) run in fixed row
blocks on numba's threads (:mod:`graddescent._jit.blocks`). :func:`for_data` picks it in Python
from the size of ``X``, so a fit on small data never compiles a parallel kernel.

The classes are made here at import from the registry rows, each bound to a module-level name
(numba's on-disk cache finds a record type by its module and name).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from .._jit import is_large
from .registry import LOSSES, PENALTIES

__all__ = ["record_class", "for_data", "with_weights", "FIELDS"]

FIELDS = (("eps", float), ("l1", float), ("l2", float), ("w", np.ndarray))

_CLASSES: dict[tuple, type] = {}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _make(loss, penalty, weighted: bool, intercept: bool, blocked: bool = False) -> type:
    name = (f"{_camel(loss.name)}{_camel(penalty.label)}{'Weighted' if weighted else ''}"
            f"{'' if intercept else 'NoIntercept'}Record{'Blocked' if blocked else ''}")
    cls = NamedTuple(name, list(FIELDS))
    cls.__module__ = __name__
    cls.__doc__ = (f"The compiled record of the {loss.name} loss with penalty {penalty.name!r}"
                   f"{', weighted' if weighted else ''}"
                   f"{', no intercept' if not intercept else ''}"
                   f"{', full passes in row blocks on numba threads' if blocked else ''}: "
                   f"eps, l1, l2, w.")
    cls.LOSS = loss
    cls.PENALTY = penalty
    cls.WEIGHTED = weighted
    cls.INTERCEPT = intercept
    # the hand-tuned kernels of the loss, where they apply (unweighted, intercept fitted)
    tuned = not weighted and intercept
    cls.FAST = loss.fast if tuned else None
    cls.FAST_BLOCKED = loss.fast_blocked if tuned else None
    cls.BLOCKED = blocked
    cls.L2 = penalty.smooth
    cls.PROX = penalty.prox
    cls.PROX_STEPS = penalty.prox_steps
    cls.PENALISED = penalty.smooth or penalty.prox is not None
    globals()[name] = cls
    return cls


for _loss, _penalty, _weighted, _intercept in itertools.product(
        LOSSES.values(), PENALTIES.values(), (False, True), (True, False)):
    _small = _make(_loss, _penalty, _weighted, _intercept)
    _small.BLOCKED_CLASS = _make(_loss, _penalty, _weighted, _intercept, blocked=True)
    _small.BLOCKED_CLASS.BLOCKED_CLASS = _small.BLOCKED_CLASS
    _CLASSES[(_loss.name, _penalty.name, _weighted, _intercept)] = _small


def record_class(loss: str, penalty: str | None, weighted: bool, intercept: bool) -> type:
    """The record class of a problem (see above)."""
    return _CLASSES[(loss, penalty, bool(weighted), bool(intercept))]


def for_data(pb, X):
    """The record ``pb`` for a pass over ``X``: as it is, or with the same fields in its
    ``BLOCKED`` class when ``X`` is a large dense array (:func:`graddescent._jit.is_large`)."""
    if isinstance(X, np.ndarray) and is_large(X) and not pb.BLOCKED:
        return pb.BLOCKED_CLASS(*pb)
    return pb


def with_weights(pb, w: np.ndarray):
    """The record of ``pb``'s problem with the row weights ``w`` (scaled to mean 1 over the
    whole data, as :meth:`graddescent.problems.Problem.weights` scales them): a record of its
    weighted class. Data held in chunks (Dask) keep each chunk's weights with its rows, so a
    pass over one chunk reads the record made here from the chunk's weights."""
    cls = record_class(pb.LOSS.name, pb.PENALTY.name, True, pb.INTERCEPT)
    cls = cls.BLOCKED_CLASS if pb.BLOCKED else cls
    return cls(pb.eps, pb.l1, pb.l2, w)

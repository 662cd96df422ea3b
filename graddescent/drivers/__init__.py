r"""Drivers: which gradient estimate is formed, and when.

A driver (full batch, mini-batch, single sample, SAG, SVRG, S2GD, SARAH, SARAH+) takes any
:class:`~graddescent.rules.UpdateRule` and runs it on the least-squares objective

.. math:: f(\theta) = \frac{1}{2n} \sum_i (b + x_i \cdot w - y_i)^2,
          \qquad \theta = (b, w).

Each driver family is one module of this package (its Python side and its compiled kernel side
by side); :mod:`graddescent.drivers.base` says what a driver is. Each driver draws its sample
indices in Python from the caller's ``numpy.random.Generator`` and hands them to its compiled
kernel; the global NumPy random state is never touched, and a reference implementation can
replay the exact same indices.

Work is counted in **units**, the driver's natural iteration (R gradDescent's ``maxIter``):
one step for the full-batch, mini-batch, single-sample and SAG drivers, one outer loop for the
variance-reduced ones. :meth:`Driver.units_per_epoch` converts epochs (passes over the data, the
scikit-learn meaning of ``max_iter``) into units.

Use :func:`optimize` (or :class:`Optimizer` to keep the state between calls).

Adding a driver: write one module here with a :class:`Driver` subclass (with a ``name``) and its
kernel; it is found on import and appears in this namespace and in :data:`DRIVERS`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from typing import Any

from .base import (
    DIVERGENCE_FACTOR,
    DIVERGENCE_MESSAGE,
    DIVERGENCE_STREAK,
    DivergenceError,
    DivergenceMonitor,
    Driver,
    DriverState,
    IndexStream,
)
from .optimizer import Optimizer, optimize

__all__ = ["Driver", "DriverState", "IndexStream", "DRIVERS", "Optimizer", "optimize",
           "DivergenceError", "DIVERGENCE_MESSAGE", "DivergenceMonitor", "DIVERGENCE_FACTOR",
           "DIVERGENCE_STREAK"]

_NOT_DRIVERS = ("base", "optimizer", "averaging")

#: Driver name -> class: the Driver subclasses that the driver modules export (their
#: ``__all__``), by module name and then in each module's order.
DRIVERS: dict[str, type[Driver]] = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name in _NOT_DRIVERS:
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _attr in _module.__all__:
        _obj = getattr(_module, _attr)
        globals()[_attr] = _obj
        __all__.append(_attr)
        if inspect.isclass(_obj) and issubclass(_obj, Driver):
            DRIVERS[_obj.name] = _obj


def on_dask(driver: Driver, n: int) -> Driver | None:
    """The driver that runs ``driver``'s method where the chunks of ``n`` rows held by Dask
    are (the first driver class whose ``from_local`` accepts it), or None when none does."""
    for cls in DRIVERS.values():
        make = getattr(cls, "from_local", None)
        found = make(driver, n) if make is not None else None
        if found is not None:
            return found
    return None


#: Kernel-side helpers that this namespace used to re-export: still served, with a
#: DeprecationWarning naming their module (they are not part of the public API).
_DEPRECATED = {"OneRow": "mini_batch", "Batches": "mini_batch", "plan_of": "mini_batch",
               "DaskData": "distributed", "is_dask": "distributed",
               "dask_predict": "distributed", "inner_length": "snapshot"}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        home = f"{__name__}.{_DEPRECATED[name]}"
        warnings.warn(f"graddescent.drivers.{name} is not public and will be removed from "
                      f"graddescent.drivers; import it from {home} (an internal module).",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(home), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

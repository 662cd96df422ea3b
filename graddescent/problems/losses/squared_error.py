r"""Squared error: :math:`l(r) = r^2 / 2`, :math:`l'(r) = r`, :math:`l'' = 1`.

scikit-learn's ``"squared_error"`` (``SGDRegressor``'s ``0.5 (p - y)^2``): the objective is least
squares, whose hand-tuned kernels (:mod:`graddescent.objective`) the unweighted problem uses.

References
----------
Legendre, *Nouvelles methodes pour la determination des orbites des cometes*, 1805.
"""

from __future__ import annotations

import numpy as np

from ... import objective as O
from ..._jit import kernel
from ..base import LossSpec

__all__ = ["SPEC"]


@kernel(inline=True)
def value(pb, r):
    """``r^2 / 2``."""
    return 0.5 * (r * r)


@kernel(inline=True)
def derivative(pb, r):
    """``r``."""
    return r


@kernel(inline=True)
def fast_gradient(pb, X, y, z, g):
    """:func:`graddescent.objective.full_gradient` (rows four at a time)."""
    return O.full_gradient(X, y, z, g)


@kernel(inline=True)
def fast_objective(pb, X, y, z):
    """:func:`graddescent.objective.objective`."""
    return O.objective(X, y, z)


@kernel(inline=True)
def fast_objective_strided(pb, X, y, z, stride):
    """:func:`graddescent.objective.objective_strided`."""
    return O.objective_strided(X, y, z, stride)


@kernel(inline=True)
def fast_gradient_blocked(pb, X, y, z, g):
    """:func:`graddescent.objective.full_gradient_blocked` (row blocks on numba's threads)."""
    return O.full_gradient_blocked(X, y, z, g)


@kernel(inline=True)
def fast_objective_blocked(pb, X, y, z):
    """:func:`graddescent.objective.objective_blocked`."""
    return O.objective_blocked(X, y, z)


SPEC = LossSpec(
    name="squared_error", value=value, derivative=derivative, curvature=1.0,
    reference_value=lambda r, epsilon: 0.5 * r ** 2,
    reference_derivative=lambda r, epsilon: r,
    reference_curvature=lambda r, epsilon: np.ones_like(r),
    fast=(fast_gradient, fast_objective, fast_objective_strided),
    fast_blocked=(fast_gradient_blocked, fast_objective_blocked),
)

r"""Squared epsilon-insensitive loss, scikit-learn's ``"squared_epsilon_insensitive"``:

.. math:: l(r) = \max(0, |r| - \epsilon)^2, \qquad
          l'(r) = 2\,\mathrm{sign}(r) \max(0, |r| - \epsilon), \qquad 0 \le l'' \le 2.

(No factor 1/2, as in ``SGDRegressor``.) Smooth: its derivative is 2-Lipschitz.

References
----------
scikit-learn, ``sklearn.linear_model.SGDRegressor`` (``SquaredEpsilonInsensitive``).
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from ..base import LossSpec

__all__ = ["SPEC"]


@kernel(inline=True)
def value(pb, r):
    e = max(abs(r) - pb.eps, 0.0)
    return e * e


@kernel(inline=True)
def derivative(pb, r):
    """``2 (r - eps)`` above ``eps``, ``2 (r + eps)`` below ``-eps``, else 0 (NaN stays NaN)."""
    if r > pb.eps:
        return 2.0 * (r - pb.eps)
    if r < -pb.eps:
        return 2.0 * (r + pb.eps)
    return 0.0 * r


SPEC = LossSpec(
    name="squared_epsilon_insensitive", value=value, derivative=derivative, curvature=2.0,
    reference_value=lambda r, epsilon: np.maximum(np.abs(r) - epsilon, 0.0) ** 2,
    reference_derivative=lambda r, epsilon: 2 * np.sign(r) * np.maximum(np.abs(r) - epsilon,
                                                                         0.0),
    reference_curvature=lambda r, epsilon: 2.0 * (np.abs(r) > epsilon),
    uses_epsilon=True,
)

r"""Huber loss (Huber 1964), scikit-learn's ``"huber"`` with threshold :math:`\epsilon`:

.. math:: l(r) = \begin{cases} r^2 / 2 & |r| \le \epsilon \\
                 \epsilon |r| - \epsilon^2 / 2 & |r| > \epsilon \end{cases}, \qquad
          l'(r) = \mathrm{clip}(r, -\epsilon, \epsilon), \qquad 0 \le l'' \le 1.

Squared error near the fit, absolute error (scaled by :math:`\epsilon`) beyond: large residuals
pull with a bounded force. Smooth (its derivative is 1-Lipschitz). This is ``SGDRegressor``'s
Huber loss, not ``HuberRegressor``'s (which also fits a scale :math:`\sigma`).

References
----------
P. J. Huber, Robust estimation of a location parameter, *Ann. Math. Statist.* 35 (1964).
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from ..base import LossSpec

__all__ = ["SPEC"]


@kernel(inline=True)
def value(pb, r):
    a = abs(r)
    if a <= pb.eps:
        return 0.5 * (r * r)
    return pb.eps * a - 0.5 * (pb.eps * pb.eps)


@kernel(inline=True)
def derivative(pb, r):
    """``clip(r, -eps, eps)`` (a NaN stays NaN)."""
    if r > pb.eps:
        return pb.eps
    if r < -pb.eps:
        return -pb.eps
    return r


def _value(r, epsilon):
    a = np.abs(r)
    return np.where(a <= epsilon, 0.5 * r ** 2, epsilon * a - 0.5 * epsilon ** 2)


SPEC = LossSpec(
    name="huber", value=value, derivative=derivative, curvature=1.0,
    reference_value=_value,
    reference_derivative=lambda r, epsilon: np.clip(r, -epsilon, epsilon),
    reference_curvature=lambda r, epsilon: (np.abs(r) <= epsilon).astype(float),
    uses_epsilon=True,
)

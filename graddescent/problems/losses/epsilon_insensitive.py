r"""Epsilon-insensitive loss (Vapnik 1995; linear support vector regression), scikit-learn's
``"epsilon_insensitive"``:

.. math:: l(r) = \max(0, |r| - \epsilon), \qquad
          l'(r) = \mathrm{sign}(r)\,[|r| > \epsilon].

Not smooth (its derivative jumps at :math:`\pm\epsilon`): the methods whose theory needs a
Lipschitz gradient (SAG, SAGA, SVRG, S2GD, SARAH, SARAH+) refuse it; (sub)gradient methods run
it with a decreasing rate.

References
----------
V. Vapnik, *The Nature of Statistical Learning Theory*, Springer 1995.
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from ..base import LossSpec

__all__ = ["SPEC"]


@kernel(inline=True)
def value(pb, r):
    return max(abs(r) - pb.eps, 0.0)


@kernel(inline=True)
def derivative(pb, r):
    """``sign(r)`` beyond ``eps``, else 0 (``0 * r``: a NaN stays NaN)."""
    if r > pb.eps:
        return 1.0
    if r < -pb.eps:
        return -1.0
    return 0.0 * r


SPEC = LossSpec(
    name="epsilon_insensitive", value=value, derivative=derivative, curvature=None,
    reference_value=lambda r, epsilon: np.maximum(np.abs(r) - epsilon, 0.0),
    reference_derivative=lambda r, epsilon: np.sign(r) * (np.abs(r) > epsilon),
    reference_curvature=lambda r, epsilon: np.zeros_like(r),
    uses_epsilon=True,
)

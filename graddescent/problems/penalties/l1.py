r"""The L1 (lasso) penalty, scikit-learn's ``"l1"``: :math:`\alpha \|w\|_1`.

Not differentiable: it enters as a proximal step after each update,
:math:`w_j \leftarrow \mathrm{prox}_{\tau_j |\cdot|}(w_j) = \mathrm{sign}(w_j)
\max(|w_j| - \tau_j, 0)` (soft thresholding) with :math:`\tau_j = D_j \alpha`, :math:`D_j` the
rule's effective step of coordinate ``j`` (the prox in the rule's diagonal metric: Duchi, Hazan
and Singer 2011). With the squared error this is exactly ``Lasso``'s objective
(:math:`\frac{1}{2n}\|y - Xw - b\|^2 + \alpha \|w\|_1`).

References
----------
R. Tibshirani, Regression shrinkage and selection via the lasso, *JRSS B* 58 (1996).
J. Duchi, E. Hazan and Y. Singer, Adaptive subgradient methods for online learning and
stochastic optimization, *JMLR* 12 (2011), section 3 (composite mirror descent).
"""

from __future__ import annotations

import numpy as np

from ..._jit import kernel
from ..base import PenaltySpec

__all__ = ["SPEC", "soft_threshold", "reference_soft_threshold"]


@kernel(inline=True)
def soft_threshold(pb, v, tau):
    """``sign(v) max(|v| - tau, 0)``: the proximal operator of ``tau |.|`` at ``v``."""
    if v > tau:
        return v - tau
    if v < -tau:
        return v + tau
    return 0.0 * v


def reference_soft_threshold(v, tau):
    return np.sign(v) * np.maximum(np.abs(v) - tau, 0.0)


SPEC = PenaltySpec(name="l1", label="l1", strengths=lambda alpha, l1_ratio: (alpha, 0.0),
                   smooth=False, prox=soft_threshold, reference_prox=reference_soft_threshold)

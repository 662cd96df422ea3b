r"""The elastic-net penalty (Zou and Hastie 2005), scikit-learn's ``"elasticnet"``:

.. math:: \alpha \left(\rho \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2\right)

with :math:`\rho` = ``l1_ratio``.

Its L2 part enters every gradient; its L1 part is the soft-thresholding step of
:mod:`graddescent.problems.penalties.l1`, whose closed form of many missed steps also holds
with the L2 part's decay. With the squared error this is ``ElasticNet``'s objective with the
same ``alpha`` and ``l1_ratio``.

References
----------
H. Zou and T. Hastie, Regularization and variable selection via the elastic net, *JRSS B* 67
(2005).
"""

from __future__ import annotations

from ..base import PenaltySpec
from .l1 import prox_steps, reference_soft_threshold, soft_threshold

__all__ = ["SPEC"]

SPEC = PenaltySpec(name="elasticnet", label="elasticnet",
                   strengths=lambda alpha, l1_ratio: (alpha * l1_ratio,
                                                      alpha * (1.0 - l1_ratio)),
                   smooth=True, prox=soft_threshold, reference_prox=reference_soft_threshold,
                   prox_steps=prox_steps)

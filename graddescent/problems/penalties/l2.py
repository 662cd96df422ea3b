r"""The L2 (ridge) penalty, scikit-learn's ``"l2"``: :math:`\frac{\alpha}{2} \|w\|_2^2`.

Smooth: :math:`\alpha w` enters every gradient (the intercept is never penalised). With the
squared error this is ``Ridge`` up to its scaling: ``Ridge`` minimises
:math:`\|y - Xw - b\|^2 + \alpha_R \|w\|^2`, i.e. ``alpha_R = n * alpha`` (unweighted rows).

References
----------
A. E. Hoerl and R. W. Kennard, Ridge regression, *Technometrics* 12 (1970).
"""

from __future__ import annotations

from ..base import PenaltySpec

__all__ = ["SPEC"]

SPEC = PenaltySpec(name="l2", label="l2", strengths=lambda alpha, l1_ratio: (0.0, alpha),
                   smooth=True)

r"""No penalty (``penalty=None``): the objective is the mean loss alone."""

from __future__ import annotations

from ..base import PenaltySpec

__all__ = ["SPEC"]

SPEC = PenaltySpec(name=None, label="none", strengths=lambda alpha, l1_ratio: (0.0, 0.0),
                   smooth=False)

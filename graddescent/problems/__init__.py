r"""The problem axis: what is minimised, beside the update rules and the drivers.

A :class:`Problem` is a loss of the residuals (:data:`LOSSES`: ``"squared_error"``, ``"huber"``,
``"epsilon_insensitive"``, ``"squared_epsilon_insensitive"``, SGDRegressor's definitions), a
penalty of the coefficients (:data:`PENALTIES`: None, ``"l2"``, ``"l1"``, ``"elasticnet"``; the
intercept never penalised), sample weights and whether the intercept is fitted:

.. math:: F(b, w) = \frac{1}{\sum_i s_i} \sum_i s_i\, l(b + x_i \cdot w - y_i)
          + \alpha \left(\rho \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2\right).

The drivers find everything about it (the loss derivative at a row, the full gradient, the
objective, the proximal step of the L1 part) through its compiled record
(:meth:`Problem.record`, ``graddescent.problems.engine``), as they find a rule's step.

Adding a loss or a penalty: one module in ``graddescent.problems.losses`` or
``graddescent.problems.penalties`` and one row in ``graddescent.problems.registry``.
"""

from __future__ import annotations

from .base import LossSpec, PenaltySpec
from .problem import Problem
from .registry import LOSSES, PENALTIES

__all__ = ["Problem", "LOSSES", "PENALTIES", "LossSpec", "PenaltySpec"]

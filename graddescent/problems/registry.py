"""The one table of losses and of penalties: each is one module and one row here.

Adding a loss: write its module in ``graddescent.problems.losses`` (a
:class:`~graddescent.problems.base.LossSpec` named ``SPEC``) and add its row to :data:`LOSSES`;
a penalty likewise in ``graddescent.problems.penalties`` and :data:`PENALTIES`. The compiled
records (``graddescent.problems.records``) and everything else follow from these rows.
"""

from __future__ import annotations

from types import MappingProxyType

from .losses import epsilon_insensitive, huber, squared_epsilon_insensitive, squared_error
from .penalties import elasticnet, l1, l2, none

__all__ = ["LOSSES", "PENALTIES"]

#: Loss name -> :class:`~graddescent.problems.base.LossSpec` (scikit-learn's names).
LOSSES = MappingProxyType({spec.name: spec for spec in (
    squared_error.SPEC,
    huber.SPEC,
    epsilon_insensitive.SPEC,
    squared_epsilon_insensitive.SPEC,
)})

#: Penalty name (None for none) -> :class:`~graddescent.problems.base.PenaltySpec`.
PENALTIES = MappingProxyType({spec.name: spec for spec in (
    none.SPEC,
    l2.SPEC,
    l1.SPEC,
    elasticnet.SPEC,
)})

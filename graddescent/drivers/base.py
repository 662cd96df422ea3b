r"""What a driver is: the base class, its typed state and the kernels' shared helpers.

A driver (full batch, mini-batch, single sample, SAG, SAGA, SVRG, S2GD, SARAH, SARAH+) takes
any :class:`~graddescent.rules.UpdateRule` and runs it on a problem, the compiled record of a
:class:`~graddescent.problems.Problem` (least squares by default). Each driver family is one
module of this package, its Python side (which draws the sample indices from the caller's
``numpy.random.Generator`` and allocates) next to its compiled kernel (which takes the rule's
compiled record and never names a rule: see :mod:`graddescent.rules.base`).

Work is counted in **units**, the driver's natural iteration (R gradDescent's ``maxIter``): one
step for the full-batch, mini-batch, single-sample and SAG drivers, one outer loop for the
variance-reduced ones. :meth:`Driver.units_per_epoch` converts epochs (passes over the data, the
scikit-learn meaning of ``max_iter``) into units.

Divergence (:mod:`graddescent.drivers.divergence`) and the row-index stream
(:mod:`graddescent.drivers.sampling`) have modules of their own.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import objective as O
from ..problems import Problem
from ..problems.records import for_data
from ..rules import UpdateRule

__all__ = ["Driver", "DriverState", "buffers", "record_of", "DEFAULT_RECORD"]


#: The compiled record of least squares (``Problem()``), the drivers' problem by default.
DEFAULT_RECORD = Problem().record()


def record_of(pb, X=None):
    """The problem record a driver kernel gets: ``pb``, or :data:`DEFAULT_RECORD` for None; for
    the drivers with full passes over ``X``, the record's class with those passes in row blocks
    on numba's threads when ``X`` is large (:func:`graddescent.problems.records.for_data`)."""
    pb = DEFAULT_RECORD if pb is None else pb
    return pb if X is None else for_data(pb, X)


def buffers(p: int, k: int = 2) -> list[np.ndarray]:
    """``k`` scratch vectors of length ``p`` for a kernel call."""
    return [np.empty(p) for _ in range(k)]


@dataclasses.dataclass
class DriverState:
    """What a driver keeps between calls; each driver that keeps anything has a subclass.

    ``objectives`` holds the objective values the driver's kernel recorded during its last
    call (the full-batch driver: one per step, at the point of its gradient), or None; the
    :class:`~graddescent.drivers.Optimizer` hands them to its :class:`DivergenceMonitor`.
    """

    objectives: np.ndarray | None = dataclasses.field(default=None, kw_only=True, repr=False)


@dataclasses.dataclass(frozen=True)
class Driver:
    """Base class: a sampling / variance-reduction loop that runs any update rule."""

    name = "driver"
    #: The driver's theory needs a Lipschitz gradient (a non-smooth loss is refused).
    needs_smooth_loss = False
    #: The driver has a sound proximal form for an L1 part of the penalty.
    proximal = True
    #: The driver's kernels keep averaged iterates (``average`` of the Optimizer): their
    #: ``run`` and ``run_epochs`` take an averaging record ``av``.
    averages = False

    def units_per_epoch(self, n: int) -> float:
        """Units (the driver's iterations) per pass over ``n`` rows."""
        return 1.0

    def epoch_units(self, X) -> int:
        """Units in one epoch over the data ``X``: ``ceil(units_per_epoch(n))``. A driver whose
        epoch depends on more than the number of rows (the Dask local SGD's: the size of the
        largest chunk) says so here; every epoch count (:meth:`run_epochs`,
        ``Optimizer.units``, budgets) reads it."""
        return math.ceil(self.units_per_epoch(X.shape[0]))

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """Row gradients evaluated by the first ``units`` units on ``n`` rows, in which the
        rule took ``steps`` update steps (``Optimizer.units`` and ``Optimizer.t``).

        Divided by ``n`` this is the work in epochs (effective passes over the data). The base
        class counts one full gradient (``n`` rows) per step; each driver states its own count.
        """
        return int(steps) * int(n)

    def init_state(self, n: int, p: int) -> DriverState:
        return DriverState()

    def check(self, n: int, rule: UpdateRule) -> None:
        """Raise ValueError when this driver cannot run ``rule`` on ``n`` rows."""
        if rule.full_batch_only and not self.is_full_batch(n):
            raise ValueError(
                f"The update rule {rule.name!r} is a full-batch method (a sign-based step breaks "
                f"on noisy mini-batch gradients); run it with the full-batch driver "
                f"(batch_size='full'), not with {self.describe(n)}."
            )

    def is_full_batch(self, n: int) -> bool:
        return False

    def is_noisy(self, n: int) -> bool:
        """True when the gradient is a plain sample estimate (mini-batch, single row): its
        iterates hover around the optimum at a constant rate instead of converging."""
        return False

    def smoothness(self, X: np.ndarray, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        """Smoothness constant of the gradient estimate this driver forms on ``X`` (intercept
        included): ``L_max = max_i (1 + ||x_i||^2)`` for single rows and the variance-reduced
        drivers (the step size their analyses use); the full and mini-batch drivers refine it.
        ``l_max``, when the caller already knows it, spares a pass over ``X``. With a
        ``problem`` (:class:`~graddescent.problems.Problem`) other than least squares, or
        ``sample_weight``, its constants (:meth:`~graddescent.problems.Problem.l_max`,
        :meth:`~graddescent.problems.Problem.lipschitz`) are used.
        """
        if problem is not None and not (problem.is_least_squares and sample_weight is None):
            return problem.l_max(X, sample_weight)
        return O.l_max(X) if l_max is None else l_max

    def describe(self, n: int) -> str:
        return f"the {self.name} driver"

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        """Run ``n_units`` units in place on the problem of compiled record ``pb``
        (:meth:`graddescent.problems.Problem.record`; None: least squares); return the new
        step count ``t``."""
        raise NotImplementedError

    def run_epochs(self, X, y, theta, rule, rule_state, t, driver_state, rng, snapshots,
                   pb=None, means=None, **av):
        """Run ``len(snapshots)`` epochs in place, ``theta`` copied into ``snapshots[e]`` after
        epoch ``e`` (and, with an averaging record ``av``, its running mean into ``means[e]``
        when ``means`` is given); return the new step count.

        The same steps as that many calls of :meth:`run` with one epoch's units each (the
        estimator's loop); drivers may do it in one compiled call.
        """
        units = self.epoch_units(X)
        for e in range(snapshots.shape[0]):
            t = self.run(X, y, theta, rule, rule_state, t, driver_state, rng, units, pb, **av)
            snapshots[e] = theta
            if means is not None:
                means[e] = av["av"].theta
        return t

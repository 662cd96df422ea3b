r"""The full-batch driver: :math:`g = \nabla f(\theta)`, one pass over the data per step."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import objective as O
from .._jit import DIVERGED, OK, kernel
from ..problems.engine import full_gradient, prox
from ..rules.base import look_ahead, looks_ahead, step
from .averaging import NO_AVERAGE, accumulate
from .base import Driver, buffers, record_of
from .divergence import raise_if_diverged

__all__ = ["FullBatch"]


@kernel
def full_batch(X, y, theta, state, t, hp, n_steps, losses, g, z, pb, av):
    """``n_steps`` full-batch steps of problem ``pb`` (the proximal step of its L1 part after
    each; ``av``: :mod:`graddescent.drivers.averaging`). ``losses[k]`` receives F at the
    point of step k's gradient."""
    for k in range(n_steps):
        at = theta
        if looks_ahead(hp):
            look_ahead(hp, theta, state, z)
            at = z
        # one call site: the problem's pass is inlined here, and numba's IR checks warned
        # about the same pass inlined at two
        loss = full_gradient(pb, X, y, at, g)
        losses[k] = loss
        if not np.isfinite(loss):
            return t, DIVERGED
        t += 1
        step(hp, theta, g, state, t)
        prox(pb, hp, theta, state, t, g)
        accumulate(av, theta, t)
    return t, OK


@dataclasses.dataclass(frozen=True)
class FullBatch(Driver):
    r"""Full-batch gradient: :math:`g = \nabla f(\theta)`, one pass over the data per step.

    R gradDescent: ``GD``, ``MGD``, ``AGD``. One unit = one step = one epoch. Smoothness
    constant: ``L``, the largest eigenvalue of ``[1, X]^T [1, X] / n``.
    """

    name = "full_batch"
    averages = True

    def is_full_batch(self, n: int) -> bool:
        return True

    def smoothness(self, X: np.ndarray, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        if problem is not None and not (problem.is_least_squares and sample_weight is None):
            return problem.lipschitz(X, sample_weight)
        return O.top_eigenvalue(X)

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """One full gradient (``n`` rows, one epoch) per step."""
        return int(steps) * int(n)

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None,
            av=NO_AVERAGE):
        losses = np.empty(n_units)
        g, z = buffers(theta.shape[0])
        t_end, status = full_batch(X, y, theta, rule_state, t, rule.hyperparameters(), n_units,
                                   losses, g, z, record_of(pb, X), av)
        # for the Optimizer's divergence criterion: the objectives computed, the last one
        # non-finite when the kernel stopped
        driver_state.objectives = losses if status == OK else losses[:t_end - t + 1]
        raise_if_diverged(status, t_end, rule)
        return t_end

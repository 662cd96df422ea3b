r"""The plain gradient step (Cauchy 1847).

.. math:: \theta_t = \theta_{t-1} - \eta_t\, g_t

with :math:`\eta_t = \eta` or, under the ``invscaling`` schedule, :math:`\eta / t^{p}`. No state.
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import RuleSpec, UpdateRule, attach, rate, record, register

PlainParams = record("PlainParams", ())


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    lr = rate(hp, t)
    for j in range(theta.shape[0]):
        theta[j] -= lr * g[j]


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    for j in range(out.shape[0]):
        out[j] = lr


attach(PlainParams, step=_step, effective=_effective, linear=True)


def plain(learning_rate: float = 0.1) -> UpdateRule:
    r"""Plain gradient step (Cauchy 1847).

    .. math:: \theta_t = \theta_{t-1} - \eta\, g_t

    Effective step per unit of gradient: :math:`\eta`. R gradDescent: the step of ``GD``,
    ``MBGD``, ``SGD``, ``SAGD`` and of the variance-reduced learners. Stateless.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).

    Returns
    -------
    UpdateRule
    """
    return SPEC.make(learning_rate)


def _reference(rule, theta, g, state, t):
    lr = rule.learning_rate / (t + rule.t0) ** rule.power_t if rule.power_t else rule.learning_rate
    return theta - lr * g


def _reference_effective(rule, state, t, p):
    lr = rule.learning_rate / (t + rule.t0) ** rule.power_t if rule.power_t else rule.learning_rate
    return np.full(p, lr)


SPEC = register(RuleSpec(
    name="plain", params=PlainParams, hyperparameters=(), state=(), factory=plain,
    default_learning_rate=0.1, auto_rate=("curvature", 1.0), self_damping=True,
    reference_step=_reference, reference_effective=_reference_effective,
    examples={"plain": {"learning_rate": 0.05},
              "plain_invscaling": {"learning_rate": 0.05, "power_t": 0.25}},
    torch="SGD(lr={learning_rate})",
))

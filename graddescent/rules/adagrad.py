r"""Adagrad (Duchi, Hazan, Singer 2011): per-coordinate steps shrinking with the sum of squared
gradients."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import Hyperparameter, RuleSpec, UpdateRule, attach, rate, record, register

HYPERPARAMETERS = (Hyperparameter("eps", 1e-10, "positive", "added outside the square root"),)
AdagradParams = record("AdagradParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    lr = rate(hp, t)
    eps = hp.eps
    for j in range(theta.shape[0]):
        state[0, j] += g[j] * g[j]  # G_t
        theta[j] -= lr * g[j] / (np.sqrt(state[0, j]) + eps)


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    for j in range(out.shape[0]):
        out[j] = lr / (np.sqrt(state[0, j]) + hp.eps)


@kernel(inline=True)
def _step_at(hp, theta, j, gj, state, t):
    """:func:`_step` at coordinate ``j`` alone: a zero ``gj`` leaves ``theta[j]`` and ``G_j``
    unchanged, so sparse rows step only their nonzeros' coordinates."""
    state[0, j] += gj * gj
    theta[j] -= rate(hp, t) * gj / (np.sqrt(state[0, j]) + hp.eps)


attach(AdagradParams, step=_step, effective=_effective, coordinate_step=_step_at)


def adagrad(learning_rate: float = 0.1, eps: float = 1e-10) -> UpdateRule:
    r"""Adagrad (Duchi, Hazan, Singer 2011).

    .. math:: G_t = G_{t-1} + g_t^2, \qquad
              \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)

    per coordinate, :math:`G_0 = 0`; ``eps`` outside the root (as torch). Effective step per
    unit of gradient: :math:`\eta / (\sqrt{G_t} + \epsilon)`. R gradDescent's ``ADAGRAD`` sums
    every past gradient of *every* coefficient into one scalar and has no eps.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    eps : float, default 1e-10
        Added outside the square root.

    Returns
    -------
    UpdateRule

    References
    ----------
    J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12, 2011.
    """
    return SPEC.make(learning_rate, eps=eps)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _reference(rule, theta, g, state, t):
    state["G"] = state["G"] + g**2
    return theta - _lr(rule, t) * g / (np.sqrt(state["G"]) + rule.eps)


SPEC = register(RuleSpec(
    name="adagrad", params=AdagradParams,
    hyperparameters=HYPERPARAMETERS,
    state=("G",), factory=adagrad, default_learning_rate=0.1, auto_rate=("target", 0.3),
    self_damping=True, reference_step=_reference,
    reference_effective=lambda rule, s, t, p: _lr(rule, t) / (np.sqrt(s["G"]) + rule.eps),
    examples={"adagrad": {"learning_rate": 0.1}},
    torch="Adagrad(lr={learning_rate}, eps={eps})",
))

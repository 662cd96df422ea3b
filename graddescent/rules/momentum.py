r"""Momentum rules: heavy ball (Polyak 1964) and Nesterov's accelerated gradient (Sutskever form).

Both keep one velocity per coordinate; Nesterov takes the gradient at the look-ahead point
:math:`\theta + \mu v`, which every driver honours through the rule's look-ahead.
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import (
    Hyperparameter,
    RuleSpec,
    UpdateRule,
    attach,
    geometric,
    rate,
    record,
    register,
)

_MOMENTUM = Hyperparameter("momentum", 0.9, "unit", "momentum mu in [0, 1)", r_name="momentum")


MomentumParams = record("MomentumParams", (_MOMENTUM,))


NesterovParams = record("NesterovParams", (_MOMENTUM,))


@kernel(inline=True)
def _momentum_step(hp, theta, g, state, t):
    lr = rate(hp, t)
    mu = hp.momentum
    for j in range(theta.shape[0]):
        u = mu * state[0, j] + lr * g[j]
        state[0, j] = u
        theta[j] -= u


@kernel(inline=True)
def _nesterov_step(hp, theta, g, state, t):
    # Sutskever form: g was taken at the look-ahead point theta + mu * v.
    lr = rate(hp, t)
    mu = hp.momentum
    for j in range(theta.shape[0]):
        v = mu * state[0, j] - lr * g[j]
        state[0, j] = v
        theta[j] += v


@kernel(inline=True)
def _look_ahead(hp, theta, state, out):
    mu = hp.momentum
    for j in range(theta.shape[0]):
        out[j] = theta[j] + mu * state[0, j]


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    for j in range(out.shape[0]):
        out[j] = lr / (1.0 - hp.momentum)


@kernel(inline=True)
def _momentum_at(hp, theta, j, gj, state, t):
    """:func:`_momentum_step` at coordinate ``j`` alone."""
    u = hp.momentum * state[0, j] + rate(hp, t) * gj
    state[0, j] = u
    theta[j] -= u


@kernel(inline=True)
def _momentum_skipped(hp, theta, j, state, t, k):
    """``k`` steps with a zero gradient at coordinate ``j``: ``u <- mu u`` and ``theta -= u``
    each, so ``theta -= (mu + ... + mu^k) u`` and ``u <- mu^k u``. The rate multiplies the
    gradient alone, so this holds under any schedule."""
    total, q = geometric(hp.momentum, k)
    theta[j] -= state[0, j] * total
    state[0, j] *= q


@kernel(inline=True)
def _nesterov_at(hp, theta, j, gj, state, t):
    """:func:`_nesterov_step` at coordinate ``j`` alone."""
    v = hp.momentum * state[0, j] - rate(hp, t) * gj
    state[0, j] = v
    theta[j] += v


@kernel(inline=True)
def _nesterov_skipped(hp, theta, j, state, t, k):
    """As :func:`_momentum_skipped`: ``theta += (mu + ... + mu^k) v``, ``v <- mu^k v``."""
    total, q = geometric(hp.momentum, k)
    theta[j] += state[0, j] * total
    state[0, j] *= q


@kernel(inline=True)
def _look_ahead_at(hp, theta, j, state):
    return theta[j] + hp.momentum * state[0, j]


attach(MomentumParams, step=_momentum_step, effective=_effective,
       coordinate_step=_momentum_at, skipped_steps=_momentum_skipped)
attach(NesterovParams, step=_nesterov_step, effective=_effective, look_ahead=_look_ahead,
       coordinate_step=_nesterov_at, skipped_steps=_nesterov_skipped,
       coordinate_look_ahead=_look_ahead_at)


def momentum(learning_rate: float = 0.1, momentum: float = 0.9) -> UpdateRule:
    r"""Heavy-ball momentum (Polyak 1964).

    .. math:: u_t = \mu u_{t-1} + \eta g_t, \qquad \theta_t = \theta_{t-1} - u_t

    with :math:`u_0 = 0`, per coordinate. This equals ``torch.optim.SGD(momentum=mu)`` with
    ``dampening=0``. Effective step per unit of gradient: :math:`\eta / (1 - \mu)` (the
    steady-state sum of the buffer). R gradDescent: ``MGD``.

    Sparse rows (mini-batch and single-row steps without a penalty): ``k`` steps in which a
    coordinate's gradient is zero give :math:`\theta \leftarrow \theta - u \sum_{i=1}^k \mu^i
    = \theta - u\,\mu (1 - \mu^k) / (1 - \mu)` and :math:`u \leftarrow \mu^k u`, whatever
    the learning-rate schedule (the rate multiplies the gradient only); the drivers apply
    this when a row next touches the coordinate, so a step costs the rows' nonzeros.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    momentum : float, default 0.9
        :math:`\mu \in [0, 1)` (R: ``momentum``).

    Returns
    -------
    UpdateRule

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    """
    return MOMENTUM.make(learning_rate, momentum=momentum)


def nesterov(learning_rate: float = 0.1, momentum: float = 0.9) -> UpdateRule:
    r"""Nesterov's accelerated gradient, in Sutskever's form.

    .. math::
        v_t = \mu v_{t-1} - \eta \nabla f(\theta_{t-1} + \mu v_{t-1}), \qquad
        \theta_t = \theta_{t-1} + v_t

    The gradient is taken at the look-ahead point (:meth:`UpdateRule.eval_point`); every driver
    does so. ``torch.optim.SGD(nesterov=True)`` stores the look-ahead point instead: the same
    iterates, shifted. Effective step: :math:`\eta / (1 - \mu)`. R gradDescent: ``AGD``, which
    applies the momentum term twice per step (neither Nesterov form); we do not.

    Sparse rows (mini-batch and single-row steps without a penalty): ``k`` steps with a zero
    gradient at a coordinate give :math:`\theta \leftarrow \theta + v\,\mu (1 - \mu^k) /
    (1 - \mu)`, :math:`v \leftarrow \mu^k v` (any schedule), applied when a row next touches
    the coordinate, whose look-ahead :math:`\theta_j + \mu v_j` is then read alone.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    momentum : float, default 0.9
        :math:`\mu \in [0, 1)` (R: ``momentum``).

    Returns
    -------
    UpdateRule

    References
    ----------
    Y. Nesterov, 1983; I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.
    """
    return NESTEROV.make(learning_rate, momentum=momentum)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _momentum_reference(rule, theta, g, state, t):
    state["u"] = rule.momentum * state["u"] + _lr(rule, t) * g
    return theta - state["u"]


def _nesterov_reference(rule, theta, g, state, t):
    state["v"] = rule.momentum * state["v"] - _lr(rule, t) * g
    return theta + state["v"]


def _effective_reference(rule, state, t, p):
    return np.full(p, _lr(rule, t) / (1 - rule.momentum))


MOMENTUM = register(RuleSpec(
    name="momentum", params=MomentumParams, hyperparameters=(_MOMENTUM,), state=("u",),
    factory=momentum, default_learning_rate=0.1, auto_rate=("curvature", 1.0),
    self_damping=True, annealed_momenta=("momentum",), reference_step=_momentum_reference,
    reference_effective=_effective_reference,
    examples={"momentum": {"learning_rate": 0.03, "momentum": 0.9}},
    torch="SGD(lr={learning_rate}, momentum={momentum}, dampening=0)",
))

NESTEROV = register(RuleSpec(
    name="nesterov", params=NesterovParams, hyperparameters=(_MOMENTUM,), state=("v",),
    factory=nesterov, default_learning_rate=0.1, auto_rate=("curvature", 1.0),
    self_damping=True, annealed_momenta=("momentum",), reference_step=_nesterov_reference,
    reference_effective=_effective_reference,
    reference_point=lambda rule, theta, state: theta + rule.momentum * state["v"],
    examples={"nesterov": {"learning_rate": 0.03, "momentum": 0.9}},
))

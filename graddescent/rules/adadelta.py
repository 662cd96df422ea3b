r"""Adadelta (Zeiler 2012): the step is the ratio of two running RMS values, of past steps and of
past gradients."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import Hyperparameter, RuleSpec, UpdateRule, attach, rate, record, register

HYPERPARAMETERS = (
    Hyperparameter("rho", 0.9, "unit", "decay of the squared averages", r_name="momentum"),
    Hyperparameter("eps", 1e-6, "positive", "added inside both square roots"))
AdadeltaParams = record("AdadeltaParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    lr = rate(hp, t)
    rho = hp.rho
    eps = hp.eps
    for j in range(theta.shape[0]):
        eg = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
        state[0, j] = eg
        dx = -np.sqrt(state[1, j] + eps) / np.sqrt(eg + eps) * g[j]
        state[1, j] = rho * state[1, j] + (1.0 - rho) * dx * dx
        theta[j] += lr * dx


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    eps = hp.eps
    for j in range(out.shape[0]):
        out[j] = lr * np.sqrt(state[1, j] + eps) / np.sqrt(state[0, j] + eps)


@kernel(inline=True)
def _step_at(hp, theta, j, gj, state, t):
    """:func:`_step` at coordinate ``j`` alone."""
    rho = hp.rho
    eps = hp.eps
    eg = rho * state[0, j] + (1.0 - rho) * gj * gj
    state[0, j] = eg
    dx = -np.sqrt(state[1, j] + eps) / np.sqrt(eg + eps) * gj
    state[1, j] = rho * state[1, j] + (1.0 - rho) * dx * dx
    theta[j] += rate(hp, t) * dx


@kernel(inline=True)
def _skipped(hp, theta, j, state, t, k):
    """``k`` steps with a zero gradient at coordinate ``j``: ``Delta = 0`` (``eps > 0`` keeps
    both roots positive), so ``theta`` stays and both averages decay by ``rho^k``."""
    q = hp.rho**k
    state[0, j] *= q
    state[1, j] *= q


attach(AdadeltaParams, step=_step, effective=_effective, coordinate_step=_step_at,
       skipped_steps=_skipped)


def adadelta(learning_rate: float = 1.0, rho: float = 0.9, eps: float = 1e-6) -> UpdateRule:
    r"""Adadelta (Zeiler 2012).

    .. math::
        E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2, \quad
        \Delta_t = -\frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}} g_t,
        \quad E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho)\Delta_t^2, \quad
        \theta_t = \theta_{t-1} + \eta \Delta_t

    per coordinate; ``eps`` *inside* the roots (as the paper and torch). The learning rate only
    scales the applied step (torch's convention; the paper has none, i.e. ``eta = 1``).
    Effective step: :math:`\eta \sqrt{E[\Delta^2] + \epsilon} / \sqrt{E[g^2] + \epsilon}`.
    R gradDescent's ``ADADELTA`` shares scalar accumulators across coefficients, uses the previous
    coefficient's RMS, and never moves the first coefficient on the first step.

    Sparse rows (mini-batch and single-row steps without a penalty): a zero gradient gives
    :math:`\Delta_t = 0` (``eps`` keeps both roots positive), so ``k`` such steps leave
    :math:`\theta` and multiply both averages by :math:`\rho^k`; the drivers apply this when a
    row next touches the coordinate, so a step costs the rows' nonzeros.

    Parameters
    ----------
    learning_rate : float, default 1.0
        :math:`\eta`.
    rho : float, default 0.9
        Decay :math:`\rho \in [0, 1)` (R: ``momentum``).
    eps : float, default 1e-6
        Added inside both square roots.

    Returns
    -------
    UpdateRule

    References
    ----------
    M. D. Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701, 2012.
    """
    return SPEC.make(learning_rate, rho=rho, eps=eps)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _reference(rule, theta, g, state, t):
    state["Eg"] = rule.rho * state["Eg"] + (1 - rule.rho) * g**2
    dx = -np.sqrt(state["Ex"] + rule.eps) / np.sqrt(state["Eg"] + rule.eps) * g
    state["Ex"] = rule.rho * state["Ex"] + (1 - rule.rho) * dx**2
    return theta + _lr(rule, t) * dx


def _reference_effective(rule, state, t, p):
    return _lr(rule, t) * np.sqrt(state["Ex"] + rule.eps) / np.sqrt(state["Eg"] + rule.eps)


SPEC = register(RuleSpec(
    name="adadelta", params=AdadeltaParams,
    hyperparameters=HYPERPARAMETERS,
    state=("Eg", "Ex"), factory=adadelta, default_learning_rate=1.0,
    auto_rate=("target", 3.0), self_damping=False, annealed_decays=("rho",),
    reference_step=_reference, reference_effective=_reference_effective,
    examples={"adadelta": {"learning_rate": 1.0, "rho": 0.9, "eps": 1e-6}},
    torch="Adadelta(lr={learning_rate}, rho={rho}, eps={eps})",
))

r"""AdaMax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm of past gradients."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import (
    Hyperparameter,
    RuleSpec,
    UpdateRule,
    attach,
    decayed,
    over,
    rate,
    record,
    register,
)

HYPERPARAMETERS = (Hyperparameter("beta1", 0.9, "unit", "decay of the first moment"),
                   Hyperparameter("beta2", 0.999, "unit", "decay of the infinity norm"),
                   Hyperparameter("eps", 1e-8, "positive",
                                  "added to the gradient's magnitude inside the max"))
AdamaxParams = record("AdamaxParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    b1t = decayed(state[2, 0], hp.beta1)  # beta1^t, kept as a running product (row 2)
    lr = over(rate(hp, t), 1.0 - b1t)
    b1 = hp.beta1
    b2 = hp.beta2
    eps = hp.eps
    for j in range(theta.shape[0]):
        m = b1 * state[0, j] + (1.0 - b1) * g[j]
        u = max(b2 * state[1, j], abs(g[j]) + eps)
        state[0, j] = m
        state[1, j] = u
        state[2, j] = b1t
        theta[j] -= lr * m / u


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    for j in range(out.shape[0]):
        out[j] = lr / state[1, j]


attach(AdamaxParams, step=_step, effective=_effective)


def adamax(learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
           eps: float = 1e-8) -> UpdateRule:
    r"""AdaMax (Kingma & Ba 2015, section 7.1, Algorithm 2), with eps where torch puts it.

    Per coordinate, :math:`m_0 = u_0 = 0`:

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon), \qquad
        \theta_t = \theta_{t-1} - \frac{\eta}{1 - \beta_1^t} \frac{m_t}{u_t}

    The paper's :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` has no eps (it divides by zero for
    a coordinate whose gradients have all been 0); ``torch.optim.Adamax`` adds ``eps`` to
    :math:`|g_t|` inside the max, and so do we. :math:`u_t` is the exponentially weighted
    infinity norm of the past gradients, the :math:`p \to \infty` limit of Adam's
    :math:`\sqrt[p]{v_t}`; it needs no bias correction. Effective step per unit of (averaged)
    gradient: :math:`\eta / u_t`. Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.002
        :math:`\eta` (the paper's and torch's default).
    beta1, beta2 : float, default 0.9, 0.999
        Decays in [0, 1) of the first moment and of the infinity norm.
    eps : float, default 1e-8
        Added to :math:`|g_t|` inside the max.

    Returns
    -------
    UpdateRule

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015, section 7.1.
    """
    return SPEC.make(learning_rate, beta1=beta1, beta2=beta2, eps=eps)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _reference(rule, theta, g, state, t):
    state["m"] = rule.beta1 * state["m"] + (1 - rule.beta1) * g
    state["u"] = np.maximum(rule.beta2 * state["u"], np.abs(g) + rule.eps)
    state["beta1_power"] = state["beta1_power"] * rule.beta1
    return theta - _lr(rule, t) / (1 - state["beta1_power"]) * state["m"] / state["u"]


def _initial_state(rule, state):
    state[2] = 1.0  # beta1^0


SPEC = register(RuleSpec(
    name="adamax", params=AdamaxParams,
    hyperparameters=HYPERPARAMETERS,
    state=("m", "u", "beta1_power"), factory=adamax, default_learning_rate=0.002,
    initial_state=_initial_state,
    reference_initial=lambda rule, p: {"m": np.zeros(p), "u": np.zeros(p),
                                       "beta1_power": np.ones(p)},
    auto_rate=("target", 0.01), self_damping=False, annealed_decays=("beta2",),
    annealed_momenta=("beta1",), reference_step=_reference,
    reference_effective=lambda rule, s, t, p: _lr(rule, t) / s["u"],
    examples={"adamax": {"learning_rate": 0.05}},
    torch="Adamax(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps})",
))

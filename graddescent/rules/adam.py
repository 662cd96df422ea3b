r"""Adam (Kingma & Ba 2015) and AMSGrad (Reddi, Kale, Kumar 2018): bias-corrected running
moments of the gradient and of its square."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import Hyperparameter, RuleSpec, UpdateRule, attach, rate, record, register

HYPERPARAMETERS = (Hyperparameter("beta1", 0.9, "unit", "decay of the first moment"),
                   Hyperparameter("beta2", 0.999, "unit", "decay of the second moment"),
                   Hyperparameter("eps", 1e-8, "positive", "added outside the square root"))


AdamParams = record("AdamParams", HYPERPARAMETERS)
AMSGradParams = record("AMSGradParams", HYPERPARAMETERS)


@kernel(inline=True)
def moments(hp, g, state, j):
    """Update and return coordinate ``j``'s first and second moments (rows 0 and 1)."""
    m = hp.beta1 * state[0, j] + (1.0 - hp.beta1) * g[j]
    v = hp.beta2 * state[1, j] + (1.0 - hp.beta2) * g[j] * g[j]
    state[0, j] = m
    state[1, j] = v
    return m, v


@kernel(inline=True)
def _adam_step(hp, theta, g, state, t):
    lr = rate(hp, t)
    c1 = 1.0 - hp.beta1**t
    sc2 = np.sqrt(1.0 - hp.beta2**t)
    for j in range(theta.shape[0]):
        m, v = moments(hp, g, state, j)
        theta[j] -= lr * (m / c1) / (np.sqrt(v) / sc2 + hp.eps)


@kernel(inline=True)
def _amsgrad_step(hp, theta, g, state, t):
    lr = rate(hp, t)
    c1 = 1.0 - hp.beta1**t
    sc2 = np.sqrt(1.0 - hp.beta2**t)
    for j in range(theta.shape[0]):
        m, v = moments(hp, g, state, j)
        vmax = state[2, j]
        if v > vmax:
            vmax = v
        state[2, j] = vmax
        theta[j] -= lr * (m / c1) / (np.sqrt(vmax) / sc2 + hp.eps)


@kernel
def second_moment_effective(hp, state, t, out, row):
    """``lr / (sqrt(state[row] / (1 - beta2^t)) + eps)``: the effective step of a rule that
    divides by the root of a bias-corrected second moment kept in ``row``."""
    lr = rate(hp, max(t, 1))
    c2 = 1.0 - hp.beta2 ** max(t, 1)
    for j in range(out.shape[0]):
        out[j] = lr / (np.sqrt(state[row, j] / c2) + hp.eps)


@kernel
def _adam_effective(hp, state, t, out):
    second_moment_effective(hp, state, t, out, 1)


@kernel
def _amsgrad_effective(hp, state, t, out):
    second_moment_effective(hp, state, t, out, 2)


attach(AdamParams, step=_adam_step, effective=_adam_effective)
attach(AMSGradParams, step=_amsgrad_step, effective=_amsgrad_effective)


def adam(learning_rate: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> UpdateRule:
    r"""Adam (Kingma & Ba 2015, Algorithm 1).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}
        {\sqrt{v_t / (1-\beta_2^t)} + \epsilon}

    per coordinate, ``eps`` outside the root (as the paper and torch). Effective step per unit
    of (averaged) gradient: :math:`\eta / (\sqrt{v_t / (1-\beta_2^t)} + \epsilon)`.
    R gradDescent's ``ADAM`` shares scalar moments across coefficients and divides by the
    constants ``1 - beta``, not by ``1 - beta^t``.

    Parameters
    ----------
    learning_rate : float, default 0.1
        (R: ``alpha``).
    beta1, beta2 : float, default 0.9, 0.999
        Decays in [0, 1).
    eps : float, default 1e-8

    Returns
    -------
    UpdateRule

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
    """
    return ADAM.make(learning_rate, beta1=beta1, beta2=beta2, eps=eps)


def amsgrad(learning_rate: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
            eps: float = 1e-8) -> UpdateRule:
    r"""AMSGrad (Reddi, Kale, Kumar 2018), in torch's form.

    As :func:`adam`, but with :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` over the raw second
    moment and the denominator :math:`\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon`. The paper's
    form has no bias correction and no eps; torch's form is used here. Effective step:
    :math:`\eta / (\sqrt{\hat v_t / (1-\beta_2^t)} + \epsilon)`. Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.1
        The step size.
    beta1 : float, default 0.9
        Decay of the first moment.
    beta2 : float, default 0.999
        Decay of the second moment, whose running maximum divides the step.
    eps : float, default 1e-8
        Added outside the square root.

    Returns
    -------
    UpdateRule
        Its state rows are ``m``, ``v`` and ``vmax``.

    References
    ----------
    S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond", ICLR 2018.
    """
    return AMSGRAD.make(learning_rate, beta1=beta1, beta2=beta2, eps=eps)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _moments(rule, g, state):
    state["m"] = rule.beta1 * state["m"] + (1 - rule.beta1) * g
    state["v"] = rule.beta2 * state["v"] + (1 - rule.beta2) * g**2


def _adam_reference(rule, theta, g, state, t):
    _moments(rule, g, state)
    mhat = state["m"] / (1 - rule.beta1**t)
    return theta - _lr(rule, t) * mhat / (np.sqrt(state["v"] / (1 - rule.beta2**t)) + rule.eps)


def _amsgrad_reference(rule, theta, g, state, t):
    _moments(rule, g, state)
    state["vmax"] = np.maximum(state["vmax"], state["v"])
    mhat = state["m"] / (1 - rule.beta1**t)
    return theta - _lr(rule, t) * mhat / (np.sqrt(state["vmax"]) / np.sqrt(1 - rule.beta2**t)
                                          + rule.eps)


def _effective_reference(row):
    def effective(rule, state, t, p):
        return _lr(rule, t) / (np.sqrt(state[row] / (1 - rule.beta2**t)) + rule.eps)

    return effective


_COMMON = {"hyperparameters": HYPERPARAMETERS, "default_learning_rate": 0.1,
           "auto_rate": ("target", 0.01), "self_damping": False,
           "annealed_decays": ("beta2",), "annealed_momenta": ("beta1",)}

ADAM = register(RuleSpec(
    name="adam", params=AdamParams, state=("m", "v"), factory=adam,
    reference_step=_adam_reference, reference_effective=_effective_reference("v"),
    examples={"adam": {"learning_rate": 0.05}},
    torch="Adam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps})", **_COMMON,
))

AMSGRAD = register(RuleSpec(
    name="amsgrad", params=AMSGradParams, state=("m", "v", "vmax"), factory=amsgrad,
    reference_step=_amsgrad_reference, reference_effective=_effective_reference("vmax"),
    examples={"amsgrad": {"learning_rate": 0.05}},
    torch="Adam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps}, amsgrad=True)",
    **_COMMON,
))

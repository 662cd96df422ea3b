r"""Adam (Kingma & Ba 2015) and AMSGrad (Reddi, Kale, Kumar 2018): bias-corrected running
moments of the gradient and of its square."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import (
    Hyperparameter,
    RuleSpec,
    UpdateRule,
    attach,
    decayed,
    inverse_root,
    over,
    rate,
    record,
    register,
)

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
def powers(hp, state, row):
    """This step's ``(beta1^t, beta2^t)``: the products kept in rows ``row`` and ``row + 1``
    (column 0) times the decays, one multiplication each instead of two powers per step (the
    products of the decays actually used, when the adaptive schedule changes them)."""
    return decayed(state[row, 0], hp.beta1), decayed(state[row + 1, 0], hp.beta2)


@kernel(inline=True)
def keep_powers(state, row, b1t, b2t):
    """Store this step's powers in every coordinate of rows ``row`` and ``row + 1``.

    A loop of its own, before the moments' loop: the same stores inside that loop made Adam's
    and AMSGrad's single-row epoch at 100_000 x 8 1.4x slower (4.6 against 3.3 ms)."""
    for j in range(state.shape[1]):
        state[row, j] = b1t
        state[row + 1, j] = b2t


@kernel(inline=True)
def _adam_step(hp, theta, g, state, t):
    b1t, b2t = powers(hp, state, 2)
    a = over(rate(hp, t), 1.0 - b1t)  # lr / (1 - beta1^t)
    s = inverse_root(1.0 - b2t)  # 1 / sqrt(1 - beta2^t): once per step, not per j
    keep_powers(state, 2, b1t, b2t)
    for j in range(theta.shape[0]):
        m, v = moments(hp, g, state, j)
        theta[j] -= a * m / (np.sqrt(v) * s + hp.eps)


@kernel(inline=True)
def _amsgrad_step(hp, theta, g, state, t):
    b1t, b2t = powers(hp, state, 3)
    a = over(rate(hp, t), 1.0 - b1t)
    s = inverse_root(1.0 - b2t)
    keep_powers(state, 3, b1t, b2t)
    for j in range(theta.shape[0]):
        m, v = moments(hp, g, state, j)
        vmax = max(state[2, j], v)
        state[2, j] = vmax
        theta[j] -= a * m / (np.sqrt(vmax) * s + hp.eps)


@kernel
def second_moment_effective(hp, state, t, out, row, power_row):
    """``lr / (sqrt(state[row] / (1 - beta2^t)) + eps)``: the effective step of a rule that
    divides by the root of a bias-corrected second moment kept in ``row`` (``beta2^t`` kept in
    row ``power_row``, or computed when it is negative)."""
    lr = rate(hp, max(t, 1))
    if t < 1:
        c2 = 1.0 - hp.beta2
    elif power_row >= 0:
        c2 = 1.0 - state[power_row, 0]
    else:
        c2 = 1.0 - hp.beta2**t
    for j in range(out.shape[0]):
        out[j] = lr / (np.sqrt(state[row, j] / c2) + hp.eps)


@kernel
def _adam_effective(hp, state, t, out):
    second_moment_effective(hp, state, t, out, 1, 3)


@kernel
def _amsgrad_effective(hp, state, t, out):
    second_moment_effective(hp, state, t, out, 2, 4)


attach(AdamParams, step=_adam_step, effective=_adam_effective)
attach(AMSGradParams, step=_amsgrad_step, effective=_amsgrad_effective)


def adam(learning_rate: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> UpdateRule:
    r"""Adam (Kingma & Ba 2015, Algorithm 1).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}
        {\sqrt{v_t / (1-\beta_2^t)} + \epsilon}

    per coordinate, ``eps`` outside the root (as the paper and torch). The powers
    :math:`\beta^t` are kept as running products in the state (rows ``beta1_power`` and
    ``beta2_power``), one multiplication per step instead of two powers; they equal the powers
    to rounding. Effective step per unit
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
        Its state rows are ``m``, ``v``, ``vmax``, ``beta1_power`` and ``beta2_power``.

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
    state["beta1_power"] = state["beta1_power"] * rule.beta1  # beta1^t
    state["beta2_power"] = state["beta2_power"] * rule.beta2


def _adam_reference(rule, theta, g, state, t):
    _moments(rule, g, state)
    mhat = state["m"] / (1 - state["beta1_power"])
    return theta - _lr(rule, t) * mhat / (np.sqrt(state["v"] / (1 - state["beta2_power"]))
                                          + rule.eps)


def _amsgrad_reference(rule, theta, g, state, t):
    _moments(rule, g, state)
    state["vmax"] = np.maximum(state["vmax"], state["v"])
    mhat = state["m"] / (1 - state["beta1_power"])
    return theta - _lr(rule, t) * mhat / (np.sqrt(state["vmax"])
                                          / np.sqrt(1 - state["beta2_power"]) + rule.eps)


def _effective_reference(row):
    def effective(rule, state, t, p):
        return _lr(rule, t) / (np.sqrt(state[row] / (1 - state["beta2_power"])) + rule.eps)

    return effective


def _initial_state(first_power_row):
    def initial(rule, state):
        state[first_power_row:first_power_row + 2] = 1.0  # beta^0

    return initial


def _reference_initial(names):
    def initial(rule, p):
        return {name: np.ones(p) if name.endswith("_power") else np.zeros(p) for name in names}

    return initial


_ADAM_STATE = ("m", "v", "beta1_power", "beta2_power")
_AMSGRAD_STATE = ("m", "v", "vmax", "beta1_power", "beta2_power")

_COMMON = {"hyperparameters": HYPERPARAMETERS, "default_learning_rate": 0.1,
           "auto_rate": ("target", 0.01), "self_damping": False,
           "annealed_decays": ("beta2",), "annealed_momenta": ("beta1",)}

ADAM = register(RuleSpec(
    name="adam", params=AdamParams, state=_ADAM_STATE, factory=adam,
    initial_state=_initial_state(2), reference_initial=_reference_initial(_ADAM_STATE),
    reference_step=_adam_reference, reference_effective=_effective_reference("v"),
    examples={"adam": {"learning_rate": 0.05}},
    torch="Adam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps})", **_COMMON,
))

AMSGRAD = register(RuleSpec(
    name="amsgrad", params=AMSGradParams, state=_AMSGRAD_STATE, factory=amsgrad,
    initial_state=_initial_state(3), reference_initial=_reference_initial(_AMSGRAD_STATE),
    reference_step=_amsgrad_reference, reference_effective=_effective_reference("vmax"),
    examples={"amsgrad": {"learning_rate": 0.05}},
    torch="Adam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps}, amsgrad=True)",
    **_COMMON,
))

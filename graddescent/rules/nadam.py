r"""NAdam (Dozat 2016): Adam with Nesterov momentum, as ``torch.optim.NAdam`` computes it."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .adam import moments, second_moment_effective
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

HYPERPARAMETERS = (
    Hyperparameter("beta1", 0.9, "unit", "decay of the first moment"),
    Hyperparameter("beta2", 0.999, "unit", "decay of the second moment"),
    Hyperparameter("eps", 1e-8, "positive", "added outside the square root"),
    Hyperparameter("momentum_decay", 0.004, "nonnegative", "psi of the momentum schedule mu_t"))
NAdamParams = record("NAdamParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    lr = rate(hp, t)
    eps = hp.eps
    # The powers 0.96^(t psi) of the momentum schedule and beta2^t are running products (rows 4
    # and 3, column 0): one multiplication each per step instead of three powers (0.96^psi
    # is a power of the record's constants).
    q = 0.96**hp.momentum_decay
    qt = decayed(state[4, 0], q)
    mu = hp.beta1 * (1.0 - 0.5 * qt)  # mu_t = beta1 (1 - 0.96^(t psi) / 2)
    mu_next = hp.beta1 * (1.0 - 0.5 * (qt * q))
    product = decayed(state[2, 0], mu)  # prod_{i <= t} mu_i
    b2t = decayed(state[3, 0], hp.beta2)
    c_grad = over(lr * (1.0 - mu), 1.0 - product)
    c_avg = over(lr * mu_next, 1.0 - product * mu_next)
    s = inverse_root(1.0 - b2t)  # once per step: per j, one root and one division
    # the products kept in every coordinate, as Adam's, in a loop of their own (see
    # adam.keep_powers: stores inside the moments' loop slow it down by 1.4x)
    for j in range(theta.shape[0]):
        state[2, j] = product
        state[3, j] = b2t
        state[4, j] = qt
    for j in range(theta.shape[0]):
        m, v = moments(hp, g, state, j)
        theta[j] -= (c_grad * g[j] + c_avg * m) / (np.sqrt(v) * s + eps)


@kernel
def _effective(hp, state, t, out):
    second_moment_effective(hp, state, t, out, 1, 3)  # Adam's: lr / (sqrt(v / (1 - b2^t)) + eps)


attach(NAdamParams, step=_step, effective=_effective)


def nadam(learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
          eps: float = 1e-8, momentum_decay: float = 0.004) -> UpdateRule:
    r"""NAdam (Dozat 2016), as ``torch.optim.NAdam`` computes it, momentum schedule included.

    Per coordinate, :math:`m_0 = v_0 = 0`, with the momentum schedule
    :math:`\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t \psi})` (``psi = momentum_decay``) and its
    running product :math:`\Pi_t = \prod_{i \le t} \mu_i`:

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        d_t = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon,

        \theta_t = \theta_{t-1} - \eta \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
                 - \eta \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}

    The first term is the bias-corrected current gradient, the second the bias-corrected
    momentum *one step ahead* (Nesterov's look-ahead, applied to the moment instead of the
    point, so the gradient is taken at :math:`\theta` itself). ``eps`` is added **outside** the
    square root of the bias-corrected second moment, as in torch and Adam. The schedule
    :math:`\mu_t` is Dozat's (the 0.96 and the default :math:`\psi = 0.004` are torch's); with
    ``momentum_decay = 0`` it is the constant :math:`\beta_1 / 2`. The powers
    :math:`0.96^{t\psi}` and :math:`\beta_2^t` are kept as running products in the state (rows
    ``momentum_power`` and ``beta2_power``; :math:`\beta_2^t` as the product of the decays
    actually used, when the adaptive schedule changes them, as :func:`~graddescent.rules.adam`),
    one multiplication each per step instead of three powers, and the two terms share one
    division by :math:`d_t`; the same numbers to rounding. Effective step per unit of gradient:
    :math:`\eta / d_t`. Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.002
        :math:`\eta` (torch's default).
    beta1, beta2 : float, default 0.9, 0.999
        Decays in [0, 1) of the moments.
    eps : float, default 1e-8
        Added outside the square root.
    momentum_decay : float, default 0.004
        :math:`\psi \ge 0` of the momentum schedule.

    Returns
    -------
    UpdateRule

    References
    ----------
    T. Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016 workshop.
    """
    return SPEC.make(learning_rate, beta1=beta1, beta2=beta2, eps=eps,
                     momentum_decay=momentum_decay)


def _initial_state(rule, state):
    state[2:5] = 1.0  # the empty products: of the momentum schedule, beta2^0, 0.96^0


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _reference(rule, theta, g, state, t):
    # the powers as the paper writes them (the kernel keeps running products)
    state["momentum_power"] = np.full_like(theta, 0.96 ** (t * rule.momentum_decay))
    state["beta2_power"] = np.full_like(theta, rule.beta2**t)
    mu = rule.beta1 * (1 - 0.5 * 0.96 ** (t * rule.momentum_decay))
    mu_next = rule.beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * rule.momentum_decay))
    state["mu_product"] = state["mu_product"] * mu
    state["m"] = rule.beta1 * state["m"] + (1 - rule.beta1) * g
    state["v"] = rule.beta2 * state["v"] + (1 - rule.beta2) * g**2
    denom = np.sqrt(state["v"] / (1 - rule.beta2**t)) + rule.eps
    lr = _lr(rule, t)
    return (theta - lr * (1 - mu) / (1 - state["mu_product"]) * g / denom
            - lr * mu_next / (1 - state["mu_product"] * mu_next) * state["m"] / denom)


SPEC = register(RuleSpec(
    name="nadam", params=NAdamParams,
    hyperparameters=HYPERPARAMETERS,
    state=("m", "v", "mu_product", "beta2_power", "momentum_power"), factory=nadam,
    default_learning_rate=0.002,
    auto_rate=("target", 0.01), self_damping=False, annealed_decays=("beta2",),
    annealed_momenta=("beta1",), initial_state=_initial_state, reference_step=_reference,
    reference_effective=lambda rule, s, t, p: _lr(rule, t) / (
        np.sqrt(s["v"] / (1 - rule.beta2**t)) + rule.eps),
    reference_initial=lambda rule, p: {"m": np.zeros(p), "v": np.zeros(p),
                                       "mu_product": np.ones(p), "beta2_power": np.ones(p),
                                       "momentum_power": np.ones(p)},
    examples={"nadam": {"learning_rate": 0.05}},
    torch="NAdam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps}, "
          "momentum_decay={momentum_decay})",
))

r"""RMSprop (Tieleman & Hinton 2012), optionally centred and with momentum (Graves 2013)."""

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

HYPERPARAMETERS = (
    Hyperparameter("rho", 0.9, "unit", "decay of the squared-gradient average",
                   r_name="momentum"),
    Hyperparameter("eps", 1e-8, "positive", "added outside the square root"),
    Hyperparameter("momentum", 0.0, "unit", "momentum of the normalised step"),
    Hyperparameter("centered", False, "bool", "divide by the centred second moment"))
RMSpropParams = record("RMSpropParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    """RMSprop's four variants (plain, centred, momentum, both), one branch-free loop each (the
    flags are tested once per step, outside the loops, so that each loop vectorizes)."""
    p = theta.shape[0]
    lr = rate(hp, t)
    rho = hp.rho
    mu = hp.momentum
    eps = hp.eps
    if hp.centered and mu > 0.0:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            gbar = rho * state[1, j] + (1.0 - rho) * g[j]
            state[1, j] = gbar
            buf = mu * state[2, j] + g[j] / (np.sqrt(v - gbar * gbar) + eps)
            state[2, j] = buf
            theta[j] -= lr * buf
    elif hp.centered:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            gbar = rho * state[1, j] + (1.0 - rho) * g[j]
            state[1, j] = gbar
            theta[j] -= lr * g[j] / (np.sqrt(v - gbar * gbar) + eps)
    elif mu > 0.0:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            buf = mu * state[2, j] + g[j] / (np.sqrt(v) + eps)
            state[2, j] = buf
            theta[j] -= lr * buf
    else:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            theta[j] -= lr * g[j] / (np.sqrt(v) + eps)


@kernel
def _effective(hp, state, t, out):
    lr = rate(hp, max(t, 1))
    for j in range(out.shape[0]):
        v = state[0, j] - state[1, j] * state[1, j] if hp.centered else state[0, j]
        out[j] = lr / (np.sqrt(max(v, 0.0)) + hp.eps) / (1.0 - hp.momentum)


@kernel(inline=True)
def _step_at(hp, theta, j, gj, state, t):
    """:func:`_step` at coordinate ``j`` alone (its arithmetic, the variant's branch)."""
    rho = hp.rho
    v = rho * state[0, j] + (1.0 - rho) * gj * gj
    state[0, j] = v
    if hp.centered:
        gbar = rho * state[1, j] + (1.0 - rho) * gj
        state[1, j] = gbar
        a = np.sqrt(v - gbar * gbar) + hp.eps
    else:
        a = np.sqrt(v) + hp.eps
    if hp.momentum > 0.0:
        buf = hp.momentum * state[2, j] + gj / a
        state[2, j] = buf
        theta[j] -= rate(hp, t) * buf
    else:
        theta[j] -= rate(hp, t) * gj / a


@kernel(inline=True)
def _skipped(hp, theta, j, state, t, k):
    """``k`` steps with a zero gradient at coordinate ``j``: the averages decay by
    ``rho^k``; without momentum ``theta`` stays, with it ``b <- mu b`` and ``theta -= lr b``
    each step, so ``theta -= lr (mu + ... + mu^k) b`` and ``b <- mu^k b`` (a constant rate:
    :func:`_skips_exactly`)."""
    q = hp.rho**k
    state[0, j] *= q
    if hp.centered:
        state[1, j] *= q
    if hp.momentum > 0.0:
        total, m = geometric(hp.momentum, k)
        theta[j] -= hp.lr * (state[2, j] * total)
        state[2, j] *= m


@kernel(inline=True)
def _skips_exactly(hp):
    """With momentum, a skipped step still moves ``theta`` by ``rate_t b``: under a schedule
    the sum of ``rate_t mu^i`` has no closed form of fixed cost."""
    return hp.momentum == 0.0 or hp.power_t == 0.0


attach(RMSpropParams, step=_step, effective=_effective, coordinate_step=_step_at,
       skipped_steps=_skipped, skips_exactly=_skips_exactly)


def rmsprop(learning_rate: float = 0.1, rho: float = 0.9, eps: float = 1e-8,
            momentum: float = 0.0, centered: bool = False) -> UpdateRule:
    r"""RMSprop (Tieleman & Hinton 2012), optionally centred and with momentum (Graves 2013).

    Algorithm (per coordinate, :math:`v_0 = \bar g_0 = b_0 = 0`)::

        v = rho * v + (1 - rho) * g**2
        if centered:  gbar = rho * gbar + (1 - rho) * g;  a = sqrt(v - gbar**2) + eps
        else:         a = sqrt(v) + eps
        if momentum > 0:  b = momentum * b + g / a;  theta -= lr * b
        else:             theta -= lr * g / a

    ``eps`` is added **outside** the root, as in torch (optax and Keras put it inside).
    Effective step: ``lr / a / (1 - momentum)``. R gradDescent's ``RMSPROP`` keeps one scalar
    average shared by all coefficients.

    Sparse rows (mini-batch and single-row steps without a penalty): ``k`` steps with a zero
    gradient at a coordinate multiply ``v`` (and ``gbar``) by ``rho**k`` and, without momentum,
    leave ``theta``; with momentum they give ``theta -= lr * b * mu * (1 - mu**k) / (1 - mu)``
    and ``b *= mu**k``. The drivers apply this when a row next touches the coordinate, so a
    step costs the rows' nonzeros; but with momentum under a decaying rate (``power_t > 0``)
    the missed steps' sum of ``rate_t * mu**i`` has no closed form, and the steps are dense
    (O(columns)).

    Parameters
    ----------
    learning_rate : float, default 0.1
        (R: ``alpha``).
    rho : float, default 0.9
        Decay of the squared-gradient average (R: ``momentum``, which means this decay there).
    eps : float, default 1e-8
    momentum : float, default 0.0
        Momentum of the normalised step (0 = none).
    centered : bool, default False

    Returns
    -------
    UpdateRule

    References
    ----------
    T. Tieleman, G. Hinton, Lecture 6e of "Neural networks for machine learning", 2012;
    A. Graves, "Generating sequences with recurrent neural networks", arXiv:1308.0850, eqs. 38-41.
    """
    return SPEC.make(learning_rate, rho=rho, eps=eps, momentum=momentum, centered=centered)


def _lr(rule, t):
    return rule.learning_rate / t ** rule.power_t if rule.power_t else rule.learning_rate


def _reference(rule, theta, g, state, t):
    state["v"] = rule.rho * state["v"] + (1 - rule.rho) * g**2
    if rule.centered:
        state["gbar"] = rule.rho * state["gbar"] + (1 - rule.rho) * g
        a = np.sqrt(state["v"] - state["gbar"] ** 2) + rule.eps
    else:
        a = np.sqrt(state["v"]) + rule.eps
    if rule.momentum > 0:
        state["buf"] = rule.momentum * state["buf"] + g / a
        return theta - _lr(rule, t) * state["buf"]
    return theta - _lr(rule, t) * g / a


def _reference_effective(rule, state, t, p):
    v = state["v"] - state["gbar"] ** 2 if rule.centered else state["v"]
    return _lr(rule, t) / (np.sqrt(v) + rule.eps) / (1 - rule.momentum)


SPEC = register(RuleSpec(
    name="rmsprop", params=RMSpropParams,
    hyperparameters=HYPERPARAMETERS,
    state=("v", "gbar", "buf"), factory=rmsprop, default_learning_rate=0.1,
    auto_rate=("target", 0.003), self_damping=False, annealed_decays=("rho",),
    annealed_momenta=("momentum",), reference_step=_reference,
    reference_effective=_reference_effective,
    examples={"rmsprop": {"learning_rate": 0.01},
              "rmsprop_centered": {"learning_rate": 0.01, "centered": True},
              "rmsprop_momentum": {"learning_rate": 0.01, "momentum": 0.9},
              "rmsprop_centered_momentum": {"learning_rate": 0.005, "momentum": 0.5,
                                            "centered": True}},
    torch="RMSprop(lr={learning_rate}, alpha={rho}, eps={eps}, momentum={momentum}, "
          "centered={centered})",
))

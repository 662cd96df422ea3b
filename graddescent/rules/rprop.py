r"""Resilient backpropagation, iRprop- (Riedmiller & Braun 1993; Igel & Huesken 2000): one step
size per coordinate, grown while the gradient keeps its sign and shrunk when it flips."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from .base import Hyperparameter, RuleSpec, UpdateRule, attach, record, register

#: Growth and shrink factors (Igel & Huesken 2000, and torch.optim.Rprop's defaults).
ETA_PLUS = 1.2
ETA_MINUS = 0.5
#: torch.optim.Rprop's default step-size bounds.
STEP_MIN = 1e-6
STEP_MAX = 50.0


HYPERPARAMETERS = (Hyperparameter("step_min", STEP_MIN, "positive", "smallest step size"),
                   Hyperparameter("step_max", STEP_MAX, "positive", "largest step size"))
RpropParams = record("RpropParams", HYPERPARAMETERS)


@kernel(inline=True)
def _step(hp, theta, g, state, t):
    for j in range(theta.shape[0]):
        gj = g[j]
        s = gj * state[1, j]
        step = state[0, j]
        if s > 0.0:
            step = min(step * ETA_PLUS, hp.step_max)
        elif s < 0.0:
            step = max(step * ETA_MINUS, hp.step_min)
            gj = 0.0
        state[0, j] = step
        state[1, j] = gj
        if gj > 0.0:
            theta[j] -= step
        elif gj < 0.0:
            theta[j] += step


@kernel
def _effective(hp, state, t, out):
    for j in range(out.shape[0]):
        out[j] = np.nan  # the step does not scale with the gradient


attach(RpropParams, step=_step, effective=_effective)


def rprop(learning_rate: float = 0.1, step_min: float = STEP_MIN,
          step_max: float = STEP_MAX) -> UpdateRule:
    r"""Resilient backpropagation, iRprop- (Riedmiller & Braun 1993; Igel & Huesken 2000).

    Per coordinate, with :math:`s = g_t g_{t-1}`: if :math:`s > 0` the step size grows by 1.2
    (at most ``step_max``); if :math:`s < 0` it shrinks by 0.5 (at least ``step_min``) and
    :math:`g_t` is set to 0; then :math:`\theta \mathrel{-}= \mathrm{sign}(g_t)\,\Delta`.
    This is ``torch.optim.Rprop`` (``step_sizes=(step_min, step_max)``). It has no effective
    step per unit of gradient (its steps ignore the gradient's size).
    **Full batch only**: a sign method breaks on noisy mini-batch gradients (which is why
    RMSprop was proposed). Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.1
        Initial step size of every coordinate.
    step_min, step_max : float, default 1e-6, 50
        Bounds on the step sizes (torch's defaults). They are absolute, so they bound the
        precision in the units of the coefficients: :class:`~graddescent.GDRegressor` sets
        them relative to its learning rate (``1e-6`` and ``5000`` times it).

    Returns
    -------
    UpdateRule

    References
    ----------
    M. Riedmiller, H. Braun, "A direct adaptive method for faster backpropagation learning: the
    RPROP algorithm", 1993; C. Igel, M. Huesken, "Improving the Rprop learning algorithm", 2000.
    """
    rule = SPEC.make(learning_rate, step_min=step_min, step_max=step_max)
    if not rule.step_max >= rule.step_min:
        raise ValueError(f"step_max must be at least step_min, got {step_max!r} < {step_min!r}.")
    return rule


def _initial_state(rule, state):
    state[0] = rule.learning_rate


def _reference(rule, theta, g, state, t):
    sign = g * state["gprev"]
    state["step"] = np.where(sign > 0, np.minimum(state["step"] * 1.2, rule.step_max),
                             state["step"])
    state["step"] = np.where(sign < 0, np.maximum(state["step"] * 0.5, rule.step_min),
                             state["step"])
    g = np.where(sign < 0, 0.0, g)
    state["gprev"] = g
    return theta - np.sign(g) * state["step"]


SPEC = register(RuleSpec(
    name="rprop", params=RpropParams,
    hyperparameters=HYPERPARAMETERS,
    state=("step", "gprev"), factory=rprop, default_learning_rate=0.1,
    auto_rate=("target", 0.01), self_damping=True, full_batch_only=True,
    follow_rate={"step_min": 1e-6, "step_max": 5000.0}, initial_state=_initial_state,
    reference_step=_reference,
    reference_initial=lambda rule, p: {"step": np.full(p, rule.learning_rate),
                                       "gprev": np.zeros(p)},
    examples={"rprop": {"learning_rate": 0.05}},
    torch="Rprop(lr={learning_rate}, step_sizes=({step_min}, {step_max}))",
))

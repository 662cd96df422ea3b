r"""When a fit has diverged: the error, the kernels' status check and the objective monitor.

A fit stops with :class:`DivergenceError` (a ValueError that says to scale the data or lower the
learning rate) when its iterates overflow (a kernel returns a status other than
:data:`graddescent._jit.OK`: :func:`raise_if_diverged`), or by the criterion of
:class:`DivergenceMonitor`, which the :class:`~graddescent.drivers.Optimizer` feeds with every
objective value the engine computes: the objective exceeds :data:`DIVERGENCE_FACTOR` times its
reference, or it grew at :data:`DIVERGENCE_STREAK` consecutive evaluations while above it. The
second criterion stops a diverging fit before anything overflows.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import OK
from ..rules import UpdateRule

__all__ = ["DivergenceError", "DIVERGENCE_MESSAGE", "DIVERGENCE_FACTOR", "DIVERGENCE_STREAK",
           "DivergenceMonitor", "raise_if_diverged"]


class DivergenceError(ValueError, FloatingPointError):
    """The fit diverged (the learning rate is too large for the data, or the data unscaled).

    Raised when the iterates overflow, or by the criterion of :class:`DivergenceMonitor`.
    ``reason`` says which (e.g. ``"the objective grew at 50 consecutive evaluations"``);
    ``t``, when known, is the update step count at which the divergence was seen (None
    otherwise).
    """

    def __init__(self, message: str, reason: str = "the coefficients overflowed to inf/NaN",
                 t: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.t = t


DIVERGENCE_MESSAGE = (
    "The fit diverged: the coefficients overflowed to inf/NaN after {t} update steps with "
    "learning rate {lr:g}. Scale the data (e.g. variance_scaling or StandardScaler) or lower "
    "the learning rate (alpha)."
)


#: A fit diverges when its objective exceeds this many times its reference, ``max(f(theta_0),
#: Var(y) / 2)``: the objective where the fit started, or that of the best constant prediction
#: when the start is already better. Measured (``python -m benchmarks.divergence_margin``, 900
#: converging fits): converging fits peak at up to 3.7 times the reference in the R-style API
#: and 1.1e4 in GDRegressor (RMSprop at learning rate 1, the target unscaled); diverging ones
#: pass 1e6 within a few steps.
DIVERGENCE_FACTOR = 1e6
#: ... or when it grew at this many consecutive evaluations while above its reference (slow
#: divergence, e.g. a step just above ``2 / L``). Growth below the reference is not counted:
#: momentum methods legitimately rise for up to ``~4 / (1 - momentum)`` steps near the optimum.
#: The longest rise above the reference of a converging fit measured was 4 evaluations.
DIVERGENCE_STREAK = 50

_FEW = 16  # DivergenceMonitor.observe: up to this many values, one at a time

_BLOW_UP_MESSAGE = (
    "The fit diverged: {reason} after {t} update steps with learning rate {lr:g}. Scale the "
    "data (e.g. variance_scaling or StandardScaler) or lower the learning rate (alpha)."
)


class DivergenceMonitor:
    """The engine's divergence criterion, fed with the objective wherever the engine has it.

    The :class:`~graddescent.drivers.Optimizer` makes one per data set (at the first run on it)
    and feeds it, after every call, with the objective at the end of the call and with the
    values the driver's kernel recorded during it (the full-batch driver records the objective
    of every step, at no cost); so the criterion costs one pass over the data per call and
    nothing inside the compiled loops. Each value comes with the step count ``t`` of its point;
    a value whose ``t`` was already seen is skipped.

    Parameters
    ----------
    start : float
        The objective at the starting point.
    scale : float
        ``Var(y) / 2``, the objective of the best constant prediction
        (:func:`graddescent.objective.loss_scale`).
    t : int
        The step count at the starting point.

    Attributes
    ----------
    reference : float
        ``max(start, scale)``.
    peak : float
        The largest objective seen so far, over ``reference``.
    streak : int
        The current run of rises above the reference.
    longest_rise : int
        The longest such run so far.
    """

    def __init__(self, start: float, scale: float, t: int) -> None:
        self.start = float(start)
        self.reference = max(float(start), float(scale))
        self.last = float(start)
        self.last_t = int(t)
        self.streak = 0
        self.peak = self.start / self.reference
        self.longest_rise = 0

    def observe(self, values: np.ndarray, tags: np.ndarray, rule: UpdateRule) -> None:
        """Take objective values (``tags``: the step count of each point, increasing); raise
        :class:`DivergenceError` when the criterion holds (``rule``: for the message).

        Values all at or below the reference are taken at once (nothing can count against the
        criterion); otherwise a few values go through :meth:`observe_one` one at a time and
        many (a full-batch call's steps) are screened with whole-array operations, with the
        same result.
        """
        values = np.asarray(values, dtype=np.float64)
        tags = np.asarray(tags)
        if values.shape[0] and int(tags[0]) <= self.last_t:  # skip the points already seen
            first = int(np.searchsorted(tags, self.last_t, side="right"))
            values, tags = values[first:], tags[first:]
        if values.shape[0] == 0:
            return
        top = float(values.max())  # NaN when any is NaN: then not <= below
        if top <= self.reference:
            # the common case, decided at once: nothing above the reference, so nothing over
            # the bound and no rise counted (what the loop below would conclude)
            self.peak = max(self.peak, top / self.reference)
            self.streak = 0
            self.last, self.last_t = float(values[-1]), int(tags[-1])
            return
        if values.shape[0] <= _FEW:
            for value, t in zip(values.tolist(), tags.tolist(), strict=True):
                self.observe_one(value, t, rule)
            return
        finite = np.isfinite(values)
        if finite.any():
            self.peak = max(self.peak, float(np.max(values[finite])) / self.reference)
        over = ~(values <= DIVERGENCE_FACTOR * self.reference)  # NaN included
        if over.any():
            k = int(np.argmax(over))
            self._raise(float(values[k]), int(tags[k]), rule, rising=False)
        previous = np.concatenate(([self.last], values[:-1]))
        rising = (values > previous) & (values > self.reference)
        index = np.arange(values.size)
        last_fall = np.maximum.accumulate(np.where(rising, -1, index))
        run = index - last_fall + np.where(last_fall < 0, self.streak, 0)
        self.longest_rise = max(self.longest_rise, int(run.max()))
        if run.max() >= DIVERGENCE_STREAK:
            k = int(np.argmax(run >= DIVERGENCE_STREAK))
            self._raise(float(values[k]), int(tags[k]), rule, rising=True)
        self.streak = int(run[-1]) if rising[-1] else 0
        self.last = float(values[-1])
        self.last_t = int(tags[-1])

    def observe_one(self, value: float, t: int, rule: UpdateRule) -> None:
        """Take one objective value at step count ``t`` (see :meth:`observe`)."""
        if t <= self.last_t:
            return
        if math.isfinite(value):
            self.peak = max(self.peak, value / self.reference)
        if not value <= DIVERGENCE_FACTOR * self.reference:
            self._raise(value, t, rule, rising=False)
        if value > self.last and value > self.reference:
            self.streak += 1
            self.longest_rise = max(self.longest_rise, self.streak)
            if self.streak >= DIVERGENCE_STREAK:
                self._raise(value, t, rule, rising=True)
        else:
            self.streak = 0
        self.last, self.last_t = value, t

    def _raise(self, value: float, t: int, rule: UpdateRule, rising: bool) -> None:
        if rising:
            reason = (f"the objective grew at {DIVERGENCE_STREAK} consecutive evaluations, to "
                      f"{value:.3g} (above its reference {self.reference:.3g})")
        elif math.isfinite(value):
            reason = (f"the objective rose to {value:.3g}, more than {DIVERGENCE_FACTOR:g} "
                      f"times its reference {self.reference:.3g} (its start, or Var(y) / 2 when "
                      f"larger)")
        else:
            reason = "the objective overflowed to inf/NaN"
        raise DivergenceError(_BLOW_UP_MESSAGE.format(reason=reason, t=t,
                                                      lr=rule.learning_rate), reason, t)


def raise_if_diverged(status: int, t: int, rule: UpdateRule) -> None:
    """Raise :class:`DivergenceError` when a kernel returned a status other than OK."""
    if status != OK:
        raise DivergenceError(DIVERGENCE_MESSAGE.format(t=t, lr=rule.learning_rate), t=t)

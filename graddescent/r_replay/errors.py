"""The replay's contract with R: R's errors raised, R's NaN and Inf returned with a warning.

Where R gradDescent 3.0 stops with an error, the replay raises :class:`RError` naming R's
message. Where R returns NaN or Inf without a word (a constant column under scaling, an NA in
the data, steps that overflow), the replay returns the same numbers and warns once with
:class:`RNonFiniteWarning`, naming the cause and the step at which theta stopped being finite.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RError", "RNonFiniteWarning", "Trace"]


class RError(ValueError):
    """An error R gradDescent 3.0 itself raises for these arguments (the replay raises it too)."""


class RNonFiniteWarning(RuntimeWarning):
    """R returns NaN or Inf here; the replay returns R's numbers and says why."""


class Trace:
    """Where a learner's theta first stopped being finite.

    Attributes
    ----------
    step : int or None
        The iteration (R's ``iteration`` of ``1:maxIter``) after which theta first held a NaN
        or an infinity; None while theta is finite.
    coefficient : int or None
        The first non-finite coefficient then (0 is the intercept).
    value : float or None
        Its value (NaN, Inf or -Inf).
    """

    def __init__(self) -> None:
        self.step: int | None = None
        self.coefficient: int | None = None
        self.value: float | None = None

    def check(self, theta: np.ndarray, step: int) -> None:
        """Record ``step`` if it is the first after which ``theta`` is not finite."""
        if self.step is None and not np.isfinite(theta).all():
            self.step = step
            self.coefficient = int(np.flatnonzero(~np.isfinite(theta))[0])
            self.value = float(theta[self.coefficient])

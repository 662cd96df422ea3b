"""R's update rules, as R gradDescent 3.0 writes them (ALGORITHMS.md section 5).

Each rule is called as ``rule(theta, g) -> new theta``. The adaptive rules carry scalar state
from coefficient to coefficient, in column order, as R does (not one state per coefficient).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["Adadelta", "Adagrad", "Adam", "Momentum", "Plain", "RMSprop", "Rule", "SMOOTH"]

SMOOTH = 1e-7  # R's `smooth` in ADADELTA, RMSPROP and ADAM

Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


class Plain:
    """``theta_j - alpha * g_j``."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        return theta - self.alpha * g


class Momentum:
    """R's MGD rule ``u = momentum u + alpha g; theta -= u``, with AGD's look-ahead."""

    def __init__(self, alpha: float, momentum: float, size: int) -> None:
        self.alpha, self.momentum = alpha, momentum
        self.u = np.zeros(size)

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.u = self.momentum * self.u + self.alpha * g
        return theta - self.u

    def look_ahead(self, theta: np.ndarray) -> np.ndarray:
        """AGD's first move, kept: ``theta - u * momentum``."""
        return theta - self.u * self.momentum


class _SharedScalarRule:
    """R's adaptive rules: scalar state carried from coefficient to coefficient, in column order.

    Subclasses give ``_coordinate(j, theta_j, g_j) -> new theta_j``. Arithmetic is on NumPy
    scalars so that a zero divisor gives Inf/NaN as in R instead of raising.
    """

    def __call__(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            pairs = enumerate(zip(theta, g, strict=True))
            return np.array([self._coordinate(j, t, gj) for j, (t, gj) in pairs])

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        raise NotImplementedError


class Adagrad(_SharedScalarRule):
    """Sum of squares of every gradient component seen so far; no epsilon."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.total = np.float64(0.0)  # gradientList %*% t(gradientList), a left-to-right sum

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        self.total = self.total + g * g
        return theta_j - (self.alpha / np.sqrt(self.total)) * g


class Adadelta(_SharedScalarRule):
    """Shared ``Eg``, ``Ex`` and RMS of updates; ``u_j`` is coefficient j's previous update."""

    def __init__(self, rho: float) -> None:
        self.rho = rho
        self.eg = self.ex = self.rms_update = np.float64(0.0)
        self.update: dict[int, np.float64] = {}  # R's updateRule, 0 before the first step

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        rho = self.rho
        previous = self.update.get(j, 0.0)
        self.eg = (rho * self.eg) + (1 - rho) * (g * g)
        rms_gradient = np.sqrt(self.eg + SMOOTH)
        self.ex = (rho * self.ex) + (1 - rho) * (previous * previous)
        self.update[j] = (self.rms_update / rms_gradient) * g
        self.rms_update = np.sqrt(self.ex + SMOOTH)
        return theta_j - self.update[j]


class RMSprop(_SharedScalarRule):
    """One shared average of squared gradients; epsilon inside the root."""

    def __init__(self, alpha: float, rho: float) -> None:
        self.alpha, self.rho = alpha, rho
        self.e = np.float64(0.0)

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        self.e = (self.rho * self.e) + (1 - self.rho) * (g * g)
        return theta_j - (self.alpha / np.sqrt(self.e + SMOOTH)) * g


class Adam(_SharedScalarRule):
    """Shared moments; bias correction by the constants ``1 - beta``; epsilon outside."""

    beta1, beta2 = 0.9, 0.999

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.m = self.v = np.float64(0.0)

    def _coordinate(self, j: int, theta_j: np.float64, g: np.float64) -> np.float64:
        b1, b2 = self.beta1, self.beta2
        self.m = (b1 * self.m) + (1 - b1) * g
        self.v = (b2 * self.v) + (1 - b2) * (g * g)
        m_hat, v_hat = self.m / (1 - b1), self.v / (1 - b2)
        return theta_j - (self.alpha / (np.sqrt(v_hat) + SMOOTH)) * m_hat

"""The optimizer: an update rule run by a driver on ``(X, y)``, with its state between calls."""

from __future__ import annotations

import math

import numpy as np

from ..rules import UpdateRule
from .base import DIVERGENCE_MESSAGE, DivergenceError, Driver

__all__ = ["Optimizer", "optimize"]


class Optimizer:
    """An update rule run by a driver on ``(X, y)``, with its state kept between calls.

    Parameters
    ----------
    rule : UpdateRule
    driver : Driver
    theta0 : array of shape (p,)
        Starting point, intercept first (copied).
    n_samples : int
        Rows of the data it will run on.

    Attributes
    ----------
    theta : ndarray of shape (p,)
        Current iterate, intercept first.
    t : int
        Update steps taken.
    units : int
        Units (driver iterations) run.
    """

    def __init__(self, rule: UpdateRule, driver: Driver, theta0: np.ndarray,
                 n_samples: int) -> None:
        self.rule = rule
        self.driver = driver
        self.theta = np.array(theta0, dtype=np.float64, copy=True)
        p = self.theta.shape[0]
        driver.check(n_samples, rule)
        self.rule_state = rule.init_state(p)
        self.driver_state = driver.init_state(n_samples, p)
        self.t = 0
        self.units = 0

    def run(self, X: np.ndarray, y: np.ndarray, n_units: int,
            rng: np.random.Generator) -> np.ndarray:
        """Run ``n_units`` driver iterations on ``(X, y)``; return ``theta`` (updated in place)."""
        if n_units > 0:
            self.t = self.driver.run(X, y, self.theta, self.rule, self.rule_state, self.t,
                                     self.driver_state, rng, int(n_units))
            self.units += int(n_units)
            self._check_finite()
        return self.theta

    def _check_finite(self) -> None:
        if not np.all(np.isfinite(self.theta)):
            raise DivergenceError(DIVERGENCE_MESSAGE.format(t=self.t, lr=self.rule.learning_rate))

    def run_epochs(self, X: np.ndarray, y: np.ndarray, n_epochs: int,
                   rng: np.random.Generator) -> np.ndarray:
        """Run ``n_epochs`` epochs; return ``theta`` after each, shape ``(n_epochs, p)``.

        An epoch is ``ceil(driver.units_per_epoch(n))`` units, as in :meth:`run`; the result is
        the same as running them one call at a time.
        """
        snapshots = np.empty((int(n_epochs), self.theta.shape[0]))
        if n_epochs > 0:
            self.t = self.driver.run_epochs(X, y, self.theta, self.rule, self.rule_state,
                                            self.t, self.driver_state, rng, snapshots)
            self.units += int(n_epochs) * math.ceil(self.driver.units_per_epoch(X.shape[0]))
            self._check_finite()
        return snapshots


def optimize(X: np.ndarray, y: np.ndarray, rule: UpdateRule, driver: Driver,
             theta0: np.ndarray, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Run ``rule`` under ``driver`` for ``n_units`` units from ``theta0``; return theta.

    ``X`` must be a float64 array of shape (n, d) and ``y`` of shape (n,); ``theta0`` has length
    ``d + 1``, intercept first.

    Examples
    --------
    >>> import numpy as np
    >>> from graddescent import rules, drivers
    >>> X = np.array([[0.5], [-1.0], [1.5], [2.0]]); y = np.array([1.0, -0.5, 2.0, 3.5])
    >>> theta = drivers.optimize(X, y, rules.plain(0.1), drivers.FullBatch(), np.zeros(2), 1,
    ...                          np.random.default_rng(0))
    >>> theta
    array([0.15 , 0.275])
    """
    opt = Optimizer(rule, driver, theta0, X.shape[0])
    return opt.run(X, y, n_units, rng)

"""GDRegressor's parameters resolved for one fit: the driver, the update rule, the schedule and the
stopping rule, with the defaults that depend on the data (``"auto"`` and None values).

:class:`FitSettings` reads the estimator's parameters (``get_params``) and nothing else of it,
so the estimator class holds only scikit-learn's contract. The measurements behind the defaults
are in ``docs/estimator.md``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _rule_options
from . import objective as O
from ._dask_fit import dask_driver
from ._registry import METHODS
from ._schedule import Patience, StepDecay
from .drivers import Driver, FullBatch, MiniBatch, Optimizer
from .drivers.distributed import DaskData, DaskFullBatch
from .problems import Problem
from .rules import UpdateRule

__all__ = ["FitSettings", "TOL_DEFAULT", "PRECISE", "MAX_ITER", "MAX_ITER_EXACT",
           "MAX_ITER_NOISY"]

#: The default ``tol``: scikit-learn's value, in units of ``Var(y) / 2``.
TOL_DEFAULT = 1e-3
#: ``tol="precise"``: exact gradients (the iterates converge) / noisy gradients (they hover).
TOL_EXACT, TOL_NOISY = 1e-14, 1e-9
#: ``n_iter_no_change=None``: scikit-learn's 5; 50 for the full-batch methods (an epoch is one
#: step, and momentum methods are not monotone: heavy ball went up to 47 steps without a new
#: best before converging) and under ``tol="precise"``.
PATIENCE, PATIENCE_LONG = 5, 50
#: ``max_iter=None``: scikit-learn's 1000 epochs; under ``tol="precise"``, for exact gradients
#: and for sampled ones (the adaptive schedule's last stage is the long one).
MAX_ITER = 1000
MAX_ITER_EXACT, MAX_ITER_NOISY = 10_000, 1_000_000
#: The adaptive schedule stops once the rate fell below this fraction of its starting value.
ADAPTIVE_FLOOR = 1e-6
#: ``tol="precise"``: ``rho`` None means this (RMSprop, Adadelta), not the rules' 0.9. With 0.9
#: the normalised single-row step ``g / sqrt(v)`` behaves like a sign and its fixed point is not
#: the least-squares solution (RMSprop stalled 10 to 70 % away from it on standardised diabetes,
#: and the adaptive schedule could not anneal it away within its budget).
RHO_PRECISE = 0.999
#: ``average=None`` with a sampled driver: the running mean of the iterates starts after this
#: many epochs (half a pass leaves the starting point behind: tail averaging). Not a whole
#: one: the first epoch's watched value would be the last iterate's, whose noise makes the
#: second epoch count as an improvement (7 epochs for adam and nadam at 100_000 x 8 against 6,
#: and a shorter average; docs/estimator.md).
AVERAGE_AFTER_EPOCHS = 0.5
#: ``tol`` values that ask for the optimum to float precision ("auto": the former default's name).
PRECISE = ("precise", "auto")


def auto_learning_rate(rule: UpdateRule, driver: Driver, X, y, l_max: float | None = None,
                       problem: Problem | None = None, sample_weight=None) -> float:
    """The measured default step of ``rule`` run by ``driver`` on ``(X, y)`` (the smoothness
    constant of ``problem`` with ``sample_weight``, when it is not plain least squares)."""
    def smoothness() -> float:
        if problem is None or (problem.is_least_squares and sample_weight is None):
            return driver.smoothness(X, l_max)
        if not problem.is_smooth:
            raise ValueError(f"learning_rate='auto' sets the step from the smoothness constant "
                             f"of the loss, and the {problem.loss} loss has none (no Lipschitz "
                             f"derivative): pass a number as learning_rate.")
        # l_max is plain least squares' (1 + max ||x_i||^2): the drivers take this problem's
        return driver.smoothness(X, None, problem=problem, sample_weight=sample_weight)

    def target_rms() -> float:
        if isinstance(y, DaskData):
            return float(np.sqrt(y.y_mean_square))
        if sample_weight is None:
            return float(np.sqrt(O.mean_square(y)))
        # integer weights are repeated rows: the RMS of the repeated targets
        return float(np.sqrt(np.dot(sample_weight, y * y) / np.sum(sample_weight)))

    return rule.auto_learning_rate(smoothness, target_rms, driver.is_noisy(X.shape[0]))


def optimal_t0(problem: Problem) -> float:
    """``t0`` of SGDRegressor's ``"optimal"`` schedule, ``eta_t = 1 / (alpha (t0 + t - 1))`` for
    steps ``t = 1, 2, ...``: Bottou's heuristic as scikit-learn computes it, ``t0 = 1 / (eta0
    alpha)`` with ``eta0 = typw / max(1, l'(-typw; y=1))`` and ``typw = 1 / sqrt(sqrt(alpha))``.
    For the regression losses the derivative at a prediction below the target is not positive,
    so ``eta0 = typw``."""
    typw = math.sqrt(1.0 / math.sqrt(problem.alpha))
    return 1.0 / (typw * problem.alpha)


@dataclasses.dataclass(frozen=True)
class FitSettings:
    """The estimator's parameters (``get_params(deep=False)``), resolved on demand."""

    params: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["params"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def precise(self) -> bool:
        return isinstance(self.tol, str) and self.tol in PRECISE

    def driver(self, n: int, dask: bool = False) -> Driver:
        """The driver for ``n`` training rows (``batch_size``, ``n_batch``, ``shuffle``, ...);
        for data held by Dask, the driver that runs the method there."""
        method = METHODS[self.method]
        settings = {"inner_iter": self.inner_iter, "option": int(self.option), "nu": self.nu,
                    "gamma_s": self.gamma_s}
        if method.driver_kwargs.get("n_batch") is not None:  # mbgd: batches per epoch
            settings["n_batch"] = self.n_batch
        # The registry's driver keeps the method's own row order (mbgd: flip-flop).
        driver = method.make_driver(batch_size=self.batch_size, **settings)
        if isinstance(driver, MiniBatch):
            if driver.is_full_batch(n):
                driver = FullBatch()  # one batch of every row is the full gradient
            elif not self.shuffle:
                driver = dataclasses.replace(driver, scheme="cyclic")
        return dask_driver(self.method, driver, n) if dask else driver

    def problem(self, weight_mean: float | None = None) -> Problem:
        """What is minimised: ``loss``, ``penalty`` and ``fit_intercept`` (and the mean weight
        the sample weights are divided by, :class:`~graddescent.problems.Problem`'s
        ``weight_mean``)."""
        return Problem(self.loss, epsilon=self.epsilon, penalty=self.penalty, alpha=self.alpha,
                       l1_ratio=self.l1_ratio, fit_intercept=self.fit_intercept,
                       weight_mean=weight_mean)

    def rule(self, driver: Driver, X, y, l_max: float | None, problem: Problem | None = None,
             sample_weight=None) -> UpdateRule:
        """The update rule with its settings; ``learning_rate="auto"`` resolved on ``(X, y)``;
        under the ``"optimal"`` schedule, rate ``1 / alpha`` with ``power_t`` 1 and the step
        offset ``t0 - 1`` of :func:`optimal_t0`, so that step ``t`` has rate ``1 / (alpha (t0 + t
        - 1))``."""
        method = METHODS[self.method]
        hyper = {name: self.params[name] for name in _rule_options.parameters_of(method.rule)}
        if self.precise and hyper.get("rho", 0.0) is None:
            hyper["rho"] = RHO_PRECISE
        rule = method.make_rule(**hyper)
        if self.schedule == "optimal":
            if not type(rule.hyperparameters()).LINEAR:
                plain = ", ".join(m.name for m in METHODS.values() if m.rule == "plain")
                raise ValueError(f"schedule='optimal' sets the plain rule's step 1 / (alpha (t0 "
                                 f"+ t)); the update rule {rule.name!r} of method "
                                 f"{self.method!r} keeps its own step. Use it with {plain}.")
            if problem is None or not problem.alpha > 0:
                raise ValueError("schedule='optimal' needs alpha > 0 (its step is 1 / (alpha "
                                 "(t0 + t))).")
            return rule.at_rate(1.0 / problem.alpha, 1.0, t0=optimal_t0(problem) - 1.0)
        lr = (auto_learning_rate(rule, driver, X, y, l_max, problem, sample_weight)
              if self.learning_rate == "auto" else float(self.learning_rate))
        power_t = float(self.power_t) if self.schedule_of(rule, driver, X.shape[0]) == \
            "invscaling" else 0.0
        # Hyperparameters that follow the rate (Rprop's step bounds; torch's are absolute: 1e-6
        # and 50) are set from it, so that the precision does not depend on the units of y.
        return rule.at_rate(lr, power_t)

    def schedule_of(self, rule: UpdateRule, driver: Driver, n: int) -> str:
        """``schedule``, None resolved: constant when the gradient is exact and the rule's step
        vanishes with it, or when it is sampled and the iterates are averaged (not under
        ``tol="precise"``; :meth:`average_of`); adaptive otherwise."""
        if self.schedule is not None:
            return self.schedule
        if driver.is_noisy(n):
            return "constant" if self.average_of(driver, n) and not self.precise else "adaptive"
        return "constant" if rule.self_damping else "adaptive"

    def average_of(self, driver: Driver, n: int, fit: bool = True) -> bool | int:
        """``average``, None resolved: for the sampled drivers (single rows, mini-batches) the
        running mean of the iterates after half an epoch (:data:`AVERAGE_AFTER_EPOCHS`), in
        a fit with a numeric ``tol`` only (not in ``partial_fit``); no averaging otherwise."""
        if self.average is not None:
            return self.average
        if not fit or self.precise or self.tol is None or not driver.is_noisy(n) \
                or not getattr(driver, "averages", False):
            return False
        return max(1, math.ceil(AVERAGE_AFTER_EPOCHS * driver.units_per_epoch(n)))

    def epochs(self, driver: Driver, n: int) -> int:
        """``max_iter``, None resolved."""
        if self.max_iter is not None:
            return int(self.max_iter)
        if not self.precise:
            return MAX_ITER
        return MAX_ITER_NOISY if driver.is_noisy(n) else MAX_ITER_EXACT

    def tolerance(self, driver: Driver, n: int) -> float:
        """``tol`` as a number (``-inf`` for None: nothing ever counts as a stall)."""
        if self.tol is None:
            return -math.inf
        if self.precise:
            return TOL_NOISY if driver.is_noisy(n) else TOL_EXACT
        return float(self.tol)

    def stopper(self, X, opt: Optimizer, sample_weight=None) -> Patience:
        """The stopping rule of this fit: patience, or the adaptive schedule's stages (whose
        precise form reads the curvature of ``opt``'s problem with ``sample_weight``)."""
        n = X.shape[0]
        one_step = isinstance(opt.driver, (FullBatch, DaskFullBatch))  # an epoch is one step
        patience = self.n_iter_no_change or (
            PATIENCE_LONG if one_step or self.precise else PATIENCE)
        tol = self.tolerance(opt.driver, n)
        if self.schedule_of(opt.rule, opt.driver, n) != "adaptive":
            return Patience(tol, patience)
        return StepDecay(X, tol, patience, floor=opt.rule.learning_rate * ADAPTIVE_FLOOR,
                         precise=self.precise, problem=opt.problem, sample_weight=sample_weight)


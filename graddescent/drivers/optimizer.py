"""The optimizer: an update rule run by a driver on ``(X, y)``, with its state between calls."""

from __future__ import annotations

import math

import numpy as np

from .. import objective as O
from .._sparse import CSRRows
from .._validation import (
    check_allocation,
    check_int,
    check_magnitudes,
    check_vector,
    describe_nonfinite,
    engine_arrays,
)
from ..problems import Problem
from ..rules import UpdateRule
from .averaging import Average
from .base import Driver, DriverState
from .divergence import DIVERGENCE_MESSAGE, DivergenceError, DivergenceMonitor

__all__ = ["Optimizer", "optimize"]


class Optimizer:
    """An update rule run by a driver on ``(X, y)``, with its state kept between calls.

    Every call checks ``X`` and ``y`` before a kernel sees them (shapes, dtype, contiguity:
    O(1) when they are float64 C arrays; a conversion is a copy, the caller's arrays are never
    written) and stops a diverging fit with :class:`~graddescent.DivergenceError`: when the
    iterates overflow, or by the criterion of :class:`~graddescent.drivers.DivergenceMonitor`
    (the objective more than ``DIVERGENCE_FACTOR = 1e6`` times ``max(f(theta_0), Var(y) / 2)``,
    or grown at ``DIVERGENCE_STREAK = 50`` consecutive evaluations while above that), checked
    on the watched objective (:func:`graddescent.objective.watched`: every row up to 4096 rows,
    a fixed systematic subsample of about 4096 rows above, so that watching costs a small
    fraction of an epoch) at the end of every call and after every epoch of
    :meth:`run_epochs`, and on the objective the full-batch kernel records at every step. The
    first call on a data set evaluates it at the starting point: when it is not finite, or
    when a fit stops on non-finite values, a ValueError names the column of ``X``, or ``y`` or
    ``theta0``, at fault.

    Parameters
    ----------
    rule : UpdateRule
    driver : Driver
    theta0 : array of shape (p,)
        Starting point, intercept first (copied).
    n_samples : int
        Rows of the data it will run on.
    problem : Problem or None
        What is minimised (:class:`graddescent.problems.Problem`; None: least squares). A
        method that cannot minimise it (:meth:`~graddescent.problems.Problem.check_method`)
        raises a ValueError here. Without the intercept, ``theta[0]`` is set to 0 and stays 0.
    average : bool or int
        Keep the running mean of the iterates (averaged SGD, as ``SGDRegressor(average=...)``):
        True averages every iterate, an int ``k >= 1`` those after updates ``k, k + 1, ...``;
        False (or 0) none. The mini-batch and full-batch drivers only (others raise).

    Attributes
    ----------
    theta : ndarray of shape (p,)
        Current iterate, intercept first.
    t : int
        Update steps taken.
    units : int
        Units (driver iterations) run.
    n_samples : int
        Rows of the data it runs on (the driver's state has one entry per row).
    objectives : ndarray
        The objective after each epoch of the last :meth:`run_epochs` call.
    monitor : DivergenceMonitor or None
        The divergence criterion of the current data set (None before the first run); its
        ``peak`` and ``longest_rise`` tell how close the fit came to it.
    theta_average : ndarray of shape (p,) or None
        With ``average``: the mean of the iterates after updates ``start, start + 1, ...``
        (``theta0`` until update ``start``); None without.
    average_snapshots : ndarray of shape (n_epochs, p) or None
        With ``average``: :attr:`theta_average` after each epoch of the last
        :meth:`run_epochs` call; None without.
    """

    def __init__(self, rule: UpdateRule, driver: Driver, theta0: np.ndarray,
                 n_samples: int, problem: Problem | None = None,
                 average: bool | int = False) -> None:
        self.rule = rule
        self.driver = driver
        self.problem = Problem() if problem is None else problem
        if not isinstance(self.problem, Problem):
            raise TypeError(f"problem must be a graddescent.problems.Problem or None, got "
                            f"{type(problem).__name__}.")
        self.problem.check_method(rule, driver)
        self.theta = check_vector("theta0", theta0)
        if not self.problem.fit_intercept:
            self.theta[0] = 0.0
        self.n_samples = check_int("n_samples", n_samples, low=1)
        p = self.theta.shape[0]
        if p < 1:
            raise ValueError("theta0 is empty; it needs the intercept, then one value per "
                             "feature.")
        driver.check(self.n_samples, rule)
        self.rule_state = rule.init_state(p)
        self.driver_state = driver.init_state(self.n_samples, p)
        self.t = 0
        self.units = 0
        self.objectives = np.empty(0)
        self.monitor: DivergenceMonitor | None = None
        self._data_key: tuple | None = None
        self._record = None  # the problem's compiled record on the current data
        self._weights: np.ndarray | None = None  # the sample weights it was made with
        start = _average_start(average)
        if start and not getattr(driver, "averages", False):
            raise ValueError(f"average is for the mini-batch and full-batch drivers (averaged "
                             f"SGD), not {driver.describe(self.n_samples)}.")
        self.theta_average = self.theta.copy() if start else None
        self.average_snapshots: np.ndarray | None = None
        self._av = {"av": Average(start, self.theta_average)} if start else {}

    def _watch(self, X, y, theta: np.ndarray) -> float:
        """The watched objective (:func:`graddescent.objective.watched`, or the problem's
        :meth:`~graddescent.problems.Problem.watched`; data held elsewhere, like Dask's,
        computes its own)."""
        own = None if isinstance(X, np.ndarray) else getattr(X, "watched", None)
        if own is not None:
            return own(theta, self._record)
        if self._record is None:
            return O.watched(X, y, theta)
        return self.problem.watched(X, y, theta, self._record)

    def _prepare(self, X, y, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """Checked ``(X, y)``; the problem's record and a new divergence reference on a new
        data set."""
        # (the mean weight the weights are divided by is part of the problem's record)
        key = (id(X), id(y), np.shape(X), np.shape(y), self.problem.weight_mean)
        if not self._same_weights(sample_weight):
            self._data_key = None  # new weights: a new record and divergence reference
            self._weights = None if sample_weight is None else np.array(sample_weight)
        # validated where it lives (Dask)
        remote = not isinstance(X, np.ndarray) and hasattr(X, "watched")
        # data held elsewhere hold their sample weights with their rows, and make the
        # problem's record (X.record); their drivers take it
        shared = getattr(self.driver, "takes_problem", False)
        if remote and sample_weight is not None:
            raise ValueError("data held elsewhere (Dask) hold their own sample weights (given "
                             "with the data), not sample_weight.")
        if remote and not shared and X.record(self.problem) is not None:
            raise ValueError(f"the {self.driver.name} driver runs plain least squares on data "
                             f"held elsewhere (Dask): no loss, penalty or sample weights.")
        if not remote:
            X, y = engine_arrays(X, y, self.theta.shape[0], self.n_samples)
        if key != self._data_key or self.monitor is None:
            plain = self.problem.is_least_squares and sample_weight is None
            if remote:
                self._record = X.record(self.problem) if shared else None
            else:
                self._record = None if plain else \
                    self.problem.record(sample_weight, X.shape[0])
            start = self._watch(X, y, self.theta)
            if not math.isfinite(start):
                raise ValueError(describe_nonfinite(X, y, self.theta) if not remote else
                                 "The objective is not finite at the starting point.")
            if remote:
                scale = X.loss_scale(self.problem)
            elif plain:
                scale = O.loss_scale(y)
            else:
                scale = self.problem.loss_scale(y, sample_weight)
            self.monitor = DivergenceMonitor(start, scale, self.t)
            self._data_key = key
        return X, y

    def objective_at(self, X, y, theta: np.ndarray, sample_weight=None) -> float:
        """The watched objective (the one the stopping rules see after each epoch) at
        ``theta`` on ``(X, y)``, e.g. to compare the averaged iterate with the last one."""
        X, y = self._prepare(X, y, sample_weight)
        return self._watch(X, y, theta)

    def _same_weights(self, sample_weight) -> bool:
        """Whether ``sample_weight`` holds the weights of the current record (the same object,
        or equal values: an estimator may pass a fresh array per call)."""
        old = self._weights
        if sample_weight is None or old is None:
            return sample_weight is None and old is None
        new = np.asarray(sample_weight)
        return new.shape == old.shape and bool(np.array_equal(new, old))

    def _diverged(self, X: np.ndarray, y: np.ndarray, exc: DivergenceError) -> None:
        """Re-raise ``exc``, naming the column instead when the data's values (non-finite, or
        too large in magnitude) are to blame."""
        if hasattr(X, "watched"):  # data held elsewhere: validated there
            raise exc
        values = X.data if isinstance(X, CSRRows) else X  # sparse: its nonzeros
        if not (np.isfinite(values).all() and np.isfinite(y).all()):
            raise ValueError(describe_nonfinite(X, y, self.theta)) from exc
        try:
            check_magnitudes(X, y)
        except ValueError as data_exc:
            raise DivergenceError(f"The fit diverged: {data_exc}",
                                  "the data are too large in magnitude", exc.t) from exc
        raise exc

    def run(self, X: np.ndarray, y: np.ndarray, n_units: int,
            rng: np.random.Generator, sample_weight: np.ndarray | None = None) -> np.ndarray:
        """Run ``n_units`` driver iterations on ``(X, y)`` (rows weighted by ``sample_weight``,
        one non-negative number per row); return ``theta`` (updated in place)."""
        if n_units > 0:
            # a guard before the drivers allocate per-unit records (one objective per unit)
            check_allocation("n_units", 2.0 * n_units, f"records of {n_units} iterations")
            X, y = self._prepare(X, y, sample_weight)
            t0 = self.t
            if isinstance(self.driver_state, DriverState):
                self.driver_state.objectives = None
            try:
                try:
                    self.t = self.driver.run(X, y, self.theta, self.rule, self.rule_state,
                                             self.t, self.driver_state, rng, int(n_units),
                                             self._record, **self._av)
                finally:  # the objectives recorded up to an overflow may tell more
                    recorded = getattr(self.driver_state, "objectives", None)
                    if recorded is not None:
                        self.monitor.observe(recorded, t0 + np.arange(recorded.shape[0]),
                                              self.rule)
                self.units += int(n_units)
                value = self._watch(X, y, self.theta)
                if not math.isfinite(value):  # (a finite objective has finite iterates)
                    self._check_finite()  # overflowed iterates say so; else the monitor does
                self.monitor.observe_one(value, self.t, self.rule)
            except DivergenceError as exc:
                self._diverged(X, y, exc)
        return self.theta

    def _check_finite(self) -> None:
        if not np.all(np.isfinite(self.theta)):
            raise DivergenceError(DIVERGENCE_MESSAGE.format(t=self.t, lr=self.rule.learning_rate),
                                  t=self.t)

    def run_epochs(self, X: np.ndarray, y: np.ndarray, n_epochs: int,
                   rng: np.random.Generator, sample_weight: np.ndarray | None = None
                   ) -> np.ndarray:
        """Run ``n_epochs`` epochs; return ``theta`` after each, shape ``(n_epochs, p)``.

        An epoch is ``driver.epoch_units(X)`` units, as in :meth:`run`; the result is
        the same as running them one call at a time. The objective after each epoch is kept in
        :attr:`objectives` (and checked for divergence).
        """
        snapshots = np.empty((int(n_epochs), self.theta.shape[0]))
        self.objectives = np.empty(0)
        means = None if self.theta_average is None else np.empty_like(snapshots)
        self.average_snapshots = means
        if n_epochs > 0:
            X, y = self._prepare(X, y, sample_weight)
            t0 = self.t
            # (the running means only where there is one: a driver of another package may not
            # know the argument, and never averages)
            extra = {} if means is None else {"means": means}
            try:
                self.t = self.driver.run_epochs(X, y, self.theta, self.rule, self.rule_state,
                                                self.t, self.driver_state, rng, snapshots,
                                                self._record, **extra, **self._av)
                self.units += int(n_epochs) * self.driver.epoch_units(X)
                self._check_finite()
                self.objectives = np.array([self._watch(X, y, theta) for theta in snapshots])
                tags = t0 + 1 + np.arange(snapshots.shape[0])
                tags[-1] = self.t
                self.monitor.observe(self.objectives, tags, self.rule)
            except DivergenceError as exc:
                self._diverged(X, y, exc)
        return snapshots


def optimize(X: np.ndarray, y: np.ndarray, rule: UpdateRule, driver: Driver,
             theta0: np.ndarray, n_units: int, rng: np.random.Generator, *,
             problem: Problem | None = None, sample_weight: np.ndarray | None = None,
             average: bool | int = False) -> np.ndarray:
    """Run ``rule`` under ``driver`` for ``n_units`` units from ``theta0``; return theta (the
    averaged iterate with ``average``).

    ``problem`` (None: least squares), ``sample_weight`` and ``average`` as in
    :class:`Optimizer`.

    ``X`` is an array of shape (n, d) and ``y`` of shape (n,) (converted to float64 when they
    are not); ``theta0`` has length ``d + 1``, intercept first. Mismatched shapes raise a
    ValueError before any kernel runs; a diverging fit raises
    :class:`~graddescent.DivergenceError` (see :class:`Optimizer`).

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
    n_units = check_int("n_units", n_units, low=0)
    theta0 = check_vector("theta0", theta0)
    X, y = engine_arrays(X, y, theta0.shape[0])
    opt = Optimizer(rule, driver, theta0, X.shape[0], problem, average)
    theta = opt.run(X, y, n_units, rng, sample_weight)
    return theta if opt.theta_average is None else opt.theta_average


def _average_start(average) -> int:
    """The first averaged update of ``average`` (0: no averaging)."""
    if isinstance(average, (bool, np.bool_)):
        return 1 if average else 0
    return check_int("average", average, low=0)

"""GDRegressor: every method of the package behind scikit-learn's estimator contract.

The estimator validates, resolves its settings and keeps an
:class:`~graddescent.drivers.Optimizer` (an update rule run by a driver, with its state); all the
arithmetic happens in that engine, exactly as for the R-style functions of
:mod:`graddescent.r_api`. What the estimator adds is the scikit-learn way of counting work
(epochs), of stopping (``tol``, ``n_iter_no_change``, ``early_stopping``) and of scheduling the
learning rate.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import numbers
import sys
import textwrap
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import objective as O
from . import rules
from ._registry import METHODS
from ._schedule import Patience, StepDecay
from ._validation import check_magnitudes, check_vector, magnitude_limit
from .drivers import DivergenceError, Driver, FullBatch, MiniBatch, Optimizer, SAGState
from .drivers.distributed import DaskData, DaskFullBatch, dask_predict, is_dask
from .rules import UpdateRule

__all__ = ["GDRegressor"]

# --- defaults measured as described in GDRegressor's Notes ------------------------------------
# (how learning_rate="auto" picks a rate, and which rules damp themselves, is each rule's own:
# graddescent.rules.base.RuleSpec.auto_rate and .self_damping)
#: tol="auto": exact gradients (the iterates converge) / noisy gradients (they hover).
_TOL_EXACT, _TOL_NOISY = 1e-14, 1e-9
#: max_iter=None: epochs for exact gradients (an epoch is one step of the full-batch methods)
#: and for sampled ones (the adaptive schedule's last stage is the long one; see Notes).
_MAX_ITER_EXACT, _MAX_ITER_NOISY = 10_000, 1_000_000
#: The adaptive schedule stops once the rate fell below this fraction of its starting value.
_ADAPTIVE_FLOOR = 1e-6


#: Epochs run in one compiled call hold at most this many snapshot values (epochs x params).
_BLOCK_VALUES = 1 << 16


def _auto_learning_rate(rule: UpdateRule, driver: Driver, X: np.ndarray,
                        y: np.ndarray, l_max: float | None = None) -> float:
    """The measured default step of ``rule`` run by ``driver`` on ``(X, y)``."""
    return rule.auto_learning_rate(lambda: driver.smoothness(X, l_max),
                                   lambda: float(np.sqrt(y.y_mean_square if isinstance(
                                       y, DaskData) else O.mean_square(y))),
                                   driver.is_noisy(X.shape[0]))


def _check_rows(X: np.ndarray) -> float:
    """One pass over ``X``: refuse NaN and infinite entries (scikit-learn's wording); return
    ``L_max = 1 + max_i ||x_i||^2``."""
    top, bad = O.scan_rows(X)
    if bad >= 0:
        kind = "NaN" if np.isnan(X[bad]).any() else "infinity or a value too large for " \
            "dtype('float64')"
        raise ValueError(f"Input X contains {kind} (row {bad}).")
    return 1.0 + float(top)


def _loss_scale(y: np.ndarray) -> float:
    """``Var(y) / 2``, the objective of the best constant prediction: the unit of ``tol``
    (:func:`graddescent.objective.loss_scale`; for Dask input, from its statistics)."""
    if isinstance(y, DaskData):
        return y.loss_scale()
    return O.loss_scale(y)


def _digest(X: np.ndarray, y: np.ndarray) -> bytes:
    """A digest of the rows ``(X, y)`` (to notice that partial_fit got other rows)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(memoryview(X).cast("B"))
    h.update(memoryview(np.ascontiguousarray(y)).cast("B"))
    return h.digest()


def _as_generator(random_state) -> np.random.Generator:
    """A Generator from None, an int, a RandomState (one integer drawn from it) or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(np.iinfo(np.int32).max)))
    return np.random.default_rng(random_state)


class GDRegressor(RegressorMixin, BaseEstimator):
    r"""Linear least squares fitted by any gradient-descent method of graddescent.

    Minimises :math:`f(b, w) = \frac{1}{2n}\sum_i (b + x_i \cdot w - y_i)^2` with one of the
    package's methods: an update rule (how a gradient becomes a step) run by a driver (which
    gradient estimate is formed, and when); see :data:`graddescent.METHODS`. The arithmetic is
    the engine of :mod:`graddescent.drivers`, shared with the R-style functions (``GD`` ...
    ``SARAHPlus``); this class adds scikit-learn's estimator contract, epochs, stopping rules and
    learning-rate schedules.

    Parameters
    ----------
    method : str, default="gd"
        <<methods>>
    learning_rate : float or "auto", default="auto"
        The step size (R: ``alpha``; Rprop: the initial step of every coordinate). ``"auto"``
        picks a measured default from the data at the start of a fit (see Notes) and reports it
        in ``learning_rate_``.
    schedule : {"constant", "invscaling", "adaptive"} or None, default=None
        ``"constant"``; ``"invscaling"``: step ``t`` uses ``learning_rate / t ** power_t``;
        ``"adaptive"``: step decay in stages. A stage runs at a constant rate until the watched
        objective (training, or validation under ``early_stopping``) has not improved by
        ``tol`` for ``n_iter_no_change`` epochs *and* the stage has lasted three time constants
        of the problem's slowest direction (``3 / lambda_min(D^1/2 H D^1/2)`` steps, ``H`` the
        Hessian ``[1, X]^T [1, X] / n`` and ``D`` the rule's per-coordinate step, formed when
        ``n_features < 500``). Then the fit stops if the stage neither improved the objective by
        ``tol * n_iter_no_change`` nor moved the coefficients by more than ``5e-4`` of their
        norm (less when the rate fell less than 5-fold since the previous stage, as Adagrad's
        does by itself); otherwise the effective rate is divided by 5 (and, for RMSprop,
        Adadelta, Adam and AMSGrad, ``1 - rho`` / ``1 - beta2`` and the momentum ``beta1`` too;
        see :meth:`graddescent.rules.UpdateRule.reduced`). It also stops after three stages in a
        row that improved the objective by less than ``tol * n_iter_no_change`` (the
        coefficients are then as good as the data determine them), or once the rate would fall
        below ``1e-6`` times its start. See :mod:`graddescent._schedule` for why.
        None (the method's natural schedule): constant when the gradient is exact (full batch,
        or a variance-reduced driver) and the rule's step vanishes with the gradient (plain,
        momentum, Nesterov, Adagrad, Rprop); adaptive otherwise, so that single-row and
        mini-batch methods (and RMSprop, Adadelta, Adam, AMSGrad) reach the optimum instead of a
        noise floor.
    power_t : float, default=0.25
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int or None, default=None
        Maximum number of epochs, i.e. passes over the training data, as in scikit-learn (one
        full-gradient step for the full-batch methods; ``n`` single-row steps for sgd, sagd and
        the single-row rules; ``n_batch`` batch steps for mbgd; one outer loop, a full gradient
        plus ``inner_iter`` inner steps, for ssgd, svrg, sarah and sarahplus). The R-style
        functions' ``max_iter`` counts R's iterations instead (one step, or one outer loop); see
        Notes for the conversion. None: ``10_000`` epochs when the gradient is exact (plain
        gradient descent needs about ``5000`` steps on an ill-conditioned problem such as
        standardised diabetes, condition number 470) and ``1_000_000`` when it is sampled
        (single rows, mini-batches: the adaptive schedule needs up to ``300_000`` epochs
        there); with None the fit also stops early, with a ConvergenceWarning, when a
        stage of the adaptive schedule could not end within the epochs left (a problem too
        ill-conditioned for the method, such as unscaled features).
    tol : float, "auto" or None, default="auto"
        Stopping criterion, in units of ``Var(y) / 2`` (the objective of the best constant
        prediction), i.e. in units of the training :math:`R^2` (scikit-learn measures it in the
        units of the objective, which depend on those of ``y``): the fit stops (or, with the
        adaptive schedule, divides the rate) when the objective did not fall below
        ``best - tol`` for ``n_iter_no_change`` consecutive epochs. ``"auto"``: ``1e-14`` (float
        precision) for exact gradients, whose iterates converge, and ``1e-9`` for noisy ones,
        which hover. None never stops before ``max_iter`` (and never warns).
    n_iter_no_change : int, default=50
        Consecutive epochs without improvement before stopping (or dividing the rate). Fifty,
        not scikit-learn's five, because momentum methods are not monotone: heavy ball with
        momentum 0.9 was measured to go up to 47 epochs without a new best before converging.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (drawn from ``random_state``) and apply the
        ``tol`` criterion to the validation :math:`R^2` instead of the training objective.
        Ignored by :meth:`partial_fit`.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping`` is True.
    batch_size : int, "full" or None, default=None
        Rows per gradient for the batchable methods (the full-batch, mini-batch and single-row
        ones): None keeps the method's natural driver (full batch for gd, mgd, agd and rprop;
        one row for sgd, adagrad, adadelta, rmsprop, adam and amsgrad; ``ceil(n / n_batch)``
        rows for mbgd); an int runs batches of that many rows (the full batch when it is at
        least ``n``); ``"full"`` the full batch. Any update rule may run with any batch size,
        except Rprop, a sign method that needs the full batch (a smaller batch raises a
        ValueError). The variance-reduced methods (sagd, ssgd, svrg, sarah, sarahplus) ignore
        it: their drivers define their own sampling.
    n_batch : int, default=2
        mbgd only: batches per epoch when ``batch_size`` is None (R: ``nBatch``).
    shuffle : bool, default=True
        Mini-batch and single-row drivers: visit the rows in a fresh random order every epoch
        (random reshuffling; mbgd, whatever its batch size: a fresh order every second epoch
        and its reverse in between, the flip-flop of Rajput et al. 2022); False visits them in
        order. The variance-reduced drivers always
        draw rows uniformly with replacement, as their papers do.
    momentum : float or None, default=None
        Heavy-ball or Nesterov momentum (mgd: heavy ball, agd: Nesterov), or RMSprop's momentum
        (R: ``momentum``). None uses the rule's default: 0.9 for mgd and agd, 0 for RMSprop.
    rho : float, default=0.999
        Decay of the squared-gradient average of RMSprop and Adadelta (R: ``momentum``, default
        0.9 there). 0.999 by measurement: with 0.9 the normalised single-row step ``g /
        sqrt(v)`` behaves like a sign and its fixed point is not the least-squares solution
        (RMSprop stalled 10 to 70 % away from it on standardised diabetes, whatever the rate).
    beta1, beta2 : float or None, default=None
        Adam and AMSGrad decays (None: 0.9 and 0.999).
    eps : float or None, default=None
        Numerical-stability constant of Adagrad (1e-10), Adadelta (1e-6, inside the root),
        RMSprop, Adam and AMSGrad (1e-8, outside the root); None keeps those defaults.
    centered : bool, default=False
        RMSprop: divide by the centred second moment.
    inner_iter : int or None, default=None
        ssgd, svrg, sarah, sarahplus: inner steps per outer loop (R: ``innerIter``, default 10
        there); None means ``n``, the papers' usual choice, so that an outer loop (an epoch)
        costs about two passes over the data.
    option : {1, 2}, default=2
        svrg: the next snapshot is the last inner iterate (1) or a uniformly drawn one (2).
    gamma_s : float, default=0.125
        sarahplus: the inner loop stops once ``||v_t||^2 <= gamma_s ||v_0||^2`` (R: ``gammaS``).
    nu : float, default=0.0
        ssgd: P(inner length t) is proportional to ``(1 - nu * learning_rate)^(m - t)``
        (R: ``lamda``).
    random_state : int, RandomState, Generator or None, default=None
        Source of the row draws (and of the validation split). An int or None seeds
        ``numpy.random.default_rng``; a ``RandomState`` gives one integer that seeds it; a
        ``Generator`` is used as is. NumPy's global random state is never touched.
    warm_start : bool, default=False
        Start :meth:`fit` from the previous fit's ``coef_`` and ``intercept_`` (the update rule's
        state and the step counter start afresh; :meth:`partial_fit` keeps everything).
    verbose : int, default=0
        Report every epoch on standard output when positive.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients.
    intercept_ : float
        Intercept.
    n_iter_ : int
        Epochs run by the last call of :meth:`fit` (1 after :meth:`partial_fit`).
    t_ : int
        Update steps taken since the optimizer was created (by :meth:`fit` or the first
        :meth:`partial_fit`).
    loss_curve_ : list of float
        The objective ``f`` on the training rows after every epoch (reset by :meth:`fit`,
        extended by :meth:`partial_fit`): the value the stopping rules watch. Above 4096
        training rows it is ``f`` on a fixed systematic subsample of about 4096 of them (every
        ``ceil(n / 4096)``-th row), so that watching the objective costs a small fraction of an
        epoch instead of a second pass over the data; the stopping rules see the same function
        of the coefficients at every epoch, which is all that they compare.
    learning_rate_ : float
        The learning rate in use at the end (``"auto"`` resolved, adaptive reductions applied).
    validation_scores_ : list of float or None
        Validation :math:`R^2` after every epoch under ``early_stopping``, else None.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` had string column names.

    See Also
    --------
    graddescent.METHODS : The methods, each an update rule with a driver.
    graddescent.SGD : R-style learners on the same engine (R's meaning of ``max_iter``).
    sklearn.linear_model.SGDRegressor : scikit-learn's single-row SGD.

    Notes
    -----
    **Epochs and R's iterations.** One epoch runs ``ceil(driver.units_per_epoch(n))`` of the
    driver's units (R's iterations). To reproduce an R-style call ``SGD(data, alpha=a,
    max_iter=k * n, seed=s)``, which starts from ``theta0 = initial_theta(d + 1, s)``, use
    ``GDRegressor(method="sgd", learning_rate=a, schedule="constant", tol=None, max_iter=k,
    random_state=s).fit(X, y, coef_init=theta0[1:], intercept_init=theta0[0])``: both run the
    engine with ``numpy.random.default_rng(s)``, so the coefficients agree. ``k`` epochs are
    ``k`` R iterations for gd, mgd and agd, ``k * n`` for sgd, sagd, adagrad, adadelta, rmsprop
    and adam, ``k * n_batch`` for mbgd, and ``k`` outer loops for ssgd, svrg, sarah and sarahplus
    (pass R's ``inner_iter=10``; for rmsprop and adadelta pass R's ``rho=0.9``, and for adadelta
    ``learning_rate=1.0``).

    **Defaults, and how they were measured.** Every method was run on five standardised data
    sets (diabetes; ``make_regression`` with 1000 x 20, with 2000 x 5 and an intercept of 100,
    and 500 x 50 of effective rank 5; an 8-feature set with condition number 1100) over a grid
    of learning-rate factors (0.001 to 4 times the scale below), schedules, ``tol`` (0 to
    1e-8), ``n_iter_no_change`` (5 to 50) and rate floors, recording the coefficients' relative
    error against :class:`~sklearn.linear_model.LinearRegression` when the fit stopped, and the
    epochs it took. ``learning_rate="auto"`` is

    =========================================  ================================================
    rule (driver)                              auto learning rate
    =========================================  ================================================
    plain, momentum, Nesterov (full batch)     ``1 / L``, ``L`` the largest eigenvalue of
                                               ``[1, X]^T [1, X] / n`` (power iteration)
    plain (SAG, SVRG, S2GD, SARAH, SARAH+)     ``1 / L_max``, ``L_max = max_i 1 + ||x_i||^2``
    plain, momentum, Nesterov (b rows)         ``1 / L_b`` between ``L_max`` (b = 1) and ``L``
                                               (b = n), times ``1 - momentum``
<<target rates>>
    =========================================  ================================================

    The curvature-based steps cannot diverge whatever the scale of ``X``; the others scale with
    ``RMS(y) = sqrt(mean(y^2))`` because a normalised rule moves each coefficient by about the
    learning rate per step, so that (with ``tol`` measured in :math:`R^2`) the fit does not
    depend on the units of ``y``. Larger factors made SAG and the SVRG family diverge (4x) or
    crawl (2x for SAG); smaller ones only cost epochs.

    With these defaults, on diabetes (features standardised, the target as it is), gd, mgd,
    agd, rprop, sagd, ssgd, svrg, sarah and sarahplus stop within 2e-5 of the least-squares
    coefficients (relative, in norm) after 190 to 5040 epochs, and every update rule does so
    when run on the full batch (``batch_size="full"``). The single-row and mini-batch methods
    stop within 4e-5 (random_state=0, the target as it is and standardised; within 1e-4 for
    random_state 1, 2 and 3 too): their sampled gradient leaves the iterate hovering at a
    distance proportional to the rate, and the slowest direction (eigenvalue 0.009) needs
    ``3 / (0.009 * rate)`` steps at each rate, so the adaptive schedule takes (target as it is /
    standardised) 30,865 / 30,865 epochs (sgd), 112,837 / 112,837 (mbgd, two batches per
    epoch), 92,983 / 39,094 (adagrad), 42,223 / 300,170 (adadelta), 63,790 / 141,162
    (rmsprop), 98,633 / 42,459 (adam) and 122,400 / 240,235 (amsgrad), 1 to 22 s on one core.
    Use the full batch or a variance-reduced method when that is too long. Rprop's step sizes
    are bounded by ``1e-6`` and ``5000`` times the learning rate (torch's bounds, 1e-6 and 50,
    are absolute: with ``y`` standardised they stopped Rprop 1.7e-4 away from the optimum on
    diabetes; now within 5e-6 either way).

    Parameters are validated by scikit-learn; the input by ``validate_data`` (float64 copies
    when needed), then by graddescent's validation layer: a target of another dtype (float16,
    long double, numeric strings) is converted to float64, values whose squares would overflow
    the least-squares sums raise a ValueError naming the feature, and read-only inputs are
    copied so that the compiled kernels see one array type. Divergence is decided by the
    engine (:class:`graddescent.drivers.DivergenceMonitor`) on the per-epoch objectives of
    ``loss_curve_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from graddescent import GDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = 3.0 + X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=200)
    >>> model = make_pipeline(StandardScaler(), GDRegressor(method="svrg", random_state=0))
    >>> model.fit(X, y)[-1].n_iter_  # epochs until the objective stopped improving
    69
    >>> round(model.score(X, y), 4)
    0.9981
    >>> ols = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y)
    >>> np.allclose(model[-1].coef_, ols[-1].coef_, rtol=1e-12)
    True
    >>> GDRegressor(method="adam", random_state=0).fit(X, y).coef_.round(3)
    array([ 0.991, -2.01 ,  0.505])
    """

    _parameter_constraints: dict = {
        "method": [StrOptions(set(METHODS))],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"),
                          StrOptions({"auto"})],
        "schedule": [StrOptions({"constant", "invscaling", "adaptive"}), None],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "tol": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"}), None],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"),
                       StrOptions({"full"}), None],
        "n_batch": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "rho": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta1": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "beta2": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "eps": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "centered": ["boolean"],
        "inner_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "option": [Interval(numbers.Integral, 1, 2, closed="both")],
        "gamma_s": [Interval(numbers.Real, 0, 1, closed="right")],
        "nu": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(self, method: str = "gd", *, learning_rate: float | str = "auto",
                 schedule: str | None = None, power_t: float = 0.25, max_iter: int | None = None,
                 tol: float | str | None = "auto", n_iter_no_change: int = 50,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 batch_size: int | str | None = None, n_batch: int = 2, shuffle: bool = True,
                 momentum: float | None = None, rho: float = 0.999, beta1: float | None = None,
                 beta2: float | None = None, eps: float | None = None, centered: bool = False,
                 inner_iter: int | None = None, option: int = 2, gamma_s: float = 0.125,
                 nu: float = 0.0, random_state: int | np.random.RandomState
                 | np.random.Generator | None = None, warm_start: bool = False,
                 verbose: int = 0) -> None:
        self.method = method
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.power_t = power_t
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.batch_size = batch_size
        self.n_batch = n_batch
        self.shuffle = shuffle
        self.momentum = momentum
        self.rho = rho
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.centered = centered
        self.inner_iter = inner_iter
        self.option = option
        self.gamma_s = gamma_s
        self.nu = nu
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    # --- the engine ----------------------------------------------------------------------------
    def _make_driver(self, n: int) -> Driver:
        """The driver for ``n`` training rows (``batch_size``, ``n_batch``, ``shuffle``, ...)."""
        method = METHODS[self.method]
        settings = {"inner_iter": self.inner_iter, "option": int(self.option), "nu": self.nu,
                    "gamma_s": self.gamma_s}
        if method.driver_kwargs.get("n_batch") is not None:  # mbgd: batches per epoch
            settings["n_batch"] = self.n_batch
        # The registry's driver keeps the method's own row order (mbgd: flip-flop).
        driver = method.make_driver(batch_size=self.batch_size, **settings)
        if isinstance(driver, MiniBatch):
            if driver.is_full_batch(n):
                return FullBatch()  # one batch of every row is the full gradient
            return driver if self.shuffle else dataclasses.replace(driver, scheme="cyclic")
        return driver

    def _make_rule(self, driver: Driver, X: np.ndarray, y: np.ndarray) -> UpdateRule:
        """The update rule with its settings; ``learning_rate="auto"`` resolved on ``(X, y)``."""
        rule = METHODS[self.method].make_rule(
            momentum=self.momentum, rho=self.rho, beta1=self.beta1, beta2=self.beta2,
            eps=self.eps, centered=self.centered)
        lr = (_auto_learning_rate(rule, driver, X, y, self._l_max) if self.learning_rate == "auto"
              else float(self.learning_rate))
        schedule = self._schedule(rule, driver, X.shape[0])
        power_t = float(self.power_t) if schedule == "invscaling" else 0.0
        # Hyperparameters that follow the rate (Rprop's step bounds; torch's are absolute: 1e-6
        # and 50) are set from it, so that the precision does not depend on the units of y.
        return rule.at_rate(lr, power_t)

    def _schedule(self, rule: UpdateRule, driver: Driver, n: int) -> str:
        if self.schedule is not None:
            return self.schedule
        exact = not driver.is_noisy(n)
        return "constant" if exact and rule.self_damping else "adaptive"

    def _max_iter(self, driver: Driver, n: int) -> int:
        """``max_iter``, None resolved: more epochs for sampled gradients (see Notes)."""
        if self.max_iter is not None:
            return int(self.max_iter)
        return _MAX_ITER_NOISY if driver.is_noisy(n) else _MAX_ITER_EXACT

    def _tol(self, driver: Driver, n: int) -> float:
        """``tol`` as a number (``-inf`` for None: nothing ever counts as a stall)."""
        if self.tol is None:
            return -math.inf
        if self.tol == "auto":
            return _TOL_NOISY if driver.is_noisy(n) else _TOL_EXACT
        return float(self.tol)

    def _start(self, X, y, coef_init, intercept_init, rng: np.random.Generator) -> None:
        """A fresh optimizer for ``(X, y)``: zeros, warm start, or the given starting point."""
        d = X.shape[1]
        theta0 = np.zeros(d + 1)
        if self.warm_start and hasattr(self, "coef_"):
            theta0[0], theta0[1:] = self.intercept_, self.coef_
        if coef_init is not None:
            coef_init = check_vector("coef_init", coef_init)
            if coef_init.shape != (d,):
                raise ValueError(f"X has {d} features, but GDRegressor is expecting "
                                 f"{coef_init.shape[0]} features as input (coef_init has "
                                 f"{coef_init.shape[0]} values, one per feature).")
            theta0[1:] = coef_init
        if intercept_init is not None:
            intercept_init = check_vector("intercept_init", intercept_init, flatten=True)
            if intercept_init.shape != (1,):
                raise ValueError(f"intercept_init must be one number, got an array of shape "
                                 f"{intercept_init.shape}.")
            theta0[0] = intercept_init[0]
        driver = self._make_driver(X.shape[0])
        if isinstance(X, DaskData):
            driver = self._dask_driver(driver)
        self._optimizer = Optimizer(self._make_rule(driver, X, y), driver, theta0, X.shape[0])
        self._n_rows = X.shape[0]
        self._rng = rng
        self._rows_digest = None  # see _check_same_rows
        self.loss_curve_ = []
        self.validation_scores_ = None

    def _epochs(self, X: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
        """Run ``k`` epochs, appending the objective after each to ``loss_curve_``; return the
        coefficients after each, shape ``(k, p)``.

        An epoch is ``ceil(units_per_epoch(n))`` driver units: one pass over the data, or one
        outer loop of a variance-reduced driver. The engine computes the objectives and raises
        DivergenceError by its criterion (:class:`graddescent.drivers.DivergenceMonitor`).
        """
        try:
            snapshots = self._optimizer.run_epochs(X, y, k, self._rng)
        except DivergenceError as exc:
            raise DivergenceError(self._divergence_message(exc.reason), exc.reason) from exc
        self.loss_curve_.extend(self._optimizer.objectives.tolist())
        return snapshots

    def _divergence_message(self, reason: str) -> str:
        opt = self._optimizer
        return (f"GDRegressor(method={self.method!r}) diverged: {reason} after {opt.t} update "
                f"steps with learning rate {opt.rule.learning_rate:g}. Scale the data (e.g. "
                f"make_pipeline(StandardScaler(), GDRegressor(...))) or lower the learning rate.")

    def _publish(self) -> None:
        opt = self._optimizer
        self.intercept_ = float(opt.theta[0])
        self.coef_ = opt.theta[1:].copy()
        self.t_ = int(opt.t)
        self.learning_rate_ = float(opt.rule.learning_rate)

    def _report(self, epoch: int, extra: str = "", last: bool = True) -> None:
        if self.verbose:
            opt = self._optimizer
            loss = self.loss_curve_[epoch - 1]  # this fit's epoch (partial_fit: the last)
            steps = f", steps {opt.t}" if last else ""
            sys.stdout.write(f"-- Epoch {epoch}: objective {loss:.12g}{extra}, "
                             f"learning rate {opt.rule.learning_rate:.4g}{steps}\n")

    def _validated(self, X, y, reset: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Validate ``(X, y)`` in one pass over ``X``: NaN and infinity refused, ``y`` float64
        (float16, long double and numeric strings converted), writable copies of read-only
        inputs (memmaps), magnitudes whose squares fit in float64 (a ValueError names the
        feature), and ``L_max`` recorded for the automatic learning rate."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", y_numeric=True,
                             reset=reset, ensure_all_finite=False)
        if y.dtype != np.float64:
            try:
                with np.errstate(over="ignore"):
                    y = y.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"y must hold numbers (got dtype {y.dtype}): {exc}.") from None
        assert_all_finite(y, input_name="y")
        # The kernels are compiled for writable arrays: copy read-only inputs (memmaps).
        X, y = (X if X.flags.writeable else X.copy(), y if y.flags.writeable else y.copy())
        self._l_max = _check_rows(X)
        # |x_ij| <= sqrt(max_i ||x_i||^2): the column-by-column check only when that is large
        if not math.sqrt(self._l_max) <= magnitude_limit(X.shape[0], X.shape[1] + 1) or \
                not float(max(y.max(initial=0.0), -y.min(initial=0.0))) <= magnitude_limit(
                    X.shape[0], X.shape[1] + 1):
            names = getattr(self, "feature_names_in_", None)
            check_magnitudes(X, y, columns=None if names is None else list(names))
        return X, y

    def _check_warm_start(self, X: np.ndarray) -> None:
        """With ``warm_start``, ``X`` must have the previous fit's features."""
        if self.warm_start and hasattr(self, "coef_") and X.shape[1] != self.coef_.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features, but GDRegressor is expecting "
                             f"{self.coef_.shape[0]} features as input (warm_start=True "
                             f"continues from the previous fit; set warm_start=False to fit "
                             f"data with other features).")

    def _validated_dask(self, X, y) -> tuple[DaskData, DaskData]:
        """Dask input: the data validated in one distributed pass (both elements are the same
        :class:`~graddescent.drivers.distributed.DaskData`, which answers for ``y`` too)."""
        if self.early_stopping:
            raise ValueError("early_stopping is not available for Dask input; hold out a "
                             "validation set yourself and score it.")
        data = DaskData(X, y, O.watched_stride)
        self.n_features_in_ = data.shape[1]
        if data.feature_names is not None:
            self.feature_names_in_ = data.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._l_max = data.l_max
        return data, data

    def _dask_driver(self, driver: Driver) -> Driver:
        """The driver for Dask input: full-batch methods only, each gradient a reduction."""
        if isinstance(driver, FullBatch):
            return DaskFullBatch()
        raise ValueError(
            f"GDRegressor(method={self.method!r}) samples rows ({driver.describe(2)}), which a "
            f"Dask array does not give cheaply: fit it on Dask with batch_size='full' (the "
            f"full-batch methods gd, mgd, agd and rprop, or any update rule on the full "
            f"gradient), stream it with dask_ml.wrappers.Incremental(GDRegressor(...)) (one "
            f"partial_fit per chunk; the single-row and mini-batch methods), or fit it in "
            f"memory on X.compute().")


    # --- public API ----------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None) -> GDRegressor:
        """Fit the linear model, for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like, dask.array.Array or dask.dataframe.DataFrame of shape \
(n_samples, n_features)
            Training data. Dask input (chunked by rows) runs the full-batch methods (gd, mgd,
            agd, rprop, any rule with ``batch_size="full"``) with every gradient one
            distributed reduction over the chunks, which stay on the workers
            (:class:`~graddescent.drivers.distributed.DaskFullBatch`); the result equals the
            in-memory fit to rounding. Other methods raise a ValueError (use
            ``dask_ml.wrappers.Incremental``), and so does ``early_stopping``.
        y : array-like or Dask array / series of shape (n_samples,)
            Target values.
        coef_init : array-like of shape (n_features,), default=None
            Starting coefficients (default: zeros, or the previous fit with ``warm_start``).
        intercept_init : float, default=None
            Starting intercept (default: zero, or the previous fit with ``warm_start``).

        Returns
        -------
        self : GDRegressor
            The fitted estimator.

        Raises
        ------
        ValueError
            On invalid input (the message names the feature or argument), for Rprop on batches
            smaller than the data, for SVRG with option 2 and a single inner step (it would
            never move), and when the fit diverges by the engine's criterion
            (:class:`~graddescent.drivers.DivergenceMonitor`: the coefficients overflow, or the
            objective ends a million-fold above ``max(its start, Var(y) / 2)`` or grows at 50
            consecutive evaluations while above it; :class:`~graddescent.DivergenceError`, a
            ValueError, which says to scale the data or lower the learning rate).
        """
        if is_dask(X):
            X, y = self._validated_dask(X, y)
        else:
            fitted = {k: getattr(self, k) for k in ("n_features_in_", "feature_names_in_")
                      if hasattr(self, k)}
            X, y = self._validated(X, y)
            try:
                self._check_warm_start(X)
            except ValueError:
                for k in ("n_features_in_", "feature_names_in_"):  # still the previous fit's
                    if k in fitted:
                        setattr(self, k, fitted[k])
                    elif hasattr(self, k):
                        delattr(self, k)
                raise
        rng = _as_generator(self.random_state)
        X_val = y_val = None
        if self.early_stopping:
            X, y, X_val, y_val = self._validation_split(X, y, rng)
            self._l_max = None  # of the training rows, computed when needed
        self._start(X, y, coef_init, intercept_init, rng)
        opt = self._optimizer
        n = X.shape[0]
        schedule = self._schedule(opt.rule, opt.driver, n)
        tol = self._tol(opt.driver, n)
        scale = _loss_scale(y_val if self.early_stopping else y)
        stopper = (StepDecay(X, tol, self.n_iter_no_change,
                             floor=opt.rule.learning_rate * _ADAPTIVE_FLOOR)
                   if schedule == "adaptive" else Patience(tol, self.n_iter_no_change))
        if self.early_stopping:
            self.validation_scores_ = []
        max_iter = self._max_iter(opt.driver, n)
        converged, epoch, steps_per_epoch, hopeless = False, 0, 1.0, ""
        while epoch < max_iter and not converged:
            # Epochs run in blocks that end where the stopping rule could next act, so the
            # result is the same as deciding after every epoch (and does not depend on verbose).
            k = min(stopper.epochs_before_decision(opt, steps_per_epoch),
                    max_iter - epoch, max(1, _BLOCK_VALUES // (X.shape[1] + 1)))
            t_before = opt.t
            snapshots = self._epochs(X, y, k)
            steps_per_epoch = max((opt.t - t_before) / k, 1.0)
            for e in range(k):
                epoch += 1
                watched = self.loss_curve_[-k + e]
                extra = ""
                if self.early_stopping:
                    watched = O.objective(X_val, y_val, snapshots[e])
                    self.validation_scores_.append(1.0 - watched / scale)
                    extra = f", validation R^2 {self.validation_scores_[-1]:.12g}"
                self._report(epoch, extra, last=e == k - 1)
                # 1 - R^2 (training, or validation); the rule acts only at a block's end
                converged = stopper.observe(watched / scale, opt, final=e == k - 1)
            needed = stopper.epochs_needed(opt, steps_per_epoch)
            if self.max_iter is None and needed > max_iter - epoch:
                hopeless = (f"its slowest direction needs about {needed:.3g} more epochs at the "
                            f"current rate, more than the {max_iter - epoch} left: the problem "
                            f"is too ill-conditioned for this method and schedule (scale the "
                            f"features, e.g. with StandardScaler, or use a variance-reduced "
                            f"method).")
                break
        self.n_iter_ = epoch
        self._publish()
        if hopeless:
            warnings.warn(f"GDRegressor(method={self.method!r}) stopped after {epoch} epochs "
                          f"without converging: {hopeless}", ConvergenceWarning, stacklevel=2)
        elif self.tol is not None and not converged:
            warnings.warn(f"GDRegressor(method={self.method!r}) stopped at max_iter="
                          f"{max_iter} epochs before the objective stopped improving by "
                          f"tol; increase max_iter, or loosen tol.", ConvergenceWarning,
                          stacklevel=2)
        return self

    def _validation_split(self, X, y, rng):
        n = X.shape[0]
        n_val = math.ceil(self.validation_fraction * n)
        if n - n_val < 1:
            raise ValueError(f"early_stopping with validation_fraction="
                             f"{self.validation_fraction} leaves no training rows out of {n}; "
                             f"use more rows, a smaller validation_fraction, or "
                             f"early_stopping=False.")
        val = np.zeros(n, dtype=bool)
        val[rng.permutation(n)[:n_val]] = True
        return X[~val], y[~val], X[val], y[val]

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y) -> GDRegressor:
        """Run one epoch on ``(X, y)``, continuing from the state of the previous calls.

        The first call (on an unfitted estimator) starts from zeros; later calls keep the
        coefficients, the update rule's state, the step counter (and with it the position of
        the ``"invscaling"`` schedule), the row order, the random stream and the feature names
        (checked), so ``k`` calls on the same data equal ``fit(X, y)`` with ``max_iter=k`` and
        ``tol=None``. ``tol``, ``early_stopping`` and the adaptive schedule are not applied.
        ``learning_rate="auto"`` is resolved on the first call's data.

        **On a stream of chunks** (successive calls on different rows, as
        :func:`graddescent.streaming.stream_fit` and ``dask_ml.wrappers.Incremental`` make
        them) one call is one epoch *on its chunk*: the single-row and mini-batch methods take
        every row of the chunk once (in a fresh random order, or in order with
        ``shuffle=False``, when a stream of chunks is one pass over their concatenation in that
        order); the full-batch methods take one step along the chunk's gradient (a stream of
        chunks is mini-batch descent with the chunks as batches); the variance-reduced methods
        run one outer loop on the chunk (the snapshot gradient is the chunk's). SAG keeps its
        gradient table (one residual per row, by position) while it is called on the same
        rows; a chunk with other rows starts a fresh table (the rule's state and the step
        counter carry on). Rprop, a sign method that needs the full gradient, runs only on the
        same rows each time: a chunk with other rows raises a ValueError.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : GDRegressor
            The updated estimator.
        """
        first = not hasattr(self, "_optimizer")
        X, y = self._validated(X, y, reset=first)
        n = X.shape[0]
        if first:
            self._start(X, y, None, None, _as_generator(self.random_state))
        elif n != self._n_rows or isinstance(self._optimizer.driver, DaskFullBatch):
            # new data size (or after a fit on Dask): same rule and state, a driver for n rows
            opt = self._optimizer
            driver = self._make_driver(n)
            driver.check(n, opt.rule)
            opt.driver, opt.driver_state = driver, driver.init_state(n, opt.theta.shape[0])
            opt.n_samples = self._n_rows = n
        self._check_same_rows(X, y, first)
        self._epochs(X, y, 1)
        self.n_iter_ = 1
        self._report(len(self.loss_curve_))
        self._publish()
        return self

    def _check_same_rows(self, X: np.ndarray, y: np.ndarray, first: bool) -> None:
        """partial_fit: for the methods that remember rows (SAG) or need the full gradient
        (Rprop), notice a chunk with other rows than the previous call's (a digest of the
        data): SAG's table restarts, Rprop refuses."""
        opt = self._optimizer
        sag = isinstance(opt.driver_state, SAGState)
        if not (sag or opt.rule.full_batch_only):
            return
        digest = _digest(X, y)
        seen = getattr(self, "_rows_digest", None)
        self._rows_digest = digest
        if first or seen is None or seen == digest:
            return
        if opt.rule.full_batch_only:
            raise ValueError(
                f"GDRegressor(method={self.method!r}) cannot run on a stream of chunks: the "
                f"update rule {opt.rule.name!r} is a sign method that needs the full gradient, "
                f"and partial_fit was given other rows than before. Fit it on all the data "
                f"(fit, or a Dask array), or stream with a method that takes sampled gradients "
                f"(gd, sgd, mbgd, adam, ...).")
        opt.driver_state = opt.driver.init_state(X.shape[0], opt.theta.shape[0])

    def predict(self, X) -> np.ndarray:
        """Predict with the linear model: ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted values.
        """
        check_is_fitted(self)
        if is_dask(X):  # a lazy Dask array, chunk by chunk
            return dask_predict(X, self.coef_, self.intercept_)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if X.flags.c_contiguous:  # compiled, in row blocks on every core, the same bits
            return O.predict(X, self.coef_, self.intercept_)
        return X @ self.coef_ + self.intercept_


def _fill_docstring(doc: str) -> str:
    """The registry's methods and normalised rules, written into GDRegressor's docstring."""
    r_names = [f'"{m.name}"' for m in METHODS.values() if m.r_name]
    others = [f'"{m.name}"' for m in METHODS.values() if not m.r_name]
    methods = textwrap.fill(
        f"One of ``{', '.join(r_names)}`` (R gradDescent's {len(r_names)} learners, lower case) "
        f"or ``{', '.join(others)}``. Each is the algorithm as its paper defines it (the "
        f"differences from R 3.0 are listed in :data:`graddescent.METHODS`).",
        width=96, subsequent_indent=" " * 8)
    rows = []
    for spec in rules.specs():
        kind, factor = spec.auto_rate
        if kind == "target":
            rows.append(f"    {spec.name:<41}  ``{factor:g}`` times ``RMS(y)``")
    return doc.replace("<<methods>>", methods).replace("<<target rates>>", "\n".join(rows))


GDRegressor.__doc__ = _fill_docstring(GDRegressor.__doc__)

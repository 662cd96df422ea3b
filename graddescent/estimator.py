"""GDRegressor: every method of the package behind scikit-learn's estimator contract.

The estimator keeps an :class:`~graddescent.drivers.Optimizer` (an update rule run by a driver,
with its state); all the arithmetic happens in that engine, exactly as for the R-style functions
of :mod:`graddescent.r_api`. The class holds scikit-learn's contract only; its parts are modules
of their own: the input checks (:mod:`graddescent._estimator_input`), the parameters resolved
for a fit (:mod:`graddescent._fit_settings`; the rules' hyperparameters come from the rule specs
through :mod:`graddescent._rule_options`), the epoch loop (:mod:`graddescent._fit_loop`) with its
stopping rules (:mod:`graddescent._schedule`), and Dask input (:mod:`graddescent._dask_fit`).
How the defaults were measured: ``docs/estimator.md``.
"""

from __future__ import annotations

import copy
import functools
import numbers
import sys
import textwrap
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _estimator_input as I
from . import _rule_options
from . import objective as O
from ._dask_fit import dask_predict, is_dask
from ._fit_loop import run_until_stopped
from ._fit_settings import (
    MAX_ITER,
    MAX_ITER_EXACT,
    MAX_ITER_NOISY,
    PRECISE,
    TOL_DEFAULT,
    FitSettings,
)
from ._registry import METHODS
from .drivers import DivergenceError, Optimizer
from .drivers.chunks import RoundsDriver
from .drivers.distributed import DaskData, DaskFullBatch
from .problems import LOSSES, PENALTIES
from .rules.base import rate as step_rate

__all__ = ["GDRegressor"]

# kept under their former names
_MAX_ITER, _MAX_ITER_EXACT, _MAX_ITER_NOISY = MAX_ITER, MAX_ITER_EXACT, MAX_ITER_NOISY


class GDRegressor(RegressorMixin, BaseEstimator):
    r"""Linear regression fitted by any gradient-descent method of graddescent.

    Minimises, as scikit-learn's SGDRegressor (the same names, meanings and scaling),

    .. math:: F(b, w) = \frac{1}{\sum_i s_i} \sum_i s_i\, l(b + x_i \cdot w - y_i)
              + \alpha \left(\rho \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2\right)

    (:class:`graddescent.problems.Problem`: ``l`` the loss, ``s_i`` the sample weights,
    :math:`\rho` = ``l1_ratio``, the intercept never penalised); by default plain least squares,
    :math:`\frac{1}{2n}\sum_i (b + x_i \cdot w - y_i)^2`. Any of the package's methods: an
    update rule (how a gradient becomes a step) run by a driver (which gradient estimate is
    formed, and when); see :data:`graddescent.METHODS`. The arithmetic is
    the engine of :mod:`graddescent.drivers`, shared with the R-style functions (``GD`` ...
    ``SARAHPlus``); this class adds scikit-learn's estimator contract, epochs, stopping rules and
    learning-rate schedules.

    Parameters
    ----------
    method : str, default="gd"
        <<methods>>
    loss : str, default="squared_error"
        The loss of the residuals, as SGDRegressor's: ``"squared_error"``, ``"huber"``,
        ``"epsilon_insensitive"`` or ``"squared_epsilon_insensitive"``. The variance-reduced
        methods and ``learning_rate="auto"`` need a loss with a Lipschitz derivative (not
        ``"epsilon_insensitive"``): a ValueError names the methods that work.
    epsilon : float, default=0.1
        The threshold of the Huber and epsilon-insensitive losses.
    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        None (plain least squares: every earlier result stands), or SGDRegressor's penalties;
        the L1 part is a proximal step after each update (per coordinate, by the rule's
        effective step for the adaptive rules). Rprop has no proximal form: a ValueError.
    alpha : float, default=0.0001
        The penalty's strength (SGDRegressor's, Lasso's and ElasticNet's ``alpha``; Ridge's is
        ``n * alpha``); also the ``"optimal"`` schedule's. Not R's ``alpha`` (the learning
        rate).
    l1_ratio : float or None, default=0.15
        The elastic net's mixing: 0 is L2, 1 is L1. Unused by the other penalties, which also
        accept None (the elastic net then raises a ValueError, as SGDRegressor does).
    fit_intercept : bool, default=True
        False fits through the origin (``intercept_`` is 0).
    average : bool, int or None, default=None
        Averaged iterates, as SGDRegressor's: True makes ``coef_`` and ``intercept_`` the mean
        of every iterate, an int ``k`` the mean of those after ``k`` updates (the mini-batch,
        single-row and full-batch methods; the stopping rules watch the iterates themselves).
        None: in :meth:`fit` with a numeric ``tol``, the sampled methods (single rows,
        mini-batches) keep the mean of the iterates after half an epoch (tail averaging,
        Polyak and Juditsky 1992) and return it when its training objective is lower than the
        last iterate's (the last iterate wins on a problem fitted exactly); their schedule is
        then constant. No averaging otherwise (exact gradients, ``tol="precise"`` or None,
        :meth:`partial_fit`).
    learning_rate : float or "auto", default="auto"
        The step size (R: ``alpha``; Rprop: the initial step of every coordinate). ``"auto"``
        picks a measured default from the data at the start of a fit (``docs/estimator.md``)
        and reports it in ``learning_rate_``: ``1 / L`` (the smoothness constant of the
        driver's gradient) for the rules whose step is proportional to the gradient, a
        multiple of ``RMS(y)`` for the normalised ones.
    schedule : {"constant", "invscaling", "adaptive", "optimal"} or None, default=None
        ``"constant"``; ``"invscaling"``: step ``t`` uses ``learning_rate / t ** power_t``;
        ``"optimal"`` (the plain rule only, ``alpha > 0``): SGDRegressor's ``1 / (alpha (t0 +
        t - 1))`` with its ``t0`` heuristic (``learning_rate`` is then not used);
        ``"adaptive"``: step decay in stages, as scikit-learn's: once the watched score has
        not improved by ``tol`` for ``n_iter_no_change`` epochs, the rate is divided by 5
        (and, for the normalised rules, ``1 - rho`` / ``1 - beta2`` and ``beta1`` too:
        :meth:`graddescent.rules.UpdateRule.reduced`); the fit stops after a stage that did
        not improve on the best before it by ``tol``, or when the rate would fall below
        ``1e-6`` times its start. Under ``tol="precise"`` a stage also lasts three time
        constants of the problem's slowest direction, and the fit ends by finer tests
        (:mod:`graddescent._schedule`). None (the method's natural schedule): constant when
        the gradient is exact (full batch, or a variance-reduced driver) and the rule's step
        vanishes with the gradient (plain, momentum, Nesterov, Adagrad, Rprop), or when the
        gradient is sampled and the iterates averaged (``average=None`` with the default
        ``tol``); adaptive otherwise (sampled without averaging; RMSprop, Adadelta, Adam,
        AMSGrad, Adamax, NAdam on exact gradients).
    power_t : float, default=0.25
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int or None, default=None
        Maximum number of epochs, i.e. passes over the training data, as in scikit-learn (one
        full-gradient step for the full-batch methods; ``n`` single-row steps for sgd, sagd and
        the single-row rules; ``n_batch`` batch steps for mbgd; one outer loop, a full gradient
        plus ``inner_iter`` inner steps, for ssgd, svrg, sarah and sarahplus). The R-style
        functions' ``max_iter`` counts R's iterations instead (see Notes). None: 1000, as
        scikit-learn; under ``tol="precise"`` ``10_000`` for exact gradients and ``1_000_000``
        for sampled ones, and the fit then stops early, with a ConvergenceWarning, when a stage
        of the adaptive schedule could not end within the epochs left (a problem too
        ill-conditioned for the method, such as unscaled features).
    tol : float, "precise" or None, default=1e-3
        Stopping criterion, as scikit-learn's: the fit stops (or, with the adaptive schedule,
        divides the rate) when the watched value, the training objective after each epoch (or
        the validation score under ``early_stopping``), has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs. The training objective is measured in units
        of ``Var(y) / 2`` (the objective of the best constant prediction), i.e. as ``1 -`` the
        training :math:`R^2`, so that ``tol`` does not depend on the units of ``y`` and means
        the same for the training and the validation score (scikit-learn measures the training
        loss in the units of ``y`` squared). ``"precise"``: run to the least-squares solution
        to float precision (``1e-14`` for exact gradients, ``1e-9`` for noisy ones, with
        ``n_iter_no_change`` 50, ``max_iter`` as above, the precise adaptive schedule and
        ``rho`` 0.999; the former default, also spelled ``"auto"``). None never stops before
        ``max_iter`` (and never warns).
    n_iter_no_change : int or None, default=None
        Consecutive epochs without improvement before stopping (or dividing the rate). None:
        5, as scikit-learn; 50 for the full-batch methods, whose epoch is one step (momentum
        methods are not monotone over tens of steps), and under ``tol="precise"``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (drawn from ``random_state``) and apply the
        ``tol`` criterion to the validation :math:`R^2` instead of the training objective.
        Ignored by :meth:`partial_fit`.
    validation_fraction : float, default=0.1
        Share of the rows held out when ``early_stopping`` is True.
    batch_size : int, "full" or None, default=None
        Rows per gradient for the batchable methods (the full-batch, mini-batch and single-row
        ones): None keeps the method's natural driver (full batch for gd, mgd, agd and rprop;
        one row for sgd and the single-row rules; ``ceil(n / n_batch)`` rows for mbgd); an int
        runs batches of that many rows (the full batch when it is at least ``n``); ``"full"``
        the full batch. Rprop, a sign method, needs the full batch (a smaller batch raises a
        ValueError). The variance-reduced methods (sagd, ssgd, svrg, sarah, sarahplus) ignore
        it: their drivers define their own sampling.
    n_batch : int, default=2
        mbgd only: batches per epoch when ``batch_size`` is None (R: ``nBatch``).
    shuffle : bool, default=True
        Mini-batch and single-row drivers: visit the rows in a fresh random order every epoch
        (mbgd: a fresh order every second epoch and its reverse in between, the flip-flop of
        Rajput et al. 2022); False visits them in order. The variance-reduced drivers always
        draw rows uniformly with replacement, as their papers do.
<<rule hyperparameters>>
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
        ``ceil(n / 4096)``-th row), so that watching costs a small fraction of an epoch.
    learning_rate_ : float
        The learning rate in use at the end (``"auto"`` resolved, adaptive reductions applied).
    validation_scores_ : list of float or None
        Validation :math:`R^2` after every epoch under ``early_stopping``, else None.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
    ``k`` R iterations for gd, mgd and agd, ``k * n`` for sgd, sagd and the single-row rules,
    ``k * n_batch`` for mbgd, and ``k`` outer loops for ssgd, svrg, sarah and sarahplus (pass
    R's ``inner_iter=10``; for adadelta ``learning_rate=1.0``).

    **Defaults.** With the defaults a fit stops, as SGDRegressor's, once it no longer improves
    the training :math:`R^2` by ``1e-3`` over five epochs; the sampled methods run at a
    constant rate and return the mean of their iterates after half an epoch when it fits
    better than the last iterate (``average=None``): on the benchmark's problems, 6 or 7
    epochs and SGDRegressor's test :math:`R^2` to within its own spread over seeds.
    ``tol="precise"`` takes every method to the least-squares coefficients (within ``1e-4``
    relative on standardised diabetes), which for the sampled methods can take ``1e5``
    epochs on an ill-conditioned problem. The
    measurements behind the defaults (learning rates, schedule, Rprop's bounds, the change of
    ``rho``'s default from 0.999 to the rules' 0.9) are in ``docs/estimator.md``.

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
    >>> model.fit(X, y)[-1].n_iter_  # epochs until R^2 stopped improving by 1e-3
    8
    >>> round(model.score(X, y), 4)
    0.9981
    >>> precise = make_pipeline(StandardScaler(), GDRegressor(method="svrg", tol="precise",
    ...                                                       random_state=0)).fit(X, y)
    >>> ols = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y)
    >>> np.allclose(precise[-1].coef_, ols[-1].coef_, rtol=1e-12)
    True
    >>> GDRegressor(method="adam", random_state=0).fit(X, y).coef_.round(3)
    array([ 0.977, -1.994,  0.49 ])
    """

    _parameter_constraints: dict = {
        "method": [StrOptions(set(METHODS))],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"),
                          StrOptions({"auto"})],
        "loss": [StrOptions(set(LOSSES))],
        "epsilon": [Interval(numbers.Real, 0, None, closed="left")],
        "penalty": [StrOptions({p for p in PENALTIES if p is not None}), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "average": ["boolean", Interval(numbers.Integral, 0, None, closed="left"), None],
        "schedule": [StrOptions({"constant", "invscaling", "adaptive", "optimal"}), None],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "tol": [Interval(numbers.Real, 0, None, closed="left"), StrOptions(set(PRECISE)),
                None],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"),
                       StrOptions({"full"}), None],
        "n_batch": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        **_rule_options.constraints(),
        "inner_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "option": [Interval(numbers.Integral, 1, 2, closed="both")],
        "gamma_s": [Interval(numbers.Real, 0, 1, closed="right")],
        "nu": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(self, method: str = "gd", *, loss: str = "squared_error", epsilon: float = 0.1,
                 penalty: str | None = None, alpha: float = 0.0001, l1_ratio: float | None = 0.15,
                 fit_intercept: bool = True, average: bool | int | None = None,
                 learning_rate: float | str = "auto",
                 schedule: str | None = None, power_t: float = 0.25, max_iter: int | None = None,
                 tol: float | str | None = TOL_DEFAULT, n_iter_no_change: int | None = None,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 batch_size: int | str | None = None, n_batch: int = 2, shuffle: bool = True,
                 momentum: float | None = None, rho: float | None = None,
                 beta1: float | None = None, beta2: float | None = None,
                 eps: float | None = None, centered: bool | None = None,
                 momentum_decay: float | None = None, inner_iter: int | None = None,
                 option: int = 2, gamma_s: float = 0.125, nu: float = 0.0,
                 random_state: int | np.random.RandomState | np.random.Generator | None = None,
                 warm_start: bool = False, verbose: int = 0) -> None:
        self.method = method
        self.loss = loss
        self.epsilon = epsilon
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.average = average
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
        self.momentum_decay = momentum_decay
        self.inner_iter = inner_iter
        self.option = option
        self.gamma_s = gamma_s
        self.nu = nu
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    @classmethod
    @functools.cache
    def _get_param_names(cls):
        # the constructor's signature, read once per class: scikit-learn reads it at every
        # get_params (twice a fit), a tenth of the time of a fit on 10_000 rows
        return super()._get_param_names()

    # --- public API ----------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None) -> GDRegressor:
        """Fit the linear model, for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like, dask.array.Array or dask.dataframe.DataFrame of shape \
(n_samples, n_features)
            Training data. Dask input (chunked by rows) runs the full-batch methods (gd, mgd,
            agd, rprop, any rule with ``batch_size="full"``) with every gradient one
            distributed reduction over the chunks, which stay on the workers
            (:class:`~graddescent.drivers.distributed.DaskFullBatch`); the result equals the
            in-memory fit to rounding. The other methods run where the chunks are, in rounds
            (``docs/user_guide/distributed.md``); ``early_stopping`` raises a ValueError.
        y : array-like or Dask array / series of shape (n_samples,)
            Target values.
        coef_init : array-like of shape (n_features,), default=None
            Starting coefficients (default: zeros, or the previous fit with ``warm_start``).
        intercept_init : float, default=None
            Starting intercept (default: zero, or the previous fit with ``warm_start``).
        sample_weight : array-like, dask.array.Array or dask.dataframe.Series of shape \
(n_samples,), default=None
            Weights of the rows (non-negative, not all zero): the objective's weighted mean;
            integer weights fit as repeated rows do. With Dask ``X`` a Dask or NumPy array,
            rechunked to the row chunks of ``X`` and kept with them, normalised by the global
            sum of the weights. Requested through metadata routing with
            ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : GDRegressor
            The fitted estimator.

        Raises
        ------
        ValueError
            On invalid input (the message names the feature or argument), for a method that
            cannot run the problem (the message names those that can), and when the fit
            diverges by the engine's criterion (:class:`~graddescent.DivergenceError`, which
            says to scale the data or lower the learning rate).
        """
        warm = self.warm_start and hasattr(self, "coef_")
        X, y, self._l_max = I.validated(self, X, y, early_stopping=self.early_stopping,
                                        n_features=self.coef_.shape[0] if warm else None,
                                        sample_weight=sample_weight)
        sw = I.sample_weights(sample_weight, X)
        settings = FitSettings(self.get_params(deep=False))
        rng = I.as_generator(self.random_state)
        validation = None
        if self.early_stopping:
            (X, y, sw), held = I.validation_split(X, y, self.validation_fraction, rng, sw)
            validation = I.validation_score(*held)
            self._l_max = None  # of the training rows, computed when needed
        previous = np.r_[self.intercept_, self.coef_] if warm else None
        self._start(settings, X, y, I.starting_point(X.shape[1], previous, coef_init,
                                                      intercept_init), rng, sw, fit=True)
        opt = self._optimizer
        max_iter = settings.epochs(opt.driver, X.shape[0])
        outcome = run_until_stopped(
            opt, lambda k: self._epochs(X, y, k, sw), settings.stopper(X, opt, sw), max_iter,
            I.loss_scale(y, opt.problem, sw), validation=validation,
            give_up=self.max_iter is None and settings.precise, report=self._report)
        self.validation_scores_ = outcome.validation_scores
        self.n_iter_ = outcome.epochs
        self._publish()
        if outcome.hopeless:
            warnings.warn(f"GDRegressor(method={self.method!r}) stopped after "
                          f"{outcome.epochs} epochs without converging: {outcome.hopeless}",
                          ConvergenceWarning, stacklevel=2)
        elif self.tol is not None and not outcome.converged:
            warnings.warn(f"GDRegressor(method={self.method!r}) stopped at max_iter="
                          f"{max_iter} epochs before the objective stopped improving by "
                          f"tol; increase max_iter, or loosen tol.", ConvergenceWarning,
                          stacklevel=2)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, *,
                    weight_mean: float | None = None) -> GDRegressor:
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
        run one outer loop on the chunk (the snapshot gradient is the chunk's). SAG and SAGA
        keep their gradient table (one loss derivative per row, by position) while called on
        the same rows; a chunk with other rows starts a fresh table (the rule's state and the
        step counter carry on). Rprop, a sign method that needs the full gradient, runs only on the
        same rows each time: a chunk with other rows raises a ValueError.

        **Weighted chunks.** Without ``weight_mean`` a call's weights are scaled to mean 1 over
        its own rows, as in :meth:`fit`: they weigh the chunk's rows against each other, and
        every chunk weighs in by its row count. With ``weight_mean``, the mean weight of the
        whole stream (``sum(s) / n`` over all its rows), row ``i`` weighs ``s_i /
        weight_mean`` in every call: the stream's rows weigh in as in one fit on all of them,
        so the equivalences above hold with weights too (in order, one pass over the weighted
        concatenation; :func:`graddescent.streaming.stream_fit` passes it).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows (as in :meth:`fit`).
        weight_mean : float or None, default=None
            The mean weight ``sample_weight`` is divided by (see above; None: its own mean).
            Only with ``sample_weight`` of rows in memory (Dask input scales its weights by
            their global sum itself).

        Returns
        -------
        self : GDRegressor
            The updated estimator.
        """
        first = not hasattr(self, "_optimizer")
        X, y, self._l_max = I.validated(self, X, y, reset=first, sample_weight=sample_weight)
        sw = I.sample_weights(sample_weight, X)
        if weight_mean is not None and sw is None:
            raise ValueError("weight_mean is the mean weight sample_weight is divided by: give "
                             "sample_weight (of rows in memory) too.")
        # a call that fails (a DivergenceError, Rprop on other rows) leaves the estimator as it
        # was before it: unfitted after a first call, else the previous calls' state
        saved = None if first else (copy.deepcopy(self._optimizer), copy.deepcopy(self._rng),
                                    len(self.loss_curve_), self._rows_digest, self._n_rows)
        try:
            self._partial_epoch(X, y, sw, first, weight_mean)
        except ValueError:
            if first:
                for name in ("_optimizer", "_n_rows", "_rng", "_rows_digest", "loss_curve_",
                             "validation_scores_", "n_features_in_", "feature_names_in_"):
                    if hasattr(self, name):
                        delattr(self, name)
            else:
                self._optimizer, self._rng, kept, self._rows_digest, self._n_rows = saved
                del self.loss_curve_[kept:]
            raise
        return self

    def _partial_epoch(self, X: np.ndarray, y: np.ndarray, sw, first: bool,
                       weight_mean: float | None = None) -> None:
        """One :meth:`partial_fit` epoch on validated ``(X, y)``."""
        n = X.shape[0]
        settings = FitSettings(self.get_params(deep=False))
        if first:
            self._start(settings, X, y, np.zeros(X.shape[1] + 1),
                        I.as_generator(self.random_state), sw, weight_mean=weight_mean)
        elif self._optimizer.problem.weight_mean != weight_mean:  # given per call
            self._optimizer.problem = self._optimizer.problem.with_weight_mean(weight_mean)
        if not first and (n != self._n_rows
                          or isinstance(self._optimizer.driver, (DaskFullBatch, RoundsDriver))):
            # new data size (or after a fit on Dask): same rule and state, a driver for n rows
            opt = self._optimizer
            driver = settings.driver(n)
            driver.check(n, opt.rule)
            opt.problem.check_method(opt.rule, driver, METHODS)
            opt.driver, opt.driver_state = driver, driver.init_state(n, opt.theta.shape[0])
            opt.n_samples = self._n_rows = n
        self._rows_digest = I.check_same_rows(self._optimizer, X, y, self.method,
                                              None if first else self._rows_digest)
        self._epochs(X, y, 1, sw)
        self.n_iter_ = 1
        self._report(len(self.loss_curve_))
        self._publish()

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
            return dask_predict(X, self.coef_, self.intercept_,
                                getattr(self, "feature_names_in_", None))
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr",
                          accept_large_sparse=True)
        if isinstance(X, np.ndarray) and X.flags.c_contiguous:
            # compiled, in row blocks on every core for large X, the same bits on any number
            return O.predict(X, self.coef_, self.intercept_)
        return np.asarray(X @ self.coef_ + self.intercept_).reshape(-1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # scipy.sparse X: CSR read as it is
        return tags


    # --- the engine ----------------------------------------------------------------------------
    def _start(self, settings: FitSettings, X, y, theta0: np.ndarray,
               rng: np.random.Generator, sample_weight=None, fit: bool = False,
               weight_mean: float | None = None) -> None:
        """A fresh optimizer for ``(X, y)`` from ``theta0`` (``fit``: for :meth:`fit`;
        ``weight_mean``: the problem's, :meth:`partial_fit`)."""
        driver = settings.driver(X.shape[0], dask=isinstance(X, DaskData))
        problem = settings.problem(weight_mean)
        problem.check_method(METHODS[self.method].make_rule(), driver, METHODS)
        rule = settings.rule(driver, X, y, self._l_max, problem, sample_weight)
        average = settings.average_of(driver, X.shape[0], fit)
        # average=None: the averaged iterate is a candidate, kept when its objective is lower
        self._pick_average = self.average is None and bool(average)
        self._chosen = None  # that pick after the last epoch run
        self._optimizer = Optimizer(rule, driver, theta0, X.shape[0], problem=problem,
                                    average=average)
        self._n_rows = X.shape[0]
        self._rng = rng
        self._rows_digest = None  # see _estimator_input.check_same_rows
        self.loss_curve_ = []
        self.validation_scores_ = None

    def _epochs(self, X, y, k: int, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
        """Run ``k`` epochs, appending the objective after each to ``loss_curve_``; return the
        coefficients after each, shape ``(k, p)``, and those objectives (with ``average=None``
        averaging: of the model the fit would return, epoch by epoch). The engine raises
        DivergenceError by its criterion; the message says what to do."""
        opt = self._optimizer
        try:
            snapshots = opt.run_epochs(X, y, k, self._rng, sample_weight)
            values = opt.objectives
            if self._pick_average:
                values = values.copy()
                for e, mean in enumerate(opt.average_snapshots):
                    value = opt.objective_at(X, y, mean, sample_weight)
                    if value < values[e]:  # the tail average, when better than the last iterate
                        snapshots[e], values[e] = mean, value
                if snapshots.shape[0]:
                    self._chosen = snapshots[-1].copy()
        except DivergenceError as exc:
            rule = opt.rule
            if self.schedule == "optimal":  # the rate is 1 / alpha, its steps 1 / (alpha (t0 + t))
                first = step_rate(rule.hyperparameters(), 1)
                rate = (f"schedule='optimal' (step 1 / (alpha (t0 + t)), the first {first:g} "
                        f"with alpha={self.alpha:g})")
                remedy = "raise alpha or choose another schedule"
            else:
                rate, remedy = f"learning rate {rule.learning_rate:g}", "lower the learning rate"
            t = opt.t if exc.t is None else exc.t  # (a kernel stops at the step that overflowed)
            raise DivergenceError(
                f"GDRegressor(method={self.method!r}) diverged: {exc.reason} after {t} update "
                f"steps with {rate}. Scale the data (e.g. make_pipeline(StandardScaler(), "
                f"GDRegressor(...))) or {remedy}.", exc.reason, t) from exc
        self.loss_curve_.extend(values.tolist())
        return snapshots, values

    def _publish(self) -> None:
        opt = self._optimizer
        theta = opt.theta if opt.theta_average is None else opt.theta_average
        if self._chosen is not None:  # set only when picking (average=None)
            # average=None: the tail average or the last iterate, whichever had the lower
            # objective after the last epoch (the last iterate on a problem fitted exactly)
            theta = self._chosen
        self.intercept_ = float(theta[0])
        self.coef_ = theta[1:].copy()
        self.t_ = int(opt.t)
        self.learning_rate_ = float(opt.rule.learning_rate)

    def _report(self, epoch: int, extra: str = "", last: bool = True) -> None:
        if self.verbose:
            opt = self._optimizer
            loss = self.loss_curve_[epoch - 1]  # this fit's epoch (partial_fit: the last)
            steps = f", steps {opt.t}" if last else ""
            sys.stdout.write(f"-- Epoch {epoch}: objective {loss:.12g}{extra}, "
                             f"learning rate {opt.rule.learning_rate:.4g}{steps}\n")


def _fill_docstring(doc: str) -> str:
    """The registry's methods and the rules' hyperparameters, written into GDRegressor's
    docstring."""
    r_names = [f'"{m.name}"' for m in METHODS.values() if m.r_name]
    others = [f'"{m.name}"' for m in METHODS.values() if not m.r_name]
    methods = textwrap.fill(
        f"One of ``{', '.join(r_names)}`` (R gradDescent's {len(r_names)} learners, lower case) "
        f"or ``{', '.join(others)}``. Each is the algorithm as its paper defines it (the "
        f"differences from R 3.0 are listed in :data:`graddescent.METHODS`).",
        width=96, subsequent_indent=" " * 8)
    return doc.replace("<<methods>>", methods).replace(
        "<<rule hyperparameters>>", _rule_options.docstring_entries())


GDRegressor.__doc__ = _fill_docstring(GDRegressor.__doc__)

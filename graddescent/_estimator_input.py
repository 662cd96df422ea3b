"""GDRegressor's input: the training data validated in one pass, the starting point, the
validation split and the random source (everything a fit needs before the engine runs)."""

from __future__ import annotations

import hashlib
import math

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import _check_sample_weight, validate_data

from . import _sparse as S
from . import objective as O
from ._dask_fit import dask_data, is_dask
from ._validation import check_magnitudes, check_vector, magnitude_limit
from .drivers.distributed import DaskData

__all__ = ["validated", "starting_point", "validation_split", "validation_score",
           "sample_weights", "as_generator", "loss_scale", "digest", "check_rows",
           "check_same_rows"]


def check_rows(X: np.ndarray) -> float:
    """One pass over ``X``: refuse NaN and infinite entries (scikit-learn's wording); return
    ``L_max = 1 + max_i ||x_i||^2``."""
    sparse = S.is_sparse(X)
    top, bad = S.scan_rows(S.csr_rows(X)) if sparse else O.scan(X)
    if bad >= 0:
        row = X[bad].toarray() if sparse else X[bad]
        kind = "NaN" if np.isnan(row).any() else "infinity or a value too large for " \
            "dtype('float64')"
        raise ValueError(f"Input X contains {kind} (row {bad}).")
    return 1.0 + float(top)


def validated(est, X, y, reset: bool = True, early_stopping: bool = False,
              n_features: int | None = None, sample_weight=None):
    """``(X, y, L_max)`` validated in one pass over ``X`` (``est`` records the features): NaN
    and infinity refused, ``y`` float64 (float16, long double and numeric strings converted),
    writable copies of read-only inputs (memmaps), magnitudes whose squares fit in float64 (a
    ValueError names the feature). Dask input is validated where it lives (one distributed
    pass; ``X`` and ``y`` are then the same :class:`DaskData`, which holds ``sample_weight``,
    checked in the same pass; in-memory weights are checked by :func:`sample_weights`).
    ``n_features``: the number a warm start continues from (on a mismatch ``est`` keeps its
    previous feature attributes)."""
    keys = ("n_features_in_", "feature_names_in_")
    fitted = {k: getattr(est, k) for k in keys if hasattr(est, k)}
    X, y, l_max = _validated(est, X, y, reset, early_stopping, sample_weight)
    if n_features is not None and X.shape[1] != n_features:
        for k in keys:
            if k in fitted:
                setattr(est, k, fitted[k])
            elif hasattr(est, k):
                delattr(est, k)
        raise ValueError(f"X has {X.shape[1]} features, but GDRegressor is expecting "
                         f"{n_features} features as input (warm_start=True continues from the "
                         f"previous fit; set warm_start=False to fit data with other "
                         f"features).")
    return X, y, l_max


def _validated(est, X, y, reset: bool, early_stopping: bool, sample_weight=None):
    if is_dask(X):
        data = dask_data(X, y, early_stopping, sample_weight)
        est.n_features_in_ = data.shape[1]
        if data.feature_names is not None:
            est.feature_names_in_ = data.feature_names
        elif hasattr(est, "feature_names_in_"):
            del est.feature_names_in_
        return data, data, data.l_max
    # sparse X: CSR as it is (CSC, COO converted once), read by the kernels without a copy
    X, y = validate_data(est, X, y, dtype=np.float64, order="C", y_numeric=True, reset=reset,
                         ensure_all_finite=False, accept_sparse="csr",
                         accept_large_sparse=True)
    if y.dtype != np.float64:
        try:
            with np.errstate(over="ignore"):
                y = y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"y must hold numbers (got dtype {y.dtype}): {exc}.") from None
    assert_all_finite(y, input_name="y")
    # The kernels are compiled for writable arrays: copy read-only inputs (memmaps).
    # (sparse rows are read as they are, read-only or not: never written)
    if not S.is_sparse(X) and not X.flags.writeable:
        X = X.copy()
    y = y if y.flags.writeable else y.copy()
    l_max = check_rows(X)
    # |x_ij| <= sqrt(max_i ||x_i||^2): the column-by-column check only when that is large
    limit = magnitude_limit(X.shape[0], X.shape[1] + 1)
    if not math.sqrt(l_max) <= limit or \
            not float(max(y.max(initial=0.0), -y.min(initial=0.0))) <= limit:
        names = getattr(est, "feature_names_in_", None)
        check_magnitudes(S.csr_rows(X) if S.is_sparse(X) else X, y,
                         columns=None if names is None else list(names))
    return X, y, l_max


def starting_point(d: int, previous: np.ndarray | None, coef_init, intercept_init) -> np.ndarray:
    """``theta0`` (intercept first): zeros, the previous fit (warm start), or the given values."""
    theta0 = np.zeros(d + 1) if previous is None else np.array(previous, dtype=np.float64)
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
    return theta0


def validation_split(X, y, fraction: float, rng: np.random.Generator, sample_weight=None):
    """Hold out ``ceil(fraction * n)`` rows drawn from ``rng`` (early stopping): ``(X, y,
    sample_weight)`` of the training rows, then of the validation rows."""
    n = X.shape[0]
    n_val = math.ceil(fraction * n)
    if n - n_val < 1:
        raise ValueError(f"early_stopping with validation_fraction={fraction} leaves no "
                         f"training rows out of {n}; use more rows, a smaller "
                         f"validation_fraction, or early_stopping=False.")
    val = np.zeros(n, dtype=bool)
    val[rng.permutation(n)[:n_val]] = True
    if sample_weight is None:
        return (X[~val], y[~val], None), (X[val], y[val], None)
    if not sample_weight[val].sum() > 0:
        raise ValueError("The sample weights of the validation set (early_stopping) are all "
                         "zero: use another random_state or validation_fraction, or "
                         "early_stopping=False.")
    return (X[~val], y[~val], sample_weight[~val]), (X[val], y[val], sample_weight[val])


def validation_score(X_val, y_val, sample_weight=None):
    """The validation :math:`R^2` of ``theta`` (intercept first), as a function of it."""
    if sample_weight is None:
        scale = O.loss_scale(y_val)
        if S.is_sparse(X_val):
            rows = S.csr_rows(X_val)
            return lambda theta: 1.0 - S.objective_strided(rows, y_val, theta, 1) / scale
        return lambda theta: 1.0 - O.objective_value(X_val, y_val, theta) / scale
    w = sample_weight / sample_weight.sum()
    total = float(w @ (y_val - w @ y_val) ** 2)

    def score(theta):
        r = X_val @ theta[1:] + theta[0] - y_val
        return 1.0 - float(w @ r**2) / total if total > 0 else 0.0

    return score


def sample_weights(sample_weight, X) -> np.ndarray | None:
    """``sample_weight`` checked (one finite non-negative number per row, not all zero) as a new
    float64 array, or None; None for data held by Dask (a :class:`DaskData`, which holds
    its weights with its rows: :func:`validated` checked them)."""
    if sample_weight is None or isinstance(X, DaskData):
        return None
    w = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True,
                             copy=True)
    if not w.sum() > 0:
        raise ValueError("sample_weight must not be all zero: the weighted objective would be "
                         "empty.")
    return w


def as_generator(random_state) -> np.random.Generator:
    """A Generator from None, an int, a RandomState (one integer drawn from it) or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(np.iinfo(np.int32).max)))
    return np.random.default_rng(random_state)


def loss_scale(y, problem=None, sample_weight=None) -> float:
    """The objective of the best constant prediction, the unit of ``tol``: ``Var(y) / 2`` for
    least squares (:func:`graddescent.objective.loss_scale`; for Dask input, from its
    statistics), else the problem's (:meth:`graddescent.problems.Problem.loss_scale`)."""
    if isinstance(y, DaskData):
        return y.loss_scale(problem)
    if problem is None:
        return O.loss_scale(y)
    return problem.loss_scale(y, sample_weight)


def digest(X: np.ndarray, y: np.ndarray) -> bytes:
    """A digest of the rows ``(X, y)`` (to notice that partial_fit got other rows)."""
    h = hashlib.blake2b(digest_size=16)
    for part in ((X.data, X.indices, X.indptr) if S.is_sparse(X) else (X,)):
        h.update(memoryview(np.ascontiguousarray(part)).cast("B"))
    h.update(memoryview(np.ascontiguousarray(y)).cast("B"))
    return h.digest()


def check_same_rows(opt, X: np.ndarray, y: np.ndarray, method: str, seen: bytes | None
                    ) -> bytes | None:
    """partial_fit: for the methods that remember rows (SAG, SAGA) or need the full gradient
    (Rprop), notice a chunk with other rows than the previous call's (``seen``, a digest of
    them; None on the first call): the gradient table restarts, Rprop refuses. Returns this
    call's digest (None for the other methods)."""
    # a driver state with a per-row table (SAG's, SAGA's) calls it ``memory``
    remembers = getattr(opt.driver_state, "memory", None) is not None
    if not (remembers or opt.rule.full_batch_only):
        return None
    now = digest(X, y)
    if seen is None or seen == now:
        return now
    if opt.rule.full_batch_only:
        raise ValueError(
            f"GDRegressor(method={method!r}) cannot run on a stream of chunks: the update rule "
            f"{opt.rule.name!r} is a sign method that needs the full gradient, and partial_fit "
            f"was given other rows than before. Fit it on all the data (fit, or a Dask array), "
            f"or stream with a method that takes sampled gradients (gd, sgd, mbgd, adam, ...).")
    opt.driver_state = opt.driver.init_state(X.shape[0], opt.theta.shape[0])
    return now

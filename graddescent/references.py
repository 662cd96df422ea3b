"""What a user would pick instead: scikit-learn's solvers as budgeted reference fits.

Each reference runs on the same scaled training rows and budget as the methods and returns a
:class:`~graddescent.budget.Trace`, so it joins the same table, CSV and figures:

``sk_sgd_constant``, ``sk_sgd_invscaling``
    :class:`sklearn.linear_model.SGDRegressor` without penalty, a constant step
    (``eta0 = 0.01``) or its default schedule (``invscaling``); one ``partial_fit`` is one epoch,
    the objective recorded after each.
``sk_ridge_sag``, ``sk_ridge_saga``
    :class:`sklearn.linear_model.Ridge` with ``alpha=0`` and ``solver="sag"`` / ``"saga"``
    (``tol=0``), refitted from scratch for increasing ``max_iter`` (epochs); each recording's
    seconds are that fit's (made non-decreasing against timing noise).
``sk_lstsq``
    :class:`sklearn.linear_model.LinearRegression`: ``f*`` itself (no epochs), its time shown.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from . import objective as O
from .budget import Budget, Trace, loss_scale

__all__ = ["REFERENCES", "run_reference"]

#: Reference name -> one line for tables.
REFERENCES = {
    "sk_sgd_constant": "scikit-learn SGDRegressor, no penalty, constant eta0 = 0.01",
    "sk_sgd_invscaling": "scikit-learn SGDRegressor, no penalty, its default invscaling schedule",
    "sk_ridge_sag": "scikit-learn Ridge(alpha=0, solver='sag')",
    "sk_ridge_saga": "scikit-learn Ridge(alpha=0, solver='saga')",
    "sk_lstsq": "scikit-learn LinearRegression (the exact least-squares fit)",
}


def _theta(model) -> np.ndarray:
    return np.concatenate([[float(np.ravel(model.intercept_)[0])], np.ravel(model.coef_)])


def _sgd(X, y, seed, budget, schedule):
    from sklearn.linear_model import SGDRegressor

    model = SGDRegressor(penalty=None, learning_rate=schedule, random_state=seed)
    epochs, seconds, values = [0.0], [0.0], [O.objective(X, y, np.zeros(X.shape[1] + 1))]
    elapsed = 0.0
    while True:
        start = time.perf_counter()
        model.partial_fit(X, y)
        elapsed += time.perf_counter() - start
        theta = _theta(model)
        epochs.append(epochs[-1] + 1.0)
        seconds.append(elapsed)
        values.append(O.objective(X, y, theta))
        if not math.isfinite(values[-1]):
            return epochs, seconds, values, theta, "diverged", float(model.eta0)
        if ((budget.epochs is not None and epochs[-1] >= budget.epochs)
                or (budget.seconds is not None and elapsed >= budget.seconds)):
            return epochs, seconds, values, theta, "budget reached", float(model.eta0)


def _ridge(X, y, seed, budget, solver):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Ridge

    if budget.epochs is not None:
        stops = np.unique(np.round(np.geomspace(1, max(budget.epochs, 1),
                                                min(30, budget.n_points))).astype(int))
    else:
        stops = 2 ** np.arange(40)
    epochs, seconds, values = [0.0], [0.0], [O.objective(X, y, np.zeros(X.shape[1] + 1))]
    theta = np.zeros(X.shape[1] + 1)
    for k in stops:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = Ridge(alpha=0.0, solver=solver, max_iter=int(k), tol=0.0,
                          random_state=seed).fit(X, y)
        took = time.perf_counter() - start
        theta = _theta(model)
        epochs.append(float(np.ravel(model.n_iter_)[0]))
        seconds.append(took)
        values.append(O.objective(X, y, theta))
        if budget.seconds is not None and took >= budget.seconds:
            break
    # each recording is a separate fit: its seconds, made non-decreasing (timing noise aside,
    # more epochs never take less time)
    return (epochs, list(np.maximum.accumulate(seconds)), values, theta, "budget reached",
            math.nan)


def run_reference(name: str, X: np.ndarray, y: np.ndarray, seed: int, budget: Budget) -> Trace:
    """Run the reference ``name`` of :data:`REFERENCES` on scaled training rows within
    ``budget``.

    Returns
    -------
    Trace
        ``learning_rate`` is SGDRegressor's ``eta0`` (NaN for the others); LinearRegression's
        trace holds one recording at NaN epochs.
    """
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; expected one of {', '.join(REFERENCES)}.")
    if name == "sk_lstsq":
        from sklearn.linear_model import LinearRegression

        start = time.perf_counter()
        model = LinearRegression().fit(X, y)
        took = time.perf_counter() - start
        theta = _theta(model)
        return Trace(np.array([math.nan]), np.array([took]),
                     np.array([O.objective(X, y, theta)]), theta, "ok", math.nan,
                     scale=loss_scale(y))
    run = _sgd if name.startswith("sk_sgd") else _ridge
    option = {"sk_sgd_constant": "constant", "sk_sgd_invscaling": "invscaling",
              "sk_ridge_sag": "sag", "sk_ridge_saga": "saga"}[name]
    epochs, seconds, values, theta, status, lr = run(X, y, seed, budget, option)
    return Trace(np.array(epochs), np.array(seconds), np.array(values), theta, status, lr,
                 scale=loss_scale(y))

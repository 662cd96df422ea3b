"""The R-style API: gradDescent's 14 learners, ``learn``, ``predict`` and ``prediction``.

Every learner is built from its row of :data:`graddescent._registry.METHODS` by one factory, so
all of them share one validated code path and run the same engine as
:class:`~graddescent.GDRegressor`. Names and arguments follow the R manual in snake_case
(``maxIter`` -> ``max_iter``); ``max_iter`` keeps R's meaning (one step for GD, MBGD, SGD, SAGD,
MGD, AGD, ADAGRAD, ADADELTA, RMSPROP and ADAM; one outer loop for SSGD, SVRG, SARAH and
SARAHPlus). Each algorithm is the one its paper defines; how R gradDescent 3.0 differs is stated
in each learner's docstring, and :mod:`graddescent.r_replay` reproduces R's own numbers.

Random numbers: the learners start from ``theta0 ~ U(0, 1)`` as R does, drawn from
``initial_theta(p, seed)`` (a stream of its own), and sample rows with
``numpy.random.default_rng(seed)``. So a learner called with ``seed=s`` equals
``GDRegressor(..., random_state=s).fit(X, y, coef_init=theta0[1:], intercept_init=theta0[0])``
run for the same number of updates.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import drivers as D
from ._registry import (
    R_ARGUMENTS,
    R_NAMES,
    Method,
    check_r_arguments,
    control_defaults,
    get_method,
    r_argument_doc,
)
from ._signatures import signed_function
from ._validation import (
    as_frame,
    check_bool,
    check_mapping,
    check_str,
    check_vector,
    numeric_matrix,
    split_xy,
)
from .preprocessing import minmax_scaling, variance_scaling

__all__ = ["GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
           "SSGD", "SVRG", "SARAH", "SARAHPlus", "initial_theta", "run_learner", "learn",
           "predict", "prediction", "GradDescentModel", "CONTROL_DEFAULTS", "SCALING_METHODS"]

#: R's defaults for ``control`` in ``gradDescentR.learn`` (from the registry's rows).
CONTROL_DEFAULTS: dict[str, Any] = control_defaults()

_INIT_STREAM = 0x67D  # distinguishes theta0's stream from the sampling stream of the same seed


def initial_theta(n_params: int, seed: int | None) -> np.ndarray:
    """R's starting point ``theta0 ~ U(0, 1)`` of length ``n_params``, from its own stream."""
    rng = np.random.default_rng(None if seed is None else [_INIT_STREAM, int(seed)])
    return rng.uniform(0.0, 1.0, size=n_params)


def run_learner(learning_method: str, data_train: Any,
                arguments: Mapping[str, Any] | None = None, *, checkpoints: Sequence[int] = (),
                on_checkpoint: Callable[[D.Optimizer], None] | None = None) -> D.Optimizer:
    """Run a method the way its R-style learner does; return the optimizer it ran.

    The 14 learners and :func:`learn` are this function; it also runs the methods that have
    no R learner (``amsgrad``, ``rprop``) with the same settings and starting point.

    Parameters
    ----------
    learning_method : str
        An R name (``"GD"``, ...) or a lower-case method name.
    data_train : DataFrame or 2-D array
        Training data, numbers only, output in the last column, in the units to learn in.
    arguments : mapping, optional
        The method's R arguments (snake_case: ``alpha``, ``max_iter``, ..., ``seed``); missing
        ones take R's defaults (``Method.r_args``).
    checkpoints : sequence of int, optional
        Increasing iteration counts in ``[0, max_iter]`` at which to call ``on_checkpoint``;
        running in these pieces gives the same iterates as one run.
    on_checkpoint : callable, optional
        ``on_checkpoint(optimizer)``, after ``optimizer.units`` iterations.

    Returns
    -------
    Optimizer
        ``theta`` the coefficients (intercept first), ``t`` the coefficient updates taken,
        ``units`` the R iterations run.

    Raises
    ------
    TypeError
        For an argument the method does not take.
    ValueError
        For bad data or an argument out of range (the message names it); a fit that
        overflows raises :class:`graddescent.DivergenceError`.
    """
    method = get_method(learning_method)
    unknown = set(arguments or {}) - set(method.r_args)
    if unknown:
        raise TypeError(f"{method.r_name or method.name} has no argument(s) {sorted(unknown)}; "
                        f"it takes {list(method.r_args)}.")
    X, y, _ = split_xy(data_train, "data_train", min_rows=2, magnitudes=True)
    params = check_r_arguments({**method.r_args, **(arguments or {})}, X.shape[0])
    glossary = method.glossary(params)
    optimizer = D.Optimizer(method.make_rule(**glossary), method.make_driver(**glossary),
                            initial_theta(X.shape[1] + 1, params["seed"]), X.shape[0])
    rng = np.random.default_rng(params["seed"])
    stops = [int(c) for c in checkpoints]
    if any(b < a for a, b in zip([0, *stops], [*stops, params["max_iter"]], strict=True)):
        raise ValueError(f"checkpoints must increase within [0, max_iter={params['max_iter']}], "
                         f"got {list(checkpoints)}.")
    for stop in stops:
        optimizer.run(X, y, stop - optimizer.units, rng)
        if on_checkpoint is not None:
            on_checkpoint(optimizer)
    optimizer.run(X, y, params["max_iter"] - optimizer.units, rng)
    return optimizer


def _docstring(method: Method) -> str:
    rule_doc = inspect.getdoc(method.rule_factory).split("\n\nParameters")[0]
    driver_doc = inspect.getdoc(method.driver_class).split("\n\nParameters")[0]
    lines = [f"{method.r_name}: {method.summary} (R gradDescent 3.0: ``{method.r_name}``).", "",
             "Driver: " + driver_doc, "", "Update rule: " + rule_doc, "", "Parameters",
             "----------", "data_train : DataFrame or 2-D array",
             "    Training data, numbers only, output in the last column (R: ``dataTrain``)."]
    for arg, default in method.r_args.items():
        lines.append(f"{arg} : {R_ARGUMENTS[arg].annotation}, default {default!r}")
        lines.append("    " + r_argument_doc(method, arg))
    lines += ["", "Returns", "-------", "ndarray of shape (p + 1,)",
              "    theta: the intercept first, then one coefficient per input column.", "",
              "Notes", "-----", "Differences from R gradDescent 3.0: " + method.r_differences,
              "The starting point is theta0 ~ U(0, 1) as in R (see ``initial_theta``).",
              "A fit that diverges raises graddescent.DivergenceError, a ValueError (R returns "
              "huge or Inf/NaN values silently): when the coefficients overflow, or the "
              "objective ends more than 1e6 times above max(its start, Var(y) / 2), or grows at "
              "50 consecutive full-gradient evaluations while above it (see "
              "graddescent.drivers.DivergenceMonitor). Data whose squares would overflow "
              "raise a ValueError naming the column.", "",
              "Examples", "--------", f">>> from graddescent import {method.r_name}",
              ">>> import numpy as np",
              ">>> data = np.column_stack([np.linspace(-1, 1, 20), np.linspace(-1, 1, 20) * 2])",
              f">>> theta = {method.r_name}(data, max_iter=5, seed=1)",
              ">>> theta.shape", "(2,)"]
    return "\n".join(lines)


def _make_learner(r_name: str) -> Callable[..., np.ndarray]:
    method = R_NAMES[r_name]
    params = [inspect.Parameter("data_train", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation="DataFrame | ArrayLike")]
    params += [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=v)
               for k, v in method.r_args.items()]
    signature = inspect.Signature(params, return_annotation="np.ndarray")

    def learner(values: dict[str, Any]) -> np.ndarray:
        return run_learner(r_name, values.pop("data_train"), values).theta

    return signed_function(r_name, signature, learner, _docstring(method), module=__name__)


GD = _make_learner("GD")
MBGD = _make_learner("MBGD")
SGD = _make_learner("SGD")
SAGD = _make_learner("SAGD")
MGD = _make_learner("MGD")
AGD = _make_learner("AGD")
ADAGRAD = _make_learner("ADAGRAD")
ADADELTA = _make_learner("ADADELTA")
RMSPROP = _make_learner("RMSPROP")
ADAM = _make_learner("ADAM")
SSGD = _make_learner("SSGD")
SVRG = _make_learner("SVRG")
SARAH = _make_learner("SARAH")
SARAHPlus = _make_learner("SARAHPlus")


def prediction(model: Any, data_test_input: Any) -> pd.DataFrame:
    """Predict with theta: the inputs with the prediction appended (R: ``prediction``).

    Parameters
    ----------
    model : array-like of shape (p + 1,) or (1, p + 1)
        theta, intercept first (as returned by the learners).
    data_test_input : DataFrame or 2-D array
        Inputs only (no output column), in the units theta was learned in.

    Returns
    -------
    DataFrame
        The inputs and a last column ``prediction`` = ``theta_0 + sum_j theta_j x_j``.
    """
    if isinstance(model, GradDescentModel):
        raise TypeError("prediction() takes theta (an array, as the learners return); for a "
                        "learn() result use predict(model, new_data).")
    theta = check_vector("model (theta)", model, flatten=True)
    frame = as_frame(data_test_input, "data_test_input")
    X = numeric_matrix(frame, "data_test_input")
    if theta.shape[0] != X.shape[1] + 1:
        raise ValueError(f"theta has {theta.shape[0]} values but data_test_input has "
                         f"{X.shape[1]} input columns; theta needs one more (the intercept).")
    out = frame.copy()
    out["prediction"] = _finite_predictions(theta[0] + _product(X, theta[1:]))
    return out


def _product(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return X @ w


def _finite_predictions(yhat: np.ndarray) -> np.ndarray:
    """``yhat``, or a ValueError naming the first row whose prediction overflowed."""
    bad = ~np.isfinite(yhat)
    if bad.any():
        raise ValueError(f"The prediction of row {int(np.argmax(bad))} overflows float64: the "
                         f"data or the coefficients are too large in magnitude.")
    return yhat


SCALING_METHODS = {"VARIANCE": variance_scaling, "MINMAX": minmax_scaling}


@dataclasses.dataclass
class GradDescentModel:
    """What :func:`learn` returns (R: a ``gradDescentRObject``).

    Attributes
    ----------
    feature_scaling : bool
    scaling_method : str
        ``"VARIANCE"`` or ``"MINMAX"``.
    scaling_parameter : DataFrame or None
        Two rows (mean and sd, or min and range) over every column, output last.
    learning_method : str
        The R name of the learner.
    model : ndarray of shape (p + 1,)
        theta in the scaled space, intercept first.
    control : dict
        Every control setting, R's defaults filled in.
    columns : list
        The training columns, output last (used by :func:`predict`).
    """

    feature_scaling: bool
    scaling_method: str
    scaling_parameter: pd.DataFrame | None
    learning_method: str
    model: np.ndarray
    control: dict[str, Any]
    columns: list[Any]


def learn(data_set: Any, feature_scaling: bool = True, scaling_method: str = "VARIANCE",
          learning_method: str = "GD", control: dict[str, Any] | None = None,
          seed: int | None = None) -> GradDescentModel:
    """Scale a data set and learn a linear model with a named method (R: ``gradDescentR.learn``).

    Parameters
    ----------
    data_set : DataFrame or 2-D array
        Numbers only, output in the last column.
    feature_scaling : bool, default True
        Scale every column (output included) before learning.
    scaling_method : {"VARIANCE", "MINMAX"}, default "VARIANCE"
    learning_method : str, default "GD"
        One of the 14 R names (``"GD"``, ..., ``"SARAHPlus"``) or a lower-case method name.
    control : dict, optional
        Learner settings with the snake_case R names ``alpha, max_iter, momentum, n_batch,
        lamda, inner_iter, option, gamma_s``; missing ones take R's defaults
        (:data:`CONTROL_DEFAULTS`).
    seed : int or None

    Returns
    -------
    GradDescentModel

    Examples
    --------
    >>> import numpy as np
    >>> from graddescent import learn, predict
    >>> x = np.linspace(0, 10, 50); data = np.column_stack([x, 3 * x + 1])
    >>> model = learn(data, learning_method="GD", control={"max_iter": 500}, seed=1)
    >>> round(float(predict(model, data[:1])["prediction"].iloc[0]), 3)
    1.0
    """
    frame = as_frame(data_set, "data_set")
    numeric_matrix(frame, "data_set", min_rows=2, min_cols=2)
    feature_scaling = check_bool("feature_scaling", feature_scaling)
    method = get_method(check_str("learning_method", learning_method, "GD"))
    if method.r_name is None:
        raise ValueError(f"learn() runs the 14 R learners; {learning_method!r} is not one of "
                         f"them (use GDRegressor(method={method.name!r})).")
    settings = dict(CONTROL_DEFAULTS)
    control = check_mapping("control", control, "{'alpha': 0.05, 'max_iter': 100}")
    unknown = set(control) - set(settings)
    if unknown:
        raise ValueError(f"Unknown control setting(s) {sorted(unknown, key=repr)}; known: "
                         f"{sorted(settings)}.")
    settings.update(control)
    key = str(scaling_method).upper()
    if key not in SCALING_METHODS:
        raise ValueError(f"Unknown scaling_method {scaling_method!r}; use 'VARIANCE' or "
                         f"'MINMAX'.")
    parameter = None
    train = frame
    if feature_scaling:
        train, parameter = SCALING_METHODS[key](frame)
    args = {k: v for k, v in settings.items() if k in method.r_args}
    theta = run_learner(method.r_name, train, {**args, "seed": seed}).theta
    return GradDescentModel(bool(feature_scaling), key, parameter, method.r_name, theta,
                            settings, list(frame.columns))


def predict(model: GradDescentModel, new_data: Any) -> pd.DataFrame:
    """Predict in original units with a :func:`learn` result (R: ``predict``).

    Unlike R, ``new_data`` may come with or without the output column: with as many columns as
    the training data the last one is ignored (R's behaviour); with one fewer, every column is
    an input. A frame whose column names include the training inputs is matched by name.

    Parameters
    ----------
    model : GradDescentModel
    new_data : DataFrame or 2-D array

    Returns
    -------
    DataFrame
        The inputs as given and a last column ``prediction``, in original units.
    """
    if not isinstance(model, GradDescentModel):
        raise TypeError(f"predict() takes the GradDescentModel that learn() returns, got "
                        f"{type(model).__name__}; for theta (an array) use "
                        f"prediction(theta, new_data).")
    frame = as_frame(new_data, "new_data")
    inputs = model.columns[:-1]
    d = len(inputs)
    if set(inputs) <= set(frame.columns):
        frame = frame[inputs]
    elif frame.shape[1] == d + 1:
        frame = frame.iloc[:, :d]
    elif frame.shape[1] != d:
        raise ValueError(f"new_data has {frame.shape[1]} columns; the model expects {d} inputs "
                         f"(optionally followed by the output column).")
    X = numeric_matrix(frame, "new_data")
    theta = check_vector("model.model (theta)", model.model, d + 1,
                         expected=f"one more than the {d} inputs (the intercept first)")
    if model.feature_scaling:
        params = np.asarray(model.scaling_parameter, dtype=np.float64)
        with np.errstate(all="ignore"):
            yhat = theta[0] + _product((X - params[0, :d]) / params[1, :d], theta[1:])
            yhat = yhat * params[1, d] + params[0, d]
    else:
        yhat = theta[0] + _product(X, theta[1:])
    out = frame.copy()
    out["prediction"] = _finite_predictions(yhat)
    return out


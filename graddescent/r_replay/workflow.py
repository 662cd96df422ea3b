"""R's workflow: ``splitData``, the two scalings, ``gradDescentR.learn`` and ``predict``."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._registry import R_NAMES
from ..preprocessing import SplitData
from .arithmetic import linear, mean_sd
from .errors import RError, RNonFiniteWarning
from .inputs import ARITHMETIC_ERROR, MATPROD_ERROR, DataLike, Matrix, as_matrix
from .learners import LEARNERS, replay_learner
from .session import RSession, UnseededRNG

__all__ = ["RReplayModel", "SplitData", "learn", "predict", "split_data"]


def _take_rows(data: DataLike, rows: np.ndarray) -> pd.DataFrame | np.ndarray:
    return data.iloc[rows] if isinstance(data, pd.DataFrame) else np.asarray(data)[rows]


def _train_rate(value: object) -> float:
    """``dataTrainRate`` as R can use it: a number in [0, 1] (R itself stops on the others, with
    messages that do not name it: ``cannot take a sample larger than the population``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"data_train_rate must be a number in [0, 1] (the fraction of rows for "
                        f"training), got {value!r}.")
    rate = float(value)
    if not 0.0 <= rate <= 1.0:  # NaN too
        raise RError(f"data_train_rate must lie in [0, 1] (the fraction of rows for training), "
                     f"got {value!r}; R stops on it too (sample() cannot draw that many rows).")
    return rate


def split_data(
    data_set: DataLike,
    data_train_rate: float = 0.5,
    seed: int | None = None,
    *,
    unseeded_rng: UnseededRNG = None,
) -> SplitData:
    """Split rows exactly as R's ``splitData``.

    R: ``set.seed(seed)``; the training rows are ``sample(n, trunc(n * dataTrainRate))`` in the
    order drawn; the test rows are the others in their original order. Reproduced quirk: when
    no training row is drawn, R's ``dataSet[-integer(0), ]`` leaves the test set empty too.

    Parameters
    ----------
    data_set : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        The data (R: ``dataSet``). A DataFrame keeps its index, so the index shows R's rows.
    data_train_rate : float, default=0.5
        Fraction of rows for training (R: ``dataTrainRate``).
    seed : int or None, default=None
        R's ``seed``; None draws from ``unseeded_rng``.
    unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
        Source of the draws when ``seed`` is None (see :func:`GD`).

    Returns
    -------
    SplitData
        Named tuple ``(data_train, data_test)`` of the same type as ``data_set``.
    """
    rate = _train_rate(data_train_rate)
    n = len(data_set)
    session = RSession(unseeded_rng)
    session.set_seed(seed)
    train = session.rng.sample(n, math.trunc(n * rate)) - 1
    test = np.setdiff1d(np.arange(n), train) if train.size else train
    return SplitData(_take_rows(data_set, train), _take_rows(data_set, test))


def _minmax_parameter(data: np.ndarray) -> np.ndarray:
    """R's ``getMinMax``: rows min and max - min."""
    low = data.min(axis=0)
    return np.vstack([low, data.max(axis=0) - low])


def _scale(data: np.ndarray, parameter: np.ndarray) -> np.ndarray:
    """``(x - parameter[0]) / parameter[1]`` per column (both R scalings have this form)."""
    with np.errstate(all="ignore"):
        return (data - parameter[0]) / parameter[1]


def _descale(data: np.ndarray, parameter: np.ndarray) -> np.ndarray:
    """``x * parameter[1] + parameter[0]`` per column (R's descalings)."""
    with np.errstate(all="ignore"):
        return (data * parameter[1]) + parameter[0]


#: R's scalings of ``gradDescentR.learn``: name -> (parameter of the data, R's function,
#: what R divides by).
_SCALINGS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str, str]] = {
    "VARIANCE": (mean_sd, "varianceScaling", "sd"),
    "MINMAX": (_minmax_parameter, "minmaxScaling", "max - min"),
}


def _scaling_causes(data: Matrix, scaled: np.ndarray, parameter: np.ndarray,
                    scaling_method: str) -> list[str]:
    """Why columns of the scaled data hold NaN or Inf, column by column."""
    _, function, divisor = _SCALINGS[scaling_method]
    causes = []
    for j in np.flatnonzero(~np.isfinite(scaled).all(axis=0)):
        column = data.values[:, j]
        label = data.labels[j]
        if not np.isfinite(column).all():
            continue  # the data's own NA or Inf, named below
        if parameter[1, j] == 0:
            causes.append(f"{label} is constant ({float(column[0])!r}): R's {function} "
                          f"divides it by its {divisor} 0, so it becomes NaN")
        else:
            causes.append(f"{label} scales to non-finite values: R's {function} divides it by "
                          f"its {divisor} {float(parameter[1, j])!r}")
    return data.nonfinite_columns() + causes


def _r_spelling(argument: str) -> str:
    """R's name of a learner argument: ``max_iter`` -> ``maxIter``, ``gamma_s`` -> ``gammaS``."""
    head, *rest = argument.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _control_defaults() -> dict[str, tuple[str, object]]:
    """R's control entries of ``gradDescentR.learn``: R name -> (learner argument, R default).

    The union of the 14 learners' arguments in the registry (``seed`` is ``learn``'s own).
    """
    entries: dict[str, tuple[str, object]] = {}
    for method in R_NAMES.values():
        for argument, default in method.r_args.items():
            if argument != "seed":
                entries.setdefault(_r_spelling(argument), (argument, default))
    return entries


_CONTROL_DEFAULTS = _control_defaults()


def _fill_control(control: Mapping[str, object] | None) -> dict[str, object]:
    """R's ``setDefaultParametersIfMissing``; keys by R name or by learner argument name."""
    by_argument = {argument: name for name, (argument, _) in _CONTROL_DEFAULTS.items()}
    filled = {name: default for name, (_, default) in _CONTROL_DEFAULTS.items()}
    for key, value in (control or {}).items():
        name = key if key in _CONTROL_DEFAULTS else by_argument.get(key)
        if name is None:
            raise ValueError(
                f"unknown control entry {key!r}; R's entries are {list(_CONTROL_DEFAULTS)}"
            )
        if value is not None:  # R treats a NULL entry as missing
            filled[name] = value
    return filled


@dataclass(frozen=True)
class RReplayModel:
    """R's ``gradDescentRObject``, as returned by :func:`learn`.

    Attributes
    ----------
    feature_scaling : bool
        Whether the data were scaled before learning.
    scaling_method : str
        ``"VARIANCE"`` or ``"MINMAX"``.
    scaling_parameter : numpy.ndarray of shape (2, n_columns) or None
        Mean and sd rows (VARIANCE) or min and max - min rows (MINMAX); None without scaling.
    learning_method : str
        R name of the learner.
    model : numpy.ndarray of shape (n_columns,)
        theta in scaled units, intercept first.
    control : dict
        The control entries by R name, R's defaults filled in.
    """

    feature_scaling: bool
    scaling_method: str
    scaling_parameter: np.ndarray | None
    learning_method: str
    model: np.ndarray
    control: dict[str, object] = field(default_factory=dict)


def learn(
    data_set: DataLike,
    feature_scaling: bool = True,
    scaling_method: str = "VARIANCE",
    learning_method: str = "GD",
    control: Mapping[str, object] | None = None,
    seed: int | None = None,
    *,
    unseeded_rng: UnseededRNG = None,
) -> RReplayModel:
    """Scale and learn exactly as R's ``gradDescentR.learn``.

    Missing control entries get R's defaults, those of the learners' arguments ({defaults});
    the whole frame, output included, is scaled if asked; the learner named
    ``learning_method`` (looked up in :data:`LEARNERS`) gets the control entries it takes, and
    ``seed``. Where R's theta is NaN or Inf (a constant column under scaling, an NA), it is
    returned with one :class:`~graddescent.r_replay.errors.RNonFiniteWarning` naming the
    cause.

    Parameters
    ----------
    data_set : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        Training data, the last column being the output (R: ``dataSet``).
    feature_scaling : bool, default=True
        Scale every column first (R: ``featureScaling``).
    scaling_method : {"VARIANCE", "MINMAX"}, default="VARIANCE"
        ``(x - mean) / sd`` with the n - 1 sd, or ``(x - min) / (max - min)``.
    learning_method : str, default="GD"
        One of the 14 R names in :data:`LEARNERS`.
    control : mapping or None, default=None
        Entries by R name (``maxIter``) or argument name (``max_iter``). Unlike R, an unknown
        entry is an error rather than ignored.
    seed : int or None, default=None
        R's ``seed``, passed to the learner.
    unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
        Source of the draws R makes after ``set.seed(NULL)`` (see :func:`GD`).

    Returns
    -------
    RReplayModel
        R's fields: feature_scaling, scaling_method, scaling_parameter, learning_method,
        model (theta), control.

    Raises
    ------
    RError
        For an unknown ``scaling_method`` (when scaling) or ``learning_method``, for a text
        column (R: "non-numeric argument to binary operator" when scaling), and wherever the
        learner raises, as R does.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(20.0)
    >>> train, test = split_data(np.column_stack([x, 2 * x + 1]), 0.8, seed=1)
    >>> model = learn(train, learning_method="SGD", control={"maxIter": 50}, seed=1)
    >>> model.model.shape
    (2,)
    >>> predict(model, test).shape
    (4, 2)
    """
    control = _fill_control(control)
    parameter = causes = None
    if feature_scaling:  # R scales first: its errors come before the learner's
        if scaling_method not in _SCALINGS:
            raise RError(f"unknown scalingMethod argument value {scaling_method!r}")
        data = as_matrix(data_set, "data_set", ARITHMETIC_ERROR)
        parameter = _SCALINGS[scaling_method][0](data.values)
        scaled = _scale(data.values, parameter)
        causes = _scaling_causes(data, scaled, parameter, scaling_method)
        data = Matrix(scaled, data.labels)
    if learning_method not in LEARNERS:
        raise RError(f"unknown learningMethod argument value {learning_method!r}")
    if not feature_scaling:
        data = as_matrix(data_set, "data_set")
    arguments = {arg: control[_r_spelling(arg)] for arg in R_NAMES[learning_method].r_args
                 if arg != "seed"}
    theta = replay_learner(learning_method, data, {**arguments, "seed": seed}, unseeded_rng,
                           causes=causes, stacklevel=3)
    return RReplayModel(feature_scaling, scaling_method, parameter, learning_method, theta, control)


def _warn_prediction(model: RReplayModel, data: Matrix, prediction: np.ndarray) -> None:
    """Warn once that R's predictions hold NaN or Inf, with the causes."""
    inputs = Matrix(data.values[:, :-1], data.labels[:-1])
    causes = inputs.nonfinite_columns()
    if not np.isfinite(model.model).all():
        causes.append(f"the model holds non-finite theta {model.model!r}")
    if model.feature_scaling:
        flat = [data.labels[j] for j in np.flatnonzero(model.scaling_parameter[1] == 0)]
        if flat:
            causes.append(f"the scaling divides {', '.join(flat)} by 0")
    if not causes:
        causes.append("the predictions overflowed")
    bad = int((~np.isfinite(prediction)).sum())
    warnings.warn(
        f"R's predict returns {bad} non-finite prediction(s), as the replay does. Cause: "
        f"{'; '.join(causes)}.",
        RNonFiniteWarning,
        stacklevel=3,
    )


def predict(model: RReplayModel, new_data: DataLike) -> pd.DataFrame | np.ndarray:
    """Predict exactly as R's ``predict`` for a ``gradDescentRObject``.

    R scales every column of ``new_data`` with the stored parameters, drops its last column
    (so ``new_data`` must still hold an output column, whatever its values), predicts
    ``theta_0 + sum theta_j x_j``, appends the prediction and descales every column, the
    prediction with the output's parameters.

    Parameters
    ----------
    model : RReplayModel
        The result of :func:`learn`.
    new_data : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        Data with the same columns as the training data, output last.

    Returns
    -------
    pandas.DataFrame or numpy.ndarray of shape (n_rows, n_columns)
        The inputs (scaled and descaled, as R returns them) and the prediction as the last
        column, named ``"prediction"`` (R calls it ``V1``); a DataFrame keeps its index.
    """
    matrix = as_matrix(new_data, "new_data",
                       ARITHMETIC_ERROR if model.feature_scaling else MATPROD_ERROR)
    data = matrix.values
    if data.shape[1] != model.model.size:
        raise ValueError(
            f"new_data has {data.shape[1]} columns; the model was learned on {model.model.size}"
        )
    if model.feature_scaling:
        data = _scale(data, model.scaling_parameter)
    inputs = data[:, :-1]
    with np.errstate(all="ignore"):
        prediction = linear(np.column_stack([np.ones(len(inputs)), inputs]), model.model)
    result = np.column_stack([inputs, prediction])
    if model.feature_scaling:
        result = _descale(result, model.scaling_parameter)
    if not np.isfinite(result[:, -1]).all():
        _warn_prediction(model, matrix, result[:, -1])
    if isinstance(new_data, pd.DataFrame):
        columns = [*new_data.columns[:-1], "prediction"]
        return pd.DataFrame(result, index=new_data.index, columns=columns)
    return result


if learn.__doc__:  # None under python -OO
    learn.__doc__ = learn.__doc__.replace(
        "{defaults}",
        ", ".join(f"{name} {default!r}" for name, (_, default) in _CONTROL_DEFAULTS.items()),
    )

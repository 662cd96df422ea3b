"""The R workflow's data helpers: split a data set, scale it, undo the scaling.

Mirrors R gradDescent's ``splitData``, ``varianceScaling``, ``varianceDescaling``,
``minmaxScaling`` and ``minmaxDescaling``. Frames in, frames out (a 2-D array is accepted and
treated as a frame with columns ``V1, V2, ...``); the caller's data are never modified.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._validation import as_frame, numeric_matrix

__all__ = ["SplitData", "Scaled", "split_data", "variance_scaling", "variance_descaling",
           "minmax_scaling", "minmax_descaling"]


class SplitData(NamedTuple):
    """The result of :func:`split_data` (R: ``$dataTrain``, ``$dataTest``)."""

    data_train: pd.DataFrame
    data_test: pd.DataFrame


class Scaled(NamedTuple):
    """The result of a scaling (R: ``$scaledDataSet``, ``$scalingParameter``).

    ``scaling_parameter`` is a 2-row frame with the data's columns: rows ``mean`` and ``sd``
    (variance scaling) or ``min`` and ``range`` (min-max scaling).
    """

    scaled_data_set: pd.DataFrame
    scaling_parameter: pd.DataFrame


def split_data(data_set: Any, data_train_rate: float = 0.5, seed: int | None = None
               ) -> SplitData:
    """Split a data set at random into a training and a test part (R: ``splitData``).

    ``trunc(n * data_train_rate)`` rows, drawn without replacement, form the training part in the
    order drawn; the remaining rows form the test part in their original order.

    Parameters
    ----------
    data_set : DataFrame or 2-D array
        The whole data set, output last.
    data_train_rate : float, default 0.5
        Fraction of the rows used for training, in (0, 1).
    seed : int or None
        Seed of the ``numpy.random.Generator`` that draws the rows (None: not reproducible).
        R's generator differs: use :func:`graddescent.r_replay.split_data` for R's exact rows.

    Returns
    -------
    SplitData
        ``(data_train, data_test)``, frames keeping the original row labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from graddescent import split_data
    >>> df = pd.DataFrame({"x": range(10), "y": range(10)})
    >>> train, test = split_data(df, 0.8, seed=1)
    >>> len(train), len(test)
    (8, 2)
    """
    frame = as_frame(data_set, "data_set")
    rate = float(data_train_rate)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"data_train_rate must lie in (0, 1), got {data_train_rate!r}.")
    n = frame.shape[0]
    k = int(n * rate)
    if k < 1 or k >= n:
        raise ValueError(f"Splitting {n} rows at rate {rate} leaves {k} training and {n - k} "
                         f"test rows; both parts need at least one row.")
    rng = np.random.default_rng(seed)
    train_rows = rng.choice(n, size=k, replace=False)
    test_mask = np.ones(n, dtype=bool)
    test_mask[train_rows] = False
    return SplitData(frame.iloc[train_rows].copy(), frame.iloc[np.flatnonzero(test_mask)].copy())


def _scale(data_set: Any, kind: str) -> Scaled:
    frame = as_frame(data_set, "data_set")
    values = numeric_matrix(frame, "data_set", min_rows=2)
    if kind == "variance":
        center, spread = values.mean(axis=0), values.std(axis=0, ddof=1)
        index = ["mean", "sd"]
    else:
        center = values.min(axis=0)
        spread = values.max(axis=0) - center
        index = ["min", "range"]
    flat = spread == 0
    if flat.any():
        cols = [str(c) for c in frame.columns[flat]]
        raise ValueError(f"Column(s) {', '.join(map(repr, cols))} are constant: {kind} scaling "
                         f"would divide by zero. Drop constant columns first.")
    scaled = pd.DataFrame((values - center) / spread, index=frame.index, columns=frame.columns)
    params = pd.DataFrame([center, spread], index=index, columns=frame.columns)
    return Scaled(scaled, params)


def _descale(data_set: Any, parameter: Any) -> pd.DataFrame:
    frame = as_frame(data_set, "data_set")
    values = numeric_matrix(frame, "data_set")
    params = np.asarray(parameter, dtype=np.float64)
    if params.ndim != 2 or params.shape[0] != 2 or params.shape[1] < values.shape[1]:
        raise ValueError(f"The scaling parameter must have 2 rows and at least as many columns "
                         f"as the data ({values.shape[1]}); got shape {params.shape}.")
    params = params[:, :values.shape[1]]
    return pd.DataFrame(values * params[1] + params[0], index=frame.index,
                        columns=frame.columns)


def variance_scaling(data_set: Any) -> Scaled:
    """Standardise every column: ``(x - mean) / sd`` (R: ``varianceScaling``).

    The standard deviation uses the ``n - 1`` denominator, as R does. Every column is scaled,
    the output included. A constant column raises a ValueError (R returns NaN silently).

    Parameters
    ----------
    data_set : DataFrame or 2-D array

    Returns
    -------
    Scaled
        ``(scaled_data_set, scaling_parameter)`` with parameter rows ``mean`` and ``sd``.
    """
    return _scale(data_set, "variance")


def variance_descaling(data_set: Any, variance_parameter: Any) -> pd.DataFrame:
    """Undo :func:`variance_scaling`: ``x * sd + mean`` per column (R: ``varianceDescaling``).

    Parameters
    ----------
    data_set : DataFrame or 2-D array
        Scaled data; its columns are matched by position with the parameter's first columns.
    variance_parameter : DataFrame or array of shape (2, p)

    Returns
    -------
    DataFrame
    """
    return _descale(data_set, variance_parameter)


def minmax_scaling(data_set: Any) -> Scaled:
    """Scale every column to [0, 1]: ``(x - min) / (max - min)`` (R: ``minmaxScaling``).

    Parameters
    ----------
    data_set : DataFrame or 2-D array

    Returns
    -------
    Scaled
        ``(scaled_data_set, scaling_parameter)`` with parameter rows ``min`` and ``range``.
    """
    return _scale(data_set, "minmax")


def minmax_descaling(data_set: Any, minmax_parameter: Any) -> pd.DataFrame:
    """Undo :func:`minmax_scaling`: ``x * (max - min) + min`` (R: ``minmaxDescaling``).

    Parameters
    ----------
    data_set : DataFrame or 2-D array
    minmax_parameter : DataFrame or array of shape (2, p)

    Returns
    -------
    DataFrame
    """
    return _descale(data_set, minmax_parameter)

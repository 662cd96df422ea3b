"""The R workflow's data helpers: split a data set, scale it, undo the scaling.

Mirrors R gradDescent's ``splitData``, ``varianceScaling``, ``varianceDescaling``,
``minmaxScaling`` and ``minmaxDescaling``. Frames in, frames out (a 2-D array is accepted and
treated as a frame with columns ``V1, V2, ...``); the caller's data are never modified.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._validation import as_frame, check_int, check_real, numeric_matrix

__all__ = ["SplitData", "Scaled", "split_data", "split_rows", "variance_scaling",
           "variance_descaling", "minmax_scaling", "minmax_descaling"]


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
    train_rows, test_rows = split_rows(frame.shape[0], data_train_rate, seed)
    return SplitData(frame.iloc[train_rows].copy(), frame.iloc[test_rows].copy())


def split_rows(n_rows: int, data_train_rate: float = 0.5, seed: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The row positions of :func:`split_data`'s two parts, for data that are not a frame
    (a ``scipy.sparse`` matrix is split by indexing its rows with them).

    Parameters
    ----------
    n_rows : int
        Number of rows of the data set.
    data_train_rate : float, default 0.5
        Fraction of the rows used for training, in (0, 1).
    seed : int or None
        As :func:`split_data`'s: the same seed gives the same rows.

    Returns
    -------
    train_rows, test_rows : ndarray of int
        ``trunc(n_rows * data_train_rate)`` positions drawn without replacement, in the order
        drawn, and the other positions in increasing order.
    """
    rate = check_real("data_train_rate", data_train_rate, lambda v: 0.0 < v < 1.0,
                      "lie in (0, 1)")
    if seed is not None:
        seed = check_int("seed", seed, low=0)
    n = int(n_rows)
    k = int(n * rate)
    if k < 1 or k >= n:
        raise ValueError(f"Splitting {n} rows at rate {rate} leaves {k} training and {n - k} "
                         f"test rows; both parts need at least one row.")
    rng = np.random.default_rng(seed)
    train_rows = rng.choice(n, size=k, replace=False)
    test_mask = np.ones(n, dtype=bool)
    test_mask[train_rows] = False
    return train_rows, np.flatnonzero(test_mask)


#: A spread below this (the square root of the smallest normal float64) is recomputed on the
#: column divided by its largest magnitude: the squared deviations of the sd underflow there.
_SMALL_SPREAD = float(np.sqrt(np.finfo(np.float64).tiny))


def _center_spread(values: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    if kind == "variance":
        return values.mean(axis=0), values.std(axis=0, ddof=1)
    center = values.min(axis=0)
    return center, values.max(axis=0) - center


def _scale(data_set: Any, kind: str) -> Scaled:
    """Scale every column; statistics that over- or underflow are computed robustly.

    ``(x - center) / spread`` as R computes it. A column whose plain statistics are not finite
    (the squares of 1e160, the range of -1e308..1e308) or whose spread underflows (1e-300) is
    scaled through ``u = x / max|x|`` instead (``center = center(u) max|x|``, ``spread =
    spread(u) max|x|``, scaled values ``(u - center(u)) / spread(u)``); when even those do not
    fit in float64, a ValueError names the column. Only columns whose values are all equal
    count as constant.
    """
    frame = as_frame(data_set, "data_set")
    values = numeric_matrix(frame, "data_set", min_rows=2)
    lo, hi = values.min(axis=0), values.max(axis=0)
    flat = lo == hi
    if flat.any():
        cols = [str(c) for c in frame.columns[flat]]
        raise ValueError(f"Column(s) {', '.join(map(repr, cols))} are constant: {kind} scaling "
                         f"would divide by zero. Drop constant columns first.")
    with np.errstate(all="ignore"):
        center, spread = _center_spread(values, kind)
        scaled = (values - center) / spread
    robust = ~(np.isfinite(center) & np.isfinite(spread) & (spread >= _SMALL_SPREAD))
    for j in np.flatnonzero(robust):
        peak = max(abs(lo[j]), abs(hi[j]))
        u = values[:, j:j + 1] / peak
        c, sp = _center_spread(u, kind)
        with np.errstate(over="ignore"):
            center[j], spread[j] = c[0] * peak, sp[0] * peak
        if not (np.isfinite(center[j]) and np.isfinite(spread[j])):
            what = "standard deviation" if kind == "variance" else "range"
            raise ValueError(f"Column {frame.columns[j]!r} of data_set spans {lo[j]:.3g} to "
                             f"{hi[j]:.3g}: its {what} overflows float64, so it cannot be "
                             f"{kind}-scaled. Rescale it first (e.g. other units).")
        scaled[:, j] = (u[:, 0] - c[0]) / sp[0]
    index = ["mean", "sd"] if kind == "variance" else ["min", "range"]
    scaled = pd.DataFrame(scaled, index=frame.index, columns=frame.columns)
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
    with np.errstate(all="ignore"):
        out = values * params[1] + params[0]
    bad = ~np.isfinite(out)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        raise ValueError(f"Descaling column {frame.columns[j]!r} of data_set overflows float64 "
                         f"(or the scaling parameter is not finite there).")
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def variance_scaling(data_set: Any) -> Scaled:
    """Standardise every column: ``(x - mean) / sd`` (R: ``varianceScaling``).

    The standard deviation uses the ``n - 1`` denominator, as R does. Every column is scaled,
    the output included. A constant column raises a ValueError (R returns NaN silently).
    Columns of extreme magnitude (1e300, whose squares overflow, or 1e-300, whose squares
    underflow) are scaled through their largest magnitude, so they are neither ignored nor
    called constant; a ValueError names a column whose sd does not fit in float64.

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

    A column whose range overflows float64 (-1e308 to 1e308) raises a ValueError naming it.

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

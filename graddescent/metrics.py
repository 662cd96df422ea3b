"""Error measures of the R workflow."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["rmse"]


def _as_vector(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one column of numbers, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def rmse(output_data: Any, prediction: Any) -> float:
    r"""Root mean squared error (R: ``RMSE``).

    .. math:: \mathrm{RMSE} = \sqrt{\frac{1}{n}\sum_i (y_i - \hat y_i)^2}

    Errors whose squares overflow (beyond about 1e154) are scaled by the largest one first, so
    the result is finite whenever it is representable.

    Parameters
    ----------
    output_data : array-like of shape (n,)
        Observed outputs (a one-column frame is accepted).
    prediction : array-like of shape (n,)
        Predicted outputs.

    Returns
    -------
    float

    Examples
    --------
    >>> from graddescent import rmse
    >>> rmse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.1547005383792515
    """
    y = _as_vector(output_data, "output_data")
    p = _as_vector(prediction, "prediction")
    if y.shape != p.shape:
        raise ValueError(f"output_data and prediction differ in length: {y.shape[0]} vs "
                         f"{p.shape[0]}.")
    if y.shape[0] == 0:
        raise ValueError("rmse needs at least one value.")
    with np.errstate(over="ignore"):
        diff = y - p
        value = float(np.sqrt(np.mean(diff ** 2)))
    if np.isfinite(value):
        return value
    # the squares of errors beyond ~1e154 overflow: the same mean, on errors scaled to <= 1
    if not np.all(np.isfinite(diff)):
        raise ValueError("output_data - prediction overflows float64 (errors beyond 1.8e308).")
    peak = float(np.max(np.abs(diff)))
    return peak * float(np.sqrt(np.mean((diff / peak) ** 2)))

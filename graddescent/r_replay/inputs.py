"""The replay's inputs as R reads them: the data matrix and the counting arguments."""

from __future__ import annotations

import numbers
from typing import Union

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["DataLike", "as_matrix", "count"]

DataLike = Union[pd.DataFrame, npt.ArrayLike]


def as_matrix(data: DataLike) -> np.ndarray:
    """Return the data as a float matrix (R: ``matrix(unlist(dataTrain), ...)``)."""
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] < 2 or matrix.shape[0] < 1:
        raise ValueError("data must be 2-D with at least one row and two columns (last = output)")
    return matrix


def count(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an int of at least ``minimum`` (integral floats accepted, as in R)."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        value = int(value) if float(value).is_integer() else value
    if not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)

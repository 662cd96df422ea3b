"""Input checks shared by the R-style API: clear messages, never a silent NaN."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["as_frame", "numeric_matrix", "split_xy", "check_int", "check_positive",
           "check_unit_interval", "check_nonnegative", "check_interval", "check_choice"]


def as_frame(data: Any, name: str = "data") -> pd.DataFrame:
    """Return ``data`` as a DataFrame (a view or a new frame; the caller's data is not modified).

    Accepts a DataFrame or a 2-D array-like; arrays get columns ``V1, V2, ...`` as R's frames do.
    """
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        raise ValueError(f"{name} must be 2-D (rows x columns, output last), got a Series.")
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows x columns, output last), got an array with "
                         f"{arr.ndim} dimension(s).")
    return pd.DataFrame(arr, columns=[f"V{j + 1}" for j in range(arr.shape[1])])


def numeric_matrix(frame: pd.DataFrame, name: str = "data", *, min_rows: int = 1,
                   min_cols: int = 1) -> np.ndarray:
    """Check that every column is a real number and finite; return a new float64 C array."""
    n_rows, n_cols = frame.shape
    if n_cols < min_cols:
        raise ValueError(f"{name} needs at least {min_cols} columns (the inputs, then the output "
                         f"last), got {n_cols}.")
    if n_rows < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got {n_rows}.")
    for col in frame.columns:
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            raise TypeError(f"Column {col!r} of {name} is boolean; convert it to 0/1 numbers "
                            f"explicitly if that is what you mean.")
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
            raise TypeError(f"Column {col!r} of {name} is not numeric (dtype {dtype}); every "
                            f"column must hold real numbers (encode categories first).")
    values = np.ascontiguousarray(frame.to_numpy(dtype=np.float64, copy=True))
    bad = ~np.isfinite(values)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        count = int(bad[:, j].sum())
        kind = "NaN" if np.isnan(values[:, j]).any() else "infinite"
        raise ValueError(f"Column {frame.columns[j]!r} of {name} has {count} {kind} value(s) "
                         f"(missing or infinite data); remove or impute them first.")
    return values


def split_xy(data: Any, name: str = "data_train", *, min_rows: int = 2):
    """Validate a frame whose last column is the output; return ``(X, y, frame)``.

    ``X`` is a new float64 C-contiguous (n, d) array and ``y`` a new (n,) array.
    """
    frame = as_frame(data, name)
    values = numeric_matrix(frame, name, min_rows=min_rows, min_cols=2)
    return np.ascontiguousarray(values[:, :-1]), values[:, -1].copy(), frame


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer within ``[low, high]``, else a ValueError naming ``name``.

    The package's one integer check: the R-style API, the comparison settings, the data
    generators and the command line's argument types all use it. A float with an integer value
    (``3.0``) is accepted as that integer; booleans are not integers here.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if (not isinstance(value, bool) and isinstance(value, numbers.Real)
                and float(value).is_integer()):
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}.")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}.")
    return value


def _check_real(name: str, value: Any, ok, expected: str) -> float:
    """``float(value)`` when ``ok`` holds for it, else a ValueError naming ``name``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not ok(v):
        raise ValueError(f"{name} must {expected}, got {value!r}.")
    return v


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0, else a ValueError naming ``name``."""
    return _check_real(name, value, lambda v: np.isfinite(v) and v > 0, "be a positive number")


def check_interval(name: str, value: Any, low: float, high: float, *,
                   closed: str = "both") -> float:
    """A number between ``low`` and ``high``, else a ValueError naming ``name``.

    ``closed`` says which ends belong to the interval: ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"``.
    """
    left, right = closed in ("both", "left"), closed in ("both", "right")

    def ok(v: float) -> bool:
        return (low <= v if left else low < v) and (v <= high if right else v < high)

    interval = f"{'[' if left else '('}{low:g}, {high:g}{']' if right else ')'}"
    return _check_real(name, value, ok, f"lie in {interval}")


def check_unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1), else a ValueError naming ``name``."""
    return check_interval(name, value, 0.0, 1.0, closed="left")


def check_nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0, else a ValueError naming ``name``."""
    return _check_real(name, value, lambda v: np.isfinite(v) and v >= 0, "be >= 0 (and finite)")


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> Any:
    """``value`` when it equals one of ``choices``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or value not in choices:
        allowed = " or ".join(f"{c!r}" for c in choices)
        raise ValueError(f"{name} must be {allowed}, got {value!r}.")
    return value

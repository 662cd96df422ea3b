"""The replay's inputs as R reads them: the data matrix and the learners' arguments.

R turns a data frame into a matrix with ``matrix(unlist(dataTrain), ...)``: numbers and logicals
become doubles (TRUE is 1), NA stays NA, and a single text column makes the whole matrix text,
so the first arithmetic on it stops R. The replay reads data the same way and raises R's error,
naming the column, where R would stop; kinds of columns R would read in its own way (factors,
dates) are refused with a TypeError rather than guessed.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import RError

__all__ = [
    "ARITHMETIC_ERROR",
    "DataLike",
    "MATPROD_ERROR",
    "Matrix",
    "as_matrix",
    "count",
    "real",
]

DataLike = Union[pd.DataFrame, npt.ArrayLike]

#: R's error when ``%*%`` meets a text matrix (the learners, ``prediction``).
MATPROD_ERROR = "requires numeric/complex matrix/vector arguments"
#: R's error when ``-``, ``*`` or ``/`` meets text (the scalings, the learning rate).
ARITHMETIC_ERROR = "non-numeric argument to binary operator"


@dataclass(frozen=True)
class Matrix:
    """A data set as R's numeric matrix, with the names of its columns.

    Attributes
    ----------
    values : numpy.ndarray of shape (n, p)
        The numbers, float64, NaN where R has NA.
    labels : list of str
        How to name each column in a message: ``'name'`` for a frame's column, ``column j``
        (0-based) for an array's.
    """

    values: np.ndarray
    labels: list[str]

    def nonfinite_columns(self) -> list[str]:
        """One phrase per column holding NaN or infinite values, e.g. ``"column 'x' has 2 NA"``."""
        phrases = []
        bad = ~np.isfinite(self.values)
        for j in np.flatnonzero(bad.any(axis=0)):
            column = self.values[:, j]
            kinds = [
                f"{count} {kind}"
                for count, kind in (
                    (int(np.isnan(column).sum()), "NA/NaN"),
                    (int(np.isinf(column).sum()), "infinite"),
                )
                if count
            ]
            phrases.append(f"{self.labels[j]} has {' and '.join(kinds)} value(s)")
        return phrases


def _is_text(value: object) -> bool:
    return isinstance(value, (str, bytes, np.str_, np.bytes_))


def _column_values(column: np.ndarray | pd.Series, label: str, name: str, error: str
                   ) -> np.ndarray:
    """One column as R's doubles, or R's error for text; TypeError for kinds R reads oddly."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        raise TypeError(
            f"{label} of {name} is categorical: R's unlist() would use its level codes "
            "(1, 2, ...), which the replay does not guess; convert it to numbers first."
        )
    kind = getattr(dtype, "kind", "O")
    if kind in "USO" or pd.api.types.is_string_dtype(dtype):
        values = np.asarray(column, dtype=object)
        text = [v for v in values if _is_text(v)]
        if text:
            raise RError(
                f"{error}: {label} of {name} holds text (e.g. {text[0]!r}); R's "
                "matrix(unlist(...)) then turns the whole matrix into text. Numbers written "
                "as strings count as text in R too: convert the column with pd.to_numeric."
            )
        bad = [v for v in values if not (v is None or v is pd.NA or isinstance(v, numbers.Real))]
        if bad:
            raise TypeError(f"{label} of {name} holds {type(bad[0]).__name__} values "
                            f"({bad[0]!r}); the replay reads numbers only.")
        return np.array([np.nan if v is None or v is pd.NA else float(v) for v in values])
    if kind == "c":
        raise TypeError(f"{label} of {name} is complex; the replay reads real numbers only.")
    if kind in "mM":
        raise TypeError(f"{label} of {name} holds dates or times; convert them to numbers "
                        "first (R would use its own day or second counts).")
    if isinstance(column, pd.Series):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(column, dtype=np.float64)


def as_matrix(data: DataLike, name: str = "data_train", error: str = MATPROD_ERROR) -> Matrix:
    """Read ``data`` as R's ``matrix(unlist(data), ...)``: numbers, logicals as 0/1, NA as NaN.

    Parameters
    ----------
    data : pandas.DataFrame or array_like of shape (n_rows, n_columns)
        The data, output last.
    name : str, default "data_train"
        The argument's name, for messages.
    error : str, default :data:`MATPROD_ERROR`
        R's message for a text column at the place R first computes with it.

    Returns
    -------
    Matrix

    Raises
    ------
    RError
        For a column of text, numeric strings included (R's ``error``).
    TypeError
        For categorical, complex, date or other non-numeric columns, and sparse matrices.
    ValueError
        Unless 2-D with at least one row and two columns.
    """
    if hasattr(data, "toarray") and not isinstance(data, np.ndarray):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array (.toarray()) or frame.")
    if isinstance(data, pd.DataFrame):
        labels = [f"column {label!r}" for label in data.columns]
        columns = [data.iloc[:, j] for j in range(data.shape[1])]
        shape = data.shape
    else:
        array = np.asarray(data)
        if array.dtype.kind in "US" and not isinstance(data, np.ndarray):
            array = np.asarray(data, dtype=object)  # a list: keep each value's own type
        if array.ndim != 2:
            raise ValueError(f"{name} must be 2-D (rows x columns, output last), got "
                             f"{array.ndim} dimension(s)")
        labels = [f"column {j}" for j in range(array.shape[1])]
        columns = [array[:, j] for j in range(array.shape[1])]
        shape = array.shape
    if shape[1] < 2 or shape[0] < 1:
        raise ValueError(f"{name} must be 2-D with at least one row and two columns "
                         f"(last = output), got shape {shape}")
    values = np.empty(shape)
    for j, column in enumerate(columns):
        values[:, j] = _column_values(column, labels[j], name, error)
    return Matrix(values, labels)


def count(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an int of at least ``minimum`` (integral floats accepted, as in R).

    Raises
    ------
    TypeError
        For text (R would convert ``"10"``; the replay asks for a number) and other non-numbers.
    ValueError
        For a number that is not a whole number of at least ``minimum``.
    """
    if _is_text(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if not isinstance(value, numbers.Integral):
        value = int(value) if float(value).is_integer() else value
    if not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def real(value: object, name: str) -> float:
    """Return a number argument R uses in arithmetic (``alpha``, ``momentum``, ...) as a float.

    NaN and infinities are R's numbers too (the learner then returns NaN with a warning).

    Raises
    ------
    RError
        For text, as R's arithmetic on it does (:data:`ARITHMETIC_ERROR`).
    TypeError
        For None (R's NULL gives an empty result) and other non-numbers.
    """
    if _is_text(value):
        raise RError(f"{ARITHMETIC_ERROR}: {name} is the text {value!r}; pass a number")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    return float(value)

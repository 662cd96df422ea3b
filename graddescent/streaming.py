r"""Fits on files larger than memory: a CSV or Parquet file read a chunk of rows at a time.

:func:`read_chunks` reads the chunks (numbers only, no missing values: a bad value is a
ValueError naming its data row), :class:`ChunkStats` accumulates in one pass what the fit needs
before it starts (the column means and standard deviations for the scaling, and the centred
cross products, from which the least-squares reference solves the normal equations and the
residual sum of squares of any linear model follows exactly), and :func:`stream_fit` runs a
:class:`~graddescent.GDRegressor` for some epochs, each one :meth:`GDRegressor.partial_fit`
per chunk (see there what one call means for each family of methods). Memory is bounded by the
chunk size: nothing of the file is kept but the ``(d + 1) x (d + 1)`` statistics.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .estimator import GDRegressor

__all__ = ["read_chunks", "ChunkStats", "scan", "stream_fit", "original_coefficients",
           "PARQUET_SUFFIXES"]

#: File name endings read as Parquet (everything else is read as CSV).
PARQUET_SUFFIXES = (".parquet", ".pq")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _check_chunk(frame: pd.DataFrame, start: int, path: Path) -> pd.DataFrame:
    """``frame`` as float64, or a ValueError naming the first bad cell's data row (from 1)."""
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            numbers = pd.to_numeric(col, errors="coerce")
            bad = np.flatnonzero((numbers.isna() & col.notna()).to_numpy())
            if bad.size:
                raise ValueError(f"{path.name}: column {name!r} has the non-numeric value "
                                 f"{col.iloc[bad[0]]!r} in data row {start + bad[0] + 1}")
            if pd.api.types.is_bool_dtype(col):
                raise ValueError(f"{path.name}: column {name!r} is not numeric")
            frame[name] = numbers
        missing = np.flatnonzero(frame[name].isna().to_numpy())
        if missing.size:
            raise ValueError(f"{path.name}: column {name!r} has a missing value (NaN or empty "
                             f"cell) in data row {start + missing[0] + 1}")
    return frame.astype(np.float64)


def read_chunks(path: str | Path, chunksize: int) -> Iterator[pd.DataFrame]:
    """The rows of a CSV or Parquet file, ``chunksize`` at a time, as float64 data frames.

    Parameters
    ----------
    path : str or Path
        A CSV file (header row, numbers only) or a Parquet file (``.parquet``, ``.pq``; read
        with pyarrow, a record batch at a time).
    chunksize : int
        Rows per chunk (the last one may be shorter).

    Yields
    ------
    DataFrame
        The next chunk, its index the data rows' positions (from 0).

    Raises
    ------
    ValueError
        A non-numeric or missing value, naming its column and data row (from 1).
    """
    path = Path(path)
    start = 0
    if _is_parquet(path):
        import pyarrow.parquet as pq

        batches = (b.to_pandas() for b in pq.ParquetFile(path).iter_batches(chunksize))
    else:
        batches = pd.read_csv(path, chunksize=chunksize)
    for frame in batches:
        frame.index = pd.RangeIndex(start, start + len(frame))
        yield _check_chunk(frame, start, path)
        start += len(frame)
    if start == 0:
        raise ValueError(f"{path.name} has no data rows")


@dataclasses.dataclass
class ChunkStats:
    """Column means and centred cross products of a table, merged a chunk at a time.

    Chan, Golub and LeVeque's pairwise update: each chunk's own mean and cross products are
    merged into the running ones, so the statistics are as accurate as two passes would be.

    Attributes
    ----------
    columns : list of str
        The column names; the last is the output.
    n : int
        Rows seen.
    mean : ndarray of shape (k,)
        Column means.
    comoment : ndarray of shape (k, k)
        ``sum_i (z_i - mean)(z_i - mean)^T``.
    """

    columns: list[str]
    n: int = 0
    mean: np.ndarray | None = None
    comoment: np.ndarray | None = None

    def update(self, Z: np.ndarray) -> None:
        """Merge the rows of ``Z`` (shape ``(m, k)``)."""
        m = Z.shape[0]
        if m == 0:
            return
        mean_b = Z.mean(axis=0)
        D = Z - mean_b
        C_b = D.T @ D
        if self.n == 0:
            self.n, self.mean, self.comoment = m, mean_b, C_b
            return
        n = self.n + m
        delta = mean_b - self.mean
        self.comoment = self.comoment + C_b + np.outer(delta, delta) * (self.n * m / n)
        self.mean = self.mean + delta * (m / n)
        self.n = n

    @property
    def std(self) -> np.ndarray:
        """Sample standard deviations (``ddof=1``, as R's ``varianceScaling``)."""
        return np.sqrt(np.diag(self.comoment) / max(self.n - 1, 1))

    def least_squares(self) -> np.ndarray:
        """The least-squares ``(intercept, coefficients)`` of the output on the inputs, from the
        normal equations in centred form (min-norm through lstsq when they are singular)."""
        C = self.comoment
        w = np.linalg.lstsq(C[:-1, :-1], C[:-1, -1], rcond=None)[0]
        return np.concatenate([[self.mean[-1] - self.mean[:-1] @ w], w])

    def rss(self, intercept: float, coef: np.ndarray) -> float:
        """``sum_i (intercept + x_i . coef - y_i)^2`` over the rows seen, from the statistics."""
        v = np.append(np.asarray(coef, dtype=np.float64), -1.0)
        bias = intercept + float(self.mean @ v)
        return float(self.n * bias * bias + v @ self.comoment @ v)


def scan(path: str | Path, chunksize: int,
         progress: Callable[[int], None] | None = None) -> ChunkStats:
    """One pass over the file: its :class:`ChunkStats` (``progress(rows)`` after each chunk)."""
    stats = None
    for frame in read_chunks(path, chunksize):
        if stats is None:
            stats = ChunkStats([str(c) for c in frame.columns])
        stats.update(frame.to_numpy())
        if progress is not None:
            progress(len(frame))
    return stats


def stream_fit(estimator: GDRegressor, path: str | Path, chunksize: int, epochs: int = 1,
               stats: ChunkStats | None = None, scale: bool = True,
               progress: Callable[[int], None] | None = None) -> tuple[GDRegressor, ChunkStats]:
    """Fit ``estimator`` by ``epochs`` streamed passes over a file, one ``partial_fit`` per chunk.

    Parameters
    ----------
    estimator : GDRegressor
        Updated in place (an unfitted one starts from zeros; a fitted one carries on).
    path : str or Path
        CSV or Parquet file, the output in the last column (see :func:`read_chunks`).
    chunksize : int
        Rows per chunk.
    epochs : int, default=1
        Passes over the file.
    stats : ChunkStats, optional
        The file's statistics when already known (else one more pass computes them).
    scale : bool, default=True
        Standardise every column, the output included (R's variance scaling with the whole
        file's means and standard deviations); the coefficients are then in scaled units
        (:func:`original_coefficients` converts them).
    progress : callable, optional
        Called with the number of rows of each chunk once it is done.

    Returns
    -------
    (GDRegressor, ChunkStats)
        The estimator and the file's statistics.
    """
    if stats is None:
        stats = scan(path, chunksize)
    for _ in range(epochs):
        for frame in read_chunks(path, chunksize):
            Z = np.array(frame.to_numpy(), dtype=np.float64, order="C")  # ours: scaled in place
            del frame  # at most one chunk's copies alive at a time
            if scale:
                Z -= stats.mean
                Z /= np.where(stats.std > 0, stats.std, 1.0)
            X = pd.DataFrame(Z[:, :-1], columns=stats.columns[:-1])
            estimator.partial_fit(X, Z[:, -1])
            if progress is not None:
                progress(Z.shape[0])
    return estimator, stats


def original_coefficients(estimator: GDRegressor, stats: ChunkStats) -> tuple[float, np.ndarray]:
    """``(intercept, coefficients)`` in the file's units of a fit on standardised columns."""
    spread = np.where(stats.std > 0, stats.std, 1.0)
    coef = spread[-1] * estimator.coef_ / spread[:-1]
    intercept = stats.mean[-1] + spread[-1] * estimator.intercept_ - float(coef @ stats.mean[:-1])
    return float(intercept), coef

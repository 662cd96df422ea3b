r"""Fits on files larger than memory: a CSV or Parquet file read a chunk of rows at a time.

:func:`read_chunks` reads the chunks (numbers only, no missing values: a bad value is a
ValueError naming its data row), :class:`ChunkStats` accumulates in one pass what the fit needs
before it starts (the column means and standard deviations for the scaling, and the centred
cross products, from which the least-squares reference solves the normal equations and the
residual sum of squares of any linear model follows exactly), and :func:`stream_fit` runs a
:class:`~graddescent.GDRegressor` for some epochs, each one :meth:`GDRegressor.partial_fit`
per chunk (see there what one call means for each family of methods). Memory is bounded by the
chunk size: nothing of the file is kept but the ``(d + 1) x (d + 1)`` statistics.

**Sample weights** come from a column of the file named by ``weight_column``: it is taken out of
the columns (the output is then the last of the others), checked as the other values are and
also >= 0 (naming the data row), weighs the statistics (weighted means, variances and cross
products, so the scaling and the least-squares reference are the weighted ones) and goes to
:meth:`GDRegressor.partial_fit` as each chunk's ``sample_weight``, with the file's mean weight
as ``weight_mean`` (every row weighs as in one weighted fit on the whole file).

Checked before anything is allocated or fitted: the header row (a file whose first line holds
only numbers has none, and is refused rather than losing that row), at least two columns, the
memory of a chunk and of the statistics (refused beyond half of the machine's memory), the
number of chunks a fit would read (:data:`MAX_CHUNK_READS`) and its row gradients. Read as in
memory: a column of text, dates or durations is refused (never fitted as nanoseconds), and so
are missing and infinite values (naming the data row) and values whose squares overflow the
statistics (naming the column).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import (
    check_allocation,
    check_column_dtype,
    check_header,
    check_int,
    check_iterations,
    check_work,
)
from .estimator import GDRegressor

__all__ = ["read_chunks", "ChunkStats", "scan", "stream_fit", "original_coefficients",
           "PARQUET_SUFFIXES", "MAX_CHUNK_READS"]

#: File name endings read as Parquet (everything else is read as CSV).
PARQUET_SUFFIXES = (".parquet", ".pq")

#: The most chunks one streamed fit may read in all (epochs x chunks per pass): each costs a
#: parse and a ``partial_fit`` call, so beyond it a larger ``chunksize`` is the answer.
MAX_CHUNK_READS = 20_000


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _check_chunk(frame: pd.DataFrame, start: int, path: Path) -> pd.DataFrame:
    """``frame`` as float64, or an error naming the column and the first bad cell's data row
    (from 1). Columns are checked as in memory (:func:`check_column_dtype`); a CSV column read
    as text is converted when every cell is a number."""
    where = path.name
    for j, (name, dtype) in enumerate(zip(frame.columns, list(frame.dtypes), strict=True)):
        if isinstance(dtype, np.dtype) and dtype.kind in "iuf":  # the common case, at once
            continue
        if not _is_parquet(path) and (pd.api.types.is_object_dtype(dtype)
                                      or pd.api.types.is_string_dtype(dtype)):
            # CSV: a column read as text (a bad cell in this chunk, or numbers pandas left)
            col = frame.iloc[:, j]
            numbers = pd.to_numeric(col, errors="coerce")
            bad = np.flatnonzero((numbers.isna() & col.notna()).to_numpy())
            if bad.size:
                raise ValueError(f"{where}: column {name!r} has the non-numeric value "
                                 f"{col.iloc[bad[0]]!r} in data row {start + bad[0] + 1}")
            frame.isetitem(j, numbers)
        else:
            check_column_dtype(name, dtype, where)
    with np.errstate(over="ignore"):
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        i = int(np.argmax(bad[:, j]))
        what = ("a missing value (NaN or empty cell)" if np.isnan(values[i, j])
                else "an infinite value (or one beyond float64's range)")
        raise ValueError(f"{where}: column {frame.columns[j]!r} has {what} in data row "
                         f"{start + i + 1}")
    return pd.DataFrame(values, columns=frame.columns, index=frame.index)


def _columns(path: Path, sep: str) -> tuple[list, int | None]:
    """The file's column names and (Parquet) its rows, read without reading the data."""
    if _is_parquet(path):
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path)
        return list(meta.schema_arrow.names), int(meta.metadata.num_rows)
    if len(sep) != 1:  # a pattern: pandas' reading
        try:
            return list(pd.read_csv(path, sep=sep, nrows=0).columns), None
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path.name} is empty: expected a header row and data "
                             f"rows") from None
    # the first line alone (pandas builds an empty frame: seconds at 50,000 columns)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=sep), None)
    if not header:
        raise ValueError(f"{path.name} is empty: expected a header row and data rows")
    return header, None


def _check_layout(path: Path, chunksize: int, sep: str) -> list:
    """Before reading: the header, at least two columns, and memory for a chunk and for the
    statistics; returns the column names."""
    columns, n_rows = _columns(path, sep)
    if not _is_parquet(path):
        check_header(columns, path.name)
    k = len(columns)
    if k < 2:
        raise ValueError(f"{path.name} has {k} column(s): need at least one input column and "
                         f"the output as the last column.")
    # a CSV row takes at least two bytes a column: the file bounds the rows of a chunk
    rows = n_rows if n_rows is not None else os.path.getsize(path) // (2 * k) + 1
    check_allocation("chunksize", 4.0 * min(chunksize, rows) * k,
                     f"chunks of {min(chunksize, rows)} rows x {k} columns (a few copies)")
    check_allocation(f"a file of {k} columns", 4.0 * k * k,
                     f"the streamed statistics, {k} x {k} matrices (a few at once)")
    return columns


def read_chunks(path: str | Path, chunksize: int, sep: str = ",") -> Iterator[pd.DataFrame]:
    """The rows of a CSV or Parquet file, ``chunksize`` at a time, as float64 data frames.

    Parameters
    ----------
    path : str or Path
        A CSV file (header row, numbers only) or a Parquet file (``.parquet``, ``.pq``; read
        with pyarrow, a record batch at a time).
    chunksize : int
        Rows per chunk (the last one may be shorter).
    sep : str, default=","
        The CSV file's separator.

    Yields
    ------
    DataFrame
        The next chunk, its index the data rows' positions (from 0).

    Raises
    ------
    ValueError
        A non-numeric, missing or infinite value, naming its column and data row (from 1);
        no header row, fewer than two columns, or chunks or statistics too large for memory.
    TypeError
        A column of dates, durations, booleans or categories (Parquet).
    """
    path = Path(path)
    chunksize = check_int("chunksize", chunksize, low=1)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    _check_layout(path, chunksize, sep)
    start = 0
    if _is_parquet(path):
        import pyarrow.parquet as pq

        batches = (b.to_pandas() for b in pq.ParquetFile(path).iter_batches(chunksize))
    else:
        batches = pd.read_csv(path, chunksize=chunksize, sep=sep)
    with contextlib.closing(batches):  # the file is closed when a chunk is refused too
        for frame in batches:
            if not len(frame):  # a header-only file gives one empty chunk
                continue
            frame.index = pd.RangeIndex(start, start + len(frame))
            yield _check_chunk(frame, start, path)
            start += len(frame)
    if start == 0:
        raise ValueError(f"{path.name} has no data rows")


def _check_weight_column(path: Path, sep: str, weight_column: str | None) -> None:
    """Before reading: ``weight_column`` names a column of the file, and at least one input
    column and the output are left beside it."""
    if weight_column is None:
        return
    if not isinstance(weight_column, str):
        raise TypeError(f"weight_column must be a column name (a string), got "
                        f"{type(weight_column).__name__} {weight_column!r}.")
    columns = [str(c) for c in _columns(path, sep)[0]]
    if weight_column not in columns:
        raise ValueError(f"{path.name} has no column {weight_column!r} (weight_column); its "
                         f"columns: {', '.join(columns)}")
    if len(columns) < 3:
        raise ValueError(f"{path.name} has {len(columns)} columns: with the weight column "
                         f"{weight_column!r} taken out, need at least one input column and the "
                         f"output as the last of the others.")


def _take_weights(frame: pd.DataFrame, weight_column: str | None, path: Path
                  ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """``frame`` without its weight column, and that column's values (finite, as every value
    the reader passes; refused here when negative, naming the data row), or ``(frame,
    None)``."""
    if weight_column is None:
        return frame, None
    w = frame[weight_column].to_numpy(dtype=np.float64)
    bad = np.flatnonzero(w < 0)
    if bad.size:
        raise ValueError(f"{path.name}: the weight column {weight_column!r} has the negative "
                         f"value {w[bad[0]]:g} in data row {int(frame.index[bad[0]]) + 1}: "
                         f"sample weights must be >= 0")
    return frame.drop(columns=weight_column), w


def _fingerprint(path: Path) -> tuple[str, int, int]:
    """What tells a file's statistics from another file's: its path, size and change time."""
    info = path.stat()
    return str(path.resolve()), int(info.st_size), int(info.st_mtime_ns)


@dataclasses.dataclass
class ChunkStats:
    """Column means and centred cross products of a table, merged a chunk at a time.

    Chan, Golub and LeVeque's pairwise update: each chunk's own mean and cross products are
    merged into the running ones, so the statistics are as accurate as two passes would be.
    With sample weights ``s_i`` every row counts ``s_i`` times (the same update with the
    chunks' weight sums for their row counts): integer weights give the statistics of the
    repeated rows.

    Attributes
    ----------
    columns : list of str
        The column names; the last is the output.
    n : int
        Rows seen.
    mean : ndarray of shape (k,)
        Column means (weighted: ``sum_i s_i z_i / sum_i s_i``).
    comoment : ndarray of shape (k, k)
        ``sum_i s_i (z_i - mean)(z_i - mean)^T`` (``s_i = 1`` without weights).
    source : tuple or None
        The file the statistics are of (path, size, change time), set by :func:`scan`:
        :func:`stream_fit` refuses statistics of another file.
    weight_column : str or None
        The file's column of sample weights (not in ``columns``), or None.
    weight_sum : float or None
        ``sum_i s_i`` with weights, else None (:attr:`total` is ``n`` then).
    """

    columns: list[str]
    n: int = 0
    mean: np.ndarray | None = None
    comoment: np.ndarray | None = None
    source: tuple | None = None
    weight_column: str | None = None
    weight_sum: float | None = None

    @property
    def total(self) -> float:
        """What the rows count for in all: ``sum_i s_i`` with weights, else ``n``."""
        if self.weight_column is None:
            return self.n
        return 0.0 if self.weight_sum is None else self.weight_sum

    def update(self, Z: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Merge the rows of ``Z`` (shape ``(m, k)``), weighted by ``weights`` (finite, >= 0;
        checked by the reader) when the statistics are weighted (``weight_column`` set).

        Raises a ValueError naming the column whose values are too large for the sums of
        squares (they would overflow float64: the statistics would be infinite).
        """
        m = Z.shape[0]
        if (weights is None) != (self.weight_column is None):
            raise ValueError(f"the statistics are {'un' if self.weight_column is None else ''}"
                             f"weighted: update them "
                             f"{'without' if self.weight_column is None else 'with'} weights.")
        if m == 0:
            return
        # the chunk's and the running totals: weight sums with weights, row counts without
        seen = self.total
        with np.errstate(over="ignore", invalid="ignore"):
            if weights is None:
                m_b = m
                mean_b = Z.mean(axis=0)
                D = Z - mean_b
                C_b = D.T @ D
            else:
                m_b = float(weights.sum())
                if not m_b > 0:  # rows of weight 0 count for nothing
                    self.n += m
                    return
                mean_b = weights @ Z / m_b
                D = Z - mean_b
                C_b = (D * weights[:, None]).T @ D
            if not seen:
                total, mean, comoment = m_b, mean_b, C_b
            else:
                total = seen + m_b
                delta = mean_b - self.mean
                comoment = self.comoment + C_b + np.outer(delta, delta) * (seen * m_b / total)
                mean = self.mean + delta * (m_b / total)
        ok = np.isfinite(mean) & np.isfinite(np.diagonal(comoment))
        if not ok.all():
            j = int(np.argmin(ok))
            peak = float(np.abs(Z[:, j]).max())
            raise ValueError(f"column {self.columns[j]!r} has values up to {peak:.3g} in "
                             f"magnitude: the sums of their squares over the rows overflow "
                             f"float64")
        self.n, self.mean, self.comoment = self.n + m, mean, comoment
        if weights is not None:
            self.weight_sum = total

    @property
    def std(self) -> np.ndarray:
        """Sample standard deviations (``ddof=1``, as R's ``varianceScaling``); weighted, the
        weighted ones ``sqrt(sum_i s_i (z_i - mean)^2 / sum_i s_i)`` (as scikit-learn's
        ``StandardScaler`` with ``sample_weight``: R's ``n - 1`` has no weighted meaning)."""
        if self.weight_column is not None:
            return np.sqrt(np.diag(self.comoment) / self.total)
        return np.sqrt(np.diag(self.comoment) / max(self.n - 1, 1))

    def least_squares(self) -> np.ndarray:
        """The least-squares ``(intercept, coefficients)`` of the output on the inputs, from the
        normal equations in centred form (min-norm through lstsq when they are singular)."""
        if not self.total or not np.all(np.isfinite(self.comoment)):
            raise ValueError("the statistics are empty or not finite: no least-squares "
                             "reference.")
        C = self.comoment
        w = np.linalg.lstsq(C[:-1, :-1], C[:-1, -1], rcond=None)[0]
        return np.concatenate([[self.mean[-1] - self.mean[:-1] @ w], w])

    def optimum(self, problem=None) -> np.ndarray:
        r"""The minimiser ``(intercept, coefficients)`` of ``problem``
        (:class:`~graddescent.problems.Problem`; None: least squares) on the rows seen, from
        the statistics: exact for the squared loss with no penalty or an L2 one, whose normal
        equations in centred form are :math:`(C_{xx} + n \alpha I) w = C_{xy}` (``n`` the
        weight sum :attr:`total` with weights; the
        intercept unpenalised, :math:`b = \bar y - \bar x \cdot w`; without the intercept the
        uncentred sums). Other losses and penalties have no sufficient statistics: a
        ValueError says so (their reference takes a pass over the file per iteration)."""
        if problem is None or problem.is_least_squares:
            return self.least_squares()
        l1, l2 = problem.strengths
        if problem.loss_spec.fast is None or l1 > 0:
            raise ValueError(f"{problem!r} has no sufficient statistics: only the squared "
                             f"loss with no penalty or an L2 one has an exact reference from "
                             f"one scan (the others need a pass over the file per iteration).")
        if not self.total or not np.all(np.isfinite(self.comoment)):
            raise ValueError("the statistics are empty or not finite: no reference.")
        d = self.mean.shape[0] - 1
        C = self.comoment
        if not problem.fit_intercept:  # uncentred sums: C + n mean mean^T
            C = C + self.total * np.outer(self.mean, self.mean)
        A = C[:-1, :-1] + self.total * l2 * np.eye(d)
        w = np.linalg.lstsq(A, C[:-1, -1], rcond=None)[0]
        b = self.mean[-1] - self.mean[:-1] @ w if problem.fit_intercept else 0.0
        return np.concatenate([[b], w])

    def objective(self, intercept: float, coef: np.ndarray, problem=None) -> float:
        """``F(intercept, coef)`` of ``problem`` (None: least squares) on the rows seen, from
        the statistics (:meth:`rss` and the penalty: exact for the squared loss with any
        penalty; a ValueError for the other losses, which have no sufficient statistics)."""
        if problem is not None and problem.loss_spec.fast is None:
            raise ValueError(f"the {problem.loss} loss has no sufficient statistics: its "
                             f"objective takes a pass over the file.")
        coef = np.asarray(coef, dtype=np.float64)
        if problem is not None and not problem.fit_intercept:
            intercept = 0.0
        value = 0.5 * self.rss(intercept, coef) / self.total
        if problem is not None:
            l1, l2 = problem.strengths
            value += l1 * float(np.abs(coef).sum()) + 0.5 * l2 * float(coef @ coef)
        return value

    def rss(self, intercept: float, coef: np.ndarray) -> float:
        """``sum_i s_i (intercept + x_i . coef - y_i)^2`` over the rows seen (``s_i = 1``
        without weights), from the statistics."""
        v = np.append(np.asarray(coef, dtype=np.float64), -1.0)
        bias = intercept + float(self.mean @ v)
        return float(self.total * bias * bias + v @ self.comoment @ v)


def scan(path: str | Path, chunksize: int,
         progress: Callable[[int], None] | None = None, sep: str = ",",
         epochs: int | None = None, weight_column: str | None = None) -> ChunkStats:
    """One pass over the file: its :class:`ChunkStats` (``progress(rows)`` after each chunk;
    ``sep``: the CSV file's separator). With ``epochs`` (the passes a fit will make after it),
    the scan stops with a ValueError as soon as the fit would read more than
    :data:`MAX_CHUNK_READS` chunks in all, before reading the rest of the file. With
    ``weight_column``, the statistics of the rows weighted by that column (taken out of the
    columns; a negative weight, or weights all zero, are a ValueError naming it)."""
    path = Path(path)
    _check_weight_column(path, sep, weight_column)
    stats = None
    limit = None if epochs is None else MAX_CHUNK_READS // (check_iterations("epochs", epochs)
                                                            + 1)
    for k, frame in enumerate(read_chunks(path, chunksize, sep), 1):
        if limit is not None and k > limit:
            raise ValueError(f"epochs asks for more than {MAX_CHUNK_READS:.0e} chunk reads "
                             f"(the scan and {epochs} epochs over more than {limit} chunks of "
                             f"{chunksize} rows), more than one fit may use; use fewer epochs "
                             f"or a larger chunksize.")
        frame, w = _take_weights(frame, weight_column, path)
        if stats is None:
            stats = ChunkStats([str(c) for c in frame.columns], source=_fingerprint(path),
                               weight_column=weight_column)
        first = int(frame.index[0]) + 1
        try:
            stats.update(frame.to_numpy(), w)
        except ValueError as exc:
            raise ValueError(f"{path.name}: {exc} (in data rows {first} to "
                             f"{first + len(frame) - 1}); rescale it first (other units)."
                             ) from None
        if progress is not None:
            progress(len(frame))
    if weight_column is not None and not stats.total > 0:
        raise ValueError(f"{path.name}: the weights of column {weight_column!r} are all "
                         f"zero: the weighted objective would be empty")
    if weight_column is not None and not math.isfinite(stats.total):
        raise ValueError(f"{path.name}: the weights of column {weight_column!r} sum to more "
                         f"than float64 holds; rescale them (only their ratios matter)")
    return stats


def _check_stream(path: Path, chunksize: int, epochs: int, stats: ChunkStats) -> None:
    """Before the first ``partial_fit``: ``stats`` are this file's, and the fit's work (chunks
    read, row gradients) is within what one run may use."""
    if not isinstance(stats, ChunkStats) or not stats.n:
        raise TypeError(f"stats must be the ChunkStats of a scan of the file (scan(path, "
                        f"chunksize)), got {type(stats).__name__}.")
    if stats.source is not None and stats.source != _fingerprint(path):
        raise ValueError(f"stats are of another file ({stats.source[0]!r}, or this file "
                         f"before it changed): scan {path.name} again.")
    reads = epochs * math.ceil(stats.n / chunksize)
    if reads > MAX_CHUNK_READS:
        raise ValueError(f"epochs asks for {reads:.3g} chunk reads ({epochs} epochs x "
                         f"{math.ceil(stats.n / chunksize)} chunks of {chunksize} rows), more "
                         f"than the {MAX_CHUNK_READS:.0e} one fit may use; use fewer epochs or "
                         f"a larger chunksize.")
    check_work("epochs", float(epochs) * stats.n, f"{epochs} epochs x {stats.n} rows")


def stream_fit(estimator: GDRegressor, path: str | Path, chunksize: int, epochs: int = 1,
               stats: ChunkStats | None = None, scale: bool = True,
               progress: Callable[[int], None] | None = None, sep: str = ",",
               weight_column: str | None = None) -> tuple[GDRegressor, ChunkStats]:
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

    sep : str, default=","
        The CSV file's separator.
    weight_column : str or None, default=None
        The column of the file holding the rows' sample weights (finite, >= 0, not all zero),
        taken out of the columns (the output is the last of the others): the statistics are
        the weighted ones (``stats`` must be of the same column) and every chunk's weights go
        to ``partial_fit`` as its ``sample_weight`` with the file's mean weight as
        ``weight_mean``, so that each row weighs as in a fit on the whole file (the
        equivalences of :meth:`GDRegressor.partial_fit` on a stream hold with the weights). A
        chunk whose weights are all zero is skipped (it has nothing to fit).

    Returns
    -------
    (GDRegressor, ChunkStats)
        The estimator and the file's statistics.

    Raises
    ------
    ValueError, TypeError
        A bad ``chunksize`` or ``epochs``, statistics of another file (or of other columns),
        more than :data:`MAX_CHUNK_READS` chunk reads, or a bad file (see :func:`read_chunks`),
        a ``weight_column`` the file does not have, a negative weight (naming its data row) or
        weights all zero: all checked before the first ``partial_fit``.
    """
    path = Path(path)
    chunksize = check_int("chunksize", chunksize, low=1)
    epochs = check_iterations("epochs", epochs)
    if stats is None:
        stats = scan(path, chunksize, sep=sep, epochs=epochs, weight_column=weight_column)
    _check_stream(path, chunksize, epochs, stats)
    if isinstance(stats, ChunkStats) and stats.weight_column != weight_column:
        said = "unweighted" if stats.weight_column is None else \
            f"weighted by column {stats.weight_column!r}"
        raise ValueError(f"stats are {said}, and the fit asks for weight_column="
                         f"{weight_column!r}: scan with the same weight_column.")
    for _ in range(epochs):
        rows = 0
        for frame in read_chunks(path, chunksize, sep):
            frame, w = _take_weights(frame, weight_column, path)
            if rows == 0 and [str(c) for c in frame.columns] != list(stats.columns):
                raise ValueError(f"stats are of other columns ({stats.columns}) than "
                                 f"{path.name}'s ({list(frame.columns)}): scan it again.")
            rows += len(frame)
            Z = np.array(frame.to_numpy(), dtype=np.float64, order="C")  # ours: scaled in place
            del frame  # at most one chunk's copies alive at a time
            if scale:
                Z -= stats.mean
                Z /= np.where(stats.std > 0, stats.std, 1.0)
            X = pd.DataFrame(Z[:, :-1], columns=stats.columns[:-1])
            if w is None:
                estimator.partial_fit(X, Z[:, -1])
            elif w.sum() > 0:  # the file's mean weight: rows weigh as in one fit on all
                estimator.partial_fit(X, Z[:, -1], sample_weight=w,
                                      weight_mean=stats.total / stats.n)
            if progress is not None:
                progress(Z.shape[0])
        if rows != stats.n:
            raise ValueError(f"{path.name} has {rows} rows, its stats {stats.n}: the file "
                             f"changed, or the stats are of another file; scan it again.")
    return estimator, stats


def original_coefficients(estimator: GDRegressor, stats: ChunkStats) -> tuple[float, np.ndarray]:
    """``(intercept, coefficients)`` in the file's units of a fit on standardised columns."""
    spread = np.where(stats.std > 0, stats.std, 1.0)
    coef = spread[-1] * estimator.coef_ / spread[:-1]
    intercept = stats.mean[-1] + spread[-1] * estimator.intercept_ - float(coef @ stats.mean[:-1])
    return float(intercept), coef

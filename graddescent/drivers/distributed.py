r"""The full-batch driver on data held by Dask: one distributed reduction per gradient.

:class:`DaskData` wraps a ``dask.array`` (or a ``dask.dataframe``, converted) chunked by rows;
:class:`DaskFullBatch` runs any update rule on it exactly as :class:`FullBatch` runs it on
memory: each step's gradient is the sum of per-chunk partial sums of
:func:`graddescent.objective.full_gradient` (computed where the chunks are, one pass over
``X``; only ``d + 3`` numbers per chunk travel), and the rule's step is applied here, on the
driver's process. The same pass also gives the objective at the current iterate (what the
estimator watches), so that watching it costs nothing extra.

Dask is imported only when a :class:`DaskData` is made (:func:`is_dask` tells by the type's
module), so ``import graddescent`` never imports it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import objective as O
from .._jit import DIVERGED
from .._validation import check_column_dtype, check_dask_input, magnitude_limit
from .base import Driver, raise_if_diverged

__all__ = ["DaskFullBatch"]


def is_dask(obj: object) -> bool:
    """True for a Dask collection (array, data frame, series), without importing Dask."""
    module = type(obj).__module__.split(".")[0]
    return module in ("dask", "dask_expr")


def _writable(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-ordered float64 array the compiled kernels accept (a copy if read-only)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    return a if a.flags.writeable else a.copy()


def _scan_chunk(xb: np.ndarray, yb: np.ndarray, start: int) -> dict:
    """One chunk's part of the validation pass: its largest squared row norm, its first row
    with a non-finite entry (global index, -1 if none), ``sum x``, ``X^T X`` and ``y``'s
    count, mean and sum of squared deviations (Chan's merge needs them)."""
    xb = _writable(xb)
    yb = np.asarray(yb, dtype=np.float64)
    top, bad = O.scan_rows(xb)
    if bad < 0 and not np.all(np.isfinite(yb)):
        bad = int(np.flatnonzero(~np.isfinite(yb))[0])
    m = yb.shape[0]
    mean = float(yb.mean()) if m else 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        return {"top": float(top) if m else 0.0, "bad": start + int(bad) if bad >= 0 else -1,
                "sum": xb.sum(axis=0), "xtx": xb.T @ xb, "n": m, "ymean": mean,
                "ym2": float(np.sum((yb - mean) ** 2)),
                "peak": np.abs(xb).max(axis=0) if m else np.zeros(xb.shape[1]),
                "ypeak": float(np.abs(yb).max()) if m else 0.0}


def _merge_scans(*parts: dict) -> dict:
    out = dict(parts[0])
    for p in parts[1:]:
        n = out["n"] + p["n"]
        delta = p["ymean"] - out["ymean"]
        if n:
            out["ym2"] += p["ym2"] + delta * delta * out["n"] * p["n"] / n
            out["ymean"] += delta * p["n"] / n
        out["n"] = n
        out["top"] = max(out["top"], p["top"])
        bads = [b for b in (out["bad"], p["bad"]) if b >= 0]
        out["bad"] = min(bads) if bads else -1
        out["sum"] = out["sum"] + p["sum"]
        out["xtx"] = out["xtx"] + p["xtx"]
        out["peak"] = np.maximum(out["peak"], p["peak"])
        out["ypeak"] = max(out["ypeak"], p["ypeak"])
    return out


def _chunk_sums(xb: np.ndarray, yb: np.ndarray, z: np.ndarray, theta: np.ndarray | None,
                stride: int, start: int) -> np.ndarray:
    """``[sum_i r_i(z) (1, x_i), sum_i r_i(z)^2 / 2, sum_w r_w(theta)^2 / 2, count_w]`` over
    the chunk's rows (``w``: the rows ``i`` with ``(start + i) % stride == 0``, the estimator's
    watched subsample; ``theta`` None: the watched objective is taken at ``z``)."""
    xb, yb = _writable(xb), _writable(yb)
    m, p = xb.shape[0], z.shape[0]
    out = np.zeros(p + 3)
    if m == 0:
        return out
    g = np.empty(p)
    out[p] = O.full_gradient(xb, yb, z, g) * m
    out[:p] = g * m
    first = (-start) % stride
    count = len(range(first, m, stride))
    if count:
        point = z if theta is None else theta
        if stride == 1 and theta is None:
            watched = out[p] / m
        elif stride == 1:
            watched = O.objective(xb, yb, point)
        else:
            watched = O.objective_strided(xb[first:], yb[first:], point, stride)
        out[p + 1] = watched * count
        out[p + 2] = count
    return out


def _add(*parts: np.ndarray) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


class DaskData:
    """``(X, y)`` held by Dask, chunked by rows; validated in one pass when made.

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n, d)
    y : dask.array.Array, dask.dataframe.Series or array-like of shape (n,)
    stride : callable
        ``stride(n)``: every how many rows the watched objective is taken.

    Attributes
    ----------
    shape : (int, int)
    feature_names : ndarray of str or None
        The data frame's column names (all strings), else None.
    l_max : float
        ``1 + max_i ||x_i||^2``.
    y_variance, y_mean_square : float
        ``Var(y)`` and ``mean(y^2)``.

    Raises
    ------
    ValueError, TypeError
        Before any pass: a column of text, categories, booleans or dates (named), ``X`` not
        2-D, ``y`` not one column, their lengths differ (unknown chunk sizes are computed
        first), or no rows. After the validation pass: NaN or infinity (naming the first such
        row), or a column (or ``y``) whose squares would overflow the least-squares sums
        (named; not blamed on the learning rate later).
    """

    def __init__(self, X, y, stride) -> None:
        import dask
        import dask.array as da

        check_dask_input(X, "X")
        if is_dask(y):
            if getattr(y, "ndim", 1) != 1 and not (y.ndim == 2 and y.shape[1] == 1):
                raise ValueError(f"y must be one column (shape (n_samples,)), got a Dask "
                                 f"collection of shape {y.shape}.")
            dtypes = list(y.dtypes) if getattr(y, "ndim", 1) == 2 else [y.dtype]
            for dtype in dtypes:
                try:
                    check_column_dtype("y", dtype)
                except TypeError:
                    raise TypeError(f"y must hold real numbers (the targets), got a Dask "
                                    f"collection of dtype {dtype}.") from None
        self.feature_names = None
        if hasattr(X, "columns"):
            names = list(X.columns)
            if names and all(isinstance(c, str) for c in names):
                self.feature_names = np.asarray(names, dtype=object)
            X = X.to_dask_array(lengths=True)
        if is_dask(y) and hasattr(y, "to_dask_array"):
            y = y.to_dask_array(lengths=True)
        X = X.astype(np.float64)
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D Dask array, got {X.ndim} dimension(s).")
        if any(math.isnan(c) for c in X.chunks[0]):  # unknown chunk lengths: one pass
            X = X.compute_chunk_sizes()
        if any(math.isnan(c) for c in X.chunks[1]):
            raise ValueError("X has an unknown number of columns; give it known chunk "
                             "sizes (e.g. X.compute_chunk_sizes()).")
        X = X.rechunk({1: -1})
        rows = X.chunks[0]
        if not is_dask(y):
            y = np.asarray(y)
            if y.dtype.kind not in "biuf":
                raise TypeError(f"y must hold real numbers, got dtype {y.dtype}.")
            y = da.from_array(y.reshape(-1), chunks=(rows,)) if y.size == X.shape[0] else \
                da.from_array(y.reshape(-1))
        elif any(math.isnan(c) for c in y.chunks[0]):
            y = y.compute_chunk_sizes()
        y = y.astype(np.float64).reshape(-1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values; they "
                             f"must match (one target per row).")
        if X.shape[0] == 0:
            raise ValueError("X has 0 rows; at least one is needed.")
        y = y.rechunk((rows,))
        # Iterations read every chunk each step: keep them in the workers' memory.
        self.X, self.y = dask.persist(X, y)
        self.shape = (int(X.shape[0]), int(X.shape[1]))
        self.starts = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist()
        self._blocks = list(zip(self.X.to_delayed().ravel(), self.y.to_delayed().ravel(),
                                strict=True))
        self.stride = int(stride(self.shape[0]))
        self._watched: dict[bytes, float] = {}
        scans = [dask.delayed(_scan_chunk)(xb, yb, s)
                 for (xb, yb), s in zip(self._blocks, self.starts, strict=True)]
        (s,) = dask.compute(dask.delayed(_merge_scans)(*scans))
        if s["bad"] >= 0:
            raise ValueError(f"Input contains NaN or infinity (row {s['bad']}).")
        n, d = self.shape
        limit = magnitude_limit(n, d + 1)
        if s["peak"].size and float(s["peak"].max()) > limit:
            j = int(np.argmax(s["peak"] > limit))
            name = (f"Column {self.feature_names[j]!r} of X" if self.feature_names is not None
                    else f"Column {j} of X")
            raise ValueError(f"{name} has values up to {float(s['peak'][j]):.3g} in magnitude: "
                             f"beyond {limit:.3g} the least-squares sums over {n} rows overflow "
                             f"float64. Rescale it first (e.g. StandardScaler, or other units).")
        if s["ypeak"] > limit:
            raise ValueError(f"The output y has values up to {s['ypeak']:.3g} in magnitude: "
                             f"beyond {limit:.3g} the least-squares sums over {n} rows overflow "
                             f"float64. Rescale it first (other units).")
        self.l_max = 1.0 + s["top"]
        self.y_variance = s["ym2"] / n
        self.y_mean_square = self.y_variance + s["ymean"] ** 2
        H = np.empty((d + 1, d + 1))
        H[0, 0] = 1.0
        H[1:, 1:] = s["xtx"] / n
        H[0, 1:] = H[1:, 0] = s["sum"] / n
        self._H = H

    def hessian(self) -> np.ndarray:
        """``[1, X]^T [1, X] / n`` (intercept first), from the validation pass."""
        return self._H.copy()

    def sums(self, z: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
        """One distributed pass: see :func:`_chunk_sums`, summed over the chunks."""
        import dask

        z = np.array(z, dtype=np.float64)
        theta = None if theta is None else np.array(theta, dtype=np.float64)
        parts = [dask.delayed(_chunk_sums)(xb, yb, z, theta, self.stride, s)
                 for (xb, yb), s in zip(self._blocks, self.starts, strict=True)]
        (total,) = dask.compute(dask.delayed(_add)(*parts))
        return total

    def remember_watched(self, theta: np.ndarray, value: float) -> None:
        """Keep the watched objective at ``theta`` for :meth:`watched` (a few at most)."""
        if len(self._watched) > 64:
            self._watched.clear()
        self._watched[theta.tobytes()] = value

    def loss_scale(self) -> float:
        """``Var(y) / 2`` (``mean(y^2) / 2`` for a constant ``y``, 1 for ``y = 0``): the
        objective of the best constant prediction, from the statistics of ``y``."""
        if self.y_variance > 0:
            return 0.5 * self.y_variance
        return 0.5 * self.y_mean_square if self.y_mean_square > 0 else 1.0

    def watched(self, theta: np.ndarray) -> float:
        """The estimator's watched objective at ``theta`` (remembered from the pass that took
        the gradient there, else one more pass)."""
        value = self._watched.pop(theta.tobytes(), None)
        if value is None:
            total = self.sums(theta)
            value = total[-2] / total[-1]
        return float(value)


def _finite_block(block: np.ndarray, block_info=None) -> np.ndarray:
    """A chunk of X for predict, refused (ValueError naming the row) when not finite."""
    block = np.asarray(block, dtype=np.float64)
    bad = ~np.isfinite(block)
    if bad.any():
        start = block_info[0]["array-location"][0][0] if block_info else 0
        row = start + int(np.argmax(bad.any(axis=1)))
        raise ValueError(f"Input X contains NaN or infinity (row {row}).")
    return block


def dask_predict(X, coef: np.ndarray, intercept: float, feature_names=None):
    """``X @ coef + intercept`` on a Dask array or data frame, lazily (chunk by chunk).

    Checked now: the columns (real numbers; a data frame's names and order those of
    ``feature_names`` when given) and their number; checked as each chunk is computed: NaN and
    infinity (a ValueError naming the row), as the in-memory path refuses them.
    """
    check_dask_input(X, "X", n_features=np.shape(coef)[0], feature_names=feature_names)
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True)
    X = X.astype(np.float64).map_blocks(_finite_block, dtype=np.float64)
    return X @ coef + intercept


@dataclasses.dataclass(frozen=True)
class DaskFullBatch(Driver):
    r"""Full-batch gradient of a :class:`DaskData`: :math:`g = \nabla f(\theta)` as one
    distributed reduction over the chunks per step; the rule's step taken on this process.

    The same iterates as :class:`~graddescent.drivers.FullBatch` on the data in memory (the
    sums in another order: equal to rounding). One unit = one step = one epoch.
    """

    name = "dask_full_batch"
    #: its statistics are those of least squares (no loss, penalty or weights yet)
    least_squares_only = True

    def is_full_batch(self, n: int) -> bool:
        return True

    def smoothness(self, X: DaskData, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        H = X.hessian()
        return O.power_iteration(lambda v, w: np.dot(H, v, out=w), H.shape[0])

    def run(self, X: DaskData, y, theta, rule, rule_state, t, driver_state, rng, n_units,
            pb=None):
        p = theta.shape[0]
        ahead = type(rule.hyperparameters()).LOOKAHEAD
        for _ in range(n_units):
            z = rule.eval_point(theta, rule_state) if ahead else theta
            total = X.sums(z, theta if ahead else None)
            if not math.isfinite(total[p]):
                raise_if_diverged(DIVERGED, t, rule)
            X.remember_watched(theta, total[p + 1] / total[p + 2])
            t += 1
            rule.step(theta, total[:p] / X.shape[0], rule_state, t)
        return t

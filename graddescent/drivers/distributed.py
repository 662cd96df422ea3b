r"""The full-batch driver on data held by Dask: one distributed reduction per gradient.

:class:`DaskData` wraps a ``dask.array`` (or a ``dask.dataframe``, converted) chunked by rows;
:class:`DaskFullBatch` runs any update rule on it exactly as :class:`FullBatch` runs it on
memory: each step's gradient is the sum of per-chunk partial sums of
:func:`graddescent.objective.full_gradient` (computed where the chunks are, one pass over
``X``; only ``d + 3`` numbers per chunk travel), and the rule's step is applied here, on the
driver's process. The same pass also gives the objective at the current iterate (what the
estimator watches), so that watching it costs nothing extra.

**The problem.** The chunks compute the data part of the objective and its gradient (the
loss of :class:`~graddescent.problems.Problem`, through the compiled entry points of
``graddescent.problems.engine``, with the problem's record stripped of its penalty,
:func:`data_record`); the penalty's value, its smooth gradient and the L1 part's proximal step
are added once, on this process, by the same compiled entry points the in-memory drivers use.
So every loss and penalty runs on Dask, and the watched objective includes the penalty.

**Sample weights** are held by Dask with the rows (:class:`DaskData`'s ``w``, chunked as ``X``,
scaled to mean 1 over the whole data as :meth:`~graddescent.problems.Problem.weights` scales
them in memory, from the sum of the weights taken in the validation pass): each chunk's pass
reads the problem's weighted record with its own rows' weights
(:func:`~graddescent.drivers.chunks.chunk_record`), so the chunks' sums add up to the
weighted sums of the whole data, normalised by the global sum of the weights.

Dask is imported only when a :class:`DaskData` is made (:func:`is_dask` tells by the type's
module), so ``import graddescent`` never imports it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import objective as O
from .._jit import DIVERGED, kernel
from .._validation import check_column_dtype, check_dask_input, magnitude_limit
from ..problems import engine as E
from ..problems.records import record_class, with_weights
from ..rules.base import step
from .base import Driver, DriverState
from .chunks import chunk_record
from .divergence import raise_if_diverged

__all__ = ["DaskFullBatch"]


def is_dask(obj: object) -> bool:
    """True for a Dask collection (array, data frame, series), without importing Dask."""
    module = type(obj).__module__.split(".")[0]
    return module in ("dask", "dask_expr")


def _writable(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-ordered float64 array the compiled kernels accept (a copy if read-only)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    return a if a.flags.writeable else a.copy()


def _scan_chunk(xb: np.ndarray, yb: np.ndarray, wb: np.ndarray | None, start: int) -> dict:
    """One chunk's part of the validation pass: its largest squared row norm, its first row
    with a non-finite entry (global index, -1 if none), ``sum x``, ``X^T X`` and ``y``'s
    count, mean and sum of squared deviations (Chan's merge needs them); with the rows'
    weights ``wb``, their part too (:func:`_scan_weights`)."""
    xb = _writable(xb)
    yb = np.asarray(yb, dtype=np.float64)
    if wb is not None:
        out = _scan_chunk(xb, yb, None, start)
        out.update(_scan_weights(xb, yb, np.asarray(wb, dtype=np.float64), start))
        return out
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


def _scan_weights(xb: np.ndarray, yb: np.ndarray, wb: np.ndarray, start: int) -> dict:
    """A weighted chunk's part of the validation pass (``wb``: its rows' weights ``s``, as
    given): its first row whose weight is not a finite number >= 0 (global index, -1 if none)
    and that weight; ``sum s``, ``min s``, ``max s``; ``sum s x``, ``sum s x x^T`` and
    ``max s (1 + ||x||^2)``; ``y``'s weighted mean and ``sum s (y - mean)^2``."""
    ok = np.isfinite(wb) & (wb >= 0)
    k = int(np.argmin(ok)) if not ok.all() else -1
    m = wb.shape[0]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        total = float(wb.sum())
        mean = float(wb @ yb) / total if total > 0 else 0.0
        top = float(np.max(wb * (1.0 + np.einsum("ij,ij->i", xb, xb)))) if m else 0.0
        return {"wbad": start + k if k >= 0 else -1, "wbad_value": float(wb[k]) if k >= 0 else 0.0,
                "wn": total, "wmin": float(wb.min()) if m else math.inf,
                "wmax": float(wb.max()) if m else -math.inf, "wsum": wb @ xb,
                "wxtx": (xb * wb[:, None]).T @ xb, "wtop": top, "wymean": mean,
                "wym2": float(wb @ (yb - mean) ** 2)}


def _merge_moments(out: dict, p: dict, n: str, mean: str, m2: str) -> None:
    """Chan's merge of the count (or weight) ``n``, ``mean`` and sum of squared deviations
    ``m2`` of ``p`` into ``out``."""
    total = out[n] + p[n]
    delta = p[mean] - out[mean]
    if total:
        out[m2] += p[m2] + delta * delta * out[n] * p[n] / total
        out[mean] += delta * p[n] / total
    out[n] = total


def _merge_scans(*parts: dict) -> dict:
    out = dict(parts[0])
    for p in parts[1:]:
        _merge_moments(out, p, "n", "ymean", "ym2")
        out["top"] = max(out["top"], p["top"])
        bads = [b for b in (out["bad"], p["bad"]) if b >= 0]
        out["bad"] = min(bads) if bads else -1
        out["sum"] = out["sum"] + p["sum"]
        out["xtx"] = out["xtx"] + p["xtx"]
        out["peak"] = np.maximum(out["peak"], p["peak"])
        out["ypeak"] = max(out["ypeak"], p["ypeak"])
        if "wn" in p:
            _merge_moments(out, p, "wn", "wymean", "wym2")
            if p["wbad"] >= 0 and not 0 <= out["wbad"] < p["wbad"]:
                out["wbad"], out["wbad_value"] = p["wbad"], p["wbad_value"]
            out["wmin"] = min(out["wmin"], p["wmin"])
            out["wmax"] = max(out["wmax"], p["wmax"])
            out["wsum"] = out["wsum"] + p["wsum"]
            out["wxtx"] = out["wxtx"] + p["wxtx"]
            out["wtop"] = max(out["wtop"], p["wtop"])
    return out


def data_record(pb):
    """The record of ``pb``'s data part: its loss, weights and intercept, no penalty (None
    stays None: least squares). The chunks' sums of it add up to the whole data's."""
    if pb is None or not type(pb).PENALISED:
        return pb
    cls = type(pb)
    return record_class(cls.LOSS.name, None, cls.WEIGHTED, cls.INTERCEPT)(pb.eps, 0.0, 0.0,
                                                                          pb.w)


def _chunk_sums(xb: np.ndarray, yb: np.ndarray, wb: np.ndarray | None, z: np.ndarray,
                theta: np.ndarray | None, stride: int, start: int, pb=None) -> np.ndarray:
    """``[sum_i omega_i l'(r_i(z)) (1, x_i), sum_i omega_i l(r_i(z)), sum_w omega_w
    l(r_w(theta)), count_w]`` over the chunk's rows for the data record ``pb`` (None: least
    squares, ``l(r) = r^2 / 2``; ``omega``: the rows' weights ``wb``, 1 for None; ``w``: the
    rows ``i`` with ``(start + i) % stride == 0``, the estimator's watched subsample; ``theta``
    None: the watched objective is taken at ``z``)."""
    xb, yb = _writable(xb), _writable(yb)
    data_pb, pb = pb, chunk_record(pb, wb)
    m, p = xb.shape[0], z.shape[0]
    out = np.zeros(p + 3)
    if m == 0:
        return out
    g = np.empty(p)
    if pb is None:
        out[p] = O.full_gradient(xb, yb, z, g) * m
    else:
        out[p] = E.full_gradient(pb, xb, yb, z, g) * m
    out[:p] = g * m
    first = (-start) % stride
    count = len(range(first, m, stride))
    if count:
        point = z if theta is None else theta
        if stride == 1 and theta is None:
            watched = out[p] / m
        elif stride == 1:
            watched = O.objective(xb, yb, point) if pb is None else \
                E.objective(pb, xb, yb, point)
        elif pb is None:
            watched = O.objective_strided(xb[first:], yb[first:], point, stride)
        else:  # the weights of the rows from ``first`` on
            sub = chunk_record(data_pb, None if wb is None else wb[first:])
            watched = E.objective_strided(sub, xb[first:], yb[first:], point, stride)
        out[p + 1] = watched * count
        out[p + 2] = count
    return out


def penalty_value(pb, theta: np.ndarray) -> float:
    """``l1 ||w||_1 + l2 / 2 ||w||_2^2`` of record ``pb`` at ``theta = (b, w)`` (0 for None)."""
    if pb is None or not type(pb).PENALISED:
        return 0.0
    w = theta[1:]
    return float(pb.l1 * np.abs(w).sum() + 0.5 * pb.l2 * (w @ w))


@kernel
def penalised_step(theta, state, t, hp, g, z, pb):
    """Step ``t + 1`` of the rule along the data gradient ``g`` (taken at ``z``) plus the
    penalty's smooth part there, then the L1 part's prox: the in-memory full-batch step
    (:func:`graddescent.drivers.full_batch.full_batch`) once its gradient pass is done.
    Returns ``t + 1``."""
    E.add_penalty(pb, z, g, 0.0)
    t += 1
    step(hp, theta, g, state, t)
    E.prox(pb, hp, theta, state, t, g)
    return t


def _add(*parts: np.ndarray) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def _weights(sample_weight, n: int, rows: tuple):
    """``sample_weight`` as a float64 Dask array chunked as the ``rows`` of ``X`` (a NumPy
    array, a scalar or a Dask array or series, rechunked), checked before any pass: real
    numbers, one column, one per row."""
    import dask.array as da

    w = sample_weight
    if is_dask(w):
        if hasattr(w, "to_dask_array"):
            w = w.to_dask_array(lengths=True)
        dtype = np.dtype(w.dtype)
    else:
        w = np.asarray(w)
        dtype = w.dtype
    if dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must hold real numbers, got dtype {dtype}.")
    if w.ndim == 0:
        return da.full(n, float(w), chunks=(rows,), dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be one weight per row (shape (n_samples,)), got "
                         f"shape {w.shape}.")
    if is_dask(w) and any(math.isnan(c) for c in w.chunks[0]):
        w = w.compute_chunk_sizes()
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} values but X has {n} rows; give "
                         f"one weight per row.")
    w = w if is_dask(w) else da.from_array(w, chunks=(rows,))
    return w.astype(np.float64).rechunk((rows,))


def _check_weights(s: dict, n: int) -> None:
    """The weights' part of the validation pass's verdict (``s``: the merged scan): each a
    finite number >= 0, not all zero, sums that fit in float64."""
    if s["wbad"] >= 0:
        raise ValueError(f"sample_weight must be finite and >= 0; row {s['wbad']} has "
                         f"{s['wbad_value']!r}.")
    if not s["wn"] > 0:
        raise ValueError("sample_weight must not be all zero: the weighted objective would be "
                         "empty.")
    sums = np.array([s["wn"], s["wym2"], s["wtop"]])
    if not (np.isfinite(sums).all() and np.isfinite(s["wxtx"]).all()):
        raise ValueError(f"sample_weight has values up to {s['wmax']:.3g}: the weighted sums "
                         f"over {n} rows overflow float64. Rescale the weights (only their "
                         f"ratios matter).")


class DaskData:
    """``(X, y)`` held by Dask, chunked by rows; validated in one pass when made.

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n, d)
    y : dask.array.Array, dask.dataframe.Series or array-like of shape (n,)
    stride : callable
        ``stride(n)``: every how many rows the watched objective is taken.
    sample_weight : dask.array.Array, dask.dataframe.Series, array-like of shape (n,), float or None
        The rows' weights (finite, >= 0, not all zero), rechunked to ``X``'s row chunks and
        checked in the validation pass. Weights that are all equal are no weights (the same
        objective), as in memory.

    Attributes
    ----------
    shape : (int, int)
    feature_names : ndarray of str or None
        The data frame's column names (all strings), else None.
    l_max : float
        ``1 + max_i ||x_i||^2``; weighted: ``max_i omega_i (1 + ||x_i||^2)``.
    y_variance, y_mean_square : float
        ``Var(y)`` and ``mean(y^2)`` (weighted by the sample weights when given).
    w : dask.array.Array or None
        The weights scaled to mean 1 over the whole data, ``omega_i = n s_i / sum_k s_k``
        (chunked as ``X``); None without weights (or with all weights equal).

    Raises
    ------
    ValueError, TypeError
        Before any pass: a column of text, categories, booleans or dates (named), ``X`` not
        2-D, ``y`` not one column, their lengths differ (unknown chunk sizes are computed
        first), or no rows. After the validation pass: NaN or infinity (naming the first such
        row), or a column (or ``y``) whose squares would overflow the least-squares sums
        (named; not blamed on the learning rate later). ``sample_weight``: of another length
        than ``X`` (before any pass); a NaN, infinite or negative weight (naming its row), all
        zero, or weights whose sums overflow (after the pass).
    """

    def __init__(self, X, y, stride, sample_weight=None) -> None:
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
        w = None if sample_weight is None else _weights(sample_weight, X.shape[0], rows)
        # Iterations read every chunk each step: keep them in the workers' memory.
        self.X, self.y, w = dask.persist(X, y, w)
        self.shape = (int(X.shape[0]), int(X.shape[1]))
        self.starts = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int).tolist()
        weights = [None] * len(rows) if w is None else w.to_delayed().ravel()
        self.stride = int(stride(self.shape[0]))
        self._watched: dict[bytes, float] = {}
        self._ahead: tuple | None = None  # (arguments, sums) of a pass taken ahead
        self.passes = 0  # distributed passes of sums() (communication rounds)
        xs, ys = self.X.to_delayed().ravel(), self.y.to_delayed().ravel()
        scans = [dask.delayed(_scan_chunk)(xb, yb, wb, s)
                 for xb, yb, wb, s in zip(xs, ys, weights, self.starts, strict=True)]
        (s,) = dask.compute(dask.delayed(_merge_scans)(*scans))
        if s["bad"] >= 0:
            raise ValueError(f"Input contains NaN or infinity (row {s['bad']}).")
        n, d = self.shape
        if w is not None:
            _check_weights(s, n)
            if s["wmin"] == s["wmax"]:  # all equal: the unweighted objective
                w = None
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
        # the statistics of the weighted rows: sums over s_i / sum s = omega_i / n
        total, key = (n, "") if w is None else (s["wn"], "w")
        self.l_max = 1.0 + s["top"] if w is None else s["wtop"] * (n / total)
        self.y_variance = s[key + "ym2"] / total
        self.y_mean_square = self.y_variance + s[key + "ymean"] ** 2
        H = np.empty((d + 1, d + 1))
        H[0, 0] = 1.0
        H[1:, 1:] = s[key + "xtx"] / total
        H[0, 1:] = H[1:, 0] = s[key + "sum"] / total
        self._H = H
        # omega = n s / sum s: the in-memory record's weights (the same bits on one chunk)
        self.w = None if w is None else (w * (n / total)).persist()
        weights = [None] * len(rows) if self.w is None else self.w.to_delayed().ravel()
        self._blocks = list(zip(xs, ys, weights, strict=True))

    def record(self, problem):
        """The compiled record of ``problem`` for a pass over these data: None for plain least
        squares without weights; with weights, its weighted record holding no weights of its
        own (each chunk's pass puts in its own rows', :func:`~graddescent.drivers.chunks.
        chunk_record`), so that only a few numbers travel to the chunks."""
        if self.w is None:
            return None if problem.is_least_squares else problem.record()
        return with_weights(problem.record(), np.empty(0))

    def hessian(self) -> np.ndarray:
        """``[1, X]^T Omega [1, X] / n`` (intercept first; ``Omega`` the scaled weights, 1
        without), from the validation pass."""
        return self._H.copy()

    def sums(self, z: np.ndarray, theta: np.ndarray | None = None, pb=None) -> np.ndarray:
        """One distributed pass: see :func:`_chunk_sums` (``pb``: the data record,
        :func:`data_record`), summed over the chunks; the pass :meth:`prefetch_sums` took
        for these arguments if it was the last one."""
        import dask

        key = self._sums_key(z, theta, pb)
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == key:
            return ahead[1].copy()
        self.passes += 1
        z = np.array(z, dtype=np.float64)
        theta = None if theta is None else np.array(theta, dtype=np.float64)
        parts = [dask.delayed(_chunk_sums)(xb, yb, wb, z, theta, self.stride, s, pb)
                 for (xb, yb, wb), s in zip(self._blocks, self.starts, strict=True)]
        (total,) = dask.compute(dask.delayed(_add)(*parts))
        return total

    @staticmethod
    def _sums_key(z, theta, pb) -> tuple:
        return (np.asarray(z, dtype=np.float64).tobytes(),
                None if theta is None else np.asarray(theta, dtype=np.float64).tobytes(),
                None if pb is None else (type(pb), pb.eps, pb.l1, pb.l2, pb.w.tobytes()))

    def prefetch_sums(self, z: np.ndarray, theta: np.ndarray | None = None,
                      pb=None) -> np.ndarray:
        """:meth:`sums` now, kept for the next call with the same arguments (a driver's
        next gradient, taken at the end of a run so that the same pass gives the watched
        objective at the run's last iterate)."""
        total = self.sums(z, theta, pb)
        self._ahead = (self._sums_key(z, theta, pb), total.copy())
        return total

    def remember_watched(self, theta: np.ndarray, value: float) -> None:
        """Keep the watched objective at ``theta`` for :meth:`watched` (a few at most)."""
        if len(self._watched) > 64:
            self._watched.clear()
        self._watched[theta.tobytes()] = value

    def loss_scale(self, problem=None) -> float:
        """The objective of the best constant prediction (``tol``'s unit): for the squared
        loss ``Var(y) / 2`` (``mean(y^2) / 2`` for a constant ``y``, 1 for ``y = 0``), from the
        statistics of ``y``; for the other losses of ``problem``
        (:meth:`~graddescent.problems.Problem.loss_scale`), on ``y`` brought here (one
        number per row, and its weight). Weighted, as in memory: the weighted ``Var(y) / 2``,
        1 when it is 0."""
        if problem is not None and problem.loss_spec.fast is None:
            w = None if self.w is None else np.asarray(self.w.compute())
            return problem.loss_scale(np.asarray(self.y.compute()), w)
        if self.w is not None:
            return 0.5 * self.y_variance if self.y_variance > 0 else 1.0
        if self.y_variance > 0:
            return 0.5 * self.y_variance
        return 0.5 * self.y_mean_square if self.y_mean_square > 0 else 1.0

    def row_lipschitz(self, problem=None) -> float:
        """``L_max`` of one row's gradient: ``curvature * l_max + l2`` (as
        :meth:`~graddescent.problems.Problem.l_max`, with the weights; the intercept's 1
        counted even when it is not fitted: an upper bound)."""
        if problem is None or problem.is_least_squares:
            return self.l_max
        curvature = problem.loss_spec.curvature
        if curvature is None:
            raise ValueError(f"the {problem.loss} loss has no Lipschitz derivative: no "
                             f"smoothness constant.")
        return float(curvature) * self.l_max + problem.strengths[1]

    def lipschitz(self, problem=None) -> float:
        """``L`` of the full gradient from the Hessian of the validation pass: ``curvature
        * lambda_max([1, X]^T [1, X] / n) + l2`` (row and column 0 dropped without the
        intercept), as :meth:`~graddescent.problems.Problem.lipschitz` (with the weights:
        the Hessian of the weighted rows)."""
        H = self.hessian()
        curvature, l2 = 1.0, 0.0
        if problem is not None:
            curvature = problem.loss_spec.curvature
            if curvature is None:
                raise ValueError(f"the {problem.loss} loss has no Lipschitz derivative: no "
                                 f"smoothness constant.")
            l2 = problem.strengths[1]
            if not problem.fit_intercept:
                H[0, :] = H[:, 0] = 0.0
        top = O.power_iteration(lambda v, w: np.dot(H, v, out=w), H.shape[0])
        return float(curvature) * top + l2

    def watched(self, theta: np.ndarray, pb=None) -> float:
        """The estimator's watched objective at ``theta`` for the problem of record ``pb``
        (its penalty included): remembered from the pass that took the gradient there, else
        one more pass."""
        value = self._watched.pop(theta.tobytes(), None)
        if value is None:
            total = self.sums(theta, None, data_record(pb))
            value = total[-2] / total[-1] + penalty_value(pb, theta)
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


@dataclasses.dataclass
class RoundsCount(DriverState):
    """A distributed driver's count of communication rounds (``rounds``: each one
    ``dask.compute`` over the chunks)."""

    rounds: int = 0


@dataclasses.dataclass(frozen=True)
class DaskFullBatch(Driver):
    r"""Full-batch gradient of a :class:`DaskData`: :math:`g = \nabla f(\theta)` as one
    distributed reduction over the chunks per step; the rule's step taken on this process.

    The same iterates as :class:`~graddescent.drivers.FullBatch` on the data in memory (the
    sums in another order: equal to rounding), for every loss and penalty (module text). One
    unit = one step = one epoch = one communication round: a run of ``k`` steps ends with the
    pass of the next step's gradient, which also gives the watched objective at its last
    iterate, so that the next run starts with it; the state's ``rounds`` counts the passes.
    """

    name = "dask_full_batch"
    takes_problem = True  # the problem's record, each chunk's with its rows' weights

    def is_full_batch(self, n: int) -> bool:
        return True

    def smoothness(self, X: DaskData, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        return X.lipschitz(problem)

    def init_state(self, n: int, p: int) -> RoundsCount:
        return RoundsCount()

    def run(self, X: DaskData, y, theta, rule, rule_state, t, driver_state, rng, n_units,
            pb=None):
        p = theta.shape[0]
        hp = rule.hyperparameters()
        ahead = type(hp).LOOKAHEAD
        data_pb = data_record(pb)
        passes = X.passes
        for k in range(n_units + 1):
            z = rule.eval_point(theta, rule_state) if ahead else theta
            if k == n_units:  # the next step's pass, which also gives the watched objective
                total = X.prefetch_sums(z, theta if ahead else None, data_pb)
            else:
                total = X.sums(z, theta if ahead else None, data_pb)
            driver_state.rounds += X.passes - passes
            passes = X.passes
            if not math.isfinite(total[p]):
                raise_if_diverged(DIVERGED, t, rule)
            X.remember_watched(theta, total[p + 1] / total[p + 2] + penalty_value(pb, theta))
            if k == n_units:
                break
            g = total[:p] / X.shape[0]
            if pb is None:
                t += 1
                rule.step(theta, g, rule_state, t)
            else:
                t = penalised_step(theta, rule_state, t, hp, g, np.array(z), pb)
        return t

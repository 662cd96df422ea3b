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
from ..problems.records import record_class
from ..rules.base import step
from .base import Driver, DriverState
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


def data_record(pb):
    """The record of ``pb``'s data part: its loss, weights and intercept, no penalty (None
    stays None: least squares). The chunks' sums of it add up to the whole data's."""
    if pb is None or not type(pb).PENALISED:
        return pb
    cls = type(pb)
    return record_class(cls.LOSS.name, None, cls.WEIGHTED, cls.INTERCEPT)(pb.eps, 0.0, 0.0,
                                                                          pb.w)


def _chunk_sums(xb: np.ndarray, yb: np.ndarray, z: np.ndarray, theta: np.ndarray | None,
                stride: int, start: int, pb=None) -> np.ndarray:
    """``[sum_i omega_i l'(r_i(z)) (1, x_i), sum_i omega_i l(r_i(z)), sum_w omega_w
    l(r_w(theta)), count_w]`` over the chunk's rows for the data record ``pb`` (None: least
    squares, ``l(r) = r^2 / 2``; ``w``: the rows ``i`` with ``(start + i) % stride == 0``, the
    estimator's watched subsample; ``theta`` None: the watched objective is taken at ``z``)."""
    xb, yb = _writable(xb), _writable(yb)
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
        else:
            watched = E.objective_strided(pb, xb[first:], yb[first:], point, stride)
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
        self._ahead: tuple | None = None  # (arguments, sums) of a pass taken ahead
        self.passes = 0  # distributed passes of sums() (communication rounds)
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
        parts = [dask.delayed(_chunk_sums)(xb, yb, z, theta, self.stride, s, pb)
                 for (xb, yb), s in zip(self._blocks, self.starts, strict=True)]
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
        number per row)."""
        if problem is not None and problem.loss_spec.fast is None:
            return problem.loss_scale(np.asarray(self.y.compute()))
        if self.y_variance > 0:
            return 0.5 * self.y_variance
        return 0.5 * self.y_mean_square if self.y_mean_square > 0 else 1.0

    def row_lipschitz(self, problem=None) -> float:
        """``L_max`` of one row's gradient: ``curvature * l_max + l2`` (as
        :meth:`~graddescent.problems.Problem.l_max`, no weights; with the intercept's 1
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
        intercept), as :meth:`~graddescent.problems.Problem.lipschitz` (no weights)."""
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
    takes_problem = True  # the problem's record (no sample weights)

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

r"""The problem: a loss, a penalty and whether the intercept is fitted (:class:`Problem`)."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from .. import _sparse as S
from .. import objective as O
from .._validation import (
    check_bool,
    check_interval,
    check_nonnegative,
    check_real,
    check_vector,
)
from . import engine
from .records import for_data, record_class
from .registry import LOSSES, PENALTIES

__all__ = ["Problem"]

#: Proximal-gradient iterations of :meth:`Problem.optimum` at most (before its Newton polish).
OPTIMUM_ITERATIONS = 200_000


class Problem:
    r"""What is minimised: a loss of the residuals, a penalty of the coefficients, weights.

    .. math:: F(b, w) = \frac{1}{\sum_i s_i} \sum_i s_i\, l(b + x_i \cdot w - y_i)
              + \alpha \left(\rho \|w\|_1 + \frac{1 - \rho}{2} \|w\|_2^2\right)

    with :math:`s_i` the sample weights (1 when none are given), :math:`\rho` = ``l1_ratio``
    (``"l2"``: 0, ``"l1"``: 1, ``None``: :math:`\alpha = 0`) and the intercept :math:`b` never
    penalised (kept at 0 with ``fit_intercept=False``). This is scikit-learn's scaling: ``alpha``
    means what it means in ``SGDRegressor``, ``Lasso`` and ``ElasticNet``, and ``Ridge``'s
    ``alpha`` is ``n * alpha`` here (``sum(s) * alpha`` weighted). The default, ``Problem()``, is
    least squares :math:`\frac{1}{2n}\sum_i r_i^2`, whose compiled code is that of the engine
    before problems existed.

    Parameters
    ----------
    loss : {"squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"}
        :data:`graddescent.problems.LOSSES` (SGDRegressor's definitions).
    epsilon : float
        The threshold of the Huber and epsilon-insensitive losses (>= 0).
    penalty : {None, "l2", "l1", "elasticnet"}
        :data:`graddescent.problems.PENALTIES`.
    alpha : float
        Strength of the penalty (>= 0).
    l1_ratio : float or None
        The elastic net's mixing in [0, 1]; None only with a penalty that does not use it
        (as in scikit-learn: the elastic net then raises a ValueError).
    fit_intercept : bool
        False keeps ``theta[0]`` at 0 (the fit goes through the origin).
    weight_mean : float or None
        The mean weight :math:`\bar s` the sample weights are divided by: each row weighs
        :math:`s_i / \bar s` (the objective's factor :math:`\frac{1}{\sum_i s_i}` becomes
        :math:`\frac{1}{n \bar s}`). None: the mean of the weights given, so that they
        have mean 1. A chunk of a stream of rows takes the whole stream's mean weight, so that
        its rows weigh in as in a fit on all of them (:meth:`GDRegressor.partial_fit`).

    Examples
    --------
    >>> import numpy as np
    >>> from graddescent.problems import Problem
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> Problem().optimum(X, y)
    array([1., 2.])
    >>> Problem(penalty="l2", alpha=1.0).optimum(X, y).round(6)
    array([2.2, 0.8])
    """

    def __init__(self, loss: str = "squared_error", *, epsilon: float = 0.1,
                 penalty: str | None = None, alpha: float = 0.0001,
                 l1_ratio: float | None = 0.15, fit_intercept: bool = True,
                 weight_mean: float | None = None) -> None:
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}.")
        if penalty not in PENALTIES:
            known = ", ".join(repr(k) for k in PENALTIES)
            raise ValueError(f"unknown penalty {penalty!r}; known: {known}.")
        self.loss = loss
        self.epsilon = check_nonnegative("epsilon", epsilon)
        self.penalty = penalty
        self.alpha = check_nonnegative("alpha", alpha)
        if l1_ratio is None:  # scikit-learn's "not used", and its message when it is
            if PENALTIES[penalty].uses_l1_ratio:
                raise ValueError(f"l1_ratio must be set when penalty is {penalty!r}: a number "
                                 f"in [0, 1] (0 is L2, 1 is L1).")
            self.l1_ratio = None
        else:
            self.l1_ratio = check_interval("l1_ratio", l1_ratio, 0.0, 1.0)
        self.fit_intercept = check_bool("fit_intercept", fit_intercept)
        self.weight_mean = None if weight_mean is None else \
            check_real("weight_mean", weight_mean, lambda v: 0 < v < math.inf,
                       "be a finite number > 0")

    def __repr__(self) -> str:
        mean = "" if self.weight_mean is None else f", weight_mean={self.weight_mean!r}"
        return (f"Problem(loss={self.loss!r}, epsilon={self.epsilon!r}, "
                f"penalty={self.penalty!r}, alpha={self.alpha!r}, "
                f"l1_ratio={self.l1_ratio!r}, fit_intercept={self.fit_intercept!r}{mean})")

    def with_weight_mean(self, weight_mean: float | None) -> Problem:
        """This problem with ``weight_mean`` (a copy; checked as in the constructor)."""
        out = copy.copy(self)
        out.weight_mean = Problem(weight_mean=weight_mean).weight_mean
        return out

    # --- what it is --------------------------------------------------------------------------
    @property
    def loss_spec(self):
        return LOSSES[self.loss]

    @property
    def penalty_spec(self):
        return PENALTIES[self.penalty]

    @property
    def strengths(self) -> tuple[float, float]:
        """``(l1, l2)``: the objective's penalty is ``l1 ||w||_1 + l2 / 2 ||w||_2^2``."""
        l1, l2 = self.penalty_spec.strengths(self.alpha, self.l1_ratio)
        return float(l1), float(l2)

    @property
    def is_smooth(self) -> bool:
        """True when the loss has a Lipschitz derivative (the L1 part aside)."""
        return self.loss_spec.is_smooth

    @property
    def has_l1(self) -> bool:
        """True when the penalty has an L1 part (a proximal step after each update)."""
        return self.penalty_spec.has_l1 and self.strengths[0] > 0

    @property
    def is_least_squares(self) -> bool:
        """Plain least squares with the intercept: what every method ran before problems."""
        return (self.loss_spec.fast is not None and self.penalty_spec.name is None
                and self.fit_intercept)

    # --- the compiled record -----------------------------------------------------------------
    def weights(self, sample_weight: Any, n: int) -> np.ndarray | None:
        """The sample weights scaled to mean 1 (``n s_i / sum s``; with ``weight_mean``,
        ``s_i / weight_mean``), or None when there are none or all are equal (the same
        objective, unweighted; with ``weight_mean``, all equal to it)."""
        if sample_weight is None:
            return None
        w = check_vector("sample_weight", sample_weight, n,
                         expected=f"one per row of X ({n})", flatten=True)
        if (w < 0).any():
            k = int(np.argmax(w < 0))
            raise ValueError(f"sample_weight must be >= 0, got {w[k]!r} at position {k}.")
        total = float(w.sum())
        if not total > 0 or not math.isfinite(total):
            raise ValueError("sample_weight must have a positive (finite) sum.")
        if self.weight_mean is not None:
            w = w / self.weight_mean
            return None if np.all(w == 1.0) else w
        if np.all(w == w[0]):
            return None
        return w * (n / total)

    def record(self, sample_weight: Any = None, n: int | None = None):
        """The compiled record the driver kernels read (see
        ``graddescent.problems.records``); ``n`` is needed with ``sample_weight``."""
        w = None if sample_weight is None else self.weights(sample_weight, int(n))
        l1, l2 = self.strengths
        cls = record_class(self.loss, self.penalty, w is not None, self.fit_intercept)
        return cls(float(self.epsilon), l1, l2, np.empty(0) if w is None else w)

    # --- values ------------------------------------------------------------------------------
    def objective(self, X: np.ndarray, y: np.ndarray, theta: np.ndarray,
                  sample_weight: Any = None) -> float:
        """``F(theta)`` (intercept first; ignored without the intercept) on ``(X, y)``."""
        X, y, theta = _arrays(X, y, theta)
        if not self.fit_intercept:
            theta[0] = 0.0  # a copy
        pb = for_data(self.record(sample_weight, X.shape[0]), X)  # every core when large
        return float(engine.objective(pb, X, y, theta))

    def watched(self, X: np.ndarray, y: np.ndarray, theta: np.ndarray, record=None) -> float:
        """The objective divergence checks and stopping rules watch: ``F``, or above
        :data:`graddescent.objective.WATCHED_ROWS` rows ``F`` with its mean loss on every
        ``ceil(n / WATCHED_ROWS)``-th row (as :func:`graddescent.objective.watched`)."""
        pb = self.record() if record is None else record
        stride = O.watched_stride(X.shape[0])
        if stride == 1:
            return float(engine.objective(pb, X, y, theta))
        return float(engine.objective_strided(pb, X, y, theta, stride))

    def loss_scale(self, y: np.ndarray, sample_weight: Any = None) -> float:
        """The objective's reference scale (the divergence reference and ``tol``'s unit): the
        objective of the best constant prediction. Least squares: ``Var(y) / 2``
        (:func:`graddescent.objective.loss_scale`, weighted with weights); the other losses:
        their mean at the weighted median of ``y``; 1 when that is 0."""
        y = np.ascontiguousarray(y, dtype=np.float64)
        w = self.weights(sample_weight, y.shape[0])
        if w is None and self.loss_spec.fast is not None:
            return O.loss_scale(y)
        w = np.ones_like(y) if w is None else w
        if self.loss_spec.fast is not None:
            mean = float(np.average(y, weights=w))
            value = 0.5 * float(np.average((y - mean) ** 2, weights=w))
        else:
            order = np.argsort(y, kind="stable")
            cum = np.cumsum(w[order])
            median = float(y[order][np.searchsorted(cum, 0.5 * cum[-1])])
            value = float(np.average(self.loss_spec.reference_value(median - y, self.epsilon),
                                     weights=w))
        return value if value > 0 else 1.0

    # --- smoothness --------------------------------------------------------------------------
    def _curvature(self) -> float:
        c = self.loss_spec.curvature
        if c is None:
            raise ValueError(f"the {self.loss} loss has no Lipschitz derivative: no "
                             f"smoothness constant.")
        return float(c)

    def lipschitz(self, X: np.ndarray, sample_weight: Any = None) -> float:
        r"""``L``: the smoothness constant of the full gradient, ``curvature * lambda_max(A^T
        Omega A / n) + l2`` with ``A = [1, X]`` (``X`` without the intercept) and ``Omega`` the
        scaled weights. Least squares: :func:`graddescent.objective.top_eigenvalue`."""
        X = _rows(X)
        w = self.weights(sample_weight, X.shape[0])
        l2 = self.strengths[1]
        if w is None and self.fit_intercept:
            return self._curvature() * O.top_eigenvalue(X) + l2
        n, d = X.shape
        sw = np.ones(n) if w is None else w
        b = 1.0 if self.fit_intercept else 0.0
        sparse = isinstance(X, S.CSRRows)
        xv = np.empty(n) if sparse else None

        def apply(v: np.ndarray, out: np.ndarray) -> None:
            if sparse:  # two passes over the nonzeros
                S.matvec(X, v[1:], xv)
                r = sw * (xv + b * v[0])
                S.rmatvec(X, r, out[1:])
                out[1:] /= n
            else:
                r = sw * (X @ v[1:] + b * v[0])
                out[1:] = X.T @ r / n
            out[0] = b * r.sum() / n

        return self._curvature() * O.power_iteration(apply, d + 1) + l2

    def l_max(self, X: np.ndarray, sample_weight: Any = None) -> float:
        """``L_max``: the largest smoothness constant of one row's gradient, ``curvature *
        max_i omega_i (1 + ||x_i||^2) + l2``. Least squares: :func:`graddescent.objective.l_max`."""
        X = _rows(X)
        w = self.weights(sample_weight, X.shape[0])
        l2 = self.strengths[1]
        if w is None and self.fit_intercept and l2 == 0.0:
            return self._curvature() * O.l_max(X)
        if isinstance(X, S.CSRRows):
            sq = np.empty(X.shape[0])
            S.row_sq_norms(X, sq)
        else:
            sq = np.einsum("ij,ij->i", X, X)
        sq += 1.0 if self.fit_intercept else 0.0
        if w is not None:
            sq = sq * w
        return self._curvature() * float(sq.max()) + l2

    def hessian(self, X: np.ndarray, sample_weight: Any = None) -> np.ndarray:
        """The curvature bound ``curvature * A^T Omega A / n + l2 (0, I)`` (intercept first;
        its row and column 0 without the intercept), a chunk of rows at a time: the
        least-squares Hessian for least squares (:func:`graddescent.objective.hessian`)."""
        X = _rows(X)
        n, d = X.shape
        w = self.weights(sample_weight, n)
        if w is None:
            H = O.hessian(X)
        elif isinstance(X, S.CSRRows):
            A = S.as_scipy(X)
            H = np.empty((d + 1, d + 1))
            H[1:, 1:] = (A.T @ A.multiply(w[:, None]).tocsr()).toarray()
            H[0, 1:] = H[1:, 0] = A.T @ w
            H[0, 0] = w.sum()
            H /= n
        else:
            H = np.zeros((d + 1, d + 1))
            for i in range(0, n, O.CHUNK):
                chunk, wc = X[i:i + O.CHUNK], w[i:i + O.CHUNK]
                H[1:, 1:] += (chunk * wc[:, None]).T @ chunk
                H[0, 1:] += wc @ chunk
                H[0, 0] += wc.sum()
            H[1:, 0] = H[0, 1:]
            H /= n
        if not self.fit_intercept:
            H[0, :] = 0.0
            H[:, 0] = 0.0
        H *= self._curvature()
        H[np.arange(1, d + 1), np.arange(1, d + 1)] += self.strengths[1]
        return H

    # --- what methods can run it ---------------------------------------------------------------
    def method_problem(self, rule, driver) -> str | None:
        """Why ``rule`` under ``driver`` cannot minimise this problem, or None when it can.

        The driver declares ``needs_smooth_loss`` (its theory needs a Lipschitz gradient: SAG,
        SAGA, SVRG, S2GD, SARAH, SARAH+) and ``proximal`` (it has a sound proximal form for an
        L1 part), or ``least_squares_only``; a rule without effective steps (Rprop, whose step
        does not scale with the gradient) has no proximal form.
        """
        if getattr(driver, "least_squares_only", False) and not self.is_least_squares:
            return f"the {driver.name} driver runs plain least squares only"
        if not self.is_smooth and getattr(driver, "needs_smooth_loss", False):
            return (f"the {self.loss} loss has no Lipschitz derivative, which the "
                    f"{driver.name} driver needs")
        if self.has_l1:
            if not getattr(driver, "proximal", True):
                return (f"the {driver.name} driver has no sound proximal form for the L1 part "
                        f"of penalty {self.penalty!r}")
            if rule.evaluates_ahead:
                return (f"the update rule {rule.name!r} takes its gradient at a look-ahead point, "
                        f"which has no sound proximal form for the L1 part of penalty "
                        f"{self.penalty!r}")
            if not rule.has_effective_steps:
                return (f"the update rule {rule.name!r} has no proximal form for the L1 part of "
                        f"penalty {self.penalty!r} (its step does not scale with the gradient)")
        return None

    def check_method(self, rule, driver, methods: Any = None) -> None:
        """Raise ValueError when ``rule`` under ``driver`` cannot minimise this problem (see
        :meth:`method_problem`), naming those of ``methods`` (a mapping name -> object with
        ``make_rule()`` and ``make_driver()``, e.g. :data:`graddescent.METHODS`) that can; without
        ``methods``, naming the drivers that can (with ``rule``, or with the plain rule when
        the rule is at fault)."""
        reason = self.method_problem(rule, driver)
        if reason is None:
            return
        if methods is not None:
            able = [name for name, m in methods.items()
                    if self.method_problem(m.make_rule(), m.make_driver()) is None]
            hint = f" Methods that handle it: {', '.join(able)}."
        else:
            able = [cls.name for cls in _driver_classes(type(driver))
                    if self.method_problem(rule, cls) is None]
            hint = (f" Drivers that handle it with this rule: {', '.join(able)}." if able else
                    " No driver handles it with this rule; use another rule (e.g. the plain "
                    "rule).")
        raise ValueError(f"This method cannot minimise {self!r}: {reason}.{hint}")

    # --- the reference optimum -------------------------------------------------------------------
    def optimum(self, X: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> np.ndarray:
        r"""The minimiser ``theta* = (b, w)`` of :math:`F` (intercept first; ``b = 0`` without
        the intercept), the reference every method is measured against.

        Least squares with or without the L2 part: exact, by ``numpy.linalg.lstsq`` on the
        weighted design stacked on :math:`\sqrt{l_2} I` (plain least squares:
        :func:`graddescent.objective.least_squares`). Otherwise: accelerated proximal gradient
        (FISTA with restarts: Beck and Teboulle 2009, O'Donoghue and Candes 2015) to a step of
        1e-13, then Newton steps on the loss's quadratic pieces and the L1 part's support and
        signs (the objective is piecewise quadratic there), each kept only when the
        optimality conditions hold to rounding. The epsilon-insensitive loss: the linear
        program of its objective (scipy's HiGHS) when the penalty has no L2 part.
        """
        X, y, _ = _arrays(X, y, None)
        if isinstance(X, S.CSRRows):  # the reference solvers are dense (small problems)
            X = S.as_scipy(X).toarray()
        n, d = X.shape
        w = self.weights(sample_weight, n)
        if self.is_least_squares and w is None:
            return O.least_squares(X, y)
        A = np.column_stack([np.ones(n), X]) if self.fit_intercept else \
            np.column_stack([np.zeros(n), X])
        omega = np.ones(n) if w is None else w
        l1, l2 = self.strengths
        if self.loss_spec.fast is not None and l1 == 0.0:
            return self._ridge(A, y, omega, l2)
        if not self.is_smooth:
            return self._linear_program(A, y, omega, l1, l2)
        theta = self._proximal_gradient(A, y, omega, l1, l2)
        return self._polish(A, y, omega, l1, l2, theta)

    def _ridge(self, A, y, omega, l2):
        n, p = A.shape
        s = np.sqrt(omega / n)
        rows = [s[:, None] * A]
        rhs = [s * y]
        if l2 > 0:
            rows.append(np.sqrt(l2) * np.eye(p)[1:])
            rhs.append(np.zeros(p - 1))
        M = np.vstack(rows)
        if not self.fit_intercept:
            theta = np.zeros(p)
            theta[1:] = np.linalg.lstsq(M[:, 1:], np.concatenate(rhs), rcond=None)[0]
            return theta
        return np.linalg.lstsq(M, np.concatenate(rhs), rcond=None)[0]

    def _smooth_gradient(self, A, y, omega, l2, theta):
        r = A @ theta - y
        g = A.T @ (omega * self.loss_spec.reference_derivative(r, self.epsilon)) / A.shape[0]
        g[1:] += l2 * theta[1:]
        if not self.fit_intercept:
            g[0] = 0.0
        return g

    def _proximal_gradient(self, A, y, omega, l1, l2):
        n, p = A.shape
        lam = np.linalg.eigvalsh((A * omega[:, None]).T @ A / n)[-1]
        step = 1.0 / (self._curvature() * lam + l2)
        theta = np.zeros(p)
        if self.fit_intercept:
            theta[0] = float(np.average(y, weights=omega))
        z, t = theta.copy(), 1.0
        prox = self.penalty_spec.reference_prox
        for _ in range(OPTIMUM_ITERATIONS):
            new = z - step * self._smooth_gradient(A, y, omega, l2, z)
            if prox is not None and l1 > 0:
                new[1:] = prox(new[1:], step * l1)
            change = new - theta
            if float(np.max(np.abs(change))) <= 1e-13 * max(1.0, float(np.max(np.abs(new)))):
                return new
            t_new = 0.5 * (1 + math.sqrt(1 + 4 * t * t))
            if float(change @ (new - z)) > 0:  # restart when the momentum points uphill
                t_new, z = 1.0, new.copy()
            else:
                z = new + ((t - 1) / t_new) * change
            theta, t = new, t_new
        return theta

    def _polish(self, A, y, omega, l1, l2, theta):
        """Newton steps on the current quadratic pieces, support and signs (see optimum)."""
        n, p = A.shape
        spec = self.loss_spec
        start = 0 if self.fit_intercept else 1
        for _ in range(20):
            g = self._smooth_gradient(A, y, omega, l2, theta)
            free = np.ones(p, bool)
            free[:start] = False
            if l1 > 0:
                free[1:] &= theta[1:] != 0
            idx = np.flatnonzero(free)
            if idx.size == 0:
                break
            r = A @ theta - y
            c = omega * spec.reference_curvature(r, self.epsilon) / n
            H = (A[:, idx] * c[:, None]).T @ A[:, idx]
            H[np.diag_indices_from(H)] += np.where(idx > 0, l2, 0.0)
            rhs = g[idx] + np.where(idx > 0, l1 * np.sign(theta[idx]), 0.0)
            try:
                delta = np.linalg.solve(H, rhs)
            except np.linalg.LinAlgError:
                break
            new = theta.copy()
            new[idx] -= delta
            same_pieces = np.array_equal(spec.reference_curvature(A @ new - y, self.epsilon),
                                         spec.reference_curvature(r, self.epsilon))
            same_signs = l1 == 0 or np.array_equal(np.sign(new[idx]), np.sign(theta[idx]))
            if not (same_pieces and same_signs):
                break
            if self._kkt(A, y, omega, l1, l2, new) > self._kkt(A, y, omega, l1, l2, theta):
                break
            done = np.array_equal(new, theta)
            theta = new
            if done:
                break
        return theta

    def _kkt(self, A, y, omega, l1, l2, theta):
        g = self._smooth_gradient(A, y, omega, l2, theta)
        res = g.copy()
        if l1 > 0:
            on = theta[1:] != 0
            res[1:] = np.where(on, g[1:] + l1 * np.sign(theta[1:]),
                               np.maximum(np.abs(g[1:]) - l1, 0.0))
        return float(np.max(np.abs(res)))

    def _linear_program(self, A, y, omega, l1, l2):
        if l2 > 0:
            raise NotImplementedError(f"no exact reference optimum for the {self.loss} loss "
                                      f"with an L2 part (a quadratic program).")
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix, hstack, identity

        n, p = A.shape
        cols = A if self.fit_intercept else A[:, 1:]
        k = cols.shape[1]
        # variables: theta+ (k), theta- (k), slack s (n); |r_i| - eps <= s_i
        cost = np.concatenate([np.zeros(k), np.zeros(k), omega / n])
        pen = np.full(k, l1)
        if self.fit_intercept:
            pen[0] = 0.0
        cost[:k] += pen
        cost[k:2 * k] += pen
        C = csr_matrix(cols)
        eye = identity(n, format="csr")
        A_ub = hstack([hstack([C, -C]), -eye]).tocsr()
        A_ub2 = hstack([hstack([-C, C]), -eye]).tocsr()
        from scipy.sparse import vstack

        res = linprog(cost, A_ub=vstack([A_ub, A_ub2]),
                      b_ub=np.concatenate([y + self.epsilon, self.epsilon - y]),
                      bounds=(0, None), method="highs")
        if not res.success:
            raise RuntimeError(f"the reference linear program failed: {res.message}")
        beta = res.x[:k] - res.x[k:2 * k]
        theta = np.zeros(p)
        theta[p - k:] = beta
        return theta


def _driver_classes(cls: type) -> list[type]:
    """Every concrete driver class: the subclasses (recursively) of ``cls``'s root driver
    class that have a name of their own."""
    root = next(c for c in reversed(cls.__mro__) if hasattr(c, "needs_smooth_loss"))
    found, todo = [], [root]
    while todo:
        c = todo.pop(0)
        todo.extend(c.__subclasses__())
        if c is not root and "name" in vars(c) and c.name not in [f.name for f in found]:
            found.append(c)
    return found


def _rows(X):
    """``X`` as the kernels read it: a CSR record (:mod:`graddescent._sparse`) for sparse input,
    else a float64 C array."""
    if S.is_sparse(X):
        return S.csr_rows(X)
    return np.ascontiguousarray(X, dtype=np.float64)


def _arrays(X, y, theta):
    X = _rows(X)
    y = np.ascontiguousarray(y, dtype=np.float64).reshape(-1)
    if len(X.shape) != 2 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X must be 2-D with one row per value of y; got X of shape "
                         f"{X.shape} and y of {y.shape[0]} values.")
    if theta is not None:
        theta = check_vector("theta", theta, X.shape[1] + 1,
                             expected=f"the intercept and one per column of X "
                                      f"({X.shape[1] + 1})")
    return X, y, theta

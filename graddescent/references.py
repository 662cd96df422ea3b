"""What a user would pick instead: scikit-learn's solvers as budgeted reference fits.

Each reference runs on the same scaled training rows and budget as the methods and returns a
:class:`~graddescent.budget.Trace`, so it joins the same table, CSV and figures:

``sk_sgd_constant``, ``sk_sgd_invscaling``
    :class:`sklearn.linear_model.SGDRegressor` without penalty, a constant step
    (``eta0 = 0.01``) or its default schedule (``invscaling``); one ``partial_fit`` is one epoch,
    the objective recorded after each.
``sk_ridge_sag``, ``sk_ridge_saga``
    :class:`sklearn.linear_model.Ridge` with ``alpha=0`` and ``solver="sag"`` / ``"saga"``
    (``tol=0``), refitted from scratch for increasing ``max_iter`` (epochs); each recording's
    seconds are that fit's (made non-decreasing against timing noise).
``sk_lstsq``
    :class:`sklearn.linear_model.LinearRegression`: ``f*`` itself (no epochs), its time shown.

**With a problem** (:class:`graddescent.problems.Problem`, the objective
``1/n sum_i loss_i + alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)``, intercept unpenalised):
the SGDRegressor rows take the same ``loss``, ``epsilon``, ``penalty``, ``alpha``, ``l1_ratio``
and ``fit_intercept`` (the same scaling of ``alpha``); the Ridge rows run least squares with an
L2 part only, with ``Ridge``'s ``alpha = n * alpha``; ``sk_lstsq`` becomes the exact solver of
the same objective (:func:`exact_solution`). A reference that cannot run the problem is refused
(:func:`reference_refusal`), not run on another objective.

:func:`exact_solution` is the reference optimum ``f*`` of a comparison: least squares exactly
(``numpy.linalg.lstsq``), ``Ridge(solver="cholesky")``, ``Lasso`` / ``ElasticNet`` at
``tol=1e-12``, and :meth:`Problem.optimum <graddescent.problems.Problem.optimum>` for the other
losses (scikit-learn's ``HuberRegressor`` estimates a scale jointly with the coefficients: another
objective than SGDRegressor's ``huber`` loss, so it is not used). On sparse ``X`` (never
densified): the normal equations of ``[1, X]`` from the nonzeros (a ``(d+1) x (d+1)`` matrix)
with iterative refinement, and ``Lasso`` / ``ElasticNet`` on the sparse matrix.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from . import objective as O
from ._sparse import is_sparse
from .budget import GROWTH, Budget, Trace, loss_scale, problem_scale, training_objective

__all__ = ["REFERENCES", "DASK_REFERENCES", "run_reference", "reference_refusal",
           "exact_solution", "dask_normal_equations", "squared_loss", "MAX_SPARSE_GRAM"]

#: The most columns of a sparse ``X`` whose normal equations :func:`exact_solution` forms
#: (wider ones: LSQR on the sparse operator, no Gram matrix).
MAX_SPARSE_GRAM = 5000

#: Reference name -> one line for tables.
REFERENCES = {
    "sk_sgd_constant": "scikit-learn SGDRegressor, no penalty, constant eta0 = 0.01",
    "sk_sgd_invscaling": "scikit-learn SGDRegressor, no penalty, its default invscaling schedule",
    "sk_ridge_sag": "scikit-learn Ridge(alpha=0, solver='sag')",
    "sk_ridge_saga": "scikit-learn Ridge(alpha=0, solver='saga')",
    "sk_lstsq": "scikit-learn LinearRegression (the exact least-squares fit; with a penalty "
                "or another loss, the exact solver of the same objective)",
}


#: The reference of a comparison on Dask data (``chunks``): the exact answer in one round.
DASK_REFERENCES = {
    "dask_normal_equations": "the normal equations of [1, X] accumulated in one pass over the "
                             "Dask chunks (one round), then solved here: least squares (and "
                             "its L2 penalty) exactly",
}


def _chunk_gram(xb, yb):
    """One chunk's ``[1, X]^T [1, X]`` and ``[1, X]^T y``."""
    A = np.column_stack([np.ones(xb.shape[0]), np.asarray(xb, dtype=np.float64)])
    return A.T @ A, A.T @ np.asarray(yb, dtype=np.float64)


def _sum_grams(*parts):
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def dask_normal_equations(X: np.ndarray, y: np.ndarray, chunks: int, problem=None,
                          seed: int = 0) -> Trace:
    """The exact least-squares (or ridge) answer on data held by Dask in ``chunks`` chunks:
    one ``dask.compute`` (one round) sums each chunk's ``[1, X]^T [1, X]`` and ``[1, X]^T y``,
    then a ``(d + 1)``-square solve here (least-norm when singular). Its trace: one recording
    at round 1 (NaN epochs), the seconds of the pass and the solve (the data's transfer to Dask
    excluded, as for the methods)."""
    import dask
    import dask.array as da

    why = reference_refusal("dask_normal_equations", problem)
    if why:
        raise ValueError(why)
    n, d = X.shape
    rows = tuple(len(part) for part in np.array_split(np.arange(n), int(chunks)))
    Xd, yd = dask.persist(da.from_array(np.asarray(X), chunks=(rows, d)),
                          da.from_array(np.asarray(y), chunks=(rows,)))
    blocks = list(zip(Xd.to_delayed().ravel(), yd.to_delayed().ravel(), strict=True))
    start = time.perf_counter()
    parts = [dask.delayed(_chunk_gram)(xb, yb) for xb, yb in blocks]
    ((G, b),) = dask.compute(dask.delayed(_sum_grams)(*parts))
    l2 = 0.0 if problem is None else problem.strengths[1]
    intercept = problem is None or problem.fit_intercept
    G, b = G / n, b / n
    G[np.arange(1, d + 1), np.arange(1, d + 1)] += l2
    free = slice(0 if intercept else 1, d + 1)
    theta = np.zeros(d + 1)
    theta[free] = np.linalg.lstsq(G[free, free], b[free], rcond=None)[0]
    took = time.perf_counter() - start
    return Trace(np.array([math.nan]), np.array([took]),
                 np.array([training_objective(X, y, problem)(theta)]), theta, "ok", math.nan,
                 "normal equations on Dask (1 round)", scale=problem_scale(y, problem),
                 rounds=np.array([1.0]))


def squared_loss(problem) -> bool:
    """Whether ``problem`` (None: least squares) has the squared loss: the loss whose
    least-squares kernels the engine has (its spec's ``fast``), the one scikit-learn's
    ``Ridge``, ``Lasso`` and ``ElasticNet`` minimise."""
    return problem is None or problem.loss_spec.fast is not None


def _least_squares_only(problem) -> bool:
    return problem is None or problem.is_least_squares


def reference_refusal(name: str, problem=None, sparse: bool = False) -> str:
    """Why the reference ``name`` cannot run ``problem`` (on sparse data with ``sparse``), or
    ``""`` when it can."""
    if name in DASK_REFERENCES:
        if not squared_loss(problem) or (problem is not None and problem.strengths[0] > 0):
            return ("the normal equations solve least squares and its L2 penalty only, not the "
                    f"{problem.loss} loss with penalty {problem.penalty!r}")
        return "the normal equations here read dense rows" if sparse else ""
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; expected one of {', '.join(REFERENCES)}.")
    if name.startswith("sk_ridge") and problem is not None and (
            not squared_loss(problem) or problem.strengths[0] > 0):
        return (f"Ridge(solver={name[9:]!r}) minimises least squares with an L2 penalty only, "
                f"not the {problem.loss} loss with penalty {problem.penalty!r}")
    if name == "sk_ridge_saga" and sparse and (problem is None or problem.fit_intercept):
        return "Ridge(solver='saga') fits no intercept on sparse data"
    return ""


def _normal_equations(X, y, l2: float, fit_intercept: bool) -> np.ndarray:
    """Least squares (+ ``l2 / 2 ||w||^2``) on a sparse ``X`` from the Gram matrix of
    ``[1, X]`` built from the nonzeros, refined on exact residuals."""
    import scipy.sparse as sp

    X = sp.csr_matrix(X)
    n, d = X.shape
    if d > MAX_SPARSE_GRAM:
        return _lsqr(X, y, l2, fit_intercept)
    G = np.empty((d + 1, d + 1))
    G[1:, 1:] = (X.T @ X).toarray() / n
    G[0, 1:] = G[1:, 0] = np.asarray(X.sum(axis=0)).ravel() / n
    G[0, 0] = 1.0
    G[np.arange(1, d + 1), np.arange(1, d + 1)] += l2

    def gradient(theta):
        r = X @ theta[1:] + theta[0] - y
        g = np.concatenate([[r.sum() if fit_intercept else 0.0], X.T @ r]) / n
        g[1:] += l2 * theta[1:]
        return g

    import scipy.linalg

    free = slice(0 if fit_intercept else 1, d + 1)
    try:  # positive definite (full column rank, or an L2 part): one Cholesky factorisation
        factor = scipy.linalg.cho_factor(G[free, free])

        def solve(g):
            return scipy.linalg.cho_solve(factor, g)
    except np.linalg.LinAlgError:  # collinear columns (one-hot blocks): the least-norm step
        pinv = np.linalg.pinv(G[free, free], hermitian=True)

        def solve(g):
            return pinv @ g
    theta = np.zeros(d + 1)
    for _ in range(3):  # iterative refinement: each step solves for the exact residual's part
        theta[free] -= solve(gradient(theta)[free])
    return theta


def _lsqr(X, y, l2: float, fit_intercept: bool) -> np.ndarray:
    """Least squares (+ ``l2 / 2 ||w||^2``) on a sparse ``X`` too wide for its Gram matrix:
    LSQR (Paige and Saunders 1982) on the operator ``[1, X]`` stacked over ``sqrt(n l2) [0, I]``
    (the intercept unpenalised), to its tolerances' floor (``atol = btol = 1e-15``): products
    with ``X`` and ``X^T`` only, from the nonzeros. From zero, on collinear columns it reaches
    the least-norm solution, as the normal equations' pseudo-inverse does."""
    from scipy.sparse.linalg import LinearOperator, lsqr

    n, d = X.shape
    lead = 1.0 if fit_intercept else 0.0
    damp = math.sqrt(n * l2)
    extra = d if damp > 0 else 0

    def matvec(theta):
        theta = np.ravel(theta)
        top = X @ theta[1:] + lead * theta[0]
        return np.concatenate([top, damp * theta[1:]]) if extra else top

    def rmatvec(r):
        r = np.ravel(r)
        out = np.empty(d + 1)
        out[0] = lead * r[:n].sum()
        out[1:] = X.T @ r[:n]
        if extra:
            out[1:] += damp * r[n:]
        return out

    A = LinearOperator((n + extra, d + 1), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    b = np.concatenate([np.asarray(y, dtype=np.float64), np.zeros(extra)])
    return lsqr(A, b, atol=1e-15, btol=1e-15, iter_lim=100 * (d + 1))[0]


def exact_solution(problem, X, y) -> tuple[np.ndarray, str]:
    """``(theta*, solver)``: the minimiser of ``problem`` (None: least squares) on ``(X, y)``,
    intercept first, and the solver that found it (see the module documentation)."""
    from .problems import Problem

    pb = problem or Problem()
    n = X.shape[0]
    l1, l2 = pb.strengths
    if squared_loss(pb) and l1 == 0:
        if is_sparse(X):
            solver = ("normal equations" if X.shape[1] <= MAX_SPARSE_GRAM
                      else "LSQR on the sparse operator")
            return _normal_equations(X, y, l2, pb.fit_intercept), solver
        if _least_squares_only(problem):
            return O.least_squares(X, y), "least squares (numpy.linalg.lstsq)"
        from sklearn.linear_model import Ridge

        model = Ridge(alpha=n * l2, solver="cholesky", fit_intercept=pb.fit_intercept).fit(X, y)
        return _theta(model), f"Ridge(alpha={n * l2:.6g}, solver='cholesky')"
    if squared_loss(pb):
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import ElasticNet, Lasso

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if l2 == 0:
                model = Lasso(alpha=l1, fit_intercept=pb.fit_intercept, tol=1e-12,
                              max_iter=1_000_000).fit(X, y)
                return _theta(model), f"Lasso(alpha={l1:.6g}, tol=1e-12)"
            ratio = l1 / (l1 + l2)
            model = ElasticNet(alpha=l1 + l2, l1_ratio=ratio, fit_intercept=pb.fit_intercept,
                               tol=1e-12, max_iter=1_000_000).fit(X, y)
            return _theta(model), (f"ElasticNet(alpha={l1 + l2:.6g}, l1_ratio={ratio:.6g}, "
                                   f"tol=1e-12)")
    if is_sparse(X) and n * X.shape[1] > 5_000_000:
        raise ValueError(f"no exact reference for the {pb.loss} loss on a sparse X this large "
                         f"({n} x {X.shape[1]}): use the squared_error loss.")
    return pb.optimum(X, y), "Problem.optimum"


def _theta(model) -> np.ndarray:
    return np.concatenate([[float(np.ravel(model.intercept_)[0])], np.ravel(model.coef_)])


def _sgd(X, y, seed, budget, schedule, problem):
    from sklearn.linear_model import SGDRegressor

    same = {} if problem is None else dict(
        loss=problem.loss, epsilon=problem.epsilon, penalty=problem.penalty,
        alpha=problem.alpha, l1_ratio=problem.l1_ratio, fit_intercept=problem.fit_intercept)
    model = SGDRegressor(**{"penalty": None, **same}, learning_rate=schedule,
                         random_state=seed)
    objective = training_objective(X, y, problem)
    epochs, seconds, values = [0.0], [0.0], [objective(np.zeros(X.shape[1] + 1))]
    elapsed = 0.0
    while True:
        start = time.perf_counter()
        model.partial_fit(X, y)
        elapsed += time.perf_counter() - start
        theta = _theta(model)
        epochs.append(epochs[-1] + 1.0)
        seconds.append(elapsed)
        values.append(objective(theta))
        # diverged as the methods' runs are judged: overflowed, or GROWTH times its start
        if not math.isfinite(values[-1]) or values[-1] > GROWTH * values[0]:
            return epochs, seconds, values, theta, "diverged", float(model.eta0)
        if ((budget.epochs is not None and epochs[-1] >= budget.epochs)
                or (budget.seconds is not None and elapsed >= budget.seconds)):
            return epochs, seconds, values, theta, "budget reached", float(model.eta0)


def _ridge(X, y, seed, budget, solver, problem):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Ridge

    objective = training_objective(X, y, problem)
    alpha = 0.0 if problem is None else X.shape[0] * problem.strengths[1]
    intercept = True if problem is None else problem.fit_intercept
    if budget.epochs is not None:
        stops = np.unique(np.round(np.geomspace(1, max(budget.epochs, 1),
                                                min(30, budget.n_points))).astype(int))
    else:
        stops = 2 ** np.arange(40)
    epochs, seconds, values = [0.0], [0.0], [objective(np.zeros(X.shape[1] + 1))]
    theta = np.zeros(X.shape[1] + 1)
    for k in stops:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = Ridge(alpha=alpha, solver=solver, max_iter=int(k), tol=0.0,
                          fit_intercept=intercept, random_state=seed).fit(X, y)
        took = time.perf_counter() - start
        theta = _theta(model)
        # (on sparse data with an intercept, sag reports no n_iter_: tol=0 runs every epoch)
        epochs.append(float(k if model.n_iter_ is None else np.ravel(model.n_iter_)[0]))
        seconds.append(took)
        values.append(objective(theta))
        if budget.seconds is not None and took >= budget.seconds:
            break
    # each recording is a separate fit: its seconds, made non-decreasing (timing noise aside,
    # more epochs never take less time)
    return (epochs, list(np.maximum.accumulate(seconds)), values, theta, "budget reached",
            math.nan)


def run_reference(name: str, X, y: np.ndarray, seed: int, budget: Budget,
                  problem=None) -> Trace:
    """Run the reference ``name`` of :data:`REFERENCES` on scaled training rows within
    ``budget``, minimising ``problem`` (None: least squares; see the module documentation).

    Returns
    -------
    Trace
        ``learning_rate`` is SGDRegressor's ``eta0`` (NaN for the others); the exact
        solution's trace holds one recording at NaN epochs, its solver in ``message``.

    Raises
    ------
    ValueError
        For an unknown name, or a reference that cannot run ``problem``
        (:func:`reference_refusal`).
    """
    why = reference_refusal(name, problem, is_sparse(X))
    if why:
        raise ValueError(why)
    scale = loss_scale(y) if problem is None else problem_scale(y, problem)
    if name == "sk_lstsq":
        start = time.perf_counter()
        if _least_squares_only(problem) and not is_sparse(X):
            from sklearn.linear_model import LinearRegression

            theta, solver = _theta(LinearRegression().fit(X, y)), ""
        else:
            theta, solver = exact_solution(problem, X, y)
        took = time.perf_counter() - start
        return Trace(np.array([math.nan]), np.array([took]),
                     np.array([training_objective(X, y, problem)(theta)]), theta, "ok",
                     math.nan, solver, scale=scale)
    run = _sgd if name.startswith("sk_sgd") else _ridge
    option = {"sk_sgd_constant": "constant", "sk_sgd_invscaling": "invscaling",
              "sk_ridge_sag": "sag", "sk_ridge_saga": "saga"}[name]
    epochs, seconds, values, theta, status, lr = run(X, y, seed, budget, option, problem)
    return Trace(np.array(epochs), np.array(seconds), np.array(values), theta, status, lr,
                 scale=scale)

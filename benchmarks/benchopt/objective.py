r"""benchopt objective: least squares, ridge or lasso with an intercept, graddescent's scaling.

The value is graddescent's objective (:class:`graddescent.problems.Problem`, scikit-learn's
scaling)

.. math:: F(b, w) = \frac{1}{2n} \|y - b - X w\|^2 + \alpha \left(\rho \|w\|_1
          + \frac{1 - \rho}{2} \|w\|^2\right),

the result of a solver being ``theta`` with the intercept first. The penalties follow benchopt's
own benchmarks (``benchmark_ridge`` and ``benchmark_lasso``), whose objectives are ``n`` times
ours:

- **lasso** (``benchmark_lasso``): ``1/2 ||y - b - X w||^2 + lambda ||w||_1`` with
  ``lambda = reg * lambda_max`` and ``lambda_max = ||X^T (y - mean(y))||_inf`` (with the
  intercept: the smallest ``lambda`` whose solution is ``w = 0``), so **alpha = reg *
  lambda_max / n** here (``Lasso(alpha)`` in scikit-learn), ``reg`` in {0.5, 0.1, 0.01};
- **ridge** (``benchmark_ridge``): ``1/2 ||y - b - X w||^2 + lambda/2 ||w||^2`` with ``lambda``
  given directly (that benchmark has no ``lambda_max``: every ``lambda`` leaves ``w`` nonzero),
  in {0.5, 0.1, 0.01}, so **alpha = lambda / n** here (``Ridge(alpha=lambda)`` in
  scikit-learn);
- **least_squares**: no penalty (``reg`` unused, 0).

``X`` may be a ``scipy.sparse`` matrix: the objective and its reference minimum ``f*``
(:func:`graddescent.references.exact_solution`: least squares and ridge by the normal
equations from the nonzeros, the lasso by scikit-learn's ``Lasso`` at ``tol=1e-12``) read the
nonzeros, never a dense copy.
"""

from benchopt import BaseObjective, safe_import_context

with safe_import_context() as import_ctx:
    import numpy as np

    from graddescent._sparse import is_sparse
    from graddescent._validation import check_vector, engine_arrays
    from graddescent.budget import problem_scale, relative_suboptimality, training_objective
    from graddescent.problems import Problem
    from graddescent.references import exact_solution

#: The penalties: benchopt's convention -> the Problem's penalty.
PENALTIES = {"least_squares": None, "ridge": "l2", "lasso": "l1"}


def penalty_strength(kind: str, reg: float, X, y) -> float:
    """graddescent's (scikit-learn's) ``alpha`` of benchopt's ``kind`` at ``reg`` (see the
    module documentation)."""
    n = X.shape[0]
    if kind == "lasso":
        return float(reg) * float(np.max(np.abs(X.T @ (y - y.mean())))) / n
    if kind == "ridge":
        return float(reg) / n
    return 0.0


class Objective(BaseObjective):
    name = "Least squares, ridge and lasso with intercept"
    url = "https://github.com/benchopt/benchmark_lasso"  # the conventions followed
    min_benchopt_version = "1.5"
    requirements = ["pip:graddescent"]
    parameters = {"penalty, reg": [("least_squares", 0.0),
                                   ("ridge", 0.5), ("ridge", 0.1), ("ridge", 0.01),
                                   ("lasso", 0.5), ("lasso", 0.1), ("lasso", 0.01)]}

    def set_data(self, X, y):
        # made without parameters (outside a benchopt run): least squares. (No class-level
        # defaults: benchopt sets a parameter only where the attribute does not exist yet.)
        self.penalty = getattr(self, "penalty", "least_squares")
        self.reg = getattr(self, "reg", 0.0)
        if self.penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {', '.join(PENALTIES)}, got "
                             f"{self.penalty!r}.")
        if is_sparse(X):
            import scipy.sparse as sp

            self.X, self.y = sp.csr_matrix(X), np.asarray(y, dtype=np.float64).reshape(-1)
        else:
            # every shape is checked here, and theta's length in evaluate_result
            X, y = np.asarray(X), np.asarray(y)
            self.X, self.y = engine_arrays(X, y, (X.shape[1] if X.ndim == 2 else 0) + 1)
        kind = PENALTIES[self.penalty]
        alpha = penalty_strength(self.penalty, self.reg, self.X, self.y)
        self.problem = None if kind is None else Problem(penalty=kind, alpha=alpha)
        self.value = training_objective(self.X, self.y, self.problem)
        self.scale = problem_scale(self.y, self.problem)
        self.f_star = float(self.value(exact_solution(self.problem, self.X, self.y)[0]))

    def get_objective(self):
        return dict(X=self.X, y=self.y, problem=self.problem)

    def evaluate_result(self, theta):
        d = self.X.shape[1]
        theta = check_vector("theta", theta, d + 1,
                             expected=f"expected {d + 1} (the intercept, then one per feature)")
        f = float(self.value(theta))
        gap = max(f - self.f_star, 0.0)
        return dict(value=f, suboptimality=gap,
                    relative_suboptimality=float(relative_suboptimality(f, self.f_star,
                                                                        self.scale)),
                    support_size=int(np.count_nonzero(theta[1:])))

    def get_one_result(self):
        return dict(theta=np.zeros(self.X.shape[1] + 1))

"""benchopt objective: least squares with an intercept, graddescent's training objective.

``f(theta) = ||y - theta_0 - X theta_{1:}||^2 / (2 n)`` (:func:`graddescent.objective.objective`),
the result of a solver being ``theta`` with the intercept first. Laid out as benchopt's ridge
benchmark is (objective, ``datasets/``, ``solvers/``), without the penalty.
"""

from benchopt import BaseObjective, safe_import_context

with safe_import_context() as import_ctx:
    import numpy as np

    from graddescent import objective as O
    from graddescent._validation import check_vector, engine_arrays
    from graddescent.budget import loss_scale, relative_suboptimality


class Objective(BaseObjective):
    name = "Least squares with intercept"
    url = "https://github.com/benchopt/benchmark_ridge"  # the layout this one follows
    min_benchopt_version = "1.5"
    requirements = ["pip:graddescent"]

    def set_data(self, X, y):
        # the compiled objective reads X, y and theta without checks: every shape is checked
        # here, and theta's length in evaluate_result, before it runs
        X, y = np.asarray(X), np.asarray(y)
        self.X, self.y = engine_arrays(X, y, (X.shape[1] if X.ndim == 2 else 0) + 1)
        self.scale = loss_scale(self.y)
        self.f_star = float(O.objective(self.X, self.y, O.least_squares(self.X, self.y)))

    def get_objective(self):
        return dict(X=self.X, y=self.y)

    def evaluate_result(self, theta):
        d = self.X.shape[1]
        theta = check_vector("theta", theta, d + 1,
                             expected=f"expected {d + 1} (the intercept, then one per feature)")
        f = float(O.objective(self.X, self.y, theta))
        gap = max(f - self.f_star, 0.0)
        return dict(value=f, suboptimality=gap,
                    relative_suboptimality=float(relative_suboptimality(f, self.f_star,
                                                                        self.scale)))

    def get_one_result(self):
        return dict(theta=np.zeros(self.X.shape[1] + 1))

"""benchopt objective: least squares with an intercept, graddescent's training objective.

``f(theta) = ||y - theta_0 - X theta_{1:}||^2 / (2 n)`` (:func:`graddescent.objective.objective`),
the result of a solver being ``theta`` with the intercept first. Laid out as benchopt's ridge
benchmark is (objective, ``datasets/``, ``solvers/``), without the penalty.
"""

from benchopt import BaseObjective, safe_import_context

with safe_import_context() as import_ctx:
    import numpy as np

    from graddescent import objective as O


class Objective(BaseObjective):
    name = "Least squares with intercept"
    url = "https://github.com/benchopt/benchmark_ridge"  # the layout this one follows
    min_benchopt_version = "1.5"
    requirements = ["pip:graddescent"]

    def set_data(self, X, y):
        self.X, self.y = np.ascontiguousarray(X, dtype=float), np.asarray(y, dtype=float)
        self.f_star = float(O.objective(self.X, self.y, O.least_squares(self.X, self.y)))

    def get_objective(self):
        return dict(X=self.X, y=self.y)

    def evaluate_result(self, theta):
        f = float(O.objective(self.X, self.y, np.asarray(theta, dtype=float)))
        gap = max(f - self.f_star, 0.0)
        return dict(value=f, suboptimality=gap,
                    relative_suboptimality=gap / self.f_star if self.f_star > 0 else gap)

    def get_one_result(self):
        return dict(theta=np.zeros(self.X.shape[1] + 1))

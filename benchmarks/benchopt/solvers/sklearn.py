"""scikit-learn's solvers of the same problem, for ``n_iter`` epochs: ``SGDRegressor`` with the
problem's penalty and ``alpha`` (``sgd_constant``: constant ``eta0 = 0.01``; ``sgd_invscaling``:
its default schedule), ``Ridge`` with the ``sag`` and ``saga`` solvers (``alpha = n *
alpha``, ``tol=0``; least squares and ridge only) and ``Lasso`` (coordinate descent,
``tol=0``; the lasso only)."""

from benchopt import BaseSolver, safe_import_context

with safe_import_context() as import_ctx:
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso, Ridge, SGDRegressor


def _model(estimator, n_iter, problem, n):
    penalty = None if problem is None else problem.penalty
    alpha = 0.0 if problem is None else problem.alpha
    if estimator.startswith("sgd_"):
        return SGDRegressor(penalty=penalty, alpha=alpha if penalty else 0.0001,
                            learning_rate=estimator[4:], max_iter=n_iter, tol=None,
                            random_state=1)
    if estimator == "lasso_cd":
        return Lasso(alpha=alpha, max_iter=n_iter, tol=0.0)
    return Ridge(alpha=n * alpha, solver=estimator[6:], max_iter=n_iter, tol=0.0,
                 random_state=1)


class Solver(BaseSolver):
    name = "sklearn"
    parameters = {"estimator": ["sgd_constant", "sgd_invscaling", "ridge_sag", "ridge_saga",
                                "lasso_cd"]}
    sampling_strategy = "iteration"
    requirements = ["scikit-learn"]

    def skip(self, X, y, problem=None):
        l1 = problem is not None and problem.penalty == "l1"
        if self.estimator.startswith("ridge_") and l1:
            return True, "Ridge has no L1 part"
        if self.estimator == "lasso_cd" and not l1:
            return True, "Lasso is for the lasso objective"
        if self.estimator == "ridge_saga" and hasattr(X, "tocsr"):
            return True, "Ridge's saga fits no intercept on sparse data"
        return False, None

    def set_objective(self, X, y, problem=None):
        self.X, self.y, self.problem = X, y, problem

    def run(self, n_iter):
        self.theta = np.zeros(self.X.shape[1] + 1)
        if n_iter == 0:
            return
        model = _model(self.estimator, n_iter, self.problem, self.X.shape[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.X, self.y)
        self.theta = np.concatenate([np.ravel(model.intercept_), np.ravel(model.coef_)])

    def get_result(self):
        return dict(theta=self.theta)

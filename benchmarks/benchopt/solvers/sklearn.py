"""scikit-learn's least-squares solvers, for ``n_iter`` epochs: ``SGDRegressor`` without penalty
(``sgd_constant``: constant ``eta0 = 0.01``; ``sgd_invscaling``: its default schedule) and
``Ridge(alpha=0)`` with the ``sag`` and ``saga`` solvers (``tol=0``)."""

from benchopt import BaseSolver, safe_import_context

with safe_import_context() as import_ctx:
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Ridge, SGDRegressor


def _model(estimator, n_iter):
    if estimator.startswith("sgd_"):
        return SGDRegressor(penalty=None, learning_rate=estimator[4:], max_iter=n_iter,
                            tol=None, random_state=1)
    return Ridge(alpha=0.0, solver=estimator[6:], max_iter=n_iter, tol=0.0, random_state=1)


class Solver(BaseSolver):
    name = "sklearn"
    parameters = {"estimator": ["sgd_constant", "sgd_invscaling", "ridge_sag", "ridge_saga"]}
    sampling_strategy = "iteration"
    requirements = ["scikit-learn"]

    def set_objective(self, X, y):
        self.X, self.y = X, y

    def run(self, n_iter):
        self.theta = np.zeros(self.X.shape[1] + 1)
        if n_iter == 0:
            return
        model = _model(self.estimator, n_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.X, self.y)
        self.theta = np.concatenate([np.ravel(model.intercept_), model.coef_])

    def get_result(self):
        return dict(theta=self.theta)

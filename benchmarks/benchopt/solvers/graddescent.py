"""Every graddescent method, R's defaults and starting point, run for ``n_iter`` epochs.

``learning_rate="inverse_L"`` (default) steps ``1 / L`` with ``L`` the smoothness constant of the
method's gradient estimate (``Driver.smoothness``: ``L_max = max_i (1 + ||x_i||^2)`` for single
rows and the variance-reduced drivers, the full-gradient constant for full batches), the step
their analyses use; ``"r"`` keeps R's ``alpha = 0.1``, which diverges on ill-conditioned data.
An epoch is ``n`` row-gradient evaluations (:mod:`graddescent.budget`); the numba kernels are
compiled (or loaded from numba's cache) in ``warm_up``, outside the timings.
"""

from benchopt import BaseSolver, safe_import_context

with safe_import_context() as import_ctx:
    from graddescent import METHODS
    from graddescent._registry import get_method
    from graddescent.budget import Budget, run_budgeted
    from graddescent.r_api import initial_theta

#: The learning rates this solver knows.
LEARNING_RATES = ("inverse_L", "r")


class Solver(BaseSolver):
    name = "graddescent"
    parameters = {"method": list(METHODS), "learning_rate": list(LEARNING_RATES)}
    sampling_strategy = "iteration"
    requirements = ["pip:graddescent"]

    def set_objective(self, X, y):
        # unknown settings are refused by name (not a KeyError; never R's rate in silence)
        self.method = get_method(self.method).name
        if self.learning_rate not in LEARNING_RATES:
            raise ValueError(f"learning_rate must be one of {', '.join(LEARNING_RATES)} "
                             f"('inverse_L': 1 / L; 'r': R's alpha = 0.1), got "
                             f"{self.learning_rate!r}.")
        self.X, self.y = X, y
        self.theta = initial_theta(X.shape[1] + 1, 1)
        self.lr = (1.0 / METHODS[self.method].make_driver().smoothness(X)
                   if self.learning_rate == "inverse_L" else None)

    def warm_up(self):
        run_budgeted(self.method, self.X[:20], self.y[:20], 1, Budget(epochs=3.0, n_points=4))

    def run(self, n_iter):
        if n_iter == 0:
            self.theta = initial_theta(self.X.shape[1] + 1, 1)
            return
        trace = run_budgeted(self.method, self.X, self.y, 1, Budget(epochs=n_iter, n_points=1),
                             learning_rate=self.lr)
        self.theta = trace.theta

    def get_result(self):
        return dict(theta=self.theta)

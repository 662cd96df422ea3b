"""A simulated ill-conditioned regression: features correlated at ``rho`` (Toeplitz)."""

from benchopt import BaseDataset, safe_import_context

with safe_import_context() as import_ctx:
    import numpy as np


class Dataset(BaseDataset):
    name = "simulated"
    parameters = {"n_samples": [1000], "n_features": [20], "rho": [0.95], "seed": [0]}

    def get_data(self):
        rng = np.random.default_rng(self.seed)
        d = self.n_features
        cov = self.rho ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
        X = rng.standard_normal((self.n_samples, d)) @ np.linalg.cholesky(cov).T
        y = 1.0 + X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(self.n_samples)
        return dict(X=X, y=(y - y.mean()) / y.std())

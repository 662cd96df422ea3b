"""Sparse data sets as CSR matrices (never densified): the 2013 New York flights
(``graddescent.datasets.load_flights``, each column divided by its largest magnitude, the delay
standardised; needs graddescent[data]) and a generated problem
(``graddescent.datasets.make_sparse_regression``)."""

from benchopt import BaseDataset, safe_import_context

with safe_import_context() as import_ctx:
    from sklearn.preprocessing import MaxAbsScaler

    from graddescent.datasets import load_flights, make_sparse_regression


class Dataset(BaseDataset):
    name = "sparse"
    parameters = {"data": ["generated", "flights"], "n_samples": [20_000],
                  "n_features": [2_000]}
    requirements = ["pip:graddescent"]

    def get_data(self):
        if self.data == "flights":
            X, y = load_flights(sparse=True)
            X = MaxAbsScaler().fit_transform(X).tocsr()
        elif self.data == "generated":
            X, y = make_sparse_regression(self.n_samples, self.n_features, 10)
        else:
            raise ValueError(f"data must be 'generated' or 'flights', got {self.data!r}.")
        return dict(X=X, y=(y - y.mean()) / y.std())

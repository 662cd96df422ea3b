"""graddescent's built-in data sets, inputs and output standardised (as ``compare`` scales)."""

from benchopt import BaseDataset, safe_import_context

with safe_import_context() as import_ctx:
    from graddescent.datasets import DATASETS


class Dataset(BaseDataset):
    name = "builtin"
    parameters = {"data": ["diabetes", "mackey_glass", "compressibility_factor"]}
    requirements = ["pip:graddescent"]

    def get_data(self):
        data = DATASETS[self.data]().to_numpy(dtype=float)
        data = (data - data.mean(axis=0)) / data.std(axis=0)
        return dict(X=data[:, :-1], y=data[:, -1])

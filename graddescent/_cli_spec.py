"""The plain data the command line's parser is built from (no import beyond the standard
library), so that ``graddescent --help`` and usage errors load neither numba nor pandas.

Each value is a copy of a registry's or module's own (named beside it); the tests check that
they agree (``tests/test_cli_lazy.py``).
"""

from __future__ import annotations

__all__ = ["METHODS", "ALPHA", "SCALINGS", "STYLES", "DEFAULT_MAX_ITER", "DEFAULT_N_SEEDS",
           "MAX_SEEDS", "TRAIN_FRACTION", "DATASETS", "SPARSE_DATASETS", "MAX_ITERATIONS", "LOSSES",
           "PENALTIES", "PROBLEM_DEFAULTS", "method_name"]

#: ``(name, R name or None)`` of every method, in the registry's order
#: (:data:`graddescent.METHODS`).
METHODS = (("gd", "GD"), ("mbgd", "MBGD"), ("sgd", "SGD"), ("sagd", "SAGD"), ("mgd", "MGD"),
           ("agd", "AGD"), ("adagrad", "ADAGRAD"), ("adadelta", "ADADELTA"),
           ("rmsprop", "RMSPROP"), ("adam", "ADAM"), ("ssgd", "SSGD"), ("svrg", "SVRG"),
           ("sarah", "SARAH"), ("sarahplus", "SARAHPlus"), ("saga", None), ("amsgrad", None),
           ("rprop", None), ("adamax", None), ("nadam", None))
#: R's default learning rate (``graddescent._registry.control_defaults()["alpha"]``).
ALPHA = 0.1
#: :data:`graddescent.compare.SCALINGS`'s keys.
SCALINGS = ("variance", "minmax", "none")
#: :data:`graddescent.compare.STYLES`.
STYLES = ("r", "estimator")
#: :data:`graddescent.compare.DEFAULT_MAX_ITER`.
DEFAULT_MAX_ITER = 1000
#: :data:`graddescent.compare.DEFAULT_N_SEEDS`.
DEFAULT_N_SEEDS = 5
#: :data:`graddescent.compare.MAX_SEEDS`.
MAX_SEEDS = 10_000
#: ``graddescent.compare.CompareSettings.train_fraction``.
TRAIN_FRACTION = 0.8
#: The built-in data sets' names (:data:`graddescent.datasets.DATASETS`).
DATASETS = ("compressibility_factor", "mackey_glass", "diabetes")
#: :data:`graddescent.compare.SPARSE_DATASETS`'s keys.
SPARSE_DATASETS = ("flights", "sparse_synthetic")
#: :data:`graddescent._validation.MAX_ITERATIONS`.
MAX_ITERATIONS = 10**7
#: The losses' names (:data:`graddescent.problems.LOSSES`).
LOSSES = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")
#: ``(label, name)`` of every penalty (:data:`graddescent.problems.PENALTIES`: ``--penalty``
#: takes the label, ``none`` for None).
PENALTIES = (("none", None), ("l2", "l2"), ("l1", "l1"), ("elasticnet", "elasticnet"))
#: The defaults of :class:`graddescent.problems.Problem`'s ``epsilon``, ``alpha`` and
#: ``l1_ratio``.
PROBLEM_DEFAULTS = {"epsilon": 0.1, "alpha": 0.0001, "l1_ratio": 0.15}


def method_name(name: str) -> str:
    """The method's name for its lower-case or R name, as
    :func:`graddescent._registry.get_method` finds it; unknown names raise a ValueError with
    its message."""
    if not isinstance(name, str):
        raise TypeError(f"A method name must be a string such as 'gd' or 'GD', got "
                        f"{type(name).__name__} {name!r}.")
    names = {m: m for m, _ in METHODS} | {r: m for m, r in METHODS if r}
    found = names.get(name) or names.get(name.lower())
    if found is None or found not in dict(METHODS):
        known = ", ".join(r or m for m, r in METHODS)
        raise ValueError(f"Unknown learning method {name!r}. Known methods: {known}.")
    return found

"""graddescent: gradient-descent methods for linear regression.

A port of the R package gradDescent 3.0 with every algorithm as its paper defines it: the
R-style workflow (``split_data``, ``variance_scaling``, the 14 learners ``GD`` ... ``SARAHPlus``,
``learn``, ``predict``, ``rmse``), the update rules (:mod:`graddescent.rules`) and drivers
(:mod:`graddescent.drivers`) they are made of, and a scikit-learn estimator (``GDRegressor``).
"""

__version__ = "0.1.0"

__all__ = [
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM", "SSGD",
    "SVRG", "SARAH", "SARAHPlus", "learn", "predict", "prediction", "GradDescentModel",
    "split_data", "variance_scaling", "variance_descaling", "minmax_scaling", "minmax_descaling",
    "rmse", "rules", "drivers", "METHODS", "DivergenceError", "GDRegressor", "__version__",
]


# Every name is imported on first use (PEP 562): ``import graddescent`` and the command line's
# ``--help`` and usage errors load neither numba nor pandas (the command imports what it runs).
_HOME = {
    **{name: "r_api" for name in ("GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD",
                                  "ADADELTA", "RMSPROP", "ADAM", "SSGD", "SVRG", "SARAH",
                                  "SARAHPlus", "learn", "predict", "prediction",
                                  "GradDescentModel")},
    **{name: "preprocessing" for name in ("split_data", "variance_scaling",
                                          "variance_descaling", "minmax_scaling",
                                          "minmax_descaling")},
    "rmse": "metrics", "METHODS": "_registry", "DivergenceError": "drivers",
    "GDRegressor": "estimator",
}


def __getattr__(name: str):
    import importlib

    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    elif name in ("rules", "drivers"):
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'graddescent' has no attribute {name!r}")
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""graddescent: gradient-descent methods for linear regression.

A port of the R package gradDescent 3.0 with every algorithm as its paper defines it: the
R-style workflow (``split_data``, ``variance_scaling``, the 14 learners ``GD`` ... ``SARAHPlus``,
``learn``, ``predict``, ``rmse``), the update rules (:mod:`graddescent.rules`) and drivers
(:mod:`graddescent.drivers`) they are made of, and a scikit-learn estimator (``GDRegressor``).
"""

from . import drivers, rules
from ._registry import METHODS
from .drivers import DivergenceError
from .metrics import rmse
from .preprocessing import (
    minmax_descaling,
    minmax_scaling,
    split_data,
    variance_descaling,
    variance_scaling,
)
from .r_api import (
    ADADELTA,
    ADAGRAD,
    ADAM,
    AGD,
    GD,
    MBGD,
    MGD,
    RMSPROP,
    SAGD,
    SARAH,
    SGD,
    SSGD,
    SVRG,
    GradDescentModel,
    SARAHPlus,
    learn,
    predict,
    prediction,
)

__version__ = "0.1.0"

__all__ = [
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM", "SSGD",
    "SVRG", "SARAH", "SARAHPlus", "learn", "predict", "prediction", "GradDescentModel",
    "split_data", "variance_scaling", "variance_descaling", "minmax_scaling", "minmax_descaling",
    "rmse", "rules", "drivers", "METHODS", "DivergenceError", "GDRegressor", "__version__",
]


def __getattr__(name: str):
    # The estimator imports scikit-learn's estimator machinery: load it on first use only.
    if name == "GDRegressor":
        from .estimator import GDRegressor

        return GDRegressor
    raise AttributeError(f"module 'graddescent' has no attribute {name!r}")

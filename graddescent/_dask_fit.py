"""GDRegressor on Dask input: the data validated where they live, and the full-batch driver.

A Dask array (or data frame) is validated in one distributed pass
(:class:`~graddescent.drivers.distributed.DaskData`, which answers for ``X`` and ``y``), and the
full-batch methods run with every gradient one reduction over its chunks
(:class:`~graddescent.drivers.distributed.DaskFullBatch`); the others run where the chunks are,
in rounds (``graddescent.drivers.on_dask``; docs/user_guide/distributed.md).
"""

from __future__ import annotations

from . import objective as O
from .drivers import Driver, FullBatch, on_dask
from .drivers.distributed import DaskData, DaskFullBatch, dask_predict, is_dask

__all__ = ["is_dask", "dask_data", "dask_driver", "dask_predict"]


def dask_data(X, y, early_stopping: bool, sample_weight=None) -> DaskData:
    """``(X, y)`` and the rows' ``sample_weight`` (None: unweighted) validated in one
    distributed pass."""
    if early_stopping:
        raise ValueError("early_stopping is not available for Dask input; hold out a "
                         "validation set yourself and score it.")
    return DaskData(X, y, O.watched_stride, sample_weight)


def dask_driver(method: str, driver: Driver, n: int) -> Driver:
    """The driver for Dask input of ``n`` rows: the full-batch methods with each gradient a
    reduction; the others where the chunks are (``graddescent.drivers.on_dask``)."""
    if isinstance(driver, FullBatch):
        return DaskFullBatch()
    found = on_dask(driver, n)
    if found is None:
        raise ValueError(
            f"GDRegressor(method={method!r}) runs {driver.describe(n)}, which has no form on "
            f"Dask: fit it in memory on X.compute(), or stream it with "
            f"dask_ml.wrappers.Incremental(GDRegressor(...)).")
    return found

"""GDRegressor on Dask input: the data validated where they live, and the full-batch driver.

A Dask array (or data frame) is validated in one distributed pass
(:class:`~graddescent.drivers.distributed.DaskData`, which answers for ``X`` and ``y``), and the
full-batch methods run with every gradient one reduction over its chunks
(:class:`~graddescent.drivers.distributed.DaskFullBatch`). Methods that sample rows are refused
with the ways to run them.
"""

from __future__ import annotations

from . import objective as O
from .drivers import Driver, FullBatch
from .drivers.distributed import DaskData, DaskFullBatch, dask_predict, is_dask

__all__ = ["is_dask", "dask_data", "dask_driver", "dask_predict"]


def dask_data(X, y, early_stopping: bool) -> DaskData:
    """``(X, y)`` validated in one distributed pass."""
    if early_stopping:
        raise ValueError("early_stopping is not available for Dask input; hold out a "
                         "validation set yourself and score it.")
    return DaskData(X, y, O.watched_stride)


def dask_driver(method: str, driver: Driver) -> Driver:
    """The driver for Dask input: full-batch methods only, each gradient a reduction."""
    if isinstance(driver, FullBatch):
        return DaskFullBatch()
    raise ValueError(
        f"GDRegressor(method={method!r}) samples rows ({driver.describe(2)}), which a Dask "
        f"array does not give cheaply: fit it on Dask with batch_size='full' (the full-batch "
        f"methods gd, mgd, agd and rprop, or any update rule on the full gradient), stream it "
        f"with dask_ml.wrappers.Incremental(GDRegressor(...)) (one partial_fit per chunk; the "
        f"single-row and mini-batch methods), or fit it in memory on X.compute().")

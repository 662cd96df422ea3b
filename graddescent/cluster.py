"""Run joblib work (a :func:`graddescent.compare.run_comparison` grid) on a Dask cluster.

Library users do the same in two lines::

    from dask.distributed import Client
    import joblib

    with Client("tcp://scheduler:8786"), joblib.parallel_config(backend="dask"):
        comparison = run_comparison(CompareSettings(..., n_jobs=-1))

Each run of the grid becomes one task on the cluster's workers (which need graddescent
installed); the results come back to this process in the grid's order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["dask_cluster"]


@contextlib.contextmanager
def dask_cluster(address: str, timeout: str | None = None) -> Iterator[object]:
    """Connect to the Dask scheduler at ``address`` and route joblib's work to it.

    Parameters
    ----------
    address : str
        The scheduler's address (``tcp://host:8786``, or a ``LocalCluster``'s).
    timeout : str, optional
        How long to try to connect (default: Dask's ``distributed.comm.timeouts.connect``).

    Yields
    ------
    distributed.Client
        The connected client (closed on exit; joblib's backend restored).

    Raises
    ------
    ImportError
        When ``distributed`` is not installed (``pip install graddescent[dask]``).
    OSError
        When no scheduler answers at ``address`` within ``timeout``.
    """
    import joblib

    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ImportError("running on a Dask cluster needs dask.distributed: "
                          "pip install 'graddescent[dask]'") from exc
    options = {} if timeout is None else {"timeout": timeout}
    with Client(address, **options) as client, joblib.parallel_config(backend="dask"):
        yield client

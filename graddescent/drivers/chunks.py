r"""What the drivers that run where the chunks are share: shuffled chunks, streams, rounds.

The distributed stochastic drivers (:mod:`~graddescent.drivers.distributed_vr`,
:mod:`~graddescent.drivers.local_sgd`) run in **rounds**: each chunk of a
:class:`~graddescent.drivers.distributed.DaskData` runs a compiled kernel on its own rows from
the common iterate, the chunks' iterates (and update-rule states) come back and are averaged,
weighted by the chunks' row counts. Everything a chunk keeps between rounds (its random stream,
its gradient table) travels back with its iterate, so that a task is a pure function of its
inputs: a lost worker's task is run again elsewhere with the same result.

**One seed, one result.** Chunk ``c``'s random stream is child ``c`` of the fit's generator
(``rng.spawn(k)``, :meth:`numpy.random.SeedSequence.spawn` under it) and the rows are shuffled
across chunks once, by child ``k``; the chunks' results are combined on this process in chunk
order. So the coefficients depend on the seed and the chunking, never on the number of workers
or on the scheduler. On one chunk there is nothing to shuffle, and a driver runs the in-memory
method's kernel on the generator ``rng.spawn(1)[0]``: the same bits as that method.

Dask is imported only when a fit runs on Dask data.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np

from ..problems.records import with_weights
from .base import Driver, DriverState
from .divergence import raise_if_diverged

__all__: list[str] = []


def writable(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-ordered float64 array the kernels accept (a copy if read-only)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    return a if a.flags.writeable else a.copy()


def chunk_record(pb, wb):
    """The problem record a pass over one chunk reads: ``pb`` as it is for unweighted data
    (``wb`` None), else ``pb``'s weighted record with the chunk's own rows' weights ``wb``
    (scaled to mean 1 over the whole data, so that the chunks' sums add up to the whole
    data's weighted sums)."""
    return pb if wb is None else with_weights(pb, writable(wb))


class Chunks:
    """The rows of a :class:`~graddescent.drivers.distributed.DaskData`, shuffled across
    chunks once (rows permuted by ``rng``, then cut into the same chunk lengths) and held by
    the workers.

    Attributes
    ----------
    blocks : list of (Delayed, Delayed, Delayed or None)
        Each chunk's ``(X_c, y_c, w_c)``: ``w_c`` its rows' weights (the data's ``w``,
        shuffled with the rows), None for unweighted data.
    sizes : list of int
        Rows per chunk.
    weights : list of float
        ``sizes[c] / n``: the weights of the chunks' averages (1.0 on one chunk).
    """

    def __init__(self, data, rng: np.random.Generator | None, shuffle: bool = True) -> None:
        import dask

        X, y, w = data.X, data.y, data.w
        rows = X.chunks[0]
        if shuffle and len(rows) > 1 and rng is not None:
            order = rng.permutation(X.shape[0])
            X = X[order].rechunk((rows, -1))
            y = y[order].rechunk((rows,))
            w = None if w is None else w[order].rechunk((rows,))
            X, y, w = dask.persist(X, y, w)
        self._held = (X, y, w)  # the persisted chunks live as long as these references
        weights = [None] * len(rows) if w is None else w.to_delayed().ravel()
        self.blocks = list(zip(X.to_delayed().ravel(), y.to_delayed().ravel(), weights,
                               strict=True))
        self.sizes = [int(r) for r in rows]
        n = float(sum(self.sizes))
        self.weights = [s / n for s in self.sizes]
        self.n = int(n)

    def __len__(self) -> int:
        return len(self.sizes)

    def map(self, fn, *per_chunk, shared=()):
        """``[fn(X_c, y_c, w_c, *per_chunk[c], *shared) for each chunk c]``, run where the
        chunks are; the results in chunk order (one communication round)."""
        import dask

        tasks = [dask.delayed(fn, pure=True)(xb, yb, wb, *(a[c] for a in per_chunk), *shared)
                 for c, (xb, yb, wb) in enumerate(self.blocks)]
        try:
            return list(dask.compute(*tasks))
        except Exception as exc:
            if type(exc).__module__.split(".")[0] == "distributed":
                raise RuntimeError(
                    f"A communication round on the Dask cluster failed ({type(exc).__name__}: "
                    f"{exc}); the coefficients were left at the last completed round. Fit "
                    f"again when the cluster is stable.") from exc
            raise

    def average(self, parts) -> np.ndarray:
        """``sum_c weights[c] parts[c]``, in chunk order (on one chunk: ``parts[0]``, exact)."""
        total = self.weights[0] * parts[0]
        for w, part in zip(self.weights[1:], parts[1:], strict=True):
            total = total + w * part
        return total


@dataclasses.dataclass
class RoundsState(DriverState):
    """A round-based distributed driver's state: the shuffled chunks (made at the first run),
    each chunk's random stream and what else it keeps (``extra``), and the rounds run.

    ``rounds`` counts the communication rounds (each a ``dask.compute`` of one small task per
    chunk); :attr:`~graddescent.drivers.Optimizer.units` counts the driver's units.
    """

    chunks: Chunks | None = None
    streams: list | None = None
    extra: list | None = None
    rounds: int = 0


def spawn_streams(rng: np.random.Generator, k: int) -> tuple[list, np.random.Generator]:
    """``k`` chunk streams and the shuffle's stream: children ``0..k-1`` and ``k`` of ``rng``
    (:meth:`numpy.random.Generator.spawn`)."""
    children = rng.spawn(k + 1)
    return children[:k], children[k]


def prepare(state: RoundsState, data, rng: np.random.Generator, shuffle: bool = True) -> None:
    """At a fit's first run: the chunk streams from ``rng`` and the chunks, shuffled once."""
    if state.chunks is None:
        k = len(data.X.chunks[0])
        streams, shuffler = spawn_streams(rng, k)
        state.chunks = Chunks(data, shuffler, shuffle)
        state.streams = streams


def own(obj):
    """A private copy of what a task received (tasks never write their inputs: a task run
    again after a lost worker must see what the first run saw)."""
    return copy.deepcopy(obj)


@dataclasses.dataclass(frozen=True)
class RoundsDriver(Driver):
    """Base of the drivers that run in rounds where the chunks are: the state, the
    averaging of the chunks' iterates and rule states, the translation from in-memory drivers."""

    #: Shuffle the rows across the chunks once at the start.
    shuffle: bool = True

    needs_smooth_loss = True
    takes_problem = True  # the problem's record goes to every chunk, with its rows' weights

    def init_state(self, n: int, p: int) -> RoundsState:
        return RoundsState()

    @classmethod
    def from_local(cls, driver: Driver, n: int) -> Driver | None:
        """This driver for the in-memory ``driver`` (its parameters), or None when it does not
        distribute it (:func:`graddescent.drivers.chunks.on_dask` asks every driver)."""
        local = getattr(cls, "distributes", None)
        if local is None or type(driver) is not local:
            return None
        names = [f.name for f in dataclasses.fields(cls)]
        return cls(**{f.name: getattr(driver, f.name) for f in dataclasses.fields(driver)
                      if f.name in names})

    def units_per_epoch(self, n: int) -> float:
        return 1.0

    def smoothness(self, X, l_max: float | None = None, problem=None, sample_weight=None):
        return X.row_lipschitz(problem) if l_max is None else l_max

    def _chunks(self, state: RoundsState, data, rng) -> Chunks:
        """The state's chunks, made (and shuffled) at the fit's first run, with an empty
        store per chunk in ``state.extra``."""
        prepare(state, data, rng, self.shuffle)
        if state.extra is None:
            state.extra = [None] * len(state.chunks)
        return state.chunks

    def _combine(self, chunks, results, theta, rule_state, rule, t):
        """Average the chunks' iterates and rule states into ``theta`` and ``rule_state``;
        the step count advances by the longest chunk's steps. Returns the new ``t``."""
        for r in results:
            raise_if_diverged(r[4], r[2], rule)
        theta[:] = chunks.average([r[0] for r in results])
        rule_state[...] = chunks.average([r[1] for r in results])
        return max(r[2] for r in results)

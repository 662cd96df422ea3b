r"""Local SGD on Dask (Stich, "Local SGD converges fast and communicates little", ICLR 2019).

Every chunk of a :class:`~graddescent.drivers.distributed.DaskData` runs ``H = local_steps``
steps of the single-row or mini-batch method (:class:`~graddescent.drivers.MiniBatch`, its
compiled kernel, any update rule) on its own rows from the common iterate; then the iterates
are averaged, weighted by the chunks' row counts (Stich's Algorithm 1, equal weights for equal
chunks). The update rule's state (momentum, Adam's moments, ...) is averaged the same way: a
stated choice (the paper analyses plain SGD, which has none); it keeps every chunk's rule on
the common state, as the iterate is. The step count advances by ``H``.

What it converges to: as SGD with a constant step, a neighbourhood of the optimum whose size
grows with the step and (for ``H > 1``) with the chunks' dissimilarity; the rows are shuffled
across chunks once at the start to keep that small. Decreasing steps (``rule`` schedules)
converge. With ``H = 1`` and ``k`` chunks it is mini-batch SGD with ``k`` times the batch.

With sample weights, each row's gradient is scaled by its weight (scaled to mean 1 over the
whole data, as in memory: the chunks' records carry their rows' weights), so that the average
of the chunks' steps estimates the weighted gradient.

Each chunk's rows are visited in its own order from its own stream (:mod:`.chunks`); on one
chunk it is the in-memory :class:`~graddescent.drivers.MiniBatch` bit for bit, on the
generator ``rng.spawn(1)[0]``.
"""

from __future__ import annotations

import dataclasses
import math

from .._jit import OK
from .chunks import RoundsDriver, RoundsState, chunk_record, own, writable
from .mini_batch import MiniBatch, StreamState
from .sampling import IndexStream

__all__ = ["DaskLocalSGD"]


def _local_round(xb, yb, wb, rng, stream, driver, theta, rule, rule_state, t, pb):
    xb, yb, pb = writable(xb), writable(yb), chunk_record(pb, wb)
    rng, theta, rule_state = own(rng), theta.copy(), rule_state.copy()
    inner = MiniBatch(batch_size=driver.batch_size, scheme=driver.scheme)
    m = xb.shape[0]
    state = StreamState(IndexStream(m, driver.scheme)) if stream is None else own(stream)
    steps = driver.steps(m)
    t1 = inner.run(xb, yb, theta, rule, rule_state, t, state, rng, steps, pb)
    return theta, rule_state, t1, rng, OK, state


@dataclasses.dataclass(frozen=True)
class DaskLocalSGD(RoundsDriver):
    r"""Local SGD (Stich 2019) on Dask: ``local_steps`` steps of batches of ``batch_size``
    rows on every chunk, then the average (see the module's text).

    One unit = one round. ``local_steps=None`` (the default; measured in
    docs/user_guide/distributed.md: the accuracy after a given work hardly depends on ``H``
    from 16 steps to a pass, the rounds fall with it): one local pass over the chunk's rows
    per round (``ceil(m_c / batch_size)`` steps), so that one unit is one epoch; with an int,
    one unit is ``local_steps`` steps on every chunk, and an epoch (every chunk's rows once)
    is ``ceil(ceil(m / batch_size) / local_steps)`` rounds with ``m`` the rows of the largest
    chunk (:meth:`units_per_epoch`, told the chunk's rows; the fits on Dask tell it).
    """

    batch_size: int = 1
    scheme: str = "shuffle"
    local_steps: int | None = None

    name = "dask_local_sgd"
    distributes = MiniBatch
    needs_smooth_loss = False  # as the in-memory mini-batch driver: any loss

    @classmethod
    def from_local(cls, driver, n: int):
        """Local SGD for a sampled :class:`~graddescent.drivers.MiniBatch` (its batch size on
        ``n`` rows and its scheme); None for others and for the full batch."""
        if type(driver) is not MiniBatch or driver.is_full_batch(n):
            return None
        return cls(batch_size=driver.resolve_batch_size(n), scheme=driver.scheme)

    def check(self, n: int, rule) -> None:
        super().check(n, rule)
        if int(self.batch_size) < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size!r}.")
        if self.local_steps is not None and int(self.local_steps) < 1:
            raise ValueError(f"local_steps must be at least 1, got {self.local_steps!r}.")

    def is_noisy(self, n: int) -> bool:
        return True

    def steps(self, m: int) -> int:
        """Local steps per round on a chunk of ``m`` rows."""
        if self.local_steps is None:
            return -(-m // min(int(self.batch_size), m))
        return int(self.local_steps)

    def units_per_epoch(self, n: int, chunk_rows: int | None = None) -> float:
        """Rounds per epoch: 1 with one local pass per round; with ``local_steps`` an int,
        the rounds in which the largest chunk (``chunk_rows`` rows; None: one chunk of all
        ``n``) sees as many rows as it holds: all chunks run in parallel, so ``k`` chunks of
        ``n / k`` rows need ``k`` times fewer rounds than one chunk of ``n``."""
        if self.local_steps is None:
            return 1.0
        m = int(n) if chunk_rows is None else min(int(chunk_rows), int(n))
        return float(math.ceil(-(-m // int(self.batch_size)) / int(self.local_steps)))

    def epoch_units(self, X) -> int:
        """The rounds of an epoch counted on the data's largest chunk (:meth:`units_per_epoch`)."""
        return math.ceil(self.units_per_epoch(X.shape[0], max(X.X.chunks[0])))

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        return int(steps) * int(self.batch_size)

    def smoothness(self, X, l_max: float | None = None, problem=None, sample_weight=None):
        """:class:`~graddescent.drivers.MiniBatch`'s constant of batches of ``batch_size``
        rows, ``L`` and ``L_max`` of the problem from the Dask validation pass's statistics."""
        n = X.shape[0]
        b = min(int(self.batch_size), n)
        l_max = X.row_lipschitz(problem) if l_max is None else l_max
        if b == 1:
            return l_max
        top = X.lipschitz(problem)
        return (n * (b - 1) * top + (n - b) * l_max) / (b * (n - 1))

    def run(self, X, y, theta, rule, rule_state, t, driver_state: RoundsState, rng, n_units,
            pb=None):
        s = driver_state
        chunks = self._chunks(s, X, rng)
        for _ in range(n_units):
            results = chunks.map(_local_round, s.streams, s.extra,
                                 shared=(self, theta.copy(), rule, rule_state, t, pb))
            s.rounds += 1
            s.streams = [r[3] for r in results]
            s.extra = [r[5] for r in results]
            t = self._combine(chunks, results, theta, rule_state, rule, t)
        return t

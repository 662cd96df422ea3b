r"""Variance-reduced methods on Dask: SVRG, S2GD, SARAH, SAG and SAGA where the chunks are.

Each runs in rounds (:mod:`graddescent.drivers.chunks`): the rows are shuffled across the chunks
once, so that each chunk resembles the whole; each chunk then runs the in-memory method's
compiled inner loop on its own rows from the common iterate, and the chunks' iterates (and
update-rule states) are averaged, weighted by row counts.

**SVRG, S2GD, SARAH** (:class:`DaskSVRG`, :class:`DaskS2GD`, :class:`DaskSARAH`): one round is
one outer loop. The snapshot's full gradient :math:`\mu = \nabla F(\tilde w)` is one distributed
reduction (a row-weighted average of the chunks' gradients); every chunk ``c`` then runs the
inner loop of its method on its own rows with the shared :math:`\mu` (SARAH: :math:`v_0 = \mu`),
``inner_iter`` steps (None: its row count, one local pass), and the next iterate is the average
of the chunks' outputs. This is the distributed SVRG / SARAH with averaged iterates analysed by
Cen, Zhang, Chi, Chen and Wu, "Convergence of distributed stochastic variance reduced methods
without sampling extra data" (IEEE TSP 2020): with :math:`\mu` exact, the optimum of
:math:`F` (the penalised one with a penalty) is a fixed point of every chunk's loop, so the
iterates converge to it **exactly**, at a linear rate, when the step is small enough for the
chunks' dissimilarity (the spread of the chunks' Hessians around the whole's, which the
shuffle keeps small: of order :math:`\sqrt{d k / n}`); on unshuffled heterogeneous chunks the
allowed step shrinks, and a step too large diverges instead of settling on a biased point.
Two communication rounds per outer loop.

**SAG, SAGA** (:class:`DaskSAG`, :class:`DaskSAGA`): each chunk keeps the gradient table of its
own rows (one loss derivative per row, as in memory) and its sum; a round starts from the
global sum of the tables (the sum of the chunks' sums), each chunk runs ``local_steps`` steps
(None: its row count) in which the global mean is updated with the chunk's own changes, then
the chunks' sums are summed and their iterates averaged: the global average refreshed once per
round, as in distributed SAGA (Calauzenes and Le Roux, "Distributed SAGA: maintaining linear
convergence rate with limited communication", 2017). The optimum is again a fixed point (there
every table entry is the row's derivative at the optimum and the global mean is the gradient's
data part), so the iterates converge to the (penalised) optimum; SAGA's L1 prox is applied
locally at every step, as in memory. One communication round per round.

On one chunk each of these is the in-memory method (:mod:`~graddescent.drivers.snapshot`,
:mod:`~graddescent.drivers.sarah`, :mod:`~graddescent.drivers.sag`,
:mod:`~graddescent.drivers.saga`) bit for bit, on the generator ``rng.spawn(1)[0]``.
Problems: any smooth loss and penalty, with or without sample weights (each chunk's record
carries its own rows' weights, scaled to mean 1 over the whole data, so that the chunks' row
gradients are the in-memory method's; :func:`~graddescent.drivers.chunks.chunk_record`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._jit import DIVERGED, OK, kernel
from ..problems.engine import full_gradient
from .base import buffers, record_of
from .chunks import RoundsDriver, chunk_record, own, writable
from .divergence import raise_if_diverged
from .extra_sum import ExtraSum
from .sag import DRAW_CHUNK, SAG, sag_steps
from .saga import SAGA, saga_steps
from .sampling import IndexStream
from .sarah import SARAH, SARAHPlus
from .sarah import inner_loop as sarah_loop
from .snapshot import S2GD, SVRG, inner_length, s2gd_length_law
from .snapshot import inner_loop as snapshot_loop

__all__ = ["DaskSVRG", "DaskS2GD", "DaskSARAH", "DaskSARAHPlus", "DaskSAG", "DaskSAGA"]


# --- the in-memory methods' compiled inner loops, from the shared full gradient --------------

@kernel
def snapshot_inner(X, y, idx, pick, theta, state, t, hp, mu, snap, keep, g, z, pb):
    """One outer loop of SVRG/S2GD (:func:`graddescent.drivers.snapshot.inner_loop`) with the
    snapshot's full gradient ``mu`` given (the whole data's): ``idx.shape[0]`` inner steps."""
    for j in range(theta.shape[0]):
        snap[j] = theta[j]
        keep[j] = theta[j]
    return snapshot_loop(X, y, idx, 0, idx.shape[0], pick, theta, state, t, hp, mu, snap,
                         keep, g, z, pb)


@kernel
def sarah_inner(X, y, idx, m, pick, gamma, theta, state, t, hp, v, prev, keep, g, z, pb):
    """One outer loop of SARAH and SARAH+ (:func:`graddescent.drivers.sarah.inner_loop`) with
    ``v = v_0`` given (the whole data's gradient)."""
    for j in range(theta.shape[0]):
        prev[j] = theta[j]
        keep[j] = theta[j]
    return sarah_loop(X, y, idx, 0, m, pick, gamma, theta, state, t, hp, v, prev, keep, g, z,
                      pb)


# --- what one chunk does in one round (pure functions of their inputs) -----------------------

def _chunk_gradient(xb, yb, wb, theta, pb):
    """``(grad F_c(theta), F_c(theta))`` on one chunk (its rows' mean, weighted by ``wb``, the
    penalty's part)."""
    xb, yb = writable(xb), writable(yb)
    g = np.empty(theta.shape[0])
    value = full_gradient(record_of(chunk_record(pb, wb)), xb, yb, theta, g)
    return g, value


def _snapshot_round(xb, yb, wb, rng, driver, theta, mu, rule, rule_state, t, pb):
    xb, yb, pb = writable(xb), writable(yb), chunk_record(pb, wb)
    rng, theta, rule_state = own(rng), theta.copy(), rule_state.copy()
    m = inner_length(driver.inner_iter, xb.shape[0])
    length, pick = driver.lengths_and_picks(rng, m, rule)
    idx = rng.integers(0, xb.shape[0], size=length, dtype=np.int64)
    snap, keep, g, z = buffers(theta.shape[0], 4)
    t, status = snapshot_inner(xb, yb, idx, pick, theta, rule_state, t, rule.hyperparameters(),
                               mu, snap, keep, g, z, record_of(pb))
    return theta, rule_state, t, rng, status


def _sarah_round(xb, yb, wb, rng, driver, theta, v0, rule, rule_state, t, pb):
    xb, yb, pb = writable(xb), writable(yb), chunk_record(pb, wb)
    rng, theta, rule_state = own(rng), theta.copy(), rule_state.copy()
    n = xb.shape[0]
    m = inner_length(driver.inner_iter, n)
    idx = rng.integers(0, n, size=m - 1)
    gamma = driver.gamma()
    pick = -1 if gamma > 0 else rng.integers(0, m + 1)
    v = v0.copy()
    prev, keep, g, z = buffers(theta.shape[0], 4)
    t, status = sarah_inner(xb, yb, idx, m, pick, gamma, theta, rule_state, t,
                            rule.hyperparameters(), v, prev, keep, g, z, record_of(pb))
    return theta, rule_state, t, rng, status


def _table_round(xb, yb, wb, rng, table, driver, theta, dsum, n_seen, n, steps, rule,
                 rule_state, t, pb):
    """``steps`` (None: the chunk's row count) SAG or SAGA steps on one chunk; ``table``:
    ``(stream, memory, local sum, rows seen)`` or None at the first round."""
    xb, yb, pb = writable(xb), writable(yb), chunk_record(pb, wb)
    rng, theta, rule_state = own(rng), theta.copy(), rule_state.copy()
    m, p = xb.shape[0], theta.shape[0]
    if table is None:
        fill = np.nan if driver.name == "dask_sag" else 0.0
        table = (IndexStream(m, "replace", block_size=DRAW_CHUNK), np.full(m, fill),
                 np.zeros(p), 0)
    stream, memory, local, seen = own(table)
    shared = dsum.copy()
    hp, pb = rule.hyperparameters(), record_of(pb)
    g, z = buffers(p)
    left, status = (m if steps is None else int(steps)), OK
    while left > 0 and status == OK:  # the draws in pieces, as in memory
        idx = stream.take_piece(rng, left)
        left -= idx.shape[0]
        # the in-memory kernels' steps on the global sum, with this chunk's own sum kept too
        if driver.name == "dask_sag":
            fixed_m = n if driver.divide == "n" else 0
            extra = ExtraSum(local, n_seen - table[3])
            t, seen, status = sag_steps(xb, yb, idx, theta, rule_state, t, hp, memory, shared,
                                        seen, fixed_m, extra, g, z, pb)
        else:
            t, status = saga_steps(xb, yb, idx, theta, rule_state, t, hp, memory, shared,
                                   1.0 / n, ExtraSum(local, 0), g, z, pb)
    return theta, rule_state, t, rng, status, (stream, memory, local, seen)


# --- the drivers ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _SnapshotRounds(RoundsDriver):
    inner_iter: int | None = None

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        return int(units) * int(n) + 2 * int(steps)

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        s = driver_state
        chunks = self._chunks(s, X, rng)
        for _ in range(n_units):
            parts = chunks.map(_chunk_gradient, shared=(theta.copy(), pb))
            s.rounds += 1
            if not all(np.isfinite(value) for _, value in parts):
                raise_if_diverged(DIVERGED, t, rule)
            mu = chunks.average([g for g, _ in parts])
            results = chunks.map(self._round_fn, s.streams,
                                 shared=(self, theta.copy(), mu, rule, rule_state, t, pb))
            s.rounds += 1
            s.streams = [r[3] for r in results]
            t = self._combine(chunks, results, theta, rule_state, rule, t)
        return t


@dataclasses.dataclass(frozen=True)
class DaskSVRG(_SnapshotRounds):
    r"""SVRG (Johnson & Zhang 2013) on Dask with averaged iterates (Cen et al. 2020).

    One unit = one round: :math:`\mu = \nabla F(\tilde w)` by one reduction, then on every chunk
    ``inner_iter`` steps (None: the chunk's rows) along :math:`\nabla f_i(w) - \nabla
    f_i(\tilde w) + \mu` over its own rows, option 1 or 2 as :class:`~graddescent.drivers.SVRG`;
    the next :math:`\tilde w` is the row-weighted average of the chunks' outputs. See the
    module's text for what it converges to.
    """

    option: int = 1

    name = "dask_svrg"
    distributes = SVRG

    def lengths_and_picks(self, rng, m, rule):
        if self.option not in (1, 2):
            raise ValueError(f"option must be 1 or 2, got {self.option!r}.")
        return m, (-1 if self.option == 1 else int(rng.integers(0, m)))

    @property
    def _round_fn(self):
        return _snapshot_round


@dataclasses.dataclass(frozen=True)
class DaskS2GD(_SnapshotRounds):
    r"""S2GD (Konecny & Richtarik) on Dask: as :class:`DaskSVRG` with each chunk's inner
    length drawn from S2GD's law (:func:`~graddescent.drivers.snapshot.s2gd_length_law`) on
    its own stream; the step count advances by the longest chunk's loop."""

    nu: float = 0.0

    name = "dask_s2gd"
    distributes = S2GD

    def lengths_and_picks(self, rng, m, rule):
        law = s2gd_length_law(m, float(self.nu) * rule.learning_rate)
        return int(rng.choice(m, p=law)) + 1, -1

    @property
    def _round_fn(self):
        return _snapshot_round


@dataclasses.dataclass(frozen=True)
class DaskSARAH(_SnapshotRounds):
    r"""SARAH (Nguyen et al. 2017) on Dask with averaged iterates (Cen et al. 2020).

    One unit = one round: :math:`v_0 = \nabla F(w_0)` by one reduction, then on every chunk the
    recursion :math:`v_t = \nabla f_i(w_t) - \nabla f_i(w_{t-1}) + v_{t-1}` over its own rows
    for ``inner_iter`` steps (None: the chunk's rows), output :math:`w_t`, :math:`t \sim
    U\{0..m\}` as :class:`~graddescent.drivers.SARAH`; the next :math:`w_0` is the average.
    """

    name = "dask_sarah"
    distributes = SARAH

    def gamma(self) -> float:
        return 0.0

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        return int(units) * int(n) + 2 * (int(steps) - int(units))

    @property
    def _round_fn(self):
        return _sarah_round


@dataclasses.dataclass(frozen=True)
class _TableRounds(RoundsDriver):
    #: Steps per chunk per round (None: the chunk's row count, one local pass).
    local_steps: int | None = None

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        return int(steps)

    def check(self, n: int, rule) -> None:
        super().check(n, rule)
        if self.local_steps is not None and int(self.local_steps) < 1:
            raise ValueError(f"local_steps must be at least 1, got {self.local_steps!r}.")

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        s = driver_state
        chunks = self._chunks(s, X, rng)
        for _ in range(n_units):
            tables = [e for e in s.extra if e is not None]
            if tables:  # the global sum, in chunk order (one chunk: its own sum, exact)
                dsum = s.extra[0][2].copy()
                for e in s.extra[1:]:
                    dsum += e[2]
            else:
                dsum = np.zeros(theta.shape[0])
            n_seen = sum(e[3] for e in tables)
            results = chunks.map(_table_round, s.streams, s.extra,
                                 shared=(self, theta.copy(), dsum, n_seen, chunks.n,
                                         self.local_steps, rule, rule_state, t, pb))
            s.rounds += 1
            s.streams = [r[3] for r in results]
            s.extra = [r[5] for r in results]
            t = self._combine(chunks, results, theta, rule_state, rule, t)
        return t


@dataclasses.dataclass(frozen=True)
class DaskSAG(_TableRounds):
    r"""SAG (Le Roux, Schmidt, Bach 2012) on Dask: each chunk keeps its rows' table, the global
    mean is refreshed once per round (see the module's text). ``divide`` as
    :class:`~graddescent.drivers.SAG` (``"seen"``: the rows seen on all chunks at the round's
    start plus those this chunk saw since). One unit = one round of ``local_steps`` steps
    per chunk."""

    divide: str = "seen"

    name = "dask_sag"
    distributes = SAG
    proximal = False

    def smoothness(self, X, l_max: float | None = None, problem=None, sample_weight=None):
        """``4 L_max``: the other chunks' part of the mean is stale for a whole round and
        enters every local step, which a step of ``1 / L_max`` overshoots (measured on 4
        chunks of 120 rows: ``0.3 / L_max`` converges, ``0.5 / L_max`` diverges)."""
        return 4.0 * super().smoothness(X, l_max, problem, sample_weight)

    def check(self, n: int, rule) -> None:
        super().check(n, rule)
        if self.divide not in ("seen", "n"):
            raise ValueError(f"divide must be 'seen' or 'n', got {self.divide!r}.")


@dataclasses.dataclass(frozen=True)
class DaskSAGA(_TableRounds):
    r"""SAGA (Defazio, Bach, Lacoste-Julien 2014) on Dask: each chunk keeps its rows' table,
    the global mean is refreshed once per round (distributed SAGA, Calauzenes and Le Roux
    2017); the L1 part's prox at every local step. One unit = one round of ``local_steps``
    steps per chunk."""

    name = "dask_saga"
    distributes = SAGA


@dataclasses.dataclass(frozen=True)
class DaskSARAHPlus(DaskSARAH):
    r"""SARAH+ (Nguyen et al. 2017, Algorithm 2) on Dask: as :class:`DaskSARAH`, each chunk's
    loop running while :math:`\|v_{t-1}\|^2 > \gamma \|v_0\|^2` (its own recursion's
    :math:`v`) and outputting its last iterate."""

    gamma_s: float = 0.125

    name = "dask_sarah_plus"
    distributes = SARAHPlus
    proximal = False

    def gamma(self) -> float:
        return SARAHPlus(gamma_s=self.gamma_s).gamma()

r"""What a driver is: the base class, its typed state, the row-index stream, divergence.

A driver (full batch, mini-batch, single sample, SAG, SVRG, S2GD, SARAH, SARAH+) takes any
:class:`~graddescent.rules.UpdateRule` and runs it on the least-squares objective of
:mod:`graddescent.objective`. Each driver family is one module of this package, its Python side
(which draws the sample indices from the caller's ``numpy.random.Generator`` and allocates) next
to its compiled kernel (which takes the rule's compiled record and never names a rule: see
:mod:`graddescent.rules.base`).

Work is counted in **units**, the driver's natural iteration (R gradDescent's ``maxIter``): one
step for the full-batch, mini-batch, single-sample and SAG drivers, one outer loop for the
variance-reduced ones. :meth:`Driver.units_per_epoch` converts epochs (passes over the data, the
scikit-learn meaning of ``max_iter``) into units.

**Divergence.** A fit stops with :class:`DivergenceError` (a ValueError that says to scale the
data or lower the learning rate) when its iterates overflow, or by the criterion of
:class:`DivergenceMonitor`, which the :class:`~graddescent.drivers.Optimizer` feeds with every
objective value the engine computes: the objective exceeds :data:`DIVERGENCE_FACTOR` times its
reference, or it grew at :data:`DIVERGENCE_STREAK` consecutive evaluations while above it.
"""

from __future__ import annotations

import dataclasses
import math
import sys

import numba
import numpy as np

from .. import objective as O
from .._jit import OK, bit_generator_pointers, permutation_into, shuffle
from ..problems import Problem
from ..problems.records import for_data
from ..rules import UpdateRule

__all__ = ["Driver", "DriverState", "IndexStream", "DivergenceError", "DIVERGENCE_MESSAGE",
           "DIVERGENCE_FACTOR", "DIVERGENCE_STREAK", "DivergenceMonitor", "raise_if_diverged",
           "buffers", "record_of", "DEFAULT_RECORD"]


class DivergenceError(ValueError, FloatingPointError):
    """The fit diverged (the learning rate is too large for the data, or the data unscaled).

    Raised when the iterates overflow, or by the criterion of :class:`DivergenceMonitor`.
    ``reason`` says which (e.g. ``"the objective grew at 50 consecutive evaluations"``).
    """

    def __init__(self, message: str, reason: str = "the coefficients overflowed to inf/NaN"
                 ) -> None:
        super().__init__(message)
        self.reason = reason


DIVERGENCE_MESSAGE = (
    "The fit diverged: the coefficients overflowed to inf/NaN after {t} update steps with "
    "learning rate {lr:g}. Scale the data (e.g. variance_scaling or StandardScaler) or lower "
    "the learning rate (alpha)."
)


#: A fit diverges when its objective exceeds this many times its reference, ``max(f(theta_0),
#: Var(y) / 2)``: the objective where the fit started, or that of the best constant prediction
#: when the start is already better. Measured (``python -m benchmarks.divergence_margin``, 900
#: converging fits): converging fits peak at up to 3.7 times the reference in the R-style API
#: and 1.1e4 in GDRegressor (RMSprop at learning rate 1, the target unscaled); diverging ones
#: pass 1e6 within a few steps.
DIVERGENCE_FACTOR = 1e6
#: ... or when it grew at this many consecutive evaluations while above its reference (slow
#: divergence, e.g. a step just above ``2 / L``). Growth below the reference is not counted:
#: momentum methods legitimately rise for up to ``~4 / (1 - momentum)`` steps near the optimum.
#: The longest rise above the reference of a converging fit measured was 4 evaluations.
DIVERGENCE_STREAK = 50

_FEW = 16  # DivergenceMonitor.observe: up to this many values, one at a time

_BLOW_UP_MESSAGE = (
    "The fit diverged: {reason} after {t} update steps with learning rate {lr:g}. Scale the "
    "data (e.g. variance_scaling or StandardScaler) or lower the learning rate (alpha)."
)


class DivergenceMonitor:
    """The engine's divergence criterion, fed with the objective wherever the engine has it.

    The :class:`~graddescent.drivers.Optimizer` makes one per data set (at the first run on it)
    and feeds it, after every call, with the objective at the end of the call and with the
    values the driver's kernel recorded during it (the full-batch driver records the objective
    of every step, at no cost); so the criterion costs one pass over the data per call and
    nothing inside the compiled loops. Each value comes with the step count ``t`` of its point;
    a value whose ``t`` was already seen is skipped.

    Parameters
    ----------
    start : float
        The objective at the starting point.
    scale : float
        ``Var(y) / 2``, the objective of the best constant prediction
        (:func:`graddescent.objective.loss_scale`).
    t : int
        The step count at the starting point.

    Attributes
    ----------
    reference : float
        ``max(start, scale)``.
    peak : float
        The largest objective seen so far, over ``reference``.
    streak : int
        The current run of rises above the reference.
    longest_rise : int
        The longest such run so far.
    """

    def __init__(self, start: float, scale: float, t: int) -> None:
        self.start = float(start)
        self.reference = max(float(start), float(scale))
        self.last = float(start)
        self.last_t = int(t)
        self.streak = 0
        self.peak = self.start / self.reference
        self.longest_rise = 0

    def observe(self, values: np.ndarray, tags: np.ndarray, rule: UpdateRule) -> None:
        """Take objective values (``tags``: the step count of each point, increasing); raise
        :class:`DivergenceError` when the criterion holds (``rule``: for the message).

        Values all at or below the reference are taken at once (nothing can count against the
        criterion); otherwise a few values go through :meth:`observe_one` one at a time and
        many (a full-batch call's steps) are screened with whole-array operations, with the
        same result.
        """
        values = np.asarray(values, dtype=np.float64)
        tags = np.asarray(tags)
        if values.shape[0] and int(tags[0]) <= self.last_t:  # skip the points already seen
            first = int(np.searchsorted(tags, self.last_t, side="right"))
            values, tags = values[first:], tags[first:]
        if values.shape[0] == 0:
            return
        top = float(values.max())  # NaN when any is NaN: then not <= below
        if top <= self.reference:
            # the common case, decided at once: nothing above the reference, so nothing over
            # the bound and no rise counted (what the loop below would conclude)
            self.peak = max(self.peak, top / self.reference)
            self.streak = 0
            self.last, self.last_t = float(values[-1]), int(tags[-1])
            return
        if values.shape[0] <= _FEW:
            for value, t in zip(values.tolist(), tags.tolist(), strict=True):
                self.observe_one(value, t, rule)
            return
        finite = np.isfinite(values)
        if finite.any():
            self.peak = max(self.peak, float(np.max(values[finite])) / self.reference)
        over = ~(values <= DIVERGENCE_FACTOR * self.reference)  # NaN included
        if over.any():
            k = int(np.argmax(over))
            self._raise(float(values[k]), int(tags[k]), rule, rising=False)
        previous = np.concatenate(([self.last], values[:-1]))
        rising = (values > previous) & (values > self.reference)
        index = np.arange(values.size)
        last_fall = np.maximum.accumulate(np.where(rising, -1, index))
        run = index - last_fall + np.where(last_fall < 0, self.streak, 0)
        self.longest_rise = max(self.longest_rise, int(run.max()))
        if run.max() >= DIVERGENCE_STREAK:
            k = int(np.argmax(run >= DIVERGENCE_STREAK))
            self._raise(float(values[k]), int(tags[k]), rule, rising=True)
        self.streak = int(run[-1]) if rising[-1] else 0
        self.last = float(values[-1])
        self.last_t = int(tags[-1])

    def observe_one(self, value: float, t: int, rule: UpdateRule) -> None:
        """Take one objective value at step count ``t`` (see :meth:`observe`)."""
        if t <= self.last_t:
            return
        if math.isfinite(value):
            self.peak = max(self.peak, value / self.reference)
        if not value <= DIVERGENCE_FACTOR * self.reference:
            self._raise(value, t, rule, rising=False)
        if value > self.last and value > self.reference:
            self.streak += 1
            self.longest_rise = max(self.longest_rise, self.streak)
            if self.streak >= DIVERGENCE_STREAK:
                self._raise(value, t, rule, rising=True)
        else:
            self.streak = 0
        self.last, self.last_t = value, t

    def _raise(self, value: float, t: int, rule: UpdateRule, rising: bool) -> None:
        if rising:
            reason = (f"the objective grew at {DIVERGENCE_STREAK} consecutive evaluations, to "
                      f"{value:.3g} (above its reference {self.reference:.3g})")
        elif math.isfinite(value):
            reason = (f"the objective rose to {value:.3g}, more than {DIVERGENCE_FACTOR:g} "
                      f"times its reference {self.reference:.3g} (its start, or Var(y) / 2 when "
                      f"larger)")
        else:
            reason = "the objective overflowed to inf/NaN"
        raise DivergenceError(_BLOW_UP_MESSAGE.format(reason=reason, t=t,
                                                      lr=rule.learning_rate), reason)


def raise_if_diverged(status: int, t: int, rule: UpdateRule) -> None:
    """Raise :class:`DivergenceError` when a kernel returned a status other than OK."""
    if status != OK:
        raise DivergenceError(DIVERGENCE_MESSAGE.format(t=t, lr=rule.learning_rate))


#: The compiled record of least squares (``Problem()``), the drivers' problem by default.
DEFAULT_RECORD = Problem().record()


def record_of(pb, X=None):
    """The problem record a driver kernel gets: ``pb``, or :data:`DEFAULT_RECORD` for None; for
    the drivers with full passes over ``X``, the record's class with those passes in row blocks
    on numba's threads when ``X`` is large (:func:`graddescent.problems.records.for_data`)."""
    pb = DEFAULT_RECORD if pb is None else pb
    return pb if X is None else for_data(pb, X)


def buffers(p: int, k: int = 2) -> list[np.ndarray]:
    """``k`` scratch vectors of length ``p`` for a kernel call."""
    return [np.empty(p) for _ in range(k)]


def _draw_compiled(rng, fill, block: np.ndarray) -> bool:
    """Run the compiled ``fill(block, fnptr, state)`` on ``rng``'s bit generator (holding its
    lock); False, doing nothing, when ``rng`` is no ``numpy.random.Generator`` or the JIT is
    off."""
    if numba.config.DISABLE_JIT or not isinstance(rng, np.random.Generator):
        return False
    fnptr, state = bit_generator_pointers(rng)
    with rng.bit_generator.lock:
        fill(block, fnptr, state)
    return True


def shuffle_rows(rng, block: np.ndarray) -> None:
    """Shuffle ``block`` in place exactly as ``rng.shuffle(block)`` does (the same permutation,
    the Generator's state advanced alike), by the compiled Fisher-Yates of
    :func:`graddescent._jit.shuffle`, about twice as fast, when ``rng`` is a
    ``numpy.random.Generator`` (NumPy's own shuffle otherwise)."""
    if not _draw_compiled(rng, shuffle, block):
        rng.shuffle(block)


class IndexStream:
    """An endless stream of row indices, drawn in blocks of ``n`` (one block = one epoch).

    ``scheme`` is ``"shuffle"`` (a fresh permutation per block: random reshuffling, the
    scikit-learn convention), ``"flipflop"`` (a fresh permutation for blocks 0, 2, 4, ... and
    the previous block reversed for blocks 1, 3, 5, ...: Rajput, Lee and Papailiopoulos 2022),
    ``"cyclic"`` (rows in order) or ``"replace"`` (uniform draws with replacement). Taking ``k``
    entries in several calls gives the same indices as in one call.
    """

    SCHEMES = ("shuffle", "flipflop", "cyclic", "replace")

    def __init__(self, n: int, scheme: str, block_size: int | None = None) -> None:
        if scheme not in self.SCHEMES:
            raise ValueError(f"unknown sampling scheme {scheme!r}; expected one of "
                             f"{', '.join(self.SCHEMES)}.")
        if block_size is not None and scheme != "replace":
            raise ValueError("only draws with replacement can come in blocks of another size "
                             "than an epoch.")
        self.n = n
        self.scheme = scheme
        # Draws with replacement have no epochs: a smaller block bounds their memory and
        # gives the same indices (NumPy draws each one from the same stream).
        self.block_size = n if block_size is None else max(1, min(int(block_size), n))
        # 4 bytes per row where they suffice: the block is the only per-row memory a sampled
        # fit adds to X.
        self.dtype = np.int32 if n < 2**31 else np.int64
        self.block = np.empty(0, dtype=self.dtype)
        self.pos = 0
        self.blocks = 0  # blocks drawn so far

    def _new_block(self, rng: np.random.Generator) -> None:
        if self.scheme == "flipflop" and self.blocks % 2 == 1:
            # A new array, not an in-place reversal: a pending take may still view the old one.
            self.block = np.ascontiguousarray(self.block[::-1])
        else:
            spent = self.block
            # the next permutation into the spent block when no pending take views it: no
            # allocation per epoch
            reused = (self.scheme in ("shuffle", "flipflop") and spent.shape[0] == self.n
                      and spent.flags.writeable and sys.getrefcount(spent) <= 3
                      and _draw_compiled(rng, permutation_into, spent))
            del spent
            if not reused:
                self.block = None  # release the spent block before allocating the next one
                if self.scheme == "replace":
                    self.block = rng.integers(0, self.n, size=self.block_size, dtype=self.dtype)
                else:
                    self.block = np.arange(self.n, dtype=self.dtype)
                    if self.scheme != "cyclic":
                        shuffle_rows(rng, self.block)  # the order of rng.permutation(n)
        self.blocks += 1
        self.pos = 0

    def take_batches(self, rng: np.random.Generator, n_steps: int, batch_size: int):
        """Indices for ``n_steps`` batches that never cross a block boundary.

        Returns ``(idx, first_len)``: ``idx`` concatenates the needed part of each block (a view
        of the current block when one block suffices) and ``first_len`` is the length of its
        first piece (later pieces are whole blocks of ``n`` except possibly the last).
        """
        pieces = []
        while n_steps > 0:
            if self.pos >= self.block.shape[0]:
                self._new_block(rng)
            rest = self.block.shape[0] - self.pos
            steps = min(n_steps, -(-rest // batch_size))
            used = min(steps * batch_size, rest)
            pieces.append(self.block[self.pos:self.pos + used])
            self.pos += used
            n_steps -= steps
        if not pieces:
            return np.empty(0, dtype=self.dtype), 0
        idx = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        return idx, pieces[0].shape[0]

    def take(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """The next ``k`` indices."""
        return self.take_batches(rng, k, 1)[0]

    def take_piece(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """The next indices, at most ``k`` and never past the end of the current block: a view
        of the block, no copy (the pieces in turn are the indices :meth:`take` gives)."""
        if self.pos >= self.block.shape[0]:
            self._new_block(rng)
        used = min(int(k), self.block.shape[0] - self.pos)
        piece = self.block[self.pos:self.pos + used]
        self.pos += used
        return piece


@dataclasses.dataclass
class DriverState:
    """What a driver keeps between calls; each driver that keeps anything has a subclass.

    ``objectives`` holds the objective values the driver's kernel recorded during its last
    call (the full-batch driver: one per step, at the point of its gradient), or None; the
    :class:`~graddescent.drivers.Optimizer` hands them to its :class:`DivergenceMonitor`.
    """

    objectives: np.ndarray | None = dataclasses.field(default=None, kw_only=True, repr=False)


@dataclasses.dataclass(frozen=True)
class Driver:
    """Base class: a sampling / variance-reduction loop that runs any update rule."""

    name = "driver"
    #: The driver's theory needs a Lipschitz gradient (a non-smooth loss is refused).
    needs_smooth_loss = False
    #: The driver has a sound proximal form for an L1 part of the penalty.
    proximal = True
    #: The driver's kernels keep averaged iterates (``average`` of the Optimizer): their
    #: ``run`` and ``run_epochs`` take an averaging record ``av``.
    averages = False

    def units_per_epoch(self, n: int) -> float:
        """Units (the driver's iterations) per pass over ``n`` rows."""
        return 1.0

    def gradient_evaluations(self, n: int, units: int, steps: int) -> int:
        """Row gradients evaluated by the first ``units`` units on ``n`` rows, in which the
        rule took ``steps`` update steps (``Optimizer.units`` and ``Optimizer.t``).

        Divided by ``n`` this is the work in epochs (effective passes over the data). The base
        class counts one full gradient (``n`` rows) per step; each driver states its own count.
        """
        return int(steps) * int(n)

    def init_state(self, n: int, p: int) -> DriverState:
        return DriverState()

    def check(self, n: int, rule: UpdateRule) -> None:
        """Raise ValueError when this driver cannot run ``rule`` on ``n`` rows."""
        if rule.full_batch_only and not self.is_full_batch(n):
            raise ValueError(
                f"The update rule {rule.name!r} is a full-batch method (a sign-based step breaks "
                f"on noisy mini-batch gradients); run it with the full-batch driver "
                f"(batch_size='full'), not with {self.describe(n)}."
            )

    def is_full_batch(self, n: int) -> bool:
        return False

    def is_noisy(self, n: int) -> bool:
        """True when the gradient is a plain sample estimate (mini-batch, single row): its
        iterates hover around the optimum at a constant rate instead of converging."""
        return False

    def smoothness(self, X: np.ndarray, l_max: float | None = None, problem=None,
                   sample_weight=None) -> float:
        """Smoothness constant of the gradient estimate this driver forms on ``X`` (intercept
        included): ``L_max = max_i (1 + ||x_i||^2)`` for single rows and the variance-reduced
        drivers (the step size their analyses use); the full and mini-batch drivers refine it.
        ``l_max``, when the caller already knows it, spares a pass over ``X``. With a
        ``problem`` (:class:`~graddescent.problems.Problem`) other than least squares, or
        ``sample_weight``, its constants (:meth:`~graddescent.problems.Problem.l_max`,
        :meth:`~graddescent.problems.Problem.lipschitz`) are used.
        """
        if problem is not None and not (problem.is_least_squares and sample_weight is None):
            return problem.l_max(X, sample_weight)
        return O.l_max(X) if l_max is None else l_max

    def describe(self, n: int) -> str:
        return f"the {self.name} driver"

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units, pb=None):
        """Run ``n_units`` units in place on the problem of compiled record ``pb``
        (:meth:`graddescent.problems.Problem.record`; None: least squares); return the new
        step count ``t``."""
        raise NotImplementedError

    def run_epochs(self, X, y, theta, rule, rule_state, t, driver_state, rng, snapshots,
                   pb=None, **av):
        """Run ``len(snapshots)`` epochs in place, ``theta`` copied into ``snapshots[e]`` after
        epoch ``e``; return the new step count.

        The same steps as that many calls of :meth:`run` with one epoch's units each (the
        estimator's loop); drivers may do it in one compiled call.
        """
        units = math.ceil(self.units_per_epoch(X.shape[0]))
        for e in range(snapshots.shape[0]):
            t = self.run(X, y, theta, rule, rule_state, t, driver_state, rng, units, pb, **av)
            snapshots[e] = theta
        return t

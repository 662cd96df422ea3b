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
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import objective as O
from .._jit import OK
from ..rules import UpdateRule

__all__ = ["Driver", "DriverState", "IndexStream", "DivergenceError", "DIVERGENCE_MESSAGE",
           "raise_if_diverged", "buffers"]


class DivergenceError(ValueError, FloatingPointError):
    """The iterates stopped being finite (the learning rate is too large for the data)."""


DIVERGENCE_MESSAGE = (
    "The fit diverged: the coefficients overflowed to inf/NaN after {t} update steps with "
    "learning rate {lr:g}. Scale the data (e.g. variance_scaling or StandardScaler) or lower "
    "the learning rate (alpha)."
)


def raise_if_diverged(status: int, t: int, rule: UpdateRule) -> None:
    """Raise :class:`DivergenceError` when a kernel returned a status other than OK."""
    if status != OK:
        raise DivergenceError(DIVERGENCE_MESSAGE.format(t=t, lr=rule.learning_rate))


def buffers(p: int, k: int = 2) -> list[np.ndarray]:
    """``k`` scratch vectors of length ``p`` for a kernel call."""
    return [np.empty(p) for _ in range(k)]


class IndexStream:
    """An endless stream of row indices, drawn in blocks of ``n`` (one block = one epoch).

    ``scheme`` is ``"shuffle"`` (a fresh permutation per block: random reshuffling, the
    scikit-learn convention), ``"flipflop"`` (a fresh permutation for blocks 0, 2, 4, ... and
    the previous block reversed for blocks 1, 3, 5, ...: Rajput, Lee and Papailiopoulos 2022),
    ``"cyclic"`` (rows in order) or ``"replace"`` (uniform draws with replacement). Taking ``k``
    entries in several calls gives the same indices as in one call.
    """

    SCHEMES = ("shuffle", "flipflop", "cyclic", "replace")

    def __init__(self, n: int, scheme: str) -> None:
        if scheme not in self.SCHEMES:
            raise ValueError(f"unknown sampling scheme {scheme!r}; expected one of "
                             f"{', '.join(self.SCHEMES)}.")
        self.n = n
        self.scheme = scheme
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
            self.block = None  # release the spent block before allocating the next one
            if self.scheme == "replace":
                self.block = rng.integers(0, self.n, size=self.n, dtype=self.dtype)
            else:
                self.block = np.arange(self.n, dtype=self.dtype)
                if self.scheme != "cyclic":
                    rng.shuffle(self.block)  # in place; the same order as rng.permutation(n)
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


@dataclasses.dataclass
class DriverState:
    """What a driver keeps between calls; each driver that keeps anything has a subclass."""


@dataclasses.dataclass(frozen=True)
class Driver:
    """Base class: a sampling / variance-reduction loop that runs any update rule."""

    name = "driver"

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

    def smoothness(self, X: np.ndarray) -> float:
        """Smoothness constant of the gradient estimate this driver forms on ``X`` (intercept
        included): ``L_max = max_i (1 + ||x_i||^2)`` for single rows and the variance-reduced
        drivers (the step size their analyses use); the full and mini-batch drivers refine it.
        """
        return O.l_max(X)

    def describe(self, n: int) -> str:
        return f"the {self.name} driver"

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        """Run ``n_units`` units in place; return the new step count ``t``."""
        raise NotImplementedError

    def run_epochs(self, X, y, theta, rule, rule_state, t, driver_state, rng, snapshots):
        """Run ``len(snapshots)`` epochs in place, ``theta`` copied into ``snapshots[e]`` after
        epoch ``e``; return the new step count.

        The same steps as that many calls of :meth:`run` with one epoch's units each (the
        estimator's loop); drivers may do it in one compiled call.
        """
        units = math.ceil(self.units_per_epoch(X.shape[0]))
        for e in range(snapshots.shape[0]):
            t = self.run(X, y, theta, rule, rule_state, t, driver_state, rng, units)
            snapshots[e] = theta
        return t

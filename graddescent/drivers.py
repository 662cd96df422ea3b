r"""Drivers: which gradient estimate is formed, and when.

A driver (full batch, mini-batch, single sample, SAG, SVRG, S2GD, SARAH, SARAH+) takes any
:class:`~graddescent.rules.UpdateRule` and runs it on the least-squares objective

.. math:: f(\theta) = \frac{1}{2n} \sum_i (b + x_i \cdot w - y_i)^2,
          \qquad \theta = (b, w).

Each driver draws its sample indices in Python from the caller's ``numpy.random.Generator`` and
hands them to one compiled kernel of :mod:`graddescent._kernels`; the global NumPy random state
is never touched, and a reference implementation can replay the exact same indices.

Work is counted in **units**, the driver's natural iteration (R gradDescent's ``maxIter``):
one step for the full-batch, mini-batch, single-sample and SAG drivers, one outer loop for the
variance-reduced ones. :meth:`Driver.units_per_epoch` converts epochs (passes over the data, the
scikit-learn meaning of ``max_iter``) into units.

Use :func:`optimize` (or :class:`Optimizer` to keep the state between calls).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import _kernels as K
from .rules import UpdateRule

__all__ = [
    "Driver",
    "FullBatch",
    "MiniBatch",
    "SAG",
    "SVRG",
    "S2GD",
    "SARAH",
    "SARAHPlus",
    "DRIVERS",
    "Optimizer",
    "optimize",
    "DivergenceError",
]


class DivergenceError(ValueError, FloatingPointError):
    """The iterates stopped being finite (the learning rate is too large for the data)."""


DIVERGENCE_MESSAGE = (
    "The fit diverged: the coefficients overflowed to inf/NaN after {t} update steps with "
    "learning rate {lr:g}. Scale the data (e.g. variance_scaling or StandardScaler) or lower "
    "the learning rate (alpha)."
)


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
    """What a driver keeps between calls (index streams, gradient tables, buffers)."""

    data: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Driver:
    """Base class: a sampling / variance-reduction loop that runs any update rule."""

    name = "driver"

    def units_per_epoch(self, n: int) -> float:
        """Units (the driver's iterations) per pass over ``n`` rows."""
        return 1.0

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


def _buffers(p: int, k: int = 2):
    return [np.empty(p) for _ in range(k)]


def _raise_if_diverged(status: int, t: int, rule: UpdateRule) -> None:
    if status != K.OK:
        raise DivergenceError(DIVERGENCE_MESSAGE.format(t=t, lr=rule.learning_rate))


@dataclasses.dataclass(frozen=True)
class FullBatch(Driver):
    r"""Full-batch gradient: :math:`g = \nabla f(\theta)`, one pass over the data per step.

    R gradDescent: ``GD``, ``MGD``, ``AGD``. One unit = one step = one epoch.
    """

    name = "full_batch"

    def is_full_batch(self, n: int) -> bool:
        return True

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        losses = np.empty(n_units)
        g, z = _buffers(theta.shape[0])
        t, status = K.full_batch(X, y, theta, rule_state, t, rule.code, rule.hyperparameters(),
                                 n_units, losses, g, z)
        _raise_if_diverged(status, t, rule)
        driver_state.data["losses"] = losses
        return t


@dataclasses.dataclass(frozen=True)
class MiniBatch(Driver):
    r"""Mini-batch and single-sample gradients: :math:`g = \frac{1}{|B|}\sum_{i\in B}\nabla f_i`.

    Every epoch the rows are put in a new order (``scheme``) and cut into consecutive batches
    of ``batch_size`` rows (the last one of an epoch may be smaller), so every row is used once
    per epoch. ``batch_size=None`` with ``n_batch`` set means ``ceil(n / n_batch)``.
    ``batch_size=1`` is single-sample SGD.

    ``scheme="flipflop"`` (Rajput, Lee and Papailiopoulos, *Permutation-based SGD: is random
    optimal?*, ICLR 2022) draws a fresh permutation every second epoch and runs the epochs in
    between in the reverse order of the one before. With a constant step, random reshuffling
    leaves each epoch a random error of order :math:`\alpha^2` (the step on the second batch sees
    the first batch's move: :math:`\alpha^2 H_B g_A`); reversing the order makes the next epoch's
    error of opposite sign (:math:`\alpha^2 H_A g_B`, with :math:`g_A + g_B \approx 0` near the
    optimum), so a pair of epochs leaves only :math:`\alpha^2 (H_B - H_A) g_A`. Same cost, same
    unbiasedness; measured on R's data sets at R's MBGD defaults (alpha 0.1, two batches,
    1000 steps), the median test-RMSE gap to least squares is 1.7-7 times smaller than with
    reshuffling (``python -m benchmarks.mbgd_order``).

    R gradDescent's ``MBGD`` instead cycles ``nBatch`` fixed contiguous blocks of the data shuffled
    once, drops rows when ``n`` is not divisible by ``nBatch`` and errors on one-row batches; its
    ``SGD`` draws rows with replacement. One unit = one batch step.

    Parameters
    ----------
    batch_size : int or None
        Rows per step; None uses ``n_batch``.
    n_batch : int or None
        Batches per epoch (R: ``nBatch``), used when ``batch_size`` is None; None with
        ``batch_size=None`` means the full batch.
    scheme : {"shuffle", "flipflop", "cyclic", "replace"}
        Row order within an epoch: a fresh permutation, a fresh permutation then its reverse,
        the data order, or draws with replacement.
    """

    batch_size: int | None = 1
    n_batch: int | None = None
    scheme: str = "shuffle"

    name = "mini_batch"

    def resolve_batch_size(self, n: int) -> int:
        if self.batch_size is not None:
            size = int(self.batch_size)
        elif self.n_batch is not None:
            size = -(-n // int(self.n_batch))
        else:
            size = n
        if size < 1:
            raise ValueError(f"batch_size must be at least 1, got {size}.")
        return min(size, n)

    def units_per_epoch(self, n: int) -> float:
        return float(-(-n // self.resolve_batch_size(n)))

    def is_full_batch(self, n: int) -> bool:
        return self.resolve_batch_size(n) >= n

    def describe(self, n: int) -> str:
        return f"batches of {self.resolve_batch_size(n)} of the {n} rows"

    def init_state(self, n: int, p: int) -> DriverState:
        return DriverState({"stream": IndexStream(n, self.scheme)})

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        n = X.shape[0]
        bs = self.resolve_batch_size(n)
        idx, first_len = driver_state.data["stream"].take_batches(rng, n_units, bs)
        g, z = _buffers(theta.shape[0])
        t, status = K.sampled(X, y, idx, first_len, n, bs, n_units, theta, rule_state, t,
                              rule.code, rule.hyperparameters(), g, z)
        _raise_if_diverged(status, t, rule)
        return t

    def run_epochs(self, X, y, theta, rule, rule_state, t, driver_state, rng, snapshots):
        stream = driver_state.data["stream"]
        n = X.shape[0]
        if stream.pos < stream.block.shape[0]:  # an epoch already begun: one at a time
            return super().run_epochs(X, y, theta, rule, rule_state, t, driver_state, rng,
                                      snapshots)
        bs = self.resolve_batch_size(n)
        units = -(-n // bs)
        idx, _ = stream.take_batches(rng, units * snapshots.shape[0], bs)
        g, z = _buffers(theta.shape[0])
        t, status = K.sampled_epochs(X, y, idx, bs, units, theta, rule_state, t, rule.code,
                                     rule.hyperparameters(), g, z, snapshots)
        _raise_if_diverged(status, t, rule)
        return t


@dataclasses.dataclass(frozen=True)
class SAG(Driver):
    r"""Stochastic average gradient (Le Roux, Schmidt, Bach 2012; Schmidt et al. 2017).

    With :math:`i` drawn uniformly (with replacement):
    :math:`d \mathrel{+}= \nabla f_i(\theta) - y_i`, :math:`y_i = \nabla f_i(\theta)`,
    :math:`\theta \leftarrow \mathrm{step}(\theta, d / m)` where :math:`m` is the number of
    distinct rows seen so far (``divide="seen"``, the practical form) or :math:`n`
    (``divide="n"``). For least squares only the scalar residual of each row is stored. The
    practical step is ``1 / L_max`` with ``L_max = max_i (1 + ||x_i||^2)``.

    R gradDescent's ``SAGD`` is SGD that skips each step on an unseeded coin flip: not SAG.
    One unit = one single-row step; ``n`` units per epoch.
    """

    divide: str = "seen"

    name = "sag"

    def units_per_epoch(self, n: int) -> float:
        return float(n)

    def init_state(self, n: int, p: int) -> DriverState:
        if self.divide not in ("seen", "n"):
            raise ValueError(f"divide must be 'seen' or 'n', got {self.divide!r}.")
        return DriverState({"stream": IndexStream(n, "replace"), "memory": np.zeros(n),
                            "seen": np.zeros(n, dtype=np.bool_), "dsum": np.zeros(p),
                            "n_seen": 0})

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        s = driver_state.data
        idx = s["stream"].take(rng, n_units)
        fixed_m = X.shape[0] if self.divide == "n" else 0
        g, z = _buffers(theta.shape[0])
        t, s["n_seen"], status = K.sag(X, y, idx, theta, rule_state, t, rule.code,
                                       rule.hyperparameters(), s["memory"], s["seen"], s["dsum"],
                                       s["n_seen"], fixed_m, g, z)
        _raise_if_diverged(status, t, rule)
        return t


def _inner(inner_iter: int | None, n: int) -> int:
    m = n if inner_iter is None else int(inner_iter)
    if m < 1:
        raise ValueError(f"inner_iter must be at least 1, got {inner_iter!r}.")
    return m


@dataclasses.dataclass(frozen=True)
class _Snapshot(Driver):
    """Shared machinery of SVRG and S2GD: a snapshot, its full gradient, inner steps."""

    inner_iter: int | None = None

    def units_per_epoch(self, n: int) -> float:
        return 1.0

    def lengths_and_picks(self, rng, m, n_units, rule):
        raise NotImplementedError

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        n, p = X.shape[0], theta.shape[0]
        m = _inner(self.inner_iter, n)
        idx_parts, lengths, picks = [], np.empty(n_units, np.int64), np.empty(n_units, np.int64)
        for s in range(n_units):  # one draw sequence per outer loop, whatever the chunking
            lengths[s], picks[s] = self.lengths_and_picks(rng, m, rule)
            idx_parts.append(rng.integers(0, n, size=lengths[s], dtype=np.int64))
        idx = np.concatenate(idx_parts) if idx_parts else np.empty(0, np.int64)
        mu, snap, keep, g, z = _buffers(p, 5)
        t, status = K.snapshot_vr(X, y, idx, lengths, picks, theta, rule_state, t, rule.code,
                                  rule.hyperparameters(), mu, snap, keep, g, z)
        _raise_if_diverged(status, t, rule)
        return t


@dataclasses.dataclass(frozen=True)
class SVRG(_Snapshot):
    r"""Stochastic variance-reduced gradient (Johnson & Zhang 2013).

    Each outer loop: snapshot :math:`\tilde w`, :math:`\mu = \nabla f(\tilde w)`; then
    ``inner_iter`` steps :math:`w \leftarrow \mathrm{step}(w, \nabla f_i(w) - \nabla f_i(\tilde w)
    + \mu)` with a fresh uniform :math:`i` each step. Option 1: the next snapshot is the last
    inner iterate :math:`w_m`; option 2: :math:`w_t` with :math:`t \sim U\{0..m-1\}`.

    R gradDescent's ``SVRG`` reuses one list of rows in every outer loop and its option 1 returns
    :math:`w_{m-1}`. One unit = one outer loop (one full-gradient pass plus ``inner_iter`` steps);
    ``inner_iter=None`` means ``n``.
    """

    option: int = 2

    name = "svrg"

    def lengths_and_picks(self, rng, m, rule):
        if self.option not in (1, 2):
            raise ValueError(f"option must be 1 or 2, got {self.option!r}.")
        return m, (-1 if self.option == 1 else int(rng.integers(0, m)))


def s2gd_length_law(m: int, nu_h: float) -> np.ndarray:
    r"""S2GD's law of the inner-loop length: :math:`P(t) \propto (1 - \nu h)^{m - t}`, t = 1..m."""
    if not 0.0 <= nu_h < 1.0:
        raise ValueError(f"S2GD needs 0 <= nu * learning_rate < 1, got {nu_h!r}.")
    w = (1.0 - nu_h) ** (m - np.arange(1, m + 1, dtype=np.float64))
    return w / w.sum()


@dataclasses.dataclass(frozen=True)
class S2GD(_Snapshot):
    r"""Semi-stochastic gradient descent (Konecny & Richtarik 2013/2017, Algorithm 1).

    Each outer loop: :math:`g = \nabla f(x)`; draw :math:`t \in \{1..m\}` with
    :math:`P(t) \propto (1 - \nu h)^{m-t}` (:math:`h` the learning rate; ``nu = 0`` is uniform);
    :math:`t` inner steps :math:`y \leftarrow \mathrm{step}(y, g + \nabla f_i(y) -
    \nabla f_i(x))`; :math:`x = y`. R gradDescent: ``SSGD`` (``lamda`` is :math:`\nu`), whose
    variance-reduced direction has the wrong sign. One unit = one outer loop.
    """

    nu: float = 0.0

    name = "s2gd"

    def lengths_and_picks(self, rng, m, rule):
        law = s2gd_length_law(m, float(self.nu) * rule.learning_rate)
        return int(rng.choice(m, p=law)) + 1, -1


@dataclasses.dataclass(frozen=True)
class SARAH(Driver):
    r"""StochAstic Recursive grAdient algoritHm (Nguyen, Liu, Scheinberg, Takac 2017, Alg. 1).

    Each outer loop: :math:`v_0 = \nabla f(w_0)`, :math:`w_1 = \mathrm{step}(w_0, v_0)`; for
    :math:`t = 1..m-1`: :math:`v_t = \nabla f_i(w_t) - \nabla f_i(w_{t-1}) + v_{t-1}`,
    :math:`w_{t+1} = \mathrm{step}(w_t, v_t)`; the output is :math:`w_t` with
    :math:`t \sim U\{0..m\}`. R gradDescent's ``SARAH`` never offers :math:`w_1`.
    One unit = one outer loop; ``inner_iter=None`` means ``n``.
    """

    inner_iter: int | None = None

    name = "sarah"

    def gamma(self) -> float:
        return 0.0

    def run(self, X, y, theta, rule, rule_state, t, driver_state, rng, n_units):
        n, p = X.shape[0], theta.shape[0]
        m = _inner(self.inner_iter, n)
        plus = self.gamma() > 0
        idx = np.empty(n_units * (m - 1), dtype=np.int64)
        picks = np.full(n_units, -1, dtype=np.int64)
        for s in range(n_units):
            idx[s * (m - 1):(s + 1) * (m - 1)] = rng.integers(0, n, size=m - 1)
            if not plus:
                picks[s] = rng.integers(0, m + 1)
        v, prev, keep, g, z = _buffers(p, 5)
        t, status = K.sarah(X, y, idx, m, picks, self.gamma(), theta, rule_state, t, rule.code,
                            rule.hyperparameters(), v, prev, keep, g, z)
        _raise_if_diverged(status, t, rule)
        return t


@dataclasses.dataclass(frozen=True)
class SARAHPlus(SARAH):
    r"""SARAH+ (same paper, Algorithm 2): the inner loop of :class:`SARAH` runs while
    :math:`\|v_{t-1}\|^2 > \gamma \|v_0\|^2` and :math:`t < m`; the output is the last iterate
    (:math:`w_1` when no inner step ran, so ``gamma_s = 1`` is gradient descent).

    R gradDescent's ``SARAHPlus`` tests only the intercept's component and never moves with
    ``gammaS = 1``. The paper suggests ``gamma = 1/8``.
    """

    gamma_s: float = 0.125

    name = "sarah_plus"

    def gamma(self) -> float:
        if not 0.0 < self.gamma_s <= 1.0:
            raise ValueError(f"gamma_s must lie in (0, 1], got {self.gamma_s!r}.")
        return float(self.gamma_s)


#: Driver name -> class.
DRIVERS: dict[str, type[Driver]] = {
    c.name: c for c in (FullBatch, MiniBatch, SAG, SVRG, S2GD, SARAH, SARAHPlus)
}


class Optimizer:
    """An update rule run by a driver on ``(X, y)``, with its state kept between calls.

    Parameters
    ----------
    rule : UpdateRule
    driver : Driver
    theta0 : array of shape (p,)
        Starting point, intercept first (copied).
    n_samples : int
        Rows of the data it will run on.

    Attributes
    ----------
    theta : ndarray of shape (p,)
        Current iterate, intercept first.
    t : int
        Update steps taken.
    units : int
        Units (driver iterations) run.
    """

    def __init__(self, rule: UpdateRule, driver: Driver, theta0: np.ndarray,
                 n_samples: int) -> None:
        self.rule = rule
        self.driver = driver
        self.theta = np.array(theta0, dtype=np.float64, copy=True)
        p = self.theta.shape[0]
        driver.check(n_samples, rule)
        self.rule_state = rule.init_state(p)
        self.driver_state = driver.init_state(n_samples, p)
        self.t = 0
        self.units = 0

    def run(self, X: np.ndarray, y: np.ndarray, n_units: int,
            rng: np.random.Generator) -> np.ndarray:
        """Run ``n_units`` driver iterations on ``(X, y)``; return ``theta`` (updated in place)."""
        if n_units > 0:
            self.t = self.driver.run(X, y, self.theta, self.rule, self.rule_state, self.t,
                                     self.driver_state, rng, int(n_units))
            self.units += int(n_units)
            self._check_finite()
        return self.theta

    def _check_finite(self) -> None:
        if not np.all(np.isfinite(self.theta)):
            raise DivergenceError(DIVERGENCE_MESSAGE.format(t=self.t, lr=self.rule.learning_rate))

    def run_epochs(self, X: np.ndarray, y: np.ndarray, n_epochs: int,
                   rng: np.random.Generator) -> np.ndarray:
        """Run ``n_epochs`` epochs; return ``theta`` after each, shape ``(n_epochs, p)``.

        An epoch is ``ceil(driver.units_per_epoch(n))`` units, as in :meth:`run`; the result is
        the same as running them one call at a time.
        """
        snapshots = np.empty((int(n_epochs), self.theta.shape[0]))
        if n_epochs > 0:
            self.t = self.driver.run_epochs(X, y, self.theta, self.rule, self.rule_state,
                                            self.t, self.driver_state, rng, snapshots)
            self.units += int(n_epochs) * math.ceil(self.driver.units_per_epoch(X.shape[0]))
            self._check_finite()
        return snapshots


def optimize(X: np.ndarray, y: np.ndarray, rule: UpdateRule, driver: Driver,
             theta0: np.ndarray, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """Run ``rule`` under ``driver`` for ``n_units`` units from ``theta0``; return theta.

    ``X`` must be a float64 array of shape (n, d) and ``y`` of shape (n,); ``theta0`` has length
    ``d + 1``, intercept first.

    Examples
    --------
    >>> import numpy as np
    >>> from graddescent import rules, drivers
    >>> X = np.array([[0.5], [-1.0], [1.5], [2.0]]); y = np.array([1.0, -0.5, 2.0, 3.5])
    >>> theta = drivers.optimize(X, y, rules.plain(0.1), drivers.FullBatch(), np.zeros(2), 1,
    ...                          np.random.default_rng(0))
    >>> theta
    array([0.15 , 0.275])
    """
    opt = Optimizer(rule, driver, theta0, X.shape[0])
    return opt.run(X, y, n_units, rng)

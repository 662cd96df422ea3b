"""R's global generator as the learners see it: ``set.seed`` calls and R's preamble.

R re-seeds its global generator inside the learners: ``set.seed(seed)`` before each seeded draw
and ``set.seed(NULL)`` (a clock seed) after some of them. Draws R makes after ``set.seed(NULL)``
cannot be replayed; they come from the ``unseeded_rng`` stream (all draws do when ``seed`` is
None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

import numpy as np

from .arithmetic import Gradient, row_gradient
from .errors import RError, Trace
from .rng import RRandom

__all__ = ["GradientAt", "Run", "RSession", "UnseededRNG", "as_rrandom"]

UnseededRNG = Union[RRandom, np.random.Generator, None]
GradientAt = Callable[[np.ndarray], np.ndarray]
"""A batch as the learners see it: theta -> R's gradient on that batch."""


def as_rrandom(unseeded_rng: UnseededRNG) -> RRandom:
    """Return the stream that stands in for R's clock-seeded draws."""
    if unseeded_rng is None:
        return RRandom()
    if isinstance(unseeded_rng, RRandom):
        return unseeded_rng
    if isinstance(unseeded_rng, np.random.Generator):
        return RRandom(int(unseeded_rng.integers(-(2**31) + 1, 2**31)))
    raise TypeError(
        f"unseeded_rng must be an RRandom, a numpy Generator or None, got {unseeded_rng!r}"
    )


class RSession:
    """R's global generator: ``set_seed(seed)`` re-seeds it, ``set_seed(None)`` unseeds it.

    After ``set_seed(None)`` the draws continue one stream made from ``unseeded_rng`` (built on
    first use), standing in for R's clock seeds.
    """

    def __init__(self, unseeded_rng: UnseededRNG) -> None:
        self._unseeded_rng = unseeded_rng
        self._unseeded: RRandom | None = None
        self._seeded: RRandom | None = None
        self.rng: RRandom | None = None

    def set_seed(self, seed: int | None) -> None:
        """R's ``set.seed(seed)``; None stands for ``set.seed(NULL)``."""
        if seed is not None:
            if self._seeded is None:
                self._seeded = RRandom(seed)
            else:
                self._seeded.set_seed(seed)
            self.rng = self._seeded
            return
        if self._unseeded is None:
            self._unseeded = as_rrandom(self._unseeded_rng)
        self.rng = self._unseeded


class Run(RSession):
    """One learner call after R's preamble (R-SEMANTICS.md section 3, steps 1-3).

    ``set.seed(seed)``; shuffle the rows with ``sample(n)``; ``set.seed(NULL)``; then theta0 =
    ``runif(p)`` between two ``set.seed(seed)``; a column of ones goes before the inputs.

    Parameters
    ----------
    data : numpy.ndarray of shape (n, p)
        R's ``dataTrain`` as a float matrix, output last.
    seed : int or None
        R's ``seed``.
    unseeded_rng : RRandom or numpy.random.Generator or None
        The stream standing in for R's clock-seeded draws.

    Attributes
    ----------
    x : numpy.ndarray of shape (n, p), column-major
        R's ``inputData``: ones, then the inputs, rows in R's shuffled order.
    y : numpy.ndarray of shape (n,)
        R's ``outputData``.
    theta0 : numpy.ndarray of shape (p,)
        R's initial theta.
    trace : Trace
        Where theta first stopped being finite, filled in by the learner's loop.
    """

    def __init__(self, data: np.ndarray, seed: int | None, unseeded_rng: UnseededRNG) -> None:
        super().__init__(unseeded_rng)
        self.seed = seed
        self.n, p = data.shape
        self.set_seed(seed)
        order = self.rng.sample(self.n) - 1
        self.set_seed(None)
        self.set_seed(seed)
        self.theta0 = self.rng.runif(p)
        self.set_seed(seed)
        self.x = np.empty((self.n, p), order="F")
        self.x[:, 0] = 1.0
        for j in range(p - 1):
            self.x[:, j + 1] = data[order, j]
        self.y = data[order, p - 1]
        self.full_gradient = Gradient(self.x, self.y)
        self.trace = Trace()

    def row_list(self, size: int) -> np.ndarray:
        """R's row list: ``set.seed(seed); sample(n, size, replace=TRUE); set.seed(NULL)``."""
        self.set_seed(self.seed)
        rows = self.rng.sample(self.n, size, replace=True)
        self.set_seed(None)
        return rows

    def rows(self, lo: int, hi: int) -> GradientAt:
        """The batch of rows ``lo:hi`` (0-based, ``hi`` excluded)."""
        return lambda theta: self.full_gradient(theta, lo, hi)

    def subset(self, rows: np.ndarray) -> GradientAt:
        """The batch of the given rows (0-based), summed in that order."""
        return Gradient(self.x[rows], self.y[rows])

    def row(self, i: int) -> GradientAt:
        """The batch of row ``i`` (0-based): R's gradient ``error * inputData[i, ]``."""
        values, target = self.x[i].tolist(), float(self.y[i])
        return lambda theta: np.array(row_gradient(values, target, theta.tolist()))

    def listed_row(self, rows: np.ndarray, k: int) -> GradientAt:
        """Row ``rows[k]`` with R's indexing: NA past the end, an error at index 0."""
        if k < 1:  # reached when R loops over 1:0 on an empty or short list
            raise RError("replacement has length zero (R indexes its row list with 0)")
        if k > rows.size:  # R's NA row: the coefficients become NA
            return lambda theta: np.full(theta.size, np.nan)
        return self.row(int(rows[k - 1]) - 1)

    def listed(self, max_iter: int) -> Callable[[int], GradientAt]:
        """Batches for single-row learners: R's row list of ``max_iter`` rows; iteration k
        uses the k-th listed row."""
        rows = self.row_list(max_iter)
        return lambda k: self.listed_row(rows, k)

    def random_row(self) -> GradientAt:
        """A row drawn from the current stream with ``sample(n, 1)`` (SSGD)."""
        return self.row(int(self.rng.sample(self.n, 1)[0]) - 1)

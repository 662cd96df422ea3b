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

from .arithmetic import gradient
from .errors import RError
from .inputs import DataLike, as_matrix, count
from .rng import RRandom

__all__ = ["Batch", "Run", "RSession", "UnseededRNG", "as_rrandom"]

UnseededRNG = Union[RRandom, np.random.Generator, None]
Batch = tuple[np.ndarray, np.ndarray]


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
    """

    def __init__(self, data_train: DataLike, seed: int | None, unseeded_rng: UnseededRNG) -> None:
        super().__init__(unseeded_rng)
        data = as_matrix(data_train)
        self.seed = seed
        self.n, p = data.shape
        self.set_seed(seed)
        data = data[self.rng.sample(self.n) - 1]
        self.set_seed(None)
        self.set_seed(seed)
        self.theta0 = self.rng.runif(p)
        self.set_seed(seed)
        self.x = np.column_stack([np.ones(self.n), data[:, :-1]])
        self.y = data[:, -1]

    def row_list(self, size: int) -> np.ndarray:
        """R's row list: ``set.seed(seed); sample(n, size, replace=TRUE); set.seed(NULL)``."""
        self.set_seed(self.seed)
        rows = self.rng.sample(self.n, size, replace=True)
        self.set_seed(None)
        return rows

    def all_rows(self, iteration: int) -> Batch:
        """The full batch (every iteration)."""
        return self.x, self.y

    def full_gradient(self, theta: np.ndarray) -> np.ndarray:
        """The gradient over every row."""
        return gradient(self.x, self.y, theta)

    def listed_row(self, rows: np.ndarray, k: int) -> Batch:
        """Row ``rows[k]`` with R's indexing: NA past the end, an error at index 0."""
        if k < 1:  # reached when R loops over 1:0 on an empty or short list
            raise RError("replacement has length zero (R indexes its row list with 0)")
        if k > rows.size:  # R's NA row: the coefficients become NA
            return np.full((1, self.x.shape[1]), np.nan), np.full(1, np.nan)
        i = rows[k - 1] - 1
        return self.x[i : i + 1], self.y[i : i + 1]

    def listed(self, max_iter: int) -> Callable[[int], Batch]:
        """Batches for single-row learners: R's row list of ``max_iter`` rows; iteration k
        uses the k-th listed row."""
        rows = self.row_list(count(max_iter, "max_iter", 0))
        return lambda k: self.listed_row(rows, k)

    def random_row(self) -> Batch:
        """A row drawn from the current stream with ``sample(n, 1)`` (SSGD)."""
        i = int(self.rng.sample(self.n, 1)[0]) - 1
        return self.x[i : i + 1], self.y[i : i + 1]

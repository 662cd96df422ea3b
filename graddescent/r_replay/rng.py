"""R's default random number generator, reproduced draw for draw.

R (>= 3.6) draws with ``RNGkind("Mersenne-Twister", "Inversion", "Rejection")``. This module
reproduces ``set.seed``, ``runif``, ``R_unif_index`` and ``sample`` exactly, so that the R replay
(:mod:`graddescent.r_replay`) sees the same random numbers as R. The raw 32-bit words come
from NumPy's :class:`numpy.random.MT19937` (the reference MT19937), driven through its ``state``
dict: only R's seeding, its conversion of words to uniforms and its index sampling are written
here (the index draws as compiled loops, :mod:`~graddescent.r_replay.kernels`). The global NumPy
random state is never used.
"""

from __future__ import annotations

import math
import numbers
import secrets
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .kernels import apply_draws, indices_below

__all__ = ["RRandom"]

_N_WORDS = 624  # Mersenne-Twister state size
_TWO_POW_M32 = 2.3283064365386963e-10  # 2**-32: R's MT_genrand scale
_HALF_I2_32M1 = 0.5 * 2.328306437080797e-10  # half of 1 / (2**32 - 1): R's fixup offset
_HASH_MIN_N = 1e7  # sample.int switches to the hash algorithm (sample2) above this n


@lru_cache(maxsize=32)
def _scrambled_state(seed: int) -> np.ndarray:
    """Return the 624 Mersenne-Twister words R's ``set.seed(seed)`` installs.

    R's ``RNG_Init``: fifty rounds of the LCG ``s = 69069 s + 1 (mod 2**32)``, then 625 more
    whose values fill ``.Random.seed[2:626]``; the first (the position counter) is then
    overwritten with 624, so the state words are the last 624 values.
    """
    s = seed
    for _ in range(50):
        s = (69069 * s + 1) & 0xFFFFFFFF
    words = np.empty(_N_WORDS + 1, dtype=np.uint32)
    for j in range(_N_WORDS + 1):
        s = (69069 * s + 1) & 0xFFFFFFFF
        words[j] = s
    key = words[1:]
    key.flags.writeable = False
    return key


def _fixup(u: np.ndarray) -> np.ndarray:
    """Move uniforms that are 0 or 1 into (0, 1), as R's ``fixup`` in ``unif_rand`` does."""
    u = np.where(u <= 0.0, _HALF_I2_32M1, u)
    return np.where(1.0 - u <= 0.0, 1.0 - _HALF_I2_32M1, u)


def _as_r_integer(seed: object) -> int:
    """Convert a seed as ``set.seed`` does (``as.integer``), returned as unsigned 32 bits."""
    if isinstance(seed, numbers.Integral):
        value = int(seed)
    elif isinstance(seed, numbers.Real) and math.isfinite(float(seed)):
        value = math.trunc(float(seed))  # as.integer truncates toward zero
    else:
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    if not -(2**31) < value < 2**31:  # NA_integer_ or out of range: R refuses it
        raise ValueError(f"supplied seed is not a valid integer: {seed!r}")
    return value & 0xFFFFFFFF


def _check_count(value: object, name: str) -> int:
    """Return ``value`` as a non-negative int, or raise."""
    if not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


class RRandom:
    """R's default random number generator (Mersenne-Twister, Inversion, Rejection).

    Each instance is an independent stream that reproduces R >= 3.6 exactly: after
    ``RRandom(s)`` the draws equal R's after ``set.seed(s)``.

    Parameters
    ----------
    seed : int or None, default=None
        Seed as given to R's ``set.seed``. ``None`` seeds from operating-system entropy, like
        ``set.seed(NULL)`` (not reproducible).

    Notes
    -----
    Supported draws: :meth:`runif`, :meth:`unif_index` (R's ``R_unif_index``), :meth:`sample`
    (``sample(n)``, ``sample(n, k)``, ``sample(n, k, replace=TRUE)``, 1-based like R) and
    :meth:`sample_from` (``sample(v, ...)`` for a vector ``v``). R's own ``sample(x)`` treats a
    single number ``x >= 1`` as ``sample(1:x)``; here that is always spelled ``sample(n)``.

    Examples
    --------
    >>> rng = RRandom(1)
    >>> rng.runif(2)  # R: set.seed(1); runif(2)
    array([0.26550866, 0.3721239 ])
    >>> RRandom(1).sample(10)  # R: set.seed(1); sample(10)
    array([ 9,  4,  7,  1,  2,  5,  3, 10,  6,  8])
    """

    def __init__(self, seed: int | None = None) -> None:
        self._bitgen = np.random.MT19937(0)  # state replaced by set_seed
        self.set_seed(seed)

    def set_seed(self, seed: int | None) -> None:
        """Re-seed the stream exactly as R's ``set.seed(seed)``.

        Parameters
        ----------
        seed : int or None
            An R integer (``abs(seed) < 2**31``; a float is truncated like ``as.integer``), or
            ``None`` for a seed from operating-system entropy (R's ``set.seed(NULL)``).
        """
        value = secrets.randbits(32) if seed is None else _as_r_integer(seed)
        # pos = 624 makes the next draw regenerate the whole state, as R's mti = N does.
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": _scrambled_state(value), "pos": _N_WORDS},
        }
        self._buffer = np.empty(0)  # uniforms generated but not yet consumed
        self._pos = 0

    # -- the stream of uniforms ------------------------------------------------------------
    def _peek(self, k: int) -> np.ndarray:
        """Return the next ``k`` uniforms of R's ``unif_rand`` without consuming them."""
        available = self._buffer.size - self._pos
        if available < k:
            words = self._bitgen.random_raw(max(k - available, _N_WORDS))
            fresh = _fixup(words * _TWO_POW_M32)
            self._buffer = np.concatenate([self._buffer[self._pos :], fresh])
            self._pos = 0
        return self._buffer[self._pos : self._pos + k]

    def _take(self, k: int) -> np.ndarray:
        """Consume and return the next ``k`` uniforms."""
        out = self._peek(k)
        self._pos += k
        return out

    def runif(self, k: int, a: float = 0.0, b: float = 1.0) -> np.ndarray:
        """Draw ``k`` uniforms on ``(a, b)`` exactly as R's ``runif(k, a, b)``.

        Parameters
        ----------
        k : int
            Number of draws.
        a, b : float, default=0, 1
            Bounds, finite with ``a <= b``. When ``a == b`` R returns ``a`` without drawing.

        Returns
        -------
        numpy.ndarray
            ``a + (b - a) * u`` for ``k`` consecutive uniforms ``u``.
        """
        k = _check_count(k, "k")
        if not (math.isfinite(a) and math.isfinite(b)) or b < a:
            raise ValueError(f"runif needs finite a <= b, got a={a!r}, b={b!r}")
        if a == b:
            return np.full(k, float(a))
        return a + (b - a) * self._take(k)

    # -- random indices ----------------------------------------------------------------------
    def unif_index(self, n: int) -> int:
        """Draw an index below ``n`` exactly as R's ``R_unif_index`` (sample.kind "Rejection").

        Parameters
        ----------
        n : int
            Exclusive upper bound; ``n <= 0`` returns 0 without drawing, as R does.

        Returns
        -------
        int
            A uniformly distributed integer in ``[0, n)``.
        """
        return int(self._indices_below([n])[0])

    def _indices_below(self, bounds: Sequence[int]) -> np.ndarray:
        """One ``R_unif_index(m)`` for each bound m, in order (int64 array).

        Each attempt builds an integer from 16-bit chunks ``floor(u * 65536)`` of consecutive
        uniforms, keeps its low bits and is rejected unless below m. A compiled loop reads a
        window of upcoming uniforms and this method consumes exactly those it used.
        """
        bounds = np.asarray(bounds, dtype=np.int64).reshape(-1)
        out = np.empty(bounds.size, dtype=np.int64)
        done = 0
        while done < bounds.size:
            chunks = (int(bounds[done:].max()) - 1).bit_length() // 16 + 1
            window = self._peek(2 * (bounds.size - done) * chunks + 64)
            count, used = indices_below(window, bounds[done:], out[done:])
            self._pos += used
            done += count
        return out

    def sample(self, n: int, k: int | None = None, replace: bool = False) -> np.ndarray:
        """Draw like R's ``sample(n, k, replace)`` (``sample.int``); results are 1-based.

        Parameters
        ----------
        n : int
            Population ``1..n``.
        k : int or None, default=None
            Number of draws; ``None`` means ``n`` (a permutation).
        replace : bool, default=False
            Draw with replacement.

        Returns
        -------
        numpy.ndarray of int64
            The ``k`` values drawn, in R's order.

        Raises
        ------
        ValueError
            Where R raises: ``k > n`` without replacement, or ``n == 0`` with ``k > 0``.
        """
        n = _check_count(n, "n")
        k = n if k is None else _check_count(k, "k")
        if n == 0 and k > 0:
            raise ValueError("invalid first argument: cannot sample from an empty population")
        if replace or k < 2:
            return self._indices_below(np.full(k, n)) + 1
        if k > n:
            raise ValueError(
                "cannot take a sample larger than the population when 'replace = FALSE'"
            )
        if n > _HASH_MIN_N and k <= n / 2:
            return self._sample_hashed(n, k)
        # do_sample: pick j below the remaining length, emit x[j] + 1, move the last into x[j].
        return apply_draws(n, self._indices_below(np.arange(n, n - k, -1)))

    def _sample_hashed(self, n: int, k: int) -> np.ndarray:
        """R's ``sample2`` (n > 1e7, k <= n/2): redraw duplicates, at most 100 tries each."""
        seen: set[int] = set()
        out = np.empty(k, dtype=np.int64)
        for i in range(k):
            for _ in range(100):
                value = self.unif_index(n) + 1
                if value not in seen:
                    break
            seen.add(value)
            out[i] = value
        return out

    def sample_from(
        self, values: object, k: int | None = None, replace: bool = False
    ) -> np.ndarray:
        """Draw from a vector like R's ``sample(v, k, replace)`` for ``length(v) >= 2``.

        Parameters
        ----------
        values : array_like
            The vector to draw from (1-D).
        k : int or None, default=None
            Number of draws; ``None`` means ``len(values)``.
        replace : bool, default=False
            Draw with replacement.

        Returns
        -------
        numpy.ndarray
            ``values`` at the positions :meth:`sample` draws.
        """
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError("values must be one-dimensional")
        return values[self.sample(values.size, k, replace) - 1]

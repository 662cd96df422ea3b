r"""Which rows a sampled driver visits: the row-index stream and the compiled shuffle.

Every sampled driver draws its row indices from the caller's ``numpy.random.Generator`` through
an :class:`IndexStream` (one block of ``n`` indices per epoch), so that the same seed gives the
same rows whatever the driver; :func:`shuffle_rows` shuffles exactly as ``Generator.shuffle``
does, in compiled code.
"""

from __future__ import annotations

import sys

import numba
import numpy as np

from .._jit import INTEGERS_MAX, bit_generator_pointers, integers_into, permutation_into, shuffle

__all__ = ["IndexStream", "RowDraws", "index_dtype", "shuffle_rows", "uniform_rows_into"]


def _draw_compiled(rng, fill, block: np.ndarray, *args) -> bool:
    """Run the compiled ``fill(block, *args, fnptr, state)`` on ``rng``'s bit generator
    (holding its lock); False, doing nothing, when ``rng`` is no ``numpy.random.Generator`` or
    the JIT is off."""
    if numba.config.DISABLE_JIT or not isinstance(rng, np.random.Generator):
        return False
    fnptr, state = bit_generator_pointers(rng)
    with rng.bit_generator.lock:
        fill(block, *args, fnptr, state)
    return True


def index_dtype(n: int | None) -> type:
    """The type of row indices below ``n``: ``int32`` when ``n <= 2**31`` (every index fits),
    else (or when ``n`` is not given) ``int64``."""
    return np.int32 if n is not None and n <= 2**31 else np.int64


def shuffle_rows(rng, block: np.ndarray) -> None:
    """Shuffle ``block`` in place exactly as ``rng.shuffle(block)`` does (the same permutation,
    the Generator's state advanced alike), by the compiled Fisher-Yates of
    :func:`graddescent._jit.shuffle`, about twice as fast, when ``rng`` is a
    ``numpy.random.Generator`` (NumPy's own shuffle otherwise)."""
    if not _draw_compiled(rng, shuffle, block):
        rng.shuffle(block)


def uniform_rows_into(rng, n: int, out: np.ndarray) -> None:
    """Write ``rng.integers(0, n, size=out.shape[0])`` into ``out`` (the same integers, the
    Generator's state advanced alike), by the compiled draw of
    :func:`graddescent._jit.integers_into` when ``rng`` is a ``numpy.random.Generator`` and
    ``n <= 2**32``, without the new array NumPy would return."""
    if not (1 <= n <= INTEGERS_MAX and _draw_compiled(rng, integers_into, out, n)):
        out[:] = rng.integers(0, n, size=out.shape[0], dtype=out.dtype)


class RowDraws:
    """One buffer of row indices that a driver refills at each call, so that the indices of an
    epoch (n of them for SVRG or SARAH: as large as a column of ``X``) are not a new array per
    call: a fresh allocation of that size is new memory from the system on each call (page
    faults, and a cold TLB for the kernel that reads it), which measured up to a third of an
    SVRG epoch at 100_000 x 8, depending on the allocator's state."""

    def __init__(self) -> None:
        self._buffer = np.empty(0, dtype=np.int64)

    def __getstate__(self) -> dict:
        return {}  # scratch space: a pickled fit does not carry it

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    @property
    def buffer(self) -> np.ndarray:
        """The buffer as kept between calls."""
        return self._buffer

    def take(self, size: int, n: int | None = None) -> np.ndarray:
        """A writable array of ``size`` row indices below ``n`` (its values unspecified), a
        view of the buffer kept for the next call, grown as needed and not kept more than four
        times as large as asked for: ``int32`` when ``n`` fits (:func:`index_dtype`), as the
        blocks of :class:`IndexStream` (half the memory, and the compiled draw and the driver
        kernels are compiled for one index type), else ``int64``."""
        size = int(size)
        dtype = index_dtype(n)
        if not (size <= self._buffer.shape[0] <= 4 * max(size, 1)
                and self._buffer.dtype == dtype):
            self._buffer = None  # release the old buffer before allocating the new one
            self._buffer = np.empty(size, dtype=dtype)
        return self._buffer[:size]


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
        self.dtype = index_dtype(n)
        self.block = np.empty(0, dtype=self.dtype)
        self.pos = 0
        self.blocks = 0  # blocks drawn so far

    def _new_block(self, rng: np.random.Generator) -> None:
        if self.scheme == "flipflop" and self.blocks % 2 == 1:
            # A new array, not an in-place reversal: a pending take may still view the old one.
            self.block = np.ascontiguousarray(self.block[::-1])
        else:
            spent = self.block
            # the next block into the spent one when no pending take views it: no allocation
            # per epoch
            reused = (spent.shape[0] == self.block_size and spent.flags.writeable
                      and sys.getrefcount(spent) <= 3 and self._redraw(rng, spent))
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

    def _redraw(self, rng, block: np.ndarray) -> bool:
        """Draw the next block into the spent ``block``; False, doing nothing, where that
        cannot be done (a permutation outside compiled code, or rows in order)."""
        if self.scheme == "replace":
            uniform_rows_into(rng, self.n, block)
            return True
        return self.scheme != "cyclic" and _draw_compiled(rng, permutation_into, block)

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

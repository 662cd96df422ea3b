"""The caller's random numbers drawn in compiled code: NumPy's bounded integers and shuffle."""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .compile import kernel

__all__ = ["next_uint32", "bit_generator_pointers", "random_interval", "shuffle",
           "permutation_into", "integers_into", "INTEGERS_MAX"]

# --- the caller's random numbers, drawn in compiled code -----------------------------------------
# A sampled driver shuffles the rows of every epoch. Drawing each epoch's order in Python means
# one call per epoch or an index array for many epochs at once; instead the kernels draw it
# themselves from the caller's numpy.random.Generator, through the C function its bit generator
# exposes (``bit_generator.ctypes.next_uint32``), with NumPy's own algorithm (Fisher-Yates with
# masked rejection, as ``Generator.shuffle``): the same permutations, bit for bit, and the
# Generator's state advances exactly as if NumPy had drawn them.
@intrinsic
def _next_uint32_jit(typingctx, fnptr, state):
    """Call the bit generator's ``uint32_t next_uint32(void *state)`` at address ``fnptr``."""
    if not isinstance(fnptr, types.Integer) or not isinstance(state, types.Integer):
        return None
    sig = types.uint32(fnptr, state)

    def codegen(context, builder, signature, args):
        i8p = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.IntType(32), [i8p])
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        return builder.call(fn, [builder.inttoptr(args[1], i8p)])

    return sig, codegen


def _next_uint32_python(fnptr, state):
    """Pure-Python stand-in used when numba's JIT is disabled."""
    import ctypes

    return ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p)(fnptr)(state)


next_uint32 = _next_uint32_python if numba.config.DISABLE_JIT else _next_uint32_jit


_PyCapsule_GetPointer = None


def bit_generator_pointers(rng) -> tuple[int, int]:
    """``(next_uint32 address, state address)`` of a ``numpy.random.Generator``'s bit generator,
    for :func:`shuffle`; hold ``rng.bit_generator.lock`` while a kernel draws from it.

    Read from the bit generator's ``bitgen_t`` (NumPy's C API: ``state``, ``next_uint64``,
    ``next_uint32``, ... in that order) through its capsule, which leaves nothing behind,
    where ``bit_generator.ctypes`` would build and keep an interface object on each new
    Generator (a few kilobytes per fit).
    """
    import ctypes

    global _PyCapsule_GetPointer
    if _PyCapsule_GetPointer is None:
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype = ctypes.c_void_p
        get.argtypes = [ctypes.py_object, ctypes.c_char_p]
        _PyCapsule_GetPointer = get
    bitgen = _PyCapsule_GetPointer(rng.bit_generator.capsule, b"BitGenerator")
    size = ctypes.sizeof(ctypes.c_void_p)
    return (ctypes.c_void_p.from_address(bitgen + 2 * size).value,
            ctypes.c_void_p.from_address(bitgen).value)


@kernel
def random_interval(fnptr, state, high):
    """A uniform integer in ``[0, high]``: NumPy's ``random_interval`` (the smallest bit mask
    covering ``high``, then 32-bit draws rejected above ``high``; ``high < 2**32``)."""
    if high == 0:
        return 0
    mask = high
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    while True:
        value = next_uint32(fnptr, state) & mask
        if value <= high:
            return value


@kernel
def shuffle(order, fnptr, state):
    """Shuffle ``order`` in place exactly as ``Generator.shuffle(order)`` would."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = random_interval(fnptr, state, i)
        tmp = order[j]
        order[j] = order[i]
        order[i] = tmp


@kernel
def permutation_into(order, fnptr, state):
    """Write ``rng.permutation(n)`` into ``order`` (``n`` entries): ``0..n-1`` shuffled as
    :func:`shuffle` does, without a new array."""
    for i in range(order.shape[0]):
        order[i] = i
    shuffle(order, fnptr, state)


#: The largest ``high`` :func:`integers_into` draws below (NumPy's 32-bit path).
INTEGERS_MAX = 2**32


@kernel
def integers_into(out, high, fnptr, state):
    """Write ``rng.integers(0, high, size=out.shape[0])`` into ``out``, ``1 <= high <= 2**32``:
    NumPy's bounded integers for a range that fits 32 bits (its ``random_bounded_uint64_fill``
    and ``random_bounded_uint32_fill`` agree there), Lemire's multiply-shift with rejection of
    the ``(2**32 - high) % high`` low products that would bias it (D. Lemire, "Fast random
    integer generation in an interval", ACM TOMACS 2019), one 32-bit draw per try. The same
    integers, bit for bit, and the Generator's state advances as if NumPy had drawn them."""
    if high == 1:
        for k in range(out.shape[0]):
            out[k] = 0
        return
    if high == 4294967296:  # the whole 32-bit range: the draws themselves
        for k in range(out.shape[0]):
            out[k] = next_uint32(fnptr, state)
        return
    span = np.uint64(high)
    low_mask = np.uint64(0xFFFFFFFF)
    threshold = (np.uint64(4294967296) - span) % span
    for k in range(out.shape[0]):
        m = np.uint64(next_uint32(fnptr, state)) * span
        if (m & low_mask) < span:  # span bounds the threshold: a cheap first test
            while (m & low_mask) < threshold:
                m = np.uint64(next_uint32(fnptr, state)) * span
        out[k] = m >> np.uint64(32)

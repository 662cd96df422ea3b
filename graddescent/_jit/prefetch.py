"""Software prefetch: the CPU's prefetch instruction as numba intrinsics."""

from __future__ import annotations

import llvmlite
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .compile import kernel

__all__ = ["prefetch_row", "prefetch_item", "prefetch_distance", "PREFETCH_BYTES"]

# --- software prefetch -------------------------------------------------------------------------
# The sampled drivers visit the rows of X in a random order, so on data larger than the caches
# every step waits for main memory (about 100 ns). The order is known in advance (``idx``), so
# the kernels ask for the row ``PREFETCH_BYTES`` ahead with the CPU's prefetch instruction;
# this changes no result, only when the bytes arrive. A prefetch never faults.
PREFETCH_BYTES = 2048  # bytes of rows requested ahead; the distance is 8 to 16 rows
_LINE = 64  # cache-line size in bytes


def _prefetch_fn(builder):
    """``llvm.prefetch`` (read, high locality, data cache) declared in ``builder``'s module."""
    i8p = ir.IntType(8).as_pointer()
    typed = (llvmlite.binding.llvm_version_info[0] < 17
             and not getattr(llvmlite, "opaque_pointers_enabled", False))
    fnty = ir.FunctionType(ir.VoidType(), [i8p] + [ir.IntType(32)] * 3)
    name = "llvm.prefetch.p0i8" if typed else "llvm.prefetch.p0"
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    consts = [ir.Constant(ir.IntType(32), v) for v in (0, 3, 1)]
    return fn, i8p, consts


def _prefetch_signature(a, i, ndim: int):
    """The typing of a prefetch intrinsic: ``void(a, i)`` for an ``ndim``-D array ``a`` and an
    integer ``i``, else None (numba then reports the call as untyped)."""
    if not isinstance(a, types.Array) or a.ndim != ndim or not isinstance(i, types.Integer):
        return None
    return types.void(a, i)


def _prefetch_start(context, builder, signature, args, trailing: int):
    """``(array, i8* address of item (args[1], 0, ...), prefetch function, its constant
    arguments, intp type)`` for an intrinsic's codegen (``trailing`` zero indices after
    ``args[1]``)."""
    aryty = signature.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    intp = context.get_value_type(types.intp)
    first = context.cast(builder, args[1], signature.args[1], types.intp)
    indices = [first] + [ir.Constant(intp, 0)] * trailing
    ptr = cgutils.get_item_pointer(context, builder, aryty, ary, indices, wraparound=False)
    fn, i8p, consts = _prefetch_fn(builder)
    return ary, builder.bitcast(ptr, i8p), fn, consts, intp


@intrinsic
def _prefetch_row_jit(typingctx, a, i):
    """Prefetch the cache lines of row ``i`` of a C-contiguous 2-D array (no-op otherwise)."""
    sig = _prefetch_signature(a, i, 2)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        if aryty.layout != "C":
            return context.get_dummy_value()
        ary, base, fn, consts, intp = _prefetch_start(context, builder, signature, args, 1)
        ncol = cgutils.unpack_tuple(builder, ary.shape, 2)[1]
        nbytes = builder.mul(ncol, ir.Constant(intp, aryty.dtype.bitwidth // 8))
        with cgutils.for_range_slice(builder, ir.Constant(intp, 0), nbytes,
                                     ir.Constant(intp, _LINE), intp=intp) as (off, _):
            builder.call(fn, [builder.gep(base, [off])] + consts)
        # the row may straddle one more line than nbytes / 64
        last = builder.sub(nbytes, ir.Constant(intp, 1))
        builder.call(fn, [builder.gep(base, [last])] + consts)
        return context.get_dummy_value()

    return (sig, codegen) if sig is not None else None


@intrinsic
def _prefetch_item_jit(typingctx, a, i):
    """Prefetch the cache line of ``a[i]`` (1-D array)."""
    sig = _prefetch_signature(a, i, 1)

    def codegen(context, builder, signature, args):
        _, base, fn, consts, _ = _prefetch_start(context, builder, signature, args, 0)
        builder.call(fn, [base] + consts)
        return context.get_dummy_value()

    return (sig, codegen) if sig is not None else None


def _prefetch_noop(a, i):
    """Pure-Python stand-in used when numba's JIT is disabled."""


if numba.config.DISABLE_JIT:
    prefetch_row = prefetch_item = _prefetch_noop
else:
    prefetch_row = _prefetch_row_jit
    prefetch_item = _prefetch_item_jit


@kernel
def prefetch_distance(X):
    """How many rows ahead to prefetch: ``PREFETCH_BYTES`` worth of rows, within [8, 16].

    (Measured on random row orders at 1_000_000 x 8 and x 32: 8 to 16 rows ahead beat 2 to 6.)
    """
    row_bytes = max(X.shape[1] * X.itemsize, 1)
    return min(max(PREFETCH_BYTES // row_bytes, 8), 16)

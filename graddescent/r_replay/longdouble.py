"""R's ``long double`` inside compiled code: the x87 80-bit format as a numba type.

R accumulates ``sum``, ``mean`` and ``var`` in C's ``long double``, which on x86-64 is the x87
extended format (64-bit significand). numba has no such type, but LLVM has (``x86_fp80``), so
this module declares one: :data:`longdouble` is a numba type whose values are LLVM ``x86_fp80``
values, and the intrinsics below are single LLVM instructions on them (``fpext``, ``fadd``,
``fsub``, ``fmul``, ``fdiv``, ``fcmp``, ``fptrunc``). Each rounds exactly as the C code R was
compiled from, so a compiled loop written with them performs R's long-double arithmetic
operation for operation: no emulation to prove, the same hardware instructions.

Only x86 processors have this format. :func:`available` says whether it can be used here (an
x86 process, compiled code enabled, and 64-bit x87 precision in effect); elsewhere the replay
falls back to NumPy's ``longdouble`` (see :mod:`~graddescent.r_replay.arithmetic`). Nothing is
compiled at import.
"""

from __future__ import annotations

from functools import cache

import llvmlite.binding as llvm
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.datamodel import models
from numba.extending import intrinsic, register_model

__all__ = [
    "available",
    "longdouble",
    "ld_add",
    "ld_div",
    "ld_gt",
    "ld_lt",
    "ld_mul",
    "ld_sub",
    "narrow",
    "widen",
]


class _X86FP80(ir.Type):
    """LLVM's ``x86_fp80`` (llvmlite spells only half, float and double)."""

    def _to_string(self) -> str:
        return "x86_fp80"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _X86FP80)

    def __hash__(self) -> int:
        return hash(_X86FP80)


_FP80 = _X86FP80()


class LongDouble(types.Type):
    """numba type of an x87 extended-precision value (C's ``long double`` on x86)."""

    def __init__(self) -> None:
        super().__init__(name="longdouble80")


longdouble = LongDouble()


@register_model(LongDouble)
class _LongDoubleModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:
        super().__init__(dmm, fe_type, _FP80)


@intrinsic
def widen(typingctx, x):
    """``(long double) x`` for a float64 ``x`` (exact)."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.fpext(args[0], _FP80)

    return longdouble(types.float64), codegen


@intrinsic
def narrow(typingctx, a):
    """``(double) a``: round to nearest double, as C's conversion does."""
    if a != longdouble:
        return None

    def codegen(context, builder, signature, args):
        return builder.fptrunc(args[0], ir.DoubleType())

    return types.float64(longdouble), codegen


def _binary(instruction: str, result):
    """An intrinsic applying one LLVM instruction to two long doubles."""

    def typer(typingctx, a, b):
        if a != longdouble or b != longdouble:
            return None

        def codegen(context, builder, signature, args):
            if instruction.startswith("fcmp "):
                return builder.fcmp_ordered(instruction[5:], *args)
            return getattr(builder, instruction)(*args)

        return result(longdouble, longdouble), codegen

    typer.__name__ = f"ld_{instruction.replace('fcmp ', '')}"
    return intrinsic(typer)


ld_add = _binary("fadd", longdouble)
"""``a + b`` in long double."""
ld_sub = _binary("fsub", longdouble)
"""``a - b`` in long double."""
ld_mul = _binary("fmul", longdouble)
"""``a * b`` in long double."""
ld_div = _binary("fdiv", longdouble)
"""``a / b`` in long double."""
ld_gt = _binary("fcmp >", types.boolean)
"""``a > b`` (false when either is NaN)."""
ld_lt = _binary("fcmp <", types.boolean)
"""``a < b`` (false when either is NaN)."""


@numba.njit(cache=True)
def _probe(values: np.ndarray) -> float:
    """A left-to-right long-double sum (the self-check of :func:`available`)."""
    total = widen(0.0)
    for v in values:
        total = ld_add(total, widen(v))
    return narrow(total)


@cache
def available() -> bool:
    """Whether compiled long-double arithmetic can be used in this process.

    True on x86 with compiled code enabled, once a probe shows 64-bit precision in effect:
    ``1 + 2**-60 - 1`` must give ``2**-60`` (a 53-bit precision setting would give 0).

    Returns
    -------
    bool
    """
    if numba.config.DISABLE_JIT:
        return False
    if not llvm.get_process_triple().startswith(("x86_64", "i386", "i486", "i586", "i686")):
        return False
    tiny = 2.0**-60
    return _probe(np.array([1.0, tiny, -1.0])) == tiny

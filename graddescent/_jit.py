"""How every compiled kernel is compiled: one decorator, the prefetch intrinsics, status codes.

Every kernel of the engine (:mod:`graddescent.objective`, the rule modules of
:mod:`graddescent.rules`, the driver modules of :mod:`graddescent.drivers`) is a module-level
function decorated with :func:`kernel`: ``numba.njit`` with the options below and an on-disk
cache beside the package. With ``NUMBA_DISABLE_JIT=1`` the very same code runs as plain
Python, which is how the test suite checks it against independent references.

Options. ``nogil``: fits may run in threads. ``error_model="numpy"``: a float division by zero
gives inf/NaN (caught as :data:`DIVERGED`) instead of raising, which spares a branch per division
and lets the compiler vectorize the per-coordinate loops of the rules. ``_nrt=False``: no
reference counting, as no kernel allocates (numba's own option; skipped if a numba version lacks
it, at the cost of speed only).

Cache. numba keys a cached function on its own source file only, but a driver kernel inlines the
rule's step from another module: editing ``rules/adam.py`` would leave a stale driver kernel in
the cache. :class:`_EngineCache` adds a hash of the sources of every engine module to the key,
so any edit of the engine recompiles what depends on it (installed copies never change, so
users always hit the cache).
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path

import llvmlite
import numba
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils, cpu
from numba.core.caching import FunctionCache
from numba.extending import intrinsic, overload

__all__ = ["kernel", "choose", "OK", "DIVERGED", "prefetch_row", "prefetch_item",
           "prefetch_distance", "BLOCK_ROWS", "PARALLEL_MIN_VALUES", "n_blocks", "block_range",
           "use_threads", "on_first_compile"]

#: Kernel status: every kernel returns one.
OK = 0
#: A residual or gradient stopped being finite; the kernel stopped at once.
DIVERGED = 1

_JIT_OPTIONS = {"nogil": True, "error_model": "numpy"}
if hasattr(cpu.CPUTargetOptions, "_nrt"):
    _JIT_OPTIONS["_nrt"] = False

_HERE = Path(__file__).resolve().parent
_ENGINE_GLOBS = ("_jit.py", "objective.py", "rules/*.py", "drivers/*.py", "problems/*.py",
                 "problems/*/*.py")
_engine_hash: str | None = None


def _engine_source_hash() -> str:
    """SHA-256 of the sources of every engine module (computed once per process)."""
    global _engine_hash
    if _engine_hash is None:
        h = hashlib.sha256()
        for pattern in _ENGINE_GLOBS:
            for path in sorted(_HERE.glob(pattern)):
                h.update(path.name.encode())
                h.update(path.read_bytes())
        _engine_hash = h.hexdigest()
    return _engine_hash


class _EngineCache(FunctionCache):
    """numba's on-disk cache, keyed also on the sources of the whole engine (see above)."""

    def _index_key(self, sig, codegen):
        key = super()._index_key(sig, codegen)
        return key[:-1] + (key[-1] + (_engine_source_hash(),),)


class _LazyCache:
    """The dispatcher's :class:`_EngineCache`, made at its first use (its first compile or
    cache load) rather than at import: setting up a cache checks that its folder is writable,
    which costs more than a tenth of a millisecond per kernel."""

    def __init__(self, py_func) -> None:
        self._py_func = py_func
        self._cache: _EngineCache | None = None

    def __getattr__(self, name: str):
        if self._cache is None:
            self._cache = _EngineCache(self._py_func)
        return getattr(self._cache, name)


def kernel(fn=None, *, inline: bool = False, parallel: bool = False):
    """Compile ``fn`` with the engine's options and the engine's on-disk cache.

    ``inline=True`` (``@kernel(inline=True)``) inlines the function into its callers at
    numba's level (``inline="always"``): for the small helpers of the inner loops (a residual,
    a moment update, a prefetch), whose call would otherwise cost as much as their work when
    LLVM decides not to inline them.

    ``parallel=True``: a full pass over the rows (see "Full passes" below), compiled with
    numba's ``parallel=True`` (its ``prange`` loops run on numba's threads) and with numba's
    runtime, as it allocates its per-block partial sums (the option is set explicitly: a
    kernel called from a kernel compiled without the runtime would otherwise inherit that).
    """
    if fn is None:
        return lambda f: kernel(f, inline=inline, parallel=parallel)
    options = dict(_JIT_OPTIONS, inline="always") if inline else _JIT_OPTIONS
    if parallel:
        options = dict(options, parallel=True)
        if "_nrt" in options:
            options["_nrt"] = True
    dispatcher = njit(**options)(fn)
    if not numba.config.DISABLE_JIT:
        dispatcher._cache = _LazyCache(dispatcher.py_func)
    return dispatcher


class _FirstCompile:
    """numba's ``numba:compile`` event (a compile, not a load from the cache) of a kernel of
    this package, reported once to the callbacks of :func:`on_first_compile`."""

    callbacks: list[Callable[[], None]] = []
    listener = None

    @classmethod
    def install(cls, callback: Callable[[], None]) -> None:
        cls.callbacks.append(callback)
        if cls.listener is not None:
            return
        from numba.core import event

        class Listener(event.Listener):
            def on_start(self, ev) -> None:
                dispatcher = (ev.data or {}).get("dispatcher")
                module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
                if module.split(".")[0] == __name__.split(".")[0] and cls.callbacks:
                    todo, cls.callbacks[:] = list(cls.callbacks), []
                    for fn in todo:
                        fn()

            def on_end(self, ev) -> None:
                pass

        cls.listener = Listener()
        event.register("numba:compile", cls.listener)


def on_first_compile(callback: Callable[[], None]) -> None:
    """Call ``callback()`` once, when a kernel of the package is first compiled in this process
    (not when every kernel a run needs loads from numba's on-disk cache).

    The library itself never prints; the command line uses this to say once, on standard
    error, that the first run compiles (``compiling kernels, once: ...``).
    """
    _FirstCompile.install(callback)


def choose(pick: Callable[[type], Callable], like: Callable, *, inline: bool = False
           ) -> Callable:
    """A function that runs ``pick(type(first argument))(*args)``, the pick made at compile time.

    In a kernel the first argument is a record (a NamedTuple: a rule's compiled record, or a
    plan of a driver) and ``pick`` gets its class while numba types the call, so only the
    kernel picked is compiled into the caller, one specialization per record class: the other
    branches are never typed (an ``if`` on a compile-time constant still compiles both). From
    Python (and with ``NUMBA_DISABLE_JIT=1``) the pick is made at run time. Every kernel that
    ``pick`` returns takes the arguments of ``like`` (the same names, in the same order);
    ``inline=True`` inlines the picked kernel at numba's level (for the steps of inner loops).
    """

    def call(*args):
        return pick(type(args[0]))(*args)

    if not numba.config.DISABLE_JIT:
        def typer(*args):
            return pick(args[0].instance_class).py_func

        typer.__signature__ = inspect.signature(like.py_func)
        options = {"jit_options": {"nogil": True, "error_model": "numpy"}}
        if inline:
            options["inline"] = "always"
        overload(call, **options)(typer)
    call.__doc__ = f"The kernel picked at compile time among those like {like.__name__}."
    return call


# --- full passes: fixed row blocks, summed in block order ---------------------------------------
# Every pass over all the rows (full gradients, objectives, the validation scan, predictions)
# cuts the rows into blocks of BLOCK_ROWS, computes each block's partial sums on its own (in
# parallel: ``numba.prange`` over the blocks) and adds them in block order. The blocks do not
# depend on the number of threads, so the same data give the same bits on 1, 2 or 64 threads;
# data of at most one block are summed exactly as one sequential loop. Threads follow numba's
# conventions (``NUMBA_NUM_THREADS``, ``numba.set_num_threads``, which is per calling thread;
# see :mod:`graddescent.threads`).

#: Rows per block of a full pass (fixed: the partial sums, hence the bits, depend on it only).
BLOCK_ROWS = 8192
#: A full pass runs its blocks on several threads from this many values of ``X`` (rows times
#: columns: 8 MB, half a millisecond on one core); below, waking the threads costs more than
#: they save, and the blocks run in turn, with the same sums.
PARALLEL_MIN_VALUES = 1 << 20

# numba's OpenMP layer (its default where TBB is absent): GNU OpenMP's threads spin while they
# wait for work, which on a machine busier than its cores (a shared server, a CI runner) turned
# a 0.1 ms pass into 40 ms (measured: a 2-core machine with a load of 9, each region waiting a
# time slice for a spinning thread). Sleeping waiters cost microseconds per pass instead. Only
# a default: a user's OMP_WAIT_POLICY wins, and it applies only if OpenMP loads after this.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@kernel(inline=True)
def n_blocks(n):
    """Blocks of :data:`BLOCK_ROWS` rows covering ``n`` rows (at least 1)."""
    return max((n + BLOCK_ROWS - 1) // BLOCK_ROWS, 1)


@kernel(inline=True)
def block_range(n, b):
    """``(first row, end row)`` of block ``b`` of ``n`` rows."""
    lo = b * BLOCK_ROWS
    return lo, min(lo + BLOCK_ROWS, n)


@kernel(inline=True)
def use_threads(n, d):
    """Whether a pass over ``n`` rows of ``d`` values runs its blocks on several threads."""
    return n > BLOCK_ROWS and n * max(d, 1) >= PARALLEL_MIN_VALUES


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

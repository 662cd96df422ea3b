"""How every compiled kernel is compiled: one decorator, the compile-time choice, status codes.

See :mod:`graddescent._jit` for the options and why.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numba
from numba import njit
from numba.core import cpu
from numba.extending import overload

from . import collector
from .cache import LazyCache

__all__ = ["kernel", "choose", "overload_inline", "OK", "DIVERGED", "on_first_compile"]

#: Kernel status: every kernel returns one.
OK = 0
#: A residual or gradient stopped being finite; the kernel stopped at once.
DIVERGED = 1

# every first compile of a kernel runs with Python's garbage collector paused
# (graddescent._jit.collector: about an eighth of a first fit's compile time otherwise)
collector.install()

_JIT_OPTIONS = {"nogil": True, "error_model": "numpy"}
if hasattr(cpu.CPUTargetOptions, "_nrt"):
    _JIT_OPTIONS["_nrt"] = False

def kernel(fn=None, *, inline: bool = False, parallel: bool = False):
    """Compile ``fn`` with the engine's options and the engine's on-disk cache.

    ``inline=True`` (``@kernel(inline=True)``) inlines the function into its callers at
    numba's level (``inline="always"``): for the small helpers of the inner loops (a residual,
    a moment update, a prefetch), whose call would otherwise cost as much as their work when
    LLVM decides not to inline them.

    ``parallel=True``: a full pass over the rows (:mod:`graddescent._jit.blocks`), compiled with
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
        dispatcher._cache = LazyCache(dispatcher.py_func)
    return dispatcher


def _typing_only(dispatcher):
    """``dispatcher`` with its machine-code compile turned off: numba types an always-inlined
    overload's implementation through a dispatcher of its own and copies its typed code into
    the caller, never calling it, but the dispatcher's call template would first compile it to
    machine code as well (LLVM included): a third of a cold start's compile time went there."""
    dispatcher.compile = lambda sig: None
    return dispatcher


def _inline_template(template):
    """``template`` (numba's overload template class) whose implementations are only typed."""

    class Template(template):
        def _get_jit_decorator(self):
            jitter = super()._get_jit_decorator()
            return lambda **options: lambda fn: _typing_only(jitter(**options)(fn))

    Template.__name__ = template.__name__
    return Template


def overload_inline(func: Callable, typer: Callable, jit_options: dict) -> None:
    """``numba.extending.overload(func, jit_options=jit_options, inline="always")(typer)``,
    without compiling the implementations to machine code: they are always inlined.

    Relies on numba's overload template (``make_overload_template``, its
    ``_get_jit_decorator``); where a numba version lacks them, the plain overload is registered
    (the same kernels, compiled a little more slowly).
    """
    try:
        from numba.core import types
        from numba.core.extending import _overload_default_jit_options
        from numba.core.typing.templates import infer, infer_global, make_overload_template

        base = make_overload_template(func, typer, dict(_overload_default_jit_options,
                                                        **jit_options), True, "always")
        if not hasattr(base, "_get_jit_decorator"):
            raise ImportError("no _get_jit_decorator")
    except ImportError:
        overload(func, jit_options=jit_options, inline="always")(typer)
        return
    template = _inline_template(base)
    infer(template)
    infer_global(func, types.Function(template))


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
                if cls.callbacks and collector.is_package_compile(ev):
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
        jit_options = {"nogil": True, "error_model": "numpy"}
        if inline:
            overload_inline(call, typer, jit_options)
        else:
            overload(call, jit_options=jit_options)(typer)
    call.__doc__ = f"The kernel picked at compile time among those like {like.__name__}."
    return call

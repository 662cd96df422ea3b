"""Python's cyclic garbage collector, paused while numba compiles one of the engine's kernels.

numba's compiler allocates a great many small objects (IR nodes, types, LLVM builders), which
trigger the collector's full collections, and each of those walks every container object of the
process, numba's large and long-lived typing state included: about an eighth of a first fit's
compile time (docs/development.md, "Compile time and linked copies"). Reference counting frees
almost everything the compiler drops; the cycles it leaves are collected as usual after the
compile.

Only a compile that starts with one of this package's kernels is concerned (and whatever numba
compiles inside it); the collector is turned back on when it ends, also when it raises, unless
it was off before.
"""

from __future__ import annotations

import gc

from numba.core import event

__all__ = ["install", "is_package_compile"]

_PACKAGE = __name__.split(".")[0]


def is_package_compile(ev: event.Event) -> bool:
    """Whether a ``numba:compile`` event is the compile of a kernel defined in this package
    (numba names the dispatcher being compiled in the event's data)."""
    dispatcher = (ev.data or {}).get("dispatcher")
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
    return module.split(".")[0] == _PACKAGE


class _Pause(event.Listener):
    """Counts the nested ``numba:compile`` events of a compile begun by one of our kernels
    (numba emits them under its compiler lock, one compile at a time)."""

    def __init__(self) -> None:
        self.depth = 0
        self.resume = False

    def on_start(self, ev) -> None:
        if self.depth:
            self.depth += 1
        elif is_package_compile(ev):
            self.depth = 1
            self.resume = gc.isenabled()
            gc.disable()

    def on_end(self, ev) -> None:
        if not self.depth:
            return
        self.depth -= 1
        if not self.depth and self.resume:
            gc.enable()


_installed: _Pause | None = None


def install() -> None:
    """Register the pause with numba (once per process)."""
    global _installed
    if _installed is None:
        _installed = _Pause()
        event.register("numba:compile", _installed)

"""Python's garbage collector is paused while numba compiles a kernel of the package, and only
then: it is back on afterwards (also when the compile fails), and left off when it was off."""

from __future__ import annotations

import gc

import numba
import numpy as np
import pytest
from numba.core import event

from graddescent._jit import kernel

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="nothing compiles")


class _Seen(event.Listener):
    """Whether the collector was on at the start of each compile (registered after the
    package's listener, so it sees the state the compile runs in)."""

    def __init__(self) -> None:
        self.enabled: list[bool] = []

    def on_start(self, ev) -> None:
        self.enabled.append(gc.isenabled())

    def on_end(self, ev) -> None:
        pass


@pytest.fixture
def seen(tmp_path, monkeypatch):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    listener = _Seen()  # after the package's listener (registered by graddescent._jit)
    event.register("numba:compile", listener)
    was = gc.isenabled()
    yield listener
    event.unregister("numba:compile", listener)
    (gc.enable if was else gc.disable)()


def _fresh_kernel(module: str):
    def probe(x):
        return np.sum(x) + 1.0  # calls a numba overload: a nested compile

    probe.__module__ = module
    return kernel(probe)


def test_collector_off_during_a_kernel_compile_and_on_after(seen):
    gc.enable()
    assert _fresh_kernel("graddescent.probe")(np.ones(3)) == 4.0
    assert seen.enabled and not any(seen.enabled)  # the kernel and what it compiled inside
    assert gc.isenabled()


def test_collector_stays_off_when_it_was_off(seen):
    gc.disable()
    _fresh_kernel("graddescent.probe")(np.ones(3))
    assert not gc.isenabled()


def test_collector_back_on_after_a_failed_compile(seen):
    gc.enable()

    def bad(x):
        return x.no_such_attribute

    bad.__module__ = "graddescent.probe"
    with pytest.raises(numba.TypingError):
        kernel(bad)(np.ones(3))
    assert seen.enabled == [False]
    assert gc.isenabled()


def test_other_code_compiles_with_the_collector_as_it_is(seen):
    gc.enable()

    @numba.njit
    def theirs(x):
        return x + 1.0

    assert theirs(1.0) == 2.0
    assert seen.enabled == [True]
    assert gc.isenabled()

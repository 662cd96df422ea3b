"""The first compile of a kernel in a process is reported once, to whoever asked (the CLI)."""

from __future__ import annotations

import numba
import pytest

from graddescent._jit import kernel, on_first_compile

pytestmark = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="nothing compiles")


def _fresh_kernel(value: float):
    def probe(x):
        return x + value

    probe.__module__ = "graddescent.probe"  # a kernel of the package, compiled on first call
    return kernel(probe)


def test_first_compile_calls_back_once(tmp_path, monkeypatch):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    calls = []
    on_first_compile(lambda: calls.append("compiling"))
    first, second = _fresh_kernel(1.0), _fresh_kernel(2.0)
    assert first(1.0) == 2.0
    assert second(1.0) == 3.0
    assert calls == ["compiling"]

"""The engine's on-disk cache: numba's, keyed also on the sources of the whole engine.

numba keys a cached function on its own source file only, but a driver kernel inlines the
rule's step and the problem's derivative from other modules: editing ``rules/adam.py`` would
leave a stale driver kernel in the cache. :class:`EngineCache` adds a hash of the sources of every
engine module to the key, so any edit of the engine recompiles what depends on it (installed
copies never change, so users always hit the cache).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from numba.core.caching import FunctionCache

__all__ = ["EngineCache", "LazyCache", "engine_source_hash", "cache_stamp"]

_HERE = Path(__file__).resolve().parent.parent
_ENGINE_GLOBS = ("_jit/*.py", "_sparse.py", "objective.py", "rules/*.py", "drivers/*.py",
                 "problems/*.py", "problems/*/*.py")
_engine_hash: str | None = None


def engine_source_hash() -> str:
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


class EngineCache(FunctionCache):
    """numba's on-disk cache, keyed also on the sources of the whole engine (see above)."""

    def _index_key(self, sig, codegen):
        key = super()._index_key(sig, codegen)
        return key[:-1] + (key[-1] + (engine_source_hash(),),)


class LazyCache:
    """The dispatcher's :class:`EngineCache`, made at its first use (its first compile or
    cache load) rather than at import: setting up a cache checks that its folder is writable,
    which costs more than a tenth of a millisecond per kernel."""

    def __init__(self, py_func) -> None:
        self._py_func = py_func
        self._cache: EngineCache | None = None

    def __getattr__(self, name: str):
        if self._cache is None:
            self._cache = EngineCache(self._py_func)
        return getattr(self._cache, name)


def cache_stamp(name: str) -> Path | None:
    """A file in the folder of numba's cache where the engine's kernels go, named for ``name``,
    the engine's sources, numba and Python: a caller creates it to remember that it did
    ``name`` with this cache (it says nothing of the kernels themselves, which the cache checks
    on its own). None when numba has no usable cache folder."""
    import numba

    try:
        folder = Path(EngineCache(engine_source_hash).cache_path)
    except (RuntimeError, OSError):  # numba found no writable cache folder
        return None
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    return folder / (f"graddescent-{name}-{engine_source_hash()[:16]}"
                     f"-numba{numba.__version__}-py{python}.stamp")

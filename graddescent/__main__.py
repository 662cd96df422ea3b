"""``python -m graddescent``: the ``graddescent`` command (see :mod:`graddescent.cli`)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

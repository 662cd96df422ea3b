"""The code base stays ruff-clean and library code never prints."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(exe).exists():
        pytest.skip("ruff is not installed (it is in the 'test' extra)")
    folders = ("graddescent", "tests", "benchmarks", "datasets", "notebooks")
    paths = [p for p in folders if (ROOT / p).is_dir()]
    result = subprocess.run([exe, "check", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_library_code_does_not_print():
    allowed = {"cli.py", "cli_stream.py", "cli_sparse.py", "cli_messages.py", "__main__.py",
               "bench.py"}
    offenders = [f"{path.name}:{i}" for path in (ROOT / "graddescent").rglob("*.py")
                 if path.name not in allowed
                 for i, line in enumerate(path.read_text().splitlines(), 1)
                 if re.match(r"^[^#]*\bprint\(", line)]
    assert offenders == []

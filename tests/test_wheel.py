"""The built wheel carries the data sets: load every one from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "setup.cfg").exists(), reason="needs the source tree")
def test_every_data_set_loads_from_an_installed_wheel(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(wheels), str(ROOT)], capture_output=True, text=True, timeout=600)
    if build.returncode != 0 and "Could not" in build.stderr and "setuptools" in build.stderr:
        pytest.skip(f"cannot build a wheel here (no build backend): {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("graddescent-*.whl")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                              "--target", str(site), str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        import graddescent, graddescent.datasets as ds
        assert graddescent.__file__.startswith({str(site)!r}), graddescent.__file__
        for name, loader in ds.DATASETS.items():
            frame = loader()
            assert frame.shape[0] > 100 and frame.shape[1] >= 3, name
        assert ds.load_mackey_glass(variant="r").shape == (1000, 5)
        assert ds.load_compressibility_factor(outliers=True).shape == (2110, 3)
        print("ok", sorted(ds.DATASETS))
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok")

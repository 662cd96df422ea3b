"""Every code cell of every classroom notebook runs (no Jupyter needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    cells = json.loads(path.read_text())["cells"]
    namespace: dict = {}
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}[cell {k}]", "exec"), namespace)
    assert plt.get_fignums(), "the notebook should draw figures"
    plt.close("all")


def test_notebooks_are_in_step_with_their_generator():
    import importlib.util

    gen = Path(__file__).resolve().parents[1] / "notebooks" / "make_notebooks.py"
    spec = importlib.util.spec_from_file_location("make_notebooks", gen)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, cells in module.NOTEBOOKS.items():
        on_disk = json.loads((gen.parent / name).read_text())
        assert on_disk == module.notebook(cells), f"run python notebooks/make_notebooks.py ({name})"

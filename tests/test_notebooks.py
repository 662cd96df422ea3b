"""The classroom notebooks: they run in a real Jupyter kernel, are committed executed, and match
their generator (``notebooks/make_notebooks.py``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
#: The committed notebooks together (figures included) stay below this size.
MAX_TOTAL_BYTES = 5_000_000


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", FOLDER / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def _cells(nb: dict) -> list[tuple[str, str, dict]]:
    """What the generator owns in each cell: its type, its source and its metadata."""
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
             else c["source"], c.get("metadata", {}).get("jupyter", {})) for c in nb["cells"]]


def test_the_generator_lists_every_notebook():
    assert sorted(GEN.NOTEBOOKS) == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_in_step_with_its_generator(path):
    """The committed cells have the generator's sources (outputs are not compared: timings
    change from run to run)."""
    expected = _cells(GEN.notebook(path.name, GEN.NOTEBOOKS[path.name]))
    assert _cells(json.loads(path.read_text())) == expected, (
        f"{path.name} differs from notebooks/make_notebooks.py: run "
        f"python notebooks/make_notebooks.py {path.stem}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed(path):
    """Every code cell ran, in order, without an error, and the notebook shows figures."""
    nb = json.loads(path.read_text())
    kinds = [kind for kind, _ in GEN.NOTEBOOKS[path.name]]
    code = [(cell, kind) for cell, kind in zip(nb["cells"], kinds, strict=True)
            if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell, _ in code] == list(range(1, len(code) + 1)), (
        f"{path.name} is not executed top to bottom: run python notebooks/make_notebooks.py")
    for k, (cell, kind) in enumerate(code):
        types = [out["output_type"] for out in cell["outputs"]]
        assert "error" not in types, f"{path.name}, code cell {k + 1} has an error output"
        if GEN.expects_output(kind):
            assert types, f"{path.name}, code cell {k + 1} should show something"
    images = sum("image/png" in out.get("data", {}) for cell, _ in code for out in cell["outputs"])
    assert images >= 1, f"{path.name} draws no figure"


def test_notebooks_are_small():
    total = sum(p.stat().st_size for p in NOTEBOOKS)
    assert total <= MAX_TOTAL_BYTES, f"the notebooks take {total / 1e6:.1f} MB"


#: Run in the kernel after a notebook's last cell: checks of what the cells built.
AFTERWARDS = {
    # The interactive panel: moving a control redraws the path with the new settings.
    "02_step_sizes_and_momentum.ipynb": ("""
drawn = []
_draw_path = draw_path


def draw_path(**settings):  # the panel looks draw_path up at every redraw
    drawn.append(settings)
    return _draw_path(**settings)


controls["rule"].value = "nesterov"
controls["learning_rate"].value = 0.05
controls["momentum"].value = 0.9
controls["steps"].value = 25
assert drawn[-1] == {"rule": "nesterov", "learning_rate": 0.05, "momentum": 0.9,
                     "steps": 25}, drawn
assert len(drawn) == 4, drawn
""",),
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_a_kernel(path, tmp_path):
    """Run the notebook's source top to bottom in a fresh python3 kernel: no cell raises, and
    every figure has a title, axis labels and (with several lines) a legend."""
    pytest.importorskip("nbclient", reason="nbclient is in the 'test' extra")
    pytest.importorskip("ipykernel", reason="ipykernel is in the 'test' extra")
    executed, problems = GEN.execute(GEN.notebook(path.name, GEN.NOTEBOOKS[path.name]),
                                     cwd=tmp_path, then=AFTERWARDS.get(path.name, ()))
    assert problems == [], f"figures of {path.name} lack a title, a label or a legend"
    images = sum("image/png" in out.get("data", {}) for cell in executed["cells"]
                 if cell["cell_type"] == "code" for out in cell["outputs"])
    assert images >= 1

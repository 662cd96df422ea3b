"""The classroom notebooks: their sources (``notebooks/NN_name.py``, jupytext's percent format)
run, every figure they draw is labelled, and the committed ``.ipynb`` files are those sources,
executed."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
#: The committed notebooks together (figures included) stay below this size (six lessons; the
#: second's animation alone takes 2.4 MB).
MAX_TOTAL_BYTES = 6_000_000

pytest.importorskip("jupytext", reason="jupytext is in the 'test' extra")


def _builder():
    spec = importlib.util.spec_from_file_location("make_notebooks", FOLDER / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _builder()
SOURCES = BUILD.sources()


def _cells(cells) -> list[tuple[str, str, dict]]:
    """What the source owns in each cell: its type, its source and its metadata."""
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
             else c["source"], c.get("metadata", {})) for c in cells]


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_every_source_has_its_notebook_and_back():
    assert [p.stem for p in SOURCES] == sorted(p.stem for p in FOLDER.glob("*.ipynb"))
    assert len(SOURCES) >= 6


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_is_in_step_with_its_source(source):
    """The committed cells have the source's cells, tags and ids (outputs are not compared:
    timings change from run to run)."""
    expected = BUILD.notebook(source)
    committed = json.loads(source.with_suffix(".ipynb").read_text())
    assert _cells(committed["cells"]) == _cells(expected.cells), (
        f"{source.with_suffix('.ipynb').name} differs from {source.name}: run "
        f"python notebooks/make_notebooks.py {source.stem}")
    assert [c["id"] for c in committed["cells"]] == [c["id"] for c in expected.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_is_committed_executed(source):
    """Every code cell ran, in order, without an error; every cell but the ``quiet`` ones
    shows something; the notebook shows figures, each with alt text for the site."""
    nb = json.loads(source.with_suffix(".ipynb").read_text())
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert [cell["execution_count"] for cell in code] == list(range(1, len(code) + 1)), (
        f"{source.stem} is not executed top to bottom: run python notebooks/make_notebooks.py")
    images = 0
    for k, cell in enumerate(code):
        types = [out["output_type"] for out in cell["outputs"]]
        assert "error" not in types, f"{source.stem}, code cell {k + 1} has an error output"
        if "quiet" not in _tags(cell):
            assert types, f"{source.stem}, code cell {k + 1} should show something"
        if any("image/png" in out.get("data", {}) for out in cell["outputs"]):
            images += 1
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, (f"{source.stem}, code cell {k + 1} draws a figure without "
                                   f"alt text (mystnb.image.alt in its # %% line)")
    assert images >= 1, f"{source.stem} draws no figure"


def test_notebooks_are_small():
    total = sum(p.with_suffix(".ipynb").stat().st_size for p in SOURCES)
    assert total <= MAX_TOTAL_BYTES, f"the notebooks take {total / 1e6:.1f} MB"


# --- running the lessons, with a check of every figure ----------------------------------------

def figure_problems(fig) -> list[str]:
    """What a reader misses in ``fig``: each axes that shows data needs a title (or the figure
    a suptitle), an x and a y label (or shares that axis with one that has it), and an axes with
    several labelled lines or point sets needs a legend (its own or the figure's)."""
    problems = []
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    has_legend = bool(fig.legends) or any(ax.get_legend() is not None for ax in fig.axes)
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>" or not ax.axison:
            continue
        if not (ax.lines or ax.collections or ax.images or ax.patches):
            continue
        if not (ax.get_title() or ax.get_title("left") or suptitle):
            problems.append("an axes without a title")
        if not any(a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax)):
            problems.append(f"no x label ({ax.get_title()!r})")
        if not any(a.get_ylabel() for a in ax.get_shared_y_axes().get_siblings(ax)):
            problems.append(f"no y label ({ax.get_title()!r})")
        labelled = [a for a in [*ax.lines, *ax.collections]
                    if a.get_label() and not a.get_label().startswith("_")]
        if len(labelled) >= 2 and not has_legend:
            problems.append(f"{len(labelled)} labelled lines but no legend "
                            f"({ax.get_title()!r})")
    return sorted(set(problems))


@pytest.fixture
def figure_check(monkeypatch):
    """Every figure rendered (saved, or an animation's frame) and every figure still open at
    the end of a cell (what the inline backend shows) is checked; the problems are collected
    as (cell number, figure title, problems)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase

    plt.close("all")  # figures left open by other tests are not the lesson's
    found: list[tuple[int, str, list[str]]] = []
    where = {"cell": 0}

    def record(fig):
        problems = figure_problems(fig)
        if problems:
            titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
            found.append((where["cell"], next((t for t in titles if t), ""), problems))

    print_figure = FigureCanvasBase.print_figure

    def checked_print_figure(self, *args, **kwargs):
        record(self.figure)
        return print_figure(self, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasBase, "print_figure", checked_print_figure)

    def end_of_cell(number: int):
        where["cell"] = number
        for num in plt.get_fignums():
            record(plt.figure(num))
        plt.close("all")

    with matplotlib.rc_context():  # the lessons' rcParams stay in the lessons
        yield found, where, end_of_cell
    plt.close("all")


def run_lesson(source: Path, cwd: Path, figure_check) -> dict:
    """Run the lesson's code cells in order in one namespace, as a kernel would; returns the
    namespace."""
    _, where, end_of_cell = figure_check
    namespace: dict = {"__name__": "__lesson__"}
    code = [c for c in BUILD.notebook(source).cells if c.cell_type == "code"]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        for number, cell in enumerate(code, start=1):
            where["cell"] = number
            exec(compile(cell.source, f"{source.stem}, cell {number}", "exec"), namespace)
            end_of_cell(number)
    finally:
        os.chdir(old)
    return namespace


def check_the_panel(namespace: dict) -> None:
    """Lesson 2's interactive panel: moving a control redraws the path with the new
    settings."""
    drawn = []
    draw_path = namespace["draw_path"]

    def spy(**settings):  # the panel looks draw_path up at every redraw
        drawn.append(settings)
        return draw_path(**settings)

    namespace["draw_path"] = spy
    controls = namespace["controls"]
    controls["rule"].value = "nesterov"
    controls["learning_rate"].value = 0.05
    controls["momentum"].value = 0.9
    controls["steps"].value = 25
    assert drawn[-1] == {"rule": "nesterov", "learning_rate": 0.05, "momentum": 0.9,
                         "steps": 25}, drawn
    assert len(drawn) == 4, drawn


def check_the_lasso_and_huber(namespace: dict) -> None:
    """Lesson 6's claims: the lasso path has scikit-learn's exact zeros at every alpha and the
    ridge path none; SAGA ends with exactly the lasso's zeros and proximal SGD with none; the
    nine corrupted rows move the Huber fit less than the least-squares fit."""
    import numpy as np

    paths, reference = namespace["paths"], namespace["reference"]
    assert np.array_equal((paths["lasso"] == 0).sum(axis=1),
                          (reference["lasso"] == 0).sum(axis=1))
    assert (paths["lasso"][-1] == 0).all() and not (paths["ridge"] == 0).any()
    runs, exact = namespace["runs"], namespace["exact"]
    lasso_zeros = exact.coef_ == 0
    assert lasso_zeros.sum() == 3
    assert np.array_equal(runs["SAGA, 1/L_max"][2][1:] == 0, lasso_zeros)
    assert runs["SAGA, 1/L_max"][0][-1] < 1e-10
    assert not (runs["proximal SGD, 1/(4 L_max)"][2][1:] == 0).any()
    moves = namespace["table"]["largest move of a prediction"]
    assert moves.iloc[0] > 3 * moves.iloc[1], moves  # least squares first, then Huber


#: What each lesson's test checks after its last cell, with the lesson's namespace.
AFTERWARDS = {"02_step_sizes_and_momentum": check_the_panel,
              "06_penalties_and_robust_losses": check_the_lasso_and_huber}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lesson_runs_and_its_figures_are_labelled(source, tmp_path, figure_check):
    """Run the lesson's source top to bottom: no cell raises, and every figure has a title, axis
    labels and (with several lines) a legend."""
    pytest.importorskip("ipywidgets", reason="ipywidgets is in the 'test' extra")
    namespace = run_lesson(source, tmp_path, figure_check)
    found = figure_check[0]
    assert found == [], f"figures of {source.stem} lack a title, a label or a legend: {found}"
    if source.stem in AFTERWARDS:
        AFTERWARDS[source.stem](namespace)


def test_the_figure_check_finds_what_is_missing():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], label="a")
    ax.plot([1, 0], label="b")
    assert figure_problems(fig) == ["2 labelled lines but no legend ('')", "an axes without a "
                                    "title", "no x label ('')", "no y label ('')"]
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    assert figure_problems(fig) == []
    plt.close(fig)

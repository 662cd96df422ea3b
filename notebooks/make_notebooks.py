"""Make the classroom notebooks from their sources: ``python notebooks/make_notebooks.py``.

Each lesson is a Python file in jupytext's percent format (``notebooks/NN_name.py``: markdown
cells as comments, each cell's tags in its ``# %%`` line), reviewed and linted like any code.
This command turns each into ``NN_name.ipynb``, runs it top to bottom in a fresh Jupyter kernel
(nbclient) and saves it **with its outputs**, figures included, so that it reads on a
repository page, on Colab and on the documentation site (which renders the saved outputs)::

    python notebooks/make_notebooks.py                  # all lessons
    python notebooks/make_notebooks.py 02               # the lessons whose names start so
    python notebooks/make_notebooks.py --no-execute     # sources only (outputs left empty)

Cell tags: ``solution`` (an exercise's solution, collapsed in JupyterLab and on the site),
``quiet`` (a cell that only defines things: it shows nothing). ``tests/test_notebooks.py`` checks
that the saved notebooks match their sources and ran, and runs every lesson again with a check of
each figure (a title, axis labels, a legend where several lines share an axes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def sources() -> list[Path]:
    """The lessons' source files, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def notebook(source: Path):
    """The notebook of ``source`` (no outputs yet): stable cell ids, no jupytext header."""
    import jupytext
    import nbformat

    nb = jupytext.read(source, fmt="py:percent")
    stem = source.name.split("_")[0]
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"nb{stem}-{k:03d}"
        if cell.cell_type == "code":
            cell.update(execution_count=None, outputs=[])
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC,
         "language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def execute(nb, cwd: Path | str, timeout: int = 600):
    """Run ``nb`` top to bottom in a fresh python3 kernel started in ``cwd``; a cell that
    raises stops the run with ``nbclient.exceptions.CellExecutionError``."""
    import nbclient

    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     record_timing=False,
                                     resources={"metadata": {"path": str(cwd)}})
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel's own inline backend draws the figures
    client.execute(env=env)
    return nb


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="lessons to make (default: all): names or "
                        "their beginnings, e.g. 02")
    parser.add_argument("--no-execute", action="store_true",
                        help="write the notebooks without running them")
    args = parser.parse_args(argv)
    known = sources()
    wanted = [p for p in known if not args.names
              or any(p.name.startswith(Path(n).stem) for n in args.names)]
    if not wanted:
        parser.error(f"no lesson matches {args.names}; known: "
                     f"{', '.join(p.stem for p in known)}")
    for source in wanted:
        nb = notebook(source)
        if not args.no_execute:
            start = time.perf_counter()
            execute(nb, HERE)
            print(f"{source.stem}: ran in {time.perf_counter() - start:.1f} s")
        target = source.with_suffix(".ipynb")
        nbformat.write(nb, str(target))
        print(f"  wrote {target.name} ({target.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

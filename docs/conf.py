"""Sphinx configuration of graddescent's documentation site.

Built offline (``python -m sphinx -W -b html docs docs/_build/html``): no inventory is fetched
(no intersphinx), MathJax comes from an installed package, the lessons are rendered from the
committed, executed notebooks (no kernel starts), and the tables that the code or the benchmarks
own (R's differences, the benchmark results) are generated from them at build time.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from docutils import nodes

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))

from _generate import write_generated  # noqa: E402

import graddescent  # noqa: E402

project = "graddescent"
author = "the graddescent developers"
copyright = "the graddescent developers; GPL-2.0-or-later"  # noqa: A001 (Sphinx's name)
release = graddescent.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinx-mathjax-offline",  # MathJax 3 copied from the package: formulas render offline
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# --- the API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc sections say the types, in words
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
# Every cross-reference to a graddescent name must resolve (nitpicky); names of other packages
# are not linked (no inventories are fetched), so they are not checked.
nitpicky = True
_INTERNAL = (r"graddescent\.(_\w+|objective|budget|curves|tuning|references|html|estimator|"
             r"r_api|metrics|preprocessing|cli|cli_stream|rules\.base|drivers\.(base|common|"
             r"distributed|full_batch|mini_batch|optimizer|sag|saga|sarah|snapshot|averaging)|"
             r"problems\.(base|engine|losses|penalties|problem|records|registry)|r_replay\.\w+)"
             r"(\..*)?")
nitpick_ignore_regex = [
    # A docstring may name a module or helper outside the public API (the reference shows only
    # the public names; those references stay plain text).
    (r"py:.*", _INTERNAL),
    # Internal helpers named in public docstrings, relative to their own module.
    (r"py:.*", r"(DaskData|attach|CONTROL_DEFAULTS|UpdateRule\.eval_point|"
               r"GDRegressor\.partial_fit)"),
    # numpydoc renders "Attributes" sections as lists, without targets to link to.
    (r"py:attr", r".*"),
    (r"py:.*", r"(numpy|np|pandas|pd|sklearn|matplotlib|dask|scipy|joblib|numba|typing|"
               r"collections|pathlib|os|types|dataclasses|enum|abc)(\..*)?"),
    (r"py:.*", r"(int|float|str|bool|dict|list|tuple|callable|object|None|optional|"
               r"array-like|ndarray|DataFrame|Series|Generator|Path|Axes|Figure)"),
]

# --- notebooks and markdown -------------------------------------------------------------------
nb_execution_mode = "off"  # render the committed outputs; never start a kernel
nb_merge_streams = True
nb_ipywidgets_js: dict = {}  # no widget manager from a CDN: the panel has a static twin
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]  # the lesson's widget view has a static twin

# --- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "graddescent"
html_static_path = ["_static"]
html_css_files = ["graddescent.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # The pages of wide tables get the whole width.
    "secondary_sidebar_items": {
        "**": ["page-toc"], "coming_from_r": [], "user_guide/penalties": [],
        "benchmarks/engine": [],
        "benchmarks/replay": [], "benchmarks/streaming": []},
    "footer_start": ["copyright"],
    "footer_end": [],
}
# Pages without a section to navigate, and the lessons (their figures need the width), have no
# left sidebar; the lessons are listed in the top bar's menu and on their index page.
html_sidebars = {"index": [], "getting_started": [], "coming_from_r": [], "lessons/0*": []}
html_show_sourcelink = False


#: A stylesheet from the network in a notebook's HTML output (matplotlib's animation player
#: links Font Awesome 4 from a CDN; the theme bundles Font Awesome, which draws its buttons).
_REMOTE_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="(?:https?:)?//[^"]*"\s*/?>')


#: The frame of matplotlib's animation player, which has no alt text of its own.
_PLAYER_FRAME = '<img id="_anim_img'
_PLAYER_ALT = ('<img alt="An animation of the figure drawn by the cell above: the frames play '
               'with the buttons below" id="_anim_img')


def _offline_notebook_html(app, doctree, docname) -> None:
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if _REMOTE_STYLESHEET.search(text) or _PLAYER_FRAME in text:
            text = _REMOTE_STYLESHEET.sub("", text).replace(_PLAYER_FRAME, _PLAYER_ALT)
            node.replace_self(nodes.raw(text=text, format=node["format"]))


def setup(app) -> None:
    app.connect("doctree-resolved", _offline_notebook_html)


def _copy_lessons() -> None:
    """The committed notebooks are the lessons' pages (copied, never executed here); an
    exercise's solution (tag ``solution``) opens on a click, as in JupyterLab."""
    target = DOCS / "lessons"
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(notebook.read_text())
        for cell in nb["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "solution" in tags and "hide-cell" not in tags:
                tags.append("hide-cell")
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        copy = target / notebook.name
        if not copy.exists() or copy.read_text() != text:  # unchanged: no rebuild
            copy.write_text(text)


_copy_lessons()
write_generated(DOCS / "_generated")

"""The documentation: the site builds offline with warnings as errors, its reference covers exactly
the public names, every name a page mentions exists, and the examples of the docstrings and of the
user guide run (doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import graddescent

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: The public modules: the API reference documents exactly their ``__all__``. Every other module
#: of the package is an implementation detail.
PUBLIC_MODULES = ("graddescent", "graddescent.rules", "graddescent.problems",
                  "graddescent.drivers",
                  "graddescent.datasets", "graddescent.plotting", "graddescent.compare",
                  "graddescent.report", "graddescent.streaming", "graddescent.cluster",
                  "graddescent.r_replay", "graddescent.threads")
#: Names of ``graddescent.__all__`` that are not objects to document: the version and the
#: subpackages (documented as modules of their own).
NOT_OBJECTS = {"__version__", "rules", "problems", "drivers"}
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _reference() -> dict[str, set[str]]:
    """Module -> the names listed in the API reference's autosummary tables."""
    listed: dict[str, set[str]] = {}
    for page in sorted((DOCS / "api").glob("*.rst")):
        module = None
        in_summary = False
        for line in page.read_text().splitlines():
            if line.startswith(".. currentmodule::"):
                module = line.split("::")[1].strip()
            elif line.startswith(".. autosummary::"):
                in_summary = True
            elif in_summary and re.fullmatch(r"   [A-Za-z_][\w.]*", line):
                listed.setdefault(module, set()).add(line.strip())
            elif in_summary and line and not line.startswith("   "):
                in_summary = False
    return listed


def test_the_reference_lists_exactly_the_public_names():
    listed = _reference()
    assert set(listed) == set(PUBLIC_MODULES), "a public module has no reference page"
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        public = set(module.__all__) - (NOT_OBJECTS if name == "graddescent" else set())
        assert listed[name] - public == set(), f"{name}: the reference names non-public names"
        assert public - listed[name] == set(), (
            f"{name}: public names without a reference page; add them to docs/api/")
        for attr in listed[name]:
            assert hasattr(module, attr), f"docs/api names {name}.{attr}, which does not exist"


def _named_objects(text: str) -> set[str]:
    """The dotted names ``graddescent.x.y`` that a page mentions (in code or in a role)."""
    return set(re.findall(r"(?<![\w.])graddescent(?:\.[A-Za-z_]\w*)+", text))


def _resolve(dotted: str) -> bool:
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("*/*.md"), *DOCS.glob("api/*.rst"),
                ROOT / "README.md"])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_name_a_page_mentions_exists(page):
    missing = sorted(name for name in _named_objects(page.read_text()) if not _resolve(name))
    assert missing == [], f"{page.relative_to(ROOT)} names what does not exist: {missing}"


def test_deprecated_driver_names_still_work_and_say_where_they_are():
    from graddescent import drivers
    from graddescent.drivers import mini_batch

    with pytest.warns(DeprecationWarning, match="graddescent.drivers.mini_batch"):
        assert drivers.plan_of is mini_batch.plan_of
    assert "plan_of" not in drivers.__all__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from graddescent.drivers import MiniBatch  # noqa: F401 (a public name: no warning)
    with pytest.raises(AttributeError):
        drivers.nothing_of_that_name  # noqa: B018


# --- doctests ----------------------------------------------------------------------------------

MODULES = sorted(m.name for m in pkgutil.walk_packages(graddescent.__path__, "graddescent.")
                 if m.name != "graddescent.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    tests = [t for t in finder.find(module, name) if t.examples
             and getattr(t, "filename", None) == getattr(module, "__file__", None)]
    for test in tests:
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} docstring examples of {name} failed"


GUIDE_PAGES = sorted(p for p in [*DOCS.glob("*.md"), *DOCS.glob("*/*.md")]
                     if ">>> " in p.read_text())


def test_the_guide_has_examples():
    assert len(GUIDE_PAGES) >= 3


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_user_guide_examples_run(page):
    """The page's ``pycon`` blocks, in order, as one session."""
    blocks = re.findall(r"^```pycon\n(.*?)^```", page.read_text(), flags=re.M | re.S)
    assert blocks, f"{page.name} has '>>>' outside a pycon block"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples of {page.name} failed"


# --- the site ----------------------------------------------------------------------------------

def test_the_site_builds_offline_with_warnings_as_errors(tmp_path):
    """``sphinx-build -W``: every reference resolves, every page parses; the lessons are rendered
    from the committed notebooks (no kernel), and the pages load nothing from the network."""
    pytest.importorskip("sphinx", reason="sphinx is in the 'docs' and 'test' extras")
    pytest.importorskip("myst_nb", reason="myst-nb is in the 'docs' and 'test' extras")
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    pages = list(out.rglob("*.html"))
    assert len(pages) > 50
    remote = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//")
    online = [(str(p.relative_to(out)), found.group(0)[:200]) for p in pages
              if (found := remote.search(p.read_text()))]
    assert online == [], f"pages that load from the network: {online}"
    assert (out / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert "mathjax/tex-chtml.js" in (out / "methods" / "adaptive.html").read_text()
    lesson = (out / "lessons" / "02_step_sizes_and_momentum.html").read_text()
    images = re.findall(r"<img\b[^>]*>", lesson)
    assert len(images) >= 5 and all(' alt="' in image for image in images)
    r_page = (out / "coming_from_r.html").read_text()
    assert "R applies the momentum term twice per step" in r_page  # generated from the registry
    engine = (out / "benchmarks" / "engine.html").read_text()
    assert "floor loop" in engine  # included from benchmarks/results

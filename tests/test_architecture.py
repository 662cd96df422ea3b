"""The package's layers: every import runs downward, and no module uses another's private names.

The layers, lowest first (docs/development.md, Architecture). A module may import modules of a
lower layer, and sibling modules of its own package in its own layer (``drivers.sarah`` uses
``drivers.snapshot``); nothing else. Private names (a leading underscore) stay in their module:
``from .x import _name`` and ``x._name`` are refused across modules (importing a private
*module*, like ``graddescent._jit``, is how a package shares code internally and is allowed).
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graddescent"

#: Lowest first; each entry lists fnmatch patterns of dotted module names.
LAYERS = [
    ("foundations", ["graddescent._jit", "graddescent._jit.*", "graddescent._sparse",
                     "graddescent._validation",
                     "graddescent.metrics", "graddescent._cli_spec",
                     "graddescent._r_rng", "graddescent._signatures", "graddescent._data*",
                     "graddescent._outputs"]),
    ("compiling ahead", ["graddescent._compile_ahead"]),
    ("threads", ["graddescent.threads"]),
    ("objective", ["graddescent.objective"]),
    ("rule base", ["graddescent.rules.base"]),
    ("rules", ["graddescent.rules.*"]),
    ("rules facade", ["graddescent.rules"]),
    ("problem base", ["graddescent.problems.base"]),
    ("losses and penalties", ["graddescent.problems.losses", "graddescent.problems.losses.*",
                              "graddescent.problems.penalties",
                              "graddescent.problems.penalties.*"]),
    ("problem registry", ["graddescent.problems.registry"]),
    ("problem records", ["graddescent.problems.records"]),
    ("problem engine", ["graddescent.problems.engine"]),
    ("problem", ["graddescent.problems.problem"]),
    ("problems facade", ["graddescent.problems"]),
    ("driver foundations", ["graddescent.drivers.divergence", "graddescent.drivers.sampling"]),
    ("driver base", ["graddescent.drivers.base"]),
    ("drivers", ["graddescent.drivers.*"]),
    ("optimizer", ["graddescent.drivers.optimizer"]),
    ("drivers facade", ["graddescent.drivers"]),
    ("registry and schedule", ["graddescent._registry", "graddescent._schedule",
                               "graddescent.preprocessing"]),
    ("estimator parts", ["graddescent._rule_options", "graddescent._fit_loop",
                         "graddescent._dask_fit", "graddescent._fit_settings",
                         "graddescent._estimator_input"]),
    ("APIs", ["graddescent.r_api", "graddescent.estimator", "graddescent.r_replay",
              "graddescent.r_replay.*"]),
    ("data and plots", ["graddescent.datasets", "graddescent.plotting",
                        "graddescent.streaming"]),
    ("budgets and tuning", ["graddescent.budget", "graddescent.curves", "graddescent.tuning",
                            "graddescent.references"]),
    ("comparison", ["graddescent.compare", "graddescent.cluster"]),
    ("html page", ["graddescent.html"]),
    ("reports", ["graddescent.report"]),
    ("command line", ["graddescent.cli", "graddescent.cli_stream", "graddescent.cli_messages",
                      "graddescent.cli_sparse",
                      "graddescent.__main__",
                      "graddescent"]),
]



def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    """The layer of ``module``: the most specific (last) matching entry."""
    found = [k for k, (_, patterns) in enumerate(LAYERS)
             if any(fnmatch.fnmatchcase(module, p) for p in patterns)]
    # an exact name beats a wildcard (drivers.optimizer beats drivers.*)
    exact = [k for k in found if module in LAYERS[k][1]]
    if exact:
        return exact[-1]
    if not found:
        raise AssertionError(f"{module} is in no layer of tests/test_architecture.py: add it")
    return found[-1]


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, _module_name(path), path.name == "__init__.py"


def _imports(path: Path, module: str, is_package: bool):
    """(imported module, names, line) for every import statement, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            target = _resolve(module, is_package, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or \
                        (PACKAGE.parent / sub.replace(".", "/")).is_dir():
                    yield sub, [], node.lineno  # ``from . import objective``: a module
                else:
                    yield target, [alias.name], node.lineno


def _same_package(a: str, b: str) -> bool:
    return a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0]


MODULES = [(path, name, pkg) for path, name, pkg in _sources()]


@pytest.mark.parametrize("path, module, is_package", MODULES, ids=[m for _, m, _ in MODULES])
def test_imports_run_downward(path, module, is_package):
    here = _layer(module)
    wrong = []
    for target, _, line in _imports(path, module, is_package):
        if not target.startswith("graddescent") or target == module:
            continue
        there = _layer(target)
        if is_package and target.startswith(module + "."):
            continue  # a package's facade gathers its own modules
        if there > here or (there == here and not _same_package(module, target)):
            wrong.append(f"line {line}: {module} ({LAYERS[here][0]}) imports {target} "
                         f"({LAYERS[there][0]})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path, module, is_package", MODULES, ids=[m for _, m, _ in MODULES])
def test_no_private_names_of_other_modules(path, module, is_package):
    wrong = []
    aliases = {}
    for target, names, line in _imports(path, module, is_package):
        if not target.startswith("graddescent"):
            continue
        for name in names:
            if name.startswith("_") and not name.startswith("__"):
                wrong.append(f"line {line}: imports {target}.{name}")
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            target = _resolve(module, is_package, node)
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and aliases[node.value.id].startswith("graddescent")
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            wrong.append(f"line {node.lineno}: uses {aliases[node.value.id]}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def test_every_module_is_in_a_layer():
    for _, module, _ in MODULES:
        _layer(module)


# --- the problem axis: a loss or a penalty is one module and one registry row --------------------
def _problem_modules(kind: str) -> list[Path]:
    return sorted(p for p in (PACKAGE / "problems" / kind).glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("kind, registry", [("losses", "LOSSES"), ("penalties", "PENALTIES")])
def test_each_loss_and_penalty_is_one_module_and_one_row(kind, registry):
    """Every module of problems/losses (penalties) defines one SPEC that is one row of the
    registry, and every row is one module's SPEC: adding one is a module and a row."""
    import importlib

    from graddescent import problems

    rows = getattr(problems, registry)
    specs = []
    for path in _problem_modules(kind):
        module = importlib.import_module(f"graddescent.problems.{kind}.{path.stem}")
        specs.append(module.SPEC)
    assert sorted(map(id, specs)) == sorted(map(id, rows.values()))
    for key, spec in rows.items():
        assert spec.name == key


def _names(kind: str) -> dict[str, Path]:
    from graddescent import problems

    rows = problems.LOSSES if kind == "losses" else problems.PENALTIES
    import importlib

    found = {}
    for path in _problem_modules(kind):
        spec = importlib.import_module(f"graddescent.problems.{kind}.{path.stem}").SPEC
        if spec.name is not None:
            found[spec.name] = path
    assert set(found) == {k for k in rows if k is not None}
    return found


def test_no_module_dispatches_on_a_loss_or_penalty_name():
    """No comparison with, and no table keyed by, a loss's or a penalty's name outside its own
    module: what a loss or a penalty does is found through its spec (and compiled record)."""
    names = {**_names("losses"), **_names("penalties")}
    wrong = []
    for path, module, _ in MODULES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            keys = []
            if isinstance(node, ast.Compare):
                keys = [node.left, *node.comparators]
            elif isinstance(node, ast.Dict):
                keys = [k for k in node.keys if k is not None]
            for key in keys:
                if (isinstance(key, ast.Constant) and isinstance(key.value, str)
                        and key.value in names and names[key.value] != path):
                    wrong.append(f"{module} line {node.lineno}: {key.value!r}")
    assert not wrong, "\n".join(wrong)

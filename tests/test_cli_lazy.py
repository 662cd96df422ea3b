"""The command line starts quickly: ``--help`` and usage errors import neither numba nor
pandas (the parser is built from graddescent._cli_spec's plain data, which must agree with the
registries it copies), and ``import graddescent`` loads its names on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graddescent import _cli_spec as spec
from graddescent import compare as C
from graddescent._registry import METHODS, control_defaults, get_method
from graddescent._validation import MAX_ITERATIONS
from graddescent.datasets import DATASETS

PROBE = """
import sys
from graddescent.cli import main
try:
    code = main({argv!r})
except SystemExit as exc:
    code = exc.code
print(code, [m for m in ("numba", "pandas", "graddescent.drivers") if m in sys.modules])
"""


@pytest.mark.parametrize("argv, code", [
    (["--help"], 0), (["compare", "--help"], 0), (["fit", "--help"], 0), ([], 2),
    (["compare", "--methods", "nosuch"], 2), (["compare", "--seeds", "0"], 2),
    (["fit", "data.csv", "--alpha", "inf"], 2), (["compare", "--scaling", "log"], 2),
], ids=["help", "compare-help", "fit-help", "no-command", "unknown-method", "seeds-0",
        "alpha-inf", "bad-choice"])
def test_help_and_usage_errors_import_neither_numba_nor_pandas(argv, code):
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split("\n")[-2] == f"{code} []", out.stdout + out.stderr


def test_import_graddescent_is_lazy_and_complete():
    probe = ("import sys, graddescent; loaded = 'numba' in sys.modules; "
             "missing = [n for n in graddescent.__all__ if not hasattr(graddescent, n)]; "
             "print(loaded, missing)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False []", out.stdout + out.stderr


def test_the_parser_data_agree_with_the_registries():
    assert spec.METHODS == tuple((m.name, m.r_name) for m in METHODS.values())
    assert spec.ALPHA == control_defaults()["alpha"]
    assert spec.SCALINGS == tuple(C.SCALINGS)
    assert spec.STYLES == tuple(C.STYLES)
    assert (spec.DEFAULT_MAX_ITER, spec.DEFAULT_N_SEEDS, spec.MAX_SEEDS) == (
        C.DEFAULT_MAX_ITER, C.DEFAULT_N_SEEDS, C.MAX_SEEDS)
    assert spec.TRAIN_FRACTION == C.CompareSettings.train_fraction
    assert spec.DATASETS == tuple(DATASETS)
    assert spec.MAX_ITERATIONS == MAX_ITERATIONS
    assert spec.SPARSE_DATASETS == tuple(C.SPARSE_DATASETS)


def test_the_parser_problem_data_agree_with_the_problem_registries():
    import inspect

    from graddescent.problems import LOSSES, PENALTIES, Problem

    assert spec.LOSSES == tuple(LOSSES)
    assert spec.PENALTIES == tuple((s.label, name) for name, s in PENALTIES.items())
    defaults = inspect.signature(Problem).parameters
    assert spec.PROBLEM_DEFAULTS == {k: defaults[k].default for k in spec.PROBLEM_DEFAULTS}


@pytest.mark.parametrize("name", ["gd", "GD", "SARAHPlus", "sarahplus", "Adam", "saga",
                                  "nosuch", "SAGA"])
def test_method_names_as_the_registry(name):
    try:
        expected = get_method(name).name
    except ValueError as exc:
        with pytest.raises(ValueError) as got:
            spec.method_name(name)
        assert str(got.value) == str(exc)
    else:
        assert spec.method_name(name) == expected

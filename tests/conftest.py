"""Shared fixtures: the read-only ``shared/`` folder beside the checkout (validation data)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

#: ``../shared`` beside the checkout, or $GRADDESCENTSHARED (module level: parametrisations
#: that read it at collection time import it from here).
SHARED = Path(os.environ.get("GRADDESCENTSHARED")
              or Path(__file__).resolve().parents[2] / "shared")



@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (or $GRADDESCENTSHARED); tests using it skip when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"the validation folder {SHARED / 'data'} is not present (CI always has "
                    f"it; set GRADDESCENTSHARED to point elsewhere)")
    return SHARED


@pytest.fixture
def toy_problem():
    """The least-squares test problem of ALGORITHMS.md section 6 (X as (n, 1))."""
    X = np.array([[0.5], [-1.0], [1.5], [2.0]])
    y = np.array([1.0, -0.5, 2.0, 3.5])
    return X, y


def well_conditioned(n: int = 200, d: int = 4, noise: float = 0.5, seed: int = 0):
    """A standardised, well-conditioned noisy problem and its least-squares solution."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = 0.7 + X @ np.linspace(-1.0, 1.5, d) + noise * rng.standard_normal(n)
    A = np.column_stack([np.ones(n), X])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return X, y, theta

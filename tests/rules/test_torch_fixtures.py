"""Every update rule with a torch.optim equivalent reproduces torch's stored iterates.

The fixtures (``tests/fixtures/torch/<rule>.json``) were written by ``tests/make_torch_fixtures.py``
with PyTorch, which the suite itself does not need: every rule whose spec names a torch
equivalent must have its fixture, with one case per example.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graddescent import rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"
SPECS = [spec for spec in rules.specs() if spec.torch is not None]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_rule_reproduces_torch(spec):
    path = FIXTURES / f"{spec.name}.json"
    assert path.exists(), f"no torch fixture for {spec.name!r}: run tests/make_torch_fixtures.py"
    stored = json.loads(path.read_text())
    labels = [case["label"] for case in stored["cases"]]
    assert labels == [k for k, v in spec.examples.items() if "power_t" not in v]
    for case in stored["cases"]:
        rule = spec.factory(**case["kwargs"])
        assert case["torch_call"] == spec.torch.format(**rule.hyperparameter_dict())
        theta = np.array(case["theta0"])
        state = rule.init_state(theta.shape[0])
        for t, (g, want) in enumerate(zip(case["grads"], case["iterates"], strict=True), 1):
            rule.step(theta, np.array(g), state, t)
            np.testing.assert_allclose(theta, want, rtol=1e-12, atol=1e-14,
                                       err_msg=f"{case['label']}, step {t}")

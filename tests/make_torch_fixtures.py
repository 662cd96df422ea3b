"""Write the stored torch.optim test vectors of every update rule (``tests/fixtures/torch/``).

Run with PyTorch installed (it is needed only here, never by the test suite)::

    python tests/make_torch_fixtures.py            # every rule with a torch equivalent
    python tests/make_torch_fixtures.py adamax     # only these rules

For each rule of the registry whose spec names its ``torch.optim`` equivalent
(:attr:`graddescent.rules.base.RuleSpec.torch`), and for each of its labelled examples, torch's
optimizer is run in float64 on a fixed sequence of gradients (fed as ``.grad``, so the iterates
depend only on the rule's arithmetic) and every iterate is stored with the inputs.
``tests/rules/test_torch_fixtures.py`` replays the same gradients through our compiled step.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from graddescent import rules

OUT = Path(__file__).resolve().parent / "fixtures" / "torch"
N_STEPS = 30
N_PARAMS = 3


def gradients(seed: int = 7) -> np.ndarray:
    """A gradient sequence with changing scales and signs (Rprop's sign flips included)."""
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.uniform(-2.0, 2.0, size=(N_STEPS, 1)))
    return rng.standard_normal((N_STEPS, N_PARAMS)) * scale


def torch_iterates(call: str, theta0: np.ndarray, grads: np.ndarray) -> np.ndarray:
    import torch

    # torch keeps step counters and NAdam's momentum product as tensors of the default dtype:
    # float64 throughout, so that the stored iterates carry no float32 rounding.
    torch.set_default_dtype(torch.float64)
    param = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    name, args = call.split("(", 1)
    optimizer = eval(f"torch.optim.{name}(params, {args}",  # noqa: S307
                     {"torch": torch, "params": [param]})
    out = []
    for g in grads:
        param.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        out.append(param.detach().numpy().copy())
    return np.array(out)


def main(names: list[str]) -> None:
    import torch

    OUT.mkdir(parents=True, exist_ok=True)
    grads = gradients()
    theta0 = np.array([0.5, -0.3, 1.2])
    for spec in rules.specs():
        if spec.torch is None or (names and spec.name not in names):
            continue
        cases = []
        for label, kwargs in spec.examples.items():
            if "power_t" in kwargs:  # torch has no invscaling schedule
                continue
            rule = spec.factory(**kwargs)
            call = spec.torch.format(**rule.hyperparameter_dict())
            cases.append({"label": label, "kwargs": kwargs, "torch_call": call,
                          "theta0": theta0.tolist(), "grads": grads.tolist(),
                          "iterates": torch_iterates(call, theta0, grads).tolist()})
        path = OUT / f"{spec.name}.json"
        path.write_text(json.dumps({"rule": spec.name, "torch_version": torch.__version__,
                                    "cases": cases}, indent=1) + "\n")
        print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main(sys.argv[1:])

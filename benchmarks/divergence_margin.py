"""How close converging fits come to the divergence criterion (DIVERGENCE_FACTOR, _STREAK).

One command, from the repository root::

    python -m benchmarks.divergence_margin

With the criterion switched off, runs (1) every R-style learner with R's other defaults at
``alpha`` 0.01, 0.1, 0.3, 0.5 and 1 for 1000 iterations, seeds 1 and 2, on the three built-in
data sets scaled by variance and by min-max scaling, and (2) every ``GDRegressor`` method at
learning rates "auto", 0.01, 0.1 and 1 (the momentum-like ones also with momentum or beta1
0.99) for 3000 epochs on the built-in data sets, features standardised, the target as it is.
For each fit that ends below its reference ``max(f(theta0), Var(y) / 2)`` (it converges), it
records the largest objective over the reference (``peak``) and the longest run of rises above
the reference (``longest_rise``), exactly as :class:`graddescent.drivers.DivergenceMonitor`
sees them, and prints the largest of each with the fit that reached it.
"""

from __future__ import annotations

import warnings

import numpy as np

import graddescent as gd
from graddescent import drivers
from graddescent import objective as O
from graddescent._registry import METHODS, R_NAMES
from graddescent.datasets import DATASETS
from graddescent.drivers import base
from graddescent.r_api import initial_theta

ALPHAS = (0.01, 0.1, 0.3, 0.5, 1.0)
RATES = ("auto", 0.01, 0.1, 1.0)
MOMENTUM = {"mgd": "momentum", "agd": "momentum", "rmsprop": "momentum", "adam": "beta1",
            "amsgrad": "beta1", "nadam": "beta1", "adamax": "beta1"}


def r_style(method, X, y, alpha, seed):
    """``(peak, longest_rise, end / reference)`` of the learner as the R-style API runs it."""
    params = dict(method.r_args, max_iter=1000, seed=seed)
    if "alpha" in params:
        params["alpha"] = alpha
    glossary = method.glossary(params)
    opt = drivers.Optimizer(method.make_rule(**glossary), method.make_driver(**glossary),
                            initial_theta(X.shape[1] + 1, seed), X.shape[0])
    opt.run(X, y, 1000, np.random.default_rng(seed))
    m = opt.monitor
    return m.peak, m.longest_rise, m.last / m.reference


def estimator(method, X, y, lr, momentum):
    """The same for ``GDRegressor``, from its per-epoch objectives (what the engine watches)."""
    kwargs = {MOMENTUM[method]: momentum} if momentum else {}
    full = method in ("adam", "rmsprop", "nadam", "adamax", "amsgrad", "adagrad", "adadelta")
    est = gd.GDRegressor(method=method, learning_rate=lr, max_iter=3000, random_state=0,
                         batch_size="full" if full else None, **kwargs).fit(X, y)
    curve = np.asarray(est.loss_curve_)
    reference = max(0.5 * float(np.dot(y, y)) / y.shape[0], O.loss_scale(y))  # theta0 = 0
    rising = np.concatenate(([False], curve[1:] > curve[:-1])) & (curve > reference)
    longest = run = 0
    for r in rising:
        run = run + 1 if r else 0
        longest = max(longest, run)
    return float(curve.max()) / reference, longest, float(curve[-1]) / reference


def main() -> None:
    base.DIVERGENCE_FACTOR, base.DIVERGENCE_STREAK = np.inf, 10**9  # watch, never stop
    rows = []
    for name, load in DATASETS.items():
        frame = load()
        for kind, scale in (("variance", gd.variance_scaling), ("minmax", gd.minmax_scaling)):
            scaled = scale(frame).scaled_data_set
            X = np.ascontiguousarray(scaled.iloc[:, :-1].to_numpy(float))
            y = scaled.iloc[:, -1].to_numpy(float)
            for r_name, method in R_NAMES.items():
                for alpha in ALPHAS if "alpha" in method.r_args else (None,):
                    for seed in (1, 2):
                        try:
                            rows.append((f"{r_name}(alpha={alpha}, seed={seed}) on {name}, "
                                         f"{kind} scaling", *r_style(method, X, y, alpha, seed)))
                        except (ValueError, FloatingPointError):
                            pass
        X = np.ascontiguousarray(gd.variance_scaling(frame).scaled_data_set.iloc[:, :-1]
                                 .to_numpy(float))
        y = frame.iloc[:, -1].to_numpy(float)
        for method in METHODS:
            for lr in RATES:
                for momentum in (None, 0.99) if method in MOMENTUM else (None,):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            rows.append((f"GDRegressor({method!r}, learning_rate={lr}, "
                                         f"momentum={momentum}) on {name}",
                                         *estimator(method, X, y, lr, momentum)))
                        except (ValueError, FloatingPointError):
                            pass
    converging = [r for r in rows if r[3] < 1.0]
    print(f"{len(rows)} fits, {len(converging)} end below their reference (converge)")
    for label, column in (("peak objective / reference", 1), ("longest rise", 2)):
        for style in ("GDRegressor", ""):
            pool = [r for r in converging if r[0].startswith("GDRegressor") == bool(style)]
            top = max(pool, key=lambda r: r[column])
            print(f"{label:27} {'GDRegressor' if style else 'R-style':11} {top[column]:10.4g}  "
                  f"({top[0]})")
    print("criterion: DIVERGENCE_FACTOR 1e6, DIVERGENCE_STREAK 50")


if __name__ == "__main__":
    main()

"""``python -m graddescent``: fit the 14 R methods on a generated data set, print test RMSE."""

from __future__ import annotations

import numpy as np
import pandas as pd

import graddescent as gd


def main() -> int:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 4)) * [1.0, 5.0, 0.2, 2.0] + [0.0, 10.0, -3.0, 1.0]
    y = 2.0 + X @ np.array([1.5, -0.3, 4.0, 0.7]) + rng.standard_normal(1000)
    data = pd.DataFrame(np.column_stack([X, y]), columns=["x1", "x2", "x3", "x4", "y"])
    train, test = gd.split_data(data, 0.8, seed=1)
    print(f"{'method':<10} {'test RMSE':>10}  (R defaults, max_iter=1000, variance scaling)")
    for method in gd.METHODS.values():
        if method.r_name is None:
            continue
        model = gd.learn(train, learning_method=method.r_name, control={"max_iter": 1000},
                         seed=1)
        err = gd.rmse(test["y"], gd.predict(model, test)["prediction"])
        print(f"{method.r_name:<10} {err:>10.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

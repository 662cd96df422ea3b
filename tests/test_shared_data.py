"""R's three data sets (../shared/data, validation only): the R workflow reaches OLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import graddescent as gd

DATASETS = ["compressibility_factor", "gas_furnace", "mackey_glass_1000"]
# Mini-batch steps with R's constant alpha = 0.1 end at a noise floor around the optimum (the two
# half-batch gradients differ there); MBGD's flip-flop order (a fresh permutation, then its
# reverse) keeps it under 0.1%. Measured over split seeds 1..30 x 11 learn seeds (test RMSE gap to
# OLS): max 0.004% / 0.060% / 0.069% on compressibility / gas furnace / Mackey-Glass, where
# reshuffling every epoch reached 0.025% / 0.159% / 0.132% (gas furnace with seed 2: 0.108%).
CONVERGENT = ["GD", "MBGD", "MGD", "AGD", "SSGD", "SVRG", "SARAH", "SARAHPlus"]
CASES = [(name, seed) for name in DATASETS for seed in (1, 2)]


def _ols_test_rmse(train: pd.DataFrame, test: pd.DataFrame) -> float:
    A = np.column_stack([np.ones(len(train)), train.iloc[:, :-1]])
    beta = np.linalg.lstsq(A, train.iloc[:, -1], rcond=None)[0]
    pred = np.column_stack([np.ones(len(test)), test.iloc[:, :-1]]) @ beta
    return gd.rmse(test.iloc[:, -1], pred)


def _gap(shared_dir, name, seed, method):
    data = pd.read_csv(shared_dir / "data" / f"{name}.csv")
    train, test = gd.split_data(data, 0.8, seed=seed)
    target = _ols_test_rmse(train, test)
    model = gd.learn(train, learning_method=method, control={"max_iter": 1000}, seed=seed)
    got = gd.rmse(test.iloc[:, -1], gd.predict(model, test)["prediction"])
    return abs(got - target) / target


@pytest.mark.parametrize("name,seed", CASES)
def test_learn_with_r_defaults_reaches_ols_test_rmse(shared_dir, name, seed):
    for method in CONVERGENT:
        assert _gap(shared_dir, name, seed, method) <= 1e-3, method


@pytest.mark.parametrize("name", DATASETS)
def test_mbgd_stays_under_the_gap_on_more_splits(shared_dir, name):
    # The mini-batch noise floor is random: check it on ten more splits, not only seeds 1 and 2.
    gaps = [_gap(shared_dir, name, seed, "MBGD") for seed in range(3, 13)]
    assert max(gaps) <= 1e-3, gaps

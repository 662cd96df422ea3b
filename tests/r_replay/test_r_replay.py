"""R-replay mode: R gradDescent 3.0's own numbers, its draws and its bugs."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED

from graddescent import r_replay
from graddescent.r_replay import LEARNERS, RError, RRandom, arithmetic, longdouble

GROUND_TRUTH = SHARED / "data" / "r_ground_truth" / "gradDescent_results.csv"


# -- R's own results -------------------------------------------------------------------------
def _ground_truth_rows() -> list:
    if not GROUND_TRUTH.exists():
        reason = f"R ground truth {GROUND_TRUTH} not found (set GRADDESCENT_SHARED)"
        return [pytest.param(None, id="no-ground-truth", marks=pytest.mark.skip(reason=reason))]
    table = pd.read_csv(GROUND_TRUTH)
    return [
        pytest.param(row, id=f"{row.dataset}-seed{row.seed}-{row.method}-{row.max_iter}")
        for row in table.itertuples(index=False)
    ]


@cache
def _split(dataset: str, seed: int) -> r_replay.SplitData:
    data = pd.read_csv(SHARED / "data" / f"{dataset}.csv")
    return r_replay.split_data(data, 0.8, seed)


@pytest.fixture(params=["compiled", "numpy"])
def long_double_sums(request, monkeypatch) -> str:
    """R's long-double sums by each path: compiled x87 kernels, NumPy longdouble blocks."""
    if request.param == "compiled" and not longdouble.available():
        pytest.skip("no x87 long double in this process")
    if request.param == "numpy":
        monkeypatch.setattr(arithmetic, "available", lambda: False)
    return request.param


@pytest.mark.parametrize("row", _ground_truth_rows())
def test_reproduces_r_ground_truth(row, long_double_sums) -> None:
    # R: splitData(ds, 0.8, seed); gradDescentR.learn(train, learningMethod=method,
    #    control=list(maxIter=max_iter[, option=1]), seed=seed); RMSE of predict on the test rows
    split = _split(row.dataset, row.seed)
    train_rows = np.array(row.train_rows.split(), dtype=int)
    np.testing.assert_array_equal(split.data_train.index.to_numpy() + 1, train_rows)
    assert split.data_test.index.is_monotonic_increasing  # the other rows, in their order
    every_row = np.concatenate([split.data_train.index, split.data_test.index])
    np.testing.assert_array_equal(np.sort(every_row), np.arange(every_row.size))

    control = {"maxIter": row.max_iter}
    if not pd.isna(row.option):
        control["option"] = int(row.option)
    model = r_replay.learn(
        split.data_train, learning_method=row.method, control=control, seed=row.seed
    )
    expected_theta = np.array(row.theta_scaled.split(), dtype=float)  # 17 digits: exact
    np.testing.assert_array_equal(model.model, expected_theta)  # bit for bit

    predicted = r_replay.predict(model, split.data_test)
    residual = split.data_test.iloc[:, -1].to_numpy() - predicted.iloc[:, -1].to_numpy()
    assert np.sqrt(np.mean(residual**2)) == pytest.approx(row.test_rmse, rel=1e-12)


# -- small synthetic data for the behaviour tests ----------------------------------------------
def _toy(n: int = 30, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = 1.0 + x @ np.array([2.0, -1.0]) + 0.1 * rng.normal(size=n)
    return np.column_stack([x, y])


def _theta0(data: np.ndarray, seed: int) -> np.ndarray:
    """R's initial theta: GD with a zero learning rate never moves from it."""
    return r_replay.GD(data, alpha=0.0, max_iter=1, seed=seed)


def test_learners_table() -> None:
    assert list(LEARNERS) == [
        "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
        "SSGD", "SVRG", "SARAH", "SARAHPlus",
    ]  # fmt: skip
    data = _toy()
    for name, learner in LEARNERS.items():
        extra = {"inner_iter": 3} if name in {"SVRG", "SARAH", "SARAHPlus", "SSGD"} else {}
        theta = learner(data, seed=1, unseeded_rng=RRandom(0), **extra)
        assert theta.shape == (3,) and theta.dtype == float and np.isfinite(theta).all(), name


def test_preamble_is_r_semantics_section_3() -> None:
    # shuffle with set.seed(seed); sample(n); theta0 = runif(p) after set.seed(seed)
    data = _toy(12)
    np.testing.assert_array_equal(_theta0(data, 4), RRandom(4).runif(3))
    order = RRandom(4).sample(12) - 1
    x = np.column_stack([np.ones(12), data[order, :2]])
    gradient = x.T @ (x @ RRandom(4).runif(3) - data[order, 2]) / 12
    np.testing.assert_allclose(
        r_replay.GD(data, alpha=0.1, max_iter=1, seed=4),
        RRandom(4).runif(3) - 0.1 * gradient,
        rtol=1e-14,
    )


def test_unseeded_draws_reproducible_when_given() -> None:
    data = _toy()
    for method in ("SAGD", "SARAH", "SVRG"):
        learner = LEARNERS[method]
        first = learner(data, seed=1, unseeded_rng=RRandom(7))
        np.testing.assert_array_equal(first, learner(data, seed=1, unseeded_rng=RRandom(7)))
        from_numpy = learner(data, seed=1, unseeded_rng=np.random.default_rng(5))
        again = learner(data, seed=1, unseeded_rng=np.random.default_rng(5))
        np.testing.assert_array_equal(from_numpy, again)
    # SAGD's coins differ between these unseeded streams, so do the results
    assert not np.array_equal(
        r_replay.SAGD(data, seed=1, unseeded_rng=RRandom(7)),
        r_replay.SAGD(data, seed=1, unseeded_rng=RRandom(8)),
    )
    # without a seed every draw comes from unseeded_rng
    np.testing.assert_array_equal(
        r_replay.SGD(data, seed=None, unseeded_rng=RRandom(3)),
        r_replay.SGD(data, seed=None, unseeded_rng=RRandom(3)),
    )
    learned = [
        r_replay.learn(data, learning_method="SAGD", seed=2, unseeded_rng=RRandom(1)).model
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*learned)


def test_svrg_option_2_returns_the_drawn_inner_iterate() -> None:
    # option 2 keeps list entry sample(innerIter, 1); option 1 with innerIter = that entry
    # returns the same iterate (its row list is a prefix of the longer one)
    data = _toy()
    for unseeded in range(4):
        pick = int(RRandom(unseeded).sample(10, 1)[0])
        option_2 = r_replay.SVRG(
            data, max_iter=1, inner_iter=10, option=2, seed=3, unseeded_rng=RRandom(unseeded)
        )
        option_1 = r_replay.SVRG(data, max_iter=1, inner_iter=pick, option=1, seed=3)
        np.testing.assert_array_equal(option_2, option_1)
    assert np.isfinite(r_replay.SVRG(data, max_iter=5, seed=3, unseeded_rng=RRandom(0))).all()


def test_sarah_returns_the_drawn_inner_iterate() -> None:
    # SARAH's list is [w0, w2, ..., w_m]; SARAHPlus with gamma_s = 0 runs to its last iterate
    data = _toy()
    for unseeded in range(4):
        pick = int(RRandom(unseeded).sample(10, 1)[0])
        sarah = r_replay.SARAH(
            data, max_iter=1, inner_iter=10, seed=3, unseeded_rng=RRandom(unseeded)
        )
        plus = r_replay.SARAHPlus(data, max_iter=1, inner_iter=pick, gamma_s=0.0, seed=3)
        np.testing.assert_array_equal(sarah, plus)
    assert np.isfinite(r_replay.SARAH(data, max_iter=5, seed=3, unseeded_rng=RRandom(0))).all()


# -- the replay is R, not the paper --------------------------------------------------------------
def _adam_reference(data, seed, max_iter, shared_state, constant_correction, alpha=0.1):
    """Adam on R's rows: R's way (shared scalars, bias correction by 1 - beta) or the paper's."""
    n = len(data)
    order = RRandom(seed).sample(n) - 1
    x = np.column_stack([np.ones(n), data[order, :-1]])
    y = data[order, -1]
    theta = RRandom(seed).runif(x.shape[1])
    rows = RRandom(seed).sample(n, max_iter, replace=True) - 1
    m, v = np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for t, i in enumerate(rows, start=1):
        g = (x[i] @ theta - y[i]) * x[i]
        new = theta.copy()
        for j in range(len(theta)):
            k = 0 if shared_state else j
            m[k] = 0.9 * m[k] + (1 - 0.9) * g[j]
            v[k] = 0.999 * v[k] + (1 - 0.999) * g[j] ** 2
            c1, c2 = (1 - 0.9, 1 - 0.999) if constant_correction else (1 - 0.9**t, 1 - 0.999**t)
            new[j] = theta[j] - alpha * (m[k] / c1) / (np.sqrt(v[k] / c2) + 1e-7)
        theta = new
    return theta


def test_replay_mode_is_not_the_paper_adam() -> None:
    data = _toy()
    replay = r_replay.ADAM(data, max_iter=5, seed=2)
    r_way = _adam_reference(data, 2, 5, shared_state=True, constant_correction=True)
    np.testing.assert_allclose(replay, r_way, rtol=1e-13)
    # the paper's bias correction 1 - beta^t (even with R's shared state) moves elsewhere
    corrected = _adam_reference(data, 2, 5, shared_state=True, constant_correction=False)
    paper = _adam_reference(data, 2, 5, shared_state=False, constant_correction=False)
    assert np.max(np.abs(replay - corrected)) > 1e-3
    assert np.max(np.abs(replay - paper)) > 1e-3


def test_adadelta_first_coefficient_never_moves_on_first_step() -> None:
    data = _toy()
    theta = r_replay.ADADELTA(data, max_iter=1, seed=6)
    assert theta[0] == _theta0(data, 6)[0]
    assert theta[1] != _theta0(data, 6)[1]


def test_sarah_plus_with_gamma_one_never_moves() -> None:
    data = _toy()
    np.testing.assert_array_equal(r_replay.SARAHPlus(data, gamma_s=1.0, seed=5), _theta0(data, 5))


def test_max_iter_zero_runs_two_iterations() -> None:
    data = _toy()
    for learner in (r_replay.GD, r_replay.MGD, r_replay.AGD, r_replay.MBGD):
        np.testing.assert_array_equal(
            learner(data, max_iter=0, seed=1), learner(data, max_iter=2, seed=1)
        )
    np.testing.assert_array_equal(
        r_replay.SSGD(data, max_iter=0, seed=1), r_replay.SSGD(data, max_iter=2, seed=1)
    )
    with pytest.raises(RError):  # R indexes its empty row list with 1 (NA), then 0
        r_replay.SGD(data, max_iter=0, seed=1)


def test_mbgd_drops_rows_and_one_batch_is_gd() -> None:
    data = _toy(10)
    # x = 10/3: batches are rows 1-3, 4-6 and 7-9 of the shuffled data; row 10 is never used
    dropped = RRandom(2).sample(10)[9] - 1
    changed = data.copy()
    changed[dropped, -1] += 100.0
    np.testing.assert_array_equal(
        r_replay.MBGD(data, n_batch=3, max_iter=7, seed=2),
        r_replay.MBGD(changed, n_batch=3, max_iter=7, seed=2),
    )
    np.testing.assert_array_equal(
        r_replay.MBGD(data, n_batch=1, max_iter=4, seed=2), r_replay.GD(data, max_iter=4, seed=2)
    )


def test_r_errors() -> None:
    data = _toy(10)
    with pytest.raises(RError, match="one-row batch"):
        r_replay.MBGD(data, n_batch=10, seed=1)
    with pytest.raises(RError):
        r_replay.SARAH(data, inner_iter=1, seed=1)
    with pytest.raises(RError):  # lamda != 0 with a single inner length
        r_replay.SSGD(data, lamda=0.5, inner_iter=1, seed=1)
    with pytest.raises(RError):  # lamda * alpha == 1
        r_replay.SSGD(data, lamda=10.0, alpha=0.1, seed=1)
    with pytest.raises(RError, match="learningMethod"):
        r_replay.learn(data, learning_method="SAG")
    with pytest.raises(RError, match="scalingMethod"):
        r_replay.learn(data, scaling_method="ROBUST")
    with pytest.raises(ValueError, match="unknown control"):
        r_replay.learn(data, control={"maxiter": 3})


def test_ssgd_inner_length_law_never_draws_one() -> None:
    rng = RRandom(0)
    lengths = {r_replay.algorithms.ssgd_inner_length(rng, 4, 1.0, 0.1) for _ in range(300)}
    assert lengths == {2, 3, 4}


def test_learn_control_and_scaling() -> None:
    data = pd.DataFrame(_toy(), columns=["a", "b", "out"])
    by_r_name = r_replay.learn(
        data, learning_method="MGD", control={"maxIter": 3, "momentum": 0.5}, seed=1
    )
    by_argument = r_replay.learn(
        data, learning_method="MGD", control={"max_iter": 3, "momentum": 0.5}, seed=1
    )
    np.testing.assert_array_equal(by_r_name.model, by_argument.model)
    assert by_r_name.control["maxIter"] == 3 and by_r_name.control["gammaS"] == 0.125
    np.testing.assert_allclose(by_r_name.scaling_parameter[0], data.mean(), rtol=1e-14)
    np.testing.assert_allclose(by_r_name.scaling_parameter[1], data.std(ddof=1), rtol=1e-14)
    for method in ("VARIANCE", "MINMAX"):
        model = r_replay.learn(data, scaling_method=method, seed=1)
        predicted = r_replay.predict(model, data)
        assert list(predicted.columns) == ["a", "b", "prediction"]
        np.testing.assert_allclose(predicted[["a", "b"]], data[["a", "b"]], rtol=1e-13)
    raw = r_replay.learn(data.to_numpy(), feature_scaling=False, seed=1)
    assert raw.scaling_parameter is None
    np.testing.assert_array_equal(raw.model, r_replay.GD(data, seed=1))
    prediction = r_replay.predict(raw, data.to_numpy())
    np.testing.assert_allclose(
        prediction[:, -1], raw.model[0] + data.to_numpy()[:, :2] @ raw.model[1:], rtol=1e-13
    )


def test_split_data_arrays_and_empty_training_set() -> None:
    data = _toy(10)
    train, test = r_replay.split_data(data, 0.3, seed=1)
    rows = RRandom(1).sample(10, 3) - 1
    np.testing.assert_array_equal(train, data[rows])
    np.testing.assert_array_equal(test, data[np.setdiff1d(np.arange(10), rows)])
    empty_train, empty_test = r_replay.split_data(data, 0.05, seed=1)  # R: dataSet[-integer(0), ]
    assert len(empty_train) == 0 and len(empty_test) == 0


# -- the subpackage's layout: public names, the registry as the one source, import layers -----
PUBLIC = [
    "ADADELTA", "ADAGRAD", "ADAM", "AGD", "GD", "LEARNERS", "MBGD", "MGD", "RError", "RMSPROP",
    "RRandom", "RReplayModel", "SAGD", "SARAH", "SARAHPlus", "SGD", "SSGD", "SVRG", "SplitData",
    "learn", "predict", "split_data",
]  # fmt: skip
ALLOWED_OUTSIDE = {"_registry", "preprocessing", "_validation", "_signatures"}


def test_public_names_and_signatures_from_the_registry() -> None:
    import inspect

    from graddescent._registry import R_NAMES
    from graddescent.preprocessing import SplitData

    assert sorted(r_replay.__all__) == PUBLIC
    assert all(hasattr(r_replay, name) for name in PUBLIC)
    assert r_replay.SplitData is SplitData  # one split record
    for name, learner in LEARNERS.items():
        params = inspect.signature(learner).parameters
        assert list(params) == ["data_train", *R_NAMES[name].r_args, "unseeded_rng"], name
        for arg, default in R_NAMES[name].r_args.items():
            assert params[arg].default == default, (name, arg)
        assert learner.__module__ == "graddescent.r_replay"
    # learn's control defaults: the union of the learners' registry defaults, by R's names
    control = r_replay.learn(_toy(), seed=1).control
    expected = {}
    for method in R_NAMES.values():
        for arg, default in method.r_args.items():
            if arg != "seed":
                head, *rest = arg.split("_")
                expected.setdefault(head + "".join(part.capitalize() for part in rest), default)
    assert control == expected and control["maxIter"] == 10 and control["gammaS"] == 0.125


def _imports(path):
    """(module imported, names) for every import statement of a source file."""
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or ""), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_import_layers_and_no_private_names() -> None:
    from pathlib import Path

    package = Path(r_replay.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert {p.stem for p in modules} >= {"session", "arithmetic", "rules", "learners", "workflow"}
    for path in modules:
        for module, names in _imports(path):
            where = f"{path.name}: {module} {names}"
            assert not module.startswith("graddescent"), where  # relative imports only
            if module.startswith("..."):
                raise AssertionError(where)
            if module.startswith("..") and module != "..":
                assert module[2:].split(".")[0] in ALLOWED_OUTSIDE, where
            if module == "..":
                assert set(names) <= ALLOWED_OUTSIDE, where
            if module.startswith("."):
                assert not [n for n in names if n.startswith("_")], where
    r_api = package.parent / "r_api.py"
    assert ("._signatures", ["signed_function"]) in list(_imports(r_api))
    for path in package.parent.glob("*.py"):
        assert "_signed_function" not in path.read_text(), path.name


def test_subpackage_is_packaged() -> None:
    from pathlib import Path

    setup = (Path(r_replay.__file__).parents[2] / "setup.cfg").read_text()
    assert "    graddescent.r_replay\n" in setup

"""Drivers: ALGORITHMS.md section 6 vectors, convergence to least squares, reproducibility."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from conftest import well_conditioned

from graddescent import drivers as D
from graddescent import objective as O
from graddescent import rules
from graddescent._jit import OK
from graddescent.drivers import mini_batch as MB
from graddescent.drivers import s2gd_length_law
from graddescent.drivers import sag as SG
from graddescent.drivers import sarah as SR
from graddescent.drivers import snapshot as SN
from graddescent.drivers.averaging import NO_AVERAGE
from graddescent.drivers.base import DEFAULT_RECORD as PB


def _buf(p=2, k=5):
    return [np.empty(p) for _ in range(k)]


def test_full_batch_vectors(toy_problem):
    X, y = toy_problem
    expected = {
        "plain": [[0.15, 0.275], [0.264375, 0.4871875], [0.35139843750000005, 0.65101171875]],
        "momentum": [[0.15, 0.275], [0.399375, 0.7346875], [0.67877343749999997, 1.25569921875]],
        "nesterov": [[0.15, 0.275], [0.3673125, 0.67815625],
                     [0.578529609375, 1.0785929296875001]],
    }
    for name, want in expected.items():
        opt = D.Optimizer(rules.RULES[name](0.1), D.FullBatch(), np.zeros(2), 4)
        got = [opt.run(X, y, 1, np.random.default_rng(0)).copy() for _ in range(3)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=name)


def test_single_sample_vector(toy_problem):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    idx = np.array([2, 0, 3])
    got = []
    for k in range(3):
        MB.sampled(X, y, idx[k:k + 1], 1, 4, MB.plan_of(1), 1, theta, rule.init_state(2), 0,
                   rule.hyperparameters(), *_buf(2, 2), PB, NO_AVERAGE)
        got.append(theta.copy())
    np.testing.assert_allclose(got, [[0.2, 0.3], [0.265, 0.3325], [0.522, 0.8465]], atol=1e-12)


@pytest.mark.parametrize("fixed_m,expected", [
    (0, [[0.2, 0.3], [0.3325, 0.46625], [0.49533333333333335, 0.72608333333333341],
         [0.60535138888888884, 0.90669375000000008], [0.68289848958333332, 1.0471180034722223]]),
    (4, [[0.05, 0.075], [0.1228125, 0.16140625], [0.271984375, 0.40053125],
         [0.39933671875, 0.606926953125], [0.519378818359375, 0.820632900390625]]),
])
def test_sag_vectors(toy_problem, fixed_m, expected):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    memory, dsum = np.full(4, np.nan), np.zeros(2)
    n_seen, got = 0, []
    for i in [2, 0, 3, 2, 1]:
        _, n_seen, status = SG.sag(X, y, np.array([i]), theta, rule.init_state(2), 0,
                                   rule.hyperparameters(), memory, dsum, n_seen, fixed_m,
                                   *_buf(2, 2), PB)
        assert status == OK
        got.append(theta.copy())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_svrg_option1_vector(toy_problem):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    got = []
    for rows in ([2, 0, 3], [1, 1, 2]):
        SN.snapshot_vr(X, y, np.array(rows), np.array([3]), np.array([-1]), theta,
                      rule.init_state(2), 0, rule.hyperparameters(), *_buf(), PB)
        got.append(theta.copy())
    np.testing.assert_allclose(got, [[0.287, 0.542125], [0.4747203046875, 0.89850584765625]],
                               atol=1e-12)


def test_s2gd_vector_and_law(toy_problem):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    got = []
    for rows in ([2, 0], [3, 1, 1]):
        SN.snapshot_vr(X, y, np.array(rows), np.array([len(rows)]), np.array([-1]), theta,
                      rule.init_state(2), 0, rule.hyperparameters(), *_buf(), PB)
        got.append(theta.copy())
    np.testing.assert_allclose(got, [[0.27125, 0.535625], [0.5393859375, 0.978278125]],
                               atol=1e-12)
    np.testing.assert_allclose(
        s2gd_length_law(4, 0.1),
        [0.21198022681011924, 0.23553358534457691, 0.26170398371619658, 0.29078220412910727],
        atol=1e-15)
    np.testing.assert_allclose(s2gd_length_law(5, 0.0), np.full(5, 0.2))


def test_sarah_vector(toy_problem):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    got = []
    for rows, pick in (([2, 0], 3), ([3, 1], 1)):
        SR.sarah(X, y, np.array(rows), 3, np.array([pick]), 0.0, theta, rule.init_state(2), 0,
                rule.hyperparameters(), *_buf(), PB)
        got.append(theta.copy())
    np.testing.assert_allclose(got, [[0.31859375, 0.646796875],
                                     [0.388224609375, 0.7766279296875]], atol=1e-12)


def test_sarah_plus_vector(toy_problem):
    X, y = toy_problem
    rule, theta = rules.plain(0.1), np.zeros(2)
    rows = [[2, 0, 3, 1, 2, 2, 0, 1, 3], [1, 3, 0, 2, 2, 1, 0, 3, 1]]
    got, steps = [], []
    for r in rows:
        t, _ = SR.sarah(X, y, np.array(r), 10, np.array([-1]), 0.125, theta, rule.init_state(2),
                       0, rule.hyperparameters(), *_buf(), PB)
        got.append(theta.copy())
        steps.append(t)
    np.testing.assert_allclose(got, [[0.34971875, 0.74053125],
                                     [0.56249805069335923, 1.083991740493164]], atol=1e-12)
    assert steps == [4, 5]  # exits at t = 4, then t = 5 (t steps = w_1 .. w_t)


def test_sarah_plus_gamma_one_is_gradient_descent(toy_problem):
    X, y = toy_problem
    a = D.optimize(X, y, rules.plain(0.1), D.SARAHPlus(inner_iter=5, gamma_s=1.0), np.zeros(2),
                   3, np.random.default_rng(0))
    b = D.optimize(X, y, rules.plain(0.1), D.FullBatch(), np.zeros(2), 3,
                   np.random.default_rng(0))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


# --- convergence to the least-squares solution ------------------------------------------------
def _lstsq_settings():
    return {
        "full_batch": (rules.plain(0.5), D.FullBatch(), 200),
        "mini_batch": (rules.plain(0.05), D.MiniBatch(batch_size=200, n_batch=None), 400),
        "mini_batch_small": (rules.plain(0.02), D.MiniBatch(batch_size=16), None),
        "single_sample": (rules.plain(0.02), D.MiniBatch(batch_size=1), None),
        "sag": (rules.plain(0.02), D.SAG(), 200 * 300),
        "svrg": (rules.plain(0.05), D.SVRG(inner_iter=200, option=1), 60),
        "svrg_option2": (rules.plain(0.05), D.SVRG(inner_iter=200, option=2), 120),
        "s2gd": (rules.plain(0.05), D.S2GD(inner_iter=200, nu=0.5), 100),
        "sarah": (rules.plain(0.05), D.SARAH(inner_iter=100), 200),
        "sarah_plus": (rules.plain(0.05), D.SARAHPlus(inner_iter=200), 100),
    }


@pytest.mark.parametrize("name", sorted(_lstsq_settings()))
def test_driver_reaches_least_squares(name):
    rule, driver, units = _lstsq_settings()[name]
    if units is None:
        # A constant step leaves single-row and small-batch SGD at a noise floor proportional to
        # the residual variance; on a consistent (noise-free) system that floor is zero and SGD
        # converges linearly (the interpolation regime), which is the suitable setting here.
        X, y, theta_star = well_conditioned(noise=0.0)
        units = 300 * int(np.ceil(200 / driver.batch_size))
    else:
        X, y, theta_star = well_conditioned()
    theta = D.optimize(X, y, rule, driver, np.zeros(5), units, np.random.default_rng(11))
    np.testing.assert_allclose(theta, theta_star, rtol=1e-6, atol=1e-6 * np.abs(theta_star).max())


def test_invscaling_brings_sgd_below_the_constant_step_noise_floor():
    import dataclasses

    X, y, theta_star = well_conditioned(noise=1.0)
    const = D.optimize(X, y, rules.plain(0.05), D.MiniBatch(batch_size=1), np.zeros(5),
                       200 * 200, np.random.default_rng(1))
    decay = D.optimize(X, y, dataclasses.replace(rules.plain(0.5), power_t=0.75),
                       D.MiniBatch(batch_size=1), np.zeros(5), 200 * 200,
                       np.random.default_rng(1))
    gap_const = _suboptimality(X, y, const, theta_star)
    gap_decay = _suboptimality(X, y, decay, theta_star)
    assert gap_decay < gap_const / 10


@pytest.mark.parametrize("rule", [rules.momentum(0.3, 0.5), rules.nesterov(0.3, 0.5),
                                  rules.adagrad(0.5), rules.rprop(0.1), rules.amsgrad(0.05),
                                  rules.adadelta(1.0, eps=1e-4)],
                         ids=lambda r: r.name)
def test_rules_reach_least_squares_full_batch(rule):
    # RMSprop and Adam with a constant rate take steps of about lr in every coordinate near the
    # optimum (g / sqrt(v) stays of order one) and hover there; they are left out on purpose.
    X, y, theta_star = well_conditioned()
    theta = D.optimize(X, y, rule, D.FullBatch(), np.zeros(5), 5000, np.random.default_rng(0))
    np.testing.assert_allclose(theta, theta_star, rtol=1e-6, atol=1e-6)


def _suboptimality(X, y, theta, theta_star):
    return O.objective(X, y, theta) - O.objective(X, y, theta_star)


@pytest.mark.parametrize("driver", [D.SAG(), D.SVRG(inner_iter=200, option=1),
                                    D.S2GD(inner_iter=200), D.SARAH(inner_iter=200),
                                    D.SARAHPlus(inner_iter=200)], ids=lambda d: d.name)
def test_variance_reduction_converges_where_sgd_stalls(driver):
    """Same constant step, same number of single-row gradient evaluations (about 40 epochs)."""
    X, y, theta_star = well_conditioned(noise=1.0)
    n, lr = X.shape[0], 0.05
    sgd = [_suboptimality(X, y, D.optimize(X, y, rules.plain(lr), D.MiniBatch(batch_size=1),
                                           np.zeros(5), 40 * n, np.random.default_rng(s)),
                          theta_star) for s in range(3)]
    units = 40 * n if isinstance(driver, D.SAG) else 13  # ~3 gradient evaluations per row
    vr = _suboptimality(X, y, D.optimize(X, y, rules.plain(lr), driver, np.zeros(5), units,
                                         np.random.default_rng(0)), theta_star)
    assert min(sgd) > 1e-4, "SGD with a constant step should stall at a noise floor"
    assert vr < 1e-10, f"{driver.name} should converge with the same constant step"


def test_index_stream_chunking_gives_the_same_indices():
    a, b = D.IndexStream(7, "shuffle"), D.IndexStream(7, "shuffle")
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    one = a.take(rng_a, 20)
    many = np.concatenate([b.take(rng_b, k) for k in (3, 4, 9, 4)])
    np.testing.assert_array_equal(one, many)
    # each block of 7 is a permutation: every row once per epoch
    for e in range(2):
        assert sorted(one[7 * e:7 * e + 7]) == list(range(7))


def test_flipflop_stream_reverses_every_second_epoch():
    stream = D.IndexStream(7, "flipflop")
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    got = np.concatenate([stream.take(rng, k) for k in (5, 9, 14)])  # 4 epochs, in pieces
    first, second = ref.permutation(7), ref.permutation(7)  # one draw per pair of epochs
    np.testing.assert_array_equal(got, np.concatenate([first, first[::-1], second, second[::-1]]))
    assert rng.random() == ref.random()  # the reversed epochs draw nothing


def test_flipflop_reversal_leaves_a_pending_batch_untouched():
    # A batch list may span two epochs: the reversed epoch must not overwrite the one before.
    stream = D.IndexStream(6, "flipflop")
    idx, first_len = stream.take_batches(np.random.default_rng(0), 4, 4)  # 4,2 | 4,2
    np.testing.assert_array_equal(idx[6:], idx[:6][::-1])
    assert first_len == 6


def test_unknown_sampling_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown sampling scheme 'random'; expected one of"):
        D.IndexStream(5, "random")


def test_flipflop_lowers_the_constant_step_noise_floor():
    """Two batches, constant step: flip-flop ends nearer the optimum than reshuffling."""
    X, y, theta_star = well_conditioned(noise=1.0)  # measured: 4.2 times nearer

    def error(scheme, seed):
        theta = D.optimize(X, y, rules.plain(0.1), D.MiniBatch(batch_size=None, n_batch=2,
                                                               scheme=scheme),
                           np.zeros(5), 2000, np.random.default_rng(seed))
        return np.linalg.norm(theta - theta_star)

    shuffle = np.median([error("shuffle", s) for s in range(20)])
    flipflop = np.median([error("flipflop", s) for s in range(20)])
    assert flipflop < shuffle / 2, (flipflop, shuffle)


def test_batches_never_cross_an_epoch():
    stream = D.IndexStream(10, "shuffle")
    idx, first = stream.take_batches(np.random.default_rng(0), 7, 4)  # 4,4,2 | 4,4,2 | 4
    assert first == 10 and idx.shape[0] == 24


def test_rprop_refuses_mini_batches():
    with pytest.raises(ValueError, match="full-batch method"):
        D.Optimizer(rules.rprop(), D.MiniBatch(batch_size=2), np.zeros(2), 10)


def test_divergence_raises_a_clear_error():
    X, y, _ = well_conditioned()
    with pytest.raises(D.DivergenceError, match="Scale the data .* or lower the learning rate"):
        D.optimize(X * 1e3, y, rules.plain(10.0), D.FullBatch(), np.zeros(5), 500,
                   np.random.default_rng(0))


@pytest.mark.parametrize("driver,rule", [
    (D.MiniBatch(batch_size=1), rules.plain(0.05)),
    (D.MiniBatch(batch_size=3), rules.adam(0.05)),
    (D.MiniBatch(batch_size=1, scheme="cyclic"), rules.rmsprop(0.01)),
    (D.MiniBatch(batch_size=5, scheme="flipflop"), rules.plain(0.05)),
    (D.MiniBatch(batch_size=1, scheme="replace"), rules.nesterov(0.02)),
    (D.FullBatch(), rules.momentum(0.1)),
    (D.SVRG(inner_iter=5), rules.plain(0.05)),
    (D.SAG(), rules.plain(0.05)),
], ids=lambda x: getattr(x, "name", ""))
def test_run_epochs_equals_one_epoch_at_a_time(driver, rule):
    # The estimator runs epochs in blocks (one compiled call for the mini-batch drivers): the
    # steps, the snapshots and the random stream must be those of one call per epoch.
    X, y, _ = well_conditioned(n=23, d=3)
    one = D.Optimizer(rule, driver, np.zeros(4), 23)
    block = D.Optimizer(rule, driver, np.zeros(4), 23)
    rng_one, rng_block = np.random.default_rng(9), np.random.default_rng(9)
    units = int(np.ceil(driver.units_per_epoch(23)))
    expected = np.array([one.run(X, y, units, rng_one).copy() for _ in range(7)])
    got = np.vstack([block.run_epochs(X, y, 3, rng_block), block.run_epochs(X, y, 4, rng_block)])
    np.testing.assert_array_equal(got, expected)
    assert (block.t, block.units) == (one.t, one.units)
    assert rng_one.random() == rng_block.random()
    np.testing.assert_array_equal(block.rule_state, one.rule_state)


@pytest.mark.parametrize("driver", [D.MiniBatch(batch_size=1), D.MiniBatch(batch_size=4),
                                    D.MiniBatch(batch_size=1, scheme="cyclic"), D.FullBatch()],
                         ids=["single", "batches", "cyclic", "full"])
def test_run_epochs_reports_the_running_mean_after_each_epoch(driver):
    """Several averaged epochs in one call: ``average_snapshots[e]`` is the running mean after
    epoch ``e``, as one call per epoch leaves it, bit for bit."""
    X, y, _ = well_conditioned(n=23, d=3)
    one = D.Optimizer(rules.adam(0.05), driver, np.zeros(4), 23, average=5)
    block = D.Optimizer(rules.adam(0.05), driver, np.zeros(4), 23, average=5)
    rng_one, rng_block = np.random.default_rng(3), np.random.default_rng(3)
    expected = []
    for _ in range(6):
        one.run_epochs(X, y, 1, rng_one)
        expected.append(one.theta_average.copy())
    snaps = block.run_epochs(X, y, 6, rng_block)
    np.testing.assert_array_equal(block.average_snapshots, np.array(expected))
    np.testing.assert_array_equal(snaps[-1], one.theta)
    assert not np.array_equal(block.average_snapshots[-1], snaps[-1])
    assert D.Optimizer(rules.adam(0.05), driver, np.zeros(4), 23).average_snapshots is None


def test_run_epochs_after_a_partial_epoch_falls_back_to_single_epochs():
    X, y, _ = well_conditioned(n=10, d=2)
    opt = D.Optimizer(rules.plain(0.05), D.MiniBatch(batch_size=1), np.zeros(3), 10)
    ref = D.Optimizer(rules.plain(0.05), D.MiniBatch(batch_size=1), np.zeros(3), 10)
    rng, rng_ref = np.random.default_rng(1), np.random.default_rng(1)
    opt.run(X, y, 4, rng)  # 4 of 10 rows: an epoch begun
    ref.run(X, y, 4, rng_ref)
    snaps = opt.run_epochs(X, y, 2, rng)
    np.testing.assert_array_equal(snaps[-1], ref.run(X, y, 20, rng_ref))


def test_a_sampled_fits_index_buffer_does_not_grow_with_the_epochs():
    """Each epoch's row order is drawn into one reused buffer of n entries, not
    one array per epoch: a fit of 300 epochs needs no more memory than one of 2."""
    import tracemalloc

    from graddescent import GDRegressor

    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 4))
    y = X @ np.ones(4) + 0.1 * rng.standard_normal(5000)
    # compile first, and load whatever a long fit loads once per process
    GDRegressor(method="sgd", max_iter=300, tol=None).fit(X, y)
    peaks = {}
    for epochs in (2, 300):
        tracemalloc.start()
        est = GDRegressor(method="sgd", max_iter=epochs, tol=None, random_state=0).fit(X, y)
        peaks[epochs] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert est.n_iter_ == epochs
        assert est._optimizer.driver_state.stream.block.shape == (5000,)
    snapshots = 300 * 5 * 8  # theta after every epoch of the block
    # what a fit keeps per epoch by design: the objective and its step tag (8 bytes each), the
    # loss curve's float (a list slot and a float object, 32 bytes), and the lists of floats
    # the objectives pass through on their way there (two more, 64 bytes)
    records = 300 * (8 + 8 + 32 + 64)
    one_order_per_epoch = 300 * 5000 * 4  # what the reused buffer avoids
    assert peaks[300] - peaks[2] < snapshots + records + 16_384, peaks
    assert peaks[300] - peaks[2] < one_order_per_epoch / 50, peaks
    assert peaks[300] < 2 * 5000 * 4 + snapshots + 200_000, peaks  # far below 300 orders


@pytest.mark.parametrize("method", ["sgd", "mbgd", "sagd", "adam", "svrg"])
def test_the_same_seed_gives_the_same_bits(method):
    """Row orders drawn inside the kernels (from the caller's Generator) are reproducible: two
    fits with the same random_state agree to the last bit, and another seed differs."""
    from graddescent import GDRegressor

    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(300)
    fits = [GDRegressor(method=method, max_iter=7, tol=None, random_state=s).fit(X, y)
            for s in (3, 3, 4)]
    np.testing.assert_array_equal(fits[0].coef_, fits[1].coef_)
    assert fits[0].intercept_ == fits[1].intercept_
    assert not np.array_equal(fits[0].coef_, fits[2].coef_)


def test_draws_in_blocks_and_pieces_are_the_draws_of_one_take():
    """SAG's stream: uniform draws in blocks smaller than n, taken in pieces that never cross
    a block (views, no copies), are the indices of one take and of one NumPy draw."""
    whole = D.IndexStream(10, "replace", block_size=3).take(np.random.default_rng(4), 17)
    stream, rng, pieces = D.IndexStream(10, "replace", block_size=3), np.random.default_rng(4), []
    sizes = iter([2, 5, 1, 4, 5, 5, 5, 5, 5, 5])
    while sum(p.shape[0] for p in pieces) < 17:
        k = next(sizes)
        piece = stream.take_piece(rng, k)
        assert 1 <= piece.shape[0] <= min(k, 3) and piece.base is not None  # a view
        pieces.append(piece.copy())
    got = np.concatenate(pieces)
    np.testing.assert_array_equal(got[:17], whole)
    first = np.random.default_rng(4).integers(0, 10, size=3, dtype=np.int32)
    np.testing.assert_array_equal(got[:3], first)
    # SAG itself: several blocks per call, the same fit as one block per call
    X = np.random.default_rng(0).standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    one = D.optimize(X, y, rules.plain(0.05), D.SAG(), np.zeros(4), 100, np.random.default_rng(1))
    saved = SG.DRAW_CHUNK
    try:
        SG.DRAW_CHUNK = 7
        small = D.optimize(X, y, rules.plain(0.05), D.SAG(), np.zeros(4), 100,
                           np.random.default_rng(1))
    finally:
        SG.DRAW_CHUNK = saved
    np.testing.assert_array_equal(small, one)


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 70_001])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_shuffle_rows_is_numpys_shuffle(n, dtype):
    """The compiled shuffle of the row streams gives NumPy's permutation and leaves the
    Generator where NumPy's shuffle leaves it."""
    from graddescent.drivers.sampling import shuffle_rows

    mine, ref = np.random.default_rng(n), np.random.default_rng(n)
    a, b = np.arange(n, dtype=dtype), np.arange(n, dtype=dtype)
    shuffle_rows(mine, a)
    ref.shuffle(b)
    np.testing.assert_array_equal(a, b)
    assert mine.integers(0, 2**62) == ref.integers(0, 2**62)


def test_a_spent_epoch_order_is_reused_for_the_next_permutation():
    """Each epoch's order is NumPy's permutation, written into the spent block when no take
    still views it (no allocation per epoch), and into a new array when one does."""
    stream, rng, ref = D.IndexStream(1000, "shuffle"), np.random.default_rng(5), None
    ref = np.random.default_rng(5)
    blocks = []
    for _ in range(3):
        got = stream.take(rng, 1000).copy()
        blocks.append(id(stream.block))
        np.testing.assert_array_equal(got, ref.permutation(1000))
    held = stream.take(rng, 1000)  # a pending view of the spent block
    np.testing.assert_array_equal(held, ref.permutation(1000))
    before = held.copy()
    np.testing.assert_array_equal(stream.take(rng, 1000), ref.permutation(1000))
    np.testing.assert_array_equal(held, before)  # the view was not overwritten
    assert rng.random() == ref.random()
    if not numba.config.DISABLE_JIT:
        assert len(set(blocks)) == 1


@pytest.mark.parametrize("n, dtype", [(n, dtype) for n in (1, 2, 7, 1000, 70_001, 2**31 - 1,
                                                            2**32 - 1, 2**32, 2**32 + 1)
                                        for dtype in (np.int32, np.int64)
                                        if n < 2**31 or dtype is np.int64])
@pytest.mark.parametrize("bits", [np.random.PCG64, np.random.MT19937])
def test_uniform_rows_into_is_numpys_integers(n, dtype, bits):
    """The compiled bounded integers give ``rng.integers(0, n)``'s draws, also over calls of
    odd lengths (a 64-bit generator's 32-bit halves), and leave the Generator where NumPy
    leaves it; past 2**32 NumPy draws them."""
    from graddescent.drivers.sampling import uniform_rows_into

    mine, ref = np.random.Generator(bits(n % 1000)), np.random.Generator(bits(n % 1000))
    for size in (1001, 3, 0, 1):
        out = np.full(size, -1, dtype=dtype)
        uniform_rows_into(mine, n, out)
        np.testing.assert_array_equal(out, ref.integers(0, n, size=size, dtype=dtype))
    assert mine.integers(0, 2**62) == ref.integers(0, 2**62)


@pytest.mark.parametrize("driver", [D.SVRG(option=2), D.S2GD(nu=0.5), D.SARAH(),
                                    D.SARAHPlus()], ids=lambda d: d.name)
def test_snapshot_drivers_draw_numpys_rows_into_one_kept_buffer(driver):
    """SVRG, S2GD, SARAH and SARAH+ draw each call's rows as ``rng.integers`` would (the same
    iterates as with indices drawn by NumPy) into a buffer kept in the driver state between
    calls (no new index array per epoch), which a pickled optimizer leaves behind."""
    import pickle

    from graddescent.drivers.snapshot import DrawsState

    rng_data = np.random.default_rng(0)
    X = rng_data.standard_normal((300, 4))
    y = X @ rng_data.standard_normal(4) + 0.1 * rng_data.standard_normal(300)
    rule = rules.plain(0.02)
    kept = D.Optimizer(rule, driver, np.zeros(5), 300)
    assert isinstance(kept.driver_state, DrawsState)
    fresh_state = D.Optimizer(rule, driver, np.zeros(5), 300)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    buffers_seen = set()
    for _ in range(3):
        kept.run(X, y, 2, rng_a)
        buffers_seen.add(kept.driver_state.draws.buffer.ctypes.data)
        fresh_state.driver_state = DrawsState()  # a new buffer at every call
        fresh_state.run(X, y, 2, rng_b)
    np.testing.assert_array_equal(kept.theta, fresh_state.theta)
    assert rng_a.random() == rng_b.random()
    if not numba.config.DISABLE_JIT:
        assert len(buffers_seen) == 1
    assert 0 < kept.driver_state.draws.buffer.shape[0] <= 600  # two loops of n steps at most
    assert kept.driver_state.draws.buffer.dtype == np.int32  # as IndexStream's blocks
    assert pickle.loads(pickle.dumps(kept.driver_state)).draws.buffer.shape == (0,)


def test_row_draws_hold_the_smallest_index_type_that_fits():
    """RowDraws hands out int32 indices when every row index fits (half the memory, one
    compiled specialization with IndexStream's blocks), int64 beyond or without ``n``."""
    from graddescent.drivers.sampling import RowDraws, index_dtype

    assert index_dtype(300) is np.int32 and index_dtype(2**31) is np.int32
    assert index_dtype(2**31 + 1) is np.int64 and index_dtype(None) is np.int64
    assert D.IndexStream(300, "shuffle").dtype is np.int32
    draws = RowDraws()
    small = draws.take(10, 300)
    assert small.dtype == np.int32 and small.shape == (10,) and small.flags.writeable
    assert draws.take(8, 300).ctypes.data == small.ctypes.data  # the same buffer, reused
    wide = draws.take(8, 2**31 + 1)
    assert wide.dtype == np.int64 and wide.shape == (8,)
    assert draws.take(8).dtype == np.int64


def test_draws_with_replacement_refill_their_spent_block():
    """An IndexStream drawing with replacement gives ``rng.integers``'s draws block after
    block, into the spent block when no take still views it."""
    stream, rng, ref = D.IndexStream(1000, "replace", block_size=64), \
        np.random.default_rng(8), np.random.default_rng(8)
    blocks = set()
    for _ in range(5):
        np.testing.assert_array_equal(stream.take(rng, 64),
                                      ref.integers(0, 1000, size=64, dtype=np.int32))
        blocks.add(id(stream.block))
    held = stream.take(rng, 64)  # a pending view: the next block is a new array
    before = held.copy()
    np.testing.assert_array_equal(before, ref.integers(0, 1000, size=64, dtype=np.int32))
    np.testing.assert_array_equal(stream.take(rng, 64),
                                  ref.integers(0, 1000, size=64, dtype=np.int32))
    np.testing.assert_array_equal(held, before)
    assert rng.random() == ref.random()
    if not numba.config.DISABLE_JIT:
        assert len(blocks) == 1

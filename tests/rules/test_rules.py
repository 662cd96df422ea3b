"""Update rules: ALGORITHMS.md section 6 test vectors, coordinate independence, identities."""

from __future__ import annotations

import numpy as np
import pytest

from graddescent import rules

P0 = np.array([0.5, -0.3])
GRADS = [np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([-0.25, 1.5])]

# (rule, expected p after steps 1, 2, 3): ALGORITHMS.md section 6, fixed gradient sequence.
VECTORS = {
    "plain": (rules.plain(0.1), [[0.4, -0.1], [0.35, -0.2], [0.375, -0.35]]),
    "momentum": (rules.momentum(0.1, 0.9), [[0.4, -0.1], [0.26, -0.02], [0.159, -0.098]]),
    "adagrad": (rules.adagrad(0.1, 1e-10), [
        [0.40000000001000002, -0.20000000000499998],
        [0.35527864046400426, -0.24472135955299579],
        [0.37710042948569872, -0.3004299610040424]]),
    "adadelta": (rules.adadelta(1.0, 0.9, 1e-6), [
        [0.49683773815110133, -0.2968377262926713],
        [0.49475260828910761, -0.29892286686357389],
        [0.49590568340438684, -0.30179010237776654]]),
    "rmsprop": (rules.rmsprop(0.01, 0.9, 1e-8), [
        [0.46837722439831619, -0.2683772238983162],
        [0.45363302921760906, -0.2831214192964146],
        [0.4611793928957309, -0.30188608468769285]]),
    "rmsprop_momentum": (rules.rmsprop(0.01, 0.9, 1e-8, momentum=0.9), [
        [0.46837722439831619, -0.2683772238983162],
        [0.4251725311760936, -0.25466092080489922],
        [0.39383467095421515, -0.26108091341210216]]),
    "rmsprop_centered": (rules.rmsprop(0.01, 0.9, 1e-8, centered=True), [
        [0.46666666777777777, -0.26666666722222221],
        [0.45047857059593238, -0.28151451377467612],
        [0.4584021523640377, -0.30036915254188157]]),
    "adam": (rules.adam(0.1), [
        [0.40000000099999999, -0.2000000005],
        [0.30678203829816109, -0.17336629670243153],
        [0.25041590149632964, -0.19188324266807816]]),
    "rprop": (rules.rprop(0.1), [[0.4, -0.2], [0.28, -0.2], [0.28, -0.25]]),
}


def run(rule, p0, grads):
    theta, state = np.array(p0, dtype=float), rule.init_state(len(p0))
    out = []
    for t, g in enumerate(grads, start=1):
        rule.step(theta, g, state, t)
        out.append(theta.copy())
    return np.array(out), state


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_rule_reproduces_test_vectors(name):
    rule, expected = VECTORS[name]
    got, _ = run(rule, P0, GRADS)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_amsgrad_equals_adam_while_second_moment_grows():
    # v grows monotonically when |g| grows: the running max is v itself, so AMSGrad == Adam.
    grads = [np.array([0.1, -0.2]) * k for k in range(1, 6)]
    a, _ = run(rules.adam(0.05), P0, grads)
    b, _ = run(rules.amsgrad(0.05), P0, grads)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


def test_amsgrad_differs_from_adam_when_gradients_shrink():
    grads = [np.array([1.0, -2.0]), np.array([0.01, 0.02]), np.array([0.01, 0.02])]
    a, _ = run(rules.adam(0.1), P0, grads)
    b, state = run(rules.amsgrad(0.1), P0, grads)
    assert not np.allclose(a[-1], b[-1])
    assert np.all(state[2] >= state[1])


def test_rmsprop_momentum_zero_equals_plain_rmsprop():
    a, _ = run(rules.rmsprop(0.01, 0.9, 1e-8), P0, GRADS)
    b, _ = run(rules.rmsprop(0.01, 0.9, 1e-8, momentum=0.0), P0, GRADS)
    np.testing.assert_array_equal(a, b)


def test_momentum_zero_is_plain():
    a, _ = run(rules.momentum(0.1, 0.0), P0, GRADS)
    b, _ = run(rules.plain(0.1), P0, GRADS)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


ALL_RULES = [rules.plain(0.1), rules.momentum(0.1, 0.9), rules.nesterov(0.1, 0.9),
             rules.adagrad(0.1), rules.adadelta(1.0), rules.rmsprop(0.01),
             rules.rmsprop(0.01, momentum=0.9, centered=True), rules.adam(0.1),
             rules.amsgrad(0.1), rules.rprop(0.1)]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name + ("_c" if r.centered else ""))
def test_coordinate_independence(rule):
    """Permuting the coordinates permutes the result and every row of the state.

    This is the test that R gradDescent 3.0's shared scalar state fails.
    """
    rng = np.random.default_rng(3)
    p = 6
    p0 = rng.standard_normal(p)
    grads = [rng.standard_normal(p) * (k + 1) for k in range(7)]
    perm = rng.permutation(p)
    a, state_a = run(rule, p0, grads)
    b, state_b = run(rule, p0[perm], [g[perm] for g in grads])
    np.testing.assert_array_equal(a[:, perm], b)
    np.testing.assert_array_equal(state_a[:, perm], state_b)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.name + ("_c" if r.centered else ""))
def test_one_coordinate_does_not_see_the_others(rule):
    """Coordinate 0's trajectory is the same whatever the other coordinates' gradients are."""
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal(3) for _ in range(5)]
    other = [np.array([g[0], *rng.standard_normal(2) * 100]) for g in grads]
    a, _ = run(rule, np.zeros(3), grads)
    b, _ = run(rule, np.zeros(3), other)
    np.testing.assert_array_equal(a[:, 0], b[:, 0])


def test_nesterov_eval_point_is_look_ahead():
    rule = rules.nesterov(0.1, 0.9)
    theta, state = np.array([1.0, 2.0]), rule.init_state(2)
    rule.step(theta, np.array([1.0, 1.0]), state, 1)
    np.testing.assert_allclose(rule.eval_point(theta, state), theta + 0.9 * state[0])


#: The rules with a coordinate-wise form (the sparse drivers' lazy steps), under a schedule too.
COORDINATE_RULES = [rules.momentum(0.1, 0.9), rules.nesterov(0.1, 0.9).replace(power_t=0.5),
                    rules.adagrad(0.1), rules.adadelta(1.0), rules.rmsprop(0.01),
                    rules.rmsprop(0.01, momentum=0.9, centered=True)]


@pytest.mark.parametrize("rule", COORDINATE_RULES,
                         ids=lambda r: r.name + ("_c" if r.centered else ""))
def test_skipped_steps_are_steps_with_a_zero_gradient(rule):
    """The closed form of ``k`` steps in which a coordinate's gradient is zero equals those
    steps (Adagrad: nothing changes), at that coordinate alone; the coordinate step is the
    step there; Nesterov's coordinate look-ahead is its look-ahead point's."""
    from graddescent.rules import base

    hp = rule.hyperparameters()
    assert base.skips_exactly(hp)
    rng = np.random.default_rng(6)
    theta, state = rng.standard_normal(3), rule.init_state(3)
    for t in range(1, 6):
        rule.step(theta, rng.standard_normal(3), state, t)
    for k in (1, 2, 9, 60):
        stepped, stepped_state = theta.copy(), state.copy()
        for t in range(6, 6 + k):
            rule.step(stepped, np.zeros(3), stepped_state, t)
        lazy, lazy_state = theta.copy(), state.copy()
        base.skipped_steps(hp, lazy, 1, lazy_state, 5.0, k)
        np.testing.assert_allclose(lazy[1], stepped[1], rtol=1e-13, atol=0)
        np.testing.assert_allclose(lazy_state[:, 1], stepped_state[:, 1], rtol=1e-12, atol=0)
        assert lazy[0] == theta[0] and np.array_equal(lazy_state[:, 0], state[:, 0])
    assert not np.array_equal(stepped_state, state) or rule.name == "adagrad"
    g = np.array([0.0, 0.0, -0.7])
    stepped, stepped_state = theta.copy(), state.copy()
    rule.step(stepped, g, stepped_state, 6)
    one, one_state = theta.copy(), state.copy()
    base.coordinate_step(hp, one, 2, -0.7, one_state, 6)
    assert one[2] == stepped[2] and np.array_equal(one_state[:, 2], stepped_state[:, 2])
    assert base.coordinate_point(hp, theta, 2, state) == rule.eval_point(theta, state)[2]


def test_rmsprop_momentum_has_no_closed_form_under_a_schedule():
    from graddescent.rules import base

    decaying = rules.rmsprop(0.01, momentum=0.9).replace(power_t=0.5)
    assert not base.skips_exactly(decaying.hyperparameters())
    assert base.skips_exactly(rules.rmsprop(0.01).replace(power_t=0.5).hyperparameters())


def test_invscaling_schedule_divides_the_rate():
    rule = rules.plain(0.1)
    import dataclasses

    sched = dataclasses.replace(rule, power_t=0.5)
    theta, state = np.zeros(1), sched.init_state(1)
    for t in (1, 2, 3, 4):
        before = theta.copy()
        sched.step(theta, np.array([1.0]), state, t)
        np.testing.assert_allclose(before - theta, 0.1 / t**0.5)


@pytest.mark.parametrize("factory,kwargs,message", [
    (rules.plain, {"learning_rate": 0}, "learning_rate must be a positive number"),
    (rules.plain, {"learning_rate": -1}, "learning_rate must be a positive number"),
    (rules.momentum, {"momentum": 1.0}, r"momentum must lie in \[0, 1\)"),
    (rules.adadelta, {"rho": 1.5}, r"rho must lie in \[0, 1\)"),
    (rules.adam, {"beta1": -0.1}, r"beta1 must lie in \[0, 1\)"),
    (rules.adam, {"beta2": 1.0}, r"beta2 must lie in \[0, 1\)"),
    (rules.adagrad, {"eps": 0}, "eps must be a positive number"),
])
def test_invalid_hyperparameters(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


def test_registry_of_rules_is_complete():
    assert set(rules.RULES) >= {"plain", "momentum", "nesterov", "adagrad", "adadelta",
                                "rmsprop", "adam", "amsgrad", "rprop"}
    codes = {f().code for f in rules.RULES.values()}
    assert len(codes) == len(rules.RULES)
    for name, factory in rules.RULES.items():  # each factory is in the namespace, documented
        assert getattr(rules, name) is factory and name in rules.__all__
        assert factory().name == name and factory.__doc__ and "References" in factory.__doc__ \
            or name == "plain"
        spec = rules.get_spec(name)
        assert spec.examples, f"{name}: no examples for the parametrized tests"
        assert factory().learning_rate == spec.default_learning_rate


# --- what the adaptive schedule reads and changes ------------------------------------------------
def _numpy_effective_steps(rule, state, t):
    """Each rule's step per unit gradient, written out independently of the kernel."""
    lr = rule.learning_rate
    if rule.name == "plain":
        return np.full(state.shape[1], lr)
    if rule.name in ("momentum", "nesterov"):
        return np.full(state.shape[1], lr / (1 - rule.momentum))
    if rule.name == "adagrad":
        return lr / (np.sqrt(state[0]) + rule.eps)
    if rule.name == "adadelta":
        return lr * np.sqrt(state[1] + rule.eps) / np.sqrt(state[0] + rule.eps)
    if rule.name == "rmsprop":
        v = state[0] - state[1] ** 2 if rule.centered else state[0]
        return lr / (np.sqrt(v) + rule.eps) / (1 - rule.momentum)
    row = 1 if rule.name == "adam" else 2
    return lr / (np.sqrt(state[row] / (1 - rule.beta2 ** t)) + rule.eps)


EFFECTIVE = [rules.plain(0.1), rules.momentum(0.1, 0.9), rules.nesterov(0.1, 0.5),
             rules.adagrad(0.1), rules.adadelta(1.0), rules.rmsprop(0.01),
             rules.rmsprop(0.01, centered=True, momentum=0.5), rules.adam(0.1),
             rules.amsgrad(0.1)]


@pytest.mark.parametrize("rule", EFFECTIVE, ids=lambda r: r.name)
def test_effective_steps_are_the_rules_preconditioner(rule):
    rng = np.random.default_rng(3)
    theta, state = rng.normal(size=4), rule.init_state(4)
    for t in range(1, 6):
        rule.step(theta, rng.normal(size=4), state, t)
    got = rule.effective_steps(state, 5)
    np.testing.assert_allclose(got, _numpy_effective_steps(rule, state, 5), rtol=1e-14)
    if rule.name in ("plain", "adagrad"):  # stateless in g's size: the next step is D * g
        before, g = theta.copy(), 1e-6 * rng.normal(size=4)
        rule.step(theta, g, state.copy(), 6)
        np.testing.assert_allclose(before - theta, got * g, rtol=1e-6)
    assert np.isnan(rules.rprop(0.1).effective_steps(np.zeros((3, 2)), 1)).all()


def test_reduced_divides_the_rate_and_anneals_the_averages():
    adam = rules.adam(0.01, beta1=0.9, beta2=0.999).reduced(5)
    assert (adam.learning_rate, adam.beta1) == pytest.approx((0.002, 0.18))
    assert 1 - adam.beta2 == pytest.approx(0.0002)
    rms = rules.rmsprop(0.1, rho=0.99, momentum=0.5).reduced(2)
    assert (rms.learning_rate, 1 - rms.rho, rms.momentum) == pytest.approx((0.05, 0.005, 0.25))
    assert rules.adadelta(1.0, rho=0.9).reduced(10).rho == pytest.approx(0.99)
    plain = rules.plain(0.3).reduced(3)
    assert plain == rules.plain(0.1) or plain.learning_rate == pytest.approx(0.1)
    assert rules.adagrad(0.1, eps=1e-10).reduced(4).eps == 1e-10  # nothing else moves


def test_rprop_step_bounds_are_hyperparameters():
    rule = rules.rprop(1.0, step_min=0.3, step_max=1.5)
    theta, state = np.zeros(1), rule.init_state(1)
    steps = []
    for t, g in enumerate([1, 1, 1, 1, -1, 1, -1, 1, -1], start=1):
        before = theta.copy()
        rule.step(theta, np.array([float(g)]), state, t)
        steps.append(abs(float(theta[0] - before[0])))
    # grows by 1.2 up to step_max; each sign change halves the step (and skips the move),
    # down to step_min
    np.testing.assert_allclose(steps, [1.0, 1.2, 1.44, 1.5, 0.0, 0.75, 0.0, 0.375, 0.0])
    np.testing.assert_allclose(state[0], [0.3])
    assert rules.rprop(0.1) == rules.rprop(0.1, 1e-6, 50.0)  # torch's defaults
    with pytest.raises(ValueError, match="step_max"):
        rules.rprop(0.1, step_min=1.0, step_max=0.5)


@pytest.mark.parametrize("rule", [rules.adam(0.01), rules.amsgrad(0.01), rules.adamax(0.01),
                                  rules.nadam(0.01)], ids=lambda r: r.name)
def test_running_powers_underflow_to_zero_with_the_same_steps(rule):
    # 0.9^t underflows after about 6_700 steps; kept as p * 0.9 it would stick at the smallest
    # subnormal, on the processor's slow path at every later step.
    rng = np.random.default_rng(0)
    theta, state = np.zeros(3), rule.init_state(3)
    for t, g in enumerate(rng.standard_normal((7_200, 3)), start=1):
        rule.step(theta, g, state, t)
    subnormal = (state != 0) & (np.abs(state) < np.finfo(np.float64).tiny)
    assert not subnormal.any()
    flushed = [k for k, name in enumerate(rule.spec.state)
               if name in ("beta1_power", "mu_product")]
    assert flushed and np.all(state[flushed] == 0.0)
    # Where the power underflowed, 0 and a subnormal give the same steps, bit for bit.
    stuck = state.copy()
    stuck[flushed] = 5e-324
    other = theta.copy()
    for t, g in enumerate(rng.standard_normal((50, 3)), start=7_201):
        rule.step(theta, g, state, t)
        rule.step(other, g, stuck, t)
    np.testing.assert_array_equal(theta, other)

"""Compiled kernels against a pure-NumPy reference, driver x rule, on the same sample indices.

The reference below is written from the equations of ALGORITHMS.md (sections 1-3), whole
vectors at a time, independently of :mod:`graddescent._kernels`: the update rules keep their
state in a dict of named vectors, SAG keeps the full gradient of every row (not the scalar
residual), SVRG / SARAH keep the list of their inner iterates and pick the output from it.

Each driver runs through :class:`graddescent.drivers.Optimizer` with a spy on its kernel that
records the sample indices the driver drew; the reference replays exactly those indices. Runs
are split over two ``run`` calls so that the state carried between calls is checked too.
The same file checks that the kernels get the caller's arrays (no copy of ``X``), that a fit's
extra memory stays small next to ``X``, and that float32 input runs natively.
"""

from __future__ import annotations

import sys
import tracemalloc

import numba
import numpy as np
import pytest

from graddescent import METHODS, rules
from graddescent import drivers as D
from graddescent import objective as O
from graddescent.drivers import full_batch as FB
from graddescent.drivers import mini_batch as MB
from graddescent.drivers import sag as SG
from graddescent.drivers import sarah as SR
from graddescent.drivers import snapshot as SN
from graddescent.drivers.averaging import NO_AVERAGE
from graddescent.drivers.base import DEFAULT_RECORD as PB
from graddescent.problems import Problem

TOL = {"rtol": 1e-12, "atol": 1e-12}


# --- reference: the problem (least squares by default) --------------------------------------------
class RefProblem:
    """The objective of a :class:`~graddescent.problems.Problem`, from its definition: the
    loss's NumPy derivative, the weights scaled to mean 1, the L2 part in every gradient, the
    intercept's component dropped when it is not fitted, soft thresholding in the rule's
    diagonal metric after each step."""

    def __init__(self, problem=None, sample_weight=None, n=None):
        self.problem = Problem() if problem is None else problem
        w = None if sample_weight is None else self.problem.weights(sample_weight, n)
        self.omega = w
        self.l1, self.l2 = self.problem.strengths

    def data_grad_i(self, X, y, i, theta):
        p = self.problem
        r = theta[0] + X[i] @ theta[1:] - y[i]
        d = p.loss_spec.reference_derivative(np.array(r), p.epsilon)
        if self.omega is not None:
            d = d * self.omega[i]
        g = d * np.concatenate(([1.0], X[i]))
        if not p.fit_intercept:
            g[0] = 0.0
        return g

    def l2_part(self, theta):
        return np.concatenate(([0.0], self.l2 * theta[1:]))

    def grad_i(self, X, y, i, theta):
        return self.data_grad_i(X, y, i, theta) + self.l2_part(theta)

    def grad_full(self, X, y, theta):
        return np.mean([self.data_grad_i(X, y, i, theta) for i in range(X.shape[0])],
                       axis=0) + self.l2_part(theta)

    def prox(self, theta, rule):
        if self.l1 == 0:
            return theta
        D = rule.r.spec.reference_effective(rule.r, rule.s, rule.t, theta.shape[0])
        spec = self.problem.penalty_spec
        return np.concatenate(([theta[0]], spec.reference_prox(theta[1:], D[1:] * self.l1)))


def grad_i(X, y, i, theta):
    """grad f_i = r_i * (1, x_i) with r_i = b + x_i . w - y_i."""
    r = theta[0] + X[i] @ theta[1:] - y[i]
    return r * np.concatenate(([1.0], X[i]))


def grad_full(X, y, theta):
    """grad f = (1/n) X~^T (X~ theta - y)."""
    r = theta[0] + X @ theta[1:] - y
    return np.concatenate(([r.mean()], X.T @ r / X.shape[0]))


def grad_batch(X, y, rows, theta):
    return np.mean([grad_i(X, y, i, theta) for i in rows], axis=0)


# --- reference: update rules (each rule module's NumPy transcription of its paper) -------------
class RefRule:
    """One update rule, whole-vector operations, state in named vectors: the rule spec's
    ``reference_step`` (ALGORITHMS.md section 2), independent of the compiled step."""

    def __init__(self, rule: rules.UpdateRule, p: int, prob: RefProblem | None = None) -> None:
        self.r = rule
        self.prob = RefProblem() if prob is None else prob
        spec = rule.spec
        self.s = (spec.reference_initial(rule, p) if spec.reference_initial is not None
                  else {name: np.zeros(p) for name in spec.state})
        self.t = 0

    def point(self, theta):
        """Where the gradient is taken (Nesterov, Sutskever form: theta + mu v)."""
        spec = self.r.spec
        return theta if spec.reference_point is None else spec.reference_point(self.r, theta,
                                                                               self.s)

    def step(self, theta, g):
        self.t += 1
        theta = self.r.spec.reference_step(self.r, theta, g, self.s, self.t)
        return self.prob.prox(theta, self)


# --- reference: drivers (ALGORITHMS.md section 3) ------------------------------------------------
def ref_full_batch(X, y, theta, rule, n_steps):
    for _ in range(n_steps):
        theta = rule.step(theta, rule.prob.grad_full(X, y, rule.point(theta)))
    return theta


def ref_batches(X, y, theta, rule, batches):
    for rows in batches:
        point = rule.point(theta)
        theta = rule.step(theta, np.mean([rule.prob.grad_i(X, y, i, point) for i in rows],
                                         axis=0))
    return theta


def ref_sag(X, y, theta, rule, rows, table, divide_by_n):
    """table: dict with the per-row gradient memory (n, p), their sum and the rows seen."""
    for i in rows:
        point = rule.point(theta)
        gi = rule.prob.data_grad_i(X, y, i, point)  # the table keeps the loss's gradients
        table["sum"] = table["sum"] + gi - table["grads"][i]
        table["grads"][i] = gi
        table["seen"].add(int(i))
        m = X.shape[0] if divide_by_n else len(table["seen"])
        theta = rule.step(theta, table["sum"] / m + rule.prob.l2_part(point))
    return theta


def ref_snapshot(X, y, theta, rule, loops):
    """SVRG / S2GD: loops = [(rows, pick)], pick = index of the output iterate or -1 (last)."""
    for rows, pick in loops:
        snap = theta.copy()
        mu = rule.prob.grad_full(X, y, snap)
        iterates = [theta]
        for i in rows:
            g = (rule.prob.grad_i(X, y, i, rule.point(theta))
                 - rule.prob.grad_i(X, y, i, snap) + mu)
            theta = rule.step(theta, g)
            iterates.append(theta)
        theta = iterates[pick] if pick >= 0 else iterates[-1]
    return theta


def ref_sarah(X, y, theta, rule, loops, m, gamma):
    """SARAH (gamma = 0, pick the output) and SARAH+ (gamma > 0, last iterate)."""
    for rows, pick in loops:
        v = rule.prob.grad_full(X, y, theta)
        v0_sq = v @ v
        iterates = [theta]
        theta = rule.step(theta, v)
        iterates.append(theta)
        for t in range(1, m):
            if gamma > 0 and not v @ v > gamma * v0_sq:
                break
            i = rows[t - 1]
            v = (rule.prob.grad_i(X, y, i, rule.point(theta))
                 - rule.prob.grad_i(X, y, i, iterates[-2]) + v)
            theta = rule.step(theta, v)
            iterates.append(theta)
        if gamma <= 0:
            theta = iterates[pick]
    return theta


def ref_saga(X, y, theta, rule, rows, table):
    """SAGA (Defazio et al. 2014): table = dict with the per-row gradient memory (n, p) of the
    loss (zeros at first) and its sum; the step on the old table's mean."""
    n = X.shape[0]
    for i in rows:
        point = rule.point(theta)
        gi = rule.prob.data_grad_i(X, y, i, point)
        g = gi - table["grads"][i] + table["sum"] / n + rule.prob.l2_part(point)
        theta = rule.step(theta, g)
        table["sum"] = table["sum"] + gi - table["grads"][i]
        table["grads"][i] = gi
    return theta


# --- the cases -----------------------------------------------------------------------------------
def _example(spec, kwargs):
    kwargs = dict(kwargs)
    power_t = kwargs.pop("power_t", 0.0)
    return spec.factory(**kwargs).replace(power_t=power_t)


#: Every labelled example of every registered rule (graddescent.rules.base.RuleSpec.examples).
RULE_CASES = {label: _example(spec, kwargs)
              for spec in rules.specs() for label, kwargs in spec.examples.items()}

DRIVER_CASES = {
    "full_batch": D.FullBatch(),
    "single": D.MiniBatch(batch_size=1),
    "mini_batch": D.MiniBatch(batch_size=4),
    "mini_batch_replace": D.MiniBatch(batch_size=3, scheme="replace"),
    "mini_batch_flipflop": D.MiniBatch(batch_size=5, scheme="flipflop"),
    "sag": D.SAG(),
    "sag_divide_n": D.SAG(divide="n"),
    "svrg_option1": D.SVRG(inner_iter=5, option=1),
    "svrg_option2": D.SVRG(inner_iter=5, option=2),
    "s2gd": D.S2GD(inner_iter=6, nu=0.5),
    "sarah": D.SARAH(inner_iter=5),
    "sarah_plus": D.SARAHPlus(inner_iter=12, gamma_s=0.125),
    "saga": D.SAGA(),
}

KERNEL_OF = {"full_batch": "full_batch", "mini_batch": "sampled", "sag": "sag",
             "svrg": "snapshot_vr", "s2gd": "snapshot_vr", "sarah": "sarah",
             "sarah_plus": "sarah", "saga": "saga"}


def _problem(n=13, d=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    y = (0.3 + X @ np.linspace(-1.0, 1.0, d) + 0.2 * rng.standard_normal(n)).astype(dtype)
    theta0 = 0.1 * rng.standard_normal(d + 1)
    return X, y, theta0


class Spy:
    """Replaces one driver's kernel, records every call's arguments (copied), calls through."""

    def __init__(self, monkeypatch, driver, name):
        module = sys.modules[type(driver).__module__]
        self.calls = []
        self.inner = getattr(module, name)
        monkeypatch.setattr(module, name, self)

    def __call__(self, *args):
        self.calls.append([a.copy() if isinstance(a, np.ndarray) else a for a in args])
        self.raw = args
        return self.inner(*args)


def _replay(driver, X, y, theta, ref, call):
    """Run the reference on the indices recorded from one kernel call."""
    if isinstance(driver, D.FullBatch):
        return ref_full_batch(X, y, theta, ref, call[6])
    if isinstance(driver, D.MiniBatch):
        idx, first_len, epoch_len, plan, n_steps = call[2:7]
        bs = plan.size
        batches, start, boundary = [], 0, first_len
        for _ in range(n_steps):
            if start == boundary:
                boundary += epoch_len
            stop = min(start + bs, boundary)
            batches.append(idx[start:stop])
            start = stop
        assert start == idx.shape[0]
        return ref_batches(X, y, theta, ref, batches)
    if isinstance(driver, D.SAG):
        return ref_sag(X, y, theta, ref, call[2], ref.sag_table, driver.divide == "n")
    if isinstance(driver, D.SAGA):
        return ref_saga(X, y, theta, ref, call[2], ref.sag_table)
    if isinstance(driver, D.SARAH):
        idx, m, picks = call[2], call[3], call[4]
        loops = [(idx[s * (m - 1):(s + 1) * (m - 1)], picks[s]) for s in range(len(picks))]
        return ref_sarah(X, y, theta, ref, loops, m, driver.gamma())
    idx, lengths, picks = call[2], call[3], call[4]
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    loops = [(idx[bounds[s]:bounds[s + 1]], picks[s]) for s in range(len(lengths))]
    return ref_snapshot(X, y, theta, ref, loops)


def _pairs():
    for dname, driver in DRIVER_CASES.items():
        for rname, rule in RULE_CASES.items():
            if rule.full_batch_only and not isinstance(driver, D.FullBatch):
                continue
            yield pytest.param(dname, rname, id=f"{dname}-{rname}")


def _check_against_reference(monkeypatch, dname, rule, label, problem=None, weighted=False):
    """Run ``rule`` under driver ``dname`` (two ``run`` calls) and replay the reference on the
    recorded indices: the same iterates, step counts and rule states."""
    driver = DRIVER_CASES[dname]
    X, y, theta0 = _problem()
    n, p = X.shape[0], X.shape[1] + 1
    sample_weight = np.random.default_rng(7).integers(0, 4, n).astype(float) if weighted \
        else None
    spy = Spy(monkeypatch, driver, KERNEL_OF[driver.name])
    opt = D.Optimizer(rule, driver, theta0, n, problem)
    theta0 = opt.theta.copy()  # without the intercept, theta0[0] is set to 0
    rng = np.random.default_rng(42)
    units = 3 if driver.units_per_epoch(n) == 1 else int(1.5 * driver.units_per_epoch(n))
    ref = RefRule(rule, p, RefProblem(problem, sample_weight, n))
    ref.sag_table = {"grads": np.zeros((n, p)), "sum": np.zeros(p), "seen": set()}
    theta_ref = theta0.copy()
    for chunk in (units, units + 1):  # two calls: the state must carry over
        n_calls = len(spy.calls)
        theta = opt.run(X, y, chunk, rng, sample_weight).copy()
        for call in spy.calls[n_calls:]:
            theta_ref = _replay(driver, X, y, theta_ref, ref, call)
        np.testing.assert_allclose(theta, theta_ref, **TOL, err_msg=label)
        assert opt.t == ref.t
        for key, row in rule.state_dict(opt.rule_state).items():
            np.testing.assert_allclose(row, ref.s[key], **TOL, err_msg=key)
    assert np.all(np.isfinite(theta))
    assert np.max(np.abs(theta - theta0)) > 1e-3  # it moved
    return theta


@pytest.mark.parametrize("dname,rname", list(_pairs()))
def test_kernel_matches_reference(monkeypatch, dname, rname):
    _check_against_reference(monkeypatch, dname, RULE_CASES[rname], f"{dname} x {rname}")


#: Problems the drivers are checked on against the reference, with and without weights.
PROBLEM_CASES = {
    "huber_elasticnet_no_intercept": (Problem("huber", epsilon=0.3, penalty="elasticnet",
                                              alpha=0.05, l1_ratio=0.6, fit_intercept=False),
                                      True),
    "ridge_weighted": (Problem(penalty="l2", alpha=0.1), True),
    "huber_ridge_no_intercept": (Problem("huber", epsilon=0.3, penalty="l2", alpha=0.05,
                                         fit_intercept=False), True),
    "sq_eps_lasso": (Problem("squared_epsilon_insensitive", epsilon=0.1, penalty="l1",
                             alpha=0.02), False),
    "eps_insensitive_lasso": (Problem("epsilon_insensitive", epsilon=0.1, penalty="l1",
                                      alpha=0.02), False),
}


def _problem_pairs():
    for dname, driver in DRIVER_CASES.items():
        for pname, (problem, _) in PROBLEM_CASES.items():
            for rname in ("plain", "adam", "nesterov"):
                rule = RULE_CASES[rname]
                if problem.method_problem(rule, driver) is not None:
                    continue
                # Nesterov has no L1 prox (refused above): its look-ahead point with a robust
                # loss, weights, an L2 part and no intercept
                if (rname == "nesterov") != (pname == "huber_ridge_no_intercept"):
                    continue
                yield pytest.param(dname, pname, rname, id=f"{dname}-{pname}-{rname}")


@pytest.mark.parametrize("dname,pname,rname", list(_problem_pairs()))
def test_kernel_matches_reference_with_problem(monkeypatch, dname, pname, rname):
    """Every driver on penalised, weighted, robust and intercept-free problems: the compiled
    loss derivative, weights, L2 term and L1 prox (in the rule's diagonal metric) against the
    NumPy reference of the same objective, on the same indices."""
    problem, weighted = PROBLEM_CASES[pname]
    theta = _check_against_reference(monkeypatch, dname, RULE_CASES[rname],
                                      f"{dname} x {pname} x {rname}", problem, weighted)
    if not problem.fit_intercept:
        assert theta[0] == 0.0


def test_methods_refused_by_a_problem_are_the_expected_ones():
    """Non-smooth losses: refused by SAG, SAGA, SVRG, S2GD, SARAH, SARAH+; an L1 part: by SAG
    and SARAH+ (no sound proximal form) and by Rprop (no effective steps)."""
    rough = Problem("epsilon_insensitive")
    lasso = Problem(penalty="l1", alpha=0.1)
    plain = RULE_CASES["plain"]
    refused = {d for d, drv in DRIVER_CASES.items() if rough.method_problem(plain, drv)}
    assert refused == {"sag", "sag_divide_n", "svrg_option1", "svrg_option2", "s2gd", "sarah",
                       "sarah_plus", "saga"}
    refused = {d for d, drv in DRIVER_CASES.items() if lasso.method_problem(plain, drv)}
    assert refused == {"sag", "sag_divide_n", "sarah_plus"}
    assert lasso.method_problem(rules.rprop(0.1), D.FullBatch()) is not None
    with pytest.raises(ValueError, match="saga"):
        D.Optimizer(plain, D.SAG(), np.zeros(3), 10, lasso)
    with pytest.raises(ValueError, match="Lipschitz"):
        D.Optimizer(plain, D.SAGA(), np.zeros(3), 10, rough)
    with pytest.raises(ValueError, match="rprop"):
        D.Optimizer(rules.rprop(0.1), D.FullBatch(), np.zeros(3), 10, lasso)
    # Nesterov takes its gradient at a look-ahead point: no sound prox (measured on diabetes,
    # its fit settled 30% away from the lasso with other zeros)
    assert lasso.method_problem(rules.nesterov(0.1, 0.9), D.FullBatch()) is not None
    assert Problem(penalty="l2").method_problem(rules.nesterov(0.1, 0.9), D.FullBatch()) is None
    with pytest.raises(ValueError, match="look-ahead.*Methods that handle it:.*mgd"):
        lasso.check_method(rules.nesterov(0.1, 0.9), D.FullBatch(), METHODS)


def _kernel_call(name, X, y, theta, rule, idx):
    """Call kernel ``name`` directly on explicit indices; return theta."""
    p = theta.shape[0]
    state, hp = rule.init_state(p), rule.hyperparameters()
    bufs = [np.empty(p) for _ in range(5)]
    if name == "sampled":
        MB.sampled(X, y, idx, idx.shape[0], X.shape[0], MB.plan_of(1), idx.shape[0], theta,
                   state, 0, hp, *bufs[:2], PB, NO_AVERAGE)
    elif name == "sag":
        n = X.shape[0]
        SG.sag(X, y, idx, theta, state, 0, hp, np.full(n, np.nan), np.zeros(p), 0, 0,
               *bufs[:2], PB)
    elif name == "snapshot_vr":
        SN.snapshot_vr(X, y, idx, np.array([idx.shape[0]]), np.array([-1]), theta, state, 0,
                      hp, *bufs, PB)
    elif name == "sarah":
        SR.sarah(X, y, idx, idx.shape[0] + 1, np.array([idx.shape[0]]), 0.0, theta, state, 0,
                hp, *bufs, PB)
    else:
        FB.full_batch(X, y, theta, state, 0, hp, 3, np.empty(3), *bufs[:2], PB, NO_AVERAGE)
    return theta


@pytest.mark.parametrize("name", ["sampled", "sag", "snapshot_vr", "sarah", "full_batch"])
@pytest.mark.parametrize("rname", ["plain", "adam"])
def test_explicit_indices_long_rows(name, rname):
    """Rows longer than a cache line and a long index list exercise the prefetching paths."""
    X, y, theta0 = _problem(n=301, d=21, seed=3)
    rule = RULE_CASES[rname] if rname == "adam" else rules.plain(0.005)
    idx = np.random.default_rng(5).integers(0, X.shape[0], size=700)
    theta = _kernel_call(name, X, y, theta0.copy(), rule, idx)
    ref = RefRule(rule, theta0.shape[0])
    if name == "sampled":
        want = ref_batches(X, y, theta0, ref, [[i] for i in idx])
    elif name == "sag":
        table = {"grads": np.zeros((301, 22)), "sum": np.zeros(22), "seen": set()}
        want = ref_sag(X, y, theta0, ref, idx, table, False)
    elif name == "snapshot_vr":
        want = ref_snapshot(X, y, theta0, ref, [(idx, -1)])
    elif name == "sarah":
        want = ref_sarah(X, y, theta0, ref, [(idx, idx.shape[0])], idx.shape[0] + 1, 0.0)
    else:
        want = ref_full_batch(X, y, theta0, ref, 3)
    np.testing.assert_allclose(theta, want, **TOL)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9])
def test_full_gradient_any_row_count(n):
    """The four-rows-at-a-time gradient and objective handle every remainder."""
    X, y, theta = _problem(n=n, d=5, seed=n)
    g = np.empty(6)
    loss = O.full_gradient(X, y, theta, g)
    np.testing.assert_allclose(g, grad_full(X, y, theta), **TOL)
    r = theta[0] + X @ theta[1:] - y
    np.testing.assert_allclose(loss, 0.5 * np.mean(r**2), **TOL)
    assert O.objective(X, y, theta) == loss


@pytest.mark.parametrize("dname", list(DRIVER_CASES))
def test_drivers_get_the_callers_arrays(monkeypatch, dname):
    """A C-contiguous float64 X (and y) reaches the kernel itself: no copy, no column of ones."""
    driver = DRIVER_CASES[dname]
    X, y, theta0 = _problem()
    spy = Spy(monkeypatch, driver, KERNEL_OF[driver.name])
    D.Optimizer(rules.plain(0.01), driver, theta0, X.shape[0]).run(
        X, y, 2, np.random.default_rng(0))
    assert spy.raw[0] is X
    assert spy.raw[1] is y


def test_float32_runs_natively():
    """float32 X is read as it is (no converted copy): the same numbers as its float64 cast."""
    X32, y32, theta0 = _problem(n=50, d=4, dtype=np.float32)
    X64, y64 = X32.astype(np.float64), y32.astype(np.float64)
    for driver in (D.FullBatch(), D.MiniBatch(batch_size=1), D.SAG(), D.SVRG(inner_iter=20)):
        a = D.optimize(X32, y32, rules.plain(0.05), driver, theta0, 5, np.random.default_rng(1))
        b = D.optimize(X64, y64, rules.plain(0.05), driver, theta0, 5, np.random.default_rng(1))
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)


def test_any_memory_layout_same_numbers():
    """Fortran-ordered and strided X run the same arithmetic as C-ordered X (no prefetch)."""
    X, y, theta0 = _problem(n=40, d=5)
    strided = np.repeat(X, 2, axis=1)[:, ::2]  # every other column: X itself, not contiguous
    assert np.array_equal(strided, X) and not strided.flags.c_contiguous
    for driver in (D.FullBatch(), D.MiniBatch(batch_size=1), D.MiniBatch(batch_size=7),
                   D.SAG(), D.SVRG(inner_iter=9), D.SARAH(inner_iter=9)):
        want = D.optimize(X, y, rules.adam(0.05), driver, theta0, 4, np.random.default_rng(3))
        for other in (np.asfortranarray(X), strided):
            got = D.optimize(other, y, rules.adam(0.05), driver, theta0, 4,
                             np.random.default_rng(3))
            np.testing.assert_array_equal(got, want)


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="measures the compiled kernels")
@pytest.mark.parametrize("driver", [D.MiniBatch(batch_size=1), D.SAG(), D.SVRG(),
                                    D.SARAH(), D.FullBatch()], ids=lambda d: d.name)
def test_fit_memory_small_next_to_X(driver):
    """Extra memory of a one-epoch run stays under a tenth of the size of X (no copy of X)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 64))
    y = X[:, 0] + 0.1 * rng.standard_normal(20_000)
    # compile outside the measurement, on X itself: its size picks the kernels (the watched
    # objective's strided subsample, the full passes in row blocks on every core)
    assert X.shape[0] > 2 * O.WATCHED_ROWS
    D.optimize(X, y, rules.plain(0.001), driver, np.zeros(65), 1, np.random.default_rng(0))
    opt = D.Optimizer(rules.plain(0.001), driver, np.zeros(65), X.shape[0])
    units = max(1, int(driver.units_per_epoch(X.shape[0])))
    tracemalloc.start()
    try:
        opt.run(X, y, units, np.random.default_rng(0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.1 * X.nbytes, (peak, X.nbytes)

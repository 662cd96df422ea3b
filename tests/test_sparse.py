"""Sparse input: CSR rows read as they are, and a sparse fit equal to the dense fit.

Every method, rule and penalty runs on the same data dense and as a CSR matrix, with the same
seed and row order, and must give the same coefficients to 1e-12 (the sums of a sparse row run
over its nonzeros, so the two differ by rounding only). The full grid runs with the JIT off
(the same code as plain Python, in a subprocess: compiling every specialization twice would
cost minutes); a compiled subset runs here. The CSR arrays are never copied nor written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

from graddescent import METHODS, GDRegressor, drivers, rules
from graddescent._sparse import CSRRows, csr_rows
from graddescent.problems import Problem

PENALTIES = (None, "l2", "l1", "elasticnet")


def sparse_problem(n: int = 40, d: int = 9, density: float = 0.3, seed: int = 0,
                   index_dtype=np.int32, rare_columns=()):
    """A small CSR problem with an empty row, an empty column and an explicit zero;
    ``rare_columns`` ``(column, rows)`` pairs keep only that column's first ``rows``
    nonzeros (coefficients that most steps miss)."""
    rng = np.random.default_rng(seed)
    A = sp.random(n, d, density=density, random_state=seed, format="csr",
                  data_rvs=rng.standard_normal)
    A = A.tolil()
    A[3, :] = 0.0  # an empty row
    A[:, 5] = 0.0  # an empty column
    for column, keep in rare_columns:
        for row in A[:, column].nonzero()[0][keep:]:
            A[row, column] = 0.0
    A = A.tocsr()
    A.eliminate_zeros()
    # an explicit zero stored in row 0
    rows = A.indptr
    A = sp.csr_matrix((np.append(A.data[:rows[1]], 0.0).tolist() + A.data[rows[1]:].tolist(),
                       np.append(A.indices[:rows[1]], 5).tolist() + A.indices[rows[1]:].tolist(),
                       np.concatenate([[0], rows[1:] + 1])), shape=A.shape)
    A.indices = A.indices.astype(index_dtype)
    A.indptr = A.indptr.astype(index_dtype)
    y = 0.5 + A @ np.linspace(-1.0, 1.0, d) + 0.1 * rng.standard_normal(n)
    return A, y


def test_the_test_problem_has_what_it_says():
    A, _ = sparse_problem()
    assert np.diff(A.indptr)[3] == 0
    assert (A.indices == 5).sum() == 1 and 0.0 in A.data
    assert A.indices.dtype == np.int32


def _fit(X, y, rule, driver, problem, units=60, seed=7):
    return drivers.optimize(X, y, rule, driver, np.zeros(X.shape[1] + 1), units,
                            np.random.default_rng(seed), problem=problem)


@pytest.mark.parametrize("method, penalty, index_dtype", [
    ("sgd", "l2", np.int32), ("sgd", "l2", np.int64), ("saga", "l1", np.int32),
    ("saga", "l2", np.int64),
    ("gd", None, np.int64), ("adam", "elasticnet", np.int32), ("svrg", "l2", np.int32),
    ("sagd", "l2", np.int64), ("sgd", "elasticnet", np.int32), ("ssgd", None, np.int64),
    ("adagrad", None, np.int64), ("mbgd", "elasticnet", np.int64)])
def test_compiled_sparse_fit_equals_dense(method, penalty, index_dtype):
    A, y = sparse_problem(index_dtype=index_dtype)
    m = METHODS[method]
    problem = Problem(penalty=penalty, alpha=0.01)
    dense = _fit(A.toarray(), y, m.make_rule(learning_rate=0.05), m.make_driver(), problem)
    sparse = _fit(A, y, m.make_rule(learning_rate=0.05), m.make_driver(), problem)
    np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-12)
    assert np.abs(dense).max() > 0.05  # it moved


#: The rules' lazy closed forms, compiled: each kernel once (single rows and batches, with the
#: test of a closed form that holds for some hyperparameters only, with a look-ahead), with or
#: without an intercept. The whole grid, with the JIT off, runs every rule (Adadelta included)
#: at both batch sizes, with and without an intercept; tests/rules checks each rule's closed
#: form compiled.
LAZY_RULES = [
    (rules.rmsprop(0.01, momentum=0.5, centered=True), 1, True),
    (rules.rmsprop(0.01), 5, False),
    (rules.momentum(0.03, 0.9), 5, True),
    (rules.nesterov(0.03, 0.9), 1, False),
]


@pytest.mark.parametrize("rule, batch_size, intercept", LAZY_RULES,
                         ids=lambda v: getattr(v, "name", str(v)))
def test_lazy_rules_sparse_equals_dense(rule, batch_size, intercept):
    """Momentum, Nesterov, RMSprop and Adadelta step the rows' columns alone on sparse rows
    without a penalty (the steps a coefficient misses in closed form, when a row next touches
    it and at the end of each call): the dense fit's coefficients, on columns that most steps
    miss, over calls that end inside an epoch."""
    A, y = sparse_problem(rare_columns=((2, 1), (7, 2)))
    assert (A.indices == 2).sum() == 1 and (A.indices == 7).sum() == 2
    problem = Problem(fit_intercept=intercept)
    out = []
    for X in (A.toarray(), A):
        opt = drivers.Optimizer(rule, drivers.MiniBatch(batch_size=batch_size),
                                np.zeros(A.shape[1] + 1), A.shape[0], problem)
        rng = np.random.default_rng(5)
        for units in (37, 50):
            opt.run(X, y, units, rng)
        out.append((opt.theta.copy(), opt.rule_state.copy()))
    (dense, dense_state), (sparse, sparse_state) = out
    np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sparse_state, dense_state, rtol=1e-12, atol=1e-14)
    assert np.abs(dense).max() > 0.05 and dense[3] != 0.0  # it moved, the rare column too
    assert (dense[0] == 0.0) != intercept


def test_csr_arrays_are_read_as_they_are():
    A, y = sparse_problem()
    data, indices, indptr = A.data, A.indices, A.indptr
    before = [a.copy() for a in (data, indices, indptr)]
    for a in (data, indices, indptr):
        a.flags.writeable = False  # a write would raise
    record = csr_rows(A)
    assert record.data is data and record.indices is indices and record.indptr is indptr
    m = METHODS["saga"]
    theta = _fit(A, y, m.make_rule(learning_rate=0.05), m.make_driver(),
                 Problem(penalty="l1", alpha=0.01))
    assert np.all(np.isfinite(theta))
    assert A.data is data and A.indices is indices and A.indptr is indptr
    for a, b in zip((data, indices, indptr), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_csc_and_coo_are_converted_once():
    A, y = sparse_problem()
    for other in (A.tocsc(), A.tocoo()):
        record = csr_rows(other)
        assert isinstance(record, CSRRows)
        np.testing.assert_array_equal(sp.csr_matrix((record.data, record.indices,
                                                     record.indptr), shape=record.shape)
                                      .toarray(), A.toarray())
    m = METHODS["sgd"]
    a = _fit(A.tocsc(), y, m.make_rule(learning_rate=0.05), m.make_driver(), Problem())
    b = _fit(A, y, m.make_rule(learning_rate=0.05), m.make_driver(), Problem())
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_constants_from_the_nonzeros():
    A, _ = sparse_problem()
    D = A.toarray()
    for penalty in (None, "l2"):
        problem = Problem(penalty=penalty, alpha=0.01)
        assert problem.l_max(A) == pytest.approx(problem.l_max(D), rel=1e-12)
        assert problem.lipschitz(A) == pytest.approx(problem.lipschitz(D), rel=1e-6)
        np.testing.assert_allclose(problem.hessian(A), problem.hessian(D), rtol=1e-12,
                                   atol=1e-15)
    w = np.linspace(0.5, 2.0, A.shape[0])
    problem = Problem(loss="huber", penalty="l2", alpha=0.01)
    assert problem.l_max(A, w) == pytest.approx(problem.l_max(D, w), rel=1e-12)
    assert problem.lipschitz(A, w) == pytest.approx(problem.lipschitz(D, w), rel=1e-6)
    np.testing.assert_allclose(problem.hessian(A, w), problem.hessian(D, w), rtol=1e-12,
                               atol=1e-15)


def test_objective_and_gradient_from_the_nonzeros():
    from graddescent.problems import engine

    A, y = sparse_problem()
    D = A.toarray()
    theta = np.linspace(-0.3, 0.4, A.shape[1] + 1)
    for problem in (Problem(), Problem(loss="huber", penalty="elasticnet", alpha=0.1)):
        pb = problem.record()
        g1, g2 = np.empty(theta.shape), np.empty(theta.shape)
        f1 = engine.full_gradient(pb, D, y, theta, g1)
        f2 = engine.full_gradient(pb, csr_rows(A), y, theta, g2)
        assert f2 == pytest.approx(f1, rel=1e-13)
        np.testing.assert_allclose(g2, g1, rtol=1e-12, atol=1e-15)
        assert problem.objective(A, y, theta) == pytest.approx(problem.objective(D, y, theta),
                                                               rel=1e-13)


def test_nonfinite_sparse_data_names_the_column():
    A, y = sparse_problem()
    A = A.copy()
    A.data[A.indices == 2] = np.nan
    with pytest.raises(ValueError, match="Column 2 of X"):
        _fit(A, y, rules.plain(0.05), drivers.MiniBatch(batch_size=1), Problem())


_GRID = textwrap.dedent("""
    import numpy as np, sys
    sys.path.insert(0, {tests!r})
    from test_sparse import sparse_problem, _fit, PENALTIES
    from graddescent import METHODS, rules, drivers
    from graddescent.problems import Problem
    A, y = sparse_problem(n=16, d=6)
    D = A.toarray()
    done = 0
    cases = [(name, m.make_rule(learning_rate=0.05), m.make_driver()) for name, m in
             METHODS.items()]
    cases += [(f"{{r}} x {{b}}", rules.RULES[r](learning_rate=0.05),
               drivers.MiniBatch(batch_size=b)) for r in rules.RULES for b in (1, 5)]
    for name, rule, driver in cases:
        try:
            driver.check(A.shape[0], rule)
        except ValueError:  # (Rprop is full-batch only)
            continue
        for penalty in PENALTIES:
            problem = Problem(penalty=penalty, alpha=0.01)
            if problem.method_problem(rule, driver) is not None:
                continue
            a = _fit(D, y, rule, driver, problem, units=8)
            b = _fit(A, y, rule, driver, problem, units=8)
            err = np.max(np.abs(a - b) / np.maximum(1.0, np.abs(a)))
            assert err <= 1e-12, (name, penalty, err)
            done += 1
    # the rules' lazy forms: rarely touched columns, with and without an intercept, under a
    # schedule (RMSprop with momentum then takes the dense steps), averaged, over calls
    R, yr = sparse_problem(n=30, d=8, rare_columns=((2, 1), (6, 2)))
    lazy = [rules.momentum(0.05, 0.9), rules.nesterov(0.05, 0.9), rules.adagrad(0.1),
            rules.adadelta(1.0), rules.rmsprop(0.01),
            rules.rmsprop(0.01, momentum=0.5, centered=True),
            rules.rmsprop(0.01, momentum=0.5).replace(power_t=0.5),
            rules.nesterov(0.05, 0.9).replace(power_t=0.5)]
    for rule in lazy:
        for b in (1, 4):
            for intercept in (True, False):
                for average in (False, True):
                    out = []
                    for X in (R.toarray(), R):
                        opt = drivers.Optimizer(rule, drivers.MiniBatch(batch_size=b),
                                                np.zeros(R.shape[1] + 1), R.shape[0],
                                                Problem(fit_intercept=intercept),
                                                average=average)
                        rng = np.random.default_rng(3)
                        for units in (13, 25):
                            opt.run(X, yr, units, rng)
                        out.append(np.concatenate([opt.theta, opt.rule_state.ravel()])
                                   if not average else opt.theta_average.copy())
                    a, b_ = out
                    err = np.max(np.abs(a - b_) / np.maximum(1.0, np.abs(a)))
                    assert err <= 1e-12, (rule, b, intercept, average, err)
                    done += 1
    print(done)
""")


def test_lazy_steps_fold_their_scale():
    """A decay of 0.5 a step: the lazy scale falls below its floor and is folded in."""
    A, y = sparse_problem()
    problem = Problem(penalty="l2", alpha=5.0)
    for driver in (drivers.SAGA(), drivers.MiniBatch(batch_size=1)):
        dense = _fit(A.toarray(), y, rules.plain(0.1), driver, problem, units=300)
        sparse = _fit(A, y, rules.plain(0.1), driver, problem, units=300)
        np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("problem, zeros", [
    (Problem(penalty="l1", alpha=0.2), 4),
    # a decay of 0.6 a step: the scale and the pending thresholds are folded in
    (Problem(penalty="elasticnet", alpha=4.0, l1_ratio=0.02), 5)])
def test_lazy_thresholds_equal_the_dense_prox(problem, zeros):
    """Single-row SGD with an L1 part on sparse rows thresholds lazily: the same zeros and
    coefficients as the dense prox at every step, averaged iterates included."""
    A, y = sparse_problem()
    for average in (False, True):
        out = []
        for X in (A.toarray(), A):
            opt = drivers.Optimizer(rules.plain(0.1), drivers.MiniBatch(batch_size=1),
                                    np.zeros(A.shape[1] + 1), A.shape[0], problem,
                                    average=average)
            opt.run(X, y, 300, np.random.default_rng(3))
            out.append(opt.theta_average if average else opt.theta.copy())
        dense, sparse = out
        np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-13)
        if not average:
            assert int((dense[1:] == 0).sum()) == zeros
            np.testing.assert_array_equal(sparse[1:] == 0, dense[1:] == 0)


def test_a_column_stored_twice_in_a_row_counts_once():
    """A non-canonical CSR row (a column stored twice: scipy sums them in ``toarray``) gives
    the dense fit: the lazy steps bring the coefficient up to date and take its mean term
    (and its threshold) once."""
    A, y = sparse_problem()
    lo, hi = A.indptr[1], A.indptr[2]
    ptr = A.indptr.copy()
    ptr[2:] += 1
    B = sp.csr_matrix((np.insert(A.data, hi, 0.7), np.insert(A.indices, hi, A.indices[lo]),
                       ptr), shape=A.shape)
    assert not B.has_canonical_format
    for driver, problem in ((drivers.SAG(), Problem(penalty="l2", alpha=0.01)),
                            (drivers.SAGA(), Problem(penalty="l2", alpha=0.01)),
                            (drivers.SVRG(), Problem(penalty="l2", alpha=0.01)),
                            (drivers.MiniBatch(batch_size=1), Problem(penalty="l1", alpha=0.2)),
                            (drivers.SAGA(), Problem(penalty="l1", alpha=0.05)),
                            (drivers.SVRG(option=2, inner_iter=30),
                             Problem(penalty="elasticnet", alpha=0.05, l1_ratio=0.5))):
        dense = _fit(B.toarray(), y, rules.plain(0.1), driver, problem, units=200)
        sparse = _fit(B, y, rules.plain(0.1), driver, problem, units=200)
        np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-13)


# --- the missed proximal steps of SAGA's and SVRG's just-in-time updates -------------------------
def _steps_one_by_one(w, k, g, c, tau):
    """``k`` steps of ``w <- shrink((1 - g) w - c, tau)`` one at a time (whole arrays; ``k``
    per entry), and each entry's phases: the region of each step's input (1 above the zero
    region, 0 in it, -1 below), runs collapsed ("1 0 -1": fell through zero and crossed)."""
    w, k, g, c, tau = np.broadcast_arrays(*map(np.atleast_1d, (w, k, g, c, tau)))
    w = w.astype(float)
    f = 1.0 - g
    phases = [[] for _ in range(w.size)]
    top = abs(w).copy()
    for s in range(int(k.max(initial=0))):
        a = f * w - c
        region = np.where(a > tau, 1, np.where(a < -tau, -1, 0))
        live = s < k
        w = np.where(live, np.sign(a) * np.maximum(np.abs(a) - tau, 0.0), w)
        top = np.maximum(top, abs(w))
        for e in np.flatnonzero(live):
            if not phases[e] or phases[e][-1] != region[e]:
                phases[e].append(int(region[e]))
    return w, top, [" ".join(map(str, p)) for p in phases]


#: (w, k, g, c, tau) and the phases the steps go through (g = 0: f = 1; g = 0.01: f = 0.99).
_PHASE_CASES = [
    ((5.0, 1000, 0.0, -0.1, 0.05), "1"),            # rises forever (arithmetic)
    ((5.0, 200, 0.01, 0.001, 0.001), "1"),          # falls, but not out within k (geometric)
    ((1.0, 1000, 0.0, 0.01, 0.02), "1 0"),          # falls to zero and sticks (|c| <= tau)
    ((1.0, 1000, 0.01, 0.005, 0.02), "1 0"),
    ((1.01, 1000, 0.0, 0.05, 0.01), "1 0 -1"),      # falls through zero and crosses
    ((0.9, 1000, 0.01, 0.05, 0.01), "1 0 -1"),      # ... to the fixed point -(c - tau) / g
    ((1.15, 50, 0.0, 1.0, 0.1), "1 -1"),            # jumps over the zero region
    ((1.0, 1000, 0.01, 0.05, 0.01), "1 -1"),
    ((0.045, 700, 0.01, 0.05, 0.01), "0 -1"),       # leaves the zero region (|c| > tau)
    ((0.0, 1000, 0.01, 0.01, 0.01), "0"),           # exact zero, a fixed point (|c| = tau)
    ((-1.01, 1000, 0.0, -0.05, 0.01), "-1 0 1"),    # the mirror images
    ((-0.9, 1000, 0.01, -0.05, 0.01), "-1 0 1"),
    ((-1.0, 1000, 0.01, -0.005, 0.02), "-1 0"),
    ((0.3, 1, 0.01, 0.0, 0.5), "0"),                # one step into the zero region
    ((0.3, 0, 0.01, 0.2, 0.0), ""),                 # no step
]


def test_missed_steps_closed_form_equals_the_steps_one_by_one():
    """The closed form of k missed proximal steps (SAGA's and SVRG's lazy updates with an L1
    part) against a plain loop of k steps: designed cases that go through every phase (one
    side, falling to zero and sticking, crossing, jumping over the zero region, leaving zero),
    then random ones; exact zeros stay exact."""
    from graddescent.problems.penalties.l1 import soft_threshold_steps

    args = np.array([a for a, _ in _PHASE_CASES])
    ref, top, phases = _steps_one_by_one(*args.T)
    assert phases == [p for _, p in _PHASE_CASES]  # the cases do what they say
    rng = np.random.default_rng(0)
    m = 600
    rand = np.column_stack([rng.standard_normal(m) * rng.choice([0.1, 1.0, 10.0], m),
                            rng.integers(0, 1001, m), rng.choice([0.0, 0.01], m),
                            rng.uniform(-0.05, 0.05, m), rng.uniform(0.0, 0.03, m)])
    rand[:40, 0] = 0.0  # starting at an exact zero
    rref, rtop, rphases = _steps_one_by_one(*rand.T)
    kinds = set(rphases)
    assert {"1", "-1", "1 0", "-1 0", "1 0 -1", "-1 0 1", "0", "0 1", "0 -1"} <= kinds, kinds
    for (w, k, g, c, tau), want, scale in zip(np.vstack([args, rand]),
                                              np.concatenate([ref, rref]),
                                              np.concatenate([top, rtop]), strict=True):
        got = soft_threshold_steps(w, int(k), g, c, tau)
        assert abs(got - want) <= 1e-12 * max(1.0, scale), (w, k, g, c, tau, got, want)
        assert (got == 0.0) == (want == 0.0), (w, k, g, c, tau, got, want)


def test_a_penalty_without_a_closed_form_takes_its_missed_steps_one_by_one():
    """The engine's fallback for a penalty whose spec has no ``prox_steps``: the same steps
    through its prox, one at a time."""
    from graddescent.problems import engine
    from graddescent.problems.penalties.l1 import soft_threshold_steps

    pb = Problem(penalty="l1", alpha=0.1).record()
    for (w, k, g, c, tau), _ in _PHASE_CASES:
        want = soft_threshold_steps(w, k, g, c, tau)
        assert engine._steps_one_by_one(pb, w, k, g, c, tau) == pytest.approx(want, rel=1e-12,
                                                                               abs=1e-12)


def test_missed_steps_cost_does_not_grow_with_their_number():
    """A trillion missed steps at once: their limits (no loop of that length could end)."""
    from graddescent.problems.penalties.l1 import soft_threshold_steps

    k = 10**12
    # crosses zero to the negative side's fixed point -(c - tau) / g
    assert soft_threshold_steps(3.0, k, 0.01, 0.5, 0.1) == pytest.approx(-40.0, rel=1e-12)
    # falls to zero and sticks
    assert soft_threshold_steps(3.0, k, 0.01, 0.05, 0.1) == 0.0
    # f = 1: rises by -(c + tau) a step, k times
    assert soft_threshold_steps(3.0, k, 0.0, -1e-9, 0.0) == pytest.approx(1003.0, rel=1e-12)
    # a decay too small for log(f): still counted in closed form
    assert soft_threshold_steps(5.0, 10**9, 1e-20, 1e-9, 1e-9) == pytest.approx(3.0, rel=1e-9)


def _crossing_problem():
    """Sparse rows whose columns go untouched for tens of steps, an L1 part strong enough
    that the optimum has zero coefficients, and a rate at which coefficients overshoot: between
    touches, coefficients fall to zero and stick, leave zero and cross it."""
    A, y = sparse_problem(n=60, d=14, density=0.12, seed=3)
    return A, 2.0 * y


#: (driver, penalty, intercept): SAGA and the snapshot methods with each L1 part.
_PROX_CASES = [(d, p, b) for d in ("saga", "svrg1", "svrg2", "s2gd")
               for p in ("l1", "elasticnet") for b in (True, False)]


def _prox_driver(name):
    return {"saga": drivers.SAGA(), "svrg1": drivers.SVRG(option=1, inner_iter=30),
            "svrg2": drivers.SVRG(option=2, inner_iter=30),
            "s2gd": drivers.S2GD(inner_iter=30, nu=0.5)}[name]


_PROX_GRID = textwrap.dedent("""
    import numpy as np, sys
    sys.path.insert(0, {tests!r})
    from test_sparse import _crossing_problem, _fit, _prox_driver, _PROX_CASES, _steps_one_by_one
    from graddescent import rules
    from graddescent.problems import Problem
    from graddescent.problems.penalties import l1
    calls = []
    exact = l1.soft_threshold_steps

    def recorded(w, k, g, c, tau):
        calls.append((w, k, g, c, tau))
        return exact(w, k, g, c, tau)

    l1.soft_threshold_steps = recorded
    A, y = _crossing_problem()
    seen = {{}}
    for name, penalty, intercept in _PROX_CASES:
        problem = Problem(penalty=penalty, alpha=0.05, l1_ratio=0.5, fit_intercept=intercept)
        units = 300 if name == "saga" else 10
        dense = _fit(A.toarray(), y, rules.plain(0.3), _prox_driver(name), problem, units)
        del calls[:]
        sparse = _fit(A, y, rules.plain(0.3), _prox_driver(name), problem, units)
        err = np.max(np.abs(dense - sparse) / np.maximum(1.0, np.abs(dense)))
        assert err <= 1e-12, (name, penalty, intercept, err)
        assert np.array_equal(dense[1:] == 0, sparse[1:] == 0), (name, penalty, intercept)
        assert (dense[1:] == 0).any() and (dense[1:] != 0).any(), (name, penalty, intercept)
        _, _, phases = _steps_one_by_one(*np.array(calls).T)
        runs = {{p for p, c in zip(phases, calls) if c[1] > 1}}  # several missed steps
        assert runs & {{"1 0", "-1 0"}}, (name, penalty, intercept, runs)  # fell to 0, stuck
        seen.setdefault(name, set()).update(runs)
    for name, runs in seen.items():  # each driver's fits also left zero and crossed it
        assert runs & {{"0 1", "0 -1"}}, (name, runs)
        assert runs & {{"1 0 -1", "-1 0 1", "1 -1", "-1 1"}}, (name, runs)
    print(len(_PROX_CASES))
""")


def test_lazy_proximal_steps_equal_the_dense_prox():
    """SAGA, SVRG (options 1 and 2) and S2GD with an L1 part on sparse rows take the missed
    proximal steps at once: the dense fit's coefficients and zeros, with and without the
    intercept, on data where coefficients fall to zero and stick (every fit), leave zero and
    cross it (each driver's fits) between touches, as the missed steps the fits took show.
    JIT off, as the grid."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", _PROX_GRID.format(tests=tests)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip()) == len(_PROX_CASES)


@pytest.mark.parametrize("name, penalty, intercept, power_t", [
    ("saga", "l1", True, 0.0), ("svrg2", "elasticnet", True, 0.0),
    ("s2gd", "elasticnet", True, 0.0), ("saga", "l1", True, 0.5)])
def test_compiled_lazy_proximal_steps_equal_the_dense_prox(name, penalty, intercept, power_t):
    """A compiled subset of the above (few specializations: S2GD shares SVRG's kernel, and the
    schedule is a value); under a schedule (power_t > 0) the missed steps differ in rate and
    are replayed one by one."""
    A, y = _crossing_problem()
    problem = Problem(penalty=penalty, alpha=0.05, l1_ratio=0.5, fit_intercept=intercept)
    rule = rules.plain(0.3).at_rate(0.3, power_t)
    units = 300 if name == "saga" else 10
    dense = _fit(A.toarray(), y, rule, _prox_driver(name), problem, units)
    sparse = _fit(A, y, rule, _prox_driver(name), problem, units)
    np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(sparse[1:] == 0, dense[1:] == 0)
    assert (dense[1:] == 0).any() and (dense[1:] != 0).any()


def test_every_method_rule_and_penalty_sparse_equals_dense():
    """The whole grid with the JIT off (the kernels' code run as Python)."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    tests = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", _GRID.format(tests=tests)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip()) >= 164  # cases run


def test_scaling_without_centring_moves_the_mean_into_the_intercept():
    """The documented scaling of sparse data: StandardScaler(with_mean=False) keeps X sparse
    and the fit equals the fit on centred dense columns, the intercept absorbing the means
    (the intercept is not penalised, so centring only shifts it)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    A, y = sparse_problem(n=200, d=9)
    fits = []
    for X, scaler in ((A, StandardScaler(with_mean=False)), (A.toarray(), StandardScaler())):
        model = make_pipeline(scaler, GDRegressor(method="saga", penalty="l2", alpha=0.01,
                                                  tol="precise", max_iter=2000,
                                                  random_state=0)).fit(X, y)
        fits.append((model, scaler.transform(X)))
    (sparse_model, Xs), (dense_model, Xd) = fits
    assert sp.issparse(Xs) and Xs.nnz == A.nnz
    np.testing.assert_allclose(sparse_model[-1].coef_, dense_model[-1].coef_, rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(sparse_model.predict(A), dense_model.predict(A.toarray()),
                               rtol=1e-6, atol=1e-8)
    assert abs(float(sparse_model[-1].intercept_) - float(dense_model[-1].intercept_)) > 1e-3


class SparseGDRegressor(GDRegressor):
    """GDRegressor given its rows as a CSR matrix (scikit-learn's ``SparseSGDRegressor`` of
    test_sgd.py, for the ported tests)."""

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        return super().fit(sp.csr_matrix(X), y, coef_init=coef_init,
                           intercept_init=intercept_init, sample_weight=sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        return super().partial_fit(sp.csr_matrix(X), y, sample_weight=sample_weight)

    def predict(self, X):
        return super().predict(sp.csr_matrix(X))


def _ported_tests():
    """The ported SGDRegressor/SAG tests without parameters (the estimator's port), if present."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_sklearn_sgd_port.py")
    if not os.path.exists(path):
        return []
    import inspect

    sys.path.insert(0, os.path.dirname(path))
    try:
        import test_sklearn_sgd_port as port
    finally:
        sys.path.pop(0)
    return [name for name, fn in vars(port).items() if name.startswith("test_")
            and inspect.isfunction(fn) and not inspect.signature(fn).parameters]


@pytest.mark.parametrize("name", _ported_tests())
def test_ported_sgd_tests_on_sparse_input(name, monkeypatch):
    """scikit-learn's SGD regression tests (ported) with the rows given as CSR."""
    import test_sklearn_sgd_port as port

    monkeypatch.setattr(port, "GDRegressor", SparseGDRegressor)
    getattr(port, name)()


def test_cli_fits_npz_and_libsvm_files(tmp_path, capsys):
    from sklearn.datasets import dump_svmlight_file

    from graddescent.cli import main

    A, y = sparse_problem(n=120, d=9)
    sp.save_npz(tmp_path / "d.npz", sp.hstack([A, sp.csr_matrix(y[:, None])]).tocsr())
    dump_svmlight_file(A, y, str(tmp_path / "d.svm"))
    out = tmp_path / "pred.csv"
    assert main(["fit", str(tmp_path / "d.npz"), "--method", "saga", "--output", str(out)]) == 0
    text = capsys.readouterr().out
    assert "96 training rows, 24 test rows, 9 sparse inputs" in text and "test RMSE" in text
    import pandas as pd

    pred = pd.read_csv(out)
    assert list(pred.columns) == ["row", "output", "prediction"] and len(pred) == 24
    assert np.sqrt(np.mean((pred["output"] - pred["prediction"]) ** 2)) < 0.2
    assert main(["fit", str(tmp_path / "d.svm"), "--method", "sgd"]) == 0
    assert "test RMSE" in capsys.readouterr().out
    (tmp_path / "bad.npz").write_text("not a matrix")
    assert main(["fit", str(tmp_path / "bad.npz")]) != 0
    err = capsys.readouterr().err
    assert "not a readable scipy.sparse .npz file" in err and "Traceback" not in err

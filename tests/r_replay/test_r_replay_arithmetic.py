"""R's long-double arithmetic in the replay: the compiled x87 kernels against NumPy's longdouble.

R sums in C's long double (x87 80-bit on x86-64). The replay has two independent ways to do the
same: compiled kernels on LLVM's x86_fp80 and NumPy's longdouble in row blocks. On x86-64 Linux
both are the x87 format, so they must agree bit for bit, hostile data included; the ground-truth
test (test_r_replay.py) runs every R row through both.
"""

from __future__ import annotations

import numpy as np
import pytest

from graddescent.r_replay import arithmetic, kernels, longdouble

pytestmark = pytest.mark.skipif(not longdouble.available(),
                                reason="no x87 long double in this process")

DBL_MAX = np.finfo(np.float64).max


def _numpy_path(monkeypatch) -> None:
    monkeypatch.setattr(arithmetic, "available", lambda: False)


def _hostile(n: int, p: int, seed: int) -> np.ndarray:
    """Columns spanning 1e-30..1e30 with cancellation, so 64-bit and 53-bit sums differ."""
    rng = np.random.default_rng(seed)
    scale = np.exp(rng.uniform(-70, 70, size=(n, p)))
    return rng.standard_normal((n, p)) * scale


def test_probe_needs_64_bit_precision() -> None:
    # 1 + 2**-60 - 1 is 2**-60 in long double, 0 in double
    tiny = 2.0**-60
    assert kernels.r_sum(np.array([1.0, tiny, -1.0])) == tiny
    assert np.sum(np.array([1.0, tiny, -1.0])) == 0.0


def test_r_sum_is_a_sequential_long_double_sum() -> None:
    values = _hostile(50_001, 1, 3)[:, 0]
    expected = np.cumsum(np.concatenate([[0.0], values]).astype(np.longdouble))[-1]
    assert kernels.r_sum(values) == float(expected)
    assert kernels.r_sum(values) != float(np.sum(values))  # not pairwise, not double


def test_r_sum_beyond_dbl_max_is_inf_as_in_r() -> None:
    # DBL_MAX + a quarter of its ulp exceeds DBL_MAX in long double but rounds back to DBL_MAX
    # as a double; R's rsum returns Inf (summary.c: `if (s > DBL_MAX) Inf`)
    quarter_ulp = 2.0**969  # DBL_MAX's ulp is 2**971
    assert kernels.r_sum(np.array([DBL_MAX, quarter_ulp])) == np.inf
    assert kernels.r_sum(np.array([-DBL_MAX, -quarter_ulp])) == -np.inf
    assert kernels.r_sum(np.array([DBL_MAX, 0.0])) == DBL_MAX


@pytest.mark.parametrize("shape", [(1, 2), (7, 3), (10_000, 5), (40_001, 11), (3, 12)])
def test_gradient_paths_agree_bit_for_bit(shape, monkeypatch) -> None:
    n, p = shape
    x = np.column_stack([np.ones(n), _hostile(n, p - 1, n)])
    y = _hostile(n, 1, n + 1)[:, 0]
    theta = np.random.default_rng(p).uniform(-2, 2, size=p)
    compiled = arithmetic.Gradient(x, y)
    assert compiled.compiled
    _numpy_path(monkeypatch)
    numpy = arithmetic.Gradient(x, y)
    assert not numpy.compiled
    for lo, hi in [(0, n), (0, (n + 1) // 2), (n // 3, n)]:
        np.testing.assert_array_equal(compiled(theta, lo, hi), numpy(theta, lo, hi))


def test_gradient_is_r_order_of_operations() -> None:
    # error = ((0 + theta_0 x_0) + theta_1 x_1 + ...) - y; sum(error * x_j) from 0; / n
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(300), _hostile(300, 3, 1)])
    y, theta = rng.standard_normal(300), rng.uniform(size=4)
    error = np.zeros(300)
    for j in range(4):
        error = error + theta[j] * x[:, j]
    error = error - y
    expected = [
        float(np.cumsum(np.concatenate([[0.0], error * x[:, j]]).astype(np.longdouble))[-1]) / 300
        for j in range(4)
    ]
    np.testing.assert_array_equal(arithmetic.Gradient(x, y)(theta), expected)


def test_gradient_nan_inf_and_no_rows(monkeypatch) -> None:
    x = np.column_stack([np.ones(6), np.arange(6.0), [0, 1, np.inf, 2, 3, 4]])
    y = np.array([1.0, np.nan, 0, 1, 2, 3])
    theta = np.array([0.5, -1.0, 0.0])
    compiled = arithmetic.Gradient(x, y)
    _numpy_path(monkeypatch)
    numpy = arithmetic.Gradient(x, y)
    for lo, hi in [(0, 6), (2, 6), (3, 6), (4, 4)]:  # NaN, Inf, finite, no rows (0/0)
        np.testing.assert_array_equal(compiled(theta, lo, hi), numpy(theta, lo, hi))
    assert np.isnan(compiled(theta, 4, 4)).all()
    assert np.isfinite(compiled(theta, 3, 6)).all()


@pytest.mark.parametrize("seed", range(4))
def test_mean_sd_paths_agree_bit_for_bit(seed, monkeypatch) -> None:
    data = _hostile(20_003, 6, seed) + np.random.default_rng(seed).normal(size=6) * 1e12
    data[:, 2] = 7.25  # constant: sd exactly 0
    data[5, 3] = np.nan
    data[9, 4] = np.inf
    compiled = arithmetic.mean_sd(data)
    _numpy_path(monkeypatch)
    np.testing.assert_array_equal(compiled, arithmetic.mean_sd(data))
    assert compiled[1, 2] == 0.0 and compiled[0, 2] == 7.25
    assert np.isnan(compiled[:, 3]).all()


def test_mean_sd_is_r_two_pass_long_double() -> None:
    # R: s = sum / n; s += sum(x - s) / n (long double); sd from (long double)(x - m)^2 / (n - 1)
    data = np.array([[1e16], [1.0], [-1e16], [3.0], [2.0]])
    x = data[:, 0].astype(np.longdouble)
    s = np.longdouble(0.0)
    for v in x:
        s = s + v
    s = s / 5
    t = np.longdouble(0.0)
    for v in x:
        t = t + (v - s)
    mean = float(s + t / 5)
    squares = np.longdouble(0.0)
    for v in x:
        squares = squares + (v - np.longdouble(mean)) * (v - np.longdouble(mean))
    np.testing.assert_array_equal(arithmetic.mean_sd(data)[:, 0],
                                  [mean, np.sqrt(float(squares / 4))])
    assert mean != 1.0  # a double sum would lose the 1 (1e16 + 1 == 1e16)


def test_linear_and_row_gradient_follow_blas_order() -> None:
    x = np.array([[1.0, 1e16, -1e16, 1.0]])
    theta = np.array([1.0, 1.0, 1.0, 1.0])
    # BLAS: ((0 + 1) + 1e16) - 1e16 + 1 = 1.0 (pairwise or reordered sums give 2 or 0)
    assert arithmetic.linear(x, theta)[0] == 1.0
    assert arithmetic.row_gradient(x[0].tolist(), 0.5, theta.tolist()) == [0.5, 5e15, -5e15, 0.5]

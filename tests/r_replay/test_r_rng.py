"""R's random numbers: RRandom against R's own output and against R's algorithm."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED

from graddescent.r_replay.rng import RRandom, _as_r_integer, _fixup, _scrambled_state

RNG_CSV = SHARED / "data" / "r_ground_truth" / "rng.csv"


def _rng_rows() -> list:
    if not RNG_CSV.exists():
        reason = f"R ground truth {RNG_CSV} not found (set GRADDESCENT_SHARED to the shared folder)"
        return [pytest.param(None, id="no-ground-truth", marks=pytest.mark.skip(reason=reason))]
    table = pd.read_csv(RNG_CSV)
    return [pytest.param(row, id=f"seed{row.seed}") for row in table.itertuples(index=False)]


def _numbers(text: str, dtype: type) -> np.ndarray:
    return np.array(text.split(), dtype=dtype)


@pytest.mark.parametrize("row", _rng_rows())
def test_matches_r_ground_truth(row) -> None:
    # R: set.seed(seed) before each of runif(5), sample(10), sample(1:1000, 7, replace=TRUE),
    # sample(2110, 1688)[1:20]
    np.testing.assert_allclose(
        RRandom(row.seed).runif(5), _numbers(row.runif5, float), rtol=1e-15, atol=0
    )
    np.testing.assert_array_equal(RRandom(row.seed).sample(10), _numbers(row.sample10, int))
    expected_replace = _numbers(row.sample1000_7_replace, int)
    np.testing.assert_array_equal(RRandom(row.seed).sample(1000, 7, replace=True), expected_replace)
    population = np.arange(1, 1001)
    np.testing.assert_array_equal(
        RRandom(row.seed).sample_from(population, 7, replace=True), expected_replace
    )
    np.testing.assert_array_equal(
        RRandom(row.seed).sample(2110, 1688)[:20], _numbers(row.sample2110_1688_head20, int)
    )


def test_well_known_r_values() -> None:
    # R >= 3.6: set.seed(123); runif(3) and set.seed(123); sample(1:10)
    np.testing.assert_allclose(
        RRandom(123).runif(3), [0.2875775201, 0.7883051354, 0.4089769218], atol=5e-11
    )
    np.testing.assert_array_equal(RRandom(123).sample(10), [3, 10, 2, 8, 6, 9, 1, 7, 5, 4])


def test_set_seed_scrambling() -> None:
    # R: set.seed(1); .Random.seed[3] (the first Mersenne-Twister word, as a signed int)
    assert int(_scrambled_state(1)[0]) - 2**32 == -169270483
    assert _scrambled_state(1).size == 624


def test_seed_is_converted_like_as_integer() -> None:
    reference = RRandom(1).runif(3)
    np.testing.assert_array_equal(RRandom(1.9).runif(3), reference)  # truncated
    np.testing.assert_array_equal(RRandom(np.int64(1)).runif(3), reference)
    assert _as_r_integer(-1) == 2**32 - 1  # R's Int32 is unsigned
    with pytest.raises(ValueError, match="valid integer"):
        RRandom(2**31)
    with pytest.raises(TypeError):
        RRandom("1")


def test_set_seed_restarts_and_none_is_not_reproducible() -> None:
    rng = RRandom(5)
    first = rng.runif(4)
    rng.set_seed(5)
    np.testing.assert_array_equal(rng.runif(4), first)
    assert not np.array_equal(RRandom(None).runif(4), RRandom(None).runif(4))


def test_uniforms_rounding_to_0_or_1_move_inside() -> None:
    half = 0.5 * 2.328306437080797e-10
    np.testing.assert_array_equal(_fixup(np.array([0.0, 1.0, 0.25])), [half, 1 - half, 0.25])
    # the largest 32-bit word stays below 1 without help
    assert (2**32 - 1) * 2.3283064365386963e-10 < 1.0


def test_runif_bounds_and_degenerate_interval() -> None:
    u = RRandom(9).runif(3)
    np.testing.assert_array_equal(RRandom(9).runif(3, 2.0, 5.0), 2.0 + 3.0 * u)
    rng = RRandom(9)
    np.testing.assert_array_equal(rng.runif(2, 4.0, 4.0), [4.0, 4.0])  # R draws nothing
    np.testing.assert_array_equal(rng.runif(3), u)
    with pytest.raises(ValueError):
        RRandom(9).runif(1, 1.0, 0.0)


def _reference_index(uniforms, n: int) -> int:
    """R_unif_index as R-SEMANTICS.md section 1 words it, with R's floating log2."""
    bits = math.ceil(math.log2(n))
    while True:
        value = 0
        for _ in range(bits // 16 + 1):
            value = value * 65536 + math.floor(next(uniforms) * 65536)
        value &= (1 << bits) - 1
        if value < n:
            return value


def _reference_sample(seed: int, n: int, k: int, replace: bool) -> tuple[list[int], float]:
    """R's sample.int from R-SEMANTICS.md, plus the uniform that follows it in the stream."""
    uniforms = iter(RRandom(seed).runif(10 * k + 100))
    pool, out = list(range(n)), []
    for i in range(k):
        if replace:
            out.append(_reference_index(uniforms, n) + 1)
        else:
            j = _reference_index(uniforms, n - i)
            out.append(pool[j] + 1)
            pool[j] = pool[n - i - 1]
    return out, next(uniforms)


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize(
    ("n", "k"), [(10, 10), (2110, 300), (65536, 40), (65537, 40), (100000, 5), (300_000, 25)]
)
def test_sample_follows_r_algorithm(n: int, k: int, replace: bool) -> None:
    # n > 65536 takes two 16-bit chunks per attempt; the next uniform checks exact consumption
    expected, following = _reference_sample(11, n, k, replace)
    rng = RRandom(11)
    np.testing.assert_array_equal(rng.sample(n, k, replace=replace), expected)
    assert rng.runif(1)[0] == following


def test_sample_100000_self_consistent() -> None:
    drawn = RRandom(42).sample(100000, 5)
    assert len(set(drawn.tolist())) == 5 and drawn.min() >= 1 and drawn.max() <= 100000
    np.testing.assert_array_equal(drawn, _reference_sample(42, 100000, 5, False)[0])
    # the first pick does not depend on replacement
    assert RRandom(42).sample(100000, 1)[0] == drawn[0]


def test_unif_index() -> None:
    rng = RRandom(3)
    assert rng.unif_index(1) == 0  # draws one uniform, like R
    assert rng.unif_index(0) == 0  # draws nothing
    expected = RRandom(3)
    expected.runif(1)
    assert rng.runif(1)[0] == expected.runif(1)[0]


def test_large_population_uses_rejection_of_duplicates() -> None:
    # n > 1e7 and k <= n/2: R's sample2 draws indices and redraws duplicates
    n = 20_000_000
    with_replacement = RRandom(4).sample(n, 6, replace=True)
    assert len(set(with_replacement.tolist())) == 6
    np.testing.assert_array_equal(RRandom(4).sample(n, 6), with_replacement)


def test_sample_errors_and_vectors() -> None:
    with pytest.raises(ValueError, match="larger than the population"):
        RRandom(1).sample(3, 4)
    with pytest.raises(ValueError):
        RRandom(1).sample(0, 1)
    assert RRandom(1).sample(0, 0).size == 0
    coin = RRandom(1).sample_from([0, 1], 1)
    assert coin[0] == RRandom(1).sample(2, 1)[0] - 1

"""SJT scoring (assessments/sjt/scoring.py) against hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from assessments.sjt.scoring import (
    ConsensusKey,
    ItemBounds,
    MostLeastWeights,
    NotFittedError,
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_test,
)

nan = np.nan

# --- rate format ------------------------------------------------------------------------

# Two items: item 0 has 4 options, item 1 has 3 (the 4th position is padding).
VALID = np.array([[True, True, True, True], [True, True, True, False]])
KEY = np.array([[5.0, 1.0, 6.0, 5.0], [2.0, 7.0, 4.0, nan]])
RATINGS = np.array(
    [
        [[4, 2, 6, 7], [3, 6, 4, 99]],  # 99 on padding is ignored
        [[5, 1, 6, 5], [2, 7, 4, nan]],  # the key itself
    ],
    dtype=float,
)


def test_absolute():
    s = score_rate(RATINGS, KEY, VALID, method="absolute")
    # item 0: |4-5| + |2-1| + |6-6| + |7-5| = 1 + 1 + 0 + 2 = 4 -> -4
    # item 1: |3-2| + |6-7| + |4-4| = 2 -> -2
    np.testing.assert_array_equal(s, [[-4.0, -2.0], [0.0, 0.0]])


def test_squared():
    s = score_rate(RATINGS, KEY, VALID, method="squared")
    # item 0: 1² + 1² + 0² + 2² = 6 -> -6;  item 1: 1 + 1 + 0 = 2 -> -2
    np.testing.assert_array_equal(s, [[-6.0, -2.0], [0.0, 0.0]])


def test_correlation_matches_scipy():
    s = score_rate(RATINGS, KEY, VALID, method="correlation")
    # item 0: ratings - 4.75 = [-.75, -2.75, 1.25, 2.25], key - 4.25 = [.75, -3.25, 1.75, .75]
    # cross products sum 12.25, both sums of squares 14.75 -> r = 12.25 / 14.75 = 0.830508
    assert s[0, 0] == pytest.approx(12.25 / 14.75)
    assert s[0, 0] == pytest.approx(stats.pearsonr([4, 2, 6, 7], [5, 1, 6, 5])[0])
    assert s[0, 1] == pytest.approx(stats.pearsonr([3, 6, 4], [2, 7, 4])[0])
    np.testing.assert_allclose(s[1], [1.0, 1.0])


def test_correlation_is_zero_for_a_flat_answer():
    # r is undefined for a flat answer; it agrees with the key no better than chance: 0
    ratings = np.array([[[4, 4, 4, 4], [3, 6, 4, nan]], [[4, 4, 4, 4], [3, nan, 4, nan]]])
    s = score_rate(ratings, KEY, VALID, method="correlation")
    assert s[0, 0] == 0.0 and s[0, 1] == pytest.approx(stats.pearsonr([3, 6, 4], [2, 7, 4])[0])
    assert s[1, 0] == 0.0 and np.isnan(s[1, 1])  # item 1 not fully rated: omitted


def test_correlation_flat_key_item_cannot_discriminate():
    key = np.array([[4.0, 4, 4, 4], [2, 7, 4, nan]])
    s = score_rate(RATINGS, key, VALID, method="correlation")
    np.testing.assert_array_equal(s[:, 0], [0.0, 0.0])
    b = rate_bounds(key, VALID, method="correlation")
    assert (b.lo[0], b.hi[0]) == (0.0, 0.0)
    res = score_test(s, b)
    assert res.excluded.tolist() == [True, False] and res.items == 1


# Standardized example: 2 items x 3 options, item 1 has 2 options.
Z_VALID = np.array([[True, True, True], [True, True, False]])
Z_KEY = np.array([[6.0, 2.0, 4.0], [7.0, 1.0, nan]])


def test_standardized_hand_computation():
    # key over all 5 valid options: mean 4, deviations [2, -2, 0, 3, -3], SS 26,
    #   population SD sqrt(26/5) = sqrt(5.2)
    # ratings [5, 3, 4 | 5, 3]: mean 4, deviations [1, -1, 0, 1, -1], SD sqrt(4/5) = sqrt(.8)
    # item 0: (1/√.8 - 2/√5.2)² + (-1/√.8 + 2/√5.2)² + 0 = 2 (1.118034 - 0.877058)² = 0.116139
    # item 1: 2 (1/√.8 - 3/√5.2)² = 2 (1.118034 - 1.315587)² = 0.078054
    ratings = np.array([[[5, 3, 4], [5, 3, nan]]], dtype=float)
    s = score_rate(ratings, Z_KEY, Z_VALID, method="standardized")
    a, b = 1 / np.sqrt(0.8), 1 / np.sqrt(5.2)
    np.testing.assert_allclose(s, [[-2 * (a - 2 * b) ** 2, -2 * (a - 3 * b) ** 2]])
    np.testing.assert_allclose(s, [[-0.116139, -0.078054]], atol=5e-7)


def test_standardized_removes_elevation_and_scatter():
    # ratings = 2 + 0.5 * key (same order, other mean and spread) score the maximum, 0
    ratings = np.where(Z_VALID, 2 + 0.5 * Z_KEY, nan)[None]
    s = score_rate(ratings, Z_KEY, Z_VALID, method="standardized")
    np.testing.assert_allclose(s, [[0.0, 0.0]], atol=1e-12)
    # the absolute method punishes the same candidate: |5-6| + |3-2| + |4-4| = 2
    assert score_rate(ratings, Z_KEY, Z_VALID, method="absolute")[0, 0] == -2.0
    # a reversed candidate (b < 0) is far from the best
    reversed_ = np.where(Z_VALID, 8 - Z_KEY, nan)[None]
    s_rev = score_rate(reversed_, Z_KEY, Z_VALID, method="standardized")
    # z_r = -z_k, so each item scores -4 Σ z_k²: item 0 -4 (8/5.2), item 1 -4 (18/5.2)
    np.testing.assert_allclose(s_rev, [[-4 * 8 / 5.2, -4 * 18 / 5.2]])


def test_standardized_with_missing_uses_rated_options_only():
    # item 1 half answered -> NaN; the standardization still uses the 4 rated options
    # [5, 3, 4, 5]: mean 4.25, deviations [.75, -1.25, -.25, .75], SS 2.75, SD sqrt(.6875)
    ratings = np.array([[[5, 3, 4], [5, nan, nan]]], dtype=float)
    s = score_rate(ratings, Z_KEY, Z_VALID, method="standardized")
    sd_r, sd_k = np.sqrt(0.6875), np.sqrt(5.2)
    z_r = np.array([0.75, -1.25, -0.25]) / sd_r
    z_k = np.array([2.0, -2.0, 0.0]) / sd_k
    assert s[0, 0] == pytest.approx(-np.sum((z_r - z_k) ** 2))
    assert s[0, 0] == pytest.approx(-0.489193, abs=5e-7)
    assert np.isnan(s[0, 1])


def test_standardized_flat_candidate_is_nan():
    ratings = np.array([[[4, 4, 4], [4, 4, nan]]], dtype=float)
    assert np.isnan(score_rate(ratings, Z_KEY, Z_VALID, method="standardized")).all()


@pytest.mark.parametrize("method", ["absolute", "squared", "correlation", "standardized"])
def test_rate_missing_item_is_nan(method):
    ratings = RATINGS.copy()
    ratings[0, 0, 1] = nan  # one option of item 0 not rated
    s = score_rate(ratings, KEY, VALID, method=method)
    assert np.isnan(s[0, 0]) and not np.isnan(s[0, 1])
    assert not np.isnan(s[1]).any()


@pytest.mark.parametrize("method", ["absolute", "squared", "correlation", "standardized"])
def test_rate_scores_lie_within_bounds(method):
    rng = np.random.default_rng(3)
    ratings = rng.integers(1, 8, size=(400, 2, 4)).astype(float)
    ratings[:5] = np.where(VALID, np.where(KEY > 4, 1.0, 7.0), nan)  # anti-key answers
    s = score_rate(ratings, KEY, VALID, method=method)
    b = rate_bounds(KEY, VALID, method=method)
    assert np.all((s >= b.lo - 1e-9) | np.isnan(s)) and np.all((s <= b.hi + 1e-9) | np.isnan(s))


def test_rate_bounds_hand_values():
    # absolute: farthest rating per option max(k-1, 7-k): item 0 [4, 6, 5, 4] -> -19
    #   item 1 [5, 6, 3] -> -14
    b = rate_bounds(KEY, VALID, method="absolute")
    np.testing.assert_array_equal(b.lo, [-19.0, -14.0])
    np.testing.assert_array_equal(b.hi, [0.0, 0.0])
    b = rate_bounds(KEY, VALID, method="squared")
    np.testing.assert_array_equal(b.lo, [-(16 + 36 + 25 + 16), -(25 + 36 + 9)])
    b = rate_bounds(KEY, VALID, method="correlation")
    np.testing.assert_array_equal(b.lo, [-1, -1])
    # standardized: -(√V + ||z_k,i||)² with V = 5 valid options:
    #   item 0: ||z_k||² = 8/5.2, item 1: 18/5.2
    b = rate_bounds(Z_KEY, Z_VALID, method="standardized")
    np.testing.assert_allclose(
        b.lo, [-((np.sqrt(5) + np.sqrt(8 / 5.2)) ** 2), -((np.sqrt(5) + np.sqrt(18 / 5.2)) ** 2)]
    )


def test_standardized_bound_is_reached():
    # every option at the mean except this item's two, rated against the key
    valid = np.ones((10, 2), bool)
    key = np.tile([6.0, 2.0], (10, 1))  # V = 20 options, z_k = ±1
    ratings = np.full((1, 10, 2), 4.0)
    ratings[0, 0] = [1.0, 7.0]
    s = score_rate(ratings, key, valid, method="standardized")[0, 0]
    lo = rate_bounds(key, valid, method="standardized").lo[0]
    # ratings: mean 4, SD sqrt(18/20) -> z_r = ±3/sqrt(.9) = ±√10 (Σz² = N = 20 in item 0)
    # score -[(√10 + 1)² + (√10 + 1)²]; bound -(√V + ||z_k||)² = -(√20 + √2)², the same
    assert s == pytest.approx(-2 * (np.sqrt(10) + 1) ** 2)
    assert lo == pytest.approx(s)


@pytest.mark.parametrize(
    ("ratings", "key", "kwargs", "match"),
    [
        (RATINGS[:, :, :3], KEY, {}, "ratings must be candidates x items x options"),
        (RATINGS * 2, KEY, {}, "ratings must lie within the scale"),
        (RATINGS, np.where(VALID, KEY, nan)[:, :3], {}, "key must have the shape"),
        (RATINGS, np.where(VALID, 0.0, nan), {}, "key must lie within the scale"),
        (RATINGS, KEY, {"method": "manhattan"}, "method must be one of"),
        (RATINGS, np.full((2, 4), 4.0), {"method": "standardized"}, "same value"),
    ],
)
def test_score_rate_rejects_bad_input(ratings, key, kwargs, match):
    with pytest.raises(ValueError, match=match):
        score_rate(ratings, key, VALID, **kwargs)


# --- most / least -----------------------------------------------------------------------

BEST = np.array([0, 2])
WORST = np.array([1, 0])


def test_most_least_default_weights():
    most = np.array([[0.0, 0.0], [3.0, 2.0], [1.0, nan]])
    least = np.array([[1.0, 2.0], [2.0, 1.0], [0.0, 1.0]])
    s = score_most_least(most, least, best=BEST, worst=WORST, valid=VALID)
    # cand 0 item 0: most = best (+1), least = worst (+1) = 2
    # cand 0 item 1: most = worst (-1), least = best (-1) = -2
    # cand 1 item 0: most 3 (0), least 2 (0) = 0;  item 1: most = best (+1), least 1 (0) = 1
    # cand 2 item 0: most = worst (-1), least = best (-1) = -2; item 1: most missing -> NaN
    np.testing.assert_array_equal(s, [[2, -2], [0, 1], [-2, nan]])


def test_most_least_custom_weights_and_bounds():
    w = MostLeastWeights(best_as_most=2, worst_as_least=1, worst_as_most=-2, best_as_least=-1)
    most = np.array([[0.0, 0.0]])
    least = np.array([[1.0, 2.0]])
    s = score_most_least(most, least, best=BEST, worst=WORST, valid=VALID, weights=w)
    np.testing.assert_array_equal(s, [[2 + 1, -2 - 1]])
    b = most_least_bounds(BEST, WORST, VALID, weights=w)
    np.testing.assert_array_equal(b.lo, [-3, -3])
    np.testing.assert_array_equal(b.hi, [3, 3])
    # default weights: -2..2
    b = most_least_bounds(BEST, WORST, VALID)
    np.testing.assert_array_equal([b.lo, b.hi], [[-2, -2], [2, 2]])


@pytest.mark.parametrize(
    ("most", "least", "match"),
    [
        ([[1.0, 0.0]], [[1.0, 1.0]], "most and least must differ"),
        ([[4.0, 0.0]], [[1.0, 1.0]], "most must hold option indices 0..3"),
        ([[0.5, 0.0]], [[1.0, 1.0]], "most must hold option indices"),
        ([[0.0, 0.0]], [[1.0, 3.0]], "least: candidate 0 chose option 3 of item 1"),
        ([[0.0]], [[1.0]], "most must be candidates x items with 2 items"),
    ],
)
def test_most_least_rejects_bad_input(most, least, match):
    with pytest.raises(ValueError, match=match):
        score_most_least(np.array(most), np.array(least), best=BEST, worst=WORST, valid=VALID)


def test_most_least_key_with_best_equal_worst_cannot_discriminate():
    # best == worst: every option keyed alike; the item scores 0, bounds 0..0, left out
    b = most_least_bounds(np.array([0, 1]), np.array([0, 0]), VALID)
    assert (b.lo[0], b.hi[0]) == (0.0, 0.0) and (b.lo[1], b.hi[1]) == (-2.0, 2.0)
    s = score_most_least(
        np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]), best=[0, 1], worst=[0, 0], valid=VALID
    )
    assert s[0, 0] == 0.0 and s[0, 1] == 2.0
    res = score_test(s, b)
    assert res.excluded.tolist() == [True, False] and res.items == 1


OPTION_KEYS = np.array([[1.0, -1.0, 0.0, 1.0], [-1.0, 1.0, 0.0, 0.0]])


def test_most_least_options():
    most = np.array([[3.0, 1.0], [2.0, nan]])
    least = np.array([[1.0, 0.0], [0.0, 2.0]])
    s = score_most_least_options(most, least, OPTION_KEYS, valid=VALID)
    # cand 0: item 0 keys[3] - keys[1] = 1 - (-1) = 2; item 1 keys[1] - keys[0] = 1 + 1 = 2
    # cand 1: item 0 keys[2] - keys[0] = 0 - 1 = -1; item 1 missing most -> NaN
    np.testing.assert_array_equal(s, [[2, 2], [-1, nan]])
    b = most_least_options_bounds(OPTION_KEYS, VALID)
    np.testing.assert_array_equal([b.lo, b.hi], [[-2, -2], [2, 2]])
    with pytest.raises(ValueError, match="most and least must differ"):
        score_most_least_options(np.array([[1.0, 1.0]]), np.array([[1.0, 0.0]]), OPTION_KEYS)


# --- rank -------------------------------------------------------------------------------

RANK_VALID = np.ones((1, 4), bool)
KEY_RANKS = np.array([[1.0, 3.0, 2.0, 4.0]])


def test_rank_distance():
    ranks = np.array([[[2, 3, 1, 4]], [[4, 2, 3, 1]]], dtype=float)
    s = score_rank(ranks, KEY_RANKS, RANK_VALID, method="distance")
    # M = n - 1 = 3
    # cand 0: |2-1|=1 -> 2, |3-3|=0 -> 3, |1-2|=1 -> 2, |4-4|=0 -> 3: 10
    # cand 1: |4-1|=3 -> 0, |2-3|=1 -> 2, |3-2|=1 -> 2, |1-4|=3 -> 0: 4
    np.testing.assert_array_equal(s, [[10.0], [4.0]])
    # m = 2: cand 0: 1 + 2 + 1 + 2 = 6
    assert score_rank(ranks, KEY_RANKS, RANK_VALID, method="distance", m=2)[0, 0] == 6.0


def test_rank_spearman_matches_scipy():
    ranks = np.array([[[2, 3, 1, 4]], [[4, 2, 3, 1]]], dtype=float)
    s = score_rank(ranks, KEY_RANKS, RANK_VALID, method="spearman")
    # cand 0: d = [1, 0, -1, 0], 1 - 6 Σd² / (n(n²-1)) = 1 - 12/60 = 0.8
    assert s[0, 0] == pytest.approx(0.8)
    for c in range(2):
        assert s[c, 0] == pytest.approx(stats.spearmanr(ranks[c, 0], KEY_RANKS[0])[0])
    # with tied key ranks scipy's tie handling (average ranks, Pearson) is matched
    tied = np.array([[1.5, 1.5, 3.0, 4.0]])
    got = score_rank(ranks, tied, RANK_VALID, method="spearman")
    assert got[1, 0] == pytest.approx(stats.spearmanr(ranks[1, 0], tied[0])[0])


def test_rank_padding_and_missing():
    valid = np.array([[True, True, True, False]])
    ranks = np.array([[[3, 1, 2, nan]], [[3, nan, nan, nan]], [[nan, nan, nan, 7]]])
    s = score_rank(ranks, np.array([[1.0, 2.0, 3.0, nan]]), valid)
    # M = 2: |3-1|=2 -> 0, |1-2|=1 -> 1, |2-3|=1 -> 1: 2; partly ranked and empty -> NaN
    assert s[0, 0] == 2.0 and np.isnan(s[1:, 0]).all()


@pytest.mark.parametrize(
    ("ranks", "match"),
    [
        ([1, 1, 3, 4], "permutation of 1..n"),
        ([0, 1, 2, 3], "ranks 1..n"),
        ([1, 2, 3, 5], "ranks 1..n"),
        ([1.5, 2, 3, 4], "ranks 1..n"),
        ([2, 2, nan, nan], "permutation of 1..n"),
    ],
)
def test_rank_rejects_non_permutations(ranks, match):
    with pytest.raises(ValueError, match=match):
        score_rank(np.array([[ranks]], dtype=float), KEY_RANKS, RANK_VALID)


def test_rank_rejects_bad_key_ranks():
    ranks = np.array([[[1, 2, 3, 4]]], dtype=float)
    with pytest.raises(ValueError, match="sum to n"):
        score_rank(ranks, np.array([[1.0, 1.0, 3.0, 4.0]]), RANK_VALID)
    # a key tying every option: spearman is 0 for every order and the bounds are 0..0
    assert score_rank(ranks, np.full((1, 4), 2.5), RANK_VALID, method="spearman")[0, 0] == 0
    b = rank_bounds(np.full((1, 4), 2.5), RANK_VALID, method="spearman")
    assert (b.lo[0], b.hi[0]) == (0.0, 0.0)


def test_rank_bounds_exact():
    # distance, M = 3: best 4 x 3 = 12; worst: Σ(3 - |d|) = 12 - Σ|d| >= 12 - 8 = 4
    b = rank_bounds(KEY_RANKS, RANK_VALID, method="distance")
    assert (b.lo[0], b.hi[0]) == (4.0, 12.0)
    b = rank_bounds(KEY_RANKS, RANK_VALID, method="spearman")
    np.testing.assert_allclose([b.lo[0], b.hi[0]], [-1.0, 1.0])
    # key with a tie [1.5, 1.5, 3, 4]: the best order [1, 2, 3, 4] reaches
    #   cov 4.5 / sqrt(4.5 * 5) = 0.948683, and its reverse -0.948683
    b = rank_bounds(np.array([[1.5, 1.5, 3.0, 4.0]]), RANK_VALID, method="spearman")
    np.testing.assert_allclose([b.lo[0], b.hi[0]], [-0.948683, 0.948683], atol=1e-6)


# --- totals -----------------------------------------------------------------------------

TARGETS = np.array([[True, False], [True, True], [False, True]])


def test_score_test_totals_and_competencies():
    scores = np.array([[2.0, 0.0, -2.0], [1.0, nan, nan], [nan, nan, nan]])
    res = score_test(scores, ItemBounds(lo=np.full(3, -2.0), hi=np.full(3, 2.0)), TARGETS)
    # omitted items score their lowest, -2, and the scale spans all three items (-6..6)
    # cand 0: total 0 -> 100 (0 + 6) / 12 = 50
    # cand 1: 1 - 2 - 2 = -3 -> 100 * 3 / 12 = 25
    # cand 2: nothing answered: -6 -> 0
    np.testing.assert_array_equal(res.total, [0.0, -3.0, -6.0])
    np.testing.assert_array_equal(res.total_scaled, [50.0, 25.0, 0.0])
    np.testing.assert_array_equal(res.answered, [3, 1, 0])
    assert res.items == 3 and res.omitted == "lowest" and res.scale == "0-100"
    # competency 0 = items 0, 1; competency 1 = items 1, 2 (each -4..4)
    # cand 0: c0 = 2 + 0 = 2 -> 75; c1 = 0 - 2 = -2 -> 25
    # cand 1: c0 = 1 - 2 = -1 -> 37.5; c1 = -4 -> 0
    np.testing.assert_array_equal(res.competency, [[2, -2], [-1, -4], [-4, -4]])
    np.testing.assert_array_equal(res.competency_scaled, [[75, 25], [37.5, 0], [0, 0]])
    np.testing.assert_array_equal(res.competency_answered, [[2, 2], [1, 0], [0, 0]])
    np.testing.assert_array_equal(res.competency_items, [2, 2])


def test_score_test_middle_policy():
    scores = np.array([[2.0, 0.0, -2.0], [1.0, nan, nan], [nan, nan, nan]])
    res = score_test(scores, ItemBounds(lo=np.full(3, -2.0), hi=np.full(3, 2.0)), omitted="middle")
    # omitted items score the middle of -2..2, 0: cand 1 = 1 -> 100 * 7 / 12; blank -> 50
    np.testing.assert_allclose(res.total_scaled, [50.0, 100 * 7 / 12, 50.0])
    assert res.omitted == "middle"
    with pytest.raises(ValueError, match="omitted must be one of"):
        score_test(scores, ItemBounds(lo=np.full(3, -2.0), hi=np.full(3, 2.0)), omitted="skip")


def test_the_issue_candidates_rank_in_the_right_order():
    # 16 most/least items with 4 options, best 0 and worst 3 keyed everywhere.
    valid = np.ones((16, 4), dtype=bool)
    best, worst = np.zeros(16, int), np.full(16, 3)
    bounds = most_least_bounds(best, worst, valid)
    # A: only item 1 answered, best as most and worst as least
    most_a, least_a = np.full((1, 16), nan), np.full((1, 16), nan)
    most_a[0, 0], least_a[0, 0] = 0, 3
    # B: every item, best as most and the second worst as least
    most_b, least_b = np.zeros((1, 16)), np.full((1, 16), 2.0)
    a = score_test(score_most_least(most_a, least_a, best=best, worst=worst, valid=valid), bounds)
    b = score_test(score_most_least(most_b, least_b, best=best, worst=worst, valid=valid), bounds)
    # A: 2 - 15 * 2 = -28 of -32..32 -> 6.25; B: 16 * 1 = 16 -> 75
    assert a.total_scaled[0] == pytest.approx(6.25) and a.answered[0] == 1
    assert b.total_scaled[0] == pytest.approx(75.0) and b.answered[0] == 16
    assert a.items == b.items == 16


def test_neutral_item_is_left_out_not_fatal():
    # option keys all 0 on item 1 (every option rated between the thresholds): bounds 0..0
    keys = np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    b = most_least_options_bounds(keys, VALID)
    s = score_most_least_options(np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]]), keys, valid=VALID)
    res = score_test(s, b)
    # item 0: 1 - (-1) = 2 of -2..2 -> 100; item 1 left out
    assert res.total_scaled[0] == 100.0 and res.items == 1 and res.answered[0] == 1
    assert res.excluded.tolist() == [False, True]


def test_score_test_with_a_bounds_pair_and_no_targets():
    res = score_test(np.array([[-4.0, -2.0]]), (np.array([-19.0, -14.0]), np.zeros(2)))
    # 100 (-6 + 33) / 33 = 81.818...
    assert res.total_scaled[0] == pytest.approx(100 * 27 / 33)
    assert res.competency.shape == (1, 0)


def test_score_test_rejects_scores_outside_bounds():
    with pytest.raises(ValueError, match="outside the item's bounds"):
        score_test(np.array([[3.0]]), (np.array([-2.0]), np.array([2.0])))
    with pytest.raises(ValueError, match="lo <= hi"):
        score_test(np.array([[0.0]]), (np.array([2.0]), np.array([1.0])))
    with pytest.raises(ValueError, match="targets must be items x competencies"):
        score_test(np.array([[0.0]]), (np.array([-2.0]), np.array([2.0])), TARGETS)


def test_full_pipeline_scaled_scores_stay_in_range():
    rng = np.random.default_rng(11)
    ratings = rng.integers(1, 8, size=(300, 2, 4)).astype(float)
    ratings[rng.random((300, 2, 4)) < 0.05] = nan
    for method in ("absolute", "squared", "correlation", "standardized"):
        s = score_rate(ratings, KEY, VALID, method=method)
        res = score_test(s, rate_bounds(KEY, VALID, method=method), TARGETS[:2])
        ok = ~np.isnan(res.total_scaled)
        assert ok.any()
        assert np.all((res.total_scaled[ok] >= 0) & (res.total_scaled[ok] <= 100))
        # monotone in the raw score among candidates who answered every item
        both = res.answered == 2
        order = np.argsort(res.total[both])
        assert np.all(np.diff(res.total_scaled[both][order]) >= -1e-9)


# --- vectorisation ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["absolute", "squared", "correlation", "standardized"])
def test_two_candidates_at_once_equal_each_alone_rate(method):
    rng = np.random.default_rng(5)
    ratings = rng.integers(1, 8, size=(2, 2, 4)).astype(float)
    ratings[1, 1, 0] = nan
    both = score_rate(ratings, KEY, VALID, method=method)
    for c in range(2):
        np.testing.assert_array_equal(
            both[c], score_rate(ratings[c : c + 1], KEY, VALID, method=method)[0]
        )


def test_two_candidates_at_once_equal_each_alone_other_formats():
    most = np.array([[0.0, 0.0], [3.0, nan]])
    least = np.array([[1.0, 2.0], [2.0, 1.0]])
    both = score_most_least(most, least, best=BEST, worst=WORST, valid=VALID)
    opts = score_most_least_options(most, least, OPTION_KEYS, valid=VALID)
    ranks = np.array([[[2, 3, 1, 4]], [[4, 2, 3, 1]]], dtype=float)
    for c in range(2):
        one = slice(c, c + 1)
        np.testing.assert_array_equal(
            both[c],
            score_most_least(most[one], least[one], best=BEST, worst=WORST, valid=VALID)[0],
        )
        np.testing.assert_array_equal(
            opts[c], score_most_least_options(most[one], least[one], OPTION_KEYS, valid=VALID)[0]
        )
        for method in ("distance", "spearman"):
            np.testing.assert_array_equal(
                score_rank(ranks, KEY_RANKS, RANK_VALID, method=method)[c],
                score_rank(ranks[one], KEY_RANKS, RANK_VALID, method=method)[0],
            )


# --- consensus keys ---------------------------------------------------------------------


def test_consensus_rate_mean_and_mode():
    valid = np.ones((1, 3), bool)
    ratings = np.array([[[6, 2, 4]], [[7, 2, 3]], [[6, 3, nan]]])
    ck = ConsensusKey("rate", "mean").fit(ratings, valid=valid)
    # (6+7+6)/3, (2+2+3)/3, (4+3)/2 (pairwise: the third respondent skipped option 2)
    np.testing.assert_allclose(ck.effectiveness_, [[19 / 3, 7 / 3, 3.5]])
    assert ck.best_.tolist() == [0] and ck.worst_.tolist() == [1]
    np.testing.assert_array_equal(ck.n_, [[3, 3, 2]])
    ck = ConsensusKey("rate", "mode").fit(ratings, valid=valid)
    # option 2: 4 and 3 once each -> the lower, 3
    np.testing.assert_array_equal(ck.effectiveness_, [[6, 2, 3]])
    np.testing.assert_array_equal(ck.ranks_, [[1, 3, 2]])


def test_consensus_most_least():
    valid = np.ones((1, 4), bool)
    most = np.array([[0.0], [0.0], [1.0], [0.0]])
    least = np.array([[3.0], [2.0], [3.0], [nan]])  # the 4th respondent is left out
    ck = ConsensusKey("most_least").fit(most, least, valid=valid)
    np.testing.assert_allclose(ck.most_share_, [[2 / 3, 1 / 3, 0, 0]])
    np.testing.assert_allclose(ck.least_share_, [[0, 0, 1 / 3, 2 / 3]])
    np.testing.assert_allclose(ck.effectiveness_, [[2 / 3, 1 / 3, -1 / 3, -2 / 3]])
    assert ck.best_.tolist() == [0] and ck.worst_.tolist() == [3]
    assert ConsensusKey("most_least", "mode").fit(most, least, valid=valid).best_[0] == 0


def test_consensus_most_least_same_option_wins_both():
    # most: option 0 twice; least: option 0 three times, option 1 twice -> worst = 1
    most = np.array([[0.0], [0.0], [1.0], [2.0], [3.0]])
    least = np.array([[1.0], [1.0], [0.0], [0.0], [0.0]])
    ck = ConsensusKey("most_least").fit(most, least, valid=np.ones((1, 4), bool))
    assert ck.best_[0] == 0 and ck.worst_[0] == 1


def test_consensus_rank_mean_and_mode():
    valid = np.ones((1, 3), bool)
    ranks = np.array([[[1, 2, 3]], [[2, 1, 3]], [[1, 3, 2]]], dtype=float)
    ck = ConsensusKey("rank", "mean").fit(ranks, valid=valid)
    # mean ranks (1+2+1)/3, (2+1+3)/3, (3+3+2)/3 = 4/3, 2, 8/3
    np.testing.assert_allclose(ck.mean_rank_, [[4 / 3, 2, 8 / 3]])
    np.testing.assert_array_equal(ck.ranks_, [[1, 2, 3]])
    np.testing.assert_allclose(ck.effectiveness_, [[8 / 3, 2, 4 / 3]])
    assert ck.best_[0] == 0 and ck.worst_[0] == 2
    ck = ConsensusKey("rank", "mode").fit(ranks, valid=valid)
    # option 0: 1,2,1 -> 1; option 1: 2,1,3 all once -> lowest 1; option 2: 3,3,2 -> 3
    np.testing.assert_array_equal(ck.mode_rank_, [[1, 1, 3]])
    np.testing.assert_array_equal(ck.ranks_, [[1.5, 1.5, 3]])


def test_consensus_errors():
    ck = ConsensusKey("rank")
    with pytest.raises(NotFittedError, match="not fitted"):
        _ = ck.ranks_
    assert issubclass(NotFittedError, ValueError)
    with pytest.raises(ValueError, match="format must be"):
        ConsensusKey("likert")
    with pytest.raises(ValueError, match="takes 2 response array"):
        ConsensusKey("most_least").fit(np.zeros((1, 1)), valid=np.ones((1, 2), bool))
    with pytest.raises(ValueError, match="no usable responses for item 0 option 1"):
        ConsensusKey("rate").fit(np.array([[[3.0, nan]]]), valid=np.ones((1, 2), bool))

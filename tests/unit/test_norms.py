"""Norms within a group (assessments/psychometrics/conversions.py), against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.psychometrics.conversions import (
    average_ranks,
    percentile_ranks,
    stanines,
    stens,
    t_scores,
    z_scores,
)

nan = np.nan
SCORES = np.array([10.0, 20.0, 20.0, 30.0, nan])
# non-missing N = 4, mean 20, SS 100 + 0 + 0 + 100 = 200, sample SD sqrt(200/3) = 8.164966
Z = np.array([-10, 0, 0, 10]) / np.sqrt(200 / 3)  # -1.224745, 0, 0, 1.224745


def test_percentile_ranks_mid_rank():
    # PR = 100 (B + E/2) / N with N = 4 (NaN excluded):
    # 10: B=0, E=1 -> 12.5; 20: B=1, E=2 -> 50; 30: B=3, E=1 -> 87.5
    np.testing.assert_array_equal(percentile_ranks(SCORES), [12.5, 50, 50, 87.5, nan])
    assert percentile_ranks(np.array([7.0]))[0] == 50.0
    # a tie across everyone: B=0, E=3 -> 50
    np.testing.assert_array_equal(percentile_ranks(np.array([5.0, 5.0, 5.0])), [50, 50, 50])


def test_z_scores():
    np.testing.assert_allclose(z_scores(SCORES)[:4], Z)
    np.testing.assert_allclose(z_scores(SCORES)[:4], [-1.224745, 0, 0, 1.224745], atol=1e-6)
    assert np.isnan(z_scores(SCORES)[4])
    # population SD: sqrt(200/4) = 7.071068 -> ±1.414214
    np.testing.assert_allclose(z_scores(SCORES, ddof=0)[[0, 3]], [-np.sqrt(2), np.sqrt(2)])
    # no spread, or too few scores: undefined
    assert np.isnan(z_scores(np.array([3.0, 3.0, 3.0]))).all()
    assert np.isnan(z_scores(np.array([3.0]))).all()


def test_t_scores():
    # 50 + 10 z = 37.752551, 50, 50, 62.247449
    np.testing.assert_allclose(t_scores(SCORES)[:4], [37.752551, 50, 50, 62.247449], atol=1e-6)


def test_stens_and_stanines():
    # stens: 5.5 + 2z = 3.05, 5.5, 5.5, 7.95 -> 3, 6, 6, 8 (5.5 rounds away from zero)
    np.testing.assert_array_equal(stens(SCORES), [3, 6, 6, 8, nan])
    # stanines: 5 + 2z = 2.55, 5, 5, 7.45 -> 3, 5, 5, 7
    np.testing.assert_array_equal(stanines(SCORES), [3, 5, 5, 7, nan])


def test_rounding_is_half_away_from_zero():
    # five pairs ±1 and three pairs ±3: mean 0, population variance (5 + 27) / 8 = 4, SD 2
    x = np.array([1, -1] * 5 + [3, -3] * 3, dtype=float)
    z = z_scores(x, ddof=0)
    assert z[0] == 0.5 and z[10] == 1.5
    # sten 5.5 + 2z: z = .5 -> 6.5 -> 7 (np.round would give 6); z = -.5 -> 4.5 -> 5;
    #   z = 1.5 -> 8.5 -> 9; z = -1.5 -> 2.5 -> 3
    np.testing.assert_array_equal(stens(x, ddof=0)[[0, 1, 10, 11]], [7, 5, 9, 3])
    # stanine 5 + 2z: 6, 4, 8, 2 (whole numbers, no rounding needed)
    np.testing.assert_array_equal(stanines(x, ddof=0)[[0, 1, 10, 11]], [6, 4, 8, 2])


def test_clipping():
    x = np.array([0.0] * 20 + [100.0])  # one extreme score: z = 4.36
    assert stens(x)[-1] == 10 and stanines(x)[-1] == 9
    assert stens(-x)[-1] == 1 and stanines(-x)[-1] == 1


def test_columns_are_normed_separately():
    two = np.column_stack([SCORES, 2 * SCORES + 5])
    np.testing.assert_array_equal(percentile_ranks(two)[:, 1], percentile_ranks(SCORES))
    np.testing.assert_allclose(z_scores(two)[:4, 1], Z)
    np.testing.assert_array_equal(stens(two.T, axis=1)[1], stens(SCORES))


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="finite or NaN"):
        z_scores(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="ddof"):
        z_scores(SCORES, ddof=-1)


def test_average_ranks_by_hand():
    # 10 < 20 = 20 < 30: ranks 1, (2 + 3)/2, (2 + 3)/2, 4; NaN stays NaN, out of N
    np.testing.assert_array_equal(average_ranks(SCORES), [1, 2.5, 2.5, 4, nan])
    # along rows of a matrix: each row ranked alone
    x = np.array([[3.0, 1.0, 2.0], [5.0, 5.0, nan]])
    np.testing.assert_array_equal(average_ranks(x, axis=1), [[3, 1, 2], [1.5, 1.5, nan]])
    np.testing.assert_array_equal(average_ranks(x, axis=0), [[1, 1, 1], [2, 2, nan]])


@pytest.mark.parametrize(
    ("shape", "axis"),
    [((9,), 0), ((6, 7), 0), ((6, 7), 1), ((3, 4, 5), 1), ((3, 4, 5), -1), ((1,), 0), ((0, 3), 0)],
)
def test_average_ranks_equal_scipy_rankdata(shape, axis):
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    for _ in range(40):
        x = rng.integers(0, 4, shape).astype(float)  # many ties
        x[rng.random(shape) < 0.2] = nan
        expected = stats.rankdata(x, axis=axis, method="average", nan_policy="omit")
        np.testing.assert_array_equal(average_ranks(x, axis=axis), expected)


def test_average_ranks_refuse_a_scalar():
    with pytest.raises(ValueError, match="x must be an array"):
        average_ranks(np.float64(3.0))

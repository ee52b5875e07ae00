"""Tests for assessments.psychometrics.options (hand-computed shares and point-biserials)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from assessments.psychometrics.options import (
    FLAG_DISTRACTOR_ABOVE_KEY,
    FLAG_KEY_LOW,
    FLAG_KEY_NOT_POSITIVE,
    FLAG_NO_ANSWERS,
    FLAG_UNUSED,
    OptionAnalysis,
    option_analysis,
)

NAN = np.nan
# 6 respondents with totals 1..6; item 0 keyed 1, item 1 keyed 0 (respondent 3 skipped it).
CHOICES = np.array(
    [
        [2, 0],
        [0, 0],
        [1, NAN],
        [1, 1],
        [1, 1],
        [1, 0],
    ]
)
KEY = np.array([1, 0])
TOTALS = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


@pytest.fixture(scope="module")
def res() -> OptionAnalysis:
    return option_analysis(CHOICES, KEY, TOTALS, n_options=3)


def test_shares_by_hand(res):
    # item 0: 6 answers, options 0/1/2 chosen 1/4/1 times.
    # item 1: 5 answers, options 0/1/2 chosen 3/2/0 times.
    assert res.n.tolist() == [6, 5]
    np.testing.assert_allclose(res.share, [[1 / 6, 4 / 6, 1 / 6], [3 / 5, 2 / 5, 0.0]])
    assert res.share.shape == (2, 3)


def test_point_biserial_by_hand(res):
    # r_pb = (mean T | chose - mean T | not) / SD_pop(T) * sqrt(p q)
    # item 0, option 1: (4.5 - 1.5) / sqrt(35/12) * sqrt(4/6 * 2/6) = 0.828079
    # item 0, option 0: (2 - 3.8) / sqrt(35/12) * sqrt(1/6 * 5/6) = -0.392792
    # item 0, option 2: (1 - 4) / sqrt(35/12) * sqrt(1/6 * 5/6) = -0.654654
    # item 1 (answerers' totals 1 2 4 5 6, SD_pop = sqrt(17.2 / 5)):
    #   option 0: (3 - 4.5) / sqrt(3.44) * sqrt(.6 * .4) = -0.396203; option 1 = +0.396203
    sd0 = math.sqrt(35 / 12)
    assert res.point_biserial[0, 1] == pytest.approx(3 / sd0 * math.sqrt(2 / 9), abs=1e-12)
    assert res.point_biserial[0, 1] == pytest.approx(0.828079, abs=1e-6)
    assert res.point_biserial[0, 0] == pytest.approx(-0.392792, abs=1e-6)
    assert res.point_biserial[0, 2] == pytest.approx(-0.654654, abs=1e-6)
    assert res.point_biserial[1, 0] == pytest.approx(-0.396203, abs=1e-6)
    assert res.point_biserial[1, 1] == pytest.approx(0.396203, abs=1e-6)
    assert math.isnan(res.point_biserial[1, 2])  # nobody chose it


def test_point_biserial_matches_pearsonr(res):
    for j in range(2):
        answered = ~np.isnan(CHOICES[:, j])
        for o in range(3):
            d = (CHOICES[answered, j] == o).astype(float)
            if 0 < d.sum() < d.size:
                r = stats.pearsonr(d, TOTALS[answered]).statistic
                assert res.point_biserial[j, o] == pytest.approx(r, abs=1e-12)


def test_low_high_thirds_and_flags(res):
    # 1/3 and 2/3 quantiles of 1..6 are 2.667 and 4.333: bottom third = totals 1, 2,
    # top third = totals 5, 6.
    # item 0 (key 1): bottom chose 2, 0 -> 0/2; top chose 1, 1 -> 2/2.
    # item 1 (key 0): bottom chose 0, 0 -> 2/2; top chose 1, 0 -> 1/2.
    np.testing.assert_allclose(res.key_share_low, [0.0, 1.0])
    np.testing.assert_allclose(res.key_share_high, [1.0, 0.5])
    assert res.key_preferred_by_low == (False, True)
    assert res.unused == ((), (2,))
    assert res.flags[0] == ()
    assert set(res.flags[1]) == {
        FLAG_KEY_NOT_POSITIVE,
        FLAG_DISTRACTOR_ABOVE_KEY,
        FLAG_KEY_LOW,
        FLAG_UNUSED,
    }


def test_n_options_default_hides_trailing_unused_option():
    res = option_analysis(CHOICES, KEY, TOTALS)
    assert res.share.shape == (2, 3)  # option 2 is chosen on item 0
    res2 = option_analysis(CHOICES, KEY, TOTALS, n_options=5)
    assert res2.unused == ((3, 4), (2, 3, 4))


def test_everybody_chose_key_gives_nan_r():
    c = np.array([[0.0], [0.0], [0.0]])
    res = option_analysis(c, np.array([0]), np.array([1.0, 2.0, 3.0]), n_options=2)
    assert math.isnan(res.point_biserial[0, 0]) and math.isnan(res.point_biserial[0, 1])
    np.testing.assert_allclose(res.share, [[1.0, 0.0]])
    assert res.flags[0] == (FLAG_UNUSED,)


def test_constant_totals_give_nan_r():
    c = np.array([[0.0], [1.0], [0.0], [1.0]])
    res = option_analysis(c, np.array([0]), np.full(4, 7.0))
    assert np.isnan(res.point_biserial).all()
    assert res.key_preferred_by_low == (False,)


def test_unanswered_item():
    c = np.array([[0.0, NAN], [1.0, NAN], [0.0, NAN]])
    res = option_analysis(c, np.array([0, 1]), np.array([1.0, 2.0, 3.0]))
    assert res.n.tolist() == [3, 0]
    assert np.isnan(res.share[1]).all() and np.isnan(res.point_biserial[1]).all()
    assert res.flags[1] == (FLAG_NO_ANSWERS,)
    assert res.key_preferred_by_low[1] is False


def test_row_order_does_not_matter(res):
    perm = np.array([5, 3, 0, 4, 1, 2])
    other = option_analysis(CHOICES[perm], KEY, TOTALS[perm], n_options=3)
    a, b = other.to_dict(), res.to_dict()
    np.testing.assert_allclose(other.point_biserial, res.point_biserial, rtol=1e-12)
    del a["point_biserial"], b["point_biserial"]
    assert a == b


def test_to_dict_and_immutability(res):
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["point_biserial"][1][2] is None
    assert d["unused"] == [[], [2]]
    with pytest.raises(ValueError):
        res.share[0, 0] = 1.0


@pytest.mark.parametrize(
    ("choices", "key", "totals", "kwargs", "match"),
    [
        (np.array([0.0, 1.0]), [0], [1.0, 2.0], {}, "choices must be a 2-D"),
        (np.array([[0.5], [1.0]]), [0], [1.0, 2.0], {}, "choices must be non-negative integer"),
        (np.array([[-1.0], [1.0]]), [0], [1.0, 2.0], {}, "choices must be non-negative integer"),
        (np.array([[0.0], [1.0]]), [0, 1], [1.0, 2.0], {}, "key must be 1-D"),
        (np.array([[0.0], [1.0]]), np.array([0.0]), [1.0, 2.0], {}, "key must be an integer"),
        (np.array([[0.0], [1.0]]), [-1], [1.0, 2.0], {}, "key must contain non-negative"),
        (np.array([[0.0], [1.0]]), [0], [1.0], {}, "totals must be 1-D"),
        (np.array([[0.0], [1.0]]), [0], [1.0, NAN], {}, "totals must be finite"),
        (np.array([[0.0], [3.0]]), [0], [1.0, 2.0], {"n_options": 3}, "n_options must be"),
        (np.array([[0.0], [1.0]]), [2], [1.0, 2.0], {"n_options": 2}, "n_options must be"),
    ],
)
def test_validation(choices, key, totals, kwargs, match):
    with pytest.raises(ValueError, match=match):
        option_analysis(choices, key, totals, **kwargs)

"""SEM, score intervals and SED bands (assessments/psychometrics/scores.py), by hand."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.psychometrics.scores import score_ci, sed_bands, sem

nan = np.nan

# SEM sqrt(2) and z = 2: SED = sqrt(2) * sqrt(2) = 2, band width z * SED = 4
SCORES = np.array([50, 48, 46, 45, 41, 40, nan, 30], dtype=float)


def test_sem_hand_computed():
    assert sem(10, 0.91) == pytest.approx(3.0)  # 10 * sqrt(1 - .91) = 10 * .3
    assert sem(15, 0.84) == pytest.approx(6.0)  # 15 * sqrt(.16) = 15 * .4
    assert sem(5, 1.0) == 0.0  # perfectly reliable
    assert sem(5, 0.0) == 5.0  # all error
    assert isinstance(sem(10, 0.91), float)
    np.testing.assert_allclose(sem(np.array([10.0, 15.0]), np.array([0.91, 0.84])), [3, 6])


@pytest.mark.parametrize(
    "sd, rel, match",
    [
        (10, 1.1, "reliability"),
        (10, -0.1, "reliability"),
        (10, nan, "reliability"),
        (-1, 0.8, "sd"),
        (nan, 0.8, "sd"),
    ],
)
def test_sem_validation(sd, rel, match):
    with pytest.raises(ValueError, match=match):
        sem(sd, rel)


def test_score_ci_hand_computed():
    lo, hi = score_ci(np.array([100.0, nan, 90.0]), 3.0, z=2.0)
    np.testing.assert_allclose(lo, [94.0, nan, 84.0])  # 100 - 2*3, 90 - 6
    np.testing.assert_allclose(hi, [106.0, nan, 96.0])  # 100 + 6, 90 + 6
    lo, hi = score_ci([100.0], 3.0)  # default z 1.96: 1.96 * 3 = 5.88
    np.testing.assert_allclose((lo[0], hi[0]), (94.12, 105.88))
    # one SEM per score
    lo, hi = score_ci([10.0, 20.0], np.array([1.0, 2.0]), z=1.0)
    np.testing.assert_allclose(lo, [9.0, 18.0])
    np.testing.assert_allclose(hi, [11.0, 22.0])


def test_score_ci_validation():
    with pytest.raises(ValueError, match="sem"):
        score_ci([1.0], -1.0)
    with pytest.raises(ValueError, match="z"):
        score_ci([1.0], 1.0, z=0.0)


def test_sed_and_width():
    b = sed_bands(SCORES, np.sqrt(2), z=2.0)
    assert b.sed == pytest.approx(2.0)  # sqrt(2) * SEM
    assert b.width == pytest.approx(4.0)  # z * SED
    # defaults: SEM 5, z 1.96 -> SED 5 sqrt(2) = 7.0711, width 13.859
    d = sed_bands(SCORES, 5.0)
    assert d.sed == pytest.approx(5 * np.sqrt(2))
    assert d.width == pytest.approx(1.96 * 5 * np.sqrt(2))


def test_fixed_bands_hand_computed():
    # width 4. band 1: anchor 50, takes >= 46 -> 50, 48, 46 (46 exactly on the edge)
    # band 2: anchor 45 (highest below band 1), takes >= 41 -> 45, 41
    # band 3: anchor 40, takes >= 36 -> 40; band 4: anchor 30; NaN -> 0
    b = sed_bands(SCORES, np.sqrt(2), method="fixed", z=2.0)
    np.testing.assert_array_equal(b.band, [1, 1, 1, 2, 2, 3, 0, 4])
    np.testing.assert_array_equal(b.in_top_band, [1, 1, 1, 0, 0, 0, 0, 0])
    assert b.in_top_band.dtype == bool
    assert b.method == "fixed"


def test_sliding_bands_hand_computed():
    # distinct scores in descending order: 50 (1), 48 (2), 46 (3), 45 (4), 41 (5),
    # 40 (6), 30 (7). A score's band is the position of the highest anchor within 4:
    # 50, 48, 46 -> anchor 50 (1); 45 -> 48 (2: 48 - 45 = 3 <= 4, 50 - 45 = 5 > 4);
    # 41 -> 45 (4); 40 -> 41 (5: 45 - 40 = 5 > 4); 30 -> 30 itself (7)
    b = sed_bands(SCORES, np.sqrt(2), method="sliding", z=2.0)
    np.testing.assert_array_equal(b.band, [1, 1, 1, 2, 4, 5, 0, 7])
    np.testing.assert_array_equal(b.in_top_band, [1, 1, 1, 0, 0, 0, 0, 0])
    assert b.method == "sliding"


def test_bands_ties_order_and_zero_sem():
    # order of candidates does not matter; ties share a band
    b = sed_bands(np.array([41.0, 50.0, 45.0, 50.0]), np.sqrt(2), z=2.0)
    np.testing.assert_array_equal(b.band, [2, 1, 2, 1])
    # SEM 0: width 0, every distinct score is its own band under both methods
    for method in ("fixed", "sliding"):
        b = sed_bands(np.array([3.0, 2.0, 2.0, 1.0]), 0.0, method=method)
        np.testing.assert_array_equal(b.band, [1, 2, 2, 3])


def test_bands_all_missing():
    b = sed_bands(np.array([nan, nan]), 1.0)
    np.testing.assert_array_equal(b.band, [0, 0])
    assert not b.in_top_band.any()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"scores": np.ones((2, 2)), "sem": 1.0}, "1-D"),
        ({"scores": np.array([1.0, np.inf]), "sem": 1.0}, "finite"),
        ({"scores": np.ones(3), "sem": -1.0}, "sem"),
        ({"scores": np.ones(3), "sem": np.ones(3)}, "single number"),
        ({"scores": np.ones(3), "sem": 1.0, "method": "banded"}, "method"),
        ({"scores": np.ones(3), "sem": 1.0, "z": -1.96}, "z"),
    ],
)
def test_sed_bands_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sed_bands(**kwargs)

"""Tests for assessments.psychometrics.normgroups (hand-computed)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from assessments.psychometrics.normgroups import NormGroup, norms

# Reference sample: mean 5, SS = 9+1+1+1+0+0+4+16 = 32, sample SD = sqrt(32/7) = 2.138090
REF = [2, 4, 4, 4, 5, 5, 7, 9]
# 3 5 7: mean 5, SS 8, SD = sqrt(8/2) = 2 exactly (for band boundaries).
EXACT = [3.0, 5.0, 7.0]


def test_fit_by_hand():
    g = norms([*REF, np.nan])
    assert isinstance(g, NormGroup)
    assert g.n == 8
    assert g.mean == 5.0
    assert g.sd == pytest.approx(math.sqrt(32 / 7), rel=1e-12)
    assert g.sorted_scores.tolist() == sorted(REF)


def test_percentile_rank_mid_rank():
    g = norms(REF[::-1])
    # 4: B=1, E=3 -> 100 (1 + 1.5)/8 = 31.25; 5: B=4, E=2 -> 62.5; 4.5: B=4, E=0 -> 50
    # 2: B=0, E=1 -> 6.25; 9: B=7, E=1 -> 93.75; 1 -> 0; 10 -> 100
    x = np.array([4, 5, 4.5, 2, 9, 1, 10, np.nan])
    np.testing.assert_allclose(g.percentile_rank(x), [31.25, 62.5, 50, 6.25, 93.75, 0, 100, np.nan])
    assert float(g.percentile_rank(4)) == 31.25


def test_z_t_by_hand():
    g = norms(REF)
    sd = math.sqrt(32 / 7)
    # z(7) = 2 / 2.138090 = 0.935414; T = 59.35414
    assert float(g.z(7)) == pytest.approx(0.935414, abs=1e-6)
    assert float(g.t(7)) == pytest.approx(59.35414, abs=1e-5)
    np.testing.assert_allclose(g.z([5, 3, np.nan]), [0.0, -2 / sd, np.nan])
    assert g.t(np.array([[5.0]])).shape == (1, 1)


def test_sten_and_stanine_bands():
    g = norms(EXACT)  # mean 5, SD 2
    x = np.array([5.0, 5.5, 4.0, 6.0, 4.5, 7.0, 100.0, -100.0, np.nan])
    z = np.array([0.0, 0.25, -0.5, 0.5, -0.25, 1.0, 47.5, -52.5, np.nan])
    np.testing.assert_allclose(g.z(x), z)
    # sten = round(5.5 + 2z): 5.5 -> 6, 6 -> 6, 4.5 -> 5, 6.5 -> 7, 5 -> 5, 7.5 -> 8, clip
    np.testing.assert_array_equal(g.sten(x), [6, 6, 5, 7, 5, 8, 10, 1, np.nan])
    # stanine = round(5 + 2z): 5 -> 5, 5.5 -> 6, 4 -> 4, 6 -> 6, 4.5 -> 5, 7 -> 7, clip
    np.testing.assert_array_equal(g.stanine(x), [5, 6, 4, 6, 5, 7, 9, 1, np.nan])


def test_round_trip_through_json():
    g = norms(REF)
    d = json.loads(json.dumps(g.to_dict(), allow_nan=False))
    assert d == {"n": 8, "mean": 5.0, "sd": g.sd, "sorted_scores": sorted(float(v) for v in REF)}
    h = NormGroup.from_dict(d)
    x = np.array([1.0, 4.0, 6.3, 11.0])
    for method in ("percentile_rank", "z", "t", "sten", "stanine"):
        np.testing.assert_array_equal(getattr(h, method)(x), getattr(g, method)(x))
    assert h.n == g.n and h.mean == g.mean and h.sd == g.sd


def test_from_dict_rejects_inconsistent_record():
    d = norms(REF).to_dict()
    with pytest.raises(ValueError, match="d\\['n'\\]"):
        NormGroup.from_dict({**d, "n": 9})
    with pytest.raises(ValueError, match="d\\['mean'\\]"):
        NormGroup.from_dict({**d, "mean": 5.5})
    with pytest.raises(ValueError, match="d\\['sd'\\]"):
        NormGroup.from_dict({**d, "sd": 1.0})
    with pytest.raises(ValueError, match="sorted_scores"):
        NormGroup.from_dict({"n": 8})


def test_stored_scores_are_read_only():
    g = norms(REF)
    with pytest.raises(ValueError):
        g.sorted_scores[0] = 0.0
    with pytest.raises(AttributeError):
        g.mean = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("scores", "match"),
    [
        ([1.0], "at least 2"),
        ([1.0, np.nan, np.nan], "at least 2"),
        ([], "at least 2"),
        ([1.0, np.inf], "finite"),
        ([3.0, 3.0, 3.0], "all be equal"),
    ],
)
def test_norms_validation(scores, match):
    with pytest.raises(ValueError, match=match):
        norms(scores)


def test_new_scores_must_be_finite():
    with pytest.raises(ValueError, match="x must be finite"):
        norms(REF).z([np.inf])

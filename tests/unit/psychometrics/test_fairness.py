"""Tests for assessments.psychometrics.fairness (hand-worked examples)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from assessments.psychometrics.fairness import (
    AdverseImpact,
    GroupImpact,
    _fisher_two_sided,
    adverse_impact,
)


def _data(counts: dict[str, tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """counts: group -> (n, selected)."""
    sel, grp = [], []
    for g, (n, s) in counts.items():
        sel += [True] * s + [False] * (n - s)
        grp += [g] * n
    return np.array(sel), np.array(grp)


def test_exactly_four_fifths_is_not_flagged():
    # men 60/100 = .60, women 48/100 = .48, ratio .48 / .60 = .80 exactly.
    res = adverse_impact(*_data({"men": (100, 60), "women": (100, 48)}))
    assert isinstance(res, AdverseImpact)
    assert res.reference == "men"
    w = res.groups["women"]
    assert isinstance(w, GroupImpact)
    assert (w.n, w.selected, w.rate) == (100, 48, 0.48)
    assert w.impact_ratio == pytest.approx(0.80)
    assert w.flag is False
    m = res.groups["men"]
    assert m.impact_ratio == 1.0 and m.flag is False
    assert m.z is None and m.fisher_p is None
    assert res.warnings == ()


def test_below_four_fifths_is_flagged():
    # .47 / .60 = .78333...
    w = adverse_impact(*_data({"men": (100, 60), "women": (100, 47)})).groups["women"]
    assert w.impact_ratio == pytest.approx(0.47 / 0.60)
    assert w.impact_ratio == pytest.approx(0.7833, abs=1e-4)
    assert w.flag is True


def test_exact_boundary_despite_floating_point():
    # 4/25 = .16 and 1/5 = .20: (4/25) / (1/5) is 0.7999999999999999 in floating point,
    # but exactly .80, so it must not be flagged.
    assert (4 / 25) / (1 / 5) < 0.8
    res = adverse_impact(*_data({"a": (5, 1), "b": (25, 4)}))
    assert res.reference == "a"
    assert res.groups["b"].flag is False


def test_z_by_hand():
    # pooled p = (48 + 60) / 200 = .54; SE = sqrt(.54 * .46 * (1/100 + 1/100))
    #   = sqrt(.004968) = .0704840; z = (.48 - .60) / .0704840 = -1.702513
    w = adverse_impact(*_data({"men": (100, 60), "women": (100, 48)})).groups["women"]
    assert w.z == pytest.approx(-1.702513, abs=1e-6)
    assert w.z == pytest.approx(-0.12 / math.sqrt(0.54 * 0.46 * 0.02), rel=1e-12)


def test_fisher_matches_scipy_on_independent_table():
    w = adverse_impact(*_data({"men": (100, 60), "women": (100, 47)})).groups["women"]
    # 2 x 2 table built by hand: rows group (women, men), columns (selected, not).
    expected = stats.fisher_exact([[47, 53], [60, 40]], alternative="two-sided").pvalue
    assert w.fisher_p == pytest.approx(expected, rel=1e-12)


def test_fisher_published_example():
    # the table of scipy's fisher_exact documentation, [[8, 2], [1, 5]]: p = 0.034965034965
    # (R: fisher.test(matrix(c(8, 1, 2, 5), 2))$p.value = 0.03497)
    assert _fisher_two_sided(8, 2, 1, 5) == pytest.approx(0.034965034965034975, rel=1e-12)


def test_fisher_equals_scipy_on_many_tables():
    rng = np.random.default_rng(5)
    tables = [rng.integers(0, rng.integers(1, 150), 4) for _ in range(400)]
    tables += [np.array(t) for t in ((5, 5, 5, 5), (3, 0, 0, 3), (0, 0, 3, 4), (0, 9, 0, 4))]
    tables.append(np.array((500, 4500, 700, 4300)))  # large: binomial coefficients overflow
    for a, b, c, d in tables:
        expected = stats.fisher_exact([[a, b], [c, d]]).pvalue
        got = _fisher_two_sided(int(a), int(b), int(c), int(d))
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-15), (a, b, c, d)


def test_three_groups_reference_and_order():
    sel, grp = _data({"c": (40, 10), "a": (40, 20), "b": (40, 30)})
    res = adverse_impact(sel.astype(int), grp.tolist())  # 0/1 and a list are accepted
    assert list(res.groups) == ["a", "b", "c"]
    assert res.reference == "b"
    assert res.groups["a"].impact_ratio == pytest.approx(0.5 / 0.75)
    assert res.groups["c"].impact_ratio == pytest.approx(0.25 / 0.75)
    assert res.groups["a"].flag and res.groups["c"].flag
    assert res.groups["b"].z is None
    assert res.groups["a"].z < 0 and res.groups["c"].z < res.groups["a"].z


def test_tie_for_highest_rate_takes_first_group():
    res = adverse_impact(*_data({"x": (50, 20), "y": (40, 16)}))
    assert res.reference == "x"
    assert res.groups["y"].impact_ratio == pytest.approx(1.0)
    assert res.groups["y"].z == pytest.approx(0.0, abs=1e-12)


def test_order_of_candidates_does_not_matter():
    sel, grp = _data({"men": (100, 60), "women": (100, 47)})
    perm = np.random.default_rng(0).permutation(sel.size)
    a = adverse_impact(sel, grp).to_dict()
    b = adverse_impact(sel[perm], grp[perm]).to_dict()
    assert a == b


def test_small_sample_warnings():
    res = adverse_impact(*_data({"a": (10, 3), "b": (12, 8)}))
    text = " | ".join(res.warnings)
    assert "22 candidates" in text
    assert "group a: 3 selected" in text
    assert "group b: 8 selected and 4 not selected" in text
    assert len(res.warnings) == 3


def test_nobody_selected():
    res = adverse_impact(*_data({"a": (20, 0), "b": (20, 0)}))
    assert math.isnan(res.groups["b"].impact_ratio)
    assert not res.groups["b"].flag
    assert math.isnan(res.groups["b"].z)
    assert res.groups["b"].fisher_p == pytest.approx(1.0)
    assert any("nobody was selected" in w for w in res.warnings)


def test_to_dict_is_json_ready():
    res = adverse_impact(*_data({"a": (20, 0), "b": (20, 0)}))
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["groups"]["b"]["impact_ratio"] is None
    assert d["groups"]["a"]["z"] is None
    assert d["reference"] == "a"


def test_result_is_immutable():
    res = adverse_impact(*_data({"a": (20, 5), "b": (20, 10)}))
    with pytest.raises(TypeError):
        res.groups["a"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        res.reference = "a"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("selected", "group", "match"),
    [
        ([True, False], ["a"], "same length"),
        ([True, False, True], ["a", "a", "a"], "at least two distinct groups"),
        ([1, 2], ["a", "b"], "selected"),
        ([1.0, np.nan], ["a", "b"], "selected"),
        (["yes", "no"], ["a", "b"], "selected"),
        ([[True, False]], [["a", "b"]], "selected must be 1-D"),
        ([True, False], ["a", None], "group must not contain missing"),
        ([True, False], ["a", float("nan")], "group must not contain missing"),
    ],
)
def test_validation(selected, group, match):
    with pytest.raises(ValueError, match=match):
        adverse_impact(selected, group)

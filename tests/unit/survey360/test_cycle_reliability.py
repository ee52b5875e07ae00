"""Reliability of a 360 cycle (assessments/survey360/reliability.py): the wiring of the
psychometric functions to 360 data, and anonymity of the agreement figures."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest

from assessments.psychometrics import cronbach_alpha, icc, item_analysis, rwg_j
from assessments.survey360.aggregation import aggregate
from assessments.survey360.reliability import (
    LOW_ALPHA,
    SubjectRatings,
    covered_ratings,
    cycle_reliability,
    icc_band,
    rwg_band,
    scale_reliability,
    subject_agreement,
)

nan = np.nan

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges on a 1-10 scale.
# Published (their Table 4): ICC(2,1) = .29, ICC(2,4) = .62.
SHROUT_FLEISS = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    dtype=float,
)


# --- internal consistency ------------------------------------------------------------


def test_alpha_by_hand_and_cannot_say_left_out() -> None:
    # items (1,1), (2,3), (3,2): var 1 and 1, cov (-1*-1 + 0*1 + 1*0)/2 = .5
    # alpha = 2/1 * (1 - 2/(1 + 1 + 2*.5)) = 2/3. The fourth rater said "Cannot say" to
    # both statements and is left out; the fifth rated one statement only.
    x = np.array([[1, 1], [2, 3], [3, 2], [nan, nan], [4, nan]])
    r = scale_reliability(
        x[:3], competency="c", statement_ids=[7, 8], reverse=[False, False], scale=(1, 5)
    )
    assert r.alpha == pytest.approx(2 / 3)
    assert r.n == 3 and r.k == 2 and r.n_pairwise == 3
    r = scale_reliability(x, competency="c", statement_ids=[7, 8], reverse=[False, False])
    assert r.n == 4  # the empty row is dropped, the half-answered one kept
    assert [i.n for i in r.items] == [4, 3]  # "Cannot say" is not in n
    assert [i.id for i in r.items] == [7, 8]
    # item 1's mean over its 4 ratings: (1 + 2 + 3 + 4)/4 = 2.5
    assert r.items[0].mean == pytest.approx(2.5)
    expected = cronbach_alpha(x[[0, 1, 2, 4]], missing="pairwise")
    assert r.alpha == pytest.approx(expected.alpha)
    assert r.alpha_ci == pytest.approx(expected.ci)


def test_reverse_keying_comes_first() -> None:
    # statement 2 is reverse-keyed: raw 4 3 2 1 scores as 6 - x = 2 3 4 5, parallel to
    # statement 1 (1 2 3 4): alpha = 1 exactly. Unflipped it would be -inf-like negative.
    x = np.array([[1, 4], [2, 3], [3, 2], [4, 1]], dtype=float)
    r = scale_reliability(x, competency="c", statement_ids=[1, 2], reverse=[False, True])
    assert r.alpha == pytest.approx(1.0)
    assert r.items[1].reverse and r.items[1].mean == pytest.approx(3.5)
    assert not r.warnings or all(w.code == "small_n" for w in r.warnings)


def test_items_match_item_analysis_and_warnings() -> None:
    rng = np.random.default_rng(3)
    true = rng.normal(0, 1, 40)
    x = np.clip(np.rint(3 + true[:, None] * 0.4 + rng.normal(0, 1, (40, 4))), 1, 5)
    x[rng.random(x.shape) < 0.1] = nan
    r = scale_reliability(x, competency="c", statement_ids=[1, 2, 3, 4], reverse=[False] * 4)
    ia = item_analysis(x[~np.isnan(x).all(axis=1)])
    assert [i.r_drop for i in r.items] == pytest.approx(list(ia.r_drop))
    assert [i.alpha_if_deleted for i in r.items] == pytest.approx(list(ia.alpha_if_deleted))
    assert r.omega is not None and r.lambda6 is not None
    codes = {w.code for w in r.warnings}
    assert ("low_alpha" in codes) == (r.alpha < LOW_ALPHA)
    assert "small_n" not in codes  # 40 raters


def test_thin_data_gives_none_and_says_why() -> None:
    one = scale_reliability(
        np.array([[1.0], [2.0], [3.0]]), competency="c", statement_ids=[1], reverse=[False]
    )
    assert one.alpha is None and one.warnings[0].code == "one_statement"
    two = scale_reliability(
        np.array([[1.0, 2.0], [2.0, 2.0]]),
        competency="c",
        statement_ids=[1, 2],
        reverse=[False, False],
    )
    assert two.alpha is None and two.warnings[0].code == "too_few_raters"
    assert two.warnings[0].params == {"competency": "c", "n": 2, "min": 3}
    flat = scale_reliability(
        np.full((5, 3), 4.0), competency="c", statement_ids=[1, 2, 3], reverse=[False] * 3
    )
    assert flat.alpha is None and flat.omega is None
    assert "not_computed" in {w.code for w in flat.warnings}
    assert [i.sd for i in flat.items] == [0.0, 0.0, 0.0]


# --- agreement -----------------------------------------------------------------------


def _report(ratings: np.ndarray, groups: list[str], comp: list[str], **kw):
    kw.setdefault("scale", (1, 5))
    return aggregate(ratings, groups, comp, [False] * len(comp), **kw)


def test_icc_reproduces_shrout_and_fleiss() -> None:
    # the 4 judges are 4 peers, the 6 targets are 6 statements of one person
    ratings = SHROUT_FLEISS.T
    groups = ["peer"] * 4
    report = _report(ratings, groups, ["c"] * 6, scale=(1, 10))
    agreement = subject_agreement(ratings, groups, report, subject=9)
    assert agreement.subject == 9
    assert [g.group for g in agreement.groups] == ["peer", "others"]
    peer = agreement.groups[0]
    assert peer.icc.form == "ICC2" and peer.icc_k.form == "ICC2k"
    assert round(peer.icc.value, 2) == 0.29  # Shrout & Fleiss (1979), Table 4
    assert round(peer.icc_k.value, 2) == 0.62  # ibid.
    assert peer.statements == 6 and peer.n == 4
    ref = icc(SHROUT_FLEISS).forms["ICC2"]
    assert peer.icc.ci == pytest.approx(ref.ci)
    assert np.isclose(peer.icc.F, ref.F)
    # rwg(J) with the uniform null of 10 points: (100 - 1)/12 = 8.25
    assert peer.rwg["c"] == pytest.approx(rwg_j(ratings, options=10))


def test_rwg_agrees_with_the_aggregation() -> None:
    rng = np.random.default_rng(8)
    ratings = np.clip(np.rint(rng.normal(3.5, 0.9, (12, 8))), 1, 5)
    ratings[rng.random(ratings.shape) < 0.08] = nan
    groups = ["self", "manager"] + ["peer"] * 4 + ["direct_report"] * 3 + ["customer"] * 3
    comp = ["a"] * 4 + ["b"] * 4
    report = _report(ratings, groups, comp)
    agreement = subject_agreement(ratings, groups, report)
    for g in agreement.groups:
        for c in report.competencies:
            assert g.rwg[c.key] == pytest.approx(c.groups[g.group].rwg, nan_ok=True), (g, c.key)


# Example of integration/reviews/test_reviews.py: 1 self, 1 manager, 3 peers, 2 direct reports,
# 3 customers. Direct reports are suppressed (2 < 3); others = 9, and 9 - (1 + 3 + 3) = 2
# would let the direct reports be worked out, so customers are withheld as well.
GROUPS_A = ["self", "manager", "peer", "peer", "peer", "direct_report", "direct_report"] + [
    "customer"
] * 3


def _ratings_a(rng: np.random.Generator) -> np.ndarray:
    return np.clip(np.rint(rng.normal(3.5, 1.0, (10, 6))), 1, 5)


def test_no_agreement_for_suppressed_groups() -> None:
    ratings = _ratings_a(np.random.default_rng(1))
    comp = ["a"] * 3 + ["b"] * 3
    report = _report(ratings, GROUPS_A, comp)
    assert set(report.suppressed_groups) == {"direct_report", "customer"}
    agreement = subject_agreement(ratings, GROUPS_A, report)
    assert [g.group for g in agreement.groups] == ["peer", "others"]  # no manager: 1 rater
    assert agreement.groups[1].n == 9 and agreement.groups[0].n == 3
    # the direct reports change: "others" may change, the peers' figures may not
    other = ratings.copy()
    other[5:7] = 6 - other[5:7]
    again = subject_agreement(other, GROUPS_A, _report(other, GROUPS_A, comp))
    assert again.groups[0] == agreement.groups[0]
    blob = json.dumps(msgspec.to_builtins(agreement.groups))
    assert "direct_report" not in blob and "customer" not in blob


def test_nothing_of_a_suppressed_group_when_others_is_not_shown() -> None:
    # self, manager and 1 peer: others = 2 < 3, so the peer is used nowhere
    groups = ["self", "manager", "peer"]
    ratings = np.array([[5, 4, 5], [3, 3, 2], [1, 2, 1]], dtype=float)
    report = _report(ratings, groups, ["a"] * 3)
    assert report.suppressed_groups == ("peer",)
    assert subject_agreement(ratings, groups, report).groups == ()
    mask = covered_ratings(ratings, groups, report)
    assert mask.tolist() == [[True] * 3, [True] * 3, [False] * 3]
    cycle = cycle_reliability([SubjectRatings(1, ratings, tuple(groups))], ["a"] * 3, [False] * 3)
    assert cycle.withheld == 3 and cycle.ratings == 9
    # the peer's ratings do not move any cycle figure
    other = ratings.copy()
    other[2] = [5, 5, 1]
    again = cycle_reliability([SubjectRatings(1, other, tuple(groups))], ["a"] * 3, [False] * 3)
    assert again.competencies == cycle.competencies


def test_statement_withheld_for_a_group_is_left_out_of_its_agreement() -> None:
    # A manager, 3 peers, 3 customers; one peer says "Cannot say" on statement 4, so the
    # peers' figures on statement 4 rest on 2 ratings and are withheld. "Others" (6
    # ratings) minus manager and customers would leave those 2: so the customers are
    # withheld on statement 4 as well (complementary suppression), and "others" stays.
    groups = ["manager", "peer", "peer", "peer", "customer", "customer", "customer"]
    ratings = np.array(
        [
            [4, 3, 5, 2],
            [4, 2, 5, 3],
            [3, 2, 4, nan],
            [5, 3, 5, 2],
            [2, 4, 3, 3],
            [3, 4, 3, 4],
            [2, 5, 2, 4],
        ],
        dtype=float,
    )
    report = _report(ratings, groups, ["a", "a", "b", "b"])
    s4 = report.statements[3].groups
    assert s4["peer"].mean is None and s4["customer"].mean is None
    assert s4["others"].mean is not None
    by_group = {g.group: g for g in subject_agreement(ratings, groups, report).groups}
    assert by_group["peer"].statements == 3
    assert by_group["customer"].statements == 3  # complete, but withheld on statement 4
    assert by_group["others"].statements == 3  # statement 4 is incomplete for others
    assert by_group["customer"].icc.value == pytest.approx(
        icc(ratings[4:, :3].T).forms["ICC2"].value
    )
    # rwg(J) of the customers on "b" rests on statement 3 alone
    assert by_group["customer"].rwg["b"] == pytest.approx(rwg_j(ratings[4:, 2:3], options=5))
    # every rating is still in some shown figure ("others")
    assert covered_ratings(ratings, groups, report).sum() == 27


def test_cycle_reliability_pools_subjects_and_serialises() -> None:
    rng = np.random.default_rng(5)
    comp = ["a"] * 4 + ["b"] * 3
    reverse = [False, False, False, True, False, False, True]
    subjects = []
    for sid in (11, 12, 13):
        level = rng.normal(3.5, 0.6)
        raw = np.clip(np.rint(level + rng.normal(0, 0.7, (10, 7))), 1, 5)
        raw[:, [3, 6]] = 6 - raw[:, [3, 6]]
        raw[rng.random(raw.shape) < 0.05] = nan
        subjects.append(SubjectRatings(sid, raw, tuple(GROUPS_A)))
    result = cycle_reliability(subjects, comp, reverse, statement_ids=range(101, 108), threshold=3)
    assert result.subjects == 3 and result.forms == 30
    assert result.responses == {
        "self": 3,
        "manager": 3,
        "peer": 9,
        "direct_report": 6,
        "customer": 9,
    }
    total = sum(int(np.isnan(s.ratings).sum()) for s in subjects)
    assert result.cannot_say == total and result.ratings == 30 * 7 - total
    assert result.withheld == 0  # "others" is shown for everyone
    assert [c.competency for c in result.competencies] == ["a", "b"]
    a = result.competencies[0]
    assert [i.id for i in a.items] == [101, 102, 103, 104] and a.items[3].reverse
    lower, upper = a.alpha_ci
    assert lower < a.alpha < upper
    assert [s.subject for s in result.agreement] == [11, 12, 13]
    assert all(s.suppressed_groups == ("direct_report", "customer") for s in result.agreement)
    text = json.dumps(msgspec.to_builtins(result), allow_nan=False)  # no NaN anywhere
    assert "ICC2k" in text
    empty = cycle_reliability([], comp, reverse)
    assert empty.forms == 0 and empty.warnings[0].code == "no_forms"
    assert all(c.alpha is None for c in empty.competencies)


def test_readings() -> None:
    # Koo & Li (2016): poor < .50 <= moderate < .75 <= good < .90 <= excellent
    assert [icc_band(v) for v in (0.49, 0.5, 0.749, 0.75, 0.9, None)] == [
        "poor",
        "moderate",
        "moderate",
        "good",
        "excellent",
        None,
    ]
    # LeBreton & Senter (2008, Table 3): .00-.30, .31-.50, .51-.70, .71-.90, .91-1.00
    assert [rwg_band(v) for v in (0.0, 0.3, 0.5, 0.7, 0.71, 0.9, 0.91, nan)] == [
        "none",
        "none",
        "weak",
        "moderate",
        "strong",
        "strong",
        "very_strong",
        None,
    ]


def test_icc_reading_says_no_agreement_and_too_small_to_judge():
    from assessments.survey360.reliability import icc_reading

    # negative: no agreement at all (not "poor")
    assert icc_reading(-0.36, (-1.2, 0.4)) == "none"
    # Koo & Li (2016): read from the 95 % CI; .39-1.00 spans poor to excellent
    assert icc_reading(0.93, (0.39, 1.0)) == "uncertain"
    assert icc_reading(0.93, (None, None)) == "uncertain"
    assert icc_reading(0.93, None) == "uncertain"
    # "good to excellent" (.83-.94, Koo & Li's own example): two adjacent bands, read
    assert icc_reading(0.91, (0.83, 0.94)) == "excellent"
    assert icc_reading(0.6, (0.52, 0.74)) == "moderate"
    assert icc_reading(0.6, (0.3, 0.8)) == "uncertain"  # poor to good
    assert icc_reading(None, (0.1, 0.2)) is None

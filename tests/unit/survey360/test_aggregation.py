"""360 aggregation and its anonymity rules (assessments/survey360/aggregation.py).

Every number is worked by hand in the comments next to it.
"""

from __future__ import annotations

import dataclasses
import json

import msgspec
import numpy as np
import pytest

from assessments.competency import Competency, Indicator, Requirement, Role
from assessments.survey360.aggregation import GROUPS, Report360, aggregate
from assessments.survey360.instrument import build_instrument

nan = np.nan

# Example 1: 1 self, 1 manager, 3 peers, 2 direct reports; threshold 3.
# Statements: 1-2 "listening" (2 reverse-keyed), 3-4 "ownership".
#                 s1 s2  s3 s4        scored (s2 -> 6 - x)
RATINGS = np.array(
    [
        [5, 1, 2, 2],  # self           5 5 2 2
        [4, 2, 4, 4],  # manager        4 4 4 4
        [3, 3, 5, 4],  # peer 1         3 3 5 4
        [4, 2, 4, nan],  # peer 2       4 4 4 -   (cannot say on s4)
        [3, 2, 5, 5],  # peer 3         3 4 5 5
        [2, 5, 4, 4],  # direct rep. 1  2 1 4 4   (reverse-keyed 5 -> 1)
        [2, 4, 3, 5],  # direct rep. 2  2 2 3 5
    ]
)
GROUPS_1 = ["self", "manager", "peer", "peer", "peer", "direct_report", "direct_report"]
COMPETENCY = ["listening", "listening", "ownership", "ownership"]
REVERSE = [False, True, False, False]
COMMENTS = [
    ("strengths", "Knows the product inside out", "manager"),
    ("strengths", "Patient with new colleagues", "peer"),
    ("strengths", "Always has time for us", "direct_report"),
    ("strengths", "   ", "peer"),  # whitespace only: dropped
    ("strengths", "I listen well", "self"),
    ("listening", "Sometimes cuts people off", "direct_report"),
    ("start_stop", "", "direct_report"),  # empty: dropped
]


def report_1(**kw) -> Report360:
    kw.setdefault("comments", COMMENTS)
    kw.setdefault("rng", np.random.default_rng(7))
    return aggregate(RATINGS, GROUPS_1, COMPETENCY, REVERSE, **kw)


def as_json(report: Report360) -> str:
    return json.dumps(dataclasses.asdict(report), allow_nan=False, ensure_ascii=False)


def by_key(report: Report360):
    return {c.key: c for c in report.competencies}


# --- example 1: suppression and others -------------------------------------------------


def test_direct_reports_are_suppressed_and_counted_in_others():
    r = report_1()
    assert "direct_report" in r.suppressed_groups
    # others = manager + 3 peers + 2 direct reports = 6 raters >= 3
    assert [(g.name, g.n) for g in r.groups][-1] == ("others", 6)
    s1, s2, s3, s4 = (s.groups["others"] for s in r.statements)
    # s1: (4 + 3 + 4 + 3 + 2 + 2) / 6 = 18/6 = 3.0 (without the direct reports: 14/4 = 3.5)
    assert s1.n == 6 and s1.mean == pytest.approx(3.0)
    # s2 scored: (4 + 3 + 4 + 4 + 1 + 2) / 6 = 18/6 = 3.0
    assert s2.mean == pytest.approx(3.0)
    # s3: (4 + 5 + 4 + 5 + 4 + 3) / 6 = 25/6
    assert s3.mean == pytest.approx(25 / 6)
    # s4: peer 2 cannot say -> n = 5, (4 + 4 + 5 + 4 + 5) / 5 = 22/5 = 4.4
    assert s4.n == 5 and s4.mean == pytest.approx(4.4)
    # s1 deviations from 3: 1 0 1 0 -1 -1 -> SS = 4, SD = sqrt(4/5)
    assert s1.sd == pytest.approx(np.sqrt(0.8))


def test_peers_are_withheld_as_complement_by_default():
    r = report_1()
    # Showing peers beside others and manager would give the direct reports' sums by
    # subtraction (s1: 18 - 4 - (3 + 4 + 3) = 4 = 2 + 2, both ratings): peers go too.
    assert r.suppressed_groups == ("peer", "direct_report")
    assert [(g.name, g.n) for g in r.groups] == [("self", 1), ("manager", 1), ("others", 6)]
    for s in r.statements:
        assert set(s.groups) == {"self", "manager", "others"}
    assert any("subtraction" in note for note in r.notes)
    assert any("not anonymous" in note for note in r.notes)


def test_without_complementary_suppression_peers_are_shown():
    r = report_1(complementary=False)
    assert r.suppressed_groups == ("direct_report",)
    assert [(g.name, g.n) for g in r.groups] == [
        ("self", 1),
        ("manager", 1),
        ("peer", 3),
        ("others", 6),
    ]
    peer_s1 = r.statements[0].groups["peer"]
    # (3 + 4 + 3) / 3 = 10/3
    assert peer_s1.n == 3 and peer_s1.mean == pytest.approx(10 / 3)
    # s4: only 2 peers rated -> n = 2 < 3: figures withheld, n shown
    peer_s4 = r.statements[3].groups["peer"]
    assert (peer_s4.n, peer_s4.mean, peer_s4.sd, peer_s4.distribution) == (2, None, None, None)
    # others are the same 6 raters in both modes
    assert r.statements[0].groups["others"].mean == pytest.approx(3.0)


@pytest.mark.parametrize("complementary", [True, False])
def test_json_never_reveals_the_direct_reports(complementary):
    r = report_1(complementary=complementary)
    text = as_json(r)
    # "direct_report" occurs once: as a name in suppressed_groups
    assert text.count("direct_report") == 1
    assert "direct_report" in json.loads(text)["suppressed_groups"]
    for s in r.statements:
        assert "direct_report" not in s.groups
    for c in r.competencies:
        assert "direct_report" not in c.groups
    assert all(g.name != "direct_report" for g in r.groups)
    # comments carry no group at all
    for cs in r.comments:
        assert set(dataclasses.asdict(cs)) == {"key", "texts", "self_texts"}


def test_report_serialises_with_msgspec_and_json():
    r = report_1()
    decoded = json.loads(as_json(r))
    assert json.loads(msgspec.json.encode(r)) == decoded
    assert set(decoded) == {
        "threshold",
        "scale",
        "groups",
        "suppressed_groups",
        "competencies",
        "statements",
        "blind_spots",
        "hidden_strengths",
        "highest",
        "lowest",
        "comments",
        "notes",
        "rules",
    }
    assert decoded["statements"][0]["groups"]["self"]["sd"] is None  # NaN -> None
    assert msgspec.json.decode(msgspec.json.encode(r), type=Report360) == r


# --- example 2: others below threshold -------------------------------------------------


def test_others_below_threshold_is_not_shown():
    # self, manager, 1 peer: others = manager + peer = 2 < 3
    ratings = np.array([[4, 4], [3, 5], [1, 1]], dtype=float)
    comments = [
        ("strengths", "Helpful", "manager"),
        ("strengths", "Rude to me", "peer"),
        ("start_stop", "Stop rushing", "self"),
    ]
    r = aggregate(
        ratings,
        ["self", "manager", "peer"],
        ["c", "c"],
        [False, False],
        comments=comments,
        rng=np.random.default_rng(0),
    )
    assert r.suppressed_groups == ("peer",)
    assert [g.name for g in r.groups] == ["self", "manager"]
    assert set(r.statements[0].groups) == {"self", "manager"}
    # the peer's ratings count nowhere: the manager's s1 mean is the manager's 3 alone
    assert r.statements[0].groups["manager"].mean == 3.0
    assert r.highest == () and r.lowest == ()
    assert r.statements[0].gap is None and r.competencies[0].gap is None
    assert r.blind_spots == () and r.hidden_strengths == ()
    strengths = {c.key: c for c in r.comments}["strengths"]
    assert strengths.texts == ("Helpful",)  # the suppressed peer's comment is dropped
    assert {c.key: c for c in r.comments}["start_stop"].self_texts == ("Stop rushing",)
    assert "Rude" not in as_json(r)
    assert any("not used anywhere" in note for note in r.notes)


def test_others_withheld_when_it_equals_manager_plus_a_small_group():
    # 2 managers + 1 direct report: others = 3 raters, but others - managers = the
    # direct report's own ratings. Default: others withheld; rules 1-4 alone show it.
    ratings = np.array([[4.0], [2.0], [5.0]])
    groups = ["manager", "manager", "direct_report"]
    r = aggregate(ratings, groups, ["c"], [False])
    assert r.suppressed_groups == ("direct_report",)
    assert [(g.name, g.n) for g in r.groups] == [("manager", 2)]
    # the managers' figures: (4 + 2) / 2 = 3, SD sqrt(((1)^2 + (-1)^2) / 1) = sqrt(2)
    m = r.statements[0].groups["manager"]
    assert (m.n, m.mean, m.sd) == (2, 3.0, pytest.approx(np.sqrt(2)))
    literal = aggregate(ratings, groups, ["c"], [False], complementary=False)
    # (4 + 2 + 5) / 3 = 11/3
    assert literal.statements[0].groups["others"].mean == pytest.approx(11 / 3)


def test_cannot_say_can_withhold_others_on_one_statement():
    # manager + 4 peers. On s2 two peers cannot say: peer n = 2 (withheld), others n = 3,
    # but others - manager would be the two peers' ratings, so others is withheld there.
    ratings = np.array(
        [
            [4, 5],  # manager
            [3, 2],
            [3, 4],
            [4, nan],
            [4, nan],
        ]
    )
    groups = ["manager", "peer", "peer", "peer", "peer"]
    r = aggregate(ratings, groups, ["c", "c"], [False, False])
    assert r.suppressed_groups == ()
    s1, s2 = r.statements
    # s1: peers (3 + 3 + 4 + 4)/4 = 3.5; others (4 + 3 + 3 + 4 + 4)/5 = 18/5
    assert s1.groups["peer"].mean == pytest.approx(3.5)
    assert s1.groups["others"].mean == pytest.approx(3.6)
    assert (s2.groups["peer"].n, s2.groups["peer"].mean) == (2, None)
    assert (s2.groups["others"].n, s2.groups["others"].mean) == (3, None)
    assert s2.groups["others"].distribution is None
    # rule 6: a competency mean is the mean of the shown statement means; s2 is withheld
    # for peers and others, so both competency means are their s1 means (3.5 and 3.6)
    # and the withheld s2 ratings reach no figure. n counts raters with any rating: 4, 5.
    comp = r.competencies[0].groups
    assert (comp["peer"].n, comp["peer"].mean) == (4, pytest.approx(3.5))
    assert (comp["others"].n, comp["others"].mean) == (5, pytest.approx(3.6))
    literal = aggregate(ratings, groups, ["c", "c"], [False, False], complementary=False)
    # rules 1-4 alone: (5 + 2 + 4)/3 = 11/3 is shown, and 11 - 5 = 6 = 2 + 4 leaks
    assert literal.statements[1].groups["others"].mean == pytest.approx(11 / 3)


@pytest.mark.parametrize("seed", range(25))
def test_no_group_below_threshold_can_be_subtracted_out(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 12))
    groups = rng.choice(["manager", "peer", "direct_report", "customer"], size=n)
    groups[0] = "self"
    ratings = rng.integers(1, 6, size=(n, 6)).astype(float)
    ratings[rng.random((n, 6)) < 0.25] = nan
    comp = ["a", "a", "a", "b", "b", "c"]
    r = aggregate(ratings, groups, comp, [False] * 6, threshold=3)
    for cells in [s.groups for s in r.statements] + [c.groups for c in r.competencies]:
        shown = {g: v.n for g, v in cells.items() if v.mean is not None}
        for g, count in shown.items():
            if g not in ("self", "manager"):
                assert count >= 3
        if "others" in shown:
            rest = shown["others"] - sum(v for g, v in shown.items() if g not in ("self", "others"))
            assert rest == 0 or rest >= 3


# --- scores ----------------------------------------------------------------------------


def test_reverse_keyed_and_distribution_on_raw_scale():
    r = report_1()
    s2 = r.statements[1]
    assert s2.reverse is True
    # self answered 1 on a reverse-keyed statement: scored 6 - 1 = 5
    assert s2.groups["self"].mean == 5.0
    assert s2.groups["self"].distribution == (1, 0, 0, 0, 0)
    # others raw answers 2 3 2 2 5 4 -> counts of 1..5
    assert s2.groups["others"].distribution == (0, 3, 1, 1, 1)
    # s1 raw 4 3 4 3 2 2
    assert r.statements[0].groups["others"].distribution == (0, 2, 2, 2, 0)


def test_cannot_say_is_left_out_of_n_and_means():
    r = report_1()
    s4 = r.statements[3].groups["others"]
    assert s4.n == 5 and sum(s4.distribution) == 5
    # ownership (rule 6): s3 others (4 + 5 + 4 + 5 + 4 + 3)/6 = 25/6, s4 (4 + 4 + 5 + 4 + 5)/5
    # = 4.4 -> (25/6 + 4.4)/2 = 4.28333; the mean of the six raters' ownership scores
    # (4 + 4.5 + 4 + 5 + 4 + 4)/6 = 4.25 would differ, and give away peer 2's s3 rating
    ownership = by_key(r)["ownership"].groups["others"]
    assert ownership.n == 6 and ownership.mean == pytest.approx((25 / 6 + 4.4) / 2)


def test_competency_means_and_gaps():
    r = report_1()
    listening = by_key(r)["listening"]
    # rater scores: manager 4, peers 3, 4, 3.5, direct reports 1.5, 2 -> 18/6 = 3.0
    assert listening.groups["others"].mean == pytest.approx(3.0)
    assert listening.groups["self"].mean == 5.0
    assert listening.statements == (1, 2)
    # self - others: 5 - 3 = 2; ownership 2 - 4.28333 = -2.28333
    assert listening.gap == pytest.approx(2.0)
    assert by_key(r)["ownership"].gap == pytest.approx(2 - (25 / 6 + 4.4) / 2)
    # statement gaps: s1 5 - 3 = 2, s4 2 - 4.4 = -2.4
    assert r.statements[0].gap == pytest.approx(2.0)
    assert r.statements[3].gap == pytest.approx(-2.4)


def test_blind_spot_and_hidden_strength():
    r = report_1()
    assert r.blind_spots == ("listening",)  # 2.0 >= 1.0
    assert r.hidden_strengths == ("ownership",)  # 2.25 >= 1.0
    assert "self mean - others mean >= 1 scale point" in r.rules
    # with gap 2.1 the listening gap (2.0) no longer counts; ownership (2.25) still does
    stricter = report_1(gap=2.1)
    assert stricter.blind_spots == () and stricter.hidden_strengths == ("ownership",)


def test_gap_of_exactly_one_counts():
    # self 4 vs three peers 3 on one statement: 4 - 3 = 1.0 -> blind spot
    ratings = np.array([[4.0], [3.0], [3.0], [3.0]])
    r = aggregate(ratings, ["self", "peer", "peer", "peer"], ["c"], [False])
    assert r.blind_spots == ("c",) and r.hidden_strengths == ()


def test_highest_and_lowest_five():
    #  s1   s2   s3   s4   s5   s6   s7  (3 peers)
    ratings = np.array(
        [
            [5, 4, 2, 4, 1, 3, 5],
            [5, 4, 2, 4, 1, 3, 4],
            [5, 4, 2, 4, 1, 3, 3],
        ],
        dtype=float,
    )
    r = aggregate(ratings, ["peer"] * 3, ["c"] * 7, [False] * 7, statement_ids=range(11, 18))
    # means 5 4 2 4 1 3 4; ties (4: s2, s4, s7) broken by statement order
    assert [(x.id, x.mean) for x in r.highest] == [(11, 5), (12, 4), (14, 4), (17, 4), (16, 3)]
    assert [(x.id, x.mean) for x in r.lowest] == [(15, 1), (13, 2), (16, 3), (12, 4), (14, 4)]


def test_highest_and_lowest_with_fewer_statements():
    r = report_1()
    # others means s1 3.0, s2 3.0, s3 25/6, s4 4.4
    assert [x.id for x in r.highest] == [4, 3, 1, 2]
    assert [x.id for x in r.lowest] == [1, 2, 3, 4]


def test_rwg_j_for_others_by_hand():
    r = report_1()
    listening = by_key(r)["listening"].groups["others"]
    # s1 scored 4 3 4 3 2 2: mean 3, SS 4, s² = 4/5 = 0.8
    # s2 scored 4 3 4 4 1 2: mean 3, SS 1+0+1+1+4+1 = 8, s² = 8/5 = 1.6
    # s̄² = 1.2, σ²_EU = (5² - 1)/12 = 2, ratio 0.6; J = 2:
    # rwg(J) = 2(1 - 0.6) / (2(1 - 0.6) + 0.6) = 0.8/1.4 = 4/7
    assert listening.rwg == pytest.approx(4 / 7)
    assert listening.mean_sd == pytest.approx((np.sqrt(0.8) + np.sqrt(1.6)) / 2)
    # self and a single manager: no agreement
    assert by_key(r)["listening"].groups["self"].rwg is None
    assert by_key(r)["listening"].groups["manager"].mean_sd is None


def test_rwg_j_for_peers_by_hand():
    r = report_1(complementary=False)
    peers = by_key(r)["listening"].groups["peer"]
    # s1 3 4 3: mean 10/3, s² = (1/9 + 4/9 + 1/9)/2 = 1/3; s2 scored 3 4 4: s² = 1/3
    # ratio (1/3)/2 = 1/6; rwg(J) = 2(5/6) / (2(5/6) + 1/6) = 10/11
    assert peers.rwg == pytest.approx(10 / 11)
    assert peers.mean_sd == pytest.approx(np.sqrt(1 / 3))
    # ownership: s4 is withheld for peers (n = 2), so only s3 (5 4 5, s² = 1/3) counts:
    # J = 1, rwg = 1 - (1/3)/2 = 5/6
    ownership = by_key(r)["ownership"].groups["peer"]
    assert ownership.rwg == pytest.approx(5 / 6)


# --- comments --------------------------------------------------------------------------


def test_comments_unattributed_shuffled_and_cleaned():
    r = report_1()
    sets = {c.key: c for c in r.comments}
    assert list(sets) == ["listening", "ownership", "strengths", "start_stop"]
    # peer and direct-report comments go into the pool: others is shown
    assert sorted(sets["strengths"].texts) == [
        "Always has time for us",
        "Knows the product inside out",
        "Patient with new colleagues",
    ]
    assert sets["strengths"].self_texts == ("I listen well",)
    assert sets["listening"].texts == ("Sometimes cuts people off",)
    assert sets["start_stop"].texts == () and sets["ownership"].texts == ()


def test_comment_order_is_deterministic_for_a_seed():
    def order(seed: int) -> tuple[str, ...]:
        r = report_1(rng=np.random.default_rng(seed))
        return {c.key: c for c in r.comments}["strengths"].texts

    assert order(3) == order(3)
    submitted = ("Knows the product inside out", "Patient with new colleagues")
    orders = {order(seed) for seed in range(20)}
    assert len(orders) > 1
    assert any(o[:2] != submitted for o in orders)
    # no rng: alphabetical, never submission order
    r = report_1(rng=None)
    assert {c.key: c for c in r.comments}["strengths"].texts == (
        "Always has time for us",
        "Knows the product inside out",
        "Patient with new colleagues",
    )


# --- vectorisation and validation -------------------------------------------------------


def _rounded(value):
    if isinstance(value, float):
        return round(value, 10)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items() if k != "comments"}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


@pytest.mark.parametrize("complementary", [True, False])
def test_rater_order_does_not_change_the_report(complementary):
    perm = np.array([6, 3, 0, 5, 1, 4, 2])
    a = report_1(complementary=complementary)
    b = aggregate(
        RATINGS[perm],
        [GROUPS_1[i] for i in perm],
        COMPETENCY,
        REVERSE,
        comments=COMMENTS,
        rng=np.random.default_rng(7),
        complementary=complementary,
    )
    assert _rounded(dataclasses.asdict(a)) == _rounded(dataclasses.asdict(b))


def test_built_instrument_feeds_aggregate():
    comp = Competency(
        key="listening",
        name="Listening",
        definition="-",
        develop=True,
        indicators=(
            Indicator("a", "Summarises the request before answering"),
            Indicator("b", "Interrupts the customer", polarity="absent"),
        ),
    )
    role = Role("op", "Operator", competencies=(Requirement("listening"),))
    inst = build_instrument(role, [comp])
    ratings = np.array([[5, 1], [4, 2], [4, 2], [3, 5]], dtype=float)
    r = aggregate(
        ratings,
        ["self", "peer", "peer", "peer"],
        inst.statement_competency,
        inst.reverse,
        statement_ids=inst.statement_ids,
        scale=inst.scale,
        comments=[("strengths", "Clear", "peer")],
        rng=np.random.default_rng(1),
    )
    # s2 reverse: peers 2 2 5 -> 4 4 1, mean 3; competency scores 4 4 2 -> 10/3
    assert r.statements[1].groups["others"].mean == pytest.approx(3.0)
    assert r.competencies[0].groups["peer"].mean == pytest.approx(10 / 3)
    assert r.competencies[0].groups["self"].mean == 5.0


def test_all_cannot_say_rater_counts_as_submitted_but_not_rated():
    ratings = np.array([[3.0, 4.0], [4.0, 4.0], [nan, nan], [5.0, 2.0]])
    r = aggregate(ratings, ["peer"] * 4, ["c", "c"], [False, False])
    assert [(g.name, g.n) for g in r.groups] == [("peer", 4), ("others", 4)]
    assert r.statements[0].groups["peer"].n == 3
    # (3 + 4 + 5)/3 = 4
    assert r.statements[0].groups["peer"].mean == pytest.approx(4.0)
    assert r.competencies[0].groups["peer"].n == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": ["self"] * 7}, "at most one rater can be 'self'"),
        ({"groups": ["peers"] * 7}, "unknown rater group"),
        ({"groups": ["peer"] * 6}, "one group per rater"),
        ({"statement_competency": ["a"]}, "one competency per statement"),
        ({"reverse": [True]}, "one flag per statement"),
        ({"threshold": 0}, "threshold must be >= 1"),
        ({"gap": 0.0}, "gap must be a positive"),
        ({"statement_ids": [1, 1, 2, 3]}, "unique"),
        ({"rng": 42}, "numpy.random.Generator"),
        ({"comments": [("teamwork", "x", "peer")]}, "unknown key 'teamwork'"),
        ({"comments": [("strengths", "x", "customer")]}, "'customer' has no rater"),
        ({"comments": [("strengths", "x")]}, "triple"),
    ],
)
def test_validation(kwargs, message):
    args = {
        "ratings": RATINGS,
        "groups": GROUPS_1,
        "statement_competency": COMPETENCY,
        "reverse": REVERSE,
    }
    for name in list(kwargs):
        if name in args:
            args[name] = kwargs.pop(name)
    with pytest.raises(ValueError, match=message):
        aggregate(**args, **kwargs)


@pytest.mark.parametrize("bad", [6.0, 0.0, 2.5, np.inf])
def test_ratings_off_the_scale(bad):
    ratings = RATINGS.copy()
    ratings[1, 1] = bad
    with pytest.raises(ValueError, match=r"whole points 1\.\.5"):
        aggregate(ratings, GROUPS_1, COMPETENCY, REVERSE)


def test_groups_constant():
    assert GROUPS == ("self", "manager", "peer", "direct_report", "customer")

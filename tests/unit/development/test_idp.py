"""Individual development plans: priority rule, timeline, activities, measures, validation."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from pathlib import Path

import msgspec
import numpy as np
import pytest
import yaml

from assessments.competency import (
    Activity,
    Competency,
    Indicator,
    Library,
    Measure,
    Requirement,
    Role,
)
from assessments.development import DevelopmentPlan, development_plan, ratings_from_report
from assessments.development.catalogue import MODULES_BY_KEY, MONTHS_PER_MODULE
from assessments.development.idp import BLIND_SPOT_WEIGHT, add_months
from assessments.survey360.aggregation import aggregate
from server.core.schemas import LibraryDocument
from server.library.convert import library_from_document

LIBRARY_FILE = Path(__file__).resolve().parents[3] / "server" / "data" / "library.yaml"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
START = datetime.date(2026, 1, 31)


@pytest.fixture(scope="module")
def library() -> Library:
    raw = yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))
    return library_from_document(msgspec.convert(raw, LibraryDocument))


def role_of(library: Library, key: str) -> Role:
    return next(r for r in library.roles if r.key == key)


# --- a small hand-built library -------------------------------------------------------------------


def comp(
    key: str,
    *,
    develop: bool = True,
    select_for: bool = False,
    module: str | None = None,
    on_the_job: bool = False,
    area: str | None = "area",
) -> Competency:
    activities = []
    if module:
        activities.append(Activity("training", f"{key} training", f"train {key}", module))
    activities.append(Activity("coaching", f"{key} coaching", "live listen-in"))
    activities.append(Activity("mentoring", f"{key} mentoring", "informal talks"))
    if on_the_job:
        activities.append(Activity("on_the_job", f"{key} practice", "daily practice"))
    return Competency(
        key=key,
        name=key.title(),
        definition=f"{key} definition",
        develop=develop,
        select_for=select_for,
        area=area,
        indicators=(
            Indicator("i1", f"{key} does the right thing."),
            Indicator("i2", f"{key} checks the result."),
            Indicator("i3", f"{key} loses their temper.", polarity="absent"),
        ),
        measures=(
            Measure(f"{key} kpi", "kpi"),
            Measure(f"{key} watch", "observation"),
            Measure(f"{key} survey", "survey"),
        ),
        activities=tuple(activities),
    )


# a: module 2, b: module 3, c: module 6, d: module 1, e: no module, s: select-for only
COMPS = (
    comp("a", module="telephone_technique"),
    comp("b", module="call_control"),
    comp("c", module="stress_management"),
    comp("d", module="attitudes_values", on_the_job=True),
    comp("e"),
    comp("s", develop=False, select_for=True, module="attitudes_values"),
)
ROLE = Role(
    key="agent",
    name="Agent",
    competencies=(
        Requirement("a", weight=1.0, required_level=4),
        Requirement("b", weight=2.0, required_level=4),
        Requirement("c", weight=1.5, required_level=3),
        Requirement("d", weight=1.0, required_level=3),
        Requirement("e", weight=1.0, required_level=3),
        Requirement("s", weight=2.0, required_level=4),
    ),
)


def plan(ratings, **kw) -> DevelopmentPlan:
    kw.setdefault("start", START)
    return development_plan(ROLE, COMPS, ratings, **kw)


def keys(items) -> list[str]:
    return [i.competency for i in items]


# --- the priority rule ----------------------------------------------------------------------------


def test_needs_are_computed_by_the_rule_and_the_highest_become_priorities():
    ratings = {
        "a": (3.0, 3.0),  # 1.0 x (1.0 + 0) = 1.0
        "b": (3.5, 4.5),  # 2.0 x (0.5 + 0.5 x 1.0) = 2.0
        "c": (2.0, 2.0),  # 1.5 x (1.0) = 1.5
        "d": (2.6, 2.0),  # 1.0 x 0.4 = 0.4 (self below others: no overrating term)
        "e": (3.0, 3.0),  # 0: at level, no gap
    }
    p = plan(ratings)
    needs = {x.competency: x.need for x in p.priorities}
    assert needs == {"b": 2.0, "c": 1.5, "a": 1.0}
    assert {x.competency: x.rank for x in p.priorities} == {"b": 1, "c": 2, "a": 3}
    assert BLIND_SPOT_WEIGHT == 0.5
    b = next(x for x in p.priorities if x.competency == "b")
    assert (b.shortfall, b.overrating, b.required_level, b.weight) == (0.5, 1.0, 4, 2.0)
    assert (b.others_mean, b.self_mean) == (3.5, 4.5)
    assert b.status == "not started"
    assert "need = weight ×" in p.rule and "0.5 × max(0, self mean − others' mean)" in p.rule


def test_at_most_max_priorities():
    ratings = {k: (1.0, 1.0) for k in "abcde"}
    assert len(plan(ratings).priorities) == 3
    assert len(plan(ratings, max_priorities=5).priorities) == 5
    one = plan(ratings, max_priorities=1)
    # needs: a 3, b 6, c 3, d 2, e 2 -> b
    assert keys(one.priorities) == ["b"]
    assert "at most 1 become priorities" in one.rule


def test_no_need_no_priority():
    p = plan({k: (5.0, 5.0) for k in "abcdes"})
    assert p.priorities == ()
    assert p.end == p.start == START


def test_select_for_is_never_a_goal_but_a_manager_note():
    p = plan({"s": (1.0, 5.0), "a": (3.0, None)}, max_priorities=5)
    assert keys(p.priorities) == ["a"]
    assert keys(p.manager_notes) == ["s"]
    note = p.manager_notes[0]
    assert (note.others_mean, note.required_level, note.shortfall) == (1.0, 4, 3.0)
    assert "not set as a development goal" in note.note
    assert "s" not in keys(p.strengths)


def test_select_for_at_level_is_a_strength_not_a_note():
    p = plan({"s": (4.5, 4.0)})
    assert p.manager_notes == ()
    assert keys(p.strengths) == ["s"]


def test_not_rated_cannot_be_prioritised():
    p = plan({"a": (None, 1.0), "b": (None, None), "c": (2.0, 2.0)})
    assert keys(p.priorities) == ["c"]
    assert keys(p.not_rated) == ["a", "b", "d", "e"]  # role order; s is not a develop one
    assert all("cannot be prioritised" in n.reason for n in p.not_rated)


def test_blind_spot_term_breaks_an_equal_shortfall():
    # same weight and shortfall; the one who overrates themself ranks first
    role = Role(
        "r",
        "R",
        competencies=(Requirement("a", 1.0, 4), Requirement("d", 1.0, 4)),
    )
    p = development_plan(role, COMPS, {"a": (3.0, 3.0), "d": (3.0, 4.0)}, start=START)
    assert {x.competency: (x.rank, x.need) for x in p.priorities} == {
        "d": (1, 1.5),
        "a": (2, 1.0),
    }
    kept = development_plan(
        role, COMPS, {"a": (3.0, 3.0), "d": (3.0, 4.0)}, start=START, max_priorities=1
    )
    assert keys(kept.priorities) == ["d"]


def test_blind_spot_alone_is_a_smaller_need_than_a_shortfall():
    # a: at level but overrates by 1.0 -> 0.5; c: 0.5 below -> 1.5 x 0.5 = 0.75
    p = plan({"a": (4.0, 5.0), "c": (2.5, 2.5)}, max_priorities=1)
    assert keys(p.priorities) == ["c"]
    both = plan({"a": (4.0, 5.0), "c": (2.5, 2.5)})
    a = next(x for x in both.priorities if x.competency == "a")
    assert (a.need, a.shortfall, a.overrating, a.rank) == (0.5, 0.0, 1.0, 2)
    assert "bring your own rating (5.0) in line" in a.goal
    assert "a" not in keys(both.strengths)  # a priority is not also listed as a strength


def test_ties_go_to_module_order_then_key():
    # a (module 2), d (module 1), e (none): all need 1.0
    p = plan({"a": (3.0, None), "d": (2.0, None), "e": (2.0, None)}, max_priorities=2)
    assert keys(p.priorities) == ["d", "a"]
    twins = (comp("y"), comp("x"))
    role = Role("r", "R", competencies=(Requirement("y", 1, 3), Requirement("x", 1, 3)))
    p = development_plan(role, twins, {"y": (2.0, 2.0), "x": (2.0, 2.0)}, start=START)
    assert [(x.competency, x.rank) for x in p.priorities] == [("x", 1), ("y", 2)]


# --- timeline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ((2026, 1, 31), 3, (2026, 4, 30)),
        ((2026, 1, 31), 6, (2026, 7, 31)),
        ((2025, 11, 30), 3, (2026, 2, 28)),
        ((2023, 11, 30), 3, (2024, 2, 29)),
        ((2026, 10, 15), 3, (2027, 1, 15)),
        ((2026, 3, 31), -1, (2026, 2, 28)),
        ((2026, 5, 1), 0, (2026, 5, 1)),
    ],
)
def test_add_months_clamps_the_day(day, months, expected):
    assert add_months(datetime.date(*day), months) == datetime.date(*expected)


def test_add_months_outside_the_calendar():
    with pytest.raises(ValueError, match="outside the calendar"):
        add_months(datetime.date(9999, 12, 1), 3)


def test_priorities_follow_the_module_order_in_consecutive_windows():
    # needs: c 3.0 (module 6), b 2.0 (module 3), a 1.0 (module 2)
    p = plan({"a": (3.0, None), "b": (3.0, None), "c": (1.0, None)})
    assert keys(p.priorities) == ["a", "b", "c"]
    assert [x.rank for x in p.priorities] == [3, 2, 1]
    assert [x.module for x in p.priorities] == [
        "telephone_technique",
        "call_control",
        "stress_management",
    ]
    windows = [(x.start.isoformat(), x.end.isoformat()) for x in p.priorities]
    assert windows == [
        ("2026-01-31", "2026-04-30"),
        ("2026-04-30", "2026-07-31"),
        ("2026-07-31", "2026-10-31"),
    ]
    assert p.start == START and p.end == datetime.date(2026, 10, 31)
    assert MONTHS_PER_MODULE == 3
    for x in p.priorities:
        assert all(m.review_date == x.end for m in x.measures)
        assert x.end.isoformat() in x.goal


def test_priorities_sharing_a_module_share_its_window_and_no_module_comes_last():
    twin = comp("f", module="telephone_technique")
    comps = (*COMPS, twin)
    role = Role(
        "r",
        "R",
        competencies=(Requirement("e", 3, 3), Requirement("f", 1, 3), Requirement("a", 1, 3)),
    )
    p = development_plan(
        role, comps, {"e": (2.0, None), "f": (2.0, None), "a": (1.5, None)}, start=START
    )
    # e has the highest need (3.0) but no module: scheduled after the module window
    assert [(x.competency, x.start.isoformat(), x.end.isoformat()) for x in p.priorities] == [
        ("a", "2026-01-31", "2026-04-30"),
        ("f", "2026-01-31", "2026-04-30"),
        ("e", "2026-04-30", "2026-07-31"),
    ]
    assert [x.rank for x in p.priorities] == [2, 3, 1]


# --- activities and measures ----------------------------------------------------------------------


def test_activities_come_from_the_competency_and_name_the_module():
    p = plan({"a": (2.0, None), "d": (2.0, None)})
    a = next(x for x in p.priorities if x.competency == "a")
    assert [x.kind for x in a.activities] == ["training", "coaching", "mentoring", "on_the_job"]
    training = a.activities[0]
    assert training.module == "telephone_technique"
    assert (
        training.module_title
        == MODULES_BY_KEY["telephone_technique"].title
        == "Telephone technique"
    )
    assert training.source == "library"
    practice = a.activities[-1]
    assert practice.source == "indicators"
    assert "a does the right thing" in practice.description
    assert "Avoid: a loses their temper" in practice.description
    d = next(x for x in p.priorities if x.competency == "d")
    assert [x.source for x in d.activities] == ["library"] * 4  # the library's own practice


def test_only_the_scheduled_module_is_trained_in_the_window(library):
    tolerance = next(c for c in library.competencies if c.key == "tolerance")
    role = Role("r", "R", competencies=(Requirement("tolerance", 1, 4),))
    p = development_plan(role, [tolerance], {"tolerance": (2.0, None)}, start=START)
    (prio,) = p.priorities
    assert prio.module == "attitudes_values"  # earlier than call_control
    trainings = [a.module for a in prio.activities if a.kind == "training"]
    assert trainings == ["attitudes_values"]


def test_measures_have_targets_by_kind():
    (prio,) = plan({"a": (2.0, None)}).priorities
    assert [m.name for m in prio.measures] == ["a kpi", "a watch", "a survey"]
    kpi, watch, survey = prio.measures
    assert "baseline" in kpi.target and "2026-04-30" in kpi.target
    assert "Observe" in watch.target and "observed contacts" in watch.target
    assert "survey" in survey.target
    assert all(m.review_date == datetime.date(2026, 4, 30) for m in prio.measures)


def test_goal_is_plain_and_concrete():
    (prio,) = plan({"c": (2.0, 3.5)}).priorities
    assert prio.goal.startswith("Raise C from 2.0 to at least 3 on the 1-5 scale")
    assert "as rated by others" in prio.goal
    assert "You rate yourself 3.5, higher than others do" in prio.goal


# --- strengths ------------------------------------------------------------------------------------


def test_strengths_top_three_by_margin():
    ratings = {
        "a": (4.2, None),  # +0.2
        "b": (5.0, None),  # +1.0
        "c": (4.5, None),  # +1.5
        "d": (3.0, None),  # +0.0
        "e": (4.0, None),  # +1.0, weight 1 < b's 2
        "s": (4.1, None),  # +0.1
    }
    p = plan(ratings)
    assert keys(p.strengths) == ["c", "b", "e"]
    assert [s.margin for s in p.strengths] == [1.5, 1.0, 1.0]
    assert "Strength to build on" in p.strengths[0].note


# --- the example library --------------------------------------------------------------------------


def test_example_library_operator_plan(library):
    role = role_of(library, "cs_operator")
    ratings = {
        "customer_orientation": (3.0, 4.0),
        "stress_resistance": (2.5, 4.0),
        "tolerance": (3.2, 3.0),
        "results_orientation": (3.5, None),
        "empathy": (2.4, 3.5),
        "communication": (3.8, 4.0),
        "telephone_technique": (2.9, 2.9),
        "call_control": (2.0, 2.0),
    }
    p = development_plan(role, library.competencies, ratings, start=START)
    by_key = {c.key: c for c in library.competencies}
    # needs: stress 1.5 x (1.5 + 0.75) = 3.375; tolerance 1.5 x 0.8 = 1.2;
    # empathy 0.6 + 0.55 = 1.15; call_control 1.0; telephone 0.1
    assert {x.competency: x.rank for x in p.priorities} == {
        "stress_resistance": 1,
        "tolerance": 2,
        "empathy": 3,
    }
    assert keys(p.priorities) == ["tolerance", "empathy", "stress_resistance"]
    assert all(by_key[k].develop for k in keys(p.priorities))
    assert keys(p.manager_notes) == ["customer_orientation"]
    assert keys(p.not_rated) == ["solution_focus", "product_knowledge"]
    assert keys(p.strengths) == ["communication", "results_orientation"]
    assert p.end == datetime.date(2026, 10, 31)
    for prio in p.priorities:
        assert prio.measures and prio.activities
        assert any(a.kind == "on_the_job" for a in prio.activities)


def test_example_library_in_russian(library):
    role = role_of(library, "cs_operator")
    p = development_plan(
        role, library.competencies, {"empathy": (2.0, 2.0)}, start=START, lang="ru"
    )
    assert p.lang == "ru" and CYRILLIC.search(p.role_name)
    (prio,) = p.priorities
    assert CYRILLIC.search(prio.name)
    library_items = [a for a in prio.activities if a.source == "library"]
    assert all(CYRILLIC.search(a.title) and CYRILLIC.search(a.description) for a in library_items)
    assert all(CYRILLIC.search(m.name) for m in prio.measures)
    sv = development_plan(
        role, library.competencies, {"empathy": (2.0, 2.0)}, start=START, lang="sv"
    )
    assert sv.priorities[0].name == "Empati"
    # a language without translations falls back to English
    de = development_plan(
        role, library.competencies, {"empathy": (2.0, 2.0)}, start=START, lang="de"
    )
    assert de.priorities[0].name == "Empathy"


def test_plan_from_a_360_report(library):
    role = role_of(library, "cs_operator")
    # 1 self + 4 others on two statements of empathy and two of call_control
    ratings = np.array(
        [
            [4, 4, 3, 3],
            [2, 3, 4, 4],
            [2, 2, 4, 5],
            [3, 2, 4, 4],
            [2, 3, 5, 4],
        ],
        dtype=float,
    )
    groups = ["self", "manager", "peer", "peer", "peer"]
    report = aggregate(
        ratings, groups, ["empathy", "empathy", "call_control", "call_control"], [False] * 4
    )
    got = ratings_from_report(report)
    assert got["empathy"] == pytest.approx((2.375, 4.0))
    assert got["call_control"] == pytest.approx((4.25, 3.0))
    p = development_plan(role, library.competencies, got, start=START)
    assert keys(p.priorities) == ["empathy"]
    assert p.priorities[0].need == pytest.approx(0.625 + 0.5 * 1.625, abs=1e-4)
    assert "call_control" in keys(p.strengths)


def test_ratings_from_report_needs_the_1_to_5_scale():
    report = aggregate(np.array([[1.0], [2.0], [3.0]]), ["peer"] * 3, ["a"], [False], scale=(1, 7))
    with pytest.raises(ValueError, match="scale must be 1-5"):
        ratings_from_report(report)


# --- determinism and serialisation ----------------------------------------------------------------


def test_deterministic_and_independent_of_input_order():
    ratings = {"a": (3.0, 4.0), "b": (2.0, None), "c": (2.5, 2.0), "s": (3.0, 3.0)}
    first = plan(ratings)
    assert plan(ratings) == first
    reordered = dict(reversed(list(ratings.items())))
    assert development_plan(ROLE, tuple(reversed(COMPS)), reordered, start=START) == first
    assert development_plan(ROLE, {c.key: c for c in COMPS}, ratings, start=START) == first


def test_serialises_to_json(library):
    role = role_of(library, "team_lead")
    ratings = {c.competency: (2.5, 3.5) for c in role.competencies}
    p = development_plan(role, library.competencies, ratings, start=START)
    encoded = msgspec.json.encode(p)
    assert msgspec.json.decode(encoded, type=DevelopmentPlan) == p
    data = json.loads(encoded)
    assert data["start"] == "2026-01-31" and data["priorities"][0]["start"] == "2026-01-31"
    assert set(data) >= {
        "role",
        "rule",
        "priorities",
        "strengths",
        "manager_notes",
        "not_rated",
        "start",
        "end",
    }
    json.dumps(dataclasses.asdict(p), default=str)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ({"zzz": (3.0, 3.0)}, "unknown competency 'zzz'"),
        ({"a": (0.5, 3.0)}, r"others_mean must be a number 1-5 or None, got 0.5"),
        ({"a": (3.0, 5.5)}, r"self_mean must be a number 1-5 or None, got 5.5"),
        ({"a": (float("nan"), 3.0)}, "others_mean must be a number 1-5"),
        ({"a": (True, 3.0)}, "others_mean must be a number 1-5"),
        ({"a": ("3", 3.0)}, "others_mean must be a number 1-5"),
        ({"a": (3.0,)}, r"must be an \(others_mean, self_mean\) pair"),
        ({"a": 3.0}, r"must be an \(others_mean, self_mean\) pair"),
        ([("a", (3.0, 3.0))], "ratings must map"),
    ],
)
def test_bad_ratings(ratings, message):
    with pytest.raises(ValueError, match=message):
        plan(ratings)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "3"])
def test_bad_max_priorities(value):
    with pytest.raises(ValueError, match="max_priorities must be an int >= 1"):
        plan({}, max_priorities=value)


@pytest.mark.parametrize("value", [datetime.datetime(2026, 1, 31, 9, 0), "2026-01-31", None])
def test_bad_start(value):
    with pytest.raises(ValueError, match=r"start must be a datetime\.date"):
        plan({}, start=value)


def test_bad_role_or_library():
    with pytest.raises(ValueError, match="'s' is not among the competencies given"):
        development_plan(ROLE, COMPS[:-1], {}, start=START)
    bad = Role("r", "R", competencies=(Requirement("a", 1.0, 6),))
    with pytest.raises(ValueError, match="required_level must be a whole level 1-5"):
        development_plan(bad, COMPS, {}, start=START)
    bad = Role("r", "R", competencies=(Requirement("a", 0.0, 3),))
    with pytest.raises(ValueError, match="weight must be a positive number"):
        development_plan(bad, COMPS, {}, start=START)
    with pytest.raises(ValueError, match="given twice"):
        development_plan(ROLE, (*COMPS, COMPS[0]), {}, start=START)
    with pytest.raises(ValueError, match="lang must be"):
        plan({}, lang="")

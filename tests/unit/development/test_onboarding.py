"""Onboarding plans: where a hired person starts, from their SJT scores."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from pathlib import Path

import msgspec
import pytest
import yaml

from assessments.competency import Activity, Competency, Library, Requirement, Role
from assessments.development import OnboardingPlan, onboarding_plan
from assessments.development.onboarding import STRENGTH_SCORE, WATCH_SCORE
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


def keys(items) -> list[str]:
    return [i.competency for i in items]


def comp(
    key: str,
    *modules: str,
    develop: bool = True,
    select_for: bool = False,
    area: str | None = None,
) -> Competency:
    return Competency(
        key=key,
        name=key.title(),
        definition=f"{key} definition",
        develop=develop,
        select_for=select_for,
        area=area,
        activities=(
            *(Activity("training", f"{key} {m}", module=m) for m in modules),
            Activity("coaching", f"{key} coaching"),
        ),
    )


# two areas; select-for: s1 (phone area, shares call_control with d_call), s2 (mail area),
# s3 (screened and developed, phone area)
COMPS = (
    comp("s1", "call_control", develop=False, select_for=True, area="phone"),
    comp("s2", develop=False, select_for=True, area="mail"),
    comp("s3", "stress_management", select_for=True, area="phone"),
    comp("d_call", "call_control", area="phone"),
    comp("d_mail", "written_communication", area="mail"),
    comp("d_tel", "telephone_technique", area="phone"),
    comp("d_values", "attitudes_values", area="other"),
    comp("d_none", area="other"),
)
ROLE = Role("agent", "Agent", competencies=tuple(Requirement(c.key) for c in COMPS))


def plan(scores, role: Role = ROLE, **kw) -> OnboardingPlan:
    kw.setdefault("start", START)
    return onboarding_plan(role, COMPS, scores, **kw)


# --- the rule -------------------------------------------------------------------------------------


def test_links_same_and_module_come_before_area():
    p = plan({"s1": 50, "s2": 60, "s3": 65})
    assert [(s.competency, s.link, s.related) for s in p.start_with] == [
        ("d_call", "module", "s1"),  # shares call_control with s1 (50)
        ("s3", "same", "s3"),  # itself (65)
        ("d_tel", "area", "s1"),  # same area as s1 (50); module 2
    ]
    assert p.start_with[0].related_score == 50.0
    assert "Shares the training module “Call control”" in p.start_with[0].reason
    assert "Screened at hiring and also developed" in p.start_with[1].reason
    assert "same competency area" in p.start_with[2].reason


def test_weakest_score_first_within_a_link():
    # both d_mail and d_tel have only an area link; s2 (mail) is weaker than s1's area
    # partners, but s1's module link to d_call is closer than any area link
    p = plan({"s1": 60, "s2": 20, "s3": 90})
    assert [(s.competency, s.link) for s in p.start_with] == [
        ("d_call", "module"),
        ("d_mail", "area"),
        ("d_tel", "area"),
    ]


def test_nothing_weak_means_module_order():
    p = plan({"s1": 80, "s2": 75, "s3": 95})
    # modules: d_values 1, d_tel 2, d_call 3, s3 6 (but already a strength), d_mail 7
    assert keys(p.start_with) == ["d_values", "d_tel", "d_call"]
    assert {s.link for s in p.start_with} == {"order"}
    assert p.first_module.key == "attitudes_values"


def test_no_scores_means_module_order_and_not_scored():
    p = plan({})
    assert keys(p.start_with) == ["d_values", "d_tel", "d_call"]
    assert keys(p.not_scored) == ["s1", "s2", "s3"]
    assert p.strengths == () and p.watch == ()


def test_a_strength_already_comes_last():
    role = Role("r", "R", competencies=(Requirement("s3"), Requirement("d_none")))
    p = plan({"s3": 85}, role=role)
    assert keys(p.start_with) == ["d_none", "s3"]
    assert "Already a strength" in p.start_with[1].reason


def test_first_module_is_the_earliest_among_the_chosen():
    # d_mail (module 7) is chosen first by its link, d_tel (module 2) later: module 2 first
    role = Role("r", "R", competencies=tuple(Requirement(c.key) for c in COMPS[:6]))
    p = plan({"s2": 10, "s1": 90, "s3": 90}, role=role)
    assert keys(p.start_with) == ["d_mail", "d_tel", "d_call"]
    assert keys(p.start_with)[0] == "d_mail"
    first = p.first_module
    assert (first.key, first.order, first.title) == (
        "telephone_technique",
        2,
        "Telephone technique",
    )
    assert first.competencies == ("d_tel",)
    assert (first.start, first.end) == (START, datetime.date(2026, 4, 30))


def test_first_module_none_without_training():
    role = Role("r", "R", competencies=(Requirement("s2"), Requirement("d_none")))
    p = plan({"s2": 10}, role=role)
    assert keys(p.start_with) == ["d_none"]
    assert p.first_module is None


def test_strengths_and_watch():
    assert (STRENGTH_SCORE, WATCH_SCORE) == (70.0, 40.0)
    p = plan({"s1": 70, "s2": 39.9, "s3": 40})
    assert [(s.competency, s.score) for s in p.strengths] == [("s1", 70.0)]
    assert [(s.competency, s.score) for s in p.watch] == [("s2", 39.9)]
    assert "note for the manager, not a goal" in p.watch[0].note
    also = plan({"s3": 10}).watch[0]
    assert also.competency == "s3" and "also a develop competency" in also.note


def test_select_for_outside_the_role_is_ignored():
    role = Role("r", "R", competencies=(Requirement("s1"), Requirement("d_call")))
    p = plan({"s1": 50, "s2": 10}, role=role)
    assert keys(p.start_with) == ["d_call"]
    assert p.watch == ()


# --- the example library --------------------------------------------------------------------------


def test_example_library_operator(library):
    role = role_of(library, "cs_operator")
    scores = {
        "customer_orientation": 35,
        "stress_resistance": 80,
        "tolerance": 60,
        "results_orientation": 50,
    }
    p = onboarding_plan(role, library.competencies, scores, start=START)
    by_key = {c.key: c for c in library.competencies}
    assert all(by_key[k].develop for k in keys(p.start_with))
    # customer orientation (35) shares attitudes and values with tolerance; results
    # orientation (50) shares sales and negotiation with solution focus; tolerance (60)
    # trains in call control, as does call control itself
    assert [(s.competency, s.link, s.related) for s in p.start_with] == [
        ("tolerance", "module", "customer_orientation"),
        ("solution_focus", "module", "results_orientation"),
        ("call_control", "module", "tolerance"),
    ]
    assert p.first_module.key == "attitudes_values"
    assert p.first_module.competencies == ("tolerance",)
    assert keys(p.strengths) == ["stress_resistance"]
    assert keys(p.watch) == ["customer_orientation"]
    assert "earliest in catalogue order" in p.rule


def test_example_library_team_lead(library):
    role = role_of(library, "team_lead")
    scores = {
        "crisis_composure": 30,
        "results_orientation": 85,
        "stress_resistance": 65,
        "service_standards": 72,
    }
    p = onboarding_plan(role, library.competencies, scores, start=START)
    # crisis composure shares stress management with stress resistance
    assert p.start_with[0].competency == "stress_resistance"
    assert p.start_with[0].related == "crisis_composure"
    assert "service_standards" not in keys(p.start_with)  # already a strength
    assert p.first_module.key == "call_control"


def test_example_library_in_russian(library):
    role = role_of(library, "cs_operator")
    p = onboarding_plan(
        role, library.competencies, {"customer_orientation": 20}, start=START, lang="ru"
    )
    assert CYRILLIC.search(p.role_name)
    assert all(CYRILLIC.search(s.name) for s in p.start_with)
    assert CYRILLIC.search(p.watch[0].name)


# --- determinism and serialisation ----------------------------------------------------------------


def test_deterministic_and_independent_of_input_order():
    scores = {"s1": 50, "s2": 60, "s3": 65}
    first = plan(scores)
    assert plan(scores) == first
    assert (
        onboarding_plan(ROLE, tuple(reversed(COMPS)), dict(reversed(scores.items())), start=START)
        == first
    )


def test_serialises_to_json(library):
    role = role_of(library, "cs_operator")
    p = onboarding_plan(role, library.competencies, {"tolerance": 30}, start=START)
    encoded = msgspec.json.encode(p)
    assert msgspec.json.decode(encoded, type=OnboardingPlan) == p
    data = json.loads(encoded)
    assert set(data) >= {"role", "rule", "start_with", "first_module", "strengths", "watch"}
    assert data["first_module"]["start"] == "2026-01-31"
    json.dumps(dataclasses.asdict(p), default=str)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"zzz": 50}, "unknown competency 'zzz'"),
        ({"d_call": 50}, "'d_call' is not a select-for competency"),
        ({"s1": -1}, r"must be a number 0-100, got -1"),
        ({"s1": 100.5}, "must be a number 0-100"),
        ({"s1": float("nan")}, "must be a number 0-100"),
        ({"s1": True}, "must be a number 0-100"),
        ({"s1": None}, "must be a number 0-100"),
        ([("s1", 50)], "competency_scores must map"),
    ],
)
def test_bad_scores(scores, message):
    with pytest.raises(ValueError, match=message):
        plan(scores)


def test_bad_start_and_role():
    with pytest.raises(ValueError, match=r"start must be a datetime\.date"):
        plan({}, start=datetime.datetime(2026, 1, 31))
    with pytest.raises(ValueError, match="not among the competencies given"):
        onboarding_plan(ROLE, COMPS[1:], {}, start=START)
    with pytest.raises(ValueError, match="role must be a Role"):
        onboarding_plan("agent", COMPS, {}, start=START)

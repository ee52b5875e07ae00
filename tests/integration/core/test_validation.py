"""server.core.validation.problems: every problem of a document at once, with exact paths."""

from __future__ import annotations

import math

import msgspec
import pytest

from server.core.schemas import CompetencyIn, LibraryDocument, RoleIn
from server.core.validation import problems


def competency(**overrides) -> dict:
    return {"key": "empathy", "name": "Empathy", "definition": "Feels with.", **overrides}


def role(**overrides) -> dict:
    return {"key": "operator", "name": "Operator", **overrides}


def by_path(value, cls) -> dict[str, str]:
    found = problems(value, cls)
    result = {p.path: p.message for p in found}
    assert len(result) == len(found), f"two problems share a path: {found}"
    return result


# --- valid documents -------------------------------------------------------------------


def test_minimal_documents_have_no_problems():
    assert problems({}, LibraryDocument) == []
    assert problems(competency(), CompetencyIn) == []
    assert problems(role(), RoleIn) == []


def test_full_document_has_no_problems():
    doc = {
        "format": "competency-library",
        "version": 1,
        "areas": [{"key": "service", "name": "Service", "translations": {"ru": {"name": "С"}}}],
        "competencies": [
            competency(
                area="service",
                select_for=True,
                indicators=[{"text": "x", "polarity": "absent", "translations": {"ru": "х"}}],
                measures=[{"name": "NPS", "kind": "kpi"}],
                activities=[{"kind": "training", "title": "T", "module": "call_control"}],
                translations={"ru": {"name": "Эмпатия", "definition": None}},
            )
        ],
        "roles": [
            role(
                area=None,
                competencies=[{"competency": "empathy", "weight": 1, "required_level": 5}],
            )
        ],
    }
    assert problems(doc, LibraryDocument) == []


# --- every problem at once -------------------------------------------------------------


def test_library_document_reports_every_problem_with_exact_path():
    doc = {
        "format": "competency-library",
        "version": 2,
        "competencies": [
            competency(zzz=1),
            competency(
                key="Bad Key",
                indicators=[{"text": "ok"}, {"text": "fine", "polarity": "sometimes"}],
            ),
            {"name": "No key", "definition": "d"},
        ],
        "roles": [role(competencies=[{"competency": "empathy", "required_level": 7}])],
        "extra": [],
    }
    found = by_path(doc, LibraryDocument)
    assert set(found) == {
        "version",
        "competencies[0].zzz",
        "competencies[1].key",
        "competencies[1].indicators[1].polarity",
        "competencies[2].key",
        "roles[0].competencies[0].required_level",
        "extra",
    }
    assert "expected one of 1" in found["version"]
    assert found["competencies[0].zzz"] == "unknown field"
    assert "'Bad Key' is not valid (a stable key" in found["competencies[1].key"]
    polarity = found["competencies[1].indicators[1].polarity"]
    assert polarity.startswith("expected one of ")
    assert "'present'" in polarity
    assert "'absent'" in polarity
    assert polarity.endswith("got 'sometimes'")
    assert found["competencies[2].key"] == "missing required field"
    assert found["roles[0].competencies[0].required_level"] == "must be at most 5"
    assert found["extra"] == "unknown field"


def test_one_field_can_break_several_rules():
    found = problems(competency(key="x" * 65 + "-"), CompetencyIn)
    assert [p.path for p in found] == ["key", "key"]
    assert "longer than 64 characters (66)" in found[0].message
    assert "is not valid (a stable key" in found[1].message


def test_missing_required_fields_all_reported():
    found = by_path({}, CompetencyIn)
    assert found == {
        "key": "missing required field",
        "name": "missing required field",
        "definition": "missing required field",
    }


def test_over_long_name_reports_limit_and_length():
    found = by_path(competency(name="n" * 121), CompetencyIn)
    assert found == {"name": "longer than 120 characters (121)"}
    assert problems(competency(name="n" * 120), CompetencyIn) == []


def test_empty_name_must_not_be_empty():
    assert by_path(competency(name=""), CompetencyIn) == {"name": "must not be empty"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("select_for", "yes", "expected true or false, got a string"),
        ("develop", 1, "expected true or false, got an integer"),
        ("name", 5, "expected a string, got an integer"),
        ("definition", None, "expected a string, got null"),
        ("indicators", {"text": "x"}, "expected a list, got an object"),
        ("translations", ["ru"], "expected an object, got a list"),
    ],
)
def test_wrong_types_on_competency(field, value, message):
    assert by_path(competency(**{field: value}), CompetencyIn) == {field: message}


@pytest.mark.parametrize(
    ("requirement", "path", "message"),
    [
        ({"required_level": True}, "required_level", "expected an integer, got a boolean"),
        ({"required_level": 3.0}, "required_level", "expected an integer, got a number"),
        ({"required_level": 0}, "required_level", "must be at least 1"),
        ({"weight": True}, "weight", "expected a number, got a boolean"),
        ({"weight": "2"}, "weight", "expected a number, got a string"),
        ({"weight": 0}, "weight", "must be greater than 0"),
        ({"weight": 10.5}, "weight", "must be at most 10"),
        ({"competency": 7}, "competency", "expected a string, got an integer"),
    ],
)
def test_wrong_requirement_values(requirement, path, message):
    doc = role(competencies=[{"competency": "empathy", **requirement}])
    assert by_path(doc, RoleIn) == {f"competencies[0].{path}": message}


def test_area_reference_union_reports_the_string_problem():
    assert by_path(competency(area=5), CompetencyIn) == {
        "area": "expected a string, got an integer"
    }
    found = by_path(competency(area="Not-A-Key"), CompetencyIn)
    assert "'Not-A-Key' is not valid" in found["area"]


@pytest.mark.parametrize("lang", ["RU", "russian", "r", "r1"])
def test_translation_language_codes_must_be_two_lower_case_letters(lang):
    found = by_path(competency(translations={lang: {"name": "x"}}), CompetencyIn)
    assert list(found) == [f"translations.{lang}"]
    assert f"key {lang!r}" in found[f"translations.{lang}"]
    assert "two-letter ISO 639-1 language code" in found[f"translations.{lang}"]


def test_indicator_translation_key_and_value_problems_are_nested():
    doc = competency(indicators=[{"text": "t", "translations": {"EN": "x", "ru": 5}}])
    found = by_path(doc, CompetencyIn)
    assert set(found) == {"indicators[0].translations.EN", "indicators[0].translations.ru"}
    assert "key 'EN'" in found["indicators[0].translations.EN"]
    assert found["indicators[0].translations.ru"] == "expected a string, got an integer"


def test_translation_text_unknown_field():
    found = by_path(competency(translations={"ru": {"title": "x"}}), CompetencyIn)
    assert found == {"translations.ru.title": "unknown field"}


def test_list_length_limit():
    doc = competency(indicators=[{"text": str(n)} for n in range(51)])
    assert by_path(doc, CompetencyIn) == {"indicators": "more than 50 items (51)"}


def test_document_that_is_not_an_object():
    assert by_path([], LibraryDocument) == {"document": "expected an object, got a list"}


def test_key_with_trailing_newline_is_rejected():
    # Key is "lower-case letters, digits and underscores"; `$` in the pattern also
    # matches before a final newline, so "empathy\n" slips through.
    found = by_path(competency(key="empathy\n"), CompetencyIn)
    assert "key" in found


def test_nan_weight_is_rejected():
    doc = role(competencies=[{"competency": "empathy", "weight": math.nan}])
    found = by_path(doc, RoleIn)
    assert "competencies[0].weight" in found


# --- agreement with msgspec ------------------------------------------------------------


def converts(value, cls) -> bool:
    try:
        msgspec.convert(value, cls)
    except msgspec.ValidationError:
        return False
    return True


AGREEMENT_CASES = [
    ({}, LibraryDocument, True),
    ({"version": True}, LibraryDocument, False),
    ({"format": "other"}, LibraryDocument, False),
    ({"competencies": [competency()]}, LibraryDocument, True),
    ({"competencies": [competency(zzz=1)]}, LibraryDocument, False),
    (competency(), CompetencyIn, True),
    (competency(select_for="true"), CompetencyIn, False),
    (competency(name="n" * 120), CompetencyIn, True),
    (competency(name="n" * 121), CompetencyIn, False),
    (competency(key="9lives"), CompetencyIn, False),
    (competency(translations={"ru": {}}), CompetencyIn, True),
    (competency(translations={"RU": {}}), CompetencyIn, False),
    (competency(indicators=[{"text": "t", "polarity": "absent"}]), CompetencyIn, True),
    (competency(indicators=[{"polarity": "absent"}]), CompetencyIn, False),
    (role(competencies=[{"competency": "a", "weight": 10}]), RoleIn, True),
    (role(competencies=[{"competency": "a", "weight": 0}]), RoleIn, False),
    (role(competencies=[{"competency": "a", "required_level": 3.0}]), RoleIn, False),
    (role(competencies=[{"competency": "a", "weight": math.inf}]), RoleIn, False),
    (role(competencies=[{"competency": "a", "weight": math.nan}]), RoleIn, False),
    (role(area=None), RoleIn, True),
    (role(name=None), RoleIn, False),
]


@pytest.mark.parametrize(("value", "cls", "valid"), AGREEMENT_CASES)
def test_problems_agree_with_msgspec_convert(value, cls, valid):
    assert converts(value, cls) is valid
    assert (problems(value, cls) == []) is valid

"""The adjustable decision rules of a job analysis (assessments.job_analysis.Rules)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from assessments.errors import Problem
from assessments.job_analysis import InvalidRules, Rules


def test_defaults_are_the_documented_ones():
    r = Rules()
    assert r.alpha == 0.05
    assert r.day_one_share == pytest.approx(2 / 3)
    assert (r.learnable_below, r.develop_importance, r.develop_learnable) == (0.5, 3.5, 0.5)
    assert (r.min_experts, r.low_rwg) == (5, 0.7)
    assert r.problems() == []
    assert r.validated() is r


def test_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Rules().alpha = 0.1  # type: ignore[misc]


@pytest.mark.parametrize(
    "field, value",
    [
        ("alpha", 0.0),
        ("alpha", 1.0),
        ("alpha", -0.05),
        ("day_one_share", 1.2),
        ("learnable_below", -0.1),
        ("develop_learnable", 2),
        ("develop_importance", 0.5),
        ("develop_importance", 5.5),
        ("min_experts", 0),
        ("min_experts", 2.5),
        ("min_experts", True),
        ("low_rwg", 1.01),
        ("low_rwg", math.nan),
        ("alpha", "0.05"),
        ("day_one_share", None),
    ],
)
def test_problems_name_the_field(field, value):
    problems = Rules(**{field: value}).problems()
    assert [p.path for p in problems] == [field]
    assert isinstance(problems[0], Problem) and problems[0].message


def test_edges_are_allowed():
    ok = Rules(
        alpha=0.001,
        day_one_share=1,
        learnable_below=0,
        develop_importance=5,
        develop_learnable=1.0,
        min_experts=1,
        low_rwg=0,
    )
    assert ok.problems() == []
    assert Rules(develop_importance=1).problems() == []


def test_every_bad_field_is_reported():
    problems = Rules(alpha=2, min_experts=0, low_rwg=-1).problems()
    assert [p.path for p in problems] == ["alpha", "min_experts", "low_rwg"]


def test_validated_raises_a_value_error_naming_each_field():
    with pytest.raises(ValueError, match=r"alpha: must be between 0 and 1") as caught:
        Rules(alpha=1.5, develop_importance=9).validated()
    assert isinstance(caught.value, InvalidRules)
    assert [p.path for p in caught.value.problems] == ["alpha", "develop_importance"]
    assert "develop_importance: must be between 1 and 5" in str(caught.value)


def test_from_mapping_fills_defaults_and_round_trips():
    assert Rules.from_mapping({}) == Rules()  # a study that never changed its rules
    assert Rules.from_mapping(None) == Rules()
    changed = Rules.from_mapping({"alpha": 0.01, "min_experts": 8})
    assert (changed.alpha, changed.min_experts, changed.low_rwg) == (0.01, 8, 0.7)
    assert Rules.from_mapping(changed.as_dict()) == changed
    assert changed.as_dict() == {
        "alpha": 0.01,
        "day_one_share": 2 / 3,
        "learnable_below": 0.5,
        "develop_importance": 3.5,
        "develop_learnable": 0.5,
        "min_experts": 8,
        "low_rwg": 0.7,
    }


@pytest.mark.parametrize(
    "data, field",
    [
        ({"alpha": 0.5, "day_one_share": -1}, "day_one_share"),
        ({"alfa": 0.01}, "alfa"),
        ({"min_experts": "five"}, "min_experts"),
        ({"low_rwg": 7}, "low_rwg"),
        ([("alpha", 0.1)], "rules"),
    ],
)
def test_from_mapping_refuses_bad_input_naming_the_field(data, field):
    with pytest.raises(ValueError, match=rf"^{field}: ") as caught:
        Rules.from_mapping(data)
    assert [p.path for p in caught.value.problems] == [field]

"""A candidate's profile against the role and interview questions (assessments/sjt/interview)."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.competency import Competency, Indicator
from assessments.sjt.interview import (
    MARGIN,
    QuestionTemplates,
    interview_questions,
    level_mark,
    read_profile,
    weakest,
)


def test_levels_spread_evenly_over_the_score_scale() -> None:
    # POMP: 100 * (level - 1) / (5 - 1)
    assert [level_mark(v) for v in (1, 2, 3, 4, 5)] == [0.0, 25.0, 50.0, 75.0, 100.0]
    np.testing.assert_allclose(level_mark(np.array([3, 4])), [50.0, 75.0])
    for bad in (0, 6, float("nan")):
        with pytest.raises(ValueError, match="1-5"):
            level_mark(bad)


def test_profile_reads_strengths_risks_and_the_margin_edges() -> None:
    assert MARGIN == 12.5  # half a level
    levels = {"a": 4, "b": 4, "c": 4, "d": 3, "e": 3, "f": 3}
    # marks: 75 for level 4, 50 for level 3
    scores = {"a": 87.5, "b": 62.5, "c": 62.4, "d": 50.0, "e": None}
    got = {r.competency: r for r in read_profile(scores, levels)}
    assert got["a"].reading == "strength" and got["a"].gap == 12.5  # exactly +margin
    assert got["b"].reading == "in_line" and got["b"].gap == -12.5  # exactly -margin
    assert got["c"].reading == "risk"  # just beyond -margin
    assert got["d"].reading == "in_line" and got["d"].mark == 50.0
    assert got["e"].reading == "not_scored" and got["e"].gap is None
    assert got["f"].reading == "not_scored"  # missing from the scores
    assert [r.competency for r in read_profile(scores, levels)] == list(levels)
    with pytest.raises(ValueError, match="0-100"):
        read_profile({"a": 120.0}, {"a": 3})
    with pytest.raises(ValueError, match="margin"):
        read_profile({}, {}, margin=-1)


def test_weakest_takes_those_below_the_mark_between_two_and_three() -> None:
    levels = {"a": 3, "b": 3, "c": 3, "d": 3, "e": 3}
    one_below = read_profile({"a": 40, "b": 90, "c": 80, "d": 70, "e": 60}, levels)
    assert [r.competency for r in weakest(one_below)] == ["a", "e"]  # at least two
    four_below = read_profile({"a": 40, "b": 10, "c": 30, "d": 45, "e": 60}, levels)
    assert [r.competency for r in weakest(four_below)] == ["b", "c", "a"]  # at most three
    tie = read_profile({"b": 40, "a": 40}, {"b": 3, "a": 3})
    assert [r.competency for r in weakest(tie)] == ["a", "b"]  # ties by key
    assert weakest(read_profile({}, {"a": 3})) == ()  # nothing scored, nothing to probe


def competency(key: str, *indicators: tuple[str, str]) -> Competency:
    return Competency(
        key=key,
        name=key.title(),
        definition="d",
        select_for=True,
        indicators=tuple(Indicator(key=None, text=t, polarity=p) for t, p in indicators),  # type: ignore[arg-type]
    )


def test_questions_alternate_behaviours_and_warning_signs() -> None:
    c = competency(
        "tolerance",
        ("Keeps an even tone when a customer is rude.", "present"),
        ("Recovers quickly after a hard call.", "present"),
        ("Raises their voice when provoked.", "absent"),
    )
    qs = interview_questions([c])
    assert [q.polarity for q in qs] == ["present", "absent"]
    assert qs[0].question.startswith("Tell me about a time when")
    assert "“Keeps an even tone when a customer is rude”" in qs[0].question  # full stop dropped
    assert qs[0].indicator == "Keeps an even tone when a customer is rude."
    assert "“Raises their voice when provoked”" in qs[1].question
    three = interview_questions([c], per_competency=3)
    assert [q.polarity for q in three] == ["present", "absent", "present"]
    only_present = competency("x", ("Does A.", "present"), ("Does B.", "present"))
    assert [q.indicator for q in interview_questions([only_present])] == ["Does A.", "Does B."]
    assert interview_questions([competency("empty")]) == ()


def test_question_wordings_can_be_translated() -> None:
    c = competency("x", ("Делает А.", "present"))
    qs = interview_questions(
        [c], templates=QuestionTemplates(present="Расскажите: «%(indicator)s»", absent="-")
    )
    assert qs[0].question == "Расскажите: «Делает А»"
    with pytest.raises(ValueError, match="per_competency"):
        interview_questions([c], per_competency=0)

"""Submitted 360 forms as arrays and one person's result (assessments/survey360/forms.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.survey360.forms import has_rating, rating_matrix, subject_result
from assessments.survey360.instrument import build_instrument
from tests.unit.survey360.test_instrument import LIBRARY, ROLE

INST = build_instrument(ROLE, LIBRARY)
S = [s.id for s in INST.statements]  # ownership, listening x 2 (the second reverse-keyed)
COMMENT = INST.comments[0].id
QUESTION = INST.questions[0].id


def test_ratings_follow_the_statement_order_and_cannot_say_is_missing() -> None:
    forms = [
        ("self", {S[0]: {"rating": 5}, S[1]: {"rating": 4}, S[2]: {"rating": None}}),
        ("peer", {S[2]: {"rating": 2}, COMMENT: {"comment": "Calm"}}),
    ]
    m = rating_matrix(INST, forms)
    assert m.ratings.shape == (2, len(S))
    assert m.ratings[0, :3].tolist()[:2] == [5.0, 4.0] and np.isnan(m.ratings[0, 2])
    assert np.isnan(m.ratings[1, 0]) and m.ratings[1, 2] == 2.0
    assert m.groups == ("self", "peer")
    assert m.comments == ((INST.comments[0].competency, "Calm", "peer"),)
    with_release = rating_matrix(INST, forms, [1, 2])
    assert with_release.comments == ((INST.comments[0].competency, "Calm", "peer", 2),)
    with pytest.raises(ValueError, match="one release per form"):
        rating_matrix(INST, forms, [1])


def test_a_group_under_the_threshold_is_not_shown_and_no_comment_says_who() -> None:
    peer = {s: {"rating": 4} for s in S} | {QUESTION: {"comment": "Listens well"}}
    forms = [("self", {s: {"rating": 3} for s in S}, 1)] + [("peer", peer, 1)] * 2
    result = subject_result(INST, forms, 3, 7, np.random.default_rng(0))
    shown = {g.name for g in result.report.groups}
    assert "peer" not in shown and "others" not in shown  # 2 peers < 3
    assert result.agreement.subject == 7
    assert all("peer" not in str(c) for c in result.report.comments)


def test_only_a_rating_makes_a_form_count() -> None:
    assert not has_rating(INST, {})
    assert not has_rating(INST, {S[0]: {"rating": None}, COMMENT: {"comment": "Calm"}})
    assert has_rating(INST, {S[0]: {"rating": None}, S[1]: {"rating": 1}})

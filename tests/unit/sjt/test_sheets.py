"""A form's sheets scored in one pass (assessments.sjt.sheets): what counts as an answer,
the checks on the names of formats and policies, and the 0-1 item scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assessments.sjt.items import Item, Option
from assessments.sjt.sheets import (
    item_scores,
    response_arrays,
    single_choices,
    total_scores,
    unit_scores,
)


def _item(ident: int, n: int = 4) -> Item:
    return Item(
        key=f"i{ident}",
        stem="A customer is upset.",
        options=tuple(Option(key=f"o{k}", text=f"Option {k}") for k in range(n)),
        competencies=("ownership",),
        id=ident,
    )


ITEMS = [_item(1), _item(2, 5)]
EFF = np.array([[6.0, 4.0, 2.0, 1.0, np.nan], [1.0, 7.0, 3.0, 3.0, 2.0]])


def test_only_complete_answers_count() -> None:
    answers = [
        {1: {"most": "o0", "least": "o3"}, 2: {"most": "o1"}},  # item 2 incomplete
        {},
    ]
    most, least, valid = response_arrays(ITEMS, "most_least", answers)
    assert most[0, 0] == 0 and least[0, 0] == 3
    assert np.isnan(most[0, 1]) and np.isnan(least[0, 1])
    assert np.isnan(most[1]).all()
    assert valid.sum(axis=1).tolist() == [4, 5]


def test_rank_positions_follow_the_canonical_option_order() -> None:
    (ranks, valid) = response_arrays(ITEMS, "rank", [{1: {"ranking": ["o2", "o0", "o3", "o1"]}}])
    assert ranks[0, 0, :4].tolist() == [2, 4, 1, 3]
    assert np.isnan(ranks[0, 1]).all()
    choices = single_choices("rank", (ranks, valid), np.array([0, 1]), np.array([3, 0]))
    (first_name, first, _), (last_name, last, _) = choices
    assert (first_name, last_name) == ("first", "last")
    assert first[0, 0] == 2 and last[0, 0] == 1
    assert np.isnan(first[0, 1])  # an unranked item has no first choice


def test_keyed_answers_score_the_top_of_the_scale() -> None:
    answers = [
        {1: {"most": "o0", "least": "o3"}, 2: {"most": "o1", "least": "o0"}},
        {1: {"most": "o3", "least": "o0"}},
    ]
    arrays = response_arrays(ITEMS, "most_least", answers)
    got = item_scores("most_least", "most_least", "expert", arrays, EFF)
    unit = unit_scores(got)
    assert unit[0].tolist() == [1.0, 1.0]
    assert unit[1, 0] == 0.0 and np.isnan(unit[1, 1])
    totals = total_scores("most_least", "most_least", got, arrays, np.ones((2, 1), bool), "lowest")
    assert totals.total_scaled.tolist() == [100.0, 0.0]  # an omitted item scores its lowest
    middle = total_scores("most_least", "most_least", got, arrays, np.ones((2, 1), bool), "middle")
    assert middle.total_scaled[1] == 25.0  # 0 + the middle of item 2, over both ranges


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: response_arrays(ITEMS, "likert", [{}]), "fmt"),
        (
            lambda: item_scores(
                "rate", "absolute", "crowd", response_arrays(ITEMS, "rate", [{}]), EFF
            ),
            "key_method",
        ),
        (
            lambda: item_scores(
                "rate", "cubic", "expert", response_arrays(ITEMS, "rate", [{}]), EFF
            ),
            "method",
        ),
    ],
)
def test_unknown_names_are_refused_by_name(call, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be one of"):
        call()


def test_an_item_without_an_id_is_refused() -> None:
    with pytest.raises(ValueError, match="has no id"):
        response_arrays([replace(_item(1), id=None)], "rate", [])

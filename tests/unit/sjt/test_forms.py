"""Form assembly: coverage per competency, parallel forms, flagged items taken last."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.sjt.forms import Blueprint, assemble_forms
from assessments.sjt.items import Item, Option

OPTIONS = tuple(Option(k, f"option {k}") for k in "abcd")


def bank(per_competency: int, competencies: tuple[str, ...] = ("c1", "c2")) -> list[Item]:
    return [
        Item(f"{c}-{i}", f"stem {c} {i}", OPTIONS, (c,), status="active")
        for c in competencies
        for i in range(per_competency)
    ]


def test_every_competency_is_covered_and_parallel_forms_share_no_item() -> None:
    forms = assemble_forms(
        bank(6), ["c1", "c2"], Blueprint(items_per_competency=3, forms=2), np.random.default_rng(1)
    )
    assert len(forms) == 2
    for form in forms:
        assert sum("c1" in it.competencies for it in form) == 3
        assert sum("c2" in it.competencies for it in form) == 3
    assert not {it.key for it in forms[0]} & {it.key for it in forms[1]}


def test_flagged_items_are_avoided_when_the_bank_has_enough_others() -> None:
    items = bank(6)
    flagged = {"c1-0", "c1-1", "c2-5"}
    for seed in range(20):
        (form,) = assemble_forms(
            items,
            ["c1", "c2"],
            Blueprint(items_per_competency=4),
            np.random.default_rng(seed),
            avoid=flagged,
        )
        assert not {it.key for it in form} & flagged


def test_flagged_items_fill_in_only_where_a_competency_runs_short() -> None:
    items = bank(4)
    (form,) = assemble_forms(
        items,
        ["c1", "c2"],
        Blueprint(items_per_competency=4),
        np.random.default_rng(3),
        avoid={"c1-0", "c2-1"},
    )
    assert {it.key for it in form} == {it.key for it in items}


def test_draft_items_and_other_formats_are_not_eligible() -> None:
    items = [*bank(3), Item("c1-draft", "s", OPTIONS, ("c1",), status="draft")]
    with pytest.raises(ValueError, match="'c1' has 3 active most_least item"):
        assemble_forms(items, ["c1"], Blueprint(items_per_competency=4), np.random.default_rng(0))


def test_same_seed_same_forms() -> None:
    def keys(seed: int) -> list[str]:
        (form,) = assemble_forms(
            bank(8), ["c1", "c2"], Blueprint(items_per_competency=3), np.random.default_rng(seed)
        )
        return [it.key for it in form]

    assert keys(5) == keys(5)
    assert any(keys(5) != keys(s) for s in range(6, 12))

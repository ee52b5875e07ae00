"""Assembling SJT forms from a role's select-for competencies.

A blueprint asks for a number of items per select-for competency, one response format and
a time limit. :func:`assemble_forms` picks active items so that every select-for competency
is covered by at least that many items, spreading the choice over the bank, and can build
several **parallel forms** that share no item.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from assessments.sjt.items import Format, Item

SCORING_METHODS: dict[Format, tuple[str, ...]] = {
    "rate": ("standardized", "absolute", "squared", "correlation"),
    "most_least": ("most_least", "option_keys"),
    "rank": ("rank_distance", "spearman"),
}
DEFAULT_SCORING: dict[Format, str] = {
    "rate": "standardized",
    "most_least": "most_least",
    "rank": "rank_distance",
}
SECONDS_PER_ITEM: dict[Format, int] = {"rate": 120, "most_least": 75, "rank": 100}


@dataclass(frozen=True)
class Blueprint:
    """What a form should hold.

    Attributes
    ----------
    items_per_competency : int
        Minimum number of items targeting each select-for competency.
    format : {"rate", "most_least", "rank"}
        The response format of every item on the form.
    scoring : str or None
        Scoring method (see ``SCORING_METHODS``); ``None`` takes the format's default.
    time_limit_seconds : int or None
        ``None`` allows ``SECONDS_PER_ITEM[format]`` per item.
    forms : int
        Number of parallel forms, sharing no item.
    """

    items_per_competency: int = 4
    format: Format = "most_least"
    scoring: str | None = None
    time_limit_seconds: int | None = None
    forms: int = 1

    def scoring_method(self) -> str:
        method = self.scoring or DEFAULT_SCORING[self.format]
        if method not in SCORING_METHODS[self.format]:
            raise ValueError(
                f"scoring: {method!r} does not fit format {self.format!r}; "
                f"use one of {', '.join(SCORING_METHODS[self.format])}"
            )
        return method

    def time_limit(self, n_items: int) -> int:
        return self.time_limit_seconds or SECONDS_PER_ITEM[self.format] * n_items


def assemble_forms(
    items: Sequence[Item],
    competencies: Sequence[str],
    blueprint: Blueprint,
    rng: np.random.Generator,
    *,
    avoid: Collection[str] = (),
) -> list[list[Item]]:
    """Choose items for ``blueprint.forms`` forms covering every competency.

    Greedy and balanced: competencies with the fewest eligible items are served first; for
    each, the items chosen are those (in random order from ``rng``) not yet used by any form;
    an item targeting several competencies counts for each. Only active items that support
    the blueprint's format are eligible. Items whose keys are in ``avoid`` (flagged by item
    analysis: negative or weak item-total correlation, alpha rising when deleted) are taken
    only when a competency has too few other items.

    Returns
    -------
    list of list of Item
        One list per form, items in the order chosen (grouped by competency).

    Raises
    ------
    ValueError
        When the bank has too few items for a competency, naming it and the shortfall.
    """
    if blueprint.items_per_competency < 1:
        raise ValueError("items_per_competency: must be at least 1")
    if blueprint.forms < 1:
        raise ValueError("forms: must be at least 1")
    if not competencies:
        raise ValueError("competencies: the role has no select-for competency to test")
    wanted = set(competencies)
    pool = [
        it
        for it in items
        if it.status == "active"
        and blueprint.format in it.formats
        and wanted & set(it.competencies)
    ]
    order = rng.permutation(len(pool))
    flagged = set(avoid)
    pool = sorted((pool[i] for i in order), key=lambda it: it.key in flagged)  # stable
    need = blueprint.items_per_competency
    for comp in competencies:
        have = sum(comp in it.competencies for it in pool)
        if have < need * blueprint.forms:
            raise ValueError(
                f"items_per_competency: {comp!r} has {have} active {blueprint.format} item(s); "
                f"{need * blueprint.forms} are needed for {blueprint.forms} form(s) of {need}"
            )
    scarcity = sorted(competencies, key=lambda c: sum(c in it.competencies for it in pool))
    used: set[str] = set()
    forms: list[list[Item]] = []
    for _ in range(blueprint.forms):
        chosen: list[Item] = []
        for comp in scarcity:
            covered = sum(comp in it.competencies for it in chosen)
            for it in pool:
                if covered >= need:
                    break
                if comp in it.competencies and it.key not in used:
                    chosen.append(it)
                    used.add(it.key)
                    covered += 1
            if covered < need:
                raise ValueError(
                    f"forms: not enough unused items for {comp!r} to build "
                    f"{blueprint.forms} parallel forms without shared items"
                )
        forms.append(chosen)
    return forms

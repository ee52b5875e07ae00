"""The product's closed vocabularies, defined once: languages and rater groups.

Schemas, tables, pages and the CLI take these names from here (the 360 groups are the
domain's own, :data:`assessments.survey360.aggregation.GROUPS`).
"""

from __future__ import annotations

from typing import Literal, get_args

from assessments.survey360.aggregation import GROUPS as _GROUPS

__all__ = ["ALL_LANGUAGES", "GROUPS", "LANGUAGES", "Group", "Language"]

Language = Literal["en", "ru", "sv", "nb"]
"""A language the product speaks (ISO 639-1)."""

LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
}
"""Each language and its own name for itself, in the order pages list them."""

ALL_LANGUAGES: tuple[Language, ...] = get_args(Language)
"""Every language, as a default for a vacancy or a cycle."""

Group = Literal["self", "manager", "peer", "direct_report", "customer"]
"""A 360 rater group."""

GROUPS: tuple[str, ...] = _GROUPS

assert tuple(LANGUAGES) == ALL_LANGUAGES and get_args(Group) == GROUPS

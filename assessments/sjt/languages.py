"""In which languages a set of items can be shown: every text of every item translated.

A vacancy may offer a language only when each item of its forms has its whole text in it:
the context (when the item has one), the stem and every option. English is the source
language and always complete. Pure: items in, what is missing out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessments.sjt.items import Item

__all__ = ["Missing", "complete_languages", "missing_texts"]

SOURCE = "en"


@dataclass(frozen=True)
class Missing:
    """The texts one item lacks in one language: ``context``, ``stem`` and option keys."""

    item_key: str
    language: str
    context: bool
    stem: bool
    options: tuple[str, ...]


def _missing(item: Item, lang: str) -> Missing | None:
    if lang == SOURCE:
        return None
    tr = item.translations.get(lang, {})
    context = bool(item.context.strip()) and not str(tr.get("context") or "").strip()
    stem = not str(tr.get("stem") or "").strip()
    options = tuple(o.key for o in item.options if not str(o.translations.get(lang) or "").strip())
    if not (context or stem or options):
        return None
    return Missing(item.key, lang, context, stem, options)


def missing_texts(items: Iterable[Item], languages: Sequence[str]) -> dict[str, list[Missing]]:
    """Per language, what each item lacks (items in their given order; complete: empty)."""
    listed = list(items)
    return {
        lang: [m for m in (_missing(it, lang) for it in listed) if m is not None]
        for lang in languages
    }


def complete_languages(items: Iterable[Item], languages: Sequence[str]) -> list[str]:
    """The languages of ``languages`` in which every item has all its text."""
    found = missing_texts(items, languages)
    return [lang for lang in languages if not found[lang]]

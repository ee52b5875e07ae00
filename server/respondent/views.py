"""What respondent pages and the respondent API share: the language a candidate or rater
sees, the candidate's items in that language, and one way to answer a respondent page."""

from __future__ import annotations

from typing import Any

from litestar import Response

from assessments.sjt.items import RATE_SCALE, Item, localized_item, option_order
from server.core.db import loads
from server.respondent.repository import TestSession, item_id
from server.reviews.repository import RaterSession
from server.sjt.schemas import RespondItem, RespondOption, Scale
from server.web.i18n import respondent_page

__all__ = [
    "english_texts",
    "language_of",
    "page",
    "rater_language",
    "respond_items",
]


def page(template: str, lang: str, status: int = 200, **context: Any) -> Response[str]:
    """A candidate page (``take/<template>``) in ``lang``."""
    return respondent_page(f"take/{template}", lang, status, **context)


def rater_language(session: RaterSession, requested: str | None = None) -> str:
    allowed = list(loads(session.review["languages"]) or ["en"])
    for lang in (requested, session.rater["language"]):
        if lang and lang in allowed:
            return lang
    return "en" if "en" in allowed else allowed[0]


def language_of(session: TestSession, requested: str | None = None) -> str:
    allowed = session.languages()
    for lang in (requested, session.candidate["language"]):
        if lang and lang in allowed:
            return lang
    return allowed[0] if "en" not in allowed else "en"


def respond_items(session: TestSession, lang: str) -> list[RespondItem]:
    """Items in the candidate's language, options in the candidate's own (seeded) order."""
    out = []
    for item in session.items:
        shown = localized_item(item, lang)
        order = option_order(len(shown.options), session.candidate["option_seed"], item_id(item))
        out.append(
            RespondItem(
                # type-ignore reason: a stored item always has an id
                id=item.id,  # type: ignore[arg-type]
                format=session.format,
                stem=shown.stem,
                context=shown.context,
                options=[
                    RespondOption(id=shown.options[i].key, text=shown.options[i].text)
                    for i in order
                ],
                scale=Scale(*RATE_SCALE) if session.format == "rate" else None,
            )
        )
    return out


def english_texts(item: Item, lang: str) -> set[str]:
    """Which texts of ``item`` have no ``lang`` version and are shown in English instead:
    ``"stem"``, ``"context"`` and option keys (so the page can mark them ``lang="en"``)."""
    if lang == "en":
        return set()
    tr = item.translations.get(lang, {})
    out = {part for part in ("stem", "context") if getattr(item, part) and not tr.get(part)}
    return out | {o.key for o in item.options if not o.translations.get(lang)}

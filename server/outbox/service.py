"""What staff do with the outbox: see a person's messages, send one again, and edit the
templates of a vacancy or a cycle (no HTTP).

Who may see a message is who may see what it is about: admins every message; a recruiter
the messages of the vacancies they may see (:func:`server.hiring.repository.get_campaign`);
a coach those of the cycles they may see (:func:`server.reviews.repository.get_review_row`).
Any other message is "not found", like a message that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime

from assessments.errors import Problem
from server.core.db import loads
from server.core.errors import Invalid, NotFound
from server.core.schemas import User
from server.core.vocabulary import MessageKind
from server.hiring import repository as hiring_repo
from server.outbox import repository as outbox
from server.outbox import templates
from server.reviews import repository as reviews_repo
from server.settings import get_settings

__all__ = [
    "CAMPAIGN_KINDS",
    "REVIEW_KINDS",
    "by_candidate",
    "check_templates",
    "message_for",
    "preview",
    "resend",
]

Row = dict[str, Any]

CAMPAIGN_KINDS = (
    MessageKind.CANDIDATE_INVITATION,
    MessageKind.CANDIDATE_REMINDER,
    MessageKind.CANDIDATE_RECEIPT,
)
REVIEW_KINDS = (
    MessageKind.RATER_INVITATION,
    MessageKind.RATER_REMINDER,
    MessageKind.NOMINATION_INVITATION,
    MessageKind.COACH_NOTICE,
)


async def message_for(ident: int, user: User) -> Row:
    """The message, if ``user`` may see it; else :class:`NotFound` (as if there were none)."""
    row = await outbox.get(ident)
    if row is None:
        raise NotFound.of("message", ident)
    if user.role == "admin":
        return row
    try:
        if row["campaign"] is not None:
            await hiring_repo.get_campaign(row["campaign"], user)
        elif row["review"] is not None:
            await reviews_repo.get_review_row(row["review"], user)
        else:
            raise NotFound.of("message", ident)
    except NotFound:
        raise NotFound.of("message", ident) from None
    return row


async def resend(ident: int, user: User) -> bool:
    """Queue a sent, failed or cancelled message again (``False``: it is queued or being
    sent already, and nothing changed)."""
    await message_for(ident, user)
    return await outbox.requeue(ident, sender=get_settings().smtp_from)


async def by_candidate(campaign_id: int) -> dict[int, list[Row]]:
    """The vacancy's messages per candidate, newest first (one query for the vacancy)."""
    rows, _ = await outbox.list_messages(campaign=campaign_id, limit=100_000)
    out: dict[int, list[Row]] = defaultdict(list)
    for r in rows:
        if r["candidate"] is not None:
            out[r["candidate"]].append(r)
    return dict(out)


# ---- templates ----------------------------------------------------------------------------


def stored_templates(settings: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """``settings["mail"]`` of a vacancy or cycle (kind -> language -> subject and body)."""
    data = loads(settings) or {}
    mail = data.get("mail") or {}
    return dict(mail) if isinstance(mail, dict) else {}


def check_templates(
    given: Mapping[str, Mapping[str, Mapping[str, str]]],
    kinds: Sequence[MessageKind],
    languages: Sequence[str],
) -> tuple[dict[str, dict[str, dict[str, str]]], list[Problem]]:
    """The templates to store (empty texts left out: the default applies) and every
    problem, each named ``<kind>.<language>.<subject|body>``."""
    found: list[Problem] = []
    clean: dict[str, dict[str, dict[str, str]]] = {}
    for kind_name, by_lang in given.items():
        if kind_name not in [k.value for k in kinds]:
            found.append(Problem(kind_name, "not a message of this vacancy or cycle"))
            continue
        kind = MessageKind(kind_name)
        for lang, texts in (by_lang or {}).items():
            path = f"{kind_name}.{lang}"
            if lang not in languages:
                found.append(Problem(path, "not a language of this vacancy or cycle"))
                continue
            subject = (texts.get("subject") or "").replace("\r\n", "\n")
            body = (texts.get("body") or "").replace("\r\n", "\n")
            unknown = sorted(set(texts) - {"subject", "body"})
            found += [Problem(f"{path}.{k}", "unknown field") for k in unknown]
            found += [
                Problem(f"{path}.{p.path}", p.message) for p in templates.check(kind, subject, body)
            ]
            own = {k: v for k, v in (("subject", subject), ("body", body)) if v.strip()}
            if own:
                clean.setdefault(kind_name, {})[lang] = own
    return clean, found


def require_valid(
    given: Mapping[str, Mapping[str, Mapping[str, str]]],
    kinds: Sequence[MessageKind],
    languages: Sequence[str],
) -> dict[str, dict[str, dict[str, str]]]:
    """:func:`check_templates`, refusing (422 naming each field) when anything is wrong."""
    clean, found = check_templates(given, kinds, languages)
    if found:
        raise Invalid(found, "Nothing was saved")
    return clean


def _samples(gettext: Callable[[str], str], lang: str, base: str) -> dict[str, Any]:
    """Sample values of every variable, for a preview in ``lang``."""
    when = datetime(2026, 5, 4, 15, 30, tzinfo=UTC)
    return {
        "name": gettext("Alex Example"),
        "vacancy": gettext("Customer service advisor"),
        "cycle": gettext("Leadership feedback, spring"),
        "subject": gettext("Kim Example"),
        "link": f"{base}/take/{'x' * 43}",
        "minutes": 30,
        "closes": format_date(when, format="long", locale=lang),
        "submitted": format_datetime(when, format="long", locale=lang, tzinfo=UTC),
        "answered": 12,
        "promise": gettext(
            "Your answers are shown only together with those of other raters of your group."
        ),
        "news": gettext("the peers' group reached the threshold"),
    }


def preview(
    kind: MessageKind,
    lang: str,
    own: Mapping[str, str],
    gettext: Callable[[str], str],
    *,
    link_base: str,
) -> templates.Rendered:
    """The message of ``kind`` in ``lang`` with sample values, as ``own`` (subject and
    body, empty = the default) would make it."""
    values = _samples(gettext, lang, link_base)
    if kind in REVIEW_KINDS:
        purpose = "nominate" if kind == MessageKind.NOMINATION_INVITATION else "rate"
        values["link"] = f"{link_base}/{purpose}/{'x' * 43}"
        if kind == MessageKind.COACH_NOTICE:
            values["link"] = f"{link_base}/app/reviews/1"
    settings = {"mail": {kind: {lang: {k: v for k, v in own.items() if v}}}}
    return templates.render(kind, lang, values, settings, gettext)

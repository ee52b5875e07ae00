"""Messages to candidates: invitation, reminder before the vacancy closes, receipt."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime

from server.core import links
from server.core.db import loads
from server.core.vocabulary import CandidateStatus, MessageKind
from server.outbox.letters import CannotSend, Composed, NotDue
from server.outbox.templates import LINK_SHOWN, render
from server.settings import Settings
from server.tables import Campaign, Candidate
from server.web.catalogues import translations

__all__ = ["compose_candidate"]


def _day(when: datetime | None, lang: str) -> str:
    return format_date(when, format="long", locale=lang) if when else ""


async def compose_candidate(row: Mapping[str, Any], settings: Settings) -> Composed:
    """The message ``row`` (a candidate kind) as it is to be sent now."""
    kind = MessageKind(row["kind"])
    person = await Candidate.select().where(Candidate.id == row["candidate"]).first()
    if person is None:
        raise NotDue("the candidate no longer exists")
    vacancy = await Campaign.select().where(Campaign.id == person["campaign"]).first()
    if vacancy is None:
        raise NotDue("the vacancy no longer exists")
    submitted = person["status"] == CandidateStatus.SUBMITTED
    if kind != MessageKind.CANDIDATE_RECEIPT and submitted:
        raise NotDue("the candidate has submitted")
    lang = row["language"] or "en"
    gettext = translations(lang).gettext
    values: dict[str, Any] = {
        "name": person["name"],
        "vacancy": vacancy["name"],
        "minutes": round((vacancy["time_limit_seconds"] + person["extra_time_seconds"]) / 60),
        "closes": _day(vacancy["closes_at"], lang),
    }
    link = ""
    if kind == MessageKind.CANDIDATE_RECEIPT:
        values["submitted"] = (
            format_datetime(person["submitted_at"], format="long", locale=lang, tzinfo=UTC)
            if person["submitted_at"]
            else ""
        )
        values["answered"] = row["params"].get("answered", "")
    else:
        try:
            token = links.derive(settings.secret_key, "take", person["link_nonce"])
        except ValueError:
            raise CannotSend(
                "this candidate's link was issued before links could be sent again: "
                "issue a new link"
            ) from None
        link = f"{settings.link_base}/take/{token}"
    own = loads(vacancy["settings"]) or {}
    sent = render(kind, lang, {**values, "link": link}, own, gettext)
    shown = render(kind, lang, {**values, "link": gettext(LINK_SHOWN)}, own, gettext)
    return Composed(subject=sent.subject, text=sent.text, html=sent.html, shown=shown.text)

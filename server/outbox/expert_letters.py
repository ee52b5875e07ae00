"""Messages to the experts of a job-analysis study: the invitation to write cards and the
invitation to rate the draft model (queued by :mod:`server.outbox.expert_mail`).

Each is composed when it is sent, from the rows as they are then. It is no longer due
(cancelled) when the expert or the study is gone or the study has been applied; an
invitation to write cards once the study has left the cards step or the expert has
finished their cards; a rating invitation once the study is not in the rate step or the
expert has submitted their ratings. The expert's link is derived again from their stored
nonce (purpose ``expert``, :mod:`server.core.links`): the link they already have; what
staff may read of a sent message (``shown``) has it replaced by
:data:`~server.outbox.templates.LINK_SHOWN`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.core.db import loads
from server.core.vocabulary import MessageKind
from server.outbox.expert_mail import LINK_PURPOSE, NOT_DUE, why_not_due
from server.outbox.letters import CannotSend, Composed, NotDue, link_token
from server.outbox.templates import LINK_SHOWN, render
from server.settings import Settings
from server.tables import JobAnalysis, JobAnalysisCompetency, JobAnalysisExpert, Role, StaffUser
from server.web.catalogues import translations

__all__ = ["compose_expert"]


def _role_name(role: Mapping[str, Any] | None, lang: str) -> str:
    if role is None:
        return ""
    own = (loads(role["translations"]) or {}).get(lang) or {}
    return str(own.get("name") or role["name"])


async def compose_expert(row: Mapping[str, Any], settings: Settings) -> Composed:
    """The message ``row`` (an expert kind) as it is to be sent now."""
    kind = MessageKind(row["kind"])
    if kind not in (MessageKind.EXPERT_INVITATION, MessageKind.EXPERT_RATING):
        raise CannotSend(f"{kind}: not a message to an expert")
    expert = (
        await JobAnalysisExpert.select().where(JobAnalysisExpert.id == row["expert"]).first()
        if row["expert"] is not None
        else None
    )
    if expert is None:
        raise NotDue(NOT_DUE["expert"])
    study = await JobAnalysis.select().where(JobAnalysis.id == expert["study"]).first()
    if study is None:
        raise NotDue(NOT_DUE["study"])
    reason = why_not_due(kind, study, expert)
    if reason is not None:
        raise NotDue(reason)
    values: dict[str, Any] = {}
    if kind == MessageKind.EXPERT_RATING:
        values["competencies"] = await JobAnalysisCompetency.count().where(
            JobAnalysisCompetency.study == study["id"]
        )
    lang = row["language"] or "en"
    gettext = translations(lang).gettext
    role = await Role.select(Role.name, Role.translations).where(Role.id == study["role"]).first()
    staff = (
        await StaffUser.select(StaffUser.name, StaffUser.email)
        .where(StaffUser.id == study["created_by"])
        .first()
        if study["created_by"] is not None
        else None
    )
    token = link_token(settings, LINK_PURPOSE, expert["link_nonce"], "expert")
    values |= {
        "name": expert["name"],
        "role": _role_name(role, lang),
        "study": study["name"],
        "facilitator": (staff["name"] or staff["email"]) if staff else "",
    }
    link = f"{settings.link_base}/expert/{token}"
    sent = render(kind, lang, {**values, "link": link}, {}, gettext)
    shown = render(kind, lang, {**values, "link": gettext(LINK_SHOWN)}, {}, gettext)
    return Composed(subject=sent.subject, text=sent.text, html=sent.html, shown=shown.text)

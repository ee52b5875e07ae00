"""Messages of 360 cycles: rater invitations and reminders, nomination invitations, coach
notices.

Each is composed when it is sent, from the rows as they are then: a rater who has
submitted, a rater or subject no longer there, or a cycle that has closed makes an
invitation or a reminder no longer due (cancelled). The rater's and the subject's links are
derived again from their stored nonce (:mod:`server.core.links`), so a reminder carries the
link the person already has; what staff may read of a sent message (``shown``) has the
link replaced by :data:`~server.outbox.templates.LINK_SHOWN`.

A coach notice carries its news as a catalogue message and its values
(``params = {"news": msgid, "values": {...}}``), translated here in the coach's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from babel.dates import format_date

from server.core.db import loads, utcnow
from server.core.vocabulary import MessageKind, RaterStatus
from server.outbox.letters import CannotSend, Composed, NotDue, link_token
from server.outbox.templates import LINK_SHOWN, render
from server.reviews.groups import GROUP_LABELS, promises
from server.settings import Settings
from server.tables import Rater, Review, ReviewSubject, StaffUser
from server.web.catalogues import translations

__all__ = ["compose_review", "staff_language"]

STAFF_LANGUAGE = "en"


def staff_language(staff: Mapping[str, Any] | None) -> str:
    """The language of mail to a staff user: theirs when the account has one, else English
    (accounts have no language yet)."""
    lang = (staff or {}).get("language") or ""
    return str(lang) or STAFF_LANGUAGE


def _day(when: datetime | None, lang: str) -> str:
    return format_date(when, format="long", locale=lang) if when else ""


def _closed(review: Mapping[str, Any]) -> bool:
    closes = review["closes_at"]
    return closes is not None and closes <= utcnow()


async def compose_review(row: Mapping[str, Any], settings: Settings) -> Composed:
    """The message ``row`` (a 360 kind) as it is to be sent now."""
    kind = MessageKind(row["kind"])
    review = await Review.select().where(Review.id == row["review"]).first()
    if review is None:
        raise NotDue("the cycle no longer exists")
    lang = row["language"] or "en"
    gettext = translations(lang).gettext
    values: dict[str, Any] = {"cycle": review["name"], "closes": _day(review["closes_at"], lang)}
    link, shown_link = "", gettext(LINK_SHOWN)
    if kind in (MessageKind.RATER_INVITATION, MessageKind.RATER_REMINDER):
        rater = await Rater.select().where(Rater.id == row["rater"]).first()
        if rater is None:
            raise NotDue("the rater was removed")
        if rater["status"] == RaterStatus.SUBMITTED:
            raise NotDue("the rater has submitted")
        if rater["status"] == RaterStatus.NOMINATED:
            raise NotDue("the rater awaits the coach's approval")
        if _closed(review):
            raise NotDue("the cycle has closed")
        subject = await ReviewSubject.select().where(ReviewSubject.id == rater["subject"]).first()
        if subject is None:
            raise NotDue("the person reviewed was removed")
        token = link_token(settings, "rate", rater["link_nonce"], "rater")
        link = f"{settings.link_base}/rate/{token}"
        values |= {
            "name": rater["name"],
            "subject": subject["name"],
            "promise": " ".join(promises(rater["group"], review["anonymity_threshold"], gettext)),
        }
    elif kind == MessageKind.NOMINATION_INVITATION:
        subject = await ReviewSubject.select().where(ReviewSubject.id == row["subject"]).first()
        if subject is None:
            raise NotDue("the person reviewed was removed")
        if _closed(review):
            raise NotDue("the cycle has closed")
        token = link_token(settings, "nominate", subject["link_nonce"], "person's nomination")
        link = f"{settings.link_base}/nominate/{token}"
        values["name"] = subject["name"]
    elif kind == MessageKind.COACH_NOTICE:
        staff = await StaffUser.select().where(StaffUser.id == row["staff"]).first()
        if staff is None or not staff["active"]:
            raise NotDue("the coach's account no longer exists or is inactive")
        params = row["params"] or {}
        news = params.get("news") or ""
        if not news:
            raise CannotSend("the notice has no news")
        wording = dict(params.get("values") or {})
        if "group" in wording:  # a group's name in words of the coach's language
            group = str(wording["group"])
            wording["group"] = gettext(GROUP_LABELS.get(group, group))
        values |= {"name": staff["name"] or staff["email"], "news": gettext(news) % wording}
        # the cycle's page is no secret: staff may read it in the message as sent
        link = shown_link = f"{settings.link_base}/app/reviews/{review['id']}"
    else:
        raise CannotSend(f"{kind}: not a 360 message")
    own = loads(review["settings"]) or {}
    sent = render(kind, lang, {**values, "link": link}, own, gettext)
    shown = render(kind, lang, {**values, "link": shown_link}, own, gettext)
    return Composed(subject=sent.subject, text=sent.text, html=sent.html, shown=shown.text)

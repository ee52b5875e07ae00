"""What staff do with the outbox: see a person's messages, send one again, and edit the
templates of a vacancy or a cycle (no HTTP).

Who may see a message is who may see what it is about: admins every message; a recruiter
the messages of the vacancies they may see (:func:`server.hiring.repository.get_campaign`);
a coach those of the cycles they may see (:func:`server.reviews.repository.get_review_row`)
and those to the experts of the job-analysis studies they may see
(:func:`server.job_analysis.repository.get_study`). Any other message is "not found", like
a message that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime

from assessments.errors import Problem
from server.admin import audit
from server.core.db import loads
from server.core.errors import Invalid, NotFound
from server.core.schemas import User
from server.core.vocabulary import MessageKind
from server.hiring import repository as hiring_repo
from server.job_analysis import repository as job_analysis_repo
from server.outbox import expert_mail, template_store, templates
from server.outbox import repository as outbox
from server.reviews import repository as reviews_repo
from server.settings import get_settings

__all__ = [
    "CAMPAIGN_KINDS",
    "REVIEW_KINDS",
    "MailOwner",
    "by_candidate",
    "by_person",
    "campaign_mail",
    "check_pair",
    "check_templates",
    "defaults",
    "message_for",
    "preview",
    "replace_templates",
    "resend",
    "review_mail",
    "save_template",
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
        elif row["expert"] is not None:
            study = await expert_mail.study_of_expert(row["expert"])
            if study is None:
                raise NotFound.of("message", ident)
            await job_analysis_repo.get_study(study, user)
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


async def by_person(
    *, campaign: int | None = None, review: int | None = None, key: str = "candidate"
) -> dict[int, list[Row]]:
    """The messages of a vacancy or a cycle grouped by the person they are about (``key``:
    ``candidate``, ``rater``, ``subject`` or ``staff``), newest first, in one query, for
    the partial ``outbox/_messages.html`` of each person."""
    rows, _ = await outbox.list_messages(campaign=campaign, review=review, limit=100_000)
    out: dict[int, list[Row]] = defaultdict(list)
    for r in rows:
        if r.get(key) is not None:
            out[r[key]].append(r)
    return dict(out)


async def by_candidate(campaign_id: int) -> dict[int, list[Row]]:
    """The vacancy's messages per candidate, newest first (one query for the vacancy)."""
    return await by_person(campaign=campaign_id, key="candidate")


# ---- templates ----------------------------------------------------------------------------

GettextFor = Callable[[str], Callable[[str], str]]
"""``gettext`` of a language (the catalogue's), given by the web layer."""


@dataclass(frozen=True)
class MailOwner:
    """A vacancy or a cycle whose messages' texts staff may edit."""

    owner: template_store.Owner
    id: int
    name: str
    languages: list[str]
    kinds: tuple[MessageKind, ...]
    mail: dict[str, Any]  # settings["mail"]: kind -> language -> {"subject", "body"}

    def own(self, kind: str, lang: str) -> dict[str, str]:
        """The stored subject and body of ``kind`` in ``lang`` (empty: the default)."""
        found = (self.mail.get(kind) or {}).get(lang) or {}
        return {"subject": found.get("subject", ""), "body": found.get("body", "")}


async def campaign_mail(ident: int, user: User) -> MailOwner:
    """The vacancy's templates, if ``user`` may see the vacancy (else :class:`NotFound`)."""
    found = await hiring_repo.get_campaign(ident, user)
    settings = await template_store.load_settings("campaign", ident)
    return MailOwner(
        "campaign", ident, found.name, list(found.languages), CAMPAIGN_KINDS, _mail(settings)
    )


async def review_mail(ident: int, user: User) -> MailOwner:
    """The cycle's templates, if ``user`` may see the cycle (else :class:`NotFound`)."""
    row = await reviews_repo.get_review_row(ident, user)
    languages = [str(x) for x in loads(row["languages"]) or ["en"]]
    settings = dict(loads(row["settings"]) or {})
    return MailOwner("review", ident, row["name"], languages, REVIEW_KINDS, _mail(settings))


def _mail(settings: Mapping[str, Any]) -> dict[str, Any]:
    mail = settings.get("mail") or {}
    return dict(mail) if isinstance(mail, dict) else {}


def defaults(owner: MailOwner, gettext_for: GettextFor) -> dict[str, dict[str, dict[str, str]]]:
    """The default subject and body of each kind in each of the owner's languages."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for kind in owner.kinds:
        subject, body = templates.DEFAULTS[kind]
        out[kind.value] = {
            lang: {"subject": gettext_for(lang)(subject), "body": gettext_for(lang)(body)}
            for lang in owner.languages
        }
    return out


def check_pair(
    kind: MessageKind,
    lang: str,
    subject: str,
    body: str,
    gettext: Callable[[str], str],
    *,
    link_base: str,
) -> list[Problem]:
    """Problems of one subject and body (paths ``subject``, ``body``): syntax, unknown
    variables, length (:func:`templates.check`), and a text that cannot be filled in
    with sample values (a message that could never be sent)."""
    found = templates.check(kind, subject, body)
    for field, text in (("subject", subject), ("body", body)):
        if not text.strip() or any(p.path == field for p in found):
            continue
        try:
            preview(kind, lang, {field: text}, gettext, link_base=link_base)
        except Exception as exc:  # whatever jinja2's sandbox refuses or fails on
            found.append(Problem(field, f"cannot be filled in: {exc}"))
    return found


def check_templates(
    given: Mapping[str, Any],
    owner: MailOwner,
    gettext_for: GettextFor,
    *,
    link_base: str,
) -> tuple[dict[str, dict[str, dict[str, str]]], list[Problem]]:
    """The templates to store (empty texts left out: the default applies) and every
    problem, each named ``<kind>.<language>[.<subject|body>]``."""
    found: list[Problem] = []
    clean: dict[str, dict[str, dict[str, str]]] = {}
    kinds = [k.value for k in owner.kinds]
    for kind_name, by_lang in given.items():
        if kind_name not in kinds:
            found.append(Problem(kind_name, "not a message of this vacancy or cycle"))
            continue
        if not isinstance(by_lang, Mapping):
            found.append(Problem(kind_name, "expected an object of languages"))
            continue
        kind = MessageKind(kind_name)
        for lang, texts in by_lang.items():
            path = f"{kind_name}.{lang}"
            if lang not in owner.languages:
                found.append(Problem(path, "not a language of this vacancy or cycle"))
                continue
            if not isinstance(texts, Mapping):
                found.append(Problem(path, "expected an object with subject and body"))
                continue
            pair = {}
            for k, v in texts.items():
                if k not in ("subject", "body"):
                    found.append(Problem(f"{path}.{k}", "unknown field"))
                elif not isinstance(v, str):
                    found.append(Problem(f"{path}.{k}", f"expected a string, got {v!r}"[:200]))
                else:
                    pair[k] = v.replace("\r\n", "\n")
            subject, body = pair.get("subject", ""), pair.get("body", "")
            found += [
                Problem(f"{path}.{p.path}", p.message)
                for p in check_pair(
                    kind, lang, subject, body, gettext_for(lang), link_base=link_base
                )
            ]
            own = {k: v for k, v in (("subject", subject), ("body", body)) if v.strip()}
            if own:
                clean.setdefault(kind_name, {})[lang] = own
    return clean, found


async def replace_templates(
    owner: MailOwner,
    given: Mapping[str, Any],
    user: User,
    gettext_for: GettextFor,
    *,
    link_base: str,
) -> MailOwner:
    """Replace every template of the vacancy or cycle (what is left out: the default);
    refused as a whole (422 naming each field), nothing saved."""
    clean, found = check_templates(given, owner, gettext_for, link_base=link_base)
    if found:
        raise Invalid(found, "Nothing was saved")
    return await _store(owner, clean, user)


async def save_template(
    owner: MailOwner,
    kind: MessageKind,
    lang: str,
    subject: str,
    body: str,
    user: User,
    gettext_for: GettextFor,
    *,
    link_base: str,
) -> MailOwner:
    """Set (or, both empty, reset to the default) one kind's subject and body in one
    language; refused (422 naming ``subject`` or ``body``) when they cannot be used."""
    if kind not in owner.kinds:
        raise Invalid([Problem("kind", "not a message of this vacancy or cycle")])
    if lang not in owner.languages:
        raise Invalid([Problem("language", "not a language of this vacancy or cycle")])
    subject, body = subject.replace("\r\n", "\n"), body.replace("\r\n", "\n")
    found = check_pair(kind, lang, subject, body, gettext_for(lang), link_base=link_base)
    if found:
        raise Invalid(found, "Nothing was saved")
    mail = {k: dict(v) for k, v in owner.mail.items() if isinstance(v, dict)}
    own = {k: v for k, v in (("subject", subject), ("body", body)) if v.strip()}
    if own:
        mail.setdefault(kind.value, {})[lang] = own
    else:
        mail.get(kind.value, {}).pop(lang, None)
        if not mail.get(kind.value):
            mail.pop(kind.value, None)
    return await _store(owner, mail, user)


async def _store(owner: MailOwner, mail: dict[str, Any], user: User) -> MailOwner:
    before = await template_store.save_mail(owner.owner, owner.id, mail)
    keys = {
        f"{k}.{lang}"
        for source in (before, mail)
        for k, by_lang in source.items()
        for lang in (by_lang or {})
    }
    changed = sorted(
        key
        for key in keys
        if (before.get(key.split(".")[0]) or {}).get(key.split(".")[1])
        != (mail.get(key.split(".")[0]) or {}).get(key.split(".")[1])
    )
    await audit.record(user.id, "updated", f"{owner.owner}:{owner.id}/mail", {"changed": changed})
    return replace(owner, mail=mail)


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
        "news": gettext("a group reached the threshold"),
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
            values["link"] = f"{link_base}/app/reviews"
    settings = {"mail": {kind: {lang: {k: v for k, v in own.items() if v}}}}
    return templates.render(kind, lang, values, settings, gettext)

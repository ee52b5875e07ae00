"""Staff pages of the outbox: send a message again, and the mail templates of a vacancy or
a cycle (edit, variables, preview).

The list of one person's messages is a partial (``outbox/_messages.html``) that the
vacancy and cycle pages include; its "Send again" button posts here and comes back to the
page it was on (``back``, a local ``/app/`` path only).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup

from assessments.errors import Problem
from reports.markers import N_
from server.core.errors import Invalid
from server.core.schemas import User
from server.core.vocabulary import MessageKind
from server.outbox import service as mail_service
from server.outbox.templates import DEFAULTS, VARIABLES
from server.web.auth import (
    CurrentUser,
    guarded_user,
    page_coaching_guard,
    page_guard,
    page_hiring_guard,
)
from server.web.catalogues import translations
from server.web.context import page_context, page_gettext, staff_language
from server.web.params import PathId

__all__ = ["OUTBOX_PAGE_HANDLERS", "local_back"]

FIELD_WORDS = {
    "subject": N_("Subject"),
    "body": N_("Text"),
    "kind": N_("Message"),
    "language": N_("Language"),
}

_LOCAL = re.compile(r"^/app/[A-Za-z0-9/_\-.]*(\?[A-Za-z0-9=&_\-.%]*)?(#[A-Za-z0-9_\-]*)?\Z")


def local_back(value: object, default: str = "/app") -> str:
    """``value`` if it is a path of the staff pages (``/app/...``), else ``default``: a
    redirect never leaves the site (no ``//host``, no scheme, no backslash)."""
    text = str(value or "")
    if _LOCAL.match(text) and "//" not in text and ".." not in text:
        return text
    return default


@post("/app/outbox/{message_id:int}/resend", guards=[page_guard], include_in_schema=False)
async def resend_message(
    request: Request[Any, Any, Any], user: CurrentUser, message_id: PathId
) -> Response[Any]:
    """Queue a sent, failed or cancelled message again, then back to the page (PRG).

    A message this user may not see is 404, like one that does not exist."""
    form = await request.form()
    await mail_service.resend(message_id, user)
    return Redirect(path=local_back(form.get("back")), status_code=303)


# ---- the mail templates of a vacancy or a cycle ------------------------------------------


def _gettext_for(lang: str) -> Any:
    return translations(lang).gettext


def _link_base(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.link_base)


async def _owner(kind: str, ident: int, user: User) -> mail_service.MailOwner:
    if kind == "campaign":
        return await mail_service.campaign_mail(ident, user)
    return await mail_service.review_mail(ident, user)


def _base(owner: mail_service.MailOwner) -> str:
    return f"/app/{'campaigns' if owner.owner == 'campaign' else 'reviews'}/{owner.id}"


def _choose(
    request: Request[Any, Any, Any], owner: mail_service.MailOwner, kind: str, lang: str
) -> tuple[MessageKind, str]:
    """The kind and language to edit: as asked if the owner has them, else the first kind
    and the page's language (or the owner's first)."""
    chosen = next((k for k in owner.kinds if k.value == kind), owner.kinds[0])
    if lang not in owner.languages:
        here = staff_language(request)
        lang = here if here in owner.languages else owner.languages[0]
    return chosen, lang


def _inner_html(html: str) -> Markup:
    """The body of a rendered message's HTML part (made by ``templates._html`` from
    escaped text: safe to show inside the page)."""
    start = html.index(">", html.index("<body")) + 1
    return Markup(html[start : html.rindex("</body>")].strip())


async def _editor(
    request: Request[Any, Any, Any],
    owner: mail_service.MailOwner,
    kind: MessageKind,
    lang: str,
    *,
    texts: dict[str, str] | None = None,
    errors: list[Problem] | None = None,
    notice: str | None = None,
    previewed: bool = False,
    status: int = 200,
) -> Template:
    t = page_gettext(request)
    mail_gettext = _gettext_for(lang)
    default_subject, default_body = (mail_gettext(x) for x in DEFAULTS[kind])
    own = owner.own(kind, lang)
    shown = (
        texts
        if texts is not None
        else {
            "subject": own["subject"] or default_subject,
            "body": own["body"] or default_body,
        }
    )
    preview = None
    if not errors:
        rendered = mail_service.preview(
            kind,
            lang,
            _own_only(shown, default_subject, default_body),
            mail_gettext,
            link_base=_link_base(request),
        )
        preview = {
            "subject": rendered.subject,
            "text": rendered.text,
            "html": _inner_html(rendered.html),
        }
    listed = [
        {
            "path": p.path,
            "label": t(FIELD_WORDS.get(p.path, N_("Text"))),
            "message": p.message,
        }
        for p in errors or []
    ]
    return Template(
        "outbox/mail.html",
        context=await page_context(
            request,
            owner=owner,
            base=_base(owner),
            kind=kind.value,
            mail_lang=lang,
            texts=shown,
            default_subject=default_subject,
            default_body=default_body,
            own=own,
            customised={(k, x) for k, by_lang in owner.mail.items() for x in (by_lang or {})},
            variables=VARIABLES[kind],
            preview=preview,
            previewed=previewed,
            errors=listed,
            notice=notice,
        ),
        status_code=status,
        media_type="text/html",
    )


def _own_only(texts: dict[str, str], default_subject: str, default_body: str) -> dict[str, str]:
    """A text equal to the default (or empty) is the default: stored as empty, so that it
    follows the default's translations."""
    return {
        "subject": "" if texts["subject"].strip() == default_subject.strip() else texts["subject"],
        "body": ""
        if texts["body"].replace("\r\n", "\n").strip() == default_body.strip()
        else texts["body"],
    }


async def _show(
    request: Request[Any, Any, Any], owner_kind: str, ident: int, kind: str, lang: str, saved: bool
) -> Template:
    user = await guarded_user(request)
    owner = await _owner(owner_kind, ident, user)
    chosen, lang = _choose(request, owner, kind, lang)
    notice = page_gettext(request)("Saved.") if saved else None
    return await _editor(request, owner, chosen, lang, notice=notice)


async def _post(request: Request[Any, Any, Any], owner_kind: str, ident: int) -> Response[Any]:
    """Save, reset or preview one kind's subject and body in one language."""
    user = await guarded_user(request)
    owner = await _owner(owner_kind, ident, user)
    form = await request.form()
    chosen, lang = _choose(request, owner, str(form.get("kind", "")), str(form.get("language", "")))
    action = str(form.get("action", "save"))
    mail_gettext = _gettext_for(lang)
    default_subject, default_body = (mail_gettext(x) for x in DEFAULTS[chosen])
    typed = {"subject": str(form.get("subject", "")), "body": str(form.get("body", ""))}
    if action == "reset":
        typed = {"subject": "", "body": ""}
    own = _own_only(typed, default_subject, default_body)
    if action == "preview":
        found = mail_service.check_pair(
            chosen, lang, own["subject"], own["body"], mail_gettext, link_base=_link_base(request)
        )
        return await _editor(
            request,
            owner,
            chosen,
            lang,
            texts=typed,
            errors=found,
            previewed=not found,
            status=422 if found else 200,
        )
    try:
        await mail_service.save_template(
            owner,
            chosen,
            lang,
            own["subject"],
            own["body"],
            user,
            _gettext_for,
            link_base=_link_base(request),
        )
    except Invalid as exc:
        return await _editor(
            request, owner, chosen, lang, texts=typed, errors=list(exc.problems), status=422
        )
    query = urlencode({"kind": chosen.value, "lang": lang, "saved": "1"})
    return Redirect(path=f"{_base(owner)}/mail?{query}#editor", status_code=303)


KindQuery = Annotated[str, QueryParameter(max_length=40)]
LangQuery = Annotated[str, QueryParameter(max_length=8)]


@get("/app/campaigns/{campaign_id:int}/mail", guards=[page_hiring_guard], include_in_schema=False)
async def campaign_mail_page(
    request: Request[Any, Any, Any],
    campaign_id: PathId,
    kind: KindQuery = "",
    lang: LangQuery = "",
    saved: Annotated[str, QueryParameter(max_length=1)] = "",
) -> Template:
    """The vacancy's e-mail texts: per kind and language, with variables and a preview."""
    return await _show(request, "campaign", campaign_id, kind, lang, bool(saved))


@post("/app/campaigns/{campaign_id:int}/mail", guards=[page_hiring_guard], include_in_schema=False)
async def campaign_mail_save(request: Request[Any, Any, Any], campaign_id: PathId) -> Response[Any]:
    return await _post(request, "campaign", campaign_id)


@get("/app/reviews/{review_id:int}/mail", guards=[page_coaching_guard], include_in_schema=False)
async def review_mail_page(
    request: Request[Any, Any, Any],
    review_id: PathId,
    kind: KindQuery = "",
    lang: LangQuery = "",
    saved: Annotated[str, QueryParameter(max_length=1)] = "",
) -> Template:
    """The cycle's e-mail texts: per kind and language, with variables and a preview."""
    return await _show(request, "review", review_id, kind, lang, bool(saved))


@post("/app/reviews/{review_id:int}/mail", guards=[page_coaching_guard], include_in_schema=False)
async def review_mail_save(request: Request[Any, Any, Any], review_id: PathId) -> Response[Any]:
    return await _post(request, "review", review_id)


OUTBOX_PAGE_HANDLERS = [
    resend_message,
    campaign_mail_page,
    campaign_mail_save,
    review_mail_page,
    review_mail_save,
]

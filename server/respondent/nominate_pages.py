"""The subject's nomination page ``/nominate/{token}``: propose raters, see their state.

Reached by the link the coach hands the subject (no account), in one of the cycle's
languages (``?lang=``, else the browser's). Works without JavaScript; every POST redirects
(PRG). The rules of a proposal are the service's (:mod:`server.reviews.nominations`); this
page only says each problem in the subject's language, naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from assessments.errors import Problem
from reports.markers import N_
from server.core.errors import DomainError
from server.core.tokens import token_hash
from server.core.validation import problems
from server.core.vocabulary import GROUPS, LANGUAGES
from server.reviews import nominations
from server.reviews import repository as rules
from server.reviews.nominations import Nominating
from server.reviews.schemas import RaterIn
from server.web.errors import status_of
from server.web.i18n import negotiate, respondent_page
from server.web.rate_limit import NOMINATIONS

FIELDS = ("name", "email", "group", "language")

# each group as the subject reads it in the form and in their list
GROUP_LABELS = {
    "self": N_("Yourself (self-assessment)"),
    "manager": N_("Your manager"),
    "peer": N_("A peer (a colleague at your level)"),
    "direct_report": N_("Someone who reports to you"),
    "customer": N_("A customer"),
}
STATE_LABELS = {
    "awaiting approval": N_("Awaiting your coach's approval"),
    "approved": N_("Approved: invited to give feedback"),
}
# what the subject is told for each problem: a field's form, then each rule of a proposal
FIELD_MESSAGES = {
    "name": N_("Enter the person's name (at most 120 characters)."),
    "email": N_("Enter a valid e-mail address, such as name@example.org."),
    "group": N_("Choose the group this person belongs to."),
    "language": N_("Choose one of the languages offered."),
}
RULE_MESSAGES = {
    rules.SELF_NOT_SUBJECT: N_(
        "Yourself means you: use your own e-mail address, or choose another group."
    ),
    rules.SUBJECT_NOT_SELF: N_(
        "This is your own e-mail address: choose the group Yourself to rate yourself."
    ),
    rules.ALREADY_NOMINATED: N_("This person is already asked to give you feedback."),
    rules.SELF_TAKEN: N_("Your self-assessment is already on the list."),
    rules.TOO_MANY_PROPOSALS: N_(
        "You have proposed as many people as one link allows. Ask your coach to add more."
    ),
}
assert set(GROUP_LABELS) == set(GROUPS)


def _language(request: Request[Any, Any, Any], link: Nominating | None) -> str:
    allowed = link.languages if link else list(LANGUAGES)
    wanted = request.query_params.get("lang")
    if wanted in allowed:
        return str(wanted)
    return negotiate(request.headers.get("accept-language", ""), allowed)


def _invalid(lang: str) -> Response[str]:
    # the rater pages' own "not valid" page: a review's link, the coach to ask
    return respondent_page("rate/invalid.html", lang, status=404, campaign_name="", languages=[])


def _here(token: str, lang: str, **extra: str) -> str:
    return f"/nominate/{token}?" + urlencode({"lang": lang, **extra})


async def _page(
    link: Nominating,
    token: str,
    lang: str,
    *,
    form: dict[str, str] | None = None,
    errors: Sequence[tuple[str, str]] = (),
    sent: bool = False,
    status: int = 200,
) -> Response[str]:
    return respondent_page(
        "nominate/page.html",
        lang,
        status,
        subject=link.subject.name,
        campaign_name=link.review["name"],
        languages=link.languages,
        proposals=await nominations.proposals(link),
        group_labels=GROUP_LABELS,
        state_labels=STATE_LABELS,
        form=form or {"language": lang},
        errors=dict(errors),
        sent=sent,
        action=_here(token, lang),
    )


def _messages(found: Sequence[Problem]) -> list[tuple[str, str]]:
    """(field, message to translate) for each problem, one per field, in form order
    (``form`` first: a problem of the whole proposal, such as too many)."""
    out: dict[str, str] = {}
    for p in found:
        field = p.path if p.path in FIELDS else "form"  # not one field: the whole form
        message = RULE_MESSAGES.get(p.message) or FIELD_MESSAGES.get(field)
        out.setdefault(field, message or N_("This proposal could not be saved."))
    return sorted(out.items(), key=lambda kv: FIELDS.index(kv[0]) if kv[0] in FIELDS else -1)


@get("/nominate/{token:str}", include_in_schema=False, cache=False)
async def nominate_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    link = await nominations.open_link(token)
    lang = _language(request, link)
    if link is None:
        return _invalid(lang)
    return await _page(link, token, lang, sent=request.query_params.get("sent") == "1")


@post("/nominate/{token:str}", include_in_schema=False)
async def nominate_post(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    link = await nominations.open_link(token)
    lang = _language(request, link)
    if link is None:
        return _invalid(lang)
    NOMINATIONS.check(token_hash(token))  # the same bucket as the API's
    posted = await request.form()
    form = {k: str(posted.get(k, "")).strip() for k in FIELDS}
    data: dict[str, Any] = {k: form[k] for k in ("name", "email", "group")}
    if form["language"]:
        data["language"] = form["language"]
    found = problems(data, RaterIn)
    if found:
        return await _page(link, token, lang, form=form, errors=_messages(found), status=422)
    try:
        await nominations.propose(link, msgspec.convert(data, RaterIn))
    except DomainError as err:
        found = list(err.problems) or [Problem("name", err.detail)]
        return await _page(
            link, token, lang, form=form, errors=_messages(found), status=status_of(err)
        )
    return Redirect(path=_here(token, lang, sent="1"))


NOMINATE_HANDLERS = [nominate_page, nominate_post]

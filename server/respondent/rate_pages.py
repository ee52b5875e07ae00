"""Rater pages ``/rate/{token}``: one form per subject, usable without JavaScript.

A person who rates several subjects of a cycle sees all their forms from any of their links
(``/rate/{token}/forms/{rater_id}``): the link proves the e-mail, so it opens the forms
nominated under that same e-mail in the same cycle, and nothing else.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post, put
from litestar.params import FromPath
from litestar.response import Redirect

from assessments.survey360.instrument import CompetencyComment, OpenQuestion
from server.core.db import loads
from server.core.errors import Conflict, DomainError, Invalid, Malformed, NotFound
from server.core.tokens import plausible
from server.core.vocabulary import LANGUAGES, RaterStatus
from server.respondent.views import rater_language
from server.reviews import repository as reviews
from server.reviews import results
from server.reviews.groups import promises
from server.reviews.repository import RaterSession
from server.reviews.schemas import RaterAnswerIn, RaterSaved
from server.web.errors import status_of
from server.web.i18n import negotiate, respondent_page, translations
from server.web.params import PathId
from server.web.rate_limit import ANSWERS


async def _session(
    request: Request[Any, Any, Any], token: str, rater_id: int | None = None
) -> tuple[RaterSession | None, RaterSession | None, str]:
    """(the link's own session, the session of the form shown, language)."""
    own = await reviews.find_rater(token) if plausible(token) else None
    wanted = request.query_params.get("lang")
    header = request.headers.get("accept-language", "")
    if own is None:
        return None, None, wanted if wanted in LANGUAGES else negotiate(header, list(LANGUAGES))
    shown = own
    if rater_id is not None and rater_id != own.id:
        other = await reviews.sibling_session(own, rater_id)
        if other is None:
            return None, None, rater_language(own)
        shown = other
    allowed = list(loads(own.review["languages"]) or ["en"])
    if wanted in allowed:
        lang = str(wanted)
    elif own.rater["language"]:
        lang = rater_language(own)
    else:
        lang = negotiate(header, allowed)
    return own, shown, lang


def _invalid(lang: str) -> Response[str]:
    """An unknown link: the review's wording (not the candidate test's), the coach to ask."""
    return respondent_page("rate/invalid.html", lang, 404, campaign_name="", languages=[])


async def _form(
    own: RaterSession,
    shown: RaterSession,
    token: str,
    lang: str,
    *,
    error: str | None = None,
    status: int = 200,
    confirm: bool = False,
) -> Response[str]:
    inst, names = await results.localized_form(shown.instrument, lang)
    # a submitted form never shows its answers again: whoever holds the link later (the
    # coach who handed it out, say) learns nothing of them
    given = await reviews.rater_answers(shown.id)
    saved = {} if shown.status == RaterStatus.SUBMITTED else given
    comps = []
    for key in inst.competencies:
        comps.append(
            {
                "name": names.get(key, key),
                "statements": [s for s in inst.statements if s.competency == key],
                "comment": next((c for c in inst.comments if c.competency == key), None),
            }
        )
    siblings = await reviews.siblings(own)
    base = f"/rate/{token}"
    others = (
        [
            {
                "subject": subject,
                "status": status_,
                "current": rid == shown.id,
                "href": base if rid == own.id else f"{base}/forms/{rid}",
            }
            for rid, subject, status_ in siblings
        ]
        if len(siblings) > 1
        else []
    )
    action = base if shown.id == own.id else f"{base}/forms/{shown.id}"
    progress = shown.progress(given)  # counts only, never the answers
    return respondent_page(
        "rate/form.html",
        lang,
        status,
        subject=shown.subject["name"],
        group=shown.rater["group"],
        threshold=shown.review["anonymity_threshold"],
        promises=promises(
            shown.rater["group"],
            shown.review["anonymity_threshold"],
            translations(lang).gettext,
        ),
        competencies=comps,
        questions=list(inst.questions),
        answers=saved,
        scale=inst.scale,
        anchors=list(inst.scale.labels(lang)),
        others=others,
        action=action,
        error=error,
        submitted=shown.status == RaterStatus.SUBMITTED,
        answered=progress.answered,
        unanswered_to_confirm=progress.unanswered if confirm else 0,
        total=progress.total,
        campaign_name=shown.review["name"],
        languages=list(loads(own.review["languages"]) or ["en"]),
        token=token,
    )


async def _save_form(shown: RaterSession, form: Any) -> None:
    """Store every answered statement and every comment of a posted form, all or nothing."""
    saved = await reviews.rater_answers(shown.id)
    payloads: dict[int, dict[str, Any]] = {}
    for s in shown.instrument.statements:
        value = form.get(f"s-{s.id}")
        if value:
            rating = None if value == "cannot" else int(value) if str(value).isdigit() else value
            payloads[s.id] = {"rating": rating}
    texts: list[CompetencyComment | OpenQuestion] = [
        *shown.instrument.comments,
        *shown.instrument.questions,
    ]
    for q in texts:
        text = form.get(f"q-{q.id}")
        if text is not None and (text.strip() or q.id in saved):
            payloads[q.id] = {"comment": text}
    await reviews.save_rater_answers(shown, payloads)


async def _handle_post(
    request: Request[Any, Any, Any], token: str, rater_id: int | None
) -> Response[Any]:
    ANSWERS.check(token)
    own, shown, lang = await _session(request, token, rater_id)
    if own is None or shown is None:
        return _invalid(lang)
    back = f"/rate/{token}" + (f"/forms/{shown.id}" if shown.id != own.id else "")
    if shown.status == RaterStatus.SUBMITTED:
        return Redirect(path=back)
    form = await request.form()
    try:
        await _save_form(shown, form)
        # "confirm": submit although statements are unanswered (the page asked first)
        if form.get("go") in ("submit", "confirm"):
            progress = await reviews.rater_progress(shown)
            if progress.rated and progress.unanswered and form.get("go") != "confirm":
                # nothing submitted yet: the page asks first (answers are saved); a form
                # without a rating is not asked about, submit_rater refuses it
                return await _form(own, shown, token, lang, confirm=True)
            await reviews.submit_rater(shown)
    except DomainError as err:
        t = translations(lang).gettext
        if isinstance(err, Conflict):
            message = t("This review has closed; your saved answers are kept.")
        elif isinstance(err, Invalid) and any(p.path == "answers" for p in err.problems):
            message = t(
                "Rate at least one statement before submitting: a form without any rating "
                "is not counted. Your answers so far are saved."
            )
        else:
            message = err.detail
        fresh = await reviews.find_rater(token)
        if fresh is None:
            return _invalid(lang)
        return await _form(own, shown, token, lang, error=message, status=status_of(err))
    return Redirect(path=back)


async def _save_one(
    request: Request[Any, Any, Any], token: str, rater_id: int | None, item_id: int
) -> RaterSaved:
    """Save one answer the moment it is given (the page's script; the form post does the
    same without it). The link is checked before the body is read: an unknown link gets
    404 whatever it sends."""
    ANSWERS.check(token)
    own, shown, _ = await _session(request, token, rater_id)
    if own is None or shown is None:
        raise NotFound("This link is not valid")
    try:
        data = msgspec.json.decode(await request.body(), type=RaterAnswerIn)
    except msgspec.ValidationError as exc:
        raise Malformed(f"Invalid answer: {exc}") from None
    except msgspec.DecodeError:
        raise Malformed("The answer must be a JSON object") from None
    raw = {
        k: v
        for k, v in (("rating", data.rating), ("comment", data.comment))
        if v is not msgspec.UNSET
    }
    await reviews.save_rater_answer(shown, item_id, raw)
    progress = await reviews.rater_progress(shown)
    return RaterSaved(item_id=item_id, answered=progress.answered, total=progress.total)


@put("/rate/{token:str}/answers/{item_id:int}", include_in_schema=False, status_code=200)
async def rate_answer(
    request: Request[Any, Any, Any], token: FromPath[str], item_id: PathId
) -> RaterSaved:
    return await _save_one(request, token, None, item_id)


@put(
    "/rate/{token:str}/forms/{rater_id:int}/answers/{item_id:int}",
    include_in_schema=False,
    status_code=200,
)
async def rate_other_answer(
    request: Request[Any, Any, Any], token: FromPath[str], rater_id: PathId, item_id: PathId
) -> RaterSaved:
    return await _save_one(request, token, rater_id, item_id)


@get("/rate/{token:str}", include_in_schema=False, cache=False)
async def rate_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    own, shown, lang = await _session(request, token)
    if own is None or shown is None:
        return _invalid(lang)
    if request.query_params.get("lang") in LANGUAGES:
        await reviews.set_rater_language(own, lang)
    return await _form(own, shown, token, lang)


@post("/rate/{token:str}", include_in_schema=False)
async def rate_save(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    return await _handle_post(request, token, None)


@get("/rate/{token:str}/forms/{rater_id:int}", include_in_schema=False, cache=False)
async def rate_other_page(
    request: Request[Any, Any, Any], token: FromPath[str], rater_id: PathId
) -> Response[Any]:
    own, shown, lang = await _session(request, token, rater_id)
    if own is None or shown is None:
        return _invalid(lang)
    return await _form(own, shown, token, lang)


@post("/rate/{token:str}/forms/{rater_id:int}", include_in_schema=False)
async def rate_other_save(
    request: Request[Any, Any, Any], token: FromPath[str], rater_id: PathId
) -> Response[Any]:
    return await _handle_post(request, token, rater_id)


RATE_HANDLERS = [
    rate_page,
    rate_save,
    rate_other_page,
    rate_other_save,
    rate_answer,
    rate_other_answer,
]

"""Candidate pages ``/take/{token}``: usable without JavaScript; take.js adds autosave and clock.

The token in the link is the candidate's only credential: pages reach only that candidate's
test. Every POST saves on the server before moving on; the server's clock decides.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from assessments.sjt.items import RATE_SCALE, AnswerError
from reports.markers import N_
from server.core.db import loads, utcnow
from server.core.tokens import plausible
from server.core.vocabulary import LANGUAGES, CandidateStatus
from server.respondent import repository as responses
from server.respondent.repository import Gone, TestSession
from server.respondent.views import english_texts, language_of, page, respond_items
from server.sjt.schemas import MONITORING_QUESTIONS, RespondItem, RespondOption, Scale
from server.web.i18n import negotiate, translations
from server.web.params import PathId
from server.web.rate_limit import ANSWERS

PRACTICE_STEM = N_(
    "A customer writes in the chat that their parcel arrived damaged and asks what to do. "
    "How effective is each response?"
)
PRACTICE_OPTIONS = (
    N_("Apologise, ask for a photo of the damage and arrange a replacement straight away."),
    N_("Explain that damage in transit is the courier's responsibility."),
    N_("Ask the customer to call the hotline instead."),
    N_("Send the standard returns form without comment."),
)


def practice_item(lang: str) -> RespondItem:
    t = translations(lang).gettext
    return RespondItem(
        id=0,
        format="rate",
        stem=t(PRACTICE_STEM),
        context="",
        options=[RespondOption(id=f"p{n}", text=t(o)) for n, o in enumerate(PRACTICE_OPTIONS)],
        scale=Scale(*RATE_SCALE),
    )


async def _session(request: Request[Any, Any, Any], token: str) -> tuple[TestSession | None, str]:
    found = await responses.find(token) if plausible(token) else None
    header = request.headers.get("accept-language", "")
    wanted = request.query_params.get("lang")
    if found is None:
        return None, wanted if wanted in LANGUAGES else negotiate(header, list(LANGUAGES))
    allowed = found.languages()
    if wanted in allowed and found.candidate["consented_at"] is not None:
        # a language chosen on the pages of a test under way sticks to the candidate
        if wanted != found.candidate["language"] and found.status != CandidateStatus.SUBMITTED:
            await responses.set_language(found.id, wanted)
        return found, wanted
    lang = (
        wanted
        if wanted in allowed
        else language_of(found)
        if found.candidate["language"]
        else (negotiate(header, allowed))
    )
    return found, lang


def _invalid(lang: str) -> Response[str]:
    return page("invalid.html", lang, status=404, campaign_name="", languages=[], token="")


def _common(session: TestSession, token: str, lang: str) -> dict[str, Any]:
    return {
        "token": token,
        "campaign_name": session.campaign["name"],
        "languages": session.languages(),
        "name": session.candidate["name"],
        "total": len(session.items),
        "fmt": session.format,
        "scale": Scale(*RATE_SCALE),
    }


def _minutes(seconds: int) -> int:
    return max(1, round(seconds / 60))


async def _resume(session: TestSession, token: str) -> Redirect:
    """Where a started test goes on: its first unanswered scenario, else the review."""
    left = responses.unanswered(session, await responses.answers(session.id))
    return Redirect(path=f"/take/{token}/items/{left[0]}" if left else f"/take/{token}/review")


async def _done(
    session: TestSession, token: str, lang: str, *, monitoring_saved: str = ""
) -> Response[str]:
    """The thank-you page (saying how many answers went in when the time ran out), with
    the optional equal-opportunities questions."""
    saved = await responses.answers(session.id)
    return page(
        "done.html",
        lang,
        timed_out=bool(session.candidate["timed_out"]),
        answered=responses.answered_count(session, saved),
        monitoring_questions=MONITORING_QUESTIONS,
        monitoring_given=await responses.monitoring_of(session.id),
        monitoring_saved=monitoring_saved,
        **_common(session, token, lang),
    )


@get("/take/{token:str}", include_in_schema=False, cache=False)
async def take_start(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status == CandidateStatus.SUBMITTED:
        return await _done(session, token, lang)
    if session.status == CandidateStatus.STARTED:
        return await _resume(session, token)
    if session.candidate["consented_at"] is not None:
        return Redirect(path=f"/take/{token}/instructions", query_params={"lang": lang})
    return page(
        "welcome.html",
        lang,
        error=None,
        minutes=_minutes(session.time_allowed),
        extra_minutes=_minutes(session.candidate["extra_time_seconds"])
        if session.candidate["extra_time_seconds"]
        else 0,
        **_common(session, token, lang),
    )


@post("/take/{token:str}/consent", include_in_schema=False)
async def take_consent(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    form = await request.form()
    chosen = form.get("lang")
    lang = chosen if chosen in session.languages() else lang
    if form.get("consent") != "yes":
        return page(
            "welcome.html",
            lang,
            status=422,
            error=translations(lang).gettext("Please tick the box to agree before you continue."),
            minutes=_minutes(session.time_allowed),
            extra_minutes=0,
            **_common(session, token, lang),
        )
    await responses.consent(session, lang)
    return Redirect(path=f"/take/{token}/instructions", query_params={"lang": lang})


@get("/take/{token:str}/instructions", include_in_schema=False, cache=False)
async def take_instructions(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status != CandidateStatus.INVITED:
        return Redirect(path=f"/take/{token}")
    if session.candidate["consented_at"] is None:
        return Redirect(path=f"/take/{token}", query_params={"lang": lang})
    return page(
        "instructions.html",
        lang,
        practice=practice_item(lang),
        minutes=_minutes(session.time_allowed),
        **_common(session, token, lang),
    )


@post("/take/{token:str}/begin", include_in_schema=False)
async def take_begin(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    try:
        await responses.start(session, lang)
    except Gone:
        return Redirect(path=f"/take/{token}")
    return await _resume(session, token)  # a second Begin (back button) resumes too


def answer_from_form(fmt: str, form: Any, option_ids: list[str]) -> dict[str, Any]:
    """The posted inputs as an answer payload; empty when nothing was chosen."""
    if fmt == "rate":
        ratings = {}
        for o in option_ids:
            value = form.get(f"rating-{o}")
            if value:
                ratings[o] = int(value) if str(value).isdigit() else value
        return {"ratings": ratings} if ratings else {}
    if fmt == "most_least":
        most, least = form.get("most") or None, form.get("least") or None
        return {"most": most, "least": least} if most or least else {}
    ranks = {o: form.get(f"rank-{o}") for o in option_ids}
    if not any(ranks.values()):
        return {}
    if not all(str(v).isdigit() for v in ranks.values()):
        return {"ranking": []}  # incomplete: reported as not a full ordering
    return (
        {"ranking": sorted(option_ids, key=lambda o: int(ranks[o]))}
        if len(set(ranks.values())) == len(option_ids)
        else {"ranking": []}
    )


async def _item_page(
    session: TestSession,
    token: str,
    lang: str,
    n: int,
    *,
    error: str | None = None,
    answer: dict[str, Any] | None = None,
    status: int = 200,
) -> Response[str]:
    items = respond_items(session, lang)
    saved = await responses.answers(session.id)
    item = items[n - 1]
    return page(
        "item.html",
        lang,
        status=status,
        n=n,
        item=item,
        in_english=english_texts(session.items[n - 1], lang),
        error=error,
        answer=answer if answer is not None else saved.get(item.id),
        answered=responses.answered_count(session, saved),
        seconds_left=session.seconds_left(utcnow()) or 0,
        **_common(session, token, lang),
    )


@get("/take/{token:str}/items/{n:int}", include_in_schema=False, cache=False)
async def take_item(
    request: Request[Any, Any, Any], token: FromPath[str], n: PathId
) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status == CandidateStatus.SUBMITTED:
        return await _done(session, token, lang)
    if session.status == CandidateStatus.INVITED:
        return Redirect(path=f"/take/{token}")
    if not 1 <= n <= len(session.items):
        return Redirect(path=f"/take/{token}/items/1")
    return await _item_page(session, token, lang, n)


@post("/take/{token:str}/items/{n:int}", include_in_schema=False)
async def take_item_save(
    request: Request[Any, Any, Any], token: FromPath[str], n: PathId
) -> Response[Any]:
    ANSWERS.check(token)
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status != CandidateStatus.STARTED or not 1 <= n <= len(session.items):
        return Redirect(path=f"/take/{token}")
    form = await request.form()
    item = session.items[n - 1]
    payload = answer_from_form(session.format, form, list(item.option_keys))
    if payload:
        try:
            saved = await responses.save_by_token(token, responses.item_id(item), payload)
        except AnswerError as exc:
            t = translations(lang).gettext
            message = {
                "least": t("The same response cannot be both the most and the least effective."),
                "ranking": t("Give every response a different place from 1 to %(n)s.")
                % {"n": len(item.options)},
            }.get(exc.field, exc.message)
            return await _item_page(
                session, token, lang, n, error=message, answer=payload, status=422
            )
        except Gone:
            return Redirect(path=f"/take/{token}")
        if saved is None:  # the link closed since the page was opened
            return _invalid(lang)
    go = form.get("go")
    if go == "back":
        return Redirect(path=f"/take/{token}/items/{max(1, n - 1)}")
    if go == "review" or n >= len(session.items):
        return Redirect(path=f"/take/{token}/review")
    return Redirect(path=f"/take/{token}/items/{n + 1}")


@get("/take/{token:str}/review", include_in_schema=False, cache=False)
async def take_review(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status != CandidateStatus.STARTED:
        return Redirect(path=f"/take/{token}")
    left = responses.unanswered(session, await responses.answers(session.id))
    settings = loads(session.campaign.get("settings")) or {}
    return page(
        "review.html",
        lang,
        omitted=settings.get("omitted", "lowest"),
        whole_sheet=session.scoring == "standardized",
        unanswered=left,
        answered=len(session.items) - len(left),
        seconds_left=session.seconds_left(utcnow()) or 0,
        **_common(session, token, lang),
    )


@post("/take/{token:str}/submit", include_in_schema=False)
async def take_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status == CandidateStatus.STARTED:
        await responses.submit(session)
    return Redirect(path=f"/take/{token}")


@post("/take/{token:str}/monitoring", include_in_schema=False)
async def take_monitoring(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    """Store the voluntary equal-opportunities answers (after submission only).

    A question left blank keeps its earlier answer; "withdraw" removes every answer;
    values that are not offered are ignored.
    """
    session, lang = await _session(request, token)
    if session is None:
        return _invalid(lang)
    if session.status != CandidateStatus.SUBMITTED:
        return Redirect(path=f"/take/{token}")
    form = await request.form()
    withdraw = form.get("withdraw") == "yes"
    if withdraw:
        chosen: dict[str, str | None] = dict.fromkeys(MONITORING_QUESTIONS)
    else:
        chosen = {
            question: str(form.get(question))
            for question, (_label, answers) in MONITORING_QUESTIONS.items()
            if form.get(question) in answers
        }
    await responses.save_monitoring(session.id, chosen)
    return await _done(session, token, lang, monitoring_saved="removed" if withdraw else "saved")


TAKE_HANDLERS = [
    take_start,
    take_consent,
    take_instructions,
    take_begin,
    take_item,
    take_item_save,
    take_review,
    take_submit,
    take_monitoring,
]

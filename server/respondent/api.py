"""The respondent API: a candidate's own test, reached by the token in the link."""

from __future__ import annotations

import msgspec
from litestar import get, post, put
from litestar.exceptions import NotFoundException, TooManyRequestsException
from litestar.params import FromPath, JSONBody

from assessments.errors import Problem
from assessments.sjt.items import AnswerError
from server.core.db import utcnow
from server.core.errors import Invalid
from server.core.tokens import plausible
from server.core.vocabulary import CandidateStatus, RaterStatus
from server.respondent import repository as responses
from server.respondent.repository import TestSession
from server.respondent.views import language_of, rater_language, respond_items
from server.reviews import repository as reviews
from server.reviews import results
from server.reviews.repository import RaterSession
from server.reviews.schemas import RateItem, RaterForm, RateScale
from server.sjt.schemas import (
    AnswerIn,
    Respondent,
    Saved,
    StartIn,
)
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.params import PathId
from server.web.rate_limit import ANSWERS

Token = FromPath[str]


INVALID_LINK = "This link is not valid (unknown or no longer open)"


async def session_for(token: str) -> TestSession:
    """The test of this link; 404 for an unknown, malformed or closed link alike."""
    found = await responses.find(token) if plausible(token) else None
    if found is None:
        raise NotFoundException(detail=INVALID_LINK)
    return found


async def respondent_for(token: str) -> TestSession | RaterSession:
    """A candidate's test or a rater's form; both kinds of link answer 404 the same way."""
    if plausible(token):
        found: TestSession | RaterSession | None = await responses.find(token)
        if found is None:
            found = await reviews.find_rater(token)
        if found is not None:
            return found
    raise NotFoundException(detail=INVALID_LINK)


async def rater_view(session: RaterSession, lang: str | None = None) -> RaterForm:
    lang = rater_language(session, lang)
    inst, _ = await results.localized_form(session.instrument, lang)
    scale = inst.scale
    rate_scale = RateScale(
        min=scale.min, max=scale.max, anchors=list(scale.labels(lang)), cannot_say=scale.cannot_say
    )
    items = [
        RateItem(id=s.id, format="rating", text=s.text, competency=s.competency, scale=rate_scale)
        for s in inst.statements
    ]
    items += [
        RateItem(id=c.id, format="comment", text=c.text, competency=c.competency)
        for c in inst.comments
    ]
    items += [RateItem(id=q.id, format="comment", text=q.text) for q in inst.questions]
    saved = await reviews.rater_answers(session.id)
    done = session.status == RaterStatus.SUBMITTED  # a submitted form never shows its answers again
    return RaterForm(
        # type-ignore reason: one of the Literal's values, computed as str
        status=session.status,  # type: ignore[arg-type]
        language=lang,
        subject=session.subject["name"],
        items=[] if done else items,
        answers={} if done else {str(k): v for k, v in saved.items()},
        answered=session.progress(saved).answered,
        total=len(inst.statements),
        closes_at=session.review["closes_at"],
    )


async def respondent_view(session: TestSession) -> Respondent:
    """The test as its candidate sees it: items and answers only while it is in progress.

    Before the start nothing of the test is shown (its scenarios cannot be read off the
    clock); after submission (or the deadline) only the status and the count remain, so a
    link that leaks later gives away neither the scenarios nor the answers.
    """
    lang = language_of(session)
    saved = await responses.answers(session.id)
    active = session.status == CandidateStatus.STARTED
    return Respondent(
        # type-ignore reason: one of the Literal's values, computed as str
        status=session.status,  # type: ignore[arg-type]
        language=lang,
        seconds_left=session.seconds_left(utcnow()),
        timed_out=bool(session.candidate["timed_out"]),
        items=respond_items(session, lang) if active else [],
        answers={str(k): v for k, v in saved.items()} if active else {},
        answered=responses.answered_count(session, saved),
        total=len(session.items),
    )


async def rater_save(token: str, item_id: int, data: AnswerIn) -> Saved:
    """A 360 rater's answer (a link that opens no candidate's test); 404 for neither."""
    found = await reviews.find_rater(token)
    if found is None:
        raise NotFoundException(detail=INVALID_LINK)
    raw = {
        k: v
        for k, v in (("rating", data.rating), ("comment", data.comment))
        if v is not msgspec.UNSET
    }
    answer = await reviews.save_rater_answer(found, item_id, raw)
    progress = await reviews.rater_progress(found)
    return Saved(
        item_id=item_id,
        answer=answer,
        complete=True,
        seconds_left=None,
        answered=progress.answered,
        total=progress.total,
    )


class RespondController(ApiController):
    path = "/api/v1/respond"
    tags = ["respondent"]

    @get(
        "/{token:str}",
        summary="The candidate's test: status, time left, items and saved answers",
        description="Items are listed once the test has been started (POST .../start).",
        cache=False,
    )
    async def get_test(self, token: Token) -> Respondent | RaterForm:
        session = await respondent_for(token)
        if isinstance(session, RaterSession):
            return await rater_view(session)
        return await respondent_view(session)

    @post(
        "/{token:str}/start",
        status_code=200,
        summary="Consent and start the clock",
        raises=[ConflictError, UnprocessableError],
    )
    async def start(self, token: Token, data: JSONBody[StartIn]) -> Respondent:
        session = await session_for(token)
        if not data.consent:
            raise Invalid([Problem("consent", "consent is needed to take the test")])
        await responses.start(session, data.language)
        return await respondent_view(await session_for(token))

    @put(
        "/{token:str}/answers/{item_id:int}",
        summary="Save one answer (replaces the previous answer to the item)",
        raises=[ConflictError, UnprocessableError, TooManyRequestsException],
    )
    async def save(self, token: Token, item_id: PathId, data: JSONBody[AnswerIn]) -> Saved:
        if not plausible(token):
            raise NotFoundException(detail=INVALID_LINK)
        ANSWERS.check(token)
        raw = {
            "ratings": data.ratings,
            "ranking": data.ranking,
            "most": data.most,
            "least": data.least,
        }
        try:
            stored = await responses.save_by_token(token, item_id, raw)
        except AnswerError as exc:
            raise Invalid([Problem(exc.field, exc.message)]) from None
        if stored is None:
            return await rater_save(token, item_id, data)
        return Saved(
            item_id=item_id,
            answer=stored.answer,
            complete=stored.complete,
            seconds_left=stored.session.seconds_left(stored.now),
            answered=stored.answered,
            total=len(stored.session.items),
        )

    @post(
        "/{token:str}/submit",
        status_code=200,
        summary="Submit the test or form (once)",
        raises=[ConflictError],
    )
    async def submit(self, token: Token) -> Respondent | RaterForm:
        session = await respondent_for(token)
        if isinstance(session, RaterSession):
            await reviews.submit_rater(session)
            # type-ignore reason: the token opened a rater's form just above
            return await rater_view(await respondent_for(token))  # type: ignore[arg-type]
        await responses.submit(session)
        return await respondent_view(await session_for(token))

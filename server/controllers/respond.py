"""The respondent API: a candidate's own test, reached by the token in the link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from assessments.errors import Problem
from assessments.sjt.items import RATE_SCALE, AnswerError, is_complete, localized_item, option_order
from server.db import utcnow
from server.errors import UnprocessableError
from server.repositories import responses
from server.repositories.responses import TestSession
from server.sjt_schemas import (
    AnswerIn,
    Respondent,
    RespondItem,
    RespondOption,
    Saved,
    Scale,
    StartIn,
)

Token = FromPath[str]


async def session_for(token: str) -> TestSession:
    """The test of this link; 404 for an unknown, malformed or closed link alike."""
    found = await responses.find(token) if 20 <= len(token) <= 100 else None
    if found is None:
        raise NotFoundException(detail="This link is not valid (unknown or no longer open)")
    return found


def language_of(session: TestSession, requested: str | None = None) -> str:
    allowed = session.languages()
    for lang in (requested, session.candidate["language"]):
        if lang and lang in allowed:
            return lang
    return allowed[0] if "en" not in allowed else "en"


def respond_items(session: TestSession, lang: str) -> list[RespondItem]:
    """Items in the candidate's language, options in the candidate's own (seeded) order."""
    out = []
    for item in session.items:
        shown = localized_item(item, lang)
        order = option_order(len(shown.options), session.candidate["option_seed"], item.id)
        out.append(
            RespondItem(
                id=item.id,  # type: ignore[arg-type]
                format=session.format,
                stem=shown.stem,
                context=shown.context,
                options=[
                    RespondOption(id=shown.options[i].key, text=shown.options[i].text)
                    for i in order
                ],
                scale=Scale(*RATE_SCALE) if session.format == "rate" else None,
            )
        )
    return out


async def respondent_view(session: TestSession) -> Respondent:
    lang = language_of(session)
    saved = await responses.answers(session.id)
    started = session.status != "invited"
    return Respondent(
        status=session.status,  # type: ignore[arg-type]
        language=lang,
        seconds_left=session.seconds_left(utcnow()),
        timed_out=bool(session.candidate["timed_out"]),
        items=respond_items(session, lang) if started else [],
        answers={str(k): v for k, v in saved.items()} if started else {},
        answered=responses.answered_count(session, saved),
        total=len(session.items),
    )


class RespondController(Controller):
    path = "/api/v1/respond"
    tags = ["respondent"]

    @get(
        "/{token:str}",
        summary="The candidate's test: status, time left, items and saved answers",
        description="Items are listed once the test has been started (POST .../start).",
        cache=False,
    )
    async def get_test(self, token: Token) -> Respondent:
        return await respondent_view(await session_for(token))

    @post("/{token:str}/start", status_code=200, summary="Consent and start the clock")
    async def start(self, token: Token, data: JSONBody[StartIn]) -> Respondent:
        session = await session_for(token)
        if not data.consent:
            raise UnprocessableError([Problem("consent", "consent is needed to take the test")])
        await responses.start(session, data.language)
        return await respondent_view(await session_for(token))

    @put(
        "/{token:str}/answers/{item_id:int}",
        summary="Save one answer (replaces the previous answer to the item)",
    )
    async def save(self, token: Token, item_id: FromPath[int], data: JSONBody[AnswerIn]) -> Saved:
        session = await session_for(token)
        payload: dict[str, Any] = {
            k: v
            for k, v in {
                "ratings": data.ratings,
                "ranking": data.ranking,
                "most": data.most,
                "least": data.least,
            }.items()
            if v is not None
        }
        if session.format == "most_least" and ("most" in payload or "least" in payload):
            payload = {"most": data.most, "least": data.least}
        try:
            answer = await responses.save(session, item_id, payload)
        except AnswerError as exc:
            raise UnprocessableError([Problem(exc.field, exc.message)]) from None
        saved = await responses.answers(session.id)
        return Saved(
            item_id=item_id,
            answer=answer,
            complete=is_complete(session.item(item_id), session.format, answer),
            seconds_left=session.seconds_left(utcnow()),
            answered=responses.answered_count(session, saved),
            total=len(session.items),
        )

    @post("/{token:str}/submit", status_code=200, summary="Submit the test (once)")
    async def submit(self, token: Token) -> Respondent:
        session = await session_for(token)
        await responses.submit(session)
        return await respondent_view(await session_for(token))

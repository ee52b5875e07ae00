"""The expert's API ``/api/v1/expert/{token}``: the link's token is the credential.

The token is checked before anything else (a ``before_request`` hook, ahead of reading
the body): an unknown or malformed link gets the same 404 whatever it sends. Writes are
rate-limited per link like the respondents' answers.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post, put
from litestar.exceptions import NotFoundException, TooManyRequestsException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody

from server.core.tokens import plausible
from server.core.vocabulary import LANGUAGES
from server.job_analysis import expert_service as service
from server.job_analysis.expert_repository import ExpertLink
from server.job_analysis.expert_schemas import (
    CardIn,
    CardSaved,
    ExpertLibrary,
    ExpertView,
    RatingIn,
    RatingSaved,
)
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.params import LangQuery, PathId
from server.web.rate_limit import ANSWERS

Token = FromPath[str]


async def known_link(request: Request[Any, Any, Any]) -> None:
    """Before the handler (and its body): 404 for a link that opens no expert, 429 for a
    link that writes too fast; the expert is kept on the request's state."""
    token = str(request.path_params.get("token", ""))
    if not plausible(token):
        raise NotFoundException(detail=service.INVALID_LINK)
    if request.method != "GET":
        ANSWERS.check(token)
    link = await service.open_link(token)
    if link is None:
        raise NotFoundException(detail=service.INVALID_LINK)
    request.state.expert = link


def _expert(request: Request[Any, Any, Any]) -> ExpertLink:
    link: ExpertLink = request.state.expert
    return link


def _language(link: ExpertLink, lang: str | None) -> str:
    if lang in LANGUAGES:
        return str(lang)
    return link.language if link.language in LANGUAGES else "en"


class ExpertController(ApiController):
    path = "/api/v1/expert"
    tags = ["expert"]

    @get(
        "/{token:str}",
        before_request=known_link,
        summary="The expert's study: step, own cards, and in the rate step the draft model",
        description=(
            "Only the expert's own cards and ratings; the draft model's indicators carry no "
            "authors. Texts in `lang`, else the expert's language."
        ),
        cache=False,
    )
    async def get_view(
        self, request: Request[Any, Any, Any], token: Token, lang: LangQuery = None
    ) -> ExpertView:
        link = _expert(request)
        return await service.view(link, _language(link, lang))

    @get(
        "/{token:str}/library",
        before_request=known_link,
        summary="The library to pick cards from: the role's competencies first, then the rest",
        description="Each competency and its behaviours with the `source` to send as a card.",
        cache=False,
    )
    async def get_library(
        self, request: Request[Any, Any, Any], token: Token, lang: LangQuery = None
    ) -> ExpertLibrary:
        link = _expert(request)
        return await service.library_choices(link, _language(link, lang))

    @post(
        "/{token:str}/cards",
        before_request=known_link,
        status_code=201,
        summary="Add a card: {'text'} written, or {'source'} picked from the library",
        description=(
            "Only while the study collects cards (else 409). A text of 1-300 characters, at "
            "most 40 cards per expert (else 422 naming `text`). Picking a source the expert "
            "already has answers 200 with that card (`created` false)."
        ),
        raises=[ConflictError, UnprocessableError, TooManyRequestsException],
        responses={
            200: ResponseSpec(
                data_container=CardSaved,
                description="The source was picked before: the card already made",
            )
        },
    )
    async def add_card(
        self, request: Request[Any, Any, Any], token: Token, data: JSONBody[CardIn]
    ) -> Response[CardSaved]:
        link = _expert(request)
        saved = await service.add_card(link, data, _language(link, None))
        return Response(saved, status_code=201 if saved.created else 200)

    @delete(
        "/{token:str}/cards/{card_id:int}",
        before_request=known_link,
        summary="Delete one of the expert's own cards",
        description="Only while the study collects cards (else 409); another card is 404.",
        raises=[ConflictError, TooManyRequestsException],
    )
    async def delete_card(
        self, request: Request[Any, Any, Any], token: Token, card_id: PathId
    ) -> None:
        await service.delete_card(_expert(request), card_id)

    @post(
        "/{token:str}/cards/done",
        before_request=known_link,
        status_code=200,
        summary="Say the cards are finished (more may be added while the study collects them)",
        raises=[ConflictError, TooManyRequestsException],
    )
    async def cards_done(self, request: Request[Any, Any, Any], token: Token) -> ExpertView:
        link = _expert(request)
        await service.finish_cards(link)
        return await service.view(await _fresh(link), _language(link, None))

    @put(
        "/{token:str}/ratings/{competency_id:int}",
        before_request=known_link,
        summary="Rate one draft competency (the five answers; null = cannot say)",
        description=(
            "Replaces the expert's earlier answers on the competency. Only in the rate step "
            "(else 409); a competency of another study is 404; a value out of range is 422 "
            "naming its field."
        ),
        raises=[ConflictError, UnprocessableError, TooManyRequestsException],
    )
    async def rate(
        self,
        request: Request[Any, Any, Any],
        token: Token,
        competency_id: PathId,
        data: JSONBody[RatingIn],
    ) -> RatingSaved:
        return await service.save_rating(_expert(request), competency_id, data)

    @post(
        "/{token:str}/ratings/done",
        before_request=known_link,
        status_code=200,
        summary="Submit the ratings (they stay changeable while the study is in its rate step)",
        raises=[ConflictError, TooManyRequestsException],
    )
    async def ratings_done(self, request: Request[Any, Any, Any], token: Token) -> ExpertView:
        link = _expert(request)
        await service.finish_ratings(link)
        return await service.view(await _fresh(link), _language(link, None))


async def _fresh(link: ExpertLink) -> ExpertLink:
    """The expert as stored now (after a write that changed them)."""
    found = await service.reload(link)
    if found is None:
        raise NotFoundException(detail=service.INVALID_LINK)
    return found

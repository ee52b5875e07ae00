"""The mail templates of a vacancy or a cycle over the API (read and replace)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, put
from litestar.params import JSONBody

from server.outbox import service as mail_service
from server.outbox.schemas import MailTemplates, MailTemplatesIn, MailText
from server.outbox.templates import VARIABLES
from server.web.auth import CurrentUser, coaching_guard, hiring_guard
from server.web.base import ApiController
from server.web.catalogues import translations
from server.web.errors import UnprocessableError
from server.web.params import PathId

__all__ = ["MAIL_API_CONTROLLERS"]

REPLACE = (
    "Replaces every own template (kind -> language -> subject and body); a kind or "
    "language left out, or an empty text, uses the default in that language. Refused as a "
    "whole (422 naming `<kind>.<language>.<subject|body>`) for a syntax error, a variable "
    "the kind does not have, a text too long or one that cannot be filled in."
)


def _gettext_for(lang: str) -> Any:
    return translations(lang).gettext


def _out(owner: mail_service.MailOwner) -> MailTemplates:
    return MailTemplates(
        languages=owner.languages,
        templates={
            kind: {lang: MailText(**texts) for lang, texts in by_lang.items()}
            for kind, by_lang in owner.mail.items()
        },
        defaults={
            kind: {lang: MailText(**texts) for lang, texts in by_lang.items()}
            for kind, by_lang in mail_service.defaults(owner, _gettext_for).items()
        },
        variables={k.value: dict(VARIABLES[k]) for k in owner.kinds},
    )


def _given(data: MailTemplatesIn) -> dict[str, Any]:
    given: dict[str, Any] = msgspec.to_builtins(data.templates)
    return given


async def _replace(
    owner: mail_service.MailOwner,
    data: MailTemplatesIn,
    user: CurrentUser,
    request: Request[Any, Any, Any],
) -> MailTemplates:
    """Replace the own templates of a vacancy or a cycle (the same for both)."""
    link_base = str(request.app.state.settings.link_base)
    saved = await mail_service.replace_templates(
        owner, _given(data), user, _gettext_for, link_base=link_base
    )
    return _out(saved)


class CampaignMailController(ApiController):
    path = "/api/v1/campaigns"
    guards = [hiring_guard]
    tags = ["campaigns"]

    @get("/{campaign_id:int}/mail-templates", summary="The vacancy's e-mail texts to candidates")
    async def get_templates(self, user: CurrentUser, campaign_id: PathId) -> MailTemplates:
        return _out(await mail_service.campaign_mail(campaign_id, user))

    @put(
        "/{campaign_id:int}/mail-templates",
        summary="Replace the vacancy's e-mail texts to candidates",
        description=REPLACE,
        raises=[UnprocessableError],
    )
    async def put_templates(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        campaign_id: PathId,
        data: JSONBody[MailTemplatesIn],
    ) -> MailTemplates:
        return await _replace(
            await mail_service.campaign_mail(campaign_id, user), data, user, request
        )


class ReviewMailController(ApiController):
    path = "/api/v1/reviews"
    guards = [coaching_guard]
    tags = ["reviews"]

    @get("/{review_id:int}/mail-templates", summary="The cycle's e-mail texts")
    async def get_templates(self, user: CurrentUser, review_id: PathId) -> MailTemplates:
        return _out(await mail_service.review_mail(review_id, user))

    @put(
        "/{review_id:int}/mail-templates",
        summary="Replace the cycle's e-mail texts",
        description=REPLACE,
        raises=[UnprocessableError],
    )
    async def put_templates(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        review_id: PathId,
        data: JSONBody[MailTemplatesIn],
    ) -> MailTemplates:
        return await _replace(await mail_service.review_mail(review_id, user), data, user, request)


MAIL_API_CONTROLLERS = [CampaignMailController, ReviewMailController]

"""The expert's page ``/key/{token}``: rate every option of each item 1-7, save, submit.

No account: the unguessable link is the credential (only its SHA-256 is stored). Works
without JavaScript. Submitting counts the ratings in each item's key (see
``server.sjt.service.submit``); a submitted link shows a thank-you and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from assessments.errors import Problem
from assessments.sjt.items import RATE_SCALE, Item, localized_item
from server.core.errors import Conflict, Invalid
from server.core.tokens import plausible
from server.core.vocabulary import LANGUAGES
from server.sjt import repository as bank
from server.sjt import service as keying
from server.sjt.schemas import ExpertLink
from server.web.i18n import negotiate, respondent_page, translations
from server.web.rate_limit import ANSWERS

LOW, HIGH = RATE_SCALE


async def _link(request: Request[Any, Any, Any], token: str) -> tuple[ExpertLink | None, str]:
    link = await bank.expert_link_by_token(token) if plausible(token) else None
    wanted = request.query_params.get("lang")
    if wanted in LANGUAGES:
        return link, str(wanted)
    if link is not None:
        return link, link.language
    return None, negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))


def _invalid(lang: str) -> Response[str]:
    return respondent_page(
        "take/invalid.html", lang, status=404, campaign_name="", languages=[], token=""
    )


def _messages(errors: list[Problem], items: Mapping[int, Item], lang: str) -> list[dict[str, str]]:
    """Each problem with the field it names: scenario number and option number."""
    gettext = translations(lang).gettext
    numbers = {item_id: n for n, item_id in enumerate(items, start=1)}
    out = []
    for e in errors:
        head, _, option = e.path.partition(".")
        item_id = int(head[len("items[") : -1]) if head.startswith("items[") else 0
        item = items.get(item_id)
        if item is None or option not in item.option_keys:
            out.append({"field": "", "message": e.message})
            continue
        n_option = item.option_keys.index(option) + 1
        where = gettext("Scenario %(n)s, option %(m)s") % {"n": numbers[item_id], "m": n_option}
        message = (
            gettext("choose a rating from 1 to 7")
            if e.message != "not rated yet"
            else gettext("not rated yet")
        )
        out.append({"field": f"r-{item_id}-{option}", "message": f"{where}: {message}"})
    return out


async def _page(
    link: ExpertLink,
    token: str,
    lang: str,
    *,
    ratings: Mapping[int, Mapping[str, Any]] | None = None,
    errors: list[Problem] | None = None,
    error: str = "",
    status: int = 200,
) -> Response[str]:
    items = await keying.items_of(link)
    saved = {i.item_id: i.ratings for i in link.items}
    shown = ratings if ratings is not None else saved
    messages = _messages(errors or [], items, lang)
    rated = sum(len(shown.get(i, {})) for i in items)
    total = sum(len(item.options) for item in items.values())
    return respondent_page(
        "key/form.html",
        lang,
        status=status,
        link=link,
        token=token,
        items=[(i, localized_item(item, lang)) for i, item in items.items()],
        ratings=shown,
        errors=messages,
        invalid={m["field"] for m in messages},
        error=error,
        rated=rated,
        total=total,
        scale=range(LOW, HIGH + 1),
        submitted=link.submitted_at is not None,
        campaign_name=translations(lang).gettext("Expert keying"),
        languages=list(LANGUAGES),
    )


@get("/key/{token:str}", include_in_schema=False, cache=False)
async def key_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    link, lang = await _link(request, token)
    if link is None:
        return _invalid(lang)
    return await _page(link, token, lang)


@post("/key/{token:str}", include_in_schema=False)
async def key_save(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    ANSWERS.check(token)
    link, lang = await _link(request, token)
    if link is None:
        return _invalid(lang)
    gettext = translations(lang).gettext
    closed = gettext("You have already submitted your ratings: they can no longer be changed.")
    if link.submitted_at is not None:
        return await _page(link, token, lang, error=closed, status=409)
    form = await request.form()
    items = await keying.items_of(link)
    ratings, found = keying.read_ratings(items, form)
    if found:
        return await _page(link, token, lang, ratings=ratings, errors=found, status=422)
    try:
        if form.get("go") == "submit":
            await keying.submit(link, ratings)
        else:
            await keying.save_draft(link, ratings)
    except Invalid as exc:
        await keying.save_draft(link, ratings)  # what was given is kept
        fresh = await bank.expert_link(link.id)
        return await _page(
            fresh, token, lang, ratings=ratings, errors=list(exc.problems), status=422
        )
    except Conflict:
        fresh = await bank.expert_link(link.id)
        return await _page(fresh, token, lang, error=closed, status=409)
    suffix = f"?lang={request.query_params['lang']}" if "lang" in request.query_params else ""
    return Redirect(path=f"/key/{token}{suffix}")


KEY_HANDLERS = [key_page, key_save]

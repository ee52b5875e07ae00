"""The expert's page ``/expert/{token}``: cards in step 1, ratings in step 3, by link.

No account: the unguessable link is the credential (only its SHA-256 is stored). The page
opens in ``?lang=`` (then remembered for the expert), else the expert's language. It works
without JavaScript: every form posts and redirects (PRG); on the rating page the script
(``static/take.js``) also saves each competency's answers the moment one is given, through
``PUT /api/v1/expert/{token}/ratings/{id}``. The rules are the service's
(:mod:`server.job_analysis.expert_service`); this module says each outcome in the expert's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from reports.markers import N_
from server.core.errors import Conflict, DomainError, Invalid, NotFound
from server.core.vocabulary import LANGUAGES, StudyStep
from server.job_analysis import expert_service as service
from server.job_analysis.expert_repository import ExpertLink, OwnRating, StepClosed
from server.job_analysis.expert_schemas import CardIn
from server.web.errors import status_of
from server.web.i18n import negotiate, respondent_page, translations
from server.web.params import PathId
from server.web.rate_limit import ANSWERS

TEMPLATES = {
    StudyStep.CARDS: "expert/cards.html",
    StudyStep.SORT: "expert/sort.html",
    StudyStep.RATE: "expert/rate.html",
    StudyStep.DECIDE: "expert/done.html",
    StudyStep.APPLIED: "expert/done.html",
}
# what the expert is told for each problem with a card (the service's words are English)
CARD_MESSAGES = {
    service.TEXT_EMPTY: N_("Write a behaviour or skill on the card."),
    service.TEXT_TOO_LONG: N_(
        "A card holds at most 300 characters: shorten the text, or split it over two cards."
    ),
    service.TOO_MANY_CARDS: N_(
        "You have 40 cards, as many as one link allows. Delete one to add another."
    ),
    service.SOURCE_UNKNOWN: N_("This is no longer in the library; write the card yourself."),
    service.SOURCE_FORMAT: N_("This is no longer in the library; write the card yourself."),
}
CARDS_CLOSED = {
    StudyStep.SORT: N_(
        "The facilitator has started grouping the cards: yours can no longer be changed."
    ),
}
RATINGS_CLOSED = {
    StudyStep.CARDS: N_("The rating has not started yet. Nothing was saved."),
    StudyStep.SORT: N_("The rating has not started yet. Nothing was saved."),
    StudyStep.DECIDE: N_("The rating has closed; the ratings you saved earlier are kept."),
    StudyStep.APPLIED: N_("The rating has closed; the ratings you saved earlier are kept."),
}
STUDY_MOVED_ON = N_("The study has moved on: nothing was changed.")
IMPORTANCE = (
    N_("Not important"),
    N_("Slightly important"),
    N_("Moderately important"),
    N_("Very important"),
    N_("Essential"),
)
FREQUENCY = (N_("Never"), N_("Rarely"), N_("Sometimes"), N_("Often"), N_("Constantly"))
LAWSHE = (
    ("essential", N_("Essential")),
    ("useful", N_("Useful, but not essential")),
    ("not_necessary", N_("Not necessary")),
)


async def _open(request: Request[Any, Any, Any], token: str) -> tuple[ExpertLink | None, str]:
    """(the expert of the link, the page's language)."""
    link = await service.open_link(token)
    wanted = request.query_params.get("lang")
    if wanted in LANGUAGES:
        return link, str(wanted)
    if link is not None and link.language in LANGUAGES:
        return link, link.language
    return link, negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))


def _invalid(lang: str) -> Response[str]:
    return respondent_page("expert/invalid.html", lang, status=404, campaign_name="", languages=[])


def _here(token: str, **query: str) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/expert/{token}" + (f"?{suffix}" if suffix else "")


async def _page(
    link: ExpertLink,
    token: str,
    lang: str,
    *,
    status: int = 200,
    error: str = "",
    text_error: str = "",
    text: str = "",
    unrated_to_confirm: int = 0,
    notice: str = "",
) -> Response[str]:
    view = await service.view(link, lang)
    context: dict[str, Any] = {}
    if view.writable == "cards":
        choices = await service.library_choices(link, lang)
        context = {
            "role_choices": [c for c in choices.competencies if c.in_role],
            "other_choices": [c for c in choices.competencies if not c.in_role],
            "picked": set(choices.picked),
        }
    gettext = translations(lang).gettext
    return respondent_page(
        TEMPLATES.get(StudyStep(link.step), "expert/done.html"),
        lang,
        status,
        view=view,
        token=token,
        error=error,
        text_error=text_error,
        text=text,
        notice=notice,
        unrated_to_confirm=unrated_to_confirm,
        importance_anchors=[gettext(a) for a in IMPORTANCE],
        frequency_anchors=[gettext(a) for a in FREQUENCY],
        lawshe_choices=[(k, gettext(v)) for k, v in LAWSHE],
        campaign_name=view.study,
        languages=list(LANGUAGES),
        **context,
    )


async def _refused(
    link: ExpertLink,
    token: str,
    lang: str,
    err: DomainError,
    *,
    what: service.Writable,
    text: str = "",
) -> Response[str]:
    """The page again (in the step the study is in now) saying why nothing changed."""
    gettext = translations(lang).gettext
    fresh = await service.reload(link)
    if fresh is None:  # removed by the facilitator meanwhile
        return _invalid(lang)
    if isinstance(err, StepClosed):
        table = CARDS_CLOSED if what == "cards" else RATINGS_CLOSED
        message = gettext(table.get(StudyStep(err.step), STUDY_MOVED_ON))
        return await _page(fresh, token, lang, status=409, error=message)
    if isinstance(err, Invalid) and err.problems and err.problems[0].path in ("text", "source"):
        found = CARD_MESSAGES.get(err.problems[0].message, CARD_MESSAGES[service.TEXT_EMPTY])
        return await _page(fresh, token, lang, status=422, text_error=gettext(found), text=text)
    if isinstance(err, NotFound):
        message = gettext("This card is not among yours (it may have been deleted already).")
    elif isinstance(err, Invalid):
        message = gettext("Some answers could not be read; please choose them again.")
    elif isinstance(err, Conflict):
        message = gettext(STUDY_MOVED_ON)
    else:
        message = err.detail
    return await _page(fresh, token, lang, status=status_of(err), error=message)


async def _writing(request: Request[Any, Any, Any], token: str) -> tuple[ExpertLink | None, str]:
    """A form post: the link is checked (and rate-limited) before the form is read."""
    ANSWERS.check(token)
    return await _open(request, token)


@get("/expert/{token:str}", include_in_schema=False, cache=False)
async def expert_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    link, lang = await _open(request, token)
    if link is None:
        return _invalid(lang)
    if request.query_params.get("lang") in LANGUAGES:
        await service.remember_language(link, lang)
    gettext = translations(lang).gettext
    notices = {
        "ratings": gettext("Your ratings are saved."),
        "card": gettext("Card added."),
        "deleted": gettext("Card deleted."),
    }
    return await _page(
        link, token, lang, notice=notices.get(request.query_params.get("saved", ""), "")
    )


@post("/expert/{token:str}/cards", include_in_schema=False)
async def expert_add_card(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    """A card written (``text``) or picked from the library (``source``, a button)."""
    link, lang = await _writing(request, token)
    if link is None:
        return _invalid(lang)
    form = await request.form()
    source = form.get("source")
    text = str(form.get("text", ""))
    data = CardIn(source=str(source)) if source else CardIn(text=text)
    try:
        await service.add_card(link, data, lang)
    except DomainError as err:
        return await _refused(link, token, lang, err, what="cards", text="" if source else text)
    anchor = "#library" if source else "#cards-h"
    return Redirect(path=_here(token, saved="card") + anchor)


@post("/expert/{token:str}/cards/{card_id:int}/delete", include_in_schema=False)
async def expert_delete_card(
    request: Request[Any, Any, Any], token: FromPath[str], card_id: PathId
) -> Response[Any]:
    link, lang = await _writing(request, token)
    if link is None:
        return _invalid(lang)
    try:
        await service.delete_card(link, card_id)
    except DomainError as err:
        return await _refused(link, token, lang, err, what="cards")
    return Redirect(path=_here(token, saved="deleted") + "#cards-h")


@post("/expert/{token:str}/cards/done", include_in_schema=False)
async def expert_cards_done(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    link, lang = await _writing(request, token)
    if link is None:
        return _invalid(lang)
    try:
        await service.finish_cards(link)
    except DomainError as err:
        return await _refused(link, token, lang, err, what="cards")
    return Redirect(path=_here(token))


def _posted(form: Mapping[str, Any], competency_ids: list[int]) -> dict[int, OwnRating]:
    """The answers of a posted rating form by competency; a competency with no answer is
    left out, an open question of one with answers is "cannot say"."""
    out = {}
    for cid in competency_ids:
        raw = {name: form.get(f"{name}-{cid}") or None for name in service.RATING_FIELDS}
        if not any(raw.values()):
            continue
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if value is None or value == "cannot":
                values[name] = None
            elif name in ("importance", "frequency"):
                values[name] = int(value) if str(value).isdigit() else value
            elif name in ("day_one", "learnable"):
                values[name] = {"yes": True, "no": False}.get(str(value), value)
            else:
                values[name] = value
        out[cid] = service.checked_rating(values, where=f"ratings[{cid}].")
    return out


@post("/expert/{token:str}/ratings", include_in_schema=False)
async def expert_ratings(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    """Every answer of the rating form (``go``: save, submit, or confirm = submit although
    some competencies are not rated, after the page asked)."""
    link, lang = await _writing(request, token)
    if link is None:
        return _invalid(lang)
    form = await request.form()
    go = form.get("go")
    try:
        view = await service.view(link, lang)
        await service.save_ratings(link, _posted(form, [c.id for c in view.competencies]))
        if go in ("submit", "confirm"):
            rated, total = await service.progress(link)
            if rated < total and go != "confirm":
                return await _page(link, token, lang, unrated_to_confirm=total - rated)
            await service.finish_ratings(link)
            return Redirect(path=_here(token))
    except DomainError as err:
        return await _refused(link, token, lang, err, what="ratings")
    return Redirect(path=_here(token, saved="ratings"))


EXPERT_PAGE_HANDLERS = [
    expert_page,
    expert_add_card,
    expert_delete_card,
    expert_cards_done,
    expert_ratings,
]

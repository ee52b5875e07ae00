"""The rules of an expert's link: what an expert may write in which step of the study.

- Step ``cards``: the expert writes cards (1-300 characters, at most ``MAX_CARDS``) or picks
  them from the library (a competency or one of its behaviours, in the expert's language;
  the same pick twice gives back the card already made), deletes their own cards, and says
  when they have finished (they may go on until the study leaves the step).
- Step ``rate``: the expert rates each draft competency (five answers, ``None`` = cannot
  say), stored the moment each is given, and submits; ratings stay changeable until the
  study leaves the step.
- Any other write, and every write in ``sort``, ``decide`` and ``applied``, is a conflict
  (409) that changes nothing.

An expert sees only their own cards and ratings, and never another expert's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, cast

from assessments.competency import Competency, localized, localized_named
from assessments.errors import Problem
from server.core.errors import Invalid, NotFound
from server.core.tokens import plausible
from server.core.vocabulary import Lawshe, StudyStep
from server.job_analysis import expert_repository as store
from server.job_analysis import names
from server.job_analysis.expert_repository import ExpertLink, OwnCard, OwnRating, StepClosed
from server.job_analysis.expert_schemas import (
    CardIn,
    CardSaved,
    DraftCompetency,
    ExpertCard,
    ExpertLibrary,
    ExpertView,
    Indicator,
    LibraryCompetency,
    LibraryIndicator,
    Rating,
    RatingIn,
    RatingSaved,
    Step,
)
from server.library import repository as library

MAX_CARDS = 40
MAX_TEXT = 300
SCALE = (1, 5)  # importance and frequency
INVALID_LINK = "This link is not valid (unknown or no longer open)"
RATING_FIELDS = ("importance", "frequency", "day_one", "learnable", "lawshe")
LAWSHE_ANSWERS = tuple(a.value for a in Lawshe)
# the problems of a card, as the API says them (the page says each in the expert's words)
TEXT_EMPTY = "write the behaviour or skill on the card"
TEXT_TOO_LONG = f"at most {MAX_TEXT} characters"
TOO_MANY_CARDS = f"at most {MAX_CARDS} cards per expert: delete one to add another"
TEXT_OR_SOURCE = "send either text or source"
SOURCE_FORMAT = "expected 'competency-key' or 'competency-key/behaviour-key'"
SOURCE_UNKNOWN = "not a competency or behaviour (seen when present) of the library"
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
_LIBRARY_PAGE = 500

Writable = Literal["cards", "ratings"]


def writable(step: str) -> Writable | None:
    """What an expert may change in ``step``."""
    if step == StudyStep.CARDS:
        return "cards"
    if step == StudyStep.RATE:
        return "ratings"
    return None


async def open_link(token: str) -> ExpertLink | None:
    """The expert of a link, or ``None`` for a malformed or unknown one (no lookup for a
    token that cannot be one of ours)."""
    return await store.expert_by_token(token) if plausible(token) else None


async def reload(link: ExpertLink) -> ExpertLink | None:
    """The expert as stored now, or ``None`` once the facilitator has removed them."""
    return await store.expert_by_id(link.id)


async def remember_language(link: ExpertLink, language: str) -> None:
    if language != link.language:
        await store.set_language(link.id, language)


def _closed(exc: StepClosed, what: Writable) -> StepClosed:
    """The step conflict said for what the expert tried to change."""
    if what == "cards":
        message = "Cards can be changed only while the study collects them"
    else:
        message = "Ratings can be given only while the study is in its rating step"
    return StepClosed(exc.step, f"{message}; it is in its {exc.step!r} step now. Nothing changed.")


# ---- reading ---------------------------------------------------------------------------


def _card(card: OwnCard) -> ExpertCard:
    return ExpertCard(id=card.id, text=card.text, source=card.source)


def _rating(r: OwnRating) -> Rating:
    return Rating(
        importance=r.importance,
        frequency=r.frequency,
        day_one=r.day_one,
        learnable=r.learnable,
        # type-ignore reason: stored values are the Literal's (checked when saved)
        lawshe=r.lawshe,  # type: ignore[arg-type]
    )


async def progress(link: ExpertLink) -> tuple[int, int]:
    """(draft competencies the expert has rated, draft competencies of the study)."""
    drafts = await store.draft_model(link.study_id)
    mine = await store.own_ratings(link.id)
    return sum(1 for d in drafts if d.id in mine), len(drafts)


async def view(link: ExpertLink, lang: str) -> ExpertView:
    """The expert's page as data: their own cards, and in the rate step the draft model
    with their own ratings."""
    role = localized_named(await library.get_role(link.role_id), lang)
    competencies: list[DraftCompetency] = []
    if link.step == StudyStep.RATE:
        mine = await store.own_ratings(link.id)
        drafts = await store.draft_model(link.study_id)
        linked = await names.library_competencies((d.library_key for d in drafts), lang)
        words = {
            d.id: names.shown(d.name, d.definition, d.library_key, lang, linked) for d in drafts
        }
        competencies = [
            DraftCompetency(
                id=d.id,
                name=words[d.id][0],
                definition=words[d.id][1],
                indicators=[
                    Indicator(
                        text=i.text, polarity="absent" if i.polarity == "absent" else "present"
                    )
                    for i in d.indicators
                ],
                rating=_rating(mine[d.id]) if d.id in mine else None,
            )
            for d in drafts
        ]
    return ExpertView(
        study=link.study_name,
        role=role.name,
        step=cast(Step, link.step),
        language=lang,
        name=link.name,
        writable=writable(link.step),
        cards=[_card(c) for c in await store.own_cards(link.id)],
        max_cards=MAX_CARDS,
        cards_done=link.cards_done_at is not None,
        competencies=competencies,
        rated=sum(1 for c in competencies if c.rating is not None),
        total=len(competencies),
        ratings_done=link.ratings_done_at is not None,
    )


async def _all_competencies() -> list[Competency]:
    out: list[Competency] = []
    while True:
        page, total = await library.list_competencies(limit=_LIBRARY_PAGE, offset=len(out))
        out.extend(page)
        if not page or len(out) >= total:
            return out


def _behaviours(c: Competency) -> list[LibraryIndicator]:
    """The behaviours an expert may pick: those seen when the competency is present (the
    question asks what people at their best do)."""
    return [
        LibraryIndicator(source=f"{c.key}/{i.key}", text=i.text)
        for i in c.indicators
        if i.key and i.polarity == "present"
    ]


async def library_choices(link: ExpertLink, lang: str) -> ExpertLibrary:
    """The library to pick cards from, in ``lang``: the role's competencies first (in the
    role's order), then the others (in library order), and the sources already picked."""
    role = await library.get_role(link.role_id)
    order = {r.competency: n for n, r in enumerate(role.competencies)}
    found = await _all_competencies()
    ranked = sorted(found, key=lambda c: (c.key not in order, order.get(c.key, 0)))
    choices = []
    for c in ranked:
        shown = localized(c, lang)
        choices.append(
            LibraryCompetency(
                source=c.key,
                name=shown.name,
                definition=shown.definition,
                in_role=c.key in order,
                indicators=_behaviours(shown),
            )
        )
    picked = sorted({c.source for c in await store.own_cards(link.id) if c.source})
    return ExpertLibrary(competencies=choices, picked=picked)


# ---- cards -----------------------------------------------------------------------------


def card_text(raw: str) -> str:
    """A card's text: trimmed, 1-300 characters, one line of spaces."""
    text = " ".join(raw.split())
    if not text:
        raise Invalid([Problem("text", TEXT_EMPTY)])
    if len(text) > MAX_TEXT:
        raise Invalid([Problem("text", TEXT_TOO_LONG)])
    return text


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


async def picked_text(source: str, lang: str) -> str:
    """The card text of a library source in ``lang``: the behaviour's text, or the
    competency's name; 422 naming ``source`` when the library has no such thing."""
    key, slash, behaviour = source.partition("/")
    problem = Problem("source", SOURCE_UNKNOWN)
    if len(source) > 120 or not _KEY.match(key) or (slash and not _KEY.match(behaviour)):
        raise Invalid([Problem("source", SOURCE_FORMAT)])
    try:
        competency = localized(await library.get_competency(await library.competency_id(key)), lang)
    except NotFound:
        raise Invalid([problem]) from None
    if not slash:
        return _shortened(competency.name)
    for i in _behaviours(competency):
        if i.source == source:
            return _shortened(i.text)
    raise Invalid([problem])


async def add_card(link: ExpertLink, data: CardIn, lang: str) -> CardSaved:
    """Write a card (``text``) or pick one from the library (``source``, its text in
    ``lang``). Picking a source the expert already has gives back that card."""
    text = data.text if isinstance(data.text, str) else None
    source = data.source if isinstance(data.source, str) else None
    if (text is None) == (source is None):
        raise Invalid([Problem("text", TEXT_OR_SOURCE)])
    written = card_text(text) if text is not None else await picked_text(str(source), lang)
    try:
        saved = await store.add_card(
            link, written, source or "", step=StudyStep.CARDS, limit=MAX_CARDS
        )
    except StepClosed as exc:
        raise _closed(exc, "cards") from None
    if saved is None:
        raise Invalid([Problem("text", TOO_MANY_CARDS)])
    card, created = saved
    count = len(await store.own_cards(link.id))
    return CardSaved(card=_card(card), created=created, cards=count, max_cards=MAX_CARDS)


async def delete_card(link: ExpertLink, card_id: int) -> None:
    try:
        await store.delete_card(link, card_id, step=StudyStep.CARDS)
    except StepClosed as exc:
        raise _closed(exc, "cards") from None


async def finish_cards(link: ExpertLink) -> None:
    try:
        await store.mark_cards_done(link, step=StudyStep.CARDS)
    except StepClosed as exc:
        raise _closed(exc, "cards") from None


# ---- ratings ---------------------------------------------------------------------------


def checked_rating(values: Mapping[str, Any], where: str = "") -> OwnRating:
    """Five answers as stored, every problem named by its field (``where`` + name)."""
    problems = []
    for name in ("importance", "frequency"):
        v = values.get(name)
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, int) or not SCALE[0] <= v <= SCALE[1]
        ):
            problems.append(Problem(where + name, "choose 1 to 5, or null for cannot say"))
    for name in ("day_one", "learnable"):
        v = values.get(name)
        if v is not None and not isinstance(v, bool):
            problems.append(Problem(where + name, "choose true or false, or null for cannot say"))
    lawshe = values.get("lawshe")
    if lawshe is not None and lawshe not in LAWSHE_ANSWERS:
        problems.append(
            Problem(
                where + "lawshe",
                "choose essential, useful or not_necessary, or null for cannot say",
            )
        )
    if problems:
        raise Invalid(problems)
    return OwnRating(
        importance=values.get("importance"),
        frequency=values.get("frequency"),
        day_one=values.get("day_one"),
        learnable=values.get("learnable"),
        lawshe=lawshe,
    )


async def save_ratings(link: ExpertLink, ratings: Mapping[int, OwnRating]) -> None:
    """Store ratings of several competencies at once (the page's form), all or nothing."""
    try:
        await store.save_ratings(link, ratings, step=StudyStep.RATE)
    except StepClosed as exc:
        raise _closed(exc, "ratings") from None


async def save_rating(link: ExpertLink, competency_id: int, data: RatingIn) -> RatingSaved:
    """Store the five answers on one competency (replacing the earlier ones)."""
    rating = checked_rating({name: getattr(data, name) for name in RATING_FIELDS})
    await save_ratings(link, {competency_id: rating})
    rated, total = await progress(link)
    return RatingSaved(
        competency_id=competency_id, rating=_rating(rating), answered=rated, total=total
    )


async def finish_ratings(link: ExpertLink) -> None:
    """Submit the ratings (those not given count as not rated; the page asks first)."""
    try:
        await store.mark_ratings_done(link, step=StudyStep.RATE)
    except StepClosed as exc:
        raise _closed(exc, "ratings") from None

"""Bodies of the expert's API ``/api/v1/expert/{token}``: what an expert sends and reads.

Nothing here names another expert or carries another expert's cards or ratings: the draft
model's indicators are card texts without their authors.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import Struct

from server.core.schemas import Base

Step = Literal["cards", "sort", "rate", "decide", "applied"]
Polarity = Literal["present", "absent"]
LawsheAnswer = Literal["essential", "useful", "not_necessary"]


class CardIn(Base, omit_defaults=True):
    """A card: ``text`` written by the expert (1-300 characters once trimmed), or
    ``source``, a library competency (``"key"``) or indicator (``"key/indicator-key"``)
    whose text (in the expert's language) becomes the card. One of the two."""

    text: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET


class RatingIn(Base):
    """The expert's five answers on one draft competency; ``null`` is "cannot say".

    ``importance`` and ``frequency`` 1-5; ``day_one`` (needed on the first day) and
    ``learnable`` (learnable on the job within the first months) true or false; ``lawshe``
    one of ``essential``, ``useful`` (useful but not essential), ``not_necessary``."""

    importance: int | None
    frequency: int | None
    day_one: bool | None
    learnable: bool | None
    lawshe: str | None


class ExpertCard(Struct, kw_only=True):
    """One of the expert's own cards."""

    id: int
    text: str
    source: str


class Rating(Struct, kw_only=True):
    """The expert's stored answers on one competency (``null`` = cannot say)."""

    importance: int | None
    frequency: int | None
    day_one: bool | None
    learnable: bool | None
    lawshe: LawsheAnswer | None


class Indicator(Struct, kw_only=True):
    """A behaviour sorted into a draft competency (a card's text, no author)."""

    text: str
    polarity: Polarity


class DraftCompetency(Struct, kw_only=True):
    """A competency of the study's draft model, with the expert's own rating if given."""

    id: int
    name: str
    definition: str
    indicators: list[Indicator]
    rating: Rating | None


class ExpertView(Struct, kw_only=True):
    """What the expert's link shows now.

    ``writable`` says what may be changed in this step: ``cards`` (step ``cards``),
    ``ratings`` (step ``rate``) or nothing. ``competencies`` is listed in the ``rate`` step
    only; ``rated`` counts those the expert has rated."""

    study: str
    role: str
    step: Step
    language: str
    name: str
    writable: Literal["cards", "ratings"] | None
    cards: list[ExpertCard]
    max_cards: int
    cards_done: bool
    competencies: list[DraftCompetency]
    rated: int
    total: int
    ratings_done: bool


class CardSaved(Struct, kw_only=True):
    """The card stored (or the one already picked from the same source), and the count."""

    card: ExpertCard
    created: bool
    cards: int
    max_cards: int


class RatingSaved(Struct, kw_only=True):
    """The rating stored and how far the expert is: ``answered`` competencies rated of
    ``total`` (the page's counter reads ``answered``)."""

    competency_id: int
    rating: Rating
    answered: int
    total: int


class LibraryIndicator(Struct, kw_only=True):
    source: str
    text: str


class LibraryCompetency(Struct, kw_only=True):
    """A library competency to pick cards from, in the expert's language; ``in_role``: one
    of the study role's competencies (listed first)."""

    source: str
    name: str
    definition: str
    in_role: bool
    indicators: list[LibraryIndicator]


class ExpertLibrary(Struct, kw_only=True):
    competencies: list[LibraryCompetency]
    picked: list[str]

"""Request and response bodies of job-analysis studies (the facilitator's side)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from server.core.schemas import Base, Email, Id, Key, Name
from server.core.vocabulary import Language

ExpertKindName = Literal["incumbent", "manager", "trainer"]
StepName = Literal["cards", "sort", "rate", "decide", "applied"]
Reason = Annotated[str, Meta(max_length=1000)]
Share = Annotated[float, Meta(ge=0, le=1)]


class StudyIn(Base):
    name: Name
    role_id: Id


class RulesIn(Base):
    """The decision rules; a field left out keeps its value (see README, job analysis)."""

    alpha: Annotated[float, Meta(gt=0, lt=1)] | None = None
    day_one_share: Share | None = None
    learnable_below: Share | None = None
    develop_importance: Annotated[float, Meta(ge=1, le=5)] | None = None
    develop_learnable: Share | None = None
    min_experts: Annotated[int, Meta(ge=1, le=100)] | None = None
    low_rwg: Share | None = None


class StudyPatch(Base):
    name: Name | None = None
    step: Annotated[
        StepName | None,
        Meta(description="Move to this step: only the next one, or back one before decide"),
    ] = None
    rules: RulesIn | None = None


class ExpertIn(Base):
    name: Name
    email: Email
    kind: ExpertKindName
    language: Language = "en"


class Expert(Struct, kw_only=True):
    id: int
    name: str
    email: str
    kind: str
    language: str
    invited_at: datetime
    cards_done: bool
    ratings_done: bool
    cards: int  # how many cards the expert wrote (never which)
    link: str | None = None  # only in the answer to an invitation or a new link


class Card(Struct, kw_only=True):
    """A card as the facilitator sees it: never who wrote it."""

    id: int
    text: str
    source: str
    competency_id: int | None
    polarity: str
    language: str  # the expert's language when it was written (the text shows it anyway)


class CardPatch(Base):
    competency_id: Annotated[Id | None, Meta(description="null: back to the unsorted pile")] = None
    polarity: Literal["present", "absent"] = "present"


class DraftIn(Base):
    name: Name
    definition: Annotated[str, Meta(max_length=300)] = ""
    key: Key | None = None
    library_key: Annotated[
        Key | None, Meta(description="link the group to this library competency")
    ] = None


class DraftPatch(Base):
    name: Name | None = None
    definition: Annotated[str, Meta(max_length=300)] | None = None
    library_key: Key | None = None
    unlink: bool = False


class MergeIn(Base):
    into: Id


class Draft(Struct, kw_only=True):
    id: int
    key: str
    name: str
    definition: str
    library_key: str | None
    position: int
    cards: int
    select_for: bool | None
    develop: bool | None
    reason: str


class DecisionIn(Base):
    select_for: bool
    develop: bool
    reason: Reason = ""


class Study(Struct, kw_only=True):
    id: int
    name: str
    role_id: int
    role_key: str
    role_name: str
    step: str
    rules: dict[str, float]
    created_at: datetime
    created_by: int | None
    applied_at: datetime | None
    library_version: int | None
    experts: list[Expert]
    cards: int
    unsorted: int
    competencies: list[Draft]


class StudySummary(Struct, kw_only=True):
    id: int
    name: str
    role_id: int
    role_name: str
    step: str
    experts: int
    created_at: datetime
    applied_at: datetime | None


class StudyPage(Struct, kw_only=True):
    items: list[StudySummary]
    total: int
    limit: int
    offset: int


class Applied(Struct, kw_only=True):
    study_id: int
    library_version: int
    role_id: int

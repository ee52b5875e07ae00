"""Request and response bodies (msgspec Structs); the library document shares them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from server.core.vocabulary import StaffRole

Key = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*\Z",
        description="a stable key: lower-case letters, digits and underscores, first a letter",
        examples=["customer_orientation"],
    ),
]
# Characters a name shown to other people may not hold: control characters (a CR/LF in a
# name would break every e-mail header it goes into), zero-width characters and the
# bidirectional overrides and isolates that make a name read differently from its bytes.
HIDDEN_CHARS = "\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
Name = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=120,
        pattern=f"^[^{HIDDEN_CHARS}]*\\Z",  # emptiness is min_length's problem
        description="a name: no control, zero-width or bidirectional-override characters",
    ),
]
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
Id = Annotated[int, Meta(ge=1, le=MAX_ID, description=f"An id (1 to {MAX_ID})")]
Definition = Annotated[str, Meta(min_length=1, max_length=300)]
LongText = Annotated[str, Meta(max_length=2000)]
Lang = Annotated[
    str,
    Meta(pattern=r"^[a-z]{2}\Z", description="a two-letter ISO 639-1 language code, e.g. ru"),
]
Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z",
        description="an e-mail address such as name@example.org",
    ),
]
Password = Annotated[str, Meta(min_length=1, max_length=256)]
NewPassword = Annotated[str, Meta(min_length=10, max_length=256)]
Polarity = Literal["present", "absent"]
MeasureKind = Literal["kpi", "observation", "survey"]
ActivityKind = Literal["training", "coaching", "mentoring", "on_the_job", "self_study"]
Weight = Annotated[float, Meta(gt=0, le=10)]
Level = Annotated[int, Meta(ge=1, le=5)]


class Base(Struct, forbid_unknown_fields=True, kw_only=True):
    """Bodies refuse unknown fields so that a typo is reported, not ignored."""


class NamedText(Base, omit_defaults=True):
    name: Name | None = None
    description: LongText | None = None


class CompetencyText(Base, omit_defaults=True):
    name: Name | None = None
    definition: Definition | None = None
    benefit: LongText | None = None


class MeasureText(Base, omit_defaults=True):
    name: Name | None = None
    description: LongText | None = None


class ActivityText(Base, omit_defaults=True):
    title: Name | None = None
    description: LongText | None = None


class Indicator(Base):
    text: LongText
    polarity: Polarity = "present"
    key: Key | None = None
    translations: dict[Lang, LongText] = {}


class Measure(Base):
    name: Name
    kind: MeasureKind
    description: LongText = ""
    translations: dict[Lang, MeasureText] = {}


class Activity(Base):
    kind: ActivityKind
    title: Name
    module: Key | None = None
    description: LongText = ""
    translations: dict[Lang, ActivityText] = {}


class AreaIn(Base):
    key: Key
    name: Name
    description: LongText = ""
    translations: dict[Lang, NamedText] = {}


class Area(AreaIn, kw_only=True):
    id: int


class CompetencyIn(Base):
    key: Key
    name: Name
    definition: Definition
    select_for: bool = False
    develop: bool = False
    area: Key | None = None
    benefit: LongText = ""
    indicators: Annotated[list[Indicator], Meta(max_length=50)] = []
    measures: Annotated[list[Measure], Meta(max_length=50)] = []
    activities: Annotated[list[Activity], Meta(max_length=50)] = []
    translations: dict[Lang, CompetencyText] = {}


class Competency(CompetencyIn, kw_only=True):
    id: int


IsoDate = Annotated[
    str,
    Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?\Z",
        description="a date as YYYY-MM-DD (a time may follow, ISO 8601)",
    ),
]


class FlagEvidence(Base, omit_defaults=True):
    """Why a flag of a competency stands for a role: a job-analysis study with its figures
    (``source: study``) or a change by hand (``source: hand``; ``earlier`` holds what it
    replaced). ``{"source": "hand"}`` alone means nothing is recorded."""

    source: Literal["study", "hand"]
    value: bool | None = None
    date: IsoDate | None = None
    study: Annotated[int, Meta(ge=1, le=MAX_ID)] | None = None
    study_name: Annotated[str, Meta(max_length=120)] | None = None
    experts: dict[Annotated[str, Meta(max_length=32)], Annotated[int, Meta(ge=0)]] | None = None
    proposed: bool | None = None
    overridden: bool | None = None
    reason: LongText | None = None
    library_version: Annotated[int, Meta(ge=1)] | None = None
    figures: dict[Annotated[str, Meta(max_length=64)], float | None] | None = None
    by: Annotated[str, Meta(max_length=254)] | None = None
    role_name: Annotated[str, Meta(max_length=120)] | None = None
    earlier: FlagEvidence | None = None


FlagName = Literal["select_for", "develop"]


class Requirement(Base):
    competency: Key
    weight: Weight = 1.0
    required_level: Level = 3
    evidence: Annotated[
        dict[FlagName, FlagEvidence],
        Meta(
            description=(
                "Why each flag of the competency stands for this role; on input a flag left "
                'out keeps what is stored, and {"source": "hand"} alone records nothing'
            )
        ),
    ] = {}


class RoleIn(Base):
    key: Key
    name: Name
    area: Key | None = None
    description: LongText = ""
    competencies: Annotated[list[Requirement], Meta(max_length=100)] = []
    translations: dict[Lang, NamedText] = {}


class Role(RoleIn, kw_only=True):
    id: int


class LibraryDocument(Base):
    """The whole library, referenced by keys; what export writes and import reads."""

    format: Literal["competency-library"] = "competency-library"
    version: Literal[1] = 1
    areas: list[AreaIn] = []
    competencies: list[CompetencyIn] = []
    roles: list[RoleIn] = []


class ImportResult(Base):
    areas: int
    competencies: int
    roles: int
    created: int
    updated: int


class Page(Struct, kw_only=True):
    total: int
    limit: int
    offset: int


class CompetencyPage(Page, kw_only=True):
    items: list[Competency]


class RolePage(Page, kw_only=True):
    items: list[Role]


class AreaPage(Page, kw_only=True):
    items: list[Area]


class Login(Base):
    email: Annotated[str, Meta(min_length=1, max_length=254)]
    password: Password


class UserIn(Base):
    email: Email
    role: StaffRole
    password: NewPassword
    name: Annotated[str, Meta(max_length=120)] = ""


class UserUpdate(Base):
    role: StaffRole | None = None
    password: NewPassword | None = None
    name: Annotated[str, Meta(max_length=120)] | None = None
    active: bool | None = None


class User(Struct, kw_only=True):
    id: int
    email: str
    name: str
    role: StaffRole
    active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class Health(Struct, kw_only=True):
    status: str
    database: str


def to_builtins(value: object) -> object:
    """A Struct or domain dataclass as plain JSON-ready data."""
    return msgspec.to_builtins(value)

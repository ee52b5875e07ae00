"""Request and response bodies of 360 review cycles, subjects, raters and rater answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from server.core.schemas import Base, Email, Id, Key, Name
from server.core.vocabulary import ALL_LANGUAGES, Group, Language


class ReviewIn(Base):
    name: Name
    role_id: Id
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    anonymity_threshold: Annotated[int, Meta(ge=2, le=10)] = 3
    # days after the cycle opens (opens_at, else when it was created) on which raters who
    # have not submitted are reminded by e-mail; they are also reminded the day before
    # closes_at
    reminder_days: Annotated[
        list[Annotated[int, Meta(ge=1, le=60)]],
        Meta(
            max_length=10,
            description="Days after the cycle opens (opens_at, else its creation) on which "
            "raters who have not submitted are e-mailed a reminder; they are also reminded "
            "the day before closes_at. At most one reminder per rater and day.",
        ),
    ] = []
    add_competencies: Annotated[list[Key], Meta(max_length=30)] = []
    drop_competencies: Annotated[list[Key], Meta(max_length=30)] = []
    languages: Annotated[list[Language], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: list(ALL_LANGUAGES)
    )


class GroupCounts(Struct, kw_only=True):
    nominated: int = 0  # proposed by the subject, awaiting the coach's approval
    invited: int = 0
    started: int = 0
    submitted: int = 0


class Review(Struct, kw_only=True):
    id: int
    name: str
    role_id: int
    owner_id: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    anonymity_threshold: int
    reminder_days: list[int]
    languages: list[str]
    competencies: list[str]
    statements: int
    created_at: datetime
    # "open" (answers are taken), "closed" (no answers, results not released) or
    # "released" (closed, and the latest results released)
    state: Literal["open", "closed", "released"] = "open"
    releases: int = 0


class ReopenIn(Base):
    """Take late answers until ``closes_at``; released results stay as released."""

    closes_at: datetime


class ReleasedSubject(Struct, kw_only=True):
    subject_id: int
    name: str
    counted: int  # submitted forms in the subject's report, over every release
    added: int  # forms first counted in this release
    # "new report", "unchanged" (no form since the last release), "no forms", or
    # "held": a form counted in an earlier release was erased since, so a new report
    # would let its answers be worked out by difference
    outcome: Literal["new report", "unchanged", "no forms", "held"]


class Release(Struct, kw_only=True):
    """A release of a closed cycle's results: computed once, frozen, then only read."""

    review_id: int
    number: int
    released_at: datetime
    released_by: str | None
    subjects: list[ReleasedSubject]


class ReviewPage(Struct, kw_only=True):
    items: list[Review]
    total: int
    limit: int
    offset: int


class SubjectIn(Base):
    name: Name
    email: Email


class Subject(Struct, kw_only=True):
    id: int
    review_id: int
    name: str
    email: str
    nomination_link: str | None = None  # only when the subject is added


class Nomination(Struct, kw_only=True):
    """What the subject sees on their nomination link: the cycle and their own proposals."""

    review: str
    subject: str
    # only the subject's own proposals, each "awaiting approval" or "approved": nothing of
    # the raters the coach invited, nor who has answered
    raters: list[dict[str, str]]


class RaterIn(Base):
    name: Name
    email: Email
    group: Group
    language: Language | None = None


class Rater(Struct, kw_only=True):
    id: int
    subject_id: int
    name: str
    email: str
    group: str
    status: str
    language: str
    invited_at: datetime
    submitted_at: datetime | None = None
    link: str | None = None  # only when the link is (re)issued: the token is not stored
    nominated_by: Literal["subject", "coach"] = "coach"


class SubjectProgress(Struct, kw_only=True):
    subject_id: int
    name: str
    groups: dict[str, GroupCounts]


class Progress(Struct, kw_only=True):
    review_id: int
    subjects: list[SubjectProgress]


class Reminder(Struct, kw_only=True):
    """A rater who has not submitted, and whether a reminder was queued for them now."""

    rater_id: int
    name: str
    email: str
    subject: str
    # False: this rater was already reminded today (one reminder a day at most)
    queued: bool


class Reminders(Struct, kw_only=True):
    """Reminders queued in the outbox; each carries the link its rater already has."""

    queued: int
    # False: no mail server is configured (SMTP_URL): the reminders wait in the outbox,
    # "not sent: no mail server configured"
    mail_configured: bool
    reminders: list[Reminder]


class RateScale(Struct, kw_only=True):
    min: int
    max: int
    anchors: list[str]
    cannot_say: bool


class RateItem(Struct, kw_only=True):
    id: int
    format: Literal["rating", "comment"]
    text: str
    competency: str | None = None
    scale: RateScale | None = None


class RaterForm(Struct, kw_only=True, tag="360", tag_field="kind"):
    """A rater's own survey: the statements about one subject, and the saved answers."""

    status: Literal["invited", "started", "submitted"]
    language: str
    subject: str
    items: list[RateItem]
    answers: dict[str, dict[str, Any]]
    answered: int
    total: int
    closes_at: datetime | None = None


# ---- reliability of a cycle (GET /api/v1/reviews/{id}/reliability) ---------------------


class Finding(Struct, kw_only=True):
    """A warning: a code, its English text and the values in it."""

    code: str
    message: str
    params: dict[str, float | str] = {}  # oneOf number|integer would match both for an int


class ItemReliability(Struct, kw_only=True):
    """One statement of a competency scale (scored scale: reverse keying applied)."""

    id: int
    reverse: bool
    n: int
    mean: float | None
    sd: float | None
    r_drop: float | None  # corrected item-total correlation
    alpha_if_deleted: float | None
    flags: list[str]


class CompetencyReliability(Struct, kw_only=True):
    """Internal consistency of one competency's statements over the cycle's forms."""

    competency: str
    k: int  # statements
    n: int  # forms with at least one rating on the competency
    n_pairwise: int  # smallest pairwise n: the n of the alpha interval
    alpha: float | None
    std_alpha: float | None
    alpha_ci: list[float | None]  # Feldt 95 %
    omega: float | None  # omega total, one-factor minres
    lambda6: float | None
    items: list[ItemReliability]
    warnings: list[Finding]


class ICC(Struct, kw_only=True):
    form: str  # "ICC2" (single rater) or "ICC2k" (mean of the group's raters)
    value: float | None
    ci: list[float | None]
    F: float | None
    df1: float
    df2: float
    p: float | None


class GroupAgreement(Struct, kw_only=True):
    """Agreement within a group the person's report shows (never a suppressed group)."""

    group: str
    n: int
    statements: int  # rated by every rater of the group: the ICC's targets
    icc: ICC | None
    icc_k: ICC | None
    rwg: dict[str, float | None]  # rwg(J) per competency, uniform null
    warnings: list[Finding]


class SubjectAgreement(Struct, kw_only=True):
    subject: int
    name: str = ""
    groups: list[GroupAgreement]
    suppressed_groups: list[str]  # names only


class ReviewReliability(Struct, kw_only=True):
    """Reliability of a 360 cycle: per competency scale, and rater agreement per person."""

    review_id: int
    release: int  # the release these figures come from (frozen when it was made)
    released_at: datetime
    scale: list[int]
    threshold: int
    subjects: int
    forms: int
    responses: dict[str, int]  # submitted forms per group over the cycle
    ratings: int
    cannot_say: int
    withheld: int  # ratings no report shows (anonymity), left out
    competencies: list[CompetencyReliability]
    agreement: list[SubjectAgreement]
    missing: str
    agreement_method: str
    warnings: list[Finding]


class RaterAnswerIn(Base, omit_defaults=True):
    """One answer of a rater's form as the page saves it: ``rating`` (1-5, ``null`` =
    cannot say) on a statement, ``comment`` on a comment box or an open question."""

    rating: int | msgspec.UnsetType | None = msgspec.UNSET
    comment: str | msgspec.UnsetType = msgspec.UNSET


class RaterSaved(Struct, kw_only=True):
    """A stored answer and how far the form now is (counts only, never the answers)."""

    item_id: int
    answered: int
    total: int

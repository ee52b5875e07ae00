"""The product's closed vocabularies, defined once: languages and rater groups.

Schemas, tables, pages and the CLI take these names from here (the 360 groups are the
domain's own, :data:`assessments.survey360.aggregation.GROUPS`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from assessments.survey360.aggregation import GROUPS as _GROUPS

__all__ = [
    "ALL_LANGUAGES",
    "GROUPS",
    "LANGUAGES",
    "CandidateStatus",
    "ExpertKind",
    "Group",
    "ItemStatus",
    "Language",
    "Lawshe",
    "NominatedBy",
    "RaterGroup",
    "RaterStatus",
    "StaffRole",
    "StaffRoleChoice",
    "StudyStep",
]

Language = Literal["en", "ru", "sv", "nb"]
"""A language the product speaks (ISO 639-1)."""

LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
}
"""Each language and its own name for itself, in the order pages list them."""

ALL_LANGUAGES: tuple[Language, ...] = get_args(Language)
"""Every language, as a default for a vacancy or a cycle."""

Group = Literal["self", "manager", "peer", "direct_report", "customer"]
"""A 360 rater group."""

GROUPS: tuple[str, ...] = _GROUPS


class CandidateStatus(StrEnum):
    """Where a candidate's test stands (the ``candidate.status`` column)."""

    INVITED = "invited"
    STARTED = "started"
    SUBMITTED = "submitted"


class RaterStatus(StrEnum):
    """Where a rater's form stands (``rater.status``): a rater the subject proposed is
    ``nominated`` until the coach approves."""

    NOMINATED = "nominated"
    INVITED = "invited"
    STARTED = "started"
    SUBMITTED = "submitted"


class NominatedBy(StrEnum):
    """Who asked a rater (``rater.nominated_by``)."""

    COACH = "coach"
    SUBJECT = "subject"


class ItemStatus(StrEnum):
    """An SJT item's life (``sjt_item.status``): only active items go on new forms."""

    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class OutboxStatus(StrEnum):
    """Where a message of the outbox stands (``outbox_message.status``).

    ``queued`` waits for its time (``next_attempt_at``); ``sending`` is held by one worker
    until ``locked_until`` (a worker that died leaves it to be taken again, with the same
    ``Message-ID``); ``failed`` gave up after the last try or on a permanent refusal;
    ``cancelled`` is no longer due (the person submitted, the link was revoked, staff).
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    """Where a background job stands (``background_job.status``)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MessageKind(StrEnum):
    """What an outbox message is (``outbox_message.kind``); each has its template."""

    CANDIDATE_INVITATION = "candidate_invitation"
    CANDIDATE_REMINDER = "candidate_reminder"
    CANDIDATE_RECEIPT = "candidate_receipt"
    RATER_INVITATION = "rater_invitation"
    RATER_REMINDER = "rater_reminder"
    NOMINATION_INVITATION = "nomination_invitation"
    COACH_NOTICE = "coach_notice"
    EXPERT_INVITATION = "expert_invitation"  # to a job-analysis study's cards step
    EXPERT_RATING = "expert_rating"  # the study's draft model is ready to rate


class StudyStep(StrEnum):
    """Where a job-analysis study stands (``job_analysis.step``), in order.

    ``cards``: experts write cards; ``sort``: the facilitator groups them into competencies;
    ``rate``: experts rate the draft model; ``decide``: the facilitator accepts or overrides
    the proposed flags; ``applied``: the model is in the library (read-only from then on).
    """

    CARDS = "cards"
    SORT = "sort"
    RATE = "rate"
    DECIDE = "decide"
    APPLIED = "applied"


class ExpertKind(StrEnum):
    """Who a job-analysis expert is (``job_analysis_expert.kind``)."""

    INCUMBENT = "incumbent"
    MANAGER = "manager"
    TRAINER = "trainer"


class Lawshe(StrEnum):
    """The answer to Lawshe's (1975) question: is the competency essential to the job?"""

    ESSENTIAL = "essential"
    USEFUL = "useful"
    NOT_NECESSARY = "not_necessary"


StaffRole = Literal["admin", "recruiter", "coach"]
"""A staff member's role."""


class StaffRoleChoice(StrEnum):
    """The staff roles as an enum, for the ``staff_user.role`` column's choices."""

    ADMIN = "admin"
    RECRUITER = "recruiter"
    COACH = "coach"


class RaterGroup(StrEnum):
    """The 360 rater groups (``rater.group``), in report order."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    DIRECT_REPORT = "direct_report"
    CUSTOMER = "customer"


assert tuple(LANGUAGES) == ALL_LANGUAGES
assert get_args(Group) == GROUPS == tuple(RaterGroup)
assert get_args(StaffRole) == tuple(StaffRoleChoice)

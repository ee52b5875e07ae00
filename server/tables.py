"""Piccolo tables; only the slices' storage modules (``server/*/repository.py``) import them.

Each table's ``id: Serial`` is the primary key Piccolo adds by itself; it is declared
(annotation only, no column object) so that the type checker knows it.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Real,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from server.core.vocabulary import (
    CandidateStatus,
    ExpertKind,
    ItemStatus,
    JobStatus,
    MessageKind,
    NominatedBy,
    OutboxStatus,
    RaterGroup,
    RaterStatus,
    StaffRoleChoice,
    StudyStep,
)


class CompetencyArea(Table, tablename="competency_area"):
    """A group of roles that share base skills (e.g. Service Delivery)."""

    id: Serial

    key = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=120)
    description = Text(default="")
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class Competency(Table, tablename="competency"):
    """A competency with its behavioural indicators, measures and activities (JSON lists)."""

    id: Serial

    key = Varchar(length=64, unique=True, index=True)
    area = ForeignKey(references=CompetencyArea, null=True, on_delete=OnDelete.restrict)
    name = Varchar(length=120)
    definition = Varchar(length=300)
    benefit = Text(default="")
    select_for = Boolean(default=False, index=True)
    develop = Boolean(default=False, index=True)
    indicators = JSON(default=[])
    measures = JSON(default=[])
    activities = JSON(default=[])
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class Role(Table, tablename="job_role"):
    """A job profile in an area."""

    id: Serial

    key = Varchar(length=64, unique=True, index=True)
    area = ForeignKey(references=CompetencyArea, null=True, on_delete=OnDelete.restrict)
    name = Varchar(length=120)
    description = Text(default="")
    translations = JSON(default={})
    position = Integer(default=0)
    updated_at = Timestamptz()


class RoleCompetency(Table, tablename="role_competency"):
    """A competency required by a role, with its weight and required level (1-5)."""

    id: Serial

    role = ForeignKey(references=Role, on_delete=OnDelete.cascade, index=True)
    competency = ForeignKey(references=Competency, on_delete=OnDelete.restrict, index=True)
    weight = Real(default=1.0)
    required_level = Integer(default=3)
    position = Integer(default=0)
    # why each flag of the competency stands for this role: {"select_for": {...},
    # "develop": {...}}, each the study and its figures, or "set by hand" (see
    # server/job_analysis/evidence.py)
    evidence = JSON(default={})


class StaffUser(Table, tablename="staff_user"):
    """A staff account: admin, recruiter or coach."""

    id: Serial

    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=120, default="")
    role = Varchar(length=16, choices=StaffRoleChoice)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class StaffSession(Table, tablename="staff_session"):
    """A server-side login session; the cookie holds the token, the table its SHA-256."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed logins per e-mail and per client address, shared by all server processes."""

    id: Serial

    key = Varchar(length=320, unique=True, index=True)
    failures = Integer(default=0)
    first_failure_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


# ---- situational judgement tests -------------------------------------------------------


class SjtItem(Table, tablename="sjt_item"):
    """A scenario with 4-6 response options (``options``: [{key, text, translations}])."""

    id: Serial

    key = Varchar(length=64, unique=True, index=True)
    version = Integer(default=1)
    status = Varchar(length=16, default=ItemStatus.DRAFT, choices=ItemStatus, index=True)
    formats = JSON(default=["rate", "most_least", "rank"])
    context = Text(default="")
    stem = Text()
    options = JSON(default=[])
    translations = JSON(default={})
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SjtItemCompetency(Table, tablename="sjt_item_competency"):
    """A competency an item measures (an item counts for each one it targets)."""

    id: Serial

    item = ForeignKey(references=SjtItem, on_delete=OnDelete.cascade, index=True)
    competency = ForeignKey(references=Competency, on_delete=OnDelete.restrict, index=True)


class ExpertRating(Table, tablename="sjt_expert_rating"):
    """One expert's effectiveness ratings (1-7) of an item's options: {option_key: rating}."""

    id: Serial

    item = ForeignKey(references=SjtItem, on_delete=OnDelete.cascade, index=True)
    expert = Varchar(length=120)
    ratings = JSON(default={})
    created_at = Timestamptz()


class SjtKey(Table, tablename="sjt_key"):
    """A versioned scoring key of an item: effectiveness per option, and how it was made."""

    id: Serial

    item = ForeignKey(references=SjtItem, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    method = Varchar(length=16)  # expert, direct, consensus
    effectiveness = JSON(default={})  # {option_key: mean effectiveness}
    sd = JSON(default={})
    n_experts = Integer(default=0)
    rwg = Real(null=True, default=None)
    flagged = Boolean(default=False)
    reasons = JSON(default=[])
    created_at = Timestamptz()


class ExpertLink(Table, tablename="sjt_expert_link"):
    """A subject-matter expert's link to key items; the token is stored only as its SHA-256.

    ``expert`` is the name the expert's ratings are stored under (ExpertRating.expert)."""

    id: Serial

    name = Varchar(length=120)
    email = Varchar(length=254, default="")
    language = Varchar(length=8, default="en")
    expert = Varchar(length=120)
    token_hash = Varchar(length=64, unique=True, index=True)
    invited_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    invited_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ExpertLinkItem(Table, tablename="sjt_expert_link_item"):
    """An item an expert's link asks them to key, with the ratings saved so far."""

    id: Serial

    link = ForeignKey(references=ExpertLink, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=SjtItem, on_delete=OnDelete.cascade, index=True)
    ratings = JSON(default={})  # {option_key: 1-7}, as saved (complete only when submitted)
    saved_at = Timestamptz(null=True, default=None)


class SjtForm(Table, tablename="sjt_form"):
    """A test form: ordered items, one response format and scoring method, a time limit."""

    id: Serial

    name = Varchar(length=120)
    role = ForeignKey(references=Role, null=True, on_delete=OnDelete.set_null)
    format = Varchar(length=16)
    scoring = Varchar(length=32)
    time_limit_seconds = Integer(default=1800)
    blueprint = JSON(default={})
    parallel_group = Varchar(length=64, default="")
    created_at = Timestamptz()
    # raised by database triggers whenever one of the form's items is edited or its list of
    # items changes (migration ..._items_version_triggers): what an answer was checked
    # against is current exactly when this is unchanged
    items_version = Integer(default=0)


class SjtFormItem(Table, tablename="sjt_form_item"):
    id: Serial
    form = ForeignKey(references=SjtForm, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=SjtItem, on_delete=OnDelete.restrict, index=True)
    position = Integer()


class Campaign(Table, tablename="campaign"):
    """A vacancy: a role, its form(s), dates, time limit, cut score and languages."""

    id: Serial

    name = Varchar(length=120)
    role = ForeignKey(references=Role, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null, index=True)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    time_limit_seconds = Integer(default=1800)
    cut_score = Real(null=True, default=None)
    languages = JSON(default=["en"])
    settings = JSON(default={})  # key_method, ...
    created_at = Timestamptz()


class CampaignForm(Table, tablename="campaign_form"):
    id: Serial
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.cascade, index=True)
    form = ForeignKey(references=SjtForm, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)


class Candidate(Table, tablename="candidate"):
    """An invited candidate; the link's token is stored only as its SHA-256."""

    id: Serial

    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.cascade, index=True)
    form = ForeignKey(references=SjtForm, on_delete=OnDelete.restrict)
    name = Varchar(length=120)
    email = Varchar(length=254)
    token_hash = Varchar(length=64, unique=True, index=True)
    # the link's token is derived from this nonce and SECRET_KEY (server.core.links), so a
    # reminder can carry the same link; "" for links issued before that
    link_nonce = Varchar(length=32, default="")
    option_seed = Integer()
    language = Varchar(length=8, default="")
    extra_time_seconds = Integer(default=0)
    status = Varchar(
        length=16, default=CandidateStatus.INVITED, choices=CandidateStatus, index=True
    )
    invited_at = Timestamptz()
    consented_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    deadline_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    timed_out = Boolean(default=False)


class IssuedLink(Table, tablename="issued_link"):
    """A candidate link just issued, kept sealed for the staff session that issued it.

    The link's token is stored only hashed on ``candidate``; to show the new links after the
    redirect (and as a CSV), this row keeps the token encrypted with a key only the issuing
    session's cookie holds (see ``server.hiring.issued``), for a few minutes.
    """

    id: Serial

    session_hash = Varchar(length=64, index=True)  # SHA-256 of the staff session's token
    batch = Varchar(length=32, index=True)
    candidate = ForeignKey(references=Candidate, on_delete=OnDelete.cascade, index=True)
    sealed = Varchar(length=200)
    expires_at = Timestamptz(index=True)


class Answer(Table, tablename="answer"):
    """The latest answer of a candidate to an item (one row per candidate and item)."""

    id: Serial

    candidate = ForeignKey(references=Candidate, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=SjtItem, on_delete=OnDelete.restrict)
    payload = JSON(default={})
    saved_at = Timestamptz()


class AnswerEvent(Table, tablename="answer_event"):
    """Every answer as it arrived (append-only): the source of truth for audits."""

    id: Serial

    candidate = ForeignKey(references=Candidate, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=SjtItem, on_delete=OnDelete.restrict)
    payload = JSON(default={})
    received_at = Timestamptz()


class Score(Table, tablename="sjt_score"):
    """A derived score with the key versions and method that produced it (recomputable)."""

    id: Serial

    candidate = ForeignKey(references=Candidate, on_delete=OnDelete.cascade, unique=True)
    method = Varchar(length=120)
    key_versions = JSON(default={})
    total = Real(null=True, default=None)
    total_scaled = Real(null=True, default=None)
    competency_scores = JSON(default={})
    answered = Integer(default=0)
    computed_at = Timestamptz()


# ---- 360 reviews -----------------------------------------------------------------------


class Review(Table, tablename="review"):
    """A 360 review cycle: the role's develop competencies as a survey, and its rules."""

    id: Serial

    name = Varchar(length=120)
    role = ForeignKey(references=Role, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null, index=True)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    anonymity_threshold = Integer(default=3)
    reminder_days = JSON(default=[])
    instrument = JSON(default={})  # the survey as built when the cycle opened
    languages = JSON(default=["en", "ru", "sv", "nb"])
    settings = JSON(default={})  # mail: templates, reminders before closing, ...
    created_at = Timestamptz()


class ReviewSubject(Table, tablename="review_subject"):
    """A person reviewed in a cycle."""

    id: Serial

    review = ForeignKey(references=Review, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    email = Varchar(length=254)
    nomination_token_hash = Varchar(length=64, unique=True, index=True)
    link_nonce = Varchar(length=32, default="")  # see Candidate.link_nonce
    created_at = Timestamptz()


class Rater(Table, tablename="rater"):
    """A rater of one subject; the link's token is stored only as its SHA-256."""

    id: Serial

    review = ForeignKey(references=Review, on_delete=OnDelete.cascade, index=True)
    subject = ForeignKey(references=ReviewSubject, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    email = Varchar(length=254, index=True)
    group = Varchar(length=16, choices=RaterGroup)
    token_hash = Varchar(length=64, unique=True, index=True)
    link_nonce = Varchar(length=32, default="")  # see Candidate.link_nonce
    status = Varchar(length=16, default=RaterStatus.INVITED, choices=RaterStatus)
    nominated_by = Varchar(length=16, default=NominatedBy.COACH, choices=NominatedBy)
    language = Varchar(length=8, default="")
    invited_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    # the hash of the link that first saved an answer in this form: a started form opens
    # only by its own link or that one (a link issued later to the same e-mail does not)
    started_by = Varchar(length=64, null=True, default=None)
    # the release of the cycle in which this rater's answers were first counted
    released_in = Integer(null=True, default=None)


class ReviewRelease(Table, tablename="review_release"):
    """A release of a closed cycle's results: computed once, then only read.

    ``reliability`` is the cycle's reliability (the technical report) as released; each
    subject's report is a :class:`SubjectRelease` of the release that last changed it.
    """

    id: Serial

    review = ForeignKey(references=Review, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    released_at = Timestamptz()
    released_by = ForeignKey(
        references=StaffUser, null=True, on_delete=OnDelete.set_null, index=True
    )
    reliability = JSON(default={})


class SubjectRelease(Table, tablename="subject_release"):
    """One subject's report (figures and agreement) as frozen in one release."""

    id: Serial

    release = ForeignKey(references=ReviewRelease, on_delete=OnDelete.cascade, index=True)
    subject = ForeignKey(references=ReviewSubject, on_delete=OnDelete.cascade, index=True)
    report = JSON(default={})
    counted = Integer()  # raters counted, of every release up to this one


class RaterAnswer(Table, tablename="rater_answer"):
    """A rater's latest answer to one survey item (a rating, "cannot say", or a comment)."""

    id: Serial

    rater = ForeignKey(references=Rater, on_delete=OnDelete.cascade, index=True)
    item = Integer()
    payload = JSON(default={})
    saved_at = Timestamptz()


class RaterAnswerEvent(Table, tablename="rater_answer_event"):
    """Every rater answer as it arrived (append-only)."""

    id: Serial

    rater = ForeignKey(references=Rater, on_delete=OnDelete.cascade, index=True)
    item = Integer()
    payload = JSON(default={})
    received_at = Timestamptz()


# ---- reports, plans, monitoring, audit -------------------------------------------------


class DevelopmentPlan(Table, tablename="development_plan"):
    """One saved version of a subject's individual development plan (append-only)."""

    id: Serial

    subject = ForeignKey(references=ReviewSubject, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    plan = JSON(default={})  # priorities with status, strengths, notes: as edited
    saved_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    saved_at = Timestamptz()


class MonitoringAnswer(Table, tablename="monitoring_answer"):
    """A candidate's voluntary equal-opportunities answer, kept apart from test answers.

    Used only in aggregate (adverse impact); never shown per candidate.
    """

    id: Serial

    candidate = ForeignKey(references=Candidate, on_delete=OnDelete.cascade, index=True)
    question = Varchar(length=32)
    answer = Varchar(length=64)
    given_at = Timestamptz()


class ReliabilitySnapshot(Table, tablename="reliability_snapshot"):
    """Stored reliability of a campaign or a 360 cycle and the data state it came from.

    Recomputed when ``data_state`` (counts and latest change of the answers) differs.
    """

    id: Serial

    scope = Varchar(length=16)  # "campaign", "campaign_scores" (scores stored) or "review"
    scope_id = Integer(index=True)
    data_state = Varchar(length=200)
    result = JSON(default={})
    computed_at = Timestamptz()


class AuditEvent(Table, tablename="audit_event"):
    """Who viewed or exported which report or person's data (append-only, admins read)."""

    id: Serial

    actor = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null, index=True)
    action = Varchar(length=32)  # viewed, exported, erased, ...
    target = Varchar(length=120)  # e.g. "campaign:3/report.pdf"
    detail = JSON(default={})
    at = Timestamptz(index=True)


# ---- messages and background work -----------------------------------------------------


class OutboxMessage(Table, tablename="outbox_message"):
    """A message to send, written in the transaction of the change that causes it.

    The row names its recipient and what it is about (``kind``, the person's row, ``params``);
    the worker renders it when it sends, so the link is derived then (``server.core.links``)
    and never stored. ``subject`` and ``body`` keep what was sent, the link left out.
    ``dedupe`` makes a scheduled message (a reminder for a day) exist once, whichever
    worker plans it.
    """

    id: Serial

    kind = Varchar(length=32, choices=MessageKind, index=True)
    status = Varchar(length=16, default=OutboxStatus.QUEUED, choices=OutboxStatus, index=True)
    to_email = Varchar(length=254)
    to_name = Varchar(length=120, default="")
    language = Varchar(length=8, default="en")
    campaign = ForeignKey(references=Campaign, null=True, on_delete=OnDelete.cascade, index=True)
    candidate = ForeignKey(references=Candidate, null=True, on_delete=OnDelete.cascade, index=True)
    review = ForeignKey(references=Review, null=True, on_delete=OnDelete.cascade, index=True)
    subject = ForeignKey(
        references=ReviewSubject, null=True, on_delete=OnDelete.cascade, index=True
    )
    rater = ForeignKey(references=Rater, null=True, on_delete=OnDelete.cascade, index=True)
    staff = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.cascade)
    # an expert of a job-analysis study (the table is defined further down)
    expert: ForeignKey[JobAnalysisExpert] = ForeignKey(
        references=LazyTableReference("JobAnalysisExpert", module_path="server.tables"),
        null=True,
        on_delete=OnDelete.cascade,
        index=True,
    )
    params = JSON(default={})
    dedupe = Varchar(length=160, null=True, default=None, unique=True)
    message_id = Varchar(length=200)
    subject_line = Text(default="")
    body = Text(default="")
    tries = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz()
    next_attempt_at = Timestamptz(index=True)
    locked_until = Timestamptz(null=True, default=None)
    worker = Varchar(length=64, default="")
    sent_at = Timestamptz(null=True, default=None)


class BackgroundJob(Table, tablename="background_job"):
    """Long work (a large PDF, a ZIP of reports) done by the workers, with its progress.

    The result is kept in the row (every worker and server process reads the same
    database) until ``expires_at``.
    """

    id: Serial

    kind = Varchar(length=32, index=True)
    status = Varchar(length=16, default=JobStatus.QUEUED, choices=JobStatus, index=True)
    owner = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.cascade, index=True)
    params = JSON(default={})
    done = Integer(default=0)
    total = Integer(default=0)
    tries = Integer(default=0)
    error = Text(default="")
    filename = Varchar(length=200, default="")
    content_type = Varchar(length=100, default="")
    result = Bytea(null=True, default=None)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    locked_until = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None, index=True)


# ---- job analysis ----------------------------------------------------------------------


class JobAnalysis(Table, tablename="job_analysis"):
    """A job-analysis study of one role: cards, sort, rate, decide, apply."""

    id: Serial

    name = Varchar(length=120)
    role = ForeignKey(references=Role, on_delete=OnDelete.restrict, index=True)
    step = Varchar(length=16, default=StudyStep.CARDS, choices=StudyStep)
    rules = JSON(default={})  # the decision rules (assessments.job_analysis.Rules)
    created_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    applied_at = Timestamptz(null=True, default=None)
    applied_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    library_version = Integer(null=True, default=None)


class JobAnalysisExpert(Table, tablename="job_analysis_expert"):
    """A subject-matter expert of a study, reached by link (token stored as its SHA-256)."""

    id: Serial

    study = ForeignKey(references=JobAnalysis, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    email = Varchar(length=254, default="")
    kind = Varchar(length=16, choices=ExpertKind)
    language = Varchar(length=8, default="en")
    token_hash = Varchar(length=64, unique=True, index=True)
    link_nonce = Varchar(length=32, default="")
    invited_at = Timestamptz()
    cards_done_at = Timestamptz(null=True, default=None)
    ratings_done_at = Timestamptz(null=True, default=None)


class JobAnalysisCompetency(Table, tablename="job_analysis_competency"):
    """A competency of a study's draft model: a group of cards, named and defined.

    ``competency`` links it to a library competency (existing, or created on apply);
    the decision columns hold the facilitator's accepted or overridden flags."""

    id: Serial

    study = ForeignKey(references=JobAnalysis, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=64)
    name = Varchar(length=120)
    definition = Varchar(length=300, default="")
    competency = ForeignKey(
        references=Competency, null=True, on_delete=OnDelete.set_null, index=True
    )
    position = Integer(default=0)
    select_for = Boolean(null=True, default=None)
    develop = Boolean(null=True, default=None)
    reason = Text(default="")
    decided_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)


class JobAnalysisCard(Table, tablename="job_analysis_card"):
    """One behaviour or skill an expert wrote (or picked from the library) on a card.

    ``group`` is the draft competency the facilitator sorted it into, as an indicator of
    ``polarity`` (present/absent)."""

    id: Serial

    study = ForeignKey(references=JobAnalysis, on_delete=OnDelete.cascade, index=True)
    expert = ForeignKey(references=JobAnalysisExpert, on_delete=OnDelete.cascade, index=True)
    text = Varchar(length=300)
    source = Varchar(length=120, default="")  # "" free text, else "competency-key[/indicator-key]"
    group = ForeignKey(
        references=JobAnalysisCompetency, null=True, on_delete=OnDelete.set_null, index=True
    )
    polarity = Varchar(length=8, default="present")
    created_at = Timestamptz()


class JobAnalysisRating(Table, tablename="job_analysis_rating"):
    """An expert's ratings of one draft competency; None is "cannot say"."""

    id: Serial

    expert = ForeignKey(references=JobAnalysisExpert, on_delete=OnDelete.cascade, index=True)
    competency = ForeignKey(
        references=JobAnalysisCompetency, on_delete=OnDelete.cascade, index=True
    )
    importance = Integer(null=True, default=None)  # 1-5
    frequency = Integer(null=True, default=None)  # 1-5
    day_one = Boolean(null=True, default=None)
    learnable = Boolean(null=True, default=None)
    lawshe = Varchar(length=16, null=True, default=None)  # vocabulary.Lawshe
    saved_at = Timestamptz()


class LibraryVersion(Table, tablename="library_version"):
    """A numbered change of the library made as one whole (a study applied to a role).

    ``before`` and ``after`` hold the role's requirements and its competencies' flags."""

    id: Serial

    number = Integer(unique=True, index=True)
    created_at = Timestamptz()
    created_by = ForeignKey(references=StaffUser, null=True, on_delete=OnDelete.set_null)
    source = Varchar(length=32, default="job_analysis")
    study = ForeignKey(references=JobAnalysis, null=True, on_delete=OnDelete.set_null)
    role = ForeignKey(references=Role, null=True, on_delete=OnDelete.set_null)
    before = JSON(default={})
    after = JSON(default={})

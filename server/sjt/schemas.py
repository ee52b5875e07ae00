"""Request and response bodies of the SJT item bank, forms, campaigns and respondents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from reports.hiring import PREFER_NOT
from server.core.i18n_words import N_
from server.core.schemas import Base, Email, Id, Key, Lang, LongText, Name
from server.core.vocabulary import Language

OptionKey = Annotated[str, Meta(pattern=r"^[a-z0-9_]{1,16}\Z", description="an option id")]
Format = Literal["rate", "most_least", "rank"]
ItemStatus = Literal["draft", "active", "retired"]
Effectiveness = Annotated[float, Meta(ge=1, le=7)]
ExpertRatingValue = Annotated[int, Meta(ge=1, le=7)]
ScoringMethod = Literal[
    "standardized",
    "absolute",
    "squared",
    "correlation",
    "most_least",
    "option_keys",
    "rank_distance",
    "spearman",
]
KeyMethod = Literal["expert", "consensus_mean", "consensus_mode"]
# How an unanswered item is scored (assessments.sjt.scoring.OMISSION_POLICIES): "lowest"
# (default) its lowest possible score; "middle" the middle of its range.
Omitted = Literal["lowest", "middle"]
Completion = Literal["complete", "timed_out", "submitted_early"]


class ItemText(Base, omit_defaults=True):
    stem: LongText | None = None
    context: LongText | None = None


class SjtOption(Base):
    key: OptionKey
    text: Annotated[str, Meta(min_length=1, max_length=1000)]
    translations: dict[Lang, LongText] = {}


class SjtItemIn(Base):
    key: Key
    stem: Annotated[str, Meta(min_length=1, max_length=2000)]
    options: Annotated[list[SjtOption], Meta(min_length=4, max_length=6)]
    competencies: Annotated[list[Key], Meta(min_length=1, max_length=5)]
    context: LongText = ""
    status: ItemStatus = "draft"
    formats: Annotated[list[Format], Meta(min_length=1, max_length=3)] = msgspec.field(
        default_factory=lambda: ["rate", "most_least", "rank"]
    )
    translations: dict[Lang, ItemText] = {}


class ItemKey(Struct, kw_only=True):
    """The item's current scoring key (the latest version)."""

    version: int
    method: str
    effectiveness: dict[str, float]
    best: str
    worst: str
    sd: dict[str, float | None] = {}
    n_experts: int = 0
    rwg: float | None = None
    flagged: bool = False
    reasons: list[str] = []
    created_at: datetime | None = None


class ItemBankStats(Struct, kw_only=True):
    """An item's analysis pooled over the campaign forms that used it (n-weighted)."""

    n: int  # submitted candidates over all forms
    forms: int
    mean: float | None  # difficulty: mean item score, 0-1 within the item's bounds
    sd: float | None
    r_drop: float | None  # corrected item-total correlation
    flags: list[str]  # raised on a form with at least 30 candidates
    avoid: bool  # the form builder takes it only when a competency runs short


class SjtItem(SjtItemIn, kw_only=True):
    id: int
    version: int
    key_info: ItemKey | None = None
    statistics: ItemBankStats | None = None  # None until a campaign has used the item


class SjtItemPage(Struct, kw_only=True):
    items: list[SjtItem]
    total: int
    limit: int
    offset: int


class ExpertRatingsIn(Base):
    """One expert's effectiveness ratings of all options (1 very ineffective, 7 very effective)."""

    expert: Annotated[str, Meta(min_length=1, max_length=120)]
    ratings: dict[OptionKey, ExpertRatingValue]


class DirectKeyIn(Base):
    """A key entered directly: the effectiveness of every option on 1-7."""

    effectiveness: dict[OptionKey, Effectiveness]


class BlueprintIn(Base):
    items_per_competency: Annotated[int, Meta(ge=1, le=20)] = 4
    format: Format = "most_least"
    scoring: ScoringMethod | None = None
    time_limit_seconds: Annotated[int, Meta(ge=60, le=4 * 3600)] | None = None
    forms: Annotated[int, Meta(ge=1, le=5)] = 1


class FormBuildIn(Base):
    role_id: Id
    name: Annotated[str, Meta(max_length=120)] = ""
    blueprint: BlueprintIn = msgspec.field(default_factory=BlueprintIn)
    seed: int | None = None


class SjtForm(Struct, kw_only=True):
    id: int
    name: str
    role_id: int | None
    format: Format
    scoring: str
    time_limit_seconds: int
    item_ids: list[int]
    competencies: dict[str, int]  # competency key -> items targeting it
    parallel_group: str = ""


class CampaignIn(Base):
    name: Name
    role_id: Id
    form_ids: Annotated[list[Id], Meta(max_length=5)] = []
    blueprint: BlueprintIn | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_seconds: Annotated[int, Meta(ge=60, le=4 * 3600)] | None = None
    cut_score: Annotated[float, Meta(ge=0, le=100)] | None = None
    # None: every language in which each item of the forms has all its text
    languages: Annotated[list[Language], Meta(min_length=1)] | None = None
    key_method: KeyMethod = "expert"
    omitted: Omitted = "lowest"


class CampaignUpdate(Base):
    name: Name | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    cut_score: Annotated[float, Meta(ge=0, le=100)] | None = None
    time_limit_seconds: Annotated[int, Meta(ge=60, le=4 * 3600)] | None = None
    omitted: Omitted | None = None
    # each language must have every text of every item of the forms
    languages: Annotated[list[Language], Meta(min_length=1)] | None = None
    # only while nobody is invited; one format and scoring method
    form_ids: Annotated[list[Id], Meta(min_length=1, max_length=5)] | None = None
    # e-mail to candidates: an invitation on invite, a reminder this many days before
    # closes_at to those who have not submitted (0: none), a receipt after submission
    mail_invitations: bool | None = None
    reminder_days: Annotated[int, Meta(ge=0, le=30)] | None = None
    mail_receipts: bool | None = None
    clear: list[Literal["opens_at", "closes_at", "cut_score"]] = []  # fields to empty


class CandidateCounts(Struct, kw_only=True):
    invited: int = 0
    started: int = 0
    submitted: int = 0


class Campaign(Struct, kw_only=True):
    id: int
    name: str
    role_id: int
    owner_id: int | None
    form_ids: list[int]
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_seconds: int
    cut_score: float | None
    languages: list[str]
    key_method: str
    created_at: datetime
    counts: CandidateCounts
    omitted: str = "lowest"
    mail_invitations: bool = True
    reminder_days: int = 2
    mail_receipts: bool = True


class CampaignPage(Struct, kw_only=True):
    items: list[Campaign]
    total: int
    limit: int
    offset: int


class CandidateIn(Base):
    name: Name
    email: Email
    language: Language | None = None
    extra_time_seconds: Annotated[int, Meta(ge=0, le=4 * 3600)] = 0


class Candidate(Struct, kw_only=True):
    id: int
    campaign_id: int
    name: str
    email: str
    status: str
    language: str
    extra_time_seconds: int
    form_id: int
    invited_at: datetime
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    timed_out: bool = False
    link: str | None = None  # only in the answer to an invitation: the token is not stored


class CandidatePage(Struct, kw_only=True):
    items: list[Candidate]
    total: int
    limit: int
    offset: int


class BulkInviteResult(Struct, kw_only=True):
    invited: list[Candidate]


class Ranked(Struct, kw_only=True):
    rank: int
    candidate_id: int
    name: str
    score: float | None
    percentile: float | None
    sten: int | None
    competency_scores: dict[str, float | None]
    passed: bool | None
    answered: int
    submitted_at: datetime | None
    timed_out: bool
    band: int | None = None  # SED band: 1 = statistically indistinguishable from the top
    form_id: int | None = None
    items: int = 0  # scored items of the candidate's form (answered of items)
    completion: Completion = "complete"  # incomplete: timed out, or submitted early


class BandInfo(Struct, kw_only=True):
    """How the SED bands were drawn: band 1 holds scores within ``width`` of the top score."""

    form_id: int  # the form whose alpha gives the SEM (the largest)
    alpha: float
    sem: float  # on the 0-100 total
    sed: float  # sqrt(2) * sem
    z: float
    width: float  # z * sed


class ItemStats(Struct, kw_only=True):
    item_id: int
    key: str
    mean: float | None
    sd: float | None
    r_drop: float | None
    alpha_if_deleted: float | None
    flags: list[str]


class OptionStats(Struct, kw_only=True):
    option: str  # the option's key
    share: float | None  # of those who answered the item
    r_pb: float | None  # point-biserial of choosing it with the total
    keyed: bool


class ItemOptions(Struct, kw_only=True):
    """Option analysis of one choice of an item (most / least, or first / last place)."""

    item_id: int
    key: str
    choice: Literal["most", "least", "first", "last"]
    n: int
    options: list[OptionStats]
    key_share_low: float | None  # share choosing the key in the bottom third of totals
    key_share_high: float | None  # ... and in the top third
    flags: list[str]


class NormRow(Struct, kw_only=True):
    score: float
    percentile: float
    sten: int


class Norms(Struct, kw_only=True):
    """The distribution of a form's 0-100 totals among its submitted candidates."""

    n: int
    mean: float
    sd: float
    min: float
    max: float
    percentiles: dict[str, float]  # "10", "25", "50", "75", "90"
    table: list[NormRow]  # score -> percentile rank and sten in this group


class FormReliability(Struct, kw_only=True):
    """Reliability of one form from its submitted candidates' item scores (0-1 per item)."""

    form_id: int
    n: int
    k: int
    name: str = ""
    format: str = ""
    scoring: str = ""
    alpha: float | None = None
    alpha_ci: list[float | None] = []
    std_alpha: float | None = None
    omega: float | None = None
    lambda6: float | None = None
    split_half: float | None = None
    sem: float | None = None  # on the 0-100 total
    missing: str = ""
    items: list[ItemStats] = []
    options: list[ItemOptions] = []
    options_note: str = ""
    norms: Norms | None = None
    warnings: list[str] = []
    excluded: list[str] = []  # items left out of scoring: their key cannot discriminate


class CampaignReliability(Struct, kw_only=True):
    campaign_id: int
    forms: list[FormReliability]


class Pending(Struct, kw_only=True):
    candidate_id: int
    name: str
    status: str
    answered: int


class Ranking(Struct, kw_only=True):
    campaign_id: int
    method: str
    key_method: str
    key_versions: dict[str, int]
    cut_score: float | None
    ranked: list[Ranked]
    not_submitted: list[Pending]
    bands: BandInfo | None = None
    omitted: str = "lowest"  # how unanswered items were scored
    scale: str = "0-100"  # or "r x 100" (standardized scoring: the profile correlation)
    excluded: list[str] = []  # item keys left out: their key cannot discriminate


# ---- equal-opportunities monitoring ----------------------------------------------------

# question -> (label, {answer: label}); labels are msgids (translated where shown)
MONITORING_QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "gender": (
        N_("Gender"),
        {
            "woman": N_("Woman"),
            "man": N_("Man"),
            "another": N_("Another gender"),
            PREFER_NOT: N_("Prefer not to say"),
        },
    ),
    "age_band": (
        N_("Age"),
        {
            "under_40": N_("Under 40"),
            "40_plus": N_("40 or over"),
            PREFER_NOT: N_("Prefer not to say"),
        },
    ),
}


# ---- respondents -----------------------------------------------------------------------


class Scale(Struct):
    min: int
    max: int


class RespondOption(Struct):
    id: str
    text: str


class RespondItem(Struct, kw_only=True):
    id: int
    format: Format
    stem: str
    context: str
    options: list[RespondOption]
    scale: Scale | None = None


class Respondent(Struct, kw_only=True, tag="sjt", tag_field="kind"):
    status: Literal["invited", "started", "submitted"]
    language: str
    seconds_left: int | None
    timed_out: bool
    items: list[RespondItem]
    answers: dict[str, dict[str, Any]]
    answered: int
    total: int


class AnswerIn(Base, omit_defaults=True):
    """SJT: ``ratings`` (rate), ``most``/``least`` (most_least) or ``ranking`` (rank).
    360: ``rating`` (1-5, ``null`` = cannot say) or ``comment``."""

    rating: int | msgspec.UnsetType | None = msgspec.UNSET
    comment: str | msgspec.UnsetType = msgspec.UNSET
    ratings: dict[str, Any] | None = None
    most: str | None = None
    least: str | None = None
    ranking: list[Any] | None = None


class Saved(Struct, kw_only=True):
    item_id: int
    answer: dict[str, Any]
    complete: bool
    seconds_left: int | None
    answered: int
    total: int


class StartIn(Base):
    consent: bool
    language: Language | None = None


# ---- expert keying by link -------------------------------------------------------------


class ExpertInviteIn(Base):
    """Staff invite a subject-matter expert to key items by a link of their own."""

    name: Name
    item_ids: Annotated[list[Id], Meta(min_length=1, max_length=50)]
    email: Email | None = None
    language: Language = "en"


class ExpertLinkItem(Struct, kw_only=True):
    item_id: int
    ratings: dict[str, int]  # as saved so far (all options once submitted)


class ExpertLink(Struct, kw_only=True):
    """An expert's link as staff see it (the token itself is never stored)."""

    id: int
    name: str
    email: str
    language: str
    expert: str  # the name the ratings are stored under
    invited_at: datetime
    submitted_at: datetime | None
    items: list[ExpertLinkItem]
    invited_by: int | None = None

    @property
    def status(self) -> str:
        if self.submitted_at is not None:
            return "submitted"
        return "started" if any(i.ratings for i in self.items) else "invited"

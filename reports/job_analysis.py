"""The job-analysis report of a study: HTML (print-ready), PDF and CSV.

A study of one role gathers subject-matter experts, turns their cards into draft
competencies, has the experts rate each one and records the facilitator's select-for and
develop decisions. The report documents what the Uniform Guidelines ask of a job analysis
(29 CFR 1607.15C(3)): the method, the experts by kind and number, each competency's
definition and behavioural indicators (with the cards they came from), the measures of
importance and criticality with the experts' agreement, Lawshe's content validity ratio
with its critical value, the decision rules and each decision. For every competency
decided select-for it adds that its use at hiring needs criterion-related evidence
(1607.14C(1)), and warns when many experts called it learnable on the job (1607.5F).

The view model (:class:`JobAnalysisReport`) holds plain values filled in by the server;
this module computes nothing from ratings. Anonymity is decided upstream: a competency
with ``shown=False`` (fewer than three experts rated it) has its figures withheld from
every format, and the ICC is withheld when fewer than :data:`MIN_SHOWN` experts rated.
No expert is named anywhere: the report counts experts by kind.
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Mapping
from dataclasses import dataclass

from assessments.survey360.reliability import icc_reading
from reports.csv import csv_text
from reports.environment import report_environment
from reports.pdf import pdf_bytes

__all__ = [
    "CSV_HEADER",
    "EXPERT_KINDS",
    "MIN_SHOWN",
    "RULE_KEYS",
    "JobAnalysisReport",
    "ReportCompetency",
    "ReportICC",
    "ReportIndicator",
    "job_analysis_csv",
    "job_analysis_html",
    "job_analysis_pdf",
]

MIN_SHOWN = 3
"""Aggregates of ratings are printed only when at least this many experts rated."""

EXPERT_KINDS = ("incumbent", "manager", "trainer")
"""The kinds of subject-matter expert, in the order the report lists them."""

RULE_KEYS = (
    "alpha",
    "day_one_share",
    "learnable_below",
    "develop_importance",
    "develop_learnable",
    "min_experts",
    "low_rwg",
)
"""The decision rules the report states in words (values from :attr:`JobAnalysisReport.rules`)."""

LEARNABLE_BY_MANY = 0.5
"""Share of experts calling a competency learnable above which a select-for decision gets
the 1607.5F note, when the rules carry no ``learnable_below`` of their own."""


@dataclass(frozen=True)
class ReportIndicator:
    """A behavioural indicator of a draft competency.

    ``polarity`` is ``"present"`` (seen when the competency is there) or ``"absent"`` (a
    sign it is missing); ``cards`` counts the experts' cards that became it; ``sources``
    are the library keys (``competency`` or ``competency/indicator``) of the cards that
    were picked from the library rather than written.
    """

    text: str
    polarity: str
    cards: int
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportCompetency:
    """One competency of the draft model with its figures and the decision on it.

    Shares (``needed_day_one``, ``learnable``) run from 0 to 1; None is "not computed"
    (no answers, or no variance for rwg). ``select_for``/``develop`` are the facilitator's
    decision (None: not decided yet); ``proposed_*`` what the rules propose. ``warnings``
    are codes: ``few_experts``, ``low_agreement_importance``, ``low_agreement_frequency``,
    ``cvr_unreachable``, ``no_ratings``. ``shown`` is False when fewer than three experts
    rated it: then no figure derived from ratings is printed or exported.
    """

    key: str
    name: str
    definition: str
    library_key: str | None
    indicators: tuple[ReportIndicator, ...]
    n: int
    importance_n: int
    importance_mean: float | None
    importance_sd: float | None
    importance_rwg: float | None
    frequency_n: int
    frequency_mean: float | None
    frequency_sd: float | None
    frequency_rwg: float | None
    criticality: float | None
    needed_day_one: float | None
    learnable: float | None
    lawshe_n: int
    n_essential: int
    cvr: float | None
    cvr_critical: float | None
    cvr_met: bool
    proposed_select_for: bool
    proposed_develop: bool
    select_for: bool | None
    develop: bool | None
    overridden: bool
    reason: str
    weight: float | None
    required_level: int | None
    warnings: tuple[str, ...]
    shown: bool

    @property
    def cvr_reachable(self) -> bool:
        """Whether some CVR can reach the critical value with this many experts."""
        c = self.cvr_critical
        return c is not None and math.isfinite(c) and c <= 1


@dataclass(frozen=True)
class ReportICC:
    """ICC(2,k) of the experts' mean ratings over the competencies, with its 95 % interval."""

    value: float | None
    lower: float | None
    upper: float | None
    n_targets: int
    k_raters: int


@dataclass(frozen=True)
class JobAnalysisReport:
    """Everything the job-analysis report prints.

    ``experts`` counts invited experts by kind (``incumbent``, ``manager``, ``trainer``);
    ``experts_done`` those who submitted ratings. ``rules`` holds the decision rules:
    ``alpha`` (one-tailed, for the CVR's critical value), ``day_one_share``,
    ``learnable_below``, ``develop_importance``, ``develop_learnable``, ``min_experts``,
    ``low_rwg``. ``warnings`` are study-level codes (those of :class:`ReportCompetency`,
    plus ``unsorted_cards`` and ``icc_not_computed``); an unknown code is printed as is.
    """

    study_name: str
    role_name: str
    step: str
    created: str
    applied: str | None
    library_version: int | None
    facilitator: str
    experts: Mapping[str, int]
    experts_done: int
    cards: int
    unsorted_cards: int
    rules: Mapping[str, float]
    icc_importance: ReportICC | None
    icc_frequency: ReportICC | None
    competencies: tuple[ReportCompetency, ...]
    warnings: tuple[str, ...] = ()

    @property
    def rule_values(self) -> dict[str, float | None]:
        """Every rule of :data:`RULE_KEYS` (None when the study's rules lack it: printed "–")."""
        return {k: self.rules.get(k) for k in RULE_KEYS}

    @property
    def experts_total(self) -> int:
        return sum(self.experts.values())

    @property
    def expert_kinds(self) -> tuple[tuple[str, int], ...]:
        """``(kind, count)`` in the order of :data:`EXPERT_KINDS`, then any other kind."""
        known = [(k, self.experts.get(k, 0)) for k in EXPERT_KINDS]
        other = [(k, v) for k, v in sorted(self.experts.items()) if k not in EXPERT_KINDS]
        return tuple(known + other)

    @property
    def select_for(self) -> tuple[ReportCompetency, ...]:
        """The competencies the facilitator decided to screen at hiring."""
        return tuple(c for c in self.competencies if c.select_for)

    @property
    def learnable_select_for(self) -> tuple[ReportCompetency, ...]:
        """Select-for competencies that at least ``learnable_below`` of the experts (by
        default half) call learnable on the job in the first months (shown ones only)."""
        bound = self.rules.get("learnable_below", LEARNABLE_BY_MANY)
        return tuple(
            c
            for c in self.select_for
            if c.shown and c.learnable is not None and c.learnable >= bound
        )

    @property
    def icc_shown(self) -> tuple[tuple[str, ReportICC | None], ...]:
        """``(measure, ICC)`` for importance and frequency; None when not computed or when
        fewer than :data:`MIN_SHOWN` experts rated."""
        return tuple(
            (name, icc if icc is not None and icc.k_raters >= MIN_SHOWN else None)
            for name, icc in (
                ("importance", self.icc_importance),
                ("frequency", self.icc_frequency),
            )
        )


def _reading(icc: ReportICC | None) -> str | None:
    if icc is None:
        return None
    return icc_reading(icc.value, (icc.lower, icc.upper))


def job_analysis_html(
    report: JobAnalysisReport,
    translations: gettext.NullTranslations | None = None,
    *,
    lang: str = "en",
    generated: str | None = None,
) -> str:
    """The report as a standalone HTML document (inline stylesheet, no script).

    Parameters
    ----------
    report : JobAnalysisReport
        The study's figures and decisions.
    translations : gettext.NullTranslations, optional
        Catalogue for the report's texts; English when None.
    lang : str
        The document language (``<html lang>``).
    generated : str, optional
        When the report was made, shown in the footer.
    """
    template = report_environment(translations).get_template("job_analysis.html")
    return template.render(
        r=report,
        lang=lang,
        generated=generated,
        read_icc=_reading,
        min_shown=MIN_SHOWN,
    )


def job_analysis_pdf(
    report: JobAnalysisReport,
    translations: gettext.NullTranslations | None = None,
    *,
    lang: str = "en",
    generated: str | None = None,
) -> bytes:
    """The report printed to PDF (A4) from :func:`job_analysis_html`."""
    return pdf_bytes(job_analysis_html(report, translations, lang=lang, generated=generated))


CSV_HEADER = (
    "key",
    "name",
    "library_key",
    "shown",
    "n",
    "importance_n",
    "importance_mean",
    "importance_sd",
    "importance_rwg",
    "frequency_n",
    "frequency_mean",
    "frequency_sd",
    "frequency_rwg",
    "criticality",
    "needed_day_one",
    "learnable",
    "lawshe_n",
    "n_essential",
    "cvr",
    "cvr_critical",
    "cvr_met",
    "proposed_select_for",
    "proposed_develop",
    "select_for",
    "develop",
    "overridden",
    "reason",
    "weight",
    "required_level",
    "indicators",
    "cards",
    "warnings",
)
"""The CSV's columns (English snake_case, one row per competency)."""

_WITHHELD = frozenset(
    {
        "n",
        "importance_n",
        "importance_mean",
        "importance_sd",
        "importance_rwg",
        "frequency_n",
        "frequency_mean",
        "frequency_sd",
        "frequency_rwg",
        "criticality",
        "needed_day_one",
        "learnable",
        "lawshe_n",
        "n_essential",
        "cvr",
        "cvr_critical",
        "cvr_met",
        "proposed_select_for",
        "proposed_develop",
        "overridden",
        "weight",
    }
)
"""Columns left empty when a competency is not shown (fewer than three experts rated it):
everything computed from ratings, and the proposal (an override would reveal it)."""


def _cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _row(c: ReportCompetency) -> list[object]:
    values: dict[str, object] = {
        "key": c.key,
        "name": c.name,
        "library_key": c.library_key,
        "shown": c.shown,
        "n": c.n,
        "importance_n": c.importance_n,
        "importance_mean": c.importance_mean,
        "importance_sd": c.importance_sd,
        "importance_rwg": c.importance_rwg,
        "frequency_n": c.frequency_n,
        "frequency_mean": c.frequency_mean,
        "frequency_sd": c.frequency_sd,
        "frequency_rwg": c.frequency_rwg,
        "criticality": c.criticality,
        "needed_day_one": c.needed_day_one,
        "learnable": c.learnable,
        "lawshe_n": c.lawshe_n,
        "n_essential": c.n_essential,
        "cvr": c.cvr,
        "cvr_critical": c.cvr_critical,
        "cvr_met": c.cvr_met,
        "proposed_select_for": c.proposed_select_for,
        "proposed_develop": c.proposed_develop,
        "select_for": c.select_for,
        "develop": c.develop,
        "overridden": c.overridden,
        "reason": c.reason,
        "weight": c.weight,
        "required_level": c.required_level,
        "indicators": len(c.indicators),
        "cards": sum(i.cards for i in c.indicators),
        "warnings": " ".join(
            c.warnings if c.shown else (w for w in c.warnings if w == "no_ratings")
        ),
    }
    if not c.shown:
        values.update(dict.fromkeys(_WITHHELD))
    return [_cell(values[h]) for h in CSV_HEADER]


def job_analysis_csv(report: JobAnalysisReport) -> str:
    """The figures as CSV: one row per competency, columns :data:`CSV_HEADER`.

    Numbers are written unrounded, booleans as ``yes``/``no``. An empty cell means: not
    computed (no answers, or no variance for rwg, or no critical value reachable), not
    decided yet (``select_for``, ``develop``), not set (``library_key``: a new competency;
    ``weight``, ``required_level``), or withheld because fewer than three experts rated
    the competency (``shown`` is ``no``). ``warnings`` lists codes separated by spaces.
    Every text cell is neutralised against formula injection.
    """
    return csv_text(CSV_HEADER, (_row(c) for c in report.competencies))

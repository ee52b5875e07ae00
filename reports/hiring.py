"""Hiring reports: the ranked report of a vacancy, the candidate report, the technical report.

Each report has one view model (a frozen dataclass built here from the domain results the
server hands over) that feeds every format: HTML (the templates ``hiring_report.html``,
``candidate_report.html`` and ``technical_form.html``), PDF (the same HTML printed) and
JSON or CSV. Texts are translated with the ``gettext`` object passed in.

Equal-opportunities answers enter only :func:`impact_tables`, which returns group
aggregates: groups with fewer than :data:`MIN_GROUP` candidates are merged or hidden, and
no view model holds a candidate's answer.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from assessments.competency import Competency
from assessments.psychometrics import adverse_impact, read_alpha, score_ci
from assessments.psychometrics.fairness import MIN_CELL, MIN_TOTAL, GroupImpact
from assessments.psychometrics.scale_analysis import LOW_ALPHA, SMALL_N
from assessments.sjt.interview import (
    MARGIN,
    InterviewQuestion,
    QuestionTemplates,
    interview_questions,
    read_profile,
    weakest,
)
from reports.charts import Chart, bar_chart, histogram
from reports.csv import csv_text
from reports.environment import report_environment
from reports.lines import LineTable, Row, line_table
from reports.markers import N_

MIN_GROUP = 5  # equal-opportunities groups smaller than this are merged or hidden
PREFER_NOT = "prefer_not"
CI_Z = 1.96


MISSING_PAIRWISE = N_(
    "Missing answers are handled pairwise: each covariance between two items comes from "
    "the candidates who answered both."
)
OPTIONS_NOTE = N_(
    "Shares are among the candidates who answered the item; point-biserials correlate "
    "choosing the option with the 0–100 total (the item included); low and high are the "
    "bottom and top third of totals."
)
OPTIONS_NOT_RATE = N_("Not available for the rate format: no single option is chosen.")
OPTIONS_TOO_FEW = N_("Too few candidates with a total score.")


class RankedRow(Protocol):
    """A row of the ranking (``server.sjt.schemas.Ranked``)."""

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
    band: int | None
    form_id: int | None
    items: int

    @property
    def completion(self) -> str: ...


# How unanswered items score (the vacancy's ``omitted`` setting), shown under the ranking
# and in the technical report.
OMITTED_RULES = {
    "lowest": N_(
        "An unanswered item scores the lowest score any answer to it can get, and the "
        "0–100 scale spans every item of the form: leaving an item blank never pays."
    ),
    "middle": N_(
        "An unanswered item scores half of the points an answer to it can earn, and the "
        "0–100 scale spans every item of the form."
    ),
}
SCALE_0_100 = N_(
    "0 is the lowest score any answer sheet can get and 100 the score of the key's own "
    "answers; both can be reached."
)
SCALE_CORRELATION = N_(
    "Standardised rating scores are the correlation between the candidate's ratings and "
    "the key over the whole test, times 100: 100 follows the key exactly, 0 is no "
    "agreement, −100 is its reverse."
)
CORRELATION_OMITTED = {
    "lowest": N_(
        "The correlation compares whole answer sheets, so a sheet with an unanswered item "
        "scores −100."
    ),
    "middle": N_(
        "Unanswered items count as rated at the candidate's own average: they add no agreement."
    ),
}
EXCLUDED_NOTE = N_(
    "Left out of scoring because their key cannot discriminate (every answer scores the "
    "same): %(items)s."
)


def scale_notes(ranking: Any) -> tuple[str, ...]:
    """The msgids that say what the vacancy's scores mean (policy, scale), untranslated."""
    policy = ranking.omitted if ranking.omitted in OMITTED_RULES else "lowest"
    notes = []
    if "0-100" in ranking.scale:
        notes += [OMITTED_RULES[policy], SCALE_0_100]
    if "r x 100" in ranking.scale:
        notes += [SCALE_CORRELATION, CORRELATION_OMITTED[policy]]
    return tuple(notes)


class FormStats(Protocol):
    """A form's analysis (``server.sjt.schemas.FormReliability``)."""

    form_id: int
    n: int
    k: int
    name: str
    alpha: float | None
    alpha_ci: list[float | None]
    sem: float | None


Labels = Mapping[str, tuple[str, Mapping[str, str]]]  # question -> (label, {answer: label})


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Column:
    """A competency column of the ranking; ``short`` heads it where space is tight (PDF)."""

    key: str
    name: str
    short: str = ""


def columns(competencies: Sequence[tuple[str, str]]) -> list[Column]:
    """Columns for ``(key, name)`` pairs, each with the initials of its name as ``short``
    (numbered when two competencies share them)."""
    initials = [
        "".join(w[0] for w in name.split() if w[:1].isalnum()).upper() or name[:2]
        for _k, name in competencies
    ]
    seen: dict[str, int] = {}
    for s in initials:
        seen[s] = seen.get(s, 0) + 1
    count: dict[str, int] = {}
    out = []
    for (key, name), s in zip(competencies, initials, strict=True):
        if seen[s] > 1:
            count[s] = count.get(s, 0) + 1
            s = f"{s}{count[s]}"
        out.append(Column(key, name, s))
    return out


# ---- reliability in plain language ------------------------------------------------------


@dataclass(frozen=True)
class Quality:
    """A form's reliability read for a recruiter: the band of alpha and what to watch."""

    form: Any  # FormStats
    band: str | None  # excellent, good, fair, poor (read_alpha); None when undefined
    reading: str
    warnings: tuple[str, ...]


def quality(form: FormStats, t: gettext.NullTranslations) -> Quality:
    """The plain-language reading and warnings of one form's reliability (translated)."""
    _ = t.gettext
    found = read_alpha(form.alpha)
    readings = {
        "excellent": _(
            "Excellent: the test measures consistently enough to support decisions about "
            "individual candidates."
        ),
        "good": _(
            "Good: the scores are consistent enough to rank candidates, used together with "
            "an interview and other evidence."
        ),
        "fair": _(
            "Fair: good enough to compare groups, but too imprecise to decide about a "
            "candidate on this score alone; rely on the bands and an interview."
        ),
        "poor": _(
            "Poor: individual scores are too imprecise to rank candidates on; look at the "
            "flagged items before using the ranking."
        ),
    }
    warnings = []
    if form.n < SMALL_N:
        warnings.append(
            _("Only %(n)s submitted candidates: every figure here is a rough estimate.")
            % {"n": form.n}
        )
    if form.alpha is not None and form.alpha < LOW_ALPHA:
        warnings.append(
            _("Alpha %(alpha)s is below .70: do not decide on this score alone.")
            % {"alpha": f"{form.alpha:.2f}"}
        )
    if form.alpha is None:
        warnings.append(_("Reliability could not be estimated from these answers yet."))
    return Quality(
        form=form,
        band=None if found is None else found.band,
        reading=_("Not enough data to judge.") if found is None else readings[found.band],
        warnings=tuple(warnings),
    )


# ---- adverse impact -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactRow:
    group: str
    n: int
    selected: int
    rate: float
    impact_ratio: float | None
    flag: bool
    z: float | None
    fisher_p: float | None
    reference: bool
    small_cells: bool  # this group or the reference has < 5 selected or not: z is unreliable


@dataclass(frozen=True)
class ImpactTable:
    question: str
    rows: tuple[ImpactRow, ...]
    notes: tuple[str, ...]


def impact_tables(
    selected: Mapping[int, bool],
    monitoring: Mapping[str, Mapping[int, str]],
    labels: Labels,
    t: gettext.NullTranslations,
    *,
    min_group: int = MIN_GROUP,
) -> tuple[ImpactTable, ...]:
    """Adverse impact of the selection per monitoring question, in groups only.

    Only candidates in ``selected`` (those with a decision) who answered the question
    count; "prefer not to say" is left out. Answers given by fewer than ``min_group`` of
    them are pooled into one "other answers" group when the pool reaches ``min_group``,
    and left out otherwise; the table's notes say which. A question with fewer than two
    groups left has no rows, only notes. Statistics: :func:`adverse_impact`.
    """
    _ = t.gettext
    out = []
    for question, answers in monitoring.items():
        q_label, a_labels = labels.get(question, (question, {}))
        given = {cid: a for cid, a in answers.items() if cid in selected and a and a != PREFER_NOT}
        if not given:
            continue
        counts: dict[str, int] = {}
        for a in given.values():
            counts[a] = counts.get(a, 0) + 1
        order = [a for a in a_labels if a in counts] + sorted(set(counts) - set(a_labels))
        small = [a for a in order if counts[a] < min_group]
        name = {a: _(a_labels.get(a, a)) for a in order}
        notes: list[str] = []
        merged = _("Other answers (combined)")
        group_of = {a: name[a] for a in order if a not in small}
        if len(small) >= 2 and sum(counts[a] for a in small) >= min_group:
            group_of.update({a: merged for a in small})
            notes.append(
                _("Groups of fewer than %(n)s candidates are combined as “%(merged)s”: %(groups)s.")
                % {"n": min_group, "merged": merged, "groups": ", ".join(name[a] for a in small)}
            )
        elif small:
            notes.append(
                _("Not shown, fewer than %(n)s candidates: %(groups)s.")
                % {"n": min_group, "groups": ", ".join(name[a] for a in small)}
            )
        ids = [cid for cid, a in given.items() if a in group_of]
        groups = [group_of[given[cid]] for cid in ids]
        if len(set(groups)) < 2:
            notes.append(_("Too few candidates in each group to compare groups."))
            out.append(ImpactTable(question=_(q_label), rows=(), notes=tuple(notes)))
            continue
        result = adverse_impact([selected[cid] for cid in ids], groups)
        if len(ids) < MIN_TOTAL:
            notes.append(
                _("Only %(n)s candidates answered: read these figures as a first sign only.")
                % {"n": len(ids)}
            )
        shown = [g for g in dict.fromkeys(group_of.values()) if g in result.groups]

        def small_cell(gi: GroupImpact) -> bool:
            return min(gi.selected, gi.n - gi.selected) < MIN_CELL

        ref_small = small_cell(result.groups[result.reference])
        rows = tuple(
            ImpactRow(
                group=g,
                n=gi.n,
                selected=gi.selected,
                rate=gi.rate,
                impact_ratio=_finite(gi.impact_ratio),
                flag=gi.flag,
                z=_finite(gi.z),
                fisher_p=_finite(gi.fisher_p),
                reference=g == result.reference,
                small_cells=g != result.reference and (small_cell(gi) or ref_small),
            )
            for g in shown
            for gi in (result.groups[g],)
        )
        out.append(ImpactTable(question=_(q_label), rows=rows, notes=tuple(notes)))
    return tuple(out)


def _finite(v: float | None) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


# ---- the ranked hiring report ---------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    invited: int
    started: int
    submitted: int
    timed_out: int
    incomplete: int  # answered only part of the form (timed out or submitted early)
    passed: int | None
    first_submission: str
    last_submission: str


@dataclass(frozen=True)
class HiringReport:
    """The view model of a vacancy's ranked report (HTML, PDF and CSV)."""

    campaign_id: int
    title: str
    role: str
    generated: str
    lang: str
    summary: Summary
    columns: tuple[Column, ...]
    rows: Sequence[Any]  # RankedRow, best first
    not_submitted: Sequence[Any]
    cut_score: float | None
    method: str
    key_method: str
    bands: Any  # BandInfo or None
    forms: tuple[Quality, ...]
    impact: tuple[ImpactTable, ...]
    impact_basis: str  # "cut", "band" or "" (no selection decision to analyse)
    notes: tuple[str, ...] = ()  # msgids: how omitted items score, what the scale means
    excluded: tuple[str, ...] = ()  # item keys left out of scoring
    scale: str = "0-100"
    for_print: bool = False  # PDF: no links, competency columns headed by their initials


def hiring_report(
    *,
    campaign_id: int,
    name: str,
    role: str,
    invited: int,
    started: int,
    ranking: Any,  # server.sjt.schemas.Ranking
    columns: Sequence[Column],
    forms: Sequence[FormStats],
    monitoring: Mapping[str, Mapping[int, str]],
    labels: Labels,
    now: datetime,
    lang: str,
    t: gettext.NullTranslations,
) -> HiringReport:
    """Build the report of a vacancy from its ranking, its forms' analyses and monitoring.

    Adverse impact is computed on "passed the cut" when the vacancy has a cut score, on
    "in SED band 1" otherwise, among the candidates with a score.
    """
    rows: Sequence[RankedRow] = ranking.ranked
    scored = [r for r in rows if r.score is not None]
    times = [r.submitted_at for r in rows if r.submitted_at is not None]
    if ranking.cut_score is not None:
        basis = "cut"
        selected = {r.candidate_id: bool(r.passed) for r in scored}
    elif any(r.band is not None for r in scored):
        basis = "band"
        selected = {r.candidate_id: r.band == 1 for r in scored}
    else:
        basis, selected = "", {}
    return HiringReport(
        campaign_id=campaign_id,
        title=name,
        role=role,
        generated=_when(now),
        lang=lang,
        summary=Summary(
            invited=invited,
            started=started,
            submitted=len(rows),
            timed_out=sum(1 for r in rows if r.timed_out),
            incomplete=sum(1 for r in rows if r.completion != "complete"),
            passed=None if ranking.cut_score is None else sum(1 for r in rows if r.passed),
            first_submission=_when(min(times)) if times else "",
            last_submission=_when(max(times)) if times else "",
        ),
        columns=tuple(columns),
        rows=rows,
        not_submitted=ranking.not_submitted,
        cut_score=ranking.cut_score,
        method=ranking.method,
        key_method=ranking.key_method,
        bands=ranking.bands,
        forms=tuple(quality(f, t) for f in forms),
        impact=impact_tables(selected, monitoring, labels, t) if basis else (),
        impact_basis=basis,
        notes=scale_notes(ranking),
        excluded=tuple(ranking.excluded),
        scale=ranking.scale,
    )


def score_histogram(
    scores: Sequence[float | None],
    cut: float | None,
    t: gettext.NullTranslations,
    *,
    scale: str = "0-100",
) -> Chart:
    """Total scores in bands of ten points (twenty on the r x 100 scale), the cut marked."""
    _ = t.gettext
    values = [s for s in scores if s is not None]
    wide = "r x 100" in scale
    description = (
        _("Total scores of %(n)s candidates in bands of 20 points.")
        if wide
        else _("Total scores of %(n)s candidates in bands of 10 points.")
    ) % {"n": len(values)}
    if cut is not None:
        description += " " + _("The dashed line marks the cut score, %(cut)s.") % {
            "cut": f"{cut:g}"
        }
    return histogram(
        values,
        edges=list(range(-100, 101, 20)) if wide else list(range(0, 101, 10)),
        title=_("Distribution of total scores"),
        description=description,
        marker=cut,
        marker_label=_("cut %(cut)s") % {"cut": f"{cut:g}"} if cut is not None else "",
        ident="scores",
    )


def _fmt(value: float | None, digits: int) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def print_ranking(report: HiringReport, t: gettext.NullTranslations) -> LineTable:
    """The ranking as the PDF prints it (:func:`reports.lines.line_table`): one line per
    candidate with every column of the screen's table but the links; a candidate who
    did not answer every item has it said after the name ("timed out, 9/12"). Band 1 is
    highlighted (``top``), and groups of rows split at the cut (``ok``, ``flag``), so a
    rule falls under the last candidate who passed."""
    _ = t.gettext
    rows = []
    for r in report.rows:
        notes = []
        if r.timed_out:
            notes.append(_("timed out"))
        elif r.completion == "submitted_early":
            notes.append(_("submitted early"))
        if r.completion != "complete":
            notes.append(f"{r.answered}/{r.items}")
        classes = ["top"] if r.band == 1 else []
        if r.passed is not None:
            classes.append("ok" if r.passed else "flag")
        rows.append(
            Row(
                key=str(r.rank),
                name=f"{r.name} ({', '.join(notes)})" if notes else r.name,
                numbers=[
                    _fmt(r.score, 1),
                    _fmt(r.percentile, 0),
                    "–" if r.sten is None else str(r.sten),
                    *(_fmt(r.competency_scores.get(c.key), 0) for c in report.columns),
                    "–" if r.band is None else str(r.band),
                ],
                last="–" if r.passed is None else _("passed") if r.passed else _("below"),
                classes=" ".join(classes),
            )
        )
    return line_table(
        rows,
        key=_("Rank"),
        name=_("Candidate"),
        numbers=[
            (_("Total"), ""),
            (_("Percentile"), ""),
            (_("Sten"), ""),
            *((c.short, c.name) for c in report.columns),
            (_("Band"), ""),
        ],
        last=_("Cut"),
    )


def print_not_submitted(report: HiringReport, t: gettext.NullTranslations) -> LineTable:
    """The candidates who have not submitted, as the PDF prints them: name, answers
    saved, status."""
    _ = t.gettext
    return line_table(
        [
            Row(key=None, name=p.name, numbers=[str(p.answered)], last=_(p.status))
            for p in report.not_submitted
        ],
        key=None,
        name=_("Candidate"),
        numbers=[(_("Answers saved"), "")],
        last=_("Status"),
    )


def render_hiring(report: HiringReport, translations: gettext.NullTranslations) -> str:
    """The report as a standalone HTML document; for print (``report.for_print``) its
    long tables are laid out as lines (:func:`print_ranking`)."""
    chart = score_histogram(
        [r.score for r in report.rows], report.cut_score, translations, scale=report.scale
    )
    template = report_environment(translations).get_template("hiring_report.html")
    printed = report.for_print and bool(report.rows)
    return template.render(
        r=report,
        chart=chart,
        lang=report.lang,
        generated=report.generated,
        excluded_note=EXCLUDED_NOTE,
        ranking=print_ranking(report, translations) if printed else None,
        pending=print_not_submitted(report, translations)
        if report.for_print and report.not_submitted
        else None,
    )


def ranking_csv(rows: Sequence[RankedRow], columns: Sequence[Column]) -> str:
    """The ranking as CSV: one row per candidate, a column per competency (by key)."""
    header = [
        "rank",
        "candidate_id",
        "name",
        "score",
        "percentile",
        "sten",
        "band",
        "passed",
        "answered",
        "items",
        "completion",
        "timed_out",
        "submitted_at",
        *(c.key for c in columns),
    ]
    return csv_text(
        header,
        (
            [
                r.rank,
                r.candidate_id,
                r.name,
                r.score,
                r.percentile,
                r.sten,
                r.band,
                None if r.passed is None else ("yes" if r.passed else "no"),
                r.answered,
                r.items,
                r.completion,
                "yes" if r.timed_out else "no",
                "" if r.submitted_at is None else r.submitted_at.isoformat(),
                *(r.competency_scores.get(c.key) for c in columns),
            ]
            for r in rows
        ),
    )


# ---- the candidate report -------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRow:
    key: str
    name: str
    score: float | None
    required_level: int
    mark: float
    gap: float | None
    reading: str  # strength, in_line, risk, not_scored


@dataclass(frozen=True)
class Probe:
    """Interview questions for one of the weakest competencies."""

    key: str
    name: str
    score: float | None
    mark: float
    questions: tuple[InterviewQuestion, ...]


@dataclass(frozen=True)
class CandidateReport:
    """The view model of a candidate's report for the recruiter (JSON, HTML and PDF)."""

    campaign_id: int
    campaign: str
    role: str
    candidate_id: int
    name: str
    submitted_at: str
    timed_out: bool
    answered: int
    score: float | None
    ci: tuple[float, float] | None  # 95 % interval of the total, clipped to the scale
    sem: float | None
    alpha: float | None
    rank: int
    ranked: int  # candidates with a score
    percentile: float | None
    sten: int | None
    band: int | None
    passed: bool | None
    cut_score: float | None
    margin: float
    profile: tuple[ProfileRow, ...]
    probes: tuple[Probe, ...]
    generated: str
    lang: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    items: int = 0  # scored items of the form (answered of items)
    completion: str = "complete"  # or timed_out, submitted_early
    scale: str = "0-100"  # or "r x 100" (standardized rating)


def candidate_report(
    *,
    campaign_id: int,
    campaign: str,
    role: str,
    row: RankedRow,
    ranked: int,
    cut_score: float | None,
    form: FormStats | None,
    competencies: Sequence[tuple[Competency, int]],
    now: datetime,
    lang: str,
    t: gettext.NullTranslations,
    scale: str = "0-100",
) -> CandidateReport:
    """Build a candidate's report.

    ``competencies`` are the role's select-for competencies, in ``lang``, each with its
    required level; ``form`` is the analysis of the candidate's form (its SEM gives the
    interval of the total: score ± 1.96 SEM).
    """
    _ = t.gettext
    levels = {c.key: level for c, level in competencies}
    names = {c.key: c.name for c, _level in competencies}
    readings = read_profile(row.competency_scores, levels)
    notes = []
    ci = None
    if row.score is not None and form is not None and form.sem is not None:
        lo, hi = score_ci(np.array([row.score]), form.sem, z=CI_Z)
        bottom = -100.0 if "r x 100" in scale else 0.0
        ci = (max(bottom, round(float(lo[0]), 1)), min(100.0, round(float(hi[0]), 1)))
    else:
        notes.append(_("No confidence interval yet: the form's reliability is not known."))
    weak = weakest(readings)
    templates = QuestionTemplates(
        present=_(
            "Tell me about a time when your work showed this: “%(indicator)s”. What was the "
            "situation, what did you do, and what happened next?"
        ),
        absent=_(
            "Some people in this job end up doing this: “%(indicator)s”. Tell me about a "
            "time when you felt pulled that way. What did you do instead?"
        ),
    )
    by_key = {c.key: c for c, _level in competencies}
    probes = tuple(
        Probe(
            key=w.competency,
            name=names[w.competency],
            score=w.score,
            mark=w.mark,
            questions=interview_questions([by_key[w.competency]], templates=templates),
        )
        for w in weak
    )
    return CandidateReport(
        campaign_id=campaign_id,
        campaign=campaign,
        role=role,
        candidate_id=row.candidate_id,
        name=row.name,
        submitted_at=_when(row.submitted_at),
        timed_out=row.timed_out,
        answered=row.answered,
        items=row.items,
        completion=row.completion,
        scale=scale,
        score=row.score,
        ci=ci,
        sem=None if form is None else form.sem,
        alpha=None if form is None else form.alpha,
        rank=row.rank,
        ranked=ranked,
        percentile=row.percentile,
        sten=row.sten,
        band=row.band,
        passed=row.passed,
        cut_score=cut_score,
        margin=MARGIN,
        profile=tuple(
            ProfileRow(
                key=r.competency,
                name=names[r.competency],
                score=r.score,
                required_level=r.required_level,
                mark=r.mark,
                gap=r.gap,
                reading=r.reading,
            )
            for r in readings
        ),
        probes=probes,
        generated=_when(now),
        lang=lang,
        notes=tuple(notes),
    )


def profile_chart(report: CandidateReport, t: gettext.NullTranslations) -> Chart:
    """The candidate's competency scores as bars, the required level as a tick on each."""
    _ = t.gettext
    return bar_chart(
        [p.name for p in report.profile],
        [(_("Candidate's score"), [p.score for p in report.profile])],
        scale=(0, 100),
        markers=[p.mark for p in report.profile],
        marker_label=_("Required level"),
        title=_("Competency profile"),
        description=_(
            "The candidate's score on each select-for competency (0–100) against the level "
            "the role requires (tick)."
        ),
        ident="profile",
    )


def render_candidate(
    report: CandidateReport, translations: gettext.NullTranslations, *, for_print: bool = False
) -> str:
    """The candidate's report; on screen (not ``for_print``) with links to its PDF and
    back to the vacancy."""
    chart = profile_chart(report, translations)
    template = report_environment(translations).get_template("candidate_report.html")
    return template.render(
        r=report, chart=chart, lang=report.lang, generated=report.generated, for_print=for_print
    )


# ---- the technical report -------------------------------------------------------------------


@dataclass(frozen=True)
class TechnicalReport:
    """The view model of a vacancy's technical report: every form's full analysis."""

    campaign_id: int
    title: str
    role: str
    method: str
    key_method: str
    key_versions: Mapping[str, int]
    forms: Sequence[Any]  # FormReliability
    scoring_missing: str
    generated: str
    lang: str
    notes: tuple[str, ...] = ()  # msgids: how omitted items score, what the scale means
    excluded: tuple[str, ...] = ()


SCORING_MISSING = N_(
    "An item counts as answered only when it is answered completely (every option rated "
    "or ranked; both most and least chosen)."
)


def technical_report(
    *,
    campaign_id: int,
    name: str,
    role: str,
    ranking: Any,
    forms: Sequence[Any],
    now: datetime,
    lang: str,
) -> TechnicalReport:
    return TechnicalReport(
        campaign_id=campaign_id,
        title=name,
        role=role,
        method=ranking.method,
        key_method=ranking.key_method,
        key_versions=dict(ranking.key_versions),
        forms=list(forms),
        scoring_missing=SCORING_MISSING,
        generated=_when(now),
        lang=lang,
        notes=scale_notes(ranking),
        excluded=tuple(ranking.excluded),
    )


def render_technical(
    report: TechnicalReport, translations: gettext.NullTranslations, *, for_print: bool = False
) -> str:
    """The report as HTML; ``for_print``: for WeasyPrint (long tables may break across pages)."""
    qualities = [quality(f, translations) for f in report.forms]
    template = report_environment(translations).get_template("technical_form.html")
    return template.render(
        r=report,
        qualities=qualities,
        lang=report.lang,
        generated=report.generated,
        small_n=SMALL_N,
        for_print=for_print,
        excluded_note=EXCLUDED_NOTE,
    )

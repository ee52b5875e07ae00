"""The 360 report of one person and the technical report of a cycle: HTML, PDF and CSV.

One view model per report (:class:`SubjectView`, :class:`TechnicalView`) is built from the
domain results (:class:`~assessments.survey360.aggregation.Report360`,
:class:`~assessments.survey360.reliability.SubjectAgreement` and
:class:`~assessments.survey360.reliability.CycleReliability`) and the texts to print
(:class:`Labels`); the HTML (printed to PDF as it is) and the CSV are rendered from it.

Anonymity is decided upstream, in the aggregation: a view holds only the groups the
report shows, and names a suppressed group only as a label in ``suppressed``, never with a
number. Comments carry no group. Every text is escaped by the templates (autoescape) and
every CSV cell is neutralised by :func:`reports.csv.csv_text`.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assessments.survey360.aggregation import GROUPS, OTHERS, RankedStatement, Report360
from assessments.survey360.reliability import (
    LOW_ALPHA,
    CycleReliability,
    Finding,
    ICCValue,
    SubjectAgreement,
    icc_band,
    icc_reading,
    rwg_band,
)
from reports.charts import Chart, bar_chart
from reports.csv import csv_text
from reports.environment import report_environment

__all__ = [
    "AgreementRow",
    "Column",
    "CommentBlock",
    "CompetencyRow",
    "Labels",
    "StatementRow",
    "SubjectView",
    "TechnicalView",
    "group_labels",
    "subject_csv",
    "subject_html",
    "subject_view",
    "technical_html",
    "technical_view",
]

Gettext = Callable[[str], str]
SERIES_ORDER = ("self", OTHERS, *(g for g in GROUPS if g != "self"))
"""Columns and chart series: self, others, then each other shown group."""


@dataclass(frozen=True)
class Labels:
    """The texts a report prints, in the report's language.

    ``competencies``: key -> name; ``statements``: id -> text; ``questions``: open
    question key -> text; ``required``: competency key -> the role's required level.
    """

    competencies: Mapping[str, str] = field(default_factory=dict)
    statements: Mapping[int, str] = field(default_factory=dict)
    questions: Mapping[str, str] = field(default_factory=dict)
    required: Mapping[str, int] = field(default_factory=dict)
    role: str = ""


def group_labels(gettext: Gettext) -> dict[str, str]:
    """Printed names of the rater groups (and of "others")."""
    _ = gettext
    return {
        "self": _("Self"),
        "manager": _("Manager"),
        "peer": _("Peers"),
        "direct_report": _("Direct reports"),
        "customer": _("Customers"),
        OTHERS: _("All others"),
    }


def _gettext(translations: gettext.NullTranslations | None) -> Gettext:
    return (translations or gettext.NullTranslations()).gettext


# --- the report of one person ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A shown group (or "others") and its number of raters."""

    key: str
    label: str
    n: int


@dataclass(frozen=True)
class CompetencyRow:
    """One competency: the mean of each column (None = withheld), the gap and its reading.

    ``flag`` is ``"blind_spot"``, ``"hidden_strength"`` or None; ``rwg`` lines up with
    :attr:`SubjectView.agreement`.
    """

    key: str
    name: str
    required: int | None
    means: tuple[float | None, ...]
    ns: tuple[int | None, ...]
    gap: float | None
    flag: str | None
    rwg: tuple[float | None, ...]


@dataclass(frozen=True)
class StatementRow:
    id: int
    text: str
    competency: str
    mean: float
    reverse: bool


@dataclass(frozen=True)
class CommentBlock:
    """Comments under one heading (a competency or an open question), unattributed."""

    key: str
    heading: str
    texts: tuple[str, ...]
    self_texts: tuple[str, ...]


@dataclass(frozen=True)
class AgreementRow:
    """Agreement within one shown group: ICC(2,1), ICC(2,k) and their reading."""

    key: str
    label: str
    n: int
    statements: int
    icc: ICCValue | None
    icc_k: ICCValue | None
    band: str | None
    warnings: tuple[Finding, ...]


@dataclass(frozen=True)
class SubjectView:
    """Everything the 360 report of one person prints, in every format."""

    review: str
    subject: str
    role: str
    generated: str
    threshold: int
    scale: tuple[int, int]
    gap: float
    columns: tuple[Column, ...]
    suppressed: tuple[str, ...]
    suppressed_keys: tuple[str, ...]
    others_shown: bool
    competencies: tuple[CompetencyRow, ...]
    chart: Chart | None
    blind_spots: tuple[str, ...]
    hidden_strengths: tuple[str, ...]
    highest: tuple[StatementRow, ...]
    lowest: tuple[StatementRow, ...]
    comments: tuple[CommentBlock, ...]
    agreement: tuple[AgreementRow, ...]
    group_labels: Mapping[str, str]
    competency_names: Mapping[str, str]

    @property
    def main_columns(self) -> list[tuple[int, Column]]:
        """Self and "others" with their index in :attr:`columns`."""
        return [(i, c) for i, c in enumerate(self.columns) if c.key in ("self", OTHERS)]

    @property
    def group_columns(self) -> list[tuple[int, Column]]:
        """The other shown groups with their index in :attr:`columns`."""
        return [(i, c) for i, c in enumerate(self.columns) if c.key not in ("self", OTHERS)]

    @property
    def raters(self) -> int | None:
        """Raters other than self, as shown ("others", else the manager), or None."""
        by_key = {c.key: c.n for c in self.columns}
        return by_key.get(OTHERS, by_key.get("manager"))

    @property
    def at_required(self) -> int | None:
        """Competencies whose "others" mean reaches the role's required level."""
        keys = [c.key for c in self.columns]
        if OTHERS not in keys:
            return None
        i = keys.index(OTHERS)
        return sum(
            1
            for r in self.competencies
            if r.required is not None and (m := r.means[i]) is not None and m >= r.required
        )


def subject_view(
    report: Report360,
    agreement: SubjectAgreement,
    labels: Labels,
    *,
    review: str,
    subject: str,
    generated: str = "",
    gap: float = 1.0,
    translations: gettext.NullTranslations | None = None,
) -> SubjectView:
    """The view of one person's 360 report.

    Parameters
    ----------
    report : Report360
        The anonymity-safe aggregate (:func:`assessments.survey360.aggregation.aggregate`).
    agreement : SubjectAgreement
        Agreement within the shown groups
        (:func:`~assessments.survey360.reliability.subject_agreement`).
    labels : Labels
        Texts in the report's language.
    review, subject : str
        The cycle's and the person's names.
    generated : str
        When the report was made, as printed.
    gap : float
        The self-other difference the aggregation used for blind spots (its ``gap``).
    translations : gettext translations, optional
        The report's language (English when None).
    """
    _ = _gettext(translations)
    names = group_labels(_)
    shown = {g.name: g.n for g in report.groups}
    columns = tuple(Column(k, names[k], shown[k]) for k in SERIES_ORDER if k in shown)
    agree = tuple(
        AgreementRow(
            key=a.group,
            label=names[a.group],
            n=a.n,
            statements=a.statements,
            icc=a.icc,
            icc_k=a.icc_k,
            band=icc_reading(a.icc_k.value, a.icc_k.ci) if a.icc_k else None,
            warnings=a.warnings,
        )
        for a in sorted(agreement.groups, key=lambda a: SERIES_ORDER.index(a.group))
    )
    rwg = {a.group: a.rwg for a in agreement.groups}
    comp_name = {c.key: labels.competencies.get(c.key, c.key) for c in report.competencies}
    rows = tuple(
        CompetencyRow(
            key=c.key,
            name=comp_name[c.key],
            required=labels.required.get(c.key),
            means=tuple(c.groups[col.key].mean for col in columns),
            ns=tuple(c.groups[col.key].n for col in columns),
            gap=c.gap,
            flag="blind_spot"
            if c.key in report.blind_spots
            else "hidden_strength"
            if c.key in report.hidden_strengths
            else None,
            rwg=tuple(rwg[a.key].get(c.key) for a in agree),
        )
        for c in report.competencies
    )
    chart = None
    if rows and columns:
        lo, hi = report.scale
        required = [r.required for r in rows]
        chart = bar_chart(
            [r.name for r in rows],
            [(col.label, [r.means[i] for r in rows]) for i, col in enumerate(columns)],
            scale=(lo, hi),
            title=_("Competencies by rater group"),
            description=_(
                "Mean rating per competency on the %(lo)d–%(hi)d scale for each group shown; "
                "the dark tick marks the level the role requires."
            )
            % {"lo": lo, "hi": hi},
            markers=required if any(v is not None for v in required) else None,
            marker_label=_("Required level"),
            ident="competencies",
        )
    statement = {s.id: s for s in report.statements}

    def ranked(items: tuple[RankedStatement, ...]) -> tuple[StatementRow, ...]:
        return tuple(
            StatementRow(
                id=s.id,
                text=labels.statements.get(s.id, ""),
                competency=comp_name.get(statement[s.id].competency, ""),
                mean=s.mean,
                reverse=statement[s.id].reverse,
            )
            for s in items
        )

    comments = tuple(
        CommentBlock(
            key=c.key,
            heading=labels.questions.get(c.key) or comp_name.get(c.key) or c.key,
            texts=c.texts,
            self_texts=c.self_texts,
        )
        for c in report.comments
        if c.texts or c.self_texts
    )
    return SubjectView(
        review=review,
        subject=subject,
        role=labels.role,
        generated=generated,
        threshold=report.threshold,
        scale=report.scale,
        gap=gap,
        columns=columns,
        suppressed=tuple(names[g] for g in report.suppressed_groups),
        suppressed_keys=tuple(report.suppressed_groups),
        others_shown=OTHERS in shown,
        competencies=rows,
        chart=chart,
        blind_spots=tuple(comp_name[k] for k in report.blind_spots),
        hidden_strengths=tuple(comp_name[k] for k in report.hidden_strengths),
        highest=ranked(report.highest),
        lowest=ranked(report.lowest),
        comments=comments,
        agreement=agree,
        group_labels=names,
        competency_names=comp_name,
    )


def subject_html(
    view: SubjectView,
    translations: gettext.NullTranslations | None = None,
    lang: str = "en",
    *,
    for_print: bool = False,
) -> str:
    """The report as a standalone HTML page; ``for_print``: the source of the PDF (what
    only a screen shows is left out: the table that stands for the chart)."""
    template = report_environment(translations).get_template("review_subject.html")
    return template.render(
        v=view, lang=lang, generated=view.generated, low_alpha=LOW_ALPHA, for_print=for_print
    )


def _round(v: float | None) -> float | str:
    return "" if v is None else round(v, 2)


def subject_csv(view: SubjectView) -> str:
    """Competency means per shown group and the gaps; highest and lowest statements;
    comments (unattributed); suppressed groups by name only. Cells are neutralised."""
    keys = [c.key for c in view.columns]
    rows: list[list[object]] = []
    for r in view.competencies:
        flag = r.flag.replace("_", " ") if r.flag else ""
        rows.append(
            [
                r.key,
                r.name,
                "" if r.required is None else r.required,
                *(_round(m) for m in r.means),
                *("" if n is None else n for n in r.ns),
                _round(r.gap),
                flag,
            ]
        )
    rows.append([])
    rows.append(["rank", "statement", "competency", "others mean"])
    rows += [["highest", s.text, s.competency, _round(s.mean)] for s in view.highest]
    rows += [["lowest", s.text, s.competency, _round(s.mean)] for s in view.lowest]
    rows.append([])
    rows.append(["comments on", "comment", "by"])
    for block in view.comments:
        rows += [[block.heading, t, "others"] for t in block.texts]
        rows += [[block.heading, t, "self"] for t in block.self_texts]
    if view.suppressed:
        rows.append([])
        rows.append(
            [
                "not shown (fewer raters than the anonymity threshold)",
                *view.suppressed_keys,
            ]
        )
    header = [
        "competency",
        "name",
        "required level",
        *(f"{k} mean" for k in keys),
        *(f"{k} n" for k in keys),
        "self-other gap",
        "reading",
    ]
    return csv_text(header, rows)


# --- the technical report of a cycle ---------------------------------------------------


@dataclass(frozen=True)
class TechnicalView:
    """Everything the technical report of a 360 cycle prints."""

    review: str
    role: str
    generated: str
    data: CycleReliability
    competencies: Mapping[str, str]
    statements: Mapping[int, str]
    subjects: Mapping[int, str]
    group_labels: Mapping[str, str]
    chart: Chart | None
    low_alpha: float = LOW_ALPHA

    def labels_of(self, groups: tuple[str, ...]) -> list[str]:
        """Printed names of rater groups."""
        return [self.group_labels.get(g, g) for g in groups]

    @property
    def median_rwg(self) -> float | None:
        """Median rwg(J) of "others" over every person and competency shown."""
        values = sorted(
            v
            for s in self.data.agreement
            for g in s.groups
            if g.group == OTHERS
            for v in g.rwg.values()
            if v is not None
        )
        if not values:
            return None
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2

    @property
    def answered_share(self) -> float | None:
        total = self.data.ratings + self.data.cannot_say
        return self.data.ratings / total if total else None


def technical_view(
    data: CycleReliability,
    labels: Labels,
    *,
    review: str,
    subjects: Mapping[int, str],
    generated: str = "",
    translations: gettext.NullTranslations | None = None,
) -> TechnicalView:
    """The view of a cycle's technical report (reliability, items, agreement, counts)."""
    _ = _gettext(translations)
    names = {
        c.competency: labels.competencies.get(c.competency, c.competency) for c in data.competencies
    }
    chart = None
    if data.competencies:
        chart = bar_chart(
            [names[c.competency] for c in data.competencies],
            [
                (_("Alpha"), [c.alpha for c in data.competencies]),
                (_("Omega"), [c.omega for c in data.competencies]),
            ],
            scale=(0.0, 1.0),
            title=_("Internal consistency per competency"),
            description=_(
                "Cronbach's alpha and McDonald's omega of each competency's statements; the "
                "dark tick marks 0.70, below which a score is too imprecise to judge one person."
            ),
            markers=[LOW_ALPHA] * len(data.competencies),
            marker_label=_("Minimum 0.70"),
            ident="alpha",
        )
    return TechnicalView(
        review=review,
        role=labels.role,
        generated=generated,
        data=data,
        competencies=names,
        statements=dict(labels.statements),
        subjects=dict(subjects),
        group_labels=group_labels(_),
        chart=chart,
    )


def technical_html(
    view: TechnicalView, translations: gettext.NullTranslations | None = None, lang: str = "en"
) -> str:
    """The technical report as a standalone HTML page (also the source of the PDF)."""
    template = report_environment(translations).get_template("review_technical.html")
    return template.render(
        v=view,
        d=view.data,
        lang=lang,
        generated=view.generated,
        icc_band=icc_band,
        icc_reading=icc_reading,
        rwg_band=rwg_band,
    )

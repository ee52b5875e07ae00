"""The job-analysis report (reports/job_analysis.py): a hand-built study rendered as HTML,
CSV and PDF; the sections 29 CFR 1607.15C(3) asks for, the figures, the notes on
1607.14C(1) and 1607.5F, anonymity (figures withheld below three experts), accessible
tables, and the Russian and Swedish report from the project's catalogues."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from reports.job_analysis import (
    CSV_HEADER,
    JobAnalysisReport,
    ReportCompetency,
    ReportICC,
    ReportIndicator,
    job_analysis_csv,
    job_analysis_html,
    job_analysis_pdf,
)
from server.web.catalogues import translations

RULES = {
    "alpha": 0.05,
    "day_one_share": 2 / 3,
    "learnable_below": 0.5,
    "develop_importance": 3.5,
    "develop_learnable": 0.5,
    "min_experts": 5,
    "low_rwg": 0.7,
}


def competency(**changes: object) -> ReportCompetency:
    base = ReportCompetency(
        key="stress-resistance",
        name="Stress resistance",
        definition="Handles hostile customers without taking it personally.",
        library_key="stress-resistance",
        indicators=(
            ReportIndicator(
                "Stays calm when a customer shouts", "present", 3, ("stress-resistance/calm",)
            ),
            ReportIndicator("Answers back in anger", "absent", 2),
        ),
        n=6,
        importance_n=6,
        importance_mean=4.37,
        importance_sd=0.548,
        importance_rwg=0.851,
        frequency_n=6,
        frequency_mean=3.61,
        frequency_sd=0.712,
        frequency_rwg=0.746,
        criticality=16.23,
        needed_day_one=0.83,
        learnable=0.17,
        lawshe_n=6,
        n_essential=6,
        cvr=1.0,
        cvr_critical=0.99,
        cvr_met=True,
        proposed_select_for=True,
        proposed_develop=False,
        select_for=True,
        develop=True,
        overridden=True,
        reason="Mentors keep working on it after hiring",
        weight=0.31,
        required_level=4,
        warnings=(),
        shown=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


EMPATHY = competency(
    key="empathy",
    name="Empathy",
    definition="Puts themself in the customer's place.",
    library_key=None,
    indicators=(ReportIndicator("Paraphrases to check understanding", "present", 1),),
    importance_mean=4.02,
    frequency_rwg=0.41,
    criticality=14.77,
    needed_day_one=0.67,
    learnable=0.62,
    n_essential=4,
    cvr=0.33,
    cvr_met=False,
    proposed_select_for=False,
    proposed_develop=True,
    select_for=True,
    develop=True,
    reason="Screened anyway: customers complain",
    weight=0.27,
    warnings=("low_agreement_frequency",),
)
# two experts rated it: every figure is withheld; the values are distinctive on purpose
HIDDEN = competency(
    key="products",
    name="Product knowledge",
    definition="Knows the products and the competitors' offers.",
    library_key="technical",
    indicators=(ReportIndicator("Compares tariffs on the spot", "present", 2),),
    n=2,
    importance_n=2,
    importance_mean=4.91,
    importance_sd=0.123,
    importance_rwg=0.987,
    frequency_n=2,
    frequency_mean=2.19,
    frequency_sd=0.456,
    frequency_rwg=0.654,
    criticality=11.43,
    needed_day_one=0.5,
    learnable=0.5,
    lawshe_n=2,
    n_essential=1,
    cvr=-0.77,
    cvr_critical=None,
    cvr_met=False,
    proposed_select_for=False,
    proposed_develop=True,
    select_for=None,
    develop=None,
    overridden=False,
    reason="",
    weight=0.19,
    required_level=None,
    warnings=("few_experts", "cvr_unreachable"),
    shown=False,
)
# as they would be printed (num: 2 decimals, coef: .99) and as they would be exported
WITHHELD = ("4.91", "0.12", ".99", "2.19", "0.46", ".65", "11.43", "-.77", "0.19", "50%")


def study(**changes: object) -> JobAnalysisReport:
    base = JobAnalysisReport(
        study_name="Operators 2026",
        role_name="Call-centre operator",
        step="decide",
        created="2026-12-01",
        applied=None,
        library_version=None,
        facilitator="coach@example.com",
        experts={"incumbent": 4, "manager": 1, "trainer": 2},
        experts_done=6,
        cards=27,
        unsorted_cards=3,
        rules=RULES,
        icc_importance=ReportICC(0.82, 0.55, 0.94, 3, 6),
        icc_frequency=ReportICC(0.64, 0.12, 0.91, 3, 6),
        competencies=(competency(), EMPATHY, HIDDEN),
        warnings=("unsorted_cards",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def text(html: str) -> str:
    """The visible text, tags dropped and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, heading_id: str) -> str:
    """The HTML of the section labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find('<section aria-labelledby="', start + 1)
    return html[start : end if end != -1 else None]


def competency_section(html: str, name: str) -> str:
    start = html.index(f">{name} <span")
    end = html.find('<section class="competency"', start)
    return html[start : end if end != -1 else html.index('aria-labelledby="icc-h"')]


# ---- HTML ------------------------------------------------------------------------------


def test_html_has_the_sections_of_a_documented_job_analysis() -> None:
    html = job_analysis_html(study())
    for heading in (
        "Job analysis: Operators 2026",
        "Summary",
        "Warnings",
        "Method",
        "The experts",
        "Decision rules",
        "Competencies at a glance",
        "Each competency",
        "Agreement between the experts across competencies",
        "Use at hiring",
        "References",
    ):
        assert re.search(rf"<h[12][^>]*>{re.escape(heading)}</h[12]>", html), heading
    words = text(html)
    assert "1607.15C(3)" in words
    # the method: the question, the ratings, the statistics and their sources
    assert "at the top of their game, what do they do best?" in words
    assert "importance × frequency" in words
    assert "CVR = (nₑ − N/2) / (N/2)" in words
    assert "uniform null" in words and "ICC(2,k)" in words
    assert "Wilson, Pan & Schumsky 2012; Ayre & Scally 2014" in words
    assert "Call-centre operator" in words and "coach@example.com" in words


def test_experts_are_counted_by_kind_never_named() -> None:
    experts = section(job_analysis_html(study()), "experts-h")
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="n">(\d+)</td>', experts))
    assert rows == {
        "Incumbents (hold the role and do it well)": "4",
        "Managers of the role": "1",
        "Trainers of the role": "2",
        "Total": "7",
    }
    assert "6 of the 7 experts submitted their ratings" in text(experts)
    assert "27 cards were written or picked; 3 of them were not sorted" in text(experts)


def test_each_competency_shows_definition_indicators_figures_and_decision() -> None:
    html = job_analysis_html(study())
    block = text(competency_section(html, "Stress resistance"))
    assert "Handles hostile customers without taking it personally." in block
    assert "Linked to the library competency stress-resistance." in block
    # indicators with their polarity, the number of cards and the library source
    assert "Stays calm when a customer shouts present 3 stress-resistance/calm" in block
    assert "Answers back in anger absent 2 –" in block
    assert "The indicators come from 5 cards." in block
    # importance and frequency: n, mean, SD (num, 2 decimals), rwg (coef)
    assert "Importance (1–5) 6 4.37 0.55 .85" in block
    assert "Frequency (1–5) 6 3.61 0.71 .75" in block
    assert "Criticality (importance × frequency, 1–25) 6 16.23" in block
    # shares, Lawshe, CVR with its critical value and whether it is met
    assert "Needed on the first day 83%" in block
    assert "Learnable on the job within the first months 17%" in block
    assert "Essential (Lawshe) 6 of 6" in block
    assert "Content validity ratio (CVR) 1.00" in block
    assert "Critical value at α = .05 .99" in block
    assert "CVR reaches the critical value yes" in block
    # proposal, decision, override with its reason
    assert "Select for (screen at hiring) yes yes" in block
    assert "Develop (after hiring) no yes" in block
    assert "Overridden:" in block and "Mentors keep working on it after hiring" in block
    assert "Weight in the role (from criticality): 0.31." in block
    assert "Required level: 4." in block

    empathy = text(competency_section(html, "Empathy"))
    assert "A new competency, not in the library before this study." in empathy
    assert "The indicators come from 1 card." in empathy
    assert "CVR reaches the critical value no" in empathy
    assert "rwg .41, below .70" in empathy  # the warning, in words


def test_rules_are_stated_with_their_values() -> None:
    rules = text(section(job_analysis_html(study()), "rules-h"))
    assert "one-tailed α = .05" in rules
    assert "at least 67% of the experts say the competency is needed on the first day" in rules
    assert "fewer than 50% say it can be learned on the job" in rules
    assert "mean importance is at least 3.5 and at least 50%" in rules
    assert "fewer than 5 experts rated it" in rules and "rwg is below .70" in rules


def test_study_warnings_are_sentences_not_codes() -> None:
    html = job_analysis_html(study(experts_done=4, warnings=("unsorted_cards", "few_experts")))
    warnings = text(section(html, "warnings-h"))
    assert "3 cards were not sorted into any competency" in warnings
    assert "4 experts submitted ratings, fewer than the 5 the rules ask for" in warnings
    assert "unsorted_cards" not in html and "few_experts" not in html


def test_select_for_gets_the_criterion_related_note_and_learnable_the_5f_note() -> None:
    html = job_analysis_html(study())
    stress = text(competency_section(html, "Stress resistance"))
    empathy = text(competency_section(html, "Empathy"))
    for block in (stress, empathy):  # both decided select-for
        assert "1607.14C(1)" in block and "criterion-related evidence" in block
    # 62% of the experts call empathy learnable (≥ learnable_below): the 1607.5F warning
    assert "62% of the experts say this competency can be learned" in empathy
    assert "1607.5F" in empathy and "1607.5F" not in stress
    hiring = text(section(html, "hiring-h"))
    assert "Decided select-for: Stress resistance, Empathy." in hiring
    assert "not by content alone" in hiring
    assert "Many experts call Empathy learnable" in hiring

    none = job_analysis_html(study(competencies=(replace(EMPATHY, select_for=False),)))
    assert "1607.14C(1)" not in text(section(none, "competencies-h"))
    assert "1607.5F" not in none.replace("§§ 1607.5F", "")
    assert "No competency is decided select-for yet." in text(section(none, "hiring-h"))


def test_icc_with_its_interval_and_reading() -> None:
    icc = text(section(job_analysis_html(study()), "icc-h"))
    assert "Importance .82 .55 – .94 3 6" in icc
    assert "Frequency .64 .12 – .91 3 6" in icc
    # .55 to .94 spans moderate to excellent (Koo & Li 2016): too few to judge
    assert "too few raters to judge" in icc
    narrow = study(icc_importance=ReportICC(0.93, 0.91, 0.97, 8, 6))
    assert "excellent" in text(section(job_analysis_html(narrow), "icc-h"))


def test_icc_is_withheld_below_three_experts() -> None:
    html = job_analysis_html(study(icc_importance=ReportICC(0.71, 0.2, 0.9, 3, 2)))
    icc = text(section(html, "icc-h"))
    assert ".71" not in icc and "not computed (fewer than 3 experts" in icc


def test_figures_of_a_competency_rated_by_fewer_than_three_are_withheld() -> None:
    html = job_analysis_html(study())
    hidden = competency_section(html, "Product knowledge")
    words = text(hidden)
    assert "Fewer than 3 experts rated this competency" in words
    assert "Compares tariffs on the spot" in words  # the indicators are not ratings
    for figure in WITHHELD:
        assert figure not in hidden, figure
    # not in the overview either, and the proposal is not shown (an override would tell it)
    overview = text(section(html, "overview-h"))
    assert "Product knowledge withheld: fewer than 3 experts rated it" in overview
    for figure in ("4.91", "11.4", "-.77"):
        assert figure not in html, figure
    assert "Select for (screen at hiring) – not decided yet" in words
    assert "Rated by 2 experts" not in words and "With 2 experts" not in words


def test_every_table_has_a_header_with_scope_and_text_is_escaped() -> None:
    html = job_analysis_html(
        study(competencies=(competency(name="<script>alert(1)</script>"), HIDDEN))
    )
    assert "<script>" not in html and "&lt;script&gt;" in html

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables = 0
            self.headed = 0
            self.unscoped: list[str] = []
            self.headings: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                self.tables += 1
            elif tag == "thead":
                self.headed += 1
            elif tag == "th" and not dict(attrs).get("scope"):
                self.unscoped.append(str(attrs))
            elif tag in ("h1", "h2", "h3"):
                self.headings.append(tag)

    parser = Tables()
    parser.feed(html)
    assert parser.tables > 5 and parser.headed == parser.tables
    assert parser.unscoped == []
    assert html.count("<caption>") == parser.tables
    assert parser.headings.count("h1") == 1 and parser.headings[1] == "h2"
    assert '<html lang="en">' in html
    assert '<html lang="sv">' in job_analysis_html(study(), lang="sv")


# ---- CSV -------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_competency() -> None:
    rows = list(csv.DictReader(io.StringIO(job_analysis_csv(study()))))
    assert tuple(rows[0].keys()) == CSV_HEADER
    assert [r["key"] for r in rows] == ["stress-resistance", "empathy", "products"]
    first = rows[0]
    # numbers unformatted: the values themselves, not the printed ones
    assert float(first["importance_mean"]) == 4.37
    assert float(first["importance_sd"]) == 0.548
    assert float(first["importance_rwg"]) == 0.851
    assert float(first["criticality"]) == 16.23
    assert float(first["needed_day_one"]) == 0.83
    assert float(first["cvr"]) == 1.0 and float(first["cvr_critical"]) == 0.99
    assert int(first["n"]) == 6 and int(first["n_essential"]) == 6
    assert first["cvr_met"] == "yes" and first["proposed_develop"] == "no"
    assert first["select_for"] == "yes" and first["overridden"] == "yes"
    assert first["reason"] == "Mentors keep working on it after hiring"
    assert first["indicators"] == "2" and first["cards"] == "5"
    assert first["library_key"] == "stress-resistance" and rows[1]["library_key"] == ""
    assert rows[1]["warnings"] == "low_agreement_frequency"


def test_csv_withholds_the_figures_of_a_competency_rated_by_fewer_than_three() -> None:
    out = job_analysis_csv(study())
    hidden = next(r for r in csv.DictReader(io.StringIO(out)) if r["key"] == "products")
    assert hidden["shown"] == "no"
    for column in (
        "n",
        "importance_mean",
        "importance_sd",
        "importance_rwg",
        "frequency_mean",
        "criticality",
        "needed_day_one",
        "learnable",
        "n_essential",
        "cvr",
        "proposed_select_for",
        "proposed_develop",
        "overridden",
        "weight",
        "warnings",
    ):
        assert hidden[column] == "", column
    assert hidden["select_for"] == "" and hidden["name"] == "Product knowledge"
    for figure in ("4.91", "0.123", "0.987", "2.19", "11.43", "-0.77", "0.19"):
        assert figure not in out, figure


def test_csv_cells_are_neutralised_and_undecided_is_empty() -> None:
    out = job_analysis_csv(
        study(competencies=(competency(name="=HYPERLINK(1)", select_for=None, cvr=None),))
    )
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["select_for"] == "" and row["cvr"] == ""


# ---- PDF -------------------------------------------------------------------------------


def test_pdf_renders() -> None:
    pdf = job_analysis_pdf(study())
    assert pdf[:5] == b"%PDF-"


# ---- languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        ("ru", ("Анализ работы: Operators 2026", "Метод", "Правила принятия решений")),
        ("sv", ("Arbetsanalys: Operators 2026", "Metod", "Beslutsregler")),
        ("nb", ("Jobbanalyse: Operators 2026", "Metode", "Beslutningsregler")),
    ],
)
def test_report_speaks_the_readers_language(lang: str, headings: tuple[str, ...]) -> None:
    html = job_analysis_html(study(), translations(lang), lang=lang)
    for heading in headings:
        assert re.search(rf"<h[12][^>]*>{re.escape(heading)}</h[12]>", html), heading
    assert ">Method<" not in html and ">Decision rules<" not in html

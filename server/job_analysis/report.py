"""The job-analysis report's data: the study, its experts by kind, the draft model with its
cards, figures, proposals and decisions (``reports.job_analysis`` renders it)."""

from __future__ import annotations

from typing import Any

import msgspec

from assessments.job_analysis import ICCSummary, required_level
from reports.job_analysis import JobAnalysisReport, ReportCompetency, ReportICC, ReportIndicator
from server.accounts import repository as accounts
from server.job_analysis import model_repository as model
from server.job_analysis import repository as repo
from server.job_analysis.decided import Decided, role_weights, rules_of
from server.job_analysis.repository import StudyRecord
from server.job_analysis.service import StudyService

__all__ = ["report_json", "report_model"]


def _icc(value: ICCSummary | None) -> ReportICC | None:
    if value is None or value.value is None:
        return None
    return ReportICC(
        value=value.value,
        lower=value.lower,
        upper=value.upper,
        n_targets=value.n_targets,
        k_raters=value.k_raters,
    )


def _competency(one: Decided, indicators: list[model.SortedIndicator], weight: float | None) -> Any:
    d, f = one.draft, one.figures if one.shown else None
    proposed = one.proposed
    decided = d.select_for is not None and d.develop is not None
    return ReportCompetency(
        key=d.key,
        name=d.name,
        definition=d.definition,
        library_key=d.library_key,
        indicators=tuple(
            ReportIndicator(text=i.text, polarity=i.polarity, cards=i.cards, sources=i.sources)
            for i in indicators
        ),
        n=one.figures.n if one.figures else 0,
        importance_n=f.importance_n if f else 0,
        importance_mean=f.importance_mean if f else None,
        importance_sd=f.importance_sd if f else None,
        importance_rwg=f.importance_rwg if f else None,
        frequency_n=f.frequency_n if f else 0,
        frequency_mean=f.frequency_mean if f else None,
        frequency_sd=f.frequency_sd if f else None,
        frequency_rwg=f.frequency_rwg if f else None,
        criticality=f.criticality if f else None,
        needed_day_one=f.needed_day_one if f else None,
        learnable=f.learnable if f else None,
        lawshe_n=f.lawshe_n if f else 0,
        n_essential=f.n_essential if f else 0,
        cvr=f.cvr if f else None,
        cvr_critical=f.cvr_critical if f else None,
        cvr_met=f.cvr_met if f else False,
        proposed_select_for=proposed[0],
        proposed_develop=proposed[1],
        select_for=d.select_for,
        develop=d.develop,
        overridden=decided and (d.select_for, d.develop) != proposed,
        reason=d.reason,
        weight=weight,
        required_level=required_level(f.importance_mean if f else None) if f else None,
        warnings=tuple(one.figures.warnings) if one.figures else ("no_ratings",),
        shown=one.shown,
    )


async def report_model(
    study: StudyRecord, service: StudyService, lang: str = "en"
) -> JobAnalysisReport:
    """The report's data; linked competencies named in ``lang``."""
    figures, decided = await service.figures(study, lang)
    indicators = await model.indicators_by_draft(study.id)
    all_cards = await model.list_cards(study.id)
    experts = await repo.list_experts(study.id)
    weights = role_weights(decided)
    facilitator = ""
    if study.created_by is not None:
        user = await accounts.get_user(study.created_by)
        facilitator = (user.name or user.email) if user else ""
    return JobAnalysisReport(
        study_name=study.name,
        role_name=(study.role_translations.get(lang) or {}).get("name") or study.role_name,
        step=study.step,
        created=study.created_at.date().isoformat(),
        applied=study.applied_at.date().isoformat() if study.applied_at else None,
        library_version=study.library_version,
        facilitator=facilitator,
        experts=await repo.experts_by_kind(study.id),
        experts_done=sum(1 for e in experts if e.ratings_done),
        cards=len(all_cards),
        unsorted_cards=sum(1 for c in all_cards if c.competency_id is None),
        rules={k: float(v) for k, v in rules_of(study).as_dict().items()},
        icc_importance=_icc(figures.icc_importance) if figures else None,
        icc_frequency=_icc(figures.icc_frequency) if figures else None,
        competencies=tuple(
            _competency(
                one,
                indicators.get(one.draft.id, []),
                weights.get(one.draft.id) if one.shown else None,
            )
            for one in decided
        ),
        warnings=tuple(figures.warnings) if figures else (),
    )


def report_json(study: StudyRecord, report: JobAnalysisReport) -> dict[str, Any]:
    """The report as JSON: every competency with ``proposed`` and ``decision`` objects."""
    data = msgspec.to_builtins(report)
    for c in data["competencies"]:
        c["rwg"] = c["importance_rwg"]  # the contract's agreement figure: on importance
        c["proposed"] = {"select_for": c["proposed_select_for"], "develop": c["proposed_develop"]}
        c["decision"] = {
            "select_for": c["select_for"],
            "develop": c["develop"],
            "overridden": c["overridden"],
            "reason": c["reason"],
        }
    data["id"] = study.id
    data["role_id"] = study.role_id
    return data

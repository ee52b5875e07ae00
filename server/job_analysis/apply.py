"""Applying a decided study to the library: the role's competencies, weights, required
levels and flags as a new library version, with the evidence behind every flag.

Weights come from criticality (each competency's over the mean of the study's), required
levels from the mean importance (``assessments.job_analysis.required_level``). A
competency decided neither select-for nor develop is left out of the role. A draft
linked to a library competency keeps that competency's texts; an unlinked one becomes a new
competency whose indicators are its cards.
"""

from __future__ import annotations

from typing import Any

from assessments.competency import Indicator
from assessments.job_analysis import StudyFigures, required_level
from server.core.db import utcnow
from server.core.schemas import User
from server.job_analysis import model_repository as model
from server.job_analysis import repository as repo
from server.job_analysis.decided import Decided, in_role, role_weights
from server.job_analysis.repository import StudyRecord
from server.library import repository as library
from server.library.versions import AppliedCompetency, apply_role_model

__all__ = ["apply_study", "flag_evidence"]


def flag_evidence(
    study: StudyRecord,
    experts: dict[str, int],
    one: Decided,
    flag: str,
) -> dict[str, Any]:
    """The evidence of one flag as the library keeps it (see the README, job analysis)."""
    f = one.figures if one.shown else None
    value = bool(getattr(one.draft, flag))
    proposed = one.proposed[0 if flag == "select_for" else 1]
    figures: dict[str, Any] = {}
    if f is not None:
        figures = {
            "n": f.n,
            "importance_mean": f.importance_mean,
            "importance_rwg": f.importance_rwg,
            "frequency_mean": f.frequency_mean,
            "criticality": f.criticality,
            "needed_day_one": f.needed_day_one,
            "learnable": f.learnable,
            "n_essential": f.n_essential,
            "lawshe_n": f.lawshe_n,
            "cvr": f.cvr,
            "cvr_critical": f.cvr_critical,
        }
    return {
        "source": "study",
        "value": value,
        "study": study.id,
        "study_name": study.name,
        "date": utcnow().date().isoformat(),
        "experts": {"n": sum(experts.values()), **experts},
        "proposed": proposed,
        "overridden": value != proposed,
        "reason": one.draft.reason,
        "figures": figures,
    }


async def apply_study(
    study: StudyRecord,
    figures: StudyFigures | None,
    decided: list[Decided],
    user: User,
) -> int:
    """Write the decided model into the library; returns the new library version."""
    experts = await repo.experts_by_kind(study.id)
    indicators = await model.indicators_by_draft(study.id)
    role = await library.get_role(study.role_id)
    # a competency decided neither select-for nor develop is left out of the role (the
    # library holds no competency without a flag; a linked one keeps its flags)
    weights = role_weights(decided)
    applied = []
    for one in (d for d in decided if in_role(d)):
        d, weight = one.draft, weights[one.draft.id]
        importance = one.figures.importance_mean if one.figures and one.shown else None
        applied.append(
            AppliedCompetency(
                key=d.library_key or d.key,
                name=d.name,
                definition=d.definition or d.name,
                indicators=tuple(
                    Indicator(key=None, text=i.text, polarity=i.polarity)  # type: ignore[arg-type]
                    for i in indicators.get(d.id, [])
                ),
                area=role.area,
                create=d.library_key is None,
                weight=weight,
                required_level=required_level(importance),
                select_for=bool(d.select_for),
                develop=bool(d.develop),
                evidence={
                    flag: flag_evidence(study, experts, one, flag)
                    for flag in ("select_for", "develop")
                },
            )
        )
    return await apply_role_model(
        study.role_id,
        applied,
        user_id=user.id,
        study_id=study.id,
        user_label=user.email,
    )

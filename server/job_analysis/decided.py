"""A draft competency with its figures and proposal, as the service, the apply and the
report share it; the study's rules; the anonymity threshold of the figures."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.job_analysis import CompetencyFigures, Rules, weights_from_criticality
from server.job_analysis.repository import StudyRecord
from server.job_analysis.schemas import Draft

__all__ = ["MIN_SHOWN", "Decided", "in_role", "role_weights", "rules_of"]

MIN_SHOWN = 3
"""Figures of a competency are shown only when at least this many experts rated it (the
360 threshold): below it, staff could read one expert's answers off a mean."""


def rules_of(study: StudyRecord) -> Rules:
    """The study's rules: the defaults with the facilitator's changes."""
    return Rules.from_mapping(study.rules)


@dataclass(frozen=True)
class Decided:
    """A draft competency with its figures (None when withheld) and proposal."""

    draft: Draft
    figures: CompetencyFigures | None
    shown: bool

    @property
    def proposed(self) -> tuple[bool, bool]:
        if self.figures is None or not self.shown:
            return False, False
        return self.figures.proposed_select_for, self.figures.proposed_develop


def in_role(one: Decided) -> bool:
    """Whether the competency goes into the role: every one but those decided neither
    select-for nor develop (the library holds no competency without a flag)."""
    return bool(one.draft.select_for or one.draft.develop or one.draft.select_for is None)


def role_weights(decided: list[Decided]) -> dict[int, float]:
    """Each competency's weight in the role by draft id: its criticality over the mean of
    the competencies in the role (the same figures for the report and the library)."""
    kept = [d for d in decided if in_role(d)]
    weights = weights_from_criticality(
        [d.figures.criticality if d.figures and d.shown else None for d in kept]
    )
    return {d.draft.id: w for d, w in zip(kept, weights, strict=True)}

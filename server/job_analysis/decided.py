"""A draft competency with its figures and proposal, as the service, the apply and the
report share it; the study's rules; the anonymity threshold of the figures."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.job_analysis import CompetencyFigures, Rules
from server.job_analysis.repository import StudyRecord
from server.job_analysis.schemas import Draft

__all__ = ["MIN_SHOWN", "Decided", "rules_of"]

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

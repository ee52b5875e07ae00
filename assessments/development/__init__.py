"""Development: the training catalogue and individual development plans.

The plan modules are loaded on first use (PEP 562): :mod:`assessments.competency`
imports the catalogue from this package, and the plans import the competency model, so
importing them here eagerly would be circular.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessments.development.idp import (
        DevelopmentPlan,
        ManagerNote,
        NotRated,
        PlanActivity,
        PlanMeasure,
        Priority,
        Strength,
        add_months,
        development_plan,
        ratings_from_report,
    )
    from assessments.development.onboarding import (
        FirstModule,
        OnboardingPlan,
        ScoreNote,
        StartWith,
        onboarding_plan,
    )

_LAZY = {
    "DevelopmentPlan": "idp",
    "ManagerNote": "idp",
    "NotRated": "idp",
    "PlanActivity": "idp",
    "PlanMeasure": "idp",
    "Priority": "idp",
    "Strength": "idp",
    "add_months": "idp",
    "development_plan": "idp",
    "ratings_from_report": "idp",
    "FirstModule": "onboarding",
    "OnboardingPlan": "onboarding",
    "ScoreNote": "onboarding",
    "StartWith": "onboarding",
    "onboarding_plan": "onboarding",
}

__all__ = [
    "DevelopmentPlan",
    "FirstModule",
    "ManagerNote",
    "NotRated",
    "OnboardingPlan",
    "PlanActivity",
    "PlanMeasure",
    "Priority",
    "ScoreNote",
    "StartWith",
    "Strength",
    "add_months",
    "development_plan",
    "onboarding_plan",
    "ratings_from_report",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"assessments.development.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Job analysis: the statistics that turn subject-matter experts' ratings into flags.

Lawshe's content validity ratio with its exact binomial critical value, per-competency
figures (means, SDs, rwg, criticality, shares, CVR), study-level ICC(2,k), the adjustable
decision rules that propose select-for and develop, and the weights and required levels a
study writes into a role. Pure numpy/scipy.
"""

from assessments.job_analysis.figures import (
    COMPETENCY_WARNINGS,
    LAWSHE_ESSENTIAL,
    LAWSHE_NOT_NECESSARY,
    LAWSHE_USEFUL,
    Check,
    CompetencyFigures,
    ICCSummary,
    Ratings,
    StudyFigures,
    analyse,
    icc2k_summary,
)
from assessments.job_analysis.lawshe import (
    content_validity_ratio,
    cvr_critical,
    essential_needed,
)
from assessments.job_analysis.rules import InvalidRules, Rules
from assessments.job_analysis.weights import required_level, weights_from_criticality

__all__ = [
    "COMPETENCY_WARNINGS",
    "LAWSHE_ESSENTIAL",
    "LAWSHE_NOT_NECESSARY",
    "LAWSHE_USEFUL",
    "Check",
    "CompetencyFigures",
    "ICCSummary",
    "InvalidRules",
    "Ratings",
    "Rules",
    "StudyFigures",
    "analyse",
    "content_validity_ratio",
    "cvr_critical",
    "essential_needed",
    "icc2k_summary",
    "required_level",
    "weights_from_criticality",
]

"""Psychometrics: reliability, agreement, score precision and norms (pure numpy/scipy).

Every public name is importable from here; see each module for formulas and references.
"""

from assessments.psychometrics.agreement import (
    ICC_FORMS,
    ICCForm,
    ICCResult,
    icc,
    rwg,
    rwg_j,
    rwg_j_groups,
)
from assessments.psychometrics.conversions import (
    percentile_ranks,
    stanines,
    stens,
    t_scores,
    z_scores,
)
from assessments.psychometrics.fairness import AdverseImpact, GroupImpact, adverse_impact
from assessments.psychometrics.normgroups import NormGroup, norms
from assessments.psychometrics.options import OptionAnalysis, option_analysis
from assessments.psychometrics.reliability import (
    Alpha,
    ItemAnalysis,
    SplitHalf,
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    omega_total,
    spearman_brown,
    split_half,
)
from assessments.psychometrics.scale_analysis import (
    ItemStats,
    Message,
    MissingData,
    Reading,
    ScaleAnalysis,
    analyse_scale,
    read_alpha,
)
from assessments.psychometrics.scores import SEDBands, score_ci, sed_bands, sem

__all__ = [
    "ICC_FORMS",
    "AdverseImpact",
    "Alpha",
    "GroupImpact",
    "ICCForm",
    "ICCResult",
    "ItemAnalysis",
    "ItemStats",
    "Message",
    "MissingData",
    "NormGroup",
    "OptionAnalysis",
    "Reading",
    "SEDBands",
    "ScaleAnalysis",
    "SplitHalf",
    "adverse_impact",
    "analyse_scale",
    "cronbach_alpha",
    "guttman_lambda6",
    "icc",
    "item_analysis",
    "norms",
    "omega_total",
    "option_analysis",
    "percentile_ranks",
    "read_alpha",
    "rwg",
    "rwg_j",
    "rwg_j_groups",
    "score_ci",
    "sed_bands",
    "sem",
    "spearman_brown",
    "split_half",
    "stanines",
    "stens",
    "t_scores",
    "z_scores",
]

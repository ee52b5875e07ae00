"""Psychometrics: norms (percentile ranks and standard scores) within a group."""

from assessments.psychometrics.norms import (
    percentile_ranks,
    stanines,
    stens,
    t_scores,
    z_scores,
)

__all__ = ["percentile_ranks", "stanines", "stens", "t_scores", "z_scores"]

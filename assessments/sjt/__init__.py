"""Situational judgement tests: keys and scoring."""

from assessments.sjt.keys import (
    ExpertKey,
    direct_key,
    expert_key,
    key_ranks,
    option_keys,
    rwg_j,
)
from assessments.sjt.scoring import (
    ConsensusKey,
    ItemBounds,
    MostLeastWeights,
    NotFittedError,
    ScoringResult,
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_test,
)

__all__ = [
    "ConsensusKey",
    "ExpertKey",
    "ItemBounds",
    "MostLeastWeights",
    "NotFittedError",
    "ScoringResult",
    "direct_key",
    "expert_key",
    "key_ranks",
    "most_least_bounds",
    "most_least_options_bounds",
    "option_keys",
    "rank_bounds",
    "rate_bounds",
    "rwg_j",
    "score_most_least",
    "score_most_least_options",
    "score_rank",
    "score_rate",
    "score_test",
]

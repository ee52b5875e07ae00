"""Which items an effectiveness key lets discriminate, for a given format and scoring method.

An item discriminates when two answers to it can score differently: its exact bounds
(:mod:`assessments.sjt.scoring`) have ``lo < hi``. An item whose key rates every option
alike (all options keyed 0 for option-key scoring, the same best and worst option, key
ranks that tie every option, a flat key for correlation scoring) scores the same whatever
the candidate does: scoring leaves it out (:func:`assessments.sjt.scoring.score_test`) and
the form builder does not take it.
"""

from __future__ import annotations

import numpy as np

from assessments.sjt.forms import SCORING_METHODS
from assessments.sjt.items import RATE_SCALE
from assessments.sjt.keys import TIE_DECIMALS, _valid_mask, key_ranks, option_keys
from assessments.sjt.scoring import (
    ItemBounds,
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
)

__all__ = ["discriminates", "expert_best_worst", "expert_bounds"]


def expert_best_worst(effectiveness: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keyed best and worst option of each item (first index on ties).

    When every option has the same effectiveness both are option 0: the item cannot
    discriminate (see :func:`assessments.sjt.scoring.score_most_least`).
    """
    v = _valid_mask(valid)
    k = np.where(v, np.round(np.asarray(effectiveness, dtype=float), TIE_DECIMALS), np.nan)
    best = np.where(v, k, -np.inf).argmax(axis=1)
    worst = np.where(v, k, np.inf).argmin(axis=1)
    flat = np.nanmax(k, axis=1) == np.nanmin(k, axis=1)
    return np.where(flat, 0, best), np.where(flat, 0, worst)


def expert_bounds(
    effectiveness: np.ndarray,
    valid: np.ndarray,
    *,
    format: str,
    method: str,
    scale: tuple[int, int] = RATE_SCALE,
) -> ItemBounds:
    """Exact item bounds under an effectiveness key, for a form's format and method.

    Parameters
    ----------
    effectiveness : ndarray, items x options
        The key (e.g. expert mean ratings on ``scale``); NaN on padding.
    valid : ndarray of bool, items x options
    format : {"rate", "most_least", "rank"}
    method : str
        One of :data:`assessments.sjt.forms.SCORING_METHODS` of the format.
    scale : (min, max)
        The rating scale of rate items.
    """
    if format not in SCORING_METHODS:
        raise ValueError(f"format must be one of {tuple(SCORING_METHODS)}, got {format!r}")
    if method not in SCORING_METHODS[format]:
        raise ValueError(
            f"method {method!r} does not score the {format} format; "
            f"use one of {SCORING_METHODS[format]}"
        )
    if format == "rate":
        return rate_bounds(effectiveness, valid, method=method, scale=scale)  # type: ignore[arg-type]
    if method == "option_keys":
        return most_least_options_bounds(option_keys(effectiveness, valid), valid)
    if format == "most_least":
        best, worst = expert_best_worst(effectiveness, valid)
        return most_least_bounds(best, worst, valid)
    ranks = key_ranks(effectiveness, valid)
    return rank_bounds(ranks, valid, method="spearman" if method == "spearman" else "distance")


def discriminates(
    effectiveness: np.ndarray,
    valid: np.ndarray,
    *,
    format: str,
    method: str,
    scale: tuple[int, int] = RATE_SCALE,
) -> np.ndarray:
    """Bool per item: True when two answers to it can score differently (lo < hi)."""
    b = expert_bounds(effectiveness, valid, format=format, method=method, scale=scale)
    tol = 1e-9 * np.maximum(1.0, np.maximum(np.abs(b.lo), np.abs(b.hi)))
    differ: np.ndarray = b.hi - b.lo > tol
    return differ

r"""A form's answer sheets scored in one pass: arrays, item scores, totals, single choices.

The steps a campaign's ranking takes for each of its forms, free of storage:

1. :func:`response_arrays` turns stored answers into the arrays the ``score_*`` functions
   of :mod:`assessments.sjt.scoring` take (candidates x items (x options), NaN = missing),
   counting an answer only when :func:`assessments.sjt.items.is_complete` says it is one;
2. :func:`item_scores` scores every item with the form's method, under an expert key or a
   consensus key fitted to the same sheets (:class:`~assessments.sjt.scoring.ConsensusKey`),
   and gives each item's exact bounds;
3. :func:`unit_scores` puts each item score on 0-1 between its bounds, for item analysis;
4. :func:`total_scores` sums them into totals and competency scores under the vacancy's
   omission policy (:func:`~assessments.sjt.scoring.score_test`), or the profile
   correlation for standardized rating (:func:`~assessments.sjt.scoring.score_standardized`);
5. :func:`single_choices` picks out the single choices an option analysis works on.

References
----------
McDaniel, M. A., Psotka, J., Legree, P. J., Yost, A. P., & Weekley, J. A. (2011). Toward an
understanding of situational judgment item validity and group differences. *Journal of
Applied Psychology, 96*(2), 327-336.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np

from assessments.sjt.discrimination import expert_best_worst
from assessments.sjt.items import FORMATS, RATE_SCALE, Format, Item, is_complete
from assessments.sjt.keys import key_ranks, option_keys
from assessments.sjt.scoring import (
    OMISSION_POLICIES,
    RATE_METHODS,
    ConsensusKey,
    OmissionPolicy,
    RateMethod,
    ScoringResult,
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_standardized,
    score_test,
)

__all__ = [
    "KEY_METHODS",
    "ItemScores",
    "item_scores",
    "response_arrays",
    "single_choices",
    "total_scores",
    "unit_scores",
]

#: Where a form's key comes from: the experts' effectiveness ratings, or the sample's own
#: answers (mean or modal answer per option).
KEY_METHODS: tuple[str, ...] = ("expert", "consensus_mean", "consensus_mode")


def _one_of(value: str, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}, got {value!r}")
    return value


def response_arrays(
    items: Sequence[Item], fmt: str, answers: Sequence[Mapping[int, Mapping[str, Any]]]
) -> tuple[np.ndarray, ...]:
    """Stored answers as arrays in each item's canonical option order (NaN = missing).

    Parameters
    ----------
    items : sequence of Item
        The form's items in form order; each must carry its ``id``.
    fmt : {"rate", "most_least", "rank"}
    answers : sequence of mappings
        Per candidate, the stored answers by item id. An answer counts only when
        :func:`~assessments.sjt.items.is_complete` holds; anything else is missing.

    Returns
    -------
    tuple of ndarray
        ``(ratings, valid)`` for rate (candidates x items x options), ``(most, least,
        valid)`` for most/least (candidates x items, option indices) and ``(ranks,
        valid)`` for rank (rank position 1..n of every option); ``valid`` is the items x
        options mask of the options each item has.
    """
    form = cast(Format, _one_of(fmt, FORMATS, "fmt"))
    if not items:
        raise ValueError("items must hold at least one item")
    ids: list[int] = []
    for it in items:
        if it.id is None:
            raise ValueError(f"item {it.key!r} has no id: answers are stored by item id")
        ids.append(it.id)
    n_c, n_i = len(answers), len(items)
    width = max(len(it.options) for it in items)
    valid = np.zeros((n_i, width), dtype=bool)
    for i, it in enumerate(items):
        valid[i, : len(it.options)] = True
    index = [{k: o for o, k in enumerate(it.option_keys)} for it in items]
    if form == "most_least":
        most = np.full((n_c, n_i), np.nan)
        least = np.full((n_c, n_i), np.nan)
        for c, saved in enumerate(answers):
            for i, it in enumerate(items):
                a = saved.get(ids[i])
                if a is not None and is_complete(it, form, a):
                    most[c, i] = index[i][a["most"]]
                    least[c, i] = index[i][a["least"]]
        return most, least, valid
    out = np.full((n_c, n_i, width), np.nan)
    for c, saved in enumerate(answers):
        for i, it in enumerate(items):
            a = saved.get(ids[i])
            if a is None or not is_complete(it, form, a):
                continue
            if form == "rate":
                for k, v in a["ratings"].items():
                    out[c, i, index[i][k]] = v
            else:
                for pos, k in enumerate(a["ranking"], start=1):
                    out[c, i, index[i][k]] = pos
    return out, valid


@dataclass(frozen=True, eq=False)
class ItemScores:
    """Item scores of a form's sheets and what produced them (see :func:`item_scores`).

    Attributes
    ----------
    scores : ndarray, candidates x items
        NaN where the item was not answered.
    lo, hi : ndarray, items
        The lowest and highest score any answer to each item gets.
    best, worst : ndarray of int, items
        The key's best and worst option of each item (equal when the key is flat).
    effectiveness : ndarray, items x options
        The key used: the experts' or the one fitted to the sample.
    """

    scores: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    effectiveness: np.ndarray


def item_scores(
    fmt: str,
    method: str,
    key_method: str,
    responses: tuple[np.ndarray, ...],
    effectiveness: np.ndarray,
) -> ItemScores:
    """Score every item of a form's sheets and give each item's exact bounds.

    Parameters
    ----------
    fmt : {"rate", "most_least", "rank"}
    method : str
        The form's scoring method: a rate method (:data:`~assessments.sjt.scoring.
        RATE_METHODS`), ``"option_keys"`` or another most/least method, ``"spearman"`` or
        another rank method (distance).
    key_method : {"expert", "consensus_mean", "consensus_mode"}
        ``expert`` scores against ``effectiveness``; a consensus method fits a
        :class:`~assessments.sjt.scoring.ConsensusKey` to the same sheets and scores
        against it (``effectiveness`` is then not used).
    responses : tuple of ndarray
        As returned by :func:`response_arrays` (``valid`` last).
    effectiveness : ndarray, items x options
        The experts' key (NaN on padded options).
    """
    form = _one_of(fmt, FORMATS, "fmt")
    _one_of(key_method, KEY_METHODS, "key_method")
    *arrays, valid = responses
    if key_method != "expert":
        consensus = ConsensusKey(
            format=cast(Format, form),
            method=cast(Literal["mean", "mode"], key_method.removeprefix("consensus_")),
        )
        consensus.fit(*arrays, valid=valid)
        eff = consensus.effectiveness_
        best, worst, ranks = consensus.best_, consensus.worst_, consensus.ranks_
    else:
        eff = effectiveness
        best, worst = expert_best_worst(eff, valid)  # equal when the key is flat
        ranks = key_ranks(eff, valid)
    if form == "rate":
        rate = cast(RateMethod, _one_of(method, RATE_METHODS, "method"))
        scores = score_rate(arrays[0], eff, valid, method=rate)
        bounds = rate_bounds(eff, valid, method=rate)
    elif form == "most_least" and method == "option_keys":
        keys = (
            option_keys(eff, valid)
            if key_method == "expert"
            else np.where(
                np.arange(valid.shape[1]) == best[:, None],
                1,
                np.where(np.arange(valid.shape[1]) == worst[:, None], -1, 0),
            )
        )
        scores = score_most_least_options(arrays[0], arrays[1], keys, valid=valid)
        bounds = most_least_options_bounds(keys, valid)
    elif form == "most_least":
        scores = score_most_least(arrays[0], arrays[1], best=best, worst=worst, valid=valid)
        bounds = most_least_bounds(best, worst, valid)
    else:
        rank_method: Literal["distance", "spearman"] = (
            "spearman" if method == "spearman" else "distance"
        )
        scores = score_rank(arrays[0], ranks, valid, method=rank_method)
        bounds = rank_bounds(ranks, valid, method=rank_method)
    return ItemScores(scores, bounds.lo, bounds.hi, np.asarray(best), np.asarray(worst), eff)


def unit_scores(got: ItemScores) -> np.ndarray:
    r"""Item scores on 0-1 between each item's bounds, :math:`(s - lo) / (hi - lo)`.

    NaN where the item was not answered or cannot discriminate (:math:`hi = lo`).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        span = np.where(got.hi > got.lo, got.hi - got.lo, np.nan)
        return np.asarray((got.scores - got.lo) / span, dtype=float)


def total_scores(
    fmt: str,
    method: str,
    got: ItemScores,
    responses: tuple[np.ndarray, ...],
    targets: np.ndarray,
    omitted: str,
) -> ScoringResult:
    """Totals and competency scores under the omission policy.

    Per-item methods: the sum over the form's items on 0-100 between the lowest and the
    highest score a sheet can get (:func:`~assessments.sjt.scoring.score_test`).
    Standardized rating: the profile correlation x 100 (McDaniel et al., 2011;
    :func:`~assessments.sjt.scoring.score_standardized`).

    Parameters
    ----------
    fmt, method : str
        The form's format and scoring method.
    got : ItemScores
        From :func:`item_scores` on the same ``responses``.
    responses : tuple of ndarray
        As returned by :func:`response_arrays`.
    targets : ndarray of bool, items x competencies
    omitted : {"lowest", "middle"}
        How an omitted item scores (see :data:`~assessments.sjt.scoring.OMISSION_POLICIES`).
    """
    policy = cast(OmissionPolicy, _one_of(omitted, OMISSION_POLICIES, "omitted"))
    if fmt == "rate" and method == "standardized":
        return score_standardized(
            responses[0],
            got.effectiveness,
            responses[-1],
            targets,
            scale=RATE_SCALE,
            omitted=policy,
        )
    return score_test(got.scores, (got.lo, got.hi), targets, omitted=policy)


def single_choices(
    fmt: str,
    responses: tuple[np.ndarray, ...],
    best: np.ndarray,
    worst: np.ndarray,
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The single choices of a form's sheets with their keyed options: (name, choices, key).

    most/least: the option chosen as most effective (key: the best) and as least effective
    (key: the worst); rank: the option put first and the one put last, on complete
    rankings only; rate: none (every option is rated, nothing is chosen).

    Returns
    -------
    list of (name, ndarray candidates x items of option indices (NaN: none), ndarray items)
    """
    form = _one_of(fmt, FORMATS, "fmt")
    if form == "most_least":
        most, least, _ = responses
        return [("most", most, best), ("least", least, worst)]
    if form == "rank":
        ranks, valid = responses
        n_options = valid.sum(axis=1)  # per item
        given = valid[None] & ~np.isnan(ranks)
        complete = (given == valid[None]).all(axis=2)  # candidates x items
        first = np.where(given, ranks, np.inf).argmin(axis=2)
        last = (given & (ranks == n_options[None, :, None])).argmax(axis=2)
        return [
            ("first", np.where(complete, first, np.nan), best),
            ("last", np.where(complete, last, np.nan), worst),
        ]
    return []

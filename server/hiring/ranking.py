"""Scores and ranking of a campaign, computed from the stored answers (recomputable).

Answers are turned into arrays (candidates x items x options, NaN for missing), scored in
one vectorised pass per form with the form's method and the current keys, scaled to 0-100,
and ranked campaign-wide with percentile ranks and stens among the submitted candidates.
Each score is stored with the key versions and method that produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import anyio.to_thread
import msgspec
import numpy as np
from piccolo.query.functions.aggregate import Count, Max, Sum

from assessments.psychometrics import (
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    norms,
    omega_total,
    option_analysis,
    percentile_ranks,
    sed_bands,
    sem,
    split_half,
    stens,
)
from assessments.psychometrics.scale_analysis import LOW_ALPHA, SMALL_N
from assessments.sjt.discrimination import expert_best_worst
from assessments.sjt.items import RATE_SCALE, Format, Item, is_complete
from assessments.sjt.keys import key_ranks, option_keys
from assessments.sjt.scoring import (
    ConsensusKey,
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
from reports.hiring import (
    MISSING_PAIRWISE,
    OPTIONS_NOT_RATE,
    OPTIONS_NOTE,
    OPTIONS_TOO_FEW,
)
from server.core import snapshots
from server.core.db import loads, present, utcnow, write_transaction
from server.core.vocabulary import CandidateStatus
from server.hiring.repository import form_items
from server.library import repository as library_repo
from server.respondent.repository import submit_expired
from server.sjt import repository as sjt_bank
from server.sjt.schemas import (
    BandInfo,
    Campaign,
    FormReliability,
    ItemOptions,
    ItemStats,
    NormRow,
    Norms,
    OptionStats,
    Pending,
    Ranked,
    Ranking,
)
from server.tables import (
    Answer,
    CampaignForm,
    Candidate,
    Score,
    SjtForm,
    SjtFormItem,
    SjtItem,
    SjtKey,
)

# Bump when the stored analysis changes shape or method: stored snapshots are then redone.
ANALYSIS_VERSION = 2  # 2: omitted items scored by the vacancy's policy
BAND_Z = 1.96


@dataclass(frozen=True)
class FormScores:
    form_id: int
    candidate_ids: list[int]
    total_scaled: np.ndarray
    competency_scaled: np.ndarray  # candidates x competencies
    answered: np.ndarray
    item_scores: np.ndarray  # candidates x items, 0-1 within each item's bounds
    item_ids: list[int]
    item_keys: list[str]
    name: str = ""
    format: str = ""
    scoring: str = ""
    responses: tuple[np.ndarray, ...] = ()  # as from response_arrays, ``valid`` last
    best: np.ndarray | None = None  # keyed best / worst option per item
    worst: np.ndarray | None = None
    option_keys: tuple[tuple[str, ...], ...] = ()
    items: int = 0  # scored items (the form's items less the excluded)
    excluded: tuple[str, ...] = ()  # item keys left out: their key cannot discriminate
    scale: str = "0-100"


def response_arrays(
    items: Sequence[Item], fmt: Format, answers: Sequence[Mapping[int, Mapping[str, Any]]]
) -> tuple[np.ndarray, ...]:
    """Stored answers as arrays in each item's canonical option order (NaN = missing).

    Returns ``(ratings,)`` for rate, ``(most, least)`` for most_least, ``(ranks,)`` for rank
    (rank position 1..n of every option); plus the ``valid`` mask items x options last.
    """
    n_c, n_i = len(answers), len(items)
    width = max(len(it.options) for it in items)
    valid = np.zeros((n_i, width), dtype=bool)
    for i, it in enumerate(items):
        valid[i, : len(it.options)] = True
    index = [{k: o for o, k in enumerate(it.option_keys)} for it in items]
    if fmt == "most_least":
        most = np.full((n_c, n_i), np.nan)
        least = np.full((n_c, n_i), np.nan)
        for c, saved in enumerate(answers):
            for i, it in enumerate(items):
                # type-ignore reason: a stored item always has an id
                a = saved.get(it.id)  # type: ignore[arg-type]
                if is_complete(it, fmt, a):
                    # type-ignore reason: is_complete() holds, so a is an answer
                    most[c, i] = index[i][a["most"]]  # type: ignore[index]
                    # type-ignore reason: is_complete() holds, so a is an answer
                    least[c, i] = index[i][a["least"]]  # type: ignore[index]
        return most, least, valid
    out = np.full((n_c, n_i, width), np.nan)
    for c, saved in enumerate(answers):
        for i, it in enumerate(items):
            # type-ignore reason: a stored item always has an id
            a = saved.get(it.id)  # type: ignore[arg-type]
            if not is_complete(it, fmt, a):
                continue
            if fmt == "rate":
                # type-ignore reason: is_complete() holds, so a is an answer
                for k, v in a["ratings"].items():  # type: ignore[index]
                    out[c, i, index[i][k]] = v
            else:
                # type-ignore reason: is_complete() holds, so a is an answer
                for pos, k in enumerate(a["ranking"], start=1):  # type: ignore[index]
                    out[c, i, index[i][k]] = pos
    return out, valid


class ItemScores(NamedTuple):
    scores: np.ndarray  # candidates x items
    lo: np.ndarray  # lowest / highest possible score per item
    hi: np.ndarray
    best: np.ndarray  # the key's best / worst option per item
    worst: np.ndarray
    effectiveness: np.ndarray  # the key used (expert or learned from the sample)


def item_scores(
    fmt: Format,
    method: str,
    key_method: str,
    responses: tuple[np.ndarray, ...],
    effectiveness: np.ndarray,
) -> ItemScores:
    """Item scores (candidates x items), the items' score bounds and the key's best/worst."""
    *arrays, valid = responses
    if key_method != "expert":
        # type-ignore reason: stored from a Literal field, read back as str
        consensus = ConsensusKey(format=fmt, method=key_method.removeprefix("consensus_"))  # type: ignore[arg-type]
        consensus.fit(*arrays, valid=valid)
        eff = consensus.effectiveness_
        best, worst, ranks = consensus.best_, consensus.worst_, consensus.ranks_
    else:
        eff = effectiveness
        best, worst = expert_best_worst(eff, valid)  # equal when the key is flat
        ranks = key_ranks(eff, valid)
    if fmt == "rate":
        # type-ignore reason: stored from a Literal field, read back as str
        scores = score_rate(arrays[0], eff, valid, method=method)  # type: ignore[arg-type]
        # type-ignore reason: stored from a Literal field, read back as str
        bounds = rate_bounds(eff, valid, method=method)  # type: ignore[arg-type]
    elif fmt == "most_least" and method == "option_keys":
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
    elif fmt == "most_least":
        scores = score_most_least(arrays[0], arrays[1], best=best, worst=worst, valid=valid)
        bounds = most_least_bounds(best, worst, valid)
    else:
        rank_method: Literal["distance", "spearman"] = (
            "spearman" if method == "spearman" else "distance"
        )
        scores = score_rank(arrays[0], ranks, valid, method=rank_method)
        bounds = rank_bounds(ranks, valid, method=rank_method)
    return ItemScores(scores, bounds.lo, bounds.hi, np.asarray(best), np.asarray(worst), eff)


def total_scores(
    fmt: str,
    method: str,
    got: ItemScores,
    responses: tuple[np.ndarray, ...],
    targets: np.ndarray,
    omitted: str,
) -> ScoringResult:
    """Totals and competency scores under the omission policy (see the README's scoring).

    Per-item methods: the sum over the form's items on 0-100 between the lowest and the
    highest score a sheet can get. Standardized rating: the profile correlation x 100.
    """
    if fmt == "rate" and method == "standardized":
        return score_standardized(
            responses[0],
            got.effectiveness,
            responses[-1],
            targets,
            scale=RATE_SCALE,
            # type-ignore reason: stored from a Literal field, read back as str
            omitted=omitted,  # type: ignore[arg-type]
        )
    # type-ignore reason: stored from a Literal field, read back as str
    return score_test(got.scores, (got.lo, got.hi), targets, omitted=omitted)  # type: ignore[arg-type]


async def _answers(candidate_ids: Sequence[int]) -> dict[int, dict[int, dict[str, Any]]]:
    rows = await Answer.select(Answer.candidate, Answer.item, Answer.payload).where(
        Answer.candidate.is_in(list(candidate_ids) or [-1])
    )
    out: dict[int, dict[int, dict[str, Any]]] = {i: {} for i in candidate_ids}
    for r in rows:
        out[r["candidate"]][r["item"]] = loads(r["payload"])
    return out


@dataclass(frozen=True)
class Scored:
    candidates: list[dict[str, Any]]
    answers: dict[int, dict[int, dict[str, Any]]]
    comp_keys: list[str]
    methods: set[str]
    key_versions: dict[str, int]
    results: list[FormScores]


async def _scores(campaign: Campaign) -> Scored:
    """Score every submitted candidate of the campaign, form by form."""
    await submit_expired(Candidate.campaign == campaign.id)
    candidates = (
        await Candidate.select().where(Candidate.campaign == campaign.id).order_by(Candidate.id)
    )
    selected, _ = await library_repo.list_competencies(
        role=str(campaign.role_id), flag="select_for", limit=500
    )
    comp_keys = [c.key for c in selected]
    submitted = [c for c in candidates if c["status"] == CandidateStatus.SUBMITTED]
    answers = await _answers([c["id"] for c in candidates])
    methods: set[str] = set()
    key_versions: dict[str, int] = {}
    results: list[FormScores] = []
    for form_id in sorted({c["form"] for c in submitted}):
        form = present(await SjtForm.select().where(SjtForm.id == form_id).first(), "form", form_id)
        items = await form_items(form_id)
        who = [c for c in submitted if c["form"] == form_id]
        # type-ignore reason: a stored item always has an id
        keys = await sjt_bank.latest_keys([it.id for it in items])  # type: ignore[misc]
        width = max(len(it.options) for it in items)
        eff = np.full((len(items), width), np.nan)
        for i, it in enumerate(items):
            # type-ignore reason: a stored item always has an id
            info = sjt_bank.key_info(keys.get(it.id), it)  # type: ignore[arg-type]
            if info is not None:
                eff[i, : len(it.options)] = [info.effectiveness[k] for k in it.option_keys]
                key_versions[it.key] = info.version
        targets = np.array(
            [[k in it.competencies for k in comp_keys] for it in items], dtype=bool
        ).reshape(len(items), len(comp_keys))
        arrays = response_arrays(items, form["format"], [answers[c["id"]] for c in who])

        def compute(
            arrays: tuple[np.ndarray, ...] = arrays,
            form: dict[str, Any] = form,
            eff: np.ndarray = eff,
            targets: np.ndarray = targets,
        ) -> Any:
            got = item_scores(form["format"], form["scoring"], campaign.key_method, arrays, eff)
            with np.errstate(invalid="ignore", divide="ignore"):
                unit = (got.scores - got.lo) / np.where(got.hi > got.lo, got.hi - got.lo, np.nan)
            found = total_scores(
                form["format"], form["scoring"], got, arrays, targets, campaign.omitted
            )
            return found, unit, got

        result, unit, got = await anyio.to_thread.run_sync(compute)
        methods.add(f"{form['format']}/{form['scoring']}")
        results.append(
            FormScores(
                form_id=form_id,
                candidate_ids=[c["id"] for c in who],
                total_scaled=result.total_scaled,
                competency_scaled=result.competency_scaled,
                answered=result.answered,
                item_scores=unit,
                # type-ignore reason: a stored item always has an id
                item_ids=[it.id for it in items],  # type: ignore[misc]
                item_keys=[it.key for it in items],
                name=form["name"],
                format=form["format"],
                scoring=form["scoring"],
                responses=arrays,
                best=got.best,
                worst=got.worst,
                option_keys=tuple(it.option_keys for it in items),
                items=result.items,
                excluded=tuple(
                    it.key for it, out in zip(items, result.excluded, strict=True) if out
                ),
                scale=result.scale,
            )
        )
    return Scored(candidates, answers, comp_keys, methods, key_versions, results)


async def ranking(campaign: Campaign) -> Ranking:
    """Score every submitted candidate and rank them; list the others apart."""
    return await _ranking(campaign, await _scores(campaign))


async def ranking_and_analysis(campaign: Campaign) -> tuple[Ranking, list[FormReliability]]:
    """The ranking and the stored analysis of each form, from one scoring pass."""
    state = await data_state(campaign)
    scored = await _scores(campaign)
    return await _ranking(campaign, scored), await _analysis(campaign, state, scored)


async def _ranking(campaign: Campaign, scored: Scored) -> Ranking:
    candidates, answers, comp_keys = scored.candidates, scored.answers, scored.comp_keys
    methods, key_versions, results = scored.methods, scored.key_versions, scored.results
    ids = [i for r in results for i in r.candidate_ids]
    form_of = {i: r.form_id for r in results for i in r.candidate_ids}
    totals = np.concatenate([r.total_scaled for r in results]) if results else np.array([])
    comps = (
        np.concatenate([r.competency_scaled for r in results])
        if results
        else np.zeros((0, len(comp_keys)))
    )
    answered = np.concatenate([r.answered for r in results]) if results else np.array([])
    n_items = {i: r.items for r in results for i in r.candidate_ids}
    pct = percentile_ranks(totals) if len(totals) else totals
    sten = stens(totals) if len(totals) > 1 else np.full(len(totals), np.nan)
    bands, band_info = _sed_bands(results, totals)
    by_id = {c["id"]: c for c in candidates}
    method = ", ".join(sorted(methods)) or "none"
    rows = []
    for n, cid in enumerate(ids):
        score = None if np.isnan(totals[n]) else round(float(totals[n]), 2)
        rows.append(
            Ranked(
                rank=0,
                candidate_id=cid,
                name=by_id[cid]["name"],
                score=score,
                percentile=None if np.isnan(pct[n]) else round(float(pct[n]), 1),
                sten=None if np.isnan(sten[n]) else int(sten[n]),
                competency_scores={
                    k: None if np.isnan(comps[n, j]) else round(float(comps[n, j]), 2)
                    for j, k in enumerate(comp_keys)
                },
                passed=None
                if campaign.cut_score is None or score is None
                else score >= campaign.cut_score,
                answered=int(answered[n]),
                items=n_items[cid],
                completion=_completion(int(answered[n]), n_items[cid], by_id[cid]["timed_out"]),
                band=None if bands[n] == 0 else int(bands[n]),
                submitted_at=by_id[cid]["submitted_at"],
                timed_out=bool(by_id[cid]["timed_out"]),
                form_id=form_of[cid],
            )
        )
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.candidate_id))
    for n, r in enumerate(rows):
        # competition ranking: equal scores share a rank ("1224")
        r.rank = rows[n - 1].rank if n and rows[n - 1].score == r.score else n + 1
    await _store_scores(
        rows, f"{method} · omitted {campaign.omitted}", campaign.key_method, key_versions
    )
    pending = [
        Pending(
            candidate_id=c["id"],
            name=c["name"],
            status=c["status"],
            answered=len(answers[c["id"]]),
        )
        for c in candidates
        if c["status"] != CandidateStatus.SUBMITTED
    ]
    return Ranking(
        campaign_id=campaign.id,
        method=method,
        key_method=campaign.key_method,
        key_versions=key_versions,
        cut_score=campaign.cut_score,
        ranked=rows,
        not_submitted=pending,
        bands=band_info,
        omitted=campaign.omitted,
        scale=" / ".join(sorted({r.scale for r in results})) or "0-100",
        excluded=sorted({k for r in results for k in r.excluded}),
    )


def _completion(
    answered: int, items: int, timed_out: Any
) -> Literal["complete", "timed_out", "submitted_early"]:
    """complete, or why not: the clock ran out, or the candidate submitted early."""
    if answered >= items:
        return "complete"
    return "timed_out" if timed_out else "submitted_early"


def _sed_bands(
    results: Sequence[FormScores], totals: np.ndarray
) -> tuple[np.ndarray, BandInfo | None]:
    """Fixed SED bands of the scaled totals (band 1: indistinguishable from the top score).

    SEM = SD(total) * sqrt(1 - alpha), alpha over the item scores of the largest form (the
    pooled campaign when forms are parallel); SED = sqrt(2) * SEM; 95 % (z = 1.96).
    """
    none = np.zeros(len(totals), dtype=int), None
    if len(totals) < 3 or not results:
        return none
    largest = max(results, key=lambda r: len(r.candidate_ids))
    try:
        alpha = cronbach_alpha(largest.item_scores, missing="pairwise").alpha
    except ValueError:
        return none
    valid = totals[~np.isnan(totals)]
    if not np.isfinite(alpha) or len(valid) < 3:
        return none
    reliability = min(max(alpha, 0.0), 1.0)
    error = float(sem(float(np.std(valid, ddof=1)), reliability))
    found = sed_bands(totals, error, method="fixed", z=BAND_Z)
    info = BandInfo(
        form_id=largest.form_id,
        alpha=round(float(alpha), 4),
        sem=round(found.sem, 4),
        sed=round(found.sed, 4),
        z=BAND_Z,
        width=round(found.width, 4),
    )
    return np.asarray(found.band), info


def form_reliability(r: FormScores) -> FormReliability:
    """The analysis of one form from its candidates' item scores (0-1 per item).

    Reliability (alpha with its Feldt interval, omega, lambda 6, split-half, SEM), item
    analysis, option analysis and the distribution of the totals (norms).
    """
    x = r.item_scores
    n, k = x.shape
    warnings: list[str] = []
    if n < SMALL_N:
        warnings.append(f"only {n} submitted candidates: too few for stable estimates")
    warnings.extend(
        f"item {key} is left out of scoring: its key cannot discriminate (every answer "
        "scores the same)"
        for key in r.excluded
    )
    options, options_note = _options(r)
    normed = _norms(r.total_scaled, NORM_SCORES_R if r.scale == "r x 100" else NORM_SCORES)
    try:
        a = cronbach_alpha(x, missing="pairwise")
    except ValueError as exc:
        return FormReliability(
            form_id=r.form_id,
            n=n,
            k=k,
            name=r.name,
            format=r.format,
            scoring=r.scoring,
            options=options,
            options_note=options_note,
            norms=normed,
            warnings=[*warnings, str(exc)],
            excluded=list(r.excluded),
        )
    alpha = _num(a.alpha)
    if alpha is not None and alpha < LOW_ALPHA:
        warnings.append(f"alpha {alpha:.2f} is below .70: scores are not precise enough alone")
    try:
        omega = _num(omega_total(x))
    except ValueError:
        omega = None
    try:
        lam6 = _num(guttman_lambda6(x))
    except ValueError:
        lam6 = None
    half = split_half(x, method="odd_even") if k >= 2 else None
    items = item_analysis(x)
    totals = r.total_scaled[~np.isnan(r.total_scaled)]
    sd = float(np.std(totals, ddof=1)) if len(totals) > 1 else float("nan")
    return FormReliability(
        form_id=r.form_id,
        n=n,
        k=k,
        name=r.name,
        format=r.format,
        scoring=r.scoring,
        alpha=alpha,
        alpha_ci=[_num(a.ci[0]), _num(a.ci[1])],
        std_alpha=_num(a.std_alpha),
        omega=omega,
        lambda6=lam6,
        split_half=None if half is None else _num(half.spearman_brown),
        sem=_num(sem(sd, min(max(a.alpha, 0.0), 1.0))) if np.isfinite(sd) and alpha else None,
        missing=MISSING_PAIRWISE,
        items=[
            ItemStats(
                item_id=r.item_ids[i],
                key=r.item_keys[i],
                mean=_num(items.mean[i]),
                sd=_num(items.sd[i]),
                r_drop=_num(items.r_drop[i]),
                alpha_if_deleted=_num(items.alpha_if_deleted[i]),
                flags=list(items.flags[i]),
            )
            for i in range(k)
        ],
        options=options,
        options_note=options_note,
        norms=normed,
        warnings=warnings,
        excluded=list(r.excluded),
    )


def _choices(r: FormScores) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The single choices of a form's answers with their keyed options: (name, choices, key).

    most/least: the option chosen as most effective (key: the best) and as least effective
    (key: the worst); rank: the option put first and the one put last; rate: none.
    """
    if r.best is None or r.worst is None:
        return []
    if r.format == "most_least":
        most, least, _ = r.responses
        return [("most", most, r.best), ("least", least, r.worst)]
    if r.format == "rank":
        ranks, valid = r.responses
        n_options = valid.sum(axis=1)  # per item
        given = valid[None] & ~np.isnan(ranks)
        complete = (given == valid[None]).all(axis=2)  # candidates x items
        first = np.where(given, ranks, np.inf).argmin(axis=2)
        last = (given & (ranks == n_options[None, :, None])).argmax(axis=2)
        return [
            ("first", np.where(complete, first, np.nan), r.best),
            ("last", np.where(complete, last, np.nan), r.worst),
        ]
    return []


def _options(r: FormScores) -> tuple[list[ItemOptions], str]:
    """Option analysis of each choice of each item against the candidates' totals.

    Items are analysed in groups of equal option count, so that an option nobody chose is
    reported as unused only when the item has it.
    """
    choices = _choices(r)
    if not choices:
        return [], OPTIONS_NOT_RATE
    keep = np.isfinite(r.total_scaled)
    totals = r.total_scaled[keep]
    if len(totals) < 2:
        return [], OPTIONS_TOO_FEW
    counts = np.array([len(opts) for opts in r.option_keys])
    found: dict[tuple[int, str], ItemOptions] = {}
    for width in np.unique(counts):
        cols = np.flatnonzero(counts == width)
        for name, c, key in choices:
            a = option_analysis(
                c[keep][:, cols],
                np.asarray(key, dtype=np.intp)[cols],
                totals,
                n_options=int(width),
            )
            for j, i in enumerate(cols):
                found[int(i), name] = ItemOptions(
                    item_id=r.item_ids[i],
                    key=r.item_keys[i],
                    # type-ignore reason: stored from a Literal field, read back as str
                    choice=name,  # type: ignore[arg-type]
                    n=int(a.n[j]),
                    options=[
                        OptionStats(
                            option=opt,
                            share=_num(a.share[j, o]),
                            r_pb=_num(a.point_biserial[j, o]),
                            keyed=o == int(a.key[j]),
                        )
                        for o, opt in enumerate(r.option_keys[i])
                    ],
                    key_share_low=_num(a.key_share_low[j]),
                    key_share_high=_num(a.key_share_high[j]),
                    flags=list(a.flags[j]),
                )
    out = [found[i, name] for i in range(len(r.item_keys)) for name, _, _ in choices]
    return out, OPTIONS_NOTE


NORM_SCORES = tuple(range(0, 101, 10))
NORM_SCORES_R = tuple(range(-100, 101, 20))  # standardized rating: r x 100


def _norms(totals: np.ndarray, scores: Sequence[int] = NORM_SCORES) -> Norms | None:
    """Mean, SD, percentiles and a score -> percentile rank and sten table of the totals."""
    valid = totals[np.isfinite(totals)]
    try:
        group = norms(valid)
    except ValueError:
        return None
    cuts = np.percentile(valid, [10, 25, 50, 75, 90])
    grid = np.array(scores, dtype=float)
    return Norms(
        n=group.n,
        mean=round(group.mean, 2),
        sd=round(group.sd, 2),
        min=round(float(valid.min()), 2),
        max=round(float(valid.max()), 2),
        percentiles={
            str(p): round(float(v), 2) for p, v in zip((10, 25, 50, 75, 90), cuts, strict=True)
        },
        table=[
            NormRow(score=float(s), percentile=round(float(pr), 1), sten=int(st))
            for s, pr, st in zip(grid, group.percentile_rank(grid), group.sten(grid), strict=True)
        ],
    )


def _num(x: Any) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


async def data_state(campaign: Campaign) -> str:
    """What the campaign's analysis depends on, read cheaply from the database.

    Submitted candidates (count), their answers (count and latest save), the keys of the
    form items (latest key id), the items' versions, the forms' formats and scoring
    methods, and the key method. Expired tests are submitted first, so they count.
    """
    await submit_expired(Candidate.campaign == campaign.id)
    submitted = (Candidate.campaign == campaign.id) & (
        Candidate.status == CandidateStatus.SUBMITTED
    )
    n_submitted = await Candidate.count().where(submitted)
    answers = present(
        await Answer.select(Count(Answer.id, alias="n"), Max(Answer.saved_at, alias="last"))
        .where(
            (Answer.candidate.campaign == campaign.id)
            & (Answer.candidate.status == CandidateStatus.SUBMITTED)
        )
        .first(),
        "answer count",
        campaign.id,
    )
    forms = await CampaignForm.select(CampaignForm.form).where(CampaignForm.campaign == campaign.id)
    form_ids = sorted(f["form"] for f in forms) or [-1]
    items = SjtFormItem.select(SjtFormItem.item).where(SjtFormItem.form.is_in(form_ids))
    key = present(
        await SjtKey.select(Max(SjtKey.id, alias="k")).where(SjtKey.item.is_in(items)).first(),
        "key count",
        campaign.id,
    )
    versions = present(
        await SjtItem.select(Sum(SjtItem.version, alias="v"))
        .where(SjtItem.id.is_in(items))
        .first(),
        "item versions",
        campaign.id,
    )
    shapes = await SjtForm.select(SjtForm.id, SjtForm.format, SjtForm.scoring).where(
        SjtForm.id.is_in(form_ids)
    )
    forms_hash = hashlib.sha256(
        json.dumps(sorted((f["id"], f["format"], f["scoring"]) for f in shapes)).encode()
    ).hexdigest()[:16]
    return (
        f"v{ANALYSIS_VERSION} s{n_submitted} a{answers['n']} t{answers['last']} "
        f"k{key['k']} i{versions['v']} {campaign.key_method} o{campaign.omitted} f{forms_hash}"
    )


async def _analysis(campaign: Campaign, state: str, scored: Scored | None) -> list[FormReliability]:
    async def compute() -> dict[str, Any]:
        done = scored if scored is not None else await _scores(campaign)
        forms = [await anyio.to_thread.run_sync(form_reliability, r) for r in done.results]
        return {"forms": msgspec.to_builtins(forms)}

    stored = await snapshots.current("campaign", campaign.id, state, compute)
    return msgspec.convert(stored["forms"], list[FormReliability])


async def reliability(campaign: Campaign) -> list[FormReliability]:
    """The analysis of each form of the campaign, stored and redone when its data changes."""
    return await _analysis(campaign, await data_state(campaign), None)


async def _store_scores(
    rows: Sequence[Ranked], method: str, key_method: str, key_versions: Mapping[str, int]
) -> None:
    if not rows:
        return
    now = utcnow()
    async with write_transaction():
        await Score.insert(
            *(
                Score(
                    candidate=r.candidate_id,
                    method=f"{method} · key {key_method}",
                    key_versions=dict(key_versions),
                    total=r.score,
                    total_scaled=r.score,
                    competency_scores=r.competency_scores,
                    answered=r.answered,
                    computed_at=now,
                )
                for r in rows
            )
        ).on_conflict(
            target=Score.candidate,
            action="DO UPDATE",
            values=[
                Score.method,
                Score.key_versions,
                Score.total,
                Score.total_scaled,
                Score.competency_scores,
                Score.answered,
                Score.computed_at,
            ],
        )

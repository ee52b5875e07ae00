"""Scoring, ranking and analysis of a campaign: the service over the stored answers.

Answers are turned into arrays (candidates x items x options, NaN for missing), scored in
one vectorised pass per form with the form's method and the current keys, scaled to 0-100,
and ranked campaign-wide with percentile ranks and stens among the submitted candidates.
Each score is stored for the record with the key versions and method that produced it,
once per state of the data (a read that finds nothing changed writes nothing). The pure
steps are in :mod:`assessments.sjt.sheets`; storage is in :mod:`server.hiring.repository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anyio.to_thread
import msgspec
import numpy as np

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
from assessments.sjt.sheets import (
    item_scores,
    response_arrays,
    single_choices,
    total_scores,
    unit_scores,
)
from reports.hiring import (
    MISSING_PAIRWISE,
    OPTIONS_NOT_RATE,
    OPTIONS_NOTE,
    OPTIONS_TOO_FEW,
)
from server.core import snapshots
from server.core.vocabulary import CandidateStatus
from server.hiring import repository as repo
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
from server.tables import Candidate

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


@dataclass(frozen=True)
class Scored:
    candidates: list[dict[str, Any]]
    answers: dict[int, dict[int, dict[str, Any]]]
    comp_keys: list[str]
    methods: set[str]
    key_versions: dict[str, int]
    results: list[FormScores]


async def _scores(campaign: Campaign) -> Scored:
    """Score every submitted candidate of the campaign, form by form.

    Callers read :func:`data_state` first, which submits the tests whose time ran out.
    """
    candidates = await repo.campaign_candidates(campaign.id)
    selected, _ = await library_repo.list_competencies(
        role=str(campaign.role_id), flag="select_for", limit=500
    )
    comp_keys = [c.key for c in selected]
    submitted = [c for c in candidates if c["status"] == CandidateStatus.SUBMITTED]
    answers = await repo.answers_of([c["id"] for c in candidates])
    methods: set[str] = set()
    key_versions: dict[str, int] = {}
    results: list[FormScores] = []
    for form_id in sorted({c["form"] for c in submitted}):
        form = await repo.form_row(form_id)
        items = await repo.form_items(form_id)
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
            unit = unit_scores(got)
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
    state = await data_state(campaign)
    return await _ranking(campaign, state, await _scores(campaign))


async def ranking_and_analysis(campaign: Campaign) -> tuple[Ranking, list[FormReliability]]:
    """The ranking and the stored analysis of each form, from one scoring pass."""
    state = await data_state(campaign)
    scored = await _scores(campaign)
    return await _ranking(campaign, state, scored), await _analysis(campaign, state, scored)


async def _ranking(campaign: Campaign, state: str, scored: Scored) -> Ranking:
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
    await _record_scores(campaign, state, rows, method, key_versions)
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


async def _record_scores(
    campaign: Campaign,
    state: str,
    rows: Sequence[Ranked],
    method: str,
    key_versions: dict[str, int],
) -> None:
    """Store the scores for the record once per data state (a read that finds the state
    unchanged writes nothing)."""

    async def store() -> dict[str, Any]:
        await repo.store_scores(
            [
                repo.StoredScore(r.candidate_id, r.score, r.competency_scores, r.answered)
                for r in rows
            ],
            f"{method} · omitted {campaign.omitted} · key {campaign.key_method}",
            key_versions,
        )
        return {"candidates": len(rows)}

    await snapshots.current("campaign_scores", campaign.id, state, store)


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
    described: dict[str, Any] = {
        "form_id": r.form_id,
        "n": n,
        "k": k,
        "name": r.name,
        "format": r.format,
        "scoring": r.scoring,
        "options": options,
        "options_note": options_note,
        "norms": normed,
        "excluded": list(r.excluded),
    }
    try:
        a = cronbach_alpha(x, missing="pairwise")
    except ValueError as exc:
        return FormReliability(**described, warnings=[*warnings, str(exc)])
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
        **described,
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
        warnings=warnings,
    )


def _options(r: FormScores) -> tuple[list[ItemOptions], str]:
    """Option analysis of each choice of each item against the candidates' totals.

    Items are analysed in groups of equal option count, so that an option nobody chose is
    reported as unused only when the item has it.
    """
    choices = (
        []
        if r.best is None or r.worst is None
        else single_choices(r.format, r.responses, r.best, r.worst)
    )
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
    """What the campaign's scores and analysis depend on; expired tests are submitted first."""
    await submit_expired(Candidate.campaign == campaign.id)
    return await repo.scoring_state(campaign, ANALYSIS_VERSION)


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

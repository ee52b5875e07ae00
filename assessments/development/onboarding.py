"""Onboarding plans: where a newly hired person starts developing, from their SJT scores.

The situational judgement test scores a candidate on the role's *select-for*
competencies (0-100 per competency). Select-for competencies are hard to develop in the
time available, so they are not goals; but a weak one says which *develop* competencies
are worth starting with, through what the two share.

The rule (also returned as :attr:`OnboardingPlan.rule`)
-------------------------------------------------------
1. A select-for competency the person scored below 70 (not a strength) calls for
   support. Each of the role's develop competencies is linked to such a weak competency
   by the closest of: ``same`` (it *is* that competency, screened and also developed),
   ``module`` (they share a training module of the catalogue) or ``area`` (they belong to
   the same competency area, :attr:`~assessments.competency.Competency.area`).
2. Develop competencies are ranked by closest link (same and module before area, area
   before none), then by the lowest SJT score among the weak competencies at that link
   (weakest first), then by module order (the earliest catalogue module among the
   competency's training activities; none last), then by key. A develop competency the
   person already scored 70 or more on (it is also select-for) comes after all others.
   The first 3 are where to start. When nothing relates (no score below 70, or no link),
   this is plain module order.
3. The first module is the earliest in catalogue order among the training activities of
   the chosen competencies, because the modules are taken one at a time in order; it runs
   from ``start`` for :data:`~assessments.development.catalogue.MONTHS_PER_MODULE` months.
4. Strengths: select-for competencies scored 70 or more. Watch: select-for competencies
   scored below 40, a note for the manager (never a goal).

In the example library every competency is in the one Service Delivery area, so the
area link ties everything to the weakest competency and the shared training module is
what tells competencies apart (customer orientation and tolerance share the attitudes
and values module; results orientation and solution focus share sales and negotiation;
crisis composure and stress resistance share stress management).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from assessments.competency import Competency, Role, localized, localized_named
from assessments.development.catalogue import MODULES_BY_KEY, MONTHS_PER_MODULE
from assessments.development.idp import (
    NotRated,
    _check_date,
    _check_lang,
    _index,
    _module_rank,
    _number,
    add_months,
    module_of,
    training_modules,
)
from assessments.development.sentences import N_, Sentence, english

__all__ = [
    "START_WITH",
    "STRENGTH_SCORE",
    "WATCH_SCORE",
    "FirstModule",
    "OnboardingPlan",
    "ScoreNote",
    "StartWith",
    "onboarding_plan",
]

STRENGTH_SCORE = 70.0
"""An SJT score (0-100) at or above this is a strength; below it the competency needs support."""
WATCH_SCORE = 40.0
"""An SJT score below this goes to the manager's watch list."""
START_WITH = 3
"""How many develop competencies to start with."""

Link = Literal["same", "module", "area", "order"]
_LINK_RANK = {"same": 0, "module": 0, "area": 1}
_NO_LINK = 2


@dataclass(frozen=True)
class StartWith:
    """A develop competency to start with and why.

    ``link`` says how it relates to a weak select-for competency (``related``, scored
    ``related_score``): ``"same"``, ``"module"``, ``"area"``, or ``"order"`` when it was
    taken in module order. ``module`` is its earliest training module.
    """

    competency: str
    name: str
    link: Link
    related: str | None
    related_name: str | None
    related_score: float | None
    module: str | None
    module_title: str | None
    reason: str
    reason_sentence: Sentence | None = None


@dataclass(frozen=True)
class FirstModule:
    """The first training module and the chosen competencies it trains."""

    key: str
    order: int
    title: str
    start: datetime.date
    end: datetime.date
    competencies: tuple[str, ...]


@dataclass(frozen=True)
class ScoreNote:
    """A select-for competency with its SJT score and a note."""

    competency: str
    name: str
    score: float
    note: str
    note_sentence: Sentence | None = None


@dataclass(frozen=True)
class OnboardingPlan:
    """Where a hired person starts: develop competencies, first module, strengths, watch.

    ``first_module`` is None when none of the chosen competencies has a training module.
    ``not_scored`` lists the role's select-for competencies without an SJT score.
    """

    role: str
    role_name: str
    rule: str
    start_with: tuple[StartWith, ...]
    first_module: FirstModule | None
    strengths: tuple[ScoreNote, ...]
    watch: tuple[ScoreNote, ...]
    not_scored: tuple[NotRated, ...]
    start: datetime.date
    lang: str = "en"
    rule_sentence: Sentence | None = None


def _scores(scores: object, by_key: Mapping[str, Competency]) -> dict[str, float]:
    if not isinstance(scores, Mapping):
        raise ValueError(
            "competency_scores must map a competency key to an SJT score 0-100, "
            f"got {type(scores).__name__}"
        )
    out: dict[str, float] = {}
    for key, value in scores.items():
        if key not in by_key:
            raise ValueError(f"competency_scores: unknown competency {key!r}")
        if not by_key[key].select_for:
            raise ValueError(
                f"competency_scores: {key!r} is not a select-for competency; the SJT scores "
                f"only select-for competencies"
            )
        score = _number(value, f"competency_scores[{key!r}]", 0, 100, optional=False)
        assert score is not None
        out[key] = score
    return out


def _score_note(c: Competency, name: str, score: float, note: Sentence) -> ScoreNote:
    return ScoreNote(c.key, name, score, english(note), note_sentence=note)


def _link(develop: Competency, weak: Competency) -> tuple[Link, str | None] | None:
    """How ``develop`` relates to ``weak``, and the shared module key for a module link."""
    if develop.key == weak.key:
        return "same", None
    shared = [m for m in training_modules(develop) if m in training_modules(weak)]
    if shared:
        return "module", shared[0].key
    if develop.area is not None and develop.area == weak.area:
        return "area", None
    return None


RULE = N_(
    "Select-for competencies scored below %(strong)s in the SJT call for support. Each of "
    "the role's develop competencies is linked to such a competency by the closest of: the "
    "same competency (screened and also developed), a shared training module, or the same "
    "competency area. Develop competencies are ranked by closest link (same or module, then "
    "area, then none), then by the lowest linked SJT score, then by module order (earliest "
    "training module; none last), then by key; one the person already scored %(strong)s or "
    "more on comes last. The first %(first)s are where to start; when nothing relates this "
    "is the module order. The first module is the earliest in catalogue order among the "
    "chosen competencies' training activities, because modules are taken one at a time in "
    "order; it runs %(months)s months from %(start)s. Strengths: select-for competencies "
    "scored %(strong)s or more. Watch: select-for competencies scored below %(watch)s, a note "
    "for the manager, never a goal."
)


def _rule(start: datetime.date) -> Sentence:
    return Sentence(
        RULE,
        {
            "strong": f"{STRENGTH_SCORE:g}",
            "first": str(START_WITH),
            "months": str(MONTHS_PER_MODULE),
            "start": start.isoformat(),
            "watch": f"{WATCH_SCORE:g}",
        },
    )


def onboarding_plan(
    role: Role,
    competencies: Iterable[Competency] | Mapping[str, Competency],
    competency_scores: Mapping[str, float],
    *,
    start: datetime.date,
    lang: str = "en",
) -> OnboardingPlan:
    """Decide where a hired person starts developing, from their SJT scores.

    Rule: the role's develop competencies linked to the weakest select-for scores (below
    70) by the same competency or a shared training module come first, then those linked
    only by area, then the rest in module order; the first 3 are where to start, and the
    first module is the earliest in catalogue order among their training activities. The
    full rule is in the module docstring and in the plan's ``rule``.

    Parameters
    ----------
    role : Role
        The role the person was hired for.
    competencies : iterable of Competency, or mapping key -> Competency
        The library's competencies; every competency of the role must be among them.
    competency_scores : mapping str -> float
        SJT score 0-100 per select-for competency key. Select-for competencies the role
        does not require are ignored; the role's select-for competencies without a score
        are listed in ``not_scored``.
    start : datetime.date
        The first day in the role (nothing reads the clock).
    lang : str
        Language of the library texts (English where a translation is missing).

    Returns
    -------
    OnboardingPlan

    Raises
    ------
    ValueError
        For an unknown competency key, a key that is not a select-for competency, a score
        that is not a number 0-100, a role requirement missing from ``competencies``, or a
        ``start`` that is not a date.
    """
    by_key = _index(role, competencies)
    start = _check_date(start)
    lang = _check_lang(lang)
    scores = _scores(competency_scores, by_key)

    in_role = [by_key[r.competency] for r in role.competencies]
    texts = {c.key: localized(c, lang) for c in in_role}
    name = {key: c.name for key, c in texts.items()}
    select = [c for c in in_role if c.select_for]
    weak = [c for c in select if c.key in scores and scores[c.key] < STRENGTH_SCORE]

    ranked = []
    for comp in (c for c in in_role if c.develop):
        best = None
        for other in weak:
            found = _link(comp, other)
            if found is None:
                continue
            link, shared = found
            key = (_LINK_RANK[link], scores[other.key], other.key)
            if best is None or key < best[0]:
                best = (key, link, other, shared)
        already = comp.select_for and scores.get(comp.key, -math.inf) >= STRENGTH_SCORE
        module = module_of(comp)
        sort_key = (
            already,
            best[0][0] if best else _NO_LINK,
            best[0][1] if best else math.inf,
            _module_rank(module),
            comp.key,
        )
        ranked.append((sort_key, comp, module, best, already))
    ranked.sort(key=lambda r: r[0])

    start_with = []
    for _, comp, module, best, already in ranked[:START_WITH]:
        params = {
            "competency": name[comp.key],
            "order": str(module.order) if module else "",
            "module": module.title if module else "",
            "strong": f"{STRENGTH_SCORE:g}",
        }
        if already:
            link, related = "order", None
            params["score"] = f"{scores[comp.key]:.0f}"
            message = (
                N_(
                    "Already a strength in the SJT (%(score)s of 100); started only because the "
                    "role has few other develop competencies (module %(order)s, %(module)s)."
                )
                if module
                else N_(
                    "Already a strength in the SJT (%(score)s of 100); started only because the "
                    "role has few other develop competencies (no training module)."
                )
            )
        elif best is None:
            link, related = "order", None
            message = (
                N_(
                    "No weak select-for competency relates to it; next in the training "
                    "sequence (module %(order)s, %(module)s)."
                )
                if module
                else N_(
                    "No weak select-for competency relates to it; next in the training "
                    "sequence (no training module)."
                )
            )
        else:
            _, link, related, shared = best
            params["score"] = f"{scores[related.key]:.0f}"
            params["related"] = name[related.key]
            if link == "same":
                message = N_(
                    "Screened at hiring and also developed: the SJT score of %(score)s of 100 is "
                    "below %(strong)s, so build it up from the start."
                )
            elif link == "module":
                assert shared is not None  # _link names the shared module of a module link
                params["shared"] = MODULES_BY_KEY[shared].title
                message = N_(
                    "Shares the training module “%(shared)s” with %(related)s, where the SJT "
                    "score was %(score)s of 100 (below %(strong)s)."
                )
            elif module:
                message = N_(
                    "In the same competency area as %(related)s, where the SJT score was "
                    "%(score)s of 100 (below %(strong)s); among these, next in the training "
                    "sequence (module %(order)s, %(module)s)."
                )
            else:
                message = N_(
                    "In the same competency area as %(related)s, where the SJT score was "
                    "%(score)s of 100 (below %(strong)s); among these, next in the training "
                    "sequence (no training module)."
                )
        reason_sentence = Sentence(message, params)
        reason = english(reason_sentence)
        start_with.append(
            StartWith(
                competency=comp.key,
                name=name[comp.key],
                link=link,
                related=related.key if related else None,
                related_name=name[related.key] if related else None,
                related_score=scores[related.key] if related else None,
                module=module.key if module else None,
                module_title=module.title if module else None,
                reason=reason,
                reason_sentence=reason_sentence,
            )
        )

    chosen = [by_key[s.competency] for s in start_with]
    modules = {m.key: m for c in chosen for m in training_modules(c)}
    first = None
    if modules:
        mod = min(modules.values(), key=lambda m: m.order)
        first = FirstModule(
            key=mod.key,
            order=mod.order,
            title=mod.title,
            start=start,
            end=add_months(start, MONTHS_PER_MODULE),
            competencies=tuple(c.key for c in chosen if mod in training_modules(c)),
        )

    scored = [c for c in select if c.key in scores]
    strengths = tuple(
        _score_note(
            c,
            name[c.key],
            scores[c.key],
            Sentence(
                N_("Scored %(score)s of 100 in the SJT: a strength to build on from day one."),
                {"score": f"{scores[c.key]:.0f}"},
            ),
        )
        for c in sorted(
            (c for c in scored if scores[c.key] >= STRENGTH_SCORE),
            key=lambda c: (-scores[c.key], c.key),
        )
    )
    watch = tuple(
        _score_note(
            c,
            name[c.key],
            scores[c.key],
            Sentence(
                N_(
                    "Scored %(score)s of 100 in the SJT, below %(watch)s: watch how "
                    "%(competency)s shows in the first months and talk about it in one-to-ones. "
                    "It is also a develop competency, so it can be worked on in the plan."
                )
                if c.develop
                else N_(
                    "Scored %(score)s of 100 in the SJT, below %(watch)s: watch how "
                    "%(competency)s shows in the first months and talk about it in one-to-ones. "
                    "It is screened at hiring and hard to develop, so it is a note for the "
                    "manager, not a goal."
                ),
                {
                    "score": f"{scores[c.key]:.0f}",
                    "watch": f"{WATCH_SCORE:g}",
                    "competency": name[c.key],
                },
            ),
        )
        for c in sorted(
            (c for c in scored if scores[c.key] < WATCH_SCORE),
            key=lambda c: (scores[c.key], c.key),
        )
    )
    no_score = Sentence(N_("No SJT score for this select-for competency."))
    not_scored = tuple(
        NotRated(c.key, name[c.key], english(no_score), reason_sentence=no_score)
        for c in select
        if c.key not in scores
    )
    rule = _rule(start)
    return OnboardingPlan(
        role=role.key,
        role_name=localized_named(role, lang).name,
        rule=english(rule),
        rule_sentence=rule,
        start_with=tuple(start_with),
        first_module=first,
        strengths=strengths,
        watch=watch,
        not_scored=not_scored,
        start=start,
        lang=lang,
    )

"""Individual development plans (IDP) from a person's 360 ratings.

The plan answers three questions for the manager, the coach and the person: which of the
role's *develop* competencies to work on first, what to do about each (the competency's
own training module, coaching, mentoring and on-the-job practice from the library) and
how to tell that it worked (the competency's measures, each with a target and a review
date). Select-for competencies are never goals: they are screened at hiring because they
are hard to develop in the time available, so a low rating on one becomes a note for the
manager instead.

The priority rule (also returned, filled in, as :attr:`DevelopmentPlan.rule`)
---------------------------------------------------------------------------------
1. Only the role's develop competencies can be priorities, and only those with an
   others' mean (everyone except self, as the 360 report shows it). Those without one are
   listed under ``not_rated``.
2. ``need = weight x (max(0, required_level - others) + 0.5 x max(0, self - others))``.
   The first term is the shortfall against the role's required level as others see it;
   the second, smaller term is overrating (a blind spot: the person rates themselves
   above how others see them; 0 without a self-rating).
3. Competencies with ``need > 0`` are ranked by need, highest first; ties go to the
   competency whose training module comes earlier in the catalogue, then to the key.
   At most ``max_priorities`` become priorities.
4. The priorities are scheduled in module order (then need, then key), because the
   training modules are taken one at a time in catalogue order, each over
   :data:`~assessments.development.catalogue.MONTHS_PER_MODULE` months. A competency's
   module is the earliest catalogue module among its training activities. Each module
   gets its own consecutive window starting at ``start``; priorities that share a module
   share its window; priorities without a training module follow, one window each.
   A window ends on the day the next one starts (months are added by calendar month,
   the day clamped to the month's length: 2026-01-31 + 3 months = 2026-04-30).
5. Strengths: role competencies (develop or select-for) with others' mean at or above
   the required level that are not priorities, the top 3 by margin (others - required),
   then weight, then key.
6. Manager notes: select-for competencies that are not develop competencies and that
   others rate below the required level.

All inputs are plain values so the plan can be fed from a
:class:`~assessments.survey360.aggregation.Report360` (see :func:`ratings_from_report`)
or from anything else. Library texts (names, activities, measures, indicators) are
localized with :func:`assessments.competency.localized`. The sentences the plan writes
itself (goal, targets, notes, reasons, rule, practice built from indicators) are kept as
English text (which a coach may edit) and as a
:class:`~assessments.development.sentences.Sentence` (message key and parameters) that
``reports`` renders in the reader's language; module titles are marked for the catalogues.
"""

from __future__ import annotations

import calendar
import datetime
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from assessments.competency import (
    MAX_LEVEL,
    MIN_LEVEL,
    Activity,
    Competency,
    Measure,
    Requirement,
    Role,
    localized,
    localized_named,
)
from assessments.development.catalogue import MODULES, MODULES_BY_KEY, MONTHS_PER_MODULE, Module
from assessments.development.sentences import N_, Sentence, english

if TYPE_CHECKING:
    from assessments.survey360.aggregation import Report360

__all__ = [
    "BLIND_SPOT_WEIGHT",
    "STRENGTHS_SHOWN",
    "DevelopmentPlan",
    "ManagerNote",
    "NotRated",
    "PlanActivity",
    "PlanMeasure",
    "Priority",
    "Strength",
    "add_months",
    "development_plan",
    "module_of",
    "ratings_from_report",
    "training_modules",
]

BLIND_SPOT_WEIGHT = 0.5
"""Weight of overrating (self - others, when positive) in the need, against 1 for shortfall."""
STRENGTHS_SHOWN = 3
"""How many strengths a plan lists."""

Status = Literal["not started", "in progress", "done"]
_NO_MODULE = len(MODULES) + 1  # sorts competencies without a training module last
_TIE = 9  # decimals compared when ranking, so 1.5 x 0.2 ties with 1.0 x 0.3
_SHOWN = 4  # decimals of derived figures in the plan
_KIND_ORDER = ("training", "coaching", "mentoring", "on_the_job", "self_study")


# --- result types (plain values and dates; msgspec encodes them to JSON as they are) ---


@dataclass(frozen=True)
class PlanActivity:
    """One thing to do for a priority.

    ``module`` and ``module_title`` name the catalogue module of a training activity.
    ``source`` is ``"library"`` for the competency's own activity, ``"indicators"`` for
    on-the-job practice the plan builds from the competency's behavioural indicators
    when the library gives none.
    """

    kind: str
    title: str
    description: str
    module: str | None = None
    module_title: str | None = None
    source: Literal["library", "indicators"] = "library"
    title_sentence: Sentence | None = None
    description_sentence: Sentence | None = None


@dataclass(frozen=True)
class PlanMeasure:
    """A success criterion: one of the competency's measures, its target and review date."""

    name: str
    kind: str
    description: str
    target: str
    review_date: datetime.date
    target_sentence: Sentence | None = None


@dataclass(frozen=True)
class Priority:
    """A development priority: goal, activities, measures and its window in the plan.

    ``rank`` is the place by need (1 = highest); the plan lists priorities in schedule
    (module) order. ``shortfall`` is max(0, required - others), ``overrating``
    max(0, self - others).
    """

    rank: int
    competency: str
    name: str
    need: float
    required_level: int
    weight: float
    others_mean: float
    self_mean: float | None
    shortfall: float
    overrating: float
    module: str | None
    module_title: str | None
    goal: str
    activities: tuple[PlanActivity, ...]
    measures: tuple[PlanMeasure, ...]
    start: datetime.date
    end: datetime.date
    status: Status = "not started"
    goal_sentence: Sentence | None = None


@dataclass(frozen=True)
class Strength:
    """A competency others rate at or above the required level: one to build on."""

    competency: str
    name: str
    others_mean: float
    required_level: int
    margin: float
    note: str
    note_sentence: Sentence | None = None


@dataclass(frozen=True)
class ManagerNote:
    """A select-for competency rated below the required level: for the manager, not a goal."""

    competency: str
    name: str
    others_mean: float
    required_level: int
    shortfall: float
    note: str
    note_sentence: Sentence | None = None


@dataclass(frozen=True)
class NotRated:
    """A competency that could not be used because it has no score."""

    competency: str
    name: str
    reason: str
    reason_sentence: Sentence | None = None


@dataclass(frozen=True)
class DevelopmentPlan:
    """An individual development plan for one person in ``role``.

    ``priorities`` are in schedule order (one training module at a time); ``end`` is the
    end of the last window (``start`` when there is no priority). ``rule`` states how
    the plan was made.
    """

    role: str
    role_name: str
    rule: str
    priorities: tuple[Priority, ...]
    strengths: tuple[Strength, ...]
    manager_notes: tuple[ManagerNote, ...]
    not_rated: tuple[NotRated, ...]
    start: datetime.date
    end: datetime.date
    lang: str = "en"
    rule_sentence: Sentence | None = None


# --- helpers shared with the onboarding plan ---------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, the day clamped to the month's length.

    Parameters
    ----------
    day : datetime.date
    months : int
        May be negative.

    Returns
    -------
    datetime.date
        For example 2026-01-31 + 3 months = 2026-04-30, 2024-11-30 + 3 = 2025-02-28.
    """
    index = day.year * 12 + (day.month - 1) + int(months)
    year, month0 = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(f"{day.isoformat()} + {months} months is outside the calendar")
    month = month0 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def training_modules(competency: Competency) -> tuple[Module, ...]:
    """The catalogue modules of the competency's training activities, in catalogue order."""
    keys = set()
    for activity in competency.activities:
        if activity.kind == "training" and activity.module is not None:
            if activity.module not in MODULES_BY_KEY:
                raise ValueError(
                    f"competency {competency.key!r}: activity {activity.title!r} names unknown "
                    f"module {activity.module!r}; expected one of {', '.join(MODULES_BY_KEY)}"
                )
            keys.add(activity.module)
    return tuple(sorted((MODULES_BY_KEY[k] for k in keys), key=lambda m: m.order))


def module_of(competency: Competency) -> Module | None:
    """The competency's module: the earliest catalogue module among its training activities."""
    modules = training_modules(competency)
    return modules[0] if modules else None


def _module_rank(module: Module | None) -> int:
    return module.order if module is not None else _NO_MODULE


def _check_date(value: object, name: str = "start") -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValueError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    return value


def _check_lang(lang: object) -> str:
    if not isinstance(lang, str) or not lang.strip():
        raise ValueError(f"lang must be a language code such as 'en' or 'ru', got {lang!r}")
    return lang


def _index(role: object, competencies: object) -> dict[str, Competency]:
    """Competencies by key, after checking the role against them."""
    if not isinstance(role, Role):
        raise ValueError(f"role must be a Role, got {type(role).__name__}")
    if isinstance(competencies, Mapping):
        competencies = competencies.values()
    if not isinstance(competencies, Iterable) or isinstance(competencies, str | bytes):
        raise ValueError("competencies must be an iterable of Competency")
    by_key: dict[str, Competency] = {}
    for c in competencies:
        if not isinstance(c, Competency):
            raise ValueError(f"competencies must hold Competency objects, got {type(c).__name__}")
        if c.key in by_key:
            raise ValueError(f"competency {c.key!r} is given twice")
        by_key[c.key] = c
    seen: set[str] = set()
    for req in role.competencies:
        where = f"role {role.key!r}: competency {req.competency!r}"
        if req.competency not in by_key:
            raise ValueError(f"{where} is not among the competencies given")
        if req.competency in seen:
            raise ValueError(f"{where} is listed twice")
        seen.add(req.competency)
        if isinstance(req.weight, bool) or not isinstance(req.weight, numbers.Real):
            raise ValueError(f"{where}: weight must be a number, got {req.weight!r}")
        if not (math.isfinite(req.weight) and req.weight > 0):
            raise ValueError(f"{where}: weight must be a positive number, got {req.weight!r}")
        if (
            isinstance(req.required_level, bool)
            or not isinstance(req.required_level, numbers.Integral)
            or not MIN_LEVEL <= req.required_level <= MAX_LEVEL
        ):
            raise ValueError(
                f"{where}: required_level must be a whole level {MIN_LEVEL}-{MAX_LEVEL}, "
                f"got {req.required_level!r}"
            )
    return by_key


def _number(value: object, what: str, lo: float, hi: float, *, optional: bool) -> float | None:
    if value is None and optional:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not lo <= float(value) <= hi
    ):
        allowed = f"a number {lo:g}-{hi:g}" + (" or None" if optional else "")
        raise ValueError(f"{what} must be {allowed}, got {value!r}")
    return float(value)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


# --- the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    competency: Competency
    requirement: Requirement
    others: float
    self_: float | None
    shortfall: float
    overrating: float
    need: float
    module: Module | None


def _ratings(
    ratings: object, by_key: Mapping[str, Competency]
) -> dict[str, tuple[float | None, float | None]]:
    if not isinstance(ratings, Mapping):
        raise ValueError(
            "ratings must map a competency key to an (others_mean, self_mean) pair, "
            f"got {type(ratings).__name__}"
        )
    out: dict[str, tuple[float | None, float | None]] = {}
    for key, pair in ratings.items():
        if key not in by_key:
            raise ValueError(f"ratings: unknown competency {key!r}")
        if isinstance(pair, str | bytes) or not isinstance(pair, Iterable):
            raise ValueError(f"ratings[{key!r}] must be an (others_mean, self_mean) pair")
        items = tuple(pair)
        if len(items) != 2:
            raise ValueError(
                f"ratings[{key!r}] must be an (others_mean, self_mean) pair, got {pair!r}"
            )
        others = _number(
            items[0], f"ratings[{key!r}] others_mean", MIN_LEVEL, MAX_LEVEL, optional=True
        )
        self_ = _number(
            items[1], f"ratings[{key!r}] self_mean", MIN_LEVEL, MAX_LEVEL, optional=True
        )
        out[key] = (others, self_)
    return out


def _goal(c: _Candidate, name: str, end: datetime.date) -> Sentence:
    params = {
        "competency": name,
        "others": _fmt(c.others),
        "self": _fmt(c.self_ or 0.0),
        "level": str(c.requirement.required_level),
        "date": end.isoformat(),
    }
    if c.shortfall > 0 and c.overrating >= 0.05:
        key = N_(
            "Raise %(competency)s from %(others)s to at least %(level)s on the 1-5 scale, as "
            "rated by others (manager, peers, direct reports, customers) in the follow-up 360 "
            "by %(date)s. You rate yourself %(self)s, higher than others do: ask them for "
            "concrete examples of what they see."
        )
    elif c.shortfall > 0:
        key = N_(
            "Raise %(competency)s from %(others)s to at least %(level)s on the 1-5 scale, as "
            "rated by others (manager, peers, direct reports, customers) in the follow-up 360 "
            "by %(date)s."
        )
    else:
        key = N_(
            "Keep %(competency)s at level %(level)s or above as others rate it (%(others)s now) "
            "and bring your own rating (%(self)s) in line with theirs by %(date)s: ask others "
            "for concrete examples of what they see."
        )
    return Sentence(key, params)


def _practice(comp: Competency) -> PlanActivity:
    """On-the-job practice built from the competency's indicators."""
    present = [i.text.rstrip(".") for i in comp.indicators if i.polarity == "present"][:2]
    absent = [i.text.rstrip(".") for i in comp.indicators if i.polarity == "absent"][:1]
    params = {"competency": comp.name, "practise": "; ".join(present)}
    if present and absent:
        params["avoid"] = absent[0]
        key = N_(
            "In live contacts each week, practise: %(practise)s. Avoid: %(avoid)s. Note one "
            "example a week and go through it with your team lead."
        )
    elif present:
        key = N_(
            "In live contacts each week, practise: %(practise)s. Note one example a week and "
            "go through it with your team lead."
        )
    else:
        key = N_(
            "In live contacts each week, use %(competency)s deliberately. Note one example a "
            "week and go through it with your team lead."
        )
    description = Sentence(key, params)
    title = Sentence(N_("Practise %(competency)s in daily work"), {"competency": comp.name})
    return PlanActivity(
        kind="on_the_job",
        title=english(title),
        description=english(description),
        source="indicators",
        title_sentence=title,
        description_sentence=description,
    )


def _activities(comp: Competency, module: Module | None) -> tuple[PlanActivity, ...]:
    """The competency's activities for its window: the scheduled module's training only."""
    chosen: list[Activity] = [
        a
        for a in comp.activities
        if a.kind != "training" or a.module is None or (module and a.module == module.key)
    ]
    chosen.sort(
        key=lambda a: _KIND_ORDER.index(a.kind) if a.kind in _KIND_ORDER else len(_KIND_ORDER)
    )
    out = [
        PlanActivity(
            kind=a.kind,
            title=a.title,
            description=a.description,
            module=a.module,
            module_title=MODULES_BY_KEY[a.module].title if a.module in MODULES_BY_KEY else None,
        )
        for a in chosen
    ]
    if not any(a.kind == "on_the_job" for a in chosen):
        out.append(_practice(comp))
    return tuple(out)


def _target(m: Measure, start: datetime.date, review: datetime.date) -> Sentence:
    params = {"measure": m.name, "start": start.isoformat(), "date": review.isoformat()}
    if m.kind == "kpi":
        key = N_(
            "Take the person's figure for “%(measure)s” over the first two weeks after "
            "%(start)s as the baseline. By %(date)s it should have moved towards the team's "
            "target and stayed there for the last month."
        )
    elif m.kind == "observation":
        key = N_(
            "Observe “%(measure)s” at least once a month. By %(date)s the team lead's notes "
            "should show the expected behaviour in most observed contacts, with no relapse in "
            "the last month."
        )
    else:
        key = N_(
            "In the survey round closest to %(date)s, “%(measure)s” should be at or above the "
            "team's average."
        )
    return Sentence(key, params)


def _measures(
    comp: Competency, start: datetime.date, review: datetime.date
) -> tuple[PlanMeasure, ...]:
    out = []
    for m in comp.measures:
        target = _target(m, start, review)
        out.append(
            PlanMeasure(
                name=m.name,
                kind=m.kind,
                description=m.description,
                target=english(target),
                review_date=review,
                target_sentence=target,
            )
        )
    return tuple(out)


RULE = N_(
    "Priorities come only from the role's develop competencies that others rated. "
    "need = weight × (max(0, required level − others' mean) + %(blind)s × max(0, self mean − "
    "others' mean)): the shortfall against the role's level as others see it, plus a smaller "
    "term for overrating (a blind spot; 0 without a self-rating). Competencies with a need "
    "above 0 are ranked by need, ties broken by module order and then by key; at most "
    "%(max)s become priorities, and their rank (1 = highest need) says which matters most. "
    "Competencies without an others' mean are listed as not rated. The schedule is another "
    "matter: the training modules are taken one at a time in catalogue order, %(months)s "
    "months each, so the priorities are scheduled in module order in consecutive windows "
    "from %(start)s (priorities sharing a module share its window; those without a module "
    "come last), and a priority of lower need may come first. Measures are reviewed at the "
    "end of the window. Strengths: role competencies that others rate at or above the "
    "required level and that are not priorities, top %(strengths)s by margin. Select-for "
    "competencies that are not develop competencies are never goals: when others rate one "
    "below the required level it becomes a note for the manager."
)


def _rule(max_priorities: int, start: datetime.date) -> Sentence:
    return Sentence(
        RULE,
        {
            "blind": f"{BLIND_SPOT_WEIGHT:g}",
            "max": str(max_priorities),
            "months": str(MONTHS_PER_MODULE),
            "start": start.isoformat(),
            "strengths": str(STRENGTHS_SHOWN),
        },
    )


def development_plan(
    role: Role,
    competencies: Iterable[Competency] | Mapping[str, Competency],
    ratings: Mapping[str, tuple[float | None, float | None]],
    *,
    start: datetime.date,
    max_priorities: int = 3,
    lang: str = "en",
) -> DevelopmentPlan:
    """Build an individual development plan from a person's 360 ratings.

    Rule: among the role's develop competencies rated by others,
    ``need = weight x (max(0, required - others) + 0.5 x max(0, self - others))``; the
    ``max_priorities`` highest needs (ties: module order, then key) become priorities,
    scheduled one catalogue module at a time in module order, ``MONTHS_PER_MODULE``
    months per window. The full rule is in the module docstring and in the plan's
    ``rule``.

    Parameters
    ----------
    role : Role
        The person's role: its requirements give weight and required level (1-5).
    competencies : iterable of Competency, or mapping key -> Competency
        The library's competencies; every competency of the role must be among them.
    ratings : mapping str -> (others_mean, self_mean)
        Per competency key, the others' mean and the self mean on the 1-5 scale, each
        None when not available (for example withheld for anonymity). Keys must be
        competencies given; keys of competencies the role does not require are ignored.
        :func:`ratings_from_report` builds this from a 360 report.
    start : datetime.date
        First day of the plan (dates are passed in; nothing reads the clock).
    max_priorities : int
        At most this many priorities (>= 1).
    lang : str
        Language of the library texts (English where a translation is missing).

    Returns
    -------
    DevelopmentPlan

    Raises
    ------
    ValueError
        For an unknown competency key in ``ratings``, a rating that is not None or a
        number 1-5, a role requirement that is missing from ``competencies`` or has an
        invalid weight or level, ``max_priorities`` < 1, or a ``start`` that is not a date.
    """
    by_key = _index(role, competencies)
    start = _check_date(start)
    lang = _check_lang(lang)
    if (
        isinstance(max_priorities, bool)
        or not isinstance(max_priorities, numbers.Integral)
        or max_priorities < 1
    ):
        raise ValueError(f"max_priorities must be an int >= 1, got {max_priorities!r}")
    max_priorities = int(max_priorities)
    rated = _ratings(ratings, by_key)

    requirements = [(by_key[r.competency], r) for r in role.competencies]
    texts = {c.key: localized(c, lang) for c, _ in requirements}
    name = {key: c.name for key, c in texts.items()}

    candidates: list[_Candidate] = []
    not_rated: list[NotRated] = []
    for comp, req in requirements:
        if not comp.develop:
            continue
        others, self_ = rated.get(comp.key, (None, None))
        if others is None:
            reason = Sentence(
                N_(
                    "No others' mean (not in the survey, or too few ratings to show): it "
                    "cannot be prioritised."
                )
            )
            not_rated.append(
                NotRated(comp.key, name[comp.key], english(reason), reason_sentence=reason)
            )
            continue
        shortfall = max(0.0, req.required_level - others)
        overrating = max(0.0, self_ - others) if self_ is not None else 0.0
        need = req.weight * (shortfall + BLIND_SPOT_WEIGHT * overrating)
        candidates.append(
            _Candidate(comp, req, others, self_, shortfall, overrating, need, module_of(comp))
        )

    ranked = sorted(
        (c for c in candidates if round(c.need, _TIE) > 0),
        key=lambda c: (-round(c.need, _TIE), _module_rank(c.module), c.competency.key),
    )[:max_priorities]
    rank = {c.competency.key: n for n, c in enumerate(ranked, 1)}
    scheduled = sorted(
        ranked,
        key=lambda c: (_module_rank(c.module), -round(c.need, _TIE), c.competency.key),
    )

    priorities: list[Priority] = []
    slot, previous = -1, None
    for c in scheduled:
        if c.module is None or c.module != previous:
            slot += 1
        previous = c.module
        begin = add_months(start, slot * MONTHS_PER_MODULE)
        end = add_months(start, (slot + 1) * MONTHS_PER_MODULE)
        comp = texts[c.competency.key]
        goal = _goal(c, comp.name, end)
        priorities.append(
            Priority(
                rank=rank[comp.key],
                competency=comp.key,
                name=comp.name,
                need=round(c.need, _SHOWN),
                required_level=int(c.requirement.required_level),
                weight=float(c.requirement.weight),
                others_mean=c.others,
                self_mean=c.self_,
                shortfall=round(c.shortfall, _SHOWN),
                overrating=round(c.overrating, _SHOWN),
                module=c.module.key if c.module else None,
                module_title=c.module.title if c.module else None,
                goal=english(goal),
                goal_sentence=goal,
                activities=_activities(comp, c.module),
                measures=_measures(comp, begin, end),
                start=begin,
                end=end,
            )
        )

    chosen = {p.competency for p in priorities}
    strong = []
    notes = []
    for comp, req in requirements:
        others = rated.get(comp.key, (None, None))[0]
        if others is None:
            continue
        margin = others - req.required_level
        if round(margin, _TIE) >= 0 and comp.key not in chosen:
            strong.append((comp, req, others, margin))
        elif round(margin, _TIE) < 0 and comp.select_for and not comp.develop:
            notes.append((comp, req, others, -margin))
    strong.sort(key=lambda s: (-round(s[3], _TIE), -s[1].weight, s[0].key))
    strengths = tuple(
        _strength(name[comp.key], comp.key, others, req, margin)
        for comp, req, others, margin in strong[:STRENGTHS_SHOWN]
    )
    notes.sort(key=lambda s: (-round(s[1].weight * s[3], _TIE), s[0].key))
    manager_notes = tuple(
        _manager_note(name[comp.key], comp.key, others, req, shortfall)
        for comp, req, others, shortfall in notes
    )
    rule = _rule(max_priorities, start)
    return DevelopmentPlan(
        role=role.key,
        role_name=localized_named(role, lang).name,
        rule=english(rule),
        rule_sentence=rule,
        priorities=tuple(priorities),
        strengths=strengths,
        manager_notes=manager_notes,
        not_rated=tuple(not_rated),
        start=start,
        end=priorities[-1].end if priorities else start,
        lang=lang,
    )


def _strength(name: str, key: str, others: float, req: Requirement, margin: float) -> Strength:
    params = {
        "competency": name,
        "others": _fmt(others),
        "margin": _fmt(margin),
        "level": str(req.required_level),
    }
    if round(margin, 1) > 0:
        text = N_(
            "Strength to build on: others rate %(competency)s %(others)s, %(margin)s above the "
            "required level %(level)s."
        )
    else:
        text = N_(
            "Strength to build on: others rate %(competency)s %(others)s, at the required "
            "level %(level)s."
        )
    note = Sentence(text, params)
    return Strength(
        competency=key,
        name=name,
        others_mean=others,
        required_level=int(req.required_level),
        margin=round(margin, _SHOWN),
        note=english(note),
        note_sentence=note,
    )


def _manager_note(
    name: str, key: str, others: float, req: Requirement, shortfall: float
) -> ManagerNote:
    note = Sentence(
        N_(
            "%(competency)s is screened at hiring and not developed through this plan: others "
            "rate it %(others)s against the required %(level)s. Talk it through with the "
            "person and decide what support or change of tasks would help; it is not set as a "
            "development goal."
        ),
        {"competency": name, "others": _fmt(others), "level": str(req.required_level)},
    )
    return ManagerNote(
        competency=key,
        name=name,
        others_mean=others,
        required_level=int(req.required_level),
        shortfall=round(shortfall, _SHOWN),
        note=english(note),
        note_sentence=note,
    )


def ratings_from_report(report: Report360) -> dict[str, tuple[float | None, float | None]]:
    """The ``ratings`` argument of :func:`development_plan` from a 360 report.

    Parameters
    ----------
    report : Report360
        An aggregated report on the 1-5 scale.

    Returns
    -------
    dict
        Competency key -> (others' mean, self mean), each None where the report does not
        show it (anonymity rules, no self-rating).
    """
    if tuple(report.scale) != (MIN_LEVEL, MAX_LEVEL):
        raise ValueError(
            f"the report's scale must be {MIN_LEVEL}-{MAX_LEVEL} to compare with required "
            f"levels, got {report.scale!r}"
        )
    out: dict[str, tuple[float | None, float | None]] = {}
    for result in report.competencies:
        others = result.groups.get("others")
        self_ = result.groups.get("self")
        out[result.key] = (
            others.mean if others is not None else None,
            self_.mean if self_ is not None else None,
        )
    return out

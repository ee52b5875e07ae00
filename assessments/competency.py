"""The competency model: areas, competencies with two flags, roles.

A competency carries two independent flags: ``select_for`` (hard to train in the time
available, so screened at hiring by the situational judgement test) and ``develop``
(grown after hiring through the 360 survey and the development plan). A competency may
carry both.

Texts are English; ``translations`` hold other languages, and :func:`localized` falls
back to English for every text a language lacks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from assessments.development.catalogue import ACTIVITY_KINDS, MODULE_KEYS
from assessments.errors import InvalidLibrary, Problem

Polarity = Literal["present", "absent"]
MeasureKind = Literal["kpi", "observation", "survey"]
ActivityKind = Literal["training", "coaching", "mentoring", "on_the_job", "self_study"]
Flag = Literal["select_for", "develop"]
FLAGS: tuple[Flag, ...] = ("select_for", "develop")
EVIDENCE_SOURCES = ("study", "hand")
MAX_EVIDENCE_DEPTH = 8  # how many ``earlier`` levels a flag's evidence may hold

MIN_LEVEL, MAX_LEVEL = 1, 5


@dataclass(frozen=True)
class Indicator:
    """An observable behaviour; ``absent`` marks behaviour seen when the competency is missing."""

    key: str | None
    text: str
    polarity: Polarity = "present"
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    """How a competency shows in numbers or observation (a KPI, a survey, listen-in)."""

    name: str
    kind: MeasureKind
    description: str = ""
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Activity:
    """A development activity; ``module`` names a catalogue module for training."""

    kind: ActivityKind
    title: str
    description: str = ""
    module: str | None = None
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    description: str = ""
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class Competency:
    key: str
    name: str
    definition: str
    select_for: bool = False
    develop: bool = False
    area: str | None = None
    benefit: str = ""
    indicators: tuple[Indicator, ...] = ()
    measures: tuple[Measure, ...] = ()
    activities: tuple[Activity, ...] = ()
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id: int | None = None

    def has_flag(self, flag: Flag) -> bool:
        return self.select_for if flag == "select_for" else self.develop


@dataclass(frozen=True)
class Requirement:
    """A competency required by a role: its relative weight and required level (1-5).

    ``evidence`` says, per flag (``"select_for"``, ``"develop"``), why the competency's
    flag stands for this role: ``{"source": "study", "value": ..., "study": ..., ...}``
    (a job-analysis study and its figures) or ``{"source": "hand", "value": ..., "by": ...,
    "date": ..., "earlier": ...}`` (changed by hand). A flag without a key has nothing
    recorded, which reads as "set by hand".
    """

    competency: str
    weight: float = 1.0
    required_level: int = 3
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    area: str | None = None
    description: str = ""
    competencies: tuple[Requirement, ...] = ()
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class Library:
    areas: tuple[Area, ...] = ()
    competencies: tuple[Competency, ...] = ()
    roles: tuple[Role, ...] = ()


def _text(translations: Mapping[str, Mapping[str, str]], lang: str, name: str, english: str) -> str:
    return translations.get(lang, {}).get(name) or english


def localized(competency: Competency, lang: str) -> Competency:
    """Return ``competency`` with its texts in ``lang``, English where a text is missing.

    Parameters
    ----------
    competency : Competency
        The competency as stored (English texts plus translations).
    lang : str
        A language code such as ``"ru"``; ``"en"`` returns the competency unchanged.
    """
    if lang == "en":
        return competency
    tr = competency.translations
    return replace(
        competency,
        name=_text(tr, lang, "name", competency.name),
        definition=_text(tr, lang, "definition", competency.definition),
        benefit=_text(tr, lang, "benefit", competency.benefit),
        indicators=tuple(
            replace(i, text=i.translations.get(lang) or i.text) for i in competency.indicators
        ),
        measures=tuple(
            replace(
                m,
                name=_text(m.translations, lang, "name", m.name),
                description=_text(m.translations, lang, "description", m.description),
            )
            for m in competency.measures
        ),
        activities=tuple(
            replace(
                a,
                title=_text(a.translations, lang, "title", a.title),
                description=_text(a.translations, lang, "description", a.description),
            )
            for a in competency.activities
        ),
    )


NamedT = TypeVar("NamedT", "Area", "Role")


def localized_named(item: NamedT, lang: str) -> NamedT:
    """Return an area or role with ``name`` and ``description`` in ``lang`` (English fallback)."""
    if lang == "en":
        return item
    return replace(
        item,
        name=_text(item.translations, lang, "name", item.name),
        description=_text(item.translations, lang, "description", item.description),
    )


def with_indicator_keys(indicators: Iterable[Indicator]) -> tuple[Indicator, ...]:
    """Give every indicator without a key the first free key ``i1``, ``i2``, ..."""
    items = list(indicators)
    taken = {i.key for i in items if i.key}
    counter = 0
    out = []
    for item in items:
        if item.key:
            out.append(item)
            continue
        counter += 1
        while f"i{counter}" in taken:
            counter += 1
        taken.add(f"i{counter}")
        out.append(replace(item, key=f"i{counter}"))
    return tuple(out)


def _duplicates(keys: Iterable[str]) -> set[str]:
    return {k for k, n in Counter(keys).items() if n > 1}


def competency_problems(c: Competency, path: str = "") -> list[Problem]:
    """Rules a single competency must satisfy beyond its field types."""
    problems: list[Problem] = []
    if not (c.select_for or c.develop):
        problems.append(
            Problem(f"{path}select_for", "a competency must be select_for, develop, or both")
        )
    dup = _duplicates(i.key for i in c.indicators if i.key)
    for n, ind in enumerate(c.indicators):
        if ind.key in dup:
            problems.append(Problem(f"{path}indicators[{n}].key", f"duplicate key {ind.key!r}"))
    for n, act in enumerate(c.activities):
        if act.module is not None and act.module not in MODULE_KEYS:
            problems.append(
                Problem(
                    f"{path}activities[{n}].module",
                    f"unknown module {act.module!r}; expected one of {', '.join(MODULE_KEYS)}",
                )
            )
        if act.kind not in ACTIVITY_KINDS:
            problems.append(Problem(f"{path}activities[{n}].kind", f"unknown kind {act.kind!r}"))
    return problems


def evidence_problems(evidence: Any, path: str = "evidence") -> list[Problem]:
    """Rules of a requirement's ``evidence``: a mapping whose keys are flags, each value a
    mapping with a ``source`` of ``"study"`` or ``"hand"`` (an ``earlier`` one likewise).

    Parameters
    ----------
    evidence : Any
        The evidence as given (decoded JSON or YAML, or a stored value).
    path : str
        The field's path, used in each problem (``roles[0].competencies[2].evidence``).

    Returns
    -------
    list of Problem
        Empty when the evidence fits.
    """
    if not isinstance(evidence, Mapping):
        return [Problem(path, "expected an object with the keys select_for and/or develop")]
    problems: list[Problem] = []
    for flag, item in evidence.items():
        where = f"{path}.{flag}"
        if flag not in FLAGS:
            message = f"unknown flag {flag!r}; expected select_for or develop"
            problems.append(Problem(where, message))
            continue
        depth = 0
        while item is not None:
            if not isinstance(item, Mapping):
                problems.append(Problem(where, "expected an object with a source"))
                break
            if item.get("source") not in EVIDENCE_SOURCES:
                problems.append(
                    Problem(
                        f"{where}.source",
                        f"expected one of 'study', 'hand', got {item.get('source')!r}",
                    )
                )
            if "value" in item and not isinstance(item["value"], bool):
                problems.append(Problem(f"{where}.value", "expected true or false"))
            item, where, depth = item.get("earlier"), f"{where}.earlier", depth + 1
            if depth > MAX_EVIDENCE_DEPTH:
                problems.append(Problem(where, f"nested more than {MAX_EVIDENCE_DEPTH} deep"))
                break
    return problems


def role_problems(
    role: Role, competency_keys: set[str], area_keys: set[str], path: str = ""
) -> list[Problem]:
    """Rules a role must satisfy: known area and competencies, each listed once."""
    problems: list[Problem] = []
    if role.area is not None and role.area not in area_keys:
        problems.append(Problem(f"{path}area", f"unknown area {role.area!r}"))
    dup = _duplicates(r.competency for r in role.competencies)
    for n, req in enumerate(role.competencies):
        problems += evidence_problems(req.evidence, f"{path}competencies[{n}].evidence")
        if req.competency not in competency_keys:
            problems.append(
                Problem(
                    f"{path}competencies[{n}].competency", f"unknown competency {req.competency!r}"
                )
            )
        elif req.competency in dup:
            problems.append(
                Problem(
                    f"{path}competencies[{n}].competency", f"{req.competency!r} is listed twice"
                )
            )
    return problems


def library_problems(
    library: Library,
    *,
    known_areas: Iterable[str] = (),
    known_competencies: Iterable[str] = (),
) -> list[Problem]:
    """Every rule the library breaks: duplicate keys and references to unknown keys.

    Parameters
    ----------
    library : Library
        The document to check.
    known_areas, known_competencies : iterable of str
        Keys that exist outside the document (already stored), so references to them hold.

    Returns
    -------
    list of Problem
        Empty for a consistent library.
    """
    problems: list[Problem] = []
    area_keys = {a.key for a in library.areas} | set(known_areas)
    groups: tuple[tuple[str, tuple[Area | Competency | Role, ...]], ...] = (
        ("areas", library.areas),
        ("competencies", library.competencies),
        ("roles", library.roles),
    )
    for kind, items in groups:
        dup = _duplicates(i.key for i in items)
        problems += [
            Problem(f"{kind}[{n}].key", f"duplicate key {i.key!r}")
            for n, i in enumerate(items)
            if i.key in dup
        ]
    for n, c in enumerate(library.competencies):
        if c.area is not None and c.area not in area_keys:
            problems.append(Problem(f"competencies[{n}].area", f"unknown area {c.area!r}"))
        problems += competency_problems(c, f"competencies[{n}].")
    competency_keys = {c.key for c in library.competencies} | set(known_competencies)
    for n, r in enumerate(library.roles):
        problems += role_problems(r, competency_keys, area_keys, f"roles[{n}].")
    return problems


def validated(library: Library) -> Library:
    """Return ``library`` unchanged, or raise :class:`InvalidLibrary` listing every problem."""
    problems = library_problems(library)
    if problems:
        raise InvalidLibrary(problems)
    return library


def role_competencies(
    role: Role, competencies: Iterable[Competency], flag: Flag | None = None
) -> list[tuple[Competency, Requirement]]:
    """The role's competencies in the role's order, optionally only those with ``flag``."""
    by_key = {c.key: c for c in competencies}
    out = []
    for req in role.competencies:
        comp = by_key.get(req.competency)
        if comp is not None and (flag is None or comp.has_flag(flag)):
            out.append((comp, req))
    return out

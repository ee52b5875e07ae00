"""Library versions (storage): a job-analysis study's model applied to a role as one
numbered change of the library, and the list of those changes.

Applying writes, in one transaction: the competencies the study created, both flags of
every competency of the model (flags belong to the competency, so they change for every
role that has it), the role's requirements (weights, required levels, order) with the
evidence behind each flag, and a :class:`~server.tables.LibraryVersion` row holding the
role's requirements and its competencies' flags before and after.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from piccolo.query.functions.aggregate import Max

from assessments.competency import (
    FLAGS,
    MAX_LEVEL,
    MIN_LEVEL,
    Indicator,
    Requirement,
    Role,
    evidence_problems,
    with_indicator_keys,
)
from assessments.errors import Problem
from server.core.db import is_postgres, loads, utcnow, write_transaction
from server.core.errors import Invalid, NotFound, is_busy
from server.library.evidence import recorded
from server.library.repository import save_requirements, settle_evidence
from server.tables import Competency as CompetencyRow
from server.tables import CompetencyArea as AreaRow
from server.tables import JobAnalysis as StudyRow
from server.tables import LibraryVersion as VersionRow
from server.tables import Role as RoleRow
from server.tables import RoleCompetency as RequirementRow

__all__ = [
    "AppliedCompetency",
    "Version",
    "VersionSummary",
    "apply_role_model",
    "get_version",
    "list_versions",
]

KEY = re.compile(r"^[a-z][a-z0-9_]*\Z")
MAX_KEY, MAX_NAME, MAX_DEFINITION, MAX_WEIGHT = 64, 120, 300, 10.0
ATTEMPTS = 5  # PostgreSQL: tries of an apply that met another one's number or key


@dataclass(frozen=True, kw_only=True)
class AppliedCompetency:
    """One competency of a study's model as it goes into the library.

    ``key`` names an existing library competency, or (``create=True``) the key wished for
    a new one (a numeric suffix is added when it is taken). ``name``, ``definition``,
    ``indicators`` and ``area`` (``None``: the role's area) are used only when creating.
    ``evidence`` is per flag (``{"select_for": E, "develop": E}``, see
    :mod:`server.library.evidence`); the new version's number is added to each as
    ``library_version``.
    """

    key: str
    name: str
    definition: str
    indicators: tuple[Indicator, ...] = ()
    area: str | None = None
    create: bool = False
    weight: float = 1.0
    required_level: int = 3
    select_for: bool = False
    develop: bool = False
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionSummary:
    number: int
    created_at: datetime
    by: str | None  # the e-mail of who applied it (or the label given then)
    source: str
    study_id: int | None
    study_name: str | None
    role_id: int | None
    role_name: str | None


@dataclass(frozen=True)
class Version(VersionSummary):
    before: Mapping[str, Any]  # {"requirements": [...], "flags": {key: {...}}}
    after: Mapping[str, Any]


def _model_problems(model: Sequence[AppliedCompetency]) -> list[Problem]:
    """What is wrong with ``model`` before anything is looked up."""
    if not model:
        return [Problem("competencies", "the model has no competency to apply")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, c in enumerate(model):
        at = f"competencies[{n}]"
        if not KEY.match(c.key) or len(c.key) > MAX_KEY:
            problems.append(Problem(f"{at}.key", f"{c.key[:40]!r} is not a valid key"))
        elif not c.create:
            if c.key in seen:
                problems.append(Problem(f"{at}.key", f"{c.key!r} is listed twice"))
            seen.add(c.key)
        if c.create and not 1 <= len(c.name.strip()) <= MAX_NAME:
            problems.append(Problem(f"{at}.name", f"a new competency needs a name (1-{MAX_NAME})"))
        if c.create and not 1 <= len(c.definition.strip()) <= MAX_DEFINITION:
            problems.append(
                Problem(f"{at}.definition", "a new competency needs a definition (1-300)")
            )
        if not 0 < c.weight <= MAX_WEIGHT:
            problems.append(Problem(f"{at}.weight", "must be greater than 0 and at most 10"))
        if not MIN_LEVEL <= c.required_level <= MAX_LEVEL:
            problems.append(Problem(f"{at}.required_level", "must be from 1 to 5"))
        if not (c.select_for or c.develop):
            problems.append(
                Problem(f"{at}.select_for", "a competency must be select_for, develop, or both")
            )
        problems += evidence_problems(c.evidence, f"{at}.evidence")
        for flag, item in c.evidence.items() if isinstance(c.evidence, Mapping) else ():
            if recorded(item) and "value" in item and item["value"] != getattr(c, flag, None):
                problems.append(
                    Problem(f"{at}.evidence.{flag}.value", f"differs from the flag {flag}")
                )
    return problems


async def _free_key(wished: str, taken: set[str]) -> str:
    """``wished``, or ``wished_2``, ``wished_3``... : the first key no competency has."""
    stored = {
        r["key"]
        for r in await CompetencyRow.select(CompetencyRow.key).where(
            CompetencyRow.key.like(f"{wished}%")
        )
    }
    key, n = wished, 1
    while key in stored or key in taken:
        n += 1
        suffix = f"_{n}"
        key = wished[: MAX_KEY - len(suffix)] + suffix
    return key


async def _snapshot(role_id: int, keys: set[str]) -> dict[str, Any]:
    """The role's requirements and the flags of the competencies ``keys`` (and the role's)."""
    reqs = (
        await RequirementRow.select(
            RequirementRow.competency.key.as_alias("competency"),
            RequirementRow.weight,
            RequirementRow.required_level,
            RequirementRow.evidence,
        )
        .where(RequirementRow.role == role_id)
        .order_by(RequirementRow.position, RequirementRow.id)
    )
    requirements = [
        {
            "competency": r["competency"],
            "weight": float(r["weight"]),
            "required_level": int(r["required_level"]),
            "evidence": loads(r["evidence"]) or {},
        }
        for r in reqs
    ]
    wanted = sorted(keys | {r["competency"] for r in requirements})
    rows = await CompetencyRow.select(
        CompetencyRow.key, CompetencyRow.select_for, CompetencyRow.develop
    ).where(CompetencyRow.key.is_in(wanted or [""]))
    flags = {
        r["key"]: {"select_for": bool(r["select_for"]), "develop": bool(r["develop"])}
        for r in sorted(rows, key=lambda r: str(r["key"]))
    }
    return {"requirements": requirements, "flags": flags}


async def _area_for(key: str | None, role_area: int | None, n: int) -> int | None:
    """The area of a new competency: the one named, else the role's."""
    if key is None:
        return role_area
    row = await AreaRow.select(AreaRow.id).where(AreaRow.key == key).first()
    if row is None:
        raise Invalid([Problem(f"competencies[{n}].area", f"unknown area {key!r}")])
    return row["id"]


async def _next_position() -> int:
    row = await CompetencyRow.select(Max(CompetencyRow.position, alias="m")).first()
    return (row["m"] if row and row["m"] is not None else -1) + 1


async def _create(
    c: AppliedCompetency, key: str, area: int | None, position: int, now: datetime
) -> int:
    """Store ``c`` as a new library competency under ``key``; its id."""
    row = CompetencyRow(
        key=key,
        area=area,
        name=c.name.strip(),
        definition=c.definition.strip(),
        benefit="",
        select_for=c.select_for,
        develop=c.develop,
        indicators=msgspec.to_builtins(list(with_indicator_keys(c.indicators))),
        measures=[],
        activities=[],
        translations={},
        position=position,
        updated_at=now,
    )
    await row.save()
    return int(row.id)


def _stamped(evidence: Mapping[str, Any], number: int) -> dict[str, Any]:
    return {f: {**e, "library_version": number} for f, e in evidence.items() if recorded(e)}


async def _apply(
    role_id: int,
    model: Sequence[AppliedCompetency],
    *,
    user_id: int | None,
    study_id: int,
    user_label: str,
) -> int:
    async with write_transaction():
        role = (
            await RoleRow.select(RoleRow.id, RoleRow.name, RoleRow.area)
            .where(RoleRow.id == role_id)
            .first()
        )
        if role is None:
            raise NotFound.of("role", role_id)
        study = await StudyRow.select(StudyRow.name).where(StudyRow.id == study_id).first()
        if study is None:
            raise NotFound.of("study", study_id)
        existing = {
            r["key"]: r
            for r in await CompetencyRow.select(
                CompetencyRow.id, CompetencyRow.key, CompetencyRow.select_for, CompetencyRow.develop
            ).where(CompetencyRow.key.is_in([c.key for c in model if not c.create] or [""]))
        }
        unknown = [
            Problem(f"competencies[{n}].key", f"unknown competency {c.key!r}")
            for n, c in enumerate(model)
            if not c.create and c.key not in existing
        ]
        if unknown:
            raise Invalid(unknown, "Nothing was applied")
        top = await VersionRow.select(Max(VersionRow.number, alias="m")).first()
        number = (top["m"] if top and top["m"] is not None else 0) + 1
        before = await _snapshot(role_id, set(existing))
        ids: dict[str, int] = {}  # key -> competency id
        keys: list[str] = []
        changed: dict[int, set[str]] = {}
        taken: set[str] = set()
        now = utcnow()
        position = await _next_position()  # of the first new competency
        for n, c in enumerate(model):
            if c.create:
                key = await _free_key(c.key, taken)
                taken.add(key)
                area = await _area_for(c.area, role["area"], n)
                ids[key] = await _create(c, key, area, position + len(taken) - 1, now)
                keys.append(key)
                continue
            stored = existing[c.key]
            ids[c.key] = stored["id"]
            keys.append(c.key)
            flipped: set[str] = {f for f in FLAGS if bool(stored[f]) != getattr(c, f)}
            if flipped:
                changed[stored["id"]] = flipped
                await CompetencyRow.update(
                    {
                        CompetencyRow.select_for: c.select_for,
                        CompetencyRow.develop: c.develop,
                        CompetencyRow.updated_at: now,
                    }
                ).where(CompetencyRow.id == stored["id"])
        requirements = tuple(
            Requirement(
                competency=key,
                weight=float(c.weight),
                required_level=int(c.required_level),
                evidence=_stamped(c.evidence, number),
            )
            for key, c in zip(keys, model, strict=True)
        )
        given = await save_requirements(
            role_id,
            Role(key="", name="", competencies=requirements),
            ids,
        )
        await settle_evidence(
            by=f"job analysis of {role['name']}",
            changed=changed,
            given=given,
            roles=[role_id],
            study=study_id,
            study_name=study["name"],
            role_name=role["name"],
        )
        after = await _snapshot(role_id, set(existing) | set(keys))
        await VersionRow.insert(
            VersionRow(
                number=number,
                created_at=now,
                created_by=user_id,
                source="job_analysis",
                study=study_id,
                role=role_id,
                before=before,
                after={**after, "by": user_label},
            )
        )
    return number


def _retry(exc: BaseException) -> bool:
    """Whether an apply that failed with ``exc`` may simply run again: on PostgreSQL,
    another apply took the same version number or new key first, or a lock timed out."""
    return is_postgres() and (isinstance(exc, asyncpg.UniqueViolationError) or is_busy(exc))


async def apply_role_model(
    role_id: int,
    model: Sequence[AppliedCompetency],
    *,
    user_id: int | None,
    study_id: int,
    user_label: str,
) -> int:
    """Apply a study's model to a role as a new library version; returns its number.

    In one write transaction (``BEGIN IMMEDIATE`` on SQLite, so numbers never collide;
    on PostgreSQL the whole apply runs again when another one took the number first):
    creates the competencies with ``create=True`` (the role's area unless ``area`` is
    given; a numeric suffix when the key is taken), sets both flags of every competency of
    the model, replaces the role's requirements by the model (weights, required levels,
    order, each flag's evidence with ``library_version`` added), marks as changed by hand
    ("job analysis of <role name>") the evidence other roles hold for a flag that changed,
    and stores a :class:`~server.tables.LibraryVersion` (``number`` = the highest + 1) with
    ``before`` and ``after`` = ``{"requirements": [...], "flags": {key: {"select_for",
    "develop"}}}`` (``after`` also holds ``by``: ``user_label``).

    Raises
    ------
    Invalid
        Naming each problem of the model (``competencies[2].weight``); nothing is written.
    NotFound
        When the role or the study does not exist.
    """
    problems = _model_problems(model)
    if problems:
        raise Invalid(problems, "Nothing was applied")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await _apply(
                role_id, model, user_id=user_id, study_id=study_id, user_label=user_label
            )
        except Exception as exc:
            if attempt == ATTEMPTS or not _retry(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


_SUMMARY = (
    VersionRow.number,
    VersionRow.created_at,
    VersionRow.created_by.email.as_alias("email"),
    VersionRow.source,
    VersionRow.study,
    VersionRow.study.name.as_alias("study_name"),
    VersionRow.role,
    VersionRow.role.name.as_alias("role_name"),
    VersionRow.after,
)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    after = loads(row["after"]) or {}
    return {
        "number": row["number"],
        "created_at": row["created_at"],
        "by": row["email"] or after.get("by"),
        "source": row["source"],
        "study_id": row["study"],
        "study_name": row["study_name"],
        "role_id": row["role"],
        "role_name": row["role_name"],
    }


async def list_versions(role_id: int | None = None) -> list[VersionSummary]:
    """The library versions, newest first; only those of one role when ``role_id`` is given."""
    query = VersionRow.select(*_SUMMARY).order_by(VersionRow.number, ascending=False)
    if role_id is not None:
        query = query.where(VersionRow.role == role_id)
    return [VersionSummary(**_summary(r)) for r in await query]


async def get_version(number: int) -> Version:
    """One library version with its ``before`` and ``after``; 404 when there is none."""
    row = (
        await VersionRow.select(*_SUMMARY, VersionRow.before)
        .where(VersionRow.number == number)
        .first()
    )
    if row is None:
        raise NotFound.of("library version", number)
    after = dict(loads(row["after"]) or {})
    after.pop("by", None)
    return Version(**_summary(row), before=loads(row["before"]) or {}, after=after)

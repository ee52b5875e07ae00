"""Storage of the competency library: areas, competencies, roles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns.combination import Combinable
from piccolo.query.functions.aggregate import Max

from assessments.competency import (
    FLAGS,
    Activity,
    Area,
    Competency,
    Flag,
    Indicator,
    Library,
    Measure,
    Requirement,
    Role,
    competency_problems,
    library_problems,
    role_problems,
    with_indicator_keys,
)
from assessments.errors import Problem
from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.library.evidence import hand_mark, merged, recorded
from server.tables import Campaign as CampaignRow
from server.tables import Competency as CompetencyRow
from server.tables import CompetencyArea as AreaRow
from server.tables import Review as ReviewRow
from server.tables import Role as RoleRow
from server.tables import RoleCompetency as RequirementRow


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int


def _json(value: Any) -> Any:
    return msgspec.to_builtins(value)


# ---- rows <-> domain -------------------------------------------------------------------


def _area(row: dict[str, Any]) -> Area:
    return Area(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        description=row["description"],
        translations=loads(row["translations"]) or {},
    )


def _competency(row: dict[str, Any]) -> Competency:
    return Competency(
        id=row["id"],
        key=row["key"],
        area=row["area.key"],
        name=row["name"],
        definition=row["definition"],
        benefit=row["benefit"],
        select_for=bool(row["select_for"]),
        develop=bool(row["develop"]),
        indicators=tuple(msgspec.convert(i, Indicator) for i in loads(row["indicators"]) or []),
        measures=tuple(msgspec.convert(m, Measure) for m in loads(row["measures"]) or []),
        activities=tuple(msgspec.convert(a, Activity) for a in loads(row["activities"]) or []),
        translations=loads(row["translations"]) or {},
    )


def _competency_values(c: Competency, area_id: int | None) -> dict[str, Any]:
    return {
        "key": c.key,
        "area": area_id,
        "name": c.name,
        "definition": c.definition,
        "benefit": c.benefit,
        "select_for": c.select_for,
        "develop": c.develop,
        "indicators": _json(list(c.indicators)),
        "measures": _json(list(c.measures)),
        "activities": _json(list(c.activities)),
        "translations": _json(c.translations),
        "updated_at": utcnow(),
    }


_COMPETENCY_COLUMNS = (
    CompetencyRow.id,
    CompetencyRow.key,
    CompetencyRow.area.key,
    CompetencyRow.name,
    CompetencyRow.definition,
    CompetencyRow.benefit,
    CompetencyRow.select_for,
    CompetencyRow.develop,
    CompetencyRow.indicators,
    CompetencyRow.measures,
    CompetencyRow.activities,
    CompetencyRow.translations,
)

_ORDER = ("position", "id")


# ---- areas -----------------------------------------------------------------------------


async def area_id(ref: str | int) -> int:
    """The id of the area with this id or key; 404 when there is none."""
    where = AreaRow.id == int(ref) if str(ref).isdigit() else AreaRow.key == str(ref)
    row = await AreaRow.select(AreaRow.id).where(where).first()
    if row is None:
        raise NotFound.of("area", ref)
    return row["id"]


async def _area_id_for(key: str | None, field: str) -> int | None:
    if key is None:
        return None
    row = await AreaRow.select(AreaRow.id).where(AreaRow.key == key).first()
    if row is None:
        raise Invalid([Problem(field, f"unknown area {key!r}")])
    return row["id"]


async def list_areas(*, limit: int, offset: int) -> tuple[list[Area], int]:
    rows = await AreaRow.select().order_by(AreaRow.position, AreaRow.id).limit(limit).offset(offset)
    return [_area(r) for r in rows], await AreaRow.count()


async def get_area(ident: int) -> Area:
    row = await AreaRow.select().where(AreaRow.id == ident).first()
    if row is None:
        raise NotFound.of("area", ident)
    return _area(row)


async def _key_taken(
    table: type[AreaRow] | type[CompetencyRow] | type[RoleRow],
    key: str,
    except_id: int | None = None,
) -> bool:
    where: Combinable = table.key == key
    if except_id is not None:
        where = where & (table.id != except_id)
    return await table.exists().where(where)


async def _next_position(
    table: type[AreaRow] | type[CompetencyRow] | type[RoleRow],
) -> int:
    row = await table.select(Max(table.position, alias="m")).first()
    return (row["m"] if row and row["m"] is not None else -1) + 1


async def create_area(area: Area) -> Area:
    async with write_transaction():
        if await _key_taken(AreaRow, area.key):
            raise Conflict(f"key: an area with key {area.key!r} already exists")
        row = AreaRow(
            key=area.key,
            name=area.name,
            description=area.description,
            translations=_json(area.translations),
            position=await _next_position(AreaRow),
            updated_at=utcnow(),
        )
        await row.save()
    return await get_area(row.id)


async def update_area(ident: int, area: Area) -> Area:
    async with write_transaction():
        await get_area(ident)
        if await _key_taken(AreaRow, area.key, ident):
            raise Conflict(f"key: an area with key {area.key!r} already exists")
        await AreaRow.update(
            {
                AreaRow.key: area.key,
                AreaRow.name: area.name,
                AreaRow.description: area.description,
                AreaRow.translations: _json(area.translations),
                AreaRow.updated_at: utcnow(),
            }
        ).where(AreaRow.id == ident)
    return await get_area(ident)


async def delete_area(ident: int) -> None:
    async with write_transaction():
        area = await get_area(ident)
        users = await CompetencyRow.count().where(CompetencyRow.area == ident)
        roles = await RoleRow.count().where(RoleRow.area == ident)
        if users or roles:
            raise Conflict(f"area {area.key!r} is in use by {users} competencies and {roles} roles")
        await AreaRow.delete().where(AreaRow.id == ident)


# ---- competencies ----------------------------------------------------------------------


async def competency_id(ref: str | int) -> int:
    where = CompetencyRow.id == int(ref) if str(ref).isdigit() else CompetencyRow.key == str(ref)
    row = await CompetencyRow.select(CompetencyRow.id).where(where).first()
    if row is None:
        raise NotFound.of("competency", ref)
    return row["id"]


async def list_competencies(
    *,
    flag: Flag | None = None,
    area: str | None = None,
    role: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Competency], int]:
    """Competencies in library order, filtered by flag, area (id or key) and role (id or key)."""
    where: list[Combinable] = []
    if flag == "select_for":
        where.append(CompetencyRow.select_for == True)  # noqa: E712 - Piccolo expression
    elif flag == "develop":
        where.append(CompetencyRow.develop == True)  # noqa: E712
    if area is not None:
        where.append(CompetencyRow.area == await area_id(area))
    if role is not None:
        rid = await role_id(role)
        ids = await RequirementRow.select(RequirementRow.competency).where(
            RequirementRow.role == rid
        )
        where.append(CompetencyRow.id.is_in([r["competency"] for r in ids] or [-1]))
    query = CompetencyRow.select(*_COMPETENCY_COLUMNS).where(*where)
    count = CompetencyRow.count().where(*where)
    rows = (
        await query.order_by(CompetencyRow.position, CompetencyRow.id).limit(limit).offset(offset)
    )
    return [_competency(r) for r in rows], await count


async def get_competency(ident: int) -> Competency:
    row = await CompetencyRow.select(*_COMPETENCY_COLUMNS).where(CompetencyRow.id == ident).first()
    if row is None:
        raise NotFound.of("competency", ident)
    return _competency(row)


def _checked(c: Competency) -> Competency:
    c = Competency(**{**c.__dict__, "indicators": with_indicator_keys(c.indicators)})
    problems = competency_problems(c)
    if problems:
        raise Invalid(problems)
    return c


async def create_competency(c: Competency) -> Competency:
    c = _checked(c)
    async with write_transaction():
        if await _key_taken(CompetencyRow, c.key):
            raise Conflict(f"key: a competency with key {c.key!r} already exists")
        values = _competency_values(c, await _area_id_for(c.area, "area"))
        row = CompetencyRow(**values, position=await _next_position(CompetencyRow))
        await row.save()
    return await get_competency(row.id)


async def update_competency(ident: int, c: Competency, *, by: str) -> Competency:
    """Replace a competency; a flag whose value changes is marked as set by hand (``by``,
    today) on every role that has the competency, the evidence it replaces kept as
    ``earlier``."""
    c = _checked(c)
    async with write_transaction():
        before = await get_competency(ident)
        if await _key_taken(CompetencyRow, c.key, ident):
            raise Conflict(f"key: a competency with key {c.key!r} already exists")
        values = _competency_values(c, await _area_id_for(c.area, "area"))
        await CompetencyRow.update({getattr(CompetencyRow, k): v for k, v in values.items()}).where(
            CompetencyRow.id == ident
        )
        if flipped := changed_flags(before, c):
            await settle_evidence(by=by, changed={ident: flipped})
    return await get_competency(ident)


async def delete_competency(ident: int) -> None:
    async with write_transaction():
        c = await get_competency(ident)
        rows = await RequirementRow.select(RequirementRow.role.key).where(
            RequirementRow.competency == ident
        )
        if rows:
            roles = ", ".join(sorted(r["role.key"] for r in rows))
            raise Conflict(
                f"competency {c.key!r} is in use by roles: {roles}; remove it there first"
            )
        await CompetencyRow.delete().where(CompetencyRow.id == ident)


# ---- roles -----------------------------------------------------------------------------


async def role_id(ref: str | int) -> int:
    where = RoleRow.id == int(ref) if str(ref).isdigit() else RoleRow.key == str(ref)
    row = await RoleRow.select(RoleRow.id).where(where).first()
    if row is None:
        raise NotFound.of("role", ref)
    return row["id"]


async def _roles(where: Sequence[Combinable], limit: int | None, offset: int) -> list[Role]:
    query = (
        RoleRow.select(
            RoleRow.id,
            RoleRow.key,
            RoleRow.area.key,
            RoleRow.name,
            RoleRow.description,
            RoleRow.translations,
        )
        .where(*where)
        .order_by(RoleRow.position, RoleRow.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    if not rows:
        return []
    reqs = (
        await RequirementRow.select(
            RequirementRow.role,
            RequirementRow.competency.key,
            RequirementRow.weight,
            RequirementRow.required_level,
            RequirementRow.evidence,
        )
        .where(RequirementRow.role.is_in([r["id"] for r in rows]))
        .order_by(RequirementRow.position, RequirementRow.id)
    )
    by_role: dict[int, list[Requirement]] = {}
    for q in reqs:
        by_role.setdefault(q["role"], []).append(
            Requirement(
                competency=q["competency.key"],
                weight=float(q["weight"]),
                required_level=int(q["required_level"]),
                evidence=loads(q["evidence"]) or {},
            )
        )
    return [
        Role(
            id=r["id"],
            key=r["key"],
            area=r["area.key"],
            name=r["name"],
            description=r["description"],
            translations=loads(r["translations"]) or {},
            competencies=tuple(by_role.get(r["id"], [])),
        )
        for r in rows
    ]


async def list_roles(*, area: str | None = None, limit: int, offset: int) -> tuple[list[Role], int]:
    where = [] if area is None else [RoleRow.area == await area_id(area)]
    return await _roles(where, limit, offset), await RoleRow.count().where(*where)


async def get_role(ident: int) -> Role:
    found = await _roles([RoleRow.id == ident], 1, 0)
    if not found:
        raise NotFound.of("role", ident)
    return found[0]


async def _competency_ids(keys: Sequence[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = await CompetencyRow.select(CompetencyRow.id, CompetencyRow.key).where(
        CompetencyRow.key.is_in(list(keys))
    )
    return {r["key"]: r["id"] for r in rows}


async def _check_role(role: Role) -> dict[str, int]:
    ids = await _competency_ids([q.competency for q in role.competencies])
    areas = await AreaRow.select(AreaRow.key).where(AreaRow.key == role.area) if role.area else []
    problems = role_problems(role, set(ids), {a["key"] for a in areas})
    if problems:
        raise Invalid(problems)
    return ids


Given = set[tuple[int, int, str]]
"""``(role id, competency id, flag)`` of the evidence a change brought with it."""


async def save_requirements(rid: int, role: Role, ids: Mapping[str, int]) -> Given:
    """Replace the role's requirements by ``role.competencies`` (in their order).

    Each competency keeps the evidence stored for it on this role, flag by flag, unless the
    requirement brings evidence for that flag (the bare ``{"source": "hand"}`` clears it).
    Returns the flags whose evidence was given.
    """
    stored = {
        r["competency"]: loads(r["evidence"]) or {}
        for r in await RequirementRow.select(
            RequirementRow.competency, RequirementRow.evidence
        ).where(RequirementRow.role == rid)
    }
    await RequirementRow.delete().where(RequirementRow.role == rid)
    given: Given = set()
    rows = []
    for n, q in enumerate(role.competencies):
        cid = ids[q.competency]
        given |= {(rid, cid, f) for f, e in q.evidence.items() if recorded(e)}
        rows.append(
            RequirementRow(
                role=rid,
                competency=cid,
                weight=q.weight,
                required_level=q.required_level,
                position=n,
                evidence=merged(stored.get(cid), q.evidence),
            )
        )
    if rows:
        await RequirementRow.insert(*rows)
    return given


def today() -> str:
    """The server's date (UTC) as evidence records it."""
    return utcnow().date().isoformat()


async def settle_evidence(
    *,
    by: str,
    changed: Mapping[int, set[str]] | None = None,
    given: Given | None = None,
    roles: Sequence[int] = (),
    **more: Any,
) -> int:
    """Mark as changed by hand (``by``, today) the evidence of flags that no longer hold.

    A flag in ``changed`` (competency id -> flags whose value changed) is marked on every
    role that has the competency, except where the change brought its own evidence
    (``given``); on the competencies in ``changed`` and on the rows of ``roles``, evidence
    whose ``value`` disagrees with the competency's flag is marked as well. ``more`` goes
    into each mark. Returns how many rows changed.
    """
    changed = changed or {}
    given = given or set()
    where: list[Combinable] = []
    if changed:
        where.append(RequirementRow.competency.is_in(list(changed)))
    if roles:
        where.append(RequirementRow.role.is_in(list(roles)))
    if not where:
        return 0
    condition = where[0] if len(where) == 1 else where[0] | where[1]
    rows = await RequirementRow.select(
        RequirementRow.id,
        RequirementRow.role,
        RequirementRow.competency,
        RequirementRow.evidence,
        RequirementRow.competency.select_for.as_alias("select_for"),
        RequirementRow.competency.develop.as_alias("develop"),
    ).where(condition)
    date, count = today(), 0
    for row in rows:
        evidence = dict(loads(row["evidence"]) or {})
        before = dict(evidence)
        for flag in FLAGS:
            value = bool(row[flag])
            item = evidence.get(flag)
            flipped = flag in changed.get(row["competency"], ()) and (
                (row["role"], row["competency"], flag) not in given
            )
            stale = recorded(item) and item.get("value", value) != value
            if flipped or stale:
                evidence[flag] = hand_mark(value, by=by, date=date, previous=item, **more)
        if evidence != before:
            await RequirementRow.update({RequirementRow.evidence: evidence}).where(
                RequirementRow.id == row["id"]
            )
            count += 1
    return count


def changed_flags(before: Competency | Mapping[str, Any], after: Competency) -> set[str]:
    """The flags whose value differs between ``before`` and ``after``."""

    def value(c: Competency | Mapping[str, Any], flag: str) -> bool:
        return bool(c[flag] if isinstance(c, Mapping) else getattr(c, flag))

    return {f for f in FLAGS if value(before, f) != value(after, f)}


async def create_role(role: Role, *, by: str) -> Role:
    """Store a new role; evidence given whose value disagrees with the competency's flag is
    kept as the ``earlier`` of a change by hand (``by``)."""
    async with write_transaction():
        ids = await _check_role(role)
        if await _key_taken(RoleRow, role.key):
            raise Conflict(f"key: a role with key {role.key!r} already exists")
        row = RoleRow(
            key=role.key,
            area=await _area_id_for(role.area, "area"),
            name=role.name,
            description=role.description,
            translations=_json(role.translations),
            position=await _next_position(RoleRow),
            updated_at=utcnow(),
        )
        await row.save()
        given = await save_requirements(row.id, role, ids)
        await settle_evidence(by=by, given=given, roles=[row.id])
    return await get_role(row.id)


async def update_role(ident: int, role: Role, *, by: str) -> Role:
    """Replace a role and its requirements; each competency keeps its evidence (see
    :func:`save_requirements`)."""
    async with write_transaction():
        await get_role(ident)
        ids = await _check_role(role)
        if await _key_taken(RoleRow, role.key, ident):
            raise Conflict(f"key: a role with key {role.key!r} already exists")
        await RoleRow.update(
            {
                RoleRow.key: role.key,
                RoleRow.area: await _area_id_for(role.area, "area"),
                RoleRow.name: role.name,
                RoleRow.description: role.description,
                RoleRow.translations: _json(role.translations),
                RoleRow.updated_at: utcnow(),
            }
        ).where(RoleRow.id == ident)
        given = await save_requirements(ident, role, ids)
        await settle_evidence(by=by, given=given, roles=[ident])
    return await get_role(ident)


async def delete_role(ident: int) -> None:
    async with write_transaction():
        role = await get_role(ident)
        # vacancies and 360 cycles keep their role (the database refuses to drop it)
        campaigns = await CampaignRow.count().where(CampaignRow.role == ident)
        reviews = await ReviewRow.count().where(ReviewRow.role == ident)
        if campaigns or reviews:
            raise Conflict(
                f"role {role.key!r} is in use by {campaigns} vacancies and {reviews} 360 reviews"
            )
        await RoleRow.delete().where(RoleRow.id == ident)


# ---- the whole library -----------------------------------------------------------------


async def is_empty() -> bool:
    return not (await AreaRow.exists() or await CompetencyRow.exists() or await RoleRow.exists())


async def export_library() -> Library:
    """The whole library in library order."""
    areas = [_area(r) for r in await AreaRow.select().order_by(AreaRow.position, AreaRow.id)]
    rows = await CompetencyRow.select(*_COMPETENCY_COLUMNS).order_by(
        CompetencyRow.position, CompetencyRow.id
    )
    roles = await _roles([], None, 0)
    return Library(
        areas=tuple(areas), competencies=tuple(_competency(r) for r in rows), roles=tuple(roles)
    )


async def import_library(library: Library, *, by: str = "import") -> ImportCounts:
    """Create or update (by key) every area, competency and role of ``library``, all or nothing.

    Records not in ``library`` are left as they are. Raises :class:`UnprocessableError` listing
    every problem before anything is written. A role's competencies keep their stored
    evidence where the document gives none; a flag the import changes without evidence is
    marked as set by hand (``by``, today) on every role that has the competency.
    """
    library = Library(
        areas=library.areas,
        competencies=tuple(
            Competency(**{**c.__dict__, "indicators": with_indicator_keys(c.indicators)})
            for c in library.competencies
        ),
        roles=library.roles,
    )
    created = updated = 0
    async with write_transaction():
        stored_areas = {r["key"]: r["id"] for r in await AreaRow.select(AreaRow.id, AreaRow.key)}
        stored_flags = {
            r["key"]: r
            for r in await CompetencyRow.select(
                CompetencyRow.id, CompetencyRow.key, CompetencyRow.select_for, CompetencyRow.develop
            )
        }
        stored_comps = {k: r["id"] for k, r in stored_flags.items()}
        problems = library_problems(
            library, known_areas=stored_areas, known_competencies=stored_comps
        )
        if problems:
            raise Invalid(problems, "Import refused, nothing was changed")
        now = utcnow()
        for n, a in enumerate(library.areas):
            values = {
                "key": a.key,
                "name": a.name,
                "description": a.description,
                "translations": _json(a.translations),
                "position": n,
                "updated_at": now,
            }
            if a.key in stored_areas:
                await AreaRow.update({getattr(AreaRow, k): v for k, v in values.items()}).where(
                    AreaRow.id == stored_areas[a.key]
                )
                updated += 1
            else:
                row = AreaRow(**values)
                await row.save()
                stored_areas[a.key] = row.id
                created += 1
        changed: dict[int, set[str]] = {}
        for n, c in enumerate(library.competencies):
            values = _competency_values(c, stored_areas[c.area] if c.area else None)
            values["position"] = n
            if c.key in stored_flags and (flipped := changed_flags(stored_flags[c.key], c)):
                changed[stored_comps[c.key]] = flipped
            if c.key in stored_comps:
                await CompetencyRow.update(
                    {getattr(CompetencyRow, k): v for k, v in values.items()}
                ).where(CompetencyRow.id == stored_comps[c.key])
                updated += 1
            else:
                comp_row = CompetencyRow(**values)
                await comp_row.save()
                stored_comps[c.key] = comp_row.id
                created += 1
        stored_roles = {r["key"]: r["id"] for r in await RoleRow.select(RoleRow.id, RoleRow.key)}
        given: Given = set()
        written: list[int] = []
        for n, r in enumerate(library.roles):
            values = {
                "key": r.key,
                "area": stored_areas[r.area] if r.area else None,
                "name": r.name,
                "description": r.description,
                "translations": _json(r.translations),
                "position": n,
                "updated_at": now,
            }
            if r.key in stored_roles:
                rid = stored_roles[r.key]
                await RoleRow.update({getattr(RoleRow, k): v for k, v in values.items()}).where(
                    RoleRow.id == rid
                )
                updated += 1
            else:
                role_row = RoleRow(**values)
                await role_row.save()
                rid = role_row.id
                created += 1
            given |= await save_requirements(rid, r, stored_comps)
            written.append(rid)
        await settle_evidence(by=by, changed=changed, given=given, roles=written)
    return ImportCounts(created=created, updated=updated)

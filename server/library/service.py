"""The library slice's orchestration as handlers receive it (``library_service: LibraryEdits``):
every change of an area, competency or role, and every import, is stored by the
repository and recorded in the audit log, whichever page or API call asked for it."""

from __future__ import annotations

from typing import Any

import msgspec

from assessments.competency import Area, Competency, Library, Role
from server.admin import audit
from server.core.schemas import User
from server.core.vocabulary import LANGUAGES
from server.library import repository as repo
from server.library.repository import ImportCounts

__all__ = ["LibraryService", "changes"]

Record = Competency | Role | Area


def _english(value: Any) -> Any:
    """``value`` without its translations (the English texts and the settings)."""
    if isinstance(value, dict):
        return {k: _english(v) for k, v in value.items() if k != "translations"}
    if isinstance(value, list | tuple):
        return [_english(v) for v in value]
    return value


def _in_language(value: Any, lang: str) -> Any:
    """Every text of ``value`` in ``lang`` (the translations only)."""
    if isinstance(value, dict):
        own = (value.get("translations") or {}).get(lang)
        nested = {k: _in_language(v, lang) for k, v in value.items() if isinstance(v, list | tuple)}
        return {"own": own, **nested}
    if isinstance(value, list | tuple):
        return [_in_language(v, lang) for v in value]
    return None


def changes(before: Record, after: Record) -> list[str]:
    """What an edit changed: the names of the English fields, and ``translations:<lang>``
    for each language whose texts changed (e.g. ``["name", "translations:sv"]``)."""
    old, new = msgspec.to_builtins(before), msgspec.to_builtins(after)
    old_en, new_en = _english(old), _english(new)
    fields = sorted(
        k for k in set(old_en) | set(new_en) if k != "id" and old_en.get(k) != new_en.get(k)
    )
    langs = [
        f"translations:{lang}"
        for lang in LANGUAGES
        if lang != "en" and _in_language(old, lang) != _in_language(new, lang)
    ]
    return fields + langs


def _detail(record: Record, **more: Any) -> dict[str, Any]:
    return {"key": record.key, "name": record.name, **more}


class LibraryService:
    """Changes to the competency library, each recorded in the audit log."""

    async def create_competency(self, c: Competency, user: User) -> Competency:
        made = await repo.create_competency(c)
        await audit.record(user.id, "created", f"competency:{made.id}", _detail(made))
        return made

    async def update_competency(self, ident: int, c: Competency, user: User) -> Competency:
        before = await repo.get_competency(ident)
        saved = await repo.update_competency(ident, c, by=user.email)
        await audit.record(
            user.id,
            "updated",
            f"competency:{ident}",
            _detail(saved, changed=changes(before, saved)),
        )
        return saved

    async def delete_competency(self, ident: int, user: User) -> None:
        before = await repo.get_competency(ident)
        await repo.delete_competency(ident)
        await audit.record(user.id, "deleted", f"competency:{ident}", _detail(before))

    async def create_role(self, role: Role, user: User) -> Role:
        made = await repo.create_role(role, by=user.email)
        await audit.record(user.id, "created", f"role:{made.id}", _detail(made))
        return made

    async def update_role(self, ident: int, role: Role, user: User) -> Role:
        before = await repo.get_role(ident)
        saved = await repo.update_role(ident, role, by=user.email)
        await audit.record(
            user.id, "updated", f"role:{ident}", _detail(saved, changed=changes(before, saved))
        )
        return saved

    async def delete_role(self, ident: int, user: User) -> None:
        before = await repo.get_role(ident)
        await repo.delete_role(ident)
        await audit.record(user.id, "deleted", f"role:{ident}", _detail(before))

    async def create_area(self, area: Area, user: User) -> Area:
        made = await repo.create_area(area)
        await audit.record(user.id, "created", f"area:{made.id}", _detail(made))
        return made

    async def update_area(self, ident: int, area: Area, user: User) -> Area:
        before = await repo.get_area(ident)
        saved = await repo.update_area(ident, area)
        await audit.record(
            user.id, "updated", f"area:{ident}", _detail(saved, changed=changes(before, saved))
        )
        return saved

    async def delete_area(self, ident: int, user: User) -> None:
        before = await repo.get_area(ident)
        await repo.delete_area(ident)
        await audit.record(user.id, "deleted", f"area:{ident}", _detail(before))

    async def import_library(
        self, library: Library, user: User, source: str | None = None
    ) -> ImportCounts:
        counts = await repo.import_library(library)
        detail: dict[str, Any] = {
            "created": counts.created,
            "updated": counts.updated,
            "areas": len(library.areas),
            "competencies": len(library.competencies),
            "roles": len(library.roles),
        }
        if source:
            detail["file"] = source[:200]
        await audit.record(user.id, "imported", "library", detail)
        return counts

"""Conversions between HTTP Structs and domain dataclasses (one place, both directions)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

import msgspec

from assessments.competency import Area, Competency, Library, Role
from server.core import schemas
from server.library.evidence import public

T = TypeVar("T")


def to_domain(value: Any, cls: type[T]) -> T:
    """A request Struct (or plain data) as the domain dataclass ``cls``."""
    return msgspec.convert(msgspec.to_builtins(value), cls)


def _shown(role: Role) -> Role:
    """``role`` with the evidence of both flags of each competency, as shown and exported
    (``{"source": "hand"}`` where nothing is recorded)."""
    reqs = tuple(replace(q, evidence=public(q.evidence)) for q in role.competencies)
    return replace(role, competencies=reqs)


def to_schema(value: Any, cls: type[T]) -> T:
    """A domain dataclass as the response Struct ``cls`` (``id`` dropped when ``cls`` lacks it)."""
    if isinstance(value, Role):
        value = _shown(value)
    data = msgspec.to_builtins(value)
    # type-ignore reason: every class here is a msgspec Struct
    if "id" not in cls.__struct_fields__:  # type: ignore[attr-defined]
        data.pop("id", None)
    return msgspec.convert(data, cls)


def library_document(library: Library) -> schemas.LibraryDocument:
    return schemas.LibraryDocument(
        areas=[to_schema(a, schemas.AreaIn) for a in library.areas],
        competencies=[to_schema(c, schemas.CompetencyIn) for c in library.competencies],
        roles=[to_schema(r, schemas.RoleIn) for r in library.roles],
    )


def library_from_document(doc: schemas.LibraryDocument) -> Library:
    return Library(
        areas=tuple(to_domain(a, Area) for a in doc.areas),
        competencies=tuple(to_domain(c, Competency) for c in doc.competencies),
        roles=tuple(to_domain(r, Role) for r in doc.roles),
    )

"""What a draft competency is called on a page: a group linked to a library competency and
not renamed by the facilitator shows the library's name and definition in the reader's
language (it *is* that competency); a group the facilitator named shows their words."""

from __future__ import annotations

from collections.abc import Iterable

from assessments.competency import Competency, localized
from server.library import repository as library

__all__ = ["library_competencies", "shown"]


async def library_competencies(keys: Iterable[str | None], lang: str) -> dict[str, Competency]:
    """The library competencies with these keys (unknown keys are left out); none to read
    for English, which :func:`shown` leaves as stored."""
    wanted = {k for k in keys if k}
    if not wanted or lang == "en":
        return {}
    found, _ = await library.list_competencies(limit=10_000)
    return {c.key: c for c in found if c.key in wanted}


def shown(
    name: str,
    definition: str,
    library_key: str | None,
    lang: str,
    competencies: dict[str, Competency],
) -> tuple[str, str]:
    """``(name, definition)`` as a reader of ``lang`` sees them."""
    c = competencies.get(library_key or "")
    if c is None or lang == "en":
        return name, definition
    there = localized(c, lang)
    return (
        there.name if name == c.name else name,
        there.definition if definition in ("", c.definition) else definition,
    )

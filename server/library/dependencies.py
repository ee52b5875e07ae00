"""The library slice's service as handlers receive it: ``library_service: LibraryEdits`` in a
handler's parameters, provided by ``server.app`` (one instance per request)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.library.service import LibraryService

__all__ = ["LibraryEdits", "provide_library_service"]

LibraryEdits = NamedDependency[LibraryService]


def provide_library_service() -> LibraryService:
    return LibraryService()

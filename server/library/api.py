"""The competency library API: areas, competencies, roles, import and export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from litestar import Request, Response, delete, get, post, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import JSONBody, QueryParameter

from assessments.competency import Area, Competency, Role, localized, localized_named
from server.core.schemas import (
    Area as AreaOut,
)
from server.core.schemas import (
    AreaIn,
    AreaPage,
    CompetencyIn,
    CompetencyPage,
    ImportResult,
    RoleIn,
    RolePage,
)
from server.core.schemas import (
    Competency as CompetencyOut,
)
from server.core.schemas import (
    Role as RoleOut,
)
from server.library import repository as repo
from server.library.convert import library_document, library_from_document, to_domain, to_schema
from server.library.dependencies import LibraryEdits
from server.library.io import YAML_TYPES, document_bytes, parse_document
from server.web.auth import CurrentUser, admin_guard, staff_guard
from server.web.base import ApiController, UnsupportedMediaType
from server.web.errors import ConflictError, UnprocessableError
from server.web.params import LangQuery, Limit, Offset, PathId, documented_as

Ref = Annotated[str | None, QueryParameter(max_length=64, description="An id or a key")]


class CompetencyController(ApiController):
    path = "/api/v1/competencies"
    guards = [staff_guard]
    tags = ["library"]

    @get(
        "/",
        summary="List competencies, filtered by flag, area or role",
        raises=[NotFoundException],  # an unknown area or role
    )
    async def list_competencies(
        self,
        flag: Annotated[
            Literal["select_for", "develop"] | None,
            QueryParameter(description="Only competencies with this flag set"),
        ] = None,
        area: Ref = None,
        role: Ref = None,
        lang: LangQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> CompetencyPage:
        items, total = await repo.list_competencies(
            flag=flag, area=area, role=role, limit=limit, offset=offset
        )
        if lang:
            items = [localized(c, lang) for c in items]
        return CompetencyPage(
            items=[to_schema(c, CompetencyOut) for c in items],
            total=total,
            limit=limit,
            offset=offset,
        )

    @post(
        "/",
        guards=[admin_guard],
        summary="Create a competency",
        raises=[ConflictError, UnprocessableError],
    )
    async def create_competency(
        self, data: JSONBody[CompetencyIn], user: CurrentUser, library_service: LibraryEdits
    ) -> CompetencyOut:
        created = await library_service.create_competency(to_domain(data, Competency), user)
        return to_schema(created, CompetencyOut)

    @get("/{competency_id:int}", summary="One competency")
    async def get_competency(self, competency_id: PathId, lang: LangQuery = None) -> CompetencyOut:
        found = await repo.get_competency(competency_id)
        return to_schema(localized(found, lang) if lang else found, CompetencyOut)

    @put(
        "/{competency_id:int}",
        guards=[admin_guard],
        summary="Replace a competency",
        raises=[ConflictError, UnprocessableError],
    )
    async def update_competency(
        self,
        competency_id: PathId,
        data: JSONBody[CompetencyIn],
        user: CurrentUser,
        library_service: LibraryEdits,
    ) -> CompetencyOut:
        updated = await library_service.update_competency(
            competency_id, to_domain(data, Competency), user
        )
        return to_schema(updated, CompetencyOut)

    @delete(
        "/{competency_id:int}",
        raises=[ConflictError],
        guards=[admin_guard],
        summary="Delete a competency (409 while a role uses it)",
    )
    async def delete_competency(
        self, competency_id: PathId, user: CurrentUser, library_service: LibraryEdits
    ) -> None:
        await library_service.delete_competency(competency_id, user)


class AreaController(ApiController):
    path = "/api/v1/competency-areas"
    guards = [staff_guard]
    tags = ["library"]

    @get("/", summary="List competency areas")
    async def list_areas(
        self, lang: LangQuery = None, limit: Limit = 50, offset: Offset = 0
    ) -> AreaPage:
        items, total = await repo.list_areas(limit=limit, offset=offset)
        if lang:
            items = [localized_named(a, lang) for a in items]
        return AreaPage(
            items=[to_schema(a, AreaOut) for a in items], total=total, limit=limit, offset=offset
        )

    @post(
        "/",
        guards=[admin_guard],
        summary="Create an area",
        raises=[ConflictError, UnprocessableError],
    )
    async def create_area(
        self, data: JSONBody[AreaIn], user: CurrentUser, library_service: LibraryEdits
    ) -> AreaOut:
        return to_schema(await library_service.create_area(to_domain(data, Area), user), AreaOut)

    @get("/{area_id:int}", summary="One area")
    async def get_area(self, area_id: PathId, lang: LangQuery = None) -> AreaOut:
        found = await repo.get_area(area_id)
        return to_schema(localized_named(found, lang) if lang else found, AreaOut)

    @put(
        "/{area_id:int}",
        guards=[admin_guard],
        summary="Replace an area",
        raises=[ConflictError, UnprocessableError],
    )
    async def update_area(
        self,
        area_id: PathId,
        data: JSONBody[AreaIn],
        user: CurrentUser,
        library_service: LibraryEdits,
    ) -> AreaOut:
        saved = await library_service.update_area(area_id, to_domain(data, Area), user)
        return to_schema(saved, AreaOut)

    @delete(
        "/{area_id:int}",
        guards=[admin_guard],
        summary="Delete an area (409 while in use)",
        raises=[ConflictError],
    )
    async def delete_area(
        self, area_id: PathId, user: CurrentUser, library_service: LibraryEdits
    ) -> None:
        await library_service.delete_area(area_id, user)


class RoleController(ApiController):
    path = "/api/v1/roles"
    guards = [staff_guard]
    tags = ["library"]

    @get("/", summary="List roles (job profiles)", raises=[NotFoundException])
    async def list_roles(
        self, area: Ref = None, lang: LangQuery = None, limit: Limit = 50, offset: Offset = 0
    ) -> RolePage:
        items, total = await repo.list_roles(area=area, limit=limit, offset=offset)
        if lang:
            items = [localized_named(r, lang) for r in items]
        return RolePage(
            items=[to_schema(r, RoleOut) for r in items], total=total, limit=limit, offset=offset
        )

    @post(
        "/",
        guards=[admin_guard],
        summary="Create a role with its competencies",
        raises=[ConflictError, UnprocessableError],
    )
    async def create_role(
        self, data: JSONBody[RoleIn], user: CurrentUser, library_service: LibraryEdits
    ) -> RoleOut:
        return to_schema(await library_service.create_role(to_domain(data, Role), user), RoleOut)

    @get("/{role_id:int}", summary="One role")
    async def get_role(self, role_id: PathId, lang: LangQuery = None) -> RoleOut:
        found = await repo.get_role(role_id)
        return to_schema(localized_named(found, lang) if lang else found, RoleOut)

    @put(
        "/{role_id:int}",
        guards=[admin_guard],
        summary="Replace a role",
        raises=[ConflictError, UnprocessableError],
    )
    async def update_role(
        self,
        role_id: PathId,
        data: JSONBody[RoleIn],
        user: CurrentUser,
        library_service: LibraryEdits,
    ) -> RoleOut:
        saved = await library_service.update_role(role_id, to_domain(data, Role), user)
        return to_schema(saved, RoleOut)

    @delete("/{role_id:int}", guards=[admin_guard], summary="Delete a role", raises=[ConflictError])
    async def delete_role(
        self, role_id: PathId, user: CurrentUser, library_service: LibraryEdits
    ) -> None:
        await library_service.delete_role(role_id, user)


class LibraryController(ApiController):
    path = "/api/v1/library"
    tags = ["library"]

    @get(
        "/export",
        guards=[staff_guard],
        summary="The whole library as JSON or YAML",
        operation_class=documented_as("application/json", "application/yaml", json=False),
    )
    async def export_library(
        self,
        request: Request[Any, Any, Any],
        format: Annotated[
            Literal["json", "yaml"] | None,
            QueryParameter(description="json or yaml; default from the Accept header, else json"),
        ] = None,
    ) -> Response[bytes]:
        fmt = format or (
            "yaml" if any(t in request.headers.get("accept", "") for t in YAML_TYPES) else "json"
        )
        body, media = document_bytes(library_document(await repo.export_library()), fmt)
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="competency-library.{fmt}"'},
        )

    @post(
        "/import",
        raises=[ClientException, UnsupportedMediaType, UnprocessableError],
        guards=[admin_guard],
        status_code=200,
        summary="Create or update (by key) everything in a JSON or YAML library document",
        description=(
            "The whole document is validated first; if any part is invalid nothing changes and "
            "the 422 response lists every problem with its path. Records not in the document "
            "are kept."
        ),
    )
    async def import_library(
        self, request: Request[Any, Any, Any], user: CurrentUser, library_service: LibraryEdits
    ) -> ImportResult:
        body = await request.body()
        doc = await anyio.to_thread.run_sync(  # a large document is parsed off the event loop
            parse_document, body, request.headers.get("content-type", "")
        )
        counts = await library_service.import_library(library_from_document(doc), user)
        return ImportResult(
            areas=len(doc.areas),
            competencies=len(doc.competencies),
            roles=len(doc.roles),
            created=counts.created,
            updated=counts.updated,
        )

"""Library pages (server-rendered, usable without JavaScript): browse and import; the
editors are in :mod:`server.library.editor_pages`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from assessments.competency import (
    localized,
    localized_named,
)
from assessments.development.catalogue import MODULES_BY_KEY
from assessments.errors import Problem
from server.core.errors import DomainError, Invalid
from server.library import repository as repo
from server.library.convert import library_from_document
from server.library.dependencies import LibraryEdits
from server.library.editor_pages import EDITOR_HANDLERS
from server.library.io import parse_document
from server.library.versions import list_versions
from server.library.why import why_lines
from server.web.auth import (
    CurrentUser,
    page_admin_guard,
    page_guard,
)
from server.web.context import page_context, page_gettext, staff_language
from server.web.errors import status_of
from server.web.params import LangQuery, PathId

FormData = URLEncodedBody[dict[str, Any]]
FlagQuery = Annotated[
    Literal["select_for", "develop"] | None,
    QueryParameter(description="Only competencies with this flag"),
]
ALL = 10_000


async def _library(
    request: Request[Any, Any, Any],
    flag: str | None = None,
    lang: str | None = None,
    *,
    notice: str | None = None,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    lang = lang or staff_language(request)
    areas, _ = await repo.list_areas(limit=ALL, offset=0)
    roles, _ = await repo.list_roles(limit=ALL, offset=0)
    # type-ignore reason: the flag comes from the page's own select
    comps, _ = await repo.list_competencies(flag=flag, limit=ALL, offset=0)  # type: ignore[arg-type]
    return Template(
        "library.html",
        context=await page_context(
            request,
            flag=flag,
            lang=lang,
            areas=[localized_named(a, lang) for a in areas],
            roles=[localized_named(r, lang) for r in roles],
            competencies=[localized(c, lang) for c in comps],
            notice=notice,
            errors=errors or [],
        ),
        status_code=status,
        media_type="text/html",
    )


Count = Annotated[int | None, QueryParameter(ge=0, le=1_000_000, required=False)]


@get("/app", guards=[page_guard], include_in_schema=False)
async def library_page(
    request: Request[Any, Any, Any],
    flag: FlagQuery = None,
    lang: LangQuery = None,
    imported: Annotated[str | None, QueryParameter(max_length=200, required=False)] = None,
    created: Count = None,
    updated: Count = None,
) -> Template:
    notice = None
    if imported is not None:
        _ = page_gettext(request)
        notice = _("Imported %(file)s: %(created)s created, %(updated)s updated.") % {
            "file": imported,
            "created": created or 0,
            "updated": updated or 0,
        }
    return await _library(request, flag, lang, notice=notice)


@post("/app/library/import", guards=[page_admin_guard], include_in_schema=False)
async def library_import(
    request: Request[Any, Any, Any], user: CurrentUser, library_service: LibraryEdits
) -> Response[Any]:
    """Upload a JSON or YAML library file; every problem is listed and nothing changes.
    After an import the browser is sent back to the library, which says what changed."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        _ = page_gettext(request)
        message = _("choose a .yaml or .json file")
        return await _library(request, errors=[Problem("file", message)], status=400)
    body = await upload.read()
    try:
        doc = parse_document(body, "application/yaml")  # YAML reads JSON too
        counts = await library_service.import_library(
            library_from_document(doc), user, upload.filename
        )
    except Invalid as exc:
        found = list(exc.problems)
        return await _library(request, errors=found, status=422)
    except DomainError as err:
        return await _library(request, errors=[Problem("file", err.detail)], status=status_of(err))
    return Redirect(
        path="/app",
        query_params={
            "imported": upload.filename[:200],
            "created": str(counts.created),
            "updated": str(counts.updated),
        },
    )


async def _area_name(key: str | None, lang: str) -> str | None:
    """The name of the area with ``key`` in ``lang`` (pages show names, not keys)."""
    if key is None:
        return None
    areas, _ = await repo.list_areas(limit=ALL, offset=0)
    return next((localized_named(a, lang).name for a in areas if a.key == key), None)


@get("/app/competencies/{competency_id:int}", guards=[page_guard], include_in_schema=False)
async def competency_page(
    request: Request[Any, Any, Any], competency_id: PathId, lang: LangQuery = None
) -> Template:
    lang = lang or staff_language(request)
    comp = await repo.get_competency(competency_id)
    roles, _ = await repo.list_roles(limit=ALL, offset=0)
    used_by = [
        (localized_named(r, lang), q, why_lines(comp, q.evidence))
        for r in roles
        for q in r.competencies
        if q.competency == comp.key
    ]
    return Template(
        "competency.html",
        context=await page_context(
            request,
            c=localized(comp, lang),
            lang=lang,
            languages=sorted({"en", *comp.translations}),
            used_by=used_by,
            modules=MODULES_BY_KEY,
            area_name=await _area_name(comp.area, lang),
        ),
        media_type="text/html",
    )


@get("/app/roles/{role_id:int}", guards=[page_guard], include_in_schema=False)
async def role_page(
    request: Request[Any, Any, Any], role_id: PathId, lang: LangQuery = None
) -> Template:
    lang = lang or staff_language(request)
    role = await repo.get_role(role_id)
    comps, _ = await repo.list_competencies(role=str(role_id), limit=ALL, offset=0)
    by_key = {c.key: localized(c, lang) for c in comps}
    rows = [
        (by_key[q.competency], q, why_lines(by_key[q.competency], q.evidence))
        for q in role.competencies
        if q.competency in by_key
    ]
    return Template(
        "role.html",
        context=await page_context(
            request,
            role=localized_named(role, lang),
            rows=rows,
            versions=await list_versions(role_id),
            lang=lang,
            area_name=await _area_name(role.area, lang),
        ),
        media_type="text/html",
    )


PAGE_HANDLERS = [
    library_page,
    library_import,
    competency_page,
    role_page,
    *EDITOR_HANDLERS,
]

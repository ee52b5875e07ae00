"""The library's editors (admins): competencies and roles, edited as forms, no JavaScript."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from assessments.competency import (
    Competency,
    Role,
    competency_problems,
)
from assessments.development.catalogue import MODULES
from assessments.errors import Problem
from server.core.errors import Conflict, Invalid
from server.core.schemas import CompetencyIn, RoleIn
from server.core.validation import problems
from server.library import repository as repo
from server.library.convert import to_domain
from server.web.auth import (
    page_admin_guard,
)
from server.web.context import page_context
from server.web.params import PathId

FormData = URLEncodedBody[dict[str, Any]]
ALL = 10_000  # every area and competency, for the pickers


# ---- the editor (admins) ---------------------------------------------------------------


def _rows(form: dict[str, Any], *names: str) -> list[dict[str, str]]:
    """Repeated form fields ``name`` -> list of row dicts, skipping rows left empty."""
    columns = {n: form.get(n, []) for n in names}
    columns = {n: v if isinstance(v, list) else [v] for n, v in columns.items()}
    length = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(length):
        row = {n: str(columns[n][i]).strip() if i < len(columns[n]) else "" for n in names}
        rows.append(row)
    return rows


def competency_from_form(form: dict[str, Any], previous: Competency | None) -> dict[str, Any]:
    """The editor's fields as a CompetencyIn document.

    The editor shows English texts only: the translations of the competency, of each
    indicator (matched by key), measure (by name) and activity (by title) are carried over.
    """
    old_indicators = {i.key: i for i in previous.indicators} if previous else {}
    old_measures = {m.name: m for m in previous.measures} if previous else {}
    old_activities = {a.title: a for a in previous.activities} if previous else {}
    indicators = []
    for row in _rows(form, "indicator_key", "indicator_text", "indicator_polarity"):
        if not row["indicator_text"]:
            continue
        item: dict[str, Any] = {
            "text": row["indicator_text"],
            "polarity": row["indicator_polarity"] or "present",
            "key": row["indicator_key"] or None,
        }
        old = old_indicators.get(row["indicator_key"])
        if old is not None and old.translations:
            item["translations"] = dict(old.translations)
        indicators.append(item)
    measures = []
    for r in _rows(form, "measure_name", "measure_kind", "measure_description"):
        if not r["measure_name"]:
            continue
        measure: dict[str, Any] = {
            "name": r["measure_name"],
            "kind": r["measure_kind"] or "kpi",
            "description": r["measure_description"],
        }
        if (m := old_measures.get(r["measure_name"])) is not None and m.translations:
            measure["translations"] = {k: dict(v) for k, v in m.translations.items()}
        measures.append(measure)
    activities = []
    for r in _rows(
        form, "activity_kind", "activity_module", "activity_title", "activity_description"
    ):
        if not r["activity_title"]:
            continue
        activity: dict[str, Any] = {
            "kind": r["activity_kind"] or "training",
            "title": r["activity_title"],
            "description": r["activity_description"],
            "module": r["activity_module"] or None,
        }
        if (a := old_activities.get(r["activity_title"])) is not None and a.translations:
            activity["translations"] = {k: dict(v) for k, v in a.translations.items()}
        activities.append(activity)
    doc: dict[str, Any] = {
        "key": str(form.get("key", "")).strip(),
        "name": str(form.get("name", "")).strip(),
        "definition": str(form.get("definition", "")).strip(),
        "benefit": str(form.get("benefit", "")).strip(),
        "select_for": form.get("select_for") == "on",
        "develop": form.get("develop") == "on",
        "indicators": indicators,
        "measures": measures,
        "activities": activities,
    }
    if form.get("area"):
        doc["area"] = str(form["area"])
    if previous is not None and previous.translations:
        doc["translations"] = {k: dict(v) for k, v in previous.translations.items()}
    return doc


def form_problems(doc: dict[str, Any]) -> list[Problem]:
    """Every problem of an editor document at once: field types first, then the rules."""
    found = problems(doc, CompetencyIn)
    flags = Competency(
        key="",
        name="",
        definition="",
        select_for=doc["select_for"],
        develop=doc["develop"],
    )
    seen = {p.path for p in found}
    return found + [p for p in competency_problems(flags) if p.path not in seen]


async def _editor(
    request: Request[Any, Any, Any],
    c: dict[str, Any],
    ident: int | None,
    errors: list[Problem],
    status: int = 200,
) -> Template:
    areas, _ = await repo.list_areas(limit=ALL, offset=0)
    return Template(
        "competency_edit.html",
        context=await page_context(
            request,
            c=c,
            ident=ident,
            errors=errors,
            areas=areas,
            modules=MODULES,
            error_paths={e.path for e in errors},
        ),
        status_code=status,
    )


def _document(c: Competency | Role) -> dict[str, Any]:
    data = msgspec.to_builtins(c)
    data.pop("id", None)
    return data


@get("/app/competencies/new", guards=[page_admin_guard], include_in_schema=False)
async def competency_new(request: Request[Any, Any, Any]) -> Template:
    blank: dict[str, Any] = {
        "key": "",
        "name": "",
        "definition": "",
        "benefit": "",
        "area": None,
        "select_for": False,
        "develop": True,
        "indicators": [],
        "measures": [],
        "activities": [],
    }
    return await _editor(request, blank, None, [])


@get(
    "/app/competencies/{competency_id:int}/edit", guards=[page_admin_guard], include_in_schema=False
)
async def competency_edit(request: Request[Any, Any, Any], competency_id: PathId) -> Template:
    return await _editor(
        request, _document(await repo.get_competency(competency_id)), competency_id, []
    )


async def _save_competency(
    request: Request[Any, Any, Any], form: dict[str, Any], ident: int | None
) -> Response[Any]:
    previous = await repo.get_competency(ident) if ident is not None else None
    doc = competency_from_form(form, previous)
    errors = form_problems(doc)
    if not errors:
        try:
            comp = to_domain(doc, Competency)
            saved = (
                await repo.update_competency(ident, comp)
                if ident is not None
                else await repo.create_competency(comp)
            )
            return Redirect(path=f"/app/competencies/{saved.id}")
        except Invalid as exc:
            errors = list(exc.problems)
        except Conflict as exc:
            field, _, message = exc.detail.partition(": ")
            errors = [Problem(field if message else "key", message or exc.detail)]
    return await _editor(request, doc, ident, errors, status=422)


@post("/app/competencies", guards=[page_admin_guard], include_in_schema=False)
async def competency_create(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _save_competency(request, await _form(request), None)


@post("/app/competencies/{competency_id:int}", guards=[page_admin_guard], include_in_schema=False)
async def competency_update(
    request: Request[Any, Any, Any], competency_id: PathId
) -> Response[Any]:
    return await _save_competency(request, await _form(request), competency_id)


@post(
    "/app/competencies/{competency_id:int}/delete",
    guards=[page_admin_guard],
    include_in_schema=False,
)
async def competency_delete(
    request: Request[Any, Any, Any], competency_id: PathId
) -> Response[Any]:
    try:
        await repo.delete_competency(competency_id)
    except Conflict as exc:
        comp = await repo.get_competency(competency_id)
        return await _editor(
            request, _document(comp), competency_id, [Problem("delete", exc.detail)], status=409
        )
    return Redirect(path="/app")


async def _form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The form with repeated fields as lists (``indicator_text`` etc.)."""
    form = await request.form()
    return {
        k: (
            form.getall(k)
            if len(form.getall(k)) > 1
            or k.startswith(("indicator_", "measure_", "activity_", "req_"))
            else form.get(k)
        )
        for k in form
    }


# ---- role editor -----------------------------------------------------------------------


def role_from_form(form: dict[str, Any], previous: Role | None) -> dict[str, Any]:
    reqs = []
    for r in _rows(form, "req_competency", "req_weight", "req_level"):
        if not r["req_competency"]:
            continue
        item: dict[str, Any] = {"competency": r["req_competency"]}
        for field, name, cast in (
            ("req_weight", "weight", float),
            ("req_level", "required_level", int),
        ):
            try:
                item[name] = cast(r[field]) if r[field] else (1.0 if cast is float else 3)
            except ValueError:
                item[name] = r[field]  # reported as the wrong type by the validator
        reqs.append(item)
    doc: dict[str, Any] = {
        "key": str(form.get("key", "")).strip(),
        "name": str(form.get("name", "")).strip(),
        "description": str(form.get("description", "")).strip(),
        "competencies": reqs,
    }
    if form.get("area"):
        doc["area"] = str(form["area"])
    if previous is not None and previous.translations:
        doc["translations"] = {k: dict(v) for k, v in previous.translations.items()}
    return doc


async def _role_editor(
    request: Request[Any, Any, Any],
    role: dict[str, Any],
    ident: int | None,
    errors: list[Problem],
    status: int = 200,
) -> Template:
    areas, _ = await repo.list_areas(limit=ALL, offset=0)
    comps, _ = await repo.list_competencies(limit=ALL, offset=0)
    return Template(
        "role_edit.html",
        context=await page_context(
            request,
            role=role,
            ident=ident,
            errors=errors,
            areas=areas,
            competencies=comps,
            error_paths={e.path for e in errors},
        ),
        status_code=status,
    )


@get("/app/roles/new", guards=[page_admin_guard], include_in_schema=False)
async def role_new(request: Request[Any, Any, Any]) -> Template:
    blank: dict[str, Any] = {
        "key": "",
        "name": "",
        "description": "",
        "area": None,
        "competencies": [],
    }
    return await _role_editor(request, blank, None, [])


@get("/app/roles/{role_id:int}/edit", guards=[page_admin_guard], include_in_schema=False)
async def role_edit(request: Request[Any, Any, Any], role_id: PathId) -> Template:
    return await _role_editor(request, _document(await repo.get_role(role_id)), role_id, [])


async def _save_role(request: Request[Any, Any, Any], ident: int | None) -> Response[Any]:
    previous = await repo.get_role(ident) if ident is not None else None
    doc = role_from_form(await _form(request), previous)
    errors = problems(doc, RoleIn)
    if not errors:
        try:
            role = to_domain(doc, Role)
            saved = (
                await repo.update_role(ident, role)
                if ident is not None
                else await repo.create_role(role)
            )
            return Redirect(path=f"/app/roles/{saved.id}")
        except Invalid as exc:
            errors = list(exc.problems)
        except Conflict as exc:
            field, _, message = exc.detail.partition(": ")
            errors = [Problem(field if message else "key", message or exc.detail)]
    return await _role_editor(request, doc, ident, errors, status=422)


@post("/app/roles", guards=[page_admin_guard], include_in_schema=False)
async def role_create(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _save_role(request, None)


@post("/app/roles/{role_id:int}", guards=[page_admin_guard], include_in_schema=False)
async def role_update(request: Request[Any, Any, Any], role_id: PathId) -> Response[Any]:
    return await _save_role(request, role_id)


@post("/app/roles/{role_id:int}/delete", guards=[page_admin_guard], include_in_schema=False)
async def role_delete(request: Request[Any, Any, Any], role_id: PathId) -> Response[Any]:
    await repo.delete_role(role_id)
    return Redirect(path="/app")


EDITOR_HANDLERS = [
    competency_new,
    competency_edit,
    competency_create,
    competency_update,
    competency_delete,
    role_new,
    role_edit,
    role_create,
    role_update,
    role_delete,
]

"""The library's editors (admins): competencies and roles, edited as forms, no JavaScript."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from assessments.competency import (
    Competency,
    Role,
    competency_problems,
    localized,
    localized_named,
)
from assessments.development.catalogue import MODULES
from assessments.errors import Problem
from reports.markers import N_
from server.core.errors import Conflict, Invalid
from server.core.schemas import CompetencyIn, RoleIn, User
from server.core.validation import problems
from server.core.vocabulary import LANGUAGES
from server.library import repository as repo
from server.library.convert import to_domain
from server.library.dependencies import LibraryEdits
from server.library.service import LibraryService
from server.web.auth import (
    CurrentUser,
    page_admin_guard,
)
from server.web.context import page_context, page_gettext, staff_language
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


EDITED_LANGUAGES = tuple(code for code in LANGUAGES if code != "en")
"""The languages whose texts the editors show next to the English ones."""


def _texts(form: dict[str, Any], prefix: str, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``{lang: {name: text}}`` from fields ``<prefix>_<lang>_<name>``, empty texts left out."""
    out: dict[str, dict[str, str]] = {}
    for lang in EDITED_LANGUAGES:
        texts = {n: str(form.get(f"{prefix}_{lang}_{n}") or "").strip() for n in names}
        texts = {n: t for n, t in texts.items() if t}
        if texts:
            out[lang] = texts
    return out


def _kept(previous: Any) -> dict[str, Any]:
    """Translations in languages the editor does not show (kept as they are)."""
    old = getattr(previous, "translations", None) or {}
    return {k: v for k, v in old.items() if k not in EDITED_LANGUAGES}


def _row_texts(row: dict[str, str], column: str, names: tuple[str, ...]) -> dict[str, Any]:
    """One repeated row's texts per language: ``{lang: {name: text}}`` from the columns
    ``<column>_<name>_<lang>`` (``names`` empty: ``{lang: text}`` from ``<column>_<lang>``)."""
    out: dict[str, Any] = {}
    for lang in EDITED_LANGUAGES:
        if not names:
            if text := row.get(f"{column}_{lang}", ""):
                out[lang] = text
            continue
        texts = {n: row.get(f"{column}_{n}_{lang}", "") for n in names}
        texts = {n: t for n, t in texts.items() if t}
        if texts:
            out[lang] = texts
    return out


def _columns(base: list[str], column: str, names: tuple[str, ...]) -> list[str]:
    if not names:
        return [*base, *(f"{column}_{lang}" for lang in EDITED_LANGUAGES)]
    return [*base, *(f"{column}_{n}_{lang}" for n in names for lang in EDITED_LANGUAGES)]


def competency_from_form(form: dict[str, Any], previous: Competency | None) -> dict[str, Any]:
    """The editor's fields as a CompetencyIn document.

    Texts in English and in each edited language (ru, sv, nb) come from the form and are
    stored in ``translations`` as the library import stores them; translations in other
    languages are carried over (indicators matched by key, measures by name, activities
    by title).
    """
    old_indicators = {i.key: i for i in previous.indicators} if previous else {}
    old_measures = {m.name: m for m in previous.measures} if previous else {}
    old_activities = {a.title: a for a in previous.activities} if previous else {}
    indicators = []
    ind_cols = _columns(["indicator_key", "indicator_text", "indicator_polarity"], "indicator", ())
    for row in _rows(form, *ind_cols):
        if not row["indicator_text"]:
            continue
        item: dict[str, Any] = {
            "text": row["indicator_text"],
            "polarity": row["indicator_polarity"] or "present",
            "key": row["indicator_key"] or None,
        }
        old = old_indicators.get(row["indicator_key"])
        translations = {**_kept(old), **_row_texts(row, "indicator", ())}
        if translations:
            item["translations"] = translations
        indicators.append(item)
    measures = []
    names = ("name", "description")
    for r in _rows(
        form, *_columns(["measure_name", "measure_kind", "measure_description"], "measure", names)
    ):
        if not r["measure_name"]:
            continue
        measure: dict[str, Any] = {
            "name": r["measure_name"],
            "kind": r["measure_kind"] or "kpi",
            "description": r["measure_description"],
        }
        kept = _kept(old_measures.get(r["measure_name"]))
        if translations := {**kept, **_row_texts(r, "measure", names)}:
            measure["translations"] = translations
        measures.append(measure)
    activities = []
    names = ("title", "description")
    base = ["activity_kind", "activity_module", "activity_title", "activity_description"]
    for r in _rows(form, *_columns(base, "activity", names)):
        if not r["activity_title"]:
            continue
        activity: dict[str, Any] = {
            "kind": r["activity_kind"] or "training",
            "title": r["activity_title"],
            "description": r["activity_description"],
            "module": r["activity_module"] or None,
        }
        kept = _kept(old_activities.get(r["activity_title"]))
        if translations := {**kept, **_row_texts(r, "activity", names)}:
            activity["translations"] = translations
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
    translations = {**_kept(previous), **_texts(form, "tr", ("name", "definition", "benefit"))}
    if translations:
        doc["translations"] = translations
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


FIELD_LABELS: dict[str, str] = {
    "key": N_("Key"),
    "name": N_("Name"),
    "definition": N_("Definition"),
    "benefit": N_("Why it matters"),
    "description": N_("Description"),
    "area": N_("Area"),
    "select_for": N_("Flags"),
    "develop": N_("Flags"),
    "flags": N_("Flags"),
    "delete": N_("Delete"),
    "text": N_("text"),
    "polarity": N_("polarity"),
    "kind": N_("kind"),
    "title": N_("title"),
    "module": N_("module"),
    "weight": N_("weight"),
    "required_level": N_("required level"),
    "competency": N_("competency"),
}
ROW_LABELS: dict[str, str] = {
    "indicators": N_("Indicator %(n)s"),
    "measures": N_("Measure %(n)s"),
    "activities": N_("Activity %(n)s"),
    "competencies": N_("Competency %(n)s"),
}
_ROW = re.compile(r"^(?P<rows>[a-z_]+)\[(?P<n>\d+)\](?:\.(?P<rest>.*))?$")


def field_label(path: str, gettext: Any) -> str:
    """An error's path as the editor names the field, in the viewer's language:
    ``translations.sv.definition`` -> "Definition (Svenska)",
    ``indicators[2].translations.nb`` -> "Indicator 3 (Norsk bokmål)"."""

    def word(name: str) -> str:
        return gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name.replace("_", " ")

    def texts(rest: str) -> str:
        parts = rest.split(".")
        if parts[0] == "translations" and len(parts) >= 2:
            lang = LANGUAGES.get(parts[1], parts[1])
            inner = word(parts[2]) if len(parts) > 2 else ""
            return f"{inner} ({lang})".strip()
        return word(parts[0]) + "".join(f" · {word(p)}" for p in parts[1:])

    m = _ROW.match(path)
    if m and m["rows"] in ROW_LABELS:
        head = gettext(ROW_LABELS[m["rows"]]) % {"n": int(m["n"]) + 1}
        return f"{head}: {texts(m['rest'])}" if m["rest"] else head
    out = texts(path)
    return out[:1].upper() + out[1:]


def _labelled(request: Request[Any, Any, Any], errors: list[Problem]) -> list[dict[str, str]]:
    gettext = page_gettext(request)
    return [
        {"path": e.path, "message": e.message, "label": field_label(e.path, gettext)}
        for e in errors
    ]


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
            errors=_labelled(request, errors),
            error_langs={
                e.path.split(".")[1] for e in errors if e.path.startswith("translations.")
            },
            areas=[localized_named(a, staff_language(request)) for a in areas],
            languages=EDITED_LANGUAGES,
            modules=MODULES,
            error_paths={e.path for e in errors},
        ),
        status_code=status,
        media_type="text/html",
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
    request: Request[Any, Any, Any],
    form: dict[str, Any],
    ident: int | None,
    user: User,
    library_service: LibraryService,
) -> Response[Any]:
    previous = await repo.get_competency(ident) if ident is not None else None
    doc = competency_from_form(form, previous)
    errors = form_problems(doc)
    if not errors:
        try:
            comp = to_domain(doc, Competency)
            saved = (
                await library_service.update_competency(ident, comp, user)
                if ident is not None
                else await library_service.create_competency(comp, user)
            )
            return Redirect(path=f"/app/competencies/{saved.id}")
        except Invalid as exc:
            errors = list(exc.problems)
        except Conflict as exc:
            field, _, message = exc.detail.partition(": ")
            errors = [Problem(field if message else "key", message or exc.detail)]
    return await _editor(request, doc, ident, errors, status=422)


@post("/app/competencies", guards=[page_admin_guard], include_in_schema=False)
async def competency_create(
    request: Request[Any, Any, Any], user: CurrentUser, library_service: LibraryEdits
) -> Response[Any]:
    return await _save_competency(request, await _form(request), None, user, library_service)


@post("/app/competencies/{competency_id:int}", guards=[page_admin_guard], include_in_schema=False)
async def competency_update(
    request: Request[Any, Any, Any],
    competency_id: PathId,
    user: CurrentUser,
    library_service: LibraryEdits,
) -> Response[Any]:
    form = await _form(request)
    return await _save_competency(request, form, competency_id, user, library_service)


@post(
    "/app/competencies/{competency_id:int}/delete",
    guards=[page_admin_guard],
    include_in_schema=False,
)
async def competency_delete(
    request: Request[Any, Any, Any],
    competency_id: PathId,
    user: CurrentUser,
    library_service: LibraryEdits,
) -> Response[Any]:
    try:
        await library_service.delete_competency(competency_id, user)
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
    translations = {**_kept(previous), **_texts(form, "tr", ("name", "description"))}
    if translations:
        doc["translations"] = translations
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
            errors=_labelled(request, errors),
            error_langs={
                e.path.split(".")[1] for e in errors if e.path.startswith("translations.")
            },
            areas=[localized_named(a, staff_language(request)) for a in areas],
            competencies=[localized(c, staff_language(request)) for c in comps],
            languages=EDITED_LANGUAGES,
            error_paths={e.path for e in errors},
        ),
        status_code=status,
        media_type="text/html",
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


async def _save_role(
    request: Request[Any, Any, Any],
    ident: int | None,
    user: User,
    library_service: LibraryService,
) -> Response[Any]:
    previous = await repo.get_role(ident) if ident is not None else None
    doc = role_from_form(await _form(request), previous)
    errors = problems(doc, RoleIn)
    if not errors:
        try:
            role = to_domain(doc, Role)
            saved = (
                await library_service.update_role(ident, role, user)
                if ident is not None
                else await library_service.create_role(role, user)
            )
            return Redirect(path=f"/app/roles/{saved.id}")
        except Invalid as exc:
            errors = list(exc.problems)
        except Conflict as exc:
            field, _, message = exc.detail.partition(": ")
            errors = [Problem(field if message else "key", message or exc.detail)]
    return await _role_editor(request, doc, ident, errors, status=422)


@post("/app/roles", guards=[page_admin_guard], include_in_schema=False)
async def role_create(
    request: Request[Any, Any, Any], user: CurrentUser, library_service: LibraryEdits
) -> Response[Any]:
    return await _save_role(request, None, user, library_service)


@post("/app/roles/{role_id:int}", guards=[page_admin_guard], include_in_schema=False)
async def role_update(
    request: Request[Any, Any, Any],
    role_id: PathId,
    user: CurrentUser,
    library_service: LibraryEdits,
) -> Response[Any]:
    return await _save_role(request, role_id, user, library_service)


@post("/app/roles/{role_id:int}/delete", guards=[page_admin_guard], include_in_schema=False)
async def role_delete(
    request: Request[Any, Any, Any],
    role_id: PathId,
    user: CurrentUser,
    library_service: LibraryEdits,
) -> Response[Any]:
    try:
        await library_service.delete_role(role_id, user)
    except Conflict as exc:
        role = await repo.get_role(role_id)
        return await _role_editor(
            request, _document(role), role_id, [Problem("delete", exc.detail)], status=409
        )
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

"""Staff pages for a 360 subject's development plan: read it, edit it, save a version.

``/app/reviews/{id}/subjects/{sid}/idp`` shows the plan as an editable form (works without
JavaScript). Saving goes through the same service as the API (same rules, same 409 on a
stale edit, same audit entry) and redirects back (PRG) with the new version named.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Annotated, Any, cast

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from assessments.competency import MAX_LEVEL, Competency, localized
from assessments.development import (
    DevelopmentPlan,
    PlanActivity,
    PlanMeasure,
    Priority,
)
from assessments.development.catalogue import ACTIVITY_KINDS, MODULES_BY_KEY
from assessments.development.editing import MAX_PRIORITIES, rerank
from assessments.development.idp import BLIND_SPOT_WEIGHT, module_of
from assessments.development.sentences import Sentence, english
from assessments.errors import Problem
from reports.markers import N_
from reports.sentences import say
from server.core.errors import Conflict, Invalid
from server.core.schemas import User
from server.development import repository as plans
from server.development.dependencies import Plans
from server.web.auth import CurrentUser, page_coaching_guard
from server.web.context import page_context, staff_language
from server.web.i18n import translations
from server.web.params import PathId

STATUSES = ("not started", "in progress", "done")
MEASURE_KINDS = ("kpi", "observation", "survey")
MEASURE_LABELS = {"kpi": N_("KPI"), "observation": N_("observation"), "survey": N_("survey")}
EXTRA_ROWS = 1  # empty rows offered for a new activity or measure

FIELD_LABELS = {
    "competency": N_("Competency"),
    "goal": N_("Goal"),
    "start": N_("Start"),
    "end": N_("End"),
    "status": N_("Status"),
    "activities": N_("Activities"),
    "title": N_("Title"),
    "kind": N_("Kind"),
    "name": N_("Name"),
    "target": N_("Target"),
    "review_date": N_("Review date"),
    "priorities": N_("Priorities"),
    "role": N_("Role"),
    "version": N_("Version"),
}


def _path(review_id: int, subject_id: int) -> str:
    return f"/app/reviews/{review_id}/subjects/{subject_id}/idp"


# --- the form: plan -> fields, fields -> plan ---------------------------------------------


def _fields(plan: DevelopmentPlan, gettext: Any) -> dict[str, str]:
    """The form's values for ``plan``, generated sentences in the coach's language."""
    out: dict[str, str] = {}
    for i, p in enumerate(plan.priorities):
        at = f"p{i}"
        out[f"{at}.competency"] = p.competency
        out[f"{at}.goal"] = say(p.goal, p.goal_sentence, gettext)
        out[f"{at}.start"] = p.start.isoformat()
        out[f"{at}.end"] = p.end.isoformat()
        out[f"{at}.status"] = p.status
        for j, a in enumerate(p.activities):
            out[f"{at}.a{j}.kind"] = a.kind
            out[f"{at}.a{j}.title"] = say(a.title, a.title_sentence, gettext)
            out[f"{at}.a{j}.description"] = say(a.description, a.description_sentence, gettext)
            out[f"{at}.a{j}.module"] = a.module or ""
        for j, m in enumerate(p.measures):
            out[f"{at}.m{j}.name"] = m.name
            out[f"{at}.m{j}.kind"] = m.kind
            out[f"{at}.m{j}.description"] = m.description
            out[f"{at}.m{j}.target"] = say(m.target, m.target_sentence, gettext)
            out[f"{at}.m{j}.review_date"] = m.review_date.isoformat()
    return out


def _rows(fields: Mapping[str, str], at: str, letter: str) -> int:
    """How many activity (``a``) or measure (``m``) rows priority ``at`` has in ``fields``:
    up to the last row with some text (empty rows posted back are not counted again)."""
    texts = ("title", "description") if letter == "a" else ("name", "target")
    n, j = 0, 0
    while any(k.startswith(f"{at}.{letter}{j}.") for k in fields):
        j += 1
        if any(fields.get(f"{at}.{letter}{j - 1}.{t}", "").strip() for t in texts):
            n = j
    return n


def _date(value: str, path: str, found: list[Problem]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        found.append(Problem(path, "give a date (YYYY-MM-DD)"))
        return None


def _keep(text: str, base: object | None, attr: str, gettext: Any) -> Sentence | None:
    """``base``'s generated sentence for ``attr`` (``goal`` -> ``goal_sentence``) when
    ``text`` is unchanged from it in the coach's language; None when the coach edited it."""
    if base is None:
        return None
    sentence = getattr(base, f"{attr}_sentence", None)
    if sentence is None:
        return None
    if text.strip() == say(getattr(base, attr), sentence, gettext).strip():
        return cast(Sentence, sentence)
    return None


def _parse(
    fields: Mapping[str, str],
    base: DevelopmentPlan,
    competencies: Mapping[str, Competency],
    ratings: Mapping[str, tuple[float | None, float | None]],
    weights: Mapping[str, tuple[float, int]],
    gettext: Any,
) -> tuple[DevelopmentPlan | None, list[Problem]]:
    """The plan the form describes, or the problems that stop it being read (with paths
    ``plan.priorities[i].field`` as the API names them)."""
    found: list[Problem] = []
    by_key = {p.competency: p for p in base.priorities}
    priorities: list[Priority] = []
    for i in range(MAX_PRIORITIES + 1):
        at = f"p{i}"
        key = fields.get(f"{at}.competency", "").strip()
        if not key or fields.get(f"{at}.remove"):
            continue
        path = f"plan.priorities[{len(priorities)}]"
        start = _date(fields.get(f"{at}.start", ""), f"{path}.start", found)
        end = _date(fields.get(f"{at}.end", ""), f"{path}.end", found)
        status = fields.get(f"{at}.status", "not started")
        if status not in STATUSES:
            found.append(Problem(f"{path}.status", "choose a status from the list"))
            status = "not started"
        old = by_key.get(key)
        comp = competencies.get(key)
        if comp is None:
            found.append(Problem(f"{path}.competency", "choose a competency from the list"))
            continue
        activities: list[PlanActivity] = []
        for j in range(_rows(fields, at, "a")):
            row = {
                f: fields.get(f"{at}.a{j}.{f}", "").strip()
                for f in ("kind", "title", "description", "module")
            }
            if not row["title"] and not row["description"]:
                continue  # an empty row: nothing to add
            kind = row["kind"] if row["kind"] in ACTIVITY_KINDS else ""
            if not kind:
                found.append(Problem(f"{path}.activities[{len(activities)}].kind", "choose a kind"))
                kind = "on_the_job"
            olda = old.activities[j] if old and j < len(old.activities) else None
            module = (
                row["module"] if row["module"] in MODULES_BY_KEY and kind == "training" else None
            )
            ts = _keep(row["title"], olda, "title", gettext)
            ds = _keep(row["description"], olda, "description", gettext)
            activities.append(
                PlanActivity(
                    kind=kind,
                    title=english(ts) if ts else row["title"],
                    description=english(ds) if ds else row["description"],
                    module=module,
                    module_title=MODULES_BY_KEY[module].title if module else None,
                    source=olda.source if olda else "library",
                    title_sentence=ts,
                    description_sentence=ds,
                )
            )
        measures: list[PlanMeasure] = []
        for j in range(_rows(fields, at, "m")):
            row = {
                f: fields.get(f"{at}.m{j}.{f}", "").strip()
                for f in ("name", "kind", "description", "target", "review_date")
            }
            if not row["name"] and not row["target"]:
                continue
            mpath = f"{path}.measures[{len(measures)}]"
            if not row["name"]:
                found.append(Problem(f"{mpath}.name", "must not be empty"))
            review = _date(row["review_date"], f"{mpath}.review_date", found)
            oldm = next((m for m in old.measures if m.name == row["name"]), None) if old else None
            target_sentence = _keep(row["target"], oldm, "target", gettext)
            if review is not None:
                measures.append(
                    PlanMeasure(
                        name=row["name"],
                        kind=row["kind"] if row["kind"] in MEASURE_KINDS else "kpi",
                        description=row["description"],
                        target=english(target_sentence) if target_sentence else row["target"],
                        review_date=review,
                        target_sentence=target_sentence,
                    )
                )
        goal_text = fields.get(f"{at}.goal", "").strip()
        goal_sentence = _keep(goal_text, old, "goal", gettext)
        if start is None or end is None:
            continue
        if old is not None:
            figures = {
                f.name: getattr(old, f.name)
                for f in dataclasses.fields(Priority)
                if f.name
                in (
                    "rank",
                    "need",
                    "required_level",
                    "weight",
                    "others_mean",
                    "self_mean",
                    "shortfall",
                    "overrating",
                )
            }
        else:
            others, self_ = ratings.get(key, (None, None))
            weight, level = weights.get(key, (1.0, MAX_LEVEL))
            shortfall = max(0.0, level - others) if others is not None else 0.0
            overrating = (
                max(0.0, self_ - others) if others is not None and self_ is not None else 0.0
            )
            figures = {
                "rank": 0,
                "need": round(weight * (shortfall + BLIND_SPOT_WEIGHT * overrating), 4),
                "required_level": level,
                "weight": weight,
                "others_mean": others if others is not None else 0.0,
                "self_mean": self_,
                "shortfall": round(shortfall, 4),
                "overrating": round(overrating, 4),
            }
        scheduled = module_of(comp)
        priorities.append(
            Priority(
                competency=key,
                name=localized(comp, base.lang).name,
                module=scheduled.key if scheduled else None,
                module_title=scheduled.title if scheduled else None,
                goal=english(goal_sentence) if goal_sentence else goal_text,
                goal_sentence=goal_sentence,
                activities=tuple(activities),
                measures=tuple(measures),
                start=start,
                end=end,
                status=status,  # type: ignore[arg-type]
                **figures,
            )
        )
    if found:
        return None, found
    chosen = rerank(tuple(priorities))
    plan = dataclasses.replace(
        base,
        priorities=chosen,
        start=min((p.start for p in chosen), default=base.start),
        end=max((p.end for p in chosen), default=base.start),
    )
    return plan, []


# --- the view ------------------------------------------------------------------------------


def _label(path: str, gettext: Any) -> str:
    """A problem's path as the coach reads it: "Priority 2 · Activity 1 · Title"."""
    parts = []
    for piece in path.removeprefix("plan.").split("."):
        name, _, index = piece.partition("[")
        number = int(index.rstrip("]")) + 1 if index else None
        if name == "priorities" and number:
            parts.append(gettext("Priority %(n)s") % {"n": number})
        elif name == "activities" and number:
            parts.append(gettext("Activity %(n)s") % {"n": number})
        elif name == "measures" and number:
            parts.append(gettext("Measure %(n)s") % {"n": number})
        else:
            parts.append(gettext(FIELD_LABELS.get(name, name)))
    return " · ".join(parts)


def _field_id(path: str) -> str:
    """The form control a problem's path points at (``p0.a1.title``)."""
    out = []
    for piece in path.removeprefix("plan.").split("."):
        name, _, index = piece.partition("[")
        i = index.rstrip("]")
        if name == "priorities" and i:
            out.append(f"p{i}")
        elif name == "activities" and i:
            out.append(f"a{i}")
        elif name == "measures" and i:
            out.append(f"m{i}")
        else:
            out.append(name)
    return ".".join(out)


async def _editor(
    request: Request[Any, Any, Any],
    plan_service: Any,
    user: User,
    review_id: int,
    subject_id: int,
    *,
    fields: Mapping[str, str] | None = None,
    errors: list[Problem] | None = None,
    stale: int | None = None,
    saved_version: int | None = None,
    status: int = 200,
) -> Template:
    lang = staff_language(request)
    gettext = translations(lang).gettext
    row, subject, saved = await plan_service.current(user, review_id, subject_id, lang)
    role, comps = await plans.role_library(row["role"])
    by_key = {c.key: c for c in comps}
    develop = [
        (r.competency, localized(by_key[r.competency], lang).name)
        for r in role.competencies
        if by_key[r.competency].develop
    ]
    plan: DevelopmentPlan = saved.plan
    values = dict(fields) if fields is not None else _fields(plan, gettext)
    slots = []
    for i in range(MAX_PRIORITIES):
        at = f"p{i}"
        slots.append(
            {
                "at": at,
                "activities": _rows(values, at, "a") + EXTRA_ROWS,
                "measures": _rows(values, at, "m") + EXTRA_ROWS,
            }
        )
    by_need = sorted(plan.priorities, key=lambda p: (p.rank or 99, -p.need))
    windows: dict[tuple[datetime.date, datetime.date], int] = {}
    for p in plan.priorities:
        windows.setdefault((p.start, p.end), len(windows) + 1)
    return Template(
        "idp_edit.html",
        context=await page_context(
            request,
            review=row,
            subject=subject,
            saved=saved,
            plan=plan,
            by_need=by_need,
            windows={p.competency: windows[(p.start, p.end)] for p in plan.priorities},
            values=values,
            slots=slots,
            develop=develop,
            # competency names in the page's language (a plan keeps the names of its day)
            names={c.key: localized(c, lang).name for c in comps},
            statuses=STATUSES,
            activity_kinds=ACTIVITY_KINDS,
            measure_kinds=[(k, MEASURE_LABELS[k]) for k in MEASURE_KINDS],
            errors=[
                {"label": _label(e.path, gettext), "id": _field_id(e.path), "message": e.message}
                for e in errors or []
            ],
            error_ids={_field_id(e.path) for e in errors or []},
            stale=stale,
            saved_version=saved_version,
            versions=await plan_service.versions(user, review_id, subject_id),
            rule=say(plan.rule, plan.rule_sentence, gettext),
            notes=[say(n.note, n.note_sentence, gettext) for n in plan.manager_notes],
            base=_path(review_id, subject_id),
        ),
        status_code=status,
        media_type="text/html",  # also when the POST handler (a redirect or this) answers
    )


@get(
    "/app/reviews/{review_id:int}/subjects/{subject_id:int}/idp",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def plan_page(
    request: Request[Any, Any, Any],
    plan_service: Plans,
    user: CurrentUser,
    review_id: PathId,
    subject_id: PathId,
    saved: Annotated[int | None, QueryParameter(description="version just saved")] = None,
) -> Template:
    return await _editor(request, plan_service, user, review_id, subject_id, saved_version=saved)


@post(
    "/app/reviews/{review_id:int}/subjects/{subject_id:int}/idp",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def plan_save(
    request: Request[Any, Any, Any],
    plan_service: Plans,
    user: CurrentUser,
    review_id: PathId,
    subject_id: PathId,
) -> Any:
    lang = staff_language(request)
    gettext = translations(lang).gettext
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if k != "_csrf_token"}
    try:
        version = int(fields.get("version", ""))
    except ValueError:
        return await _editor(
            request,
            plan_service,
            user,
            review_id,
            subject_id,
            fields=fields,
            errors=[Problem("version", "missing: reload the plan")],
            status=422,
        )
    row, _, saved = await plan_service.current(user, review_id, subject_id, lang)
    if version != saved.version:
        # someone saved meanwhile: nothing stored, the coach's text kept on the page
        return await _editor(
            request,
            plan_service,
            user,
            review_id,
            subject_id,
            fields=fields,
            stale=saved.version,
            status=409,
        )
    role, comps = await plans.role_library(row["role"])
    weights = {r.competency: (float(r.weight), int(r.required_level)) for r in role.competencies}
    plan, found = _parse(
        fields,
        saved.plan,
        {c.key: c for c in comps},
        await plan_service.ratings(review_id, subject_id),
        weights,
        gettext,
    )
    if plan is None:
        return await _editor(
            request,
            plan_service,
            user,
            review_id,
            subject_id,
            fields=fields,
            errors=found,
            status=422,
        )
    try:
        made = await plan_service.save(user, review_id, subject_id, plan, expected_version=version)
    except Invalid as err:
        return await _editor(
            request,
            plan_service,
            user,
            review_id,
            subject_id,
            fields=fields,
            errors=list(err.problems),
            status=422,
        )
    except Conflict:
        latest = await plans.latest(subject_id)
        return await _editor(
            request,
            plan_service,
            user,
            review_id,
            subject_id,
            fields=fields,
            stale=latest.version if latest else 0,
            status=409,
        )
    return Redirect(
        path=_path(review_id, subject_id),
        query_params={"saved": str(made.version)},
        status_code=303,
    )


PLAN_PAGE_HANDLERS = [plan_page, plan_save]

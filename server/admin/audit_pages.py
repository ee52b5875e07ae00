"""The audit log on a page (admins): newest first, paged, filtered by user, action and
dates (UTC days), and the filtered rows as CSV (the export is itself recorded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from assessments.competency import localized, localized_named
from assessments.errors import Problem
from reports.csv import csv_text
from server.accounts import repository as accounts
from server.admin import audit
from server.admin.audit_words import action_word, describe_detail, describe_target
from server.core.db import loads
from server.core.schemas import User
from server.library import repository as library_repo
from server.web.auth import CurrentUser, page_guard
from server.web.context import page_context, page_gettext, staff_language
from server.web.responses import csv_response

PAGE_SIZE = 50
CSV_MAX_ROWS = 100_000
ALL = 10_000


@dataclass(frozen=True)
class Filters:
    actor: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the events of that whole day (UTC)

    def query(self, **more: Any) -> str:
        values = {
            "user": self.actor,
            "action": self.action,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            **more,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def window(self) -> tuple[datetime | None, datetime | None]:
        since = datetime.combine(self.since, time(), UTC) if self.since else None
        until = (
            datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until else None
        )
        return since, until


def _filters(
    user: str | None, action: str | None, since: str | None, until: str | None, _: Any
) -> tuple[Filters, list[Problem]]:
    found: list[Problem] = []
    actor = None
    if user:
        if user.isdigit() and 0 < int(user) < 2**31:
            actor = int(user)
        else:
            found.append(Problem("user", _("choose a user from the list")))
    days: dict[str, date | None] = {"from": None, "to": None}
    for name, raw in (("from", since), ("to", until)):
        if raw:
            try:
                days[name] = date.fromisoformat(raw)
            except ValueError:
                found.append(Problem(name, _("enter a date as YYYY-MM-DD")))
    if days["from"] and days["to"] and days["from"] > days["to"]:
        found.append(Problem("to", _("the end date is before the start date")))
    return Filters(actor, action or None, days["from"], days["to"]), found


async def _current_names(lang: str) -> dict[str, str]:
    """Library records by audit target (``competency:3``), named in ``lang`` today; an
    entry about a record since deleted keeps the name it was recorded with."""
    names: dict[str, str] = {}
    for c in (await library_repo.list_competencies(limit=ALL))[0]:
        names[f"competency:{c.id}"] = localized(c, lang).name
    for r in (await library_repo.list_roles(limit=ALL, offset=0))[0]:
        names[f"role:{r.id}"] = localized_named(r, lang).name
    for a in (await library_repo.list_areas(limit=ALL, offset=0))[0]:
        names[f"area:{a.id}"] = localized_named(a, lang).name
    return names


def _row(event: dict[str, Any], _: Any, names: dict[str, str]) -> dict[str, Any]:
    at: datetime = event["at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    detail = dict(loads(event["detail"]) or {})
    name = detail.pop("name", None) if "/" not in event["target"] else None
    name = names.get(event["target"], name)
    target = describe_target(event["target"], _, name if isinstance(name, str) else None)
    return {
        "at": at.astimezone(UTC),
        "actor": event["actor"],
        "action": action_word(event["action"], _),
        "target": target.text,
        "href": target.href,
        "detail": describe_detail(event["action"], detail, _),
    }


async def _rows(
    request: Request[Any, Any, Any], filters: Filters, _: Any, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The entries ``filters`` select, in words for the page or the CSV; and their count."""
    start, end = filters.window()
    found, total = await audit.events(
        limit=limit,
        offset=offset,
        actor=filters.actor,
        action=filters.action,
        since=start,
        until=end,
    )
    names = await _current_names(staff_language(request))
    return [_row(e, _, names) for e in found], total


async def _people() -> list[User]:
    users, _ = await accounts.list_users(limit=ALL, offset=0)
    return sorted(users, key=lambda u: u.email)


async def _forbidden(request: Request[Any, Any, Any]) -> Template:
    return Template(
        "forbidden.html",
        context=await page_context(request),
        status_code=403,
        media_type="text/html",
    )


@get("/app/audit", guards=[page_guard], include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    actor: Annotated[str | None, QueryParameter(name="user", max_length=12, required=False)] = None,
    action: Annotated[str | None, QueryParameter(max_length=32, required=False)] = None,
    since: Annotated[str | None, QueryParameter(name="from", max_length=20, required=False)] = None,
    until: Annotated[str | None, QueryParameter(name="to", max_length=20, required=False)] = None,
    page: Annotated[int, QueryParameter(ge=1, le=100_000, required=False)] = 1,
) -> Template:
    if user.role != "admin":
        return await _forbidden(request)
    _ = page_gettext(request)
    filters, errors = _filters(actor, action, since, until, _)
    rows: list[dict[str, Any]] = []
    total = 0
    if not errors:
        rows, total = await _rows(
            request, filters, _, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    pages = max(1, -(-total // PAGE_SIZE))
    actions = await audit.actions()
    return Template(
        "audit.html",
        context=await page_context(
            request,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            filters=filters,
            raw={"user": actor or "", "from": since or "", "to": until or ""},
            people=await _people(),
            actions=sorted(((a, action_word(a, _)) for a in actions), key=lambda p: p[1]),
            errors=errors,
            error_paths={e.path for e in errors},
            previous=filters.query(page=page - 1) if page > 1 else None,
            following=filters.query(page=page + 1) if page < pages else None,
            export=filters.query(),
        ),
        status_code=400 if errors else 200,
        media_type="text/html",
    )


@get("/app/audit.csv", guards=[page_guard], include_in_schema=False)
async def audit_csv(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    actor: Annotated[str | None, QueryParameter(name="user", max_length=12, required=False)] = None,
    action: Annotated[str | None, QueryParameter(max_length=32, required=False)] = None,
    since: Annotated[str | None, QueryParameter(name="from", max_length=20, required=False)] = None,
    until: Annotated[str | None, QueryParameter(name="to", max_length=20, required=False)] = None,
) -> Response[Any]:
    if user.role != "admin":
        return await _forbidden(request)
    _ = page_gettext(request)
    filters, errors = _filters(actor, action, since, until, _)
    if errors:
        return Response(
            "; ".join(f"{e.path}: {e.message}" for e in errors),
            status_code=400,
            media_type="text/plain",
        )
    rows, _total = await _rows(request, filters, _, limit=CSV_MAX_ROWS, offset=0)
    text = csv_text(
        [_("Time (UTC)"), _("User"), _("Action"), _("Concerning"), _("Details")],
        (
            [
                r["at"].strftime("%Y-%m-%d %H:%M:%S"),
                r["actor"] or "",
                r["action"],
                r["target"],
                r["detail"],
            ]
            for r in rows
        ),
    )
    people = {u.id: u.email for u in await _people()}
    used = {
        "user": people.get(filters.actor, str(filters.actor)) if filters.actor else None,
        "action": filters.action,
        "from": filters.since.isoformat() if filters.since else None,
        "to": filters.until.isoformat() if filters.until else None,
    }
    await audit.record(
        user.id,
        "exported",
        "audit-log.csv",
        {"rows": len(rows), "filters": {k: v for k, v in used.items() if v}},
    )
    return csv_response(text, filename="audit-log.csv")


AUDIT_PAGE_HANDLERS = [audit_page, audit_csv]

"""Background jobs as staff ask for them: start (or reuse) a job, follow it, download its
file. The rules of who may see what are the vacancy's and the cycle's: a job is its
owner's alone, and only while the owner may still see its vacancy or cycle (anyone else,
admins included, gets the same 404 as for a job that does not exist). Every download is
recorded in the audit log as the export it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.admin import audit
from server.core.db import utcnow, write_transaction
from server.core.errors import Conflict, NotFound
from server.core.schemas import User
from server.core.vocabulary import JobStatus
from server.hiring import repository as hiring_repo
from server.jobs import repository as repo
from server.jobs.names import JobKind
from server.reviews import releases_repository
from server.reviews import repository as reviews_repo

__all__ = [
    "Download",
    "JobService",
    "NotReady",
    "Panel",
]

ACTIVE = [JobStatus.QUEUED, JobStatus.RUNNING]


class NotReady(Conflict):
    """The job's file is not there (yet, or any more)."""


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    content_type: str


def _same(row: Mapping[str, Any], params: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return all(row["params"].get(k) == params.get(k) for k in keys)


async def _start(
    user: User,
    kind: JobKind,
    params: dict[str, Any],
    keys: tuple[str, ...],
    *,
    reuse_done: bool,
) -> dict[str, Any]:
    """The user's job of ``kind`` with the same ``params`` (on ``keys``) that is queued or
    running (or, with ``reuse_done``, done and not expired); else a new one."""
    async with write_transaction():  # on SQLite two clicks at once queue one job
        statuses = [*ACTIVE, JobStatus.DONE] if reuse_done else ACTIVE
        for row in await repo.latest(user.id, kind, statuses=statuses):
            if _same(row, params, keys):
                return row
        ident = await repo.enqueue(kind, user.id, params)
    found = await repo.get(ident)
    assert found is not None
    return found


async def start_vacancy_report(user: User, campaign_id: int, lang: str) -> dict[str, Any]:
    """Print a vacancy's ranked report in the background.

    A job still queued or running for the same vacancy and language is reused; a finished
    one is not (candidates may have submitted since: the report is read when it runs).
    """
    await hiring_repo.get_campaign(campaign_id, user)
    return await _start(
        user,
        JobKind.VACANCY_PDF,
        {"campaign": campaign_id, "lang": lang},
        ("campaign", "lang"),
        reuse_done=False,
    )


async def start_cycle_reports(user: User, review_id: int, lang: str) -> dict[str, Any]:
    """Print every released 360 report of a cycle into one ZIP in the background.

    Released reports never change, so a finished ZIP of the same release and language is
    reused until it expires; a new release makes a new one.
    """
    await reviews_repo.get_review_row(review_id, user)
    release = await releases_repository.release_row(review_id, None)
    if release is None:
        raise NotReady("No results yet: the reports exist once the cycle is closed and released")
    return await _start(
        user,
        JobKind.CYCLE_ZIP,
        {"review": review_id, "release": release["number"], "lang": lang},
        ("review", "release", "lang"),
        reuse_done=True,
    )


async def _target_name(user: User, row: Mapping[str, Any]) -> str:
    """The name of the job's vacancy or cycle; 404 unless ``user`` may still see it."""
    params = row["params"]
    if row["kind"] == JobKind.VACANCY_PDF:
        return (await hiring_repo.get_campaign(int(params["campaign"]), user)).name
    if row["kind"] == JobKind.CYCLE_ZIP:
        return str((await reviews_repo.get_review_row(int(params["review"]), user))["name"])
    return ""


async def job(user: User, ident: int) -> dict[str, Any]:
    """The user's own job (404 for anyone else's, and once it has expired), with the name
    of its vacancy or cycle as ``target_name``."""
    row = await repo.get(ident)
    if (
        row is None
        or row["owner"] != user.id
        or (row["expires_at"] is not None and row["expires_at"] <= utcnow())
    ):
        raise NotFound.of("job", ident)
    try:
        row["target_name"] = await _target_name(user, row)
    except NotFound:
        raise NotFound.of("job", ident) from None
    return row


async def download(user: User, ident: int) -> Download:
    """The job's file (409 while it is not done); recorded in the audit log as an export
    of each report it holds."""
    row = await job(user, ident)
    if row["status"] != JobStatus.DONE:
        raise NotReady(f"The file is not ready: the job is {row['status']}")
    found = await repo.result(ident)
    if found is None or found["result"] is None:
        raise NotFound.of("job", ident)
    params = row["params"]
    if row["kind"] == JobKind.VACANCY_PDF:
        await audit.record(user.id, "exported", f"campaign:{params['campaign']}/report.pdf")
    elif row["kind"] == JobKind.CYCLE_ZIP:
        for sid in params.get("subjects", []):
            await audit.record(
                user.id,
                "exported",
                f"review:{params['review']}/subject:{sid}/report.pdf",
                {"file": found["filename"]},
            )
    return Download(bytes(found["result"]), found["filename"], found["content_type"])


async def recent(user: User, kind: JobKind, key: str, ident: int) -> list[dict[str, Any]]:
    """The user's jobs of ``kind`` about one vacancy or cycle (``params[key] == ident``)
    that have not expired, newest first (for the vacancy and cycle pages)."""
    return [r for r in await repo.latest(user.id, kind, limit=50) if r["params"].get(key) == ident][
        :3
    ]


@dataclass(frozen=True)
class Panel:
    """What the vacancy or cycle page shows of its report jobs."""

    offered: bool  # the page offers to start a job
    recent: list[dict[str, Any]]  # the viewer's jobs about this vacancy or cycle


async def vacancy_panel(user: User, submitted: int, campaign_id: int, above: int) -> Panel:
    """The job is offered for a vacancy with more than ``above`` submitted candidates (the
    ``REPORT_JOB_ABOVE`` setting): smaller ones print their PDF inside the request (a few
    seconds at most), larger ones would hold it for up to a quarter of a minute."""
    return Panel(
        offered=submitted > above,
        recent=await recent(user, JobKind.VACANCY_PDF, "campaign", campaign_id),
    )


async def cycle_panel(user: User, review_id: int, released: bool) -> Panel:
    """Every released cycle offers the ZIP of its reports."""
    return Panel(
        offered=released, recent=await recent(user, JobKind.CYCLE_ZIP, "review", review_id)
    )


class JobService:
    """The jobs slice as handlers receive it (``job_service`` in a handler's parameters)."""

    start_vacancy_report = staticmethod(start_vacancy_report)
    start_cycle_reports = staticmethod(start_cycle_reports)
    job = staticmethod(job)
    download = staticmethod(download)
    recent = staticmethod(recent)
    vacancy_panel = staticmethod(vacancy_panel)
    cycle_panel = staticmethod(cycle_panel)

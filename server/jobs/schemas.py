"""Response bodies of background jobs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from msgspec import Struct

__all__ = ["Job", "job_out"]


class Job(Struct, kw_only=True):
    """A background job: what it makes, how far it got, where its file is once done."""

    id: int
    kind: Literal["vacancy_report_pdf", "cycle_reports_zip"]
    status: Literal["queued", "running", "done", "failed"]
    done: int  # steps (vacancy PDF) or people (cycle ZIP) done, of ``total``
    total: int  # 0 until the job has started
    campaign_id: int | None = None
    review_id: int | None = None
    release: int | None = None
    lang: str
    error: str = ""  # why it failed (English; the job page says it in the reader's language)
    filename: str = ""
    content_type: str = ""
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None  # the file (or the error) is deleted then
    page: str  # the staff page that follows this job
    download: str | None = None  # the file, once done


def job_out(row: Mapping[str, Any]) -> Job:
    params = row["params"]
    done = row["status"] == "done"
    return Job(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        done=row["done"],
        total=row["total"],
        campaign_id=params.get("campaign"),
        review_id=params.get("review"),
        release=params.get("release"),
        lang=params.get("lang", "en"),
        error=row["error"],
        filename=row["filename"] if done else "",
        content_type=row["content_type"] if done else "",
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        expires_at=row["expires_at"],
        page=f"/app/jobs/{row['id']}",
        download=f"/api/v1/jobs/{row['id']}/download" if done else None,
    )

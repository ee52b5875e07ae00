"""Staff pages of background jobs: start one from the vacancy or cycle page (POST, then a
redirect to the job's page), follow it, download its file.

The job page works without JavaScript (it shows the state when loaded, and a link to load
it again); ``/static/jobs.js`` polls ``GET /api/v1/jobs/{id}``, moves the progress bar and
reloads the page's status part when the state changes.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from server.core.vocabulary import JobStatus
from server.jobs.dependencies import Jobs
from server.jobs.kinds import STEPS
from server.jobs.names import JobKind
from server.jobs.service import NotReady
from server.web.auth import CurrentUser, page_coaching_guard, page_guard, page_hiring_guard
from server.web.context import page_context, staff_language
from server.web.params import PathId
from server.web.responses import file_response

__all__ = ["JOB_PAGE_HANDLERS"]


@post(
    "/app/campaigns/{campaign_id:int}/report-jobs",
    guards=[page_hiring_guard],
    include_in_schema=False,
)
async def start_vacancy_report(
    request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, campaign_id: PathId
) -> Redirect:
    row = await job_service.start_vacancy_report(user, campaign_id, staff_language(request))
    return Redirect(path=f"/app/jobs/{row['id']}")


@post(
    "/app/reviews/{review_id:int}/report-jobs",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def start_cycle_reports(
    request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, review_id: PathId
) -> Redirect:
    row = await job_service.start_cycle_reports(user, review_id, staff_language(request))
    return Redirect(path=f"/app/jobs/{row['id']}")


@get("/app/jobs/{job_id:int}", guards=[page_guard], include_in_schema=False)
async def job_page(
    request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, job_id: PathId
) -> Template:
    row = await job_service.job(user, job_id)
    params = row["params"]
    vacancy = row["kind"] == JobKind.VACANCY_PDF
    back = (
        f"/app/campaigns/{params.get('campaign')}"
        if vacancy
        else f"/app/reviews/{params.get('review')}"
    )
    return Template(
        "jobs/job.html",
        context=await page_context(
            request,
            job=row,
            vacancy=vacancy,
            back=back,
            step=STEPS.get(row["done"], "") if vacancy else "",
            active=row["status"] in (JobStatus.QUEUED, JobStatus.RUNNING),
        ),
        media_type="text/html",
    )


@get("/app/jobs/{job_id:int}/download", guards=[page_guard], include_in_schema=False)
async def job_download(
    request: Request[Any, Any, Any], job_service: Jobs, user: CurrentUser, job_id: PathId
) -> Response[Any]:
    try:
        found = await job_service.download(user, job_id)
    except NotReady:  # not done yet: the job's page says how far it got
        return Redirect(path=f"/app/jobs/{job_id}")
    return file_response(found.data, filename=found.filename, media_type=found.content_type)


JOB_PAGE_HANDLERS = [start_vacancy_report, start_cycle_reports, job_page, job_download]

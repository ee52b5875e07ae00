"""The jobs' API and pages with their service, as one router for ``server.app``."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from server.jobs.api import JobController
from server.jobs.dependencies import provide_job_service
from server.jobs.pages import JOB_PAGE_HANDLERS

__all__ = ["JOBS_ROUTER"]

JOBS_ROUTER = Router(
    path="/",
    route_handlers=[JobController, *JOB_PAGE_HANDLERS],
    dependencies={"job_service": Provide(provide_job_service, sync_to_thread=False)},
)

"""The jobs slice's service as handlers receive it: ``job_service: Jobs`` in a handler's
parameters, provided by the jobs router (:data:`server.jobs.api.JOBS_ROUTER`)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.jobs.service import JobService

__all__ = ["Jobs", "provide_job_service"]

Jobs = NamedDependency[JobService]


def provide_job_service() -> JobService:
    return JobService()

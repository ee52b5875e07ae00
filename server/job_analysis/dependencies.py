"""The job-analysis slice's service as handlers receive it: ``job_analysis_service: Studies``
in a handler's parameters, provided by ``server.app`` (one instance per request)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.job_analysis.service import StudyService

__all__ = ["Studies", "provide_job_analysis_service"]

Studies = NamedDependency[StudyService]


def provide_job_analysis_service() -> StudyService:
    return StudyService()

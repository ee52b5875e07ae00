"""The kinds of background job, and how long their files are kept (no imports of the
kinds' machinery, so the service can name them)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

__all__ = ["KEEP", "JobKind"]

KEEP = timedelta(hours=24)
"""How long a finished job (its file, or its error) is kept."""


class JobKind(StrEnum):
    """What a job makes (``background_job.kind``)."""

    VACANCY_PDF = "vacancy_report_pdf"
    CYCLE_ZIP = "cycle_reports_zip"

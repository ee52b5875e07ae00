"""A person's released 360 report as a document (no HTTP): the view model in the reader's
language, from the figures frozen at release.

Used by the report route (``server.reviews.api``) and by the background job that prints
every report of a cycle into one ZIP (``server.jobs.kinds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from assessments.survey360.forms import SubjectResult
from reports.review360 import SubjectView, subject_html, subject_view
from server.reviews.releases import Released
from server.reviews.results import report_labels
from server.web.catalogues import translations

__all__ = ["html", "stamp", "view"]


def stamp(at: datetime) -> str:
    """A release's time as the reports print it."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


async def view(
    review_row: Mapping[str, Any],
    subject_name: str,
    result: SubjectResult,
    released: Released,
    lang: str,
) -> SubjectView:
    """The report's view model in ``lang`` (labels of the cycle's survey and role)."""
    return subject_view(
        result.report,
        result.agreement,
        await report_labels(review_row, lang),
        review=review_row["name"],
        subject=subject_name,
        generated=stamp(released.released_at),
        translations=translations(lang),
    )


def html(view: SubjectView, lang: str, *, for_print: bool = False) -> str:
    """The report as a standalone HTML page in ``lang`` (``for_print``: the source of its
    PDF)."""
    return subject_html(view, translations(lang), lang, for_print=for_print)

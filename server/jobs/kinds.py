"""What a background job makes, kind by kind (no HTTP).

- ``vacancy_report_pdf``: the ranked-report PDF of a vacancy (the same document as
  ``GET /api/v1/campaigns/{id}/report?format=pdf``). WeasyPrint has no per-page hook, so the
  job reports its four steps: data gathered, HTML built, pages laid out, PDF written.
- ``cycle_reports_zip``: the released 360 report of every person of a cycle, one PDF each
  (the same document as ``.../subjects/{sid}/report?format=pdf``), in one ZIP; one step per
  person. People without a report in the release are named in a short text file instead.

Each kind checks again, in the worker, that the job's owner may still see the vacancy or
cycle, and reads the data then (a job queued before a candidate submitted includes them).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio.to_thread

from reports.markers import N_
from reports.pdf import layout, pdf_bytes
from server.accounts import repository as accounts
from server.core.errors import NotFound
from server.core.schemas import User
from server.hiring import ranked_report
from server.hiring import repository as hiring_repo
from server.jobs.names import KEEP, JobKind
from server.jobs.repository import Claimed
from server.reviews import releases_repository, subject_report
from server.reviews import repository as reviews_repo
from server.reviews.releases import NotReleased, released_subject
from server.web.catalogues import translations

__all__ = [
    "KEEP",
    "RUNNERS",
    "STEPS",
    "JobFailed",
    "JobKind",
    "Made",
    "Step",
]

# the step a vacancy PDF is at, by steps done (shown on the job page)
STEPS: dict[int, str] = {
    0: N_("Gathering the ranking and the analysis"),
    1: N_("Building the report"),
    2: N_("Laying out the pages"),
    3: N_("Writing the PDF"),
}

GONE_VACANCY = N_("The vacancy was deleted, or you may no longer see it.")
GONE_CYCLE = N_("The 360 review was deleted, or you may no longer see it.")
GONE_USER = N_("The person who asked for this file can no longer sign in.")
NOT_RELEASED = N_("This 360 review has no released results to print.")
NOT_INCLUDED = N_(
    "No report for these people in release %(n)s: nobody had submitted a form about them."
)


class JobFailed(Exception):
    """The job cannot be done; ``reason`` is a catalogue message the job page translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Step = Callable[[int, int], Awaitable[None]]
"""``await step(done, total)``: record the progress (and keep holding the job)."""


@dataclass(frozen=True)
class Made:
    """A job's file, and what to remember about it (merged into its params)."""

    data: bytes
    filename: str
    content_type: str
    remember: dict[str, Any] = field(default_factory=dict)


async def _owner(job: Claimed) -> User:
    if job.owner is None:
        raise JobFailed(GONE_USER)
    try:
        user = await accounts.get_user(job.owner)
    except NotFound:
        raise JobFailed(GONE_USER) from None
    if not user.active:
        raise JobFailed(GONE_USER)
    return user


async def vacancy_pdf(job: Claimed, step: Step) -> Made:
    """The ranked report of ``params.campaign`` in ``params.lang``, as PDF."""
    user = await _owner(job)
    ident, lang = int(job.params["campaign"]), str(job.params.get("lang", "en"))
    try:
        campaign = await hiring_repo.get_campaign(ident, user)
    except NotFound:
        raise JobFailed(GONE_VACANCY) from None
    total = len(STEPS)
    await step(0, total)
    view = await ranked_report.ranked_report(campaign, lang)
    await step(1, total)
    # off the event loop: a thousand rows take a moment to render (the server's requests
    # share the loop with the worker that runs in the same process)
    html = await anyio.to_thread.run_sync(partial(ranked_report.render, view, lang, for_print=True))
    await step(2, total)
    document = await anyio.to_thread.run_sync(layout, html)
    await step(3, total)
    data = await anyio.to_thread.run_sync(document.write_pdf)
    return Made(data, f"hiring-report-{ident}.pdf", "application/pdf")


def _slug(name: str) -> str:
    """A person's name as part of a file name (letters, digits and dashes)."""
    return re.sub(r"[^\w]+", "-", name, flags=re.UNICODE).strip("-_")[:60] or "person"


async def cycle_zip(job: Claimed, step: Step) -> Made:
    """Every person's released 360 report of ``params.review`` (release ``params.release``)
    in ``params.lang``: one PDF each, in one ZIP."""
    user = await _owner(job)
    ident, lang = int(job.params["review"]), str(job.params.get("lang", "en"))
    try:
        row = await reviews_repo.get_review_row(ident, user)
    except NotFound:
        raise JobFailed(GONE_CYCLE) from None
    number = job.params.get("release")
    release = await releases_repository.release_row(ident, number)
    if release is None:
        raise JobFailed(NOT_RELEASED)
    subjects = await reviews_repo.list_subjects(ident)
    total = len(subjects)
    await step(0, total)
    buf = io.BytesIO()
    included: list[int] = []
    missing: list[str] = []
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, subject in enumerate(subjects, start=1):
            try:
                result, released = await released_subject(ident, subject.id, release["number"])
            except NotReleased:
                missing.append(subject.name)
            else:
                view = await subject_report.view(row, subject.name, result, released, lang)
                html = subject_report.html(view, lang, for_print=True)
                pdf = await anyio.to_thread.run_sync(pdf_bytes, html)
                archive.writestr(f"360-{ident}-{subject.id}-{_slug(subject.name)}.pdf", pdf)
                included.append(subject.id)
            await step(n, total)
        if missing:
            note = translations(lang).gettext(NOT_INCLUDED) % {"n": release["number"]}
            archive.writestr("not-included.txt", "\n".join([note, "", *missing, ""]))
    return Made(
        buf.getvalue(),
        f"360-{ident}-reports.zip",
        "application/zip",
        {"release": release["number"], "subjects": included},
    )


Runner = Callable[[Claimed, Step], Awaitable[Made]]
RUNNERS: dict[str, Runner] = {
    JobKind.VACANCY_PDF: vacancy_pdf,
    JobKind.CYCLE_ZIP: cycle_zip,
}

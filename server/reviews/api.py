"""360 review cycles: open, add subjects and raters, follow progress, remind, report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import (
    NotFoundException,
    TooManyRequestsException,
)
from litestar.params import FromPath, JSONBody, QueryParameter

from assessments.survey360.reliability import CycleReliability
from reports.review360 import (
    subject_csv,
    subject_html,
    technical_html,
    technical_view,
)
from server.admin import audit
from server.core.tokens import token_hash
from server.core.vocabulary import LANGUAGES, Language
from server.reviews import nominations, subject_report
from server.reviews import repository as repo
from server.reviews.dependencies import Reviews
from server.reviews.releases import Released
from server.reviews.schemas import (
    Nomination,
    Progress,
    Rater,
    RaterIn,
    Release,
    Reminder,
    Reminders,
    ReopenIn,
    Review,
    ReviewIn,
    ReviewPage,
    ReviewReliability,
    Subject,
    SubjectIn,
)
from server.settings import Settings
from server.web.auth import CurrentUser, coaching_guard
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.i18n import negotiate, translations
from server.web.params import Limit, Offset, PathId, ReleaseNumber, documented_as
from server.web.rate_limit import NOMINATIONS
from server.web.responses import ReportFormat, csv_response, html_response, pdf_response


class ReviewController(ApiController):
    path = "/api/v1/reviews"
    guards = [coaching_guard]
    tags = ["reviews"]

    @get("/", summary="Review cycles you run (admins: all)")
    async def list_reviews(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ReviewPage:
        items, total = await repo.list_reviews(user, limit=limit, offset=offset)
        return ReviewPage(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/",
        summary="Open a 360 cycle; the survey is built from the role's develop competencies",
        raises=[UnprocessableError, NotFoundException],
    )
    async def create_review(
        self, request: Request[Any, Any, Any], user: CurrentUser, data: JSONBody[ReviewIn]
    ) -> Review:
        ident = await repo.create_review(
            name=data.name,
            role_id=data.role_id,
            owner_id=user.id,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            threshold=data.anonymity_threshold,
            reminder_days=data.reminder_days,
            add=data.add_competencies,
            drop=data.drop_competencies,
            languages=data.languages,
        )
        return await repo.get_review(ident, user)

    @get("/{review_id:int}", summary="One cycle")
    async def get_review(
        self, request: Request[Any, Any, Any], user: CurrentUser, review_id: PathId
    ) -> Review:
        return await repo.get_review(review_id, user)

    @get("/{review_id:int}/subjects", summary="The people reviewed in the cycle")
    async def list_subjects(
        self, request: Request[Any, Any, Any], user: CurrentUser, review_id: PathId
    ) -> list[Subject]:
        await repo.get_review(review_id, user)
        return await repo.list_subjects(review_id)

    @post(
        "/{review_id:int}/subjects",
        summary="Add a person to review; e-mails their link to propose raters (nomination)",
        raises=[ConflictError],
    )
    async def add_subject(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        review_id: PathId,
        data: JSONBody[SubjectIn],
    ) -> Subject:
        await repo.get_review(review_id, user)
        return await repo.add_subject(review_id, data.name, data.email)

    @post(
        "/{review_id:int}/subjects/{subject_id:int}/raters",
        raises=[ConflictError, UnprocessableError],
        summary="Nominate a rater (self, manager, peer, direct_report, customer); e-mails the "
        "invitation and returns the link",
    )
    async def add_rater(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        data: JSONBody[RaterIn],
    ) -> Rater:
        await repo.get_review(review_id, user)
        subject = await repo.get_subject(review_id, subject_id)
        return await repo.add_rater(
            review_id,
            subject,
            name=data.name,
            email=data.email,
            group=data.group,
            language=data.language or "",
        )

    @post(
        "/{review_id:int}/subjects/{subject_id:int}/raters/{rater_id:int}/approve",
        raises=[ConflictError],
        status_code=200,
        summary="Approve a rater the subject nominated; e-mails the invitation and returns the "
        "rater's link",
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        rater_id: PathId,
    ) -> Rater:
        await repo.get_review(review_id, user)
        subject = await repo.get_subject(review_id, subject_id)
        return await repo.approve_rater(subject, rater_id)

    @get(
        "/{review_id:int}/subjects/{subject_id:int}/raters",
        summary="The raters of a subject with their status (never their answers)",
    )
    async def list_raters(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
    ) -> list[Rater]:
        await repo.get_review(review_id, user)
        await repo.get_subject(review_id, subject_id)
        return await repo.list_raters(subject_id)

    @get(
        "/{review_id:int}/subjects/{subject_id:int}/report",
        summary="The subject's 360 report as released (anonymity rules applied; JSON, HTML, "
        "PDF, CSV)",
        operation_class=documented_as("text/html", "application/pdf", "text/csv"),
        raises=[ConflictError],
        description=(
            "Exists once the cycle is closed and released (409 before): the report is "
            "computed once at release and every read returns it as stored. ?release=N gives "
            "the report in force at release N (default: the latest). groups: the groups "
            "shown (name -> n and competency figures); a group below the anonymity "
            "threshold appears only by name in suppressed_groups. agreement: ICC and rwg(J) "
            "within the shown groups. No rater's answers or identity are ever returned. "
            "HTML and PDF in ?lang= (else Accept-Language)."
        ),
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
        subject_id: PathId,
        format: Annotated[ReportFormat, QueryParameter()] = "json",
        lang: Annotated[Language | None, QueryParameter()] = None,
        release: ReleaseNumber = None,
    ) -> Response[Any]:
        row = await repo.get_review_row(review_id, user)
        subject = await repo.get_subject(review_id, subject_id)
        result, released = await review_service.released_subject(review_id, subject_id, release)
        await audit.record(
            user.id,
            "exported" if format in ("pdf", "csv") else "viewed",
            f"review:{review_id}/subject:{subject_id}/report.{format}",
        )
        if format == "json":
            return Response(
                {
                    "review": row["name"],
                    "subject": subject.name,
                    "release": released.number,
                    "released_at": released.released_at,
                    **review_service.report_dict(result),
                }
            )
        language = _language(request, lang)
        t = translations(language)
        view = await subject_report.view(row, subject.name, result, released, language)
        filename = f"360-{review_id}-{subject_id}"
        if format == "csv":
            return csv_response(subject_csv(view), filename=f"{filename}.csv")
        if format == "pdf":
            html = subject_html(view, t, language, for_print=True)
            return await pdf_response(html, filename=f"{filename}.pdf")
        return html_response(subject_html(view, t, language))

    @get(
        "/{review_id:int}/reliability",
        summary="Reliability of the cycle as released: alpha (Feldt CI), omega, lambda6 and "
        "items per competency; ICC and rwg(J) per person and shown group",
        raises=[ConflictError],
        description=(
            "Computed once when the cycle is released, from the forms the released reports "
            "count (409 before the first release; ?release=N for an earlier one). 'Cannot "
            "say' is missing data (pairwise). Only ratings some released figure shows are "
            "used, and agreement only for the groups each person's report shows."
        ),
    )
    async def reliability(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
        release: ReleaseNumber = None,
    ) -> ReviewReliability:
        row = await repo.get_review_row(review_id, user)
        out = await _reliability(review_service, row, release)
        await audit.record(user.id, "viewed", f"review:{review_id}/reliability")
        return out

    @get(
        "/{review_id:int}/technical-report",
        summary="Technical report of the cycle as released: reliability, item statistics, "
        "response counts, missing data, rater agreement (JSON, HTML, PDF)",
        operation_class=documented_as("text/html", "application/pdf"),
        raises=[ConflictError],
    )
    async def technical_report(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter()] = "json",
        lang: Annotated[Language | None, QueryParameter()] = None,
        release: ReleaseNumber = None,
    ) -> Response[Any]:
        row = await repo.get_review_row(review_id, user)
        data, released = await review_service.released_reliability(review_id, release)
        await audit.record(
            user.id,
            "exported" if format == "pdf" else "viewed",
            f"review:{review_id}/technical-report.{format}",
        )
        subjects = {s.id: s.name for s in await repo.list_subjects(review_id)}
        if format == "json":
            return Response(_reliability_out(review_id, data, released, subjects))
        language = _language(request, lang)
        t = translations(language)
        view = technical_view(
            data,
            await review_service.report_labels(row, language),
            review=row["name"],
            subjects=subjects,
            generated=_stamp(released.released_at),
            translations=t,
        )
        html = technical_html(view, t, language)
        if format == "pdf":
            return await pdf_response(html, filename=f"360-{review_id}-technical.pdf")
        return html_response(html)

    @post(
        "/{review_id:int}/close",
        status_code=200,
        summary="Close the cycle now: no more answers; results can then be released",
    )
    async def close(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
    ) -> Review:
        await repo.get_review(review_id, user)
        await review_service.close(review_id, user)
        return await repo.get_review(review_id, user)

    @post(
        "/{review_id:int}/reopen",
        status_code=200,
        raises=[UnprocessableError],
        summary="Take late answers until closes_at; released results stay as released",
        description=(
            "Late answers reach no report until the cycle is closed and released again; the "
            "next release shows them only as the anonymity rules allow across releases."
        ),
    )
    async def reopen(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
        data: JSONBody[ReopenIn],
    ) -> Review:
        await repo.get_review(review_id, user)
        await review_service.reopen(review_id, data.closes_at, user)
        return await repo.get_review(review_id, user)

    @post(
        "/{review_id:int}/releases",
        raises=[ConflictError],
        summary="Release the closed cycle's results: every report and the reliability are "
        "computed once and frozen",
        description=(
            "409 while the cycle is open, or when no form was submitted since the last "
            "release. Each person with new forms gets a new report; the others keep theirs. "
            "A later release shows late raters only in figures their own report would "
            "show (see the anonymity model in the README)."
        ),
    )
    async def release(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
    ) -> Release:
        row = await repo.get_review_row(review_id, user)
        made = await review_service.release(row, user)
        return made

    @get("/{review_id:int}/releases", summary="The cycle's releases, newest first")
    async def list_releases(
        self,
        request: Request[Any, Any, Any],
        review_service: Reviews,
        user: CurrentUser,
        review_id: PathId,
    ) -> list[Release]:
        await repo.get_review(review_id, user)
        return await review_service.list_releases(review_id)

    @get("/{review_id:int}/progress", summary="Invited / started / submitted per subject and group")
    async def progress(
        self, request: Request[Any, Any, Any], user: CurrentUser, review_id: PathId
    ) -> Progress:
        await repo.get_review(review_id, user)
        return await repo.progress(review_id)

    @post(
        "/{review_id:int}/reminders",
        status_code=200,
        summary="Remind raters who have not submitted: queue an e-mail to each, with the "
        "link they already have",
        raises=[ConflictError],
        description=(
            "Queues a reminder in the outbox for every rater who is invited or started and "
            "has not submitted; each carries the rater's own link, the same as in the "
            "invitation (no link changes, and no link reaches staff). A rater is reminded "
            "at most once a day: one already reminded today (by this call, or by the "
            "cycle's schedule: reminder_days after the cycle opens, and the day before it "
            "closes) is listed with queued false. Without SMTP_URL the reminders wait in "
            "the outbox (mail_configured false: not sent, no mail server configured). 409 "
            "once the cycle has closed."
        ),
    )
    async def remind(
        self, request: Request[Any, Any, Any], user: CurrentUser, review_id: PathId
    ) -> Reminders:
        await repo.get_review(review_id, user)
        settings: Settings = request.app.state.settings
        done = await repo.remind_raters(review_id)
        return Reminders(
            queued=len(done.queued),
            mail_configured=bool(settings.smtp_url),
            reminders=[
                Reminder(
                    rater_id=r["id"],
                    name=r["name"],
                    email=r["email"],
                    subject=subject,
                    queued=queued,
                )
                for queued, rows in ((True, done.queued), (False, done.already))
                for r, subject in rows
            ],
        )


def _language(request: Request[Any, Any, Any], lang: str | None) -> str:
    return lang or negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _reliability_out(
    review_id: int, data: CycleReliability, released: Released, subjects: dict[int, str]
) -> ReviewReliability:
    out = msgspec.convert(
        {
            "review_id": review_id,
            "release": released.number,
            "released_at": released.released_at,
            **msgspec.to_builtins(data),
        },
        ReviewReliability,
    )
    for a in out.agreement:
        a.name = subjects.get(a.subject, "")
    return out


async def _reliability(
    review_service: Reviews, row: dict[str, Any], release: int | None = None
) -> ReviewReliability:
    subjects = {s.id: s.name for s in await repo.list_subjects(row["id"])}
    data, released = await review_service.released_reliability(row["id"], release)
    return _reliability_out(row["id"], data, released, subjects)


class NominationController(ApiController):
    """The subject proposes raters from their nomination link; the coach approves them."""

    path = "/api/v1/nominate"
    tags = ["reviews"]

    @get(
        "/{token:str}",
        summary="The subject's nomination page: cycle and proposals so far",
        cache=False,
    )
    async def show(self, token: FromPath[str]) -> Nomination:
        link = await _nominating(token)
        return Nomination(
            review=link.review["name"],
            subject=link.subject.name,
            raters=[
                {"name": p.name, "group": p.group, "status": p.state}
                for p in await nominations.proposals(link)
            ],
        )

    @post(
        "/{token:str}",
        summary="Propose a rater (awaits the coach's approval)",
        raises=[ConflictError, UnprocessableError, TooManyRequestsException],
    )
    async def nominate(self, token: FromPath[str], data: JSONBody[RaterIn]) -> Rater:
        link = await _nominating(token)
        NOMINATIONS.check(token_hash(token))
        return await nominations.propose(link, data)


async def _nominating(token: str) -> nominations.Nominating:
    found = await nominations.open_link(token)
    if found is None:
        raise NotFoundException(detail="This link is not valid (unknown or no longer open)")
    return found

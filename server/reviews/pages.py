"""Staff pages for 360 cycles (coaches and admins): open, add people, follow, remind, report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from assessments.competency import localized_named
from assessments.errors import Problem
from server.admin import audit
from server.core.db import utcnow
from server.core.errors import DomainError
from server.core.schemas import User
from server.core.validation import problems
from server.core.vocabulary import ALL_LANGUAGES, GROUPS
from server.jobs import service as jobs_service
from server.library import repository as library_repo
from server.reviews import repository as repo
from server.reviews.dependencies import Reviews
from server.reviews.groups import GROUP_LABELS
from server.reviews.releases import NotReleased
from server.reviews.results import localized_form
from server.reviews.schemas import RaterIn, SubjectIn
from server.web.auth import CurrentUser, guarded_user, page_coaching_guard
from server.web.context import page_context, staff_language
from server.web.errors import status_of
from server.web.i18n import translations
from server.web.params import PathId

ALL = 10_000


@get("/app/reviews", guards=[page_coaching_guard], include_in_schema=False)
async def reviews_page(request: Request[Any, Any, Any], user: CurrentUser) -> Template:
    return await _reviews(request, user)


async def _reviews(
    request: Request[Any, Any, Any],
    user: User,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    """The list of cycles with the form to open one (and its problems, if any)."""
    items, _ = await repo.list_reviews(user, limit=ALL, offset=0)
    lang = staff_language(request)
    roles = [
        localized_named(r, lang) for r in (await library_repo.list_roles(limit=ALL, offset=0))[0]
    ]
    return Template(
        "reviews.html",
        context=await page_context(
            request,
            reviews=items,
            roles=roles,
            role_names={r.id: r.name for r in roles},
            errors=errors or [],
        ),
        status_code=status,
        media_type="text/html",
    )


@post("/app/reviews", guards=[page_coaching_guard], include_in_schema=False)
async def review_create(request: Request[Any, Any, Any], user: CurrentUser) -> Any:
    form = await request.form()
    name = str(form.get("name", "")).strip()
    try:
        role_id = int(str(form.get("role_id", "")))
    except ValueError:
        role_id = 0
    errors = (
        []
        if name
        else [Problem("name", page_translations(request).gettext("give the cycle a name"))]
    )
    if not errors:
        try:
            ident = await repo.create_review(
                name=name[:120],
                role_id=role_id,
                owner_id=user.id,
                opens_at=None,
                closes_at=None,
                threshold=3,
                reminder_days=[],
                add=(),
                drop=(),
                languages=list(ALL_LANGUAGES),
            )
            return Redirect(path=f"/app/reviews/{ident}")
        except DomainError as err:
            errors = [Problem("role_id", err.detail)]
    return await _reviews(request, user, errors, status=422)


async def _cycle(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    ident: int,
    *,
    notice: str | None = None,
    links: list[tuple[str, str]] | None = None,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    user = await guarded_user(request)
    review = await repo.get_review(ident, user)
    subjects = await repo.list_subjects(ident)
    progress = await repo.progress(ident)
    raters = {s.id: await repo.list_raters(s.id) for s in subjects}
    mail = await review_service.messages(ident)
    return Template(
        "review.html",
        context=await page_context(
            request,
            r=review,
            mail=mail,
            mail_configured=bool(request.app.state.settings.smtp_url),
            languages=review.languages,
            releases=await review_service.list_releases(ident),
            waiting=await review_service.waiting(ident),
            subjects=subjects,
            progress={p.subject_id: p for p in progress.subjects},
            raters=raters,
            groups=GROUPS,
            group_labels=GROUP_LABELS,
            notice=notice,
            links=links or [],
            errors=errors or [],
            report_jobs=await jobs_service.cycle_panel(user, ident, review.releases > 0),
        ),
        status_code=status,
        media_type="text/html",
    )


@get("/app/reviews/{review_id:int}", guards=[page_coaching_guard], include_in_schema=False)
async def review_page(
    request: Request[Any, Any, Any], review_service: Reviews, review_id: PathId
) -> Template:
    notice = None
    if "reminded" in request.query_params:  # after the reminder button (PRG)
        notice = reminder_notice(
            _count(request.query_params.get("reminded")),
            _count(request.query_params.get("today")),
            bool(request.app.state.settings.smtp_url),
            page_translations(request),
        )
    return await _cycle(request, review_service, review_id, notice=notice)


def _count(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else 0


def page_translations(request: Request[Any, Any, Any]) -> Any:
    """The staff page's catalogue (``gettext`` and ``ngettext``)."""
    return translations(staff_language(request))


def _rater_label(request: Request[Any, Any, Any], name: str, group: str) -> str:
    """ "Name (Peers)": the rater and their group in words."""
    label = GROUP_LABELS.get(group)
    return f"{name} ({page_translations(request).gettext(label) if label else group})"


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


@post(
    "/app/reviews/{review_id:int}/subjects", guards=[page_coaching_guard], include_in_schema=False
)
async def subject_add(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
) -> Template:
    await repo.get_review(review_id, user)
    form = await request.form()
    data = {"name": str(form.get("name", "")).strip(), "email": str(form.get("email", "")).strip()}
    found = problems(data, SubjectIn)
    if found:
        return await _cycle(request, review_service, review_id, errors=found, status=422)
    try:
        subject = await repo.add_subject(review_id, data["name"], data["email"])
    except DomainError as err:
        return await _cycle(
            request,
            review_service,
            review_id,
            errors=[Problem("email", err.detail)],
            status=status_of(err),
        )
    return await _cycle(
        request,
        review_service,
        review_id,
        notice=page_translations(request).gettext(
            "Added %(name)s: their link to propose raters for you to approve is e-mailed to "
            "them. The link is shown here only now, should you want to send it yourself:"
        )
        % {"name": subject.name},
        links=[(subject.name, f"{_base(request)}{subject.nomination_link}")],
    )


@post(
    "/app/reviews/{review_id:int}/subjects/{subject_id:int}/raters",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def rater_add(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
    subject_id: PathId,
) -> Template:
    await repo.get_review(review_id, user)
    subject = await repo.get_subject(review_id, subject_id)
    form = await request.form()
    data = {k: str(form.get(k, "")).strip() for k in ("name", "email", "group", "language")}
    if not data["language"]:
        del data["language"]  # the cycle's first language
    found = problems(data, RaterIn)
    if found:
        return await _cycle(request, review_service, review_id, errors=found, status=422)
    try:
        rater = await repo.add_rater(
            review_id,
            subject,
            name=data["name"],
            email=data["email"],
            group=data["group"],
            language=data.get("language", ""),
        )
    except DomainError as err:
        found = list(err.problems) or [Problem("email", err.detail)]
        return await _cycle(request, review_service, review_id, errors=found, status=status_of(err))
    return await _cycle(
        request,
        review_service,
        review_id,
        notice=page_translations(request).gettext(
            "Rater invited: the invitation is e-mailed to them with their link. The link is "
            "shown here only now, should you want to send it yourself:"
        ),
        links=[(_rater_label(request, rater.name, rater.group), f"{_base(request)}{rater.link}")],
    )


@post(
    "/app/reviews/{review_id:int}/subjects/{subject_id:int}/raters/{rater_id:int}/approve",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def rater_approve(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
    subject_id: PathId,
    rater_id: PathId,
) -> Template:
    await repo.get_review(review_id, user)
    subject = await repo.get_subject(review_id, subject_id)
    rater = await repo.approve_rater(subject, rater_id)
    return await _cycle(
        request,
        review_service,
        review_id,
        notice=page_translations(request).gettext(
            "Approved: the invitation is e-mailed to the rater with their link. The link is "
            "shown here only now, should you want to send it yourself:"
        ),
        links=[(_rater_label(request, rater.name, rater.group), f"{_base(request)}{rater.link}")],
    )


@post(
    "/app/reviews/{review_id:int}/reminders", guards=[page_coaching_guard], include_in_schema=False
)
async def reminders(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
) -> Any:
    """Queue a reminder to each rater who has not submitted (the link they already have),
    then show the cycle with what was queued."""
    await repo.get_review(review_id, user)
    try:
        done = await repo.remind_raters(review_id)
    except DomainError as err:
        return await _cycle(
            request,
            review_service,
            review_id,
            errors=[Problem("reminders", err.detail)],
            status=status_of(err),
        )
    return Redirect(
        path=f"/app/reviews/{review_id}?reminded={len(done.queued)}&today={len(done.already)}"
    )


def reminder_notice(queued: int, already: int, mail_configured: bool, catalogue: Any) -> str:
    """What the reminder button did, in words: reminders queued, raters already reminded
    today, nobody waiting; and that nothing is sent without a mail server."""
    if not queued and not already:
        return str(catalogue.gettext("Nobody is waiting: every rater has submitted."))
    parts = []
    if queued:
        parts.append(
            catalogue.ngettext(
                "A reminder to %(num)s rater who has not submitted is queued, with the link "
                "they already have.",
                "Reminders to %(num)s raters who have not submitted are queued, each with the "
                "link its rater already has.",
                queued,
            )
            % {"num": queued}
        )
    if already:
        parts.append(
            catalogue.ngettext(
                "%(num)s rater was already reminded today (one reminder a day at most).",
                "%(num)s raters were already reminded today (one reminder a day at most).",
                already,
            )
            % {"num": already}
        )
    if queued and not mail_configured:
        parts.append(
            catalogue.gettext(
                "Not sent: no mail server is configured. The messages wait in the outbox."
            )
        )
    return " ".join(parts)


@post("/app/reviews/{review_id:int}/close", guards=[page_coaching_guard], include_in_schema=False)
async def close_page(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
) -> Template:
    await repo.get_review(review_id, user)
    await review_service.close(review_id, user)
    return await _cycle(
        request,
        review_service,
        review_id,
        notice=page_translations(request).gettext(
            "The cycle is closed: no more answers are taken. Release the results when you "
            "are ready; every report is then computed once and does not change."
        ),
    )


@post("/app/reviews/{review_id:int}/release", guards=[page_coaching_guard], include_in_schema=False)
async def release_page(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
) -> Template:
    row = await repo.get_review_row(review_id, user)
    try:
        made = await review_service.release(row, user)
    except DomainError as err:
        return await _cycle(
            request,
            review_service,
            review_id,
            errors=[Problem("release", err.detail)],
            status=status_of(err),
        )
    reports = sum(s.outcome == "new report" for s in made.subjects)
    held = [s.name for s in made.subjects if s.outcome == "held"]
    t = page_translations(request)
    notice = t.ngettext(
        "Release %(number)s: %(num)s new report.",
        "Release %(number)s: %(num)s new reports.",
        reports,
    ) % {"number": made.number, "num": reports}
    if held:
        notice += " " + t.gettext("Held (an earlier form was erased): %(names)s.") % {
            "names": ", ".join(held)
        }
    return await _cycle(request, review_service, review_id, notice=notice)


@post("/app/reviews/{review_id:int}/reopen", guards=[page_coaching_guard], include_in_schema=False)
async def reopen_page(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
) -> Template:
    await repo.get_review(review_id, user)
    form = await request.form()
    raw = str(form.get("closes_at", "")).strip()
    try:
        closes_at = datetime.fromisoformat(raw)
    except ValueError:
        closes_at = None
    if closes_at is None or closes_at.replace(tzinfo=UTC) <= utcnow():
        t = page_translations(request)
        problem = (
            t.gettext("give the new closing date and time")
            if closes_at is None
            else t.gettext("must be in the future")
        )
        return await _cycle(
            request, review_service, review_id, errors=[Problem("closes_at", problem)], status=422
        )
    await review_service.reopen(review_id, closes_at.replace(tzinfo=UTC), user)
    return await _cycle(
        request,
        review_service,
        review_id,
        notice=page_translations(request).gettext(
            "The cycle takes late answers again. The released reports stay as they are until "
            "you close and release again."
        ),
    )


@get(
    "/app/reviews/{review_id:int}/subjects/{subject_id:int}",
    guards=[page_coaching_guard],
    include_in_schema=False,
)
async def report_page(
    request: Request[Any, Any, Any],
    review_service: Reviews,
    user: CurrentUser,
    review_id: PathId,
    subject_id: PathId,
) -> Template:
    row = await repo.get_review_row(review_id, user)
    subject = await repo.get_subject(review_id, subject_id)
    data: dict[str, Any] | None = None
    not_released, released_at = "", ""
    try:
        result, released = await review_service.released_subject(review_id, subject_id)
    except NotReleased as exc:
        not_released = (
            page_translations(request).gettext(
                "No results yet: this person's report appears once the cycle is closed and "
                "released (on the cycle page)."
            )
            if exc.never
            else str(exc.detail)
        )
    else:
        data = {"release": released.number, **review_service.report_dict(result)}
        released_at = released.released_at.strftime("%Y-%m-%d %H:%M UTC")
        await audit.record(user.id, "viewed", f"review:{review_id}/subject:{subject_id}/page")
    inst, names = await localized_form(repo.instrument_of(row), staff_language(request))
    texts = {s.id: s.text for s in inst.statements}
    reverse = {s.id for s in inst.statements if s.reverse}
    questions = {q.key: q.text for q in inst.questions}
    return Template(
        "review_report.html",
        context=await page_context(
            request,
            review=row,
            subject=subject,
            data=data,
            not_released=not_released,
            released_at=released_at,
            names=names,
            texts=texts,
            reverse=reverse,
            questions=questions,
            group_labels=GROUP_LABELS,
            gap="1",  # the gap the releases use (aggregate's default, 1.0 scale point)
        ),
        media_type="text/html",
    )


REVIEW_PAGE_HANDLERS = [
    reviews_page,
    review_create,
    review_page,
    subject_add,
    rater_add,
    rater_approve,
    reminders,
    close_page,
    release_page,
    reopen_page,
    report_page,
]

"""Staff pages for vacancies: list, open, settings, invite (one, several, CSV), new links,
follow and rank.

Every POST answers with a redirect (or, when refused, the page again with each problem
named by its field in the user's language). The rules are the service's
(:mod:`server.hiring.service`), the same the API enforces; this module only reads the
form into the schema's types and says the problems in words.

New links survive the redirect as a batch sealed for the staff session that issued them
(:mod:`server.hiring.issued`): the redirect carries the batch id, and only the same
session's cookie can open it, for :data:`server.hiring.issued.KEEP`.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec.inspect as mi
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from assessments.competency import localized, localized_named
from assessments.errors import Problem
from reports.markers import N_
from server.admin import audit
from server.core.errors import Conflict, DomainError, Invalid
from server.core.i18n_words import FORMAT_WORDS
from server.core.schemas import User
from server.core.validation import problems
from server.core.vocabulary import LANGUAGES
from server.hiring import repository as repo
from server.hiring.dependencies import Hiring
from server.hiring.invitations import parse_invitations, parse_lines
from server.hiring.repository import Invitation
from server.hiring.service import CLOSES_AFTER_OPENS, FORMS_LOCKED, DuplicateCandidates
from server.jobs import service as jobs_service
from server.library import repository as library_repo
from server.outbox import service as mail_service
from server.sjt.schemas import CampaignUpdate, CandidateIn, Ranking
from server.web.auth import SESSION_COOKIE, CurrentUser, guarded_user, page_hiring_guard
from server.web.context import page_context, page_gettext, staff_language
from server.web.params import PathId
from server.web.responses import csv_response

ALL = 10_000
# The omission policies (sjt_schemas.Omitted) as the staff pages name them.
OMITTED_CHOICES = {
    "lowest": N_("nothing: the lowest score of any answer (blanks never pay)"),
    "middle": N_("half of its points (untimed tests only)"),
}
METHOD_WORDS = {
    "standardized": N_("ratings compared with the key after standardising"),
    "absolute": N_("distance of each rating from the key"),
    "squared": N_("squared distance of each rating from the key"),
    "correlation": N_("correlation of the ratings with the key"),
    "most_least": N_("the key's value of the responses chosen as most and least effective"),
    "option_keys": N_("the key's value of each chosen response"),
    "rank_distance": N_("distance of the order from the key's order"),
    "spearman": N_("rank correlation with the key's order"),
}
KEY_WORDS = {
    "expert": N_("the experts' key"),
    "consensus_mean": N_("the candidates' consensus (mean)"),
    "consensus_mode": N_("the candidates' consensus (most frequent answer)"),
}
FIELD_WORDS = {
    "name": N_("Name"),
    "email": N_("E-mail"),
    "language": N_("Language"),
    "extra_time_seconds": N_("Extra minutes"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "time_limit_seconds": N_("Time limit"),
    "cut_score": N_("Cut score"),
    "languages": N_("Languages"),
    "form_ids": N_("Forms"),
    "omitted": N_("An unanswered item scores"),
    "role_id": N_("Role"),
    "file": N_("CSV file"),
    "header": N_("CSV file"),
    "body": N_("Candidates"),
    "people": N_("Several candidates"),
    "mail_invitations": N_("E-mail the invitation"),
    "reminder_days": N_("Reminder before closing (days)"),
    "mail_receipts": N_("E-mail a receipt"),
}


def _bounds(cls: type, field: str) -> tuple[Any, Any]:
    """The schema's lower and upper bound of a number field (the API's own limits)."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    t: Any = next(f.type for f in info.fields if f.name == field)
    while not hasattr(t, "ge"):
        t = (
            next(x for x in t.types if not isinstance(x, mi.NoneType))
            if hasattr(t, "types")
            else t.type
        )
    return t.ge, t.le


def _say(request: Request[Any, Any, Any], found: list[Problem]) -> list[Problem]:
    """The problems with their field and message in the page's language (a field keeps
    its key in ``path`` for the input's id; the words go in ``message``)."""
    t = page_gettext(request)
    out = []
    for p in found:
        line, _, field = p.path.rpartition(": ")
        field = field.split("[")[0]
        label = t(FIELD_WORDS.get(field, N_("Form")))
        if line.startswith("line "):
            label = t("Line %(n)s: %(field)s") % {"n": line[5:], "field": label}
        if p.message in (CLOSES_AFTER_OPENS, FORMS_LOCKED):
            message = t(p.message)
        elif field == "languages":
            code = p.message.split(":")[0]
            message = (
                t("%(language)s cannot be offered: some items of the forms have no text in it.")
                % {"language": LANGUAGES.get(code, code)}
                if code in LANGUAGES
                else t("choose at least one language")
            )
        elif field == "time_limit_seconds":
            low, high = _bounds(CampaignUpdate, field)
            message = t("whole minutes from %(low)s to %(high)s") % {
                "low": low // 60,
                "high": high // 60,
            }
        elif field == "extra_time_seconds":
            low, high = _bounds(CandidateIn, field)
            message = t("whole minutes from %(low)s to %(high)s") % {
                "low": low // 60,
                "high": high // 60,
            }
        elif field == "cut_score":
            low, high = _bounds(CampaignUpdate, field)
            message = t("a number from %(low)s to %(high)s, or empty") % {"low": low, "high": high}
        elif field == "reminder_days":
            low, high = _bounds(CampaignUpdate, field)
            message = t("whole days from %(low)s to %(high)s (0: no reminder)") % {
                "low": low,
                "high": high,
            }
        elif field in ("opens_at", "closes_at"):
            message = t("a date and time, or empty")
        elif field == "name":
            message = t("required, at most 120 characters")
        elif field == "email":
            message = t("an e-mail address such as name@example.org")
        elif field == "form_ids":
            message = t("choose one or more forms of the same response format and scoring method")
        elif field == "file":
            message = t("the CSV file must be UTF-8 text")
        elif field == "header":
            message = t("the first line must name the columns: name,email")
        elif field == "body":
            message = t("no candidates given")
        else:
            message = t("not valid")
        out.append(Problem(field, f"{label}: {message}"))
    return out


@get("/app/campaigns", guards=[page_hiring_guard], include_in_schema=False)
async def campaigns_page(request: Request[Any, Any, Any], user: CurrentUser) -> Template:
    return await _campaigns(request, user)


async def _campaigns(
    request: Request[Any, Any, Any],
    user: User,
    errors: list[Problem] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    """The list of vacancies with the form to open one (its values and problems, if any)."""
    items, _ = await repo.list_campaigns(user, limit=ALL, offset=0)
    lang = staff_language(request)
    roles = [
        localized_named(r, lang) for r in (await library_repo.list_roles(limit=ALL, offset=0))[0]
    ]
    return Template(
        "campaigns.html",
        context=await page_context(
            request,
            campaigns=items,
            roles=roles,
            role_names={r.id: r.name for r in roles},
            errors=_say(request, errors or []),
            form=form or {},
            omitted_rules=OMITTED_CHOICES,
        ),
        status_code=status,
        media_type="text/html",
    )


@post("/app/campaigns", guards=[page_hiring_guard], include_in_schema=False)
async def campaign_create(
    request: Request[Any, Any, Any], hiring_service: Hiring, user: CurrentUser
) -> Response[Any]:
    form = await request.form()
    name = str(form.get("name", "")).strip()
    errors: list[Problem] = []
    if not name:
        errors.append(Problem("name", "give the vacancy a name"))
    try:
        role_id = int(str(form.get("role_id", "")))
    except ValueError:
        role_id = 0
        errors.append(Problem("role_id", "choose a role"))
    omitted = str(form.get("omitted") or "lowest")
    if omitted not in OMITTED_CHOICES:
        errors.append(Problem("omitted", "choose one"))
    cut: float | None = None
    if form.get("cut_score"):
        try:
            cut = float(str(form.get("cut_score")))
            if not 0 <= cut <= 100:
                raise ValueError
        except ValueError:
            errors.append(Problem("cut_score", "a number from 0 to 100, or empty"))
    if not errors:
        try:
            ident = await hiring_service.open_campaign(
                name=name[:120],
                role_id=role_id,
                owner_id=user.id,
                form_ids=[],
                blueprint=None,
                opens_at=None,
                closes_at=None,
                time_limit_seconds=None,
                cut_score=cut,
                languages=None,
                key_method="expert",
                omitted=omitted,
            )
            return Redirect(path=f"/app/campaigns/{ident}", status_code=303)
        except Invalid as exc:
            errors = list(exc.problems)
        except DomainError as err:
            errors = [Problem("role_id", err.detail)]
    return await _campaigns(
        request,
        user,
        errors,
        {k: form.get(k) for k in ("name", "role_id", "cut_score", "omitted")},
        status=422,
    )


def _session_token(request: Request[Any, Any, Any]) -> str:
    return str(request.cookies.get(SESSION_COOKIE, ""))


def _local(value: datetime | None) -> str:
    """A stored (UTC) time as a ``datetime-local`` input's value."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if value else ""


async def _detail(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    ident: int,
    *,
    notice: str | None = None,
    batch: str = "",
    errors: list[Problem] | None = None,
    status: int = 200,
    passed: bool | None = None,
    complete: bool | None = None,
    settings: dict[str, Any] | None = None,
    duplicates: list[Any] | None = None,
    invite_form: dict[str, Any] | None = None,
    error_scope: str = "invite",
) -> Template:
    user = await guarded_user(request)
    campaign = await repo.get_campaign(ident, user)
    lang = staff_language(request)
    role = localized_named(await library_repo.get_role(campaign.role_id), lang)
    forms = [await repo.get_form(f) for f in campaign.form_ids]
    all_forms, _ = await repo.list_forms(limit=ALL, offset=0)
    role_forms = [f for f in all_forms if f.role_id == campaign.role_id]
    ranking: Ranking = await hiring_service.ranking(campaign)
    ranked = [
        r
        for r in ranking.ranked
        if (passed is None or r.passed == passed)
        and (complete is None or (r.completion == "complete") == complete)
    ]
    comps, _ = await library_repo.list_competencies(
        role=str(campaign.role_id), flag="select_for", limit=500
    )
    candidates, _ = await repo.list_candidates(ident, status=None, limit=ALL, offset=0)
    scores = [r.score for r in ranking.ranked if r.score is not None]
    links = await hiring_service.issued(_session_token(request), batch, ident) if batch else []
    gaps = await hiring_service.language_gaps(campaign.form_ids)
    messages = await mail_service.by_candidate(ident)
    await audit.record(user.id, "viewed", f"campaign:{ident}/ranking")
    return Template(
        "campaign.html",
        context=await page_context(
            request,
            c=campaign,
            role=role,
            forms=forms,
            role_forms=role_forms,
            ranking=ranking,
            ranked=ranked,
            competencies=[localized(c, lang) for c in comps],
            candidates=candidates,
            messages_by_candidate=messages,
            notice=notice,
            links=links,
            batch=batch if links else "",
            base_url=str(request.base_url).rstrip("/"),
            errors=_say(request, errors or []),
            passed=passed,
            complete=complete,
            histogram=_histogram(scores, wide="r x 100" in ranking.scale),
            omitted_rules=OMITTED_CHOICES,
            format_words=FORMAT_WORDS,
            method_words=METHOD_WORDS,
            key_words=KEY_WORDS,
            gaps=gaps,
            settings=settings
            or {
                "name": campaign.name,
                "opens_at": _local(campaign.opens_at),
                "closes_at": _local(campaign.closes_at),
                "minutes": campaign.time_limit_seconds // 60,
                "cut_score": "" if campaign.cut_score is None else f"{campaign.cut_score:g}",
                "languages": campaign.languages,
                "form_ids": campaign.form_ids,
                "omitted": campaign.omitted,
                "mail_invitations": campaign.mail_invitations,
                "reminder_days": str(campaign.reminder_days),
                "mail_receipts": campaign.mail_receipts,
            },
            duplicates=duplicates or [],
            invite_form=invite_form or {},
            error_scope=error_scope,
            report_jobs=await jobs_service.vacancy_panel(
                user, campaign.counts.submitted, ident, request.app.state.settings.report_job_above
            ),
        ),
        status_code=status,
        media_type="text/html",
    )


def _histogram(scores: list[float], *, wide: bool = False) -> list[tuple[str, int, int]]:
    """Counts of scores in ten bands, with bar heights in percent.

    Bands of ten points on 0-100; of twenty on -100..100 (``wide``: the r x 100 scale).
    """
    low, step = (-100, 20) if wide else (0, 10)
    counts = [0] * 10
    for s in scores:
        counts[max(0, min(9, int((s - low) // step)))] += 1
    top = max(counts) or 1
    return [
        (f"{low + step * n}–{low + step * n + step}", k, round(100 * k / top))
        for n, k in enumerate(counts)
    ]


@get("/app/campaigns/{campaign_id:int}", guards=[page_hiring_guard], include_in_schema=False)
async def campaign_page(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
    show: Annotated[
        Literal["all", "passed", "failed", "complete", "incomplete"], QueryParameter()
    ] = "all",
    changed: Annotated[Literal["scoring", "settings"] | None, QueryParameter()] = None,
    issued: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> Template:
    passed = {"passed": True, "failed": False}.get(show)
    complete = {"complete": True, "incomplete": False}.get(show)
    t = page_gettext(request)
    notice = None
    if changed == "scoring":
        campaign = await repo.get_campaign(campaign_id, user)
        notice = t("Re-ranked: an unanswered item now scores %(rule)s.") % {
            "rule": t(OMITTED_CHOICES[campaign.omitted])
        }
    elif changed == "settings":
        notice = t("Settings saved.")
    return await _detail(
        request,
        hiring_service,
        campaign_id,
        passed=passed,
        complete=complete,
        notice=notice,
        batch=issued or "",
    )


def _when(value: str) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


@post(
    "/app/campaigns/{campaign_id:int}/settings",
    guards=[page_hiring_guard],
    include_in_schema=False,
)
async def campaign_settings(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
) -> Response[Any]:
    """Change the vacancy's settings under the API's rules (:class:`CampaignUpdate` and
    ``update_campaign``); refused as a whole, each problem named by its field."""
    campaign = await repo.get_campaign(campaign_id, user)
    form = await request.form()
    given: dict[str, Any] = {
        "name": str(form.get("name", "")).strip(),
        "opens_at": str(form.get("opens_at", "")).strip(),
        "closes_at": str(form.get("closes_at", "")).strip(),
        "minutes": str(form.get("minutes", "")).strip(),
        "cut_score": str(form.get("cut_score", "")).strip(),
        "languages": [str(v) for v in form.getall("languages", [])],
        "form_ids": [int(v) for v in form.getall("form_ids", []) if str(v).isdigit()],
        "omitted": str(form.get("omitted", "")),
        "mail_invitations": form.get("mail_invitations") == "on",
        "reminder_days": str(form.get("reminder_days", "")).strip(),
        "mail_receipts": form.get("mail_receipts") == "on",
    }
    found: list[Problem] = []
    data: dict[str, Any] = {
        "name": given["name"],
        "languages": given["languages"],
        "form_ids": given["form_ids"],
        "omitted": given["omitted"],
        "mail_invitations": given["mail_invitations"],
        "mail_receipts": given["mail_receipts"],
    }
    try:
        data["reminder_days"] = int(given["reminder_days"] or "0")
    except ValueError:
        found.append(Problem("reminder_days", "not whole days"))
    clear = [k for k in ("opens_at", "closes_at", "cut_score") if not given[k]]
    for k in ("opens_at", "closes_at"):
        try:
            when = _when(given[k])
        except ValueError:
            found.append(Problem(k, "not a date"))
        else:
            if when:
                data[k] = when
    try:
        data["time_limit_seconds"] = int(given["minutes"]) * 60
    except ValueError:
        found.append(Problem("time_limit_seconds", "not whole minutes"))
    if given["cut_score"]:
        try:
            data["cut_score"] = float(given["cut_score"].replace(",", "."))
        except ValueError:
            found.append(Problem("cut_score", "not a number"))
    # the schema's checks (dates are read above: the checker does not take datetimes)
    checked = {k: v for k, v in data.items() if not isinstance(v, datetime)}
    found += [p for p in problems(checked, CampaignUpdate) if p.path not in {x.path for x in found}]
    if not found:
        try:
            await hiring_service.update_campaign(campaign, data, clear)
            return Redirect(
                path=f"/app/campaigns/{campaign_id}?changed=settings#settings-h", status_code=303
            )
        except Invalid as exc:
            found = list(exc.problems)
    return await _detail(
        request,
        hiring_service,
        campaign_id,
        status=422,
        errors=found,
        settings=given,
        error_scope="settings",
    )


@post(
    "/app/campaigns/{campaign_id:int}/scoring", guards=[page_hiring_guard], include_in_schema=False
)
async def campaign_scoring(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
) -> Response[Any]:
    """Change how unanswered items score; the ranking is recomputed under the new rule."""
    campaign = await repo.get_campaign(campaign_id, user)
    form = await request.form()
    omitted = str(form.get("omitted", ""))
    found = problems({"omitted": omitted}, CampaignUpdate)
    if not found:
        await hiring_service.update_campaign(campaign, {"omitted": omitted})
        return Redirect(path=f"/app/campaigns/{campaign_id}?changed=scoring", status_code=303)
    return await _detail(
        request, hiring_service, campaign_id, status=422, errors=found, error_scope="settings"
    )


async def _issued_redirect(
    request: Request[Any, Any, Any], hiring_service: Hiring, campaign_id: int, invited: list[Any]
) -> Redirect:
    batch = await hiring_service.keep_issued(_session_token(request), invited)
    return Redirect(path=f"/app/campaigns/{campaign_id}?issued={batch}#new-links", status_code=303)


@post(
    "/app/campaigns/{campaign_id:int}/invite", guards=[page_hiring_guard], include_in_schema=False
)
async def campaign_invite(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
) -> Response[Any]:
    """Invite one candidate, several pasted one per line, or a CSV file; then redirect to
    the vacancy showing the new links (a reload invites nobody again)."""
    campaign = await repo.get_campaign(campaign_id, user)
    form = await request.form()
    upload = form.get("file")
    people: list[Invitation] = []
    typed = {
        k: str(form.get(k, "")) for k in ("name", "email", "language", "extra_minutes", "people")
    }
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            text = (await upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            return await _detail(
                request,
                hiring_service,
                campaign_id,
                status=422,
                errors=[Problem("file", "the CSV must be UTF-8")],
            )
        people, found = parse_invitations(text)
    elif typed["people"].strip():
        people, found = parse_lines(typed["people"])
    else:
        data: dict[str, Any] = {"name": typed["name"].strip(), "email": typed["email"].strip()}
        if typed["language"]:
            data["language"] = typed["language"]
        extra = typed["extra_minutes"].strip()
        if extra and extra != "0":
            data["extra_time_seconds"] = int(extra) * 60 if extra.isdigit() else extra
        found = problems(data, CandidateIn)
        if not found:
            people = [
                Invitation(
                    data["name"],
                    data["email"],
                    data.get("language", ""),
                    data.get("extra_time_seconds", 0),
                )
            ]
    if not found:
        try:
            invited = await hiring_service.invite(campaign, people)
        except DuplicateCandidates as dup:
            return await _detail(
                request,
                hiring_service,
                campaign_id,
                status=409,
                duplicates=dup.existing,
                invite_form=typed,
            )
        return await _issued_redirect(request, hiring_service, campaign_id, invited)
    return await _detail(
        request, hiring_service, campaign_id, status=422, errors=found, invite_form=typed
    )


@post(
    "/app/campaigns/{campaign_id:int}/candidates/{candidate_id:int}/link",
    guards=[page_hiring_guard],
    include_in_schema=False,
)
async def candidate_new_link(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
    candidate_id: PathId,
) -> Response[Any]:
    """A new link for one candidate; the old link stops working at once."""
    campaign = await repo.get_campaign(campaign_id, user)
    fresh = await hiring_service.new_link(campaign, candidate_id)
    return await _issued_redirect(request, hiring_service, campaign_id, [fresh])


@get(
    "/app/campaigns/{campaign_id:int}/links.csv",
    guards=[page_hiring_guard],
    include_in_schema=False,
)
async def issued_links_csv(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
    batch: Annotated[str, QueryParameter(max_length=64)] = "",
) -> Response[bytes]:
    """The links just issued (name, e-mail, link), for the session that issued them; to
    anyone else, or once they expired, 409 (nothing says whether they existed)."""
    await repo.get_campaign(campaign_id, user)
    links = await hiring_service.issued(_session_token(request), batch, campaign_id)
    if not links:
        raise Conflict("These links are not available (any more) to this session: issue new links")
    base = str(request.base_url).rstrip("/")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "link"])
    for link in links:
        writer.writerow([_cell(link.name), link.email, f"{base}{link.link}"])
    await audit.record(
        user.id, "exported", f"campaign:{campaign_id}/links.csv", {"links": len(links)}
    )
    return csv_response(out.getvalue(), filename=f"links-{campaign_id}.csv")


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CAMPAIGN_PAGE_HANDLERS = [
    campaigns_page,
    campaign_create,
    campaign_page,
    campaign_invite,
    campaign_scoring,
    campaign_settings,
    candidate_new_link,
    issued_links_csv,
]

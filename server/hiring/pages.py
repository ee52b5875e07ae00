"""Staff pages for vacancies: list, open, invite (one or CSV), follow and rank."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from assessments.errors import Problem
from server.core.errors import DomainError, Invalid
from server.core.schemas import User
from server.core.validation import problems
from server.core.vocabulary import ALL_LANGUAGES
from server.hiring import repository as repo
from server.hiring.dependencies import Hiring
from server.hiring.invitations import parse_invitations
from server.hiring.repository import Invitation
from server.library import repository as library_repo
from server.sjt import item_stats
from server.sjt import repository as sjt_bank
from server.sjt.schemas import CandidateIn, Ranking
from server.web.auth import CurrentUser, guarded_user, page_hiring_guard
from server.web.context import page_context
from server.web.params import PathId

ALL = 10_000
# The omission policies (sjt_schemas.Omitted) as the staff pages name them.
OMITTED_CHOICES = {
    "lowest": "nothing: the lowest score of any answer (blanks never pay)",
    "middle": "half of its points (untimed tests only)",
}


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
    roles, _ = await library_repo.list_roles(limit=ALL, offset=0)
    return Template(
        "campaigns.html",
        context=await page_context(
            request,
            campaigns=items,
            roles=roles,
            role_names={r.id: r.name for r in roles},
            errors=errors or [],
            form=form or {},
            omitted_rules=OMITTED_CHOICES,
        ),
        status_code=status,
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
        errors.append(Problem("omitted", f"choose one of {', '.join(OMITTED_CHOICES)}"))
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
                languages=list(ALL_LANGUAGES),
                key_method="expert",
                omitted=omitted,
            )
            return Redirect(path=f"/app/campaigns/{ident}")
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


async def _detail(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    ident: int,
    *,
    notice: str | None = None,
    links: list[tuple[str, str]] | None = None,
    errors: list[Problem] | None = None,
    status: int = 200,
    passed: bool | None = None,
    complete: bool | None = None,
) -> Template:
    user = await guarded_user(request)
    campaign = await repo.get_campaign(ident, user)
    role = await library_repo.get_role(campaign.role_id)
    forms = [await repo.get_form(f) for f in campaign.form_ids]
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
    scores = [r.score for r in ranking.ranked if r.score is not None]
    return Template(
        "campaign.html",
        context=await page_context(
            request,
            c=campaign,
            role=role,
            forms=forms,
            ranking=ranking,
            ranked=ranked,
            competencies=comps,
            notice=notice,
            links=links or [],
            errors=errors or [],
            passed=passed,
            complete=complete,
            histogram=_histogram(scores, wide="r x 100" in ranking.scale),
            omitted_rules=OMITTED_CHOICES,
        ),
        status_code=status,
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
    changed: Annotated[Literal["scoring"] | None, QueryParameter()] = None,
) -> Template:
    passed = {"passed": True, "failed": False}.get(show)
    complete = {"complete": True, "incomplete": False}.get(show)
    notice = None
    if changed == "scoring":
        campaign = await repo.get_campaign(campaign_id, user)
        notice = f"Re-ranked: an unanswered item now scores {OMITTED_CHOICES[campaign.omitted]}."
    return await _detail(
        request, hiring_service, campaign_id, passed=passed, complete=complete, notice=notice
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
    await repo.get_campaign(campaign_id, user)
    form = await request.form()
    omitted = str(form.get("omitted", ""))
    if omitted not in OMITTED_CHOICES:
        return await _detail(
            request,
            hiring_service,
            campaign_id,
            status=422,
            errors=[Problem("omitted", f"choose one of {', '.join(OMITTED_CHOICES)}")],
        )
    await repo.update_campaign(campaign_id, {"omitted": omitted})
    return Redirect(path=f"/app/campaigns/{campaign_id}?changed=scoring", status_code=303)


@post(
    "/app/campaigns/{campaign_id:int}/invite", guards=[page_hiring_guard], include_in_schema=False
)
async def campaign_invite(
    request: Request[Any, Any, Any],
    hiring_service: Hiring,
    user: CurrentUser,
    campaign_id: PathId,
) -> Template:
    campaign = await repo.get_campaign(campaign_id, user)
    form = await request.form()
    upload = form.get("file")
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
    else:
        data: dict[str, Any] = {
            "name": str(form.get("name", "")).strip(),
            "email": str(form.get("email", "")).strip(),
        }
        if form.get("language"):
            data["language"] = form.get("language")
        if form.get("extra_minutes"):
            extra = str(form.get("extra_minutes"))
            data["extra_time_seconds"] = int(extra) * 60 if extra.isdigit() else extra
        found = problems(data, CandidateIn)
        people = (
            []
            if found
            else [
                Invitation(
                    data["name"],
                    data["email"],
                    data.get("language", ""),
                    data.get("extra_time_seconds", 0),
                )
            ]
        )
    if found:
        return await _detail(request, hiring_service, campaign_id, status=422, errors=found)
    invited = await repo.invite(campaign, people)
    base = str(request.base_url).rstrip("/")
    return await _detail(
        request,
        hiring_service,
        campaign_id,
        notice=f"Invited {len(invited)}. Each link is shown only now: copy it into the invitation.",
        links=[(c.name, f"{base}{c.link}") for c in invited],
    )


@get("/app/sjt/items", guards=[page_hiring_guard], include_in_schema=False)
async def item_bank_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    show: Annotated[Literal["all", "flagged"], QueryParameter()] = "all",
) -> Template:
    """The item bank with each item's key and how well its experts agree."""
    found, total = await sjt_bank.list_items(
        flagged=True if show == "flagged" else None, limit=ALL, offset=0
    )
    return Template(
        "items.html",
        context=await page_context(
            request,
            items=found,
            stats=await item_stats.bank_statistics(),
            total=total,
            show=show,
        ),
    )


CAMPAIGN_PAGE_HANDLERS = [
    campaigns_page,
    campaign_create,
    campaign_page,
    campaign_invite,
    campaign_scoring,
    item_bank_page,
]

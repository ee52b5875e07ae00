"""Campaigns (vacancies): create, invite candidates (one by one or from CSV), follow, rank."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from assessments.errors import Problem
from assessments.sjt.forms import Blueprint
from reports.csv import csv_cell
from server.auth import guarded_user, hiring_guard
from server.controllers.params import Limit, Offset
from server.errors import UnprocessableError
from server.repositories import campaigns as repo
from server.repositories import ranking as ranking_repo
from server.repositories.campaigns import Invitation
from server.sjt_schemas import (
    BulkInviteResult,
    Campaign,
    CampaignIn,
    CampaignPage,
    CampaignReliability,
    CampaignUpdate,
    Candidate,
    CandidateIn,
    CandidatePage,
    Ranking,
)
from server.validation import problems

MAX_CSV_ROWS = 5000


class CampaignController(Controller):
    path = "/api/v1/campaigns"
    guards = [hiring_guard]
    tags = ["campaigns"]

    @get("/", summary="Campaigns you may see (admins: all; recruiters: their own)")
    async def list_campaigns(
        self, request: Request[Any, Any, Any], limit: Limit = 50, offset: Offset = 0
    ) -> CampaignPage:
        items, total = await repo.list_campaigns(
            await guarded_user(request), limit=limit, offset=offset
        )
        return CampaignPage(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/",
        summary="Open a vacancy; without form_ids a form is built from the role",
        description=(
            "Only name and role_id are required: the default form covers each select-for "
            "competency of the role with 3 active, keyed items in the most/least format."
        ),
    )
    async def create_campaign(
        self, request: Request[Any, Any, Any], data: JSONBody[CampaignIn]
    ) -> Campaign:
        user = await guarded_user(request)
        b = data.blueprint
        blueprint = (
            Blueprint(
                items_per_competency=b.items_per_competency,
                format=b.format,
                scoring=b.scoring,
                time_limit_seconds=b.time_limit_seconds,
                forms=b.forms,
            )
            if b
            else None
        )
        ident = await repo.create_campaign(
            name=data.name,
            role_id=data.role_id,
            owner_id=user.id,
            form_ids=data.form_ids,
            blueprint=blueprint,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            time_limit_seconds=data.time_limit_seconds,
            cut_score=data.cut_score,
            languages=data.languages,
            key_method=data.key_method,
        )
        return await repo.get_campaign(ident, user)

    @get("/{campaign_id:int}", summary="One campaign with candidate counts")
    async def get_campaign(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[int]
    ) -> Campaign:
        return await repo.get_campaign(campaign_id, await guarded_user(request))

    @patch("/{campaign_id:int}", summary="Change name, dates, time limit or cut score")
    async def update_campaign(
        self,
        request: Request[Any, Any, Any],
        campaign_id: FromPath[int],
        data: JSONBody[CampaignUpdate],
    ) -> Campaign:
        user = await guarded_user(request)
        current = await repo.get_campaign(campaign_id, user)
        opens = data.opens_at or current.opens_at
        closes = data.closes_at or current.closes_at
        if opens and closes and closes <= opens:
            raise UnprocessableError([Problem("closes_at", "must be after opens_at")])
        await repo.update_campaign(
            campaign_id,
            {
                "name": data.name,
                "opens_at": data.opens_at,
                "closes_at": data.closes_at,
                "cut_score": data.cut_score,
                "time_limit_seconds": data.time_limit_seconds,
            },
        )
        return await repo.get_campaign(campaign_id, user)

    @post("/{campaign_id:int}/candidates", summary="Invite a candidate; returns the link")
    async def invite(
        self,
        request: Request[Any, Any, Any],
        campaign_id: FromPath[int],
        data: JSONBody[CandidateIn],
    ) -> Candidate:
        campaign = await repo.get_campaign(campaign_id, await guarded_user(request))
        invited = await repo.invite(
            campaign,
            [Invitation(data.name, data.email, data.language or "", data.extra_time_seconds)],
        )
        return invited[0]

    @post(
        "/{campaign_id:int}/candidates/import",
        summary="Invite candidates from CSV (columns: name, email[, language, extra_time_seconds])",
        description="All rows are checked first; if any is invalid nobody is invited.",
    )
    async def invite_csv(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[int]
    ) -> BulkInviteResult:
        campaign = await repo.get_campaign(campaign_id, await guarded_user(request))
        try:
            text = (await request.body()).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnprocessableError([Problem("body", "the CSV must be UTF-8")]) from None
        people, found = parse_invitations(text)
        if found:
            raise UnprocessableError(found, "Nobody was invited")
        return BulkInviteResult(invited=await repo.invite(campaign, people))

    @get("/{campaign_id:int}/candidates", summary="Candidates with their status")
    async def list_candidates(
        self,
        request: Request[Any, Any, Any],
        campaign_id: FromPath[int],
        status: Annotated[
            Literal["invited", "started", "submitted"] | None, QueryParameter()
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> CandidatePage:
        await repo.get_campaign(campaign_id, await guarded_user(request))
        items, total = await repo.list_candidates(
            campaign_id, status=status, limit=limit, offset=offset
        )
        return CandidatePage(items=items, total=total, limit=limit, offset=offset)

    @get(
        "/{campaign_id:int}/reliability",
        summary="Reliability per form: alpha (Feldt CI), omega, lambda6, split-half, SEM, items",
    )
    async def reliability(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[int]
    ) -> CampaignReliability:
        campaign = await repo.get_campaign(campaign_id, await guarded_user(request))
        return CampaignReliability(
            campaign_id=campaign_id, forms=await ranking_repo.reliability(campaign)
        )

    @get(
        "/{campaign_id:int}/ranking",
        summary="Submitted candidates ranked by total score; the others listed apart",
    )
    async def ranking(
        self,
        request: Request[Any, Any, Any],
        campaign_id: FromPath[int],
        passed: Annotated[
            bool | None, QueryParameter(description="Only those who passed (or failed) the cut")
        ] = None,
        min_score: Annotated[float | None, QueryParameter(ge=0, le=100)] = None,
        format: Annotated[Literal["json", "csv"], QueryParameter()] = "json",
    ) -> Response[Any]:
        campaign = await repo.get_campaign(campaign_id, await guarded_user(request))
        result = await ranking_repo.ranking(campaign)
        ranked = [
            r
            for r in result.ranked
            if (passed is None or r.passed == passed)
            and (min_score is None or (r.score is not None and r.score >= min_score))
        ]
        result = Ranking(
            **{**{f: getattr(result, f) for f in result.__struct_fields__}, "ranked": ranked}
        )
        if format == "csv":
            return Response(
                ranking_csv(result),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="ranking-{campaign_id}.csv"'
                },
            )
        return Response(result)


def parse_invitations(text: str) -> tuple[list[Invitation], list[Problem]]:
    """Rows of a CSV with a header (name, email, optional language and extra_time_seconds)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    found: list[Problem] = []
    if "name" not in header or "email" not in header:
        return [], [Problem("header", "the first line must name the columns: name,email")]
    people = []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_CSV_ROWS:
            found.append(Problem("body", f"at most {MAX_CSV_ROWS} rows"))
            break
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        data: dict[str, Any] = {"name": row.get("name", ""), "email": row.get("email", "")}
        if row.get("language"):
            data["language"] = row["language"]
        if row.get("extra_time_seconds"):
            try:
                data["extra_time_seconds"] = int(row["extra_time_seconds"])
            except ValueError:
                data["extra_time_seconds"] = row["extra_time_seconds"]
        row_problems = problems(data, CandidateIn)
        found += [Problem(f"line {n}: {p.path}", p.message) for p in row_problems]
        if not row_problems:
            people.append(
                Invitation(
                    data["name"],
                    data["email"],
                    data.get("language", ""),
                    data.get("extra_time_seconds", 0),
                )
            )
    if not people and not found:
        found.append(Problem("body", "no candidates in the file"))
    return people, found


def ranking_csv(result: Ranking) -> bytes:
    comps = sorted({k for r in result.ranked for k in r.competency_scores})
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "rank",
            "candidate_id",
            "name",
            "score",
            "percentile",
            "sten",
            "passed",
            "answered",
            *comps,
        ]
    )
    for r in result.ranked:
        w.writerow(
            [
                r.rank,
                r.candidate_id,
                csv_cell(r.name),
                "" if r.score is None else f"{r.score:.1f}",
                "" if r.percentile is None else f"{r.percentile:.1f}",
                "" if r.sten is None else r.sten,
                "" if r.passed is None else ("yes" if r.passed else "no"),
                r.answered,
                *[
                    "" if r.competency_scores.get(c) is None else f"{r.competency_scores[c]:.1f}"
                    for c in comps
                ],
            ]
        )
    return out.getvalue().encode("utf-8")

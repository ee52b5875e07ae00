"""Storage of SJT forms, campaigns (vacancies) and candidates."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count, Max, Sum

from assessments.errors import Problem
from assessments.sjt.forms import Blueprint
from assessments.sjt.items import Item
from server.core.db import loads, present, utcnow, write_transaction
from server.core.errors import Invalid, NotFound
from server.core.links import new_link
from server.core.schemas import User
from server.core.vocabulary import CandidateStatus, MessageKind
from server.library import repository as library_repo
from server.outbox import repository as outbox
from server.outbox.candidate_mail import MAIL_SETTINGS, candidate_message, mail_setting
from server.settings import get_settings
from server.sjt import repository as sjt_bank
from server.sjt.schemas import Campaign as CampaignOut
from server.sjt.schemas import Candidate as CandidateOut
from server.sjt.schemas import CandidateCounts
from server.sjt.schemas import SjtForm as FormOut
from server.tables import (
    Answer,
    Campaign,
    CampaignForm,
    Candidate,
    IssuedLink,
    Score,
    SjtForm,
    SjtFormItem,
    SjtItem,
    SjtKey,
)

# ---- forms -----------------------------------------------------------------------------


async def form_item_ids(form_id: int) -> list[int]:
    rows = (
        await SjtFormItem.select(SjtFormItem.item)
        .where(SjtFormItem.form == form_id)
        .order_by(SjtFormItem.position)
    )
    return [r["item"] for r in rows]


async def get_form(ident: int) -> FormOut:
    row = await SjtForm.select().where(SjtForm.id == ident).first()
    if row is None:
        raise NotFound.of("form", ident)
    ids = await form_item_ids(ident)
    items = await sjt_bank.items_by_id(ids)
    coverage: dict[str, int] = {}
    for i in ids:
        for c in items[i].competencies:
            coverage[c] = coverage.get(c, 0) + 1
    return FormOut(
        id=row["id"],
        name=row["name"],
        role_id=row["role"],
        format=row["format"],
        scoring=row["scoring"],
        time_limit_seconds=row["time_limit_seconds"],
        item_ids=ids,
        competencies=coverage,
        parallel_group=row["parallel_group"],
    )


async def list_forms(*, limit: int, offset: int) -> tuple[list[FormOut], int]:
    rows = await SjtForm.select(SjtForm.id).order_by(SjtForm.id).limit(limit).offset(offset)
    return [await get_form(r["id"]) for r in rows], await SjtForm.count()


async def store_forms(
    role: Any,
    forms: Sequence[Sequence[Item]],
    blueprint: Blueprint,
    *,
    method: str,
    seed: int,
    name: str = "",
) -> list[FormOut]:
    """Store assembled forms of one role (parallel forms share a group)."""
    role_id = role.id
    group = f"{role.key}-{seed}" if blueprint.forms > 1 else ""
    created = []
    async with write_transaction():
        for n, items in enumerate(forms, start=1):
            label = (name or f"{role.name} SJT")[:116]
            row = SjtForm(
                name=f"{label} {chr(64 + n)}" if blueprint.forms > 1 else label,
                role=role_id,
                format=blueprint.format,
                scoring=method,
                time_limit_seconds=blueprint.time_limit(len(items)),
                blueprint={
                    "items_per_competency": blueprint.items_per_competency,
                    "format": blueprint.format,
                    "scoring": method,
                    "forms": blueprint.forms,
                    "seed": seed,
                },
                parallel_group=group,
                created_at=utcnow(),
            )
            await row.save()
            await SjtFormItem.insert(
                *(SjtFormItem(form=row.id, item=it.id, position=p) for p, it in enumerate(items))
            )
            created.append(row.id)
    return [await get_form(i) for i in created]


# ---- campaigns -------------------------------------------------------------------------


def can_see(user: User, owner_id: int | None) -> bool:
    """Admins see every campaign; recruiters only their own."""
    return user.role == "admin" or (user.role == "recruiter" and owner_id == user.id)


async def _counts(campaign_ids: Sequence[int]) -> dict[int, CandidateCounts]:
    rows = await Candidate.select(Candidate.campaign, Candidate.status).where(
        Candidate.campaign.is_in(list(campaign_ids) or [-1])
    )
    out: dict[int, CandidateCounts] = {i: CandidateCounts() for i in campaign_ids}
    for r in rows:
        c = out[r["campaign"]]
        c.invited += 1
        if r["status"] in (CandidateStatus.STARTED, CandidateStatus.SUBMITTED):
            c.started += 1
        if r["status"] == CandidateStatus.SUBMITTED:
            c.submitted += 1
    return out


async def _campaigns(where: list[Any], limit: int | None, offset: int) -> list[CampaignOut]:
    query = Campaign.select().where(*where).order_by(Campaign.id, ascending=False)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    ids = [r["id"] for r in rows]
    forms = (
        await CampaignForm.select(CampaignForm.campaign, CampaignForm.form)
        .where(CampaignForm.campaign.is_in(ids or [-1]))
        .order_by(CampaignForm.position)
    )
    counts = await _counts(ids)
    return [
        CampaignOut(
            id=r["id"],
            name=r["name"],
            role_id=r["role"],
            owner_id=r["owner"],
            form_ids=[f["form"] for f in forms if f["campaign"] == r["id"]],
            opens_at=r["opens_at"],
            closes_at=r["closes_at"],
            time_limit_seconds=r["time_limit_seconds"],
            cut_score=r["cut_score"],
            languages=loads(r["languages"]),
            key_method=(loads(r["settings"]) or {}).get("key_method", "expert"),
            omitted=(loads(r["settings"]) or {}).get("omitted", "lowest"),
            mail_invitations=bool(mail_setting(r["settings"], "mail_invitations")),
            reminder_days=int(mail_setting(r["settings"], "reminder_days")),
            mail_receipts=bool(mail_setting(r["settings"], "mail_receipts")),
            created_at=r["created_at"],
            counts=counts[r["id"]],
        )
        for r in rows
    ]


async def all_campaigns() -> list[CampaignOut]:
    """Every campaign (for bank-wide statistics; not filtered by who may see it)."""
    return await _campaigns([], None, 0)


async def campaigns_with_items(item_ids: Collection[int]) -> list[CampaignOut]:
    """The campaigns whose forms hold any of ``item_ids`` (for those items' statistics)."""
    if not item_ids:
        return []
    forms = await SjtFormItem.select(SjtFormItem.form).where(SjtFormItem.item.is_in(list(item_ids)))
    if not forms:
        return []
    form_ids = sorted({f["form"] for f in forms})
    rows = await CampaignForm.select(CampaignForm.campaign).where(CampaignForm.form.is_in(form_ids))
    if not rows:
        return []
    return await _campaigns([Campaign.id.is_in(sorted({r["campaign"] for r in rows}))], None, 0)


async def list_campaigns(user: User, *, limit: int, offset: int) -> tuple[list[CampaignOut], int]:
    where = [] if user.role == "admin" else [Campaign.owner == user.id]
    return await _campaigns(where, limit, offset), await Campaign.count().where(*where)


async def get_campaign(ident: int, user: User) -> CampaignOut:
    """The campaign, or 404 when it does not exist *or* the user may not see it."""
    found = await _campaigns([Campaign.id == ident], 1, 0)
    if not found or not can_see(user, found[0].owner_id):
        raise NotFound.of("campaign", ident)
    return found[0]


async def check_campaign(
    *, role_id: int, form_ids: Sequence[int], opens_at: Any, closes_at: Any
) -> None:
    """Refuse a vacancy that cannot be opened (unknown role or forms, dates, mixed methods)."""
    await library_repo.get_role(role_id)
    problems = []
    for n, fid in enumerate(form_ids):
        if not await SjtForm.exists().where(SjtForm.id == fid):
            problems.append(Problem(f"form_ids[{n}]", f"unknown form {fid}"))
    if opens_at and closes_at and closes_at <= opens_at:
        problems.append(Problem("closes_at", "must be after opens_at"))
    if not problems and form_ids:
        shapes = await SjtForm.select(SjtForm.format, SjtForm.scoring).where(
            SjtForm.id.is_in(list(form_ids))
        )
        methods = sorted({f"{s['format']}/{s['scoring']}" for s in shapes})
        if len(methods) > 1:  # one ranking, one scale: parallel forms share their method
            problems.append(
                Problem(
                    "form_ids",
                    "the forms of a vacancy must share one format and scoring method; "
                    f"these use {', '.join(methods)}",
                )
            )
    if problems:
        raise Invalid(problems)


async def create_campaign(
    *,
    name: str,
    role_id: int,
    owner_id: int,
    form_ids: Sequence[int],
    opens_at: Any,
    closes_at: Any,
    time_limit_seconds: int | None,
    cut_score: float | None,
    languages: Sequence[str],
    key_method: str,
    omitted: str = "lowest",
) -> int:
    """Store a vacancy over forms already checked (:func:`check_campaign`)."""
    first = await get_form(form_ids[0])
    async with write_transaction():
        row = Campaign(
            name=name,
            role=role_id,
            owner=owner_id,
            opens_at=opens_at,
            closes_at=closes_at,
            time_limit_seconds=time_limit_seconds or first.time_limit_seconds,
            cut_score=cut_score,
            languages=list(languages),
            settings={"key_method": key_method, "omitted": omitted},
            created_at=utcnow(),
        )
        await row.save()
        await CampaignForm.insert(
            *(CampaignForm(campaign=row.id, form=f, position=n) for n, f in enumerate(form_ids))
        )
    return row.id


# kept in Campaign.settings (JSON), not in columns
SETTINGS = ("key_method", "omitted", *MAIL_SETTINGS)


async def update_campaign(ident: int, values: dict[str, Any], *, clear: Sequence[str] = ()) -> None:
    """Change the given columns and settings (``None`` leaves a value as it is, a column
    named in ``clear`` is emptied); ``form_ids`` replaces the vacancy's forms."""
    given = {k: v for k, v in values.items() if v is not None}
    form_ids = given.pop("form_ids", None)
    changes: dict[Any, Any] = {
        getattr(Campaign, k): v for k, v in given.items() if k not in SETTINGS
    }
    changes.update({getattr(Campaign, k): None for k in clear})
    if not given and not clear and form_ids is None:
        return
    async with write_transaction():
        if form_ids is not None:
            await CampaignForm.delete().where(CampaignForm.campaign == ident)
            await CampaignForm.insert(
                *(CampaignForm(campaign=ident, form=f, position=n) for n, f in enumerate(form_ids))
            )
        if any(k in SETTINGS for k in given):
            row = await Campaign.select(Campaign.settings).where(Campaign.id == ident).first()
            settings = dict(loads(row["settings"]) or {}) if row else {}
            settings.update({k: v for k, v in given.items() if k in SETTINGS})
            changes[Campaign.settings] = settings
        if changes:
            await Campaign.update(changes).where(Campaign.id == ident)


# ---- candidates ------------------------------------------------------------------------


def _candidate(r: dict[str, Any], link: str | None = None) -> CandidateOut:
    return CandidateOut(
        id=r["id"],
        campaign_id=r["campaign"],
        name=r["name"],
        email=r["email"],
        status=r["status"],
        language=r["language"],
        extra_time_seconds=r["extra_time_seconds"],
        form_id=r["form"],
        invited_at=r["invited_at"],
        started_at=r["started_at"],
        submitted_at=r["submitted_at"],
        timed_out=bool(r["timed_out"]),
        link=link,
    )


@dataclass(frozen=True)
class Invitation:
    name: str
    email: str
    language: str = ""
    extra_time_seconds: int = 0


async def invite(campaign: CampaignOut, people: Sequence[Invitation]) -> list[CandidateOut]:
    """Create candidates with their links; forms are dealt out in turn (parallel forms).

    With the vacancy's ``mail_invitations`` on, each candidate's invitation is queued in
    the same transaction (:mod:`server.outbox.candidate_mail`)."""
    out = []
    letters = []
    async with write_transaction():
        existing = await Candidate.count().where(Candidate.campaign == campaign.id)
        for n, p in enumerate(people):
            nonce, token, hashed = new_link(get_settings().secret_key, "take")
            row = Candidate(
                campaign=campaign.id,
                form=campaign.form_ids[(existing + n) % len(campaign.form_ids)],
                name=p.name,
                email=p.email.strip().lower(),
                token_hash=hashed,
                link_nonce=nonce,
                option_seed=secrets.randbits(31),
                language=p.language,
                extra_time_seconds=p.extra_time_seconds,
                status=CandidateStatus.INVITED,
                invited_at=utcnow(),
            )
            await row.save()
            out.append((row.id, f"/take/{token}"))
            letters.append(
                candidate_message(
                    MessageKind.CANDIDATE_INVITATION,
                    {
                        "id": row.id,
                        "campaign": campaign.id,
                        "name": row.name,
                        "email": row.email,
                        "language": row.language,
                    },
                    campaign.languages,
                )
            )
        if campaign.mail_invitations:
            await outbox.enqueue(letters, sender=get_settings().smtp_from)
    rows = {
        r["id"]: r
        for r in await Candidate.select().where(Candidate.id.is_in([i for i, _ in out] or [-1]))
    }
    return [_candidate(rows[i], link) for i, link in out]


async def candidates_by_email(campaign_id: int, emails: Sequence[str]) -> list[CandidateOut]:
    """The campaign's candidates whose (lower-case) e-mail is one of ``emails``."""
    rows = await Candidate.select().where(
        (Candidate.campaign == campaign_id)
        & Candidate.email.is_in([e.strip().lower() for e in emails] or [""])
    )
    return [_candidate(r) for r in rows]


async def get_candidate(campaign_id: int, candidate_id: int) -> CandidateOut:
    row = (
        await Candidate.select()
        .where((Candidate.id == candidate_id) & (Candidate.campaign == campaign_id))
        .first()
    )
    if row is None:
        raise NotFound.of("candidate", candidate_id)
    return _candidate(row)


async def replace_token(candidate_id: int) -> str:
    """A new link token for the candidate; the old one stops working at once."""
    nonce, token, hashed = new_link(get_settings().secret_key, "take")
    async with write_transaction():
        await Candidate.update({Candidate.token_hash: hashed, Candidate.link_nonce: nonce}).where(
            Candidate.id == candidate_id
        )
    return f"/take/{token}"


async def store_issued(
    session_hash: str, batch: str, sealed: Sequence[tuple[int, str]], expires_at: Any
) -> None:
    """Keep sealed links of one batch (candidate id, sealed link) until ``expires_at``;
    rows already expired are deleted on the way."""
    async with write_transaction():
        await IssuedLink.delete().where(IssuedLink.expires_at <= utcnow())
        if sealed:
            await IssuedLink.insert(
                *(
                    IssuedLink(
                        session_hash=session_hash,
                        batch=batch,
                        candidate=cid,
                        sealed=box,
                        expires_at=expires_at,
                    )
                    for cid, box in sealed
                )
            )


async def issued_rows(session_hash: str, batch: str, campaign_id: int) -> list[dict[str, Any]]:
    """The unexpired sealed links of a batch, only for the session that stored them and
    only of this campaign's candidates, with each candidate's name and e-mail."""
    rows: list[dict[str, Any]] = (
        await IssuedLink.select(
            IssuedLink.candidate,
            IssuedLink.sealed,
            IssuedLink.candidate.name.as_alias("name"),
            IssuedLink.candidate.email.as_alias("email"),
        )
        .where(
            (IssuedLink.session_hash == session_hash)
            & (IssuedLink.batch == batch)
            & (IssuedLink.candidate.campaign == campaign_id)
            & (IssuedLink.expires_at > utcnow())
        )
        .order_by(IssuedLink.id)
    )
    return rows


async def list_candidates(
    campaign_id: int, *, status: str | None, limit: int, offset: int
) -> tuple[list[CandidateOut], int]:
    where = [Candidate.campaign == campaign_id]
    if status:
        where.append(Candidate.status == status)
    rows = await Candidate.select().where(*where).order_by(Candidate.id).limit(limit).offset(offset)
    return [_candidate(r) for r in rows], await Candidate.count().where(*where)


async def form_items(form_id: int) -> list[Item]:
    ids = await form_item_ids(form_id)
    items = await sjt_bank.items_by_id(ids)
    return [items[i] for i in ids]


# --- what scoring reads and writes ----------------------------------------------------


async def campaign_candidates(campaign_id: int) -> list[dict[str, Any]]:
    """Every candidate row of a campaign, in invitation order."""
    rows: list[dict[str, Any]] = (
        await Candidate.select().where(Candidate.campaign == campaign_id).order_by(Candidate.id)
    )
    return rows


async def form_row(form_id: int) -> dict[str, Any]:
    """One stored form (name, format, scoring, time limit)."""
    return present(await SjtForm.select().where(SjtForm.id == form_id).first(), "form", form_id)


async def answers_of(candidate_ids: Sequence[int]) -> dict[int, dict[int, dict[str, Any]]]:
    """Per candidate id, their stored answers by item id."""
    rows = await Answer.select(Answer.candidate, Answer.item, Answer.payload).where(
        Answer.candidate.is_in(list(candidate_ids) or [-1])
    )
    out: dict[int, dict[int, dict[str, Any]]] = {i: {} for i in candidate_ids}
    for r in rows:
        out[r["candidate"]][r["item"]] = loads(r["payload"])
    return out


@dataclass(frozen=True)
class StoredScore:
    """One candidate's scores as stored for the record (subject access, audit)."""

    candidate_id: int
    total: float | None
    competency_scores: dict[str, float | None]
    answered: int


async def store_scores(
    rows: Sequence[StoredScore], method: str, key_versions: dict[str, int]
) -> None:
    """Store (or replace) each candidate's scores with the method and keys that produced them."""
    if not rows:
        return
    now = utcnow()
    async with write_transaction():
        await Score.insert(
            *(
                Score(
                    candidate=r.candidate_id,
                    method=method,
                    key_versions=dict(key_versions),
                    total=r.total,
                    total_scaled=r.total,
                    competency_scores=r.competency_scores,
                    answered=r.answered,
                    computed_at=now,
                )
                for r in rows
            )
        ).on_conflict(
            target=Score.candidate,
            action="DO UPDATE",
            values=[
                Score.method,
                Score.key_versions,
                Score.total,
                Score.total_scaled,
                Score.competency_scores,
                Score.answered,
                Score.computed_at,
            ],
        )


async def scoring_state(campaign: CampaignOut, version: int) -> str:
    """What a campaign's scores and analysis depend on, read cheaply from the database.

    Submitted candidates (count), their answers (count and latest save), the keys of the
    form items (latest key id), the items' versions, the forms' formats and scoring
    methods, the key method and the omission policy, and ``version`` (the analysis's shape).
    """
    submitted = (Candidate.campaign == campaign.id) & (
        Candidate.status == CandidateStatus.SUBMITTED
    )
    n_submitted = await Candidate.count().where(submitted)
    answers = present(
        await Answer.select(Count(Answer.id, alias="n"), Max(Answer.saved_at, alias="last"))
        .where(
            (Answer.candidate.campaign == campaign.id)
            & (Answer.candidate.status == CandidateStatus.SUBMITTED)
        )
        .first(),
        "answer count",
        campaign.id,
    )
    forms = await CampaignForm.select(CampaignForm.form).where(CampaignForm.campaign == campaign.id)
    form_ids = sorted(f["form"] for f in forms) or [-1]
    items = SjtFormItem.select(SjtFormItem.item).where(SjtFormItem.form.is_in(form_ids))
    key = present(
        await SjtKey.select(Max(SjtKey.id, alias="k")).where(SjtKey.item.is_in(items)).first(),
        "key count",
        campaign.id,
    )
    versions = present(
        await SjtItem.select(Sum(SjtItem.version, alias="v"))
        .where(SjtItem.id.is_in(items))
        .first(),
        "item versions",
        campaign.id,
    )
    shapes = await SjtForm.select(SjtForm.id, SjtForm.format, SjtForm.scoring).where(
        SjtForm.id.is_in(form_ids)
    )
    forms_hash = hashlib.sha256(
        json.dumps(sorted((f["id"], f["format"], f["scoring"]) for f in shapes)).encode()
    ).hexdigest()[:16]
    return (
        f"v{version} s{n_submitted} a{answers['n']} t{answers['last']} "
        f"k{key['k']} i{versions['v']} {campaign.key_method} o{campaign.omitted} f{forms_hash}"
    )

"""Building test forms: pick the role's select-for competencies, keep items whose key can
tell answers apart, avoid items the bank's statistics flag, assemble, then store."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import numpy as np

from assessments.errors import Problem
from assessments.sjt.discrimination import discriminates
from assessments.sjt.forms import Blueprint, assemble_forms
from assessments.sjt.items import Item
from assessments.sjt.languages import Missing, missing_texts
from reports.markers import N_
from server.core.db import utcnow
from server.core.errors import Conflict, Invalid
from server.core.tokens import token_hash
from server.core.vocabulary import ALL_LANGUAGES, ItemStatus
from server.hiring import issued as issued_links
from server.hiring import ranking as ranking_steps
from server.hiring import repository as campaigns_repo
from server.hiring.repository import Invitation
from server.library import repository as library_repo
from server.sjt import repository as sjt_bank
from server.sjt.item_stats import avoided_keys
from server.sjt.schemas import Campaign as CampaignOut
from server.sjt.schemas import Candidate as CandidateOut
from server.sjt.schemas import ItemKey
from server.sjt.schemas import SjtForm as FormOut

__all__ = [
    "DuplicateCandidates",
    "IssuedLink",
    "build_forms",
    "invite",
    "language_gaps",
    "new_link",
    "open_campaign",
    "update_campaign",
]

CLOSES_AFTER_OPENS = N_("must be after the opening date")
FORMS_LOCKED = N_("the forms cannot change once candidates have been invited")
NO_TEXT = N_("some items of the forms have no text in this language")


def _discriminates(item: Item, key: ItemKey | None, blueprint: Blueprint, method: str) -> bool:
    """Whether the item's key lets answers score differently under the blueprint's method.

    Items without a key (consensus keying) and items of other formats pass; an item whose
    key rates every option alike is kept out of new forms (scoring would leave it out).
    """
    if key is None or blueprint.format not in item.formats:
        return True
    eff = np.array([[key.effectiveness[k] for k in item.option_keys]])
    try:
        found = discriminates(
            eff, np.ones(eff.shape, dtype=bool), format=blueprint.format, method=method
        )
    except ValueError:  # a flat key cannot even be standardized
        return False
    return bool(found[0])


async def build_forms(
    role_id: int,
    blueprint: Blueprint,
    *,
    name: str = "",
    seed: int | None = None,
    require_keys: bool = True,
) -> list[FormOut]:
    """Assemble and store forms for the role's select-for competencies (see ``assemble_forms``)."""
    role = await library_repo.get_role(role_id)
    selected, _ = await library_repo.list_competencies(
        role=str(role_id), flag="select_for", limit=500
    )
    if not selected:
        raise Invalid(
            [Problem("role_id", f"role {role.key!r} has no select-for competency to test")]
        )
    listed, _ = await sjt_bank.list_items(status=ItemStatus.ACTIVE, limit=100_000)
    try:
        method = blueprint.scoring_method()
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise Invalid([Problem(f"blueprint.{field}", message)]) from None
    usable = [(item, key) for item, key in listed if key is not None or not require_keys]
    # exact bounds can take a while (correlation scoring enumerates rating vectors): off
    # the event loop
    keep = await anyio.to_thread.run_sync(
        lambda: [_discriminates(item, key, blueprint, method) for item, key in usable]
    )
    bank = [item for (item, _), ok in zip(usable, keep, strict=True) if ok]
    seed = seed if seed is not None else secrets.randbits(32)
    avoid = await avoided_keys({it.id: it.key for it in bank if it.id is not None})
    try:
        forms = assemble_forms(
            bank,
            [c.key for c in selected],
            blueprint,
            np.random.default_rng(seed),
            avoid=avoid,
        )
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise Invalid([Problem(f"blueprint.{field}", message)]) from None
    return await campaigns_repo.store_forms(
        role, forms, blueprint, method=method, seed=seed, name=name
    )


async def open_campaign(
    *,
    name: str,
    role_id: int,
    owner_id: int,
    form_ids: Sequence[int],
    blueprint: Blueprint | None,
    opens_at: Any,
    closes_at: Any,
    time_limit_seconds: int | None,
    cut_score: float | None,
    languages: Sequence[str] | None,
    key_method: str,
    omitted: str = "lowest",
) -> int:
    """Open a vacancy over the given forms, or over forms built for it from ``blueprint``
    when none is given (nothing is built for a request that is refused).

    ``languages`` must each have every text of every item of the forms (see
    :func:`language_gaps`); ``None`` offers every language in which they have."""
    await campaigns_repo.check_campaign(
        role_id=role_id, form_ids=form_ids, opens_at=opens_at, closes_at=closes_at
    )
    if form_ids and languages is not None:
        await check_languages(form_ids, languages)
    if not form_ids:
        forms = await build_forms(
            role_id, blueprint or Blueprint(), require_keys=key_method == "expert"
        )
        form_ids = [f.id for f in forms]
        if languages is not None:
            await check_languages(form_ids, languages)
    if languages is None:
        gaps = await language_gaps(form_ids)
        languages = [lang for lang in ALL_LANGUAGES if not gaps[lang]]
    return await campaigns_repo.create_campaign(
        name=name,
        role_id=role_id,
        owner_id=owner_id,
        form_ids=form_ids,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_seconds=time_limit_seconds,
        cut_score=cut_score,
        languages=languages,
        key_method=key_method,
        omitted=omitted,
    )


# ---- languages, settings ---------------------------------------------------------------


async def language_gaps(form_ids: Sequence[int]) -> dict[str, list[Missing]]:
    """Per language, what the items of the forms lack (English, the source, lacks nothing).

    A vacancy can offer a language only when this list is empty for it."""
    items = [it for fid in dict.fromkeys(form_ids) for it in await campaigns_repo.form_items(fid)]
    unique = list({it.key: it for it in items}.values())
    return missing_texts(unique, ALL_LANGUAGES)


async def check_languages(form_ids: Sequence[int], languages: Sequence[str]) -> None:
    """Refuse (422 naming ``languages``) a language in which an item of the forms lacks text."""
    gaps = await language_gaps(form_ids)
    lacking = [lang for lang in languages if gaps.get(lang)]
    if lacking:
        raise Invalid(
            [
                Problem(
                    "languages",
                    f"{lang}: {NO_TEXT} ({', '.join(m.item_key for m in gaps[lang])})",
                )
                for lang in lacking
            ]
        )


CLEARABLE = ("opens_at", "closes_at", "cut_score")


async def update_campaign(
    campaign: CampaignOut, changes: dict[str, Any], clear: Sequence[str] = ()
) -> None:
    """Change a vacancy's settings under the same rules as when it was opened.

    ``changes`` holds the fields to set (values already of their schema's types and
    ranges: :class:`server.sjt.schemas.CampaignUpdate`), ``clear`` the ones to empty
    (dates, cut score). Refused as a whole, naming each field: a closing date not after
    the opening date; forms unknown, of mixed methods, or changed after candidates were
    invited (their links are tied to a form); a language in which an item of the forms
    lacks text."""
    given = {k: v for k, v in changes.items() if v is not None}
    opens = None if "opens_at" in clear else given.get("opens_at", campaign.opens_at)
    closes = None if "closes_at" in clear else given.get("closes_at", campaign.closes_at)
    found: list[Problem] = []
    if opens and closes and closes <= opens:
        found.append(Problem("closes_at", CLOSES_AFTER_OPENS))
    form_ids = list(given.get("form_ids") or campaign.form_ids)
    if form_ids != list(campaign.form_ids):
        if campaign.counts.invited:
            found.append(Problem("form_ids", FORMS_LOCKED))
        else:
            try:
                await campaigns_repo.check_campaign(
                    role_id=campaign.role_id, form_ids=form_ids, opens_at=None, closes_at=None
                )
            except Invalid as exc:
                found += exc.problems
    if not found:
        try:
            await check_languages(form_ids, given.get("languages") or campaign.languages)
        except Invalid as exc:
            found += exc.problems
    if found:
        raise Invalid(found)
    await campaigns_repo.update_campaign(
        campaign.id, given, clear=[c for c in clear if c in CLEARABLE]
    )


# ---- candidates and their links --------------------------------------------------------


class DuplicateCandidates(Conflict):
    """E-mails that already have a link in this vacancy (or twice in one invitation)."""

    def __init__(self, emails: Sequence[str], existing: Sequence[CandidateOut]) -> None:
        super().__init__(
            "Already invited to this vacancy: "
            + ", ".join(emails)
            + ". Nobody was invited; issue a new link to that candidate instead",
            problems=[
                Problem("email", f"{e} already has a link in this vacancy (use a new link)")
                for e in emails
            ],
        )
        self.emails = list(emails)
        self.existing = list(existing)


async def invite(campaign: CampaignOut, people: Sequence[Invitation]) -> list[CandidateOut]:
    """Invite people, each e-mail once per vacancy (even after submitting): one already
    there, or given twice, refuses the whole invitation (409 naming ``email``)."""
    emails = [p.email.strip().lower() for p in people]
    twice = sorted({e for e in emails if emails.count(e) > 1})
    existing = await campaigns_repo.candidates_by_email(campaign.id, emails)
    if existing or twice:
        taken = sorted({c.email for c in existing} | set(twice))
        raise DuplicateCandidates(taken, existing)
    return await campaigns_repo.invite(campaign, people)


async def new_link(campaign: CampaignOut, candidate_id: int) -> CandidateOut:
    """A new link for one candidate of the campaign; the old link stops working."""
    found = await campaigns_repo.get_candidate(campaign.id, candidate_id)
    link = await campaigns_repo.replace_token(found.id)
    return CandidateOut(**{**{f: getattr(found, f) for f in found.__struct_fields__}, "link": link})


@dataclass(frozen=True)
class IssuedLink:
    candidate_id: int
    name: str
    email: str
    link: str  # the path /take/<token>


async def keep_issued(session_token: str, invited: Sequence[CandidateOut]) -> str:
    """Keep the new links sealed for this staff session (see :mod:`server.hiring.issued`);
    returns the batch id the redirect carries."""
    batch = issued_links.new_batch()
    await campaigns_repo.store_issued(
        token_hash(session_token),
        batch,
        [(c.id, issued_links.seal(session_token, c.link or "")) for c in invited],
        utcnow() + issued_links.KEEP,
    )
    return batch


async def issued(session_token: str, batch: str, campaign_id: int) -> list[IssuedLink]:
    """The links of a batch, for the session that issued them only (else empty)."""
    rows = await campaigns_repo.issued_rows(token_hash(session_token), batch, campaign_id)
    out = []
    for r in rows:
        link = issued_links.open_sealed(session_token, r["sealed"])
        if link is not None:
            out.append(IssuedLink(r["candidate"], r["name"], r["email"], link))
    return out


class HiringService:
    """The hiring slice's orchestration as controllers receive it by dependency injection
    (``hiring_service`` in a handler's parameters): forms built from the bank, vacancies
    opened, and the scoring, ranking and analysis of :mod:`server.hiring.ranking`."""

    build_forms = staticmethod(build_forms)
    open_campaign = staticmethod(open_campaign)
    update_campaign = staticmethod(update_campaign)
    language_gaps = staticmethod(language_gaps)
    invite = staticmethod(invite)
    new_link = staticmethod(new_link)
    keep_issued = staticmethod(keep_issued)
    issued = staticmethod(issued)
    ranking = staticmethod(ranking_steps.ranking)
    ranking_and_analysis = staticmethod(ranking_steps.ranking_and_analysis)
    reliability = staticmethod(ranking_steps.reliability)

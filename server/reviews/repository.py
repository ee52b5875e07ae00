"""Storage of 360 review cycles: subjects, raters (links stored hashed) and their answers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from assessments.errors import Problem
from assessments.survey360.forms import has_rating
from assessments.survey360.instrument import Instrument, build_instrument
from server.core.db import loads, present, utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.core.links import new_link
from server.core.schemas import User
from server.core.tokens import token_hash
from server.core.vocabulary import GROUPS, RaterStatus
from server.library import repository as library_repo
from server.reviews import messages
from server.reviews.schemas import GroupCounts, Progress, SubjectProgress
from server.reviews.schemas import Rater as RaterOut
from server.reviews.schemas import Review as ReviewOut
from server.reviews.schemas import Subject as SubjectOut
from server.settings import get_settings
from server.tables import (
    Rater,
    RaterAnswer,
    RaterAnswerEvent,
    Review,
    ReviewRelease,
    ReviewSubject,
)

MAX_COMMENT = 2000


def instrument_of(row: Mapping[str, Any]) -> Instrument:
    return msgspec.convert(loads(row["instrument"]), Instrument)


def can_see(user: User, owner_id: int | None) -> bool:
    """360 data is for admins and the coach who runs the cycle."""
    return user.role == "admin" or (user.role == "coach" and owner_id == user.id)


def review_state(row: Mapping[str, Any], releases: int) -> str:
    """``open``, ``closed`` (no answers taken, results not released) or ``released``."""
    closes = row["closes_at"]
    if closes is None or closes > utcnow():
        return "open"
    return "released" if releases else "closed"


async def release_counts(review_ids: Sequence[int]) -> dict[int, int]:
    """The number of releases of each cycle (absent when never released)."""
    rows = await ReviewRelease.select(ReviewRelease.review, ReviewRelease.number).where(
        ReviewRelease.review.is_in(list(review_ids) or [-1])
    )
    out: dict[int, int] = {}
    for r in rows:
        out[r["review"]] = max(out.get(r["review"], 0), r["number"])
    return out


def _review(row: Mapping[str, Any], releases: int = 0) -> ReviewOut:
    inst = instrument_of(row)
    return ReviewOut(
        id=row["id"],
        name=row["name"],
        role_id=row["role"],
        owner_id=row["owner"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        anonymity_threshold=row["anonymity_threshold"],
        reminder_days=loads(row["reminder_days"]) or [],
        languages=loads(row["languages"]) or ["en"],
        competencies=list(inst.competencies),
        statements=len(inst.statements),
        created_at=row["created_at"],
        # type-ignore reason: one of the Literal's values, computed as str
        state=review_state(row, releases),  # type: ignore[arg-type]
        releases=releases,
    )


async def create_review(
    *,
    name: str,
    role_id: int,
    owner_id: int,
    opens_at: Any,
    closes_at: Any,
    threshold: int,
    reminder_days: Sequence[int],
    add: Sequence[str],
    drop: Sequence[str],
    languages: Sequence[str],
) -> int:
    role = await library_repo.get_role(role_id)
    library = await library_repo.export_library()
    if opens_at and closes_at and closes_at <= opens_at:
        raise Invalid([Problem("closes_at", "must be after opens_at")])
    try:
        instrument = build_instrument(role, library.competencies, add=add, drop=drop)
    except ValueError as exc:
        raise Invalid([Problem("add_competencies", str(exc))]) from None
    async with write_transaction():
        row = Review(
            name=name,
            role=role_id,
            owner=owner_id,
            opens_at=opens_at,
            closes_at=closes_at,
            anonymity_threshold=threshold,
            reminder_days=list(reminder_days),
            instrument=msgspec.to_builtins(instrument),
            languages=list(languages),
            created_at=utcnow(),
        )
        await row.save()
    return row.id


async def get_review_row(ident: int, user: User) -> dict[str, Any]:
    row = await Review.select().where(Review.id == ident).first()
    if row is None or not can_see(user, row["owner"]):
        raise NotFound.of("review", ident)
    return row


async def get_review(ident: int, user: User) -> ReviewOut:
    return _review(await get_review_row(ident, user), (await release_counts([ident])).get(ident, 0))


async def list_reviews(user: User, *, limit: int, offset: int) -> tuple[list[ReviewOut], int]:
    where = [] if user.role == "admin" else [Review.owner == user.id]
    rows = (
        await Review.select()
        .where(*where)
        .order_by(Review.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    counts = await release_counts([r["id"] for r in rows])
    return [_review(r, counts.get(r["id"], 0)) for r in rows], await Review.count().where(*where)


def _subject(r: Mapping[str, Any]) -> SubjectOut:
    return SubjectOut(id=r["id"], review_id=r["review"], name=r["name"], email=r["email"])


async def add_subject(review_id: int, name: str, email: str) -> SubjectOut:
    """Add a person to review; the answer carries their nomination link (shown only now)."""
    email = email.strip().lower()
    nonce, token, hashed = new_link(get_settings().secret_key, "nominate")
    async with write_transaction():
        if await ReviewSubject.exists().where(
            (ReviewSubject.review == review_id) & (ReviewSubject.email == email)
        ):
            raise Conflict(f"email: {email} is already a subject of this review")
        row = ReviewSubject(
            review=review_id,
            name=name,
            email=email,
            created_at=utcnow(),
            nomination_token_hash=hashed,
            link_nonce=nonce,
        )
        await row.save()
        await messages.invite_subject(
            {"id": row.id, "review": review_id, "name": name, "email": email}
        )
    out = _subject({"id": row.id, "review": review_id, "name": name, "email": email})
    out.nomination_link = f"/nominate/{token}"
    return out


async def get_subject(review_id: int, subject_id: int) -> SubjectOut:
    row = (
        await ReviewSubject.select()
        .where((ReviewSubject.id == subject_id) & (ReviewSubject.review == review_id))
        .first()
    )
    if row is None:
        raise NotFound.of("subject", subject_id)
    return _subject(row)


async def list_subjects(review_id: int) -> list[SubjectOut]:
    rows = (
        await ReviewSubject.select()
        .where(ReviewSubject.review == review_id)
        .order_by(ReviewSubject.id)
    )
    return [_subject(r) for r in rows]


# The rules of a nomination, named so that a page can say each in the reader's language
SELF_NOT_SUBJECT = "a self rater must be the subject (same e-mail)"
SUBJECT_NOT_SELF = "the subject rates themself in the group self"
ALREADY_NOMINATED = "is already nominated to rate this person"
SELF_TAKEN = "this subject already has a self rating"
TOO_MANY_PROPOSALS = "the subject has proposed as many raters as allowed"


def _rater(r: Mapping[str, Any], link: str | None = None) -> RaterOut:
    return RaterOut(
        id=r["id"],
        subject_id=r["subject"],
        name=r["name"],
        email=r["email"],
        group=r["group"],
        status=r["status"],
        language=r["language"],
        invited_at=r["invited_at"],
        submitted_at=r["submitted_at"],
        link=link,
        nominated_by="subject" if r.get("nominated_by") == "subject" else "coach",
    )


async def add_rater(
    review_id: int,
    subject: SubjectOut,
    *,
    name: str,
    email: str,
    group: str,
    language: str,
    by_subject: bool = False,
) -> RaterOut:
    """Nominate a rater of one subject.

    By the coach: the rater is invited at once and the answer carries the link (shown only
    now). By the subject: the rater waits (status ``nominated``, no link) for the coach's
    approval.
    """
    email = email.strip().lower()
    if group == "self" and email != subject.email:
        raise Invalid([Problem("group", SELF_NOT_SUBJECT)])
    if group != "self" and email == subject.email:
        raise Invalid([Problem("group", SUBJECT_NOT_SELF)])
    nonce, token, hashed = new_link(get_settings().secret_key, "rate")
    async with write_transaction():
        if await Rater.exists().where((Rater.subject == subject.id) & (Rater.email == email)):
            raise Conflict(
                f"email: {email} is already nominated to rate {subject.name}",
                problems=[Problem("email", ALREADY_NOMINATED)],
            )
        if group in ("self",) and await Rater.exists().where(
            (Rater.subject == subject.id) & (Rater.group == group)
        ):
            raise Conflict(
                "group: this subject already has a self rating",
                problems=[Problem("group", SELF_TAKEN)],
            )
        if by_subject and (
            await Rater.count().where(
                (Rater.subject == subject.id) & (Rater.nominated_by == "subject")
            )
            >= MAX_PROPOSALS
        ):
            raise Conflict(
                f"A subject may propose at most {MAX_PROPOSALS} raters; ask the coach for more",
                problems=[Problem("raters", TOO_MANY_PROPOSALS)],
            )
        row = Rater(
            review=review_id,
            subject=subject.id,
            name=name,
            email=email,
            group=group,
            # a nominated rater has no link yet: a random value no token can hash to
            token_hash=secrets.token_hex(32) if by_subject else hashed,
            link_nonce="" if by_subject else nonce,
            status=RaterStatus.NOMINATED if by_subject else RaterStatus.INVITED,
            nominated_by="subject" if by_subject else "coach",
            language=language,
            invited_at=utcnow(),
        )
        await row.save()
        found = present(await Rater.select().where(Rater.id == row.id).first(), "rater", row.id)
        if not by_subject:
            await messages.invite_rater(found)
    return _rater(found, None if by_subject else f"/rate/{token}")


async def approve_rater(subject: SubjectOut, rater_id: int) -> RaterOut:
    """The coach approves a rater the subject nominated: the rater gets a link."""
    nonce, token, hashed = new_link(get_settings().secret_key, "rate")
    async with write_transaction():
        row = (
            await Rater.select()
            .where((Rater.id == rater_id) & (Rater.subject == subject.id))
            .first()
        )
        if row is None:
            raise NotFound.of("rater", rater_id)
        if row["status"] != RaterStatus.NOMINATED:
            raise Conflict(f"status: rater {rater_id} is already {row['status']}")
        await Rater.update(
            {
                Rater.status: RaterStatus.INVITED,
                Rater.token_hash: hashed,
                Rater.link_nonce: nonce,
                Rater.invited_at: utcnow(),
            }
        ).where(Rater.id == rater_id)
        found = present(await Rater.select().where(Rater.id == rater_id).first(), "rater", rater_id)
        await messages.invite_rater(found)
    return _rater(found, f"/rate/{token}")


async def find_nominating_subject(token: str) -> tuple[SubjectOut, dict[str, Any]] | None:
    """The subject (and cycle) of a nomination link while the cycle is open."""
    row = (
        await ReviewSubject.select()
        .where(ReviewSubject.nomination_token_hash == token_hash(token))
        .first()
    )
    if row is None:
        return None
    review = present(
        await Review.select().where(Review.id == row["review"]).first(), "review", row["review"]
    )
    closes = review["closes_at"]
    if closes is not None and closes <= utcnow():
        return None
    return _subject(row), review


async def list_raters(subject_id: int) -> list[RaterOut]:
    rows = await Rater.select().where(Rater.subject == subject_id).order_by(Rater.id)
    return [_rater(r) for r in rows]


@dataclass(frozen=True)
class Reminded:
    """What asking for reminders did: the raters reminded now, and those already reminded
    today (one reminder a day at most), each with the name of the person they rate."""

    queued: list[tuple[dict[str, Any], str]]
    already: list[tuple[dict[str, Any], str]]


async def remind_raters(review_id: int) -> Reminded:
    """Queue a reminder for every rater of the cycle who has not submitted (invited or
    started), carrying the link they already have; 409 once the cycle has closed."""
    async with write_transaction():
        review = present(
            await Review.select().where(Review.id == review_id).first(), "review", review_id
        )
        closes = review["closes_at"]
        if closes is not None and closes <= utcnow():
            raise Conflict("The cycle has closed: nobody can answer, so nobody is reminded")
        rows = (
            await Rater.select()
            .where((Rater.review == review_id) & Rater.status.is_in(list(messages.NOT_SUBMITTED)))
            .order_by(Rater.id)
        )
        today = utcnow().date()
        queued = set(
            await messages.queue_reminders([messages.reminder(r, review, today) for r in rows])
        )
    subjects = {s.id: s.name for s in await list_subjects(review_id)}
    named = [(r, subjects.get(r["subject"], "")) for r in rows]
    return Reminded(
        queued=[x for x in named if x[0]["id"] in queued],
        already=[x for x in named if x[0]["id"] not in queued],
    )


async def progress(review_id: int) -> Progress:
    subjects = await list_subjects(review_id)
    rows = await Rater.select(Rater.subject, Rater.group, Rater.status).where(
        Rater.review == review_id
    )
    out = []
    for s in subjects:
        groups = {g: GroupCounts() for g in GROUPS}
        for r in rows:
            if r["subject"] != s.id:
                continue
            c = groups[r["group"]]
            if r["status"] == RaterStatus.NOMINATED:
                c.nominated += 1
                continue
            c.invited += 1
            c.started += r["status"] in (RaterStatus.STARTED, RaterStatus.SUBMITTED)
            c.submitted += r["status"] == RaterStatus.SUBMITTED
        out.append(SubjectProgress(subject_id=s.id, name=s.name, groups=groups))
    return Progress(review_id=review_id, subjects=out)


# ---- the rater's own form --------------------------------------------------------------


@dataclass(frozen=True)
class FormProgress:
    """How far a rater's form is: counts only, never the answers."""

    answered: int  # statements answered ("cannot say" counts as an answer)
    total: int  # statements on the form
    rated: bool  # some statement holds a rating: a form without one is never submitted

    @property
    def unanswered(self) -> int:
        return self.total - self.answered


@dataclass(frozen=True)
class RaterSession:
    rater: dict[str, Any]
    review: dict[str, Any]
    subject: dict[str, Any]
    instrument: Instrument
    via: str  # the hash of the link this form was opened with

    @property
    def id(self) -> int:
        return int(self.rater["id"])

    @property
    def status(self) -> str:
        return str(self.rater["status"])

    def closed(self) -> bool:
        closes = self.review["closes_at"]
        return closes is not None and closes <= utcnow()

    def progress(self, given: Mapping[int, Mapping[str, Any]]) -> FormProgress:
        """How far the form is, from its saved answers (``rater_answers``)."""
        return FormProgress(
            answered=sum(s.id in given for s in self.instrument.statements),
            total=len(self.instrument.statements),
            rated=has_rating(self.instrument, given),
        )

    def item_kind(self, item_id: int) -> str:
        if any(s.id == item_id for s in self.instrument.statements):
            return "rating"
        if any(c.id == item_id for c in self.instrument.comments) or any(
            q.id == item_id for q in self.instrument.questions
        ):
            return "comment"
        raise NotFound.of("statement", item_id)


MAX_PROPOSALS = 30  # raters one subject may propose from their nomination link


async def find_rater(token: str) -> RaterSession | None:
    """The form of a rater's link, or ``None`` for an unknown link or a cycle not yet open.

    After the cycle closes the form still opens (read-only: saving answers 409).
    """
    row = await Rater.select().where(Rater.token_hash == token_hash(token)).first()
    if row is None:
        return None
    review = present(
        await Review.select().where(Review.id == row["review"]).first(), "review", row["review"]
    )
    opens = review["opens_at"]
    if row["status"] == RaterStatus.NOMINATED or (opens is not None and opens > utcnow()):
        return None
    subject = present(
        await ReviewSubject.select().where(ReviewSubject.id == row["subject"]).first(),
        "subject",
        row["subject"],
    )
    return RaterSession(row, review, subject, instrument_of(review), row["token_hash"])


async def rater_answers(rater_id: int) -> dict[int, dict[str, Any]]:
    rows = await RaterAnswer.select(RaterAnswer.item, RaterAnswer.payload).where(
        RaterAnswer.rater == rater_id
    )
    return {r["item"]: loads(r["payload"]) for r in rows}


async def rater_progress(session: RaterSession) -> FormProgress:
    """How far the session's form is now."""
    return session.progress(await rater_answers(session.id))


def validated_rater_answer(
    session: RaterSession, item_id: int, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """``{"rating": n}`` (n on the scale, ``None`` = cannot say) or ``{"comment": text}``."""
    kind = session.item_kind(item_id)
    scale = session.instrument.scale
    if kind == "rating":
        if set(payload) != {"rating"}:
            raise Invalid([Problem("rating", 'a statement takes {"rating": n}')])
        value = payload["rating"]
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not scale.min <= value <= scale.max
        ):
            raise Invalid(
                [Problem("rating", f"expected {scale.min}-{scale.max}, or null for cannot say")]
            )
        return {"rating": value}
    if set(payload) != {"comment"} or not isinstance(payload["comment"], str):
        raise Invalid([Problem("comment", 'a question takes {"comment": text}')])
    text = payload["comment"].strip()
    if len(text) > MAX_COMMENT:
        raise Invalid([Problem("comment", f"at most {MAX_COMMENT} characters")])
    return {"comment": text}


async def save_rater_answer(
    session: RaterSession, item_id: int, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate and store one answer (see :func:`save_rater_answers`)."""
    return (await save_rater_answers(session, {item_id: payload}))[item_id]


async def save_rater_answers(
    session: RaterSession, payloads: Mapping[int, Mapping[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Validate every answer first, then store them all in one transaction.

    A single invalid answer raises before anything is written; 409 once the form is
    submitted or the cycle has closed (saved answers are kept).
    """
    answers = {i: validated_rater_answer(session, i, p) for i, p in payloads.items()}
    if not answers:
        return answers
    now = utcnow()
    async with write_transaction():
        row = present(
            await Rater.select(Rater.status).where(Rater.id == session.id).first(),
            "rater",
            session.id,
        )
        if row["status"] == RaterStatus.SUBMITTED:
            raise Conflict("This form has already been submitted; answers are kept")
        if session.closed():
            raise Conflict("This review has closed; the saved answers are kept")
        await RaterAnswer.insert(
            *(
                RaterAnswer(rater=session.id, item=i, payload=a, saved_at=now)
                for i, a in answers.items()
            )
        ).on_conflict(
            target=(RaterAnswer.rater, RaterAnswer.item),
            action="DO UPDATE",
            values=[RaterAnswer.payload, RaterAnswer.saved_at],
        )
        await RaterAnswerEvent.insert(
            *(
                RaterAnswerEvent(rater=session.id, item=i, payload=a, received_at=now)
                for i, a in answers.items()
            )
        )
        if row["status"] == RaterStatus.INVITED:
            await Rater.update(
                {
                    Rater.status: RaterStatus.STARTED,
                    Rater.started_at: now,
                    Rater.started_by: session.via,
                }
            ).where((Rater.id == session.id) & (Rater.status == RaterStatus.INVITED))
    return answers


async def submit_rater(session: RaterSession) -> None:
    """Submit a rater's form, once. A form without a single rating is refused: counted, it
    would add a rater to a group's n without adding a view, and help a group of one or two
    pass the anonymity threshold."""
    if session.status == RaterStatus.SUBMITTED:
        return
    if session.closed():
        raise Conflict("This review has closed")
    if not (await rater_progress(session)).rated:
        raise Invalid(
            [
                Problem(
                    "answers",
                    "rate at least one statement before submitting: a form without a "
                    "rating is not counted",
                )
            ]
        )
    async with write_transaction():
        changed = (
            await Rater.update({Rater.status: RaterStatus.SUBMITTED, Rater.submitted_at: utcnow()})
            .where((Rater.id == session.id) & (Rater.status != RaterStatus.SUBMITTED))
            .returning(Rater.id)
        )
        if changed:
            await messages.cancel_for_rater(session.id, "the rater has submitted")
            await messages.threshold_notice(session.review, session.subject, session.rater["group"])


async def set_rater_language(session: RaterSession, lang: str) -> None:
    async with write_transaction():
        await Rater.update({Rater.language: lang}).where(Rater.id == session.id)


async def siblings(own: RaterSession) -> list[tuple[int, str, str]]:
    """(rater id, subject name, status) of every form of this person in the cycle that
    the link in use opens (see :func:`sibling_session`)."""
    rows = (
        await Rater.select(
            Rater.id, Rater.subject.name, Rater.status, Rater.token_hash, Rater.started_by
        )
        .where(
            (Rater.review == own.rater["review"])
            & (Rater.email == own.rater["email"])
            & (Rater.status != RaterStatus.NOMINATED)
        )
        .order_by(Rater.id)
    )
    return [(r["id"], r["subject.name"], r["status"]) for r in rows if _opens(r, own.via)]


async def sibling_session(own: RaterSession, rater_id: int) -> RaterSession | None:
    """Another form of the same person (same e-mail, same cycle), or ``None``.

    A form still awaiting the coach's approval (``nominated``) does not open: a proposed
    rater cannot answer before the coach approves.
    """
    row = (
        await Rater.select()
        .where(
            (Rater.id == rater_id)
            & (Rater.review == own.rater["review"])
            & (Rater.email == own.rater["email"])
            & (Rater.status != RaterStatus.NOMINATED)
        )
        .first()
    )
    if row is None or not _opens(row, own.via):
        return None
    subject = present(
        await ReviewSubject.select().where(ReviewSubject.id == row["subject"]).first(),
        "subject",
        row["subject"],
    )
    return RaterSession(row, own.review, subject, own.instrument, own.via)


def _opens(row: Mapping[str, Any], via: str) -> bool:
    """Whether the link hashed ``via`` opens this form: its own link always; another link
    of the same person only while the form is untouched, or when that link started it. A
    link issued later to the same e-mail (a rater added by staff) opens no started form."""
    return (
        row["token_hash"] == via
        or row["status"] == RaterStatus.INVITED
        or row.get("started_by") == via
    )


async def record_submitted_form(
    session: RaterSession, answers: Mapping[int, Mapping[str, Any]]
) -> None:
    """Store a whole submitted form at once (demo data and imports), as if given live."""
    await save_rater_answers(session, answers)
    await submit_rater(session)

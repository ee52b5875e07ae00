"""A candidate's test session: the link's token, the server-side timer, answers, submission.

Every answer is written the moment it arrives, in one transaction with a re-check of the
candidate's status and deadline: the latest answer per item (``answer``, one row per
candidate and item: a repeated or concurrent save replaces, never duplicates) and an
append-only log of every save (``answer_event``).

The answer save (``save_by_token``) is one step: one lookup of the token's hash (with the
campaign, the form and the fingerprint of the form's items), validation against the form's
items cached in this process under that fingerprint, and one upsert. On SQLite the whole
step is one job on the process's writer thread (``server.core.db.SQLiteLine``); on PostgreSQL it
is one row of a statement that writes the saves queued in this process at that moment
(``server.respondent.pg_saves``), re-checking status, deadline and items while it writes.
Both engines thus commit many saves at once under load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from piccolo.custom_types import Combinable

from assessments.sjt.items import Format, Item, is_complete, validated_answer
from server.core.db import (
    dumps,
    is_postgres,
    loads,
    pg_fetch,
    sqlite_line,
    sqlite_reader,
    utcnow,
    write_transaction,
)
from server.core.errors import Conflict, NotFound
from server.core.tokens import token_hash
from server.core.vocabulary import CandidateStatus, MessageKind
from server.hiring.repository import form_items
from server.outbox import repository as outbox
from server.outbox.candidate_mail import candidate_message, mail_setting, receipt_key
from server.respondent import sqlite_saves
from server.respondent.pg_saves import PgSave, save_queue
from server.respondent.sqlite_saves import SqliteSave
from server.settings import get_settings
from server.tables import Answer, AnswerEvent, Campaign, Candidate, MonitoringAnswer, SjtForm


class Gone(Conflict):
    """409: the test is over (submitted or out of time); saved answers are kept."""


NOT_STARTED = "The test has not been started: start it first"
SUBMITTED = "This test has already been submitted; saved answers are kept"
TIME_UP = "Time is up; the answers saved before the deadline are kept"


@dataclass(frozen=True)
class TestSession:
    candidate: dict[str, Any]
    campaign: dict[str, Any]
    format: Format
    scoring: str
    items: list[Item]

    @property
    def id(self) -> int:
        return int(self.candidate["id"])

    @property
    def status(self) -> str:
        return str(self.candidate["status"])

    @property
    def time_allowed(self) -> int:
        return int(self.campaign["time_limit_seconds"]) + int(self.candidate["extra_time_seconds"])

    def seconds_left(self, now: datetime) -> int | None:
        if self.status == CandidateStatus.SUBMITTED:
            return 0
        deadline = self.candidate["deadline_at"]
        if deadline is None:
            return self.time_allowed
        return max(0, int((deadline - now).total_seconds()))

    def languages(self) -> list[str]:
        return list(loads(self.campaign["languages"]) or ["en"])

    def item(self, item_id: int) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise NotFound.of("item", item_id)


async def submit_expired(where: Combinable) -> None:
    """Submit, with what was saved, every started test in ``where`` whose deadline passed.

    One UPDATE; the submission time is the deadline, not the moment somebody noticed. The
    receipts of those it submits are queued in the same transaction.
    """
    async with write_transaction():
        done = (
            await Candidate.update(
                {
                    Candidate.status: CandidateStatus.SUBMITTED,
                    Candidate.submitted_at: Candidate.deadline_at,
                    Candidate.timed_out: True,
                }
            )
            .where(
                where
                & (Candidate.status == CandidateStatus.STARTED)
                & (Candidate.deadline_at <= utcnow())
            )
            .returning(Candidate.id)
        )
        await queue_receipts([r["id"] for r in done])


async def queue_receipts(
    candidate_ids: Sequence[int], answered: Mapping[int, int] | None = None
) -> int:
    """Queue the receipt of each candidate just submitted whose vacancy sends receipts
    (``mail_receipts``), with how many scenarios they answered (counted here unless
    ``answered`` gives it). Call it in the transaction of the submission; returns how
    many were queued (at most one per candidate, ever)."""
    if not candidate_ids:
        return 0
    rows = await Candidate.select(
        Candidate.id,
        Candidate.campaign,
        Candidate.form,
        Candidate.name,
        Candidate.email,
        Candidate.language,
        Candidate.campaign.settings.as_alias("k_settings"),
        Candidate.campaign.languages.as_alias("k_languages"),
    ).where(Candidate.id.is_in(list(candidate_ids)))
    wanted = [r for r in rows if mail_setting(r["k_settings"], "mail_receipts")]
    if not wanted:
        return 0
    counts = dict(answered or {})
    missing = [r for r in wanted if r["id"] not in counts]
    if missing:
        counts.update(await _answered_counts(missing))
    letters = [
        candidate_message(
            MessageKind.CANDIDATE_RECEIPT,
            r,
            r["k_languages"],
            params={"answered": counts.get(r["id"], 0)},
            dedupe=receipt_key(r["id"]),
        )
        for r in wanted
    ]
    return await outbox.enqueue(letters, sender=get_settings().smtp_from)


async def _answered_counts(rows: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """How many items of their form each candidate (rows with id and form) answered fully."""
    ids = [r["id"] for r in rows]
    saved: dict[int, dict[int, Any]] = {i: {} for i in ids}
    for a in await Answer.select(Answer.candidate, Answer.item, Answer.payload).where(
        Answer.candidate.is_in(ids)
    ):
        saved[a["candidate"]][a["item"]] = loads(a["payload"])
    forms = {r["form"] for r in rows}
    shapes = {
        f["id"]: f["format"]
        for f in await SjtForm.select(SjtForm.id, SjtForm.format).where(
            SjtForm.id.is_in(list(forms))
        )
    }
    items = {f: await form_items(f) for f in forms}
    return {
        r["id"]: sum(
            1
            for it in items[r["form"]]
            if is_complete(it, shapes[r["form"]], saved[r["id"]].get(item_id(it)))
        )
        for r in rows
    }


# ---- one lookup: candidate, campaign, form and the fingerprint of the form's items -------

_CANDIDATE_COLUMNS = [c._meta.db_column_name for c in Candidate._meta.columns]
_CAMPAIGN_COLUMNS = [c._meta.db_column_name for c in Campaign._meta.columns]
# what an answer save needs of the candidate and the campaign (fewer columns to convert)
_SAVE_CANDIDATE_COLUMNS = ["id", "status", "deadline_at", "form", "extra_time_seconds"]
_SAVE_CAMPAIGN_COLUMNS = ["time_limit_seconds", "opens_at", "closes_at"]


# ``f.items_version`` identifies the current content of a form's items: database triggers
# raise it whenever one of them is edited or the form's list of items changes
def _lookup_sql(candidate: Sequence[str], campaign: Sequence[str], placeholder: str) -> str:
    """The one query behind a link: the candidate's and campaign's columns, the form's
    format and scoring, and what identifies the current content of the form's items."""
    cols = ", ".join(f"c.{n}" for n in candidate)
    camp = ", ".join(f"k.{n} AS k_{n}" for n in campaign)
    return (
        f"SELECT {cols}, {camp}, f.format AS f_format, f.scoring AS f_scoring, "
        "f.created_at AS f_created_at, f.items_version AS f_items "
        "FROM candidate c JOIN campaign k ON k.id = c.campaign "
        "JOIN sjt_form f ON f.id = c.form "
        f"WHERE c.token_hash = {placeholder}"
    )


_LOOKUP = {
    "?": _lookup_sql(_CANDIDATE_COLUMNS, _CAMPAIGN_COLUMNS, "?"),
    "$1": _lookup_sql(_CANDIDATE_COLUMNS, _CAMPAIGN_COLUMNS, "$1"),
}
_SAVE_LOOKUP = {
    "?": _lookup_sql(_SAVE_CANDIDATE_COLUMNS, _SAVE_CAMPAIGN_COLUMNS, "?"),
    "$1": _lookup_sql(_SAVE_CANDIDATE_COLUMNS, _SAVE_CAMPAIGN_COLUMNS, "$1"),
}

FormKey = tuple[Any, ...]


@dataclass(frozen=True)
class Link:
    """What one lookup of a token finds."""

    candidate: dict[str, Any]
    campaign: dict[str, Any]
    format: Format
    scoring: str
    form_key: FormKey  # changes whenever the form's items change

    @property
    def id(self) -> int:
        return int(self.candidate["id"])

    @property
    def status(self) -> str:
        return str(self.candidate["status"])

    def is_closed_to(self, now: datetime) -> bool:
        """An invited candidate's link outside the campaign's dates opens nothing."""
        closes, opens = self.campaign["closes_at"], self.campaign["opens_at"]
        closed = closes is not None and closes <= now
        not_open = opens is not None and opens > now
        return self.status == CandidateStatus.INVITED and (closed or not_open)

    def is_expired(self, now: datetime) -> bool:
        deadline = self.candidate["deadline_at"]
        return self.status == CandidateStatus.STARTED and deadline is not None and deadline <= now


def link_of(row: Mapping[str, Any]) -> Link:
    """The link of a lookup row (of either column set)."""
    return Link(
        candidate={n: row[n] for n in _CANDIDATE_COLUMNS if n in row},
        campaign={n: row[f"k_{n}"] for n in _CAMPAIGN_COLUMNS if f"k_{n}" in row},
        format=row["f_format"],
        scoring=row["f_scoring"],
        form_key=_form_key(row),
    )


def _form_key(row: Mapping[str, Any]) -> FormKey:
    return (row["form"], str(row["f_created_at"]), row["f_items"])


def _sqlite_lookup(con: sqlite3.Connection, hashed: str, sql: str) -> Link | None:
    rows = con.execute(sql, (hashed,)).fetchall()  # all: the statement ends here
    return link_of(rows[0]) if rows else None


def _timestamp(value: str | None) -> datetime | None:
    """A Timestamptz column as stored by Piccolo on SQLite (UTC, ``str(datetime)``)."""
    return None if value is None else datetime.fromisoformat(value)


def _sqlite_save_lookup(con: sqlite3.Connection, hashed: str) -> Link | None:
    """``lookup(..., for_save=True)`` on SQLite, on a connection that reads values as
    stored (``sqlite_reader(convert=False)``): the three timestamps are converted here."""
    cur = con.cursor()
    cur.row_factory = None
    rows = cur.execute(_SAVE_LOOKUP["?"], (hashed,)).fetchall()
    if not rows:
        return None
    cid, status, deadline, form, extra, limit, opens, closes, fmt, scoring, created, fp = rows[0]
    return Link(
        candidate={
            "id": cid,
            "status": status,
            "deadline_at": _timestamp(deadline),
            "form": form,
            "extra_time_seconds": extra,
        },
        campaign={
            "time_limit_seconds": limit,
            "opens_at": _timestamp(opens),
            "closes_at": _timestamp(closes),
        },
        format=fmt,
        scoring=scoring,
        form_key=(form, str(created), fp),
    )


async def lookup(token: str, *, for_save: bool = False) -> Link | None:
    """The link's candidate, campaign and form in one query, or ``None`` when unknown.

    ``for_save``: only the columns an answer save needs (``_lookup_for_save``). On SQLite
    the query runs on this thread's read connection (a few dozen microseconds; WAL readers
    never wait).
    """
    hashed = token_hash(token)
    if for_save:
        return await _lookup_for_save(hashed)
    if is_postgres():
        rows = await pg_fetch(_LOOKUP["$1"], hashed)
        return link_of(rows[0]) if rows else None
    return _sqlite_lookup(sqlite_reader(), hashed, _LOOKUP["?"])


# ---- the form's items, cached per process under the form's fingerprint -------------------

_FORM_ITEMS: dict[FormKey, tuple[Item, ...]] = {}
MAX_CACHED_FORMS = 512


async def items_of(link: Link) -> tuple[Item, ...]:
    """The items of the link's form: from this process's cache while the form is unchanged.

    Loaded items are cached only when the fingerprint read again after loading them is the
    one they were loaded for (an item edited meanwhile is not cached under the old one).
    """
    cached = _FORM_ITEMS.get(link.form_key)
    if cached is not None:
        return cached
    items = tuple(await form_items(link.candidate["form"]))
    current = await _form_key_of(link.candidate["form"])
    if current == link.form_key:
        if len(_FORM_ITEMS) >= MAX_CACHED_FORMS:
            _FORM_ITEMS.clear()
        _FORM_ITEMS[link.form_key] = items
    return items


_FORM_KEY_SQL = (
    "SELECT f.id AS form, f.created_at AS f_created_at, f.items_version AS f_items "
    "FROM sjt_form f WHERE f.id = {}"
)


async def _form_key_of(form_id: int) -> FormKey | None:
    if is_postgres():
        rows = await pg_fetch(_FORM_KEY_SQL.format("$1"), form_id)
        return _form_key(rows[0]) if rows else None
    rows = sqlite_reader().execute(_FORM_KEY_SQL.format("?"), (form_id,)).fetchall()
    return _form_key(rows[0]) if rows else None


def session_of(link: Link, items: Sequence[Item]) -> TestSession:
    return TestSession(
        candidate=link.candidate,
        campaign=link.campaign,
        format=link.format,
        scoring=link.scoring,
        items=list(items),
    )


async def find(token: str) -> TestSession | None:
    """The session of a link, or ``None`` for an unknown link or a campaign closed to it.

    Unknown and closed links take the same path (one indexed lookup by the token's hash)
    so the answer time does not tell them apart. A started test whose deadline passed is
    submitted (at its deadline) first.
    """
    link = await lookup(token)
    if link is None or link.is_closed_to(utcnow()):
        return None
    if link.is_expired(utcnow()):
        await submit_expired(Candidate.id == link.id)
        link = await lookup(token)
        if link is None:
            return None
    return session_of(link, await items_of(link))


async def answers(candidate_id: int) -> dict[int, dict[str, Any]]:
    rows = await Answer.select(Answer.item, Answer.payload).where(Answer.candidate == candidate_id)
    return {r["item"]: loads(r["payload"]) for r in rows}


def item_id(item: Item) -> int:
    """The stored id of an item on a form (every item a form holds has one)."""
    if item.id is None:
        raise ValueError(f"item {item.key!r} is not stored: it has no id")
    return item.id


def unanswered(session: TestSession, saved: Mapping[int, Mapping[str, Any]]) -> list[int]:
    """The positions (1-based, in the order of the test) of the items not yet fully answered."""
    return [
        n
        for n, it in enumerate(session.items, start=1)
        if not is_complete(it, session.format, saved.get(item_id(it)))
    ]


def answered_count(session: TestSession, saved: Mapping[int, Mapping[str, Any]]) -> int:
    return len(session.items) - len(unanswered(session, saved))


async def consent(session: TestSession, language: str | None) -> None:
    """Record consent (and the chosen language) before the test starts."""
    if session.status != CandidateStatus.INVITED:
        return
    async with write_transaction():
        values: dict[Any, Any] = {Candidate.consented_at: utcnow()}
        if language:
            values[Candidate.language] = language
        await Candidate.update(values).where(
            (Candidate.id == session.id) & (Candidate.status == CandidateStatus.INVITED)
        )


async def set_language(candidate_id: int, language: str) -> None:
    """The language the candidate chose on the pages (kept for the next page and link)."""
    async with write_transaction():
        await Candidate.update({Candidate.language: language}).where(Candidate.id == candidate_id)


async def start(session: TestSession, language: str | None = None) -> None:
    """Start the clock (once): the deadline is now + time limit + the candidate's extra time."""
    if session.status == CandidateStatus.SUBMITTED:
        raise Gone("This test has already been submitted")
    if session.status == CandidateStatus.STARTED:
        return
    now = utcnow()
    values: dict[Any, Any] = {
        Candidate.status: CandidateStatus.STARTED,
        Candidate.started_at: now,
        Candidate.deadline_at: now + timedelta(seconds=session.time_allowed),
    }
    if session.candidate["consented_at"] is None:
        values[Candidate.consented_at] = now
    if language:
        values[Candidate.language] = language
    async with write_transaction():
        # the status condition makes two simultaneous starts start the clock once
        await Candidate.update(values).where(
            (Candidate.id == session.id) & (Candidate.status == CandidateStatus.INVITED)
        )


# ---- the answer save --------------------------------------------------------------------


class SavedAnswer(NamedTuple):
    """An answer stored (and committed): the test as it was and how many items are answered."""

    session: TestSession
    item_id: int
    answer: dict[str, Any]
    complete: bool  # this answer, to its item
    answered: int
    now: datetime


def payload_for(fmt: Format, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answer as stored for the format: most/least always carries both keys."""
    payload = {k: v for k, v in raw.items() if v is not None}
    if fmt == "most_least" and ("most" in payload or "least" in payload):
        return {"most": raw.get("most"), "least": raw.get("least")}
    return payload


def _checked(
    link: Link, items: Sequence[Item], item_id: int, raw: Mapping[str, Any]
) -> tuple[TestSession, Item, dict[str, Any]]:
    """The session, the item and the validated answer (404 unknown item, 422 bad answer,
    409 test not running)."""
    session = session_of(link, items)
    item = session.item(item_id)
    answer = validated_answer(item, link.format, payload_for(link.format, raw))
    if link.status == CandidateStatus.INVITED:
        raise Gone(NOT_STARTED)
    if link.status == CandidateStatus.SUBMITTED:
        raise Gone(SUBMITTED)
    return session, item, answer


_COMPLETE_AT: dict[tuple[str, FormKey], str] = {}


def _complete_at(fmt: Format, form_key: FormKey, items: Sequence[Item]) -> str:
    """The form's items with the number ``sqlite_saves.PROGRESS`` gives a complete answer
    to each, as ``",item:number,item:number,"`` (cached under the fingerprint of the form's
    items, like the items themselves)."""
    key = (fmt, form_key)
    need = _COMPLETE_AT.get(key)
    if need is None:
        pairs = (f"{it.id}:{1 if fmt == 'most_least' else len(it.options)}" for it in items)
        need = "," + ",".join(pairs) + ","
        if len(_COMPLETE_AT) >= MAX_CACHED_FORMS:
            _COMPLETE_AT.clear()
        _COMPLETE_AT[key] = need
    return need


# token hash -> the link of a running test, as this process last saved an answer with it:
# later saves of the same link skip the lookup; their write re-checks all the link says
_RUNNING: dict[str, Link] = {}
MAX_RUNNING = 20_000


def _remember(hashed: str, link: Link) -> None:
    if len(_RUNNING) >= MAX_RUNNING:
        _RUNNING.clear()
    _RUNNING[hashed] = link


async def _lookup_for_save(hashed: str) -> Link | None:
    if is_postgres():
        rows = await pg_fetch(_SAVE_LOOKUP["$1"], hashed)
        return link_of(rows[0]) if rows else None
    return _sqlite_save_lookup(sqlite_reader(convert=False), hashed)


async def _write(
    hashed: str, link: Link, session: TestSession, item_id: int, text: str, now: datetime
) -> tuple[int, Link] | None:
    """Store the answer and its event if the test still runs with the items of ``link``:
    how many of the candidate's other answers are complete and the link with the deadline
    as the write read it; ``None`` when nothing was written."""
    fmt = session.format
    need = _complete_at(fmt, link.form_key, session.items)
    form, _, version = link.form_key
    if is_postgres():
        row = await save_queue().write(
            PgSave(link.id, hashed, item_id, text, now, form, version, fmt, need)
        )
        if row is None:
            return None
        answered, deadline = row["answered"], row["deadline_at"]
    else:
        at = str(now)  # as sqlite3 would bind it (and Piccolo stores it)
        save = SqliteSave(link.id, item_id, text, at, form, version, fmt, need)
        written = await sqlite_line().run_together(sqlite_saves.write_many, save)
        if written is None:
            return None
        answered, deadline = written[0], _timestamp(written[1])
    if deadline != link.candidate["deadline_at"]:
        link = replace(link, candidate={**link.candidate, "deadline_at": deadline})
    return answered, link


async def save_by_token(token: str, item_id: int, raw: Mapping[str, Any]) -> SavedAnswer | None:
    """Validate and store one answer of the link's candidate, in one step.

    ``None`` for a link that opens no test (unknown, closed, or a rater's link). The answer
    is acknowledged only once committed; the same answer twice is one ``answer`` row.

    Once this process has saved an answer with a link, later saves check the answer
    against the link as last seen and write it in one step that re-checks in the database
    that the test still runs with the same items; when it does not, the link is looked up
    again and the answer checked against it as it is now.

    Raises
    ------
    NotFound
        The item is not on the candidate's form.
    AnswerError
        The answer does not fit the item (nothing is stored).
    Gone
        Not started, already submitted, or out of time (saved answers are kept); a test
        found out of time is submitted at its deadline.
    """
    now = utcnow()
    hashed = token_hash(token)
    link = _RUNNING.pop(hashed, None)
    remembered = link is not None
    if link is None:
        link = await _lookup_for_save(hashed)
    for _ in range(3):
        if remembered and (link is None or link.is_expired(now)):
            remembered, link = False, await _lookup_for_save(hashed)
        if link is None or link.is_closed_to(now):
            return None
        if link.is_expired(now):
            await submit_expired(Candidate.id == link.id)
            raise Gone(TIME_UP)
        try:
            session, item, answer = _checked(link, await items_of(link), item_id, raw)
        except Exception:
            if not remembered:
                raise
            # refused by the link as last seen: check with it as it is now
            remembered, link = False, await _lookup_for_save(hashed)
            continue
        written = await _write(hashed, link, session, item_id, dumps(answer), now)
        if written is not None:
            answered, written_link = written
            _remember(hashed, written_link)
            if written_link is not link:  # the deadline moved (extra time given meanwhile)
                session = session_of(written_link, session.items)
            complete = is_complete(item, session.format, answer)
            return SavedAnswer(session, item_id, answer, complete, answered + complete, now)
        # not written: submitted or out of time since, or the form's items changed
        remembered, link = False, await _lookup_for_save(hashed)
    raise Gone(SUBMITTED)


async def submit(session: TestSession) -> None:
    """Submit once; a second submit changes nothing."""
    if session.status == CandidateStatus.SUBMITTED:
        return
    if session.status == CandidateStatus.INVITED:
        raise Gone("The test has not been started")
    async with write_transaction():
        done = (
            await Candidate.update(
                {Candidate.status: CandidateStatus.SUBMITTED, Candidate.submitted_at: utcnow()}
            )
            .where((Candidate.id == session.id) & (Candidate.status == CandidateStatus.STARTED))
            .returning(Candidate.id)
        )
        if done:  # this submit did it (not a second one at the same time): the receipt
            count = answered_count(session, await answers(session.id))
            await queue_receipts([session.id], {session.id: count})


async def record_completed(
    candidate_id: int,
    answers_by_item: Mapping[int, Mapping[str, Any]],
    *,
    started_at: datetime,
    deadline_at: datetime,
    submitted_at: datetime,
    language: str,
) -> None:
    """Store a whole completed test at once (demo data and imports), as if taken live."""
    async with write_transaction():
        await Candidate.update(
            {
                Candidate.status: CandidateStatus.SUBMITTED,
                Candidate.consented_at: started_at,
                Candidate.started_at: started_at,
                Candidate.deadline_at: deadline_at,
                Candidate.submitted_at: submitted_at,
                Candidate.language: language,
            }
        ).where(Candidate.id == candidate_id)
        if answers_by_item:
            await Answer.insert(
                *(
                    Answer(candidate=candidate_id, item=i, payload=dict(a), saved_at=submitted_at)
                    for i, a in answers_by_item.items()
                )
            )
            await AnswerEvent.insert(
                *(
                    AnswerEvent(
                        candidate=candidate_id, item=i, payload=dict(a), received_at=submitted_at
                    )
                    for i, a in answers_by_item.items()
                )
            )


# ---- voluntary equal-opportunities answers (kept apart from the test answers) ----------


async def save_monitoring(candidate_id: int, answers: Mapping[str, str | None]) -> None:
    """Store, change or withdraw (``None``) a candidate's answer to each monitoring question.

    One row per candidate and question (an upsert); the caller validates the values.
    """
    now = utcnow()
    async with write_transaction():
        for question, answer in answers.items():
            if answer:
                await MonitoringAnswer.insert(
                    MonitoringAnswer(
                        candidate=candidate_id, question=question, answer=answer, given_at=now
                    )
                ).on_conflict(
                    target=(MonitoringAnswer.candidate, MonitoringAnswer.question),
                    action="DO UPDATE",
                    values=[MonitoringAnswer.answer, MonitoringAnswer.given_at],
                )
            else:
                await MonitoringAnswer.delete().where(
                    (MonitoringAnswer.candidate == candidate_id)
                    & (MonitoringAnswer.question == question)
                )


async def monitoring_of(candidate_id: int) -> dict[str, str]:
    """The candidate's own answers (shown back to them only, on their own link)."""
    rows = await MonitoringAnswer.select(MonitoringAnswer.question, MonitoringAnswer.answer).where(
        MonitoringAnswer.candidate == candidate_id
    )
    return {r["question"]: r["answer"] for r in rows}


async def monitoring_answers(candidate_ids: Sequence[int]) -> dict[str, dict[int, str]]:
    """Question -> {candidate: answer} for the given candidates, for aggregate analysis only."""
    rows = await MonitoringAnswer.select(
        MonitoringAnswer.candidate, MonitoringAnswer.question, MonitoringAnswer.answer
    ).where(MonitoringAnswer.candidate.is_in(list(candidate_ids) or [-1]))
    out: dict[str, dict[int, str]] = {}
    for r in rows:
        out.setdefault(r["question"], {})[r["candidate"]] = r["answer"]
    return out

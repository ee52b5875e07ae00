"""One expert's saves arriving at once, against a real server process with two workers:
the rating of a competency stays one row, and the cards never pass the limit of 40."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.serverproc import (
    ServerProcess,
    fresh_database,
    is_postgres,
    query,
    server_env,
    sqlite_path,
)


@dataclass(frozen=True)
class Live:
    url: str
    db: str
    rater: str  # an expert's token in a study at its rate step
    writer: str  # an expert's token in a study at its cards step
    competency: int


def _insert(db: str, sql: str, *args: Any) -> int:
    """Insert one row into the server's database (its own connection); its id."""
    if is_postgres(db):
        return int(query(db, sql + " RETURNING id", *args)[0][0])
    con = sqlite3.connect(sqlite_path(db))
    try:
        values = [a.isoformat(" ") if isinstance(a, datetime) else a for a in args]
        with con:
            return int(con.execute(sql + " RETURNING id", values).fetchone()[0])
    finally:
        con.close()


def _expert(db: str, study: int, name: str) -> str:
    token = secrets.token_urlsafe(32)
    _insert(
        db,
        "INSERT INTO job_analysis_expert (study, name, email, kind, language, token_hash,"
        " link_nonce, invited_at) VALUES (?, ?, ?, 'incumbent', 'en', ?, '', ?)",
        study,
        name,
        f"{name.lower()}@example.org",
        hashlib.sha256(token.encode()).hexdigest(),
        datetime.now(UTC),
    )
    return token


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    url = os.environ.get("DATABASE_URL", "")
    with fresh_database(url if is_postgres(url) else None, prefix="engine_expert_race") as db:
        proc = ServerProcess(server_env(db, tmp_path / "var"), tmp_path / "server.log", workers=2)
        try:
            proc.start().wait_ready(timeout=180)
            now = datetime.now(UTC)
            role = _insert(
                db,
                "INSERT INTO job_role (key, name, description, translations, position,"
                " updated_at) VALUES ('operator', 'Operator', '', '{}', 0, ?)",
                now,
            )
            studies = [
                _insert(
                    db,
                    "INSERT INTO job_analysis (name, role, step, rules, created_at)"
                    " VALUES (?, ?, ?, '{}', ?)",
                    name,
                    role,
                    step,
                    now,
                )
                for name, step in (("Rating", "rate"), ("Writing", "cards"))
            ]
            competency = _insert(
                db,
                "INSERT INTO job_analysis_competency (study, key, name, definition, position,"
                " reason) VALUES (?, 'listening', 'Listening', '', 0, '')",
                studies[0],
            )
            yield Live(
                url=proc.url,
                db=db,
                rater=_expert(db, studies[0], "Rita"),
                writer=_expert(db, studies[1], "Walt"),
                competency=competency,
            )
        finally:
            proc.kill()


def test_ratings_of_one_competency_sent_at_once_stay_one_row(live: Live) -> None:
    api = f"{live.url}/api/v1/expert/{live.rater}/ratings/{live.competency}"
    bodies = [
        {
            "importance": n % 5 + 1,
            "frequency": 3,
            "day_one": None,
            "learnable": True,
            "lawshe": None,
        }
        for n in range(30)
    ]
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(lambda b: requests.put(api, json=b, timeout=120).status_code, bodies))
    assert codes == [200] * 30
    rows = query(live.db, "SELECT importance FROM job_analysis_rating")
    assert len(rows) == 1 and rows[0][0] in range(1, 6)


def test_cards_sent_at_once_never_pass_the_limit(live: Live) -> None:
    api = f"{live.url}/api/v1/expert/{live.writer}/cards"
    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(
            pool.map(
                lambda n: requests.post(api, json={"text": f"Card {n}"}, timeout=120).status_code,
                range(50),
            )
        )
    assert sorted(codes) == [201] * 40 + [422] * 10
    assert query(live.db, "SELECT count(*) FROM job_analysis_card")[0][0] == 40

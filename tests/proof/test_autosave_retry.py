"""The candidate page's autosave (server/static/take.js) never drops an answer: a busy
server (503 with Retry-After, 502, 504, 429) or a lost connection is retried with backoff
until the save is acknowledged; one save is in flight at a time and the latest answer wins.

The real take.js runs in Node (tests/proof/autosave_harness.js: a minimal DOM and a
scripted fetch, backoff sped up 50x); skipped where Node is not installed. The server side
of a busy database (503 + Retry-After, nothing changed) is tests/integration/core/test_db_busy.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs node to run server/static/take.js")


def run(scenario: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            str(NODE),
            str(ROOT / "tests" / "proof" / "autosave_harness.js"),
            str(ROOT / "server" / "static" / "take.js"),
            scenario,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(out.stdout)


def test_busy_server_and_lost_connection_are_retried_until_saved() -> None:
    log = run("retry")
    # network error, 503, 502, 504, 429, then 200: six sends of the same answer
    assert log["fetches"] == [{"most": "a", "least": "b"}] * 6
    assert log["final"] == "saved" and "retrying" in log["states"]
    assert log["maxInFlight"] == 1


def test_one_save_in_flight_and_the_latest_answer_wins() -> None:
    log = run("latest")
    assert log["maxInFlight"] == 1
    # the answer given in between (c, d) is superseded before it is sent
    assert log["fetches"] == [{"most": "a", "least": "b"}, {"most": "e", "least": "f"}]
    assert log["final"] == "saved"


def test_a_newer_answer_replaces_the_one_waiting_to_be_retried() -> None:
    log = run("latest-while-retrying")
    assert log["fetches"] == [{"most": "a", "least": "b"}, {"most": "c", "least": "d"}]
    assert log["final"] == "saved"


def test_a_finished_test_reloads_the_page_and_a_refused_answer_is_not_retried() -> None:
    gone = run("gone")
    assert gone["reloads"] == 1 and len(gone["fetches"]) == 1
    refused = run("refused")
    assert len(refused["fetches"]) == 1 and refused["final"] == "refused"

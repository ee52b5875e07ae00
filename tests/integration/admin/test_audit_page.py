"""The audit log page (admins): filters by user, action and dates, paging, readable
entries, the CSV export (itself recorded), and everyone else refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient

from server.admin import audit
from server.app import create_app
from server.settings import get_settings
from server.tables import AuditEvent, StaffUser
from tests.conftest import login, make_user


async def _ids() -> dict[str, int]:
    return {r["email"]: r["id"] for r in await StaffUser.select(StaffUser.id, StaffUser.email)}


def _rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if not body:
        return []
    return [
        [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


async def _seed() -> dict[str, int]:
    await make_user("coach", "coach@test.example")
    ids = await _ids()
    admin, coach = ids["admin@test.example"], ids["coach@test.example"]
    await audit.record(coach, "viewed", "review:4/subject:9/page")
    await audit.record(admin, "exported", "campaign:3/report.pdf")
    await audit.record(
        admin,
        "updated",
        "competency:5",
        {"key": "customer_orientation", "name": "Kundfokus", "changed": ["translations:sv"]},
    )
    # an old event, ten days ago
    old = datetime.now(UTC) - timedelta(days=10)
    await AuditEvent.insert(
        AuditEvent(actor=coach, action="exported", target="review:4/subject:9/idp.pdf", at=old)
    )
    return ids


async def test_admin_reads_the_log_newest_first_in_words(admin: AsyncTestClient) -> None:
    await _seed()
    r = await admin.get("/app/audit")
    assert r.status_code == 200, r.text[:300]
    rows = _rows(r.text)
    assert len(rows) == 4 and "4 entries" in r.text
    when, who, action, target, detail = rows[0]
    assert (who, action) == ("admin@test.example", "Edited")
    assert target == "Competency 5 “Kundfokus”"
    assert detail.startswith("Changed: Swedish texts.")
    assert "translations" not in detail and "{" not in detail  # words, not a JSON dump
    assert rows[1][2:4] == ["Exported", "Vacancy 3 › Report (PDF)"]
    assert rows[2][1:4] == [
        "coach@test.example",
        "Viewed",
        "360 review 4 › Person reviewed 9 › Page",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", when)
    assert "Dates and times are in UTC" in r.text


async def test_filters_by_user_action_and_dates(admin: AsyncTestClient) -> None:
    ids = await _seed()
    coach = ids["coach@test.example"]
    r = await admin.get("/app/audit", params={"user": coach})
    assert {row[1] for row in _rows(r.text)} == {"coach@test.example"}
    assert len(_rows(r.text)) == 2
    r = await admin.get("/app/audit", params={"action": "exported"})
    assert [row[2] for row in _rows(r.text)] == ["Exported", "Exported"]
    r = await admin.get("/app/audit", params={"user": coach, "action": "exported"})
    assert [row[3] for row in _rows(r.text)] == [
        "360 review 4 › Person reviewed 9 › Development plan (PDF)"
    ]
    today = datetime.now(UTC).date()
    r = await admin.get("/app/audit", params={"from": today.isoformat()})
    assert len(_rows(r.text)) == 3
    old_day = (today - timedelta(days=10)).isoformat()
    r = await admin.get("/app/audit", params={"from": old_day, "to": old_day})
    assert len(_rows(r.text)) == 1 and "1 entry" in r.text
    r = await admin.get("/app/audit", params={"to": (today - timedelta(days=20)).isoformat()})
    assert _rows(r.text) == [] and "No entries match these filters." in r.text


async def test_bad_filters_are_named_and_nothing_is_listed(admin: AsyncTestClient) -> None:
    await _seed()
    r = await admin.get("/app/audit", params={"from": "yesterday"})
    assert r.status_code == 400
    assert "From (date)</a>: enter a date as YYYY-MM-DD" in r.text
    r = await admin.get("/app/audit", params={"from": "2026-05-02", "to": "2026-05-01"})
    assert r.status_code == 400 and "the end date is before the start date" in r.text
    r = await admin.get("/app/audit", params={"user": "admin"})
    assert r.status_code == 400 and "choose a user from the list" in r.text
    assert _rows(r.text) == []


async def test_pages_of_fifty(admin: AsyncTestClient) -> None:
    me = (await _ids())["admin@test.example"]
    await AuditEvent.insert(
        *(
            AuditEvent(actor=me, action="viewed", target=f"campaign:{n}/ranking", detail={})
            for n in range(1, 61)
        )
    )
    first = await admin.get("/app/audit")
    assert len(_rows(first.text)) == 50 and "page 1 of 2" in first.text
    assert _rows(first.text)[0][3].startswith("Vacancy 60")
    assert 'href="/app/audit?page=2"' in first.text
    second = await admin.get("/app/audit", params={"page": 2})
    assert [row[3] for row in _rows(second.text)][-1].startswith("Vacancy 1 ")
    assert len(_rows(second.text)) == 10


async def test_csv_export_of_the_filtered_rows_is_itself_recorded(admin: AsyncTestClient) -> None:
    ids = await _seed()
    r = await admin.get("/app/audit.csv", params={"action": "exported"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "audit-log.csv" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["Time (UTC)", "User", "Action", "Concerning", "Details"]
    assert [row[2] for row in rows[1:]] == ["Exported", "Exported"]
    # the export is in the log, with the filters it used
    r = await admin.get("/app/audit", params={"user": ids["admin@test.example"]})
    newest = _rows(r.text)[0]
    assert newest[2:4] == ["Exported", "Audit log (CSV)"]
    assert "Rows: 2" in newest[4] and "Action Exported" in newest[4]


async def test_only_admins_see_the_audit_log(client: AsyncTestClient) -> None:
    r = await client.get("/app/audit", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    for role in ("recruiter", "coach"):
        async with AsyncTestClient(app=create_app(get_settings())) as other:
            await login(other, role)
            await audit.record(None, "erased", "person:abc")
            r = await other.get("/app/audit")
            assert r.status_code == 403
            assert "This page is for admins only" in r.text and "person" not in r.text.lower()
            r = await other.get("/app/audit.csv")
            assert r.status_code == 403 and "text/csv" not in r.headers["content-type"]
            assert 'href="/app/audit"' not in (await other.get("/app")).text

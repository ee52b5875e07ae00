"""Background report jobs run by an explicit worker: a vacancy's ranked report as a real
PDF and a cycle's released 360 reports as a ZIP of real PDFs, progress to the end, reuse,
the audit log, who may follow and download a job (nobody but its owner, and only while
the owner may see its vacancy or cycle), a job taken again after its worker died, and a
failure recorded in words (real SQLite or PostgreSQL, PDFs checked by poppler)."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.core.db import utcnow
from server.core.vocabulary import JobStatus
from server.demo import reviews as demo360
from server.jobs import kinds, runner
from server.jobs import repository as jobs_repo
from server.outbox.worker import Worker
from server.settings import Settings, get_settings
from server.tables import AuditEvent, BackgroundJob, Campaign, StaffUser
from tests.conftest import PASSWORD, login
from tests.integration.hiring.test_hiring_reports import demo_vacancy, pdf_pages

pytestmark = pytest.mark.usefixtures("item_bank")


def settings_of(client: AsyncTestClient) -> Settings:
    return client.app.state.settings  # type: ignore[no-any-return]


async def start_vacancy_job(client: AsyncTestClient, cid: int, lang: str = "en") -> dict[str, Any]:
    r = await client.post(f"/api/v1/campaigns/{cid}/report-jobs?lang={lang}")
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


async def relogin(client: AsyncTestClient, email: str) -> None:
    """Log in again as an existing user."""
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def user_id(email: str) -> int:
    row = await StaffUser.select(StaffUser.id).where(StaffUser.email == email).first()
    return int(row["id"])


async def test_vacancy_pdf_job_reaches_its_total_and_gives_a_real_pdf(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    job = await start_vacancy_job(client, cid)
    assert job["status"] == "queued" and job["done"] == 0 and job["total"] == 0
    assert job["campaign_id"] == cid and job["lang"] == "en"
    assert job["page"] == f"/app/jobs/{job['id']}" and job["download"] is None
    # a second click while it waits is the same job
    assert (await start_vacancy_job(client, cid))["id"] == job["id"]
    # not done yet: the file is a conflict, not a 404
    r = await client.get(f"/api/v1/jobs/{job['id']}/download")
    assert r.status_code == 409, r.text

    worker = Worker(settings_of(client))
    assert await worker.tick() >= 1  # the worker's pass runs the job
    assert await runner.run_next("another", settings_of(client)) is False  # nothing left

    done = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert done["status"] == "done", done
    assert done["done"] == done["total"] == len(kinds.STEPS)
    assert done["filename"] == f"hiring-report-{cid}.pdf"
    assert done["download"] == f"/api/v1/jobs/{job['id']}/download"
    assert done["finished_at"] and done["expires_at"]

    r = await client.get(done["download"])
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="hiring-report-{cid}.pdf"'
    assert r.content[:5] == b"%PDF-"
    pages, text = pdf_pages(r.content, tmp_path, "job")
    assert pages >= 1
    assert campaign["name"].split(",")[0] in " ".join(text.split())
    # the same document the synchronous route prints (same pages)
    direct = await client.get(f"/api/v1/campaigns/{cid}/report?format=pdf&lang=en")
    assert pdf_pages(direct.content, tmp_path, "direct")[0] == pages

    # each download is an export in the audit log, as the direct PDF is
    exports = await AuditEvent.select(AuditEvent.target).where(AuditEvent.action == "exported")
    assert [e["target"] for e in exports].count(f"campaign:{cid}/report.pdf") == 2

    # a finished PDF is not reused (candidates may have submitted since)
    assert (await start_vacancy_job(client, cid))["id"] != job["id"]


async def test_cycle_zip_job_holds_one_pdf_per_person(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    await login(client, "coach")
    await demo360.load(np.random.default_rng(5))
    rid = (await client.get("/api/v1/reviews")).json()["items"][0]["id"]
    subjects = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()
    r = await client.post(f"/api/v1/reviews/{rid}/report-jobs?lang=sv")
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "cycle_reports_zip" and job["release"] == 1 and job["lang"] == "sv"

    assert await runner.run_next("w1", settings_of(client)) is True
    done = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert done["status"] == "done", done
    assert done["done"] == done["total"] == len(subjects)

    r = await client.get(f"/api/v1/jobs/{job['id']}/download")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == f'attachment; filename="360-{rid}-reports.zip"'
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert archive.testzip() is None
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    with_report = []
    for s in subjects:
        one = await client.get(f"/api/v1/reviews/{rid}/subjects/{s['id']}/report")
        if one.status_code == 200:
            with_report.append(s)
    assert len(pdfs) == len(with_report) >= 2
    for s in with_report:
        name = next(n for n in pdfs if n.startswith(f"360-{rid}-{s['id']}-"))
        data = archive.read(name)
        assert data[:5] == b"%PDF-"
        pages, text = pdf_pages(data, tmp_path, f"s{s['id']}")
        assert pages >= 1 and s["name"].split()[0] in text
    # printed in the language asked for (Swedish report headings)
    first = archive.read(pdfs[0])
    assert "360" in pdf_pages(first, tmp_path, "sv")[1]
    # people without a report are named, not silently left out
    if len(with_report) < len(subjects):
        assert "not-included.txt" in archive.namelist()

    # released reports do not change: the same release's ZIP is reused until it expires
    again = await client.post(f"/api/v1/reviews/{rid}/report-jobs?lang=sv")
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    # each person's report in the ZIP is an export in the audit log
    targets = {
        e["target"]
        for e in await AuditEvent.select(AuditEvent.target, AuditEvent.detail).where(
            AuditEvent.action == "exported"
        )
    }
    for s in with_report:
        assert f"review:{rid}/subject:{s['id']}/report.pdf" in targets


async def test_a_cycle_without_a_release_has_nothing_to_print(client: AsyncTestClient) -> None:
    from tests.integration.reviews.test_reviews import cycle

    rid, _sid = await cycle(client)
    r = await client.post(f"/api/v1/reviews/{rid}/report-jobs")
    assert r.status_code == 409, r.text
    assert await BackgroundJob.count() == 0


async def test_nobody_but_the_owner_follows_or_downloads_a_job(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    job = await start_vacancy_job(client, cid)
    assert await runner.run_next("w", settings_of(client)) is True
    jid = job["id"]
    paths = [
        f"/api/v1/jobs/{jid}",
        f"/api/v1/jobs/{jid}/download",
        f"/app/jobs/{jid}",
        f"/app/jobs/{jid}/download",
    ]
    for path in paths:
        assert (await client.get(path)).status_code == 200, path

    # another recruiter (their own vacancy elsewhere), a coach, even an admin: 404
    for role, email in (
        ("recruiter", "other.recruiter@test.example"),
        ("coach", None),
        ("admin", None),
    ):
        await login(client, role, email)
        for path in paths:
            r = await client.get(path)
            assert r.status_code == 404, (role, path, r.status_code)
        assert b"%PDF" not in r.content
    # nor may they start a job for a vacancy they cannot see
    await login(client, "recruiter", "third.recruiter@test.example")
    assert (await client.post(f"/api/v1/campaigns/{cid}/report-jobs")).status_code == 404
    await login(client, "coach", "coach2@test.example")
    assert (await client.post(f"/api/v1/campaigns/{cid}/report-jobs")).status_code == 403
    # a recruiter has no 360 cycles
    await login(client, "recruiter", "fourth.recruiter@test.example")
    assert (await client.post("/api/v1/reviews/1/report-jobs")).status_code == 403
    # without a session: 401 on the API, the login page on the pages
    client.cookies.clear()
    assert (await client.get(f"/api/v1/jobs/{jid}")).status_code == 401
    r = await client.get(f"/app/jobs/{jid}", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]

    # the owner loses the vacancy (handed to another recruiter): their job goes with it
    other = await user_id("other.recruiter@test.example")
    await Campaign.update({Campaign.owner: other}).where(Campaign.id == cid)
    await relogin(client, "recruiter@test.example")
    for path in paths:
        assert (await client.get(path)).status_code == 404, path
    # downloads refused leave no export in the audit log
    exports = await AuditEvent.count().where(AuditEvent.action == "exported")
    assert exports == 2  # the two the owner made while allowed


async def test_a_job_held_by_a_dead_worker_is_taken_again_after_its_lock(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    job = await start_vacancy_job(client, campaign["id"])
    settings = settings_of(client)

    dead = await jobs_repo.claim("dead-worker", lock_seconds=60)
    assert dead is not None and dead.id == job["id"] and dead.tries == 1
    assert await jobs_repo.progress(dead, 1, 4, lock_seconds=60)
    shown = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert shown["status"] == "running" and (shown["done"], shown["total"]) == (1, 4)
    # while its lock holds, nobody else takes it
    assert await runner.run_next("alive", settings) is False
    # the worker died: its lock runs out
    await BackgroundJob.update({BackgroundJob.locked_until: utcnow() - timedelta(seconds=1)}).where(
        BackgroundJob.id == job["id"]
    )
    assert await runner.run_next("alive", settings) is True
    done = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert done["status"] == "done" and done["done"] == done["total"] == 4
    row = await BackgroundJob.select(BackgroundJob.tries).where(BackgroundJob.id == job["id"])
    assert row[0]["tries"] == 2
    # the dead worker wakes up: it holds nothing any more and overwrites nothing
    assert not await jobs_repo.progress(dead, 2, 4, lock_seconds=60)
    assert not await jobs_repo.fail(dead, "late", keep=timedelta(hours=1))
    r = await client.get(f"/api/v1/jobs/{job['id']}/download")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"


async def test_a_job_whose_workers_keep_dying_fails_in_words(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    job = await start_vacancy_job(client, campaign["id"])
    for n in range(runner.MAX_TRIES):
        held = await jobs_repo.claim(f"crashing-{n}", lock_seconds=60)
        assert held is not None and held.tries == n + 1
        await BackgroundJob.update(
            {BackgroundJob.locked_until: utcnow() - timedelta(seconds=1)}
        ).where(BackgroundJob.id == job["id"])
    # no worker takes it a fourth time, even one that tidied a moment ago
    assert await jobs_repo.claim("another", lock_seconds=60, max_tries=runner.MAX_TRIES) is None
    assert await runner.run_next("tidy-worker", settings_of(client)) is False
    shown = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert shown["status"] == "failed" and shown["error"] == runner.STOPPED


async def test_a_failure_is_recorded_with_its_reason_and_shown_in_words(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    owner = await user_id("recruiter@test.example")
    job = await start_vacancy_job(client, cid, lang="ru")
    # the vacancy is handed to someone else before a worker gets to it
    await login(client, "recruiter", "colleague@test.example")
    colleague = await user_id("colleague@test.example")
    await Campaign.update({Campaign.owner: colleague}).where(Campaign.id == cid)
    assert await runner.run_next("w", settings_of(client)) is True
    row = await BackgroundJob.select().where(BackgroundJob.id == job["id"]).first()
    assert row["status"] == JobStatus.FAILED
    assert row["error"] == kinds.GONE_VACANCY and row["result"] is None
    assert row["finished_at"] is not None and row["expires_at"] > utcnow()
    # handed back: the owner reads why it failed, on the API and on the page
    await Campaign.update({Campaign.owner: owner}).where(Campaign.id == cid)
    await relogin(client, "recruiter@test.example")
    shown = (await client.get(f"/api/v1/jobs/{job['id']}")).json()
    assert shown["status"] == "failed" and shown["error"] == kinds.GONE_VACANCY
    assert (await client.get(f"/api/v1/jobs/{job['id']}/download")).status_code == 409
    page = (await client.get(f"/app/jobs/{job['id']}")).text
    assert "The file could not be made: The vacancy was deleted" in page
    assert "vacancy_report_pdf" not in page and "failed" not in re.sub(r"<[^>]+>", "", page)


async def test_an_unknown_kind_fails_instead_of_blocking_the_queue(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    owner = await user_id("recruiter@test.example")
    ident = await jobs_repo.enqueue("made_up_kind", owner, {})
    assert await runner.run_next("w", settings_of(client)) is True
    row = await jobs_repo.get(ident)
    assert row is not None and row["status"] == "failed" and row["error"] == runner.UNKNOWN_KIND


async def test_expired_jobs_are_deleted_with_their_files(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    job = await start_vacancy_job(client, campaign["id"])
    assert await runner.run_next("w", settings_of(client)) is True
    assert (await client.get(f"/api/v1/jobs/{job['id']}/download")).status_code == 200
    await BackgroundJob.update({BackgroundJob.expires_at: utcnow() - timedelta(seconds=1)}).where(
        BackgroundJob.id == job["id"]
    )
    # expired: gone for the owner at once, deleted by the next worker's tidy-up
    assert (await client.get(f"/api/v1/jobs/{job['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/jobs/{job['id']}/download")).status_code == 404
    await runner.run_next("fresh-worker", settings_of(client))
    assert await BackgroundJob.count().where(BackgroundJob.id == job["id"]) == 0


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_pages_offer_the_job_for_a_large_vacancy_and_follow_it(tmp_path: Path) -> None:
    settings = dataclasses.replace(get_settings(), report_job_above=10)
    async with AsyncTestClient(app=create_app(settings)) as client:
        campaign = await demo_vacancy(client, tmp_path)
        cid = campaign["id"]
        page = (await client.get(f"/app/campaigns/{cid}")).text
        # 40 submitted > 10: the page offers the job instead of the direct PDF link
        assert f'action="/app/campaigns/{cid}/report-jobs"' in page
        assert f"/api/v1/campaigns/{cid}/report?format=pdf" not in page
        assert "40 candidates have submitted" in page
        r = await client.post(
            f"/app/campaigns/{cid}/report-jobs",
            data={"_csrf_token": csrf(page)},
            follow_redirects=False,
        )
        assert r.status_code in (302, 303), r.text
        where = r.headers["location"]
        jid = int(where.rsplit("/", 1)[1])
        assert where == f"/app/jobs/{jid}"
        waiting = (await client.get(where)).text
        assert "Waiting for a worker to start." in waiting and "<progress" in waiting
        assert f'data-poll="/api/v1/jobs/{jid}"' in waiting and "/static/jobs.js" in waiting
        assert f'href="/app/jobs/{jid}">Refresh</a>' in waiting
        assert "<script>" not in waiting  # only the static file (CSP: script-src 'self')
        # a POST without the CSRF token changes nothing
        r = await client.post(f"/app/campaigns/{cid}/report-jobs", data={})
        assert r.status_code == 403
        assert await BackgroundJob.count() == 1
        # the vacancy page links to the job it started
        page = (await client.get(f"/app/campaigns/{cid}")).text
        assert f'href="/app/jobs/{jid}"' in page and "waiting" in page
        # the download before it is done leads back to the job's page
        r = await client.get(f"/app/jobs/{jid}/download", follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == where

        assert await runner.run_next("w", settings) is True
        ready = (await client.get(where)).text
        assert "Ready." in ready and f'href="/app/jobs/{jid}/download"' in ready
        assert "data-poll" not in ready and "Download the PDF" in ready
        r = await client.get(f"/app/jobs/{jid}/download")
        assert r.status_code == 200 and r.content[:5] == b"%PDF-"
        assert r.headers["content-disposition"] == f'attachment; filename="hiring-report-{cid}.pdf"'
        # in Russian too
        client.cookies.set("lang", "ru")
        ru = (await client.get(where)).text
        assert '<html lang="ru">' in ru

    # at the default threshold (200) a 40-candidate vacancy keeps its direct PDF link
    async with AsyncTestClient(app=create_app(get_settings())) as client:
        await relogin(client, "recruiter@test.example")
        page = (await client.get(f"/app/campaigns/{cid}")).text
        assert f"/api/v1/campaigns/{cid}/report?format=pdf" in page
        assert f'action="/app/campaigns/{cid}/report-jobs"' not in page
        # ...and still lists the job this user started
        assert f'href="/app/jobs/{jid}"' in page


async def test_cycle_page_offers_every_report_as_a_zip_once_released(
    client: AsyncTestClient,
) -> None:
    await login(client, "coach")
    await demo360.load(np.random.default_rng(5))
    rid = (await client.get("/api/v1/reviews")).json()["items"][0]["id"]
    page = (await client.get(f"/app/reviews/{rid}")).text
    assert f'action="/app/reviews/{rid}/report-jobs"' in page
    assert "Prepare all reports (ZIP)" in page
    r = await client.post(
        f"/app/reviews/{rid}/report-jobs", data={"_csrf_token": csrf(page)}, follow_redirects=False
    )
    assert r.status_code in (302, 303)
    where = r.headers["location"]
    await runner.run_next("w", settings_of(client))
    ready = (await client.get(where)).text
    assert "Ready." in ready and "Download the ZIP" in ready
    assert re.search(r"One PDF for each of \d+ people\.", ready)
    r = await client.get(where + "/download")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"


async def test_workers_claiming_at_once_never_take_the_same_job(client: AsyncTestClient) -> None:
    """Six workers claim together over five queued jobs: each job goes to exactly one of
    them (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time)."""
    await login(client, "recruiter")
    owner = await user_id("recruiter@test.example")
    queued = {
        await jobs_repo.enqueue("vacancy_report_pdf", owner, {"campaign": n}) for n in range(5)
    }
    claimed = await asyncio.gather(*(jobs_repo.claim(f"w{n}", lock_seconds=60) for n in range(6)))
    taken = [c.id for c in claimed if c is not None]
    assert sorted(taken) == sorted(queued)  # every job once, and one worker went empty-handed
    rows = await BackgroundJob.select(BackgroundJob.status, BackgroundJob.tries)
    assert {(r["status"], r["tries"]) for r in rows} == {("running", 1)}

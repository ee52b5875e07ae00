"""Hiring reports: the ranked report of a vacancy (HTML, PDF, CSV), the candidate report,
the technical report, the stored reliability snapshot, the voluntary equal-opportunities
question and who may see what (real SQLite or PostgreSQL, real PDFs through poppler)."""

from __future__ import annotations

import csv
import gettext
import html as htmllib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from assessments.psychometrics import read_alpha
from reports import hiring
from server.demo.hiring import load_vacancy
from server.respondent import repository as responses
from server.tables import AuditEvent, MonitoringAnswer, ReliabilitySnapshot, StaffUser
from tests.conftest import PASSWORD, login, make_user
from tests.integration.hiring.test_campaigns import new_campaign, take

pytestmark = pytest.mark.usefixtures("item_bank")


async def demo_vacancy(client: AsyncTestClient, tmp_path: Path) -> dict[str, Any]:
    """The demo vacancy (40 simulated candidates, cut 55), owned by the logged-in recruiter."""
    await login(client, "recruiter")
    await load_vacancy(np.random.default_rng(11), tmp_path)
    return (await client.get("/api/v1/campaigns")).json()["items"][0]


async def give_monitoring(ranking: dict[str, Any]) -> None:
    """Voluntary answers: most candidates say woman or man, two another gender, two decline;
    three are 40 or over (a group too small to show), the rest under 40."""
    ids = [r["candidate_id"] for r in ranking["ranked"]]
    for n, cid in enumerate(ids):
        gender = "another" if n in (3, 17) else "prefer_not" if n in (5, 30) else "woman"
        if gender == "woman" and n % 2:
            gender = "man"
        await responses.save_monitoring(
            cid, {"gender": gender, "age_band": "40_plus" if n in (1, 2, 20) else "under_40"}
        )


def pdf_pages(data: bytes, tmp_path: Path, name: str) -> tuple[int, str]:
    """Render every page with pdftoppm (checking each became an image); the PDF's text."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    out = tmp_path / name
    done = subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(out)], check=False)
    assert done.returncode == 0
    pngs = list(tmp_path.glob(f"{name}-*.png"))
    assert len(pngs) == pages >= 1
    assert all(p.stat().st_size > 0 for p in pngs)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


async def test_ranked_report_shows_the_ranking_bands_reliability_and_fairness(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    await give_monitoring(ranking)
    reliability = (await client.get(f"/api/v1/campaigns/{cid}/reliability")).json()["forms"][0]
    r = await client.get(f"/api/v1/campaigns/{cid}/report?format=html")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]
    page = r.text
    (tmp_path / "report.html").write_text(page)
    # summary
    assert ">40</b>" in page and "passed the cut of 55" in page
    # every candidate with their score, in ranking order, band 1 highlighted
    positions = []
    for row in ranking["ranked"]:
        cells = re.search(
            rf">{re.escape(htmllib.escape(row['name']))}</a>.*?<strong>([\d.]+)</strong>",
            page,
            re.S,
        )
        assert cells and float(cells.group(1)) == round(row["score"], 1), row["name"]
        positions.append(cells.start())
    assert positions == sorted(positions)
    top = sum(1 for row in ranking["ranked"] if row["band"] == 1)
    assert page.count('<tr class="top">') == top > 0
    assert "Band 1" in page and "√2 × SEM" in page
    assert f"{ranking['bands']['width']:.1f} points" in page
    # reliability: alpha, its interval and the SEM, in words too
    alpha = f"{reliability['alpha']:.2f}".replace("0.", ".")
    lo, hi = (f"{v:.2f}".replace("0.", ".") for v in reliability["alpha_ci"])
    assert f"<b>{alpha}</b>" in page and f"{lo}–{hi}" in page
    assert f"<b>{reliability['sem']:.1f}</b>" in page
    band = read_alpha(reliability["alpha"]).band  # type: ignore[union-attr]
    assert f">{band}</span> {band.capitalize()}: " in page
    # the score chart with the cut marked
    assert "<svg" in page and "Distribution of total scores" in page and "cut 55" in page
    # adverse impact in groups only: "another" (2) hidden, "40 or over" (3) hidden
    assert "Fairness across groups" in page and "four fifths" in page
    section = page.split("Fairness across groups")[1]
    assert ">Woman" in section and ">Man" in section
    assert "Not shown, fewer than 5 candidates: Another gender." in section
    assert "Not shown, fewer than 5 candidates: 40 or over." in section
    assert "Too few candidates in each group to compare groups." in section
    assert "Prefer not to say" not in section
    # nobody's answer next to their name: the ranking has no monitoring words
    ranking_part = page.split('id="ranking-h"')[1].split('id="ai-h"')[0]
    for word in ("Woman", "Man<", "Another gender", "Under 40", "40 or over"):
        assert word not in ranking_part
    # the recruiter's view was recorded
    me = await StaffUser.select(StaffUser.id).where(StaffUser.email == "recruiter@test.example")
    events = await AuditEvent.select().where(AuditEvent.target == f"campaign:{cid}/report.html")
    assert [(e["actor"], e["action"]) for e in events] == [(me[0]["id"], "viewed")]


async def test_pdf_and_csv_of_the_ranked_report(client: AsyncTestClient, tmp_path: Path) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    r = await client.get(f"/api/v1/campaigns/{cid}/report?format=pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert 'filename="hiring-report-' in r.headers["content-disposition"]
    pages, text = pdf_pages(r.content, tmp_path, "hiring")
    assert pages >= 2
    flat = " ".join(text.split())
    for row in ranking["ranked"]:  # a long name may wrap in its cell
        assert all(part in flat for part in row["name"].split())
    assert "Distribution of total scores" in flat or "Score distribution" in flat
    assert "/api/v1/" not in r.content.decode("latin-1")  # no candidate links in print
    r = await client.get(f"/api/v1/campaigns/{cid}/report?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["rank", "candidate_id", "name", "score"]
    assert [row[2] for row in rows[1:]] == [row["name"] for row in ranking["ranked"]]
    assert [float(row[3]) for row in rows[1:]] == [row["score"] for row in ranking["ranked"]]
    actions = {
        (e["action"], e["target"])
        for e in await AuditEvent.select(AuditEvent.action, AuditEvent.target)
    }
    assert ("exported", f"campaign:{cid}/report.pdf") in actions
    assert ("exported", f"campaign:{cid}/report.csv") in actions


HOSTILE = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://x","y")'


async def small_vacancy(client: AsyncTestClient, **extra: Any) -> tuple[int, dict[str, int]]:
    """A vacancy whose candidates took the test by the key: a hostile name, a formula, others."""
    await login(client, "recruiter")
    campaign = await new_campaign(client, **extra)
    ids = {}
    for name, pick in ((HOSTILE, "best"), (FORMULA, "middle"), ("Worst Pick", "worst")):
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": name, "email": f"{len(ids)}@example.org"},
        )
        ids[name] = r.json()["id"]
        await take(client, r.json()["link"], pick)
    return campaign["id"], ids


async def test_hostile_names_are_escaped_and_csv_cells_neutralised(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    cid, ids = await small_vacancy(client, cut_score=60)
    for url in (
        f"/api/v1/campaigns/{cid}/report?format=html",
        f"/api/v1/campaigns/{cid}/candidates/{ids[HOSTILE]}/report?format=html",
        f"/api/v1/campaigns/{cid}/technical-report?format=html",
        f"/app/campaigns/{cid}",
    ):
        page = (await client.get(url)).text
        assert "<script>alert" not in page, url
    page = (await client.get(f"/api/v1/campaigns/{cid}/report?format=html")).text
    assert htmllib.escape(HOSTILE) in page or "&lt;script&gt;alert(&#34;x&#34;)" in page
    # too few candidates for stable statistics: said so, nothing breaks
    assert "Only 3 submitted candidates" in page
    for url, name in (
        (f"/api/v1/campaigns/{cid}/report?format=pdf", "hiring"),
        (f"/api/v1/campaigns/{cid}/candidates/{ids[HOSTILE]}/report?format=pdf", "candidate"),
        (f"/api/v1/campaigns/{cid}/technical-report?format=pdf", "technical"),
    ):
        r = await client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        _, text = pdf_pages(r.content, tmp_path, name)
        if name != "technical":  # printed literally, as text (it may wrap in a narrow cell)
            assert HOSTILE in "".join(text.split())
        if name == "candidate":
            assert HOSTILE in text
    text = (await client.get(f"/api/v1/campaigns/{cid}/report?format=csv")).text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "'<script>" not in text and HOSTILE.replace('"', '""') in text
    text = (await client.get(f"/api/v1/campaigns/{cid}/ranking?format=csv")).text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


async def test_candidate_report_against_the_role(client: AsyncTestClient, tmp_path: Path) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    await give_monitoring(ranking)
    form = (await client.get(f"/api/v1/campaigns/{cid}/reliability")).json()["forms"][0]
    role = (await client.get(f"/api/v1/roles/{campaign['role_id']}")).json()
    levels = {c["competency"]: c["required_level"] for c in role["competencies"]}
    row = ranking["ranked"][len(ranking["ranked"]) // 2]
    url = f"/api/v1/campaigns/{cid}/candidates/{row['candidate_id']}/report"
    r = await client.get(url)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["score"], got["rank"], got["percentile"], got["sten"]) == (
        row["name"],
        row["score"],
        row["rank"],
        row["percentile"],
        row["sten"],
    )
    assert got["ranked"] == len(ranking["ranked"]) and got["band"] == row["band"]
    # 95 % interval: score +- 1.96 SEM of the form, within 0-100
    lo, hi = got["ci"]
    assert got["sem"] == form["sem"] and got["alpha"] == form["alpha"]
    assert lo == pytest.approx(max(0, row["score"] - 1.96 * form["sem"]), abs=0.06)
    assert hi == pytest.approx(min(100, row["score"] + 1.96 * form["sem"]), abs=0.06)
    # the profile: each select-for competency against its required level (1-5 -> 0-100)
    assert [p["key"] for p in got["profile"]] == list(row["competency_scores"])
    for p in got["profile"]:
        assert p["required_level"] == levels[p["key"]]
        assert p["mark"] == 25 * (p["required_level"] - 1)
        assert p["score"] == row["competency_scores"][p["key"]]
        gap = p["score"] - p["mark"]
        expected = "strength" if gap >= 12.5 else "risk" if gap < -12.5 else "in_line"
        assert p["reading"] == expected
    # interview questions for the 2-3 weakest, from their indicators
    assert 2 <= len(got["probes"]) <= 3
    gaps = sorted(p["score"] - p["mark"] for p in got["profile"])
    assert [p["score"] - p["mark"] for p in got["probes"]] == gaps[: len(got["probes"])]
    comps = {
        c["key"]: c
        for c in (await client.get("/api/v1/competencies?flag=select_for&limit=100")).json()[
            "items"
        ]
    }
    for probe in got["probes"]:
        texts = {i["text"] for i in comps[probe["key"]]["indicators"]}
        assert probe["questions"] and all(q["indicator"] in texts for q in probe["questions"])
        assert probe["questions"][0]["question"].startswith("Tell me about a time when")
    # never any equal-opportunities answer, in any format
    html = (await client.get(f"{url}?format=html")).text
    for text in (r.text, html):
        for word in ("gender", "Gender", "Woman", "40 or over", "Under 40", "age_band"):
            assert word not in text
    assert "level 1 = 0, 2 = 25, 3 = 50, 4 = 75, 5 = 100" in html
    assert "<svg" in html and "Competency profile" in html and "Questions for the interview" in html
    assert f"{lo:.1f}–{hi:.1f}" in html
    # not submitted: 409; unknown or another vacancy's candidate: 404
    pending = ranking["not_submitted"][0]["candidate_id"]
    assert (
        await client.get(f"/api/v1/campaigns/{cid}/candidates/{pending}/report")
    ).status_code == 409
    assert (
        await client.get(f"/api/v1/campaigns/{cid}/candidates/999999/report")
    ).status_code == 404
    events = await AuditEvent.select().where(
        AuditEvent.target == f"campaign:{cid}/candidate:{row['candidate_id']}.json"
    )
    assert len(events) == 1 and events[0]["action"] == "viewed"


async def test_technical_report_per_form(client: AsyncTestClient, tmp_path: Path) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    reliability = (await client.get(f"/api/v1/campaigns/{cid}/reliability")).json()["forms"]
    r = await client.get(f"/api/v1/campaigns/{cid}/technical-report")
    assert r.status_code == 200, r.text
    got = r.json()
    form = got["forms"][0]
    assert form == reliability[0]
    assert form["n"] == 40 and form["format"] == "most_least" and form["name"]
    assert "pairwise" in form["missing"] and "answered completely" in got["scoring_missing"]
    # option analysis: most and least of every item, the keyed options marked
    assert len(form["options"]) == 2 * form["k"]
    assert {o["choice"] for o in form["options"]} == {"most", "least"}
    for o in form["options"]:
        assert sum(opt["keyed"] for opt in o["options"]) == 1 and o["n"] <= 40
        shares = [opt["share"] for opt in o["options"]]
        assert sum(shares) == pytest.approx(1.0, abs=1e-3)
        assert ("unused option(s)" in o["flags"]) == (0 in shares)
    # norms of the totals
    scores = np.array([row["score"] for row in ranking["ranked"]])
    norms = form["norms"]
    assert norms["n"] == 40 and norms["mean"] == pytest.approx(scores.mean(), abs=0.01)
    assert norms["sd"] == pytest.approx(scores.std(ddof=1), abs=0.01)
    assert norms["percentiles"]["50"] == pytest.approx(np.median(scores), abs=0.01)
    assert [row["score"] for row in norms["table"]] == list(range(0, 101, 10))
    html = (await client.get(f"/api/v1/campaigns/{cid}/technical-report?format=html")).text
    for heading in ("Reliability", "Item analysis", "Option analysis", "Norms", "Missing data"):
        assert heading in html
    alpha = f"{form['alpha']:.2f}".replace("0.", ".")
    assert f"<b>{alpha}</b>" in html and f"<b>{form['sem']:.2f}</b>" in html
    for item in form["items"]:
        assert item["key"] in html
    r = await client.get(f"/api/v1/campaigns/{cid}/technical-report?format=pdf")
    pages, text = pdf_pages(r.content, tmp_path, "technical")
    assert pages >= 2 and "Option analysis" in text


async def _analysis_snapshots(cid: int) -> list[dict[str, Any]]:
    return await ReliabilitySnapshot.select().where(
        (ReliabilitySnapshot.scope_id == cid) & (ReliabilitySnapshot.scope == "campaign")
    )


async def test_reliability_is_stored_and_redone_only_when_the_data_change(
    client: AsyncTestClient,
) -> None:
    cid, _ = await small_vacancy(client)
    url = f"/api/v1/campaigns/{cid}/reliability"
    first = (await client.get(url)).json()
    stored = await _analysis_snapshots(cid)
    assert len(stored) == 1 and stored[0]["scope"] == "campaign"
    assert first["forms"][0]["n"] == 3
    # nothing changed: the stored result is served as it is (the reports use it too)
    for again in (url, f"/api/v1/campaigns/{cid}/report?format=html", f"{url}"):
        assert (await client.get(again)).status_code == 200
    same = await _analysis_snapshots(cid)
    assert same == stored
    # a candidate who only starts changes nothing either
    r = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "New", "email": "new@example.org"}
    )
    link = r.json()["link"]
    token = link.rsplit("/", 1)[1]
    await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert (await client.get(url)).json() == first
    assert await _analysis_snapshots(cid) == stored
    # a new submission: recomputed and stored again
    await client.post(f"/api/v1/respond/{token}/submit")
    again = (await client.get(url)).json()
    assert again["forms"][0]["n"] == 4
    redone = await _analysis_snapshots(cid)
    assert len(redone) == 1
    assert redone[0]["data_state"] != stored[0]["data_state"]
    assert redone[0]["computed_at"] >= stored[0]["computed_at"]


async def test_who_may_see_the_reports(client: AsyncTestClient) -> None:
    cid, ids = await small_vacancy(client)
    urls = [
        f"/api/v1/campaigns/{cid}/report?format=html",
        f"/api/v1/campaigns/{cid}/report?format=csv",
        f"/api/v1/campaigns/{cid}/candidates/{ids['Worst Pick']}/report",
        f"/api/v1/campaigns/{cid}/technical-report",
        f"/api/v1/campaigns/{cid}/reliability",
    ]
    client.cookies.clear()
    for url in urls:
        assert (await client.get(url)).status_code == 401, url
    await make_user("recruiter", "other@test.example")
    r = await client.post(
        "/api/v1/auth/login", json={"email": "other@test.example", "password": PASSWORD}
    )
    assert r.status_code == 200
    for url in urls:
        assert (await client.get(url)).status_code == 404, url
    await login(client, "coach")
    for url in urls:
        assert (await client.get(url)).status_code == 403, url
    assert await AuditEvent.count() == 0  # refused requests leave no trace of a view
    await login(client, "admin")
    for url in urls:
        assert (await client.get(url)).status_code == 200, url


async def test_vacancy_page_links_the_reports(client: AsyncTestClient) -> None:
    cid, ids = await small_vacancy(client)
    page = (await client.get(f"/app/campaigns/{cid}")).text
    # each in the page's language
    assert f'href="/api/v1/campaigns/{cid}/report?format=html&amp;lang=en"' in page
    assert f'href="/api/v1/campaigns/{cid}/report?format=pdf&amp;lang=en"' in page
    assert f'href="/api/v1/campaigns/{cid}/technical-report?format=html&amp;lang=en"' in page
    for cand in ids.values():
        assert (
            f'href="/api/v1/campaigns/{cid}/candidates/{cand}/report?format=html&amp;lang=en"'
            in page
        )


async def test_voluntary_monitoring_question_after_submission(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    r = await client.post(
        f"/api/v1/campaigns/{campaign['id']}/candidates",
        json={"name": "Ada Lind", "email": "ada@example.org"},
    )
    url = r.json()["link"]
    # before submission there is nothing to answer, and nothing is stored
    r = await client.post(f"{url}/monitoring", data={"gender": "woman"}, follow_redirects=False)
    assert r.status_code in (302, 303)
    assert await MonitoringAnswer.count() == 0
    await take(client, url)
    done = await client.get(url)
    assert "Optional: equal-opportunities questions" in done.text
    assert "used only in aggregate" in done.text and "never shown to the recruiter" in done.text
    assert 'name="gender" value="prefer_not"' in done.text
    assert 'name="age_band" value="40_plus"' in done.text
    r = await client.post(f"{url}/monitoring", data={"gender": "woman", "age_band": "nonsense"})
    assert r.status_code == 200 and "your answers are saved" in r.text
    assert 'name="gender" value="woman" checked' in r.text
    rows = await MonitoringAnswer.select(MonitoringAnswer.question, MonitoringAnswer.answer)
    assert rows == [{"question": "gender", "answer": "woman"}]
    # change one answer, add another: still one row per question
    await client.post(f"{url}/monitoring", data={"gender": "another", "age_band": "under_40"})
    rows = await MonitoringAnswer.select(
        MonitoringAnswer.question, MonitoringAnswer.answer
    ).order_by(MonitoringAnswer.question)
    assert rows == [
        {"question": "age_band", "answer": "under_40"},
        {"question": "gender", "answer": "another"},
    ]
    r = await client.post(f"{url}/monitoring", data={"withdraw": "yes"})
    assert "removed" in r.text and await MonitoringAnswer.count() == 0
    # the page follows the candidate's language
    ru = await client.get(f"{url}?lang=ru")
    assert '<html lang="ru">' in ru.text


def test_small_monitoring_groups_are_merged_or_hidden() -> None:
    """Groups under 5 are pooled when the pool reaches 5, hidden otherwise; declines ignored."""
    t = gettext.NullTranslations()
    labels = {"q": ("Question", {"a": "A", "b": "B", "c": "C", "d": "D", "prefer_not": "No"})}
    answers = ["a"] * 12 + ["b"] * 10 + ["c"] * 3 + ["d"] * 2 + ["prefer_not"] * 4
    selected = {n: n % 2 == 0 for n in range(len(answers))}
    (table,) = hiring.impact_tables(selected, {"q": dict(enumerate(answers))}, labels, t)
    assert [(r.group, r.n) for r in table.rows] == [
        ("A", 12),
        ("B", 10),
        ("Other answers (combined)", 5),
    ]
    assert table.notes[0] == (
        "Groups of fewer than 5 candidates are combined as “Other answers (combined)”: C, D."
    )
    assert sum(r.reference for r in table.rows) == 1
    # one small group alone cannot be pooled: hidden, and said so
    answers = ["a"] * 12 + ["b"] * 10 + ["c"] * 3
    (table,) = hiring.impact_tables(
        {n: n % 3 == 0 for n in range(25)}, {"q": dict(enumerate(answers))}, labels, t
    )
    assert [r.group for r in table.rows] == ["A", "B"]
    assert "Not shown, fewer than 5 candidates: C." in table.notes
    assert any("Only 22 candidates answered" in n for n in table.notes)
    # candidates without a selection decision (no score) do not count
    (table,) = hiring.impact_tables({0: True}, {"q": {0: "a", 1: "b"}}, labels, t)
    assert table.rows == () and "Too few candidates in each group" in table.notes[-1]

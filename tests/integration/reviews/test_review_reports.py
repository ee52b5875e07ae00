"""360 reports in every format (JSON, HTML, PDF, CSV), the cycle's reliability and its
technical report: content, anonymity, hostile comment text, audit, every PDF page renders."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from server.demo import reviews as demo360
from server.reviews import repository as repo
from server.tables import AuditEvent, ReliabilitySnapshot, StaffUser
from tests.conftest import login
from tests.integration.reviews.test_reviews import cycle, rater, release

pytestmark = pytest.mark.usefixtures("demo_library")

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
SUPPRESSED_COMMENT = "Only-the-lone-peer-wrote-this"


async def answer_all(token: str, value: int, comment: str = "") -> None:
    """Submit a whole form at once (the API path is tested in test_reviews.py):
    ``value`` on every statement, ``comment`` on both open questions."""
    session = await repo.find_rater(token)
    assert session is not None
    answers: dict[int, dict[str, object]] = {
        s.id: {"rating": value} for s in session.instrument.statements
    }
    if comment:
        answers |= {q.id: {"comment": comment} for q in session.instrument.questions}
    await repo.record_submitted_form(session, answers)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def pdf_pages_render(data: bytes, tmp_path: Path) -> int:
    """Render every page with pdftoppm; the number of PNGs must equal pdfinfo's pages."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    out = tmp_path / "png"
    out.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(out / "p")], check=True)
    pngs = sorted(out.glob("p-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 1000 for p in pngs)
    return pages


def html_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def _coach_id() -> int:
    return (await StaffUser.select(StaffUser.id).where(StaffUser.role == "coach").first())["id"]


async def anonymity_cycle(client: AsyncTestClient) -> tuple[int, int]:
    """Self, manager, 3 peers, 2 direct reports, 3 customers: direct reports are
    suppressed (2 < 3) and customers withheld too (9 others - 1 - 3 - 3 = 2 would leave
    the direct reports' ratings to subtraction). Peers write hostile comments."""
    rid, sid = await cycle(client)
    plan = {
        "self": (["maria@example.org"], 5, "I keep calm."),
        "manager": (["mona@example.org"], 3, "Solid work."),
        "peer": ([f"peer{n}@example.org" for n in range(3)], 4, SCRIPT),
        "direct_report": ([f"report{n}@example.org" for n in range(2)], 1, FORMULA),
        "customer": ([f"cust{n}@example.org" for n in range(3)], 2, "Helpful on the phone."),
    }
    for group, (emails, value, comment) in plan.items():
        for n, email in enumerate(emails):
            name = "Maria Berg" if group == "self" else f"{group.title()}{n} Secret"
            token = await rater(client, rid, sid, name, email, group)
            await answer_all(token, value, comment=comment)
    await release(client, rid)
    return rid, sid


async def test_subject_report_anonymous_and_safe_in_every_format(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    rid, sid = await anonymity_cycle(client)
    url = f"/api/v1/reviews/{rid}/subjects/{sid}/report"

    r = await client.get(f"{url}?format=json")
    assert r.status_code == 200, r.text
    report = r.json()
    assert set(report["suppressed_groups"]) == {"direct_report", "customer"}
    assert set(report["groups"]) == {"self", "manager", "peer", "others"}
    text = json.dumps(report)
    assert text.count("direct_report") == 1 and text.count("customer") == 1
    agreement = report["agreement"]
    assert [g["group"] for g in agreement["groups"]] == ["peer", "others"]
    assert agreement["groups"][1]["n"] == 9 == report["groups"]["others"]["n"]
    # every peer rated 4 on every statement: full agreement on each competency
    assert all(v == 1.0 for v in agreement["groups"][0]["rwg"].values())
    assert "ICC(2,1)" in agreement["method"]

    r = await client.get(f"{url}?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    header = rows[0]
    assert "direct_report mean" not in header and "customer n" not in header
    assert {"self mean", "others mean", "peer mean", "manager n"} <= set(header)
    cells = [c for row in rows for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells  # neutralised, not dropped
    assert SCRIPT in cells  # plain text in a CSV, harmless
    assert rows[-1] == [
        "not shown (fewer raters than the anonymity threshold)",
        "direct_report",
        "customer",
    ]
    assert not any("Secret" in c or "@" in c for c in cells)

    r = await client.get(f"{url}?format=html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "style-src 'sha256-" in r.headers["content-security-policy"]
    html = r.text
    assert SCRIPT not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    words = html_text(html)
    # suppressed groups are named once, in the note, never with a number or a figure
    for label in ("Direct reports", "Customers"):
        assert words.count(label) == 1, label
    note = re.search(r'<p class="note suppressed">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"anonymous: ([^.]*)\.", note).group(1) == "Direct reports, Customers"
    assert "Peers" in words and "All others" in words
    assert not re.search(r"Secret|report\d@|mona@", html)

    r = await client.get(f"{url}?format=pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path)
    assert "Maria Berg" in text
    assert SCRIPT in text  # shown as text, not run and not dropped
    assert text.count("Direct reports") == 1 and text.count("Customers") == 1
    assert "Secret" not in text
    assert pdf_pages_render(r.content, tmp_path) >= 2

    coach = await _coach_id()
    events = await AuditEvent.select().where(AuditEvent.actor == coach).order_by(AuditEvent.id)
    assert [(e["action"], e["target"]) for e in events] == [
        ("closed", f"review:{rid}"),
        ("released", f"review:{rid}/release:1"),
        ("viewed", f"review:{rid}/subject:{sid}/report.json"),
        ("exported", f"review:{rid}/subject:{sid}/report.csv"),
        ("viewed", f"review:{rid}/subject:{sid}/report.html"),
        ("exported", f"review:{rid}/subject:{sid}/report.pdf"),
    ]


async def test_a_group_used_nowhere_leaves_no_trace(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    # self, manager and one peer: "others" has 2 raters, so the peer counts nowhere
    rid, sid = await cycle(client)
    for group, email, value, comment in (
        ("self", "maria@example.org", 4, "My own view."),
        ("manager", "mona@example.org", 3, "Manager view."),
        ("peer", "pia@example.org", 1, SUPPRESSED_COMMENT),
    ):
        name = "Maria Berg" if group == "self" else f"{group} person"
        await answer_all(await rater(client, rid, sid, name, email, group), value, comment)
    await release(client, rid)
    url = f"/api/v1/reviews/{rid}/subjects/{sid}/report"
    report = (await client.get(f"{url}?format=json")).json()
    assert report["suppressed_groups"] == ["peer"]
    assert set(report["groups"]) == {"self", "manager"}
    assert report["agreement"]["groups"] == []
    outputs = {
        "json": json.dumps(report),
        "csv": (await client.get(f"{url}?format=csv")).text,
        "html": (await client.get(f"{url}?format=html")).text,
        "pdf": pdf_text((await client.get(f"{url}?format=pdf")).content, tmp_path),
    }
    for fmt, text in outputs.items():
        assert SUPPRESSED_COMMENT not in text, fmt
        assert "Manager view." in text and "My own view." in text, fmt
    assert "peer mean" not in outputs["csv"]
    assert html_text(outputs["html"]).count("Peers") == 1
    assert "not used anywhere" in outputs["html"]
    # the cycle's reliability and technical report leave the peer out as well
    rel = (await client.get(f"/api/v1/reviews/{rid}/reliability")).json()
    assert rel["withheld"] > 0 and rel["agreement"][0]["groups"] == []
    technical = (await client.get(f"/api/v1/reviews/{rid}/technical-report?format=html")).text
    assert SUPPRESSED_COMMENT not in technical


@pytest.fixture
async def demo_cycle(client: AsyncTestClient) -> tuple[int, dict[str, int]]:
    await login(client, "coach")
    await demo360.load(np.random.default_rng(5))
    rid = (await client.get("/api/v1/reviews")).json()["items"][0]["id"]
    subjects = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()
    return rid, {s["name"]: s["id"] for s in subjects}


async def test_cycle_reliability_from_the_demo(
    client: AsyncTestClient, demo_cycle: tuple[int, dict[str, int]]
) -> None:
    rid, subjects = demo_cycle
    r = await client.get(f"/api/v1/reviews/{rid}/reliability")
    assert r.status_code == 200, r.text
    rel = r.json()
    review = (await client.get(f"/api/v1/reviews/{rid}")).json()
    assert [c["competency"] for c in rel["competencies"]] == review["competencies"]
    assert rel["forms"] == 36 and rel["subjects"] == 3 and rel["threshold"] == 3
    # demo groups: self 1+1+1, manager 1+1+1, peers 4+3+5, direct reports 3+2+3,
    # customers 3+3+4
    assert rel["responses"] == {
        "self": 3,
        "manager": 3,
        "peer": 12,
        "direct_report": 8,
        "customer": 10,
    }
    assert rel["ratings"] + rel["cannot_say"] == 36 * review["statements"]
    assert rel["cannot_say"] > 0 and rel["withheld"] == 0
    for c in rel["competencies"]:
        assert c["alpha_ci"][0] < c["alpha"] < c["alpha_ci"][1]
        assert c["omega"] is not None and c["lambda6"] is not None
        assert len(c["items"]) == c["k"] and all(i["n"] <= 36 for i in c["items"])
        assert all(w["code"] and w["message"] for w in c["warnings"])
    assert "pairwise" in rel["missing"] and "ICC(2,1)" in rel["agreement_method"]
    by_name = {a["name"]: a for a in rel["agreement"]}
    assert set(by_name) == set(subjects)
    # Ivan has two direct reports: they, and the customers (complementary), have no
    # figures of their own; the report shows the same groups with the same n
    ivan = by_name["Ivan Petrov"]
    assert sorted(ivan["suppressed_groups"]) == ["customer", "direct_report"]
    assert [g["group"] for g in ivan["groups"]] == ["peer", "others"]
    report = (
        await client.get(f"/api/v1/reviews/{rid}/subjects/{subjects['Ivan Petrov']}/report")
    ).json()
    assert {g["group"]: g["n"] for g in ivan["groups"]} == {
        name: report["groups"][name]["n"] for name in ("peer", "others")
    }
    assert ivan["groups"][1]["icc_k"]["form"] == "ICC2k"
    assert all(
        g["rwg"][k] is None or 0 <= g["rwg"][k] <= 1 for g in ivan["groups"] for k in g["rwg"]
    )

    # released once: every read returns the stored figures, and nothing is computed
    assert rel["release"] == 1
    assert (await client.get(f"/api/v1/reviews/{rid}/reliability")).json() == rel
    assert await ReliabilitySnapshot.count() == 0
    # a late form (the cycle reopened) changes nothing until the next release
    r = await client.post(
        f"/api/v1/reviews/{rid}/reopen", json={"closes_at": "2099-01-01T00:00:00Z"}
    )
    assert r.status_code == 200 and r.json()["state"] == "open", r.text
    token = await rater(client, rid, subjects["Ivan Petrov"], "Late", "late@example.org", "peer")
    await answer_all(token, 4)
    assert (await client.get(f"/api/v1/reviews/{rid}/reliability")).json() == rel
    made = await release(client, rid)
    assert made["number"] == 2
    assert {s["name"]: s["outcome"] for s in made["subjects"]} == {
        "Maria Berg": "unchanged",
        "Ivan Petrov": "new report",
        "Sara Lund": "unchanged",
    }
    fresh = (await client.get(f"/api/v1/reviews/{rid}/reliability")).json()
    assert fresh["release"] == 2 and fresh["forms"] == 37 and fresh["responses"]["peer"] == 13
    # one late peer alone: none of their ratings reaches a figure of release 2 (rule 7)
    assert fresh["withheld"] == review["statements"]
    assert (await client.get(f"/api/v1/reviews/{rid}/reliability?release=1")).json() == rel

    await login(client, "recruiter")
    assert (await client.get(f"/api/v1/reviews/{rid}/reliability")).status_code == 403
    await login(client, "coach", "other.coach@test.example")
    assert (await client.get(f"/api/v1/reviews/{rid}/reliability")).status_code == 404
    r = await client.get(f"/api/v1/reviews/{rid}/technical-report?format=html")
    assert r.status_code == 404


async def test_technical_report_in_every_format(
    client: AsyncTestClient, demo_cycle: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    rid, _ = demo_cycle
    url = f"/api/v1/reviews/{rid}/technical-report"
    data = (await client.get(f"{url}?format=json")).json()
    assert data == (await client.get(f"/api/v1/reviews/{rid}/reliability")).json()
    r = await client.get(f"{url}?format=html")
    assert r.status_code == 200 and "content-security-policy" in r.headers
    words = html_text(r.text)
    for phrase in (
        "Internal consistency per competency",
        "Item statistics",
        "Rater agreement",
        "Missing data",
        "Responses",
        "Stress resistance",
        "Ivan Petrov",
        "ICC(2,k)",
        "pairwise",
    ):
        assert phrase in words, phrase
    first = data["competencies"][0]
    assert f"{first['alpha']:.2f}".replace("0.", ".", 1) in words
    r = await client.get(f"{url}?format=pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    assert "Technical report" in text and "Maria Berg" in text
    assert pdf_pages_render(r.content, tmp_path) >= 3
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("exported") == 1 and "viewed" in actions


async def test_demo_subject_report_pdf_pages_and_language(
    client: AsyncTestClient, demo_cycle: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    rid, subjects = demo_cycle
    sid = subjects["Ivan Petrov"]
    url = f"/api/v1/reviews/{rid}/subjects/{sid}/report"
    r = await client.get(f"{url}?format=pdf")
    assert pdf_pages_render(r.content, tmp_path) >= 2
    text = pdf_text(r.content, tmp_path)
    assert "Ivan Petrov" in text and "Required level" in text
    assert text.count("Direct reports") == 1  # only in the note on suppressed groups
    english = (await client.get(f"{url}?format=html&lang=en")).text
    assert '<html lang="en">' in english and not re.search("[А-Яа-я]{4,}", english)
    r = await client.get(f"{url}?format=html&lang=ru")
    assert r.status_code == 200 and '<html lang="ru">' in r.text
    assert re.search("[А-Яа-я]{4,}", r.text)  # statements and names in Russian
    html = (await client.get(f"{url}?format=html", headers={"Accept-Language": "ru"})).text
    assert '<html lang="ru">' in html


async def test_coach_page_links_to_every_format(
    client: AsyncTestClient, demo_cycle: tuple[int, dict[str, int]]
) -> None:
    rid, subjects = demo_cycle
    sid = subjects["Maria Berg"]
    page = await client.get(f"/app/reviews/{rid}/subjects/{sid}")
    assert page.status_code == 200
    for fmt in ("html", "pdf", "csv"):
        assert f"/api/v1/reviews/{rid}/subjects/{sid}/report?format={fmt}" in page.text
    cycle_page = await client.get(f"/app/reviews/{rid}")
    assert f"/api/v1/reviews/{rid}/technical-report?format=pdf" in cycle_page.text
    event = await AuditEvent.select().order_by(AuditEvent.id, ascending=False).first()
    assert event["action"] == "viewed" and event["target"] == f"review:{rid}/subject:{sid}/page"
    assert event["actor"] == await _coach_id()

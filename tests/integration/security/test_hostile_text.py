"""Hostile text in every free-text field, read back through every page, report and export.

One payload carries markup (a script, an image that would read a local file and run a
handler) and a leading formula. It is typed into the vacancy, the candidate, the 360
cycle, the subject, the raters, the raters' comments and the development plan; then every
GET route of the app's route table is opened as an admin (HTML, PDF and CSV where the
route offers them), with the respondent pages of the hostile candidate and rater:

- HTML never carries the markup as markup (only escaped), and it does reach pages;
- PDFs print it literally as text and fetch nothing (no local file in the output);
- CSV cells holding it start with ``'`` so a spreadsheet does not evaluate the formula.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign, role_id, take
from tests.integration.reviews.test_reviews import answer_all, rater, release
from tests.integration.security.test_access_matrix import Route, kind, routes

pytestmark = pytest.mark.usefixtures("item_bank")

PAYLOAD = '=1+2"><script>alert(1)</script><img src="file:///etc/passwd" onerror=alert(2)>'
RAW_MARKUP = ("<script>alert(1)", "<img src=", "onerror=alert(2)>")
PASSWD = "root:x:0"


def pdf_words(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


async def hostile_world(client: AsyncTestClient) -> dict[str, Any]:
    """A vacancy and a 360 cycle whose every free-text field holds the payload."""
    await login(client, "coach")
    r = await client.post(
        "/api/v1/reviews", json={"name": PAYLOAD, "role_id": await role_id(client)}
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": PAYLOAD, "email": "self@example.org"}
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    tokens = [await rater(client, rid, sid, PAYLOAD, "self@example.org", "self")]
    tokens.append(await rater(client, rid, sid, PAYLOAD, "boss@example.org", "manager"))
    tokens += [
        await rater(client, rid, sid, PAYLOAD, f"peer{n}@example.org", "peer") for n in range(3)
    ]
    coach_cookies = dict(client.cookies)
    client.cookies.clear()
    for n, token in enumerate(tokens):
        await answer_all(client, token, 2 + n % 3, comment=PAYLOAD)
    client.cookies.update(coach_cookies)
    await release(client, rid)
    plan_url = f"/api/v1/reviews/{rid}/subjects/{sid}/idp"
    proposed = (await client.get(plan_url)).json()
    plan = proposed["plan"]
    plan["priorities"][0]["goal"] = PAYLOAD
    r = await client.put(plan_url, json={"version": proposed["version"], "plan": plan})
    assert r.status_code == 200, r.text

    await login(client, "recruiter")
    campaign = await new_campaign(client, name=PAYLOAD)
    candidates = []
    for n, pick in enumerate(("best", "middle", "worst")):
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": PAYLOAD, "email": f"c{n}@example.org"},
        )
        assert r.status_code == 201, r.text
        candidates.append(r.json())
        await take(client, r.json()["link"], pick)
    first = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking")).json()
    assert first
    await login(client, "admin")
    return {
        "campaign_id": campaign["id"],
        "candidate_id": candidates[0]["id"],
        "review_id": rid,
        "subject_id": sid,
        "rater_token": tokens[0],
        "candidate_token": candidates[0]["link"].rsplit("/", 1)[1],
    }


def url_of(route: Route, ids: dict[str, Any]) -> str | None:
    url = route.path
    for param in route.params:
        typed = next(p for p in url.split("{")[1:] if p.startswith(param)).split("}")[0]
        if param not in ids:
            return None
        url = url.replace("{" + typed + "}", str(ids[param]))
    return url


async def test_hostile_text_is_inert_in_every_page_pdf_and_csv(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    ids = await hostile_world(client)
    app = create_app(get_settings())
    urls: list[str] = []
    for route in routes(app):
        if route.method != "GET" or kind(route) != "staff":
            continue
        url = url_of(route, ids)
        if url is not None:
            urls += [url, f"{url}?format=html", f"{url}?format=pdf", f"{url}?format=csv"]
    urls += [
        f"/take/{ids['candidate_token']}",
        f"/take/{ids['candidate_token']}/review",
        f"/rate/{ids['rater_token']}",
    ]
    pages = pdfs = csvs = 0
    for n, url in enumerate(urls):
        r = await client.get(url)
        if r.status_code != 200:
            assert r.status_code in (400, 404, 409, 422), (url, r.status_code, r.text[:200])
            continue
        kind_of = r.headers.get("content-type", "")
        assert kind_of.count("charset") <= 1, (url, kind_of)
        if kind_of.startswith("text/html"):
            found = [m for m in RAW_MARKUP if m in r.text]
            assert not found, (url, found)
            pages += "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        elif kind_of.startswith("application/pdf"):
            words = pdf_words(r.content, tmp_path, f"r{n}")
            assert PASSWD not in words, url
            pdfs += "".join(PAYLOAD.split()) in words
        elif kind_of.startswith("text/csv"):
            cells = [c for row in csv.reader(io.StringIO(r.text)) for c in row]
            assert PAYLOAD not in cells, url
            csvs += ("'" + PAYLOAD) in cells
    # the payload reached pages, PDFs and CSVs: the checks above were not vacuous
    assert pages >= 20 and pdfs >= 5 and csvs >= 3, (pages, pdfs, csvs)

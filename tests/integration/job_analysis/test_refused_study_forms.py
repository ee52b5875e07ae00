"""The facilitator's study pages answer a refused form with the page again, as HTML (not
as JSON text the browser would show raw), naming the field, and nothing changed."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.job_analysis.study_setup import rated_study, role_id

pytestmark = pytest.mark.usefixtures("demo_library")

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _token(client: AsyncTestClient, path: str) -> str:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    found = CSRF.search(r.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def test_a_study_without_a_name_is_refused_as_a_page(admin: AsyncTestClient) -> None:
    token = await _token(admin, "/app/job-analyses")
    r = await admin.post(
        "/app/job-analyses",
        data={"name": "", "role_id": str(await role_id(admin)), "_csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert r.text.lstrip().startswith("<!doctype html>")
    assert 'data-field="name"' in r.text
    assert (await admin.get("/api/v1/job-analyses")).json()["total"] == 0


async def test_an_override_without_a_reason_is_refused_as_a_page(admin: AsyncTestClient) -> None:
    study, groups = await rated_study(admin)
    sid, group = study["id"], groups["Communication"]  # proposed: develop only
    token = await _token(admin, f"/app/job-analyses/{sid}/decide")
    r = await admin.post(
        f"/app/job-analyses/{sid}/decisions/{group}",
        data={"select_for": "1", "develop": "1", "reason": "", "_csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert 'data-field="reason"' in r.text
    assert 'role="alert"' in r.text
    drafts = (await admin.get(f"/api/v1/job-analyses/{sid}")).json()["competencies"]
    assert next(d for d in drafts if d["id"] == group)["select_for"] is None  # not decided


async def test_an_expert_without_an_address_is_refused_as_a_page(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/job-analyses", json={"name": "Pages", "role_id": await role_id(admin)}
    )
    sid = r.json()["id"]
    token = await _token(admin, f"/app/job-analyses/{sid}")
    r = await admin.post(
        f"/app/job-analyses/{sid}/experts",
        data={"name": "Ann", "email": "", "kind": "incumbent", "_csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert 'value="Ann"' in r.text  # what was typed is kept
    assert (await admin.get(f"/api/v1/job-analyses/{sid}/experts")).json() == []


async def test_the_role_is_named_in_the_language_of_the_page(admin: AsyncTestClient) -> None:
    study, _groups = await rated_study(admin)
    sid = study["id"]
    admin.cookies.set("lang", "sv")
    r = await admin.get("/app/job-analyses")
    assert r.status_code == 200, r.text
    row = re.search(rf"<tr><td><a href=\"/app/job-analyses/{sid}\">.*?</tr>", r.text)
    assert row and "Kundtjänstmedarbetare" in row.group(0), r.text
    # the study page links the report in its own language
    page = (await admin.get(f"/app/job-analyses/{sid}")).text
    assert f"/api/v1/job-analyses/{sid}/report?format=html&amp;lang=sv" in page
    r = await admin.get(
        f"/api/v1/job-analyses/{sid}/report", params={"format": "html", "lang": "sv"}
    )
    assert r.status_code == 200, r.text
    assert "Roll: Kundtjänstmedarbetare" in r.text
    r = await admin.get(
        f"/api/v1/job-analyses/{sid}/report", params={"format": "html", "lang": "nb"}
    )
    assert "Kundeservicemedarbeider" in r.text
    # the JSON names the role as the library does, whatever the language
    r = await admin.get(f"/api/v1/job-analyses/{sid}/report", params={"lang": "sv"})
    assert r.json()["role_name"] == "Customer service operator"

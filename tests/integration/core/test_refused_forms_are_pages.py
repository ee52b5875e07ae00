"""A refused staff form answers with the page again as HTML, whatever the slice: a POST
handler that may redirect or render must not fall back to JSON (the browser would show
the page's source)."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import login

pytestmark = pytest.mark.usefixtures("demo_library")

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _refused(client: AsyncTestClient, page: str, action: str) -> None:
    r = await client.get(page)
    found = CSRF.search(r.text)
    assert found, page
    r = await client.post(action, data={"name": "", "role_id": "1", "_csrf_token": found.group(1)})
    assert r.status_code == 422, (action, r.status_code)
    assert r.headers["content-type"].startswith("text/html"), (action, r.headers["content-type"])
    assert r.text.lstrip().lower().startswith("<!doctype html"), action


@pytest.mark.parametrize(
    ("role", "page"),
    [("coach", "/app/reviews"), ("recruiter", "/app/campaigns"), ("coach", "/app/job-analyses")],
)
async def test_a_refused_form_is_a_page(client: AsyncTestClient, role: str, page: str) -> None:
    await login(client, role)
    await _refused(client, page, page)

"""Security headers on the login and staff pages, sessions kept apart between browsers, and
the paths exempt from the CSRF check."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from tests.conftest import make_user
from tests.integration.library.page_forms import (
    competency,
    form_login,
    location,
    new_competency_form,
    page_token,
    role,
)

# ---- security headers ----------------------------------------------------------------------


def _csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def _assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy")
    assert csp, f"{r.request.url} has no Content-Security-Policy"
    directives = _csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, csp
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, csp
    assert "*" not in scripts, csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert directives.get("object-src") == ["'none'"], csp
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("x-frame-options") == "DENY"


async def test_security_headers_on_login_pages(client: AsyncTestClient) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    _assert_security_headers(page)
    assert "<script" not in page.text, "the CSP forbids inline scripts, so the page has none"
    failed = await form_login(client, "nobody@test.example", password="wrong")
    assert failed.status_code == 401
    _assert_security_headers(failed)


async def test_security_headers_on_staff_pages(admin: AsyncTestClient, demo_library: None) -> None:
    c = await competency(admin, "customer_orientation")
    cs = await role(admin, "cs_operator")
    for path in (
        "/app",
        "/app?flag=select_for&lang=ru",
        f"/app/competencies/{c['id']}",
        f"/app/competencies/{c['id']}/edit",
        "/app/competencies/new",
        f"/app/roles/{cs['id']}",
        f"/app/roles/{cs['id']}/edit",
    ):
        r = await admin.get(path)
        assert r.status_code == 200, path
        _assert_security_headers(r)
    token = await page_token(admin, "/app/competencies/new")
    invalid = await admin.post(
        "/app/competencies", data=new_competency_form(token, name=""), follow_redirects=False
    )
    assert invalid.status_code == 422
    _assert_security_headers(invalid)


async def test_session_is_not_shared_between_browsers(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """A second browser without the cookie is sent to the login page."""
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        r = await other.get("/app", follow_redirects=False)
        assert urlsplit(location(r)).path == "/login"
        # and logging in there as a recruiter does not unlock the editor
        email = await make_user("recruiter", "second@test.example")
        await form_login(other, email)
        assert (await other.get("/app")).status_code == 200
        assert (await other.get("/app/competencies/new")).status_code == 403
    assert (await admin.get("/app/competencies/new")).status_code == 200


async def test_the_icon_browsers_ask_for_is_there(client: AsyncTestClient) -> None:
    # pages without an icon link (the HTML reports) make browsers fetch /favicon.ico
    r = await client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg")


# ---- CSRF exemptions -----------------------------------------------------------------------


def test_csrf_exemptions_are_path_prefixes() -> None:
    """The links' pages and the JSON API go without the CSRF token; a staff page whose path
    only contains one of their prefixes (".../key/...") does not (Litestar bypasses its CSRF
    check when the pattern ``findall``s anything in the path)."""
    config = create_app().csrf_config
    assert config is not None and isinstance(config.exclude, str)
    pattern = re.compile(config.exclude)
    for exempt in ("/api/v1/respond/t/answers/1", "/take/t/consent", "/rate/t", "/key/t"):
        assert pattern.findall(exempt), exempt
    for page in ("/app/sjt/items/3/key/", "/app/x/take/1", "/app/api/", "/login", "/"):
        assert not pattern.findall(page), page

"""The login and logout pages, used the way a browser uses them (real app, real database)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import PASSWORD, make_user
from tests.integration.library.page_forms import (
    csrf_token,
    form_login,
    location,
    page_token,
    session_set_cookie,
    set_cookies,
)

# ---- anonymous visitors and the login form ---------------------------------------------


async def test_app_without_session_redirects_to_login(client: AsyncTestClient) -> None:
    r = await client.get("/app", follow_redirects=False)
    target = urlsplit(location(r))
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": ["/app"]}
    assert session_set_cookie(r) is None


async def test_deep_link_without_session_keeps_path_and_query_in_next(
    client: AsyncTestClient,
) -> None:
    r = await client.get("/app?flag=develop&lang=ru", follow_redirects=False)
    target = urlsplit(location(r))
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/app?flag=develop&lang=ru"]


async def test_login_page_shows_form_with_csrf_token(client: AsyncTestClient) -> None:
    r = await client.get("/login", params={"next": "/app"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/login">' in r.text
    token = csrf_token(r.text)
    assert len(token) > 64
    assert client.cookies.get("engine_csrf"), "the login page must set the CSRF cookie"
    assert 'name="email"' in r.text and 'type="password"' in r.text
    assert '<input type="hidden" name="next" value="/app">' in r.text
    # not logged in: no logout form, no user badge
    assert 'action="/logout"' not in r.text


async def test_login_page_drops_foreign_next(client: AsyncTestClient) -> None:
    r = await client.get("/login", params={"next": "https://evil.example/"})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert '<input type="hidden" name="next" value="/app">' in r.text


async def test_login_through_form_sets_session_and_redirects_to_next(
    client: AsyncTestClient,
) -> None:
    email = await make_user("recruiter")
    r = await form_login(client, email, next="/app?flag=develop")
    assert location(r) == "/app?flag=develop"
    cookie = session_set_cookie(r)
    assert cookie is not None, set_cookies(r)
    attributes = [p.strip().lower() for p in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert client.cookies.get("engine_session")
    # the session works: the library page opens and names the user
    page = await client.get("/app", follow_redirects=False)
    assert page.status_code == 200
    assert email in page.text
    assert '<span class="badge">recruiter</span>' in page.text


async def test_login_with_wrong_password_shows_error_and_sets_no_session(
    client: AsyncTestClient,
) -> None:
    email = await make_user("admin")
    r = await form_login(client, email, password="not the password")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert '<p class="error" role="alert" id="login-error">Wrong e-mail or password.</p>' in r.text
    assert f'value="{email}"' in r.text, "the e-mail stays filled in"
    assert "not the password" not in r.text, "the password is never echoed"
    assert session_set_cookie(r) is None
    assert client.cookies.get("engine_session") is None
    after = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(after)).path == "/login"


async def test_login_with_unknown_email_looks_like_wrong_password(
    client: AsyncTestClient,
) -> None:
    r = await form_login(client, "nobody@test.example")
    assert r.status_code == 401
    assert "Wrong e-mail or password" in r.text
    assert session_set_cookie(r) is None


async def test_login_post_without_csrf_token_is_refused(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    await client.get("/login")  # the CSRF cookie is there, the form field is not
    assert client.cookies.get("engine_csrf")
    r = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/app"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert session_set_cookie(r) is None
    assert client.cookies.get("engine_session") is None


async def test_login_post_with_forged_csrf_token_is_refused(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    token = await page_token(client, "/login")
    forged = ("0" if token[0] != "0" else "1") + token[1:]
    r = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/app", "_csrf_token": forged},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert session_set_cookie(r) is None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/app", "/\\evil.example", "javascript:alert(1)"],
)
async def test_login_never_redirects_off_site(client: AsyncTestClient, target: str) -> None:
    email = await make_user("admin")
    r = await form_login(client, email, next=target)
    assert location(r) == "/app"
    assert session_set_cookie(r) is not None


async def test_logout_ends_the_session(client: AsyncTestClient) -> None:
    email = await make_user("coach")
    r = await form_login(client, email)
    stolen = client.cookies.get("engine_session")
    assert stolen
    token = await page_token(client, "/app")
    r = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert location(r) == "/login"
    cleared = session_set_cookie(r)
    assert cleared is not None and "max-age=0" in cleared.lower(), set_cookies(r)
    again = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(again)).path == "/login"
    # the old token is closed on the server, not just forgotten by the browser
    client.cookies.set("engine_session", stolen)
    replay = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(replay)).path == "/login"


# ---- the language of the staff pages ------------------------------------------------------


async def test_staff_pages_speak_the_browser_language_until_one_is_chosen(
    client: AsyncTestClient,
) -> None:
    r = await client.get("/login", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    assert '<html lang="nb">' in r.text
    token = csrf_token(r.text)
    chosen = await client.post(
        "/language",
        data={"_csrf_token": token, "lang": "sv", "next": "/login?next=%2Fapp"},
        follow_redirects=False,
    )
    assert chosen.status_code in (302, 303) and location(chosen) == "/login?next=%2Fapp"
    assert client.cookies.get("lang") == "sv"
    r = await client.get("/login", headers={"Accept-Language": "nb"})
    assert '<html lang="sv">' in r.text
    assert re.search(r'value="sv" lang="sv"\s+aria-current="true"', r.text)


async def test_the_language_form_refuses_an_unknown_language_and_a_foreign_return(
    client: AsyncTestClient,
) -> None:
    token = csrf_token((await client.get("/login")).text)
    r = await client.post(
        "/language",
        data={"_csrf_token": token, "lang": "xx", "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert location(r) == "/app"
    assert client.cookies.get("lang") is None
    assert '<html lang="en">' in (await client.get("/login")).text

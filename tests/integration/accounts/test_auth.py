"""Staff accounts: login, sessions stored server-side, guards, the failed-login throttle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.core.tokens import token_hash
from server.settings import get_settings
from server.tables import LoginThrottle, StaffSession, StaffUser
from server.web.auth import SESSION_COOKIE
from tests.conftest import PASSWORD, login, make_user


async def test_login_sets_a_secure_session_cookie_and_me_answers(client: AsyncTestClient) -> None:
    email = await make_user("recruiter")
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["email"] == email and r.json()["role"] == "recruiter"
    assert r.json()["last_login_at"] is not None
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; https gets Secure (next test)
    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["email"] == email


async def test_cookie_is_secure_over_https() -> None:
    email = await make_user("coach")
    async with AsyncTestClient(
        app=create_app(get_settings()), base_url="https://testserver.local"
    ) as c:
        r = await c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200
        assert "Secure" in r.headers["set-cookie"]


async def test_email_is_case_insensitive(client: AsyncTestClient) -> None:
    await make_user("coach", "Coach.Person@Test.Example")
    r = await client.post(
        "/api/v1/auth/login", json={"email": "COACH.person@test.example", "password": PASSWORD}
    )
    assert r.status_code == 200


async def test_sessions_live_in_the_database_and_only_their_hash_is_stored(
    client: AsyncTestClient,
) -> None:
    await login(client, "admin")
    token = client.cookies[SESSION_COOKIE]
    rows = await StaffSession.select(StaffSession.token_hash)
    assert [r["token_hash"] for r in rows] == [token_hash(token)]
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    # A second app instance (another server process) accepts the same session.
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        other.cookies.set(SESSION_COOKIE, token)
        assert (await other.get("/api/v1/auth/me")).status_code == 200


async def test_logout_ends_the_session_everywhere(client: AsyncTestClient) -> None:
    await login(client, "admin")
    token = client.cookies[SESSION_COOKIE]
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    assert await StaffSession.count() == 0
    client.cookies.set(SESSION_COOKIE, token)  # a stolen copy of the cookie is now useless
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_expired_session_is_refused(client: AsyncTestClient) -> None:
    await login(client, "admin")
    await StaffSession.update(
        {StaffSession.expires_at: StaffSession.created_at - timedelta(seconds=1)}, force=True
    )
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_deactivated_user_loses_access(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    await StaffUser.update({StaffUser.active: False}, force=True)
    assert (await client.get("/api/v1/competencies")).status_code == 401
    r = await client.post(
        "/api/v1/auth/login", json={"email": "recruiter@test.example", "password": PASSWORD}
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/me",
        "/api/v1/competencies",
        "/api/v1/competencies/1",
        "/api/v1/roles",
        "/api/v1/competency-areas",
        "/api/v1/library/export",
        "/api/v1/users",
    ],
)
async def test_api_needs_a_session(client: AsyncTestClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 401
    assert "Log in" in r.json()["detail"]


async def test_forged_cookie_is_refused(client: AsyncTestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "forged-token-value")
    assert (await client.get("/api/v1/competencies")).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@b.example"}, "password"),
        ({"password": "x"}, "email"),
        ({"email": 5, "password": "x"}, "email"),
        ({"email": "a@b.example", "password": "x", "remember": True}, "remember"),
    ],
)
async def test_bad_login_body_names_the_field(
    client: AsyncTestClient, body: dict, field: str
) -> None:
    r = await client.post("/api/v1/auth/login", json=body)
    assert r.status_code == 400
    assert field in r.text


async def test_wrong_password_and_unknown_email_look_the_same(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    wrong = await client.post("/api/v1/auth/login", json={"email": email, "password": "nope"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@test.example", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong e-mail or password"
    assert "set-cookie" not in wrong.headers or SESSION_COOKIE not in wrong.headers["set-cookie"]


async def test_repeated_failures_lock_the_account_for_a_while(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    limit = get_settings().login_max_failures
    for _ in range(limit):
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": "bad"})
        assert r.status_code == 401
    # Locked now: even the right password is refused, with Retry-After.
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "Too many failed logins" in r.json()["detail"]
    # When the lock has run out, the right password works and clears the count.
    await LoginThrottle.update(
        {LoginThrottle.locked_until: None, LoginThrottle.failures: 0}, force=True
    )
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    assert not await LoginThrottle.exists().where(LoginThrottle.key == f"email:{email}")


async def test_failures_from_one_address_across_accounts_are_limited(
    client: AsyncTestClient,
) -> None:
    limit = get_settings().login_max_failures
    for n in range(limit):
        await client.post(
            "/api/v1/auth/login", json={"email": f"guess{n}@test.example", "password": "x"}
        )
    email = await make_user("coach")
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429


async def test_failure_count_grows_with_each_attempt(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    for _ in range(3):
        await client.post("/api/v1/auth/login", json={"email": email, "password": "bad"})
    row = await LoginThrottle.select().where(LoginThrottle.key == f"email:{email}").first()
    assert row["failures"] == 3 and row["locked_until"] is None


async def test_passwords_are_stored_as_argon2id(client: AsyncTestClient) -> None:
    await make_user("admin")
    row = await StaffUser.select(StaffUser.password_hash).first()
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]

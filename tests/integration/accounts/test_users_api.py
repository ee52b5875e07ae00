"""Staff user management: admins only, validated, no self-lockout."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from server.tables import StaffUser
from tests.conftest import login


async def test_admin_creates_lists_updates_and_deletes_users(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/users",
        json={"email": "Rita@Test.Example", "role": "recruiter", "password": "long enough pw"},
    )
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["email"] == "rita@test.example" and "password" not in user
    listed = (await admin.get("/api/v1/users")).json()
    assert listed["total"] == 2
    assert {u["email"] for u in listed["items"]} == {"admin@test.example", "rita@test.example"}
    r = await admin.put(f"/api/v1/users/{user['id']}", json={"role": "coach"})
    assert r.status_code == 200 and r.json()["role"] == "coach"
    assert (await admin.delete(f"/api/v1/users/{user['id']}")).status_code == 204
    assert (await admin.get(f"/api/v1/users/{user['id']}")).status_code == 404


async def test_user_input_errors(admin: AsyncTestClient) -> None:
    bad = [
        ({"email": "not-an-email", "role": "coach", "password": "long enough pw"}, "email"),
        ({"email": "c@test.example", "role": "boss", "password": "long enough pw"}, "role"),
        ({"email": "c@test.example", "role": "coach", "password": "short"}, "password"),
        ({"email": "c@test.example", "role": "coach"}, "password"),
    ]
    for body, field in bad:
        r = await admin.post("/api/v1/users", json=body)
        assert r.status_code == 400, body
        assert field in r.text
    assert await StaffUser.count() == 1
    dup = {"email": "ADMIN@test.example", "role": "coach", "password": "long enough pw"}
    r = await admin.post("/api/v1/users", json=dup)
    assert r.status_code == 409 and "email" in r.json()["detail"]
    assert (await admin.put("/api/v1/users/999999", json={"role": "coach"})).status_code == 404


async def test_admin_cannot_lock_themself_out(admin: AsyncTestClient) -> None:
    me = (await admin.get("/api/v1/auth/me")).json()
    assert (await admin.put(f"/api/v1/users/{me['id']}", json={"role": "coach"})).status_code == 409
    r = await admin.put(f"/api/v1/users/{me['id']}", json={"active": False})
    assert r.status_code == 409
    assert (await admin.delete(f"/api/v1/users/{me['id']}")).status_code == 409
    assert (await admin.get("/api/v1/auth/me")).json()["role"] == "admin"


async def test_other_roles_may_not_manage_users(client: AsyncTestClient) -> None:
    for role in ("recruiter", "coach"):
        await login(client, role)
        assert (await client.get("/api/v1/users")).status_code == 403
        body = {"email": "x@test.example", "role": "admin", "password": "long enough pw"}
        r = await client.post("/api/v1/users", json=body)
        assert r.status_code == 403
        assert "Only admins" in r.json()["detail"]
    assert not await StaffUser.exists().where(StaffUser.email == "x@test.example")


async def test_password_change_ends_existing_sessions(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/users",
        json={"email": "p@test.example", "role": "coach", "password": "first password"},
    )
    uid = r.json()["id"]
    async with AsyncTestClient(app=create_app(get_settings())) as coach:
        login_body = {"email": "p@test.example", "password": "first password"}
        assert (await coach.post("/api/v1/auth/login", json=login_body)).status_code == 200
        assert (await coach.get("/api/v1/auth/me")).status_code == 200
        r = await admin.put(f"/api/v1/users/{uid}", json={"password": "second password"})
        assert r.status_code == 200
        assert (await coach.get("/api/v1/auth/me")).status_code == 401

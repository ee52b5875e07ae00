"""The audit log: appended by reports and exports, readable by admins only."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from server.admin import audit
from server.app import create_app
from server.settings import get_settings
from server.tables import StaffUser
from tests.conftest import login


async def test_admin_reads_events_newest_first_with_the_actor(admin: AsyncTestClient) -> None:
    me = await StaffUser.select(StaffUser.id).where(StaffUser.email == "admin@test.example")
    await audit.record(me[0]["id"], "viewed", "campaign:1/report.html")
    await audit.record(me[0]["id"], "exported", "campaign:1/report.pdf", {"format": "pdf"})
    await audit.record(None, "erased", "candidate:9")
    r = await admin.get("/api/v1/audit", params={"limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 3 and page["limit"] == 2
    first, second = page["items"]
    assert (first["action"], first["actor"], first["target"]) == ("erased", None, "candidate:9")
    assert second["actor"] == "admin@test.example"
    assert second["detail"] == {"format": "pdf"}
    rest = (await admin.get("/api/v1/audit", params={"offset": 2})).json()
    assert [e["action"] for e in rest["items"]] == ["viewed"]


async def test_only_admins_read_the_log(client: AsyncTestClient) -> None:
    assert (await client.get("/api/v1/audit")).status_code == 401
    for role in ("recruiter", "coach"):
        async with AsyncTestClient(app=create_app(get_settings())) as other:
            await login(other, role)
            assert (await other.get("/api/v1/audit")).status_code == 403

"""The audit log, readable by admins: who viewed or exported which report or person's data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import get

from server.admin import audit
from server.core.db import loads
from server.core.schemas import Page
from server.web.auth import admin_guard
from server.web.base import ApiController
from server.web.params import Limit, Offset


class AuditEntry(msgspec.Struct, kw_only=True):
    id: int
    actor: str | None
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime


class AuditPage(Page, kw_only=True):
    items: list[AuditEntry]


class AuditController(ApiController):
    path = "/api/v1/audit"
    guards = [admin_guard]
    tags = ["audit"]

    @get("/", summary="Audit events, newest first (admins only)")
    async def list_events(self, limit: Limit = 100, offset: Offset = 0) -> AuditPage:
        rows, total = await audit.events(limit=limit, offset=offset)
        items = [AuditEntry(**{**r, "detail": loads(r["detail"]) or {}}) for r in rows]
        return AuditPage(items=items, total=total, limit=limit, offset=offset)

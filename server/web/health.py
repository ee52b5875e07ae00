"""Liveness and database check."""

from __future__ import annotations

from litestar import get
from litestar.exceptions import HTTPException

from server.core.db import engine
from server.core.schemas import Health


@get("/health", tags=["health"], summary="Service and database status", cache=False)
async def health() -> Health:
    db = engine()
    try:
        await db.run_ddl("SELECT 1")
    except Exception as exc:  # any driver error means the database is unreachable
        raise HTTPException(status_code=503, detail=f"database unreachable: {exc}") from exc
    return Health(status="ok", database=db.engine_type)

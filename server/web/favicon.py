"""``/favicon.ico``: the icon browsers ask for on pages without an icon link (reports)."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get

ICON = Path(__file__).parents[1] / "static" / "favicon.svg"


@get("/favicon.ico", include_in_schema=False, cache=86400)
async def favicon() -> Response[bytes]:
    return Response(ICON.read_bytes(), media_type="image/svg+xml")

"""What every staff page's template gets: the user and the current path."""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.web.auth import current_user

__all__ = ["page_context"]


async def page_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    return {"user": await current_user(request), "path": request.url.path, **values}

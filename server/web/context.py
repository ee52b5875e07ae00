"""What every staff page's template gets: the user, the current path and the language."""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.core.vocabulary import LANGUAGES
from server.web.auth import current_user
from server.web.i18n import negotiate, translations

__all__ = ["LANGUAGE_COOKIE", "page_context", "page_gettext", "staff_language"]

LANGUAGE_COOKIE = "lang"


def staff_language(request: Request[Any, Any, Any]) -> str:
    """The language a staff page speaks: the one chosen in the header (a cookie), else the
    browser's ``Accept-Language``, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""), list(LANGUAGES))


def page_gettext(request: Request[Any, Any, Any]) -> Any:
    """``gettext`` in the staff page's language, for messages a handler writes itself."""
    return translations(staff_language(request)).gettext


async def page_context(request: Request[Any, Any, Any], **values: Any) -> dict[str, Any]:
    return {
        "user": await current_user(request),
        "path": request.url.path,
        "lang": staff_language(request),
        # where the header's language buttons return to
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **values,
    }

"""Staff pages of the outbox: send a message again, and the mail templates of a vacancy or
a cycle (edit, variables, preview).

The list of one person's messages is a partial (``outbox/_messages.html``) that the
vacancy and cycle pages include; its "Send again" button posts here and comes back to the
page it was on (``back``, a local ``/app/`` path only).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, post
from litestar.response import Redirect

from server.outbox import service as mail_service
from server.web.auth import CurrentUser, page_guard
from server.web.params import PathId

__all__ = ["OUTBOX_PAGE_HANDLERS", "local_back"]

_LOCAL = re.compile(r"^/app/[A-Za-z0-9/_\-.]*(\?[A-Za-z0-9=&_\-.%]*)?(#[A-Za-z0-9_\-]*)?\Z")


def local_back(value: object, default: str = "/app") -> str:
    """``value`` if it is a path of the staff pages (``/app/...``), else ``default``: a
    redirect never leaves the site (no ``//host``, no scheme, no backslash)."""
    text = str(value or "")
    if _LOCAL.match(text) and "//" not in text and ".." not in text:
        return text
    return default


@post("/app/outbox/{message_id:int}/resend", guards=[page_guard], include_in_schema=False)
async def resend_message(
    request: Request[Any, Any, Any], user: CurrentUser, message_id: PathId
) -> Response[Any]:
    """Queue a sent, failed or cancelled message again, then back to the page (PRG).

    A message this user may not see is 404, like one that does not exist."""
    form = await request.form()
    await mail_service.resend(message_id, user)
    return Redirect(path=local_back(form.get("back")), status_code=303)


OUTBOX_PAGE_HANDLERS = [resend_message]

"""Cross-site request forgery on the JSON API, refused before any handler runs.

The staff pages carry CSRF tokens; the JSON API relies on the browser instead. A page on
another site can make a logged-in browser send a "simple" request (``text/plain``,
``application/x-www-form-urlencoded`` or ``multipart/form-data``) with its cookie and no
preflight. So, for unsafe methods under ``/api/``:

* a body declared ``text/plain`` or ``application/x-www-form-urlencoded`` is refused (415):
  no endpoint takes those, and JSON must be sent as ``application/json``;
* a request that carries the session cookie and says it comes from another site
  (``Sec-Fetch-Site: cross-site``, or an ``Origin`` whose host is not this server's) is
  refused (403), whatever its body.

A plain ASGI middleware: it reads two or three headers and costs the answer-save path
next to nothing.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from server.web.auth import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SIMPLE_TYPES = frozenset({b"text/plain", b"application/x-www-form-urlencoded"})
_COOKIE = SESSION_COOKIE.encode() + b"="


def refusal(method: str, path: str, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
    """(status, reason) when the request must be refused, else ``None``."""
    if method in SAFE_METHODS or not path.startswith("/api/"):
        return None
    media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if media in SIMPLE_TYPES:
        return 415, f"Content-Type {media.decode('latin-1')!r}: send JSON as application/json"
    if _COOKIE not in headers.get(b"cookie", b""):
        return None  # no session to ride on (respondent links, logins)
    if headers.get(b"sec-fetch-site", b"") == b"cross-site":
        return 403, "A request from another site cannot act with your session"
    origin = headers.get(b"origin")
    if origin == b"null":  # a sandboxed frame or a redirect from elsewhere: not this site
        return 403, "A request from another site cannot act with your session"
    if origin:
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if urlsplit(origin.decode("latin-1")).netloc.lower() != host:
            return 403, "A request from another site cannot act with your session"
    return None


def cross_site_guard(app: Any) -> Any:
    """ASGI middleware applying :func:`refusal` to every HTTP request."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            found = refusal(scope["method"], scope["path"], dict(scope["headers"]))
            if found is not None:
                status, detail = found
                body = json.dumps({"status_code": status, "detail": detail}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return middleware

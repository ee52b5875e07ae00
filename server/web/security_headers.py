"""The security headers every response carries, added by a plain ASGI middleware.

``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy`` and the
Content-Security-Policy (unless the response sets its own, as the interactive OpenAPI
viewers do). Added to the ``http.response.start`` message as bytes, once per response:
Litestar's per-response header objects cost the answer-save path a measurable share of
its time (bench/load.py).
"""

from __future__ import annotations

from typing import Any

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
)
_NAMES = frozenset(name for name, _ in HEADERS)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` and each security header they do not set themselves."""
    present = {name.lower() for name, _ in headers if name.lower() in _NAMES}
    if not present:
        return [*headers, *HEADERS]
    return [*headers, *(h for h in HEADERS if h[0] not in present)]


def security_headers(app: Any) -> Any:
    """ASGI middleware adding :data:`HEADERS` to every HTTP response."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = with_security_headers(list(message.get("headers") or ()))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware

"""The JSON API's controllers document the errors they answer with.

Litestar documents a handler's 400 (invalid parameters or body) and whatever its ``raises=``
lists; the rest would be answers the OpenAPI schema does not describe. ``ApiController``
adds what follows from a handler's place: 401 behind a guard, 403 behind a role guard, 404
when the path names a record (an id or a link's token). A handler lists the errors of its
own work (409 clash with stored data, 422 broken rules) in ``raises=``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from server.web.auth import admin_guard, coaching_guard, hiring_guard, staff_guard

ROLE_GUARDS = (admin_guard, coaching_guard, hiring_guard)


class UnsupportedMediaType(ClientException):
    """415: a body in a type the endpoint does not read (for ``raises=``)."""

    status_code = 415


def implied_errors(
    handler: HTTPRouteHandler, guards: list[Any], prefix: str = ""
) -> list[type[HTTPException]]:
    """The errors a handler answers with because of its guards and its path."""
    found: list[type[HTTPException]] = []
    if any(g in (staff_guard, *ROLE_GUARDS) for g in guards):
        found.append(NotAuthorizedException)
    if any(g in ROLE_GUARDS for g in guards):
        found.append(PermissionDeniedException)
    if any("{" in prefix + path for path in handler.paths):
        found.append(NotFoundException)
    return found


class ApiController(Controller):
    def get_route_handlers(self) -> list[BaseRouteHandler]:
        handlers = super().get_route_handlers()
        for handler in handlers:
            if isinstance(handler, HTTPRouteHandler):
                guards = [*(self.guards or []), *(handler.guards or [])]
                own = list(handler.raises or [])
                handler.raises = own + [
                    e for e in implied_errors(handler, guards, self.path) if e not in own
                ]
        return handlers

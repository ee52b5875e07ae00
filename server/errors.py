"""HTTP errors with bodies that name the field and the problem."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    InternalServerException,
    NotFoundException,
)
from litestar.exceptions.responses import create_debug_response, create_exception_response

from assessments.errors import Problem


class ConflictError(HTTPException):
    """409: the request clashes with stored data (a duplicate key, a record in use)."""

    status_code = 409


class UnprocessableError(HTTPException):
    """422: the body is well-formed but breaks rules; ``extra`` lists every problem."""

    status_code = 422

    def __init__(self, problems: Iterable[Problem], detail: str = "Validation failed") -> None:
        items = [{"key": p.path, "message": p.message} for p in problems]
        super().__init__(detail=f"{detail}: {len(items)} problem(s)", extra=items)


class TooManyAttempts(HTTPException):
    """429: too many failed logins; ``Retry-After`` says when to try again."""

    status_code = 429


def not_found(what: str, ident: object) -> NotFoundException:
    return NotFoundException(detail=f"{what} {ident} not found")


class ServiceUnavailable(HTTPException):
    """503: the database is busy right now; ``Retry-After`` says when to try again."""

    status_code = 503


RETRY_AFTER_SECONDS = 1

# asyncpg's SQLSTATEs of a busy server: too many connections, cannot connect now,
# serialization failure, deadlock, lock not available, query cancelled (statement timeout)
_BUSY_SQLSTATES = frozenset({"53300", "57P03", "40001", "40P01", "55P03", "57014"})


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again" rather than a bug."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    return getattr(exc, "sqlstate", None) in _BUSY_SQLSTATES


def busy() -> ServiceUnavailable:
    return ServiceUnavailable(
        detail="The database is busy; nothing was changed. Try again in a moment.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def too_deep(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Exception handler: a request body nested beyond the decoder's recursion limit (JSON
    20,000 levels deep, say) is the client's error, answered 400 like any malformed body."""
    return create_exception_response(
        request, ClientException(detail="The request body is nested too deeply")
    )


def database_busy(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Exception handler: a busy database answers 503 with ``Retry-After``; any other
    database error is the 500 that Litestar would answer (logged as usual)."""
    if is_busy(exc):
        return create_exception_response(request, busy())
    if request.app.debug:
        return create_debug_response(request, exc)
    return create_exception_response(request, InternalServerException())

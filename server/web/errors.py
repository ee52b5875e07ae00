"""Domain errors to HTTP, in one place, with bodies that name the field and the problem.

Below the web layer code raises :mod:`server.core.errors`; :func:`domain_error` answers
each kind with its status (:data:`STATUS`). The ``HTTPException`` classes here document
those answers in the OpenAPI schema (a handler's ``raises=``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    InternalServerException,
)
from litestar.exceptions.responses import create_debug_response, create_exception_response

from assessments.errors import Problem
from server.core.errors import (
    Busy,
    Conflict,
    DomainError,
    Invalid,
    Malformed,
    NotFound,
    Unsupported,
    is_busy,
)

STATUS: dict[type[DomainError], int] = {
    Malformed: 400,
    NotFound: 404,
    Conflict: 409,
    Unsupported: 415,
    Invalid: 422,
    Busy: 503,
}
"""The HTTP status of each kind of domain error."""


def status_of(exc: DomainError) -> int:
    return next(code for kind, code in STATUS.items() if isinstance(exc, kind))


def as_http(exc: DomainError) -> HTTPException:
    """The HTTP form of a domain error: its status, its message, its problems as
    ``extra`` (``[{"key", "message"}]``) and its headers."""
    items = [{"key": p.path, "message": p.message} for p in exc.problems]
    return HTTPException(
        status_code=status_of(exc),
        detail=exc.detail,
        extra=items if items else None,
        headers=exc.headers or None,
    )


def domain_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Exception handler: a domain error answered with its status and body."""
    assert isinstance(exc, DomainError)
    return create_exception_response(request, as_http(exc))


class ConflictError(HTTPException):
    """409: the request clashes with stored data (a duplicate key, a record in use)."""

    status_code = 409


class UnprocessableError(HTTPException):
    """422: the body is well-formed but breaks rules; ``extra`` lists every problem."""

    status_code = 422

    def __init__(self, problems: Iterable[Problem], detail: str = "Validation failed") -> None:
        items = [{"key": p.path, "message": p.message} for p in problems]
        super().__init__(detail=f"{detail}: {len(items)} problem(s)", extra=items)


__all__ = [
    "STATUS",
    "ConflictError",
    "ServiceUnavailable",
    "TooManyAttempts",
    "UnprocessableError",
    "as_http",
    "busy",
    "database_busy",
    "domain_error",
    "status_of",
    "too_deep",
]


class TooManyAttempts(HTTPException):
    """429: too many failed logins; ``Retry-After`` says when to try again."""

    status_code = 429


class ServiceUnavailable(HTTPException):
    """503: the database is busy right now; ``Retry-After`` says when to try again."""

    status_code = 503


RETRY_AFTER_SECONDS = 1


def busy() -> Busy:
    return Busy(
        "The database is busy; nothing was changed. Try again in a moment.",
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
        return create_exception_response(request, as_http(busy()))
    if request.app.debug:
        return create_debug_response(request, exc)
    return create_exception_response(request, InternalServerException())

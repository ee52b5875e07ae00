"""HTTP errors with bodies that name the field and the problem."""

from __future__ import annotations

from collections.abc import Iterable

from litestar.exceptions import HTTPException, NotFoundException

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

"""Errors the domain raises below the web layer; ``server.web.errors`` maps each kind to HTTP.

Repositories, services, the CLI and importers raise these and nothing of Litestar, so the
same rule gives a 409 on the API, a message on a page and an exit status in the CLI.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from assessments.errors import Problem

__all__ = [
    "Busy",
    "Conflict",
    "DomainError",
    "Invalid",
    "Malformed",
    "NotFound",
    "Unsupported",
    "is_busy",
]


class DomainError(Exception):
    """A request the domain refuses, with a message for the person who made it."""

    def __init__(
        self,
        detail: str,
        *,
        problems: Iterable[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = tuple(problems)
        self.headers = dict(headers or {})


class NotFound(DomainError):
    """No such record (or none this user may see: the same answer, so ids leak nothing)."""

    @classmethod
    def of(cls, what: str, ident: object) -> NotFound:
        return cls(f"{what} {ident} not found")


class Conflict(DomainError):
    """The request clashes with stored data or state (a duplicate, a closed cycle)."""


class Invalid(DomainError):
    """Well-formed but breaking rules; ``problems`` names every field and problem."""

    def __init__(self, problems: Iterable[Problem], detail: str = "Validation failed") -> None:
        found = tuple(problems)
        super().__init__(f"{detail}: {len(found)} problem(s)", problems=found)


class Malformed(DomainError):
    """A body that cannot be read at all (not UTF-8, not JSON or YAML, nested too deep)."""


class Unsupported(DomainError):
    """A body in a format this endpoint does not take."""


class Busy(DomainError):
    """The database is busy right now; nothing was changed."""


# asyncpg's SQLSTATEs of a busy server: too many connections, cannot connect now,
# serialization failure, deadlock, lock not available, query cancelled (statement timeout)
_BUSY_SQLSTATES = frozenset({"53300", "57P03", "40001", "40P01", "55P03", "57014"})


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again" rather than a bug."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    return getattr(exc, "sqlstate", None) in _BUSY_SQLSTATES

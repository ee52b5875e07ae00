"""Who is asking: session cookies, guards by staff role, and login with a throttle."""

from __future__ import annotations

import math
from typing import Any

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.accounts import repository as accounts
from server.core.db import utcnow
from server.core.passwords import verify_password
from server.core.schemas import User
from server.settings import Settings
from server.web.errors import TooManyAttempts

SESSION_COOKIE = "engine_session"
_UNSET = object()


class LoginRequired(NotAuthorizedException):
    """Raised on staff pages: the app answers with a redirect to the login page."""


async def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """The staff user of this request's session cookie (looked up once per request)."""
    cached = connection.scope.get("state", {}).get("staff_user", _UNSET)
    if cached is not _UNSET:
        return cached
    token = connection.cookies.get(SESSION_COOKIE)
    user = await accounts.session_user(token) if token else None
    connection.scope.setdefault("state", {})["staff_user"] = user
    return user


async def staff_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any logged-in staff member; 401 otherwise."""
    if await current_user(connection) is None:
        raise NotAuthorizedException(detail="Log in first: this needs a staff session")


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Admins only: 401 without a session, 403 for other roles."""
    user = await current_user(connection)
    if user is None:
        raise NotAuthorizedException(detail="Log in first: this needs a staff session")
    if user.role != "admin":
        raise PermissionDeniedException(detail=f"Only admins may do this (you are {user.role})")


async def page_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff pages: send visitors without a session to the login page."""
    if await current_user(connection) is None:
        raise LoginRequired()


async def page_admin_guard(
    connection: ASGIConnection[Any, Any, Any, Any], h: BaseRouteHandler
) -> None:
    await page_guard(connection, h)
    await admin_guard(connection, h)


async def authenticate(email: str, password: str, client: str, settings: Settings) -> User:
    """Check the password and return the user.

    Failed attempts are counted per e-mail and per client address; each failure is answered
    more slowly, and after ``LOGIN_MAX_FAILURES`` within ``LOGIN_LOCK_SECONDS`` the e-mail
    (or address) is refused with 429 until the lock ends.
    """
    email = email.strip().lower()
    keys = [f"email:{email}", f"ip:{client}"]
    # One attempt per e-mail at a time in this process (and at most HASHING_SLOTS password
    # checks at once, see server.core.passwords): concurrent attempts are checked in turn against
    # the throttle, so twenty at once cannot all slip under the lock.
    async with _email_lock(email):
        lock = await accounts.locked_until(keys)
        if lock is not None:
            wait = max(1, math.ceil((lock - utcnow()).total_seconds()))
            raise TooManyAttempts(
                detail=f"Too many failed logins: try again in {wait} seconds",
                headers={"Retry-After": str(wait)},
            )
        found = await accounts.credentials(email)
        ok = await verify_password(found[1] if found else None, password)
        if ok and found is not None and found[2]:
            await accounts.clear_failures(keys[:1])
            return await accounts.get_user(found[0])
        failures = await accounts.record_failure(
            keys,
            max_failures=settings.login_max_failures,
            lock_seconds=settings.login_lock_seconds,
        )
    await anyio.sleep(min(failures, settings.login_max_failures) * settings.login_delay_ms / 1000)
    raise NotAuthorizedException(detail="Wrong e-mail or password")


_EMAIL_LOCKS: dict[str, anyio.Lock] = {}


class _email_lock:
    """The lock of one e-mail's login attempts; dropped when nobody holds or waits for it."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.lock = _EMAIL_LOCKS.setdefault(email, anyio.Lock())

    async def __aenter__(self) -> None:
        await self.lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.lock.release()
        if not self.lock.locked() and self.lock.statistics().tasks_waiting == 0:
            _EMAIL_LOCKS.pop(self.email, None)


def cookie_secure(settings: Settings, scheme: str) -> bool:
    """Secure cookies when ``SECURE_COOKIES=1``, or (unset) when the request came over https."""
    return settings.secure_cookies if settings.secure_cookies is not None else scheme == "https"


async def hiring_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Hiring data (item bank, campaigns, candidates): admins and recruiters; 403 for coaches."""
    user = await current_user(connection)
    if user is None:
        raise NotAuthorizedException(detail="Log in first: this needs a staff session")
    if user.role not in ("admin", "recruiter"):
        raise PermissionDeniedException(
            detail=f"Hiring data is for recruiters and admins (you are {user.role})"
        )


async def page_hiring_guard(
    connection: ASGIConnection[Any, Any, Any, Any], h: BaseRouteHandler
) -> None:
    await page_guard(connection, h)
    await hiring_guard(connection, h)


async def page_coaching_guard(
    connection: ASGIConnection[Any, Any, Any, Any], h: BaseRouteHandler
) -> None:
    """360 pages: visitors without a session to the login page; 403 for recruiters."""
    await page_guard(connection, h)
    await coaching_guard(connection, h)


async def coaching_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """360 reviews and development data: admins and coaches; 403 for recruiters."""
    user = await current_user(connection)
    if user is None:
        raise NotAuthorizedException(detail="Log in first: this needs a staff session")
    if user.role not in ("admin", "coach"):
        raise PermissionDeniedException(
            detail=f"360 reviews are for coaches and admins (you are {user.role})"
        )


async def guarded_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    """The user of a handler behind a staff guard (the guard has already refused others)."""
    user = await current_user(connection)
    if user is None:  # only reachable when a handler forgot its guard
        raise NotAuthorizedException(detail="Log in first: this needs a staff session")
    return user


CurrentUser = NamedDependency[User]
"""A handler parameter ``user: CurrentUser``: the staff user, injected by ``provide_user``."""


async def provide_user(request: Request[Any, Any, Any]) -> User:
    """The ``user`` dependency of handlers behind a staff guard (see ``server.app``)."""
    return await guarded_user(request)


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    settings: Settings = request.app.state.settings
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings, request.url.scheme),
        path="/",
        max_age=settings.session_days * 86400,
    )


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"

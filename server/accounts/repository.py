"""Staff users, their server-side sessions and the failed-login throttle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.core.db import utcnow, write_transaction
from server.core.errors import Conflict, NotFound
from server.core.schemas import User
from server.core.tokens import new_token, token_hash
from server.tables import LoginThrottle, StaffSession, StaffUser

_USER_COLUMNS = (
    StaffUser.id,
    StaffUser.email,
    StaffUser.name,
    StaffUser.role,
    StaffUser.active,
    StaffUser.created_at,
    StaffUser.last_login_at,
)


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
    )


# ---- users -----------------------------------------------------------------------------


async def list_users(*, limit: int, offset: int) -> tuple[list[User], int]:
    rows = await StaffUser.select(*_USER_COLUMNS).order_by(StaffUser.id).limit(limit).offset(offset)
    return [_user(r) for r in rows], await StaffUser.count()


async def get_user(ident: int) -> User:
    row = await StaffUser.select(*_USER_COLUMNS).where(StaffUser.id == ident).first()
    if row is None:
        raise NotFound.of("user", ident)
    return _user(row)


async def credentials(email: str) -> tuple[int, str, bool] | None:
    """(id, password hash, active) of the user with this e-mail, or ``None``."""
    row = (
        await StaffUser.select(StaffUser.id, StaffUser.password_hash, StaffUser.active)
        .where(StaffUser.email == email.strip().lower())
        .first()
    )
    return None if row is None else (row["id"], row["password_hash"], bool(row["active"]))


async def create_user(*, email: str, role: str, password_hash: str, name: str = "") -> User:
    email = email.strip().lower()
    async with write_transaction():
        if await StaffUser.exists().where(StaffUser.email == email):
            raise Conflict(f"email: a user with e-mail {email!r} already exists")
        row = StaffUser(
            email=email, role=role, password_hash=password_hash, name=name, created_at=utcnow()
        )
        await row.save()
    return await get_user(row.id)


async def update_user(ident: int, **values: Any) -> User:
    """Set the given columns (``role``, ``name``, ``active``, ``password_hash``)."""
    async with write_transaction():
        await get_user(ident)
        changes = {getattr(StaffUser, k): v for k, v in values.items() if v is not None}
        if changes:
            await StaffUser.update(changes).where(StaffUser.id == ident)
        if values.get("active") is False or values.get("password_hash"):
            await StaffSession.delete().where(StaffSession.user == ident)
    return await get_user(ident)


async def delete_user(ident: int) -> None:
    async with write_transaction():
        await get_user(ident)
        await StaffUser.delete().where(StaffUser.id == ident)


async def upsert_admin(email: str, password_hash: str) -> User:
    """Create the admin with this e-mail, or make that user an active admin with this password."""
    email = email.strip().lower()
    async with write_transaction():
        row = await StaffUser.select(StaffUser.id).where(StaffUser.email == email).first()
        if row is None:
            new = StaffUser(
                email=email,
                role="admin",
                password_hash=password_hash,
                name="Administrator",
                created_at=utcnow(),
            )
            await new.save()
            ident = new.id
        else:
            ident = row["id"]
            await StaffUser.update(
                {
                    StaffUser.role: "admin",
                    StaffUser.password_hash: password_hash,
                    StaffUser.active: True,
                }
            ).where(StaffUser.id == ident)
    return await get_user(ident)


async def count_users() -> int:
    return await StaffUser.count()


# ---- sessions --------------------------------------------------------------------------


async def open_session(user_id: int, days: int) -> str:
    """Store a new session for the user and return its token (only its hash is stored)."""
    token = new_token()
    now = utcnow()
    async with write_transaction():
        await StaffSession.insert(
            StaffSession(
                token_hash=token_hash(token),
                user=user_id,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
        await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == user_id)
        await StaffSession.delete().where(StaffSession.expires_at < now)
    return token


async def session_user(token: str) -> User | None:
    """The active user of an unexpired session, or ``None``."""
    row = (
        await StaffSession.select(StaffSession.user, StaffSession.expires_at)
        .where(StaffSession.token_hash == token_hash(token))
        .first()
    )
    if row is None or row["expires_at"] <= utcnow():
        return None
    user = await get_user(row["user"])
    return user if user.active else None


async def close_session(token: str) -> None:
    async with write_transaction():
        await StaffSession.delete().where(StaffSession.token_hash == token_hash(token))


# ---- failed-login throttle -------------------------------------------------------------


async def locked_until(keys: list[str]) -> datetime | None:
    """The latest lock still in force on any of ``keys``, or ``None``."""
    now = utcnow()
    rows = await LoginThrottle.select(LoginThrottle.locked_until).where(
        LoginThrottle.key.is_in(keys)
    )
    locks = [r["locked_until"] for r in rows if r["locked_until"] and r["locked_until"] > now]
    return max(locks) if locks else None


async def record_failure(keys: list[str], *, max_failures: int, lock_seconds: int) -> int:
    """Count a failed login against each key; lock a key after ``max_failures`` in the window.

    Returns the highest failure count among the keys (used to slow the reply).
    """
    now = utcnow()
    window = timedelta(seconds=lock_seconds)
    worst = 0
    async with write_transaction():
        for key in keys:
            row = await LoginThrottle.select().where(LoginThrottle.key == key).first()
            if row is None or row["first_failure_at"] + window < now:
                failures, first = 1, now
            else:
                failures, first = row["failures"] + 1, row["first_failure_at"]
            lock = now + window if failures >= max_failures else None
            if row is None:
                await LoginThrottle.insert(
                    LoginThrottle(
                        key=key, failures=failures, first_failure_at=first, locked_until=lock
                    )
                )
            else:
                await LoginThrottle.update(
                    {
                        LoginThrottle.failures: failures,
                        LoginThrottle.first_failure_at: first,
                        LoginThrottle.locked_until: lock,
                    }
                ).where(LoginThrottle.key == key)
            worst = max(worst, failures)
    return worst


async def clear_failures(keys: list[str]) -> None:
    async with write_transaction():
        await LoginThrottle.delete().where(LoginThrottle.key.is_in(keys))

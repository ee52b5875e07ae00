"""Staff accounts, managed by admins."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, post, put
from litestar.params import JSONBody

from server.accounts import repository as accounts
from server.core.errors import Conflict
from server.core.passwords import hash_password
from server.core.schemas import Page, User, UserIn, UserUpdate
from server.web.auth import admin_guard, current_user
from server.web.base import ApiController
from server.web.errors import ConflictError
from server.web.params import Limit, Offset, PathId


class UserPage(Page, kw_only=True):
    items: list[User]


class UserController(ApiController):
    path = "/api/v1/users"
    guards = [admin_guard]
    tags = ["users"]

    @get("/", summary="List staff users")
    async def list_users(self, limit: Limit = 50, offset: Offset = 0) -> UserPage:
        items, total = await accounts.list_users(limit=limit, offset=offset)
        return UserPage(items=items, total=total, limit=limit, offset=offset)

    @post("/", summary="Create a staff user", raises=[ConflictError])
    async def create_user(self, data: JSONBody[UserIn]) -> User:
        return await accounts.create_user(
            email=data.email,
            role=data.role,
            name=data.name,
            password_hash=await hash_password(data.password),
        )

    @get("/{user_id:int}", summary="One staff user")
    async def get_user(self, user_id: PathId) -> User:
        return await accounts.get_user(user_id)

    @put(
        "/{user_id:int}",
        summary="Change role, name, password or active flag",
        raises=[ConflictError],
    )
    async def update_user(
        self, request: Request[Any, Any, Any], user_id: PathId, data: JSONBody[UserUpdate]
    ) -> User:
        me = await current_user(request)
        if (
            me is not None
            and me.id == user_id
            and (data.active is False or (data.role and data.role != "admin"))
        ):
            raise Conflict("role: you cannot demote or deactivate yourself")
        return await accounts.update_user(
            user_id,
            role=data.role,
            name=data.name,
            active=data.active,
            password_hash=await hash_password(data.password) if data.password else None,
        )

    @delete("/{user_id:int}", summary="Delete a staff user", raises=[ConflictError])
    async def delete_user(self, request: Request[Any, Any, Any], user_id: PathId) -> None:
        me = await current_user(request)
        if me is not None and me.id == user_id:
            raise Conflict("user_id: you cannot delete yourself")
        await accounts.delete_user(user_id)

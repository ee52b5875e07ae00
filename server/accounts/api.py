"""Login, logout and the current user."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from server.accounts import repository as accounts
from server.core.schemas import Login, User
from server.settings import Settings
from server.web.auth import (
    SESSION_COOKIE,
    authenticate,
    client_address,
    guarded_user,
    session_cookie,
    staff_guard,
)
from server.web.base import ApiController
from server.web.errors import TooManyAttempts


class AuthController(ApiController):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=200,
        raises=[NotAuthorizedException, TooManyAttempts],
        summary="Log in with e-mail and password; sets the session cookie",
    )
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[Login]) -> Response[User]:
        settings: Settings = request.app.state.settings
        user = await authenticate(data.email, data.password, client_address(request), settings)
        token = await accounts.open_session(user.id, settings.session_days)
        user = await accounts.get_user(user.id)  # with this login's time
        return Response(user, status_code=200, cookies=[session_cookie(request, token)])

    @post(
        "/logout",
        status_code=204,
        guards=[staff_guard],
        summary="End this session",
        # the cookie is cleared by a fixed header: the answer has no body (nor a JSON null)
        response_cookies=[
            Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax")
        ],
    )
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.close_session(token)

    @get("/me", guards=[staff_guard], summary="The logged-in user")
    async def me(self, request: Request[Any, Any, Any]) -> User:
        return await guarded_user(request)

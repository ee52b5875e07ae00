"""Logging in and out on the pages (server-rendered, no JavaScript needed)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from server.accounts import repository as accounts
from server.core.vocabulary import LANGUAGES
from server.web.auth import SESSION_COOKIE, authenticate, client_address, session_cookie
from server.web.context import LANGUAGE_COOKIE, page_context, staff_language
from server.web.i18n import translations

FormData = URLEncodedBody[dict[str, Any]]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``/app...``; anything else goes to the library."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


def _login_here(target: str | None) -> str:
    """The login page's own address, with only a same-site ``next``."""
    return "/login?" + urlencode({"next": _safe_next(target)})


@get("/", include_in_schema=False)
async def index() -> Redirect:
    return Redirect(path="/app")


@get("/login", include_in_schema=False)
async def login_page(
    request: Request[Any, Any, Any],
    next: Annotated[str | None, QueryParameter(max_length=500)] = None,
) -> Template:
    return Template(
        "login.html",
        context=await page_context(
            request, next=_safe_next(next), error=None, email="", here=_login_here(next)
        ),
        media_type="text/html",
    )


@post("/login", include_in_schema=False)
async def login_submit(request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
    settings = request.app.state.settings
    email = str(data.get("email", ""))[:254]
    target = _safe_next(str(data.get("next", "")))
    try:
        user = await authenticate(
            email, str(data.get("password", ""))[:256], client_address(request), settings
        )
    except (NotAuthorizedException, HTTPException) as exc:
        catalogue = translations(staff_language(request))
        if exc.status_code == 429:
            wait = int((exc.headers or {}).get("Retry-After", "1"))
            error = catalogue.ngettext(
                "Too many failed logins: try again in %(num)s second.",
                "Too many failed logins: try again in %(num)s seconds.",
                wait,
            ) % {"num": wait}
        else:
            error = catalogue.gettext("Wrong e-mail or password.")
        return Template(
            "login.html",
            context=await page_context(
                request, next=target, error=error, email=email, here=_login_here(target)
            ),
            status_code=exc.status_code,
            headers=exc.headers or {},
            media_type="text/html",
        )
    token = await accounts.open_session(user.id, settings.session_days)
    return Redirect(path=target, cookies=[session_cookie(request, token)])


@post("/logout", include_in_schema=False)
async def logout_submit(request: Request[Any, Any, Any]) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await accounts.close_session(token)
    return Redirect(
        path="/login",
        cookies=[
            Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax")
        ],
    )


@post("/language", include_in_schema=False)
async def choose_language(request: Request[Any, Any, Any], data: FormData) -> Redirect:
    """The header's language buttons: staff pages speak ``lang`` from now on (a cookie, a
    year); the browser returns to the page it came from."""
    lang = str(data.get("lang", ""))
    cookies = []
    if lang in LANGUAGES:
        cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=lang,
                max_age=365 * 24 * 3600,
                path="/",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        )
    return Redirect(path=_safe_next(str(data.get("next", ""))), cookies=cookies)


LOGIN_PAGE_HANDLERS = [index, login_page, login_submit, logout_submit, choose_language]

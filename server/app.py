"""The application factory."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from server.auth import LoginRequired, provide_user
from server.controllers.analysis import ANALYSIS_PAGE_HANDLERS, AnalysisController
from server.controllers.audit import AuditController
from server.controllers.auth import AuthController
from server.controllers.campaign_pages import CAMPAIGN_PAGE_HANDLERS
from server.controllers.campaigns import CampaignController
from server.controllers.health import health
from server.controllers.library import (
    AreaController,
    CompetencyController,
    LibraryController,
    RoleController,
)
from server.controllers.pages import PAGE_HANDLERS
from server.controllers.plans import DevelopmentPlanController, OnboardingController
from server.controllers.privacy import PrivacyController
from server.controllers.rate import RATE_HANDLERS
from server.controllers.respond import RespondController
from server.controllers.review_pages import REVIEW_PAGE_HANDLERS
from server.controllers.reviews import NominationController, ReviewController
from server.controllers.sjt import SjtFormController, SjtItemController
from server.controllers.take import TAKE_HANDLERS
from server.controllers.users import UserController
from server.core.errors import DomainError
from server.cross_site import cross_site_guard
from server.db import close_pool, start_pool
from server.environment import template_engine
from server.errors import database_busy, domain_error, too_deep
from server.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]


def _login_redirect(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return Redirect(path="/login", query_params={"next": target})


async def _csp(response: Response[Any]) -> Response[Any]:
    # The interactive OpenAPI viewers load their own scripts; every other page gets the CSP.
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    async def on_startup() -> None:
        if settings.pool_size > 0:
            await start_pool(settings.pool_size)

    async def on_shutdown() -> None:
        if settings.pool_size > 0:
            await close_pool()

    app = Litestar(
        # the staff user of a guarded handler, injected as ``user`` (guards refuse others)
        dependencies={"user": Provide(provide_user)},
        route_handlers=[
            health,
            AuthController,
            UserController,
            AuditController,
            PrivacyController,
            CompetencyController,
            AreaController,
            RoleController,
            LibraryController,
            SjtItemController,
            SjtFormController,
            CampaignController,
            RespondController,
            ReviewController,
            NominationController,
            DevelopmentPlanController,
            OnboardingController,
            AnalysisController,
            *PAGE_HANDLERS,
            *TAKE_HANDLERS,
            *CAMPAIGN_PAGE_HANDLERS,
            *RATE_HANDLERS,
            *REVIEW_PAGE_HANDLERS,
            *ANALYSIS_PAGE_HANDLERS,
            create_static_files_router(path="/static", directories=[STATIC], name="static"),
        ],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        exception_handlers={
            LoginRequired: _login_redirect,
            sqlite3.OperationalError: database_busy,
            asyncpg.PostgresError: database_busy,
            RecursionError: too_deep,
            DomainError: domain_error,
        },
        template_config=TemplateConfig(instance=template_engine()),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="engine_csrf",
            cookie_secure=bool(settings.secure_cookies),
            cookie_samesite="lax",
            # /take: the unguessable token in the path is the credential (no cookie to ride on)
            exclude=["/api/", "/health", "/schema", "/take/", "/rate/"],
        ),
        openapi_config=OpenAPIConfig(
            title="Assessment engine",
            version="1",
            description="Competency library, situational judgement tests and 360 reviews.",
            path="/schema",
        ),
        response_headers=SECURITY_HEADERS,
        middleware=[cross_site_guard],
        after_request=_csp,
        request_max_body_size=5 * 1024 * 1024,
        debug=settings.debug,
    )
    app.state.settings = settings
    return app

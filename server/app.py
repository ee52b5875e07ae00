"""The application factory."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from server.accounts.api import AuthController
from server.accounts.pages import LOGIN_PAGE_HANDLERS
from server.accounts.users_api import UserController
from server.admin.audit_api import AuditController
from server.admin.audit_pages import AUDIT_PAGE_HANDLERS
from server.admin.privacy_api import PrivacyController
from server.analysis.api import ANALYSIS_PAGE_HANDLERS, AnalysisController
from server.core import passwords
from server.core.db import close_pool, start_pool
from server.core.errors import DomainError
from server.development.api import DevelopmentPlanController, OnboardingController
from server.development.dependencies import provide_plan_service
from server.development.pages import PLAN_PAGE_HANDLERS
from server.hiring.api import CampaignController
from server.hiring.dependencies import provide_hiring_service
from server.hiring.pages import CAMPAIGN_PAGE_HANDLERS
from server.job_analysis.api import JobAnalysisController
from server.job_analysis.dependencies import provide_job_analysis_service
from server.job_analysis.expert_api import ExpertController
from server.job_analysis.expert_pages import EXPERT_PAGE_HANDLERS
from server.job_analysis.pages import JOB_ANALYSIS_PAGE_HANDLERS
from server.jobs.routes import JOBS_ROUTER
from server.library.api import (
    AreaController,
    CompetencyController,
    LibraryController,
    RoleController,
)
from server.library.dependencies import provide_library_service
from server.library.pages import PAGE_HANDLERS
from server.outbox.api import MAIL_API_CONTROLLERS
from server.outbox.pages import OUTBOX_PAGE_HANDLERS
from server.outbox.worker import Worker
from server.respondent.api import RespondController
from server.respondent.nominate_pages import NOMINATE_HANDLERS
from server.respondent.rate_pages import RATE_HANDLERS
from server.respondent.take_pages import TAKE_HANDLERS
from server.reviews.api import NominationController, ReviewController
from server.reviews.dependencies import provide_review_service
from server.reviews.pages import REVIEW_PAGE_HANDLERS
from server.settings import Settings, get_settings
from server.sjt.api import SjtFormController, SjtItemController
from server.sjt.key_pages import KEY_HANDLERS
from server.sjt.pages import ITEM_PAGE_HANDLERS
from server.web.auth import LoginRequired, provide_user
from server.web.cross_site import cross_site_guard
from server.web.environment import template_engine
from server.web.errors import database_busy, domain_error, too_deep
from server.web.favicon import favicon
from server.web.health import health
from server.web.security_headers import security_headers

STATIC = Path(__file__).parent / "static"


def _login_redirect(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return Redirect(path="/login", query_params={"next": target})


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    worker: dict[str, Any] = {}

    async def on_startup() -> None:
        # before the first login, so an unknown e-mail's first check takes as long as others
        passwords.dummy_hash()
        if settings.pool_size > 0:
            await start_pool(settings.pool_size)
        if settings.worker_in_serve:  # the outbox and background jobs (server.outbox.worker)
            stop = asyncio.Event()
            worker["stop"] = stop
            worker["task"] = asyncio.create_task(Worker(settings).run(stop))

    async def on_shutdown() -> None:
        if worker:
            worker["stop"].set()
            await worker["task"]
        if settings.pool_size > 0:
            await close_pool()

    app = Litestar(
        # the staff user of a guarded handler, injected as ``user`` (guards refuse others),
        # and each slice's service, injected where a handler names it
        dependencies={
            "user": Provide(provide_user),
            "hiring_service": Provide(provide_hiring_service, sync_to_thread=False),
            "review_service": Provide(provide_review_service, sync_to_thread=False),
            "library_service": Provide(provide_library_service, sync_to_thread=False),
            "plan_service": Provide(provide_plan_service, sync_to_thread=False),
            "job_analysis_service": Provide(provide_job_analysis_service, sync_to_thread=False),
        },
        route_handlers=[
            health,
            favicon,
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
            JobAnalysisController,
            ExpertController,
            *MAIL_API_CONTROLLERS,
            *LOGIN_PAGE_HANDLERS,
            *PAGE_HANDLERS,
            *TAKE_HANDLERS,
            *CAMPAIGN_PAGE_HANDLERS,
            *ITEM_PAGE_HANDLERS,
            *KEY_HANDLERS,
            *RATE_HANDLERS,
            *NOMINATE_HANDLERS,
            *REVIEW_PAGE_HANDLERS,
            *PLAN_PAGE_HANDLERS,
            *ANALYSIS_PAGE_HANDLERS,
            *AUDIT_PAGE_HANDLERS,
            *OUTBOX_PAGE_HANDLERS,
            *JOB_ANALYSIS_PAGE_HANDLERS,
            *EXPERT_PAGE_HANDLERS,
            JOBS_ROUTER,
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
            # /take, /rate, /nominate, /key, /expert: the unguessable token in the path is
            # the credential (no cookie to ride on). One pattern anchored at the start: a
            # page whose path only contains one of these (".../key/...") keeps its check,
            # and the middleware tests one position, not every one of the path's.
            exclude=r"^(?:/api/|/health|/schema|/take/|/rate/|/nominate/|/key/|/expert/)",
        ),
        openapi_config=OpenAPIConfig(
            title="Assessment engine",
            version="1",
            description="Competency library, situational judgement tests and 360 reviews.",
            path="/schema",
        ),
        middleware=[security_headers, cross_site_guard],
        request_max_body_size=5 * 1024 * 1024,
        debug=settings.debug,
    )
    app.state.settings = settings
    return app

"""Wire the service: FastAPI with the API under /api/v1, the sign-in page, /healthz, the scheduler,
and the Dash dashboard mounted at `/`. Nothing happens at import; `create_app(settings)` builds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from a2wsgi import WSGIMiddleware
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from app.api import API_PREFIX
from app.api.errors import install_error_handlers
from app.api.models import Health, Problem
from app.api.routes import (
    admin,
    audit,
    auth,
    briefs,
    catalog,
    cycle,
    ledger,
    notes,
    observations,
    reporting,
    uploads,
)
from app.api.upload_limit import UploadBodyLimit
from app.config import Settings
from app.context import AppContext
from app.scheduler import build_scheduler
from app.security_headers import SecurityHeaders
from app.services.accounts import LoginLimits
from app.store import migrate
from app.store.engine import make_engine
from app.web import router as web_router
from indicators.plan import load_plan


def build_context(settings: Settings, engine: sa.Engine | None = None) -> AppContext:
    return AppContext(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        plan=load_plan(settings.plan),
        limits=LoginLimits(
            session_lifetime=dt.timedelta(hours=settings.session_hours),
            token_lifetime=dt.timedelta(days=settings.token_days),
        ),
    )


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in {
        400: "bad request",
        401: "not signed in, or an invalid token",
        403: "the role lacks the permission, or a missing CSRF token",
        404: "not found",
        409: "conflict with the object's state (e.g. warnings not confirmed)",
        413: "file too large",
        415: "unsupported file type",
        422: "invalid parameters",
        429: "too many failed logins",
    }.items()
}


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, responses=COMMON_ERRORS)
    for module in (
        auth,
        catalog,
        observations,
        uploads,
        reporting,
        notes,
        audit,
        briefs,
        cycle,
        ledger,
        admin,
    ):
        router.include_router(module.router)
    from app.api.routes import progress

    router.include_router(progress.router)
    return router


def create_app(
    settings: Settings, *, engine: sa.Engine | None = None, scheduler: bool = True, dashboard: bool = True
) -> FastAPI:
    """The whole service for the given settings (tests pass their own engine and may skip parts)."""
    context = build_context(settings, engine)
    dash_app = None
    if dashboard:
        from dashboard.app import create_dash
        from dashboard.warmup import warm_pages

        dash_app = create_dash(context)
    warm = (lambda: warm_pages(dash_app)) if dash_app is not None else None
    jobs = build_scheduler(settings, context.engine, warm=warm) if scheduler else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if jobs is not None:
            jobs.start()
        try:
            yield
        finally:
            if jobs is not None:
                jobs.shutdown(wait=False)

    app = FastAPI(
        title="数字经济监测 Digital Economy Monitor",
        version="0.1.0",
        description=f"{context.plan.monitor_name}：目标、任务、上报与进度 / {context.plan.monitor_name_en}",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(UploadBodyLimit, path=f"{API_PREFIX}/uploads", max_bytes=settings.max_upload_bytes)
    app.include_router(api_router())
    app.include_router(web_router)

    # the newest migration of this code: reading the scripts costs ~4 ms of Python per call, which
    # under 50 users made /healthz the slowest request of the service; the code cannot change
    # while the process runs, so it is read once
    head = migrate.head_revision()

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> JSONResponse:
        """Database reachable, migrations current, scheduler alive."""
        try:
            with context.engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            database, current = True, migrate.current_revision(context.engine) == head
        except sa.exc.SQLAlchemyError:
            database, current = False, False
        running = jobs.running if jobs is not None else False
        ok = database and current and (running or jobs is None)
        body = Health(
            status="ok" if ok else "degraded",
            database=database,
            migrations_current=current,
            scheduler_running=running,
        )
        return JSONResponse(body.model_dump(), status_code=200 if ok else 503)

    script_hashes: Callable[[], list[str]] = list
    if dash_app is not None:
        script_hashes = lambda: list(dash_app.csp_hashes())  # noqa: E731 (asked per response)
        app.mount("/", WSGIMiddleware(dash_app.server))  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders, script_hashes=script_hashes)
    return app

"""``create_app(settings)``: the only composition root.

Nothing connects at import time. Tests build an app from their own ``Settings`` (and may
hand in a ``Database`` bound to a test transaction, a storage, or an HTTP transport).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI

from learnloop import __version__
from learnloop.analytics.catalog import OwnedContentActivities
from learnloop.analytics.projections import ProgressProjector
from learnloop.analytics.routes import router as analytics_router
from learnloop.analytics.routes import xapi_router as progress_router
from learnloop.auth.jwks import JwksKeySet
from learnloop.auth.routes import router as auth_router
from learnloop.cmi5.errors import install_cmi5_error_handlers
from learnloop.cmi5.registrations import TeacherActivities
from learnloop.cmi5.routes import pages as cmi5_pages
from learnloop.cmi5.routes import router as cmi5_router
from learnloop.cmi5.satisfaction import Cmi5StatementTracker
from learnloop.cmi5.session_rules import check_au_statements
from learnloop.cmi5.xapi_access import authenticate_au_token
from learnloop.config import Settings
from learnloop.db import Database
from learnloop.errors import install_error_handlers
from learnloop.h5p.content import get_ownership as h5p_ownership
from learnloop.h5p.editor.routes import router as h5p_editor_router
from learnloop.h5p.errors import install_h5p_error_handlers
from learnloop.h5p.export.routes import router as h5p_export_router
from learnloop.h5p.hub.routes import router as h5p_hub_router
from learnloop.h5p.hub.tasks import register_hub_jobs
from learnloop.h5p.player_routes import build_player_router
from learnloop.h5p.quality.routes import router as h5p_quality_router
from learnloop.h5p.routes import router as h5p_router
from learnloop.h5p.temp_files import register_h5p_jobs
from learnloop.h5p.upgrades.routes import router as h5p_upgrades_router
from learnloop.h5p.upgrades.tasks import register_upgrade_jobs
from learnloop.jobs.worker import JobRegistry, Worker
from learnloop.lti.deep_linking_routes import router as lti_deep_linking_router
from learnloop.lti.grades import GradePassback, register_grade_jobs
from learnloop.lti.launch import PlatformKeySets
from learnloop.lti.roster import register_roster_jobs
from learnloop.lti.routes import admin_router as lti_admin_router
from learnloop.lti.routes import router as lti_router
from learnloop.operations.api_docs import router as api_docs_router
from learnloop.operations.health import router as health_router
from learnloop.operations.metrics import Metrics
from learnloop.operations.routes import router as operations_router
from learnloop.outbound import build_http_client
from learnloop.partners.admin_routes import router as partners_admin_router
from learnloop.partners.forwarding import ForwardingSubscriber
from learnloop.partners.routes import install_partner_error_handlers
from learnloop.partners.routes import router as partners_router
from learnloop.partners.tasks import register_partner_jobs
from learnloop.plans.routes import router as plans_router
from learnloop.request_pipeline import RequestIntake, RequestPipeline
from learnloop.requestlog import configure_logging
from learnloop.storage import FileStorage, build_storage
from learnloop.web.assets import router as assets_router
from learnloop.web.dashboard import router as dashboard_router
from learnloop.web.lti.routes import router as lti_pages_router
from learnloop.web.partners.routes import router as partner_pages_router
from learnloop.web.player import router as player_page_router
from learnloop.web.routes import router as web_router
from learnloop.xapi.activity_definitions import record_statement_activities
from learnloop.xapi.client_routes import router as xapi_clients_router
from learnloop.xapi.document_routes import router as xapi_documents_router
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.partitioning.tasks import register_statement_partition_jobs
from learnloop.xapi.reference_routes import router as xapi_reference_router
from learnloop.xapi.resource_routes import router as xapi_resources_router
from learnloop.xapi.routes import router as xapi_router


@dataclass
class Services:
    """Long-lived collaborators of one app instance (also used by the CLI and worker)."""

    settings: Settings
    database: Database
    storage: FileStorage
    http: httpx.Client
    jwks: JwksKeySet | None
    jobs: JobRegistry = field(default_factory=JobRegistry)
    # Filled by create_app; job handlers that store statements go through it too.
    xapi_hooks: StatementHooks = field(default_factory=StatementHooks)


def build_services(
    settings: Settings,
    *,
    database: Database | None = None,
    storage: FileStorage | None = None,
    http_transport: httpx.BaseTransport | None = None,
) -> Services:
    http = build_http_client(settings, http_transport)
    jwks = (
        JwksKeySet(settings.external_jwt_jwks_url, http, settings.jwks_cache_seconds)
        if settings.external_jwt_jwks_url
        else None
    )
    services = Services(
        settings=settings,
        database=database
        or Database.from_url(settings.resolved_database_url, echo=settings.sql_echo),
        storage=storage or build_storage(settings),
        http=http,
        jwks=jwks,
    )
    # Domains with background work register their handlers on ``services.jobs`` here.
    register_partner_jobs(services.jobs, services.http, services.xapi_hooks)
    register_h5p_jobs(services.jobs)
    register_hub_jobs(services.jobs, services.http)
    register_upgrade_jobs(services.jobs)
    register_grade_jobs(services.jobs, services.http)
    register_roster_jobs(services.jobs, services.http)
    register_statement_partition_jobs(services.jobs)
    return services


def build_worker(services: Services) -> Worker:
    return Worker(
        database=services.database,
        registry=services.jobs,
        settings=services.settings,
        storage=services.storage,
    )


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    storage: FileStorage | None = None,
    http_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    services = build_services(
        settings, database=database, storage=storage, http_transport=http_transport
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread: threading.Thread | None = None
        if settings.worker_in_process:
            thread = threading.Thread(
                target=build_worker(services).run_forever,
                args=(stop,),
                name="learnloop-worker",
                daemon=True,
            )
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)
            services.http.close()

    app = FastAPI(
        title="LearnLoop",
        version=__version__,
        description="H5P content server, xAPI Learning Record Store, cmi5 and analytics.",
        lifespan=lifespan,
        # Served by operations.api_docs from node_modules instead of a CDN; no ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.database = services.database
    app.state.storage = services.storage
    app.state.jwks = services.jwks

    install_error_handlers(app)
    install_h5p_error_handlers(app)
    install_cmi5_error_handlers(app)
    install_partner_error_handlers(app)

    app.include_router(operations_router)
    app.include_router(api_docs_router)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(plans_router)
    app.include_router(xapi_router)
    app.include_router(xapi_reference_router)
    app.include_router(xapi_clients_router)
    app.include_router(xapi_documents_router)
    app.include_router(xapi_resources_router)
    # Other domains register statement checks and on-stored subscribers here.
    app.state.xapi_hooks = services.xapi_hooks
    app.state.xapi_hooks.add_on_stored(record_statement_activities)
    app.state.xapi_hooks.add_on_stored(ProgressProjector(settings.base_url))
    app.state.xapi_hooks.add_check(check_au_statements)
    app.state.metrics = Metrics(services.database)
    app.state.metrics.watch_commits()
    app.state.xapi_hooks.add_on_stored(app.state.metrics.count_stored)
    app.state.xapi_hooks.add_teacher_activity_provider(TeacherActivities(settings.base_url))
    app.state.xapi_hooks.add_teacher_activity_provider(OwnedContentActivities(settings.base_url))
    app.state.xapi_hooks.add_on_stored(
        Cmi5StatementTracker(settings.base_url, app.state.xapi_hooks)
    )
    # Last: forwarding queues what the other subscribers let through.
    app.state.xapi_hooks.add_on_stored(ForwardingSubscriber(settings.base_url))
    app.state.cmi5_content_owner = lambda s, cid: getattr(h5p_ownership(s, cid), "user_id", None)
    app.include_router(cmi5_router)
    app.include_router(cmi5_pages)
    # cmi5 auth tokens on /xapi/: an AU caller bound to one session (see cmi5.xapi_access).
    app.state.xapi_basic_authenticators = [authenticate_au_token]
    app.include_router(progress_router)
    app.include_router(analytics_router)
    app.include_router(assets_router)
    app.include_router(dashboard_router)
    # Before h5p_router: its /h5p/content/{id}/{file_path:path} would take the export paths.
    app.include_router(h5p_export_router)
    app.include_router(h5p_editor_router)
    app.include_router(h5p_hub_router)
    app.include_router(h5p_quality_router)
    app.include_router(h5p_upgrades_router)
    app.include_router(h5p_router)
    app.include_router(build_player_router(settings))
    app.include_router(player_page_router)
    app.include_router(web_router)
    app.include_router(partners_router)
    app.include_router(partners_admin_router)
    app.include_router(partner_pages_router)
    app.state.lti_key_sets = PlatformKeySets(services.http, settings.jwks_cache_seconds)
    app.include_router(lti_router)
    app.include_router(lti_admin_router)
    app.include_router(lti_deep_linking_router)
    app.include_router(lti_pages_router)
    app.state.xapi_hooks.add_on_stored(GradePassback(settings.base_url))

    # Innermost, before routing: body limits, a form's CSRF token, /xapi// paths, xAPI
    # alternate syntax, NUL and depth guard (request_pipeline; one layer, not five).
    app.add_middleware(
        RequestIntake,
        max_json_bytes=settings.max_json_body_bytes,
        max_upload_bytes=settings.max_upload_body_bytes,
    )
    # Outermost: request id, log line, metrics and xAPI version headers see every request,
    # including refused bodies and CORS preflights (CORS runs inside it).
    app.add_middleware(
        RequestPipeline,
        metrics=app.state.metrics,
        cors={
            "allow_origins": settings.cors_allow_origins,
            "allow_methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            "allow_headers": ["*"],
            "expose_headers": [
                "ETag",
                "Last-Modified",
                "X-Experience-API-Version",
                "X-Experience-API-Consistent-Through",
                "X-Request-ID",
            ],
        },
    )
    return app


SERVER_GC_THRESHOLDS = (20_000, 50, 100)


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``learnloop serve``)."""
    settings = Settings()
    # Each server process (``--workers``) sets up its own logging: one JSON line format.
    configure_logging(settings.log_level)
    app = create_app(settings)
    # Everything allocated so far (modules, routes, mappers, settings) lives as long as
    # the server process. Moving it to the collector's permanent generation keeps the
    # cyclic garbage collector from scanning it again and again: statement batches
    # allocate thousands of containers per request, and full collections over the whole
    # heap cost about a sixth of the server's CPU time on an ingest run. Request data is
    # freed by reference counting, not by the collector, so it also runs less often:
    # with the default 700 allocations it still took ~5 µs per ingested statement.
    gc.freeze()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)
    return app

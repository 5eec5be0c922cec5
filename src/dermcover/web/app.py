"""The application factory: `create_app(settings)` wires the routers, the middleware, the error
handlers and the static files; nothing else in the web package builds an app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from dermcover.case import Case
from dermcover.engine import library
from dermcover.estimate import EstimateRequest
from dermcover.web import api, cds, fhir, pages
from dermcover.web.api import determinations
from dermcover.web.api.cases import NewEvent
from dermcover.web.api.session import Credentials, PasswordChange
from dermcover.web.api_docs import install_api_docs
from dermcover.web.documents import DocumentInputs, DocumentRequest
from dermcover.web.errors import install_error_handlers
from dermcover.web.heavy import HeavyWork
from dermcover.web.interop import Interop
from dermcover.web.middleware import Safeguards
from dermcover.web.openapi import install_openapi
from dermcover.web.records import Records
from dermcover.web.settings import Settings
from dermcover.web.templating import STATIC
from dermcover.web.throttle import PasswordChecks

DESCRIPTION = (
    "Will insurance pay for this skin procedure, and if not, what will it cost and how can it "
    "be paid for? Bodies are JSON (or YAML with Content-Type: application/yaml). Bad input gets "
    '422 with `{"detail": "<one line>", "field": "<the field>"}`; a body over the size limit '
    "gets 413."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    library().load_all()  # a broken pack stops the start, not a request
    records = Records.open(
        settings.database_url,
        migrate=settings.migrate_on_start,
        idle=settings.session_idle,
        absolute=settings.session_absolute,
    )

    heavy = HeavyWork(settings.heavy_processes, settings.heavy_waiting)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        heavy.start()  # forked now, warmed up, before any request
        yield
        heavy.close()
        records.close()

    app = FastAPI(
        title="dermcover",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by install_api_docs, from the service's own files
        redoc_url=None,
        # FastAPI's own OpenTelemetry export (off unless a provider is set up, but asked on every
        # request): its logs would carry exception messages, which may quote a case, and the
        # service logs what it logs itself (dermcover.logs). Off, so that no set-up turns it on.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.records = records
    app.state.heavy = heavy
    app.state.password_checks = PasswordChecks()
    app.state.interop = Interop.from_env(records.assertions, records.prior_auths)
    install_error_handlers(app)
    determinations.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(cds.router)
    app.include_router(fhir.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_api_docs(app)
    install_openapi(
        app,
        [
            Case,
            EstimateRequest,
            DocumentRequest,
            DocumentInputs,
            Credentials,
            PasswordChange,
            NewEvent,
        ],
    )
    app.add_middleware(
        Safeguards,
        max_bytes=settings.max_body_bytes,
        seconds=settings.request_seconds,
        trusted_proxies=settings.trusted_proxies,
        direct=determinations.DIRECT,
        handlers=app.exception_handlers,
    )
    return app

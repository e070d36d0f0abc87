"""The FastAPI application: settings, the store, the job queue and the warm converter, for one
server's lifetime (everything is deleted at shutdown)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from hino_forms.output.uno import WarmConverter
from hino_forms.web import routes, security
from hino_forms.web.jobs import JobRunner
from hino_forms.web.settings import Settings
from hino_forms.web.store import Store

STATIC = Path(__file__).parent / "static"
EXPIRE_EVERY = 60.0  # seconds between sweeps for expired uploads and results

log = logging.getLogger("hino_forms.web")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application; its lifespan starts the converter and deletes every file at the end."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        converter = WarmConverter(settings.unoservers, local=settings.local_unoservers)
        if converter.note:
            log.warning(converter.note)
        if converter.addresses:
            converter.start()
        store = Store(settings.expiry)
        runner = JobRunner(
            store,
            workers=settings.workers,
            limit=settings.max_jobs,
            converter=converter if converter.addresses else None,
        )
        app.state.store, app.state.runner, app.state.converter = store, runner, converter
        sweeper = asyncio.create_task(_sweep(store))
        try:
            yield
        finally:
            sweeper.cancel()
            await asyncio.to_thread(runner.close)
            await asyncio.to_thread(converter.close)
            store.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.middleware("http")(security.guard(settings, routes.refuse))
    # Added last, so it runs first: the guard above reads the session.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie=security.SESSION_COOKIE,
        max_age=None,  # a browser session
        same_site="strict",
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(routes.router)
    routes.install_error_pages(app)
    return app


async def _sweep(store: Store) -> None:
    while True:
        await asyncio.sleep(EXPIRE_EVERY)
        await asyncio.to_thread(store.expire)

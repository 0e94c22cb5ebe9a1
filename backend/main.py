"""Builds the FastAPI app: settings, database, routers, error handlers, background expiry."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend.api import problems
from backend.api.limits import BodySizeLimit
from backend.api.routes import (health, orders, products, staff_catalog, staff_handoff,
                                staff_ops, staff_orders, support)
from backend.api.routes import notifications
from backend.api.routes import staff_reports
from backend.api.routes import staff_forecasts
from backend.dashboard import routes as dashboard
from backend.core.config import Settings, get_settings
from backend.core.db import create_engine, create_sessionmaker, dispose
from backend.core.gc_tuning import tune_for_serving
from backend.orders.expiry import expire_pending_orders

logger = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


async def _expiry_loop(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await expire_pending_orders(app.state.sessionmaker)
        except Exception:  # keep sweeping; one failed pass must not stop the loop
            logger.exception("pending-order expiry pass failed")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    task = None
    if settings.EXPIRY_INTERVAL_SECONDS > 0:
        task = asyncio.create_task(_expiry_loop(app, settings.EXPIRY_INTERVAL_SECONDS))
    tune_for_serving()
    try:
        yield
    finally:
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await dispose(app.state.engine, app.state.sessionmaker)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="orderbot backend", version="1.0.0", lifespan=lifespan,
                  description="Catalogue, stock, orders, feedback and support for orderbot.")
    app.state.settings = settings
    app.state.engine = create_engine(settings)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.MAX_REQUEST_BYTES)
    app.include_router(health.router)
    for module in (products, orders, support, staff_catalog, staff_orders, staff_ops,
                   staff_handoff):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(notifications.router, prefix=API_PREFIX)  # outbox for staff, opt-out
    app.include_router(staff_reports.router, prefix=API_PREFIX)  # analytics, exports
    app.include_router(staff_forecasts.router, prefix=API_PREFIX)  # forecasts, reorder
    app.include_router(dashboard.router)  # the staff dashboard page at /staff/dashboard
    return app


app = create_app()

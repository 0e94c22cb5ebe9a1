"""Forecasts for the staff routes: fitted at most every FORECAST_CACHE_SECONDS (and on a new
day), kept in the app process, and combined with the live stock on every request, so a
restock or a sale shows in the reorder plan at once without a refit.

A stale cache answers at once (marked `stale`) while one refit runs in the background;
only the very first request, or `refresh`, waits for the fit.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.core.config import Settings
from backend.core.db import READ_ONLY_OPTION
from backend.forecasting.engine import ForecastParams, SkuForecast, forecast_all
from backend.forecasting.series import load_histories, load_stock

logger = logging.getLogger(__name__)
HORIZON_DAYS = 28


@dataclass(frozen=True)
class ForecastRun:
    computed_at: datetime
    seconds: float
    history_days: int
    forecasts: dict[str, SkuForecast]


def params_from(settings: Settings, service_level: float | None = None) -> ForecastParams:
    return ForecastParams(horizon_days=HORIZON_DAYS, cover_days=settings.FORECAST_COVER_DAYS,
                          service_level=service_level or settings.FORECAST_SERVICE_LEVEL)


async def compute_run(sessionmaker: async_sessionmaker[AsyncSession],
                      settings: Settings) -> ForecastRun:
    started = time.perf_counter()
    async with sessionmaker() as session:
        await session.connection(execution_options={READ_ONLY_OPTION: True})
        histories = await load_histories(session, days=settings.FORECAST_HISTORY_DAYS)
    # CPU-bound fits off the event loop; the API keeps answering meanwhile.
    forecasts = await asyncio.to_thread(forecast_all, histories, params_from(settings))
    seconds = round(time.perf_counter() - started, 2)
    logger.info("forecast %d SKUs in %.2fs", len(forecasts), seconds)
    return ForecastRun(datetime.now(timezone.utc), seconds, settings.FORECAST_HISTORY_DAYS,
                       {f.sku: f for f in forecasts})


class ForecastCache:
    """One per app. The lock makes concurrent callers share one fit instead of racing."""

    def __init__(self, max_age_seconds: float) -> None:
        self.max_age = timedelta(seconds=max_age_seconds)
        self.run: ForecastRun | None = None
        self._lock = asyncio.Lock()
        self._refresh_task: asyncio.Task | None = None

    def is_stale(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return (self.run is None or now - self.run.computed_at >= self.max_age
                or now.date() != self.run.computed_at.date())  # a new day of history

    async def get(self, sessionmaker, settings: Settings, refresh: bool = False) -> ForecastRun:
        if refresh or self.run is None:
            return await self._compute(sessionmaker, settings, force=refresh)
        if self.is_stale() and not (self._refresh_task and not self._refresh_task.done()):
            self._refresh_task = asyncio.create_task(self._background(sessionmaker, settings))
        return self.run

    async def _compute(self, sessionmaker, settings: Settings, force: bool) -> ForecastRun:
        requested = time.monotonic()
        async with self._lock:
            # Someone else finished a fit while we waited: use it.
            if self.run is not None and (not force or self._fitted_after(requested)):
                return self.run
            self.run = await compute_run(sessionmaker, settings)
            self._fitted_monotonic = time.monotonic()
            return self.run

    def _fitted_after(self, moment: float) -> bool:
        return getattr(self, "_fitted_monotonic", -1.0) > moment

    async def _background(self, sessionmaker, settings: Settings) -> None:
        try:
            await self._compute(sessionmaker, settings, force=True)
        except Exception:  # the old forecasts keep serving; try again on a later request
            logger.exception("background forecast refit failed")


def cache_for(app_state, settings: Settings) -> ForecastCache:
    cache = getattr(app_state, "forecast_cache", None)
    if cache is None:
        cache = app_state.forecast_cache = ForecastCache(settings.FORECAST_CACHE_SECONDS)
    return cache


async def live_stock(session: AsyncSession) -> dict:
    return {row.sku: row for row in await load_stock(session)}

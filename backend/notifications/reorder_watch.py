"""Forecast reorder points for the low-stock scan: a SKU is low when its available stock is below
its fixed threshold or at/below the reorder point its demand forecast gives (lead-time demand +
safety stock). The notifier refits at most every FORECAST_CACHE_SECONDS (and on a new day),
in a worker thread; until the first fit, or for a SKU added since, only the threshold counts."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import Settings
from backend.forecasting.engine import forecast_all
from backend.forecasting.series import load_histories, load_stock
from backend.forecasting.service import params_from

logger = logging.getLogger(__name__)


class ReorderPoints:
    def __init__(self) -> None:
        self.points: dict[str, float] = {}
        self.fitted_at: datetime | None = None

    def is_stale(self, settings: Settings, now: datetime) -> bool:
        return (self.fitted_at is None or self.fitted_at.date() != now.date()
                or now - self.fitted_at >= timedelta(seconds=settings.FORECAST_CACHE_SECONDS))

    async def refresh(self, session: AsyncSession, settings: Settings, now: datetime) -> int:
        """A periodic job: refits when stale; returns how many SKUs have a reorder point."""
        if not self.is_stale(settings, now):
            return 0
        histories = await load_histories(session, days=settings.FORECAST_HISTORY_DAYS)
        stock = {row.sku: row for row in await load_stock(session)}
        params = params_from(settings)
        forecasts = await asyncio.to_thread(forecast_all, histories, params)
        # The reorder point does not depend on the stock on hand, only on demand and lead time.
        self.points = {
            f.sku: f.plan(available=0, lead_days=stock[f.sku].reorder_lead_days,
                          params=params).reorder_point
            for f in forecasts if f.sku in stock}
        self.fitted_at = now
        logger.info("reorder points refitted for %d SKUs", len(self.points))
        return len(self.points)

    def get(self, sku: str) -> float | None:
        return self.points.get(sku)


reorder_points = ReorderPoints()  # one per notifier process


async def refresh_reorder_points(session: AsyncSession, settings: Settings, now: datetime) -> int:
    return await reorder_points.refresh(session, settings, now)

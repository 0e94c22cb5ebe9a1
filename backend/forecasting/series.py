"""Daily demand and stock-out days per SKU, aggregated in SQL and laid out as dense arrays.

Demand is units on order lines by the day the order was placed (UTC), cancelled orders
excluded: they never took stock. A stock-out day is one with nothing available from its start to its
end (running sum of the ledger's on-hand minus reserved deltas ≤ 0 at both): its zero sales
say nothing about demand, so the methods see an estimate there and the backtest skips it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.forecasting.methods import SEASON
from backend.models import Inventory, Order, OrderLine, Product, StockMovement


@dataclass
class SkuHistory:
    sku: str
    name: str
    category: str
    start: date                 # the first day of `demand`
    demand: np.ndarray          # units per day, oldest first, ending yesterday
    stockout: np.ndarray        # True where nothing was available all day
    available: int              # on hand minus reserved, now
    lead_days: int
    low_stock_threshold: int

    @property
    def counted(self) -> np.ndarray:
        return ~self.stockout


def _day(column, dialect: str) -> ColumnElement:
    if dialect == "sqlite":
        return func.date(column)  # stored as UTC text, 'YYYY-MM-DD HH:MM:SS'
    return func.date(func.timezone("UTC", column))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


async def load_stock(session: AsyncSession) -> list:
    """Active products with their live stock, by SKU."""
    return list((await session.execute(
        select(Product.sku, Product.name, Product.category, Inventory.on_hand,
               Inventory.reserved, Inventory.reorder_lead_days, Inventory.low_stock_threshold)
        .join(Inventory, Inventory.sku == Product.sku)
        .where(Product.active).order_by(Product.sku))).all())


async def load_histories(session: AsyncSession, *, days: int,
                         today: date | None = None) -> list[SkuHistory]:
    """Every active product's last `days` full days (yesterday last)."""
    today = today or datetime.now(timezone.utc).date()
    start = today - timedelta(days=days)
    dialect = session.bind.dialect.name
    products = await load_stock(session)
    index = {row.sku: i for i, row in enumerate(products)}
    demand = np.zeros((len(products), days))
    window = (Order.created_at >= _midnight(start)) & (Order.created_at < _midnight(today))
    day = _day(Order.created_at, dialect)
    rows = await session.execute(
        select(OrderLine.sku, day, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(window, Order.status != "cancelled").group_by(OrderLine.sku, day))
    for sku, when, units in rows:
        if sku in index:
            demand[index[sku], (_as_date(when) - start).days] = float(units)
    opening, closing = await _available_by_day(session, index, start, today, dialect)
    stockout = (opening <= 0) & (closing <= 0)
    return [SkuHistory(sku=p.sku, name=p.name, category=p.category, start=start,
                       demand=demand[i], stockout=stockout[i],
                       available=p.on_hand - p.reserved, lead_days=p.reorder_lead_days,
                       low_stock_threshold=p.low_stock_threshold)
            for i, p in enumerate(products)]


async def _available_by_day(session: AsyncSession, index: dict[str, int], start: date,
                            today: date, dialect: str) -> tuple[np.ndarray, np.ndarray]:
    """Units available at the start and at the end of each day, from the ledger's daily sums."""
    days = (today - start).days
    delta = StockMovement.on_hand_delta - StockMovement.reserved_delta
    opening = np.zeros(len(index))
    for sku, total in await session.execute(
            select(StockMovement.sku, func.sum(delta))
            .where(StockMovement.created_at < _midnight(start)).group_by(StockMovement.sku)):
        if sku in index:
            opening[index[sku]] = float(total)
    changes = np.zeros((len(index), days))
    day = _day(StockMovement.created_at, dialect)
    for sku, when, total in await session.execute(
            select(StockMovement.sku, day, func.sum(delta))
            .where(StockMovement.created_at >= _midnight(start),
                   StockMovement.created_at < _midnight(today))
            .group_by(StockMovement.sku, day)):
        if sku in index:
            changes[index[sku], (_as_date(when) - start).days] = float(total)
    closing = opening[:, None] + np.cumsum(changes, axis=1)
    return closing - changes, closing


def fill_stockouts(history: SkuHistory) -> np.ndarray:
    """Demand with stock-out days replaced by the mean of the same weekday on the (up to four)
    previous in-stock weeks, else by the mean of all in-stock days."""
    values = history.demand.copy()
    counted = history.counted
    overall = float(values[counted].mean()) if counted.any() else 0.0
    for t in np.flatnonzero(history.stockout):
        same_weekday = [values[s] for s in range(t - SEASON, max(t - 5 * SEASON, -1), -SEASON)
                        if s >= 0 and counted[s]]
        values[t] = float(np.mean(same_weekday)) if same_weekday else overall
    return values


def trim_leading_zeros(values: np.ndarray, counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drops the days before the first sale (a product not yet launched), keeping whole weeks
    so weekdays stay aligned with the end of the series."""
    sold = np.flatnonzero(values > 0)
    if sold.size == 0:
        return values, counted
    keep_from = len(values) - ((len(values) - int(sold[0])) // SEASON) * SEASON
    return values[keep_from:], counted[keep_from:]

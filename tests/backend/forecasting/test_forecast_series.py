"""Daily demand and stock-out days from SQL, on SQLite and PostgreSQL, against rows whose
answer is worked out by hand."""
from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pytest
from sqlalchemy import insert

from backend.forecasting.series import SkuHistory, fill_stockouts, load_histories
from backend.models import Customer, Inventory, Order, OrderLine, Product, StockMovement

TODAY = date(2026, 3, 1)  # the window is the 14 days 2026-02-15 .. 2026-02-28


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment in February 2026 (day 29 is 1 March), UTC."""
    if day == 29:
        return datetime(2026, 3, 1, hour, minute, second, tzinfo=timezone.utc)
    return datetime(2026, 2, day, hour, minute, second, tzinfo=timezone.utc)


def _order(oid: int, created: datetime, status: str) -> dict:
    return {"id": oid, "number": f"FS-{oid}", "customer_id": 1, "channel": "web",
            "status": status, "currency": "EUR", "subtotal_minor": 100, "total_minor": 100,
            "shipping_address": {}, "created_at": created, "updated_at": created}


def _line(oid: int, sku: str, quantity: int) -> dict:
    return {"order_id": oid, "sku": sku, "name": sku, "unit_price_minor": 100,
            "quantity": quantity, "line_total_minor": 100 * quantity}


def _move(sku: str, kind: str, on_hand: int, reserved: int, when: datetime) -> dict:
    return {"sku": sku, "kind": kind, "quantity": abs(on_hand or reserved),
            "on_hand_delta": on_hand, "reserved_delta": reserved, "created_at": when}


@pytest.fixture(scope="session")
async def series_sessionmaker(db_kind: str, databases):
    from backend.core.config import Settings
    from backend.core.db import create_engine, create_sessionmaker

    engine = create_engine(Settings(_env_file=None, **databases.get(db_kind, "forecast-series")))
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        for sku, active in (("FS-ONE", True), ("FS-OFF", False)):
            await session.execute(insert(Product), [{
                "sku": sku, "name": sku, "category": "Test", "price_minor": 100,
                "currency": "EUR", "active": active}])
            await session.execute(insert(Inventory), [{
                "sku": sku, "on_hand": 10, "reserved": 0, "low_stock_threshold": 2,
                "reorder_lead_days": 5}])
        await session.execute(insert(Customer), [{"id": 1, "display_name": "Test"}])
        await session.execute(insert(Order), [
            _order(1, at(20, 10), "delivered"),       # 2 + 1 units on 20 Feb
            _order(2, at(20, 23, 30), "cancelled"),   # never counts
            _order(3, at(28, 23, 59, 59), "shipped"), # last second of the window
            _order(4, at(29, 0, 0, 1), "pending"),    # today: not a full day yet
            _order(5, at(14, 23, 59), "delivered"),   # before the window
        ])
        await session.execute(insert(OrderLine), [
            _line(1, "FS-ONE", 2), _line(1, "FS-ONE", 1), _line(2, "FS-ONE", 5),
            _line(3, "FS-ONE", 4), _line(4, "FS-ONE", 6), _line(5, "FS-ONE", 7),
            _line(1, "FS-OFF", 9)])
        await session.execute(insert(StockMovement), [
            _move("FS-ONE", "receipt", 3, 0, at(10)),         # opening: 3 available
            _move("FS-ONE", "reservation", 0, 3, at(20, 10)), # sold out on the 20th
            _move("FS-ONE", "shipment", -3, -3, at(21, 9)),   # availability unchanged
            _move("FS-ONE", "receipt", 10, 0, at(24, 12)),    # back in stock on the 24th
        ])
    yield sessionmaker
    await engine.dispose()


async def _history(sessionmaker) -> SkuHistory:
    async with sessionmaker() as session:
        histories = await load_histories(session, days=14, today=TODAY)
    assert [h.sku for h in histories] == ["FS-ONE"]  # inactive products are not forecast
    return histories[0]


async def test_load_histories_daily_units_by_utc_day(series_sessionmaker):
    history = await _history(series_sessionmaker)
    assert history.start == date(2026, 2, 15)
    expected = np.zeros(14)
    expected[5] = 3  # 20 Feb: order 1 (order 2 was cancelled)
    expected[13] = 4  # 28 Feb 23:59:59
    assert history.demand.tolist() == expected.tolist()
    assert (history.available, history.lead_days, history.low_stock_threshold) == (10, 5, 2)


async def test_load_histories_stockout_days_from_the_ledger(series_sessionmaker):
    history = await _history(series_sessionmaker)
    # Nothing available all day on 21, 22 and 23 Feb; the 20th sold out during the day and
    # the 24th was restocked during the day, so both are in stock.
    assert np.flatnonzero(history.stockout).tolist() == [6, 7, 8]


def test_fill_stockouts_uses_the_same_weekday_of_earlier_weeks():
    demand = np.array([1, 2, 3, 4, 5, 6, 7] * 3 + [0, 0, 9, 9, 9, 9, 9], dtype=float)
    stockout = np.zeros(len(demand), dtype=bool)
    stockout[[21, 22]] = True
    history = SkuHistory("S", "S", "C", date(2026, 1, 5), demand, stockout, 0, 7, 1)
    filled = fill_stockouts(history)
    assert filled[21] == 1.0 and filled[22] == 2.0  # Mondays and Tuesdays before
    assert filled[23:].tolist() == [9] * 5 and filled[:21].tolist() == demand[:21].tolist()

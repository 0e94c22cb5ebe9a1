"""run_write: SQLite write use cases on the single writer thread, PostgreSQL on the session."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from backend.core.db import run_write
from backend.inventory.allocation import allocate_stock, available_for, release_stock
from backend.inventory.models import StockMovement
from tests.backend.factories import create_product, reconciliation


async def _reserve(session, sku: str, quantity: int, fail: bool = False) -> str:
    async with session.begin():
        await allocate_stock(session, quantities={sku: quantity}, order_id=None)
        if fail:
            raise RuntimeError("after the reservation")
    return threading.current_thread().name


async def _release(session, sku: str, quantity: int) -> None:
    async with session.begin():
        await release_stock(session, quantities={sku: quantity}, order_id=None)


async def test_run_write_commits_on_the_right_thread(app, client, db_kind):
    product = await create_product(client, stock=5)
    async with app.state.sessionmaker() as session:
        thread = await run_write(session, _reserve, product["sku"], 2)
    expected = "sqlite-writer" if db_kind == "sqlite" else threading.current_thread().name
    assert thread == expected
    async with app.state.sessionmaker() as session:
        assert await available_for(session, [product["sku"]]) == {product["sku"]: 3}
    # A reservation without an order: give it back, or reconciliation (shared by every test
    # on this database) would flag it. (A new session: the one above holds SQLite's write
    # lock until it closes, and the writer thread would wait for it.)
    async with app.state.sessionmaker() as session:
        await run_write(session, _release, product["sku"], 2)
    assert (await reconciliation(client))["ok"]


async def test_run_write_error_rolls_back_everything(app, client):
    product = await create_product(client, stock=5)
    async with app.state.sessionmaker() as session:
        with pytest.raises(RuntimeError, match="after the reservation"):
            await run_write(session, _reserve, product["sku"], 2, fail=True)
    async with app.state.sessionmaker() as session:
        assert await available_for(session, [product["sku"]]) == {product["sku"]: 5}
        moves = (await session.execute(select(StockMovement.kind).where(
            StockMovement.sku == product["sku"]))).scalars().all()
    assert moves == ["receipt"]  # the initial stock only: no reservation row survived
    assert (await reconciliation(client))["ok"]

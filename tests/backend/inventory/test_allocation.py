"""Allocation functions called directly inside a transaction."""
from __future__ import annotations

import pytest

from backend.errors import InsufficientStock
from backend.inventory.allocation import allocate_stock, available_for, release_stock
from tests.backend.factories import create_product, reconciliation


async def test_allocate_stock_all_or_error(app, client):
    a = await create_product(client, stock=3)
    b = await create_product(client, stock=1)
    async with app.state.sessionmaker() as session:
        with pytest.raises(InsufficientStock) as caught:
            async with session.begin():
                await allocate_stock(session, quantities={a["sku"]: 2, b["sku"]: 2},
                                     order_id=None)
        assert caught.value.data["items"] == [{"sku": b["sku"], "requested": 2, "available": 1}]
        async with session.begin():
            # The rolled-back transaction left no reservation behind on either SKU.
            assert await available_for(session, [a["sku"], b["sku"]]) == {a["sku"]: 3,
                                                                           b["sku"]: 1}


async def test_allocate_then_release_keeps_ledger_consistent(app, client):
    product = await create_product(client, stock=4)
    async with app.state.sessionmaker() as session:
        async with session.begin():
            await allocate_stock(session, quantities={product["sku"]: 4}, order_id=None)
            assert (await available_for(session, [product["sku"]]))[product["sku"]] == 0
            await release_stock(session, quantities={product["sku"]: 4}, order_id=None)
    report = await reconciliation(client)
    assert product["sku"] not in [m["sku"] for m in report["mismatches"]]

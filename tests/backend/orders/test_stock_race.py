"""Races against a real uvicorn server: buyers never get the same unit twice."""
from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter

import httpx
import pytest

from tests.backend.servers import DB_KINDS, require_database
from tests.backend.factories import bot, create_product, order_body, reconciliation, stock

BUYERS = 50
UNITS = 10
ROUNDS = 20


@pytest.fixture(params=DB_KINDS)
def kind(request, postgres_ready):
    require_database(request.param, postgres_ready)
    return request.param


async def _buy(client: httpx.AsyncClient, lines: list[tuple[str, int]], key: str | None = None,
               buyer: str | None = None):
    headers = bot(buyer or f"web:{uuid.uuid4().hex}")
    if key:
        headers["Idempotency-Key"] = key
    response = await client.post("/api/v1/orders", json=order_body(*lines), headers=headers)
    return response.status_code, response.json()


async def _returning_buyers(client: httpx.AsyncClient, count: int) -> list[str]:
    """Customers who have ordered before. On PostgreSQL their orders take the one-call
    function (backend/orders/placement_pg.py) and a first order the Python use case: the
    races below mix both."""
    product = await create_product(client, stock=count)
    buyers = [f"web:{uuid.uuid4().hex}" for _ in range(count)]
    for buyer in buyers:
        assert (await _buy(client, [(product["sku"], 1)], buyer=buyer))[0] == 201
    return buyers


async def _race_round(client: httpx.AsyncClient, returning: list[str]) -> None:
    product = await create_product(client, stock=UNITS)
    # Half the buyers have ordered before, half are new.
    buyers = [returning[i] if i % 2 else None for i in range(BUYERS)]
    results = await asyncio.gather(*[_buy(client, [(product["sku"], 1)], buyer=buyer)
                                     for buyer in buyers])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: UNITS, 409: BUYERS - UNITS}, statuses
    assert all(body["code"] == "insufficient_stock" for status, body in results if status == 409)
    level = await stock(client, product["sku"])
    assert (level["on_hand"], level["reserved"], level["available"]) == (UNITS, UNITS, 0)


@pytest.mark.parametrize("delay_ms", [0, 5], ids=["no-delay", "delay-5ms"])
async def test_concurrent_buyers_sell_exactly_stock(live_servers, kind, delay_ms):
    server = live_servers.get(kind, delay_ms)
    limits = httpx.Limits(max_connections=BUYERS)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
        returning = await _returning_buyers(client, BUYERS)
        for _ in range(ROUNDS):
            await _race_round(client, returning)
        report = await reconciliation(client)
    assert report["ok"], report["mismatches"]


async def test_concurrent_multi_sku_orders_no_deadlock(live_servers, kind):
    server = live_servers.get(kind, 0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        returning = await _returning_buyers(client, 30)
        a = await create_product(client, stock=UNITS)
        b = await create_product(client, stock=UNITS)
        rng = random.Random(7)
        orders = [[(a["sku"], 1), (b["sku"], 1)] for _ in range(30)]
        for lines in orders:
            rng.shuffle(lines)  # request order must not matter: SKUs are locked sorted
        results = await asyncio.gather(*[_buy(client, lines, buyer=buyer)
                                         for lines, buyer in zip(orders, returning)])
        assert Counter(s for s, _ in results) == {201: UNITS, 409: 30 - UNITS}
        assert (await reconciliation(client))["ok"]


@pytest.mark.parametrize("returning", [False, True], ids=["new-buyer", "returning-buyer"])
async def test_concurrent_idempotent_retries_create_one_order(live_servers, kind, returning):
    server = live_servers.get(kind, 0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        buyer = (await _returning_buyers(client, 1))[0] if returning else f"web:{uuid.uuid4().hex}"
        product = await create_product(client, stock=UNITS)
        key = uuid.uuid4().hex
        results = await asyncio.gather(*[_buy(client, [(product["sku"], 2)], key=key,
                                              buyer=buyer) for _ in range(10)])
        assert {s for s, _ in results} <= {200, 201}, results
        assert len({body["number"] for _, body in results}) == 1
        assert (await stock(client, product["sku"]))["reserved"] == 2

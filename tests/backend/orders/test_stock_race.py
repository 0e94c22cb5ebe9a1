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


async def _buy(client: httpx.AsyncClient, lines: list[tuple[str, int]], key: str | None = None):
    headers = bot(f"web:{uuid.uuid4().hex}")
    if key:
        headers = {**bot("web:same-buyer"), "Idempotency-Key": key}
    response = await client.post("/api/v1/orders", json=order_body(*lines), headers=headers)
    return response.status_code, response.json()


async def _race_round(client: httpx.AsyncClient) -> None:
    product = await create_product(client, stock=UNITS)
    results = await asyncio.gather(*[_buy(client, [(product["sku"], 1)]) for _ in range(BUYERS)])
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
        for _ in range(ROUNDS):
            await _race_round(client)
        report = await reconciliation(client)
    assert report["ok"], report["mismatches"]


async def test_concurrent_multi_sku_orders_no_deadlock(live_servers, kind):
    server = live_servers.get(kind, 0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        a = await create_product(client, stock=UNITS)
        b = await create_product(client, stock=UNITS)
        rng = random.Random(7)
        orders = [[(a["sku"], 1), (b["sku"], 1)] for _ in range(30)]
        for lines in orders:
            rng.shuffle(lines)  # request order must not matter: SKUs are locked sorted
        results = await asyncio.gather(*[_buy(client, lines) for lines in orders])
        assert Counter(s for s, _ in results) == {201: UNITS, 409: 30 - UNITS}
        assert (await reconciliation(client))["ok"]


async def test_concurrent_idempotent_retries_create_one_order(live_servers, kind):
    server = live_servers.get(kind, 0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        product = await create_product(client, stock=UNITS)
        key = uuid.uuid4().hex
        results = await asyncio.gather(*[_buy(client, [(product["sku"], 2)], key=key)
                                         for _ in range(10)])
        assert {s for s, _ in results} <= {200, 201}, results
        assert len({body["number"] for _, body in results}) == 1
        assert (await stock(client, product["sku"]))["reserved"] == 2

"""A customer's first order takes the Python use case (backend/orders/service.py); on
PostgreSQL their later orders take the one-call function (backend/orders/placement_pg.py).
Whichever path places an order, the answer and every row written must be the same; on SQLite
both orders take the use case and these tests hold as well."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from backend.inventory.models import StockMovement
from backend.orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
from backend.outbox.models import Notification
from tests.backend.factories import bot, create_product, order_body, stock

VOLATILE = {"id", "order_id", "number", "created_at", "updated_at", "expires_at",
            "next_attempt_at", "key", "request_hash"}
ORDER_ROWS = [OrderLine.__table__, OrderEvent.__table__, Notification.__table__,
              StockMovement.__table__, IdempotencyKey.__table__]
COUNTED = [Order.__table__, *ORDER_ROWS]


def _stable(row: dict, number: str) -> dict:
    """A row without ids and timestamps, with the order number replaced by a placeholder."""
    out = {}
    for name, value in row.items():
        if name in VOLATILE:
            continue
        if isinstance(value, str):
            value = value.replace(number, "<number>")
        elif isinstance(value, dict):
            value = {k: v.replace(number, "<number>") if isinstance(v, str) else v
                     for k, v in value.items()}
        out[name] = value
    return out


async def _rows(app, number: str) -> dict:
    async with app.state.sessionmaker() as session:
        orders = Order.__table__
        order = dict((await session.execute(
            select(orders).where(orders.c.number == number))).mappings().one())
        rows = {"orders": [_stable(order, number)]}
        for table in ORDER_ROWS:
            found = (await session.execute(select(table).where(
                table.c.order_id == order["id"]).order_by(*table.primary_key))).mappings().all()
            rows[table.name] = sorted((_stable(dict(r), number) for r in found), key=repr)
        rows["ttl"] = order["expires_at"] - order["created_at"]
        return rows


async def _counts(app) -> dict:
    async with app.state.sessionmaker() as session:
        return {t.name: (await session.execute(select(func.count()).select_from(t))).scalar_one()
                for t in COUNTED}


async def _post(client, identity: str, body: dict, key: str | None = None):
    headers = bot(identity) | ({"Idempotency-Key": key} if key else {})
    return await client.post("/api/v1/orders", json=body, headers=headers)


def _view(body: dict) -> dict:
    return {k: v for k, v in body.items()
            if k not in ("number", "created_at", "updated_at", "expires_at")}


async def test_first_and_repeat_orders_write_the_same_rows(app, client):
    a, b = await create_product(client, stock=20), await create_product(client, stock=20)
    identity = f"web:{uuid.uuid4().hex}"
    body = order_body((b["sku"], 2), (a["sku"], 3), contact_phone="+353 1 234 5678")
    first = await _post(client, identity, body, key=uuid.uuid4().hex)
    repeat = await _post(client, identity, body, key=uuid.uuid4().hex)
    assert (first.status_code, repeat.status_code) == (201, 201), repeat.text
    assert _view(first.json()) == _view(repeat.json())
    assert [line["sku"] for line in repeat.json()["lines"]] == sorted([a["sku"], b["sku"]])
    first_rows = await _rows(app, first.json()["number"])
    repeat_rows = await _rows(app, repeat.json()["number"])
    assert first_rows == repeat_rows
    assert len(repeat_rows["stock_movements"]) == 2 and len(repeat_rows["idempotency_keys"]) == 1
    assert (await stock(client, a["sku"]))["reserved"] == 6


async def test_repeat_order_free_shipping_and_no_key(app, client):
    product = await create_product(client, stock=20, price=2500)
    identity = f"web:{uuid.uuid4().hex}"
    assert (await _post(client, identity, order_body((product["sku"], 1)))).status_code == 201
    repeat = await _post(client, identity, order_body((product["sku"], 2)))
    assert repeat.status_code == 201, repeat.text
    view = repeat.json()
    assert (view["subtotal_minor"], view["shipping_minor"], view["total_minor"]) == (
        5000, 0, 5000)
    rows = await _rows(app, view["number"])
    assert rows["idempotency_keys"] == []
    assert rows["notification_outbox"][0]["payload"]["total_minor"] == 5000


async def test_repeat_order_replays_its_key(app, client):
    product = await create_product(client, stock=20)
    identity = f"web:{uuid.uuid4().hex}"
    assert (await _post(client, identity, order_body((product["sku"], 1)))).status_code == 201
    key, body = uuid.uuid4().hex, order_body((product["sku"], 2))
    placed = await _post(client, identity, body, key=key)
    replayed = await _post(client, identity, body, key=key)
    assert (placed.status_code, replayed.status_code) == (201, 200)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["number"] == placed.json()["number"]
    other = await _post(client, identity, order_body((product["sku"], 3)), key=key)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    assert (await stock(client, product["sku"]))["reserved"] == 3


async def test_repeat_order_refused_writes_nothing(app, client):
    plenty, scarce = await create_product(client, stock=50), await create_product(client, stock=2)
    identity = f"web:{uuid.uuid4().hex}"
    assert (await _post(client, identity, order_body((plenty["sku"], 1)))).status_code == 201
    before = await _counts(app)

    short = await _post(client, identity, order_body((plenty["sku"], 4), (scarce["sku"], 3)),
                        key=uuid.uuid4().hex)
    assert short.status_code == 409, short.text
    assert short.json()["code"] == "insufficient_stock"
    # Only the short product is named, with what is left; the other one was reservable.
    assert short.json()["items"] == [{"sku": scarce["sku"], "requested": 3, "available": 2}]

    unknown = await _post(client, identity, order_body((plenty["sku"], 1), ("NO-SUCH-SKU", 1)))
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_sku")
    assert unknown.json()["skus"] == ["NO-SUCH-SKU"]

    assert await _counts(app) == before
    assert (await stock(client, plenty["sku"]))["reserved"] == 1
    assert (await stock(client, scarce["sku"]))["reserved"] == 0

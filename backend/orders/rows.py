"""A new order's rows: the order, its lines and the Idempotency-Key that created it.

On SQLite these are three statements (the order, one executemany for the lines, the key).
On PostgreSQL they are one: data-modifying CTEs that share the new order's id, because
there every statement is a network round trip, which costs CPU on both ends and, on a
busy machine, a wait for both processes to be scheduled again.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import BigInteger, Integer, String, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import Settings
from backend.orders.models import IdempotencyKey, Order, OrderLine
from backend.orders.schemas import OrderCreate
from backend.orders.status import OrderStatus

_orders = Order.__table__
_lines = OrderLine.__table__
_keys = IdempotencyKey.__table__
ORDER_COLUMNS = ("number", "customer_id", "identity_id", "channel", "status", "currency",
                 "subtotal_minor", "shipping_minor", "total_minor", "refunded_minor",
                 "shipping_address", "contact_email", "contact_phone", "expires_at",
                 "created_at", "updated_at")
LINE_COLUMNS = ("sku", "name", "unit_price_minor", "quantity", "line_total_minor")
_LINE_ARRAYS = {"sku": String, "name": String, "unit_price_minor": BigInteger,
                "quantity": Integer, "line_total_minor": BigInteger}
# Built once: constructing statements per request costs more CPU than SQLite spends on them.
_INSERT_ORDER = insert(_orders).returning(_orders.c.id)
_INSERT_LINES = insert(_lines)
_INSERT_KEY = insert(_keys)


def pending_order(settings: Settings, data: OrderCreate, *, number: str, channel: str,
                  now: datetime) -> dict:
    """A new order's fields that need no database: both ways of placing one
    (backend/orders/service.py, placement_pg.py) start from these, then add the customer and
    the totals."""
    return {
        "number": number, "channel": channel, "status": OrderStatus.PENDING.value,
        "currency": settings.CURRENCY, "refunded_minor": 0,
        "shipping_address": data.shipping_address.model_dump(mode="json"),
        "contact_email": data.contact_email, "contact_phone": data.contact_phone,
        "expires_at": now + timedelta(minutes=settings.PENDING_ORDER_TTL_MINUTES),
        "created_at": now, "updated_at": now,
    }


@lru_cache(maxsize=2)
def _one_statement(with_key: bool):
    """PostgreSQL: `WITH new_order AS (INSERT … RETURNING id), lines AS (INSERT … SELECT
    unnest(…)), key AS (INSERT …) SELECT id FROM new_order`. The lines travel as one array
    per column (binds line_<column>), so the statement is the same whatever their count."""
    binds = {name: bindparam(name, type_=_orders.c[name].type) for name in ORDER_COLUMNS}
    new_order = insert(_orders).values(binds).returning(_orders.c.id).cte("new_order")
    arrays = [func.unnest(bindparam(f"line_{name}", type_=ARRAY(type_)))
              for name, type_ in _LINE_ARRAYS.items()]
    lines = insert(_lines).from_select(
        ["order_id", *LINE_COLUMNS], select(new_order.c.id, *arrays)).cte("new_lines")
    stmt = select(new_order.c.id).add_cte(lines)
    if with_key:
        key = insert(_keys).from_select(
            ["customer_id", "key", "request_hash", "order_id", "created_at"],
            select(binds["customer_id"], bindparam("key", type_=_keys.c.key.type),
                   bindparam("request_hash", type_=_keys.c.request_hash.type),
                   new_order.c.id, binds["created_at"])).cte("new_key")
        stmt = stmt.add_cte(key)
    return stmt


async def insert_order_rows(session: AsyncSession, *, order: dict, lines: list[dict],
                            key: dict | None) -> int:
    """Returns the new order's id. `order` has ORDER_COLUMNS, each line LINE_COLUMNS, and
    `key` (or None) has key and request_hash; the key row reuses the order's customer_id
    and created_at."""
    if session.bind.dialect.name == "postgresql":
        params = {name: order[name] for name in ORDER_COLUMNS}
        for name in LINE_COLUMNS:
            params[f"line_{name}"] = [line[name] for line in lines]
        if key is not None:
            params.update(key=key["key"], request_hash=key["request_hash"])
        return (await session.execute(_one_statement(key is not None), params)).scalar_one()
    order_id = (await session.execute(_INSERT_ORDER, order)).scalar_one()
    await session.execute(_INSERT_LINES, [{"order_id": order_id, **line} for line in lines])
    if key is not None:
        await session.execute(_INSERT_KEY, {
            "customer_id": order["customer_id"], "key": key["key"],
            "request_hash": key["request_hash"], "order_id": order_id,
            "created_at": order["created_at"]})
    return order_id

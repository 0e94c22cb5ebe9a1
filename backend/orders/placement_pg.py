"""Placing an order on PostgreSQL: one call of the `orderbot_place_order` function.

The function (migration 0006) runs the statements of the Python use case
(backend/orders/service.py: identity and Idempotency-Key, prices, the order, its lines, key,
event and outbox row, then the conditional stock reservation with its ledger rows) inside
PostgreSQL, as one autocommit statement. Eight round trips become one: each cost CPU in
the server and in PostgreSQL, and on a busy machine a wait to be scheduled, while the
popular products' row locks were held. What the function leaves to Python is what needs
no database: validation, the order number, timestamps, the request hash and the view.
The rare cases take the Python use case: a caller's first order (it creates the
customer) and a replayed Idempotency-Key.
"""
from __future__ import annotations

import json

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.core.base import utcnow
from backend.core.config import Settings
from backend.customers.service import ChannelRef
from backend.errors import InsufficientStock, UnknownSku
from backend.orders import queries
from backend.orders.pricing import FREE_SHIPPING_FROM_MINOR, SHIPPING_FEE_MINOR
from backend.orders.rows import pending_order
from backend.orders.schemas import OrderCreate

_CALL = select(func.orderbot_place_order(bindparam("p", type_=JSONB)))
INSUFFICIENT_STOCK_SQLSTATE = "OB409"


class NeedsUseCase(Exception):
    """This order takes the Python use case (a new customer, or a replayed key)."""


def _arguments(settings: Settings, ref: ChannelRef, order: dict, quantities: dict[str, int],
               idempotency_key: str | None, request_hash: str) -> dict:
    skus = sorted(quantities)
    return {
        "channel": ref.channel, "external_id": ref.external_id, "actor": f"customer:{ref.label}",
        "key": idempotency_key, "request_hash": request_hash,
        "skus": skus, "quantities": [quantities[sku] for sku in skus],
        "number": order["number"], "currency": order["currency"],
        "shipping_address": order["shipping_address"],
        "contact_email": order["contact_email"], "contact_phone": order["contact_phone"],
        "now": order["created_at"].isoformat(), "expires_at": order["expires_at"].isoformat(),
        "free_shipping_from_minor": FREE_SHIPPING_FROM_MINOR,
        "shipping_fee_minor": SHIPPING_FEE_MINOR, "delay_ms": settings.RESERVE_DELAY_MS,
    }


def _short_items(error: DBAPIError) -> list[dict] | None:
    cause = getattr(error.orig, "__cause__", None)
    if getattr(cause, "sqlstate", None) != INSUFFICIENT_STOCK_SQLSTATE:
        return None
    return json.loads(cause.detail)


async def place(engine: AsyncEngine, settings: Settings, *, ref: ChannelRef,
                data: OrderCreate, number: str, quantities: dict[str, int],
                idempotency_key: str | None, request_hash: str) -> dict:
    """The new order's view; raises NeedsUseCase, UnknownSku or InsufficientStock (then
    nothing was written), or IntegrityError on a clashing number or a concurrent retry."""
    order = pending_order(settings, data, number=number, channel=ref.channel, now=utcnow())
    arguments = _arguments(settings, ref, order, quantities, idempotency_key, request_hash)
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            answer = (await connection.execute(_CALL, {"p": arguments})).scalar_one()
        except DBAPIError as error:
            short = _short_items(error)
            if short is None:
                raise
            raise InsufficientStock(short) from None
    if "unknown_skus" in answer:
        raise UnknownSku(answer["unknown_skus"])
    if "placed" not in answer:
        raise NeedsUseCase()
    placed = answer["placed"]
    order.update(subtotal_minor=placed["subtotal_minor"], shipping_minor=placed["shipping_minor"],
                 total_minor=placed["total_minor"])
    return queries.to_view(order, placed["lines"])

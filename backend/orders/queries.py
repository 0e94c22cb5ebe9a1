"""Reading orders and turning rows into the public shape."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.customers.models import ChannelIdentity
from backend.orders.models import Order, OrderEvent, OrderLine
from backend.orders.returns import refund_due
from backend.orders.status import EDITABLE_STATUSES, RETURN_STATUSES, OrderStatus, allowed_next

_orders = Order.__table__
_lines = OrderLine.__table__
_ids = ChannelIdentity.__table__
LINE_FIELDS = ("sku", "name", "unit_price_minor", "quantity", "line_total_minor")


def _refund(order: dict, lines: list[dict]) -> dict:
    returning = OrderStatus(order["status"]) in RETURN_STATUSES
    status = {
        OrderStatus.RETURN_REQUESTED: "return_requested",
        OrderStatus.RETURNED: "return_received",
        OrderStatus.REFUNDED: "refunded",
    }.get(OrderStatus(order["status"]), "none")
    return {"status": status, "due_minor": refund_due(order, lines) if returning else 0,
            "amount_minor": order.get("refunded_minor") or 0,
            "refunded_at": order.get("refunded_at")}


def to_view(order: dict, lines: list[dict]) -> dict[str, Any]:
    """`order` is an orders row as a dict; `lines` its order_lines rows."""
    view = {k: order.get(k) for k in (
        "number", "status", "channel", "currency", "subtotal_minor", "shipping_minor",
        "total_minor", "shipping_address", "contact_email", "contact_phone", "carrier",
        "tracking_number", "estimated_delivery", "cancel_reason", "return_reason",
        "expires_at", "created_at", "updated_at",
    )}
    # A new order's priced lines have no return_quantity yet.
    lines = [{**{k: line[k] for k in LINE_FIELDS}, "return_quantity": line.get("return_quantity") or 0}
             for line in lines]
    view["lines"] = lines
    view["refund"] = _refund(order, lines)
    view["next_statuses"] = allowed_next(order["status"])
    view["editable"] = OrderStatus(order["status"]) in EDITABLE_STATUSES
    return view


def order_select():
    """Orders joined with the identity that placed them (the outbox needs the recipient)."""
    return select(_orders, _ids.c.channel.label("identity_channel"),
                  _ids.c.external_id.label("identity_external_id")).outerjoin(
        _ids, _ids.c.id == _orders.c.identity_id)


async def views_for(session: AsyncSession, orders: list[dict]) -> list[dict]:
    if not orders:
        return []
    rows = await session.execute(
        select(_lines).where(_lines.c.order_id.in_([o["id"] for o in orders]))
        .order_by(_lines.c.id)
    )
    by_order: dict[int, list[dict]] = defaultdict(list)
    for row in rows.mappings():
        by_order[row["order_id"]].append(dict(row))
    return [to_view(o, by_order[o["id"]]) for o in orders]


async def get_order(session: AsyncSession, number: str, *, for_update: bool = False) -> dict | None:
    stmt = order_select().where(_orders.c.number == number.upper())
    if for_update:
        stmt = stmt.with_for_update(of=_orders)
    row = (await session.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def list_orders(
    session: AsyncSession, *, limit: int, offset: int, customer_id: int | None = None,
    status: str | None = None, channel: str | None = None,
    created_from: datetime | None = None, created_to: datetime | None = None,
) -> tuple[list[dict], int]:
    conditions = []
    if customer_id is not None:
        conditions.append(_orders.c.customer_id == customer_id)
    if status:
        conditions.append(_orders.c.status == status)
    if channel:
        conditions.append(_orders.c.channel == channel)
    if created_from:
        conditions.append(_orders.c.created_at >= created_from)
    if created_to:
        conditions.append(_orders.c.created_at < created_to)
    count = (await session.execute(
        select(func.count()).select_from(_orders).where(*conditions))).scalar_one()
    rows = await session.execute(
        select(_orders).where(*conditions)
        .order_by(_orders.c.created_at.desc(), _orders.c.id.desc()).limit(limit).offset(offset)
    )
    return await views_for(session, [dict(r) for r in rows.mappings()]), count


async def last_order(session: AsyncSession, *, customer_id: int) -> dict | None:
    """The customer's latest order, skipping drafts that were never confirmed and then cancelled
    (declined at the chat's summary, stopped, expired): "my last order" means a real one."""
    confirmed_once = select(OrderEvent.id).where(
        OrderEvent.order_id == _orders.c.id, OrderEvent.to_status == OrderStatus.CONFIRMED.value).exists()
    row = (await session.execute(
        select(_orders).where(_orders.c.customer_id == customer_id,
                              (_orders.c.status != OrderStatus.CANCELLED.value) | confirmed_once)
        .order_by(_orders.c.created_at.desc(), _orders.c.id.desc()).limit(1)
    )).mappings().first()
    return (await views_for(session, [dict(row)]))[0] if row else None


async def list_events(session: AsyncSession, order_id: int) -> list[dict]:
    rows = await session.execute(
        select(OrderEvent.__table__).where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id))
    return [dict(r) for r in rows.mappings()]

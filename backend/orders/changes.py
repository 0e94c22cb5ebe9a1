"""Changing an order's items, address or contact before it ships; items re-check stock."""
from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.core.config import Settings
from backend.customers.service import ChannelRef, Identity, find_identity
from backend.errors import OrderLocked
from backend.inventory.allocation import allocate_stock, release_stock
from backend.orders import events, queries
from backend.orders.delivery_area import check_served
from backend.orders.models import Order, OrderLine
from backend.orders.pricing import merge_lines, price_lines, totals
from backend.orders.schemas import Address, LineIn
from backend.orders.service import load_owned, not_found
from backend.orders.status import EDITABLE_STATUSES, OrderStatus

_orders = Order.__table__
_lines = OrderLine.__table__


async def _owned_editable(session: AsyncSession, ref: ChannelRef | None, number: str,
                          what: str) -> dict:
    owner: Identity | None = None
    if ref is not None:
        owner = await find_identity(session, ref)
        if owner is None:
            raise not_found(number)
    order = await load_owned(session, number, owner)
    if OrderStatus(order["status"]) not in EDITABLE_STATUSES:
        raise OrderLocked(order["status"], what)
    return order


async def change_items(
    session: AsyncSession, settings: Settings, *, ref: ChannelRef | None, actor: str,
    number: str, lines: list[LineIn],
) -> dict:
    wanted = merge_lines(lines, settings)
    async with session.begin():
        order = await _owned_editable(session, ref, number, "items")
        rows = (await session.execute(
            select(_lines).where(_lines.c.order_id == order["id"]))).mappings().all()
        before = [{"sku": r["sku"], "quantity": r["quantity"]} for r in rows]
        agreed = {r["sku"]: r["unit_price_minor"] for r in rows}
        priced = await price_lines(session, wanted, keep_prices=agreed)
        held = {r["sku"]: r["quantity"] for r in rows}
        more = {s: q - held.get(s, 0) for s, q in wanted.items() if q > held.get(s, 0)}
        less = {s: q - wanted.get(s, 0) for s, q in held.items() if q > wanted.get(s, 0)}
        if more:
            await allocate_stock(session, quantities=more, order_id=order["id"],
                                 delay_ms=settings.RESERVE_DELAY_MS)
        if less:
            await release_stock(session, quantities=less, order_id=order["id"])
        await session.execute(delete(_lines).where(_lines.c.order_id == order["id"]))
        await session.execute(insert(_lines), [{"order_id": order["id"], **p} for p in priced])
        changes = {**totals(priced), "updated_at": utcnow()}
        await session.execute(update(_orders).where(_orders.c.id == order["id"]).values(**changes))
        order.update(changes)
        await events.details_changed(
            session, kind="items_changed", order_id=order["id"], status=order["status"], actor=actor,
            channel=ref.channel if ref else None, before=before,
            after=[{"sku": p["sku"], "quantity": p["quantity"]} for p in priced])
        return queries.to_view(order, priced)


async def change_address(
    session: AsyncSession, settings: Settings, *, ref: ChannelRef | None, actor: str, number: str,
    address: Address,
) -> dict:
    check_served(settings, address)
    async with session.begin():
        order = await _owned_editable(session, ref, number, "address")
        after = address.model_dump(mode="json")
        changes = {"shipping_address": after, "updated_at": utcnow()}
        await session.execute(update(_orders).where(_orders.c.id == order["id"]).values(**changes))
        before = order["shipping_address"]
        order.update(changes)
        await events.details_changed(session, kind="address_changed", order_id=order["id"], status=order["status"],
                                     actor=actor, channel=ref.channel if ref else None,
                                     before=before, after=after)
        return (await queries.views_for(session, [order]))[0]


async def change_contact(
    session: AsyncSession, *, ref: ChannelRef | None, actor: str, number: str,
    email: str | None, phone: str | None,
) -> dict:
    """The email and/or phone given replace the order's; the other stays."""
    async with session.begin():
        order = await _owned_editable(session, ref, number, "contact")
        before = {"contact_email": order["contact_email"], "contact_phone": order["contact_phone"]}
        after = {**before, **{key: value for key, value in (("contact_email", email), ("contact_phone", phone))
                              if value}}
        changes = {**after, "updated_at": utcnow()}
        await session.execute(update(_orders).where(_orders.c.id == order["id"]).values(**changes))
        order.update(changes)
        await events.details_changed(session, kind="contact_changed", order_id=order["id"], status=order["status"],
                                     actor=actor, channel=ref.channel if ref else None,
                                     before=before, after=after)
        return (await queries.views_for(session, [order]))[0]

"""Order use cases. Each is one transaction: status, stock, event and outbox row land together."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.core.base import utcnow
from backend.core.config import Settings
from backend.core.db import run_write
from backend.customers.service import ChannelRef, Identity, find_identity, find_or_create_identity
from backend.errors import (ErrorCode, IdempotencyConflict, InvalidRequest, InvalidTransition,
                            NoReturnToWithdraw, NotFound)
from backend.inventory.allocation import (allocate_stock, decrease_stock, release_stock,
                                          return_stock)
from backend.orders import events, placement_pg, queries, returns
from backend.orders.delivery_area import check_served
from backend.orders.models import Order, OrderLine
from backend.orders.pricing import merge_lines, price_lines, totals
from backend.orders.rows import insert_order_rows, pending_order
from backend.orders.schemas import LineIn, OrderCreate, StaffTransition
from backend.orders.status import CUSTOMER_TRANSITIONS, OrderStatus, allowed_next, can_transition
from backend.outbox.service import enqueue_status_notification
from backend.reports.rollups import rebuild_rollups

logger = logging.getLogger(__name__)

_orders = Order.__table__
_lines = OrderLine.__table__
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over chat


def new_order_number() -> str:
    return "OB-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def _request_hash(data: OrderCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def not_found(number: str) -> NotFound:
    return NotFound(f"No order {number} for this customer. To look up someone else's order, "
                    "give the email or phone number used on it.", code=ErrorCode.ORDER_NOT_FOUND,
                    number=number)


async def _replay(session: AsyncSession, identity: Identity, key: str, request_hash: str):
    if identity.replay_order_id is None:
        return None
    if identity.replay_request_hash != request_hash:
        raise IdempotencyConflict(key)
    order = (await session.execute(
        queries.order_select().where(_orders.c.id == identity.replay_order_id))).mappings().one()
    return (await queries.views_for(session, [dict(order)]))[0]


async def place_order(
    database: async_sessionmaker[AsyncSession], settings: Settings, *, ref: ChannelRef,
    data: OrderCreate, idempotency_key: str | None,
) -> tuple[dict, bool]:
    """Returns (order view, created). A replayed Idempotency-Key returns the first order."""
    check_served(settings, data.shipping_address)
    quantities = merge_lines(data.lines, settings)
    request_hash = _request_hash(data)
    if database.kw["bind"].dialect.name == "postgresql":
        try:
            return await placement_pg.place(
                database.kw["bind"], settings, ref=ref, data=data, number=new_order_number(),
                quantities=quantities, idempotency_key=idempotency_key,
                request_hash=request_hash), True
        except (placement_pg.NeedsUseCase, IntegrityError):
            pass  # a first order, a replayed key, or a clash: the use case below sorts it out
    async with database() as session:
        return await run_write(session, _place_order, settings, ref, data, idempotency_key,
                               quantities, request_hash)


async def _place_order(
    session: AsyncSession, settings: Settings, ref: ChannelRef, data: OrderCreate,
    idempotency_key: str | None, quantities: dict[str, int], request_hash: str,
) -> tuple[dict, bool]:
    for attempt in range(3):
        try:
            async with session.begin():
                identity = await find_or_create_identity(session, ref, idempotency_key)
                if idempotency_key:
                    replay = await _replay(session, identity, idempotency_key, request_hash)
                    if replay is not None:
                        return replay, False
                key = ({"key": idempotency_key, "request_hash": request_hash}
                       if idempotency_key else None)
                order_id, view = await _insert_order(session, settings, identity, data,
                                                     quantities, key)
                # Stock last, just before the commit: see allocate_stock. If it is short,
                # everything above rolls back with it.
                await allocate_stock(session, quantities=quantities, order_id=order_id,
                                     delay_ms=settings.RESERVE_DELAY_MS)
                return view, True
        except IntegrityError:
            # A concurrent retry with the same key (PostgreSQL) or a clashing order number:
            # the loser rolled back completely; look again and replay or retry.
            if attempt == 2:
                raise
            logger.info("order insert conflicted; retrying (attempt %d)", attempt + 1)
    raise AssertionError("unreachable")


async def _insert_order(
    session: AsyncSession, settings: Settings, identity: Identity, data: OrderCreate,
    quantities: dict[str, int], key: dict | None,
) -> tuple[int, dict]:
    """The order row, its lines, its Idempotency-Key, the created event and the outbox row:
    (order id, view)."""
    priced = await price_lines(session, quantities)  # raises UnknownSku
    order = {**pending_order(settings, data, number=new_order_number(),
                             channel=identity.ref.channel, now=utcnow()),
             "customer_id": identity.customer_id, "identity_id": identity.identity_id,
             **totals(priced)}
    order_id = await insert_order_rows(session, order=order, lines=priced, key=key)
    actor = f"customer:{identity.ref.label}"
    await events.order_created(session, order_id=order_id, actor=actor,
                               channel=identity.ref.channel,
                               detail={"lines": len(priced), "total_minor": order["total_minor"]})
    view = queries.to_view(order, priced)
    await enqueue_status_notification(
        session, order_id=order_id, order_number=order["number"],
        customer_id=identity.customer_id, channel=identity.ref.channel,
        recipient=identity.ref.label, status=order["status"], payload=_payload(view))
    return order_id, view


def _payload(view: dict) -> dict:
    payload = {"number": view["number"], "status": str(view["status"]),
               "total_minor": view["total_minor"], "currency": view["currency"],
               "carrier": view.get("carrier"), "tracking_number": view.get("tracking_number"),
               "estimated_delivery": str(view["estimated_delivery"])
               if view.get("estimated_delivery") else None}
    if view["refund"]["amount_minor"]:  # only once refunded, so a new order's payload is the
        payload["refunded_minor"] = view["refund"]["amount_minor"]  # same as PostgreSQL's (0006)
    return payload


async def load_owned(session: AsyncSession, number: str, owner: Identity | None) -> dict:
    """The order for update; with an owner, only if it belongs to that customer."""
    order = await queries.get_order(session, number, for_update=True)
    if order is None or (owner is not None and order["customer_id"] != owner.customer_id):
        raise not_found(number)
    return order


async def line_quantities(session: AsyncSession, order_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(_lines.c.sku, _lines.c.quantity).where(_lines.c.order_id == order_id))
    return {sku: q for sku, q in rows}


async def apply_transition(
    session: AsyncSession, order: dict, target: OrderStatus, *, actor: str,
    channel: str | None, values: dict | None = None, detail: dict | None = None,
) -> dict:
    """Moves `order` to `target` inside the caller's transaction and returns the new view."""
    current = OrderStatus(order["status"])
    if not can_transition(current, target):
        raise InvalidTransition(current.value, target.value, allowed_next(current))
    # return_requested → delivered: the return withdrawn before its parcel reached the shop
    withdrawn = current is OrderStatus.RETURN_REQUESTED and target is OrderStatus.DELIVERED
    changes = {"status": target.value, "updated_at": utcnow(), "expires_at": None,
               **({"return_reason": None} if withdrawn else {}), **(values or {})}
    # Guarded on the old status, and first, so a lost race (e.g. expiry vs confirm) fails
    # before any stock moved.
    result = await session.execute(update(_orders).where(
        _orders.c.id == order["id"], _orders.c.status == current.value).values(**changes))
    if result.rowcount != 1:
        raise InvalidTransition(current.value, target.value, allowed_next(current))
    quantities = await line_quantities(session, order["id"])
    if target is OrderStatus.CANCELLED:
        await release_stock(session, quantities=quantities, order_id=order["id"])
    elif target is OrderStatus.SHIPPED:
        await decrease_stock(session, quantities=quantities, order_id=order["id"])
    elif target is OrderStatus.RETURNED:  # only the items the customer sends back
        await return_stock(session, quantities=await returns.returned_quantities(
            session, order["id"]), order_id=order["id"])
    elif withdrawn:  # nothing goes back any more; the event keeps what the return held
        detail = {**(detail or {}), "withdrawn": await returns.withdraw_items(session, order)}
    order.update(changes)
    await events.status_changed(session, order_id=order["id"], from_status=current.value,
                                to_status=target.value, actor=actor, channel=channel,
                                detail=detail)
    await rebuild_rollups(session, order["id"])  # the fulfilment report's rollups
    view = (await queries.views_for(session, [order]))[0]
    if withdrawn:  # no "your order was delivered" again: whoever withdrew it was told
        return view
    recipient = (f"{order['identity_channel']}:{order['identity_external_id']}"
                 if order.get("identity_channel") else None)
    await enqueue_status_notification(
        session, order_id=order["id"], order_number=order["number"],
        customer_id=order["customer_id"], channel=order["channel"], recipient=recipient,
        status=target.value, payload=_payload(view))
    return view


async def customer_transition(
    session: AsyncSession, *, ref: ChannelRef, number: str, target: OrderStatus,
    reason: str | None = None, items: list[LineIn] | None = None,
) -> dict:
    """`items` (a return only): what goes back; None is the whole order."""
    if target not in CUSTOMER_TRANSITIONS:
        raise InvalidRequest(f"Customers can't move an order to '{target.value}'.")
    return await run_write(session, _customer_transition, ref, number, target, reason, items)


async def _customer_transition(session: AsyncSession, ref: ChannelRef, number: str,
                               target: OrderStatus, reason: str | None,
                               items: list[LineIn] | None) -> dict:
    async with session.begin():
        owner = await find_identity(session, ref)
        if owner is None:
            raise not_found(number)
        order = await load_owned(session, number, owner)
        values, detail = {}, {"reason": reason} if reason else {}
        if target is OrderStatus.CANCELLED:
            values["cancel_reason"] = reason or "cancelled by customer"
        elif target is OrderStatus.RETURN_REQUESTED and order["status"] == target.value:
            return await _add_to_return(session, ref, order, reason, items)
        elif target is OrderStatus.RETURN_REQUESTED:
            if not can_transition(order["status"], target):  # before the items are checked
                raise InvalidTransition(order["status"], target.value,
                                        allowed_next(order["status"]))
            chosen = await returns.mark_returned_items(session, order, items)
            values["return_reason"] = reason
            if items is not None:
                detail["items"] = [{"sku": sku, "quantity": quantity}
                                   for sku, quantity in sorted(chosen.items())]
        return await apply_transition(session, order, target, actor=f"customer:{ref.label}",
                                      channel=ref.channel, values=values, detail=detail or None)


async def withdraw_return(session: AsyncSession, *, ref: ChannelRef, number: str) -> dict:
    """The customer withdraws their return while its items have not reached the shop: the order
    is delivered again and nothing goes back (no stock moves, no refund is due)."""
    return await run_write(session, _withdraw_return, ref, number)


async def _withdraw_return(session: AsyncSession, ref: ChannelRef, number: str) -> dict:
    async with session.begin():
        owner = await find_identity(session, ref)
        if owner is None:
            raise not_found(number)
        order = await load_owned(session, number, owner)
        if order["status"] != OrderStatus.RETURN_REQUESTED.value:
            raise NoReturnToWithdraw(number, order["status"])
        return await apply_transition(session, order, OrderStatus.DELIVERED,
                                      actor=f"customer:{ref.label}", channel=ref.channel)


async def _add_to_return(session: AsyncSession, ref: ChannelRef, order: dict, reason: str | None,
                         items: list[LineIn] | None) -> dict:
    """A second return request while the first is on its way: its items join that return (one
    parcel, one refund), and its reason joins the first."""
    added = await returns.add_to_return(session, order, items)
    reasons = [r for r in (order["return_reason"], reason) if r]
    values = {"return_reason": "; ".join(dict.fromkeys(reasons))[:500] or None, "updated_at": utcnow()}
    await session.execute(update(_orders).where(_orders.c.id == order["id"]).values(**values))
    order.update(values)
    await events.return_items_added(
        session, order_id=order["id"], actor=f"customer:{ref.label}", channel=ref.channel,
        detail={"reason": reason, "items": [{"sku": sku, "quantity": quantity}
                                            for sku, quantity in sorted(added.items())]})
    return (await queries.views_for(session, [order]))[0]


async def _staff_values(session: AsyncSession, order: dict, data: StaffTransition) -> dict:
    values: dict = {}
    if data.status is OrderStatus.SHIPPED:
        if not (data.carrier and data.tracking_number):
            raise InvalidRequest("Shipping needs a carrier and a tracking_number.")
        values.update(carrier=data.carrier, tracking_number=data.tracking_number,
                      estimated_delivery=data.estimated_delivery)
    elif data.status is OrderStatus.REFUNDED:
        due = (await queries.views_for(session, [order]))[0]["refund"]["due_minor"]
        amount = due if data.refund_minor is None else data.refund_minor
        if amount > order["total_minor"]:
            raise InvalidRequest("A refund can't exceed the order total.")
        values.update(refunded_minor=amount, refunded_at=utcnow())
    elif data.status is OrderStatus.CANCELLED:
        values["cancel_reason"] = data.note or "cancelled by staff"
    return values


async def staff_transition(session: AsyncSession, *, number: str, data: StaffTransition,
                           staff: str) -> dict:
    return await run_write(session, _staff_transition, number, data, staff)


async def _staff_transition(session: AsyncSession, number: str, data: StaffTransition,
                            staff: str) -> dict:
    async with session.begin():
        order = await load_owned(session, number, None)
        current = OrderStatus(order["status"])
        if not can_transition(current, data.status):
            raise InvalidTransition(current.value, data.status.value, allowed_next(current))
        values = await _staff_values(session, order, data)
        return await apply_transition(
            session, order, data.status, actor=f"staff:{staff}", channel=None, values=values,
            detail=data.model_dump(mode="json", exclude_none=True, exclude={"status"}))

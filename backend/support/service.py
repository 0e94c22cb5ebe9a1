"""Feedback and support ticket use cases."""
from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.customers.service import ChannelRef, find_or_create_identity
from backend.errors import ErrorCode, NotFound
from backend.orders.models import Order
from backend.orders.service import not_found
from backend.support.models import Feedback, SupportTicket
from backend.support.schemas import FeedbackCreate, TicketCreate, TicketUpdate

_feedback = Feedback.__table__
_tickets = SupportTicket.__table__
_orders = Order.__table__


async def _own_order_id(session: AsyncSession, customer_id: int, number: str | None) -> int | None:
    if not number:
        return None
    order_id = (await session.execute(select(_orders.c.id).where(
        _orders.c.number == number.upper(), _orders.c.customer_id == customer_id))).scalar()
    if order_id is None:
        raise not_found(number)
    return order_id


async def create_feedback(session: AsyncSession, *, ref: ChannelRef, data: FeedbackCreate) -> dict:
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        order_id = await _own_order_id(session, identity.customer_id, data.order_number)
        values = {"customer_id": identity.customer_id, "order_id": order_id,
                  "conversation_id": data.conversation_id, "channel": ref.channel,
                  "rating": data.rating, "comment": data.comment, "created_at": utcnow()}
        new_id = (await session.execute(
            insert(_feedback).values(**values).returning(_feedback.c.id))).scalar_one()
    return {"id": new_id, **values, "order_number": data.order_number.upper()
            if data.order_number else None}


def _ticket_select():
    return select(_tickets, _orders.c.number.label("order_number")).outerjoin(
        _orders, _orders.c.id == _tickets.c.order_id)


async def _ticket(session: AsyncSession, ticket_id: int) -> dict:
    row = (await session.execute(
        _ticket_select().where(_tickets.c.id == ticket_id))).mappings().first()
    if row is None:
        raise NotFound(f"No support ticket {ticket_id}.", code=ErrorCode.TICKET_NOT_FOUND)
    return dict(row)


async def create_ticket(session: AsyncSession, *, ref: ChannelRef, data: TicketCreate) -> dict:
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        order_id = await _own_order_id(session, identity.customer_id, data.order_number)
        now = utcnow()
        ticket_id = (await session.execute(insert(_tickets).values(
            customer_id=identity.customer_id, order_id=order_id,
            conversation_id=data.conversation_id, channel=ref.channel, reason=data.reason,
            transcript=[t.model_dump(mode="json") for t in data.transcript], status="open",
            created_at=now, updated_at=now,
        ).returning(_tickets.c.id))).scalar_one()
        return await _ticket(session, ticket_id)


async def list_tickets(session: AsyncSession, *, status: str | None, limit: int,
                       offset: int) -> tuple[list[dict], int]:
    conditions = [_tickets.c.status == status] if status else []
    count = (await session.execute(
        select(func.count()).select_from(_tickets).where(*conditions))).scalar_one()
    rows = await session.execute(_ticket_select().where(*conditions)
                                 .order_by(_tickets.c.id.desc()).limit(limit).offset(offset))
    return [dict(r) for r in rows.mappings()], count


async def update_ticket(session: AsyncSession, ticket_id: int, data: TicketUpdate) -> dict:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("status", "") is None:
        changes.pop("status")  # "status": null means "leave it", not "erase it"
    if changes.get("assignee") and "status" not in changes:
        changes["status"] = "assigned"  # picking someone means it's being handled
    async with session.begin():
        await _ticket(session, ticket_id)
        await session.execute(update(_tickets).where(_tickets.c.id == ticket_id)
                              .values(updated_at=utcnow(), **changes))
        return await _ticket(session, ticket_id)

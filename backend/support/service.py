"""Feedback and support ticket use cases."""
from __future__ import annotations

from sqlalchemy import and_, func, insert, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.customers.models import Customer
from backend.customers.service import ChannelRef, find_or_create_identity
from backend.errors import ErrorCode, NotFound
from backend.orders.models import Order
from backend.orders.reads import verified
from backend.orders.service import not_found
from backend.support.models import Feedback, SupportTicket, TicketMessage
from backend.support.schemas import FeedbackCreate, FeedbackUpdate, TicketCreate, TicketUpdate

_feedback = Feedback.__table__
_tickets = SupportTicket.__table__
_messages = TicketMessage.__table__
_orders = Order.__table__
_customers = Customer.__table__
DONE = ("resolved", "closed")
LOW_RATING = 2  # ratings at or below get a follow-up ticket


async def _own_order_id(session: AsyncSession, customer_id: int, number: str | None,
                        email: str | None = None, phone: str | None = None) -> int | None:
    """The customer's own order's id, or another's when `email` or `phone` is the one on it (the
    chat verified it, as reading it does); else 404, the same as for no such order."""
    if not number:
        return None
    order = (await session.execute(select(_orders.c.id, _orders.c.customer_id, _orders.c.contact_email,
                                          _orders.c.contact_phone).where(
        _orders.c.number == number.upper()))).mappings().first()
    if order is None or not (order["customer_id"] == customer_id or verified(order, email, phone)):
        raise not_found(number)
    return order["id"]


async def create_feedback(session: AsyncSession, *, ref: ChannelRef, data: FeedbackCreate) -> dict:
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        order_id = await _own_order_id(session, identity.customer_id, data.order_number)
        values = {"customer_id": identity.customer_id, "order_id": order_id,
                  "conversation_id": data.conversation_id, "channel": ref.channel,
                  "rating": data.rating, "comment": data.comment, "created_at": utcnow()}
        new_id = (await session.execute(
            insert(_feedback).values(**values).returning(_feedback.c.id))).scalar_one()
        ticket_id = None
        if data.rating <= LOW_RATING:
            ticket_id = await _open_follow_up(session, values)
    return {"id": new_id, **values, "ticket_id": ticket_id,
            "order_number": data.order_number.upper() if data.order_number else None}


async def _open_follow_up(session: AsyncSession, feedback: dict) -> int:
    """A low score gets a ticket, so the team can follow up with the customer. It is opened at the
    rating's instant: that is the link between the two (_follow_up)."""
    rating, comment = feedback["rating"], feedback["comment"] or ""
    turn = {"sender": "user", "text": f"Rated {rating}/5. {comment}".strip(),
            "timestamp": feedback["created_at"].isoformat()}
    return (await session.execute(insert(_tickets).values(
        customer_id=feedback["customer_id"], order_id=feedback["order_id"],
        conversation_id=feedback["conversation_id"], channel=feedback["channel"],
        reason=f"low feedback rating ({rating}/5)", transcript=[turn], status="open",
        created_at=feedback["created_at"], updated_at=feedback["created_at"],
    ).returning(_tickets.c.id))).scalar_one()


async def _follow_up(session: AsyncSession, feedback: dict) -> int | None:
    return (await session.execute(select(_tickets.c.id).where(
        _tickets.c.customer_id == feedback["customer_id"], _tickets.c.created_at == feedback["created_at"],
        _tickets.c.reason.like("low feedback rating%")))).scalar()


async def _customer_message(session: AsyncSession, ticket_id: int, text: str) -> None:
    """The customer's words (or what they did) added to a ticket's messages."""
    await session.execute(insert(_messages).values(
        ticket_id=ticket_id, sender="user", text=text, created_at=utcnow()))


async def update_feedback(session: AsyncSession, *, ref: ChannelRef, feedback_id: int,
                          data: FeedbackUpdate) -> dict:
    """The comment that follows a rating (the rating is stored first, the comment is optional),
    or the rating corrected. The team's follow-up ticket hears both; a rating corrected down to a
    low one opens it."""
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        row = (await session.execute(
            update(_feedback).where(_feedback.c.id == feedback_id,
                                    _feedback.c.customer_id == identity.customer_id)
            .values(**data.model_dump(exclude_none=True)).returning(_feedback))).mappings().first()
        if row is None:
            raise NotFound(f"No feedback {feedback_id} from this customer.")
        ticket_id = await _follow_up(session, row)
        if data.rating is not None:
            if ticket_id is not None:
                await _customer_message(session, ticket_id, f"Rating corrected to {data.rating}/5.")
                if data.rating > LOW_RATING:  # nothing to follow up, unless someone took it already
                    await session.execute(update(_tickets).where(
                        _tickets.c.id == ticket_id, _tickets.c.status == "open").values(
                        status="resolved", updated_at=utcnow()))
            elif data.rating <= LOW_RATING:
                ticket_id = await _open_follow_up(session, dict(row))
        if data.comment is not None and ticket_id is not None:
            await _customer_message(session, ticket_id, f"Comment: {data.comment}")
        number = None
        if row["order_id"] is not None:
            number = (await session.execute(
                select(_orders.c.number).where(_orders.c.id == row["order_id"]))).scalar()
    return {**row, "order_number": number, "ticket_id": ticket_id}


def _ticket_select():
    return (select(_tickets, _orders.c.number.label("order_number"),
                   _customers.c.display_name.label("customer_name"))
            .outerjoin(_orders, _orders.c.id == _tickets.c.order_id)
            .outerjoin(_customers, _customers.c.id == _tickets.c.customer_id))


def handoff_is_active():
    return and_(_tickets.c.handoff_started_at.is_not(None), _tickets.c.handoff_ended_at.is_(None))


async def _with_messages(session: AsyncSession, rows: list[dict]) -> list[dict]:
    """Adds the handoff's messages to each ticket's transcript, in the order they came."""
    ids = [row["id"] for row in rows]
    turns: dict[int, list[dict]] = {ticket_id: [] for ticket_id in ids}
    if ids:
        messages = await session.execute(select(_messages).where(_messages.c.ticket_id.in_(ids))
                                         .order_by(_messages.c.id))
        for message in messages.mappings():
            turns[message["ticket_id"]].append({
                "sender": message["sender"], "text": message["text"], "author": message["author"],
                "timestamp": message["created_at"].isoformat()})
    return [{**row, "transcript": [*row["transcript"], *turns[row["id"]]],
             "handoff_active": bool(row["handoff_started_at"] and not row["handoff_ended_at"])}
            for row in rows]


async def _ticket(session: AsyncSession, ticket_id: int) -> dict:
    row = (await session.execute(
        _ticket_select().where(_tickets.c.id == ticket_id))).mappings().first()
    if row is None:
        raise NotFound(f"No support ticket {ticket_id}.", code=ErrorCode.TICKET_NOT_FOUND)
    return (await _with_messages(session, [dict(row)]))[0]


async def read_ticket(session: AsyncSession, ticket_id: int) -> dict:
    return await _ticket(session, ticket_id)


async def create_ticket(session: AsyncSession, *, ref: ChannelRef, data: TicketCreate) -> dict:
    """Opens a ticket, or returns the one already open for the same problem (same conversation,
    reason and order; with `any_open`, any open one of the conversation): a customer who asks
    twice ("yes" to a person after a late order, then again later) has one ticket, with the new
    request added to it. The result's `already_open` says which."""
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        order_id = await _own_order_id(session, identity.customer_id, data.order_number, data.email, data.phone)
        now = utcnow()
        same = await _open_for_the_same_problem(session, identity.customer_id, order_id, data)
        if same is not None:
            await _add_request(session, same, data, now)
            return {**await _ticket(session, same), "already_open": True}
        ticket_id = (await session.execute(insert(_tickets).values(
            customer_id=identity.customer_id, order_id=order_id,
            conversation_id=data.conversation_id, channel=ref.channel, reason=data.reason,
            transcript=[t.model_dump(mode="json") for t in data.transcript], status="open",
            created_at=now, updated_at=now,
        ).returning(_tickets.c.id))).scalar_one()
        return await _ticket(session, ticket_id)


async def _open_for_the_same_problem(session: AsyncSession, customer_id: int, order_id: int | None,
                                    data: TicketCreate) -> int | None:
    if not data.conversation_id:
        return None
    same = [_tickets.c.customer_id == customer_id, _tickets.c.conversation_id == data.conversation_id,
            _tickets.c.status.not_in(DONE)]
    if not data.any_open:
        same += [_tickets.c.reason == data.reason,
                 _tickets.c.order_id.is_(None) if order_id is None else _tickets.c.order_id == order_id]
    return (await session.execute(select(_tickets.c.id).where(*same)
                                  .order_by(_tickets.c.id.desc()).limit(1))).scalar()


async def _add_request(session: AsyncSession, ticket_id: int, data: TicketCreate, now) -> None:
    """The customer's latest words join the open ticket (the rest of the transcript is on it)."""
    said = next((turn.text for turn in reversed(data.transcript) if turn.sender == "user"), None)
    if said:
        await _customer_message(session, ticket_id, said)
    await session.execute(update(_tickets).where(_tickets.c.id == ticket_id).values(updated_at=now))


async def list_tickets(session: AsyncSession, *, status: str | None, limit: int, offset: int,
                       conversation_id: str | None = None, slack_thread_ts: str | None = None,
                       handoff_active: bool | None = None) -> tuple[list[dict], int]:
    conditions = [column == value for column, value in (
        (_tickets.c.status, status), (_tickets.c.conversation_id, conversation_id),
        (_tickets.c.slack_thread_ts, slack_thread_ts)) if value is not None]
    if handoff_active is not None:
        conditions.append(handoff_is_active() if handoff_active else not_(handoff_is_active()))
    count = (await session.execute(
        select(func.count()).select_from(_tickets).where(*conditions))).scalar_one()
    rows = await session.execute(_ticket_select().where(*conditions)
                                 .order_by(_tickets.c.id.desc()).limit(limit).offset(offset))
    return await _with_messages(session, [dict(r) for r in rows.mappings()]), count


async def update_ticket(session: AsyncSession, ticket_id: int, data: TicketUpdate) -> dict:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("status", "") is None:
        changes.pop("status")  # "status": null means "leave it", not "erase it"
    if changes.get("assignee") and "status" not in changes:
        changes["status"] = "assigned"  # picking someone means it's being handled
    async with session.begin():
        ticket = await _ticket(session, ticket_id)
        if changes.get("status") in DONE and ticket["handoff_active"]:
            changes["handoff_ended_at"] = utcnow()  # the bot answers again (no message sent)
        await session.execute(update(_tickets).where(_tickets.c.id == ticket_id)
                              .values(updated_at=utcnow(), **changes))
        return await _ticket(session, ticket_id)

"""Writes outbox rows inside the caller's transaction; the dispatcher (backend/notifications)
delivers them after the commit."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.core.config import get_settings
from backend.outbox.models import Notification, NotificationState
from backend.support.models import Feedback

_outbox = Notification.__table__
_PENDING = NotificationState.PENDING.value
_feedback = Feedback.__table__
# Built once, reused: an insert that skips a dedupe_key already in the outbox, per dialect.
_IGNORING_DUPLICATES = {
    module: module.insert(_outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
    for module in (postgresql, sqlite)}


def _insert_ignoring_duplicates(session: AsyncSession):
    dialect = session.get_bind().dialect.name
    return _IGNORING_DUPLICATES[postgresql if dialect == "postgresql" else sqlite]


async def enqueue_notification(
    session: AsyncSession, *, kind: str, dedupe_key: str, payload: dict,
    channel: str | None = None, recipient: str | None = None, order_id: int | None = None,
    customer_id: int | None = None, due_at: datetime | None = None,
) -> bool:
    """Adds one notification in the caller's transaction. A dedupe_key already in the outbox
    is ignored (no error, the transaction stays usable); returns whether a row was added."""
    now = utcnow()
    result = await session.execute(_insert_ignoring_duplicates(session), {
        "order_id": order_id, "customer_id": customer_id, "channel": channel,
        "recipient": recipient, "kind": kind, "payload": payload, "dedupe_key": dedupe_key,
        "state": _PENDING, "attempts": 0, "next_attempt_at": due_at or now, "created_at": now,
        "delivered_at": None, "last_error": None,
    })
    return result.rowcount == 1


async def enqueue_status_notification(
    session: AsyncSession, *, order_id: int, order_number: str, customer_id: int,
    channel: str | None, recipient: str | None, status: str, payload: dict,
) -> None:
    now = utcnow()
    # One notification per order and status: a status reached again (a return withdrawn, then
    # requested once more) is not notified twice; the chat that asked was told.
    await session.execute(_insert_ignoring_duplicates(session), {
        "order_id": order_id, "customer_id": customer_id, "channel": channel,
        "recipient": recipient, "kind": f"order_{status}", "payload": payload,
        "dedupe_key": f"order:{order_number}:{status}", "state": _PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now, "delivered_at": None,
        "last_error": None,
    })
    if status == "delivered":
        await _enqueue_feedback_request(session, order_id=order_id, order_number=order_number,
                                        customer_id=customer_id, channel=channel,
                                        recipient=recipient, now=now)


async def _enqueue_feedback_request(
    session: AsyncSession, *, order_id: int, order_number: str, customer_id: int,
    channel: str | None, recipient: str | None, now: datetime,
) -> None:
    already_rated = (await session.execute(
        select(exists().where(_feedback.c.order_id == order_id)))).scalar()
    if already_rated:
        return
    delay = timedelta(minutes=get_settings().FEEDBACK_REQUEST_DELAY_MINUTES)
    # "feedback:<number>" is unique: however often the order is re-delivered, one request.
    await enqueue_notification(
        session, kind="feedback_request", dedupe_key=f"feedback:{order_number}",
        payload={"number": order_number}, channel=channel, recipient=recipient,
        order_id=order_id, customer_id=customer_id, due_at=now + delay)

"""Writes outbox rows inside the caller's transaction; a dispatcher delivers them later."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.outbox.models import Notification

_outbox = Notification.__table__
_INSERT = insert(_outbox)  # built once, reused


async def enqueue_status_notification(
    session: AsyncSession, *, order_id: int, order_number: str, customer_id: int,
    channel: str | None, recipient: str | None, status: str, payload: dict,
) -> None:
    now = utcnow()
    await session.execute(_INSERT, {
        "order_id": order_id, "customer_id": customer_id, "channel": channel,
        "recipient": recipient, "kind": f"order_{status}", "payload": payload,
        # The transition table has no cycles, so an order reaches each status at most once.
        "dedupe_key": f"order:{order_number}:{status}",
        "attempts": 0, "next_attempt_at": now, "created_at": now, "delivered_at": None,
        "last_error": None,
    })

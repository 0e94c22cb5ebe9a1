"""Pending orders hold stock only for PENDING_ORDER_TTL_MINUTES; then they expire."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.core.base import utcnow
from backend.errors import InvalidTransition
from backend.orders import queries
from backend.orders.models import Order
from backend.orders.service import apply_transition
from backend.orders.status import OrderStatus

logger = logging.getLogger(__name__)

_orders = Order.__table__
BATCH = 100


async def expire_pending_orders(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None,
    max_batches: int = 50,
) -> int:
    """Cancels overdue pending orders, releasing their stock. Returns how many expired.

    Works in small batches, one transaction each, so SQLite's write lock is held briefly.
    """
    now = now or utcnow()
    expired = 0
    for _ in range(max_batches):
        async with sessionmaker() as session, session.begin():
            numbers = (await session.execute(
                select(_orders.c.number)
                .where(_orders.c.status == OrderStatus.PENDING.value, _orders.c.expires_at < now)
                .order_by(_orders.c.id).limit(BATCH))).scalars().all()
            for number in numbers:
                order = await queries.get_order(session, number, for_update=True)
                try:
                    await apply_transition(
                        session, order, OrderStatus.CANCELLED, actor="system:expiry",
                        channel=None, values={"cancel_reason": "expired: not confirmed in time"},
                        detail={"reason": "expired"})
                except InvalidTransition:  # confirmed meanwhile: nothing to do
                    continue
                expired += 1
        if len(numbers) < BATCH:
            break
    if expired:
        logger.info("expired %d pending orders", expired)
    return expired

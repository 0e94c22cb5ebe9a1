"""Which claimed notifications should not be sent after all, and why (they end `skipped`)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.customers.models import Customer
from backend.notifications.queue import Claimed
from backend.notifications.wording import CUSTOMER_RESPONSES
from backend.orders.models import Order
from backend.orders.status import OrderStatus
from backend.outbox.models import STAFF_CHANNEL
from backend.support.models import Feedback

_customers = Customer.__table__
_orders = Order.__table__
_feedback = Feedback.__table__
REACHABLE_CHANNELS = ("web", "telegram", "slack")


async def skip_reasons(session: AsyncSession, rows: list[Claimed]) -> dict[int, str]:
    """Row id -> reason, for rows that are silent kinds, unreachable, opted out or outdated."""
    reasons: dict[int, str] = {}
    customer_rows = [r for r in rows if r.channel != STAFF_CHANNEL]
    for row in customer_rows:
        if row.kind not in CUSTOMER_RESPONSES:
            reasons[row.id] = f"nothing to tell the customer for {row.kind}"
        elif not row.recipient or row.recipient.partition(":")[0] not in REACHABLE_CHANNELS:
            reasons[row.id] = "no reachable channel for this customer"
    live = [r for r in customer_rows if r.id not in reasons]
    opted_out = await _opted_out(session, {r.customer_id for r in live if r.customer_id})
    not_pending = await _not_pending(
        session, {r.order_id for r in live if r.kind == "order_expiring" and r.order_id})
    rated = await _rated(
        session, {r.order_id for r in live if r.kind == "feedback_request" and r.order_id})
    for row in live:
        if row.customer_id in opted_out:
            reasons[row.id] = "customer opted out of notifications"
        elif row.kind == "order_expiring" and row.order_id in not_pending:
            reasons[row.id] = "order no longer pending"
        elif row.kind == "feedback_request" and row.order_id in rated:
            reasons[row.id] = "feedback already given for this order"
    return reasons


async def _opted_out(session: AsyncSession, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set((await session.execute(select(_customers.c.id).where(
        _customers.c.id.in_(ids), _customers.c.notifications_enabled.is_(False)))).scalars())


async def _not_pending(session: AsyncSession, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set((await session.execute(select(_orders.c.id).where(
        _orders.c.id.in_(ids), _orders.c.status != OrderStatus.PENDING.value))).scalars())


async def _rated(session: AsyncSession, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set((await session.execute(select(_feedback.c.order_id).where(
        _feedback.c.order_id.in_(ids)))).scalars())

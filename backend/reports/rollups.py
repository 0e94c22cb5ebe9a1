"""Keeps the fulfilment rollups (backend/reports/models.py) equal to what order_events say.

One definition serves every writer: apply_transition refreshes the order it just moved (its
few events, through their index), and bulk loaders (demo seed, benchmark, test data) and
migration 0005 rebuild every order at once. Order placement writes nothing here: a pending
order has no rollup rows, and the report counts the status an order is in from `orders`.
Hours are computed with the expression the report used on the raw events, so the stored values
are the very numbers it used to compute per request.
"""
from __future__ import annotations

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from backend.orders.models import Order, OrderEvent
from backend.orders.status import OrderStatus as S
from backend.reports.models import OrderMilestones, OrderStatusStay
from backend.reports.sql import Sql

events = OrderEvent.__table__
orders = Order.__table__
stays = OrderStatusStay.__table__
milestones = OrderMilestones.__table__
STAY_COLUMNS = ["order_id", "state", "hours", "entered_at", "left_at", "ordered_at", "channel"]
MILESTONE_COLUMNS = ["order_id", "ordered_at", "channel", "confirmed_at", "shipped_at",
                     "delivered_at", "to_ship_hours", "cycle_hours"]


def _stays(sql: Sql, where: list):
    """Each status event with the time of the order's next one, for the statuses left; a status
    entered twice (delivered again after a return was withdrawn) is one stay of both times."""
    # `created` and status_* events change the status; item and address changes keep it.
    changes_status = or_(events.c.from_status.is_(None),
                         events.c.from_status != events.c.to_status)
    following = func.lead(events.c.created_at).over(
        partition_by=events.c.order_id, order_by=(events.c.created_at, events.c.id))
    timeline = (select(events.c.order_id, events.c.to_status, events.c.created_at,
                       following.label("left_at"))
                .where(changes_status, *where)).subquery("timeline")
    t = timeline.c
    left = (select(t.order_id, t.to_status,
                   sql.hours_between(t.created_at, t.left_at).label("hours"), t.created_at, t.left_at)
            .where(t.left_at.is_not(None))).subquery("left_states")
    s = left.c
    return (select(s.order_id, s.to_status, func.sum(s.hours), func.min(s.created_at),
                   func.max(s.left_at), orders.c.created_at, orders.c.channel)
            .select_from(left.join(orders, orders.c.id == s.order_id))
            .group_by(s.order_id, s.to_status, orders.c.created_at, orders.c.channel))


def _reached(status: S):
    return func.min(case((events.c.to_status == status, events.c.created_at)))


def _milestones(sql: Sql, where: list):
    """One row per confirmed order: when it first reached each milestone."""
    reached = (select(events.c.order_id, _reached(S.CONFIRMED).label("confirmed_at"),
                      _reached(S.SHIPPED).label("shipped_at"),
                      _reached(S.DELIVERED).label("delivered_at"))
               .where(events.c.to_status.in_((S.CONFIRMED, S.SHIPPED, S.DELIVERED)), *where)
               .group_by(events.c.order_id)).subquery("reached")
    r = reached.c
    return (select(r.order_id, orders.c.created_at, orders.c.channel, r.confirmed_at,
                   r.shipped_at, r.delivered_at, sql.hours_between(r.confirmed_at, r.shipped_at),
                   sql.hours_between(r.confirmed_at, r.delivered_at))
            .select_from(reached.join(orders, orders.c.id == r.order_id))
            .where(r.confirmed_at.is_not(None)))


def rebuild_statements(dialect: str, order_id: int | None = None) -> list[Executable]:
    """Deletes and re-derives the rollup rows of one order, or of all orders (None)."""
    sql = Sql(dialect)
    if order_id is None:
        of_events, of_stays, of_milestones = [], [], []
    else:
        of_events = [events.c.order_id == order_id]
        of_stays = [stays.c.order_id == order_id]
        of_milestones = [milestones.c.order_id == order_id]
    return [delete(stays).where(*of_stays),
            insert(stays).from_select(STAY_COLUMNS, _stays(sql, of_events)),
            delete(milestones).where(*of_milestones),
            insert(milestones).from_select(MILESTONE_COLUMNS, _milestones(sql, of_events))]


async def rebuild_rollups(session: AsyncSession, order_id: int | None = None) -> None:
    """Inside the caller's transaction: after a status change of `order_id`, or (None) after
    order_events were written in bulk (seed, benchmark, test data)."""
    for statement in rebuild_statements(session.get_bind().dialect.name, order_id):
        await session.execute(statement)

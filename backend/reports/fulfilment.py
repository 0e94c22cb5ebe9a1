"""Fulfilment: time in each status, time to ship, cycle time (p50/p90) and on-time delivery,
all from the status changes recorded in order_events."""
from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.orders.models import OrderEvent
from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import ALL_KEY, grouping, order_conditions, order_key, orders
from backend.reports.sql import Sql, hours, ratio, whole

events = OrderEvent.__table__
GROUPS = ("day", "week", "channel", "state", "none")
COLUMNS = ["orders", "shipped", "delivered", "time_to_ship_p50_hours", "time_to_ship_p90_hours",
           "cycle_time_p50_hours", "cycle_time_p90_hours", "on_time_rate"]
STATE_COLUMNS = ["entered", "left", "avg_hours", "p50_hours", "p90_hours"]


def _reached(status: S):
    return func.min(case((events.c.to_status == status, events.c.created_at)))


def _per_order(sql: Sql, f: ReportFilters):
    """One row per confirmed order in scope: its key, hours to ship and to deliver, on time."""
    key = order_key(sql, f)
    milestones = (select(key.label("key"), orders.c.estimated_delivery.label("due"),
                         _reached(S.CONFIRMED).label("confirmed_at"),
                         _reached(S.SHIPPED).label("shipped_at"),
                         _reached(S.DELIVERED).label("delivered_at"))
                  .select_from(orders.join(events, events.c.order_id == orders.c.id))
                  .where(*order_conditions(f),
                         events.c.to_status.in_((S.CONFIRMED, S.SHIPPED, S.DELIVERED)))
                  .group_by(*grouping(orders.c.id, key, orders.c.estimated_delivery))
                  ).subquery("milestones")
    m = milestones.c
    return select(
        m.key, case((m.shipped_at.is_not(None), 1), else_=0).label("shipped"),
        case((m.delivered_at.is_not(None), 1), else_=0).label("delivered"),
        sql.hours_between(m.confirmed_at, m.shipped_at).label("to_ship"),
        sql.hours_between(m.confirmed_at, m.delivered_at).label("cycle"),
        case((m.due.is_(None) | m.delivered_at.is_(None), None),
             (sql.day(m.delivered_at) <= m.due, 1), else_=0).label("on_time"),
    ).where(m.confirmed_at.is_not(None)).cte("per_order")


def _milestone_counts(source) -> list:
    return [func.count().label("orders"), func.sum(source.c.shipped).label("shipped_n"),
            func.sum(source.c.delivered).label("delivered_n"),
            func.sum(source.c.on_time).label("on_time"),
            func.count(source.c.on_time).label("with_due")]


def _milestone_values(r) -> dict:
    return {"orders": whole(r.orders), "shipped": whole(r.shipped_n),
            "delivered": whole(r.delivered_n),
            "time_to_ship_p50_hours": hours(r.to_ship_p50),
            "time_to_ship_p90_hours": hours(r.to_ship_p90),
            "cycle_time_p50_hours": hours(r.cycle_p50), "cycle_time_p90_hours": hours(r.cycle_p90),
            "on_time_rate": ratio(r.on_time, r.with_due)}


async def _milestones(session: AsyncSession, sql: Sql,
                      f: ReportFilters) -> tuple[dict, dict[str, dict]]:
    """(totals, rows by key) in one statement."""
    per_order = _per_order(sql, f)
    key = None if order_key(sql, f) is ALL_KEY else "key"
    query = sql.summarize(per_order, key, _milestone_counts, ["to_ship", "cycle"])
    totals, by_key = {}, {}
    for r in await session.execute(query):
        if r.is_total:
            totals = _milestone_values(r)
        else:
            by_key[key_text(r.key)] = _milestone_values(r)
    return totals, by_key


async def _state_rows(session: AsyncSession, sql: Sql, f: ReportFilters) -> list[dict]:
    """Time spent in each status: from the event entering it to the next status event."""
    # `created` and status_* events change the status; item and address changes keep it.
    is_status_event = or_(events.c.from_status.is_(None),
                          events.c.from_status != events.c.to_status)
    # The orders in scope as an id list: SQLite then reads their events in index order
    # (order, time, id), which is the window's order, so the ~490,000 events of a year are
    # not sorted again; the next event's time is computed once per event.
    in_scope = select(orders.c.id).where(*order_conditions(f))
    following = func.lead(events.c.created_at).over(
        partition_by=events.c.order_id, order_by=(events.c.created_at, events.c.id))
    timeline = (select(events.c.to_status, events.c.created_at, following.label("left_at"))
                .where(events.c.order_id.in_(in_scope), is_status_event)).subquery("timeline")
    t = timeline.c
    stays = select(t.to_status.label("state"),
                   case((t.left_at.is_(None), 0), else_=1).label("left"),
                   sql.hours_between(t.created_at, t.left_at).label("stay")).cte("stays")

    def counts(source) -> list:
        return [func.count().label("entered"), func.sum(source.c.left).label("left_n"),
                func.avg(source.c.stay).label("avg")]
    rows = {}
    query = sql.summarize(stays, "state", counts, ["stay"], with_total=False)
    for r in await session.execute(query):
        if not r.is_total:
            rows[r.key] = {"entered": whole(r.entered), "left": whole(r.left_n),
                           "avg_hours": hours(r.avg), "p50_hours": hours(r.stay_p50),
                           "p90_hours": hours(r.stay_p90)}
    order = list(S)
    return [{"key": state, **rows[state]}
            for state in sorted(rows, key=lambda s: order.index(S(s)))]


def _complete(values: dict) -> dict:
    empty = {c: None for c in COLUMNS} | {"orders": 0, "shipped": 0, "delivered": 0}
    return {c: values.get(c, empty[c]) for c in COLUMNS}


async def fulfilment_report(session: AsyncSession, f: ReportFilters) -> Report:
    sql = await Sql.for_report(session)
    if f.group_by == "state":
        overall = ReportFilters(start=f.start, end=f.end, channel=f.channel,
                                category=f.category, sku=f.sku)
        totals, _ = await _milestones(session, sql, overall)
        return Report("fulfilment", f, _complete(totals), ["key", *STATE_COLUMNS],
                      await _state_rows(session, sql, f))
    totals, by_key = await _milestones(session, sql, f)
    rows = arrange(f, {k: _complete(v) for k, v in by_key.items()}, _complete({}),
                   order="orders")
    return Report("fulfilment", f, _complete(totals), ["key", *COLUMNS], rows)

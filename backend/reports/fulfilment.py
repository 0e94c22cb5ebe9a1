"""Fulfilment: time in each status, time to ship, cycle time (p50/p90) and on-time delivery,
from the rollups of order_events (backend/reports/rollups.py): one row per status an order
left and one row of milestones per confirmed order."""
from __future__ import annotations

from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.rollups import milestones, stays
from backend.reports.scope import (ALL_KEY, line_conditions, lines, order_conditions, order_key,
                                   orders, products)
from backend.reports.sql import Sql, hours, in_range, percentiles_in_order, ratio, whole

GROUPS = ("day", "week", "channel", "state", "none")
COLUMNS = ["orders", "shipped", "delivered", "time_to_ship_p50_hours", "time_to_ship_p90_hours",
           "cycle_time_p50_hours", "cycle_time_p90_hours", "on_time_rate"]
STATE_COLUMNS = ["entered", "left", "avg_hours", "p50_hours", "p90_hours"]


def _per_order(sql: Sql, f: ReportFilters):
    """One row per confirmed order in scope: its key, hours to ship and to deliver, on time."""
    key = order_key(sql, f)
    m = milestones.c
    return (select(key.label("key"),
                   case((m.shipped_at.is_not(None), 1), else_=0).label("shipped"),
                   case((m.delivered_at.is_not(None), 1), else_=0).label("delivered"),
                   m.to_ship_hours.label("to_ship"), m.cycle_hours.label("cycle"),
                   case((orders.c.estimated_delivery.is_(None) | m.delivered_at.is_(None), None),
                        (sql.day(m.delivered_at) <= orders.c.estimated_delivery, 1),
                        else_=0).label("on_time"))
            .select_from(orders.join(milestones, m.order_id == orders.c.id))
            .where(*order_conditions(f))).cte("per_order")


def _rollup_scope(table, f: ReportFilters) -> list:
    """order_conditions on a rollup table, which holds no pending orders by construction."""
    conditions = [in_range(table.c.ordered_at, f)]
    if f.channel:
        conditions.append(table.c.channel == f.channel)
    if f.sku or f.category:
        conditions.append(exists(select(literal(1)).select_from(
            lines.join(products, products.c.sku == lines.c.sku)
        ).where(lines.c.order_id == table.c.order_id, *line_conditions(f))))
    return conditions


def _picks_in_order(sql: Sql, f: ReportFilters) -> bool:
    """SQLite without a product filter reads overall percentiles from the rollups' indexes
    (percentiles_in_order); PostgreSQL's percentile_cont needs no help, and a product filter
    would make every index entry probe the order's lines."""
    return not sql.pg and not (f.sku or f.category)


def _in_order(column, f: ReportFilters):
    return (select(column).where(column.is_not(None), *_rollup_scope(column.table, f))
            .order_by(column))


def _milestone_counts(source) -> list:
    return [func.count().label("orders"), func.sum(source.c.shipped).label("shipped_n"),
            func.sum(source.c.delivered).label("delivered_n"),
            func.sum(source.c.on_time).label("on_time"),
            func.count(source.c.on_time).label("with_due"),
            func.count(source.c.to_ship).label("to_ship_count"),
            func.count(source.c.cycle).label("cycle_count")]


COUNTS = ("orders", "shipped_n", "delivered_n", "on_time", "with_due", "to_ship_count",
          "cycle_count")


def _milestone_values(r) -> dict:
    return {"orders": whole(r["orders"]), "shipped": whole(r["shipped_n"]),
            "delivered": whole(r["delivered_n"]),
            "time_to_ship_p50_hours": hours(r["to_ship_p50"]),
            "time_to_ship_p90_hours": hours(r["to_ship_p90"]),
            "cycle_time_p50_hours": hours(r["cycle_p50"]),
            "cycle_time_p90_hours": hours(r["cycle_p90"]),
            "on_time_rate": ratio(r["on_time"], r["with_due"])}


async def _milestones(session: AsyncSession, sql: Sql,
                      f: ReportFilters) -> tuple[dict, dict[str, dict]]:
    """(totals, rows by key)."""
    per_order = _per_order(sql, f)
    key = None if order_key(sql, f) is ALL_KEY else "key"
    if _picks_in_order(sql, f):
        return await _milestones_picking_totals(session, sql, f, per_order, key)
    totals, by_key = {}, {}
    for r in await session.execute(sql.summarize(per_order, key, _milestone_counts,
                                                 ["to_ship", "cycle"])):
        if r.is_total:
            totals = _milestone_values(r._mapping)
        else:
            by_key[key_text(r.key)] = _milestone_values(r._mapping)
    return totals, by_key


async def _milestones_picking_totals(session: AsyncSession, sql: Sql, f: ReportFilters,
                                     per_order, key: str | None) -> tuple[dict, dict[str, dict]]:
    """The groups as usual; the totals' counts summed from them (each order has one key) and
    their percentiles read in index order."""
    if key is None:
        rows = [(await session.execute(select(*_milestone_counts(per_order)))).one()._mapping]
    else:
        rows = [r._mapping for r in await session.execute(sql.summarize(
            per_order, key, _milestone_counts, ["to_ship", "cycle"], with_total=False))]
    by_key = {key_text(r["key"]): _milestone_values(r) for r in rows} if key else {}
    total = {c: sum(whole(r[c]) for r in rows) for c in COUNTS}
    for value, column in (("to_ship", milestones.c.to_ship_hours),
                          ("cycle", milestones.c.cycle_hours)):
        p50, p90 = await percentiles_in_order(session, _in_order(column, f),
                                              total[f"{value}_count"])
        total |= {f"{value}_p50": p50, f"{value}_p90": p90}
    return _milestone_values(total), by_key


async def _left_states(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, dict]:
    """Per status left: how many left it, and the average, p50 and p90 of hours spent in it."""
    def counts(source) -> list:
        return [func.count().label("left_n"), func.avg(source.c.stay).label("avg")]
    if not _picks_in_order(sql, f):
        left = (select(stays.c.state, stays.c.hours.label("stay"))
                .where(*_rollup_scope(stays, f))).cte("stays")
        query = sql.summarize(left, "state", counts, ["stay"], with_total=False)
        return {r.key: {"left": whole(r.left_n), "avg_hours": hours(r.avg),
                        "p50_hours": hours(r.stay_p50), "p90_hours": hours(r.stay_p90)}
                for r in await session.execute(query)}
    rows = {}
    stats = (select(stays.c.state, func.count(), func.avg(stays.c.hours))
             .where(*_rollup_scope(stays, f)).group_by(stays.c.state))
    for state, n, avg in (await session.execute(stats)).all():
        in_state = _in_order(stays.c.hours, f).where(stays.c.state == state)
        p50, p90 = await percentiles_in_order(session, in_state, n)
        rows[state] = {"left": whole(n), "avg_hours": hours(avg), "p50_hours": hours(p50),
                       "p90_hours": hours(p90)}
    return rows


async def _state_rows(session: AsyncSession, sql: Sql, f: ReportFilters) -> list[dict]:
    """Time spent in each status: the stays of the orders in scope (statuses they left), plus
    one entry per order for the status it is in now (entered, not left)."""
    rows = {state: {"entered": r["left"], **r}
            for state, r in (await _left_states(session, sql, f)).items()}
    now = (select(orders.c.status, func.count()).where(*order_conditions(f))
           .group_by(orders.c.status))
    for state, n in await session.execute(now):
        rows.setdefault(state, {"entered": 0, "left": 0, "avg_hours": None, "p50_hours": None,
                                "p90_hours": None})["entered"] += whole(n)
    order = list(S)
    return [{"key": state, **{c: rows[state][c] for c in STATE_COLUMNS}}
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

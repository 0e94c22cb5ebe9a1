"""Support tickets: opened, resolved, still open, and how long resolving took (p50/p90).

A ticket counts as opened on its created_at and as resolved on its updated_at once it is
`resolved` or `closed` (tickets record no separate resolution time).
"""
from __future__ import annotations

from sqlalchemy import exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import ALL_KEY, grouping, line_conditions, lines, products
from backend.reports.sql import Sql, hours, in_range, whole
from backend.support.models import SupportTicket

tickets = SupportTicket.__table__
GROUPS = ("day", "week", "channel", "none")
COLUMNS = ["opened", "resolved", "resolve_p50_hours", "resolve_p90_hours"]
OPEN = ("open", "assigned")
DONE = ("resolved", "closed")


def _slice(f: ReportFilters) -> list:
    conditions = []
    if f.channel:
        conditions.append(tickets.c.channel == f.channel)
    if f.sku or f.category:
        about = select(literal(1)).select_from(
            lines.join(products, products.c.sku == lines.c.sku)
        ).where(lines.c.order_id == tickets.c.order_id, *line_conditions(f))
        conditions.append(exists(about))
    return conditions


def _key(sql: Sql, f: ReportFilters, column):
    if f.group_by in ("day", "week"):
        return sql.period(column, f.group_by)
    return tickets.c.channel if f.group_by == "channel" else ALL_KEY


async def _opened(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, int]:
    key = _key(sql, f, tickets.c.created_at)
    query = (select(key.label("key"), func.count().label("n"))
             .where(in_range(tickets.c.created_at, f), *_slice(f)).group_by(*grouping(key)))
    return {key_text(r.key): whole(r.n) for r in await session.execute(query)}


async def _resolved(session: AsyncSession, sql: Sql,
                    f: ReportFilters) -> tuple[dict, dict[str, dict]]:
    """(totals, rows by key) of tickets resolved in the range, in one statement."""
    key = _key(sql, f, tickets.c.updated_at)
    done = (select(key.label("key"),
                   sql.hours_between(tickets.c.created_at, tickets.c.updated_at).label("took"))
            .where(tickets.c.status.in_(DONE), in_range(tickets.c.updated_at, f), *_slice(f))
            ).cte("done")
    query = sql.summarize(done, None if key is ALL_KEY else "key",
                          lambda source: [func.count().label("n")], ["took"])
    totals, by_key = {}, {}
    for r in await session.execute(query):
        values = {"resolved": whole(r.n), "resolve_p50_hours": hours(r.took_p50),
                  "resolve_p90_hours": hours(r.took_p90)}
        if r.is_total:
            totals = values
        else:
            by_key[key_text(r.key)] = values
    return totals, by_key


async def open_ticket_count(session: AsyncSession, f: ReportFilters | None = None) -> int:
    query = select(func.count()).where(tickets.c.status.in_(OPEN), *(_slice(f) if f else []))
    return whole(await session.scalar(query))


async def tickets_report(session: AsyncSession, f: ReportFilters) -> Report:
    sql = await Sql.for_report(session)
    opened = await _opened(session, sql, f)  # every ticket opens in one group: sums are totals
    resolved_totals, resolved = await _resolved(session, sql, f)
    empty = {"resolved": 0, "resolve_p50_hours": None, "resolve_p90_hours": None}
    totals = {"opened": sum(opened.values()), **resolved_totals,
              "open_now": await open_ticket_count(session, f)}
    by_key = {} if f.group_by == "none" else {
        k: {"opened": opened.get(k, 0), **resolved.get(k, empty)}
        for k in set(opened) | set(resolved)}
    return Report("tickets", f, totals, ["key", *COLUMNS],
                  arrange(f, by_key, {"opened": 0, **empty}, order="opened"))

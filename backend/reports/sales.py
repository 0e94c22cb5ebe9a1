"""Sales: orders, units, revenue and average order value over time or by dimension."""
from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import (base_order_conditions, grouping, line_conditions, line_key,
                                   lines, order_conditions, order_key, orders, products)
from backend.reports.sql import Sql, ratio, whole

GROUPS = ("day", "week", "channel", "product", "category", "none")
COLUMNS = ["orders", "units", "revenue_minor", "aov_minor"]
ORDER_GROUPS = ("day", "week", "channel", "none")
_kept = orders.c.status != S.CANCELLED  # revenue counts every placed order not cancelled


async def _by_order(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, dict]:
    """Whole orders, each in one group: counts and revenue (subtotal = its lines' totals)
    from the orders alone, units from their lines; no DISTINCT needed."""
    key = order_key(sql, f)
    counted = (select(key.label("key"), func.count().label("orders"),
                      func.sum(case((_kept, 1), else_=0)).label("placed"),
                      func.sum(case((_kept, orders.c.subtotal_minor), else_=0)).label("revenue"))
               .where(*order_conditions(f)).group_by(*grouping(key)))
    units = (select(key.label("key"), func.sum(lines.c.quantity).label("units"))
             .select_from(orders.join(lines, lines.c.order_id == orders.c.id))
             .where(*order_conditions(f), _kept).group_by(*grouping(key)))
    result = {key_text(r.key): {"orders": r.orders, "placed": r.placed, "revenue": r.revenue,
                                "units": 0} for r in await session.execute(counted)}
    for r in await session.execute(units):
        result[key_text(r.key)]["units"] = r.units
    return result


async def _by_line(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, dict]:
    """Only the lines matching the SKU/category, or grouped by product/category: an order
    counts once in each group it has lines in."""
    key = line_key(f) if f.group_by in ("product", "category") else order_key(sql, f)
    source = orders.join(lines, lines.c.order_id == orders.c.id)
    if f.category or f.group_by in ("product", "category"):
        source = source.join(products, products.c.sku == lines.c.sku)
    columns = [key.label("key"), func.count(distinct(orders.c.id)).label("orders"),
               func.count(distinct(case((_kept, orders.c.id)))).label("placed"),
               func.sum(case((_kept, lines.c.quantity), else_=0)).label("units"),
               func.sum(case((_kept, lines.c.line_total_minor), else_=0)).label("revenue")]
    if f.group_by == "product":
        columns.append(func.max(products.c.name).label("name"))
    query = (select(*columns).select_from(source)
             .where(*base_order_conditions(f), *line_conditions(f)).group_by(*grouping(key)))
    return {key_text(r.key): r._asdict() for r in await session.execute(query)}


async def sales_counts(session: AsyncSession, f: ReportFilters) -> dict[str, dict]:
    """Raw per-key counts: orders, placed (not cancelled), units, revenue."""
    sql = Sql.of(session)
    if f.group_by in ORDER_GROUPS and not (f.sku or f.category):
        return await _by_order(session, sql, f)
    return await _by_line(session, sql, f)


def _values(row: dict) -> dict:
    aov = ratio(row["revenue"], row["placed"], 0)
    return {"orders": whole(row["orders"]), "units": whole(row["units"]),
            "revenue_minor": whole(row["revenue"]), "aov_minor": None if aov is None else int(aov)}


def add_up(rows: dict[str, dict], names: tuple[str, ...]) -> dict:
    return {n: sum(whole(r.get(n)) for r in rows.values()) for n in names}


async def sales_report(session: AsyncSession, f: ReportFilters) -> Report:
    await Sql.for_report(session)  # PostgreSQL: no JIT for this report's statements
    counts = await sales_counts(session, f)
    if f.group_by in ORDER_GROUPS:  # groups split the orders: the totals are the sums
        totals = _values(add_up(counts, ("orders", "placed", "units", "revenue")))
    else:
        overall = ReportFilters(start=f.start, end=f.end, channel=f.channel,
                                category=f.category, sku=f.sku)
        totals = _values((await sales_counts(session, overall)).get("all", {
            "orders": 0, "placed": 0, "units": 0, "revenue": 0}))
    by_key = {}
    if f.group_by != "none":
        for key, row in counts.items():
            by_key[key] = ({"name": row["name"]} if f.group_by == "product" else {}) | \
                _values(row)
    empty = {"orders": 0, "units": 0, "revenue_minor": 0, "aov_minor": None}
    columns = ["key", *(["name"] if f.group_by == "product" else []), *COLUMNS]
    return Report("sales", f, totals, columns, arrange(f, by_key, empty, order="revenue_minor"))

"""Inventory: fill rate, stockouts, inventory value, turnover and days of inventory.

Stock positions are rebuilt from the stock ledger (stock_movements, whose signed deltas sum to
the inventory row) at the end of every day of the range, per SKU, with one window sum.
"""
from __future__ import annotations

from sqlalchemy import case, distinct, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.inventory.models import Inventory, MovementKind, StockMovement
from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.rollups import milestones
from backend.reports.scope import (SHIPPED_OR_LATER, base_order_conditions, grouping,
                                   line_conditions, lines, order_key, orders, products,
                                   sku_conditions)
from backend.reports.sql import Sql, ratio, whole

movements = StockMovement.__table__
inventory = Inventory.__table__
GROUPS = ("product", "category", "day", "week", "none")
COLUMNS = ["skus", "on_hand", "available", "fill_rate", "stockout_rate", "stockout_sku_days",
           "inventory_value_minor", "avg_inventory_value_minor", "shipped_units",
           "shipped_value_minor", "turnover", "days_of_inventory"]


def _positions(sql: Sql, f: ReportFilters):
    """Per SKU and day of the range: on hand and available at the end of the day, units
    shipped that day. Positions are walked back from the inventory row (which the ledger sums
    to), so only movements from the range's start onwards are read. Days before a SKU's first
    movement are left out."""
    first_move = (select(func.min(movements.c.created_at))
                  .where(movements.c.sku == products.c.sku).scalar_subquery())
    skus = (select(products.c.sku, products.c.name, products.c.category, products.c.price_minor,
                   inventory.c.on_hand, (inventory.c.on_hand - inventory.c.reserved)
                   .label("available"), sql.day(first_move).label("since"))
            .select_from(products.join(inventory, inventory.c.sku == products.c.sku))
            .where(*sku_conditions(f, products.c.sku))).cte("skus").prefix_with("MATERIALIZED")
    day = sql.day(movements.c.created_at)
    shipped = case((movements.c.kind == MovementKind.SHIPMENT, -movements.c.on_hand_delta),
                   else_=0)
    # From the start on, days after the range included: one scan of the ledger's time index.
    daily = (select(movements.c.sku, day.label("d"),
                    func.sum(movements.c.on_hand_delta).label("oh"),
                    func.sum(movements.c.on_hand_delta - movements.c.reserved_delta).label("av"),
                    func.sum(shipped).label("shipped"))
             .where(movements.c.created_at >= f.start_at)
             .group_by(movements.c.sku, day)).cte("daily").prefix_with("MATERIALIZED")
    after = (select(daily.c.sku, func.sum(daily.c.oh).label("oh"),
                    func.sum(daily.c.av).label("av"))
             .where(daily.c.d > sql.date_value(f.end)).group_by(daily.c.sku)).subquery("after")
    cal = sql.calendar(f.start, f.end)

    def at_day_end(current, column):
        """current − later movements = start of range + running sum within the range."""
        so_far = func.sum(func.coalesce(column, 0)).over(partition_by=skus.c.sku,
                                                        order_by=cal.c.d)
        in_range_total = func.sum(func.coalesce(column, 0)).over(partition_by=skus.c.sku)
        return current - func.coalesce(after.c[column.name], 0) - in_range_total + so_far
    return (select(skus.c.sku, skus.c.name, skus.c.category, skus.c.price_minor, cal.c.d,
                   at_day_end(skus.c.on_hand, daily.c.oh).label("on_hand"),
                   at_day_end(skus.c.available, daily.c.av).label("available"),
                   func.coalesce(daily.c.shipped, 0).label("shipped"))
            .select_from(skus.join(cal, cal.c.d >= skus.c.since)
                         .outerjoin(after, after.c.sku == skus.c.sku)
                         .outerjoin(daily, (daily.c.sku == skus.c.sku) & (daily.c.d == cal.c.d)))
            ).subquery("grid")


async def _stock_rows(session: AsyncSession, sql: Sql, f: ReportFilters,
                      by: str) -> dict[str, dict]:
    """Raw stock figures per product, day or week (`by`)."""
    grid = _positions(sql, f)
    key = {"product": grid.c.sku, "day": grid.c.d, "week": sql.week_of_day(grid.c.d)}[by]
    keyed = select(grid, key.label("key"),
                   func.max(grid.c.d).over(partition_by=key).label("last_d")
                   ).subquery("keyed")
    at_end = keyed.c.d == keyed.c.last_d
    value = keyed.c.on_hand * keyed.c.price_minor
    query = select(
        keyed.c.key, func.max(keyed.c.name).label("name"),
        func.max(keyed.c.category).label("category"),
        func.count(distinct(keyed.c.sku)).label("skus"),
        func.count(distinct(keyed.c.d)).label("days"), func.count().label("sku_days"),
        func.sum(case((keyed.c.available <= 0, 1), else_=0)).label("stockout"),
        func.sum(case((at_end, keyed.c.on_hand), else_=0)).label("on_hand"),
        func.sum(case((at_end, keyed.c.available), else_=0)).label("available"),
        func.sum(case((at_end, value), else_=0)).label("value_end"),
        func.sum(value).label("value_days"),
        func.sum(keyed.c.shipped).label("shipped"),
        func.sum(keyed.c.shipped * keyed.c.price_minor).label("shipped_value"),
    ).group_by(keyed.c.key)
    return {key_text(r.key): r._asdict() for r in await session.execute(query)}


_SUMMED = ("skus", "sku_days", "stockout", "on_hand", "available", "value_end", "value_days",
           "shipped", "shipped_value")


def _fold(rows: list[dict], over_time: bool) -> dict:
    """Adds up raw rows. SKUs cover a suffix of the range (first movement … end), so across
    products the range's days are the longest one; across periods they add up, and the value
    at the end is the last period's."""
    if not rows:
        return dict.fromkeys(_SUMMED + ("days",), 0) | {"name": None, "category": None}
    total = {n: sum(whole(r[n]) for r in rows) for n in _SUMMED}
    if over_time:
        last = rows[-1]
        total |= {"days": sum(whole(r["days"]) for r in rows),
                  "skus": max(whole(r["skus"]) for r in rows), "on_hand": whole(last["on_hand"]),
                  "available": whole(last["available"]), "value_end": whole(last["value_end"])}
    else:
        total["days"] = max(whole(r["days"]) for r in rows)
    return total | {"name": None, "category": None}


def _stock_values(r: dict) -> dict:
    average = ratio(r["value_days"], r["days"], 0)
    turnover = ratio(r["shipped_value"], average, 4) if average else None
    return {"name": r["name"], "category": r["category"], "skus": whole(r["skus"]),
            "on_hand": whole(r["on_hand"]), "available": whole(r["available"]),
            "stockout_rate": ratio(r["stockout"], r["sku_days"]),
            "stockout_sku_days": whole(r["stockout"]),
            "inventory_value_minor": whole(r["value_end"]),
            "avg_inventory_value_minor": None if average is None else int(average),
            "shipped_units": whole(r["shipped"]), "shipped_value_minor": whole(r["shipped_value"]),
            "turnover": turnover,
            "days_of_inventory": round(r["days"] / turnover, 1) if turnover else None}


async def fill_counts(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, dict]:
    """Units shipped (`filled`) and units ordered per key, over orders confirmed and closed
    (shipped or later, or cancelled after confirmation); never-confirmed orders don't count."""
    # Cancelled after confirmation: cancelled, and confirmed before (it has milestones).
    confirmed = exists(select(literal(1)).where(milestones.c.order_id == orders.c.id))
    shipped = orders.c.status.in_(SHIPPED_OR_LATER)
    lost = (orders.c.status == S.CANCELLED) & confirmed
    key = (lines.c.sku if f.group_by == "product" else products.c.category
           if f.group_by == "category" else order_key(sql, f))
    source = orders.join(lines, lines.c.order_id == orders.c.id)
    if f.category or f.group_by == "category":
        source = source.join(products, products.c.sku == lines.c.sku)
    query = (select(key.label("key"),
                    func.sum(case((shipped, lines.c.quantity), else_=0)).label("filled"),
                    func.sum(lines.c.quantity).label("ordered"))
             .select_from(source)
             .where(*base_order_conditions(f), *line_conditions(f), shipped | lost)
             .group_by(*grouping(key)))
    return {key_text(r.key): {"filled": whole(r.filled), "ordered": whole(r.ordered)}
            for r in await session.execute(query)}


def fill_rate(counts: dict | None) -> float | None:
    return ratio(counts["filled"], counts["ordered"]) if counts else None


def total_fill(by_key: dict[str, dict]) -> float | None:
    """Every line is in exactly one group, so the totals are the sums."""
    return ratio(sum(c["filled"] for c in by_key.values()),
                 sum(c["ordered"] for c in by_key.values()))


async def low_stock_count(session: AsyncSession, f: ReportFilters | None = None) -> int:
    available = inventory.c.on_hand - inventory.c.reserved
    query = (select(func.count()).select_from(
        inventory.join(products, products.c.sku == inventory.c.sku))
        .where(products.c.active, available <= inventory.c.low_stock_threshold,
               *(sku_conditions(f, products.c.sku) if f else [])))
    return whole(await session.scalar(query))


async def inventory_report(session: AsyncSession, f: ReportFilters) -> Report:
    sql = await Sql.for_report(session)
    over_time = f.group_by in ("day", "week")
    raw = await _stock_rows(session, sql, f, f.group_by if over_time else "product")
    if f.group_by == "category":
        by_category: dict[str, list] = {}
        for row in raw.values():
            by_category.setdefault(row["category"], []).append(row)
        raw = {category: _fold(rows, over_time=False) for category, rows in by_category.items()}
    ordered = [raw[k] for k in sorted(raw)]
    fills = await fill_counts(session, sql, f)
    totals = {c: v for c, v in _stock_values(_fold(ordered, over_time)).items()
              if c in COLUMNS and c not in ("on_hand", "available")}
    totals = {"skus": totals.pop("skus"), "fill_rate": total_fill(fills), **totals,
              "low_stock": await low_stock_count(session, f)}
    columns = ["key", *(["name", "category"] if f.group_by == "product" else []), *COLUMNS]
    if f.group_by == "none":
        return Report("inventory", f, totals, columns)
    by_key = {k: {c: values.get(c) for c in columns[1:]} | {"fill_rate": fill_rate(fills.get(k))}
              for k, values in ((k, _stock_values(r)) for k, r in raw.items())}
    empty = {c: None for c in columns[1:]}
    return Report("inventory", f, totals, columns, arrange(f, by_key, empty, order=None))

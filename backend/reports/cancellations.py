"""Cancellations and returns: how many, which share, how much was refunded, and why."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import (DELIVERED_OR_LATER, RETURN_STATUSES, grouping, keyed_orders,
                                   orders, scoped_order_conditions)
from backend.reports.sql import Sql, ratio, whole

GROUPS = ("day", "week", "channel", "product", "category", "reason", "none")
COLUMNS = ["orders", "cancelled", "cancellation_rate", "delivered", "returns", "return_rate",
           "refunded_minor"]


_NAMES = ("orders", "cancelled", "delivered", "returns", "refunded")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _counts(grouped_key=None):
    columns = [
        func.count().label("orders"),
        _count(orders.c.status == S.CANCELLED).label("cancelled"),
        _count(orders.c.status.in_(DELIVERED_OR_LATER)).label("delivered"),
        _count(orders.c.status.in_(RETURN_STATUSES)).label("returns"),
        func.sum(orders.c.refunded_minor).label("refunded"),
    ]
    return columns if grouped_key is None else [grouped_key.label("key"), *columns]


def _values(row) -> dict:
    return {"orders": whole(row.orders), "cancelled": whole(row.cancelled),
            "cancellation_rate": ratio(row.cancelled, row.orders),
            "delivered": whole(row.delivered), "returns": whole(row.returns),
            "return_rate": ratio(row.returns, row.delivered),
            "refunded_minor": whole(row.refunded)}


async def _by_reason(session: AsyncSession, f: ReportFilters) -> list[dict]:
    cancelled = orders.c.status == S.CANCELLED
    reason = case((cancelled, orders.c.cancel_reason), else_=orders.c.return_reason)
    query = (select(reason.label("key"), _count(cancelled).label("cancelled"),
                    _count(orders.c.status.in_(RETURN_STATUSES)).label("returns"))
             .where(*scoped_order_conditions(f),
                    (cancelled | orders.c.status.in_(RETURN_STATUSES)))
             .group_by(reason))
    rows = [{"key": key_text(r.key) or "(none given)", "cancelled": whole(r.cancelled),
             "returns": whole(r.returns)} for r in await session.execute(query)]
    return sorted(rows, key=lambda r: (-(r["cancelled"] + r["returns"]), r["key"]))


async def _counts_by_key(session: AsyncSession, sql: Sql, f: ReportFilters) -> dict[str, dict]:
    source, key = keyed_orders(sql, f)
    query = (select(*_counts(key)).select_from(source)
             .where(*scoped_order_conditions(f)).group_by(*grouping(key)))
    return {key_text(r.key): r._asdict() for r in await session.execute(query)}


async def cancellation_counts(session: AsyncSession, f: ReportFilters) -> dict[str, dict]:
    """Raw per-key counts: orders, cancelled, delivered, returns, refunded."""
    return await _counts_by_key(session, Sql.of(session), f)


async def cancellations_report(session: AsyncSession, f: ReportFilters) -> Report:
    sql = await Sql.for_report(session)
    counts = {}
    if f.group_by not in ("reason", "product", "category"):
        # Every order falls in exactly one day/week/channel: the totals are the sums.
        counts = await _counts_by_key(session, sql, f)
        totals = _values(SimpleNamespace(**{n: sum(whole(r[n]) for r in counts.values())
                                            for n in _NAMES}))
    else:
        overall = ReportFilters(start=f.start, end=f.end, channel=f.channel,
                                category=f.category, sku=f.sku)
        totals = _values(SimpleNamespace(**(await _counts_by_key(session, sql, overall)).get(
            "all", dict.fromkeys(_NAMES, 0))))
    if f.group_by == "reason":
        return Report("cancellations-returns", f, totals, ["key", "cancelled", "returns"],
                      await _by_reason(session, f))
    if f.group_by in ("product", "category"):
        counts = await _counts_by_key(session, sql, f)
    by_key = {} if f.group_by == "none" else {
        k: _values(SimpleNamespace(**r)) for k, r in counts.items()}
    empty = {c: 0 for c in COLUMNS} | {"cancellation_rate": None, "return_rate": None}
    return Report("cancellations-returns", f, totals, ["key", *COLUMNS],
                  arrange(f, by_key, empty, order="orders"))

"""KPI tiles for the dashboard (and the daily summary), optionally per day or week.

Each family is asked once, for raw counts per key; the totals are their sums (every order,
line and rating falls in exactly one day or week), and the rates are worked out from them.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.reports.cancellations import cancellation_counts
from backend.reports.feedback import feedback_counts
from backend.reports.filters import ReportFilters
from backend.reports.inventory import fill_counts, low_stock_count
from backend.reports.result import Report, arrange
from backend.reports.sales import sales_counts
from backend.reports.sql import Sql, ratio, whole
from backend.reports.support import open_ticket_count

GROUPS = ("none", "day", "week")
COLUMNS = ["orders", "revenue_minor", "aov_minor", "cancellation_rate", "return_rate", "csat",
           "fill_rate"]
_RAW = ("orders", "placed", "revenue", "cancelled", "delivered", "returns", "n", "happy",
        "filled", "ordered")


def _kpis(raw: dict) -> dict:
    aov = ratio(raw["revenue"], raw["placed"], 0)
    return {"orders": raw["orders"], "revenue_minor": raw["revenue"],
            "aov_minor": None if aov is None else int(aov),
            "cancellation_rate": ratio(raw["cancelled"], raw["orders"]),
            "return_rate": ratio(raw["returns"], raw["delivered"]),
            "csat": ratio(raw["happy"], raw["n"]), "fill_rate": ratio(raw["filled"],
                                                                      raw["ordered"])}


# What each family contributes (sales' `orders` is the same count the others use).
_FAMILY_FIELDS = (("orders", "placed", "revenue"), ("cancelled", "delivered", "returns"),
                  ("n", "happy"), ("filled", "ordered"))


async def _raw_by_key(session: AsyncSession, f: ReportFilters) -> dict[str, dict]:
    families = [await sales_counts(session, f), await cancellation_counts(session, f),
                await feedback_counts(session, f),
                await fill_counts(session, Sql.of(session), f)]
    raw: dict[str, dict] = {}
    for family, fields in zip(families, _FAMILY_FIELDS):
        for key, counts in family.items():
            row = raw.setdefault(key, dict.fromkeys(_RAW, 0))
            row.update({name: whole(counts[name]) for name in fields})
    return raw


async def summary_report(session: AsyncSession, f: ReportFilters) -> Report:
    await Sql.for_report(session)  # PostgreSQL: no JIT for this report's statements
    raw = await _raw_by_key(session, f)
    total = {name: sum(r[name] for r in raw.values()) for name in _RAW}
    totals = {**_kpis(total), "open_tickets": await open_ticket_count(session, f),
              "low_stock": await low_stock_count(session, f)}
    rows = []
    if f.group_by != "none":
        empty = {c: None for c in COLUMNS} | {"orders": 0, "revenue_minor": 0}
        rows = arrange(f, {k: _kpis(r) for k, r in raw.items()}, empty)
    return Report("summary", f, totals, ["key", *COLUMNS], rows)


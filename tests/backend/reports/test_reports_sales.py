"""Sales and cancellations/returns against the hand-computed answers of dataset.py."""
from __future__ import annotations

from tests.backend.reports.conftest import get_report
from tests.backend.reports.dataset import days


async def test_sales_totals_count_placed_orders_only(reports):
    # O1–O6 (O7 pending, O8 earlier); revenue of the non-cancelled O1, O2, O5, O6.
    body = await get_report(reports, "sales", group_by="none")
    assert body["totals"] == {"orders": 6, "units": 11, "revenue_minor": 9500, "aov_minor": 2375}
    assert body["rows"] == [] and body["currency"] == "EUR"


async def test_sales_by_day_fills_every_day(reports):
    body = await get_report(reports, "sales")
    assert [r["key"] for r in body["rows"]] == days("2026-11-02", 7)
    by_day = {r["key"]: r for r in body["rows"]}
    assert by_day["2026-11-02"] == {"key": "2026-11-02", "orders": 2, "units": 5,
                                    "revenue_minor": 4500, "aov_minor": 2250}
    assert by_day["2026-11-03"] == {"key": "2026-11-03", "orders": 1, "units": 0,
                                    "revenue_minor": 0, "aov_minor": None}
    assert by_day["2026-11-07"]["orders"] == 0  # only the pending O7


async def test_sales_by_week_starts_on_monday(reports):
    body = await get_report(reports, "sales", group_by="week", start="2026-10-28")
    assert [(r["key"], r["orders"]) for r in body["rows"]] == [("2026-10-26", 1),
                                                               ("2026-11-02", 6)]


async def test_sales_by_product(reports):
    body = await get_report(reports, "sales", group_by="product")
    assert body["columns"] == ["key", "name", "orders", "units", "revenue_minor", "aov_minor"]
    assert body["rows"] == [
        {"key": "MUG-2", "name": "Red Mug", "orders": 2, "units": 3, "revenue_minor": 4500,
         "aov_minor": 2250},
        {"key": "TEA-1", "name": "Green Tea", "orders": 3, "units": 6, "revenue_minor": 3000,
         "aov_minor": 1500},
        {"key": "MUG-1", "name": "Blue Mug", "orders": 2, "units": 2, "revenue_minor": 2000,
         "aov_minor": 2000},
    ]


async def test_sales_by_category_counts_an_order_once_per_category(reports):
    body = await get_report(reports, "sales", group_by="category")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["Mugs"] == {"key": "Mugs", "orders": 4, "units": 5, "revenue_minor": 6500,
                            "aov_minor": 2167}
    assert rows["Tea"] == {"key": "Tea", "orders": 3, "units": 6, "revenue_minor": 3000,
                           "aov_minor": 1500}


async def test_sales_filters_channel_and_sku(reports):
    telegram = await get_report(reports, "sales", group_by="none", channel="telegram")
    assert telegram["totals"] == {"orders": 3, "units": 6, "revenue_minor": 4000,
                                  "aov_minor": 2000}
    mug = await get_report(reports, "sales", group_by="none", sku="MUG-2")
    assert mug["totals"] == {"orders": 2, "units": 3, "revenue_minor": 4500, "aov_minor": 2250}
    assert mug["filters"] == {"channel": None, "category": None, "sku": "MUG-2"}


async def test_cancellations_returns_totals(reports):
    body = await get_report(reports, "cancellations-returns", group_by="none")
    assert body["totals"] == {"orders": 6, "cancelled": 2, "cancellation_rate": 0.3333,
                              "delivered": 3, "returns": 1, "return_rate": 0.3333,
                              "refunded_minor": 3000}


async def test_cancellations_by_reason(reports):
    body = await get_report(reports, "cancellations-returns", group_by="reason")
    assert body["rows"] == [
        {"key": "arrived damaged", "cancelled": 0, "returns": 1},
        {"key": "changed my mind", "cancelled": 1, "returns": 0},
        {"key": "expired: not confirmed in time", "cancelled": 1, "returns": 0},
    ]


async def test_cancellations_by_product(reports):
    body = await get_report(reports, "cancellations-returns", group_by="product")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["MUG-1"]["cancelled"] == 1 and rows["MUG-1"]["cancellation_rate"] == 0.5
    assert rows["MUG-2"]["returns"] == 1 and rows["MUG-2"]["return_rate"] == 0.5
    assert rows["MUG-2"]["refunded_minor"] == 3000
    assert rows["TEA-1"]["orders"] == 3 and rows["TEA-1"]["cancelled"] == 1

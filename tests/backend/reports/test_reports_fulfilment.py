"""Fulfilment and inventory against the hand-computed answers of dataset.py."""
from __future__ import annotations

from tests.backend.reports.conftest import get_report


async def test_fulfilment_percentiles_and_on_time(reports):
    # time to ship (confirmed → shipped): O1 24 h, O2 48 h, O5 24 h → p50 24, p90 24+0.8·24
    # cycle (confirmed → delivered): O5 48, O1 72, O2 120 → p50 72, p90 72+0.8·48
    # on time: O1 (05 ≤ 05), O5 (07 ≤ 08); O2 late (07 > 06)
    body = await get_report(reports, "fulfilment", group_by="none")
    assert body["totals"] == {
        "orders": 5, "shipped": 3, "delivered": 3,
        "time_to_ship_p50_hours": 24.0, "time_to_ship_p90_hours": 43.2,
        "cycle_time_p50_hours": 72.0, "cycle_time_p90_hours": 110.4, "on_time_rate": 0.6667}


async def test_fulfilment_time_in_each_state(reports):
    body = await get_report(reports, "fulfilment", group_by="state")
    rows = {r["key"]: r for r in body["rows"]}
    # pending stays 1, 1, 1, 0.5, 2, 1 h
    assert rows["pending"] == {"key": "pending", "entered": 6, "left": 6, "avg_hours": 1.08,
                               "p50_hours": 1.0, "p90_hours": 1.5}
    # confirmed stays 6, 24, 2, 16, 4 h
    assert rows["confirmed"] == {"key": "confirmed", "entered": 5, "left": 5,
                                 "avg_hours": 10.4, "p50_hours": 6.0, "p90_hours": 20.8}
    assert rows["shipped"] == {"key": "shipped", "entered": 3, "left": 3, "avg_hours": 48.0,
                               "p50_hours": 48.0, "p90_hours": 67.2}
    assert rows["cancelled"] == {"key": "cancelled", "entered": 2, "left": 0, "avg_hours": None,
                                 "p50_hours": None, "p90_hours": None}
    assert [r["key"] for r in body["rows"]][:3] == ["pending", "confirmed", "processing"]


async def test_fulfilment_time_in_each_state_of_a_product(reports):
    # orders holding TEA-1: O2 (web), O4 (web, cancelled from pending), O6 (still processing)
    body = await get_report(reports, "fulfilment", group_by="state", sku="TEA-1")
    rows = {r.pop("key"): r for r in body["rows"]}
    assert rows == {
        # O2 1 h, O4 0.5 h, O6 1 h
        "pending": {"entered": 3, "left": 3, "avg_hours": 0.83, "p50_hours": 1.0,
                    "p90_hours": 1.0},
        # O2 24 h, O6 4 h
        "confirmed": {"entered": 2, "left": 2, "avg_hours": 14.0, "p50_hours": 14.0,
                      "p90_hours": 22.0},
        # O2 24 h; O6 has not left it
        "processing": {"entered": 2, "left": 1, "avg_hours": 24.0, "p50_hours": 24.0,
                       "p90_hours": 24.0},
        "shipped": {"entered": 1, "left": 1, "avg_hours": 72.0, "p50_hours": 72.0,
                    "p90_hours": 72.0},
        "delivered": {"entered": 1, "left": 0, "avg_hours": None, "p50_hours": None,
                      "p90_hours": None},
        "cancelled": {"entered": 1, "left": 0, "avg_hours": None, "p50_hours": None,
                      "p90_hours": None}}
    assert body["totals"]["orders"] == 2  # O2 and O6 were confirmed; O4 never was


async def test_fulfilment_time_in_each_state_of_a_channel(reports):
    # web orders: O2 (delivered) and O4 (cancelled from pending)
    body = await get_report(reports, "fulfilment", group_by="state", channel="web")
    rows = {r.pop("key"): r for r in body["rows"]}
    assert rows == {
        # O2 1 h, O4 0.5 h
        "pending": {"entered": 2, "left": 2, "avg_hours": 0.75, "p50_hours": 0.75,
                    "p90_hours": 0.95},
        "confirmed": {"entered": 1, "left": 1, "avg_hours": 24.0, "p50_hours": 24.0,
                      "p90_hours": 24.0},
        "processing": {"entered": 1, "left": 1, "avg_hours": 24.0, "p50_hours": 24.0,
                       "p90_hours": 24.0},
        "shipped": {"entered": 1, "left": 1, "avg_hours": 72.0, "p50_hours": 72.0,
                    "p90_hours": 72.0},
        "delivered": {"entered": 1, "left": 0, "avg_hours": None, "p50_hours": None,
                      "p90_hours": None},
        "cancelled": {"entered": 1, "left": 0, "avg_hours": None, "p50_hours": None,
                      "p90_hours": None}}
    # O2 alone: 48 h to ship, 120 h to deliver, a day late
    assert body["totals"] == {
        "orders": 1, "shipped": 1, "delivered": 1,
        "time_to_ship_p50_hours": 48.0, "time_to_ship_p90_hours": 48.0,
        "cycle_time_p50_hours": 120.0, "cycle_time_p90_hours": 120.0, "on_time_rate": 0.0}


async def test_fulfilment_by_channel(reports):
    body = await get_report(reports, "fulfilment", group_by="channel")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["telegram"]["orders"] == 3 and rows["telegram"]["shipped"] == 1
    assert rows["web"]["time_to_ship_p50_hours"] == 48.0
    assert rows["web"]["on_time_rate"] == 0.0


async def test_inventory_totals(reports):
    # SKU-days: MUG-1 7, MUG-2 7, TEA-1 7, KET-1 3 (first movement 11-06) = 24; MUG-2 is out
    # 11-05, 06, 07. Value at the end: 3·1000 + 2·1500 + 18·500 + 5·4000. Average value per
    # day: (23 000 + 18 000 + 65 000 + 60 000) / 7.
    body = await get_report(reports, "inventory", group_by="none")
    assert body["totals"] == {
        "skus": 4, "fill_rate": 0.875, "stockout_rate": 0.125, "stockout_sku_days": 3,
        "inventory_value_minor": 35000, "avg_inventory_value_minor": 23714,
        "shipped_units": 7, "shipped_value_minor": 7500, "turnover": 0.3163,
        "days_of_inventory": 22.1, "low_stock": 2}


async def test_inventory_by_product(reports):
    body = await get_report(reports, "inventory")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["MUG-2"] == {
        "key": "MUG-2", "name": "Red Mug", "category": "Mugs", "skus": 1, "on_hand": 2,
        "available": 2, "fill_rate": 1.0, "stockout_rate": 0.4286, "stockout_sku_days": 3,
        "inventory_value_minor": 3000, "avg_inventory_value_minor": 2571, "shipped_units": 3,
        "shipped_value_minor": 4500, "turnover": 1.7503, "days_of_inventory": 4.0}
    assert rows["MUG-1"]["fill_rate"] == 0.6667  # O1 shipped 2, O3 cancelled 1 after confirming
    assert (rows["MUG-1"]["on_hand"], rows["MUG-1"]["available"]) == (3, 2)
    assert rows["KET-1"]["fill_rate"] is None


async def test_inventory_by_day_tracks_the_ledger(reports):
    body = await get_report(reports, "inventory", group_by="day", sku="MUG-2")
    assert [r["stockout_sku_days"] for r in body["rows"]] == [0, 0, 0, 1, 1, 1, 0]
    assert [r["on_hand"] for r in body["rows"]] == [3, 3, 2, 2, 0, 0, 2]

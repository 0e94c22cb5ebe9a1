"""Every report answers every grouping it offers, with rows shaped as its columns say."""
from __future__ import annotations

import pytest

from backend.api.routes.staff_reports import REPORTS
from tests.backend.reports.conftest import get_report

CASES = [(name, group) for name, (groups, _build) in REPORTS.items() for group in groups]


@pytest.mark.parametrize(("name", "group_by"), CASES, ids=[f"{n}-{g}" for n, g in CASES])
async def test_report_grouping_shapes(reports, name, group_by):
    body = await get_report(reports, name, group_by=group_by, category="Mugs")
    assert body["group_by"] == group_by and body["columns"][0] == "key"
    assert all(list(row) == body["columns"] for row in body["rows"])
    if group_by == "week":
        assert [r["key"] for r in body["rows"]] == ["2026-11-02"]
    if group_by == "none":
        assert body["rows"] == []


async def test_inventory_by_category_adds_up_its_products(reports):
    body = await get_report(reports, "inventory", group_by="category")
    mugs = {r["key"]: r for r in body["rows"]}["Mugs"]
    # MUG-1 and MUG-2: 14 SKU-days, 3 out of stock; value at the end 3000 + 3000
    assert (mugs["skus"], mugs["stockout_sku_days"], mugs["inventory_value_minor"]) == \
        (2, 3, 6000)
    assert mugs["stockout_rate"] == round(3 / 14, 4) and mugs["fill_rate"] == 0.8333


async def test_inventory_by_week_ends_with_the_range(reports):
    body = await get_report(reports, "inventory", group_by="week")
    assert body["rows"][0]["inventory_value_minor"] == 35000
    assert body["rows"][0]["on_hand"] == 3 + 2 + 18 + 5

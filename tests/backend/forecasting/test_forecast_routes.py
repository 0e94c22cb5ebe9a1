"""The staff forecast routes on the seeded demo shop, in-process over ASGI."""
from __future__ import annotations

import math
from datetime import datetime

import pytest

from backend.forecasting.reorder import service_z

ROUTES = ["/api/v1/staff/forecasts", "/api/v1/staff/forecasts/MUG-CER-RED",
          "/api/v1/staff/reorder-suggestions", "/api/v1/staff/feedback"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"},
                                     {"X-Api-Key": "wrong-token"}])
async def test_staff_forecast_routes_refuse_without_the_staff_key(staff, route, headers):
    staff.headers.pop("Authorization")
    response = await staff.get(route, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthorized"


async def test_read_forecasts_beats_the_naive_baseline_on_the_demo(staff):
    body = (await staff.get("/api/v1/staff/forecasts")).json()
    assert body["count"] == 37 and body["horizon_days"] == 28
    accuracy = body["accuracy"]
    assert accuracy["skus"] >= 30 and accuracy["beats_naive"] is True
    assert accuracy["mase"] < accuracy["naive_mase"]
    methods = {row["method"] for row in body["data"]}
    assert "ets" in methods and methods & {"croston", "tsb"}
    classes = {row["demand_class"] for row in body["data"]}
    assert {"smooth", "intermittent"} <= classes


async def test_read_forecasts_reorder_numbers_follow_the_formula(staff):
    body = (await staff.get("/api/v1/staff/forecasts")).json()
    z = service_z(body["service_level"])
    for row in body["data"]:
        safety = z * row["sigma"] * math.sqrt(row["lead_days"])
        assert row["safety_stock"] == pytest.approx(safety, abs=0.02), row["sku"]
        assert row["reorder_point"] == pytest.approx(
            row["lead_time_demand"] + row["safety_stock"], abs=0.02)
        if row["available"] <= row["reorder_point"]:
            expected = math.ceil(row["order_up_to"] - row["available"] - 0.01)
            assert abs(row["suggested_quantity"] - expected) <= 1, row
        else:
            assert row["suggested_quantity"] == 0


async def test_read_forecast_detail_has_history_and_28_days(staff):
    response = await staff.get("/api/v1/staff/forecasts/MUG-CER-BLK")
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["history"]) == 182 and len(body["forecast"]) == 28
    assert body["forecast"][0]["date"] > body["history"][-1]["date"]
    # The demo's black mug is sold out: its last days are stock-outs, not zero demand.
    assert all(day["stockout"] for day in body["history"][-7:])
    assert body["forecast_total"] > 0 and body["suggested_quantity"] > 0
    assert set(body["candidate_mase"]) >= {"seasonal_naive"}


async def test_read_forecast_unknown_sku_is_problem_json(staff):
    response = await staff.get("/api/v1/staff/forecasts/NOPE-1")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "product_not_found"


async def test_reorder_suggestions_are_the_skus_to_order_most_urgent_first(staff):
    body = (await staff.get("/api/v1/staff/reorder-suggestions")).json()
    assert body["count"] >= 3
    gaps = [row["available"] - row["reorder_point"] for row in body["data"]]
    assert gaps == sorted(gaps)
    assert all(row["suggested_quantity"] > 0 for row in body["data"])
    assert {"MUG-CER-BLK", "TEA-CHA-200"} <= {row["sku"] for row in body["data"]}


async def test_service_level_raises_safety_stock(staff):
    low = (await staff.get("/api/v1/staff/forecasts/TEA-CHA-200",
                           params={"service_level": 0.9})).json()
    high = (await staff.get("/api/v1/staff/forecasts/TEA-CHA-200",
                            params={"service_level": 0.99})).json()
    assert high["safety_stock"] > low["safety_stock"] > 0
    assert high["sigma"] == low["sigma"]  # same fit, only the plan changes
    bad = await staff.get("/api/v1/staff/forecasts", params={"service_level": 1.5})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


async def test_forecasts_are_cached_and_refresh_refits(staff):
    first = (await staff.get("/api/v1/staff/forecasts")).json()
    again = (await staff.get("/api/v1/staff/forecasts")).json()
    assert again["computed_at"] == first["computed_at"] and again["stale"] is False
    refreshed = (await staff.get("/api/v1/staff/forecasts", params={"refresh": True})).json()
    assert datetime.fromisoformat(refreshed["computed_at"]) > datetime.fromisoformat(
        first["computed_at"])


async def test_restock_changes_the_suggestion_without_a_refit(staff):
    before = (await staff.get("/api/v1/staff/forecasts/TEA-POT-CER")).json()
    assert before["suggested_quantity"] > 0
    restock = await staff.post("/api/v1/staff/products/TEA-POT-CER/restock",
                               json={"quantity": before["suggested_quantity"], "note": "test"})
    assert restock.status_code == 200, restock.text
    after = (await staff.get("/api/v1/staff/forecasts/TEA-POT-CER")).json()
    assert after["run"]["computed_at"] == before["run"]["computed_at"]
    assert after["available"] == before["available"] + before["suggested_quantity"]
    assert after["suggested_quantity"] == 0  # now at the order-up-to level


async def test_read_recent_feedback_newest_first(staff):
    body = (await staff.get("/api/v1/staff/feedback", params={"limit": 5})).json()
    assert body["count"] == 5
    times = [row["created_at"] for row in body["data"]]
    assert times == sorted(times, reverse=True)
    low = (await staff.get("/api/v1/staff/feedback", params={"max_rating": 2})).json()
    assert low["count"] > 0 and all(row["rating"] <= 2 for row in low["data"])
    assert all(row["comment"] for row in low["data"])


async def test_dashboard_page_and_assets_are_served(staff):
    staff.headers.pop("Authorization")  # the page holds no data: no key needed
    page = await staff.get("/staff/dashboard")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    plotly = await staff.get("/staff/dashboard/assets/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    for name in ("dashboard.js", "dashboard.css"):
        assert (await staff.get(f"/staff/dashboard/assets/{name}")).status_code == 200
    missing = await staff.get("/staff/dashboard/assets/..%2Fqueries.py")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")

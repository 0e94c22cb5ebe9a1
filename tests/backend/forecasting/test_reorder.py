"""Reorder point and suggested quantity, checked against numbers worked out by hand."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from backend.forecasting.engine import ForecastParams, SkuForecast
from backend.forecasting.reorder import plan_reorder, safety_stock, service_z

Z95 = 1.6448536269514722  # standard normal quantile of 0.95


def test_service_z_matches_the_normal_table():
    assert service_z(0.95) == pytest.approx(Z95)
    assert service_z(0.5) == pytest.approx(0.0, abs=1e-12)
    assert service_z(0.99) == pytest.approx(2.326348, abs=1e-6)
    with pytest.raises(ValueError):
        service_z(1.0)


def test_safety_stock_is_z_sigma_root_lead_time():
    # 1.6449 * 1.5 * sqrt(9) = 7.4028
    assert safety_stock(1.5, 9, 0.95) == pytest.approx(Z95 * 1.5 * 3)


def test_plan_reorder_below_the_reorder_point():
    forecast = np.full(30, 2.0)
    plan = plan_reorder(forecast, 1.5, available=10, lead_days=9, cover_days=7,
                        service_level=0.95)
    # lead-time demand 9 * 2 = 18; safety 7.40; reorder point 25.40
    # order up to 25.40 + 7 * 2 = 39.40; 39.40 - 10 = 29.40 -> 30 units
    assert plan.lead_time_demand == 18.0
    assert plan.safety_stock == pytest.approx(7.40, abs=0.01)
    assert plan.reorder_point == pytest.approx(25.40, abs=0.01)
    assert plan.order_up_to == pytest.approx(39.40, abs=0.01)
    assert plan.suggested_quantity == 30 and plan.needs_reorder


def test_plan_reorder_above_the_reorder_point_orders_nothing():
    plan = plan_reorder(np.full(30, 2.0), 1.5, available=26, lead_days=9, cover_days=7,
                        service_level=0.95)
    assert plan.reorder_point == pytest.approx(25.40, abs=0.01)
    assert plan.suggested_quantity == 0 and not plan.needs_reorder


def test_plan_reorder_uses_the_forecast_day_by_day():
    forecast = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    plan = plan_reorder(forecast, 0.0, available=0, lead_days=3, cover_days=2,
                        service_level=0.9)
    # lead 1 + 2 + 3 = 6, no error -> no safety stock; cover 4 + 5 = 9; order up to 15
    assert (plan.lead_time_demand, plan.safety_stock, plan.reorder_point) == (6.0, 0.0, 6.0)
    assert plan.suggested_quantity == 15


def test_plan_reorder_counts_reserved_stock_as_gone():
    # available may be negative only in theory; a back-order still orders up to the target
    plan = plan_reorder(np.full(10, 1.0), 0.0, available=-2, lead_days=2, cover_days=3,
                        service_level=0.95)
    assert plan.suggested_quantity == 7


def test_plan_reorder_needs_enough_forecast():
    with pytest.raises(ValueError):
        plan_reorder(np.ones(5), 1.0, available=0, lead_days=4, cover_days=2, service_level=0.9)


def test_sku_forecast_plan_extends_past_the_horizon_for_long_lead_times():
    forecast = SkuForecast(
        sku="S", name="S", category="C", demand_class="smooth", average_demand_interval=1.0,
        method="ets", mase=None, naive_mase=None, candidate_mase={}, sigma=2.0,
        history_start=date(2026, 1, 1), history=[], stockout_days=[],
        forecast_start=date(2026, 1, 1), forecast=[1, 1, 1, 1, 1, 3, 3] * 4)
    plan = forecast.plan(available=5, lead_days=35, params=ForecastParams(
        horizon_days=28, cover_days=7, service_level=0.95))
    # 35 days = 5 weeks of 11 units = 55; safety 1.6449 * 2 * sqrt(35) = 19.46
    assert plan.lead_time_demand == 55.0
    assert plan.safety_stock == pytest.approx(Z95 * 2 * 35 ** 0.5, abs=0.01)
    assert plan.order_up_to == pytest.approx(55 + 19.46 + 11, abs=0.01)
    assert plan.suggested_quantity == 81  # ceil(85.46 - 5)

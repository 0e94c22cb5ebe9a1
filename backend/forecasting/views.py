"""Turns a forecast run plus the live stock into the staff routes' response bodies."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from backend.errors import ErrorCode, NotFound
from backend.forecasting.engine import ForecastParams, SkuForecast, overall_accuracy
from backend.forecasting.service import ForecastCache, ForecastRun


def run_info(run: ForecastRun, cache: ForecastCache, params: ForecastParams) -> dict:
    return {"computed_at": run.computed_at, "compute_seconds": run.seconds,
            "stale": cache.is_stale(), "history_days": run.history_days,
            "horizon_days": params.horizon_days, "cover_days": params.cover_days,
            "service_level": params.service_level}


def _plan(forecast: SkuForecast, stock, params: ForecastParams) -> dict:
    available = stock.on_hand - stock.reserved
    plan = forecast.plan(available=available, lead_days=stock.reorder_lead_days, params=params)
    body = asdict(plan)
    body.update(low_stock_threshold=stock.low_stock_threshold,
                low_stock=available <= stock.low_stock_threshold)
    return body


def summary(forecast: SkuForecast, stock, params: ForecastParams) -> dict:
    return {"sku": forecast.sku, "name": stock.name, "category": stock.category,
            "demand_class": forecast.demand_class, "method": forecast.method,
            "mase": forecast.mase, "naive_mase": forecast.naive_mase, "sigma": forecast.sigma,
            "forecast_total": round(sum(forecast.forecast), 2),
            **_plan(forecast, stock, params)}


def forecasts_body(run: ForecastRun, stock: dict, cache: ForecastCache,
                   params: ForecastParams) -> dict:
    # Products created since the fit have no forecast yet; they appear after the next refit.
    rows = [summary(f, stock[sku], params) for sku, f in run.forecasts.items() if sku in stock]
    return {**run_info(run, cache, params),
            "accuracy": asdict(overall_accuracy(list(run.forecasts.values()))),
            "data": rows, "count": len(rows)}


def detail_body(sku: str, run: ForecastRun, stock: dict, cache: ForecastCache,
                params: ForecastParams) -> dict:
    forecast = run.forecasts.get(sku)
    if forecast is None or sku not in stock:
        raise NotFound(f"No forecast for SKU {sku!r}: unknown, inactive, or added since the "
                       "last fit.", code=ErrorCode.PRODUCT_NOT_FOUND, sku=sku)
    stockouts = set(forecast.stockout_days)
    history = [{"date": forecast.history_start + timedelta(days=i), "units": units,
                "stockout": forecast.history_start + timedelta(days=i) in stockouts}
               for i, units in enumerate(forecast.history)]
    future = [{"date": forecast.forecast_start + timedelta(days=i), "units": units}
              for i, units in enumerate(forecast.forecast)]
    return {**summary(forecast, stock[sku], params),
            "average_demand_interval": forecast.average_demand_interval,
            "candidate_mase": forecast.candidate_mase, "history": history, "forecast": future,
            "run": run_info(run, cache, params)}


def suggestions_body(run: ForecastRun, stock: dict, cache: ForecastCache,
                     params: ForecastParams) -> dict:
    rows = []
    for sku, forecast in run.forecasts.items():
        if sku not in stock:
            continue
        row = summary(forecast, stock[sku], params)
        if row["suggested_quantity"] <= 0:
            continue
        daily = row["forecast_total"] / params.horizon_days
        row["days_of_cover"] = round(max(row["available"], 0) / daily, 1) if daily > 0 else None
        rows.append(row)
    # Most urgent first: the least stock relative to its reorder point.
    rows.sort(key=lambda r: (r["available"] - r["reorder_point"], r["sku"]))
    return {**run_info(run, cache, params), "data": rows, "count": len(rows)}

"""Response shapes of the staff forecast and reorder-suggestion routes."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class Accuracy(BaseModel):
    skus: int = Field(description="SKUs with a defined MASE for both")
    mase: float | None = Field(description="mean MASE of the chosen methods, newest fold")
    naive_mase: float | None = Field(description="mean MASE of the seasonal-naive baseline")
    beats_naive: bool


class ReorderPlan(BaseModel):
    available: int
    low_stock_threshold: int
    low_stock: bool
    lead_days: int
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_quantity: int


class ForecastSummary(ReorderPlan):
    sku: str
    name: str
    category: str
    demand_class: str = Field(description="smooth, intermittent or no_demand")
    method: str = Field(description="seasonal_naive, ets, croston or tsb")
    mase: float | None
    naive_mase: float | None
    sigma: float = Field(description="daily forecast error (RMSE) behind the safety stock")
    forecast_total: float = Field(description="units forecast over the horizon")


class RunInfo(BaseModel):
    computed_at: datetime
    compute_seconds: float
    stale: bool = Field(description="older than FORECAST_CACHE_SECONDS; a refit is running")
    history_days: int
    horizon_days: int
    cover_days: int
    service_level: float


class ForecastsPublic(RunInfo):
    accuracy: Accuracy
    data: list[ForecastSummary]
    count: int


class HistoryDay(BaseModel):
    date: date
    units: float
    stockout: bool


class ForecastDay(BaseModel):
    date: date
    units: float


class ForecastDetail(ForecastSummary):
    average_demand_interval: float | None
    candidate_mase: dict[str, float | None] = Field(
        description="each candidate's mean MASE on the older folds, which chose the method")
    history: list[HistoryDay]
    forecast: list[ForecastDay]
    run: RunInfo


class ReorderSuggestion(ReorderPlan):
    sku: str
    name: str
    category: str
    method: str
    days_of_cover: float | None = Field(description="days the available stock lasts")


class ReorderSuggestionsPublic(RunInfo):
    data: list[ReorderSuggestion]
    count: int

"""Per-SKU forecasting: clean the history, choose a method by backtest, forecast. Pure CPU
work on arrays (no database), so it can run in a thread or a process pool. The reorder plan is
made later from the forecast and the live stock (cheap, so it never waits for a refit)."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from threadpoolctl import threadpool_limits

from backend.forecasting.backtest import average_demand_interval, choose_method, is_intermittent
from backend.forecasting.methods import METHODS, extend_weekly
from backend.forecasting.reorder import Reorder, plan_reorder
from backend.forecasting.series import SkuHistory, fill_stockouts, trim_leading_zeros


@dataclass(frozen=True)
class ForecastParams:
    horizon_days: int = 28
    cover_days: int = 14
    service_level: float = 0.95


@dataclass
class SkuForecast:
    sku: str
    name: str
    category: str
    demand_class: str                   # smooth, intermittent or no_demand
    average_demand_interval: float | None
    method: str
    mase: float | None                  # chosen method, newest backtest fold
    naive_mase: float | None            # seasonal naive, same fold
    candidate_mase: dict[str, float | None]
    sigma: float                        # daily forecast error (RMSE) used for safety stock
    history_start: date
    history: list[float]                # units per day, as sold
    stockout_days: list[date]
    forecast_start: date
    forecast: list[float]               # units per day for horizon_days

    def plan(self, *, available: int, lead_days: int, params: ForecastParams) -> Reorder:
        path = extend_weekly(np.asarray(self.forecast), lead_days + params.cover_days)
        return plan_reorder(path, self.sigma, available=available, lead_days=lead_days,
                            cover_days=params.cover_days, service_level=params.service_level)


def _demand_class(history: np.ndarray) -> str:
    if not np.any(history > 0):
        return "no_demand"
    return "intermittent" if is_intermittent(history) else "smooth"


def forecast_sku(history: SkuHistory, params: ForecastParams) -> SkuForecast:
    filled = fill_stockouts(history)
    values, counted = trim_leading_zeros(filled, history.counted)
    choice = choose_method(values, counted, params.horizon_days)
    forecast = METHODS[choice.method](values, params.horizon_days)
    adi = average_demand_interval(values)
    return SkuForecast(
        sku=history.sku, name=history.name, category=history.category,
        demand_class=_demand_class(values),
        average_demand_interval=round(adi, 2) if np.isfinite(adi) else None,
        method=choice.method, mase=_round(choice.mase), naive_mase=_round(choice.naive_mase),
        candidate_mase={k: _round(v) for k, v in choice.scores.items()},
        sigma=round(choice.residual_rmse, 3), history_start=history.start,
        history=[float(v) for v in history.demand],
        stockout_days=[history.start + timedelta(days=int(t))
                       for t in np.flatnonzero(history.stockout)],
        forecast_start=history.start + timedelta(days=len(history.demand)),
        forecast=[round(float(v), 3) for v in forecast])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _forecast_pair(args: tuple[SkuHistory, ForecastParams]) -> SkuForecast:
    return forecast_sku(*args)


def _one_blas_thread() -> threadpool_limits:
    """The fits are tiny: BLAS threads only spin and fight for the cores (10x slower on a busy
    2-core machine). Parallelism, when wanted, is across SKUs."""
    import statsmodels.tsa.holtwinters  # noqa: F401  loads scipy's BLAS, so the limit covers it
    return threadpool_limits(limits=1, user_api="blas")


def forecast_all(histories: list[SkuHistory], params: ForecastParams,
                 workers: int = 1) -> list[SkuForecast]:
    """Every SKU's forecast, in the order given; `workers` > 1 spreads SKUs over processes."""
    if workers <= 1 or len(histories) < 2:
        with _one_blas_thread():
            return [forecast_sku(h, params) for h in histories]
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
        chunk = max(1, len(histories) // (workers * 4))
        return list(pool.map(_forecast_pair, [(h, params) for h in histories], chunksize=chunk))


@dataclass(frozen=True)
class Accuracy:
    """Mean MASE over the SKUs where both are defined: the chosen methods and the baseline."""
    skus: int
    mase: float | None
    naive_mase: float | None
    beats_naive: bool


def overall_accuracy(forecasts: list[SkuForecast]) -> Accuracy:
    scored = [f for f in forecasts if f.mase is not None and f.naive_mase is not None]
    if not scored:
        return Accuracy(0, None, None, False)
    chosen = float(np.mean([f.mase for f in scored]))
    naive = float(np.mean([f.naive_mase for f in scored]))
    return Accuracy(len(scored), round(chosen, 4), round(naive, 4), chosen < naive)

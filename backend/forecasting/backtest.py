"""Rolling-origin backtest with MASE, the demand classification that decides which methods
compete, and the per-SKU choice of method.

Honest scoring: the method is chosen on the older folds and scored on the newest fold, which
took no part in the choice. Otherwise "the chosen method beats the baseline" would hold by
construction, since the baseline is one of the candidates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backend.forecasting.methods import BASELINE, METHODS, SEASON

INTERMITTENT_ADI = 1.32  # Syntetos-Boylan cut-off on the average inter-demand interval
SMOOTH_CANDIDATES = ("seasonal_naive", "ets")
INTERMITTENT_CANDIDATES = ("croston", "tsb")
MIN_TRAIN_DAYS = 8 * SEASON
FOLDS = 4


def average_demand_interval(history: np.ndarray) -> float:
    """Days per day-with-demand (1.0 = sells every day); infinite for no demand at all."""
    selling_days = int(np.count_nonzero(history > 0))
    return len(history) / selling_days if selling_days else float("inf")


def is_intermittent(history: np.ndarray) -> bool:
    return average_demand_interval(history) >= INTERMITTENT_ADI


def candidates(history: np.ndarray) -> tuple[str, ...]:
    """Methods that compete for a series; the seasonal-naive baseline is always scored too.

    Holt-Winters on a mostly-zero series fits its season to noise, and the seasonal-naive
    copy of last week wins MAE-type scores there by forecasting zero most days (MAE rewards
    the median, which is 0), which is useless for stocking. Croston and TSB are built for
    such series. A smooth series has a weekly pattern Croston and TSB cannot express.
    """
    return INTERMITTENT_CANDIDATES if is_intermittent(history) else SMOOTH_CANDIDATES


def mase_scale(train: np.ndarray) -> float:
    """In-sample mean absolute error of the one-step seasonal-naive forecast."""
    if len(train) <= SEASON:
        return 0.0
    return float(np.mean(np.abs(train[SEASON:] - train[:-SEASON])))


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float,
         counted: np.ndarray | None = None) -> float | None:
    """Mean absolute scaled error; `counted` masks out days that must not be scored
    (stockouts, where zero sales say nothing about demand). None when undefined."""
    errors = np.abs(actual - forecast)
    if counted is not None:
        errors = errors[counted]
    if scale <= 0 or errors.size == 0:
        return None
    return float(errors.mean() / scale)


def origins(length: int, horizon: int, folds: int = FOLDS) -> list[int]:
    """Forecast origins (training lengths), oldest first, each followed by a full horizon."""
    starts = [length - horizon * k for k in range(folds, 0, -1)]
    return [s for s in starts if s >= MIN_TRAIN_DAYS]


@dataclass
class Backtest:
    """MASE per method per fold, and each method's daily errors over every fold."""
    scores: dict[str, list[float | None]] = field(default_factory=dict)
    errors: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def mean_score(self, method: str, folds: slice) -> float | None:
        values = [s for s in self.scores[method][folds] if s is not None]
        return float(np.mean(values)) if values else None


def run_backtest(history: np.ndarray, counted: np.ndarray, horizon: int,
                 methods: tuple[str, ...]) -> Backtest:
    result = Backtest()
    for start in origins(len(history), horizon):
        train, actual = history[:start], history[start:start + horizon]
        keep, scale = counted[start:start + horizon], mase_scale(train)
        for name in methods:
            forecast = METHODS[name](train, horizon)
            result.scores.setdefault(name, []).append(mase(actual, forecast, scale, keep))
            result.errors.setdefault(name, []).append((actual - forecast)[keep])
    return result


@dataclass
class Choice:
    method: str
    mase: float | None           # the chosen method on the newest fold
    naive_mase: float | None     # the seasonal-naive baseline on the same fold
    scores: dict[str, float | None]  # mean MASE on the older folds: candidates and baseline
    residual_rmse: float         # the chosen method's daily error over all folds: σ


def choose_method(history: np.ndarray, counted: np.ndarray, horizon: int) -> Choice:
    names = candidates(history)
    scored = tuple(dict.fromkeys((BASELINE,) + names))
    backtest = run_backtest(history, counted, horizon, scored)
    fallback = names[-1]  # ets for smooth, tsb for intermittent series
    if len(backtest.scores.get(BASELINE, [])) < 2:  # too short to choose and then score
        return Choice(fallback, None, None, {}, _rmse(backtest.errors.get(fallback, [])))
    older = slice(0, -1)
    scores = {name: backtest.mean_score(name, older) for name in scored}
    ranked = [name for name in names if scores[name] is not None]
    method = min(ranked, key=lambda n: scores[n]) if ranked else fallback
    return Choice(method, backtest.scores[method][-1], backtest.scores[BASELINE][-1], scores,
                  _rmse(backtest.errors[method]))


def _rmse(errors: list[np.ndarray]) -> float:
    joined = np.concatenate(errors) if errors else np.zeros(0)
    return float(np.sqrt(np.mean(joined ** 2))) if joined.size else 0.0

"""The forecasting methods. Each takes a daily history (floats, oldest first) and a horizon and
returns that many non-negative daily forecasts."""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

SEASON = 7  # weekly seasonality of daily demand
MIN_ETS_DAYS = 4 * SEASON  # below this, Holt-Winters' initial states are guesswork
CROSTON_ALPHAS = (0.05, 0.1, 0.2, 0.3)
TSB_ALPHAS = (0.05, 0.1, 0.2, 0.3)
TSB_BETAS = (0.02, 0.05, 0.1, 0.2)


def seasonal_naive(history: np.ndarray, horizon: int) -> np.ndarray:
    """Each future day repeats the same weekday of the last observed week."""
    last_week = history[-SEASON:]
    return np.resize(last_week, horizon).astype(float)


def ets(history: np.ndarray, horizon: int) -> np.ndarray:
    """Holt-Winters exponential smoothing: additive level and additive weekly season (A,N,A).

    No trend component: on a 28-day horizon the level follows a slow trend well enough, and a
    damped trend costs six times the fitting time for no gain on our data.
    """
    if len(history) < MIN_ETS_DAYS:
        return seasonal_naive(history, horizon)
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # slow import, only when used

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on flat or sparse series
        model = ExponentialSmoothing(history, seasonal="add", seasonal_periods=SEASON,
                                     initialization_method="estimated").fit()
        forecast = np.asarray(model.forecast(horizon), dtype=float)
    if not np.all(np.isfinite(forecast)):
        return seasonal_naive(history, horizon)
    return np.clip(forecast, 0.0, None)


def _croston_path(history: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """One-step-ahead Croston rates (SBA-corrected) for each day, and the final rate."""
    nonzero = np.flatnonzero(history)
    size, interval, since = float(history[nonzero[0]]), float(nonzero[0] + 1), 0
    bias = 1 - alpha / 2  # Syntetos-Boylan approximation: plain Croston overshoots
    rates = np.empty(len(history))
    for t, demand in enumerate(history):
        rates[t] = bias * size / interval
        since += 1
        if demand > 0:
            size += alpha * (demand - size)
            interval += alpha * (since - interval)
            since = 0
    return rates, bias * size / interval


def _tsb_path(history: np.ndarray, alpha: float, beta: float) -> tuple[np.ndarray, float]:
    """One-step-ahead TSB rates: demand probability (updated every day) times demand size."""
    nonzero = history[history > 0]
    probability, size = len(nonzero) / len(history), float(nonzero.mean())
    rates = np.empty(len(history))
    for t, demand in enumerate(history):
        rates[t] = probability * size
        occurred = demand > 0
        probability += beta * (float(occurred) - probability)
        if occurred:
            size += alpha * (demand - size)
    return rates, probability * size


def _best_flat(paths: list[tuple[np.ndarray, float]], history: np.ndarray) -> float:
    """The final rate of the parameter set with the smallest in-sample one-step squared error."""
    skip = min(SEASON, len(history) // 2)  # the first days only reflect the initial guess
    errors = [float(np.mean((history[skip:] - rates[skip:]) ** 2)) for rates, _ in paths]
    return paths[int(np.argmin(errors))][1]


def croston(history: np.ndarray, horizon: int) -> np.ndarray:
    """Croston's method with the SBA bias correction, for intermittent demand: a flat rate."""
    if not np.any(history > 0):
        return np.zeros(horizon)
    rate = _best_flat([_croston_path(history, a) for a in CROSTON_ALPHAS], history)
    return np.full(horizon, max(rate, 0.0))


def tsb(history: np.ndarray, horizon: int) -> np.ndarray:
    """Teunter-Syntetos-Babai: like Croston, but the demand probability also decays while no
    demand occurs, so a product that stopped selling is forecast down to zero."""
    if not np.any(history > 0):
        return np.zeros(horizon)
    paths = [_tsb_path(history, a, b) for a in TSB_ALPHAS for b in TSB_BETAS]
    return np.full(horizon, max(_best_flat(paths, history), 0.0))


def extend_weekly(path: np.ndarray, length: int) -> np.ndarray:
    """Continues a forecast past its end by repeating its last week. Exact for every method
    here: their forecasts are weekly-periodic (seasonal naive, ETS without trend) or flat."""
    values = list(path)
    while len(values) < length:
        values.append(values[len(values) - SEASON] if len(values) >= SEASON else values[-1])
    return np.asarray(values[:max(length, len(path))], dtype=float)


Method = Callable[[np.ndarray, int], np.ndarray]
METHODS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "ets": ets,
    "croston": croston,
    "tsb": tsb,
}
BASELINE = "seasonal_naive"

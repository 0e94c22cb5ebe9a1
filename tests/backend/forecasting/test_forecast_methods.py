"""The methods and the backtest on synthetic series whose structure we know."""
from __future__ import annotations

import numpy as np
import pytest

from backend.forecasting.backtest import (candidates, choose_method, is_intermittent, mase,
                                          mase_scale, origins)
from backend.forecasting.methods import croston, ets, extend_weekly, seasonal_naive, tsb

WEEK = np.array([0.6, 0.8, 0.9, 1.0, 1.3, 1.8, 1.6])  # Monday .. Sunday
DAYS = 182


def weekly_series(seed: int, level: float = 4.0) -> np.ndarray:
    t = np.arange(DAYS)
    return np.random.default_rng(seed).poisson(level * WEEK[t % 7]).astype(float)


def intermittent_series(seed: int, chance: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(100 + seed)
    return (rng.random(DAYS) < chance) * rng.integers(1, 5, DAYS).astype(float)


ALL_DAYS = np.ones(DAYS, dtype=bool)


def test_seasonal_naive_repeats_the_last_week():
    history = np.array([9, 9, 1, 2, 3, 4, 5, 6, 7], dtype=float)
    assert seasonal_naive(history, 9).tolist() == [1, 2, 3, 4, 5, 6, 7, 1, 2]


def test_extend_weekly_continues_the_weekly_cycle():
    path = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    assert extend_weekly(path, 11).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 2, 3, 4]
    assert extend_weekly(path, 3).tolist() == path.tolist()  # never shortens


def test_mase_hand_computed():
    train = np.array([1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9], dtype=float)
    # |3-1| + |2-2| + |3-3| + |4-4| + |5-5| + |6-6| + |9-7| = 4 over 7 days
    assert mase_scale(train) == pytest.approx(4 / 7)
    actual, forecast = np.array([2.0, 4.0, 6.0]), np.array([3.0, 4.0, 4.0])
    assert mase(actual, forecast, 4 / 7) == pytest.approx((3 / 3) / (4 / 7))
    counted = np.array([True, True, False])  # a stock-out day is not scored
    assert mase(actual, forecast, 4 / 7, counted) == pytest.approx(0.5 / (4 / 7))
    assert mase(actual, forecast, 0.0) is None


def test_origins_leave_a_full_horizon_after_each():
    assert origins(182, 28) == [70, 98, 126, 154]
    assert origins(100, 28) == [72]  # earlier origins would train on under 8 weeks


def test_ets_learns_the_weekly_pattern():
    forecast = ets(weekly_series(1), 14)
    saturday, monday = forecast[5::7], forecast[0::7]  # the series starts on a "Monday"
    assert (saturday > 2 * monday).all()
    assert forecast.min() >= 0


def test_weekly_series_choose_ets_and_beat_the_naive_baseline():
    choices = [choose_method(weekly_series(seed), ALL_DAYS, 28) for seed in range(8)]
    assert {c.method for c in choices} == {"ets"}
    chosen = np.mean([c.mase for c in choices])
    naive = np.mean([c.naive_mase for c in choices])
    assert chosen < 0.85 * naive, (chosen, naive)


def test_intermittent_series_are_classified_and_get_croston_or_tsb():
    series = [intermittent_series(seed) for seed in range(8)]
    assert all(is_intermittent(s) for s in series)
    assert candidates(series[0]) == ("croston", "tsb")
    assert candidates(weekly_series(0)) == ("seasonal_naive", "ets")
    choices = [choose_method(s, ALL_DAYS, 28) for s in series]
    assert {c.method for c in choices} == {"croston", "tsb"}  # both win somewhere
    assert all("seasonal_naive" in c.scores for c in choices)  # still scored, for reference
    chosen = np.mean([c.mase for c in choices])
    naive = np.mean([c.naive_mase for c in choices])
    assert chosen < naive, (chosen, naive)


def test_croston_and_tsb_forecast_the_average_rate():
    history = intermittent_series(3, chance=0.25)
    rate = history.mean()
    for method in (croston, tsb):
        forecast = method(history, 28)
        assert np.allclose(forecast, forecast[0])  # flat
        assert 0.5 * rate < forecast[0] < 1.5 * rate, method.__name__


def test_tsb_forecasts_zero_for_a_product_that_stopped_selling():
    history = np.concatenate([intermittent_series(4, chance=0.4)[:120], np.zeros(62)])
    assert tsb(history, 7)[0] < 0.05
    assert croston(history, 7)[0] > 0.3  # Croston only updates on demand: it never notices


def test_no_demand_forecasts_zero():
    empty = np.zeros(DAYS)
    for method in (croston, tsb, seasonal_naive):
        assert method(empty, 7).tolist() == [0.0] * 7
    choice = choose_method(empty, ALL_DAYS, 28)
    assert choice.mase is None and choice.residual_rmse == 0.0

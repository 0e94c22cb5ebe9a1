"""The demo history is rich enough for every chart and forecast: promotions, intermittent
sellers, stock-outs with a consistent ledger, low-score feedback with comments, tickets."""
from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from backend.seed.demand import PROMOTIONS, STOCKOUTS
from backend.seed.history import DAYS, build_history
from backend.seed.loader import _product_rows
from backend.seed.receipts import plan_receipts

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo():
    products = _product_rows("EUR", NOW)
    started = time.perf_counter()
    history = build_history(products, now=NOW)
    inventory, receipts = plan_receipts(history, products)
    return history, products, inventory, receipts, time.perf_counter() - started


def _units_by_sku_day(history) -> dict[str, dict[int, int]]:
    day_of = {o["id"]: (o["created_at"] - history.start).days
              for o in history.orders if o["status"] != "cancelled"}
    units: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in history.lines:
        if line["order_id"] in day_of:
            units[line["sku"]][day_of[line["order_id"]]] += line["quantity"]
    return units


def test_demo_history_is_fast_and_deterministic(demo):
    history, products, *_, seconds = demo
    assert seconds < 10
    again = build_history(products, now=NOW)
    assert len(again.orders) == len(history.orders) and again.feedback == history.feedback


def test_demo_history_has_promotion_spikes(demo):
    history, products, *_ = demo
    units = _units_by_sku_day(history)
    category = {p["sku"]: p["category"] for p in products}
    for promo in PROMOTIONS:
        def daily(first: int, days: int) -> float:
            return sum(n for sku, by_day in units.items() if category[sku] in promo.categories
                       for day, n in by_day.items() if first <= day < first + days) / days
        during = daily(promo.first_day, promo.days)
        before = daily(promo.first_day - 21, 21)
        assert during > 2 * before, (promo.name, during, before)


def test_demo_history_has_smooth_and_intermittent_sellers(demo):
    history, products, *_ = demo
    units = _units_by_sku_day(history)
    selling_days = {p["sku"]: len(units.get(p["sku"], {})) for p in products}
    intermittent = [s for s, n in selling_days.items() if n and DAYS / n >= 1.32]
    smooth = [s for s, n in selling_days.items() if n and DAYS / n < 1.32]
    assert len(intermittent) >= 10 and len(smooth) >= 5, (intermittent, smooth)


def test_demo_stockouts_block_orders_and_empty_the_ledger(demo):
    history, products, inventory, receipts, _ = demo
    units = _units_by_sku_day(history)
    moves = defaultdict(list)
    for m in history.movements + receipts:
        moves[m["sku"]].append(m)
    for sku, window in history.stockouts.items():
        assert not any(day in window for day in units[sku]), sku
        available, closing = 0, {}
        for m in sorted(moves[sku], key=lambda m: m["created_at"]):
            available += m["on_hand_delta"] - m["reserved_delta"]
            closing[(m["created_at"] - history.start).days] = available
        # Returns during the window are written off at once, so every day closes empty.
        in_window = [closing[max(d for d in closing if d <= day)]
                     for day in window if day <= DAYS]
        assert in_window and all(a == 0 for a in in_window), (sku, in_window)
    assert len(history.stockouts) == len(STOCKOUTS)


def test_demo_ledger_never_goes_negative_and_ends_at_the_catalogue_stock(demo):
    history, products, inventory, receipts, _ = demo
    by_sku = defaultdict(list)
    for m in history.movements + receipts:
        by_sku[m["sku"]].append(m)
    stock = {p["sku"]: p["stock"] for p in products}
    for row in inventory:
        on_hand = reserved = 0
        for m in sorted(by_sku[row["sku"]], key=lambda m: m["created_at"]):
            on_hand += m["on_hand_delta"]
            reserved += m["reserved_delta"]
            assert on_hand - reserved >= 0 and reserved >= 0, (row["sku"], m)
        assert (on_hand, reserved) == (row["on_hand"], row["reserved"])
        assert on_hand - reserved == stock[row["sku"]]


def test_demo_feedback_has_low_scores_with_comments(demo):
    history, *_ = demo
    low = [f for f in history.feedback if f["rating"] <= 2]
    assert len(history.feedback) >= 500 and len(low) >= 60
    assert all(f["comment"] for f in low)
    assert all(f["created_at"] < NOW for f in history.feedback)
    words = " ".join(f["comment"].lower() for f in low)
    for theme in ("slow", "broken", "tracking", "wrong", "refund"):
        assert theme in words
    status = {o["id"]: o["status"] for o in history.orders}
    went_wrong = [f for f in history.feedback if status[f["order_id"]] in ("returned", "refunded")]
    share = lambda rows: sum(f["rating"] <= 2 for f in rows) / len(rows)  # noqa: E731
    assert share(went_wrong) > 2 * share(history.feedback)


def test_demo_tickets_open_recently_and_resolved_earlier(demo):
    history, *_ = demo
    tickets = history.tickets
    assert len(tickets) >= 20
    open_now = [t for t in tickets if t["status"] in ("open", "assigned")]
    assert open_now and all(NOW - t["created_at"] < timedelta(days=14) for t in open_now)
    assert all(t["updated_at"] >= t["created_at"] for t in tickets)

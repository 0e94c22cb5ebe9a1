"""Stock receipts for the demo ledger: enough stock at every moment, none during each
product's stock-out window, and the ledger ending exactly at the catalogue's stock.

Let C(t) be the units that left availability up to t (reservations minus releases and
returns). Available stock is receipts so far minus C(t), so it never goes negative when the
receipts up to each delivery cover the largest C before the next one. Each delivery adds a
buffer on top, except the one before a stock-out window: that one covers exactly up to the
window, so the product really runs out.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from backend.seed.history import DAYS, History

MONTHLY = range(0, DAYS, 30)  # the regular delivery days
BUFFER_SHARE = 0.3            # extra on each delivery, as a share of what it must cover
QUIET_DAYS = 12               # no delivery this many days before a stock-out window


def _delivery_days(window: range | None) -> list[int]:
    days = set(MONTHLY)
    if window:
        days = {d for d in days if not window.start - QUIET_DAYS <= d < window.stop}
        if window.stop <= DAYS:
            days.add(window.stop)  # the restock that ends the stock-out
        days.add(0)
    return sorted(days)


def _steps(changes: list[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    """(time, C(t)) after each change of C, oldest first."""
    steps, total = [], 0
    for when, delta in sorted(changes, key=lambda c: c[0]):
        total += delta
        steps.append((when, total))
    return steps


def _peak(steps: list[tuple[datetime, int]], until: datetime | None = None) -> int:
    return max([c for t, c in steps if until is None or t < until] + [0])


def _window_write_offs(steps, first: datetime, stop: datetime,
                       delivered: int) -> list[tuple[datetime, int]]:
    """Write-offs that keep nothing available inside a stock-out window: what was left at its
    start, and units that came back during it (returns and releases)."""
    before = [c for t, c in steps if t < first]
    offs = [(first, delivered - before[-1])] if before and delivered > before[-1] else []
    previous = before[-1] if before else 0
    for when, c in steps:
        if first <= when < stop:
            if c < previous:
                offs.append((when + timedelta(seconds=1), previous - c))
            previous = c
    return offs


def plan_sku(movements: list[dict], start: datetime, window: range | None,
             available_target: int) -> tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]:
    """Deliveries [(time, quantity)] and write-offs [(time, quantity)] for one product."""
    changes = [(m["created_at"], m["reserved_delta"] - m["on_hand_delta"]) for m in movements]
    steps = _steps(changes)
    days = _delivery_days(window)
    times = [start + timedelta(days=d) for d in days]
    first = start + timedelta(days=window.start) if window else None
    stop = start + timedelta(days=window.stop) if window else None
    planned, previous_need, deliveries, write_offs = 0, 0, [], []
    for i, when in enumerate(times):
        following = times[i + 1] if i + 1 < len(times) else None
        if first is not None and when < first and (following is None or following >= first):
            cumulative = max(planned, _peak(steps, first))  # exactly enough: it runs out
            write_offs = _window_write_offs(steps, first, stop, cumulative)
            steps = _steps(changes + write_offs)
        elif following is None:  # the last delivery lands the ledger on the target
            cumulative = max(planned, available_target + (steps[-1][1] if steps else 0))
        else:
            need = _peak(steps, following)
            buffer = math.ceil(BUFFER_SHARE * (need - previous_need)) + 2
            cumulative = max(planned, need + buffer)
            previous_need = need
        if cumulative > planned:
            deliveries.append((when, cumulative - planned))
            planned = cumulative
    # Returns or cancellations after the last low point can leave more than the target:
    # the surplus is counted as damaged at the end.
    end = available_target + (steps[-1][1] if steps else 0)
    if planned < _peak(steps):
        deliveries.append((times[-1], _peak(steps) - planned))
        planned = _peak(steps)
    if planned > end:
        last = max(t for t, _ in steps) if steps else start
        write_offs.append((last + timedelta(minutes=1), planned - end))
    return deliveries, write_offs


def plan_receipts(h: History, products: list[dict]) -> tuple[list[dict], list[dict]]:
    """Inventory rows and ledger rows (receipts, and write-offs where needed)."""
    by_sku: dict[str, list[dict]] = {}
    for m in h.movements:
        by_sku.setdefault(m["sku"], []).append(m)
    inventory, rows = [], []
    for p in products:
        sku, reserved = p["sku"], h.reserved.get(p["sku"], 0)
        deliveries, write_offs = plan_sku(by_sku.get(sku, []), h.start, h.stockouts.get(sku),
                                          p["stock"])
        for when, quantity in deliveries:
            rows.append(_movement(sku, "receipt", quantity, when, "demo receipt"))
        for when, quantity in write_offs:
            rows.append(_movement(sku, "adjustment", -quantity, when,
                                  "demo stock count: damaged"))
        inventory.append({"sku": sku, "on_hand": p["stock"] + reserved, "reserved": reserved,
                          "low_stock_threshold": p["low"], "reorder_lead_days": p["lead"],
                          "updated_at": p["created_at"]})
    return inventory, rows


def _movement(sku: str, kind: str, delta: int, when: datetime, note: str) -> dict:
    return {"sku": sku, "kind": kind, "quantity": abs(delta), "on_hand_delta": delta,
            "reserved_delta": 0, "order_id": None, "note": note, "created_at": when}

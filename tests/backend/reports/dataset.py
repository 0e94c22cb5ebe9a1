"""A small fixed shop history for the report tests, with every metric worked out by hand.

The range under test is Mon 2026-11-02 … Sun 2026-11-08 (RANGE). Times are UTC.

Orders (O7 is still pending, O8 is before the range: neither counts):

| order | created     | channel  | status    | lines                 | events (after `created`)                                   |
|-------|-------------|----------|-----------|-----------------------|------------------------------------------------------------|
| O1    | 11-02 10:00 | telegram | delivered | MUG-1 ×2 = 2000       | confirmed 02 11:00, processing 02 17:00, shipped 03 11:00, delivered 05 11:00 (due 05) |
| O2    | 11-02 12:00 | web      | delivered | MUG-2 ×1 = 1500, TEA-1 ×2 = 1000 | confirmed 02 13:00, processing 03 13:00, shipped 04 13:00, delivered 07 13:00 (due 06: late) |
| O3    | 11-03 09:00 | telegram | cancelled | MUG-1 ×1 = 1000       | confirmed 03 10:00, cancelled 03 12:00                     |
| O4    | 11-04 09:00 | web      | cancelled | TEA-1 ×1 = 500        | cancelled 04 09:30 (from pending: expired)                 |
| O5    | 11-05 15:00 | slack    | refunded  | MUG-2 ×2 = 3000       | confirmed 05 17:00, processing 06 09:00, shipped 06 17:00, delivered 07 17:00 (due 08), return_requested 08 10:00, returned 08 12:00, refunded 08 13:00 |
| O6    | 11-06 10:00 | telegram | processing| TEA-1 ×4 = 2000       | confirmed 06 11:00, processing 06 15:00                    |
| O7    | 11-07 10:00 | telegram | pending   | MUG-1 ×1 = 1000       |                                                            |
| O8    | 10-30 10:00 | telegram | delivered | MUG-1 ×5 = 5000       | (before the range)                                         |
"""
from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from backend.catalog.models import Product
from backend.customers.models import Customer
from backend.inventory.models import Inventory, StockMovement
from backend.orders.models import Order, OrderEvent, OrderLine
from backend.reports.rollups import rebuild_rollups
from backend.support.models import Feedback, SupportTicket

RANGE = {"start": "2026-11-02", "end": "2026-11-08"}
ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "Dublin", "postal_code": "D1",
           "country": "IE"}
PRODUCTS = [  # sku, name, category, price, on_hand, reserved, low-stock threshold
    ("MUG-1", "Blue Mug", "Mugs", 1000, 3, 1, 5),
    ("MUG-2", "Red Mug", "Mugs", 1500, 2, 0, 2),
    ("TEA-1", "Green Tea", "Tea", 500, 18, 4, 5),
    ("KET-1", "Kettle", "Kettles", 4000, 5, 0, 3),
]
PATH = ["pending", "confirmed", "processing", "shipped", "delivered", "return_requested",
        "returned", "refunded"]


def at(text: str) -> datetime:
    """'11-02 10:00' → 2026-11-02T10:00Z (October dates: '10-30 10:00')."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


# number, created, channel, status, lines, [(status, time)], due, refunded, reason
ORDERS = [
    ("O1", "11-02 10:00", "telegram", "delivered", [("MUG-1", 2, 1000)],
     [("confirmed", "11-02 11:00"), ("processing", "11-02 17:00"), ("shipped", "11-03 11:00"),
      ("delivered", "11-05 11:00")], date(2026, 11, 5), 0, None),
    ("O2", "11-02 12:00", "web", "delivered", [("MUG-2", 1, 1500), ("TEA-1", 2, 500)],
     [("confirmed", "11-02 13:00"), ("processing", "11-03 13:00"), ("shipped", "11-04 13:00"),
      ("delivered", "11-07 13:00")], date(2026, 11, 6), 0, None),
    ("O3", "11-03 09:00", "telegram", "cancelled", [("MUG-1", 1, 1000)],
     [("confirmed", "11-03 10:00"), ("cancelled", "11-03 12:00")], None, 0, "changed my mind"),
    ("O4", "11-04 09:00", "web", "cancelled", [("TEA-1", 1, 500)],
     [("cancelled", "11-04 09:30")], None, 0, "expired: not confirmed in time"),
    ("O5", "11-05 15:00", "slack", "refunded", [("MUG-2", 2, 1500)],
     [("confirmed", "11-05 17:00"), ("processing", "11-06 09:00"), ("shipped", "11-06 17:00"),
      ("delivered", "11-07 17:00"), ("return_requested", "11-08 10:00"),
      ("returned", "11-08 12:00"), ("refunded", "11-08 13:00")], date(2026, 11, 8), 3000,
     "arrived damaged"),
    ("O6", "11-06 10:00", "telegram", "processing", [("TEA-1", 4, 500)],
     [("confirmed", "11-06 11:00"), ("processing", "11-06 15:00")], None, 0, None),
    ("O7", "11-07 10:00", "telegram", "pending", [("MUG-1", 1, 1000)], [], None, 0, None),
    ("O8", "10-30 10:00", "telegram", "delivered", [("MUG-1", 5, 1000)],
     [("confirmed", "10-30 11:00"), ("processing", "10-30 12:00"), ("shipped", "10-31 10:00"),
      ("delivered", "11-01 10:00")], date(2026, 11, 2), 0, None),
]

# sku, kind, on_hand_delta, reserved_delta, when, order
MOVEMENTS = [
    ("MUG-1", "receipt", 10, 0, "10-01 08:00", None),
    ("MUG-2", "receipt", 3, 0, "10-01 08:00", None),
    ("TEA-1", "receipt", 20, 0, "10-01 08:00", None),
    ("MUG-1", "reservation", 0, 5, "10-30 10:00", "O8"),
    ("MUG-1", "shipment", -5, -5, "10-31 10:00", "O8"),
    ("MUG-1", "reservation", 0, 2, "11-02 10:00", "O1"),
    ("MUG-2", "reservation", 0, 1, "11-02 12:00", "O2"),
    ("TEA-1", "reservation", 0, 2, "11-02 12:00", "O2"),
    ("MUG-1", "reservation", 0, 1, "11-03 09:00", "O3"),
    ("MUG-1", "shipment", -2, -2, "11-03 11:00", "O1"),
    ("MUG-1", "release", 0, -1, "11-03 12:00", "O3"),
    ("TEA-1", "reservation", 0, 1, "11-04 09:00", "O4"),
    ("TEA-1", "release", 0, -1, "11-04 09:30", "O4"),
    ("MUG-2", "shipment", -1, -1, "11-04 13:00", "O2"),
    ("TEA-1", "shipment", -2, -2, "11-04 13:00", "O2"),
    ("MUG-2", "reservation", 0, 2, "11-05 15:00", "O5"),
    ("KET-1", "receipt", 5, 0, "11-06 08:00", None),
    ("TEA-1", "reservation", 0, 4, "11-06 10:00", "O6"),
    ("MUG-2", "shipment", -2, -2, "11-06 17:00", "O5"),
    ("MUG-1", "reservation", 0, 1, "11-07 10:00", "O7"),
    ("MUG-2", "return", 2, 0, "11-08 12:00", "O5"),
]

# when, channel, order, rating, comment
FEEDBACK = [
    ("11-03 10:00", "telegram", "O1", 5, "Great mug, fast delivery"),
    ("11-05 10:00", "web", None, 2, "The parcel was late and the box was damaged"),
    ("11-06 10:00", "slack", "O5", 1, "Damaged mug, late parcel!"),
    ("11-06 12:00", "web", None, 4, ""),
    ("10-30 12:00", "telegram", "O8", 1, "slow slow slow"),
]

# created, updated, channel, status
TICKETS = [
    ("11-02 09:00", "11-02 13:00", "telegram", "resolved"),
    ("11-03 09:00", "11-05 09:00", "web", "closed"),
    ("11-04 09:00", "11-04 09:00", "telegram", "open"),
    ("10-25 09:00", "11-03 09:00", "telegram", "resolved"),
    ("10-20 09:00", "10-21 09:00", "telegram", "assigned"),
]

# sender, type, intent, action, when
TRACKER_EVENTS = [
    ("telegram:1", "user", "greet", None, "11-02 10:00"),
    ("telegram:1", "action", None, "action_listen", "11-02 10:00"),
    ("telegram:1", "user", "order_product", None, "11-02 10:01"),
    ("web:abc", "user", "nlu_fallback", None, "11-03 09:00"),
    ("web:abc", "user", "contact_human_agent", None, "11-03 09:01"),
    ("web:abc", "action", None, "action_open_ticket", "11-03 09:01"),
    ("telegram:2", "user", "track_order", None, "11-05 09:00"),
    ("slack:T1:U1", "user", "greet", None, "11-09 09:00"),
]


async def load(sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        await _load(session)


async def _load(session) -> None:
    created = at("09-01 08:00")
    await session.execute(insert(Customer.__table__), [
        {"id": 1, "display_name": "Ada", "email": "ada@example.com", "created_at": created}])
    await session.execute(insert(Product.__table__), [
        {"sku": sku, "name": name, "category": category, "price_minor": price,
         "currency": "EUR", "search_text": name.lower(), "created_at": created,
         "updated_at": created} for sku, name, category, price, *_ in PRODUCTS])
    await session.execute(insert(Inventory.__table__), [
        {"sku": sku, "on_hand": on_hand, "reserved": reserved, "low_stock_threshold": low,
         "updated_at": created} for sku, _n, _c, _p, on_hand, reserved, low in PRODUCTS])
    ids = {}
    for i, (number, when, channel, status, lines, changes, due, refunded, reason) in \
            enumerate(ORDERS, start=1):
        ids[number] = i
        subtotal = sum(q * price for _sku, q, price in lines)
        await session.execute(insert(Order.__table__), [{
            "id": i, "number": number, "customer_id": 1, "channel": channel, "status": status,
            "currency": "EUR", "subtotal_minor": subtotal, "shipping_minor": 0,
            "total_minor": subtotal, "refunded_minor": refunded, "shipping_address": ADDRESS,
            "estimated_delivery": due, "created_at": at(when), "updated_at": at(when),
            "cancel_reason": reason if status == "cancelled" else None,
            "return_reason": reason if status != "cancelled" else None}])
        await session.execute(insert(OrderLine.__table__), [
            {"order_id": i, "sku": sku, "name": sku, "unit_price_minor": price, "quantity": q,
             "line_total_minor": q * price} for sku, q, price in lines])
        events = [{"order_id": i, "kind": "created", "from_status": None,
                   "to_status": "pending", "actor": "test", "created_at": at(when)}]
        previous = "pending"
        for to_status, change_at in changes:
            events.append({"order_id": i, "kind": f"status_{to_status}",
                           "from_status": previous, "to_status": to_status, "actor": "test",
                           "created_at": at(change_at)})
            previous = to_status
        await session.execute(insert(OrderEvent.__table__), events)
    await session.execute(insert(StockMovement.__table__), [
        {"sku": sku, "kind": kind, "quantity": abs(oh or rs), "on_hand_delta": oh,
         "reserved_delta": rs, "order_id": ids.get(order), "created_at": at(when)}
        for sku, kind, oh, rs, when, order in MOVEMENTS])
    await session.execute(insert(Feedback.__table__), [
        {"customer_id": 1, "order_id": ids.get(order), "channel": channel, "rating": rating,
         "comment": comment, "conversation_id": None if order else "web:abc",
         "created_at": at(when)} for when, channel, order, rating, comment in FEEDBACK])
    await session.execute(insert(SupportTicket.__table__), [
        {"customer_id": 1, "channel": channel, "reason": "help", "transcript": [],
         "status": status, "created_at": at(opened), "updated_at": at(updated)}
        for opened, updated, channel, status in TICKETS])
    await rebuild_rollups(session)  # the events above were written directly


def write_tracker(path: Path) -> None:
    """Rasa's SQL tracker store layout (rasa.core.tracker_store.SQLTrackerStore.SQLEvent)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT "
                   "NULL, type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name "
                   "VARCHAR(255), action_name VARCHAR(255), data TEXT)")
        db.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, "
            "data) VALUES (?, ?, ?, ?, ?, ?)",
            [(sender, kind, at(when).timestamp(), intent, action,
              json.dumps({"event": kind})) for sender, kind, intent, action, when in
             TRACKER_EVENTS])


def days(start: str, count: int) -> list[str]:
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i)).isoformat() for i in range(count)]

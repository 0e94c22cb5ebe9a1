"""Demo feedback (CSAT) and support tickets that follow from what happened to each order.

Ratings drop when the order went wrong (returned, refunded, slow delivery, a promotion's
backlog), and low ratings carry comments on a few recurring themes, so the CSAT chart moves
and the low-score word counts say something. Tickets come from the same troubles.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

GOOD_COMMENTS = {
    5: ["Lovely mug, arrived quickly.", "Perfect, thanks!", "Beans were super fresh.",
        "Great service, the bot made ordering easy.", "Fast delivery and nicely packed.", ""],
    4: ["Good, delivery took a day longer than expected.", "Nice quality.",
        "Happy with it, tracking could be clearer.", ""],
    3: ["OK, but the colour is darker than the photo.", "Fine.", "Average packaging.", ""],
}
# Low-score comments by theme; each rating of 1 or 2 picks a theme, then a phrasing.
LOW_THEMES = {
    "delivery": ["Delivery was very slow.", "Slow delivery, took over a week.",
                 "The parcel arrived late and the courier never called.",
                 "Late delivery again, slow courier."],
    "damaged": ["Arrived broken.", "Mug arrived broken, poor packaging.",
                "Teapot lid was cracked on arrival.", "Box was damaged and the glass broken."],
    "tracking": ["Never got a tracking update.", "No tracking number for days.",
                 "Tracking link did not work, no update at all."],
    "wrong_item": ["Wrong colour sent.", "Received the wrong item, asked for blue.",
                   "Wrong size, had to return it."],
    "support": ["Nobody answered my refund question.", "The chat could not help, slow refund.",
                "Refund took weeks, support was slow."],
}
TICKET_REASONS = {
    "delivery": "where is my parcel", "damaged": "item arrived broken",
    "tracking": "no tracking update", "wrong_item": "wrong item received",
    "support": "refund question",
}


def _rating(rng: random.Random, order: dict, delivery_hours: float, busy: bool) -> int:
    if order["status"] in ("returned", "refunded", "return_requested"):
        return rng.choices([5, 4, 3, 2, 1], [5, 10, 20, 35, 30])[0]
    weights = [52, 28, 11, 6, 3]
    if delivery_hours > 60 or busy:  # slow or during a promotion's backlog
        weights = [30, 28, 20, 14, 8]
    return rng.choices([5, 4, 3, 2, 1], weights)[0]


def _theme(rng: random.Random, order: dict, delivery_hours: float) -> str:
    if order["status"] == "refunded":
        return rng.choice(["support", "damaged", "wrong_item"])
    if order["status"] in ("returned", "return_requested"):
        return rng.choice(["damaged", "wrong_item"])
    if delivery_hours > 60:
        return rng.choice(["delivery", "delivery", "tracking"])
    return rng.choice(list(LOW_THEMES))


def maybe_feedback(rng: random.Random, order: dict, delivered_at: datetime | None,
                   shipped_at: datetime | None, busy: bool) -> dict | None:
    """A feedback row for about a quarter of the delivered (or later) orders."""
    if delivered_at is None or rng.random() >= 0.25:
        return None
    delivery_hours = ((delivered_at - shipped_at).total_seconds() / 3600) if shipped_at else 0
    rating = _rating(rng, order, delivery_hours, busy)
    theme = _theme(rng, order, delivery_hours) if rating <= 2 else None
    comment = rng.choice(LOW_THEMES[theme]) if theme else rng.choice(GOOD_COMMENTS[rating])
    return {"customer_id": order["customer_id"], "order_id": order["id"],
            "conversation_id": None, "channel": order["channel"], "rating": rating,
            "comment": comment, "created_at": delivered_at + timedelta(hours=rng.randint(2, 72)),
            "_theme": theme}


def tickets_from(rng: random.Random, feedback: list[dict], orders: list[dict],
                 now: datetime) -> list[dict]:
    """One ticket for about half of the low ratings: older ones resolved, recent ones open."""
    by_id = {o["id"]: o for o in orders}
    tickets = []
    for i, fb in enumerate(f for f in feedback if f["_theme"] and rng.random() < 0.5):
        order = by_id[fb["order_id"]]
        opened = fb["created_at"] - timedelta(hours=rng.randint(1, 48))
        age_days = (now - opened).total_seconds() / 86400
        if age_days < 4:
            status = rng.choice(["open", "open", "assigned"])
        elif age_days < 14:
            status = rng.choice(["open", "assigned", "resolved", "resolved"])
        else:
            status = rng.choice(["resolved", "resolved", "closed"])
        updated = opened if status == "open" else min(
            now, opened + timedelta(hours=rng.randint(2, 96)))
        tickets.append({
            "customer_id": order["customer_id"], "order_id": order["id"],
            "conversation_id": f"demo-conv-{i}", "channel": order["channel"],
            "reason": TICKET_REASONS[fb["_theme"]],
            "transcript": [{"sender": "user", "text": "I need help with my order"},
                           {"sender": "user", "text": fb["comment"] or "Something went wrong"}],
            "status": status, "assignee": None if status == "open" else "agent.demo",
            "created_at": opened, "updated_at": updated})
    return tickets

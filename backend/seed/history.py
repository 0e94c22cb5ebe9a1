"""Deterministic synthetic order history: weekly seasonality, an upward trend, promotions,
intermittent sellers, stock-outs, cancellations, returns, refunds, feedback and tickets.
Pure: builds row dicts, the loader inserts them."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from backend.orders.pricing import totals
from backend.seed.catalogue import CUSTOMER_NAMES
from backend.seed.demand import day_weights, promotion_on, stockout_days
from backend.seed.feedback import maybe_feedback, tickets_from

DAYS = 182
BASE_ORDERS_PER_DAY = 14.0
TREND_PER_DAY = 0.004  # about +70 % over the half year
WEEKDAY_FACTOR = [0.85, 0.9, 0.95, 1.0, 1.2, 1.45, 1.15]  # Monday .. Sunday
CHANNEL_WEIGHTS = {"telegram": 0.4, "web": 0.35, "slack": 0.2, "api": 0.05}
CITIES = [("Dublin", "IE", "D02 X285"), ("Cork", "IE", "T12 RW26"), ("Berlin", "DE", "10115"),
          ("Lyon", "FR", "69002"), ("Milan", "IT", "20121"), ("Porto", "PT", "4000-322")]


@dataclass
class History:
    customers: list[dict] = field(default_factory=list)
    identities: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    movements: list[dict] = field(default_factory=list)
    feedback: list[dict] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    shipped: dict[str, int] = field(default_factory=dict)
    returned: dict[str, int] = field(default_factory=dict)
    reserved: dict[str, int] = field(default_factory=dict)
    stockouts: dict[str, range] = field(default_factory=dict)  # day numbers per SKU
    start: datetime | None = None


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method; lam stays small (< 60) here.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _customers(rng: random.Random, h: History, count: int, start: datetime) -> None:
    channels = list(CHANNEL_WEIGHTS)
    for cid in range(1, count + 1):
        name = f"{rng.choice(CUSTOMER_NAMES)}"
        email = f"{name.lower().replace(' ', '.')}{cid}@example.com"
        h.customers.append({"id": cid, "display_name": name, "email": email,
                            "phone": f"+353 85 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                            "created_at": start})
        channel = rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0]
        external = {"telegram": f"{100000 + cid * 7}", "web": f"demo{cid:05d}",
                    "slack": f"T0DEMO:U{cid:05d}", "api": f"client{cid}"}[channel]
        h.identities.append({"id": cid, "customer_id": cid, "channel": channel,
                             "external_id": external, "created_at": start})


def _final_status(rng: random.Random, age_days: float) -> str:
    if age_days < 0.05:
        return "pending"
    if age_days < 1:
        return rng.choices(["confirmed", "processing", "cancelled"], [5, 4, 1])[0]
    if age_days < 4:
        return rng.choices(["processing", "shipped", "cancelled"], [2, 7, 1])[0]
    if age_days < 20:
        return rng.choices(["delivered", "shipped", "cancelled", "return_requested"],
                           [84, 6, 8, 2])[0]
    return rng.choices(["delivered", "cancelled", "returned", "refunded"], [86, 8, 1, 5])[0]


PATH = ["pending", "confirmed", "processing", "shipped", "delivered", "return_requested",
        "returned", "refunded"]


def _path_to(status: str, rng: random.Random) -> list[str]:
    if status == "cancelled":
        stop = rng.choice(["pending", "confirmed", "processing"])
        return PATH[: PATH.index(stop) + 1] + ["cancelled"]
    return PATH[: PATH.index(status) + 1]


def _add_order(rng, h, products, weights, oid, created, now, busy) -> None:
    identity = rng.choice(h.identities)
    customer = h.customers[identity["customer_id"] - 1]
    picks = rng.choices(products, weights=weights, k=rng.choices([1, 2, 3], [6, 3, 1])[0])
    quantities: dict[str, int] = {}
    for p in picks:
        quantities[p["sku"]] = quantities.get(p["sku"], 0) + rng.choices([1, 2, 3], [7, 2, 1])[0]
    by_sku = {p["sku"]: p for p in products}
    priced = [{"order_id": oid, "sku": s, "name": by_sku[s]["name"],
               "unit_price_minor": by_sku[s]["price_minor"], "quantity": q,
               "line_total_minor": by_sku[s]["price_minor"] * q, "return_quantity": 0}
              for s, q in sorted(quantities.items())]
    status = _final_status(rng, (now - created).total_seconds() / 86400)
    if status in ("pending", "confirmed", "processing") and any(
            by_sku[s]["stock"] == 0 for s in quantities):
        status = "cancelled"  # don't hold stock of sold-out items in the demo
    city, country, postcode = rng.choice(CITIES)
    order = {"id": oid, "number": f"OB-D{oid:07d}", "customer_id": customer["id"],
             "identity_id": identity["id"], "channel": identity["channel"], "status": status,
             "currency": "EUR", **totals(priced), "refunded_minor": 0,
             "shipping_address": {"name": customer["display_name"],
                                  "line1": f"{oid % 90 + 1} Main St",
                                  "city": city, "postal_code": postcode, "country": country},
             "contact_email": customer["email"], "contact_phone": customer["phone"],
             "created_at": created, "updated_at": created,
             "expires_at": created + timedelta(minutes=30) if status == "pending" else None}
    _walk(rng, h, order, priced, _path_to(status, rng), created, busy, now)
    h.orders.append(order)
    h.lines.extend(priced)


STEP_HOURS = {"confirmed": 0.1, "processing": 6, "shipped": 20, "delivered": 50,
              "return_requested": 120, "returned": 100, "refunded": 24, "cancelled": 3}
BUSY_SHIPPING_FACTOR = 3  # a promotion's backlog: packing takes three times as long


def _walk(rng, h, order, lines, path, created, busy, now) -> None:
    """Replays the order's life: events, ledger rows and the fields each step sets."""
    when, actor = created, f"customer:{order['channel']}"
    prev, reached = None, {}
    for status in path:
        if prev is not None:
            hours = STEP_HOURS[status] * (BUSY_SHIPPING_FACTOR if busy and status == "shipped"
                                          else 1)
            when = when + timedelta(hours=hours * (0.5 + rng.random()))
        reached[status] = when
        h.events.append({"order_id": order["id"], "kind": "created" if prev is None else
                         f"status_{status}", "from_status": prev, "to_status": status,
                         "actor": actor if status in ("pending", "confirmed", "return_requested")
                         else "staff:demo", "channel": order["channel"], "detail": {},
                         "created_at": when})
        kind = {"pending": ("reservation", 0, 1), "cancelled": ("release", 0, -1),
                "shipped": ("shipment", -1, -1), "returned": ("return", 1, 0)}.get(status)
        for line in lines if kind else []:
            q = line["quantity"]
            h.movements.append({"sku": line["sku"], "kind": kind[0], "quantity": q,
                                "on_hand_delta": kind[1] * q, "reserved_delta": kind[2] * q,
                                "order_id": order["id"], "note": "", "created_at": when})
            if status == "shipped":
                h.shipped[line["sku"]] = h.shipped.get(line["sku"], 0) + q
            elif status == "returned":
                h.returned[line["sku"]] = h.returned.get(line["sku"], 0) + q
        if status == "shipped":
            order.update(carrier=rng.choice(["An Post", "DHL", "DPD"]),
                         tracking_number=f"TRK{order['id']:09d}",
                         estimated_delivery=(when + timedelta(days=3)).date())
        elif status == "cancelled":
            order["cancel_reason"] = rng.choice(["changed my mind", "ordered by mistake",
                                                 "found it cheaper"])
        elif status == "return_requested":  # the demo's returns send the whole order back
            order["return_reason"] = rng.choice(["wrong colour", "arrived damaged", "not needed"])
            for line in lines:
                line["return_quantity"] = line["quantity"]
        elif status == "refunded":
            order.update(refunded_minor=order["total_minor"], refunded_at=when)
        prev = status
    if order["status"] in ("pending", "confirmed", "processing"):
        for line in lines:
            h.reserved[line["sku"]] = h.reserved.get(line["sku"], 0) + line["quantity"]
    order["updated_at"] = when
    feedback = maybe_feedback(rng, order, reached.get("delivered"), reached.get("shipped"), busy)
    if feedback and feedback["created_at"] < now:
        h.feedback.append(feedback)


def _busy(day: int) -> bool:
    """Orders placed during a promotion or up to three days after it ship slowly."""
    return any(promotion_on(d) for d in range(day - 3, day + 1))


def build_history(products: list[dict], *, now: datetime, seed: int = 20240601) -> History:
    """`products` need sku, name, category, price_minor, stock. Same seed and `now`, same
    history."""
    rng = random.Random(seed)
    h = History()
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    _customers(rng, h, 420, start)
    h.stockouts = stockout_days(DAYS)
    oid = 0
    for day in range(DAYS + 1):
        date0 = start + timedelta(days=day)
        weights = day_weights(products, day, h.stockouts)
        promo = promotion_on(day)
        lam = BASE_ORDERS_PER_DAY * (1 + TREND_PER_DAY * day) * WEEKDAY_FACTOR[date0.weekday()]
        lam *= promo.order_factor if promo else 1.0
        for _ in range(_poisson(rng, lam)):
            created = date0 + timedelta(seconds=rng.randint(7 * 3600, 23 * 3600))
            if created >= now:
                continue
            oid += 1
            _add_order(rng, h, products, weights, oid, created, now, _busy(day))
    h.tickets = tickets_from(rng, h.feedback, h.orders, now)
    for feedback in h.feedback:
        del feedback["_theme"]
    h.start = start
    return h


def utc_now() -> datetime:
    return datetime.now(timezone.utc)

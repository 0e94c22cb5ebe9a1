"""Loads the demo catalogue and order history, only into a database with no products."""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.search import search_text
from backend.core.config import Settings
from backend.models import (ChannelIdentity, Customer, Feedback, Inventory, Order, OrderEvent,
                            OrderLine, Product, StockMovement, SupportTicket)
from backend.seed.catalogue import PRODUCTS
from backend.seed.history import History, build_history, utc_now

logger = logging.getLogger(__name__)
CHUNK = 2000
RESTOCKS = 5  # monthly receipts after the opening one


def _product_rows(currency: str, now) -> list[dict]:
    rows = []
    for sku, name, category, price, stock, low, lead, attrs, synonyms in PRODUCTS:
        rows.append({"sku": sku, "name": name, "category": category, "price_minor": price,
                     "stock": stock, "low": low, "lead": lead, "attributes": attrs,
                     "synonyms": synonyms, "currency": currency, "created_at": now})
    return rows


def _receipts(h: History, products: list[dict], start) -> tuple[list[dict], list[dict]]:
    """Receipts that make the ledger end exactly at each product's target stock."""
    inventory, movements = [], []
    for p in products:
        sku = p["sku"]
        on_hand = p["stock"] + h.reserved.get(sku, 0)
        received = on_hand + h.shipped.get(sku, 0) - h.returned.get(sku, 0)
        opening = received - (received * 2 // 5 // RESTOCKS) * RESTOCKS
        amounts = [opening] + [received * 2 // 5 // RESTOCKS] * RESTOCKS
        for i, amount in enumerate(a for a in amounts if a > 0):
            movements.append({"sku": sku, "kind": "receipt", "quantity": amount,
                              "on_hand_delta": amount, "reserved_delta": 0, "order_id": None,
                              "note": "demo receipt", "created_at": start + timedelta(days=30 * i)})
        inventory.append({"sku": sku, "on_hand": on_hand, "reserved": h.reserved.get(sku, 0),
                          "low_stock_threshold": p["low"], "reorder_lead_days": p["lead"],
                          "updated_at": p["created_at"]})
    return inventory, movements


async def _bulk(session: AsyncSession, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert(model.__table__), rows[i:i + CHUNK])


async def _fix_sequences(session: AsyncSession) -> None:
    # Rows above were inserted with explicit ids; move PostgreSQL's sequences past them.
    for table in ("customers", "channel_identities", "orders"):
        await session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


async def seed_demo_data(sessionmaker: async_sessionmaker[AsyncSession],
                         settings: Settings) -> dict:
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        if (await session.execute(select(func.count()).select_from(Product))).scalar_one():
            logger.info("seed skipped: the database already has products")
            return {"skipped": True}
        now = utc_now()
        products = _product_rows(settings.CURRENCY, now)
        h = build_history(products, now=now)
        start = min(c["created_at"] for c in h.customers)
        inventory, receipts = _receipts(h, products, start)
        await _bulk(session, Product, [{
            **{k: p[k] for k in ("sku", "name", "category", "price_minor", "attributes",
                                 "synonyms", "currency", "created_at")},
            "description": f"{p['name']} from our {p['category'].lower()} range.",
            "search_text": search_text(p["name"], p["category"], p["synonyms"], p["attributes"]),
            "active": True, "updated_at": now} for p in products])
        await _bulk(session, Inventory, inventory)
        await _bulk(session, Customer, h.customers)
        await _bulk(session, ChannelIdentity, h.identities)
        await _bulk(session, Order, [{"carrier": None, "tracking_number": None,
                                      "estimated_delivery": None, "cancel_reason": None,
                                      "return_reason": None, "refunded_at": None, **o}
                                     for o in h.orders])
        await _bulk(session, OrderLine, h.lines)
        await _bulk(session, OrderEvent, h.events)
        await _bulk(session, StockMovement, receipts + h.movements)
        await _bulk(session, Feedback, h.feedback)
        await _bulk(session, SupportTicket, [
            {**t, "assignee": "agent.demo" if t["status"] != "open" else None} for t in h.tickets])
        if not settings.is_sqlite:
            await _fix_sequences(session)
    summary = {"products": len(products), "customers": len(h.customers),
               "orders": len(h.orders), "feedback": len(h.feedback),
               "seconds": round(time.perf_counter() - started, 2)}
    logger.info("seeded %(products)d products, %(customers)d customers, %(orders)d orders, "
                "%(feedback)d feedback in %(seconds)ss", summary)
    return summary

"""Loads the demo catalogue and order history, only into a database with no products."""
from __future__ import annotations

import logging
import time
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.search import search_text
from backend.core.config import Settings
from backend.models import (ChannelIdentity, Customer, Feedback, Inventory, Order, OrderEvent,
                            OrderLine, Product, StockMovement, SupportTicket)
from backend.reports.rollups import rebuild_rollups
from backend.seed.catalogue import PRODUCTS
from backend.seed.history import build_history, utc_now
from backend.seed.receipts import plan_receipts

logger = logging.getLogger(__name__)
CHUNK = 2000


def _product_rows(currency: str, now) -> list[dict]:
    rows = []
    for sku, name, category, price, stock, low, lead, attrs, synonyms in PRODUCTS:
        rows.append({"sku": sku, "name": name, "category": category, "price_minor": price,
                     "stock": stock, "low": low, "lead": lead, "attributes": attrs,
                     "synonyms": synonyms, "currency": currency, "created_at": now})
    return rows


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
        inventory, receipts = plan_receipts(h, products)
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
        await _bulk(session, SupportTicket, h.tickets)
        await rebuild_rollups(session)  # the fulfilment report's, from the events above
        if not settings.is_sqlite:
            await _fix_sequences(session)
    summary = {"products": len(products), "customers": len(h.customers),
               "orders": len(h.orders), "feedback": len(h.feedback),
               "seconds": round(time.perf_counter() - started, 2)}
    logger.info("seeded %(products)d products, %(customers)d customers, %(orders)d orders, "
                "%(feedback)d feedback in %(seconds)ss", summary)
    return summary

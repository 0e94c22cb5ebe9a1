"""Proves the stock numbers: reserved equals live reservations, and the ledger sums match."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.inventory.models import Inventory, StockMovement
from backend.orders.models import Order, OrderLine
from backend.orders.status import LIVE_STATUSES


async def reconcile(session: AsyncSession) -> dict:
    live = (
        select(OrderLine.sku, func.sum(OrderLine.quantity).label("qty"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_([s.value for s in LIVE_STATUSES]))
        .group_by(OrderLine.sku)
        .subquery()
    )
    ledger = (
        select(
            StockMovement.sku,
            func.sum(StockMovement.on_hand_delta).label("on_hand"),
            func.sum(StockMovement.reserved_delta).label("reserved"),
        )
        .group_by(StockMovement.sku)
        .subquery()
    )
    rows = await session.execute(
        select(
            Inventory.sku, Inventory.on_hand, Inventory.reserved,
            func.coalesce(live.c.qty, 0), func.coalesce(ledger.c.on_hand, 0),
            func.coalesce(ledger.c.reserved, 0),
        )
        .outerjoin(live, live.c.sku == Inventory.sku)
        .outerjoin(ledger, ledger.c.sku == Inventory.sku)
        .order_by(Inventory.sku)
    )
    mismatches, checked = [], 0
    for sku, on_hand, reserved, live_qty, ledger_on_hand, ledger_reserved in rows:
        checked += 1
        if not (reserved == live_qty == ledger_reserved and on_hand == ledger_on_hand):
            mismatches.append({
                "sku": sku, "on_hand": on_hand, "reserved": reserved,
                "live_reserved": int(live_qty), "ledger_on_hand": int(ledger_on_hand),
                "ledger_reserved": int(ledger_reserved),
            })
    return {"ok": not mismatches, "checked_skus": checked, "mismatches": mismatches}

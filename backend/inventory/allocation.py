"""Stock moves. Each is a conditional UPDATE plus a ledger row, inside the caller's transaction.

Reservation never reads-then-writes: the WHERE clause is the check, so two buyers can't take
the same unit on SQLite or PostgreSQL. SKUs are touched in sorted order so concurrent orders
lock rows in the same order and can't deadlock on PostgreSQL.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.errors import InsufficientStock
from backend.inventory.models import Inventory, MovementKind, StockMovement

logger = logging.getLogger(__name__)

_inv = Inventory.__table__
_moves = StockMovement.__table__
# Built once: constructing statements per request costs more CPU than SQLite spends on them.
_RESERVE = (
    update(_inv)
    .where(_inv.c.sku == bindparam("s"), _inv.c.on_hand - _inv.c.reserved >= bindparam("q"))
    .values(reserved=_inv.c.reserved + bindparam("q"), updated_at=bindparam("now"))
)
_AVAILABLE = select(_inv.c.sku, _inv.c.on_hand - _inv.c.reserved).where(
    _inv.c.sku.in_(bindparam("skus", expanding=True)))
_RECORD = insert(_moves)


class LedgerError(RuntimeError):
    """Stock would go inconsistent: a bug, not a customer problem, so it is not a DomainError."""


async def available_for(session: AsyncSession, skus: list[str]) -> dict[str, int]:
    rows = await session.execute(_AVAILABLE, {"skus": list(skus)})
    return {sku: available for sku, available in rows}


async def _record(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        now = utcnow()
        await session.execute(_RECORD, [{"created_at": now, "note": "", **r} for r in rows])


async def allocate_stock(
    session: AsyncSession, *, quantities: Mapping[str, int], order_id: int | None,
    delay_ms: int = 0,
) -> None:
    """Reserves every SKU or raises InsufficientStock; the caller rolls back on error."""
    short: list[str] = []
    for sku in sorted(quantities):
        quantity = quantities[sku]
        if delay_ms:
            # Test hook (RESERVE_DELAY_MS): a read, then a pause, then the write. A
            # read-check-write implementation would oversell here; ours must not.
            await available_for(session, [sku])
            await asyncio.sleep(delay_ms / 1000)
        result = await session.execute(_RESERVE, {"s": sku, "q": quantity, "now": utcnow()})
        if result.rowcount != 1:
            short.append(sku)
    if short:
        available = await available_for(session, short)
        raise InsufficientStock(
            [{"sku": s, "requested": quantities[s], "available": max(available.get(s, 0), 0)}
             for s in short]
        )
    await _record(session, [
        {"sku": sku, "kind": MovementKind.RESERVATION, "quantity": q, "on_hand_delta": 0,
         "reserved_delta": q, "order_id": order_id} for sku, q in sorted(quantities.items())
    ])


async def _apply(
    session: AsyncSession, *, kind: str, quantities: Mapping[str, int], order_id: int | None,
    on_hand_sign: int, reserved_sign: int, note: str = "",
) -> None:
    for sku in sorted(quantities):
        q = quantities[sku]
        stmt = update(_inv).where(_inv.c.sku == sku).values(
            on_hand=_inv.c.on_hand + on_hand_sign * q,
            reserved=_inv.c.reserved + reserved_sign * q,
            updated_at=utcnow(),
        )
        if reserved_sign < 0:
            stmt = stmt.where(_inv.c.reserved >= q)
        if (await session.execute(stmt)).rowcount != 1:
            raise LedgerError(f"{kind} of {q} x {sku} would make stock inconsistent")
    await _record(session, [
        {"sku": sku, "kind": kind, "quantity": q, "on_hand_delta": on_hand_sign * q,
         "reserved_delta": reserved_sign * q, "order_id": order_id, "note": note}
        for sku, q in sorted(quantities.items())
    ])


async def release_stock(session: AsyncSession, *, quantities: Mapping[str, int],
                        order_id: int | None) -> None:
    await _apply(session, kind=MovementKind.RELEASE, quantities=quantities, order_id=order_id,
                 on_hand_sign=0, reserved_sign=-1)


async def decrease_stock(session: AsyncSession, *, quantities: Mapping[str, int],
                         order_id: int | None) -> None:
    """Shipping: the reserved units leave the building."""
    await _apply(session, kind=MovementKind.SHIPMENT, quantities=quantities, order_id=order_id,
                 on_hand_sign=-1, reserved_sign=-1)


async def return_stock(session: AsyncSession, *, quantities: Mapping[str, int],
                       order_id: int | None) -> None:
    await _apply(session, kind=MovementKind.RETURN, quantities=quantities, order_id=order_id,
                 on_hand_sign=1, reserved_sign=0)


async def receive_stock(session: AsyncSession, *, sku: str, quantity: int, note: str = "") -> None:
    await _apply(session, kind=MovementKind.RECEIPT, quantities={sku: quantity}, order_id=None,
                 on_hand_sign=1, reserved_sign=0, note=note)

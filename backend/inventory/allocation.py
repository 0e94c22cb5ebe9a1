"""Stock moves. Each is a conditional UPDATE plus a ledger row, inside the caller's transaction.

Reservation never reads-then-writes: the WHERE clause is the check, so two buyers can't take
the same unit on SQLite or PostgreSQL. SKUs are touched in sorted order so concurrent orders
lock rows in the same order and can't deadlock on PostgreSQL.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, case, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.errors import InsufficientStock
from backend.inventory.models import Inventory, MovementKind, StockMovement

logger = logging.getLogger(__name__)

_inv = Inventory.__table__
_moves = StockMovement.__table__
# Built once: constructing statements per request costs more CPU than SQLite spends on them.
_AVAILABLE = select(_inv.c.sku, _inv.c.on_hand - _inv.c.reserved).where(
    _inv.c.sku.in_(bindparam("skus", expanding=True)))
_RECORD = insert(_moves)


@lru_cache(maxsize=128)
def _reserve_many(count: int, dialect: str):
    """One conditional UPDATE for `count` SKUs (binds s0.., q0.., now, order_id) that returns
    the SKUs it reserved (RETURNING: SQLite >= 3.35 and PostgreSQL). Each row changes only
    if `on_hand - reserved >= its quantity`; a SKU missing from the result was not reserved.

    On PostgreSQL:
    - rows lock in scan order, so with several SKUs a materialized
      `SELECT … ORDER BY sku FOR UPDATE` takes the row locks in SKU order first (no
      deadlocks); SQLite's BEGIN IMMEDIATE already serialises writers;
    - the same statement also writes the reservation's ledger rows (a data-modifying CTE
      reading the UPDATE's RETURNING), so the row locks are held for one round trip and the
      commit. SQLite has no such CTEs; allocate_stock inserts the ledger rows there.
    """
    postgres = dialect == "postgresql"
    skus = [bindparam(f"s{i}", type_=_inv.c.sku.type) for i in range(count)]
    wanted = case(*[(_inv.c.sku == skus[i], bindparam(f"q{i}", type_=_inv.c.reserved.type))
                    for i in range(count)])
    now = bindparam("now", type_=_inv.c.updated_at.type)
    stmt = update(_inv).values(reserved=_inv.c.reserved + wanted, updated_at=now)
    conditions = [_inv.c.on_hand - _inv.c.reserved >= wanted]
    if postgres and count > 1:
        locked = (select(_inv.c.sku).where(_inv.c.sku.in_(skus)).order_by(_inv.c.sku)
                  .with_for_update().cte("locked").prefix_with("MATERIALIZED"))
        conditions.append(_inv.c.sku == locked.c.sku)
    else:
        conditions.append(_inv.c.sku.in_(skus))
    stmt = stmt.where(*conditions)
    if not postgres:
        return stmt.returning(_inv.c.sku)
    reserved = stmt.returning(_inv.c.sku, wanted.label("quantity")).cte("reserved")
    ledger = insert(_moves).from_select(
        ["sku", "kind", "quantity", "on_hand_delta", "reserved_delta", "order_id", "note",
         "created_at"],
        select(reserved.c.sku, literal(MovementKind.RESERVATION, String), reserved.c.quantity,
               literal(0, Integer), reserved.c.quantity,
               bindparam("order_id", type_=_moves.c.order_id.type), literal("", String), now),
    ).cte("ledger")
    return select(reserved.c.sku).add_cte(ledger)


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
    """Reserves every SKU (one conditional UPDATE) and records the ledger rows, or raises
    InsufficientStock; the caller rolls back on error.

    On PostgreSQL the UPDATE holds its row locks until the commit, so callers reserve as
    the last step of their transaction: concurrent orders for the same product then wait
    for one statement and a commit, not for a whole order's worth of round trips.
    """
    skus = sorted(quantities)
    if delay_ms:
        # Test hook (RESERVE_DELAY_MS): a read, then a pause, then the write. A
        # read-check-write implementation would oversell here; ours must not.
        await available_for(session, skus)
        await asyncio.sleep(delay_ms / 1000)
    params: dict = {"now": utcnow(), "order_id": order_id}
    for i, sku in enumerate(skus):
        params[f"s{i}"], params[f"q{i}"] = sku, quantities[sku]
    dialect = session.bind.dialect.name
    reserved = {sku for (sku,) in await session.execute(_reserve_many(len(skus), dialect),
                                                       params)}
    short = [sku for sku in skus if sku not in reserved]
    if short:  # any ledger rows already written roll back with the caller's transaction
        available = await available_for(session, short)
        raise InsufficientStock(
            [{"sku": s, "requested": quantities[s], "available": max(available.get(s, 0), 0)}
             for s in short]
        )
    if dialect == "postgresql":
        return  # the reservation statement wrote the ledger rows
    await _record(session, [
        {"sku": sku, "kind": MovementKind.RESERVATION, "quantity": quantities[sku],
         "on_hand_delta": 0, "reserved_delta": quantities[sku], "order_id": order_id}
        for sku in skus
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

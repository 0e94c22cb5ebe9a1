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

from sqlalchemy import bindparam, case, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Product
from backend.core.base import utcnow
from backend.errors import InsufficientStock, UnknownSku
from backend.inventory.models import Inventory, MovementKind, StockMovement

logger = logging.getLogger(__name__)

_inv = Inventory.__table__
_moves = StockMovement.__table__
_products = Product.__table__
# Built once: constructing statements per request costs more CPU than SQLite spends on them.
_RESERVE = (
    update(_inv)
    .where(_inv.c.sku == bindparam("s"), _inv.c.on_hand - _inv.c.reserved >= bindparam("q"))
    .values(reserved=_inv.c.reserved + bindparam("q"), updated_at=bindparam("now"))
)
_AVAILABLE = select(_inv.c.sku, _inv.c.on_hand - _inv.c.reserved).where(
    _inv.c.sku.in_(bindparam("skus", expanding=True)))
_RECORD = insert(_moves)


def _product_column(column):
    """The active product's column for the inventory row being updated (NULL if inactive).

    Spelled out as `inventory.sku`: SQLAlchemy's SQLite compiler leaves columns in an UPDATE
    unqualified, and an unqualified `sku` inside the subquery would mean `products.sku`.
    """
    return (select(column).where(_products.c.sku == literal_column("inventory.sku"),
                                 _products.c.active.is_(True)).scalar_subquery())


@lru_cache(maxsize=64)
def _reserve_many(count: int, lock_in_order: bool):
    """One conditional UPDATE for `count` SKUs (binds s0.., q0.., now) that returns the
    reserved SKUs with their active product's name and price (RETURNING: SQLite >= 3.35 and
    PostgreSQL). Each row changes only if `on_hand - reserved >= its quantity`; a SKU missing
    from the result was not reserved.

    PostgreSQL locks rows in scan order, so with several SKUs a materialized
    `SELECT … ORDER BY sku FOR UPDATE` takes the row locks in SKU order first (no deadlocks);
    SQLite's BEGIN IMMEDIATE already serialises writers.
    """
    skus = [bindparam(f"s{i}", type_=_inv.c.sku.type) for i in range(count)]
    wanted = case(*[(_inv.c.sku == skus[i], bindparam(f"q{i}", type_=_inv.c.reserved.type))
                    for i in range(count)])
    stmt = update(_inv).values(reserved=_inv.c.reserved + wanted,
                               updated_at=bindparam("now", type_=_inv.c.updated_at.type))
    conditions = [_inv.c.on_hand - _inv.c.reserved >= wanted]
    if lock_in_order:
        locked = (select(_inv.c.sku).where(_inv.c.sku.in_(skus)).order_by(_inv.c.sku)
                  .with_for_update().cte("locked").prefix_with("MATERIALIZED"))
        conditions.append(_inv.c.sku == locked.c.sku)
    else:
        conditions.append(_inv.c.sku.in_(skus))
    return stmt.where(*conditions).returning(
        _inv.c.sku, _product_column(_products.c.name).label("name"),
        _product_column(_products.c.price_minor).label("price"))


_ACTIVE = select(_products.c.sku).where(
    _products.c.sku.in_(bindparam("skus", expanding=True)), _products.c.active.is_(True))


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


async def reserve_priced(
    session: AsyncSession, *, quantities: Mapping[str, int], delay_ms: int = 0,
) -> dict[str, tuple[str, int]]:
    """Reserves every SKU and returns {sku: (name, unit price)} of the active products.

    Raises UnknownSku (unknown or inactive products first, like a separate price read would)
    or InsufficientStock; the caller rolls back. Record the ledger rows with
    record_reservation once the order id is known.
    """
    skus = sorted(quantities)
    if delay_ms:
        await available_for(session, skus)  # the race-test hook, as in allocate_stock
        await asyncio.sleep(delay_ms / 1000)
    params: dict = {"now": utcnow()}
    for i, sku in enumerate(skus):
        params[f"s{i}"], params[f"q{i}"] = sku, quantities[sku]
    stmt = _reserve_many(len(skus), len(skus) > 1 and session.bind.dialect.name != "sqlite")
    rows = {row.sku: row for row in await session.execute(stmt, params)}
    short = [sku for sku in skus if sku not in rows]
    unknown = [sku for sku, row in rows.items() if row.price is None]
    prices = {sku: (row.name, row.price) for sku, row in rows.items()}
    if short:
        active = {s for (s,) in await session.execute(_ACTIVE, {"skus": short})}
        unknown.extend(s for s in short if s not in active)
    if unknown:
        raise UnknownSku(sorted(unknown))
    if short:
        available = await available_for(session, short)
        raise InsufficientStock(
            [{"sku": s, "requested": quantities[s], "available": max(available.get(s, 0), 0)}
             for s in short]
        )
    return prices


async def record_reservation(session: AsyncSession, *, quantities: Mapping[str, int],
                             order_id: int | None) -> None:
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

"""What goes back in a return: a customer names items and quantities (or sends the whole order).

The choice lives on the order's lines (`return_quantity`), so receiving the parcel puts back
exactly those units and the refund due is their worth.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import InvalidRequest
from backend.orders.models import OrderLine
from backend.orders.schemas import LineIn

_lines = OrderLine.__table__
_SET_RETURN = (update(_lines)
               .where(_lines.c.order_id == bindparam("oid"), _lines.c.sku == bindparam("line_sku"))
               .values(return_quantity=bindparam("qty")))


async def _ordered(session: AsyncSession, order_id: int) -> dict[str, tuple[str, int]]:
    rows = await session.execute(select(_lines.c.sku, _lines.c.name, _lines.c.quantity)
                                 .where(_lines.c.order_id == order_id))
    return {sku: (name, quantity) for sku, name, quantity in rows}


def _chosen(ordered: Mapping[str, tuple[str, int]], lines: Iterable[LineIn] | None,
            number: str, held: str = "were ordered") -> dict[str, int]:
    """The quantity going back per SKU, refusing what the order doesn't hold."""
    if lines is None:
        return {sku: quantity for sku, (_, quantity) in ordered.items()}
    wanted: Counter[str] = Counter()
    for line in lines:
        wanted[line.sku.upper()] += line.quantity
    unknown = sorted(set(wanted) - set(ordered))
    if unknown:
        held = ", ".join(f"{sku} ({name})" for sku, (name, _) in sorted(ordered.items()))
        raise InvalidRequest(f"Order {number} has no {', '.join(unknown)}; it holds {held}.",
                             skus=unknown)
    too_many = [f"{quantity} × {ordered[sku][0]} {held}, not {wanted[sku]}"
                for sku, (_, quantity) in sorted(ordered.items()) if wanted[sku] > quantity]
    if too_many:
        raise InvalidRequest(f"Can't return more than order {number} holds: "
                             + "; ".join(too_many) + ".")
    return dict(wanted)


async def mark_returned_items(session: AsyncSession, order: dict,
                              lines: Iterable[LineIn] | None) -> dict[str, int]:
    """Records which items go back (all of them when `lines` is None), inside the caller's
    transaction, and returns them; raises InvalidRequest before writing anything."""
    chosen = _chosen(await _ordered(session, order["id"]), lines, order["number"])
    await session.execute(_SET_RETURN, [{"oid": order["id"], "line_sku": sku, "qty": quantity}
                                        for sku, quantity in sorted(chosen.items())])
    return chosen


async def add_to_return(session: AsyncSession, order: dict,
                        lines: Iterable[LineIn] | None) -> dict[str, int]:
    """More of the order going back while its return is still on the way (requested, not yet
    received): the items join it, all the rest when `lines` is None. Returns what was added;
    raises InvalidRequest before writing anything."""
    going = await returned_quantities(session, order["id"])
    left = {sku: (name, quantity - going.get(sku, 0))
            for sku, (name, quantity) in (await _ordered(session, order["id"])).items()
            if quantity > going.get(sku, 0)}
    if not left:
        raise InvalidRequest(f"Everything in order {order['number']} is already being returned.")
    added = _chosen(left, lines, order["number"], held="are not being returned yet")
    await session.execute(_SET_RETURN, [
        {"oid": order["id"], "line_sku": sku, "qty": going.get(sku, 0) + quantity}
        for sku, quantity in sorted(added.items())])
    return added


async def withdraw_items(session: AsyncSession, order: Mapping) -> dict:
    """The return withdrawn before its parcel arrived: nothing goes back any more. Returns what it
    held, for the order's event."""
    withdrawn = await returned_quantities(session, order["id"])
    await session.execute(update(_lines).where(_lines.c.order_id == order["id"])
                          .values(return_quantity=0))
    return {"reason": order.get("return_reason"),
            "items": [{"sku": sku, "quantity": quantity}
                      for sku, quantity in sorted(withdrawn.items())]}


async def returned_quantities(session: AsyncSession, order_id: int) -> dict[str, int]:
    rows = await session.execute(select(_lines.c.sku, _lines.c.return_quantity).where(
        _lines.c.order_id == order_id, _lines.c.return_quantity > 0))
    return {sku: quantity for sku, quantity in rows}


def refund_due(order: Mapping, lines: Iterable[Mapping]) -> int:
    """The whole total (shipping included) when everything goes back, else the items' worth."""
    lines = list(lines)
    if lines and all(line["return_quantity"] == line["quantity"] for line in lines):
        return order["total_minor"]
    return sum(line["unit_price_minor"] * line["return_quantity"] for line in lines)

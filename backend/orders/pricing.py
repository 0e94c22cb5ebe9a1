"""Line validation and prices: turns requested lines into priced lines and totals."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Product
from backend.core.config import Settings
from backend.errors import InvalidRequest, UnknownSku
from backend.orders.schemas import LineIn

FREE_SHIPPING_FROM_MINOR = 5000
SHIPPING_FEE_MINOR = 490
_products = Product.__table__
_PRICES = select(_products.c.sku, _products.c.name, _products.c.price_minor).where(
    _products.c.sku.in_(bindparam("skus", expanding=True)), _products.c.active.is_(True))


def merge_lines(lines: list[LineIn], settings: Settings) -> dict[str, int]:
    """Sums repeated SKUs and enforces the configured per-line and per-order limits."""
    merged: Counter[str] = Counter()
    for line in lines:
        merged[line.sku.upper()] += line.quantity
    if len(merged) > settings.MAX_ORDER_LINES:
        raise InvalidRequest(f"An order can hold at most {settings.MAX_ORDER_LINES} products.")
    too_many = [f"{sku} ({q})" for sku, q in sorted(merged.items())
                if q > settings.MAX_LINE_QUANTITY]
    if too_many:
        raise InvalidRequest(
            f"Quantity must be between 1 and {settings.MAX_LINE_QUANTITY} per product; "
            f"too many: {', '.join(too_many)}.",
            max_line_quantity=settings.MAX_LINE_QUANTITY,
        )
    return dict(merged)


async def price_lines(
    session: AsyncSession, quantities: dict[str, int], keep_prices: dict[str, int] | None = None
) -> list[dict]:
    """Current prices for active products; `keep_prices` pins prices already agreed on."""
    rows = await session.execute(_PRICES, {"skus": list(quantities)})
    found = {r.sku: r for r in rows}
    unknown = sorted(set(quantities) - set(found))
    if unknown:
        raise UnknownSku(unknown)
    keep_prices = keep_prices or {}
    priced = []
    for sku in sorted(quantities):
        price = keep_prices.get(sku, found[sku].price_minor)
        priced.append({"sku": sku, "name": found[sku].name, "unit_price_minor": price,
                       "quantity": quantities[sku], "line_total_minor": price * quantities[sku]})
    return priced


def totals(priced: list[dict]) -> dict[str, int]:
    subtotal = sum(line["line_total_minor"] for line in priced)
    shipping = 0 if subtotal >= FREE_SHIPPING_FROM_MINOR else SHIPPING_FEE_MINOR
    return {"subtotal_minor": subtotal, "shipping_minor": shipping,
            "total_minor": subtotal + shipping}

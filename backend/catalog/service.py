"""Catalogue use cases: search, read, categories, and staff edits with their stock rows."""
from __future__ import annotations

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Product
from backend.catalog.schemas import ProductCreate, ProductUpdate
from backend.catalog.search import search_text, words
from backend.core.base import utcnow
from backend.errors import DuplicateSku, ErrorCode, NotFound
from backend.inventory.allocation import receive_stock
from backend.inventory.models import Inventory

_products = Product.__table__
_inv = Inventory.__table__
_available = (_inv.c.on_hand - _inv.c.reserved).label("available")


def _public_select():
    return select(_products, _available, _inv.c.low_stock_threshold, _inv.c.reorder_lead_days).join(
        _inv, _inv.c.sku == _products.c.sku)


def to_public(row) -> dict:
    available = max(row["available"], 0)
    return {k: row[k] for k in ("sku", "name", "description", "category", "price_minor",
                                "currency", "attributes", "synonyms", "active")} | {
        "available": available, "low_stock": available <= row["low_stock_threshold"],
        "restock_days": row["reorder_lead_days"] if available == 0 else None}


def _filters(q: str | None, category: str | None, min_price: int | None,
             max_price: int | None, include_inactive: bool) -> list:
    conditions = [] if include_inactive else [_products.c.active.is_(True)]
    if q:
        # Every query word must start some word of the product's search text.
        terms = [_products.c.search_text.like(f"% {w}%") for w in words(q)]
        conditions.append(or_(and_(*terms) if terms else False,
                              func.upper(_products.c.sku) == q.strip().upper()))
    if category:
        conditions.append(func.lower(_products.c.category) == category.strip().lower())
    if min_price is not None:
        conditions.append(_products.c.price_minor >= min_price)
    if max_price is not None:
        conditions.append(_products.c.price_minor <= max_price)
    return conditions


async def search_products(
    session: AsyncSession, *, q: str | None, category: str | None, min_price: int | None,
    max_price: int | None, limit: int, offset: int, include_inactive: bool = False,
) -> tuple[list[dict], int]:
    conditions = _filters(q, category, min_price, max_price, include_inactive)
    count = (await session.execute(
        select(func.count()).select_from(_products).where(*conditions))).scalar_one()
    rows = await session.execute(
        _public_select().where(*conditions).order_by(_products.c.name, _products.c.sku)
        .limit(limit).offset(offset))
    return [to_public(r) for r in rows.mappings()], count


async def get_product(session: AsyncSession, sku: str, *, include_inactive: bool = False) -> dict:
    stmt = _public_select().where(func.upper(_products.c.sku) == sku.upper())
    if not include_inactive:
        stmt = stmt.where(_products.c.active.is_(True))
    row = (await session.execute(stmt)).mappings().first()
    if row is None:
        raise NotFound(f"No product with SKU '{sku}'.", code=ErrorCode.PRODUCT_NOT_FOUND, sku=sku)
    return to_public(row)


async def list_categories(session: AsyncSession) -> list[dict]:
    rows = await session.execute(
        select(_products.c.category, func.count()).where(_products.c.active.is_(True))
        .group_by(_products.c.category).order_by(_products.c.category))
    return [{"name": name, "count": count} for name, count in rows]


async def create_product(session: AsyncSession, data: ProductCreate, currency: str) -> dict:
    sku = data.sku.upper()
    async with session.begin():
        exists = (await session.execute(
            select(_products.c.id).where(_products.c.sku == sku))).first()
        if exists:
            raise DuplicateSku(sku)
        now = utcnow()
        fields = data.model_dump(exclude={"sku", "initial_stock", "low_stock_threshold",
                                          "reorder_lead_days"})
        await session.execute(insert(_products).values(
            sku=sku, currency=currency, created_at=now, updated_at=now,
            search_text=search_text(data.name, data.category, data.synonyms, data.attributes),
            **fields))
        await session.execute(insert(_inv).values(
            sku=sku, on_hand=0, reserved=0, low_stock_threshold=data.low_stock_threshold,
            reorder_lead_days=data.reorder_lead_days, updated_at=now))
        if data.initial_stock:
            await receive_stock(session, sku=sku, quantity=data.initial_stock,
                                note="initial stock")
        return await get_product(session, sku, include_inactive=True)


async def update_product(session: AsyncSession, sku: str, data: ProductUpdate) -> dict:
    # None means "leave as is": none of these columns may be emptied.
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    stock_changes = {k: changes.pop(k) for k in ("low_stock_threshold", "reorder_lead_days")
                     if k in changes}
    async with session.begin():
        current = await get_product(session, sku, include_inactive=True)
        merged = current | changes
        changes["search_text"] = search_text(merged["name"], merged["category"],
                                             merged["synonyms"], merged["attributes"])
        await session.execute(update(_products).where(_products.c.sku == current["sku"])
                              .values(updated_at=utcnow(), **changes))
        if stock_changes:
            await session.execute(update(_inv).where(_inv.c.sku == current["sku"])
                                  .values(**stock_changes))
        return await get_product(session, current["sku"], include_inactive=True)


async def restock(session: AsyncSession, sku: str, quantity: int, note: str) -> dict:
    async with session.begin():
        current = await get_product(session, sku, include_inactive=True)
        await receive_stock(session, sku=current["sku"], quantity=quantity, note=note)
        return await stock_level(session, current["sku"])


async def stock_level(session: AsyncSession, sku: str) -> dict:
    row = (await session.execute(select(_inv).where(_inv.c.sku == sku.upper()))).mappings().first()
    if row is None:
        raise NotFound(f"No product with SKU '{sku}'.", code=ErrorCode.PRODUCT_NOT_FOUND, sku=sku)
    available = row["on_hand"] - row["reserved"]
    return {**{k: row[k] for k in ("sku", "on_hand", "reserved", "low_stock_threshold",
                                   "reorder_lead_days")},
            "available": available, "low_stock": available <= row["low_stock_threshold"]}

"""Staff catalogue edits and stock receipts."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import ReadSessionDep, SessionDep, SettingsDep, StaffDep
from backend.catalog import service
from backend.catalog.schemas import (ProductCreate, ProductPublic, ProductsPublic,
                                     ProductUpdate, Restock, StockPublic)

router = APIRouter(prefix="/staff/products", tags=["staff"])


@router.get("", response_model=ProductsPublic)
async def read_all_products(
    session: ReadSessionDep, _staff: StaffDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    data, count = await service.search_products(
        session, q=q, category=category, min_price=None, max_price=None, limit=limit,
        offset=offset, include_inactive=True)
    return {"data": data, "count": count}


@router.post("", response_model=ProductPublic, status_code=201)
async def create_product(data: ProductCreate, session: SessionDep, settings: SettingsDep,
                         _staff: StaffDep) -> dict:
    return await service.create_product(session, data, settings.CURRENCY)


@router.patch("/{sku}", response_model=ProductPublic)
async def update_product(sku: str, data: ProductUpdate, session: SessionDep,
                         _staff: StaffDep) -> dict:
    return await service.update_product(session, sku, data)


@router.post("/{sku}/restock", response_model=StockPublic)
async def restock_product(sku: str, data: Restock, session: SessionDep, _staff: StaffDep) -> dict:
    return await service.restock(session, sku, data.quantity, data.note)


@router.get("/{sku}/stock", response_model=StockPublic)
async def read_stock(sku: str, session: ReadSessionDep, _staff: StaffDep) -> dict:
    return await service.stock_level(session, sku)

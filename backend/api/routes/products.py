from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import ReadSessionDep
from backend.catalog import service
from backend.catalog.schemas import CategoriesPublic, ProductPublic, ProductsPublic

router = APIRouter(tags=["catalogue"])


@router.get("/products", response_model=ProductsPublic)
async def read_products(
    session: ReadSessionDep,
    q: Annotated[str | None, Query(max_length=200, description="words in name, synonyms, "
                                   "category or attributes; plurals are fine")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    min_price: Annotated[int | None, Query(ge=0, le=10**12, description="minor units")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=10**12, description="minor units")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    data, count = await service.search_products(
        session, q=q, category=category, min_price=min_price, max_price=max_price,
        limit=limit, offset=offset)
    return {"data": data, "count": count}


@router.get("/products/{sku}", response_model=ProductPublic)
async def read_product(session: ReadSessionDep, sku: str) -> dict:
    return await service.get_product(session, sku)


@router.get("/categories", response_model=CategoriesPublic)
async def read_categories(session: ReadSessionDep) -> dict:
    data = await service.list_categories(session)
    return {"data": data, "count": len(data)}

"""Catalogue request and response shapes."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backend.orders.schemas import SKU_PATTERN


class ProductBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    category: str = Field(min_length=1, max_length=100)
    price_minor: int = Field(ge=0, le=100_000_000)
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=50)
    synonyms: list[str] = Field(default_factory=list, max_length=50)
    active: bool = True


class ProductCreate(ProductBase):
    sku: str = Field(pattern=SKU_PATTERN)
    initial_stock: int = Field(default=0, ge=0, le=1_000_000)
    low_stock_threshold: int = Field(default=5, ge=0, le=1_000_000)
    reorder_lead_days: int = Field(default=7, ge=0, le=365)


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    price_minor: int | None = Field(default=None, ge=0, le=100_000_000)
    attributes: dict[str, str | int | float | bool] | None = Field(default=None, max_length=50)
    synonyms: list[str] | None = Field(default=None, max_length=50)
    active: bool | None = None
    low_stock_threshold: int | None = Field(default=None, ge=0, le=1_000_000)
    reorder_lead_days: int | None = Field(default=None, ge=0, le=365)


class Restock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=1, le=1_000_000)
    note: str = Field(default="", max_length=500)


class ProductPublic(BaseModel):
    sku: str
    name: str
    description: str
    category: str
    price_minor: int
    currency: str
    attributes: dict
    synonyms: list[str]
    active: bool
    available: int
    low_stock: bool
    restock_days: int | None = Field(
        default=None, description="out of stock only: the usual days until it is back (its reorder lead time)")


class ProductsPublic(BaseModel):
    data: list[ProductPublic]
    count: int


class StockPublic(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int
    reorder_lead_days: int
    low_stock: bool


class CategoryPublic(BaseModel):
    name: str
    count: int


class CategoriesPublic(BaseModel):
    data: list[CategoryPublic]
    count: int

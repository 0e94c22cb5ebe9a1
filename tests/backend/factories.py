"""Builds test data through the real API (no shortcuts into the database)."""
from __future__ import annotations

import uuid

import httpx

from tests.backend.servers import BOT_TOKEN, STAFF_TOKEN

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
ADDRESS = {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
           "postal_code": "D02 X285", "country": "IE"}


def unique(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def bot(identity: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {BOT_TOKEN}",
            "X-Channel-Identity": identity or f"telegram:{uuid.uuid4().int % 10**9}"}


def product_body(stock: int = 5, price: int = 1000, **extra) -> dict:
    return {"sku": unique("SKU"), "name": "Test Mug", "category": "Mugs", "price_minor": price,
            "initial_stock": stock, **extra}


def order_body(*lines: tuple[str, int], email: str = "ada@example.com", **extra) -> dict:
    return {"lines": [{"sku": s, "quantity": q} for s, q in lines],
            "shipping_address": dict(ADDRESS), "contact_email": email, **extra}


async def create_product(client: httpx.AsyncClient, stock: int = 5, **extra) -> dict:
    response = await client.post("/api/v1/staff/products", json=product_body(stock, **extra),
                                 headers=STAFF)
    assert response.status_code == 201, response.text
    return response.json()


async def create_order(client: httpx.AsyncClient, identity: str, *lines: tuple[str, int],
                       **extra) -> dict:
    response = await client.post("/api/v1/orders", json=order_body(*lines, **extra),
                                 headers=bot(identity))
    assert response.status_code == 201, response.text
    return response.json()


async def stock(client: httpx.AsyncClient, sku: str) -> dict:
    response = await client.get(f"/api/v1/staff/products/{sku}/stock", headers=STAFF)
    assert response.status_code == 200, response.text
    return response.json()


async def reconciliation(client: httpx.AsyncClient) -> dict:
    response = await client.get("/api/v1/staff/inventory/reconciliation", headers=STAFF)
    assert response.status_code == 200, response.text
    return response.json()

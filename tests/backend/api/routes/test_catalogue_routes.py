"""Public catalogue reads and staff catalogue edits."""
from __future__ import annotations

from tests.backend.factories import STAFF, create_product, stock, unique


async def test_read_product_public_shape(client):
    product = await create_product(client, stock=7, price=1290,
                                   attributes={"colour": "red"}, synonyms=["cup"])
    response = await client.get(f"/api/v1/products/{product['sku']}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"sku", "name", "description", "category", "price_minor", "currency",
                         "attributes", "synonyms", "active", "available", "low_stock", "restock_days"}
    assert body["available"] == 7 and body["price_minor"] == 1290 and body["currency"] == "EUR"
    assert body["low_stock"] is False and body["restock_days"] is None  # only said when out of stock


async def test_an_out_of_stock_product_says_when_it_is_usually_back(client):
    product = await create_product(client, stock=0, price=990)
    body = (await client.get(f"/api/v1/products/{product['sku']}")).json()
    assert body["available"] == 0 and body["restock_days"] == 7  # the default reorder lead time


async def test_read_product_unknown_is_problem_json(client):
    response = await client.get("/api/v1/products/NOPE-123")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "product_not_found"


async def test_search_products_plural_and_case(client):
    word = unique("Zorb").split("-")[1].lower()  # a word no other product has
    product = await create_product(client, name=f"{word.capitalize()} Mug", synonyms=["beaker"])
    for q in (f"{word}s", word.upper(), f"{word} mugs", "beakers"):
        response = await client.get("/api/v1/products", params={"q": q, "limit": 100})
        skus = [p["sku"] for p in response.json()["data"]]
        assert product["sku"] in skus, q


async def test_search_products_filters_price_and_category(client):
    category = unique("Cat")
    cheap = await create_product(client, category=category, price=500)
    dear = await create_product(client, category=category, price=5000)
    response = await client.get("/api/v1/products", params={
        "category": category.lower(), "max_price": 1000})
    body = response.json()
    assert body["count"] == 1 and body["data"][0]["sku"] == cheap["sku"]
    response = await client.get("/api/v1/products",
                                params={"category": category, "min_price": 1000})
    assert [p["sku"] for p in response.json()["data"]] == [dear["sku"]]


async def test_read_categories_counts(client):
    category = unique("Cat")
    await create_product(client, category=category)
    await create_product(client, category=category)
    data = (await client.get("/api/v1/categories")).json()["data"]
    assert {"name": category, "count": 2} in data


async def test_create_product_needs_staff_token(client):
    response = await client.post("/api/v1/staff/products", json={"sku": "X-1"},
                                 headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_create_product_duplicate_sku_conflict(client):
    product = await create_product(client)
    body = {"sku": product["sku"], "name": "Again", "category": "Mugs", "price_minor": 1}
    response = await client.post("/api/v1/staff/products", json=body, headers=STAFF)
    assert response.status_code == 409 and response.json()["code"] == "duplicate_sku"


async def test_update_product_inactive_hides_it(client):
    product = await create_product(client)
    response = await client.patch(f"/api/v1/staff/products/{product['sku']}",
                                  json={"active": False, "price_minor": 990}, headers=STAFF)
    assert response.status_code == 200 and response.json()["price_minor"] == 990
    assert (await client.get(f"/api/v1/products/{product['sku']}")).status_code == 404


async def test_restock_product_adds_receipt(client):
    product = await create_product(client, stock=2)
    response = await client.post(f"/api/v1/staff/products/{product['sku']}/restock",
                                 json={"quantity": 8, "note": "PO-1"}, headers={
                                     "X-Api-Key": STAFF["Authorization"].split()[1]})
    assert response.status_code == 200
    assert (await stock(client, product["sku"]))["on_hand"] == 10


async def test_health_reports_database(client):
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": "ok"}

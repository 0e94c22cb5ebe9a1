"""The backend's delivery area: orders and address changes to a country we don't serve, or to a
place inside one that is outside the EU/UK VAT area, are refused with address_not_served and
write nothing; addresses across the area are accepted. Over HTTP against the real app."""
from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import ValidationError

from backend.core.config import Settings
from tests.backend.factories import ADDRESS, STAFF, bot, create_order, create_product, order_body, stock

NEW_YORK = {"name": "John Smith", "line1": "350 Fifth Avenue", "city": "New York",
            "postal_code": "10118", "country": "US"}
LAS_PALMAS = {"name": "Carmen Ruiz", "line1": "Calle Triana 12", "city": "Las Palmas de Gran Canaria",
              "postal_code": "35002", "country": "ES"}
JERSEY = {"name": "Tom Le Brun", "line1": "5 King Street", "city": "St Helier",
          "postal_code": "JE2 3AB", "country": "GB"}
REFUSED = [pytest.param(NEW_YORK, {"country": "US"}, "US", id="US"),
           pytest.param(LAS_PALMAS, {"country": "ES", "area": "the Canary Islands"},
                        "the Canary Islands", id="Las Palmas"),
           pytest.param(JERSEY, {"country": "GB", "area": "Jersey"}, "Jersey", id="Jersey")]
ACCEPTED = [
    pytest.param(ADDRESS, id="IE"),
    pytest.param({"name": "Max Muster", "line1": "Hauptstrasse 5", "city": "Berlin",
                  "postal_code": "10115", "country": "DE"}, id="DE"),
    pytest.param({"name": "Tom Hardy", "line1": "12 Baker Street", "city": "London",
                  "postal_code": "NW1 6XE", "country": "GB"}, id="GB London"),
    pytest.param({"name": "Anna Meier", "line1": "Bahnhofstrasse 1", "city": "Zürich",
                  "postal_code": "8001", "country": "CH"}, id="CH"),
    pytest.param({"name": "Kari Nordmann", "line1": "Bryggen 3", "city": "Bergen",
                  "postal_code": "5003", "country": "NO"}, id="NO"),
]


def me() -> str:
    return f"web:{uuid.uuid4().hex}"


async def all_orders_count(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/v1/staff/orders", headers=STAFF, params={"limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["count"]


def assert_not_served(response: httpx.Response, members: dict, named: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "address_not_served", body
    assert {key: body.get(key) for key in members} == members
    assert named in body["detail"], body["detail"]


@pytest.mark.parametrize(("address", "members", "named"), REFUSED)
async def test_order_outside_the_area_is_refused_and_writes_nothing(client, address, members, named):
    product = await create_product(client, stock=5)
    who, before = me(), await all_orders_count(client)
    response = await client.post("/api/v1/orders", headers=bot(who),
                                 json={**order_body((product["sku"], 2)), "shipping_address": address})
    assert_not_served(response, members, named)
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 0
    assert await all_orders_count(client) == before
    assert (await stock(client, product["sku"]))["reserved"] == 0


@pytest.mark.parametrize(("address", "members", "named"), REFUSED)
async def test_returning_customer_order_outside_the_area_is_refused(client, address, members, named):
    # A returning customer takes PostgreSQL's one-statement placement: refused before it too.
    product = await create_product(client, stock=5)
    who = me()
    await create_order(client, who, (product["sku"], 1))
    response = await client.post("/api/v1/orders", headers=bot(who),
                                 json={**order_body((product["sku"], 2)), "shipping_address": address})
    assert_not_served(response, members, named)
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 1
    assert (await stock(client, product["sku"]))["reserved"] == 1


@pytest.mark.parametrize("staff", [False, True], ids=["customer", "staff"])
@pytest.mark.parametrize(("address", "members", "named"), REFUSED)
async def test_address_change_outside_the_area_is_refused_and_writes_nothing(
        client, address, members, named, staff):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 1))
    number = order["number"]
    url, headers = ((f"/api/v1/staff/orders/{number}/address", STAFF) if staff
                    else (f"/api/v1/orders/{number}/address", bot(who)))
    response = await client.put(url, headers=headers, json={"shipping_address": address})
    assert_not_served(response, members, named)
    after = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    assert after["shipping_address"] == order["shipping_address"]
    assert after["updated_at"] == order["updated_at"]
    assert [event["kind"] for event in after["events"]] == ["created"]


@pytest.mark.parametrize("address", ACCEPTED)
async def test_addresses_in_the_area_are_accepted(client, address):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 1), shipping_address=address)
    assert order["shipping_address"]["country"] == address["country"]
    moved = await client.put(f"/api/v1/orders/{order['number']}/address", headers=bot(who),
                             json={"shipping_address": {**address, "line1": "1 New Road"}})
    assert moved.status_code == 200, moved.text
    assert moved.json()["shipping_address"]["line1"] == "1 New Road"


@pytest.mark.parametrize(("country", "postal_code", "area"), [
    ("ES", "38001", "the Canary Islands"), ("ES", "51001", "Ceuta"), ("ES", "52001", "Melilla"),
    ("FR", "97200", "France's overseas departments and territories"),
    ("FR", "98800", "France's overseas departments and territories"),
    ("FI", "AX-22100", "Åland"), ("FI", "22100", "Åland"), ("GB", "GX11 1AA", "Gibraltar"),
    ("GB", "gy1 1aa", "Guernsey"), ("DE", "27498", "Heligoland"), ("DE", "78266", "Büsingen"),
    ("IT", "22061", "Campione d'Italia"), ("IT", "23041", "Livigno"),
    ("GR", "630 86", "Mount Athos"),
])
async def test_every_excluded_area_is_refused_by_postcode(client, country, postal_code, area):
    product = await create_product(client, stock=5)
    address = {**ADDRESS, "postal_code": postal_code, "country": country}
    response = await client.post("/api/v1/orders", headers=bot(me()),
                                 json={**order_body((product["sku"], 1)), "shipping_address": address})
    assert_not_served(response, {"country": country, "area": area}, area)


@pytest.mark.parametrize(("country", "postal_code"), [
    ("ES", "28013"), ("FR", "75001"), ("FI", "00100"), ("GB", "IM1 1AA"), ("DE", "27499"),
    ("IT", "20121"), ("GR", "10431")])
async def test_postcodes_near_the_excluded_areas_are_accepted(client, country, postal_code):
    product = await create_product(client, stock=5)
    await create_order(client, me(), (product["sku"], 1),
                       shipping_address={**ADDRESS, "postal_code": postal_code, "country": country})


async def test_the_served_countries_come_from_the_setting(db_kind, databases):
    from backend.core.db import dispose
    from backend.main import create_app

    app = create_app(Settings(**databases.get(db_kind), DELIVERY_COUNTRIES="ie, gb"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            product = await create_product(client, stock=5)
            await create_order(client, me(), (product["sku"], 1))  # IE
            german = {**ADDRESS, "city": "Berlin", "postal_code": "10115", "country": "DE"}
            response = await client.post("/api/v1/orders", headers=bot(me()), json={
                **order_body((product["sku"], 1)), "shipping_address": german})
            assert_not_served(response, {"country": "DE", "served_countries": ["GB", "IE"]}, "DE")
    finally:
        await dispose(app.state.engine, app.state.sessionmaker)


@pytest.mark.parametrize("value", ["", "IE,USA", "IE;DE"])
def test_the_setting_takes_only_country_codes(value):
    with pytest.raises(ValidationError, match="DELIVERY_COUNTRIES"):
        Settings(DELIVERY_COUNTRIES=value)

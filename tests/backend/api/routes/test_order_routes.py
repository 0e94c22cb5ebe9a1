"""Customer order routes: create, idempotency, validation, visibility, changes."""
from __future__ import annotations

import uuid

import pytest

from tests.backend.factories import (ADDRESS, STAFF, bot, create_order, create_product,
                                     order_body, reconciliation, stock)


def me() -> str:
    return f"web:{uuid.uuid4().hex}"


async def test_create_order_reserves_stock(client):
    product = await create_product(client, stock=5, price=1290)
    order = await create_order(client, me(), (product["sku"], 2))
    assert order["status"] == "pending" and order["number"].startswith("OB-")
    assert order["subtotal_minor"] == 2580 and order["shipping_minor"] == 490
    assert order["total_minor"] == 3070 and order["channel"] == "web"
    assert order["next_statuses"] == ["cancelled", "confirmed"] and order["editable"]
    level = await stock(client, product["sku"])
    assert (level["on_hand"], level["reserved"], level["available"]) == (5, 2, 3)


async def test_create_order_insufficient_stock_names_items_and_writes_nothing(client):
    plenty = await create_product(client, stock=10)
    scarce = await create_product(client, stock=1)
    who = me()
    response = await client.post("/api/v1/orders", headers=bot(who), json=order_body(
        (plenty["sku"], 3), (scarce["sku"], 2)))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["items"] == [{"sku": scarce["sku"], "requested": 2, "available": 1}]
    assert scarce["sku"] in body["detail"]
    assert (await stock(client, plenty["sku"]))["reserved"] == 0
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 0


@pytest.mark.parametrize("mutate, field", [
    (lambda b: b["lines"][0].update(quantity=0), "lines.0.quantity"),
    (lambda b: b["lines"][0].update(quantity=21), None),  # over MAX_LINE_QUANTITY (20)
    (lambda b: b.update(lines=[]), "lines"),
    (lambda b: b["shipping_address"].update(country="Ireland"), "shipping_address.country"),
    (lambda b: b["shipping_address"].pop("line1"), "shipping_address.line1"),
    (lambda b: b.update(contact_email="not-an-email"), "contact_email"),
    (lambda b: b.pop("contact_email"), None),  # neither email nor phone
    (lambda b: b.update(surprise=1), "surprise"),
])
async def test_create_order_bad_input_is_422_and_changes_nothing(client, mutate, field):
    product = await create_product(client, stock=30)
    who = me()
    body = order_body((product["sku"], 1))
    mutate(body)
    response = await client.post("/api/v1/orders", json=body, headers=bot(who))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_error" and problem["detail"]
    if field:
        assert field in [e["field"] for e in problem["errors"]]
    assert (await stock(client, product["sku"]))["reserved"] == 0
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 0


async def test_create_order_unknown_sku(client):
    response = await client.post("/api/v1/orders", headers=bot(me()),
                                 json=order_body(("NO-SUCH-SKU", 1)))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_sku" and response.json()["skus"] == ["NO-SUCH-SKU"]


async def test_create_order_prices_each_line_from_its_own_product(client):
    # The reservation UPDATE returns the prices; each line must get its own product's.
    products = [await create_product(client, stock=9, price=price, name=f"Mug {price}")
                for price in (300, 1250, 4100)]
    order = await create_order(client, me(), *[(p["sku"], 2) for p in products])
    got = {line["sku"]: (line["name"], line["unit_price_minor"], line["line_total_minor"])
           for line in order["lines"]}
    assert got == {p["sku"]: (p["name"], p["price_minor"], 2 * p["price_minor"])
                   for p in products}
    assert order["subtotal_minor"] == 2 * (300 + 1250 + 4100)


async def test_create_order_inactive_sku_is_unknown_and_writes_nothing(client):
    plenty = await create_product(client, stock=10)
    inactive = await create_product(client, stock=10, active=False)
    scarce = await create_product(client, stock=1)
    who = me()
    response = await client.post("/api/v1/orders", headers=bot(who), json=order_body(
        (plenty["sku"], 1), (inactive["sku"], 1), (scarce["sku"], 5)))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "unknown_sku"
    assert response.json()["skus"] == [inactive["sku"]]
    for product in (plenty, inactive, scarce):
        assert (await stock(client, product["sku"]))["reserved"] == 0
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 0


async def test_create_order_body_too_large_is_413(client):
    body = order_body(("X", 1), email="a" * 70000 + "@example.com")
    response = await client.post("/api/v1/orders", json=body, headers=bot(me()))
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


async def test_create_order_chunked_body_too_large_is_413(client):
    async def chunks():
        yield b'{"lines": [], "padding": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'
    headers = {**bot(me()), "Content-Type": "application/json"}
    response = await client.post("/api/v1/orders", content=chunks(), headers=headers)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("headers", [
    {"X-Channel-Identity": "telegram:1"},
    {"Authorization": "Bearer test-bot-token"},
    {"Authorization": "Bearer test-bot-token", "X-Channel-Identity": "fax:1"},
])
async def test_create_order_needs_bot_token_and_identity(client, headers):
    response = await client.post("/api/v1/orders", json=order_body(("X", 1)), headers=headers)
    assert response.status_code in (400, 401)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_create_order_idempotent_retry_returns_same_order(client):
    product = await create_product(client, stock=5)
    who, key = me(), uuid.uuid4().hex
    headers = {**bot(who), "Idempotency-Key": key}
    body = order_body((product["sku"], 2))
    first = await client.post("/api/v1/orders", json=body, headers=headers)
    again = await client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["number"] == again.json()["number"]
    assert (await stock(client, product["sku"]))["reserved"] == 2
    assert (await client.get("/api/v1/orders", headers=bot(who))).json()["count"] == 1
    other = await client.post("/api/v1/orders", json=order_body((product["sku"], 1)),
                              headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


async def test_read_order_other_customer_needs_verification(client):
    product = await create_product(client, stock=5)
    order = await create_order(client, me(), (product["sku"], 1), email="owner@example.com",
                               contact_phone="+353 85 123 4567")
    url = f"/api/v1/orders/{order['number']}"
    stranger = bot(me())
    assert (await client.get(url, headers=stranger)).status_code == 404
    wrong = await client.get(url, headers=stranger, params={"email": "x@example.com"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "order_not_found"
    by_email = await client.get(url, headers=stranger, params={"email": "OWNER@example.com"})
    assert by_email.status_code == 200 and by_email.json()["number"] == order["number"]
    by_phone = await client.get(url, headers=stranger, params={"phone": "085 1234567"})
    assert by_phone.status_code == 200


async def test_cancel_order_of_other_customer_refused(client):
    product = await create_product(client, stock=5)
    order = await create_order(client, me(), (product["sku"], 1))
    response = await client.post(f"/api/v1/orders/{order['number']}/cancel", headers=bot(me()))
    assert response.status_code == 404
    assert (await stock(client, product["sku"]))["reserved"] == 1


async def test_read_my_orders_and_last(client):
    product = await create_product(client, stock=5)
    who = me()
    assert (await client.get("/api/v1/orders/last", headers=bot(who))).status_code == 404
    first = await create_order(client, who, (product["sku"], 1))
    last = await create_order(client, who, (product["sku"], 2))
    mine = (await client.get("/api/v1/orders", headers=bot(who))).json()
    assert mine["count"] == 2 and {o["number"] for o in mine["data"]} == {
        first["number"], last["number"]}
    latest = (await client.get("/api/v1/orders/last", headers=bot(who))).json()
    assert latest["number"] == last["number"]


async def test_last_order_skips_drafts_cancelled_before_confirmation(client):
    # A summary declined in chat is not "my last order"; a confirmed order cancelled later is.
    product = await create_product(client, stock=9)
    who = me()
    real = await create_order(client, who, (product["sku"], 1))
    assert (await client.post(f"/api/v1/orders/{real['number']}/confirm", headers=bot(who))).status_code == 200
    draft = await create_order(client, who, (product["sku"], 1))
    assert (await client.post(f"/api/v1/orders/{draft['number']}/cancel", headers=bot(who))).status_code == 200
    assert (await client.get("/api/v1/orders/last", headers=bot(who))).json()["number"] == real["number"]
    assert (await client.post(f"/api/v1/orders/{real['number']}/cancel", headers=bot(who))).status_code == 200
    assert (await client.get("/api/v1/orders/last", headers=bot(who))).json()["number"] == real["number"]
    only_draft = me()
    declined = await create_order(client, only_draft, (product["sku"], 1))
    await client.post(f"/api/v1/orders/{declined['number']}/cancel", headers=bot(only_draft))
    assert (await client.get("/api/v1/orders/last", headers=bot(only_draft))).status_code == 404


async def test_cancel_order_releases_stock(client):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 3))
    response = await client.post(f"/api/v1/orders/{order['number']}/cancel", headers=bot(who),
                                 json={"reason": "changed my mind"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "changed my mind"
    assert (await stock(client, product["sku"]))["reserved"] == 0
    assert (await reconciliation(client))["ok"]


async def test_change_items_rechecks_stock(client):
    a = await create_product(client, stock=5)
    b = await create_product(client, stock=2)
    who = me()
    order = await create_order(client, who, (a["sku"], 2))
    url = f"/api/v1/orders/{order['number']}/items"
    refused = await client.put(url, headers=bot(who), json={"lines": [
        {"sku": a["sku"], "quantity": 1}, {"sku": b["sku"], "quantity": 3}]})
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    assert (await stock(client, a["sku"]))["reserved"] == 2
    changed = await client.put(url, headers=bot(who), json={"lines": [
        {"sku": a["sku"], "quantity": 1}, {"sku": b["sku"], "quantity": 2}]})
    assert changed.status_code == 200
    assert {(line["sku"], line["quantity"]) for line in changed.json()["lines"]} == {
        (a["sku"], 1), (b["sku"], 2)}
    assert (await stock(client, a["sku"]))["reserved"] == 1
    assert (await stock(client, b["sku"]))["reserved"] == 2
    assert (await reconciliation(client))["ok"]
    events = (await client.get(f"/api/v1/staff/orders/{order['number']}",
                               headers=STAFF)).json()["events"]
    assert [e["kind"] for e in events] == ["created", "items_changed"]
    assert events[-1]["actor"] == f"customer:{who}" and events[-1]["channel"] == "web"


async def test_change_address_before_and_after_shipping(client):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 1))
    url = f"/api/v1/orders/{order['number']}/address"
    new = {**ADDRESS, "line1": "1 New Road", "city": "Cork"}
    response = await client.put(url, headers=bot(who), json={"shipping_address": new})
    assert response.status_code == 200 and response.json()["shipping_address"]["city"] == "Cork"
    staff_url = f"/api/v1/staff/orders/{order['number']}/transition"
    for status in ("confirmed", "processing"):
        assert (await client.post(staff_url, headers=STAFF, json={"status": status})).is_success
    shipped = await client.post(staff_url, headers=STAFF, json={
        "status": "shipped", "carrier": "DHL", "tracking_number": "TRK1",
        "estimated_delivery": "2030-01-02"})
    assert shipped.status_code == 200 and shipped.json()["tracking_number"] == "TRK1"
    late = await client.put(url, headers=bot(who), json={"shipping_address": ADDRESS})
    assert late.status_code == 409 and late.json()["code"] == "order_locked"


async def test_return_and_refund_flow(client):
    product = await create_product(client, stock=5, price=6000)
    who = me()
    order = await create_order(client, who, (product["sku"], 1))
    number = order["number"]
    staff_url = f"/api/v1/staff/orders/{number}/transition"
    assert (await client.post(f"/api/v1/orders/{number}/confirm", headers=bot(who))).is_success
    for body in ({"status": "processing"},
                 {"status": "shipped", "carrier": "DPD", "tracking_number": "T9"},
                 {"status": "delivered"}):
        assert (await client.post(staff_url, headers=STAFF, json=body)).is_success
    returned = await client.post(f"/api/v1/orders/{number}/return", headers=bot(who),
                                 json={"reason": "wrong colour"})
    assert returned.json()["refund"]["status"] == "return_requested"
    assert (await client.post(staff_url, headers=STAFF, json={"status": "returned"})).is_success
    refunded = await client.post(staff_url, headers=STAFF, json={"status": "refunded"})
    assert refunded.json()["refund"] == {"status": "refunded", "due_minor": 6000, "amount_minor": 6000,
                                         "refunded_at": refunded.json()["refund"]["refunded_at"]}
    level = await stock(client, product["sku"])
    assert (level["on_hand"], level["reserved"]) == (5, 0)  # shipped, then restocked on return
    assert (await reconciliation(client))["ok"]


async def test_staff_ship_without_tracking_refused(client):
    product = await create_product(client, stock=5)
    order = await create_order(client, me(), (product["sku"], 1))
    url = f"/api/v1/staff/orders/{order['number']}/transition"
    for status in ("confirmed", "processing"):
        await client.post(url, headers=STAFF, json={"status": status})
    response = await client.post(url, headers=STAFF, json={"status": "shipped"})
    assert response.status_code == 422 and "tracking_number" in response.json()["detail"]


async def test_change_contact_replaces_what_is_given_until_the_order_ships(client):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 1))
    url = f"/api/v1/orders/{order['number']}/contact"
    response = await client.patch(url, headers=bot(who), json={"contact_phone": "+49 170 1234567"})
    assert response.status_code == 200, response.text
    assert (response.json()["contact_email"], response.json()["contact_phone"]) == (
        order["contact_email"], "+49 170 1234567")
    response = await client.patch(url, headers=bot(who), json={"contact_email": "ada.new@example.com"})
    assert (response.json()["contact_email"], response.json()["contact_phone"]) == (
        "ada.new@example.com", "+49 170 1234567")
    events = (await client.get(f"/api/v1/staff/orders/{order['number']}", headers=STAFF)).json()["events"]
    assert [e["kind"] for e in events] == ["created", "contact_changed", "contact_changed"]
    assert events[-1]["detail"]["after"]["contact_email"] == "ada.new@example.com"
    assert events[-1]["actor"] == f"customer:{who}"
    staff_url = f"/api/v1/staff/orders/{order['number']}/transition"
    for body in ({"status": "confirmed"}, {"status": "processing"},
                 {"status": "shipped", "carrier": "DHL", "tracking_number": "TRK2"}):
        assert (await client.post(staff_url, headers=STAFF, json=body)).is_success
    late = await client.patch(url, headers=bot(who), json={"contact_email": "late@example.com"})
    assert late.status_code == 409 and late.json()["code"] == "order_locked"
    assert late.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("body", [{}, {"contact_email": "not-an-email"}, {"contact_phone": "call me"},
                                  {"contact_email": "a@example.com", "surprise": 1}])
async def test_change_contact_bad_input_is_422(client, body):
    product = await create_product(client, stock=5)
    who = me()
    order = await create_order(client, who, (product["sku"], 1))
    response = await client.patch(f"/api/v1/orders/{order['number']}/contact", headers=bot(who), json=body)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


async def test_change_contact_of_someone_elses_order_is_not_found(client):
    product = await create_product(client, stock=5)
    order = await create_order(client, me(), (product["sku"], 1))
    response = await client.patch(f"/api/v1/orders/{order['number']}/contact", headers=bot(me()),
                                  json={"contact_email": "thief@example.com"})
    assert response.status_code == 404 and response.json()["code"] == "order_not_found"

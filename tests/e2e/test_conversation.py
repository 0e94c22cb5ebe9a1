"""A message to Rasa's REST webhook is answered by a custom action that read the live backend."""
from __future__ import annotations

import json
import sqlite3
import uuid

import httpx
import pytest

pytestmark = pytest.mark.live


def say(url: str, sender: str, text: str) -> list[dict]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return response.json()


def backend_products(stack, query: str) -> list[dict]:
    response = httpx.get(f"{stack.backend.url}/api/v1/products", params={"q": query}, timeout=10)
    response.raise_for_status()
    return response.json()["data"]


def test_conversation_catalogue_answer_comes_from_backend(stack):
    replies = say(stack.rasa.url, f"web:{uuid.uuid4().hex}", "what do you sell?")
    categories = httpx.get(f"{stack.backend.url}/api/v1/categories", timeout=10).json()["data"]
    text = " ".join(reply.get("text", "") for reply in replies)
    assert categories, "the demo catalogue has categories"
    for category in categories:
        assert category["name"] in text


def test_conversation_product_price_and_stock_come_from_backend(stack):
    mugs = backend_products(stack, "mug")
    assert mugs, "the demo catalogue sells mugs"
    replies = say(stack.rasa.url, f"web:{uuid.uuid4().hex}", "do you have mugs? how much are they")
    text = " ".join(reply.get("text", "") for reply in replies)
    assert mugs[0]["name"] in text
    assert f"{mugs[0]['price_minor'] / 100:,.2f}" in text


def test_conversation_through_gateway_webchat(stack):
    session = uuid.uuid4().hex
    response = httpx.post(f"{stack.gateway.url}/webchat/messages",
                          json={"session_id": session, "text": "hello"}, timeout=60)
    assert response.status_code == 200
    replies = response.json()["replies"]
    assert replies and replies[0]["text"]
    assert "error" not in replies[0]


def test_conversation_is_stored_in_sql_tracker_store(stack, tmp_path_factory):
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "hi")
    database = stack.rasa.env["RASA_TRACKER_DB"]
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    assert [json.loads(data)["text"] for (data,) in rows] == ["hi"]


def place_order_for(stack, sender: str) -> dict:
    response = httpx.post(
        f"{stack.backend.url}/api/v1/orders",
        headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender},
        json={"lines": [{"sku": "MUG-CER-GRN", "quantity": 2}], "contact_email": "ada@example.com",
              "shipping_address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                                   "postal_code": "D02 X285", "country": "IE"}},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_conversation_tracks_last_order(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    text = " ".join(r.get("text", "") for r in say(stack.rasa.url, sender, "where is my order?"))
    assert number in text
    assert "waiting for your confirmation" in text


def test_conversation_cancel_after_yes_releases_stock(stack):
    sender = f"web:{uuid.uuid4().hex}"
    available = lambda: httpx.get(f"{stack.backend.url}/api/v1/products/MUG-CER-GRN").json()["available"]
    before = available()
    number = place_order_for(stack, sender)["number"]
    question = say(stack.rasa.url, sender, "please cancel my order")
    assert number in question[0]["text"]
    assert [b["payload"] for b in question[0]["buttons"]] == ["/affirm", "/deny"]
    done = say(stack.rasa.url, sender, "/affirm")
    assert "is cancelled" in done[0]["text"]
    order = httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}",
                      headers={"Authorization": "Bearer dev-staff-token"}).json()
    assert order["status"] == "cancelled"
    assert available() == before

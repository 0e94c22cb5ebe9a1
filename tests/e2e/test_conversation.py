"""A message to Rasa's REST webhook is answered by a custom action that read the live backend."""
from __future__ import annotations

import json
import re
import sqlite3
import uuid

import httpx
import pytest

pytestmark = pytest.mark.live


def say(url: str, sender: str, text: str) -> list[dict]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return response.json()


def placed_order(stack, sender: str) -> dict:
    """Says "yes" to the order summary; the order it placed, as staff see it."""
    placed = say(stack.rasa.url, sender, "yes")
    [number] = re.findall(r"OB-[0-9A-Z]{8}", placed[0]["text"])
    return httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}",
                     headers={"Authorization": "Bearer dev-staff-token"}).json()


def my_orders(stack, sender: str) -> dict:
    return httpx.get(f"{stack.backend.url}/api/v1/orders",
                     headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender}).json()


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
    # Many live tests buy green mugs from one seeded stock: receive two more for this order.
    restocked = httpx.post(f"{stack.backend.url}/api/v1/staff/products/MUG-CER-GRN/restock",
                           headers={"Authorization": "Bearer dev-staff-token"},
                           json={"quantity": 2, "note": "e2e top-up"}, timeout=10)
    assert restocked.status_code == 200, restocked.text
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


def test_conversation_adding_to_my_order_changes_the_placed_one(stack):
    """The NLU reads "add 2 red mugs to my order" as ordering; with an order placed, that order
    changes (after its own summary and "yes") instead of a second order starting."""
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    summary = say(stack.rasa.url, sender, "please add 2 red mugs to my order")[-1]["text"]
    assert f"Order {number} would then be" in summary and "2 × Ceramic Mug Red" in summary
    assert f"order {number} is changed" in say(stack.rasa.url, sender, "yes")[0]["text"]
    order = httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}",
                      headers={"Authorization": "Bearer dev-staff-token"}).json()
    assert sorted((line["sku"], line["quantity"]) for line in order["lines"]) == [
        ("MUG-CER-GRN", 2), ("MUG-CER-RED", 2)]
    assert my_orders(stack, sender)["count"] == 1


def test_conversation_follow_up_right_after_placing_changes_that_order(stack):
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "I'd like to order 2 blue mugs")
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    say(stack.rasa.url, sender, "ada@example.com")
    number = placed_order(stack, sender)["number"]
    summary = say(stack.rasa.url, sender, "oh and throw in 2 red mugs too")[-1]["text"]
    assert f"Order {number} would then be" in summary and "2 × Ceramic Mug Red" in summary
    assert f"order {number} is changed" in say(stack.rasa.url, sender, "yes")[0]["text"]
    assert my_orders(stack, sender)["count"] == 1


def test_conversation_cancel_while_ordering_leaves_the_order_being_made(stack):
    """"cancel" at the address question leaves the order being made; a placed order stays."""
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    say(stack.rasa.url, sender, "I'd like to order 2 blue mugs")
    assert "stopped" in say(stack.rasa.url, sender, "please cancel the order")[0]["text"]
    assert my_orders(stack, sender)["count"] == 1
    assert any(number in r.get("text", "") for r in say(stack.rasa.url, sender, "where is my order?"))


def test_conversation_cancel_after_yes_releases_stock(stack):
    sender = f"web:{uuid.uuid4().hex}"
    available = lambda: httpx.get(f"{stack.backend.url}/api/v1/products/MUG-CER-GRN").json()["available"]
    number = place_order_for(stack, sender)["number"]
    held = available()
    question = say(stack.rasa.url, sender, "please cancel my order")
    assert number in question[0]["text"]
    assert [b["payload"] for b in question[0]["buttons"]] == ["/affirm", "/deny"]
    done = say(stack.rasa.url, sender, "/affirm")
    assert "is cancelled" in done[0]["text"]
    order = httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}",
                      headers={"Authorization": "Bearer dev-staff-token"}).json()
    assert order["status"] == "cancelled"
    assert available() == held + 2


def test_conversation_places_order_through_chat(stack):
    sender = f"web:{uuid.uuid4().hex}"
    which = say(stack.rasa.url, sender, "I'd like to order 2 blue mugs and a teapot")
    assert "Which teapot" in which[0]["text"]
    assert '/inform{"product": "TEA-POT-GLS"}' in [b["payload"] for b in which[0]["buttons"]]
    where = say(stack.rasa.url, sender, '/inform{"product": "TEA-POT-GLS"}')
    assert "Where should we send it" in where[0]["text"]
    contact = say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "email address or phone number" in contact[0]["text"]
    summary = say(stack.rasa.url, sender, "ada@example.com")
    assert "2 × Ceramic Mug Blue: €25.80" in summary[0]["text"] and "total €58.70" in summary[0]["text"]
    assert [b["payload"] for b in summary[0]["buttons"]] == ["/affirm", "/deny"]
    order = placed_order(stack, sender)
    assert order["status"] == "confirmed"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)]
    assert order["shipping_address"]["postal_code"] == "D02 X285"
    assert order["contact_email"] == "ada@example.com"


def test_conversation_order_short_stock_then_stop_places_nothing(stack):
    sender = f"web:{uuid.uuid4().hex}"
    stock = httpx.get(f"{stack.backend.url}/api/v1/products/MUG-CER-GRN").json()["available"]
    short = say(stack.rasa.url, sender, f"i want to buy {stock + 1} green mugs")
    assert f"we only have {stock} of Ceramic Mug Green" in short[0]["text"]  # before the address
    assert "How many Ceramic Mug Green" in short[1]["text"]
    assert "stopped" in say(stack.rasa.url, sender, "never mind")[0]["text"]
    assert say(stack.rasa.url, sender, "yes")[0]["text"] == "Okay."
    assert my_orders(stack, sender)["count"] == 0


def test_conversation_short_item_replaced_by_an_offered_one(stack):
    """"we only have 3 green mugs; similar: ..., Ceramic Mug Red" -> "ok give me 2 red ones instead"."""
    sender = f"web:{uuid.uuid4().hex}"
    stock = httpx.get(f"{stack.backend.url}/api/v1/products/MUG-CER-GRN").json()["available"]
    short = say(stack.rasa.url, sender, f"i want to buy {stock + 1} green mugs")
    assert "Ceramic Mug Red" in short[0]["text"]  # offered as similar and in stock
    assert "Where should we send it?" in say(stack.rasa.url, sender, "ok give me 2 red ones instead")[-1]["text"]
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    summary = say(stack.rasa.url, sender, "ada@example.com")
    assert "2 × Ceramic Mug Red" in summary[-1]["text"] and "Green" not in summary[-1]["text"]
    assert "Shall I place it?" in summary[-1]["text"]
    order = placed_order(stack, sender)
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-RED", 2)]


def test_conversation_order_with_side_questions_on_the_way(stack):
    """Questions while the form asks for the address, more items, a contact that reads like a
    request for a person, and a delivery question at the summary: nothing lost, the summary is
    asked again after that answer, and its "yes" places the order."""
    sender = f"web:{uuid.uuid4().hex}"
    assert "Where should we send it" in say(stack.rasa.url, sender, "I'd like to order 2 blue mugs")[0]["text"]
    price = say(stack.rasa.url, sender, "how much is the glass teapot?")
    assert "Glass Teapot with Infuser 1 L" in price[0]["text"] and "€32.90" in price[0]["text"]
    assert "Where should we send it" in price[-1]["text"]
    added = say(stack.rasa.url, sender, "please add 1 glass teapot too")
    assert "Added to your order" in added[0]["text"] and "Where should we send it" in added[-1]["text"]
    contact = say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "email address or phone number" in contact[0]["text"]
    summary = say(stack.rasa.url, sender, "call me on +353 87 123 4567")
    assert "2 × Ceramic Mug Blue" in summary[0]["text"] and "Glass Teapot" in summary[0]["text"]
    answered = say(stack.rasa.url, sender, "how long will delivery take?")
    assert "business days" in answered[0]["text"] and "still waiting: shall I place it?" in answered[-1]["text"]
    placed = say(stack.rasa.url, sender, "ok yes")[0]["text"]
    assert "is placed" in placed
    [number] = re.findall(r"OB-[0-9A-Z]{8}", placed)
    order = httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}",
                      headers={"Authorization": "Bearer dev-staff-token"}).json()
    assert order["status"] == "confirmed"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)]
    assert order["contact_phone"] == "+353871234567"


def test_conversation_order_edited_at_its_summary_is_changed_in_place(stack):
    """"add a glass teapot too" at "Shall I place it?": the new summary has it, the unconfirmed
    order is changed (nothing cancelled for the reports to count), and "yes" places it."""
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "I'd like to order 2 blue mugs")
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "Shall I place it?" in say(stack.rasa.url, sender, "ada@example.com")[0]["text"]
    edited = say(stack.rasa.url, sender, "add a glass teapot too")
    assert "Glass Teapot" in edited[-1]["text"] and "Shall I place it?" in edited[-1]["text"]
    order = placed_order(stack, sender)
    assert order["status"] == "confirmed"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)]
    assert [o["status"] for o in my_orders(stack, sender)["data"]] == ["confirmed"]  # one order, edited


def test_conversation_payment_problem_mid_order_then_no_goes_back_to_the_order(stack):
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "I'd like to order 2 blue mugs")
    ticket = say(stack.rasa.url, sender, "my payment keeps failing")
    assert "ticket #" in ticket[0]["text"] and [b["payload"] for b in ticket[0]["buttons"]] == ["/affirm", "/deny"]
    back = say(stack.rasa.url, sender, "no")
    assert "ticket #" in back[0]["text"] and "Where should we send it" in back[-1]["text"]
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    summary = say(stack.rasa.url, sender, "ada@example.com")
    assert "2 × Ceramic Mug Blue" in summary[0]["text"]


def test_conversation_names_an_ordered_item_it_cannot_find(stack):
    replies = say(stack.rasa.url, f"web:{uuid.uuid4().hex}", "i want 2 glases and a teapot")
    text = " ".join(reply.get("text", "") for reply in replies)
    assert "couldn't find \"glases\"" in text and "Which teapot" in text

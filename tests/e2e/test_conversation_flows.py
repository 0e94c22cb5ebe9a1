"""The new conversation flows through Rasa's REST webhook with every service live; the backend's
state is checked afterwards."""
from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest

from tests.e2e.test_conversation import my_orders, place_order_for, say

pytestmark = pytest.mark.live
STAFF = {"Authorization": "Bearer dev-staff-token"}


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


def staff_order(stack, number: str) -> dict:
    return httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}", headers=STAFF, timeout=10).json()


def test_conversation_changes_shipping_address_after_yes(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    asked = texts(say(stack.rasa.url, sender, "I need to change the shipping address of my order"))
    assert "new address" in asked
    summary = say(stack.rasa.url, sender, "Grace Hopper, 1 New Road, Cork T12 RW26, Ireland")
    assert number in summary[0]["text"] and "Cork" in summary[0]["text"]
    assert staff_order(stack, number)["shipping_address"]["city"] == "Dublin"  # nothing before the yes
    done = texts(say(stack.rasa.url, sender, "/affirm"))
    assert "Cork" in done
    assert staff_order(stack, number)["shipping_address"]["city"] == "Cork"


def test_conversation_rating_button_stores_rating_then_comment(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    replies = say(stack.rasa.url, sender, f'/give_feedback{{"rating": 2, "order_number": "{number}"}}')
    assert "sorry" in texts(replies).lower()
    assert "/deny" in [b["payload"] for r in replies for b in r.get("buttons", [])]  # Skip
    database = stack.backend.env["DATABASE_URL"].split("///", 1)[1]
    query = ("SELECT f.rating, f.comment, o.number FROM feedback f JOIN orders o ON o.id = f.order_id "
             "WHERE o.number = ?")
    with sqlite3.connect(database) as db:
        assert db.execute(query, (number,)).fetchall() == [(2, "", number)]  # stored before the comment
    assert "thank" in texts(say(stack.rasa.url, sender, "the parcel was left in the rain")).lower()
    with sqlite3.connect(database) as db:
        assert db.execute(query, (number,)).fetchall() == [(2, "the parcel was left in the rain", number)]


def test_conversation_order_wording_starts_ordering(stack):
    sender = f"web:{uuid.uuid4().hex}"
    replies = texts(say(stack.rasa.url, sender, "I'd like to order 8 green mugs"))
    assert "Where should we send it" in replies
    assert "stopped" in texts(say(stack.rasa.url, sender, "stop"))


def test_conversation_return_before_delivery_offers_cancel(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = place_order_for(stack, sender)["number"]
    refused = say(stack.rasa.url, sender, "i want to return my order")
    assert "hasn't been sent yet" in refused[0]["text"]
    cancel = f'/cancel_order{{"order_id": "{number}"}}'
    assert cancel in [b["payload"] for b in refused[0]["buttons"]]
    assert number in say(stack.rasa.url, sender, cancel)[0]["text"]
    say(stack.rasa.url, sender, "/affirm")
    assert staff_order(stack, number)["status"] == "cancelled"


def test_conversation_two_unclear_messages_offer_a_person(stack):
    sender = f"web:{uuid.uuid4().hex}"
    first = say(stack.rasa.url, sender, "/nlu_fallback")
    assert "/track_order" in [b["payload"] for b in first[0]["buttons"]]
    second = say(stack.rasa.url, sender, "/nlu_fallback")
    assert [b["payload"] for b in second[0]["buttons"]] == ["/affirm", "/deny"]
    handed = texts(say(stack.rasa.url, sender, "/affirm"))
    assert "ticket #" in handed
    tickets = httpx.get(f"{stack.backend.url}/api/v1/staff/tickets", headers=STAFF,
                        params={"limit": 100}, timeout=10).json()["data"]
    assert [t["conversation_id"] for t in tickets if t["conversation_id"] == sender] == [sender]


def delivered_order_for(stack, sender: str, lines: list[tuple[str, int]]) -> str:
    response = httpx.post(
        f"{stack.backend.url}/api/v1/orders",
        headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender},
        json={"lines": [{"sku": sku, "quantity": q} for sku, q in lines], "contact_email": "ada@example.com",
              "shipping_address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                                   "postal_code": "D02 X285", "country": "IE"}}, timeout=10)
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    httpx.post(f"{stack.backend.url}/api/v1/orders/{number}/confirm", timeout=10, headers={
        "Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender}).raise_for_status()
    for body in ({"status": "processing"}, {"status": "shipped", "carrier": "DPD", "tracking_number": "T1"},
                 {"status": "delivered"}):
        httpx.post(f"{stack.backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF, json=body,
                   timeout=10).raise_for_status()
    return number


def test_conversation_returns_some_items_and_only_those_come_back(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = delivered_order_for(stack, sender, [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)])
    asked = texts(say(stack.rasa.url, sender, "i want to send some stuff back from my order"))
    assert "2 × Ceramic Mug Blue" in asked and "What would you like to send back" in asked
    assert "Why are you sending it back" in texts(say(stack.rasa.url, sender, "just one of the blue mugs"))
    summary = texts(say(stack.rasa.url, sender, "it has a crack"))
    assert "1 × Ceramic Mug Blue" in summary and "€12.90" in summary and number in summary
    assert staff_order(stack, number)["status"] == "delivered"  # nothing before the yes
    assert "registered" in texts(say(stack.rasa.url, sender, "/affirm"))
    order = staff_order(stack, number)
    assert order["status"] == "return_requested" and order["return_reason"] == "it has a crack"
    assert {line["sku"]: line["return_quantity"] for line in order["lines"]} == {"MUG-CER-BLU": 1, "TEA-POT-GLS": 0}
    assert order["refund"]["due_minor"] == 1290


def test_conversation_return_naming_the_product_asks_only_why(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = delivered_order_for(stack, sender, [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)])
    assert "Why are you sending it back" in texts(say(stack.rasa.url, sender, "I want to return the teapot"))
    summary = texts(say(stack.rasa.url, sender, "the lid doesn't fit"))
    assert "1 × Glass Teapot with Infuser 1 L" in summary and "€32.90" in summary
    say(stack.rasa.url, sender, "/affirm")
    lines = staff_order(stack, number)["lines"]
    assert {line["sku"]: line["return_quantity"] for line in lines} == {"MUG-CER-BLU": 0, "TEA-POT-GLS": 1}


def test_conversation_return_items_named_by_category_or_by_what_stays(stack):
    sender = f"web:{uuid.uuid4().hex}"
    delivered_order_for(stack, sender, [("MUG-CER-BLU", 2), ("MUG-CER-RED", 1), ("TEA-POT-GLS", 1)])
    say(stack.rasa.url, sender, "i'd like to return some things")
    say(stack.rasa.url, sender, "all the mugs")
    summary = texts(say(stack.rasa.url, sender, "wrong colour"))
    assert "2 × Ceramic Mug Blue, 1 × Ceramic Mug Red" in summary and "Teapot" not in summary
    assert "haven't registered" in texts(say(stack.rasa.url, sender, "/deny"))

    sender = f"web:{uuid.uuid4().hex}"
    delivered_order_for(stack, sender, [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)])
    say(stack.rasa.url, sender, "i want to send back part of my order")
    summary = texts(say(stack.rasa.url, sender, "everything but one mug, they were a present i didn't like"))
    assert "1 × Ceramic Mug Blue, 1 × Glass Teapot with Infuser 1 L" in summary
    assert "Reason: they were a present i didn't like" in summary


def test_conversation_a_counted_product_alone_starts_an_order(stack):
    sender = f"web:{uuid.uuid4().hex}"
    assert "Where should we send it" in texts(say(stack.rasa.url, sender, "1 red mug"))
    assert "stopped" in texts(say(stack.rasa.url, sender, "stop"))


def test_conversation_questions_at_a_confirmation_are_no_yes(stack):
    """"what happens next?" at "Shall I place it?" used to come out as affirm and place the order."""
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "I'd like to order 2 red mugs")
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "Shall I place it?" in texts(say(stack.rasa.url, sender, "ada@example.com"))
    replies = texts(say(stack.rasa.url, sender, "what happens next?"))
    assert "Nothing has happened yet" in replies and "Shall I place it?" in replies
    [order] = my_orders(stack, sender)["data"]
    assert order["status"] == "pending"
    assert "3 × Ceramic Mug Red" in texts(say(stack.rasa.url, sender, "make it 3 mugs"))
    moved = texts(say(stack.rasa.url, sender, "actually send it to Marie Dubois, 8 rue de la Paix, 75002 Paris, France"))
    assert "Marie Dubois" in moved and "Shall I place it?" in moved
    assert "is placed" in texts(say(stack.rasa.url, sender, "yes"))
    [order] = my_orders(stack, sender)["data"]  # one order, edited in place
    assert order["status"] == "confirmed" and order["shipping_address"]["city"] == "Paris"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-CER-RED", 3)]


def test_conversation_i_changed_my_mind_is_a_return_reason(stack):
    sender = f"web:{uuid.uuid4().hex}"
    number = delivered_order_for(stack, sender, [("MUG-CER-RED", 1)])
    assert "Why are you sending it back" in texts(say(stack.rasa.url, sender, "i want to return my order"))
    summary = texts(say(stack.rasa.url, sender, "I changed my mind"))
    assert "Reason: I changed my mind" in summary and number in summary


def test_conversation_a_side_answer_at_the_summary_asks_again_and_its_yes_places(stack):
    """After a side answer the question is asked again with it (the order had been left hanging
    under the answer), so the "yes" that follows answers it and places the order."""
    sender = f"web:{uuid.uuid4().hex}"
    say(stack.rasa.url, sender, "I'd like to order 2 red mugs")
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "Shall I place it?" in texts(say(stack.rasa.url, sender, "ada@example.com"))
    assert "still waiting: shall I place it?" in texts(say(stack.rasa.url, sender, "how long does delivery take?"))
    assert [o["status"] for o in my_orders(stack, sender)["data"]] == ["pending"]
    assert "is placed" in texts(say(stack.rasa.url, sender, "yes"))
    assert [o["status"] for o in my_orders(stack, sender)["data"]] == ["confirmed"]

"""Conversations a QA round found wrong, through Rasa's REST webhook with every service live; the
backend's state is checked afterwards."""
from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest

from tests.e2e.test_conversation import place_order_for, say
from tests.e2e.test_conversation_flows import STAFF, delivered_order_for, staff_order, texts

pytestmark = pytest.mark.live


def new_sender() -> str:
    return f"web:{uuid.uuid4().hex}"


def tickets_of(stack, sender: str) -> list[dict]:
    response = httpx.get(f"{stack.backend.url}/api/v1/staff/tickets", headers=STAFF, params={"limit": 100}, timeout=10)
    response.raise_for_status()
    return [ticket for ticket in response.json()["data"] if ticket["conversation_id"] == sender]


def test_unsure_answers_at_a_cancel_question_cancel_nothing(stack):
    sender = new_sender()
    number = place_order_for(stack, sender)["number"]
    assert number in texts(say(stack.rasa.url, sender, "pls cancel my order"))
    for unsure in ("maybe", "hmm idk"):
        say(stack.rasa.url, sender, unsure)
        assert staff_order(stack, number)["status"] == "pending", unsure
    assert "cancelled" in texts(say(stack.rasa.url, sender, "yes"))
    assert staff_order(stack, number)["status"] == "cancelled"


def test_yes_to_the_bots_own_offer_of_a_person_hands_over(stack):
    sender = new_sender()
    assert "person" in texts(say(stack.rasa.url, sender, "are you a bot?"))
    say(stack.rasa.url, sender, "yes")
    assert [ticket["reason"] for ticket in tickets_of(stack, sender)] == ["customer asked for a person"]


def test_a_review_naming_a_product_is_stored_with_its_comment(stack):
    sender = new_sender()
    text = "the french press is great, 5 stars"
    assert "thank" in texts(say(stack.rasa.url, sender, text)).lower()
    database = stack.backend.env["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT rating, comment FROM feedback WHERE conversation_id = ?", (sender,)).fetchall()
    assert stored == [(5, text)]


def test_follow_ups_are_about_the_product_or_order_just_talked_about(stack):
    sender = new_sender()
    assert "Ceramic Mug Blue" in texts(say(stack.rasa.url, sender, "how much is the blue mug"))
    follow_up = texts(say(stack.rasa.url, sender, "is it in stock"))
    assert "Ceramic Mug Blue" in follow_up and "We sell" not in follow_up
    number = place_order_for(stack, sender)["number"]
    assert number in texts(say(stack.rasa.url, sender, "where is my order"))
    assert number in texts(say(stack.rasa.url, sender, "did it ship yet"))


def test_a_product_name_alone_shows_the_product(stack):
    replies = texts(say(stack.rasa.url, new_sender(), "mokka pot"))
    assert "Stovetop Espresso Maker" in replies and "How many" not in replies
    assert "didn't get that" not in replies


def test_shipping_costs_to_a_country_we_dont_ship_to_say_so(stack):
    replies = texts(say(stack.rasa.url, new_sender(), "delivery charges for usa?"))
    assert "don't deliver to the USA" in replies and "€4.90" not in replies


def test_a_complaint_worded_as_a_product_remark_opens_a_ticket(stack):
    sender = new_sender()
    replies = texts(say(stack.rasa.url, sender, "not happy with the quality of the mug"))
    assert "sorry" in replies.lower() and "Here's what I found" not in replies
    assert [ticket["reason"] for ticket in tickets_of(stack, sender)] == ["complaint"]


def test_which_teapot_in_an_order_change_is_answered_and_the_change_made(stack):
    sender = new_sender()
    number = place_order_for(stack, sender)["number"]
    asked = texts(say(stack.rasa.url, sender, "add a teapot to my order"))
    assert "Which teapot" in asked and "What should I change" not in asked
    summary = texts(say(stack.rasa.url, sender, "the glass one"))
    assert "Glass Teapot" in summary and number in summary
    say(stack.rasa.url, sender, "yes")
    lines = {line["sku"]: line["quantity"] for line in staff_order(stack, number)["lines"]}
    assert lines == {"MUG-CER-GRN": 2, "TEA-POT-GLS": 1}


def test_noise_at_the_summary_places_nothing_and_the_last_words_decide(stack):
    sender = new_sender()
    say(stack.rasa.url, sender, "I'd like to order 2 red mugs")
    say(stack.rasa.url, sender, "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland")
    assert "Shall I place it?" in texts(say(stack.rasa.url, sender, "ada@example.com"))
    for noise in (".", "x"):
        assert "Shall I place it?" in texts(say(stack.rasa.url, sender, noise)), noise
    orders = httpx.get(f"{stack.backend.url}/api/v1/orders", timeout=10,
                       headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender}).json()["data"]
    assert [o["status"] for o in orders] == ["pending"]
    assert "is placed" in texts(say(stack.rasa.url, sender, "no problem, go ahead"))
    assert staff_order(stack, orders[0]["number"])["status"] == "confirmed"


def test_a_return_worded_with_a_quantity_joins_no_checkout_and_more_joins_the_return(stack):
    """QA round 5: "i want to return 2 blue mugs" had started checkout, and two yeses placed a paid
    order; "the teapot too" after the return asked which teapot to buy."""
    sender = new_sender()
    number = delivered_order_for(stack, sender, [("MUG-CER-BLU", 2), ("TEA-POT-GLS", 1)])
    answers = [texts(say(stack.rasa.url, sender, text))
               for text in ("i want to return 2 blue mugs", "they are chipped", "yes")]
    assert "return" in answers[-1].lower(), answers
    returning = {line["sku"]: line["return_quantity"] for line in staff_order(stack, number)["lines"]}
    assert returning == {"MUG-CER-BLU": 2, "TEA-POT-GLS": 0}
    for text in ("the teapot too", "the lid is cracked", "yes"):
        say(stack.rasa.url, sender, text)
    order = staff_order(stack, number)
    assert {line["sku"]: line["return_quantity"] for line in order["lines"]} == {"MUG-CER-BLU": 2, "TEA-POT-GLS": 1}
    mine = httpx.get(f"{stack.backend.url}/api/v1/orders", timeout=10,
                     headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": sender}).json()
    assert [o["number"] for o in mine["data"]] == [number]  # no new order

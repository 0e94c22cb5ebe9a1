"""Questions about one product's properties and restock, against the real catalogue."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.backend_client import Product
from actions.catalogue import ActionShowProducts
from actions.product_questions import answer_about
from tests.actions.conftest import load_tracker

KETTLE = Product(sku="KET-STV-RED", name="Stovetop Whistling Kettle Red", category="Kettles", price_minor=3990,
                 currency="EUR", available=0, attributes={"colour": "red", "size": "2 L",
                                                          "hob": "gas, electric, induction"}, restock_days=30)
PRESS = Product(sku="BRW-FRP-800", name="French Press 800 ml", category="Coffee Gear", price_minor=3490,
                currency="EUR", available=21, attributes={"size": "800 ml", "material": "glass and steel"})


@pytest.mark.parametrize("product, text, response, detail", [
    (KETTLE, "does it work on induction?", "utter_product_has", "hob gas, electric, induction"),
    (KETTLE, "can i use it on a gas stove", "utter_product_has", "hob gas, electric, induction"),
    (PRESS, "is the french press glass?", "utter_product_has", "material glass and steel"),
    (PRESS, "is it plastic", "utter_product_has_not", "material glass and steel"),
])
def test_a_property_the_catalogue_records_is_answered_yes_or_no(product, text, response, detail):
    assert answer_about(product, text) == (response, {"name": product.name, "detail": detail})


def test_a_property_the_catalogue_does_not_record_is_unknown_not_guessed():
    assert answer_about(PRESS, "is it dishwasher safe?") == (
        "utter_product_detail_unknown", {"name": PRESS.name, "details": "size 800 ml, material glass and steel"})


def test_back_in_stock_and_plain_product_questions():
    assert answer_about(KETTLE, "when are the stovetop kettles back") == answer_about(KETTLE, "when will it be back in stock?") == (
        "utter_product_back_in_days", {"name": KETTLE.name, "days": 30})
    assert answer_about(PRESS, "when do you restock the french press") == (
        "utter_product_in_stock_now", {"name": PRESS.name, "available": 21})
    for text in ("tell me about the french press", "how much is it", "is it in stock?", "french press"):
        assert answer_about(PRESS, text) is None, text


async def test_asked_in_chat_against_the_catalogue(backend, dispatcher):
    """The glass teapot's dishwasher question offers a person who can check; the black mug (out of
    stock in the demo catalogue) is back in its restock time, with what is in stock instead."""
    teapot = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"]}]
    tracker = load_tracker("product_question", text="is the glass teapot dishwasher safe?", entities=teapot)
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_detail_unknown"]
    assert events == [SlotSet("shown_products", ["TEA-POT-GLS"]), SlotSet("pending_confirmation", "human_handoff")]
    dispatcher.messages.clear()
    mug = [{"entity": "product", "value": "black mugs", "skus": ["MUG-CER-BLK"]}]
    tracker = load_tracker("product_question", text="when will the black mugs be back in stock?", entities=mug)
    await ActionShowProducts().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert (message["response"], message["days"]) == ("utter_product_back_in_days", 14)
    assert "Ceramic Mug" in message["alternatives"] and "Black" not in message["alternatives"]
    dispatcher.messages.clear()
    kettle = [{"entity": "product", "value": "stovetop kettle", "skus": ["KET-STV-RED"]}]
    tracker = load_tracker("product_question", text="does the stovetop kettle work on induction?", entities=kettle)
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["summary"]) == (
        "utter_product_has", "€39.90, out of stock")


async def test_it_while_ordering_is_the_product_being_ordered(backend, dispatcher):
    """"mujhe 2 blue mug chahiye", then "is it dishwasher safe": it had listed the categories."""
    tracker = load_tracker("product_question", text="is it dishwasher safe")
    tracker.slots["order_draft"] = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}]
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [(m["response"], m.get("name")) for m in dispatcher.messages] == [
        ("utter_product_detail_unknown", "Ceramic Mug Blue")]

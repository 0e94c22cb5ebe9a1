"""QA round 16, tracking and product questions: "is the coffee shipped?" and "my moka pot still not
here" about an order holding them; a change or the address of another chat's order opened with its
email; a postcode in a delivery question; a question and a change in one message; a price and an
order in one message, or a price for a count; "when will it be back" after a refusal for stock.
Entities are as the NLU gave them for the testers' messages."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.change_order import ValidateChangeOrderForm
from actions.fallback import ActionFallback
from actions.faq import ActionAnswerFaq
from actions.order_wording import ASKS_IF_SENT, destination_postcodes, indian_pin_code
from actions.orders import (ActionDeliveryTime, ActionTrackOrder, answer_about_a_verified_order,
                            asks_after_an_ordered_product)
from actions.placed_order_edits import adds_to_a_placed_order, answer_the_question_first, the_change_alone
from actions.product_questions import asks_only_the_price, asks_when_back, orders_after_the_price
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_faq import faq_tracker
from tests.actions.test_orders import STAFF, after_answer, in_days, new_identity, responses, ship, tracker_for
from tests.actions.test_qa15_tracking import confirm, place
from tests.actions.test_qa16_order_form import made_product


def asked(identity: str, text: str, intent: str, entities=None, slots=None, said=()):
    """`text` as the NLU read it, right after the bot said `said` [(response, its values)]."""
    tracker = after_answer(identity, text, list(said), entities, slots, intent=intent) if said else \
        tracker_for(identity, text, entities, slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.6}
    return tracker


def followups(events: list) -> list:
    return [event["name"] for event in events if event.get("event") == "followup"]


def in_stock(backend, sku: str) -> None:
    """The moka pot was out of stock in the demo data: enough of it to order one."""
    available = httpx.get(f"{backend.url}/api/v1/staff/products/{sku}/stock", headers=STAFF).json()["available"]
    if available < 5:
        httpx.post(f"{backend.url}/api/v1/staff/products/{sku}/restock", headers=STAFF,
                   json={"quantity": 20, "note": "tests/actions qa16 tracking"}).raise_for_status()


def test_the_wordings_of_a_parcel_asked_after_a_postcode_a_price_and_a_restock():
    assert all(ASKS_IF_SENT.search(t) for t in ("Is the coffee shipped?", "has my moka pot been dispatched yet",
                                                "is the kettle on its way", "did the grinder ship"))
    assert not any(ASKS_IF_SENT.search(t) for t in ("are beans shipped right after roasting", "do you ship to spain",
                                                    "is the coffee shipped right after roasting",
                                                    "is the kettle delivered with a plug", "is the coffee shipped in a bag?"))
    assert [destination_postcodes(t) for t in ("delivery time to 560001 pincode", "how many days delivery to 10115 berlin",
                                               "ship to 560001?", "delivery time for 10115 berlin")] == [
        ["560001"], ["10115"], ["560001"], ["10115"]]
    # order numbers stay order numbers
    assert not any(destination_postcodes(t) for t in ("order no 1042 when", "what happened to 1042",
                                                      "how long for 1042 to arrive", "where is order 10115"))
    assert indian_pin_code("ship to 560001?") == "560001" and indian_pin_code("delivery to 10115 berlin") is None
    assert indian_pin_code("delivery time to 010011 bucharest") is None  # Romania's postcodes have six digits too
    assert asks_only_the_price("how much are 3 bags of the ethiopia beans")
    assert not asks_only_the_price("how much is the travel mug? i'll take 2 and a french press")
    text = "how much is the travel mug? i'll take 2 and a french press"
    assert text[orders_after_the_price(text):].strip() == "i'll take 2 and a french press"
    assert orders_after_the_price("add a mug, how much is it?") is None
    assert orders_after_the_price("how much are 3 bags of the ethiopia beans") is None
    assert asks_when_back("when will it be back") and asks_when_back("when will the decaf be back in stock?")
    assert not asks_when_back("add the decaf when it's back")


# --- 1. "is the coffee shipped?", "my moka pot still not here" ---------------------------------

COFFEE = [{"entity": "category", "value": "Coffee", "start": 7, "end": 13}]
MOKA_NOT_HERE = "hello? my moka pot still not here"
MOKA = [{"entity": "product", "value": "Stovetop Espresso Maker 6 cup", "start": 10, "end": 18,
         "skus": ["BRW-MOK-6CP"], "quantity": None}]


async def test_is_the_coffee_shipped_is_the_status_of_the_order_holding_coffee(backend, dispatcher):
    """QA16 F1: "Is the coffee shipped?" (product_info, category Coffee) listed the coffees; no
    coffee's name says "coffee", so the order holding the Ethiopia beans was never found."""
    identity = new_identity()
    number = place(backend, identity, "COF-ETH-250")
    ship(backend, identity, number, expected=in_days(2))
    confirm(backend, identity, place(backend, identity, "MUG-CER-BLU"))  # a newer order, without coffee
    events = await ActionShowProducts().run(dispatcher, asked(identity, "Is the coffee shipped?", "product_info", COFFEE), {})
    assert responses(dispatcher)[0] == "utter_order_status_shipped" and dispatcher.messages[0]["number"] == number
    assert SlotSet("order_id", number) in events
    stranger, said = new_identity(), CollectingDispatcher()  # no coffee ordered: the coffees
    confirm(backend, stranger, place(backend, stranger, "MUG-CER-BLU"))
    await ActionShowProducts().run(said, asked(stranger, "Is the coffee shipped?", "product_info", COFFEE), {})
    assert responses(said) == ["utter_product_list"]


async def test_my_moka_pot_still_not_here_is_the_moka_orders_tracking_not_a_new_order(backend, dispatcher):
    """QA16 F1: read as place_order (0.35 against track_order 0.34), it asked "How many Stovetop
    Espresso Maker 6 cup would you like?". The order form's start asks asks_after_an_ordered_product."""
    in_stock(backend, "BRW-MOK-6CP")
    identity = new_identity()
    number = place(backend, identity, "BRW-MOK-6CP")
    ship(backend, identity, number, expected=in_days(2))
    tracker = asked(identity, MOKA_NOT_HERE, "place_order", MOKA)
    assert await asks_after_an_ordered_product(tracker)
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert responses(dispatcher)[0] == "utter_order_not_late_yet" and dispatcher.messages[0]["number"] == number
    # without a moka pot ordered here, or buying another: an order
    assert not await asks_after_an_ordered_product(asked(new_identity(), MOKA_NOT_HERE, "place_order", MOKA))
    more = "i'll take another moka pot, mine is still not here"
    start = more.index("moka pot")
    entities = [{**MOKA[0], "start": start, "end": start + 8}]
    assert not await asks_after_an_ordered_product(asked(identity, more, "place_order", entities))


# --- 2. another chat's order, opened with its email ---------------------------------------------

ADDRESS_AND_ADD = "great, whats the delivery address on it? and pls add a french press to it"
FRENCH_PRESS = [{"entity": "quantity", "value": "1", "start": 53, "end": 54, "implicit": True},
                {"entity": "product", "value": "French Press 800 ml", "start": 55, "end": 67, "skus": ["BRW-FRP-800"],
                 "quantity": 1}]


def verified_order(backend) -> tuple:
    """An order of another chat, just shown here after its email was given."""
    owner = new_identity()
    number = place(backend, owner, "MUG-CER-BLU", email="grace@example.com")
    confirm(backend, owner, number)
    return new_identity(), number, {"order_id": number, "contact": "grace@example.com"}


@pytest.mark.parametrize("action, intent", [(ActionShowProducts, "product_info"), (ActionTrackOrder, "track_order")])
async def test_the_address_and_a_change_of_another_chats_order_are_refused_not_a_new_checkout(backend, action, intent):
    """QA16 F2: "whats the delivery address on it? and pls add a french press to it" about an order
    opened with its email asked "Where should we send it?" (a new order). Its address is not shown
    (only items, total and status are) and it can't change from this chat."""
    stranger, number, slots = verified_order(backend)
    said = CollectingDispatcher()
    tracker = asked(stranger, ADDRESS_AND_ADD, intent, FRENCH_PRESS, slots,
                    said=[("utter_order_status_confirmed", {"number": number})])
    events = await action().run(said, tracker, {})
    assert responses(said) == ["utter_verified_order_address_private", "utter_verified_order_not_changed_here"]
    assert all(message["number"] == number for message in said.messages)
    assert SlotSet("order_id", number) in events and not followups(events)


async def test_the_order_form_hands_a_change_of_another_chats_order_to_the_change_form(backend):
    """Read as place_order: the order form asks adds_to_a_placed_order first, and the change form
    refuses an order not of this chat; the address alone is not refused as a change."""
    stranger, number, slots = verified_order(backend)
    said = [("utter_order_status_confirmed", {"number": number})]
    assert await adds_to_a_placed_order(asked(stranger, ADDRESS_AND_ADD, "place_order", FRENCH_PRESS, slots, said=said))
    only_address = asked(stranger, "whats the delivery address on it?", "track_order", [], slots, said=said)
    dispatcher = CollectingDispatcher()
    assert await answer_about_a_verified_order(dispatcher, only_address) == [
        SlotSet("requested_info", None), SlotSet("order_id", number)]
    assert responses(dispatcher) == ["utter_verified_order_address_private"]


async def test_a_change_of_the_chats_own_order_is_not_refused(backend):
    identity = new_identity()
    number = place(backend, identity, "MUG-CER-BLU")
    confirm(backend, identity, number)
    tracker = asked(identity, ADDRESS_AND_ADD, "place_order", FRENCH_PRESS,
                    {"order_id": number, "contact": "ada@example.com"},
                    said=[("utter_order_status_confirmed", {"number": number})])
    assert await answer_about_a_verified_order(CollectingDispatcher(), tracker) is None


# --- 3. a postcode in a delivery question --------------------------------------------------------

PINCODE = "delivery time to 560001 pincode"
BERLIN = "how many days delivery to 10115 berlin"


@pytest.mark.parametrize("text, entities, said", [
    (PINCODE, [{"entity": "order_id", "value": "560001", "start": 17, "end": 23}], ("utter_not_delivered_to_pin_code",)),
    (BERLIN, [{"entity": "order_id", "value": "10115", "start": 26, "end": 31}], ("utter_delivery_time",)),
])
async def test_a_postcode_in_a_delivery_question_is_no_order_number(backend, dispatcher, text, entities, said):
    """QA16 F3: both got "I can't find order 10115 on this chat…" and the email on it asked for,
    with orders on the chat or without."""
    identity = new_identity()
    confirm(backend, identity, place(backend, identity, "MUG-CER-BLU"))
    for who in (identity, new_identity()):
        dispatcher.messages.clear()
        events = await ActionDeliveryTime().run(dispatcher, asked(who, text, "delivery_time", entities), {})
        assert tuple(responses(dispatcher)) == said and not any(e.get("name") == "requested_info" for e in events)
    dispatcher.messages.clear()
    await ActionTrackOrder().run(dispatcher, asked(new_identity(), text, "track_order", entities), {})
    assert responses(dispatcher)[0] == said[0]


async def test_ship_to_an_indian_pin_code_says_we_dont_deliver_to_india(backend):
    """QA16 F3: "ship to 560001?" got the shipping list, never that India isn't served."""
    said = CollectingDispatcher()
    tracker = faq_tracker("ship to 560001?", "utter_faq/shipping_costs")
    tracker.latest_message["entities"] = [{"entity": "order_id", "value": "560001", "start": 8, "end": 14}]
    await ActionAnswerFaq().run(said, tracker, {})
    assert responses(said) == ["utter_not_delivered_to_pin_code"] and said.messages[0]["postcode"] == "560001"
    said = CollectingDispatcher()
    await ActionAnswerFaq().run(said, faq_tracker("ship to 10115 berlin?", "utter_faq/shipping_costs"), {})
    assert responses(said) == ["utter_faq/shipping_costs"]
    said = CollectingDispatcher()
    assert await ActionFallback().run(said, asked(new_identity(), "ship to 560001??", "nlu_fallback"), {}) == []
    assert responses(said) == ["utter_not_delivered_to_pin_code"]


# --- 4. a question, then a change, in one message -------------------------------------------------

UPDATE_AND_ADD = "hi any update on my order? also can i add 1 japanese sencha to it"
SENCHA = [{"entity": "quantity", "value": "1", "start": 42, "end": 43, "implicit": False},
          {"entity": "product", "value": "Japanese Sencha 100 g", "start": 44, "end": 59, "skus": ["TEA-SEN-100"],
           "quantity": 1}]
GRINDER_AND_CHAI = "is the grinder good for espresso? also pls make the chai 5 packets"
GRINDER_THEN_CHAI = [{"entity": "product", "value": "grinder", "start": 7, "end": 14,
                      "skus": ["GRN-ELC-BUR", "GRN-HND-BUR"], "quantity": None},
                     {"entity": "product", "value": "Masala Chai 200 g", "start": 52, "end": 56, "skus": ["TEA-CHA-200"],
                      "quantity": None}]


async def test_the_status_asked_before_a_change_is_answered_first(backend, dispatcher):
    """QA16 F4: read as change_order, the change form proposed the sencha and the status was never
    said. answer_the_question_first says it (for the change form's start); not twice in a turn."""
    identity = new_identity()
    number = place(backend, identity, "TEA-CHA-200")
    confirm(backend, identity, number)
    tracker = asked(identity, UPDATE_AND_ADD, "change_order", SENCHA)
    events = await answer_the_question_first(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_status_confirmed"] and dispatcher.messages[0]["number"] == number
    assert SlotSet("order_id", number) in events and not followups(events)
    tracker.events.append({"event": "bot", "text": "Order …", "metadata": {"utter_action": "utter_order_status_confirmed"}})
    assert await answer_the_question_first(CollectingDispatcher(), tracker, DOMAIN) is None


@pytest.mark.parametrize("just_placed", [True, False])
async def test_a_product_question_before_a_change_is_answered_then_the_change_proposed(backend, dispatcher, just_placed):
    """QA16 F4: "is the grinder good for espresso? also pls make the chai 5 packets" right after the
    chai order was placed got only the change; the grinders' card comes first now, then the change
    form, which reads the change alone (the_change_alone: it had asked "Which grinder do you mean?").
    Later on too: the chai is the order's."""
    identity = new_identity()
    number = place(backend, identity, "TEA-CHA-200")
    confirm(backend, identity, number)
    tracker = asked(identity, GRINDER_AND_CHAI, "product_info", GRINDER_THEN_CHAI,
                    said=[("utter_order_placed", {"number": number})] if just_placed else ())
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_product_list"] and "Hand Burr Grinder" in dispatcher.messages[0]["products"]
    assert "Masala Chai" not in dispatcher.messages[0]["products"] and followups(events) == ["change_order_form"]
    change = flow_tracker(identity, GRINDER_AND_CHAI, "product_info", "change_order_form", GRINDER_THEN_CHAI,
                          slots={"order_id": number})
    change.active_loop = {}
    said = CollectingDispatcher()
    slots = {e["name"]: e["value"] for e in await ValidateChangeOrderForm().run(said, the_change_alone(change), DOMAIN)
             if e.get("event") == "slot"}
    # the chai alone changes (how many: order_changes reads no count in "make the chai 5 packets")
    assert said.messages == [] and [line["sku"] for line in slots["order_changes"]] == ["TEA-CHA-200"]


async def test_is_it_shipped_then_a_change_read_as_a_product_question_says_the_status_first(backend, dispatcher):
    """ "is it shipped? also add 1 more grinder" read as product_info (0.45) went straight to the change."""
    identity = new_identity()
    number = place(backend, identity, "GRN-HND-BUR")
    confirm(backend, identity, number)
    text = "is it shipped? also add 1 more grinder"
    start = text.index("grinder")
    entities = [{"entity": "quantity", "value": "1", "start": start - 7, "end": start - 6},
                {"entity": "product", "value": "grinder", "skus": ["GRN-HND-BUR", "GRN-ELC-BUR"], "quantity": 1,
                 "start": start, "end": start + 7}]
    events = await ActionShowProducts().run(dispatcher, asked(identity, text, "product_info", entities), {})
    assert responses(dispatcher) == ["utter_order_status_confirmed"] and followups(events) == ["change_order_form"]


# --- 5. a price and an order; a price for a count -------------------------------------------------

MUG_THEN_PRESS = "how much is the travel mug? i'll take 2 and a french press"
MUG_AND_PRESS = [{"entity": "product", "value": "Insulated Travel Mug", "start": 16, "end": 26, "skus": ["MUG-TRV-STL"],
                  "quantity": None},
                 {"entity": "quantity", "value": "1", "start": 44, "end": 45, "implicit": True},
                 {"entity": "product", "value": "French Press 800 ml", "start": 46, "end": 58, "skus": ["BRW-FRP-800"],
                  "quantity": 1}]
ETHIOPIA = [{"entity": "quantity", "value": "3", "start": 13, "end": 14, "implicit": False},
            {"entity": "product", "value": "Ethiopia Yirgacheffe Beans 250 g", "start": 27, "end": 41,
             "skus": ["COF-ETH-250"], "quantity": 3}]


async def test_a_price_asked_then_an_order_gives_the_price_and_starts_the_order(backend, dispatcher):
    """QA16 F5: only the prices were said, and "ok so order them??" asked "What would you like to order?"."""
    events = await ActionShowProducts().run(dispatcher, asked(new_identity(), MUG_THEN_PRESS, "product_info",
                                                              MUG_AND_PRESS), {})
    assert responses(dispatcher) == ["utter_product_list"] and "Insulated Travel Mug: €24.90" in dispatcher.messages[0]["products"]
    assert followups(events) == ["order_form"]


async def test_a_product_question_then_another_product_added_is_no_change_of_an_old_order(backend, dispatcher):
    """ "how much is the travel mug? also add a french press" with an older order holding neither:
    the price, then a new order (the order form), not a change of that order."""
    identity = new_identity()
    confirm(backend, identity, place(backend, identity, "TEA-CHA-200"))
    text = "how much is the travel mug? also add a french press"
    entities = [MUG_AND_PRESS[0], {**MUG_AND_PRESS[2], "start": 39, "end": 51}]
    events = await ActionShowProducts().run(dispatcher, asked(identity, text, "product_info", entities), {})
    assert responses(dispatcher) == ["utter_product_list"] and followups(events) == ["order_form"]


async def test_the_price_of_a_count_is_said_with_its_total_and_nothing_is_ordered(backend, dispatcher):
    """QA16 F5: "how much are 3 bags of the ethiopia beans" started an order and never said the
    price (read as place_order: the order form's start asks asks_only_the_price)."""
    events = await ActionShowProducts().run(dispatcher, asked(new_identity(), "how much are 3 bags of the ethiopia beans",
                                                              "product_info", ETHIOPIA), {})
    assert responses(dispatcher) == ["utter_product_list", "utter_price_for_quantity"]
    assert (dispatcher.messages[1]["quantity"], dispatcher.messages[1]["total"], dispatcher.messages[1]["price"]) == (
        3, "€38.70", "€12.90")
    assert not followups(events)


# --- 6. "when will it be back" ------------------------------------------------------------------

@pytest.mark.parametrize("ordering", [True, False])
async def test_when_will_it_be_back_after_a_refusal_for_stock_is_that_products_restock(backend, dispatcher, ordering):
    """QA16 F6: after "Sorry, … is out of stock right now", "when will it be back" got "Sorry, I
    couldn't find that in our catalogue…": "it" is the product just refused, in the order form (its
    validation hands the question to this answer: asks_when_back) and out of it."""
    kettle = made_product(backend, "Whistling Kettle Crimson", 0)
    refused = [("utter_order_out_of_stock", {"name": kettle["name"], "alternatives": "nothing similar right now"}),
               ("utter_ask_order_items", {})]
    tracker = asked(new_identity(), "when will it be back", "product_info", [], said=refused,
                    slots={"requested_slot": "order_items", "order_draft": []} if ordering else {})
    if ordering:
        tracker.active_loop = {"name": "order_form"}
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_product_back_in_days"]
    assert (dispatcher.messages[0]["name"], dispatcher.messages[0]["days"]) == (kettle["name"], 7)
    dispatcher.messages.clear()
    named = asked(new_identity(), "when will the crimson kettle be back in stock?", "product_info",
                  [{"entity": "product", "value": kettle["name"], "skus": [kettle["sku"]], "start": 14, "end": 28}])
    await ActionShowProducts().run(dispatcher, named, {})
    assert responses(dispatcher) == ["utter_product_back_in_days"] and dispatcher.messages[0]["days"] == 7

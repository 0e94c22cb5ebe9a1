"""A bare value ("1042", an address) goes where the bot asked for it; against a real backend."""
from __future__ import annotations

import uuid

import httpx
from rasa_sdk.events import FollowupAction, SlotSet

from actions.backend_client import Order
from actions.inform import ActionHandleInform
from actions.order_forms import order_view
from actions.place_order import ActionPlaceOrder
from tests.actions.test_orders import BOT, new_identity, place_order, tracker_for
from tests.actions.test_cancel import status_of

SWISS_ADDRESS = "Lukas Meier, Bahnhofstrasse 10, 8001 Zurich, Switzerland"
# What the order-number regex makes of the postcode.
POSTCODE_AS_ORDER_ID = [{"entity": "order_id", "value": "8001", "start": 33, "end": 37}]


async def test_an_address_out_of_the_blue_is_not_read_as_an_order_number(backend, dispatcher):
    tracker = tracker_for(new_identity(), SWISS_ADDRESS, entities=POSTCODE_AS_ORDER_ID)
    assert await ActionHandleInform().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_address_without_task"]


async def test_an_order_number_asked_for_is_tracked(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = tracker_for(identity, number, entities=[{"entity": "order_id", "value": number}],
                          slots={"requested_info": "order_id", "order_task": "track"})
    await ActionHandleInform().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending"]
    assert dispatcher.messages[0]["number"] == number


async def test_a_counted_product_starts_an_order_and_a_bare_one_is_looked_up(backend, dispatcher):
    red_mug = {"entity": "product", "value": "Ceramic Mug Red", "skus": ["MUG-CER-RED"], "start": 2, "end": 9}
    counted = [{"entity": "quantity", "value": "1", "start": 0, "end": 1}, red_mug]
    events = await ActionHandleInform().run(dispatcher, tracker_for(new_identity(), "1 red mug", counted), {})
    assert events == [FollowupAction("order_form")] and dispatcher.messages == []
    article = [{"entity": "quantity", "value": "1", "implicit": True, "start": 0, "end": 1}, red_mug]
    await ActionHandleInform().run(dispatcher, tracker_for(new_identity(), "a red mug", article), {})
    assert dispatcher.messages  # "a red mug" alone is a question about it: the product is shown


async def test_an_address_at_the_order_summary_changes_the_unconfirmed_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    slots = {"pending_confirmation": "place_order", "pending_order": number}
    text = "actually send it to Marie Dubois, 8 rue de la Paix, 75002 Paris, France"
    slots.update({"order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}],
                  "order_contact": "ada@example.com"})
    events = await ActionHandleInform().run(dispatcher, tracker_for(identity, text, slots=slots), {})
    assert events[0] == SlotSet("shipping_address", {"name": "Marie Dubois", "line1": "8 rue de la Paix",
                                                     "city": "Paris", "postal_code": "75002", "country": "FR"})
    assert SlotSet("pending_order", number) in events  # the same order, changed in place
    assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_order"]
    assert "Paris" in dispatcher.messages[0]["address"]
    dispatcher.messages.clear()
    text = "no wait, send it to Asha Rao, 12 MG Road, Bengaluru 560001, India"
    assert await ActionHandleInform().run(dispatcher, tracker_for(identity, text, slots=slots), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_address_not_shipped"]


async def test_a_new_email_or_phone_at_the_order_summary_changes_its_contact(backend, dispatcher):
    """"oops email is wrong its priya.s@example.com" at "Shall I place it?" showed the catalogue."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    slots = {"pending_confirmation": "place_order", "pending_order": number, "order_contact": "1250096",
             "order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1}],
             "shipping_address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                                  "postal_code": "D02 X285", "country": "IE"}}
    for text, contact in (("oops email is wrong its priya.s@example.com", "priya.s@example.com"),
                          ("thats not my number, my phone is +351 912 345 678", "+351912345678")):
        dispatcher.messages.clear()
        events = await ActionHandleInform().run(dispatcher, tracker_for(identity, text, slots=slots), {})
        assert events[0] == SlotSet("order_contact", contact), text
        # the email in place of the order's own; then a phone instead of it, which the backend
        # can't do (it never clears an email): a new unconfirmed order replaces that one
        now = next(e["value"] for e in events if e.get("name") == "pending_order")
        assert [m["response"] for m in dispatcher.messages] == ["utter_confirm_order"], text
        assert dispatcher.messages[0]["contact"] == contact, text
        assert status_of(backend, identity, number) == ("pending" if now == number else "cancelled"), text
        slots["pending_order"] = number = now
    assert status_of(backend, identity, number) == "pending"


async def test_a_new_email_at_the_summary_keeps_the_phone_given_with_the_first(backend, dispatcher):
    identity = new_identity()
    slots = {"order_items": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 1, "candidates": []}],
             "order_idempotency_key": uuid.uuid4().hex, "order_contact": "ada@example.com, +353851234567",
             "shipping_address": {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
                                  "postal_code": "D02 X285", "country": "IE"}}
    events = await ActionPlaceOrder().run(dispatcher, tracker_for(identity, "ada@example.com", slots=slots), {})
    number = next(e["value"] for e in events if e.get("name") == "pending_order")
    slots.update({"pending_confirmation": "place_order", "pending_order": number})
    text = "sorry the email is wrong, its ada.l@example.com"
    events = await ActionHandleInform().run(dispatcher, tracker_for(identity, text, slots=slots), {})
    assert events[0] == SlotSet("order_contact", "ada.l@example.com, +353851234567")
    order = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity}).json()
    assert (order["status"], order["contact_email"], order["contact_phone"]) == (
        "pending", "ada.l@example.com", "+353851234567")  # changed in place, not replaced
    # a phone "too" with only an email on the order joins it (the email had been dropped)
    slots["order_contact"] = "ada.l@example.com"
    events = await ActionHandleInform().run(dispatcher, tracker_for(identity, "my phone is 070 123 4567 too",
                                                                    slots=slots), {})
    assert events[0] == SlotSet("order_contact", "ada.l@example.com, 0701234567")


async def test_an_address_we_dont_ship_to_says_so_not_order_not_found(backend, dispatcher):
    text = "John Smith, 1 Main St, New York 10001, USA"
    tracker = tracker_for(new_identity(), text, entities=[{"entity": "order_id", "value": "10001"}])
    assert await ActionHandleInform().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_address_not_shipped"]


async def test_another_address_at_the_address_change_question_is_asked_about_instead(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    order = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity}).json()
    slots = {"pending_confirmation": "change_address", "target_order": order_view(Order.from_json(order)),
             "new_shipping_address": {"name": "Ada Lovelace", "line1": "1 Old Road", "city": "London",
                                      "postal_code": "NW1 6XE", "country": "GB"}}
    for text, said in (("John Smith, 1 Main St, New York 10001, USA", "utter_invalid_address_not_shipped"),
                       ("Jane Doe, 5 Rue de Rivoli, 75001 Paris, France", "utter_confirm_address_change")):
        dispatcher.messages.clear()
        tracker = tracker_for(identity, text, entities=[{"entity": "order_id", "value": text.split(",")[2].split()[-1]}],
                              slots=slots)
        await ActionHandleInform().run(dispatcher, tracker, {})
        assert [m["response"] for m in dispatcher.messages] == [said], text
    assert "5 Rue de Rivoli" in dispatcher.messages[0]["new_address"]

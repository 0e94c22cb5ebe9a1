"""Questions about an order after the fact, against a real backend (QA verify-2): an order the shop
cancelled is said to be the shop's cancel, with its note, an apology, a person and the same items
offered again (F30); "can i still change the address?" is answered, not the address form (F32)."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionCancelOrder
from actions.cancel_questions import answer_why_it_was_cancelled
from actions.change_address import ValidateChangeAddressForm, asks_if_it_can_change
from tests.actions.test_cancel import status_of
from tests.actions.test_change_address import address_of, start
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import BOT, STAFF, new_identity, place_order, ship, tracker_for
from tests.actions.test_replacements import placed_order


def cancelled_by_the_shop(backend, identity: str, note: str = "item damaged in warehouse") -> str:
    number = placed_order(backend, identity, [("MUG-ENM-CRM", 2)])
    response = httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                          json={"status": "cancelled", **({"note": note} if note else {})})
    assert response.status_code == 200, response.text
    return number


async def asked_about_the_cancel(identity: str, number: str, text: str):
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(identity, text, slots={"order_id": number})
    tracker.latest_message["intent"] = {"name": "cancel_order", "confidence": 0.9}
    events = await ActionCancelOrder().run(dispatcher, tracker, {})
    return dispatcher, events


@pytest.mark.parametrize("text", ["why was it cancelled??", "i didnt cancel it!"])
async def test_an_order_the_shop_cancelled_is_said_so_with_its_note_and_the_items_offered_again(backend, text):
    identity = new_identity()
    number = cancelled_by_the_shop(backend, identity)
    dispatcher, events = await asked_about_the_cancel(identity, number, text)
    assert [m.get("response") for m in dispatcher.messages] == ["utter_cancelled_by_the_shop", "utter_confirm_order"]
    assert dispatcher.messages[0]["number"] == number
    assert "item damaged in warehouse" in dispatcher.messages[0]["why"]
    assert "2 × Enamel Camp Mug Cream" in dispatcher.messages[1]["lines"]
    new = next(e["value"] for e in events if e.get("name") == "pending_order" and e.get("value"))
    assert new != number and status_of(backend, identity, new) == "pending"


async def test_a_shop_cancel_without_a_note_is_still_the_shops(backend):
    identity = new_identity()
    number = cancelled_by_the_shop(backend, identity, note="")
    dispatcher, _ = await asked_about_the_cancel(identity, number, "why was it cancelled?")
    assert dispatcher.messages[0]["response"] == "utter_cancelled_by_the_shop"
    assert dispatcher.messages[0]["why"] == ""


async def test_an_order_the_customer_cancelled_is_still_just_cancelled(backend):
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-ENM-CRM", 1)])
    httpx.post(f"{backend.url}/api/v1/orders/{number}/cancel", headers={**BOT, "X-Channel-Identity": identity},
               json={"reason": "cancelled by the customer in chat"}).raise_for_status()
    dispatcher, _ = await asked_about_the_cancel(identity, number, "why was it cancelled?")
    assert [m.get("response") for m in dispatcher.messages] == ["utter_cannot_cancel_cancelled"]


def test_a_question_whether_the_address_can_change_is_told_from_a_request():
    for text in ("where's my order and can i still change the address?", "can i still change the address of my order?",
                 "is it too late to change my delivery address?", "can the address still be changed?"):
        assert asks_if_it_can_change(text), text
    for text in ("change my address", "can you change the address to Grace Hopper, 1 New Road, Cork T12 RW26, Ireland",
                 "i need to change the delivery address"):
        assert not asks_if_it_can_change(text), text


async def test_can_i_still_change_the_address_is_answered_with_its_status_and_no_form(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, dispatcher = await start(identity, "where's my order and can i still change the address?")
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending", "utter_address_can_still_change"]
    assert dispatcher.messages[1]["number"] == number
    assert ActiveLoop(None) in events and SlotSet("order_id", number) in events
    assert not any(e.get("name") == "target_order" and e.get("value") for e in events)


async def test_can_i_still_change_the_address_once_shipped_says_no_and_why(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    events, dispatcher = await start(identity, "can i still change the address?")
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_locked_shipped"]
    assert ActiveLoop(None) in events


@pytest.mark.parametrize("text", ["i am just asking, i dont have the new address yet. where is the order now?",
                                  "not yet", "i'll send it later"])
async def test_no_address_yet_at_the_address_question_leaves_the_form_politely(backend, text):
    identity = new_identity()
    order = place_order(backend, identity)
    events, _ = await start(identity)
    slots = {"target_order": events[0]["value"], "requested_slot": "new_shipping_address"}
    dispatcher = CollectingDispatcher()
    tracker = flow_tracker(identity, text, "inform", "change_address_form", slots=slots)
    events = await ValidateChangeAddressForm().run(dispatcher, tracker, DOMAIN)
    said = [m["response"] for m in dispatcher.messages]
    assert said[-1] == "utter_address_change_later" and not any("invalid" in r for r in said)
    assert ("where" in text) == ("utter_order_status_pending" in said)
    assert ActiveLoop(None) in events and SlotSet("target_order", None) in events
    assert address_of(backend, identity, order["number"]) == order["shipping_address"]


async def test_why_was_it_cancelled_read_as_another_request_is_answered_for_a_shop_cancel(backend):
    identity = new_identity()
    number = cancelled_by_the_shop(backend, identity)
    dispatcher = CollectingDispatcher()
    events = await answer_why_it_was_cancelled(dispatcher, tracker_for(identity, "why was it cancelled??",
                                                                       slots={"order_id": number}), {})
    assert [m.get("response") for m in dispatcher.messages] == ["utter_cancelled_by_the_shop", "utter_confirm_order"]
    assert events is not None
    assert await answer_why_it_was_cancelled(CollectingDispatcher(), tracker_for(
        identity, "where is my order", slots={"order_id": number}), {}) is None


async def test_why_was_it_cancelled_read_as_tracking_is_the_shops_cancel(backend):
    """F30: "why was it cancelled??" read as track_order got "is already cancelled"."""
    from actions.orders import ActionTrackOrder
    identity = new_identity()
    number = cancelled_by_the_shop(backend, identity)
    tracker = tracker_for(identity, "why was it cancelled??", slots={"order_id": number})
    tracker.latest_message["intent"] = {"name": "track_order", "confidence": 0.8}
    dispatcher = CollectingDispatcher()
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert [m.get("response") for m in dispatcher.messages][0] == "utter_cancelled_by_the_shop"

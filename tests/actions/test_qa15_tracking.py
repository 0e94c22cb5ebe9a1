"""QA session 15, tracking: which order a message about lateness, tracking or "the mugs one" is
about when the customer has several; not-late-yet and failing tracking; an email never an order number."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions.order_wording import EARLIEST, SAYS_LATE, TRACKING_FAILS
from actions.orders import ActionDeliveryTime, ActionTrackOrder, answer_about_an_order, picks_an_order_in_view
from tests.actions.test_orders import (ADDRESS, BOT, after_answer, in_days, new_identity, place_order,
                                       responses, ship, tracker_for)

MUG, TEAPOT = "MUG-CER-BLU", "TEA-POT-GLS"
MUGS = [{"entity": "product", "value": "mug", "skus": ["MUG-CER-BLK", MUG, "MUG-CER-RED"], "start": 4, "end": 8}]
TEAPOTS = [{"entity": "product", "value": "teapot", "skus": ["TEA-POT-CST", TEAPOT], "start": 4, "end": 10}]


def place(backend, identity: str, sku: str, email: str = "ada@example.com") -> str:
    response = httpx.post(
        f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity},
        json={"lines": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS, "contact_email": email})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def confirm(backend, identity: str, number: str) -> None:
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()


def cancel(backend, identity: str, number: str) -> None:
    httpx.post(f"{backend.url}/api/v1/orders/{number}/cancel",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()


def listed(*numbers: str) -> str:
    return "\n".join(f"• {number}: 1 × Something – shipped" for number in numbers)


def test_the_wordings_of_lateness_failing_tracking_and_the_earliest_order():
    assert all(SAYS_LATE.search(t) for t in ("my order is late!!", "why so long", "it was supposed to arrive ages ago"))
    assert not SAYS_LATE.search("is it too late to cancel")
    assert all(TRACKING_FAILS.search(t) for t in ("the tracking number is not working",
                                                   "it says DHL but the tracking doesnt work on their site"))
    assert not TRACKING_FAILS.search("tracking number?")
    assert all(EARLIEST.search(t) for t in ("cancel my first order", "cancel the older order", "the oldest one"))
    assert not any(EARLIEST.search(t) for t in ("the first one", "show my older orders"))


async def test_my_order_is_late_is_about_the_late_order_not_the_newest_shipped_one(backend, dispatcher):
    """F3 (web:qa2-44): the newest order shipped on time, an older one late: the late one, in view."""
    identity = new_identity()
    late = place_order(backend, identity)["number"]
    ship(backend, identity, late, expected=in_days(-5))
    on_time = place_order(backend, identity)["number"]
    ship(backend, identity, on_time, expected=in_days(3))
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "my order is late"), {})
    assert responses(dispatcher) == ["utter_order_late"] and dispatcher.messages[0]["number"] == late
    assert SlotSet("order_id", late) in events and SlotSet("pending_confirmation", "human_handoff") in events


async def test_an_email_given_while_ordering_does_not_tie_my_order_to_the_one_talked_about(backend, dispatcher):
    """F3 (web:qa2-3) and F10 (web:qa2-16): the contact slot holds the email given in the order form;
    "my order is late" / "where is my order" were answered about the order in the order_id slot
    (newest confirmed; a cancelled one) as if another chat's order had been opened with that email."""
    identity = new_identity()
    late = place_order(backend, identity)["number"]
    ship(backend, identity, late, expected=in_days(-2))
    newest = place(backend, identity, TEAPOT)
    confirm(backend, identity, newest)
    slots = {"order_id": newest, "contact": "ada@example.com"}
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "my order is late", slots=slots), {})
    assert responses(dispatcher) == ["utter_order_late"] and dispatcher.messages[0]["number"] == late
    dispatcher.messages.clear()
    cancel(backend, identity, newest)
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order", slots=slots), {})
    assert dispatcher.messages[0]["number"] == late, responses(dispatcher)


async def test_when_will_it_come_after_a_cancelled_order_is_about_the_live_one(backend, dispatcher):
    """F10: right after "Order X was cancelled", "when will it come" is about the order on its way."""
    identity = new_identity()
    shipped = place_order(backend, identity)["number"]
    ship(backend, identity, shipped, expected=in_days(4))
    cancelled = place(backend, identity, TEAPOT)
    cancel(backend, identity, cancelled)
    tracker = after_answer(identity, "when will it come", [("utter_order_status_cancelled", {"number": cancelled})],
                           slots={"order_id": cancelled}, intent="delivery_time")
    await ActionDeliveryTime().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_order_status_shipped"
    assert dispatcher.messages[0]["number"] == shipped


async def test_the_teapot_one_after_the_orders_were_listed_is_that_order(backend, dispatcher):
    """F2/F4: "the teapot one" (a product question or a new order to the NLU) right after the bot
    listed the orders picks the order holding a teapot, not the catalogue; "the second one" too."""
    identity = new_identity()
    teapot = place(backend, identity, TEAPOT)
    ship(backend, identity, teapot, expected=in_days(2))
    mugs = place(backend, identity, MUG)
    confirm(backend, identity, mugs)
    said = [("utter_order_status_confirmed", {"number": mugs}), ("utter_other_open_orders", {"orders": listed(teapot)})]
    tracker = after_answer(identity, "the teapot one", said, entities=TEAPOTS, intent="product_info")
    assert picks_an_order_in_view(tracker)
    events = await answer_about_an_order(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_order_status_shipped"
    assert dispatcher.messages[0]["number"] == teapot and SlotSet("order_id", teapot) in events
    dispatcher.messages.clear()
    tracker = after_answer(identity, "the second one", said, intent="inform")
    await answer_about_an_order(dispatcher, tracker, {})
    assert dispatcher.messages[0]["number"] == teapot
    buying = after_answer(identity, "i want the teapot one too", said, entities=TEAPOTS, intent="place_order")
    assert not picks_an_order_in_view(buying)


async def test_tracking_for_the_teapot_is_the_teapot_order_if_there_is_one(backend, dispatcher):
    """F2 (web:qa2-30): "tracking for the teapot?" had the teapot list; without a teapot order it stays a product question."""
    identity = new_identity()
    teapot = place(backend, identity, TEAPOT)
    ship(backend, identity, teapot, expected=in_days(2))
    confirm(backend, identity, place(backend, identity, MUG))
    entities = [{**TEAPOTS[0], "start": 17, "end": 23}]
    await answer_about_an_order(dispatcher, tracker_for(identity, "tracking for the teapot?", entities), {})
    assert dispatcher.messages[0]["response"] == "utter_order_status_shipped" and dispatcher.messages[0]["number"] == teapot
    dispatcher.messages.clear()
    stranger = new_identity()
    place_order(backend, stranger)
    assert await answer_about_an_order(dispatcher, tracker_for(stranger, "tracking for the teapot?", entities), {}) is None


async def test_the_mug_one_is_late_not_the_teapot(backend, dispatcher):
    """F3 (web:qa2-44): "the dripper one is late, not the filters" became a product search; the
    product said not to be meant is left out, and the late order is the one answered."""
    identity = new_identity()
    mugs = place_order(backend, identity)["number"]
    ship(backend, identity, mugs, expected=in_days(-3))
    teapot = place(backend, identity, TEAPOT)
    ship(backend, identity, teapot, expected=in_days(3))
    text = "the mug one is late, not the teapot"
    entities = [MUGS[0], {**TEAPOTS[0], "start": 29, "end": 35}]
    events = await answer_about_an_order(dispatcher, tracker_for(identity, text, entities), {})
    assert responses(dispatcher) == ["utter_order_late"] and dispatcher.messages[0]["number"] == mugs
    assert SlotSet("order_id", mugs) in events


async def test_my_first_order_is_the_earliest(backend, dispatcher):
    """F31's wording: "my first order" is the earliest order, not the newest."""
    identity = new_identity()
    first = place_order(backend, identity)["number"]
    place(backend, identity, TEAPOT)
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my first order"), {})
    assert dispatcher.messages[0]["number"] == first


async def test_late_before_the_expected_date_says_so_and_insisting_gets_a_person_offered(backend, dispatcher):
    """F15 (web:qa2-23): "my order is late!!" before its date, "why so long", "the tracking number is
    not working" all got the same status line."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number, expected=in_days(2))
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "my order is late!!"), {})
    assert responses(dispatcher)[0] == "utter_order_not_late_yet"
    assert dispatcher.messages[0]["estimated_delivery"] == in_days(2)
    assert SlotSet("pending_confirmation", "human_handoff") not in events
    dispatcher.messages.clear()
    said = [("utter_order_not_late_yet", {"number": number})]
    tracker = after_answer(identity, "why so long", said, slots={"order_id": number}, intent="track_order")
    events = await ActionTrackOrder().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_still_on_time", "utter_offer_a_person"]
    assert SlotSet("pending_confirmation", "human_handoff") in events
    dispatcher.messages.clear()
    tracker = after_answer(identity, "the tracking number is not working", said, slots={"order_id": number},
                           intent="track_order")
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_tracking_not_working", "utter_offer_a_person"]
    assert dispatcher.messages[0]["tracking_number"] == "JD0142"


@pytest.mark.parametrize("email", ["grace.murphy57@example.com", "mia.novak331@example.com"])
async def test_an_email_with_a_part_like_an_order_number_verifies_the_order(backend, dispatcher, email):
    """F7: "my email is grace.murphy57@example.com" was looked up as order OB-MURPHY57."""
    number = place_order(backend, new_identity(), email=email)["number"]
    code = email.split("@")[0].split(".")[1]
    entities = [{"entity": "email", "value": email}, {"entity": "order_id", "value": code}]
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track"}
    await ActionTrackOrder().run(dispatcher, tracker_for(new_identity(), f"my email is {email}", entities, slots), {})
    assert responses(dispatcher) == ["utter_order_status_pending"] and dispatcher.messages[0]["number"] == number



async def test_my_other_order_with_two_right_after_one_is_the_other_and_all_lists_the_cancelled_too(backend, dispatcher):
    """F2 (web:qa2-30): "and my other order?" right after the bot's answer about one of two orders
    asked for a number; F12 (web:qa2-3): "show all my orders" left the cancelled one out."""
    identity = new_identity()
    teapot = place(backend, identity, TEAPOT)
    ship(backend, identity, teapot, expected=in_days(2))
    glasses = place(backend, identity, MUG)
    confirm(backend, identity, glasses)
    said = [("utter_order_status_confirmed", {"number": glasses}), ("utter_other_open_orders", {"orders": listed(teapot)})]
    await ActionTrackOrder().run(dispatcher, after_answer(identity, "and my other order?", said, intent="track_order"), {})
    assert dispatcher.messages[0]["number"] == teapot
    dispatcher.messages.clear()
    cancelled = place(backend, identity, MUG)
    cancel(backend, identity, cancelled)
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "show all my orders"), {})
    assert responses(dispatcher) == ["utter_order_list"] and cancelled in dispatcher.messages[0]["orders"]


async def test_a_late_order_already_being_chased_is_not_offered_a_person_again(backend, dispatcher):
    """F11 (web:qa2-17): "when will it come" after ticket #112 was opened to chase the late order
    offered "Shall I ask someone from the team to chase it for you?" again."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number, expected=in_days(-2))
    said = [("utter_late_order_ticket", {"number": number, "ticket_id": 112})]
    tracker = after_answer(identity, "when will it come", said, slots={"order_id": number}, intent="delivery_time")
    events = await ActionDeliveryTime().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_late_being_chased"] and dispatcher.messages[0]["ticket_id"] == 112
    assert SlotSet("pending_confirmation", "human_handoff") not in events


async def test_the_mugs_one_read_as_a_counted_product_question_is_that_order(backend, dispatcher):
    """F2: "the mugs one" after the orders were listed (a product question with the count "one" to the
    NLU) had started a mug picker that then stuck to every reply."""
    from actions.catalogue import ActionShowProducts
    identity = new_identity()
    mugs = place(backend, identity, MUG)
    confirm(backend, identity, mugs)
    teapot = place(backend, identity, TEAPOT)
    confirm(backend, identity, teapot)
    said = [("utter_order_status_confirmed", {"number": teapot}), ("utter_other_open_orders", {"orders": listed(mugs)})]
    entities = MUGS + [{"entity": "quantity", "value": "1", "start": 9, "end": 12}]
    tracker = after_answer(identity, "the mugs one", said, entities=entities, intent="product_info")
    events = await ActionShowProducts().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["number"] == mugs and SlotSet("order_id", mugs) in events

"""action_track_order against a real backend: own orders, the last order, verification of others'."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, NotFound
from actions.ordering import ValidateOrderForm
from actions.orders import ActionDeliveryTime, ActionTrackOrder, asks_about_own_order, said_order_number
from tests.actions.conftest import load_tracker

BOT = {"Authorization": "Bearer dev-bot-token"}
STAFF = {"Authorization": "Bearer dev-staff-token"}
ADDRESS = {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
           "postal_code": "D02 X285", "country": "IE"}


def new_identity() -> str:
    return f"web:{uuid.uuid4().hex}"


def place_order(backend, identity: str, email: str = "ada@example.com") -> dict:
    response = httpx.post(
        f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity},
        json={"lines": [{"sku": "MUG-CER-BLU", "quantity": 1}], "shipping_address": ADDRESS,
              "contact_email": email},
    )
    assert response.status_code == 201, response.text
    return response.json()


def in_days(days: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=days)).isoformat()


def ship(backend, identity: str, number: str, expected: str = "") -> None:
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    for status, extra in (("processing", {}), ("shipped", {"carrier": "DHL", "tracking_number": "JD0142",
                                                          "estimated_delivery": expected or in_days(3)})):
        response = httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                              json={"status": status, **extra})
        assert response.status_code == 200, response.text


def tracker_for(identity: str, text: str, entities=None, slots=None):
    tracker = load_tracker("track_order", text=text, entities=entities or [])
    tracker.sender_id = identity
    tracker.slots.update(slots or {})
    return tracker


async def test_track_order_without_orders_asks_for_number(backend, dispatcher):
    events = await ActionTrackOrder().run(dispatcher, tracker_for(new_identity(), "where is my order"), {})
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "track")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_order_number"]


async def test_track_order_reports_last_order(backend, dispatcher):
    identity = new_identity()
    order = place_order(backend, identity)
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending", "utter_other_order_hint"]
    assert dispatcher.messages[0]["number"] == order["number"]
    assert events == [SlotSet("requested_info", None), SlotSet("order_id", order["number"])]


async def test_track_order_shipped_gives_carrier_and_tracking(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    entities = [{"entity": "order_id", "value": f"order #{number}"}]
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, f"order #{number} is late", entities), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_order_not_late_yet"  # before its expected date: not late yet
    assert (message["carrier"], message["tracking_number"], message["estimated_delivery"]) == (
        "DHL", "JD0142", in_days(3))


@pytest.mark.parametrize("text, own", [
    ("when will my order arrive", True), ("when do i get my parcel", True), ("my blue mugs order when will it come", True),
    ("order no 1042 when", True), ("how long to get my stuff", True),
    ("how long does delivery take", False), ("how many days to deliver to my city", False),
    ("if i order today when will my order come", False), ("how long does my order usually take", False),
])
def test_a_delivery_time_question_about_the_customers_own_order(text, own):
    assert asks_about_own_order(text) is own


async def test_when_will_my_parcel_come_gives_the_orders_expected_date(backend, dispatcher):
    """Whichever intent the NLU gave, a question about their own order gets that order's date;
    a general one, or one inside a form, the shop's delivery times."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    delivery_time = load_tracker("track_order", text="when will my parcel come")
    delivery_time.sender_id = identity
    await ActionDeliveryTime().run(dispatcher, delivery_time, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_shipped", "utter_other_order_hint"]
    assert dispatcher.messages[0]["estimated_delivery"] == in_days(3)
    dispatcher.messages.clear()
    delivery_time.active_loop = {"name": "order_form"}
    await ActionDeliveryTime().run(dispatcher, delivery_time, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_time"]
    dispatcher.messages.clear()
    general = tracker_for(identity, "if i order 2 more today when would they arrive")
    assert await ActionTrackOrder().run(dispatcher, general, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_time"]


async def test_delivery_time_to_a_place_we_dont_deliver_to_says_so(dispatcher):
    for text, place in (("how long delivery to mumbai", "Mumbai"), ("ship to the US how many days", "the US")):
        dispatcher.messages.clear()
        await ActionDeliveryTime().run(dispatcher, load_tracker("track_order", text=text), {})
        assert [(m["response"], m.get("place")) for m in dispatcher.messages] == [("utter_not_delivered_there", place)]
    dispatcher.messages.clear()
    await ActionDeliveryTime().run(dispatcher, load_tracker("track_order", text="can you deliver to us by friday"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_time"]


async def test_how_many_days_for_delivery_without_orders_gives_the_times_then_asks_for_a_number(backend, dispatcher):
    events = await ActionTrackOrder().run(dispatcher, tracker_for(new_identity(), "how many days for delivery"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_time", "utter_delivery_time_order_hint"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "track")]


async def test_track_order_past_its_expected_delivery_apologises_and_offers_a_person(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number, expected=in_days(-2))
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my parcel"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_late"]
    assert dispatcher.messages[0]["estimated_delivery"] == in_days(-2)
    assert SlotSet("pending_confirmation", "human_handoff") in events


async def test_track_delivered_order_the_customer_never_got_offers_a_person(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "delivered"}).raise_for_status()
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_delivered", "utter_other_order_hint"]
    dispatcher.messages.clear()
    events = await ActionTrackOrder().run(
        dispatcher, tracker_for(identity, "it says delivered but i never received it"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_delivered_not_received"]
    assert events[-1] == SlotSet("pending_confirmation", "human_handoff")


async def test_track_order_of_other_identity_needs_verification(backend, dispatcher):
    number = place_order(backend, new_identity(), email="grace@example.com")["number"]
    stranger = new_identity()
    entities = [{"entity": "order_id", "value": number}]
    events = await ActionTrackOrder().run(dispatcher, tracker_for(stranger, f"status of {number}", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_order_contact"]
    assert events == [SlotSet("requested_info", "contact"), SlotSet("order_id", number), SlotSet("order_task", "track")]

    verified = CollectingDispatcher()
    slots = {"requested_info": "contact", "order_id": number}
    email = [{"entity": "email", "value": "Grace@example.com"}]
    await ActionTrackOrder().run(verified, tracker_for(stranger, "Grace@example.com", email, slots), {})
    assert [m["response"] for m in verified.messages] == ["utter_order_status_pending"]


@pytest.mark.parametrize("given", ["mallory@example.com", "+353 85 000 0000"])
async def test_track_order_wrong_contact_is_refused(backend, dispatcher, given):
    number = place_order(backend, new_identity(), email="grace@example.com")["number"]
    slots = {"requested_info": "contact", "order_id": number}
    events = await ActionTrackOrder().run(dispatcher, tracker_for(new_identity(), given, [], slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_verified"]
    assert events == [SlotSet("requested_info", "contact"), SlotSet("order_id", number),
                      SlotSet("order_task", "track"), SlotSet("contact", None)]


async def test_after_a_wrong_email_the_right_one_opens_the_order_and_follow_ups_stay_on_it(backend, dispatcher):
    """A typo in the email is asked again; the right one, even with the number in the same message,
    opens the order, and "did it ship yet" / "when will it arrive" are about that order then."""
    number = place_order(backend, new_identity(), email="grace@example.com")["number"]
    stranger = new_identity()
    slots = {"requested_info": "contact", "order_id": number}
    await ActionTrackOrder().run(dispatcher, tracker_for(stranger, "grace@exmaple.com", [], slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_verified"]
    dispatcher.messages.clear()
    text = f"{number} grace@example.com"
    entities = [{"entity": "order_id", "value": number}, {"entity": "email", "value": "grace@example.com"}]
    events = await ActionTrackOrder().run(dispatcher, tracker_for(stranger, text, entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending"]
    assert SlotSet("order_id", number) in events
    followed = {"order_id": number, "contact": "grace@example.com"}
    for ask, action in (("did it ship yet", ActionTrackOrder), ("when will it arrive", ActionDeliveryTime)):
        dispatcher.messages.clear()
        await action().run(dispatcher, tracker_for(stranger, ask, [], followed), {})
        assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending"], ask
    dispatcher.messages.clear()
    await ActionDeliveryTime().run(dispatcher, tracker_for(stranger, "how long does it take to deliver", [], followed), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_delivery_time"]
    # "what's in my order?": the order opened with its email (this chat has none of its own)
    dispatcher.messages.clear()
    await ActionTrackOrder().run(dispatcher, tracker_for(stranger, "what's in my order?", [], followed), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_contents", "utter_order_status_pending"]
    assert dispatcher.messages[0]["number"] == number



async def test_why_so_long_right_after_an_order_is_about_that_order(backend):
    """"where is OB-…" (the older of two), then "why so long?" or "any update?": that order, not
    the newest (it had been)."""
    identity = new_identity()
    older = place_order(backend, identity)["number"]
    place_order(backend, identity)
    for ask in ("why so long?", "any update?", "still nothing"):
        dispatcher = CollectingDispatcher()
        events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, ask, [], {"order_id": older}), {})
        assert SlotSet("order_id", older) in events, ask
        assert dispatcher.messages[0]["number"] == older, ask


async def test_a_phone_number_given_for_the_order_number_is_not_taken_for_one(backend, dispatcher):
    text = "its +44 7700 900123"
    entities = [{"entity": "order_id", "value": "7700"}, {"entity": "phone", "value": "+44 7700 900123"}]
    tracker = tracker_for(new_identity(), text, entities, slots={"requested_info": "order_id", "order_task": "track"})
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_order_number"]


async def test_an_order_number_given_by_its_last_digits_is_the_customers_own(backend):
    """"my order 3403" for OB-D0003403: found among the customer's own orders only."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    while not any(c.isdigit() for c in number):  # a number of letters only has no digits to give
        number = place_order(backend, identity)["number"]
    digits = "".join(c for c in number if c.isdigit())
    async with BackendClient(identity) as client:
        assert (await client.get_order(digits)).number == number
    async with BackendClient(new_identity()) as stranger:
        with pytest.raises(NotFound):
            await stranger.get_order(digits)


async def test_several_orders_are_listed_or_named_and_a_product_picks_one(backend, dispatcher):
    """The last order's status names the others on their way; "show all my orders" lists them and
    asks which; "track the french press order" is the one holding it."""
    from tests.actions.test_cancel import order_of  # imported here: test_cancel imports this module
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    ship(backend, identity, press)
    newest = place_order(backend, identity)["number"]
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending", "utter_other_open_orders"]
    assert dispatcher.messages[0]["number"] == newest and press in dispatcher.messages[1]["orders"]
    dispatcher.messages.clear()
    events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, "show all my orders"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_list"]
    assert newest in dispatcher.messages[0]["orders"] and "1 × French Press 800 ml – shipped" in dispatcher.messages[0]["orders"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "track")]
    dispatcher.messages.clear()
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "track the french press order", entities), {})
    assert dispatcher.messages[0]["response"] == "utter_order_status_shipped" and dispatcher.messages[0]["number"] == press


async def test_a_late_order_among_the_others_on_their_way_is_flagged(backend, dispatcher):
    identity = new_identity()
    late = place_order(backend, identity)["number"]
    ship(backend, identity, late, expected=in_days(-3))
    on_time = place_order(backend, identity)["number"]
    ship(backend, identity, on_time)
    place_order(backend, identity)
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending", "utter_other_open_orders"]
    others = dispatcher.messages[1]["orders"].splitlines()
    assert [line for line in others if "late" in line] == [
        f"• {late}: 1 × Ceramic Mug Blue – shipped, late: expected {in_days(-3)}"]


async def test_an_order_number_without_its_prefix_is_found(backend, dispatcher):
    """"order D0003403" for OB-D0003403, from the message's words when asked for the number."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    while not any(c.isdigit() for c in number):  # one of letters only needs its prefix
        number = place_order(backend, identity)["number"]
    bare = number.removeprefix("OB-").lower()
    tracker = tracker_for(identity, f"order {bare} pls", slots={"requested_info": "order_id", "order_task": "track"})
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_status_pending"]
    assert dispatcher.messages[0]["number"] == number


async def test_a_question_about_the_parcel_is_about_the_order_shipped_not_the_newest(backend, dispatcher):
    identity = new_identity()
    shipped = place_order(backend, identity)["number"]
    ship(backend, identity, shipped)
    newest = place_order(backend, identity)["number"]
    for text in ("tracking number?", "it was supposed to arrive ages ago!!"):
        dispatcher.messages.clear()
        await ActionTrackOrder().run(dispatcher, tracker_for(identity, text), {})
        assert dispatcher.messages[0]["number"] == shipped, text
    dispatcher.messages.clear()
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "where is my order"), {})
    assert dispatcher.messages[0]["number"] == newest


async def test_which_courier_right_after_cancelling_one_is_about_the_order_on_its_way(backend, dispatcher):
    identity = new_identity()
    shipped = place_order(backend, identity)["number"]
    ship(backend, identity, shipped)
    cancelled = place_order(backend, identity)["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{cancelled}/cancel",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "which courier is it with?",
                                                         slots={"order_id": cancelled}), {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["number"]) == (
        "utter_order_status_shipped", shipped)
    for text in ("which courier?", "whats in my order?"):  # the same without the cancelled one talked about
        dispatcher.messages.clear()
        await ActionTrackOrder().run(dispatcher, tracker_for(identity, text), {})
        assert {m.get("number") for m in dispatcher.messages if m.get("number")} == {shipped}, text
    dispatcher.messages.clear()  # a question about it, not its parcel, stays on it
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "is it cancelled?", slots={"order_id": cancelled}), {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["number"]) == (
        "utter_order_status_cancelled", cancelled)


@pytest.mark.parametrize("text", ["what's in my order?", "what did i order last time", "order details pls",
                                  "which items are in my order"])
async def test_what_is_in_my_order_lists_its_items_then_its_status(backend, dispatcher, text):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, text), {})
    assert [m["response"] for m in dispatcher.messages][:2] == ["utter_order_contents", "utter_order_status_pending"]
    assert dispatcher.messages[0]["number"] == number and dispatcher.messages[0]["lines"].startswith("• 1 × ")


async def test_never_got_it_after_a_delivered_status_offers_help(backend, dispatcher):
    from actions.cancel import ActionAnswerConfirmation  # imported here: test_cancel imports this module
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
               json={"status": "delivered"}).raise_for_status()
    tracker = tracker_for(identity, "but i never got it!", slots={"order_id": number})
    tracker.latest_message["intent"] = {"name": "deny", "confidence": 0.8}
    events = await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_delivered_not_received"]
    assert SlotSet("pending_confirmation", "human_handoff") in events


async def test_after_the_list_an_ordinal_or_a_product_picks_the_order(backend, dispatcher):
    from actions.catalogue import ActionShowProducts  # imported here: catalogue imports this module
    from tests.actions.test_cancel import order_of
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    newest = place_order(backend, identity)["number"]
    asked = {"requested_info": "order_id", "order_task": "track"}
    for text, expected in (("the second one", press), ("the first one", newest), ("the last one", press)):
        dispatcher.messages.clear()
        await ActionTrackOrder().run(dispatcher, tracker_for(identity, text, slots=asked), {})
        assert dispatcher.messages[0]["number"] == expected, text
    dispatcher.messages.clear()
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    await ActionShowProducts().run(dispatcher, tracker_for(identity, "the french press one", entities, slots=asked), {})
    assert dispatcher.messages[0]["number"] == press
    dispatcher.messages.clear()
    await ActionShowProducts().run(dispatcher, tracker_for(identity, "the 2nd", slots=asked), {})
    assert dispatcher.messages[0]["number"] == press


async def test_a_product_question_while_asked_for_an_order_number_is_answered(backend, dispatcher):
    """No orders, "where is my order" → "what's the number?"; "do you have blue mugs" then is a
    product question, not the order number again."""
    from actions.catalogue import ActionShowProducts  # imported here: catalogue imports this module
    entities = [{"entity": "product", "value": "blue mugs", "skus": ["MUG-CER-BLU"]}]
    tracker = tracker_for(new_identity(), "do you have blue mugs", entities,
                          slots={"requested_info": "order_id", "order_task": "track"})
    await ActionShowProducts().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]


async def test_the_order_with_the_mugs_is_the_one_holding_them_even_cancelled(backend, dispatcher):
    """"where is the order with the mugs" ("mugs" a category to the NLU) had answered about the
    newest order; "the grinder order" once cancelled about the other one."""
    identity = new_identity()
    mugs = place_order(backend, identity)["number"]  # a blue mug
    response = httpx.post(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity}, json={
        "lines": [{"sku": "GRN-HND-BUR", "quantity": 1}], "contact_email": "ada@example.com",
        "shipping_address": {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Dublin", "postal_code": "D02 X285",
                             "country": "IE"}})
    grinder = response.json()["number"]
    text = "where is the order with the mugs"
    tracker = tracker_for(identity, text, entities=[{"entity": "category", "value": "Mugs"}], slots={"order_id": grinder})
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["number"] == mugs
    httpx.post(f"{backend.url}/api/v1/orders/{grinder}/cancel", headers={**BOT, "X-Channel-Identity": identity})
    dispatcher.messages.clear()
    tracker = tracker_for(identity, "whats the status of the grinder order", entities=[
        {"entity": "product", "value": "grinder", "skus": ["GRN-ELC-BUR", "GRN-HND-BUR"]}])
    await ActionTrackOrder().run(dispatcher, tracker, {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["number"]) == ("utter_order_status_cancelled", grinder)
    dispatcher.messages.clear()  # one order on its way and one cancelled: the other is the cancelled one
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "and the other order?"), {})
    assert dispatcher.messages[0]["response"] == "utter_order_list"
    assert f"{grinder}: 1 × Hand Burr Grinder – cancelled" in dispatcher.messages[0]["orders"]


async def test_which_courier_before_shipping_says_there_is_none_yet(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    await ActionTrackOrder().run(dispatcher, tracker_for(identity, "which courier is it with?"), {})
    assert (dispatcher.messages[0]["response"], dispatcher.messages[0]["number"]) == ("utter_no_courier_yet", number)


def order_with_phone(backend, identity: str, phone: str = "+919876511111") -> str:
    response = httpx.post(
        f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": identity},
        json={"lines": [{"sku": "MUG-CER-BLU", "quantity": 1}], "shipping_address": ADDRESS, "contact_phone": phone})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def after_answer(identity: str, text: str, said: list, entities=None, slots=None, intent: str = "inform"):
    """`text` (read as `intent`) right after the bot said `said` [(response, its values)]; Rasa keeps
    a response's values in its event's metadata ("number": the order it named)."""
    tracker = tracker_for(identity, text, entities, slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    spoken = [{"event": "bot", "text": response, "metadata": {"utter_action": response, **values}}
              for response, values in said]
    tracker.events = [{"event": "action", "name": "action_track_order"}, *spoken,
                      {"event": "action", "name": "action_listen"},
                      {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    return tracker


def responses(dispatcher: CollectingDispatcher) -> list:
    return [m["response"] for m in dispatcher.messages]


# As the NLU reads them: the entity of a number written in groups stops short ("+91 98765 1111").
@pytest.mark.parametrize("text, entities", [
    ("+91 98765 11111", [{"entity": "phone", "value": "+91 98765 1111"}]),
    ("its +91 98765 11111", [{"entity": "phone", "value": "+91 98765 1111"}]),
    ("(+91) 98765 11111", [{"entity": "phone", "value": "+91) 98765 1111"}]),
    ("+91-98765-11111", [{"entity": "phone", "value": "+91-98765-1111"}]),
    ("+91 9876511111", [{"entity": "phone", "value": "9876511111"}, {"entity": "phone", "value": "+91 9876511111"}]),
    ("+91 987 651 1111", [{"entity": "phone", "value": "+91 987 651 1111"}]),
    ("0091 98765 11111", []), ("98765 11111", []), ("098765 11111", []), ("919876511111", []),
    ("my phone is 98765 11111", []),
])
async def test_a_phone_written_any_ordinary_way_opens_another_chats_order(backend, text, entities):
    """t2 M6: "+91 98765 11111", exactly the number on the order, was refused (the NLU's entity
    lacked the last digit); the backend compares the last 9 digits of the whole number."""
    number = order_with_phone(backend, new_identity())
    stranger, dispatcher = new_identity(), CollectingDispatcher()
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track"}
    events = await ActionTrackOrder().run(dispatcher, tracker_for(stranger, text, entities, slots), {})
    assert responses(dispatcher) == ["utter_order_status_pending"] and dispatcher.messages[0]["number"] == number
    kept = next(e["value"] for e in events if e.get("name") == "contact")
    assert kept.replace("+", "").removeprefix("00").removeprefix("0").endswith("876511111"), kept


@pytest.mark.parametrize("text, entities", [
    ("+91 98765 11112", [{"entity": "phone", "value": "+91 98765 1111"}]),
    ("+44 7700 900123", [{"entity": "phone", "value": "+44 7700 900123"}]),
    ("98765 00000", []), ("my phone is 98765 00000", []), ("765 11111", []), ("+91 98765", []),
])
async def test_a_wrong_or_partial_phone_never_opens_the_order(backend, text, entities):
    number = order_with_phone(backend, new_identity())
    dispatcher = CollectingDispatcher()
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track"}
    events = await ActionTrackOrder().run(dispatcher, tracker_for(new_identity(), text, entities, slots), {})
    assert responses(dispatcher) in (["utter_order_not_verified"], ["utter_ask_order_contact"]), text
    assert SlotSet("requested_info", "contact") in events


async def test_the_phone_asked_for_read_as_out_of_scope_is_still_the_answer(backend):
    """"my phone is 98765 00000" at "tell me the email or phone used on the order" got "Sorry,
    that's outside what I can help with" (the NLU: out_of_scope); the check answers it."""
    from actions.fallback import ActionFallback  # imported here: only this test needs it
    number = order_with_phone(backend, new_identity())
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track"}
    for text, said in (("my phone is 98765 00000", "utter_order_not_verified"),
                       ("my phone is 98765 11111", "utter_order_status_pending")):
        dispatcher = CollectingDispatcher()
        tracker = after_answer(new_identity(), text, [("utter_ask_order_contact", {"number": number})],
                               slots=slots, intent="out_of_scope")
        await ActionFallback().run(dispatcher, tracker, {})
        assert responses(dispatcher) == [said], text


async def test_follow_ups_after_another_chats_order_was_opened_are_about_it(backend):
    """t2 M7, m1, m11: after "+91 98765 11111" opened another chat's order, "and what was in it"
    and "whats in it" (read as product questions) list its items, and "where is OB-…" again shows
    it rather than "I can't find order … on this chat"."""
    from actions.orders import answer_about_an_order  # the catalogue and the fallback ask it first
    number = order_with_phone(backend, new_identity())
    stranger, dispatcher = new_identity(), CollectingDispatcher()
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track",
             "contact": "+91 98765 1111"}  # the slot's own mapping: the entity as the NLU cut it
    events = await ActionTrackOrder().run(dispatcher, tracker_for(
        stranger, "+91 98765 11111", [{"entity": "phone", "value": "+91 98765 1111"}], slots), {})
    slots = {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
    assert slots["contact"] == "+919876511111" and slots["requested_info"] is None
    shown = [("utter_order_status_pending", {"number": number})]
    for text in ("and what was in it", "whats in it", "what did i order?"):
        dispatcher = CollectingDispatcher()
        answered = await answer_about_an_order(dispatcher, after_answer(stranger, text, shown, slots=slots,
                                                                        intent="product_info"), {})
        assert answered is not None, text
        assert responses(dispatcher) == ["utter_order_contents", "utter_order_status_pending"], text
        assert "1 × Ceramic Mug Blue" in dispatcher.messages[0]["lines"]
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "order_id", "value": number}]
    await ActionTrackOrder().run(dispatcher, tracker_for(stranger, f"where is {number}", entities, slots), {})
    assert responses(dispatcher) == ["utter_order_status_pending"]


async def test_whats_in_it_is_about_the_order_only_right_after_its_answer(backend):
    """t2 m1: "whats in it" after "where is my order" lists its items (the category list had
    answered); after a product's answer it stays a product question."""
    from actions.orders import answer_about_an_order
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    dispatcher = CollectingDispatcher()
    tracker = after_answer(identity, "whats in it", [("utter_order_status_pending", {"number": number}),
                                                     ("utter_other_order_hint", {})],
                           slots={"order_id": number}, intent="product_info")
    await answer_about_an_order(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_contents", "utter_order_status_pending"]
    tracker = after_answer(identity, "whats in it", [("utter_product_list", {"products": "• Gift Set"})],
                           slots={"order_id": number}, intent="product_info")
    assert await answer_about_an_order(CollectingDispatcher(), tracker, {}) is None


async def test_an_order_number_alone_without_its_prefix_is_tracked(backend):
    """t2 m2: "HZME5UYP", "#X5DKAPRB" and "and x5dkaprb?" got the category list."""
    from actions.orders import answer_about_an_order
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    while not any(c.isdigit() for c in number):  # one of letters only is found with its "#"
        number = place_order(backend, identity)["number"]
    bare = number.removeprefix("OB-")
    for text in (bare, f"#{bare}", f"and {bare.lower()}?", f"what about #{bare.lower()}"):
        dispatcher = CollectingDispatcher()
        tracker = tracker_for(identity, text)
        tracker.latest_message["intent"] = {"name": "product_info", "confidence": 0.2}
        assert await answer_about_an_order(dispatcher, tracker, {}) is not None, text
        assert responses(dispatcher) == ["utter_order_status_pending"], text
        assert dispatcher.messages[0]["number"] == number, text
    for text in ("thankyou", "teapots?", "12345678"):  # no order number alone: not ours to answer
        assert await answer_about_an_order(CollectingDispatcher(), tracker_for(identity, text), {}) is None, text


async def test_an_email_alone_checks_the_order_just_named_or_says_what_can_be_done(backend):
    """t2 m13: after "I can't find order OB-… on this chat" (a cancel), the email alone got the
    category list. It checks that order (the right one opens it, a wrong one reveals nothing); out
    of the blue, the team can find orders by it."""
    from actions.orders import answer_about_an_order
    number = place_order(backend, new_identity(), email="grace@example.com")["number"]
    stranger = new_identity()
    refused = [("utter_cancel_order_not_found", {"number": number})]
    for text, said in (("mallory@example.com", "utter_order_not_verified"),
                       ("grace@example.com", "utter_order_status_pending")):
        dispatcher = CollectingDispatcher()
        tracker = after_answer(stranger, text, refused, [{"entity": "email", "value": text}])
        events = await answer_about_an_order(dispatcher, tracker, {})
        assert responses(dispatcher) == [said], text
    assert SlotSet("contact", "grace@example.com") in events
    dispatcher = CollectingDispatcher()
    tracker = after_answer(new_identity(), "grace@example.com", [("utter_greet", {})],
                           [{"entity": "email", "value": "grace@example.com"}])
    events = await answer_about_an_order(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_lookup_by_contact"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


def confirm(backend, identity: str, number: str) -> None:
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()


async def test_a_pasted_order_number_wins_over_the_year_of_its_date(backend):
    """t4 M9: "Order number: OB-… / Date: 7 Dec 2026 / where is it" was looked up as order 2026
    (the NLU's first order_id); a year is no order number, bare digits still are."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    text = f"Order number: {number}\nDate: 7 Dec 2026\nwhere is it"
    for entities in ([{"entity": "order_id", "value": "2026"}, {"entity": "order_id", "value": number}], []):
        dispatcher = CollectingDispatcher()
        events = await ActionTrackOrder().run(dispatcher, tracker_for(identity, text, entities), {})
        assert responses(dispatcher) == ["utter_order_status_pending"]
        assert SlotSet("order_id", number) in events
    dispatcher = CollectingDispatcher()
    dated = tracker_for(identity, "Date: 7 Dec 2026. where is it", [{"entity": "order_id", "value": "2026"}])
    await ActionTrackOrder().run(dispatcher, dated, {})
    assert dispatcher.messages[0]["number"] == number  # the last order, not "order 2026"
    assert said_order_number(tracker_for(identity, "order 2026 pls", [{"entity": "order_id", "value": "2026"}])) == "2026"


def in_the_order_form(identity: str, text: str, entities=None, intent: str = "track_order", slots=None):
    """`text` while the order form asks "Where should we send it?" for 2 blue mugs."""
    draft = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}]
    tracker = tracker_for(identity, text, entities, {"order_items": draft, "order_draft": draft,
                                                     "requested_slot": "shipping_address", **(slots or {})})
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    tracker.active_loop = {"name": "order_form"}
    return tracker


def slots_after(events: list) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def test_checking_another_order_while_ordering_pauses_the_form_then_it_goes_on(backend):
    """t3 M10: "actually where is my order OB-…" (another chat's) while ordering got the question
    for its email AND "Where should we send it?", and the email was then taken as the address.
    The email question comes alone (the form waits), the email goes to the check, and the form
    then goes on, its question asked again, the email no address."""
    number = place_order(backend, new_identity(), email="priya.s@example.com")["number"]
    customer = new_identity()
    dispatcher = CollectingDispatcher()
    asking = in_the_order_form(customer, f"actually where is my order {number}", [{"entity": "order_id", "value": number}])
    events = await ActionTrackOrder().run(dispatcher, asking, {})
    assert responses(dispatcher) == ["utter_ask_order_contact"]
    assert events[-3:] == [SlotSet("paused_form", "order_form"), ActiveLoop(None), SlotSet("requested_slot", None)]
    paused = {**asking.slots, **slots_after(events)}

    dispatcher = CollectingDispatcher()
    email = tracker_for(customer, "priya.s@example.com", [{"entity": "email", "value": "priya.s@example.com"}], paused)
    events = await ActionTrackOrder().run(dispatcher, email, {})
    assert responses(dispatcher) == ["utter_order_status_pending"]
    assert events[-2:] == [SlotSet("paused_form", None), FollowupAction("order_form")]
    # the form, started again on the same message, takes nothing from it and asks its question
    resumed = in_the_order_form(customer, "priya.s@example.com", [{"entity": "email", "value": "priya.s@example.com"}],
                                "inform", {**paused, **slots_after(events), "requested_slot": None})
    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
    dispatcher = CollectingDispatcher()
    form_events = await ValidateOrderForm().run(dispatcher, resumed, domain)
    assert not {"shipping_address", "order_contact"} & set(slots_after(form_events)), form_events
    assert dispatcher.messages == []


async def test_leaving_the_check_while_ordering_goes_back_to_the_order(backend):
    """Asked for the email on another chat's order while ordering, "ok back to my order" (no email)
    leaves the check and the form goes on (it had asked for the email again and again); a wrong
    email is asked again, the form still waiting."""
    number = place_order(backend, new_identity(), email="priya.s@example.com")["number"]
    customer = new_identity()
    waiting = {"paused_form": "order_form", "requested_info": "contact", "order_id": number, "order_task": "track"}
    dispatcher = CollectingDispatcher()
    wrong = tracker_for(customer, "mallory@example.com", [{"entity": "email", "value": "mallory@example.com"}], waiting)
    events = await ActionTrackOrder().run(dispatcher, wrong, {})
    assert responses(dispatcher) == ["utter_order_not_verified"]
    assert not any(event.get("event") == "followup" for event in events)
    for text in ("ok back to my order", "i dont have that email"):
        dispatcher = CollectingDispatcher()
        events = await ActionTrackOrder().run(dispatcher, tracker_for(customer, text, [], waiting), {})
        assert dispatcher.messages == [], text
        assert events == [SlotSet("requested_info", None), SlotSet("paused_form", None),
                          FollowupAction("order_form")], text


async def test_when_will_it_arrive_right_after_placing_or_when_after_a_status_is_about_that_order(backend):
    """t4 m3: "when will it arrive" right after an order was placed, and "when" after its status,
    got the shop's delivery times; now that order (not the older one talked about before): its
    status, and before it ships how long delivery takes; shipped, its expected date."""
    identity = new_identity()
    older = place_order(backend, identity)["number"]
    number = place_order(backend, identity)["number"]
    confirm(backend, identity, number)
    placed = [("utter_order_placed", {"number": number, "total": "€16.80"})]
    for text in ("when will it arrive", "when?"):
        dispatcher = CollectingDispatcher()
        tracker = after_answer(identity, text, placed, slots={"order_id": older}, intent="delivery_time")
        await ActionDeliveryTime().run(dispatcher, tracker, {})
        assert responses(dispatcher) == ["utter_order_status_confirmed", "utter_delivery_time"], text
        assert dispatcher.messages[0]["number"] == number, text
    shipped = {"carrier": "DHL", "tracking_number": "JD0143", "estimated_delivery": in_days(5)}
    for status, extra in (("processing", {}), ("shipped", shipped)):
        httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                   json={"status": status, **extra}).raise_for_status()
    dispatcher = CollectingDispatcher()
    status = [("utter_order_status_shipped", {"number": number}), ("utter_other_order_hint", {})]
    await ActionDeliveryTime().run(dispatcher, after_answer(identity, "when", status, intent="delivery_time"), {})
    assert responses(dispatcher) == ["utter_order_status_shipped"]
    assert dispatcher.messages[0]["estimated_delivery"] == in_days(5)
    dispatcher = CollectingDispatcher()  # with no order just named, "when" is the shop's times
    await ActionDeliveryTime().run(dispatcher, after_answer(identity, "when", [("utter_greet", {})],
                                                            intent="delivery_time"), {})
    assert responses(dispatcher) == ["utter_delivery_time"]


async def test_late_right_after_an_orders_answer_is_about_that_order(backend):
    """t4 m2: the one word "late?" right after an order's answer is about that order (here the
    older one), not the newest, once the NLU reads it as tracking (it read a goodbye)."""
    identity = new_identity()
    older = place_order(backend, identity)["number"]
    confirm(backend, identity, older)
    place_order(backend, identity)
    for text in ("late?", "still late"):
        dispatcher = CollectingDispatcher()
        tracker = after_answer(identity, text, [("utter_order_status_confirmed", {"number": older})],
                               intent="track_order")
        await ActionTrackOrder().run(dispatcher, tracker, {})
        assert [(m["response"], m["number"]) for m in dispatcher.messages] == [
            ("utter_order_status_confirmed", older)], text


async def test_whats_in_my_order_now_right_after_placing_it_lists_it(backend):
    """"what's in my order now" right after "Your order … is placed" got the delivery times (read as
    a delivery question)."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    dispatcher = CollectingDispatcher()
    tracker = after_answer(identity, "what's in my order now", [("utter_order_placed", {"number": number})],
                           intent="delivery_time")
    await ActionDeliveryTime().run(dispatcher, tracker, {})
    assert responses(dispatcher)[0] == "utter_order_contents"

"""action_refund_status for another chat's order: asked for the email or phone as tracking asks,
and about the order just opened with them."""
from __future__ import annotations

import httpx
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionTrackOrder
from actions.refunds import ActionRefundStatus
from tests.actions.test_orders import BOT, new_identity, order_with_phone, place_order, responses, tracker_for
from tests.actions.test_returns import deliver, staff_move


def refunded(backend, identity: str, number: str) -> None:
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    staff_move(backend, number, "returned")
    staff_move(backend, number, "refunded", refund_minor=1000)


def slots_after(slots: dict, events: list) -> dict:
    return {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}


async def test_a_refund_of_another_chats_order_asks_for_its_email_or_phone(backend):
    """t2 M7: "where is my refund for OB-…" from another chat said "ask for a person", asked for
    no email, and the email sent anyway got the category list."""
    owner = new_identity()
    number = place_order(backend, owner, email="grace@example.com")["number"]
    refunded(backend, owner, number)
    stranger, dispatcher = new_identity(), CollectingDispatcher()
    entities = [{"entity": "order_id", "value": number}]
    events = await ActionRefundStatus().run(
        dispatcher, tracker_for(stranger, f"where is my refund for {number}", entities), {})
    assert responses(dispatcher) == ["utter_ask_order_contact"]
    assert events == [SlotSet("requested_info", "contact"), SlotSet("order_id", number), SlotSet("order_task", "refund")]
    slots = slots_after({}, events)
    dispatcher = CollectingDispatcher()
    wrong = [{"entity": "email", "value": "mallory@example.com"}]
    events = await ActionRefundStatus().run(dispatcher, tracker_for(stranger, "mallory@example.com", wrong, slots), {})
    assert responses(dispatcher) == ["utter_order_not_verified"] and "amount" not in dispatcher.messages[0]
    assert SlotSet("requested_info", "contact") in events and SlotSet("order_task", "refund") in events
    dispatcher = CollectingDispatcher()
    right = [{"entity": "email", "value": "grace@example.com"}]
    events = await ActionRefundStatus().run(dispatcher, tracker_for(stranger, "grace@example.com", right, slots), {})
    assert responses(dispatcher) == ["utter_refund_refunded"] and dispatcher.messages[0]["amount"] == "€10.00"
    assert SlotSet("contact", "grace@example.com") in events and SlotSet("requested_info", None) in events


async def test_where_is_my_refund_after_another_chats_order_was_opened_is_about_it(backend):
    """t2 M7, m11: after "where is my order …" and its phone ("+91 98765 11111"), "where is my
    refund" said "I don't see any orders from you on this chat", and "… for OB-…" "I can't find
    order … on this chat"; both are about the order just opened."""
    owner = new_identity()
    number = order_with_phone(backend, owner)
    refunded(backend, owner, number)
    stranger, dispatcher = new_identity(), CollectingDispatcher()
    slots = {"requested_info": "contact", "order_id": number, "order_task": "track", "contact": "+91 98765 1111"}
    events = await ActionTrackOrder().run(dispatcher, tracker_for(
        stranger, "+91 98765 11111", [{"entity": "phone", "value": "+91 98765 1111"}], slots), {})
    assert responses(dispatcher) == ["utter_order_status_refunded"]
    slots = slots_after(slots, events)
    for text, entities in (("where is my refund", []), (f"where is my refund for {number}",
                                                        [{"entity": "order_id", "value": number}])):
        dispatcher = CollectingDispatcher()
        events = await ActionRefundStatus().run(dispatcher, tracker_for(stranger, text, entities, slots), {})
        assert responses(dispatcher) == ["utter_refund_refunded"], text
        assert dispatcher.messages[0]["number"] == number and SlotSet("order_id", number) in events


async def test_where_is_my_refund_with_an_own_order_in_view_keeps_to_the_own_orders(backend):
    """The contact slot also holds the customer's own email from ordering: their own order in view
    is no other chat's, and "where is my refund" is still their newest order with a refund."""
    identity = new_identity()
    returned = place_order(backend, identity)["number"]
    refunded(backend, identity, returned)
    newest = place_order(backend, identity)["number"]
    dispatcher = CollectingDispatcher()
    slots = {"order_id": newest, "contact": "ada@example.com"}
    await ActionRefundStatus().run(dispatcher, tracker_for(identity, "where is my refund", [], slots), {})
    assert responses(dispatcher) == ["utter_refund_refunded"] and dispatcher.messages[0]["number"] == returned


async def test_a_phone_for_the_refund_asked_read_as_out_of_scope_still_answers_it(backend):
    from actions.fallback import ActionFallback  # imported here: only this test needs it
    owner = new_identity()
    number = order_with_phone(backend, owner)
    refunded(backend, owner, number)
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(new_identity(), "my phone is 98765 11111", [],
                          {"requested_info": "contact", "order_id": number, "order_task": "refund"})
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.5}
    await ActionFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_refund_refunded"]


async def test_a_refund_of_another_chats_order_asked_while_ordering_waits_for_its_email_alone(backend):
    """t3 M10, as for tracking: the email question comes alone (the order form waits, its "Where
    should we send it?" no longer under it), and after the answer the form goes on."""
    from rasa_sdk.events import ActiveLoop, FollowupAction
    from tests.actions.test_orders import in_the_order_form
    owner = new_identity()
    number = place_order(backend, owner, email="grace@example.com")["number"]
    refunded(backend, owner, number)
    customer, dispatcher = new_identity(), CollectingDispatcher()
    asking = in_the_order_form(customer, f"where is my refund for {number}", [{"entity": "order_id", "value": number}],
                               intent="refund_status")
    events = await ActionRefundStatus().run(dispatcher, asking, {})
    assert responses(dispatcher) == ["utter_ask_order_contact"]
    assert events[-3:] == [SlotSet("paused_form", "order_form"), ActiveLoop(None), SlotSet("requested_slot", None)]
    dispatcher = CollectingDispatcher()
    email = tracker_for(customer, "grace@example.com", [{"entity": "email", "value": "grace@example.com"}],
                        slots_after(asking.slots, events))
    events = await ActionRefundStatus().run(dispatcher, email, {})
    assert responses(dispatcher) == ["utter_refund_refunded"]
    assert events[-2:] == [SlotSet("paused_form", None), FollowupAction("order_form")]


async def test_a_refund_less_than_expected_opens_a_ticket_and_offers_a_person(backend):
    """"i only got 10 euros back but paid 12.90, where is the rest" got the same status line."""
    from tests.actions.test_support import tickets_of
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    refunded(backend, identity, number)
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(identity, f"i only got 10 euros back for {number} but paid 12.90, where is the rest")
    events = await ActionRefundStatus().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_refund_amount_ticket"] and dispatcher.messages[0]["amount"] == "€10.00"
    assert SlotSet("pending_confirmation", "human_handoff") in events
    assert [t["reason"] for t in tickets_of(backend, identity)] == ["refund amount disputed"]
    plain = CollectingDispatcher()
    await ActionRefundStatus().run(plain, tracker_for(identity, f"where is my refund for {number}"), {})
    assert responses(plain) == ["utter_refund_refunded"]

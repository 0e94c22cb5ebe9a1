"""Return requests and refund status in chat against a real backend."""
from __future__ import annotations

import re

import httpx
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ValidateChangeOrderForm
from actions.returns import ActionConfirmReturn, ActionRefundStatus, ValidateReturnForm
from tests.actions.test_change_order import DOMAIN, confirmation, flow_tracker
from tests.actions.test_orders import STAFF, new_identity, place_order, ship, tracker_for
from tests.actions.test_cancel import order_of, status_of


def staff_move(backend, number, status, **extra):
    response = httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                          json={"status": status, **extra})
    assert response.status_code == 200, response.text


def deliver(backend, identity, number):
    ship(backend, identity, number)
    staff_move(backend, number, "delivered")


async def start(identity):
    dispatcher = CollectingDispatcher()
    tracker = flow_tracker(identity, "i want to return my order", "refund_return_request", "return_form")
    tracker.active_loop = {}
    return await ValidateReturnForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def test_return_delivered_order_with_reason_after_yes(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    events, _ = await start(identity)
    target = events[0]["value"]
    assert target["number"] == number

    reason = "the blue mug arrived chipped"
    slots = {"target_order": target, "requested_slot": "return_reason"}
    tracker = flow_tracker(identity, reason, "complaint", "return_form", slots=slots,
                           slot_candidates={"return_reason": reason})
    assert await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN) == [SlotSet("return_reason", reason)]

    summary = CollectingDispatcher()
    slots = {"target_order": target, "return_reason": reason}
    events = await ActionConfirmReturn().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [m["response"] for m in summary.messages] == ["utter_confirm_return"]
    assert summary.messages[0]["reason"] == reason
    assert status_of(backend, identity, number) == "delivered"  # nothing sent before the yes

    answer = CollectingDispatcher()
    slots["pending_confirmation"] = "return_order"
    await ActionAnswerConfirmation().run(answer, confirmation(identity, "affirm", "action_confirm_return", slots), {})
    assert [m["response"] for m in answer.messages] == ["utter_return_requested"]
    assert status_of(backend, identity, number) == "return_requested"


async def test_return_no_requests_nothing(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    slots = {"target_order": {"number": number}, "return_reason": "too small", "pending_confirmation": "return_order"}
    await ActionAnswerConfirmation().run(dispatcher, confirmation(identity, "deny", "action_confirm_return", slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_requested"]
    assert status_of(backend, identity, number) == "delivered"


async def test_return_not_delivered_offers_cancel(backend):
    identity = new_identity()
    place_order(backend, identity)
    events, dispatcher = await start(identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_delivered"]
    assert SlotSet("requested_slot", None) in events


async def test_return_while_shipping_is_refused(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    ship(backend, identity, number)
    _, dispatcher = await start(identity)
    assert [m["response"] for m in dispatcher.messages] == ["utter_return_not_arrived"]


async def test_return_reason_too_short_is_asked_again(backend, dispatcher):
    slots = {"target_order": {"number": "OB-X", "lines": []}, "requested_slot": "return_reason"}
    tracker = flow_tracker(new_identity(), "eh", "inform", "return_form", slots=slots,
                           slot_candidates={"return_reason": "eh"})
    assert await ValidateReturnForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("return_reason", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_return_reason"]


async def test_refund_status_refunded_gives_amount_and_date(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity}).raise_for_status()
    staff_move(backend, number, "returned")
    staff_move(backend, number, "refunded", refund_minor=500)
    await ActionRefundStatus().run(dispatcher, tracker_for(identity, "where is my refund"), {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_refund_refunded"
    assert message["amount"] == "€5.00" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", message["date"])


async def test_refund_status_return_requested(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    httpx.post(f"{backend.url}/api/v1/orders/{number}/return", json={"reason": "too big"},
               headers={"Authorization": "Bearer dev-bot-token", "X-Channel-Identity": identity}).raise_for_status()
    entities = [{"entity": "order_id", "value": number}]
    events = await ActionRefundStatus().run(dispatcher, tracker_for(identity, f"refund for {number}?", entities), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_refund_return_requested"]
    assert SlotSet("order_id", number) in events


async def test_refund_status_without_orders_asks_for_number(backend, dispatcher):
    events = await ActionRefundStatus().run(dispatcher, tracker_for(new_identity(), "where is my refund"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_refund_order_number"]
    assert events == [SlotSet("requested_info", "order_id"), SlotSet("order_task", "refund")]


async def test_return_the_product_named_picks_the_order_holding_it(backend):
    """"i want to return the french press" with a later tea order: the french press order. A change
    ("add a french press to my order") still means the last order."""
    identity = new_identity()
    press = order_of(backend, identity, "BRW-FRP-800")
    deliver(backend, identity, press)
    tea = order_of(backend, identity, "TEA-SEN-100")
    entities = [{"entity": "product", "value": "french press", "skus": ["BRW-FRP-800"]}]
    tracker = flow_tracker(identity, "i want to return the french press", "refund_return_request", "return_form",
                           entities)
    tracker.active_loop = {}
    events = await ValidateReturnForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0]["value"]["number"] == press
    tracker = flow_tracker(identity, "add a french press to my order", "change_order", "change_order_form", entities)
    tracker.active_loop = {}
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0]["value"]["number"] == tea

"""A change proposed to a placed order made a new order instead ("no, as a new order"), against a
real backend: the placed order stays as it was, what the change added starts the new order."""
from __future__ import annotations

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ActionConfirmOrderChange
from actions.ordering import ValidateOrderForm
from tests.actions.test_change_order import DOMAIN, change_requested, confirmation, lines_of
from tests.actions.test_ordering import form_tracker, just_placed_tracker
from tests.actions.test_orders import BOT, new_identity, place_order, tracker_for

TEAPOT = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}]
CHANGE_LEFT = [SlotSet("target_order", None), SlotSet("order_changes", None), SlotSet("order_change_choice", None),
               SlotSet("pending_confirmation", None)]


async def change_proposed(backend, identity: str) -> dict:
    """A placed order of a blue mug, and "add a glass teapot to my order" shown for confirmation:
    the slots at "Shall I change it?"."""
    number = place_order(backend, identity)["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{number}/confirm",
               headers={**BOT, "X-Channel-Identity": identity}).raise_for_status()
    events, _ = await change_requested(backend, identity)
    slots = {e["name"]: e["value"] for e in events}
    events = await ActionConfirmOrderChange().run(CollectingDispatcher(), tracker_for(identity, "", slots=slots), {})
    return {**slots, **{e["name"]: e["value"] for e in events}}


async def test_no_as_a_new_order_keeps_the_placed_order_and_orders_the_addition_anew(backend):
    identity = new_identity()
    slots = await change_proposed(backend, identity)
    for text, intent in (("no, as a new order", "deny"), ("yes but as a separate order", "affirm")):
        said = CollectingDispatcher()
        tracker = confirmation(identity, intent, "action_confirm_order_change", slots)
        tracker.latest_message["text"] = text
        events = await ActionAnswerConfirmation().run(said, tracker, {})
        assert events == CHANGE_LEFT + [SlotSet("order_items", TEAPOT), SlotSet("order_draft", TEAPOT),
                                        FollowupAction("order_form")], text
        assert [m["response"] for m in said.messages] == ["utter_order_change_kept"], text
    assert lines_of(backend, identity, slots["target_order"]["number"]) == [("MUG-CER-BLU", 1)]


async def test_a_separate_order_read_as_an_order_starts_one_with_the_addition(backend):
    identity = new_identity()
    slots = await change_proposed(backend, identity)
    said = CollectingDispatcher()
    events = await ValidateOrderForm().run(said, form_tracker(identity, "and a separate order too", "place_order",
                                                               slots=slots), DOMAIN)
    assert events == CHANGE_LEFT + [SlotSet("order_items", TEAPOT), SlotSet("order_draft", TEAPOT)]
    assert [m["response"] for m in said.messages] == ["utter_order_change_kept"]
    assert lines_of(backend, identity, slots["target_order"]["number"]) == [("MUG-CER-BLU", 1)]


async def test_more_right_after_placing_as_a_separate_order_is_a_new_order(backend, dispatcher):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    tracker = just_placed_tracker(identity, "oh and 2 red mugs too, as a separate order", number)
    events = await ValidateOrderForm().run(dispatcher, tracker, DOMAIN)
    assert FollowupAction("change_order_form") not in events
    red = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}
    assert SlotSet("order_draft", [red]) in events

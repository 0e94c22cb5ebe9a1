"""A change proposed to a placed order made a new order instead ("no, as a new order"), against a
real backend: the placed order stays as it was, what the change added starts the new order."""
from __future__ import annotations

import httpx
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.change_order import ActionConfirmOrderChange, ValidateChangeOrderForm
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


def at_the_new_orders_summary(identity, text, intent, pending, entities=None):
    """`text` at "Here's your order: … Shall I place it?" of the order `pending`, not placed yet."""
    from tests.actions.test_change_order import flow_tracker
    items = [{"sku": "TEA-POT-GLS", "name": "Glass Teapot with Infuser 1 L", "quantity": 1, "candidates": []}]
    tracker = flow_tracker(identity, text, intent, "change_order_form", entities, slots={
        "pending_order": pending, "pending_confirmation": "place_order", "order_items": items, "order_draft": items})
    tracker.active_loop = {}
    return tracker


async def test_add_it_to_my_existing_order_at_a_new_orders_summary_changes_that_order(backend):
    """t4 M3: "no add it to my existing order" and "no. add it to my existing order OB-… instead" at a
    new order's summary showed the same summary again. The new order's items are proposed as a
    change of the order placed, and the new order, never placed, is dropped (its stock free for it)."""
    from actions.ordering import ValidateOrderForm
    from tests.actions.test_cancel import status_of
    from tests.actions.test_replacements import TO_THE_CHANGE_FORM, placed_order
    from tests.actions.test_change_order import FLOW_CLEARED
    identity = new_identity()
    placed = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    pending = placed_order(backend, identity, [("TEA-POT-GLS", 1)], confirmed=False)
    text = "no add it to my existing order"
    # read as a new order, the order form hands it to the change form
    ordering = at_the_new_orders_summary(identity, text, "place_order", pending)
    ordering.active_loop = {"name": "order_form"}
    assert await ValidateOrderForm().run(CollectingDispatcher(), ordering, DOMAIN) == TO_THE_CHANGE_FORM
    # read as a plain "no": not the new order dropped, the same hand-over
    denied = at_the_new_orders_summary(identity, text, "deny", pending)
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), denied, {}) == [FollowupAction("change_order_form")]
    assert status_of(backend, identity, pending) == "pending"
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(said, at_the_new_orders_summary(identity, text, "change_order", pending),
                                                 DOMAIN)
    assert said.messages == []
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["pending_order"] is None and slots["order_draft"] is None and slots["pending_confirmation"] is None
    assert slots["target_order"]["number"] == placed
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]
    assert status_of(backend, identity, pending) == "cancelled"
    summary = CollectingDispatcher()
    shown = await ActionConfirmOrderChange().run(summary, tracker_for(identity, "", slots=slots), {})
    assert [(m["response"], m["number"]) for m in summary.messages] == [("utter_confirm_order_change", placed)]
    slots.update({e["name"]: e["value"] for e in shown})
    done = CollectingDispatcher()
    assert await ActionAnswerConfirmation().run(done, confirmation(identity, "affirm", "action_confirm_order_change",
                                                                   slots), {}) == FLOW_CLEARED
    assert lines_of(backend, identity, placed) == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]


async def test_add_it_to_the_order_named_at_a_new_orders_summary_or_say_why_not(backend):
    """ "no. add it to my existing order OB-… instead" (t4 M3): that order. With two orders it could go
    to, which one is asked; one that shipped is said so; the new order waits as it was."""
    from tests.actions.test_cancel import status_of
    from tests.actions.test_orders import ship
    from tests.actions.test_replacements import placed_order
    identity = new_identity()
    older = placed_order(backend, identity, [("MUG-CER-BLU", 1)])
    placed_order(backend, identity, [("MUG-CER-BLU", 2)])  # a second order it could go to
    pending = placed_order(backend, identity, [("TEA-POT-GLS", 1)], confirmed=False)
    said = CollectingDispatcher()
    events = await ValidateChangeOrderForm().run(
        said, at_the_new_orders_summary(identity, "add it to my existing order", "change_order", pending), DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_change_which_order", "utter_confirm_order"]
    assert events[-2:] == [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    assert status_of(backend, identity, pending) == "pending"
    text = f"no. add it to my existing order {older} instead"
    events = await ValidateChangeOrderForm().run(CollectingDispatcher(), at_the_new_orders_summary(
        identity, text, "change_order", pending, [{"entity": "order_id", "value": older}]), DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["target_order"]["number"] == older and status_of(backend, identity, pending) == "cancelled"
    assert [(line["sku"], line["quantity"]) for line in slots["order_changes"]] == [("MUG-CER-BLU", 1), ("TEA-POT-GLS", 1)]
    other = new_identity()
    shipped = place_order(backend, other)["number"]
    ship(backend, other, shipped)
    waiting = placed_order(backend, other, [("TEA-POT-GLS", 1)], confirmed=False)
    said = CollectingDispatcher()
    await ValidateChangeOrderForm().run(said, at_the_new_orders_summary(
        other, f"add it to {shipped} instead", "change_order", waiting, [{"entity": "order_id", "value": shipped}]), DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_order_locked_shipped", "utter_confirm_order"]
    assert status_of(backend, other, waiting) == "pending"

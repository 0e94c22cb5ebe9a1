"""Customers with several orders, against a real backend (QA verify-2): "cancel my first order" asks
about the oldest; "keep the french press" in "cancel all my orders" keeps that order and goes on to
the next; "change the address on all my orders" asks about each order and names those past
changing; "can you undo that" after a cancel offers the same items again as a new order."""
from __future__ import annotations

import httpx
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.cancel_questions import keeps_its_items
from actions.catalogue import ActionShowProducts
from tests.actions.test_cancel import after_cancel_all, status_of
from tests.actions.test_change_address import NEW_ADDRESS, address_of
from tests.actions.test_change_order import order_view_of
from tests.actions.test_orders import BOT, new_identity, ship, tracker_for
from tests.actions.test_replacements import named, placed_order

PRESS = ("BRW-FRP-800", 1)


def said(dispatcher: CollectingDispatcher) -> list:
    return [(m.get("response"), m.get("number")) for m in dispatcher.messages]


async def test_cancel_my_first_order_asks_about_the_oldest_open_one(backend):
    identity = new_identity()
    oldest = placed_order(backend, identity, [("MUG-ENM-CRM", 1)])
    placed_order(backend, identity, [("MUG-CER-RED", 1)])
    newest = placed_order(backend, identity, [("BRW-SCL-DIG", 1)])
    for text in ("cancel my first order", "cancel the older order", "pls cancel the oldest one"):
        dispatcher = CollectingDispatcher()
        tracker = tracker_for(identity, text, slots={"order_id": newest})
        tracker.latest_message["intent"] = {"name": "cancel_order", "confidence": 0.9}
        events = await ActionCancelOrder().run(dispatcher, tracker, {})
        assert said(dispatcher) == [("utter_confirm_cancel", oldest)], text
        assert SlotSet("order_id", oldest) in events
    assert status_of(backend, identity, oldest) == "confirmed"


def keeping_the_press(identity: str, press: str, text: str = "no wait keep the french press"):
    """`text` at "Do you want me to cancel order <press> (1 × French Press 800 ml; …)?" in "cancel all"."""
    tracker = after_cancel_all(identity, press, "deny", "pls cancel all my orders i am going to india")
    tracker.events[2]["text"] = f"Do you want me to cancel order {press} (1 × French Press 800 ml; €34.90)?"
    entities = [named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")] if "french press" in text else []
    tracker.latest_message.update(text=text, entities=entities)
    tracker.events[-2]["text"] = text
    return tracker


async def test_keep_the_french_press_in_cancel_all_keeps_that_order_and_asks_about_the_next(backend):
    identity = new_identity()
    mugs = placed_order(backend, identity, [("MUG-CER-RED", 2)])
    press = placed_order(backend, identity, [PRESS])
    # read as a product search (it showed the french press) or as a cancel: a no, then the mugs order
    for action, intent in ((ActionShowProducts(), "product_info"), (ActionCancelOrder(), "cancel_order")):
        dispatcher = CollectingDispatcher()
        tracker = keeping_the_press(identity, press)
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
        events = await action.run(dispatcher, tracker, {})
        assert said(dispatcher) == [("utter_cancel_kept", press), ("utter_confirm_cancel", mugs)], action
        assert SlotSet("pending_confirmation", "cancel_order") in events
    assert {status_of(backend, identity, number) for number in (mugs, press)} == {"confirmed"}


async def test_keeping_an_item_of_another_order_or_with_a_cancel_is_no_no(backend):
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-RED", 2)])
    press = placed_order(backend, identity, [PRESS])
    assert keeps_its_items(keeping_the_press(identity, press))
    assert not keeps_its_items(keeping_the_press(identity, press, "keep the teapot"))
    assert not keeps_its_items(keeping_the_press(identity, press, "cancel it, keep the french press money"))


async def test_undo_a_cancel_offers_the_same_items_as_a_new_order(backend):
    identity = new_identity()
    still_open = placed_order(backend, identity, [("MUG-CER-RED", 1)])
    bowls = placed_order(backend, identity, [("MUG-ENM-CRM", 2)])
    httpx.post(f"{backend.url}/api/v1/orders/{bowls}/cancel", headers={**BOT, "X-Channel-Identity": identity},
               json={"reason": "test"}).raise_for_status()
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(identity, "oops i didnt mean to cancel, can you undo that", slots={"order_id": bowls})
    tracker.latest_message["intent"] = {"name": "cancel_order", "confidence": 0.9}
    events = await ActionCancelOrder().run(dispatcher, tracker, {})
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses == ["utter_cancel_cannot_undo", "utter_confirm_order"]
    assert "2 × Enamel Camp Mug Cream" in dispatcher.messages[1]["lines"]
    new = next(e["value"] for e in events if e.get("name") == "pending_order" and e.get("value"))
    assert new not in (bowls, still_open) and status_of(backend, identity, new) == "pending"
    assert status_of(backend, identity, bowls) == "cancelled" and status_of(backend, identity, still_open) == "confirmed"


def address_answer(identity: str, request: str, turns: list, target: dict):
    """A yes to the last of `turns` (the bot's (response, text) questions and answers) after `request`."""
    slots = {"target_order": target, "new_shipping_address": NEW_ADDRESS, "pending_confirmation": "change_address"}
    tracker = tracker_for(identity, "yes", slots=slots)
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.99}
    tracker.events = [{"event": "user", "text": request, "parse_data": {"intent": {"name": "change_shipping_address"}}},
                      {"event": "action", "name": "action_confirm_address_change"}]
    for response, text in turns:
        tracker.events.append({"event": "bot", "text": text, "metadata": {"utter_action": response}})
    tracker.events += [{"event": "action", "name": "action_listen"},
                       {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
                       {"event": "action", "name": "action_extract_slots"}]
    return tracker


async def test_change_the_address_on_all_my_orders_asks_about_each_and_names_the_shipped(backend):
    identity = new_identity()
    shipped = placed_order(backend, identity, [("MUG-CER-RED", 1)], confirmed=False)
    ship(backend, identity, shipped)
    older = placed_order(backend, identity, [("MUG-ENM-CRM", 1)])
    newest = placed_order(backend, identity, [PRESS])
    request = "change the address on all my orders to Grace Hopper, 1 New Road, Cork T12 RW26, Ireland"
    first = CollectingDispatcher()
    asked = [("utter_confirm_address_change", f"Change the address of order {newest} from … to …?")]
    tracker = address_answer(identity, request, asked, order_view_of(backend, identity, newest))
    events = await ActionAnswerConfirmation().run(first, tracker, {})
    assert said(first) == [("utter_address_changed", newest), ("utter_confirm_address_change", older)]
    assert SlotSet("pending_confirmation", "change_address") in events
    assert address_of(backend, identity, older)["city"] == "Dublin"

    second = CollectingDispatcher()
    asked += [("utter_address_changed", f"Done: order {newest} will go to Cork."),
              ("utter_confirm_address_change", f"Change the address of order {older} from … to …?")]
    await ActionAnswerConfirmation().run(second, address_answer(identity, request, asked,
                                                                order_view_of(backend, identity, older)), {})
    assert said(second) == [("utter_address_changed", older), ("utter_order_locked_shipped", shipped)]
    assert {address_of(backend, identity, n)["city"] for n in (newest, older)} == {"Cork"}
    assert address_of(backend, identity, shipped)["city"] == "Dublin"


async def test_a_single_address_change_asks_about_no_other_order(backend):
    identity = new_identity()
    placed_order(backend, identity, [("MUG-ENM-CRM", 1)])
    newest = placed_order(backend, identity, [PRESS])
    dispatcher = CollectingDispatcher()
    asked = [("utter_confirm_address_change", f"Change the address of order {newest} from … to …?")]
    tracker = address_answer(identity, "change my address to Grace Hopper, 1 New Road, Cork T12 RW26, Ireland",
                             asked, order_view_of(backend, identity, newest))
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert said(dispatcher) == [("utter_address_changed", newest)]

"""QA session 16, cancel and return area, against a real backend: "reinstate it", "uncancel it",
"bring back my order" about a cancelled order get the cancel's answer (it stays cancelled, its items
offered as a new order) whether the NLU reads a cancel, a return or a change; "cancel the mugs order
too, keep only the french press" asks to cancel the order holding the mugs, not a change of it."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionCancelOrder
from actions.cancel_questions import naming_the_order_to_cancel
from actions.change_order import ValidateChangeOrderForm
from actions.returns import ValidateReturnForm
from tests.actions.test_cancel import status_of
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import BOT, new_identity, tracker_for
from tests.actions.test_replacements import named, placed_order
from tests.actions.test_returns import delivered

MUGS, PRESS = ("MUG-CER-RED", 2), ("BRW-FRP-800", 1)
MUG_SKUS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]
TAKES_BACK = ("reinstate it", "can you reinstate my order", "uncancel it", "restore my cancelled order",
              "bring back my order")
# The intents QA's wordings were read as, and the action or form validation each reaches.
READ_AS = ("cancel_order", "refund_return_request", "change_order")
FORM_OF = {"refund_return_request": ("return_form", ValidateReturnForm),
           "change_order": ("change_order_form", ValidateChangeOrderForm)}
FORM_ENDS = [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


def said(dispatcher: CollectingDispatcher) -> list:
    return [(m.get("response"), m.get("number")) for m in dispatcher.messages]


def cancel(backend, identity: str, number: str) -> None:
    httpx.post(f"{backend.url}/api/v1/orders/{number}/cancel", headers={**BOT, "X-Channel-Identity": identity},
               json={"reason": "customer: changed my mind"}).raise_for_status()


async def run_as(intent: str, identity: str, text: str, entities=None, slots=None) -> tuple:
    """`text` read as `intent`: the cancel action, or the form's validation at its activation."""
    dispatcher = CollectingDispatcher()
    if intent == "cancel_order":
        tracker = tracker_for(identity, text, entities=entities, slots=slots)
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
        return await ActionCancelOrder().run(dispatcher, tracker, {}), dispatcher
    form, validation = FORM_OF[intent]
    tracker = flow_tracker(identity, text, intent, form, entities=entities, slots=slots)
    return await validation().run(dispatcher, tracker, DOMAIN), dispatcher


def new_order_of(events: list) -> str:
    return next(e["value"] for e in events if e.get("name") == "pending_order" and e.get("value"))


@pytest.mark.parametrize("intent", READ_AS)
async def test_taking_back_a_cancel_gets_the_cancels_answer_whatever_the_intent(backend, intent):
    identity = new_identity()
    still_open = placed_order(backend, identity, [PRESS])
    cancelled = placed_order(backend, identity, [MUGS])
    cancel(backend, identity, cancelled)
    for text in TAKES_BACK:
        events, dispatcher = await run_as(intent, identity, text, slots={"order_id": cancelled})
        new = new_order_of(events)
        assert said(dispatcher) == [("utter_cancel_cannot_undo", cancelled), ("utter_confirm_order", new)], text
        assert "2 × Ceramic Mug Red" in dispatcher.messages[1]["lines"], text
        assert new not in (cancelled, still_open) and status_of(backend, identity, new) == "pending"
        assert SlotSet("pending_confirmation", "place_order") in events
        if intent != "cancel_order":  # the form asks nothing more, and no rule shows its summary
            assert events[-3:] == FORM_ENDS, text
            assert not any(e.get("name") == "target_order" and e.get("value") for e in events), text
        cancel(backend, identity, new)  # the next wording finds the first order cancelled again
    assert status_of(backend, identity, cancelled) == "cancelled"
    assert status_of(backend, identity, still_open) == "confirmed"


@pytest.mark.parametrize("intent", ("refund_return_request", "change_order"))
async def test_reinstate_my_order_in_a_new_chat_is_about_the_newest_cancelled_one(backend, intent):
    identity = new_identity()
    older = placed_order(backend, identity, [PRESS])
    cancel(backend, identity, older)
    newest = placed_order(backend, identity, [MUGS])
    cancel(backend, identity, newest)
    delivered(backend, identity, ("MUG-CER-BLU", 1))  # a return could be meant of this one
    events, dispatcher = await run_as(intent, identity, "can you reinstate my order")
    new = new_order_of(events)
    assert said(dispatcher) == [("utter_cancel_cannot_undo", newest), ("utter_confirm_order", new)]


async def test_a_return_without_a_cancelled_order_is_still_a_return(backend):
    """ "bring back my order" names no cancel: with the order talked about delivered and none
    cancelled, the return form goes on as ever (the undo is no catch-all)."""
    identity = new_identity()
    number = delivered(backend, identity, ("MUG-CER-BLU", 1))
    events, dispatcher = await run_as("refund_return_request", identity, "bring back my order",
                                      slots={"order_id": number})
    assert "utter_cancel_cannot_undo" not in [m.get("response") for m in dispatcher.messages]
    assert next(e["value"] for e in events if e.get("name") == "target_order")["number"] == number
    assert status_of(backend, identity, number) == "delivered"


def mugs_order_then_keep(text: str) -> list:
    """The entities the catalogue matcher gives QA's two wordings."""
    if "mugs order" in text:
        start = text.index("mugs")
        return [{"entity": "category", "value": "Mugs", "start": start, "end": start + 4},
                named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")]
    quantity = text.index("one", text.index("french press"))
    return [named(text, "mug", MUG_SKUS, "mug"), named(text, "french press", ["BRW-FRP-800"], "French Press 800 ml", 1),
            {"entity": "quantity", "value": "1", "start": quantity, "end": quantity + 3}]


CANCEL_THE_MUGS_ORDER = ("cancel the mugs order too, keep only the french press",
                         "cancel the mug order and keep the french press one")


@pytest.mark.parametrize("intent", ("cancel_order", "change_order"))
@pytest.mark.parametrize("text", CANCEL_THE_MUGS_ORDER)
async def test_cancel_the_mugs_order_keep_the_french_press_asks_to_cancel_the_mugs_order(backend, intent, text):
    """It had asked "which order?" (both orders hold something named) or opened the change form of
    the mugs order; the french press order talked about last must not be the one asked about."""
    identity = new_identity()
    mugs = placed_order(backend, identity, [MUGS])
    press = placed_order(backend, identity, [PRESS])
    events, dispatcher = await run_as(intent, identity, text, mugs_order_then_keep(text), slots={"order_id": press})
    assert said(dispatcher) == [("utter_confirm_cancel", mugs)]
    assert "2 × Ceramic Mug Red" in dispatcher.messages[0]["items"]
    assert SlotSet("pending_confirmation", "cancel_order") in events and SlotSet("order_id", mugs) in events
    assert not any(e.get("name") in ("target_order", "order_changes") and e.get("value") for e in events)
    if intent == "change_order":
        assert events[-1] == FollowupAction("action_listen") and ActiveLoop(None) in events
    assert status_of(backend, identity, mugs) == "confirmed" and status_of(backend, identity, press) == "confirmed"


@pytest.mark.parametrize("text, words, meant", [
    ("cancel the mugs order too, keep only the french press", "mugs", True),
    ("pls cancel the mug one and keep the french press", "mug", True),
    ("can you cancel my teapot order", "teapot", True),
    ("cancel the mugs in my order", "mugs", False),  # an item out of an order: a change
    ("cancel the order and keep the mugs", "mugs", False),
    ("keep the mugs, cancel the teapot order", "mugs", False),
])
def test_which_words_name_the_order_to_cancel(text, words, meant):
    tracker = tracker_for("web:test", text, entities=[named(text, words, ["MUG-CER-RED"], words)])
    assert bool(naming_the_order_to_cancel(tracker)) is meant

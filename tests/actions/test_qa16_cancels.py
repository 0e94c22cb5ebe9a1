"""QA session 16, cancelling, against a real backend, turn by turn as the web chat had it:
- items, not the order: "hang on can I cancel the filters from it", "pls cancel the mugs from my
  order, keep the rest", and at the cancel question "no just take the filters off", "NO not the
  whole thing!! only the mugs" propose taking those lines out (the change's summary), never the
  whole order's cancel or a product list; "the mugs order" still names an order;
- a cancel naming every line of one order ("ok then cancel the other one, the mugs and press",
  "ugh fine. then cancel the glasses pair one, found them cheaper", read as a change) asks that
  order's cancel, and the reason said is the one stored;
- "cancel it, is there a fee?" answers the fee and asks the cancel;
- with no order to cancel: nothing to cancel after an order was declined at its summary, "i never
  placed one lol" ends it, and a form waiting asks nothing under the cancel's question."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import httpx
import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.catalogue import ActionShowProducts
from actions.change_order import ValidateChangeOrderForm
from actions.faq import ActionAnswerFaq
from actions.orders import ActionTrackOrder
from actions.returns import ValidateReturnForm
from tests.actions.test_cancel import status_of
from tests.actions.test_change_order import DOMAIN
from tests.actions.test_orders import ADDRESS, BOT, STAFF, tracker_for
from tests.actions.test_replacements import placed_order

FILTERS = ["BRW-FLT-100", "TEA-INF-STL"]  # "filters" to the catalogue matcher: paper filters or the infuser
GLASSES = ["GLS-DBW-2PC", "GLS-TMB-SET"]
MUG_SKUS = ["MUG-CER-BLK", "MUG-CER-BLU", "MUG-CER-GRN", "MUG-CER-RED", "MUG-CER-WHT", "MUG-ENM-CRM", "MUG-TRV-STL"]


def product(text: str, words: str, skus: List[str], value: Optional[str] = None) -> Dict[str, Any]:
    start = text.lower().index(words)
    return {"entity": "product", "value": value or words, "skus": skus, "start": start, "end": start + len(words)}


def category(text: str, words: str, value: str) -> Dict[str, Any]:
    start = text.lower().index(words)
    return {"entity": "category", "value": value, "start": start, "end": start + len(words)}


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _said(message: Dict[str, Any]) -> Dict[str, Any]:
    """The bot event of a message: its text from domain.yml filled in, as Rasa sends it."""
    name = message.get("response")
    text = message.get("text")
    if name in DOMAIN["responses"]:  # not the FAQ's answers (data/responses)
        text = DOMAIN["responses"][name][0]["text"].format_map(_Blanks(message))
    return {"event": "bot", "text": text, "metadata": {"utter_action": name} if name else {}}


class Chat:
    """One web chat: each message run by the action (or form validation) Rasa ran for it in QA,
    the bot's answers and the slots carried into the next turn's tracker."""

    def __init__(self, identity: Optional[str] = None):
        self.identity = identity or f"web:{uuid.uuid4().hex}"
        self.events: List[Dict[str, Any]] = [{"event": "action", "name": "action_session_start"},
                                             {"event": "action", "name": "action_listen"}]
        self.slots: Dict[str, Any] = {}
        self.form: Optional[str] = None

    def bot_said(self, action: str, *messages: Dict[str, Any], **slots: Any) -> None:
        """A turn of the bot's this test doesn't run (the order's summary declined, say)."""
        self.events += [{"event": "action", "name": action}] + [_said(m) for m in messages]
        self.slots.update(slots)

    async def say(self, text: str, intent: str, action: Action, entities=(), ran_as: Optional[str] = None,
                  extra: Optional[Dict[str, Any]] = None) -> tuple:
        tracker = tracker_for(self.identity, text, entities=list(entities), slots=dict(self.slots))
        tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
        tracker.latest_message.update(extra or {})
        user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}
        name = ran_as or action.name()
        tracker.events = self.events + [{"event": "action", "name": "action_listen"}, user,
                                        {"event": "action", "name": "action_extract_slots"}]
        if ran_as:  # a form: its validation runs with the form active
            tracker.active_loop = {"name": ran_as}
            tracker.events.append({"event": "action", "name": ran_as})
        elif self.form:
            tracker.active_loop = {"name": self.form}
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, DOMAIN)
        self.events = tracker.events[:-1] if ran_as else list(tracker.events)
        self.events += [{"event": "action", "name": name}] + [_said(m) for m in dispatcher.messages]
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "active_loop":
                self.form = event.get("name")
        self.events += events
        return events, dispatcher

    def slot(self, name: str) -> Any:
        return self.slots.get(name)


def responses(dispatcher: CollectingDispatcher) -> List[Optional[str]]:
    return [message.get("response") for message in dispatcher.messages]


def lines_of(backend, identity: str, number: str) -> set:
    order = httpx.get(f"{backend.url}/api/v1/orders/{number}", headers={**BOT, "X-Channel-Identity": identity}).json()
    return {(line["sku"], line["quantity"]) for line in order["lines"]}


def cancel_reason_of(number: str, backend) -> str:
    return httpx.get(f"{backend.url}/api/v1/staff/orders/{number}", headers=STAFF).json()["cancel_reason"]


async def yes(chat: Chat, text: str = "yes") -> CollectingDispatcher:
    return (await chat.say(text, "affirm", ActionAnswerConfirmation()))[1]


# --- 1. items, not the order ---------------------------------------------------------------------

HANG_ON = "hang on can I cancel the filters from it, I have loads"


@pytest.mark.parametrize("intent", ("cancel_order", "change_order"))
async def test_cancel_the_filters_from_it_proposes_taking_them_out(backend, intent):
    """QA: "Do you want me to cancel order OB-… (2 × Paper Filters…, 1 × Ground Filter Coffee…)?"."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FLT-100", 2), ("COF-GRD-250", 1)])
    entities = [product(HANG_ON, "filters", FILTERS, "filter")]
    if intent == "cancel_order":
        events, dispatcher = await chat.say(HANG_ON, intent, ActionCancelOrder(), entities)
    else:
        events, dispatcher = await chat.say(HANG_ON, intent, ValidateChangeOrderForm(), entities,
                                            ran_as="change_order_form")
        assert chat.slot("order_changes") == [
            {"sku": "COF-GRD-250", "name": "Ground Filter Coffee 250 g", "quantity": 1}]
        return  # the form, filled, shows the change: the same proposal
    assert responses(dispatcher) == ["utter_confirm_order_change"]
    assert dispatcher.messages[0]["number"] == number and "Paper Filters" not in dispatcher.messages[0]["lines"]
    assert "1 × Ground Filter Coffee 250 g" in dispatcher.messages[0]["lines"]
    assert chat.slot("pending_confirmation") == "change_order"
    answered = await yes(chat)
    assert responses(answered) == ["utter_order_changed"]
    assert lines_of(backend, chat.identity, number) == {("COF-GRD-250", 1)}
    assert status_of(backend, chat.identity, number) == "confirmed"


async def test_no_just_take_the_filters_off_at_the_cancel_question_takes_them_out(backend):
    """QA: "no just take the filters off" → "Okay, order … stays as it is." and nothing removed."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FLT-100", 2), ("COF-GRD-250", 1)])
    _, asked = await chat.say("cancel my order", "cancel_order", ActionCancelOrder())
    assert responses(asked) == ["utter_confirm_cancel"]
    text = "no just take the filters off"
    _, dispatcher = await chat.say(text, "deny", ActionAnswerConfirmation(),
                                   [product(text, "filters", FILTERS, "filter")])
    assert responses(dispatcher) == ["utter_confirm_order_change"]
    assert "Paper Filters" not in dispatcher.messages[0]["lines"]
    assert chat.slot("pending_confirmation") == "change_order"
    await yes(chat)
    assert lines_of(backend, chat.identity, number) == {("COF-GRD-250", 1)}
    assert status_of(backend, chat.identity, number) == "confirmed"


MUGS_OUT = "pls cancel the mugs from my order, keep the rest"
ONLY_THE_MUGS = "NO not the whole thing!! only the mugs"


async def test_cancel_the_mugs_from_my_order_keep_the_rest_then_yes_takes_out_the_mugs(backend):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FRP-800", 1), ("MUG-CER-WHT", 2), ("TEA-CAD-TIN", 1)])
    _, dispatcher = await chat.say(MUGS_OUT, "cancel_order", ActionCancelOrder(), [category(MUGS_OUT, "mugs", "Mugs")])
    assert responses(dispatcher) == ["utter_confirm_order_change"]
    assert "Mug" not in dispatcher.messages[0]["lines"] and "Tea Caddy Tin" in dispatcher.messages[0]["lines"]
    await yes(chat)
    assert lines_of(backend, chat.identity, number) == {("BRW-FRP-800", 1), ("TEA-CAD-TIN", 1)}


async def test_only_the_mugs_at_the_cancel_question_is_no_product_list(backend):
    """QA: the whole order's cancel was asked, and "NO not the whole thing!! only the mugs" (a product
    question to the NLU) listed every mug in the shop."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FRP-800", 1), ("MUG-CER-WHT", 2), ("TEA-CAD-TIN", 1)])
    chat.bot_said("action_cancel_order", {"response": "utter_confirm_cancel", "number": number,
                                          "items": "1 × French Press 800 ml, 2 × Ceramic Mug White, 1 × Tea Caddy Tin",
                                          "total": "€70.60"}, pending_confirmation="cancel_order", order_id=number)
    _, dispatcher = await chat.say(ONLY_THE_MUGS, "product_info", ActionShowProducts(),
                                   [category(ONLY_THE_MUGS, "mugs", "Mugs")])
    assert responses(dispatcher) == ["utter_confirm_order_change"]
    assert "Mug" not in dispatcher.messages[0]["lines"]
    await yes(chat)
    assert lines_of(backend, chat.identity, number) == {("BRW-FRP-800", 1), ("TEA-CAD-TIN", 1)}


async def test_the_mugs_from_an_order_of_only_mugs_is_that_orders_cancel(backend):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 2)])
    text = "cancel the mugs from my order"
    _, dispatcher = await chat.say(text, "cancel_order", ActionCancelOrder(), [category(text, "mugs", "Mugs")])
    assert responses(dispatcher) == ["utter_confirm_cancel"] and dispatcher.messages[0]["number"] == number


async def test_the_mugs_order_among_several_is_still_a_whole_order_cancel(backend):
    chat = Chat()
    mugs = placed_order(backend, chat.identity, [("MUG-CER-WHT", 2), ("TEA-CAD-TIN", 1)])
    placed_order(backend, chat.identity, [("BRW-FRP-800", 1)])
    text = "cancel the mugs order"
    _, dispatcher = await chat.say(text, "cancel_order", ActionCancelOrder(), [category(text, "mugs", "Mugs")])
    assert responses(dispatcher) == ["utter_confirm_cancel"] and dispatcher.messages[0]["number"] == mugs


@pytest.mark.parametrize("text, words", [("cancel the mugs, keep the french press", "mugs"),
                                         ("cancel just the mugs pls", "mugs"),
                                         ("can you take the mugs off my order", "mugs")])
async def test_other_wordings_of_items_out_propose_taking_them_out(backend, text, words):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("BRW-FRP-800", 1), ("MUG-CER-WHT", 2)])
    entities = [category(text, words, "Mugs")] + (
        [product(text, "french press", ["BRW-FRP-800"], "French Press 800 ml")] if "press" in text else [])
    _, dispatcher = await chat.say(text, "cancel_order", ActionCancelOrder(), entities)
    assert responses(dispatcher) == ["utter_confirm_order_change"], text
    assert dispatcher.messages[0]["number"] == number and "Mug" not in dispatcher.messages[0]["lines"], text


@pytest.mark.parametrize("text", ("cancel the order with the mugs in it",
                                  "cancel my order, i dont want the mugs in it"))
async def test_the_order_with_the_mugs_in_it_is_a_whole_order_cancel(backend, text):
    chat = Chat()
    mugs = placed_order(backend, chat.identity, [("BRW-FRP-800", 1), ("MUG-CER-WHT", 2)])
    placed_order(backend, chat.identity, [("TEA-CAD-TIN", 1)])
    _, dispatcher = await chat.say(text, "cancel_order", ActionCancelOrder(), [category(text, "mugs", "Mugs")])
    assert responses(dispatcher) == ["utter_confirm_cancel"] and dispatcher.messages[0]["number"] == mugs


# --- 2. every line of one order named: that order's cancel ---------------------------------------

MUGS_AND_PRESS = "ok then cancel the other one, the mugs and press"
GLASSES_PAIR = "ugh fine. then cancel the glasses pair one, found them cheaper"


@pytest.mark.parametrize("intent", ("change_order", "cancel_order"))
async def test_cancel_the_other_one_the_mugs_and_press_asks_to_cancel_that_order(backend, intent):
    """QA: read as a change, it got "That would leave order … empty. To cancel the whole order, say
    'cancel my order'." and the change menu."""
    chat = Chat()
    teapot = placed_order(backend, chat.identity, [("TEA-POT-GLS", 1)])
    _ship_confirmed(backend, teapot)
    both = placed_order(backend, chat.identity, [("BRW-FRP-800", 1), ("MUG-CER-BLU", 3)])
    chat.bot_said("action_cancel_order", {"response": "utter_cannot_cancel_shipped", "number": teapot},
                  order_id=teapot)
    entities = [category(MUGS_AND_PRESS, "mugs", "Mugs"),
                product(MUGS_AND_PRESS, "press", ["BRW-FRP-800"], "French Press 800 ml")]
    if intent == "change_order":
        events, dispatcher = await chat.say(MUGS_AND_PRESS, intent, ValidateChangeOrderForm(), entities,
                                            ran_as="change_order_form")
        assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}
        assert chat.form is None and chat.slot("target_order") is None
    else:
        events, dispatcher = await chat.say(MUGS_AND_PRESS, intent, ActionCancelOrder(), entities)
    assert responses(dispatcher) == ["utter_confirm_cancel"] and dispatcher.messages[0]["number"] == both
    assert chat.slot("pending_confirmation") == "cancel_order"
    answered = await yes(chat)
    assert responses(answered) == ["utter_order_cancelled"]
    assert status_of(backend, chat.identity, both) == "cancelled"


def _ship_confirmed(backend, number: str) -> None:
    for status, extra in (("processing", {}), ("shipped", {"carrier": "DHL", "tracking_number": "JD0146"})):
        httpx.post(f"{backend.url}/api/v1/staff/orders/{number}/transition", headers=STAFF,
                   json={"status": status, **extra}).raise_for_status()


@pytest.mark.parametrize("intent", ("change_order", "cancel_order"))
async def test_cancel_the_glasses_pair_one_found_them_cheaper_cancels_it_with_that_reason(backend, intent):
    chat = Chat()
    tumblers = placed_order(backend, chat.identity, [("GLS-TMB-SET", 2)])
    _ship_confirmed(backend, tumblers)
    pair = placed_order(backend, chat.identity, [("GLS-DBW-2PC", 1)])
    chat.bot_said("action_handle_inform", {"response": "utter_cannot_cancel_shipped", "number": tumblers},
                  order_id=tumblers)
    entities = [product(GLASSES_PAIR, "glasses", GLASSES, "glass")]
    if intent == "change_order":
        _, dispatcher = await chat.say(GLASSES_PAIR, intent, ValidateChangeOrderForm(), entities,
                                       ran_as="change_order_form")
    else:
        _, dispatcher = await chat.say(GLASSES_PAIR, intent, ActionCancelOrder(), entities)
    assert responses(dispatcher) == ["utter_confirm_cancel"] and dispatcher.messages[0]["number"] == pair
    await yes(chat)
    assert status_of(backend, chat.identity, pair) == "cancelled"
    assert cancel_reason_of(pair, backend) == "customer: found them cheaper"


# --- 3. a cancel with a question about its fee ---------------------------------------------------

FEE_SELECTED = {"response_selector": {"faq": {"response": {"utter_action": "utter_faq/cancellation_fee"}}}}


@pytest.mark.parametrize("intent, action", [("faq", ActionAnswerFaq()), ("cancel_order", ActionCancelOrder())])
async def test_cancel_it_is_there_a_fee_answers_the_fee_and_asks_the_cancel(backend, intent, action):
    """QA: right after placing, only the fee was answered and the cancel ignored."""
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 5)])
    chat.bot_said("action_answer_confirmation", {"response": "utter_order_placed", "number": number})
    _, dispatcher = await chat.say("cancel it, is there a fee?", intent, action, extra=FEE_SELECTED)
    assert responses(dispatcher) == ["utter_cancel_no_fee", "utter_confirm_cancel"]
    assert dispatcher.messages[1]["number"] == number and chat.slot("pending_confirmation") == "cancel_order"
    await yes(chat)
    assert status_of(backend, chat.identity, number) == "cancelled"


@pytest.mark.parametrize("intent, action", [("faq", ActionAnswerFaq()), ("cancel_order", ActionCancelOrder())])
async def test_a_fee_question_alone_asks_no_cancel(backend, intent, action):
    chat = Chat()
    number = placed_order(backend, chat.identity, [("MUG-CER-WHT", 1)])
    _, dispatcher = await chat.say("is there a fee to cancel my order?", intent, action, extra=FEE_SELECTED)
    assert responses(dispatcher) == ["utter_faq/cancellation_fee"]
    assert chat.slot("pending_confirmation") is None and status_of(backend, chat.identity, number) == "confirmed"


# --- 4. no order to cancel -----------------------------------------------------------------------

def declined_order(backend, chat: Chat) -> None:
    """An order shown at its summary and declined, as the bot leaves it: never confirmed, cancelled."""
    response = httpx.post(f"{backend.url}/api/v1/orders", headers={**BOT, "X-Channel-Identity": chat.identity},
                          json={"lines": [{"sku": "MUG-CER-BLU", "quantity": 2}], "shipping_address": ADDRESS,
                                "contact_email": "amit@example.in"})
    number = response.json()["number"]
    httpx.post(f"{backend.url}/api/v1/orders/{number}/cancel", headers={**BOT, "X-Channel-Identity": chat.identity},
               json={"reason": "not confirmed in chat"}).raise_for_status()
    chat.bot_said("action_place_order", {"response": "utter_confirm_order", "lines": "• 2 × Ceramic Mug Blue"},
                  pending_order=number, pending_confirmation="place_order")
    chat.bot_said("action_answer_confirmation", {"response": "utter_order_not_placed"},
                  pending_order=None, pending_confirmation=None)


@pytest.mark.parametrize("answer", ("i never placed one lol", "there is no order"))
async def test_after_declining_at_the_summary_there_is_nothing_to_cancel(backend, answer):
    chat = Chat()
    declined_order(backend, chat)
    _, dispatcher = await chat.say("i dont want it anymore", "cancel_order", ActionCancelOrder())
    assert responses(dispatcher) == ["utter_cancel_nothing_placed"]
    assert chat.slot("requested_info") is None and chat.slot("order_task") is None
    _, dispatcher = await chat.say(answer, "track_order", ActionTrackOrder())
    assert responses(dispatcher) == ["utter_cancel_nothing_then"]


@pytest.mark.parametrize("answer, intent, action", [("i never placed one lol", "track_order", ActionTrackOrder()),
                                                    ("there is no order", "deny", ActionAnswerConfirmation())])
async def test_no_order_to_the_cancels_number_question_ends_it(backend, answer, intent, action):
    chat = Chat()
    _, dispatcher = await chat.say("cancel my order", "cancel_order", ActionCancelOrder())
    assert responses(dispatcher) == ["utter_ask_cancel_order_number"]
    _, dispatcher = await chat.say(answer, intent, action)
    assert responses(dispatcher) == ["utter_cancel_nothing_then"]
    assert chat.slot("requested_info") is None and chat.slot("order_task") is None


async def test_a_cancel_while_a_form_asks_for_an_order_asks_once(backend):
    """QA: "bhai order cancel karna hai" with the return form asking for its order got "Which order
    would you like to cancel?" and the form's "Which order is it?" under it."""
    chat = Chat()
    await chat.say("paisa wapas chahiye", "refund_return_request", ValidateReturnForm(), ran_as="return_form")
    chat.form, chat.slots["requested_slot"] = "return_form", "target_order"
    events, dispatcher = await chat.say("bhai order cancel karna hai", "cancel_order", ActionCancelOrder())
    assert responses(dispatcher) == ["utter_ask_cancel_order_number"]
    assert chat.form is None and chat.slot("requested_slot") is None

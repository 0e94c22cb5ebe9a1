"""Cancel an order: only the customer's own, only where its state allows, only after a clear yes."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused
from actions.change_address import answer_change_address
from actions.change_order import answer_change_order
from actions.conversation import ActionStop
from actions.form_answers import intent_of, last_utterance, previous_turn, say_again
from actions.order_slots import DRAFT, ITEMS, PENDING_ORDER
from actions.order_wording import NOT_RECEIVED, cancel_reason
from actions.orders import (REQUESTED, TASK, ActionTrackOrder, follows_up_on_the_order, named_skus,
                            requested_order_number)
from actions.parsing import (agrees, asks_instead_of_answering, decided_answer, format_price, hesitates, is_noise, torn,
                             looks_like_gibberish, order_number)
from actions.place_order import ActionPlaceOrder, answer_place_order, ask_to_place_again, order_form_slots
from actions.returns import answer_return
from actions.separate_order import added_items, leave_the_change, wants_a_separate_order
from actions.support import OFFERED_TICKET, PAUSED_FORM, WANTS_A_PERSON, ActionOpenTicket, end_active_form

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"


def _clear() -> List[Dict[Text, Any]]:
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, None)]


def _ask_confirmation(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(response="utter_confirm_cancel", number=order.number,
                             items=", ".join(f"{line.quantity} × {line.name}" for line in order.lines),
                             total=format_price(order.total_minor, order.currency))
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, "cancel_order"),
            SlotSet("order_id", order.number)]


def _refuse(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    response = {
        "shipped": "utter_cannot_cancel_shipped",
        "delivered": "utter_cannot_cancel_delivered",
        "cancelled": "utter_cannot_cancel_cancelled",
    }.get(order.status, "utter_cannot_cancel")
    dispatcher.utter_message(response=response, number=order.number, status=order.status.replace("_", " "))
    return _clear() + [SlotSet("order_id", order.number)]  # "ok cancel it" next is still about it


# "the other one", "my other order", "the second one": not the order just talked about.
OTHER_ORDER = re.compile(r"(?i)\b(?:other|another|second|2nd)\b(?:\s+(?:one|order|1))?|\bboth\b")
# "until when can i cancel an order?", "is there a fee to cancel": the policy, not a cancel.
CANCEL_POLICY_QUESTION = re.compile(
    r"(?i)\b(?:until|till|up to|by) when\b|\bhow (?:long|late)\b.*\bcancel|\bcancel\w*\s+(?:policy|fees?|charges?)\b|"
    r"\b(?:fee|charge|cost|penalty)\b.*\bcancel|\bcancel\w*\b.*\b(?:fee|charge|cost|penalty)\b|"
    r"\bcan (?:i|we|you) (?:still )?cancel (?:an|a|any) order\b|\b(?:after|once) (?:it|an order|the order) (?:has )?(?:ship|is ship)")
# "cancel both my orders", "cancel all of them": one question per order, one after the other.
CANCEL_THEM_ALL = re.compile(r"(?i)\b(?:both|all (?:my |of (?:my |them|it)|the )?(?:orders|of them)|every order|"
                             r"all \d+ orders)\b")
# What the bot said about a cancel, after which "and the other one too" is another cancel.
ABOUT_A_CANCEL = ("utter_order_cancelled", "utter_cancel_kept", "utter_cannot_cancel_shipped",
                  "utter_cannot_cancel_delivered", "utter_cannot_cancel_cancelled", "utter_cannot_cancel")


class ActionCancelOrder(Action):
    """Finds the order to cancel and asks for confirmation; cancels nothing by itself."""

    def name(self) -> Text:
        return "action_cancel_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = requested_order_number(tracker)
        text = tracker.latest_message.get("text") or ""
        if number is None and CANCEL_POLICY_QUESTION.search(text) and tracker.get_slot(REQUESTED) is None:
            dispatcher.utter_message(response="utter_faq/cancellation_fee")
            return []
        other_than = order_number(tracker.get_slot("order_id")) if number is None and OTHER_ORDER.search(text) else None
        if number is None and other_than is None and not named_skus(tracker) and follows_up_on_the_order(tracker, text):
            # "cancel it" right after an order was talked about: that one (not theirs: refused)
            number = order_number(tracker.get_slot("order_id"))
        if number is None and (tracker.active_loop or {}).get("name") == "order_form":
            # "cancel" while an order is being made: that one is left, no placed order is touched
            return await ActionStop().run(dispatcher, tracker, domain)
        if number is None and tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER):
            # "cancel" at "Shall I place it?": a no to that order, not a cancel of another
            tracker.latest_message["intent"] = {"name": "deny", "confidence": 1.0}
            return await answer_place_order(dispatcher, tracker)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                # without a number: the newest order that can still be cancelled ("the other
                # one": not the order just talked about)
                order = await backend.get_order_or_last(
                    number, named_skus(tracker), usable=lambda order: order.cancellable and order.number != other_than)
        except NotFound:
            dispatcher.utter_message(response="utter_cancel_order_not_found", number=number)
            return _clear()
        except BackendError as error:
            logger.warning("cancel lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if other_than is not None and order is not None and order.number == other_than:
            dispatcher.utter_message(response="utter_no_other_cancellable")
            return _clear()
        if order is None:
            dispatcher.utter_message(response="utter_ask_cancel_order_number")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "cancel"), SlotSet(PENDING, None)]
        if not order.cancellable:
            return _refuse(dispatcher, order)
        return _ask_confirmation(dispatcher, order) + end_active_form(tracker)  # its yes must reach us, not the form


# Which actions ask each confirmation. A retry after an outage answers the failed attempt's question.
ASKED_BY = {
    "cancel_order": ("action_cancel_order",),
    "place_order": ("action_place_order", "action_answer_confirmation"),
    "change_order": ("action_confirm_order_change", "action_answer_confirmation"),
    "change_address": ("action_confirm_address_change", "action_answer_confirmation"),
    "return_order": ("action_confirm_return", "action_answer_confirmation", "action_refund_status"),
    "human_handoff": ("action_fallback", "action_open_ticket", "action_track_order"),
}
# Each confirmation's question, asked again when a "yes" or "no" comes after other messages.
QUESTIONS = {"cancel_order": ("utter_confirm_cancel",), "place_order": ("utter_confirm_order",),
             "change_order": ("utter_confirm_order_change",), "change_address": ("utter_confirm_address_change",),
             "return_order": ("utter_confirm_return", "utter_confirm_return_items", "utter_confirm_return_more",
                              "utter_confirm_return_rest", "utter_refund_after_return"),
             "human_handoff": ("utter_offer_human", "utter_only_english", "utter_complaint_ticket", "utter_payment_issue_ticket",
                               "utter_payment_declined_ticket", "utter_ticket_already_open",
                               "utter_contact_details", "utter_offer_human_out_of_scope", "utter_offer_a_person",
                               "utter_sorry_offer_a_person", "utter_order_late", "utter_order_delivered_not_received",
                               "utter_product_detail_unknown")}
# The flows whose confirmation is answered elsewhere: (dispatcher, tracker, affirmed) -> events.
ANSWERS = {"change_order": answer_change_order, "change_address": answer_change_address,
           "return_order": answer_return}


def _ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, pending: str) -> bool:
    """Sends the open question again as it was asked (text and Yes/No buttons); False if it is
    not in the conversation any more."""
    return say_again(dispatcher, tracker, QUESTIONS[pending])


def _just_asked_to_confirm(tracker: Tracker, askers: Tuple[str, ...] = ASKED_BY["cancel_order"]) -> bool:
    """True when the bot's last action before the latest user message was the question."""
    name = next((event.get("name") for event in previous_turn(tracker) if event.get("event") == "action"
                 and event.get("name") not in ("action_listen", None)), None)
    return name in askers


# Said after a "no" to the offer of a person: a yes right after it changes that answer.
DECLINED_A_PERSON = ("utter_no_human_then", "utter_ticket_without_person")
INSULTS = re.compile(r"(?i)\b(?:useless|stupid|dumb|idiot\w*|pathetic|worst bot|rubbish|garbage|trash|hopeless|"
                     r"waste of (?:my )?time|hate (?:you|this)|you suck|this sucks|wtf)\b")
# Answers that offer a person without asking a yes/no question of their own.
OFFERS_A_PERSON = ("utter_iamabot",)


# A yes that says what it agrees to ("ok yes place it") answers the question even after a side answer.
_NAMED_ACTIONS = {
    "place_order": re.compile(r"(?i)\b(?:place|confirm|send) (?:it|the order|my order|that)\b"),
    "cancel_order": re.compile(r"(?i)\bcancel (?:it|the order|my order|that)\b"),
    "return_order": re.compile(r"(?i)\b(?:register|return|send) (?:it|them|the return)\b"),
}


def _names_the_action(text: str, pending: str) -> bool:
    named = _NAMED_ACTIONS.get(pending)
    return bool(named and named.search(text)) and decided_answer(text) == "yes"


def _last_said_was_the_question(tracker: Tracker, pending: str) -> bool:
    """True when the bot's last message before the latest user message was the question itself
    (asked by another action too: an address at the summary shows the summary again)."""
    return last_utterance(tracker) in QUESTIONS[pending]


class ActionAnswerConfirmation(Action):
    """Handles "yes" and "no": acts only on a confirmation the bot has just asked for."""

    def name(self) -> Text:
        return "action_answer_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot(PENDING)
        text = tracker.latest_message.get("text")
        if pending not in ASKED_BY:
            return await _with_no_question_open(dispatcher, tracker, domain, text or "")
        if wants_a_separate_order(tracker):
            # "no, as a new order": the placed order stays, and what the change added is ordered anew
            items = added_items(tracker)
            return leave_the_change(dispatcher, tracker) + [SlotSet(ITEMS, items), SlotSet(DRAFT, items),
                                                            FollowupAction("order_form")]
        decided = decided_answer(text)
        if decided is not None:
            # the words decide, not the NLU: "no its fine" and "sorry i meant yes" read either way
            tracker.latest_message["intent"] = {"name": "affirm" if decided == "yes" else "deny", "confidence": 1.0}
        elif (asks_instead_of_answering(text) or hesitates(text) or torn(text) or looks_like_gibberish(text) or is_noise(text)
              or intent_of(tracker) not in ("affirm", "deny") or (intent_of(tracker) == "affirm" and not agrees(text))):
            # "what happens next?", "hmm idk", "." or "lkjlkj" read as a yes would act without consent
            dispatcher.utter_message(response="utter_yes_or_no_first")
            _ask_again(dispatcher, tracker, pending)
            return []
        # Asked again by this action itself below: a "yes" to that answers the same question.
        if not (_just_asked_to_confirm(tracker, ASKED_BY[pending] + (self.name(),))
                or _last_said_was_the_question(tracker, pending) or _names_the_action(text or "", pending)):
            # Other messages came between the question and this "yes" (a product question, say),
            # so it may answer them: the question is asked again, not acted on or dropped.
            if _ask_again(dispatcher, tracker, pending):
                return []
            dispatcher.utter_message(response="utter_ok")
            return [SlotSet(PENDING, None)]
        if pending == "place_order":
            return await answer_place_order(dispatcher, tracker)
        if pending in ANSWERS:
            events = await ANSWERS[pending](dispatcher, tracker, intent_of(tracker) == "affirm")
            return events + await _back_to_the_unplaced_order(dispatcher, tracker, events)
        if pending == "human_handoff":
            return await _answer_human_offer(dispatcher, tracker, intent_of(tracker) == "affirm")
        number = _number_asked_about(tracker) or tracker.get_slot("order_id")
        if intent_of(tracker) != "affirm":
            dispatcher.utter_message(response="utter_cancel_kept", number=number)
            if OTHER_ORDER.search(text or ""):  # "no the other one": that one is asked about now
                return _clear() + await ActionCancelOrder().run(dispatcher, tracker, domain)
            return _clear()
        request = _cancel_request(tracker)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                said = cancel_reason(text or "", request)
                await backend.cancel_order(number, f"customer: {said}" if said else "cancelled by the customer in chat")
        except Refused as refusal:
            dispatcher.utter_message(response="utter_cancel_refused", number=number, reason=refusal.detail)
            return _clear()
        except BackendError as error:
            logger.warning("cancel failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return _clear()
        dispatcher.utter_message(response="utter_order_cancelled", number=number)
        if CANCEL_THEM_ALL.search(request):  # "cancel both my orders": the next one now
            following = await _next_cancellable(tracker)
            if following is not None:
                return _clear() + _ask_confirmation(dispatcher, following)
        return _clear()


def _number_asked_about(tracker: Tracker) -> Optional[str]:
    """The order the latest "Do you want me to cancel order …?" names: a side question in between
    ("where is OB-…?") moves the conversation's order, not the one this yes answers about."""
    asked = next((event for event in reversed(tracker.events or []) if event.get("event") == "bot"
                  and (event.get("metadata") or {}).get("utter_action") in QUESTIONS["cancel_order"]), None)
    return order_number(asked.get("text")) if asked else None


async def _next_cancellable(tracker: Tracker) -> Optional[Order]:
    try:
        async with BackendClient(tracker.sender_id) as backend:
            return next((order for order in await backend.list_orders() if order.cancellable), None)
    except BackendError as error:
        logger.warning("listing the orders left to cancel failed: %s", error)
        return None


def _cancel_request(tracker: Tracker) -> str:
    """The customer's message that asked to cancel ("cancel both my orders"), before this answer."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"][:-1]
    asked = next((e for e in reversed(users)
                  if ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "cancel_order"), {})
    return asked.get("text") or ""


async def _with_no_question_open(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                 text: str) -> List[Dict[Text, Any]]:
    """A yes or no with nothing asked: what it answers from what was said before, else "Okay."."""
    says_yes = intent_of(tracker) == "affirm" or decided_answer(text) == "yes"
    last = last_utterance(tracker)
    if intent_of(tracker) == "affirm" and (WANTS_A_PERSON.search(text) or last in OFFERS_A_PERSON):
        # "yes, a person please" with no offer open, or "yes" to "I can fetch a person"
        return await _answer_human_offer(dispatcher, tracker, True)
    if says_yes and last in DECLINED_A_PERSON:
        return await _answer_human_offer(dispatcher, tracker, True)  # "hmm ok actually yes"
    if OTHER_ORDER.search(text) and last in ABOUT_A_CANCEL:
        return await ActionCancelOrder().run(dispatcher, tracker, domain)  # "and the other one too"
    if INSULTS.search(text):  # "you are useless": an apology and a person, not "Okay."
        dispatcher.utter_message(response="utter_sorry_offer_a_person")
        return [SlotSet(PENDING, "human_handoff")]
    if says_yes and last == "utter_order_not_placed":
        return await _order_again(dispatcher, tracker, domain)  # "sorry i meant yes"
    if NOT_RECEIVED.search(text) and tracker.get_slot("order_id"):
        # "but i never got it!" after its status: help with the order, not "Okay."
        return await ActionTrackOrder().run(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_ok")
    return [SlotSet(PENDING, None)]


async def _back_to_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A change to the order still waiting for its "yes" in this chat ("add two red mugs" at the
    summary) leaves it unplaced: its summary is shown again with the question, or it would expire."""
    number = tracker.get_slot(PENDING_ORDER)
    target = tracker.get_slot("target_order") or {}
    if not number or target.get("number") != number or SlotSet(PENDING, None) not in events:
        return []
    return await ask_to_place_again(dispatcher, tracker, number)


async def _order_again(dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A yes just after "no" released the order at its summary: the same order is made again and
    its summary asked about once more (the released stock may be gone meanwhile: the order says)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            released = next(iter(await backend.list_orders(limit=1)), None)
    except BackendError as error:
        logger.warning("reading the released order failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if released is None or released.status != "cancelled":
        dispatcher.utter_message(response="utter_ok")
        return []
    slots = order_form_slots(released)
    tracker.slots.update({event["name"]: event["value"] for event in slots})
    return slots + await ActionPlaceOrder().run(dispatcher, tracker, domain)


async def _answer_human_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                             affirmed: bool) -> List[Dict[Text, Any]]:
    """After two unclear messages, a complaint, a payment problem or a late order: "yes" leaves any
    form and hands the chat over (a new ticket, or the one just opened), here rather than as a
    follow-up action, after which Rasa's policies had no next step and said "I didn't get that";
    "no" goes back to the form the offer interrupted, if any."""
    paused = tracker.get_slot(PAUSED_FORM)
    events = [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)]
    if not affirmed:
        offered = tracker.get_slot(OFFERED_TICKET)
        if offered:  # kept: a person asked for later takes this ticket, not a second one
            dispatcher.utter_message(response="utter_ticket_without_person", ticket_id=offered)
        else:
            dispatcher.utter_message(response="utter_no_human_then")
        return events + ([FollowupAction(paused)] if paused else [])
    handover = await ActionOpenTicket().run(dispatcher, tracker, {})
    return events + [ActiveLoop(None), SlotSet("requested_slot", None)] + handover

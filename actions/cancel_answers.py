"""The yes or no to "Do you want me to cancel order …?" carried out: the order cancelled (its reason kept) or kept."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.back_to_the_order import ask_to_place
from actions.backend_client import BackendClient, BackendError, Refused, order_or_none
from actions.cancel_follow_ups import ask_about_the_next_one
from actions.cancel_questions import (ASKED, CANCEL_OFFERS, PENDING, number_asked_about, offered_cancel,
                                      picks_an_order_to_cancel, wants_it_placed)
from actions.cancel_refusals import ask_or_refuse, clear_the_cancel, say_why_refused
from actions.form_answers import intent_of, previous_turn
from actions.order_changes import apply_changes
from actions.order_forms import CHANGES, CHOICE, TARGET, order_view
from actions.order_wording import cancel_reason
from actions.parsing import order_number

logger = logging.getLogger(__name__)


async def cancel_or_keep(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                         text: Optional[str]) -> List[Dict[Text, Any]]:
    """A yes cancels the order asked about, a no keeps it; either way, in "cancel all my orders",
    the next one is asked about."""
    number = number_asked_about(tracker) or tracker.get_slot("order_id")
    if intent_of(tracker) != "affirm":
        return await _keep(dispatcher, tracker, domain, text, number)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            said = cancel_reason(text or "", _asked_after(tracker), _cancel_request(tracker))
            await backend.cancel_order(number, f"customer: {said}" if said else "cancelled by the customer in chat")
    except Refused as refusal:
        # shipped since the question: said as the shop says it, not in the backend's words
        events = await say_why_refused(dispatcher, tracker, refusal, number)
        return events + await ask_about_the_next_one(dispatcher, tracker)
    except BackendError as error:
        logger.warning("cancel failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return clear_the_cancel()
    dispatcher.utter_message(response="utter_order_cancelled", number=number)
    return clear_the_cancel() + await ask_about_the_next_one(dispatcher, tracker)  # "cancel both my orders"


async def _keep(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any], text: Optional[str],
                number: str) -> List[Dict[Text, Any]]:
    """A no to the cancel: the order stays, and what the no goes on to ask is asked."""
    dispatcher.utter_message(response="utter_cancel_kept", number=number)
    if picks_an_order_to_cancel(tracker):  # "no the other one", "no, the red mug one": that one now
        from actions.cancel import ActionCancelOrder  # here: actions.cancel imports this module
        return clear_the_cancel() + await ActionCancelOrder().run(dispatcher, tracker, domain)
    if wants_it_placed(text):  # "no, place it": an order not yet placed is asked about again
        return clear_the_cancel() + await ask_to_place(dispatcher, tracker, number)
    return clear_the_cancel() + await ask_about_the_next_one(dispatcher, tracker)  # "cancel all": on to the next


def _asked_after(tracker: Tracker) -> str:
    """The customer's message the latest cancel question answered ("ugh fine. then cancel the glasses
    pair one, found them cheaper", whatever the NLU read it as: its reason is the cancel's)."""
    seen_question = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == ASKED:
            seen_question = True
        elif event.get("event") == "user" and seen_question:
            return event.get("text") or ""
    return ""


def _cancel_request(tracker: Tracker) -> str:
    """The customer's message that asked to cancel ("cancel both my orders"), before this answer."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"][:-1]
    asked = next((e for e in reversed(users)
                  if ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "cancel_order"), {})
    return asked.get("text") or ""


async def take_up_the_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                            affirmed: bool) -> List[Dict[Text, Any]]:
    """A yes to "I can cancel it instead, with a full refund": the cancel question about that order,
    with its items and total (nothing is cancelled before its own yes); a no keeps it."""
    number = offered_cancel(tracker)
    if not affirmed:
        dispatcher.utter_message(response="utter_cancel_kept", number=number)
        return clear_the_cancel()
    order = await order_or_none(tracker.sender_id, number, "the order offered to cancel")
    if order is None:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return ask_or_refuse(dispatcher, order)


def offer_lapsed(tracker: Tracker) -> bool:
    """ "I can cancel it instead" (a return asked for too early), and the bot's last turn answered
    something else ("where is my order"): the customer moved on, and the offer stands no more."""
    if offered_cancel(tracker) is None:
        return False
    offers = {event.get("text") for event in tracker.events or [] if event.get("event") == "bot"
              and (event.get("metadata") or {}).get("utter_action") in CANCEL_OFFERS}
    said = [event for event in previous_turn(tracker) if event.get("event") == "bot"]
    return bool(said) and not any((event.get("metadata") or {}).get("utter_action") in CANCEL_OFFERS
                                  or event.get("text") in offers for event in said)


async def change_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The order the cancel question is about changed instead: its change form proposes the change
    read from the message ("1 pair"), or asks what to change; nothing is cancelled."""
    number = number_asked_about(tracker) or offered_cancel(tracker) or order_number(tracker.get_slot("order_id"))
    try:
        async with BackendClient(tracker.sender_id) as backend:
            view = order_view(await backend.get_order(number))
    except BackendError as error:
        logger.warning("reading the order to change instead of cancelling failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    result = apply_changes(view["lines"], tracker.latest_message.get("entities") or [],
                           tracker.latest_message.get("text") or "")
    changes = [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])}
               for line in result.lines] if result.changed and result.problem is None else None
    return [SlotSet(PENDING, None), SlotSet("order_id", number), SlotSet(TARGET, view), SlotSet(CHANGES, changes),
            SlotSet(CHOICE, None), FollowupAction("change_order_form")]

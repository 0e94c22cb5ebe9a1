"""After a cancel's yes or no: the next order of "cancel all my orders" asked about, and "did it work?" answered."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.cancel_questions import PENDING, cancel_run
from actions.cancel_refusals import ask_confirmation, say_why_not
from actions.confirmations import CHANGE_QUESTIONS, ask_again
from actions.parsing import format_price

logger = logging.getLogger(__name__)

# "cancel both my orders", "cancel all of them": one question per order, one after the other.
CANCEL_THEM_ALL = re.compile(r"(?i)\b(?:both|all (?:my |of (?:my |them|it)|the )?(?:orders|of them)|every order|"
                             r"all \d+ orders)\b")
# "cancel everything" with no order in hand: all of them too (it had asked about the newest only
# and left the other open); while an order is changed or made, that one (CANCEL_THE_ORDER).
CANCEL_EVERYTHING = re.compile(r"(?i)\bcancel\s+(?:\w+\s+)?everything\b")
# What the bot said about a cancel, after which "and the other one too" is another cancel.
ABOUT_A_CANCEL = ("utter_order_cancelled", "utter_cancel_kept", "utter_cannot_cancel_shipped",
                  "utter_cannot_cancel_delivered", "utter_cannot_cancel_cancelled", "utter_cannot_cancel")
# What the bot says in a cancel about the orders it names.
_ABOUT_ORDERS_CANCELLED = ABOUT_A_CANCEL + ("utter_confirm_cancel", "utter_cancel_newest_of_several",
                                            "utter_cancel_refused")
# "did it work", "is it cancelled now?", "did you cancel both", "ok so what got cancelled": whether the
# cancel just answered was done (it had got "Okay.", or at the next order's question "Nothing has
# happened yet").
_ASKS_IF_DONE = re.compile(
    r"(?i)\bdid (?:it|that|this|you|u|they|the cancel\w*)\b[^?.!]*?\b(?:work\w*|go through|cancel\w*|happen\w*)\b|"
    r"\b(?:(?:is|was|are|were) (?:it|that|they|both|the orders?|my orders?|everything|all)|(?:has|have) "
    r"(?:it|that|they|both|the orders?|my orders?|everything|all)(?: \w+)? been)(?: (?:now|really|both|all|already|"
    r"of them))*\s+(?:done|cancel\w*|gone through|worked)\b|"
    r"\bwhat (?:got|was|were|has been|have been|did you) cancel\w*")


async def ask_about_the_next_one(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """In "cancel all my orders", after a yes or a no, the next order that can still be cancelled
    and wasn't asked about in this run is asked about; [] outside such a run or at its end. After a
    no it had stopped, and the orders left came back in a later, unrelated cancel, asking again
    about the order the customer had just kept."""
    said, asked = cancel_run(tracker)
    if not _asked_for_them_all(tracker, said + [tracker.latest_message.get("text") or ""]):
        return []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            following = next((order for order in await backend.list_orders()
                              if order.cancellable and order.number not in asked), None)
    except BackendError as error:
        logger.warning("listing the orders left to cancel failed: %s", error)
        return []
    return ask_confirmation(dispatcher, following) if following is not None else []


def _asked_for_them_all(tracker: Tracker, said: List[str]) -> bool:
    """One of the messages `said` asks to cancel all the orders: "cancel both my orders", or "cancel
    everything" said with no order being changed (that order alone was meant: cancelled, the run
    would have gone on to ask about the others)."""
    if any(CANCEL_THEM_ALL.search(message) for message in said):
        return True
    pending, form = None, None  # as they were when each message came
    for event in tracker.events or []:
        if event.get("event") == "slot" and event.get("name") == PENDING:
            pending = event.get("value")
        elif event.get("event") == "active_loop":
            form = event.get("name")
        elif (event.get("event") == "user" and event.get("text") in said
              and CANCEL_EVERYTHING.search(event.get("text") or "")
              and pending not in CHANGE_QUESTIONS and form not in ("change_order_form", "change_address_form")):
            return True
    return False


async def what_the_cancel_did(dispatcher: CollectingDispatcher,
                              tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "did it work" right after a cancel: each order it named as it is now (cancelled, or still
    confirmed), and the cancel question still open asked again; None for another message."""
    text = tracker.latest_message.get("text") or ""
    numbers = _orders_of_the_cancel(tracker) if _ASKS_IF_DONE.search(text) else []
    if not numbers:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            orders = [await backend.get_order(number) for number in numbers]
    except BackendError as error:
        logger.warning("reading the orders of the cancel failed: %s", error)
        return None
    for order in orders:
        if order.status == "cancelled" or order.cancellable:
            dispatcher.utter_message(response=f"utter_order_status_{order.status}", number=order.number,
                                     total=format_price(order.total_minor, order.currency))
        else:  # shipped meanwhile: why it can't be cancelled
            say_why_not(dispatcher, order)
    if tracker.get_slot(PENDING) == "cancel_order":
        ask_again(dispatcher, tracker, "cancel_order")
    return []


def _orders_of_the_cancel(tracker: Tracker) -> List[str]:
    """The orders the bot's cancel answers just before the latest message named (the turns in a row
    that were about a cancel), first named first; [] when the bot's last turn was about none."""
    asked = {event.get("text") for event in tracker.events or [] if event.get("event") == "bot"
             and (event.get("metadata") or {}).get("utter_action") == "utter_confirm_cancel"}
    numbers: List[str] = []
    turn: List[str] = []
    seen_latest = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_latest and not turn:
                break
            numbers = turn + numbers
            turn, seen_latest = [], True
        elif seen_latest and event.get("event") == "bot" and (  # a question asked again has only its text
                (event.get("metadata") or {}).get("utter_action") in _ABOUT_ORDERS_CANCELLED
                or event.get("text") in asked):
            turn = re.findall(r"\bOB-[0-9A-Z]{8}\b", event.get("text") or "") + turn
    return list(dict.fromkeys(turn + numbers))

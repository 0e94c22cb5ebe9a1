"""Back to the order made in this chat but not placed: wanted after all once declined, or its summary asked again."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, order_or_none
from actions.cancel_questions import PENDING
from actions.form_answers import last_utterance
from actions.order_slots import PENDING_ORDER
from actions.parsing import asks_instead_of_answering, decided_answer, order_number, yes_then_a_question
from actions.place_order import ActionPlaceOrder, answer_place_order, ask_to_place_again, order_form_slots

logger = logging.getLogger(__name__)

# "sorry", "actually", "wait": what follows the last of them is what the customer means now.
_CHANGE_OF_MIND = re.compile(r"(?i)\b(?:actually|wait|sorry|i mean|i meant|on second thought)\b|[.!;]")
# A change of mind towards the order just declined: "i changed my mind", "i want it after all".
_AFTER_ALL = re.compile(r"(?i)\bafter all\b|\bchang\w* (?:of )?my mind\b|\bon second thought\b|\bwrong button\b|"
                        r"\bby mistake\b|\bmis-?click\w*|\bi (?:did|do) want (?:it|that|them|the order)\b|"
                        r"\b(?:place|want|order) (?:it|that|them|the order|that order|it all) again\b")
# A "no" or a cancel that the last part still says: "dont cancel anything", "changed my mind, dont place it".
_NOT_WANTED = re.compile(r"(?i)\b(?:no|nope|nah|not|don'?t|dont|do not|never|no need)\b")
# "yes place it", "confirm OB-… please", "how do i confirm it?": about placing the order waiting.
_PLACING = re.compile(r"(?i)\b(?:place|confirm|submit|finali[sz]e|complete)\b")


def _last_part(text: str) -> str:
    parts = [part for part in _CHANGE_OF_MIND.split(text) if re.search(r"\w", part)]
    return parts[-1] if parts else ""


def asks_to_cancel(text: str) -> bool:
    """The message's last part asks to cancel ("ok actually yes cancel the mugs one"), not "hmm
    actually no dont cancel anything" or "no need to cancel"."""
    last = _last_part(text)
    return re.search(r"(?i)\bcancel\b", last) is not None and not _NOT_WANTED.search(last)


def wants_the_order_after_all(tracker: Tracker) -> bool:
    """Right after "no" released the order at its summary: "actually i changed my mind, place it
    after all", "no wait i want it after all", whatever the NLU read (a cancel, for "changed my
    mind"): the same order wanted after all, not a cancel or a new order."""
    text = tracker.latest_message.get("text") or ""
    if last_utterance(tracker) != "utter_order_not_placed" or asks_to_cancel(text):
        return False
    last = _last_part(text)
    return decided_answer(text) == "yes" or bool(_AFTER_ALL.search(text) and not _NOT_WANTED.search(last))


async def order_again(dispatcher: CollectingDispatcher, tracker: Tracker,
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


async def back_to_the_waiting_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    text: str) -> Optional[List[Dict[Text, Any]]]:
    """The order made in this chat still waits for its yes, but its question was left (a person
    offered at the summary and handed over, qa2 F1: every "yes place it" then got "Okay."): a yes
    naming placing it places it; another yes, or a question how to, shows its summary and asks
    again. None when no such order waits, or the message is no yes to it (another order named)."""
    number = tracker.get_slot(PENDING_ORDER)
    decided = decided_answer(text)
    # "yes pls. will it arrive before friday?" to "Shall I place it?": the yes answers it, then the
    # question is answered (verify QA: read as a delivery question, the order stayed unplaced)
    answers_the_summary = tracker.get_slot(PENDING) == "place_order" and yes_then_a_question(text) is not None
    if not number or decided == "no" or not (decided == "yes" or text.startswith("/affirm") or _PLACING.search(text)
                                             or answers_the_summary):
        return None
    if re.search(r"(?i)\bcancel", text):  # "yes cancel it": no yes to placing it
        return None
    if order_number(text) not in (None, number):
        return None
    order = await order_or_none(tracker.sender_id, number, "the order waiting for its yes")
    if order is None:
        return None
    if order.status != "pending":  # confirmed or expired meanwhile: not waiting any more
        return None
    if answers_the_summary or (decided == "yes" and _PLACING.search(text) and not asks_instead_of_answering(text)):
        tracker.latest_message["intent"] = {"name": "affirm", "confidence": 1.0}
        return await answer_place_order(dispatcher, tracker)
    return await ask_to_place_again(dispatcher, tracker, number)


async def back_to_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                     events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A change to the order still waiting for its "yes" in this chat ("add two red mugs" at the
    summary) leaves it unplaced: its summary is shown again with the question, or it would expire."""
    number = tracker.get_slot(PENDING_ORDER)
    target = tracker.get_slot("target_order") or {}
    if not number or target.get("number") != number or SlotSet(PENDING, None) not in events:
        return []
    return await ask_to_place_again(dispatcher, tracker, number)


async def ask_to_place(dispatcher: CollectingDispatcher, tracker: Tracker, number: str) -> List[Dict[Text, Any]]:
    """ "no, place it" at the cancel question of an order not yet placed: its summary and "Shall I
    place it?" again (nothing is placed without that yes); [] for an order placed already."""
    asked = await ask_to_place_again(dispatcher, tracker, number)
    return asked + [SlotSet(PENDING_ORDER, number)] if asked else []

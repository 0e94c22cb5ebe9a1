"""Another item instead of the money: a replacement (the team's) or an exchange (a return and a new order)."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError
from actions.order_forms import TARGET, events_clearing
from actions.parsing import order_number
from actions.return_items import tidy_reason
from actions.return_reasons import shops_fault
from actions.return_state import (ITEMS, PENDING, REASON, return_under_way, said_during_this_return, stop_the_form,
                                  text_of)
from actions.support import open_complaint
from actions.tickets import PAUSED_FORM

logger = logging.getLogger(__name__)
# "i want a replacement", "can you send me a new one instead": not a refund, the team's to arrange;
# after a wrong item, "I'd rather have the right ones sent", "send me the correct mugs" (t4 M8: the
# bot's own suggested words had started a new order).
REPLACEMENT = re.compile(
    r"(?i)\b(?:replacement|replace (?:it|them|this|that|mine|the \w+(?: \w+)?)|exchange|"
    r"(?:send|ship|give|get)(?: me| us)? (?:a |an )?(?:new|fresh|another|working|replacement|different) "
    r"(?:one|ones|piece|item|\w+)|new one instead|"
    r"(?:send|ship|give|get)(?: me| us)?(?: the)? (?:right|correct) \w+|(?:right|correct) \w+ sent)\b")
# "replace the hand grinder with the electric one": a swap for another product (the change form's
# while the order is not sent), not a new one of the same.
SWAP = re.compile(r"(?i)\b(?:replace|swap|exchange|change)\b.{1,40}?\b(?:with|for|into)\b"
                  r"(?!\s+(?:a\s+)?(?:new|fresh|working|replacement|another one)\b)")
NOT_REPLACEMENT = re.compile(r"(?i)\b(?:not|no|don'?t want|do not want|rather than|instead of)\s+(?:a\s+)?"
                             r"(?:replacement|exchange|new one)\b")
# "can i exchange the blue mug for a white one", "swap it for the bigger size", "i want a white one
# instead" (not "my money back instead"): another product for the one sent back.
EXCHANGE = re.compile(
    r"(?i)\b(?:exchange|swap|switch)\b.{1,40}?\b(?:for|with|into|to)\b|"
    r"\b(?:want|like|prefer|rather have|need)\b(?![^.!?]{0,30}\b(?:money|refund|cash|credit)\b)[^.!?]{0,30}?"
    r"\b(?:one|ones|colou?r|size|model|version)\s+instead\b")


def wants_a_replacement(text: str) -> bool:
    return REPLACEMENT.search(text) is not None and NOT_REPLACEMENT.search(text) is None and SWAP.search(text) is None


async def offer_a_replacement(dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> List[Dict[Text, Any]]:
    """ "i want a replacement": the bot registers returns for a refund; a replacement is arranged by
    the team, so it says so, opens a ticket about the order and offers a person. The refund return
    lapses: a replacement was chosen instead (QA: "no" to the person asked the refund again)."""
    target = tracker.get_slot(TARGET) or {}
    dispatcher.utter_message(response="utter_return_replacement")
    ours = tracker.get_slot(PENDING) == "return_order"  # its summary's question lapses too
    events: List[Dict[Text, Any]] = events_clearing((TARGET, ITEMS, REASON) + ((PENDING,) if ours else ()))
    if target.get("number"):  # the ticket names this order
        tracker.slots["order_id"] = target["number"]
        events.append(SlotSet("order_id", target["number"]))
    events += await open_complaint(dispatcher, tracker, domain)
    # after the form no rule may show the summary: the offer of a person is the open question
    return events + [SlotSet(PAUSED_FORM, None)] + stop_the_form()


def asks_for_an_exchange(text: str) -> bool:
    """Another product for the one going back; not a new one of the same (a replacement) nor the
    shop's fault (the team's replacement is offered for that)."""
    return bool(EXCHANGE.search(text)) and not wants_a_replacement(text) and shops_fault(text) is None


def explain_the_exchange(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """An exchange is a return for a refund plus a new order, or a person arranges it (QA: "can i
    exchange it for the white one?" became a refund return without a word). Said once per return;
    the return goes on, the wish its reason, so its summary asks which they want."""
    text = text_of(tracker)
    if not asks_for_an_exchange(text) or said_during_this_return(tracker, "utter_return_exchange"):
        return []
    dispatcher.utter_message(response="utter_return_exchange")
    if tracker.get_slot(REASON):
        return []
    reason = f"exchange: {tidy_reason(' '.join(text.split()))}"[:500]
    tracker.slots[REASON] = reason
    return [SlotSet(REASON, reason)]


async def exchange_without_an_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """ "can i exchange a mug for a different colour" from a chat with no orders and no number given:
    how exchanges work, and how to start one, instead of a bare "Which order is it?" that then came
    back under every answer (QA). True when said so."""
    text = text_of(tracker)
    if return_under_way(tracker) or not asks_for_an_exchange(text) or order_number(text):
        return False
    try:
        async with BackendClient(tracker.sender_id) as backend:
            if await backend.list_orders(limit=1):
                return False
    except BackendError as error:
        logger.warning("listing the orders of an exchange question failed: %s", error)
        return False
    dispatcher.utter_message(response="utter_return_exchange")
    dispatcher.utter_message(response="utter_return_exchange_no_order")
    return True

"""A repair under warranty claimed for an item delivered: a ticket on its order for the team, and a person offered."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order
from actions.order_forms import TARGET, events_clearing
from actions.orders import named_skus
from actions.parsing import order_number
from actions.return_reasons import shops_fault
from actions.return_state import ITEMS, PENDING, REASON, RETURNING_STATUSES, stop_the_form, text_of
from actions.support import ticket_with_an_offer
from actions.tickets import PAUSED_FORM

logger = logging.getLogger(__name__)
# "i want it repaired under warranty", "my kettle stopped working, is it under guarantee?": a claim
# about the customer's own item, not "do your products have a warranty".
WARRANTY = re.compile(r"(?i)\b(?:repair\w*|warrant(?:y|ee)|guarantee|covered|cover(?:s|ed)? (?:it|that|this|them))\b")
THEIR_OWN = re.compile(r"(?i)\b(?:it|its|it'?s|my|mine|this|that|them|they|they'?re)\b|\bOB-?[0-9A-Z]{8}\b")
# An electrical item, which the 2-year warranty covers (faq/warranty).
ELECTRICAL = re.compile(r"(?i)\b(?:electric\w*|digital)\b")
ELECTRICAL_DETAILS = ("power", "temperature_control")
WARRANTY_TICKET = "warranty claim"
# A fault that came with use, not with the delivery ("cracked after 3 months", "stopped working"): the
# legal guarantee's, where a fault on arrival is a free return's.
AFTER_USE = re.compile(r"(?i)\bafter\s+(?:\d+|a|an|one|two|three|four|five|six|a few|a couple of|several|some)\s+"
                       r"(?:days?|weeks?|months?|years?|uses?|washes)\b|\b(?:stopped|stops|quit) working\b|"
                       r"\bover time\b|\bwith (?:normal |daily )?use\b|\bfrom (?:normal |daily )?use\b")


# What makes a mention of the warranty a claim: a repair asked for, or a fault.
CLAIMING = re.compile(r"(?i)\b(?:repair\w*|fix\w*|claim\w*|under (?:the |my |its )?(?:warranty|guarantee))\b")


def claims_a_warranty(text: str) -> bool:
    """Not "does it come with a warranty?": a repair or a fault of their own item."""
    return bool(WARRANTY.search(text) and THEIR_OWN.search(text)) and (
        bool(CLAIMING.search(text)) or shops_fault(text) == "damaged")


async def claim_under_warranty(dispatcher: CollectingDispatcher,
                               tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A warranty claim for an electrical item of a delivered order ("the grinder stopped working,
    i want it repaired under warranty"): a ticket on that order for the team to arrange the repair,
    and a person offered at once (QA: the warranty FAQ's "contact us" to a customer contacting us).
    A return under way lapses: a repair was chosen instead. A fault that came with use of another
    item is the legal guarantee's, the same way. None when the message claims nothing, or no
    delivered order of theirs holds such an item (the warranty FAQ answers that)."""
    if not claims_a_warranty(text_of(tracker)):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            claimed = await _order_under_warranty(backend, tracker)
    except BackendError as error:
        logger.warning("looking for the order of a warranty claim failed: %s", error)
        return None
    if claimed is None:
        return None
    order, items, electrical = claimed
    dispatcher.utter_message(response="utter_warranty_claim" if electrical else "utter_guarantee_claim",
                             number=order.number, items=", ".join(items))
    tracker.slots["order_id"] = order.number
    ours = tracker.get_slot(PENDING) == "return_order"
    events = events_clearing((TARGET, ITEMS, REASON) + ((PENDING,) if ours else ())) + [
        SlotSet("order_id", order.number)]
    events += await ticket_with_an_offer(dispatcher, tracker, WARRANTY_TICKET, "utter_complaint_ticket",
                                         order=order.number, if_open="utter_ticket_already_open")
    return events + [SlotSet(PAUSED_FORM, None)] + stop_the_form()


async def _order_under_warranty(backend: BackendClient,
                                tracker: Tracker) -> Optional[Tuple[Order, List[str], bool]]:
    """The delivered order meant (the return's, the one talked about, the one holding a product
    named, else the newest) with its electrical items' names (True: our warranty); for a fault that
    came with use ("my mug cracked after 3 months, is that covered?"), its other items' (False: the
    legal guarantee's; QA16 had read it as damaged on arrival). None if it holds neither."""
    meant = {(tracker.get_slot(TARGET) or {}).get("number"), order_number(tracker.get_slot("order_id") or ""),
             order_number(text_of(tracker))} - {None}
    skus = set(named_skus(tracker))
    orders = [o for o in await backend.list_orders() if o.status in RETURNING_STATUSES]
    if skus:  # "my kettle": the orders holding it, the one meant first
        orders = [o for o in orders if skus & {line.sku for line in o.lines}]
    elif meant & {o.number for o in orders}:  # "i want it repaired": the order being talked about
        orders = [o for o in orders if o.number in meant]
    orders.sort(key=lambda o: o.number not in meant)  # stable: newest first otherwise
    for order in orders:
        electrical = [line for line in order.lines
                      if (not skus or line.sku in skus) and await _is_electrical(backend, line.sku)]
        if electrical:
            return order, [line.name for line in electrical], True
    if orders and AFTER_USE.search(text_of(tracker)):
        order = orders[0]
        return order, [line.name for line in order.lines if not skus or line.sku in skus], False
    return None


async def _is_electrical(backend: BackendClient, sku: str) -> bool:
    product = await backend.get_product(sku)
    return bool(ELECTRICAL.search(product.name)) or any(detail in product.attributes for detail in ELECTRICAL_DETAILS)

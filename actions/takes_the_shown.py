"""A product just put before the customer, taken: "ok i'll take it", "i want 2 of those" after one
was shown, "ok so order them??" after several they named, "ok, 2 blue ones then" for one offered in
place of a short item."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions.backend_client import BackendClient, BackendError
from actions.draft_edits import offer_taken
from actions.draft_questions import open_choice
from actions.form_answers import last_utterance
from actions.order_slots import ITEMS
from actions.parsing import quantity_in

logger = logging.getLogger(__name__)

# "ok i'll take it", "i want 2 of those": the product just shown.
TAKES_THE_SHOWN = re.compile(r"(?i)\b(?:take|buy|order|want|get|have|need|add|put)\s+(?:\d+\s+(?:of\s+)?)?"
                             r"(?:it|that|this|that one|this one|them|these|those|one)\b|\bi'?ll take\b|"
                             r"^\s*(?:ok(?:ay)?|fine|alright|then)?[\s,]*\d{1,2}\s*(?:then|please|pls|of (?:them|those))?"
                             r"[\s.!]*$")  # "ok 1 then"


async def offered_or_shown_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
    """The items with a product offered for a short item, or one just shown, taken; {} for none."""
    return offer_taken(tracker, draft, text) or await _shown_taken(tracker, draft, text)


async def _shown_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
    """ "ok i'll take it", "i want 2 of those" right after one product was shown: that one; "ok
    so order them??" after several the customer named: all of them, how many asked."""
    shown = tracker.get_slot("shown_products") or []
    entities = tracker.latest_message.get("entities") or []
    # with an order under way, only a product the bot has just shown ("how much is the glass
    # teapot?" at the summary, then "ok add it"), and one it doesn't hold yet
    just_shown = str(last_utterance(tracker) or "").startswith("utter_product")
    if (draft and (not just_shown or any(item["sku"] in shown for item in draft))) or not shown \
            or not TAKES_THE_SHOWN.search(text) or any(e.get("entity") == "product" for e in entities):
        return {}
    if len(shown) > 1:
        return await _all_the_shown(tracker, draft, shown, text)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            product = await backend.get_product(shown[0])
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return {}
    # "i'll take it": one of it; "i'll take them": how many is asked, unless the price was asked for
    # a count ("how much are 3 bags of the ethiopia beans", then "ok so order them??": 3)
    one = re.search(r"(?i)\b(?:it|that|this|one)\b", text) and not re.search(r"(?i)\b(?:them|these|those)\b", text)
    quantity = quantity_in(text) or _count_priced_before(tracker, product.sku) or (1 if one else None)
    choice = open_choice(draft)
    if choice is not None and product.sku in {option["sku"] for option in choice["candidates"]}:
        # one of the kettles "which kettle?" asks about, shown on its own: that kettle (verify-3 F10)
        choice.update(sku=product.sku, name=product.name, candidates=[],
                      quantity=quantity_in(text) or choice["quantity"] or quantity)
        return {ITEMS: draft}
    return {ITEMS: draft + [{"sku": product.sku, "name": product.name, "quantity": quantity, "candidates": []}]}


# "order them", "i'll take both", "all of them": every product shown, not one of them.
_ALL_OF_THEM = re.compile(r"(?i)\b(?:them|these|those|both|all)\b")


def _named_one_by_one_before(tracker: Tracker) -> set:
    """The SKUs the customer's message before the latest named one product each ("how much are the
    travel mug and the french press?"; not "do you have kettles?", which names several at once)."""
    said = [event for event in tracker.events or [] if event.get("event") == "user"][-2:-1]
    entities = (said[0].get("parse_data") or {}).get("entities") or [] if said else []
    return {e["skus"][0] for e in entities if e.get("entity") == "product" and len(e.get("skus") or []) == 1}


def _count_priced_before(tracker: Tracker, sku: str) -> Optional[int]:
    """The count the customer's message before asked the price of `sku` for ("how much are 3 bags of
    the ethiopia beans": 3); None when it said none ("how much is a french press")."""
    said = [event for event in tracker.events or [] if event.get("event") == "user"][-2:-1]
    entities = (said[0].get("parse_data") or {}).get("entities") or [] if said else []
    if not any(e.get("entity") == "quantity" and not e.get("implicit") for e in entities):
        return None
    return next((int(e["quantity"]) for e in entities if e.get("entity") == "product"
                 and e.get("skus") == [sku] and e.get("quantity")), None)


async def _all_the_shown(tracker: Tracker, draft: List[Dict[str, Any]], shown: List[str],
                         text: str) -> Dict[Text, Any]:
    """ "ok so order them??" after the prices of products the customer named one by one: each of
    them, how many asked for each (QA16: "What would you like to order?"); {} after a list they
    asked for by kind ("do you have kettles?": which of them is meant is not said)."""
    if not _ALL_OF_THEM.search(text) or not set(shown) <= _named_one_by_one_before(tracker):
        return {}
    try:
        async with BackendClient(tracker.sender_id) as backend:
            products = [await backend.get_product(sku) for sku in shown]
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return {}
    return {ITEMS: draft + [{"sku": p.sku, "name": p.name, "quantity": None, "candidates": []} for p in products]}

""""What's the total so far?", "what's in my basket?" while an order is being made: its lines and
subtotal (before the summary: the shipping comes with it), or at the summary that summary again.
They had got the shop's categories or the shipping FAQ."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.order_slots import DRAFT, PENDING_ORDER, at_the_summary
from actions.parsing import format_price
from actions.place_order import ask_to_place_again

logger = logging.getLogger(__name__)

ASKS_THE_TOTAL = re.compile(
    r"(?i)\b(?:total|sub-?total|how much (?:is|does|will|would|'?s) (?:it|that|this|the order|my order|everything|"
    r"all (?:of )?(?:it|that))(?: (?:be|come to|cost|come))?(?: (?:so far|now|altogether|in total))?\s*\??\s*$|"
    r"what'?s in my (?:basket|cart|order)|what (?:have|did) i (?:order(?:ed)?|add(?:ed)?|got)|my (?:basket|cart))")


async def tell_the_order_so_far(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The order being made, if the message asks for it; None otherwise (or with nothing chosen yet)."""
    items = [item for item in tracker.get_slot(DRAFT) or [] if item.get("sku") and item.get("quantity")]
    if not items or not ASKS_THE_TOTAL.search(tracker.latest_message.get("text") or ""):
        return None
    if at_the_summary(tracker):
        return await ask_to_place_again(dispatcher, tracker, tracker.get_slot(PENDING_ORDER)) or None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            products = [await backend.get_product(item["sku"]) for item in items]
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    lines = [(int(item["quantity"]), product) for item, product in zip(items, products)]
    listed = "\n".join(f"• {count} × {product.name}: {format_price(count * product.price_minor, product.currency)}"
                       for count, product in lines)
    subtotal = sum(count * product.price_minor for count, product in lines)
    dispatcher.utter_message(response="utter_order_so_far", lines=listed,
                             subtotal=format_price(subtotal, products[0].currency))
    return []

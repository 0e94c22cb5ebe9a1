""""What's the total so far?", "what's in my basket?", "what have i ordered so far", "whats that come
to with delivery?" while an order is being made: its lines, the subtotal, the shipping and the
total (before the summary, which gives them again), or at the summary that summary again. They
had got the shop's categories, the shipping FAQ, "I don't see any orders from you", or were read
as a wrong address while the address was asked."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.order_slots import DRAFT, PENDING_ORDER, at_the_summary
from actions.parsing import asks_for_the_order_so_far, format_price
from actions.place_order import ask_to_place_again

logger = logging.getLogger(__name__)

# The backend's shipping rule (backend/orders/pricing.py, as actions/change_order.py has it): the
# summary's figures, said before there is one.
SHIPPING_MINOR, FREE_SHIPPING_FROM_MINOR = 490, 5000


def chosen_items(tracker: Tracker) -> List[Dict[str, Any]]:
    """The items of the order being made with a product and a count ("which kettle?" not yet)."""
    return [item for item in tracker.get_slot(DRAFT) or [] if item.get("sku") and item.get("quantity")]


async def tell_the_order_so_far(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The order being made, if the message asks for it; None otherwise (or with nothing chosen yet)."""
    items = chosen_items(tracker)
    if not items or not asks_for_the_order_so_far(tracker.latest_message.get("text")):
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
    currency = products[0].currency
    listed = "\n".join(f"• {count} × {product.name}: {format_price(count * product.price_minor, currency)}"
                       for count, product in lines)
    subtotal = sum(count * product.price_minor for count, product in lines)
    shipping = 0 if subtotal >= FREE_SHIPPING_FROM_MINOR else SHIPPING_MINOR
    dispatcher.utter_message(response="utter_order_so_far_with_shipping", lines=listed,
                             subtotal=format_price(subtotal, currency),
                             shipping=format_price(shipping, currency) if shipping else "free",
                             free_from=format_price(FREE_SHIPPING_FROM_MINOR, currency),
                             total=format_price(subtotal + shipping, currency))
    return []


async def answer_the_order_so_far(dispatcher: CollectingDispatcher,
                                  tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """For the order form, whose validation gets every message while it asks: the order so far, and
    the order kept as it is (the draft set again: the form goes on and asks its question again);
    None when the message asks something else."""
    told = await tell_the_order_so_far(dispatcher, tracker)
    if told is None:
        return None
    return told + [SlotSet(DRAFT, tracker.get_slot(DRAFT))]

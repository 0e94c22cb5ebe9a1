"""The slots an order being made in chat is kept in (actions/ordering.py describes them).

Apart from the order form's actions because leaving a task (actions/conversation.py) clears
them, and the order form leaves its questions through that module.
"""
from __future__ import annotations

from rasa_sdk import Tracker

DRAFT = "order_draft"
ITEMS = "order_items"
ADDRESS = "shipping_address"
CONTACT = "order_contact"
SAVED = "order_saved_address"  # the last order's address and contact, offered once; {} = not offered
KEY = "order_idempotency_key"
PENDING_ORDER = "pending_order"
ALTERNATIVES = "order_alternatives"
# Everything an unfinished order remembers; "stop" and a finished order clear them all.
ORDER_SLOTS = (ITEMS, DRAFT, ADDRESS, CONTACT, SAVED, KEY, PENDING_ORDER, ALTERNATIVES)


def at_the_summary(tracker: Tracker) -> bool:
    """The order being made waits for its "yes" (its summary was shown): edits change it."""
    return bool(tracker.get_slot(PENDING_ORDER)) and tracker.get_slot("pending_confirmation") == "place_order"

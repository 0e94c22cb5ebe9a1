"""The slots an order being made in chat is kept in (actions/ordering.py describes them).

Apart from the order form's actions because leaving a task (actions/conversation.py) clears
them, and the order form leaves its questions through that module.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

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


def asks_to_place_after_an_aside(dispatcher: CollectingDispatcher, tracker: Tracker,
                                 answer: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """After a side question answered at the summary ("how much is shipping?"), "Shall I place
    it?" again: without it the order was left hanging under the answer. Not when the answer moved
    on (to a form) or asked a question of its own (a person offered), nor while the order form
    asks about an item added there (two questions at once, and a "yes" placed it without the item)."""
    moved_on = any(event.get("event") == "followup" or (
        event.get("event") == "slot" and event.get("name") == "pending_confirmation") for event in answer)
    # an edit under way ("which kettle?" after "add a kettle"): the order form asks its question again
    editing = tracker.active_loop_name == "order_form"
    if at_the_summary(tracker) and not moved_on and not editing:
        dispatcher.utter_message(response="utter_confirm_order_after_aside")
    return answer

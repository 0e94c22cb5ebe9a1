"""A change proposed to a placed order made a new order instead: "no, as a new order", "and a
separate order too" to "Order OB-… would then be: … Shall I change it?". The placed order stays as
it was; what the change would have added becomes the draft of a new order, whose form then asks
for the address and contact as for any order (actions/ordering.py)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.order_forms import CHANGES, CHOICE, TARGET
from actions.order_slots import PENDING_ORDER

PENDING = "pending_confirmation"
# "as a new order", "a separate order", "order it separately": not onto the order placed.
# Also "a separate thing for my sister" (QA17: it was added to the order placed before).
NEW_ORDER = re.compile(r"(?i)\b(?:separate|new|another|second|different|fresh)\s+order\b|\bseparately\b|"
                       r"\bseparate\s+(?:thing|one|purchase|parcel|package|delivery)\b")


def added_items(tracker: Tracker) -> List[Dict[str, Any]]:
    """What the proposed change adds to the order, as draft items of the order form."""
    held = {line["sku"]: int(line["quantity"]) for line in (tracker.get_slot(TARGET) or {}).get("lines", [])}
    return [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"]) - held.get(line["sku"], 0),
             "candidates": []}
            for line in tracker.get_slot(CHANGES) or [] if int(line["quantity"]) > held.get(line["sku"], 0)]


def wants_a_separate_order(tracker: Tracker) -> bool:
    """The change shown for confirmation adds items to a placed order, and the answer asks for a
    new order instead (not for the order still waiting for its "yes": that one is the new order)."""
    text = tracker.latest_message.get("text") or ""
    target = tracker.get_slot(TARGET) or {}
    return (tracker.get_slot(PENDING) == "change_order" and NEW_ORDER.search(text) is not None
            and target.get("number") != tracker.get_slot(PENDING_ORDER) and bool(added_items(tracker)))


def leave_the_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The placed order stays as it is, and the change proposed is forgotten."""
    dispatcher.utter_message(response="utter_order_change_kept", number=(tracker.get_slot(TARGET) or {}).get("number"))
    return [SlotSet(TARGET, None), SlotSet(CHANGES, None), SlotSet(CHOICE, None), SlotSet(PENDING, None)]

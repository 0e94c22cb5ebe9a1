"""Where a return stands in this chat: its slots, whether one is being made, what was said since it began."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.order_forms import TARGET

ITEMS = "return_items"
REASON = "return_reason"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, ITEMS, REASON, PENDING)
# The statuses a return acts on: delivered, or its return on the way (more joins it).
RETURNING_STATUSES = ("delivered", "return_requested")
# Each way of saying a return was registered (who pays its postage).
REGISTRATIONS = ("utter_return_requested", "utter_return_requested_label", "utter_return_requested_wrong_item",
                 "utter_return_requested_no_label")


def text_of(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def entities_of(tracker: Tracker) -> List[Dict[str, Any]]:
    return tracker.latest_message.get("entities") or []


def stop_the_form() -> List[Dict[Text, Any]]:
    """The return form ends without asking anything, and the bot waits for the next message."""
    return [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


def return_under_way(tracker: Tracker) -> bool:
    """A return is being made in this chat: its form asks one of its questions, its items are chosen,
    or its summary waits. Not the form's activation: Rasa validates it with the form already active
    and nothing asked yet, so "actually cancel my return, I'll keep it" only left a return never
    started, and the one registered stayed (t2 QA M1)."""
    asking = ((tracker.active_loop or {}).get("name") == "return_form"
              and tracker.get_slot("requested_slot") in (TARGET, ITEMS, REASON))
    return asking or isinstance(tracker.get_slot(ITEMS), list) or tracker.get_slot(PENDING) == "return_order"


def said_during_this_return(tracker: Tracker, *responses: Text) -> bool:
    """One of `responses` was said since the last return was registered or left (once per return)."""
    ends = REGISTRATIONS + ("utter_return_not_requested", "utter_stopped", "utter_nothing_to_stop")
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in responses:
            return True
        if said in ends:
            return False
    return False

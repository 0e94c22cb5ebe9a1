"""Leaving whatever the bot was in the middle of: "stop", "never mind"."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.feedback import FEEDBACK_SLOTS
from actions.order_forms import CHANGE_SLOTS
from actions.ordering import ORDER_SLOTS, PENDING_ORDER
from actions.support import OFFERED_TICKET, PAUSED_FORM

logger = logging.getLogger(__name__)
# Slots that remember an unfinished task; clearing them means a later "yes" or "1042" starts nothing.
TASK_SLOTS = (("requested_info", "order_task", "pending_confirmation", "requested_slot", OFFERED_TICKET,
               PAUSED_FORM) + ORDER_SLOTS + CHANGE_SLOTS + FEEDBACK_SLOTS)


# Return reasons that read like leaving a task.
CHANGED_MIND = re.compile(r"(?i)\b(chang\w* (of )?(my )?mind|mind chang\w*|don'?t (need|want|like) (it|them)|"
                          r"no longer (need|want)|not needed|not what i (wanted|expected))\b")


class ActionStop(Action):
    def name(self) -> Text:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if ((tracker.active_loop or {}).get("name") == "return_form"
                and tracker.get_slot("requested_slot") == "return_reason" and CHANGED_MIND.search(text)):
            # "I changed my mind" answers "why are you sending it back?": a reason, not a stop
            return [SlotSet("return_reason", text), FollowupAction("return_form")]
        pending_order = tracker.get_slot(PENDING_ORDER)
        if pending_order and tracker.get_slot("pending_confirmation") == "place_order":
            try:  # an unconfirmed order would hold its stock until it expires
                async with BackendClient(tracker.sender_id) as backend:
                    await backend.cancel_order(pending_order, reason="stopped in chat")
            except BackendError as error:
                logger.warning("cancelling the unconfirmed order %s failed: %s", pending_order, error)
        in_progress = (tracker.active_loop or {}).get("name") or tracker.get_slot("pending_confirmation") \
            or tracker.get_slot("requested_info")
        if (tracker.active_loop or {}).get("name") == "feedback_form" and tracker.get_slot("feedback_id"):
            dispatcher.utter_message(response="utter_feedback_thanks")  # "skip": the rating is stored
        elif tracker.get_slot(OFFERED_TICKET) and tracker.get_slot("pending_confirmation") == "human_handoff":
            # "maybe later" to the offer of a person: the ticket stays with the team
            dispatcher.utter_message(response="utter_ticket_without_person", ticket_id=tracker.get_slot(OFFERED_TICKET))
        elif in_progress:
            dispatcher.utter_message(response="utter_stopped")
        else:  # "just looking" with nothing under way: no "I've stopped that"
            dispatcher.utter_message(response="utter_nothing_to_stop")
        return [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS]

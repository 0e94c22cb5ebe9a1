"""Leaving whatever the bot was in the middle of: "stop", "never mind"."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

# Slots that remember an unfinished task; clearing them means a later "yes" or "1042" starts nothing.
TASK_SLOTS = ("requested_info", "order_task", "pending_confirmation")


class ActionStop(Action):
    def name(self) -> Text:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_stopped")
        return [SlotSet(slot, None) for slot in TASK_SLOTS]

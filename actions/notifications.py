"""Order notifications on or off for this customer ("stop notifications", "start notifications"),
stored by the backend (`PUT /me/notifications`), which the notification dispatcher respects."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.form_answers import intent_of

logger = logging.getLogger(__name__)
# The two intents differ by a word or two ("turn notifications off / back on"), so clear words
# decide, and the intent only when there are none (or both kinds).
_OFF = re.compile(r"(?i)\b(off|stop|don'?t|do not|no more|unsubscribe|mute|disable|opt out|quit|never)\b")
_ON = re.compile(r"(?i)\b(on|start|enable|unmute|resubscribe|subscribe|opt in|again|resume)\b")


def wants_notifications(intent: str, text: str) -> bool:
    off, on = bool(_OFF.search(text)), bool(_ON.search(text))
    if off != on:
        return on
    return intent == "start_notifications"


class ActionSetNotifications(Action):
    def name(self) -> Text:
        return "action_set_notifications"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        wanted = wants_notifications(intent_of(tracker), tracker.latest_message.get("text") or "")
        try:
            async with BackendClient(tracker.sender_id) as backend:
                enabled = await backend.set_notifications(wanted)
        except BackendError as error:
            logger.warning("changing notifications failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        dispatcher.utter_message(response="utter_notifications_on" if enabled else "utter_notifications_off")
        return []

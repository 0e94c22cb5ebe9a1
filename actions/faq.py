"""FAQ answers: the answer the FAQ selector picked (bot/faq_selector.py), as Rasa's own `utter_faq`
would give it, unless the question is about a place we don't deliver to ("delivery charges for
usa?"): then that is what the customer needs to hear, not our prices."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import foreign_place

# Rasa's own action for the retrieval intent, which this one replaces in the rules; named here so
# scripts/validate_bot.py counts the responses it stands for as used.
REPLACES = "utter_faq"
# The answers that assume we deliver to the customer's country.
DELIVERY_ANSWERS = ("utter_faq/shipping_costs", "utter_faq/customs_duties", "utter_faq/minimum_order")


def selected_answer(tracker: Tracker) -> Optional[str]:
    """The response the selector picked for the latest message ("utter_faq/shipping_costs")."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    return (selector.get("response") or {}).get("utter_action")


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answer = selected_answer(tracker)
        place = foreign_place(tracker.latest_message.get("text"))
        if place and (answer in DELIVERY_ANSWERS or answer is None):
            dispatcher.utter_message(response="utter_not_delivered_there", place=place)
        elif answer is not None:
            dispatcher.utter_message(response=answer)
        else:  # no selector output (never with our pipeline): what the FAQs cover
            dispatcher.utter_message(response="utter_help")
        return []

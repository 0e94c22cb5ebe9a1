"""Two-stage fallback: an unclear message gets a rephrase request with suggestions, an out-of-scope
one says what the bot can do; a second of either in a row offers a person, and a "yes" opens the
handoff ticket (actions/cancel.py answers it). Gibberish reads as out of scope to the NLU, so
counting only unclear messages, a customer typing nonsense was never offered anyone. A message in
another language hears that the bot only speaks English, and is offered a person
(actions/language.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ASKS_STOCK, SHOWN, ActionShowProducts
from actions.form_answers import intent_of
from actions.language import is_foreign, only_english
from actions.parsing import decided_answer

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
MISSES = (FALLBACK_INTENT, OUT_OF_SCOPE)


def unclear_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from this one, were not understood
    or out of scope."""
    count = 0
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in MISSES:
            break
        count += 1
    return max(count, 1)


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        out_of_scope = intent_of(tracker) == OUT_OF_SCOPE
        if tracker.get_slot("pending_confirmation") and decided_answer(tracker.latest_message.get("text")):
            # "ja bitte", "sí claro" to a question of ours, not understood as a yes or no by the NLU
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        if is_foreign(tracker.latest_message.get("text") or ""):  # no "rephrase" they can't follow
            return only_english(dispatcher)
        if tracker.get_slot(SHOWN) and ASKS_STOCK.search(tracker.latest_message.get("text") or ""):
            # "how many left" after a product, read as out of scope: that product's stock
            return await ActionShowProducts().run(dispatcher, tracker, domain)
        if unclear_in_a_row(tracker) >= 2:  # understood but not ours ("what's the weather") is no "I don't understand"
            dispatcher.utter_message(response="utter_offer_human_out_of_scope" if out_of_scope else "utter_offer_human")
            return [SlotSet("pending_confirmation", "human_handoff")]
        dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_ask_rephrase")
        return []

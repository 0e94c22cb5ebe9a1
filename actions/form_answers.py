"""Free-text form answers (an address, a contact): an answer, or another request mid-form?

A slot filled from any text would read "how much is the teapot?" or "my payment keeps failing" as
a bad address, and the customer would be told the address format instead of being answered. So:
- a message that parses as the answer is taken whatever its intent: "call me on 98765 43210"
  reads like a request for a person, "ship to my office: Acme Ltd, 3 Dock Road, ..." like a
  delivery question;
- else a message whose intent is a request of its own is left to that intent's rule, and Rasa
  then returns to the form, which asks again;
- anything else is a wrong answer, and the form's validation says what it needs.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional, Text, Tuple, Union

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

# Intents with a rule of their own, which a form lets answer; "inform", "out_of_scope" and the
# form's own topic are answers, right or wrong.
OTHER_REQUESTS = frozenset({
    "stop", "wait", "help", "bot_challenge", "faq", "product_info", "delivery_options", "delivery_time",
    "place_order", "track_order", "cancel_order", "change_order", "change_shipping_address",
    "refund_return_request", "refund_status", "payment_issue", "complaint", "contact_human_agent",
    "give_feedback",
})
# Short turns answer only a yes/no question: "ok" after "hold on" is not a wrong address.
SHORT_TURNS = frozenset({"affirm", "deny", "thank", "greet"})


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def free_text_answer(tracker: Tracker, slot: Text, parses: Callable[[str], bool],
                     own_topic: Union[Text, Tuple[Text, ...]], yes_no_asked: bool = False) -> Dict[Text, Any]:
    """{slot: the message} when it answers the question the form asked for `slot`, else {}.
    `own_topic`: the intents of the form's own request ("send it to ..." while ordering);
    `yes_no_asked`: the question was "shall I use the same address?"."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    text = tracker.latest_message.get("text") or ""
    intent, answers = intent_of(tracker), parses(text)
    if intent in SHORT_TURNS and not yes_no_asked and not answers:
        return {}
    own = (own_topic,) if isinstance(own_topic, str) else own_topic
    if answers or intent in own or intent not in OTHER_REQUESTS:
        return {slot: text}
    return {}


def answer_before_a_correction(tracker: Tracker, response_prefix: Text) -> Optional[Text]:
    """The user's message before the latest one, when the bot's reply to it was a response named
    `response_prefix`… ("utter_invalid_address_"): the latest message may complete it."""
    corrected, seen_latest = False, False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_latest:
                return event.get("text") if corrected else None
            seen_latest = True
        elif seen_latest and event.get("event") == "bot":
            corrected = corrected or str((event.get("metadata") or {}).get("utter_action") or "").startswith(
                response_prefix)
    return None


def previous_turn(tracker: Tracker) -> Iterator[Dict[Text, Any]]:
    """The events between the two latest user messages, newest first: the bot's last turn."""
    before_latest_message = False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if not before_latest_message:
            before_latest_message = kind == "user"
        elif kind == "user":
            return
        else:
            yield event


def last_utterance(tracker: Tracker) -> Any:
    """The response the bot said last before the latest user message."""
    said = next((event for event in previous_turn(tracker) if event.get("event") == "bot"), {})
    return (said.get("metadata") or {}).get("utter_action")


def said_this_turn(tracker: Tracker, response_prefix: Text) -> bool:
    """The bot has said a response named `response_prefix`… since the latest user message."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and str((event.get("metadata") or {}).get("utter_action") or "").startswith(
                response_prefix):
            return True
    return False


def say_again(dispatcher: CollectingDispatcher, tracker: Tracker, responses: Tuple[Text, ...]) -> bool:
    """Sends the bot's latest message of one of `responses` again as it was (text and buttons);
    False if there is none in the conversation."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in responses:
            dispatcher.utter_message(text=event.get("text"), buttons=(event.get("data") or {}).get("buttons") or [])
            return True
    return False

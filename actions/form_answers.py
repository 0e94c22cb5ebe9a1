"""Free-text form answers (an address, a contact): an answer, or another request mid-form?

A slot filled from any text would read "how much is the teapot?" or "my payment keeps failing" as
a bad address, and the customer would be told the address format instead of being answered. So:
- a message that parses as the answer is taken whatever its intent: "call me on 98765 43210"
  reads like a request for a person, "ship to my office: Acme Ltd, 3 Dock Road, ..." like a
  delivery question;
- else a message whose intent is a request of its own is left to that intent's rule, and Rasa
  then returns to the form, which asks again;
- anything else is a wrong answer, and the form's validation says what it needs; but "fine
  continue" or "whats in my basket so far" is none, right or wrong (the form asks again after
  their answer).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterator, Optional, Text, Tuple, Union

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.order_slots import ADDRESS, CONTACT
from actions.parsing import asks_for_the_order_so_far, contact_parts

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


# "fine continue", "ok go on then", "carry on pls", "continue with my order" while a form asks: on
# with it, its question again (verify QA: read as a stop, it got "I didn't quite get that" and the
# order form was left; the address sent next went to changing a placed order's address).
_GOES_ON = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|k|fine|alright|all right|sure|yes|yeah|yep|right|cool|good|great|so|and|then|now|"
    r"just|please|pls|plz)\W+)*(?:let'?s\s+|lets\s+)?(?:continue|carry on|go on|keep going|move on|resume|proceed)"
    r"(?:\W+(?:then|pls|please|plz|now|thanks?|thx|with (?:it|that|the order|my order|the form|the address)|"
    r"(?:with )?(?:the )?(?:order(?:ing)?|checkout)))*\W*$")


def goes_on(tracker: Tracker) -> bool:
    """ "fine continue", "ok go on then", "carry on" while a form waits for an answer: no answer and
    no request, only "go on" (the form asks its question again)."""
    return bool(tracker.active_loop_name and tracker.get_slot("requested_slot")
                and says_go_on(tracker.latest_message.get("text")))


def says_go_on(text: Optional[str]) -> bool:
    return bool(_GOES_ON.match(text or ""))


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
    if not answers and intent not in own and (goes_on(tracker) or asks_for_the_order_so_far(text)):
        # "fine continue", "whats in my basket so far" read as out of scope: no wrong address; the
        # fallback (or the FAQ, the product answer) answers it, and the form asks again. Read as the
        # form's own topic, its rule would start the rejected form again: the order form's
        # validation answers those itself (ordering.py, order_so_far.answer_the_order_so_far).
        return {}
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


def details_taken_now(tracker: Tracker) -> Optional[str]:
    """What the customer's latest message gave of the order's address and contact, as a reply names
    it ("address and email"), when the order form took them while it asks something else ("How
    many …?" answered with the address and email: the same question had come back word for word,
    as if nothing was kept); None when it took neither."""
    taken: Dict[Text, Any] = {}
    before: Dict[Text, Any] = {}
    after_the_message = True
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            after_the_message = False
        elif event.get("event") == "slot" and event.get("name") in (ADDRESS, CONTACT):
            seen = taken if after_the_message else before
            seen.setdefault(event["name"], event.get("value"))
    # new values only: the summary's slots set again (an edit there) are nothing given now
    taken = {name: value for name, value in taken.items() if value and value != before.get(name)}
    email, phone = contact_parts(taken.get(CONTACT)) if taken.get(CONTACT) else (None, None)
    named = (["address"] if taken.get(ADDRESS) else []) + (["email"] if email else []) + (
        ["phone number"] if phone else [])
    if not named:
        return None
    return " and ".join([", ".join(named[:-1]), named[-1]]) if len(named) > 1 else named[0]


def acknowledge_details(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """ "Got the address and email." before the form's question, when the latest message gave them
    while the form asked something else."""
    details = details_taken_now(tracker)
    if details:
        dispatcher.utter_message(response="utter_details_noted", details=details)

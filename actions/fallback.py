"""Two-stage fallback: an unclear message gets a rephrase request with suggestions, an out-of-scope
one says what the bot can do; a second of either in a row offers a person (not for a clear request
that is just not ours, "book me a flight": no one here can do that either), and a "yes" opens the
handoff ticket (actions/cancel.py answers it). Gibberish reads as out of scope to the NLU, so
counting only unclear messages, a customer typing nonsense was never offered anyone. A message in
another language hears that the bot only speaks English, and is offered a person
(actions/language.py)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ASKS_STOCK, SHOWN, ActionShowProducts
from actions.feedback import correct_the_rating_just_given
from actions.form_answers import intent_of, last_utterance
from actions.language import is_foreign, only_english
from actions.orders import answer_about_an_order
from actions.parsing import decided_answer, foreign_place, is_noise, looks_like_gibberish
from actions.support import (PAUSED_FORM, PENDING, add_to_the_ticket, answer_while_the_team_is_awaited, chase_the_late_order,
                             complain_about_what_came, complains, hand_over, note_the_ticket_closed, offer_a_person,
                             refuses_a_bot, tells_more_about_the_ticket)

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
MISSES = (FALLBACK_INTENT, OUT_OF_SCOPE)


# The bot's replies to a message it could not place: a turn answered so was a miss too, whatever
# its intent (Rasa's own core fallback, when no policy knows what to do, says `utter_default`).
MISS_REPLIES = ("utter_ask_rephrase", "utter_out_of_scope", "utter_default")


def unclear_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from this one, were not understood,
    out of scope, or answered as such."""
    count, replies, latest = 1, [], True
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot":
            replies.append((event.get("metadata") or {}).get("utter_action"))
        if event.get("event") != "user":
            continue
        if latest:  # this message itself: a miss, or this action would not run
            latest, replies = False, []
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in MISSES and not set(replies) & set(MISS_REPLIES):
            break
        count, replies = count + 1, []
    return count


# Delivery words, and the answers a "what about <place>?" follows up on.
_ABOUT_DELIVERY = re.compile(r"(?i)\b(?:how long|deliver\w*|ship\w*|send|post(?:age)?|arriv\w*|courier|customs)\b")
_DELIVERY_ANSWERS = ("utter_not_delivered_there", "utter_delivery_time", "utter_delivery_options",
                     "utter_faq/shipping_costs", "utter_faq/customs_duties")


def clearly_out_of_scope(tracker: Tracker) -> bool:
    """ "tell me a joke", "book me a flight to paris": understood, just not ours; no person can help
    with it either, so a second one is not offered one. Gibberish the NLU reads as out of scope
    ("blah blah", "qwerty") is not understood: a person is offered after two."""
    text = tracker.latest_message.get("text") or ""
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    words = set(re.findall(r"[a-z']+", text.lower()))
    return (intent_of(tracker) == OUT_OF_SCOPE and confidence >= 0.5 and len(words) >= 3
            and not looks_like_gibberish(text) and not is_noise(text))


def asks_about_delivery_to(tracker: Tracker) -> Optional[str]:
    """The place we don't deliver to that an unplaced message asks about, else None ("weather in
    new york" is no delivery question)."""
    text = tracker.latest_message.get("text") or ""
    place = foreign_place(text)
    if place and (_ABOUT_DELIVERY.search(text) or last_utterance(tracker) in _DELIVERY_ANSWERS):
        return place
    return None


def back_to_the_paused_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The offer of a person left unanswered by another miss: the form it paused goes on and asks
    its question again, as after a "no"."""
    paused = tracker.get_slot(PAUSED_FORM)
    if not paused or tracker.get_slot(PENDING) != "human_handoff":
        return []
    return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None), FollowupAction(paused)]


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
        for answer in (chase_the_late_order, answer_while_the_team_is_awaited, note_the_ticket_closed):
            answered = await answer(dispatcher, tracker)
            if answered is not None:  # "so what now?" after "order … is late", "anyone there?" after a handoff
                return answered
        if refuses_a_bot(tracker.latest_message.get("text")):  # "I don't want to talk to a robot"
            return await hand_over(dispatcher, tracker, domain)
        about_an_order = await answer_about_an_order(dispatcher, tracker, domain)
        if about_an_order is not None:  # "my phone is 98765 11111" when asked for it, "HZME5UYP"
            return about_an_order
        if is_foreign(tracker.latest_message.get("text") or ""):  # no "rephrase" they can't follow
            return only_english(dispatcher, tracker)
        place = asks_about_delivery_to(tracker)
        if place:  # "how long to new york", "what about australia" after Canada: not "outside what I can do"
            dispatcher.utter_message(response="utter_not_delivered_there", place=place)
            return []
        if tells_more_about_the_ticket(tracker):  # "around 3pm yesterday, €58.70" after a payment ticket
            return await add_to_the_ticket(dispatcher, tracker)
        corrected = await correct_the_rating_just_given(dispatcher, tracker)
        if corrected is not None:  # "oops i meant 4" after the feedback was stored
            return corrected
        if complains(tracker.latest_message.get("text")):  # "coffee arrived, smells off" read as out of scope
            return await complain_about_what_came(dispatcher, tracker, domain)
        if tracker.get_slot(SHOWN) and ASKS_STOCK.search(tracker.latest_message.get("text") or ""):
            # "how many left" after a product, read as out of scope: that product's stock
            return await ActionShowProducts().run(dispatcher, tracker, domain)
        resumed = back_to_the_paused_form(tracker)
        if resumed:  # "??" to "shall I ask someone?" while "which kettle?" waited: no offer a third
            # time, nor the order left behind; the form's question again (verify-3 F10)
            dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_ask_rephrase")
            return resumed
        if unclear_in_a_row(tracker) >= 2 and not clearly_out_of_scope(tracker):
            return offer_a_person(dispatcher, tracker,
                                  "utter_offer_human_out_of_scope" if out_of_scope else "utter_offer_human")
        dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_ask_rephrase")
        return []


class ActionDefaultFallback(Action):
    """Rasa's core fallback (no policy knows what to do next), ours: it says `utter_default` as
    Rasa's does, but after another miss it offers a person, as `action_fallback` does; customers
    answered "didn't get that" three times over were never offered anyone. Like Rasa's, it reverts
    the message, so a form it interrupts keeps its place."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        resumed = back_to_the_paused_form(tracker)
        if resumed:  # a miss at the offer of a person: the form it paused asks again (its place kept)
            dispatcher.utter_message(response="utter_default")
            return resumed
        if unclear_in_a_row(tracker) < 2:
            dispatcher.utter_message(response="utter_default")
            return [UserUtteranceReverted()]
        # The offer's slots come after the revert, which would undo them.
        return [UserUtteranceReverted()] + offer_a_person(dispatcher, tracker, "utter_offer_human")

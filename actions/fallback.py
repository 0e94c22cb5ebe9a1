"""Two-stage fallback: an unclear message gets a rephrase request with suggestions, an out-of-scope
one says what the bot can do; a second of either in a row offers a person (not for a clear request
that is just not ours, "book me a flight": no one here can do that either), and a "yes" opens the
handoff ticket (actions/cancel.py answers it). Gibberish reads as out of scope to the NLU, so
counting only unclear messages, a customer typing nonsense was never offered anyone. A message in
another language hears that the bot only speaks English, and is offered a person
(actions/language.py). Offered while an order is being made, the offer ends with the question the
order waits for, worded as the order form asks it: who doesn't want a person goes on from there."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.catalogue import ASKS_STOCK, SHOWN, ActionShowProducts
from actions.change_address import new_name_at_the_summary
from actions.faq import answer_about_deals_or_gift_cards
from actions.feedback import correct_the_rating_just_given
from actions.form_answers import goes_on, intent_of, last_utterance, says_go_on
from actions.order_so_far import tell_the_order_so_far
from actions.language import is_foreign, only_english
from actions.ordering import ActionAskOrderItems, ActionAskShippingAddress
from actions.order_wording import indian_pin_code
from actions.orders import answer_about_an_order, say_not_delivered_there
from actions.parsing import decided_answer, foreign_place, is_noise, looks_like_gibberish
from actions.refunds import answer_a_refund_dispute
from actions.support import (chase_the_late_order, complain_about_what_came, complains, hand_over, offer_a_person,
                             refuses_a_bot)
from actions.ticket_follow_ups import (add_to_the_ticket, answer_while_the_team_is_awaited, note_the_ticket_closed,
                                       tells_more_about_the_ticket)
from actions.tickets import PAUSED_FORM, PENDING

logger = logging.getLogger(__name__)
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


def asks_about_delivery_to_a_pin_code(tracker: Tracker) -> bool:
    """ "ship to 560001??", "560001 pincode delivery?" not understood: an Indian PIN code asked about."""
    text = tracker.latest_message.get("text") or ""
    return indian_pin_code(text) is not None and (_ABOUT_DELIVERY.search(text) is not None
                                                  or last_utterance(tracker) in _DELIVERY_ANSWERS)


def go_on_with_the_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "fine continue", "carry on" (read as a stop or not understood) while a form asks, or while
    the offer of a person pauses one: that form goes on and asks its question again, no "say it
    another way" (verify QA: the order form was left, and the address sent next went to changing
    a placed order's address); [] otherwise."""
    if goes_on(tracker):
        return [FollowupAction(tracker.active_loop_name)]
    return back_to_the_paused_form(tracker) if says_go_on(tracker.latest_message.get("text")) else []


def back_to_the_paused_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The offer of a person left unanswered by another miss: the form it paused goes on and asks
    its question again, as after a "no"."""
    paused = tracker.get_slot(PAUSED_FORM)
    if not paused or tracker.get_slot(PENDING) != "human_handoff":
        return []
    return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None), FollowupAction(paused)]


# The offer of a person while an order is being made (QA16): it ends with the order's question, so
# the customer who doesn't want anyone still has it in front of them. The offer's text is made here
# from the domain's own wording (the offer, "Or we can go on with your order: {question}", and the
# question as the form asks it; Rasa fills one response per message), as the notifier words its
# messages (backend/notifications/wording.py).
ORDER_FORM = "order_form"
GO_ON = "utter_go_on_with_the_order"
DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"
_PLACEHOLDER = re.compile(r"\{([^\n{}]+?)\}")  # Rasa's: "{x}" without braces inside
_responses: Dict[str, Any] = {}  # "mtime", "responses": domain.yml's, re-read when it changes
# How the order form asks for the slot it waits for: its ask actions, else its response.
_ORDER_QUESTIONS = {"order_items": ActionAskOrderItems, "shipping_address": ActionAskShippingAddress}
_YES_OR_NO = ("/affirm", "/deny")
# A question's lead-in word, left out after "Or we can go on with your order:" ("And an email …?").
_LEAD_IN = re.compile(r"(?i)^(?:and|so|ok(?:ay)?)\s+")


def domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    mtime = DOMAIN_FILE.stat().st_mtime
    if _responses.get("mtime") != mtime:
        domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}
        _responses.update(mtime=mtime, responses=domain.get("responses") or {})
    return _responses["responses"]


def worded(message: Dict[str, Any]) -> Tuple[Optional[str], bool]:
    """A message sent by response name, as Rasa words it (its first variation, filled with the
    message's values), and whether it is a yes-or-no question (its buttons say yes and no); None
    when the domain has no such response."""
    variation = next(iter(domain_responses().get(message.get("response")) or []), {})
    buttons = list(variation.get("buttons") or []) + list(message.get("buttons") or [])
    yes_or_no = any(button.get("payload") in _YES_OR_NO for button in buttons)
    text = variation.get("text")
    if text is None:
        return None, yes_or_no
    return _PLACEHOLDER.sub(lambda match: str(message.get(match.group(1), match.group(0))), text), yes_or_no


async def the_orders_question(tracker: Tracker) -> Optional[str]:
    """The question the order being made waits for, as the order form asks it ("Which kettle would
    you like?\\n• …"); None outside the order form, or for a yes or no ("shall I send it to the
    address of your last order?": a "yes" would be taken for the person)."""
    if (tracker.active_loop or {}).get("name") != ORDER_FORM or not tracker.get_slot("requested_slot"):
        return None
    slot, asked = tracker.get_slot("requested_slot"), CollectingDispatcher()
    ask = _ORDER_QUESTIONS.get(slot)
    if ask is not None:
        await ask().run(asked, tracker, {})
    else:
        asked.utter_message(response=f"utter_ask_{ORDER_FORM}_{slot}")
    if not asked.messages or any(not str(message.get("response")).startswith("utter_ask_") for message in asked.messages):
        return None  # not asked (the backend down: "couldn't reach our team's system")
    questions = [worded(message) for message in asked.messages]
    if any(text is None or yes_or_no for text, yes_or_no in questions):
        return None
    return " ".join(text for text, _ in questions)


def _continuing(question: str) -> str:
    """The question as the rest of a sentence: "Which kettle …?" → "which kettle …?"."""
    question = _LEAD_IN.sub("", question)
    return question if question.startswith("I ") else question[:1].lower() + question[1:]


async def offer_a_person_to_go_on(dispatcher: CollectingDispatcher, tracker: Tracker,
                                  response: str) -> List[Dict[Text, Any]]:
    """The offer of a person (`response`, whose name a "yes" opens the ticket for, with its buttons);
    while an order is being made its text ends with the order's question: "… Shall I ask someone
    from our team to help you? Or we can go on with your order: which kettle would you like? …"."""
    question = await the_orders_question(tracker)
    if question is None:
        return offer_a_person(dispatcher, tracker, response)
    offer, _ = worded({"response": response})
    go_on, _ = worded({"response": GO_ON, "question": _continuing(question)})
    if offer is None or go_on is None:
        logger.warning("domain.yml lacks %s or %s: the offer goes without the order's question", response, GO_ON)
        return offer_a_person(dispatcher, tracker, response)
    return offer_a_person(dispatcher, tracker, response, text=f"{offer} {go_on}")


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        out_of_scope = intent_of(tracker) == OUT_OF_SCOPE
        going_on = go_on_with_the_form(tracker)
        if going_on:  # "fine continue" while the address is asked: asked again
            return going_on
        renamed = await new_name_at_the_summary(dispatcher, tracker, domain)
        if renamed is not None:  # "change the name to Anjali Sharma-Rao pls" at "Shall I place it?"
            return renamed
        so_far = await tell_the_order_so_far(dispatcher, tracker)
        if so_far is not None:  # "whats in my basket so far" while ordering, not understood
            return so_far
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
        disputed = await answer_a_refund_dispute(dispatcher, tracker)
        if disputed is not None:  # "why only 23.80, where is the rest?" after a refund answer
            return disputed
        if is_foreign(tracker.latest_message.get("text") or ""):  # no "rephrase" they can't follow
            return only_english(dispatcher, tracker)
        if asks_about_delivery_to(tracker) or asks_about_delivery_to_a_pin_code(tracker):
            # "how long to new york", "what about australia" after Canada, "ship to 560001??": not
            # "outside what I can do"
            say_not_delivered_there(dispatcher, tracker.latest_message.get("text") or "")
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
        if answer_about_deals_or_gift_cards(dispatcher, tracker.latest_message.get("text") or ""):
            return []  # "gift card?", "black friday??" not understood: we sell none; the discounts there are
        resumed = back_to_the_paused_form(tracker)
        if resumed:  # "??" to "shall I ask someone?" while "which kettle?" waited: no offer a third
            # time, nor the order left behind; the form's question again (verify-3 F10)
            dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_ask_rephrase")
            return resumed
        if unclear_in_a_row(tracker) >= 2 and not clearly_out_of_scope(tracker):
            return await offer_a_person_to_go_on(dispatcher, tracker,
                                                 "utter_offer_human_out_of_scope" if out_of_scope else "utter_offer_human")
        dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_ask_rephrase")
        if intent_of(tracker) == "stop" and tracker.active_loop_name:
            # "pause" read as a stop (action_stop hands it here): after its rule no form would ask
            # again, and the next answer (the address) went elsewhere
            return [FollowupAction(tracker.active_loop_name)]
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
        return [UserUtteranceReverted()] + await offer_a_person_to_go_on(dispatcher, tracker, "utter_offer_human")

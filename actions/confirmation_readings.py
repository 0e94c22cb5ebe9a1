"""Readings of the customer's answer to the confirmation open: a yes, a no, or neither (then the question is asked again)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel_questions import (PENDING, answer_about_the_cancel, keeps_its_items, keeps_the_order,
                                      picks_an_order_to_cancel, says_the_next_one_too)
from actions.confirmations import ASKED_BY, QUESTIONS, ask_again
from actions.form_answers import intent_of, last_utterance, previous_turn
from actions.parsing import (agrees, asks_instead_of_answering, decided_answer, hesitates, is_noise, looks_like_gibberish,
                             qualified_yes, torn, yes_then_a_question)
from actions.support import answer_an_emoji, chase_the_late_order

# The questions that would change an order already placed (its items, address, contact, a return).
_CHANGES_A_PLACED_ORDER = ("change_order", "change_address", "change_contact", "return_order")
_STARTS_WITH_NO = re.compile(r"(?i)^\W*(?:no+|nope|nah|nahi)\b")
_AS_IT_IS = re.compile(r"(?i)\b(?:as it is|as is|the way it is|unchanged|as before|(?:keep|leave) (?:it|them|the order|"
                       r"my order|everything|that)|confirm (?:it|the order|my order|the original|the old))\b")
# The confirmations that cancel or change an order placed: a yes with a "but" is asked again there.
_ACTS_ON_AN_ORDER = ("cancel_order", "change_order", "change_address", "change_contact")
# "i don't need it", "dont want them anymore" to "Do you want me to cancel …?": the NLU's no, meaning a yes.
_NO_LONGER_WANTED = re.compile(r"(?i)\b(?:don'?t|dont|do not|no longer)\s+(?:really\s+)?(?:need|want)\s+"
                               r"(?:it|them|this|that|those|the order)\b|\bno longer (?:need|want)")
# A yes that says what it agrees to ("ok yes place it") answers the question even after a side answer.
_NAMED_ACTIONS = {
    "place_order": re.compile(r"(?i)\b(?:place|confirm|send) (?:it|the order|my order|that)\b"),
    # "yes cancel OB-…": a number other than the one asked about never gets here (another_order_named)
    "cancel_order": re.compile(r"(?i)\bcancel (?:it|the order|my order|that|(?:order\s*)?#?\s*(?:OB-?)?[0-9A-Z]{8})\b"),
    "return_order": re.compile(r"(?i)\b(?:register|return|send) (?:it|them|the return)\b"),
    "withdraw_return": re.compile(r"(?i)\b(?:withdraw|cancel) (?:it|the return|my return)\b"),
}


# "no, just cancel it", "nah cancel the whole thing", "no i want it cancelled": a no to what else was
# offered, then the cancel asked for plainly.
_NO_JUST_CANCEL = re.compile(
    r"(?i)^\W*(?:no+|nope|nah)\b[\s,.!]*(?:(?:just|simply|please|pls|i said|i (?:just )?want you to)\s+)*"
    r"(?:cancel\s+(?:it|the order|my order|the whole (?:thing|order)|everything|all of it)\b|"
    r"i (?:just )?want (?:it|the order) cancell?ed\b)")


def keeps_it_as_it_is(text: Optional[str]) -> bool:
    """ "no, i confirm the order as it is", "no keep it": a no that confirms things as they are (the
    word "confirm" had read as a yes and made the change)."""
    return bool(_STARTS_WITH_NO.search(text or "") and _AS_IT_IS.search(text or ""))


def decide(tracker: Tracker, pending: str, text: Optional[str]) -> Optional[str]:
    """ "yes" or "no" as the words of the answer to `pending` decide it; None when they don't."""
    decided = "yes" if pending == "cancel_order" and says_the_next_one_too(tracker) else decided_answer(text)
    if decided is None and pending == "place_order" and yes_then_a_question(text) is not None:
        decided = "yes"  # "yes pls. will it arrive before friday?": placed, then the question answered
    if pending == "cancel_order" and _NO_JUST_CANCEL.search(text or ""):
        decided = "yes"  # "no, just cancel it" after the offer of a change instead (QA17: it kept the order)
    if pending == "cancel_order" and (keeps_the_order(text) or keeps_its_items(tracker)):
        # "no, i actually want to confirm it", "keep it. i confirm the order": the order, not its
        # cancel, is confirmed (a "confirm" read as a yes had cancelled it); a cancel needs a plain yes
        decided = "no"
    if pending in _CHANGES_A_PLACED_ORDER and keeps_it_as_it_is(text):
        decided = "no"  # "no, i confirm the order as it is" to "Shall I change it?" had changed it
    return decided


def picks_another_order(tracker: Tracker, pending: str) -> bool:
    """ "the one with the red mugs", "the other one" at the cancel question: that order is asked
    about instead (after a no, the order asked about is said to stay first)."""
    return pending == "cancel_order" and intent_of(tracker) != "deny" and picks_an_order_to_cancel(tracker)


def is_unclear(tracker: Tracker, pending: str, text: Optional[str]) -> bool:
    """Neither a yes nor a no: a question, a hesitation, noise, another intent, "yes but …" to a
    cancel or a change, "i don't need it" to "cancel it?"."""
    return bool(asks_instead_of_answering(text) or hesitates(text) or torn(text) or looks_like_gibberish(text)
                or is_noise(text) or intent_of(tracker) not in ("affirm", "deny")
                or (intent_of(tracker) == "affirm" and not agrees(text))
                or (pending in _ACTS_ON_AN_ORDER and qualified_yes(text))
                or (pending == "cancel_order" and _NO_LONGER_WANTED.search(text or "")))


async def ask_for_a_yes_or_no(dispatcher: CollectingDispatcher, tracker: Tracker,
                              pending: str) -> List[Dict[Text, Any]]:
    """An unclear answer: a question in it about the order is answered and the question asked
    again; else a yes or no is asked for first ("what happens next?", "hmm idk", "." or "lkjlkj"
    read as a yes would act without consent)."""
    answered = await answer_about_the_cancel(dispatcher, tracker)
    if answered is None:  # "so what now?" after a late order: the team chases it
        answered = await chase_the_late_order(dispatcher, tracker)
    if answered is not None:  # "is it already packed?" read as a yes or no: answered, asked again
        return answered
    emoji = answer_an_emoji(dispatcher, tracker)
    if emoji is not None:  # "😀😀😀" to an offer of a person: not an answer
        return emoji
    dispatcher.utter_message(response="utter_yes_or_no_first")
    ask_again(dispatcher, tracker, pending)
    return []


def answers_the_question(tracker: Tracker, pending: str, text: Optional[str], asker: str) -> bool:
    """The yes or no answers the open question: it came right after it (or after `asker` asked it
    again), names what it agrees to, or is a no that changes nothing."""
    # A person is offered by actions that say other things too: after another of their answers
    # the offer stands no more ("ok" two turns after one had handed the chat over)
    offer_passed = pending == "human_handoff" and last_utterance(tracker) not in (None,) + QUESTIONS[pending]
    return ((_just_asked_to_confirm(tracker, ASKED_BY[pending] + (asker,)) and not offer_passed)
            or _last_said_was_the_question(tracker, pending) or _names_the_action(text or "", pending)
            or _answers_the_offer_of_a_person(tracker, pending)
            or (pending == "return_order" and intent_of(tracker) == "deny"))  # a no to a return changes nothing


def ask_again_or_drop(dispatcher: CollectingDispatcher, tracker: Tracker, pending: str) -> List[Dict[Text, Any]]:
    """Other messages came between the question and this "yes" (a product question, say), so it may
    answer them: the question is asked again, not acted on or dropped; gone from the chat, "Okay."."""
    if ask_again(dispatcher, tracker, pending):
        return []
    dispatcher.utter_message(response="utter_ok")
    return [SlotSet(PENDING, None)]


def _just_asked_to_confirm(tracker: Tracker, askers: Tuple[str, ...] = ASKED_BY["cancel_order"]) -> bool:
    """True when the bot's last action before the latest user message was the question."""
    name = next((event.get("name") for event in previous_turn(tracker) if event.get("event") == "action"
                 and event.get("name") not in ("action_listen", None)), None)
    return name in askers


def _last_said_was_the_question(tracker: Tracker, pending: str) -> bool:
    """True when the bot's last message before the latest user message was the question itself
    (asked by another action too: an address at the summary shows the summary again)."""
    return last_utterance(tracker) in QUESTIONS[pending]


def _names_the_action(text: str, pending: str) -> bool:
    named = _NAMED_ACTIONS.get(pending)
    return bool(named and named.search(text)) and decided_answer(text) == "yes"


def _answers_the_offer_of_a_person(tracker: Tracker, pending: str) -> bool:
    """A "no" to the offer of a person changes nothing, so it stands after other messages too ("no
    thanks, just pls fix it" after a payment FAQ: not the whole ticket message again); a "yes"
    stands when the offer was in the bot's last turn, even with a form's question after it."""
    if pending != "human_handoff":
        return False
    return intent_of(tracker) == "deny" or any(
        (event.get("metadata") or {}).get("utter_action") in QUESTIONS[pending]
        for event in previous_turn(tracker) if event.get("event") == "bot")

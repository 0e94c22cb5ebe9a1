"""A yes or no with no question of ours open: what it answers from what was said before, else "Okay."."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.back_to_the_order import asks_to_cancel, back_to_the_waiting_order, order_again, wants_the_order_after_all
from actions.cancel_follow_ups import ABOUT_A_CANCEL
from actions.cancel_questions import OTHER_ORDER, PENDING, answer_beside_a_cancel, offered_orders, picks_an_order_to_cancel
from actions.cancel_refusals import clear_the_cancel, explain_the_refusal
from actions.feedback import correct_the_rating_just_given, stated_rating
from actions.form_answers import intent_of, last_utterance
from actions.order_wording import NOT_RECEIVED
from actions.orders import ActionTrackOrder, entity_values, named_skus, requested_order_number
from actions.parsing import agrees, decided_answer
from actions.person_offer_answers import DECLINED_A_PERSON, OFFERS_A_PERSON, answer_human_offer
from actions.support import WANTS_A_PERSON, offer_a_person

INSULTS = re.compile(r"(?i)\b(?:useless|stupid|dumb|idiot\w*|pathetic|worst bot|rubbish|garbage|trash|hopeless|"
                     r"waste of (?:my )?time|hate (?:you|this)|you suck|this sucks|wtf)\b")
# Said to take something in, not agreeing to anything: "Okay." answers them.
_ACKNOWLEDGES = re.compile(r"(?i)\b(?:thanks?|thank you|thx|ty|np|no (?:problem|prob|probs|worries)|got it|understood|"
                           r"noted|i see|makes sense|fair enough|ah+|oh+|aha)\b")


async def with_no_question_open(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                text: str) -> List[Dict[Text, Any]]:
    """A yes or no with nothing asked: what it answers from what was said before, else "Okay."."""
    from actions.cancel import ActionCancelOrder  # here: actions.cancel imports this module
    says_yes = intent_of(tracker) == "affirm" or decided_answer(text) == "yes"
    last = last_utterance(tracker)
    if intent_of(tracker) == "affirm" and (WANTS_A_PERSON.search(text) or (
            last in OFFERS_A_PERSON and decided_answer(text) == "yes")):
        # "yes, a person please" with no offer open, or "yes" to "I can fetch a person" (not
        # "haha cool" or "ok": a ticket for the team each time)
        return await answer_human_offer(dispatcher, tracker, True)
    if says_yes and last in DECLINED_A_PERSON:
        return await answer_human_offer(dispatcher, tracker, True)  # "hmm ok actually yes"
    if OTHER_ORDER.search(text) and last in ABOUT_A_CANCEL:
        return await ActionCancelOrder().run(dispatcher, tracker, domain)  # "and the other one too"
    beside = await answer_beside_a_cancel(dispatcher, tracker)
    if beside is not None:  # "no i never placed one" when there was no order to cancel
        return beside
    if asks_to_cancel(text) and (last in ABOUT_A_CANCEL or named_skus(tracker) or entity_values(tracker, "category")
                                 or requested_order_number(tracker)):
        # "ok actually yes cancel the mugs one" after "… stays as it is" (read as a yes): that order
        # is asked about (it had got "Okay.")
        return await ActionCancelOrder().run(dispatcher, tracker, domain)
    why_not = explain_the_refusal(dispatcher, tracker, text, last)
    if why_not is not None:  # "why not??" after "… has already shipped, so it can't be cancelled"
        return why_not
    if offered_orders(tracker):  # to "which order should I cancel?": "no, the red mug one" picks; a plain no leaves
        if picks_an_order_to_cancel(tracker) or not (intent_of(tracker) == "deny" or decided_answer(text) == "no"):
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_ok")
        return clear_the_cancel()
    if INSULTS.search(text):  # "you are useless": an apology and a person, not "Okay."
        return offer_a_person(dispatcher, tracker, "utter_sorry_offer_a_person")
    return await _after_an_answer_given(dispatcher, tracker, domain, text, says_yes, last)


async def _after_an_answer_given(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                 text: str, says_yes: bool, last: Optional[str]) -> List[Dict[Text, Any]]:
    """The yes or no read against what the bot last did: a rating corrected, the order left at its
    summary placed after all, a status disputed; an acknowledgement gets "Okay.", the rest isn't understood."""
    corrected = await correct_the_rating_just_given(dispatcher, tracker)
    if corrected is not None:  # "no sorry, 4" right after the feedback was stored
        return corrected
    waiting = await back_to_the_waiting_order(dispatcher, tracker, text)
    if waiting is not None:  # "sorry i meant yes place the order" after a detour at the summary
        return waiting
    if stated_rating(text) is not None and tracker.get_slot("requested_slot") is None:
        return [FollowupAction("feedback_form")]  # "⭐⭐⭐⭐⭐" read as a yes to nothing: a rating
    if (says_yes and last == "utter_order_not_placed" and not asks_to_cancel(text)) \
            or wants_the_order_after_all(tracker):
        return await order_again(dispatcher, tracker, domain)  # "sorry i meant yes", "no wait i want it after all"
    if NOT_RECEIVED.search(text) and tracker.get_slot("order_id"):
        # "but i never got it!" after its status: help with the order, not "Okay."
        return await ActionTrackOrder().run(dispatcher, tracker, domain)
    if not (agrees(text) or decided_answer(text) or _ACKNOWLEDGES.search(text)):
        # "mmm", "uh", "i mean the", "?" read as a yes: not understood, which "Okay." hid (five in
        # a row never got to a person); inside a form, its question follows
        from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module (through actions.cancel)
        return await ActionFallback().run(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_ok")
    return [SlotSet(PENDING, None)]

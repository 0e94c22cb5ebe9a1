"""The order form's question left unanswered: "thanks" or "bye" instead of an answer (the order is
left), a "yes" at the summary before "which kettle?" or "how many?" is answered (asked again), or
the offer of a person that paused "which kettle?", and the way back to it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import leave, takes_leave
from actions.draft_questions import open_choice
from actions.form_answers import intent_of
from actions.order_draft import is_complete, option_picked
from actions.order_slots import ADDRESS, CONTACT, DRAFT, ITEMS, at_the_summary
from actions.parsing import contact_detail, is_address
from actions.tickets import PAUSED_FORM, PENDING


async def leave_the_question(dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """The order left at its question: "thanks", "never mind" to "which kettle?", or a goodbye to
    any of its questions; None when the message doesn't leave it."""
    if leaves_the_choice(tracker):
        return await _leave_the_choice(dispatcher, tracker, domain)
    if says_goodbye(tracker):
        return await _leave_saying_goodbye(dispatcher, tracker, domain)
    return None


def the_question_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A "yes" at the summary while "which kettle?" or "how many?" waits: nothing placed, the question
    asked again (the draft set again, so the form goes on); None for any other message."""
    if places_before_the_choice(tracker):
        draft = tracker.get_slot(DRAFT)
        dispatcher.utter_message(response="utter_order_choice_first", name=open_choice(draft)["name"])
        return [SlotSet(DRAFT, draft)]  # the form asks "which kettle?" again
    if places_before_the_count(tracker):
        return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]  # the form asks "how many?" again
    return None


def leaves_the_choice(tracker: Tracker) -> bool:
    """ "thanks", "ok bye", "never mind" to "which kettle would you like?", picking none of them."""
    choice = open_choice(tracker.get_slot(DRAFT) or [])
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot("requested_slot") == ITEMS and choice is not None and takes_leave(tracker)
            and option_picked(choice["candidates"], text, tracker.latest_message.get("entities") or []) is None)


async def _leave_the_choice(dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> List[Dict[Text, Any]]:
    """Leaves "which kettle?" as "stop" leaves the form; an edit of the order waiting for its "yes"
    drops only the item asked about: the order stays, and its summary is asked again."""
    kept = [item for item in tracker.get_slot(DRAFT) if item["sku"]]
    if not (at_the_summary(tracker) and is_complete(kept)):
        return await leave(dispatcher, tracker, domain)
    return [SlotSet(ITEMS, kept), SlotSet(DRAFT, kept)]  # the form ends, action_place_order asks again


# "bye", "i have to go, ill come back later": leaving, not a thank-you ("thanks" alone is answered in kind).
_GOING = re.compile(r"(?i)\b(?:(?:good)?bye+|cya|see (?:you|ya)|ttyl|gtg|g2g|later|(?:have|need|must|got|gotta) (?:to )?go|"
                    r"leave it|gotta run|good ?night)\b")


def says_goodbye(tracker: Tracker) -> bool:
    """ "bye", "thanks, bye" while the form asks for the items, address or contact: the order is
    left as "stop" leaves it (it had been read as a wrong address, and the form would not let go)."""
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot("requested_slot") in (ITEMS, ADDRESS, CONTACT) and takes_leave(tracker)
            and (intent_of(tracker) == "goodbye" or _GOING.search(text) is not None)
            and not is_address(text) and contact_detail(text) is None)


async def _leave_saying_goodbye(dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> List[Dict[Text, Any]]:
    """Leaves the order as "stop" does (an order waiting for its "yes" is released), said as a goodbye."""
    events = await leave(CollectingDispatcher(), tracker, domain)  # its "What else can I do?" asks on
    dispatcher.utter_message(response="utter_order_left_goodbye")
    return events


# "yes", "yes place the order", "ok confirm it": a yes to placing the order, and nothing else.
_PLACE_IT = re.compile(r"(?i)^\W*(?:(?:yes|yeah|yea|yep|yup|ya|ok(?:ay)?|sure|fine|please|pls|go ahead|just|now|do it|"
                       r"confirm|place|send|it|the|my|order|that|all good)\b\W*)+$")


def places_before_the_choice(tracker: Tracker) -> bool:
    """ "yes", "yes place the order" at the summary while "which kettle?" asks about an item added
    there: not placed (it had been placed without the kettle), the choice comes first."""
    return (at_the_summary(tracker) and tracker.get_slot("requested_slot") in (None, ITEMS)
            and open_choice(tracker.get_slot(DRAFT) or []) is not None
            and _PLACE_IT.match(tracker.latest_message.get("text") or "") is not None)


def places_before_the_count(tracker: Tracker) -> bool:
    """ "fine", "ok" at the summary while "how many green mugs?" waits (an edit there was short of
    stock or over the limit): no yes to placing it, the count comes first (the summary as it was
    before the edit had been shown again, the item the edit took out back in it)."""
    return (at_the_summary(tracker) and tracker.get_slot("requested_slot") == ITEMS
            and any(item["sku"] and not item["quantity"] for item in tracker.get_slot(DRAFT) or [])
            and _PLACE_IT.match(tracker.latest_message.get("text") or "") is not None)


def paused_under_an_offer(tracker: Tracker) -> bool:
    """The order form the offer of a person paused, the offer still open (neither yes nor no yet)."""
    return tracker.get_slot(PAUSED_FORM) == "order_form" and tracker.get_slot(PENDING) == "human_handoff"


def answers_the_paused_choice(tracker: Tracker) -> bool:
    """ "the gooseneck one" after "Which kettle would you like?", then the offer of a person: an
    answer to the order's question, not a product search (QA verify-3 F10)."""
    choice = open_choice(tracker.get_slot(DRAFT) or [])
    return paused_under_an_offer(tracker) and choice is not None and option_picked(
        choice["candidates"], tracker.latest_message.get("text") or "",
        tracker.latest_message.get("entities") or []) is not None


def back_to_the_paused_order(tracker: Tracker, answers_it: bool) -> List[Dict[Text, Any]]:
    """The offer of a person is left and the order form it paused goes on; `answers_it`: the message
    answers the form's open question ("which kettle?"), so the form reads it as that answer."""
    if not paused_under_an_offer(tracker):
        return [FollowupAction("order_form")]
    asked = [SlotSet("requested_slot", ITEMS)] if answers_it else []
    return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)] + asked + [FollowupAction("order_form")]

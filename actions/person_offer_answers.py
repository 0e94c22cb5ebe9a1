"""The yes or no to "Shall I ask someone from the team?": the chat handed over, or back to what the offer interrupted."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import order_or_none
from actions.cancel_questions import ASKED, PENDING
from actions.cancel_refusals import ask_or_refuse
from actions.parsing import order_number
from actions.support import ActionOpenTicket
from actions.ticket_follow_ups import add_to_the_ticket, says_more
from actions.tickets import OFFERED_TICKET, PAUSED_FORM

# Said after a "no" to the offer of a person: a yes right after it changes that answer.
DECLINED_A_PERSON = ("utter_no_human_then", "utter_ticket_without_person")
# Answers that offer a person without asking a yes/no question of their own.
OFFERS_A_PERSON = ("utter_iamabot",)
# "dont cancel it", "no need to cancel": no cancel asked for.
_NOT_CANCELLED = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|never|no need to)\s+(?:\w+\s+)?cancel")


async def answer_human_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                             affirmed: bool) -> List[Dict[Text, Any]]:
    """After two unclear messages, a complaint, a payment problem or a late order: "yes" leaves any
    form and hands the chat over (a new ticket, or the one just opened), here rather than as a
    follow-up action, after which Rasa's policies had no next step and said "I didn't get that";
    "no" goes back to the form the offer interrupted, if any."""
    paused = tracker.get_slot(PAUSED_FORM)
    events = [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)]
    if not affirmed:
        offered = tracker.get_slot(OFFERED_TICKET)
        if offered and says_more(tracker.latest_message.get("text") or ""):
            # "no need, just wanted u to know. also the courier was DHL": the rest is for the ticket
            return await add_to_the_ticket(dispatcher, tracker, declined=True)
        if offered:  # kept: a person asked for later takes this ticket, not a second one
            dispatcher.utter_message(response="utter_ticket_without_person", ticket_id=offered)
        else:
            dispatcher.utter_message(response="utter_no_human_then")
        return events + ([FollowupAction(paused)] if paused else [])
    handover = await ActionOpenTicket().run(dispatcher, tracker, {})
    return events + [ActiveLoop(None), SlotSet("requested_slot", None)] + handover


async def cancel_after_the_offer_of_a_person(dispatcher: CollectingDispatcher,
                                             tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "no just cancel it" to the offer of a person made at the cancel question: that question
    again (it had got "Okay." and the cancel was dropped); None for another answer."""
    text = tracker.latest_message.get("text") or ""
    number = _cancel_asked_before_the_offer(tracker)
    if number is None or not re.search(r"(?i)\bcancel", text) or _NOT_CANCELLED.search(text):
        return None
    order = await order_or_none(tracker.sender_id, number, "the order asked to cancel")
    if order is None:
        return None
    return ask_or_refuse(dispatcher, order)


def _cancel_asked_before_the_offer(tracker: Tracker) -> Optional[str]:
    """The order the cancel question asked about in the bot's turn before its offer of a person
    ("kindly do the needful" to the cancel question, read as a request for someone)."""
    if tracker.get_slot(PENDING) != "human_handoff":
        return None
    users = 0
    for event in reversed(tracker.events or []):
        users += event.get("event") == "user"
        if users > 2:
            return None
        if users == 2 and event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == ASKED:
            return order_number(event.get("text"))
    return None

"""What the customer says about a ticket already opened: more about the problem while a person is
offered (it joins the ticket), "hello? anyone there?" or "when will they answer?" while the team is
awaited after a handoff (the message joins the ticket, and when they answer is said), and a request
to close the ticket.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendError
from actions.form_answers import last_utterance
from actions.parsing import says_no
from actions.tickets import OFFERED_TICKET, PAUSED_FORM, PENDING, REASONS, open_ticket

logger = logging.getLogger(__name__)
# What the bot says when it has opened a ticket (or added to one) and offers a person: what the
# customer writes next about the problem belongs to that ticket.
TICKET_OFFERS = ("utter_complaint_ticket", "utter_payment_issue_ticket", "utter_payment_declined_ticket",
                 "utter_ticket_already_open", "utter_ticket_details_added", "utter_refund_amount_ticket",
                 "utter_late_order_ticket", "utter_payment_charged_for_unpaid_order")
# What the bot says when it has handed the chat over, or answered while the team is awaited.
HANDOFF_LINES = ("utter_handoff_ticket", "utter_sorry_handing_over", "utter_handoff_ticket_no_calls",
                 "utter_ticket_waiting", "utter_ticket_waiting_no_calls")


# A question rather than more about the problem ("what payment methods do you take?").
_ASKS = re.compile(r"(?i)\?|^\W*(?:(?:ok(?:ay)?|so|and|but|also|btw|hi|hey)[\s,]+)*(?:what'?s?|how'?s?|when|where|why|which|"
                   r"who|will|would|can|could|do|does|did|should|shall|is|are|any)\b")
# Words of a bare answer to the offer, which add nothing to the ticket ("no thanks, just pls fix it").
_ANSWER_WORDS = frozenset("""yes yeah yep yup ok okay sure no nope nah not thanks thank thx ty you u just pls please
    plz fix it sort out look into that's thats all need needed fine its it's then for now later i'm im good ill i'll
    wait we'll see a the and person someone human team""".split())


def says_more(text: str) -> bool:
    """More than a yes or no to the offer: what happened, when, how much."""
    words = re.findall(r"[^\W_]+(?:'[^\W_]+)?|[€$£]\s*\d", text.lower())
    return sum(word not in _ANSWER_WORDS for word in words) >= 2


def tells_more_about_the_ticket(tracker: Tracker) -> bool:
    """Right after a ticket was opened and a person offered, a message that is no question and
    says more than yes or no ("it was €58.70 on paypal, around 3pm yesterday", "no need, also the
    courier was DHL"): more about that problem, whatever the NLU made of it (a payment FAQ)."""
    text = tracker.latest_message.get("text") or ""
    return bool(tracker.get_slot(OFFERED_TICKET) and tracker.get_slot(PENDING) == "human_handoff"
                and last_utterance(tracker) in TICKET_OFFERS and not _ASKS.search(text) and says_more(text))


async def add_to_the_ticket(dispatcher: CollectingDispatcher, tracker: Tracker,
                            response: str = "utter_ticket_details_added",
                            declined: Optional[bool] = None) -> List[Dict[Text, Any]]:
    """The customer's latest words join the ticket they are about (the backend adds them to the
    conversation's open ticket), and the bot says so. Starting with a "no" ("no need, just wanted u
    to know. also the courier was DHL"), or `declined`, they decline the person offered as well."""
    offered = tracker.get_slot(OFFERED_TICKET)
    said = last_utterance(tracker) or ""
    reason = REASONS["payment_issue" if said.startswith("utter_payment") else "complaint"][0]
    try:
        ticket = await open_ticket(tracker, reason, any_open=True)
    except BackendError as error:
        logger.warning("could not add to ticket %s: %s", offered, error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    if declined or (declined is None and says_no(tracker.latest_message.get("text"))):
        dispatcher.utter_message(response="utter_ticket_details_added_no_person", ticket_id=ticket.id)
        paused = tracker.get_slot(PAUSED_FORM)
        return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None), SlotSet(OFFERED_TICKET, ticket.id)] + (
            [FollowupAction(paused)] if paused else [])
    dispatcher.utter_message(response=response, ticket_id=ticket.id)
    return [] if ticket.id == offered else [SlotSet(OFFERED_TICKET, ticket.id)]  # the offer stays open


# When the team answers in the chat (utter_faq/opening_hours; the backend's STAFF_HOURS say the same).
SUPPORT_ZONE = ZoneInfo("Europe/Berlin")  # CET, as the hours are given
SUPPORT_HOURS = {0: (9, 18), 1: (9, 18), 2: (9, 18), 3: (9, 18), 4: (9, 18), 5: (10, 14)}  # weekday: (from, to)


def when_the_team_answers(now: Optional[datetime] = None) -> str:
    """ "Someone should answer you here soon." in support hours, else from when they will."""
    local = (now or datetime.now(timezone.utc)).astimezone(SUPPORT_ZONE)
    opens, closes = SUPPORT_HOURS.get(local.weekday(), (0, 0))
    if opens <= local.hour < closes:
        return "Someone should answer you here soon."
    for days in range(8):
        day = local + timedelta(days=days)
        opens = SUPPORT_HOURS.get(day.weekday(), (None,))[0]
        if opens is not None and (days or local.hour < opens):
            named = "today" if days == 0 else "tomorrow" if days == 1 else f"on {day:%A}"
            return f"Our team is offline right now; someone will answer you here {named} from {opens}:00 CET."
    return "Someone will answer you here as soon as they can."


# "call me on +49 …", "will they call me or not?": the team answers in the chat, not by phone.
_CALL = re.compile(r"(?i)\b(?:call|ring|phone)\b(?! (?:it|that|this)\b)|\bcall ?back\b")


def asks_to_be_called(text: str) -> bool:
    return bool(_CALL.search(text))


# Right after a handoff: asking whether, when or how the team answers ("hello? anyone there?", "when?",
# "how long will it take for someone to answer", "so will they call me or not?").
_ASKS_AFTER_THE_TEAM = re.compile(
    r"(?i)\b(?:any ?(?:one|body|1) (?:there|here|around|home)|still there|hello+|how long|when|"
    r"will (?:they|someone|somebody|anyone|you|u)|are (?:they|you) (?:there|coming|going)|is (?:any|some) ?(?:one|body)|"
    r"wait\w*|call|reply|respond|answer)\b|^\W*\?[?!\s]*$")


def after_a_handoff(tracker: Tracker) -> Optional[int]:
    """The ticket the chat was just handed over with, while nothing else has been said since."""
    if last_utterance(tracker) not in HANDOFF_LINES:
        return None
    said = next((e.get("text") or "" for e in reversed(tracker.events or []) if e.get("event") == "bot"), "")
    found = re.search(r"ticket #(\d+)", said)
    return int(found.group(1)) if found else None


async def answer_while_the_team_is_awaited(dispatcher: CollectingDispatcher,
                                           tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "hello? anyone there?", "when?", "will they call me?" right after a handoff (the gateway
    takes the chat then; these reach the bot when it has not): the message joins the ticket, and the
    customer hears that the team answers here, and when. None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if after_a_handoff(tracker) is None or not _ASKS_AFTER_THE_TEAM.search(text):
        return None
    try:
        ticket = await open_ticket(tracker, REASONS["contact_human_agent"][0], any_open=True)
    except BackendError as error:
        logger.warning("could not add a follow-up to the handed-over ticket: %s", error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    response = "utter_ticket_waiting_no_calls" if asks_to_be_called(text) else "utter_ticket_waiting"
    dispatcher.utter_message(response=response, ticket_id=ticket.id, when=when_the_team_answers())
    return []


# "please close the ticket, it was my mistake": the problem has gone; the team closes the ticket.
_CLOSES_THE_TICKET = re.compile(
    r"(?i)\b(?:close|cancel|withdraw|drop|delete|forget)\b.{0,12}\b(?:ticket|complaint|case)\b|"
    r"\b(?:ticket|complaint|case)\b.{0,20}\b(?:can be|be) closed\b")


def ticket_in_the_chat(tracker: Tracker) -> Optional[int]:
    """The ticket the bot named last in this chat ("… (ticket #108)"), if any."""
    for event in reversed(tracker.events or []):
        found = re.search(r"ticket #(\d+)", event.get("text") or "") if event.get("event") == "bot" else None
        if found:
            return int(found.group(1))
    return None


async def note_the_ticket_closed(dispatcher: CollectingDispatcher,
                                 tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A request to close the chat's ticket: added to it for the team, who close it; no person is
    offered to someone whose problem is solved. None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if not _CLOSES_THE_TICKET.search(text) or not (tracker.get_slot(OFFERED_TICKET) or ticket_in_the_chat(tracker)):
        return None
    try:
        ticket = await open_ticket(tracker, "customer asked to close the ticket", any_open=True)
    except BackendError as error:
        logger.warning("could not add the close request to a ticket: %s", error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    dispatcher.utter_message(response="utter_ticket_close_noted", ticket_id=ticket.id)
    if tracker.get_slot(PENDING) != "human_handoff":
        return [SlotSet(OFFERED_TICKET, None)]
    paused = tracker.get_slot(PAUSED_FORM)  # the offer of a person is off; a form it paused goes on
    return [SlotSet(OFFERED_TICKET, None), SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)] + (
        [FollowupAction(paused)] if paused else [])

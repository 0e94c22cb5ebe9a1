"""Requests about the customer's data, which only the team can carry out: deleting the account
and its data, or one detail of it (asked first: it cannot be undone; a "yes" files it), and
unsubscribing (filed at once). A question how to delete the account is answered instead.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendError
from actions.tickets import PENDING, open_ticket

logger = logging.getLogger(__name__)
# Deleting the customer's data is for good: asked first, and a "yes" (answered like a person offered,
# pending_confirmation "human_handoff") files the request for the team: the reason and the reply.
DATA_CONFIRMATIONS = {
    "utter_confirm_data_deletion": ("data deletion request", "utter_data_deletion_ticket"),
    "utter_confirm_detail_removal": ("personal details removal request", "utter_detail_removal_ticket"),
}


# "please delete my account and all my data", "unsubscribe me from your emails": things only the
# team can do, so a ticket (the privacy FAQ alone left the request with no one).
_DATA_REQUEST = re.compile(
    r"(?i)\b(?:delete|erase|remove|wipe|close|deactivate)\b.{0,30}\b(?:account|data|details|information|info)\b|"
    r"\bgdpr\b.{0,40}\b(?:delete|deletion|erase|request|access|copy)\b|right to be forgotten|"
    r"\b(?:unsubscribe|opt me out|stop (?:sending|emailing)|no more (?:e-?mails|newsletters?))\b")
_UNSUBSCRIBE = re.compile(r"(?i)\b(?:unsubscribe|opt me out|stop (?:sending|emailing)|no more)\b")
# "please remove my phone number from your system": one detail out of the shop's records.
_DETAIL_REMOVAL = re.compile(
    r"(?i)\b(?:delete|erase|remove|wipe)\b.{0,20}?\b(?P<detail>phone(?: number)?|mobile(?: number)?|number|"
    r"e-?mail(?: address)?|address|name)\b.{0,20}\bfrom (?:your|the|ur) (?:system|records?|database|db|files?|"
    r"servers?|site|website|shop|store|list|mailing list)s?\b")
# "how do i delete my account", "is it possible to delete my account later if i want?": asking about it,
# not asking for it (tickets were filed on such questions, and irreversibly at that).
_ASKS_HOW = re.compile(
    r"(?i)\b(?:how (?:do|can|could|would|should|will) (?:i|we|you)|how to|is it possible|(?:would|will) it be possible|"
    r"possible to|can i|could i|am i able|will i be able|do you (?:let|allow)|what happens|if i (?:want|wish|decide)|"
    r"later|some ?day|in (?:the )?future)\b")
_REQUEST_NOW = re.compile(r"(?i)\b(?:please|pls|plz|i want|i wanna|i'?d like|i would like|go ahead|right now|asap)\b")


def asks_how_to_delete(text: str) -> bool:
    return bool(_ASKS_HOW.search(text)) and not (_REQUEST_NOW.search(text) and not re.search(r"(?i)\blater\b", text))


async def take_a_data_request(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A request to unsubscribe: a ticket for the team, and said so. A request to delete the
    customer's data, or one detail of it: asked first (it cannot be undone), and a "yes" files it
    (ActionOpenTicket). A question how to: answered. None when the message is none of these."""
    text = tracker.latest_message.get("text") or ""
    detail = _DETAIL_REMOVAL.search(text)
    if detail:
        dispatcher.utter_message(response="utter_confirm_detail_removal", detail=detail.group("detail").lower())
        return [SlotSet(PENDING, "human_handoff")]
    if not _DATA_REQUEST.search(text):
        return None
    if _UNSUBSCRIBE.search(text) is None:
        if asks_how_to_delete(text):
            dispatcher.utter_message(response="utter_data_deletion_how")
            return []
        dispatcher.utter_message(response="utter_confirm_data_deletion")
        return [SlotSet(PENDING, "human_handoff")]
    return await file_the_data_request(dispatcher, tracker, "unsubscribe request", "utter_unsubscribe_ticket")


def confirmed_data_request(tracker: Tracker, last_offer: Optional[str]) -> Optional[tuple]:
    """(reason, reply) of the data request the latest "yes" confirms (`last_offer`: the offer of a
    person the bot made last), else None."""
    if tracker.get_slot(PENDING) != "human_handoff" or (tracker.latest_message.get("intent") or {}).get("name") != "affirm":
        return None
    return DATA_CONFIRMATIONS.get(last_offer)


async def file_the_data_request(dispatcher: CollectingDispatcher, tracker: Tracker,
                                reason: str, reply: str) -> List[Dict[Text, Any]]:
    try:
        ticket = await open_ticket(tracker, reason)
    except BackendError as error:
        logger.warning("could not open a %s ticket: %s", reason, error)
        dispatcher.utter_message(response="utter_ticket_failed")
        return []
    dispatcher.utter_message(response=reply, ticket_id=ticket.id)
    return []

"""How returns work, asked during a return or just after one: where to, the label, who pays the postage."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.order_forms import TARGET
from actions.parsing import asks_instead_of_answering
from actions.return_confirmation import REGISTERED
from actions.return_reasons import shops_fault
from actions.return_state import ITEMS, REASON, REGISTRATIONS, return_under_way, stop_the_form, text_of
from actions.tickets import OFFERED_TICKET

# "do i get a return label", "where do i send it back", "do you collect returns": how returns work
# ("how do i send it back" is a return: the form registers it and says where it goes).
RETURN_LOGISTICS = re.compile(
    r"(?i)\blabel\b|\breturn(?:s)? address\b|\b(?:where|which address|what address)\b.*\b(?:send|post|ship|return)\b|"
    r"\b(?:pick ?up|collect)\w*\b.*\b(?:return|home|house)\b|\bwho pays\b.*\breturn")
# "so who pays the postage?", "is the return shipping free?", "do i have to pay to send it back?"
POSTAGE = re.compile(
    r"(?i)\bwho (?:pays|covers|is paying|will pay)\b|\bprepaid\b|\b(?:return )?label\b|"
    r"\b(?:postage|return shipping|shipping back|sending (?:it|them) back|send(?:ing)? (?:it|them) back)\b.{0,30}"
    r"\b(?:free|pay|paid|cost|charge\w*|on (?:you|me|us))\b|"
    r"\b(?:pay|paying|cost|charged?)\b.{0,25}\b(?:postage|return shipping|shipping back|send(?:ing)? (?:it|them) back)\b")


def asks_how_returns_work(text: str) -> bool:
    return bool(RETURN_LOGISTICS.search(text) or POSTAGE.search(text)) and (
        asks_instead_of_answering(text) or re.match(r"(?i)\s*(?:is|are|any)\b", text) is not None)


def how_returns_work(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The return policy (where to, postage, label); a return under way asks its question again, one
    that this question itself started ends (a question is not a request to return something)."""
    if answer_about_the_postage(dispatcher, tracker) is None:
        dispatcher.utter_message(response="utter_faq/refund_policy")
    if not (tracker.get_slot(TARGET) or tracker.get_slot(ITEMS)):
        return stop_the_form()
    requested = tracker.get_slot("requested_slot")
    return [SlotSet(requested, None)] if requested else []


def answer_about_the_postage(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "so who pays the postage? you said damaged items are free", about the return being made or
    just registered: who pays, said plainly (QA: the whole policy came back instead). None when
    the message asks no such thing or no return is in view (the policy answers that)."""
    if not POSTAGE.search(text_of(tracker)):
        return None
    registered = _registered_fault_return(tracker)
    under_way = return_under_way(tracker) or bool(tracker.get_slot(TARGET))
    if registered and not under_way:
        ticket = tracker.get_slot(OFFERED_TICKET)
        dispatcher.utter_message(response="utter_return_postage_ours" if ticket else "utter_return_postage_ask",
                                 ticket_id=ticket)
        return []
    if not under_way:
        return None
    fault = shops_fault(tracker.get_slot(REASON))  # not the message's: "you said damaged items are free"
    dispatcher.utter_message(response="utter_return_postage_free" if fault else "utter_return_postage_yours")
    return []


def _registered_fault_return(tracker: Tracker) -> Optional[str]:
    """The response that said the return just registered in this chat was the shop's fault, if so."""
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in REGISTRATIONS:
            return said if said != REGISTERED[None] else None
    return None

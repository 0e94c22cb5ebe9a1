"""Change the email or phone number of an order placed (how the team and the courier reach the
customer about it): "update my email on the order to priya@example.com", "can i change the phone
number on my order to +49 170 1234567" (the new one asked for when the message has none), or a
phone given with a new address (actions/change_address.py). The change is shown and confirmed
first, then `PATCH /orders/{n}/contact`; refused once the order has shipped (the backend's
`editable`).

Read as a change of address or items, a new order or a bare value, whatever the NLU made of it:
the forms and action_handle_inform hand it here.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Invalid, NotFound, Order, Refused
from actions.order_forms import (NEW_CONTACT, TARGET, events_clearing, order_number_named, order_view, said_why_locked,
                                 status_words)
from actions.order_slots import DRAFT, PENDING_ORDER
from actions.parsing import contact_detail, contact_parts, joined_contact, looks_like_address, order_number

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"
REQUESTED = "requested_info"
ASKED_FOR = "new_contact"  # requested_info while "what's the new email or phone number?" waits
FLOW_SLOTS = (TARGET, NEW_CONTACT, PENDING)

# "my email", "the phone number on my order", "mobile no", "contact details": how the shop reaches them.
_THE_CONTACT = re.compile(r"(?i)\b(?:e-?mail|mail id|(?:tele)?phone|mobile|cell ?(?:phone|number|no)|whats ?app|"
                          r"contact (?:details|info|number|no)|(?:ph|mob)\.? ?(?:no|number))\b")
# "update", "change … to", "wrong", "new": it changes (not "what's your phone number?").
_CHANGING = re.compile(r"(?i)\b(?:chang\w*|updat\w*|correct\w*|fix|replac\w*|switch|edit|wrong|typo|mistake|new|"
                       r"use|instead)\b")
# "change my address and phone": an address change first (the phone is taken with the new address).
_THE_ADDRESS = re.compile(r"(?i)\baddress\b")
# "use my phone instead", "only the phone": the new detail is the whole change, not added to the one shown.
_INSTEAD = re.compile(r"(?i)\b(?:instead|only|just|rather)\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ORDER_NUMBERS = re.compile(r"(?i)\bOB-?[0-9A-Z]{8}\b")


def new_contact(text: Optional[str]) -> Dict[str, str]:
    """The email and/or phone number in a message, as the backend takes them: {"contact_email": …,
    "contact_phone": …}; an order number is no phone."""
    text = text or ""
    email = _EMAIL.search(text)
    phone = contact_detail(_ORDER_NUMBERS.sub(" ", _EMAIL.sub(" ", text)))
    found = {"contact_email": email.group(0).lower()} if email else {}
    return {**found, "contact_phone": phone} if phone else found


# "change the phone on my order to +41 …", "update my email to …": a change of the contact to the
# one given, in so many words, even with another request in the message ("… and make it 2 kettles").
_CHANGED_TO = re.compile(r"(?i)\b(?:chang\w*|updat\w*|correct\w*|fix|replac\w*|switch|edit)\b[^.!?]{0,40}?"
                         r"\b(?:e-?mail|(?:tele)?phone|mobile|number|contact(?: details)?)\b[^.!?]{0,30}?"
                         r"(?:\bto\b|\bis\b|:)\s*(?:\+|\d|[\w.%+-]+@)")


def changes_the_contact(tracker: Tracker) -> bool:
    """ "update my email on the order to …", "the phone number on my order is wrong": the contact of
    an order placed changes; not while an order is being made (its contact question and summary
    take it), nor with products named unless the change to the new contact is said in so many
    words (QA16 F7: "… to +41 78 999 88 77 and make it 2 kettles" lost the phone), nor with an
    address (a phone given with one goes with the address change)."""
    text = tracker.latest_message.get("text") or ""
    products = any(e.get("entity") in ("product", "category") for e in tracker.latest_message.get("entities") or [])
    products = products and not (_CHANGED_TO.search(text) and new_contact(text))
    if tracker.get_slot(DRAFT) or tracker.get_slot(PENDING_ORDER) or products or looks_like_address(text):
        return False  # "2 mugs please, my new number is …": an order with its contact
    if tracker.get_slot(PENDING) == "change_contact" and new_contact(text):
        return True  # "and add my phone too, +44 …" at "Change the contact details …?", however read
    about_the_address = _THE_ADDRESS.search(re.sub(r"(?i)e-?mail\s+address", "email", text))
    return bool(_THE_CONTACT.search(text) and _CHANGING.search(text)
                and not (about_the_address and not new_contact(text)))


def changes_the_contact_at_the_summary(tracker: Tracker) -> bool:
    """ "change the email to …", "update my phone" at "Shall I place it?" of an order being made, with no
    address: its contact changes, not its address (QA F44: the address form had opened)."""
    text = tracker.latest_message.get("text") or ""
    at_the_summary = tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER)
    return bool(at_the_summary and _THE_CONTACT.search(text) and (_CHANGING.search(text) or new_contact(text))
                and not looks_like_address(text))


def contact_changed(contact: Optional[str], text: str) -> Optional[str]:
    """An order's contact as `joined_contact` keeps it, with the email or phone of `text` in place of
    the one of its kind ("change the email to …" keeps the phone); "… instead", "only …": the new one alone."""
    given = new_contact(text)
    email, phone = contact_parts(contact)
    if _INSTEAD.search(text):
        email, phone = None, None
    return joined_contact(given.get("contact_email") or email, given.get("contact_phone") or phone)


def contact_text(contact: Dict[str, Optional[str]]) -> str:
    """ "ada@example.com, +491701234567"; "none" without either."""
    return ", ".join(value for value in (contact.get("contact_email"), contact.get("contact_phone")) if value) or "none"


def _view(order: Order) -> Dict[str, Any]:
    return {**order_view(order), "contact": {"contact_email": order.contact_email,
                                             "contact_phone": order.contact_phone}}


async def propose_contact_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The order's contact now and as it would be, and "Shall I change it?"; without a new email or
    phone in the message, that is asked for. The order: the one named, else the one talked about,
    else the newest one that can still change."""
    number = order_number_named(tracker)
    talked_about = number is None and order_number(tracker.get_slot("order_id"))
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order_or_last(number or talked_about or None, (), lambda o: o.editable)
            if talked_about and order is not None and not order.editable:  # a shipped one was talked about
                order = await backend.get_order_or_last(None, (), lambda o: o.editable)
    except NotFound:
        dispatcher.utter_message(response="utter_change_order_not_found", number=number)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:
        logger.warning("order lookup for a contact change failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if order is None:  # none on this chat: the team changes an order placed elsewhere
        dispatcher.utter_message(response="utter_contact_change_no_order")
        return events_clearing(FLOW_SLOTS)
    locked = contact_locked(order)
    if locked is not None:
        response, values = locked
        dispatcher.utter_message(response=response, number=order.number, status=status_words(order.status), **values)
        return events_clearing(FLOW_SLOTS) + [SlotSet("order_id", order.number)]
    target = _view(order)
    given = new_contact(tracker.latest_message.get("text"))
    if given and (tracker.get_slot(TARGET) or {}).get("number") == order.number:
        given = _with_the_change_shown(tracker, given)  # "and change my phone too, …" at its summary
    if not given:
        dispatcher.utter_message(response="utter_ask_new_contact", number=order.number)
        return [SlotSet(TARGET, target), SlotSet(NEW_CONTACT, None), SlotSet(PENDING, None),
                SlotSet(REQUESTED, ASKED_FOR), SlotSet("order_id", order.number)]
    _the_rest_comes_next(dispatcher, tracker)  # before the question: a yes answers the message said last
    events = ask_to_change(dispatcher, target, given)
    return events + [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)]


# Where a message's requests part: "change the phone to … and make it 2 kettles".
_CLAUSES = re.compile(r"(?i)(\s*(?:[,;]|\band\b|\balso\b|\bplus\b|&)\s*)")
# A request of its own, not "please" or "thanks".
_ANOTHER_REQUEST = re.compile(r"(?i)\b(?:make it|add|remove|drop|take out|swap|replace|instead|more|less|cancel|"
                              r"address|send|ship|deliver|return|\d+)\b")
# "One change at a time" said in words of its own until the domain has a response for it.
_ONE_AT_A_TIME = "One change at a time: once the contact is settled, send me \"{rest}\" again and I'll do that too."


def _the_rest_comes_next(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The contact change asked with another request ("… and make it 2 kettles"): that one is
    asked for again after this one's yes or no, not dropped without a word (QA16 F7). Said before
    the contact question, never after it: a yes is taken only for the question said last, and
    after this note it had got the question again, the phone never changed (QA16 verify 14)."""
    text = tracker.latest_message.get("text") or ""
    parts = _CLAUSES.split(text)
    kept = [part for part in parts[::2] if part.strip() and not (new_contact(part) or _THE_CONTACT.search(part))]
    rest = " and ".join(part.strip() for part in kept).strip(" .!?")
    if rest and _ANOTHER_REQUEST.search(rest):
        dispatcher.utter_message(text=_ONE_AT_A_TIME.format(rest=rest))


def contact_locked(order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
    """Once shipped the contact doesn't change: said without the "items and address" of
    not_editable, which the customer didn't ask about (t2 m12)."""
    return None if order.editable else ("utter_order_locked", {})


def _with_the_change_shown(tracker: Tracker, given: Dict[str, str]) -> Dict[str, str]:
    """The new email or phone said at "Change the contact details … to …?" added to the change shown,
    one of a kind replacing the other ("and add my phone too, +44 7700 900123" after a new email:
    t2 M10, the new email had been dropped and the backend kept the old one); "… instead" replaces it."""
    shown = tracker.get_slot(NEW_CONTACT) if tracker.get_slot(PENDING) == "change_contact" else None
    if not shown or _INSTEAD.search(tracker.latest_message.get("text") or ""):
        return given
    return {**shown, **given}


def ask_to_change(dispatcher: CollectingDispatcher, target: Dict[str, Any],
                  given: Dict[str, str]) -> List[Dict[Text, Any]]:
    old = target.get("contact") or {}
    dispatcher.utter_message(response="utter_confirm_contact_change", number=target["number"],
                             old_contact=contact_text(old), new_contact=contact_text({**old, **given}))
    return [SlotSet(TARGET, target), SlotSet(NEW_CONTACT, given), SlotSet(PENDING, "change_contact")]


def answer_new_contact(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The answer to "What's the new email or phone number for order …?", or another one said at
    "Change the contact details …?" (asked about instead); None when the message has neither."""
    target = tracker.get_slot(TARGET)
    given = new_contact(tracker.latest_message.get("text"))
    waiting = tracker.get_slot(REQUESTED) == ASKED_FOR or tracker.get_slot(PENDING) == "change_contact"
    if not waiting or not target or not given:
        return None
    return ask_to_change(dispatcher, target, _with_the_change_shown(tracker, given)) + [SlotSet(REQUESTED, None)]


async def answer_change_contact(dispatcher: CollectingDispatcher, tracker: Tracker,
                                affirmed: bool) -> List[Dict[Text, Any]]:
    """ "yes" sends the new contact; "no" keeps the order's."""
    number = (tracker.get_slot(TARGET) or {}).get("number")
    if not affirmed:
        dispatcher.utter_message(response="utter_contact_change_kept", number=number)
        return events_clearing(FLOW_SLOTS)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.change_contact(number, tracker.get_slot(NEW_CONTACT) or {})
    except (Refused, Invalid) as refusal:
        if not (isinstance(refusal, Refused) and await said_why_locked(dispatcher, tracker, number, contact_locked)):
            dispatcher.utter_message(response="utter_contact_change_refused", number=number, reason=refusal.detail)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: "yes" again retries (the same PATCH again is harmless)
        logger.warning("changing the contact of %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_contact_changed", number=order.number,
                             contact=contact_text({"contact_email": order.contact_email,
                                                   "contact_phone": order.contact_phone}))
    return events_clearing(FLOW_SLOTS)

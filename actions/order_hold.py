"""The order shown at its summary is not placed: the backend holds its stock until the order's
expires_at (PENDING_ORDER_TTL_MINUTES), then it lapses (cancelled, reason "expired: …").

The FAQ sends a customer who wants express shipping, gift wrapping or a discount code to a
person, since only the team can add them. Asked for there, the request goes to the team as a
ticket about that order, and the chat stays with the bot: a handoff would send "yes, place it"
to staff (the gateway diverts every message), and out of hours the order lapsed before anyone
read it. The customer hears that the order is not placed yet, until when it is held, and that
placing it now keeps it (the team adds the extra to the placed order); "Shall I place it?" stays
open. A yes that asks the team to do it ("yes get a person to do it" after the discount FAQ) is
such a request, never a yes to placing the order (`pass_the_extra_on`: it had placed the order,
and the code was lost).

A split delivery ("can u split it into 2 deliveries, 10 mugs now 15 next week") is a question,
not a complaint: an order made in chat ships in one parcel, so the customer hears that two
orders do it, and is offered a person for a split delivery (at the summary, told they can ask for
one, and "Shall I place it?" stays open); no ticket before a yes.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, NamedTuple, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order
from actions.order_slots import PENDING_ORDER, at_the_summary
from actions.tickets import OFFERED_TICKET, PAUSED_FORM, PENDING, open_ticket

logger = logging.getLogger(__name__)
SUMMARY = "utter_confirm_order"
HELD = "utter_team_extra_order_held"
LAPSED_REASON = "expired:"  # backend/orders/expiry.py's cancel_reason


class Extra(NamedTuple):
    """Something only the team can add to an order made in chat."""
    words: "re.Pattern[str]"
    faq: Optional[str]  # the FAQ answer about it, which sends the customer to a person
    about: str  # "I've asked our team about …"
    team_adds: str  # "our team can still … after it's placed"
    reason: str  # the ticket's


EXTRAS = (
    Extra(re.compile(r"(?i)\b(?:express|next[- ]day|faster (?:delivery|shipping)|priority (?:delivery|shipping)|"
                     r"upgrade (?:the |my )?(?:delivery|shipping))\b"),
          None, "express shipping", "upgrade it to express shipping", "express shipping for an order in chat"),
    Extra(re.compile(r"(?i)\bgift[- ]?wrap\w*|\bwrap(?:ped|ping)?\b.{0,20}\bgifts?\b|\bgift (?:message|note|box)\b"),
          "utter_faq/gift_wrapping", "gift wrapping", "gift wrap it", "gift wrapping for an order in chat"),
    Extra(re.compile(r"(?i)\b(?:discount|promo|coupon|voucher)s?\b|\b(?:apply|use|have|got|add)\b.{0,20}\bcodes?\b"),
          "utter_faq/discounts", "your discount code", "apply your discount code to it",
          "discount code for an order in chat"),
)


def extra_asked_for(tracker: Tracker) -> Optional[Extra]:
    """The extra the customer has asked about since the order's summary was shown (in their words,
    or the FAQ answer they got about it), the latest first; None also once the bot has passed such a
    request on (a person asked for again is handed over)."""
    said = [tracker.latest_message.get("text") or ""]
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            said.append(event.get("text") or "")
            continue
        uttered = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if uttered == HELD:
            return None
        if uttered == SUMMARY:
            break
        said.append(uttered or "")
    return next((extra for text in said for extra in EXTRAS if text == extra.faq or extra.words.search(text)), None)


async def ask_the_team_for_an_extra(dispatcher: CollectingDispatcher,
                                    tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A person asked for about an extra while the order waits at its summary: a ticket about that
    order, the hold said, and "Shall I place it?" again. None when no order waits, or no extra."""
    number = tracker.get_slot(PENDING_ORDER)
    extra = extra_asked_for(tracker) if number else None
    if extra is None:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            until = await held_until(backend, number)
        if until is None:  # placed or lapsed meanwhile: a request like any other
            return None
        ticket = await open_ticket(tracker, extra.reason, order=number)
    except BackendError as error:
        logger.warning("could not pass on the %s request for order %s: %s", extra.about, number, error)
        return None
    dispatcher.utter_message(response=HELD, ticket_id=ticket.id, about=extra.about, team_adds=extra.team_adds,
                             **hold_in_words(until))
    dispatcher.utter_message(response="utter_confirm_order_after_aside")
    return [SlotSet(PENDING, "place_order"), SlotSet(OFFERED_TICKET, ticket.id), SlotSet(PAUSED_FORM, None)]


# Asking a person or the team to do it: "yes get a person to do it", "yes, ask your team", "yes
# someone please", "can someone from your team add it"; not "yes, no need for a person".
_THE_TEAM = re.compile(r"(?i)\b(?:person|human|agent|some ?one|somebody|some1|staff|team|colleague|representative|"
                       r"manager)\b")
_NO_PERSON = re.compile(
    r"(?i)\b(?:don'?t|dont|do not|no need|never|without|not)\b(?:\s+\w+){0,3}?\s+(?:a |an |the |your )?"
    r"(?:person|human|agent|some ?one|somebody|staff|team)\b|\bno (?:person|human|agent|staff|one)\b|\bnobody\b")


def asks_the_team_to_add_it(tracker: Tracker) -> bool:
    """At the order's summary, an extra only the team adds asked about since (a discount code, say),
    and the message asks a person or the team to do it, whether the NLU read a yes ("yes get a
    person to do it": it had placed the order, and the code was lost) or a question."""
    text = tracker.latest_message.get("text") or ""
    return (at_the_summary(tracker) and bool(_THE_TEAM.search(text)) and not _NO_PERSON.search(text)
            and extra_asked_for(tracker) is not None)


async def pass_the_extra_on(dispatcher: CollectingDispatcher,
                            tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The team asked to add the extra at the summary: its ticket, the order held (never placed
    here); None for any other message, or when the order no longer waits. A form under way ends:
    "Shall I place it?" is the question now."""
    if not asks_the_team_to_add_it(tracker):
        return None
    asked = await ask_the_team_for_an_extra(dispatcher, tracker)
    if asked is None or not tracker.active_loop_name:
        return asked
    return asked + [ActiveLoop(None), SlotSet("requested_slot", None)]


async def held_until(backend: BackendClient, number: str) -> Optional[datetime]:
    """When the unplaced order stops being held; None when it no longer waits."""
    order = await backend.get_order(number)
    if order.status != "pending" or not order.expires_at:
        return None
    return datetime.fromisoformat(order.expires_at.replace("Z", "+00:00"))


def hold_in_words(until: datetime, now: Optional[datetime] = None) -> Dict[str, str]:
    """{"held_until": "14:35 UTC" (with the weekday when not today), "time_left": "28 minutes"}."""
    now = now or datetime.now(timezone.utc)
    until = until.astimezone(timezone.utc)
    minutes = max(1, round((until - now).total_seconds() / 60))
    if minutes < 120:
        left = f"{minutes} minute{'s' if minutes != 1 else ''}"
    else:
        left = f"about {round(minutes / 60)} hours"
    return {"held_until": f"{until:%H:%M} UTC" if until.date() == now.astimezone(timezone.utc).date()
            else f"{until:%A %H:%M} UTC", "time_left": left}


def lapsed(order: Order) -> bool:
    """The order was never placed: it waited too long for its "yes" and the backend released it."""
    return order.status == "cancelled" and (order.cancel_reason or "").startswith(LAPSED_REASON)


SPLIT_DELIVERY_OFFER = "utter_split_delivery"
# "split it into 2 deliveries", "two separate shipments", "send 10 now and the other 15 next week";
# not "the bag split open in the parcel".
_SPLIT = re.compile(
    r"(?i)\bsplit(?:ting)?\s+(?:\w+\s+){0,3}?(?:into|in)\s+(?:2|two|3|three|\d+|parts|halves|separate|several|multiple)\b|"
    r"\bsplit (?:the |my |this |that )?(?:delivery|deliveries|shipment|shipping|order|parcel)\b|"
    r"\b(?:2|two|3|three|separate|multiple|several|partial)\s+(?:deliveries|shipments|parcels|packages|dispatches)\b|"
    r"\bpartial(?:ly)? (?:deliver\w*|ship\w*)\b|"
    r"\b(?:\d+|half|some|part)\b[^.?!]{0,30}\b(?:now|today|first)\b[^.?!]{0,30}?\b(?:\d+|the rest|rest|remaining|others?)\b"
    r"[^.?!]{0,30}?\b(?:later|next (?:week|month)|after|tomorrow)\b")


def asks_to_split(text: Optional[str]) -> bool:
    return bool(_SPLIT.search(text or ""))


async def answer_a_split_delivery(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """One parcel per order: two orders do it, or a person arranges a split delivery. At the
    summary the order's question stays open (a person offered would take its "yes"); elsewhere a
    person is offered, whose "yes" opens the ticket (support.OFFERED_FOR)."""
    if at_the_summary(tracker):
        dispatcher.utter_message(response="utter_split_delivery_at_summary")
        dispatcher.utter_message(response="utter_confirm_order_after_aside")
        return []
    from actions.support import offer_a_person  # imported here: actions.support imports this module
    return offer_a_person(dispatcher, tracker, SPLIT_DELIVERY_OFFER)

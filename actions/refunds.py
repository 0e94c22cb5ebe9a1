"""Where is my refund: the order's refund status, amount and date, read from the backend's
`refund` of the order (by number, another chat's after the email or phone on it, as tracking asks;
else another chat's order just opened with them; else the customer's newest order with a refund
under way, else their last order). A refund less than the return was worth, or disputed, is owned up
to with a ticket for the team; a return asked for in a refund question ("send it all back, whats the
refund") starts the return form."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_questions import answer_about_the_cancel
from actions.order_forms import TARGET, status_words
from actions.orders import (REQUESTED, TASK, ask_for_the_contact, given_contact, order_checked_elsewhere,
                            leaves_the_check, requested_order_number, verified_with, while_a_form_waits)
from actions.parsing import format_price, order_number
from actions.return_confirmation import refund_due
from actions.return_state import ITEMS, PENDING
from actions.support import claims_a_charge_for_nothing_due, report_a_charge, ticket_with_an_offer

logger = logging.getLogger(__name__)


class ActionRefundStatus(Action):
    """"Where is my refund": the order's refund status, amount and date from the backend."""

    def name(self) -> Text:
        return "action_refund_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # "where is my refund for OB-…" while ordering: the form waits for the email on it, as tracking's
        return while_a_form_waits(tracker, await self._refund_status(dispatcher, tracker))

    async def _refund_status(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        answered = await answer_about_the_cancel(dispatcher, tracker)
        if answered is not None:  # "what happens to my money?" while a cancel waits: that order's refund
            return answered
        text = tracker.latest_message.get("text") or ""
        target = tracker.get_slot(TARGET)
        if tracker.get_slot(PENDING) == "return_order" and target and tracker.get_slot(ITEMS):
            # "how long does the refund take?" while the return waits for its yes: when, then ask on
            dispatcher.utter_message(
                response="utter_refund_after_return", number=target["number"],
                amount=format_price(refund_due(target, tracker.get_slot(ITEMS)), target["currency"]))
            return []
        if asks_to_send_back(text) and not tracker.get_slot(ITEMS):
            # "arrived. dont like any of it, send it all back. whats the refund": a return, whose summary
            # says the refund (QA: "To send it back, say 'I want to return my order'")
            return [FollowupAction("return_form")]
        if asks_if_shipping_is_refunded(text, tracker):  # "is shipping refunded when i return": the policy
            dispatcher.utter_message(response="utter_refund_shipping_policy")
            return []
        number, contact = requested_order_number(tracker), given_contact(tracker)
        given = contact is not None
        if not given and leaves_the_check(tracker, tracker.latest_message.get("text") or ""):
            return [SlotSet(REQUESTED, None)]  # "ok back to my order" instead of the email: the order goes on
        if number and not contact and number == order_number(tracker.get_slot("order_id")):
            # "where is my refund for OB-…" right after it was opened with its email: the same details
            contact = tracker.get_slot("contact")
        try:
            async with BackendClient(tracker.sender_id) as backend:
                order = await _order_meant(backend, tracker, number, contact)
        except NotFound:
            # another chat's order (or none): the email or phone on it, as tracking asks
            return ask_for_the_contact(dispatcher, number, "refund", tried=contact if given else None)
        except BackendError as error:
            logger.warning("refund lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if order is None:
            dispatcher.utter_message(response="utter_ask_refund_order_number")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "refund")]
        found = [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet("order_id", order.number)] + verified_with(contact)
        if claims_a_charge_for_nothing_due(order, text):
            # "i was charged for the cancelled order also, 73.60 gone": a payment problem, not a refund
            return found + await report_a_charge(dispatcher, tracker, order)
        if disputes_the_refund(text, order):
            # "i only got 20 euros back but paid 39.80": the team checks it (the same status line came back)
            return found + await _a_ticket_for_the_amount(dispatcher, tracker, order, text)
        if mentions_a_refund_email(text) and order.refund_status != "none":
            say_no_refund_email(dispatcher, order, text)  # none is sent: not confirmed
        checked = charge_being_checked(tracker, order)
        if checked is not None:
            # "so when do i get my money back" after the charge of a cancelled order was reported: no
            # refund is under way to promise in 5–7 days, the team checks that charge (QA16 verify 8)
            dispatcher.utter_message(response="utter_refund_charge_being_checked", number=order.number,
                                     ticket_id=checked)
            return found
        utter_refund(dispatcher, order)
        return found


async def _order_meant(backend: BackendClient, tracker: Tracker, number: Optional[str],
                       contact: Optional[str]) -> Optional[Order]:
    """The order named (another chat's with the email or phone on it); without a number, another
    chat's order just opened with its email ("where is my refund" right after it: this chat has
    no orders of its own, and it said "I don't see any orders from you"), else the customer's own."""
    if number:
        return await backend.get_order(number, contact)
    checked = await order_checked_elsewhere(backend, tracker)
    return checked or await backend.get_order_or_last(None, usable=_has_refund)


# A refund less than the customer expected: "only got 20 back", "where is the rest", "not the full amount",
# "it says 23.80?? should be 35.70".
DISPUTES_THE_AMOUNT = re.compile(r"(?i)\bonly (?:got|received|refunded|get|gave)\b|\bwhere(?:'s| is) the rest\b|"
                                 r"\b(?:not|wasn'?t|isn'?t) the (?:full|whole|right|correct) (?:amount|refund|sum)\b|"
                                 r"\b(?:partial|short|missing|less than)\b|\bwhy only\b|"
                                 r"\b(?:should|supposed to|meant to) (?:be|have been|get|have got)\s+(?:€\s*)?\d|"
                                 r"\b(?:i|we) expected\b|\bthan (?:i )?expected\b|\bwrong (?:amount|refund|sum)\b|"
                                 r"\bnot enough\b")
# A sum of money: "23.80", "€35", "35,70 eur", "10 euros".
AMOUNT = re.compile(r"(?i)(€\s*|\beur\s*)?(?<![\w.,-])(\d{1,5}([.,]\d{2})?)(?!\w|[.,]\d)(\s*(?:€|eur(?:os?)?\b))?")
# The refund itself talked about: "refund", "money back", "paid back".
ABOUT_THE_REFUND = re.compile(r"(?i)\brefund\w*|\bmoney back\b|\bpaid back\b|\bgot back\b")
# "my refund email", "the email says": the shop sends none.
REFUND_EMAIL = re.compile(r"(?i)\b(?:refund|confirmation|payment)\s+e-?mails?\b|\be-?mails?\b.{0,25}\brefund")
# "send it all back", "i want to return it", "return them please": a return asked for in a refund question
# ("when i send it back, whats the refund?" asks about one).
SENDS_BACK = re.compile(r"(?i)\bsend(?:\s+[\w']+){0,4}?\s+back\b|\bgive(?:\s+[\w']+){0,3}?\s+back\b|"
                        r"\breturn (?:it|them|this|these|everything|all|my|the|both)\b")
IF_OR_WHEN = re.compile(r"(?i)\b(?:if|when|once|after|before|whether|how)\s+(?:i|we|you)?\s*(?:\w+\s+){0,2}$")
SHIPPING_REFUNDED = re.compile(
    r"(?i)\b(?:shipping|postage|delivery (?:fee|cost|charge)s?)\b.{0,30}\brefund\w*|"
    r"\brefund\w*\b.{0,30}\b(?:shipping|postage|delivery (?:fee|cost|charge)s?)\b")
ASKS_GENERALLY = re.compile(r"(?i)^\W*(?:is|are|do|does|will|would|can)\b|\b(?:when|if|once) (?:i|you|we) (?:return|send)")


def asks_to_send_back(text: str) -> bool:
    """ "send it all back, whats the refund": a return asked for, not one talked about ("when i send it
    back", "i sent it back"), nor one taken back ("i don't want to return it")."""
    from actions.return_withdrawal import withdraws_a_return  # here: it imports what imports this module
    return any(not IF_OR_WHEN.search(text[:match.start()]) for match in SENDS_BACK.finditer(text)) \
        and not withdraws_a_return(text)


def asks_if_shipping_is_refunded(text: str, tracker: Tracker) -> bool:
    """ "is shipping refunded when i return": the policy, not an order's refund."""
    return bool(SHIPPING_REFUNDED.search(text) and ASKS_GENERALLY.search(text)) and not order_number(text) \
        and requested_order_number(tracker) is None


def mentions_a_refund_email(text: str) -> bool:
    return REFUND_EMAIL.search(text) is not None


def say_no_refund_email(dispatcher: CollectingDispatcher, order: Order, text: str) -> None:
    """The shop sends no refund email: said as a warning when the email's sum is not the order's
    refund, plainly when it is (a bank's or payment provider's email says the same: QA16 verify 8,
    "got my refund email, but it says 23.80" with €23.80 refunded was told the email wasn't ours)."""
    matches = order.refund_amount_minor is not None and order.refund_amount_minor in sums_in(text)
    dispatcher.utter_message(response="utter_refund_no_email_same_amount" if matches else "utter_refund_no_email")


# The answer to a charge claimed for an order nothing was due on (actions/support.py report_a_charge).
CHARGE_REPORTED = "utter_payment_charged_for_unpaid_order"
_TICKET_NUMBER = re.compile(r"#(\d+)")


def charge_being_checked(tracker: Tracker, order: Order) -> Optional[int]:
    """The ticket of a charge reported in this chat for `order` (cancelled or not delivered, nothing
    refunded), whose "when do i get my money back" the team's check answers; None otherwise."""
    if order.refund_status != "none":
        return None
    for event in reversed(tracker.events or []):
        said = event.get("text") or ""
        if (event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == CHARGE_REPORTED
                and order.number in said):
            ticket = _TICKET_NUMBER.search(said)
            return int(ticket.group(1)) if ticket else None
    return None


def disputes_the_refund(text: str, order: Order) -> bool:
    """A refunded order whose amount the customer questions: in words ("why only", "should be …"),
    or, when it is short of what the return was worth, by naming another sum."""
    if order.refund_status != "refunded":
        return False
    if DISPUTES_THE_AMOUNT.search(text):
        return True
    return _short_by(order) > 0 and bool(sums_in(text) - {order.refund_amount_minor})


def sums_in(text: str) -> Set[int]:
    """The sums of money a message names, in cents ("23.80" → 2380, "10 euros" → 1000), not an
    order number's digits."""
    number = order_number(text)
    if number:
        text = re.sub(re.escape(number.removeprefix("OB-")), " ", text, flags=re.IGNORECASE)
    return {round(float(match.group(2).replace(",", ".")) * 100) for match in AMOUNT.finditer(text)
            if match.group(1) or match.group(3) or match.group(4)}  # "2 mugs" is no sum


def _short_by(order: Order) -> int:
    return max(order.refund_due_minor - order.refund_amount_minor, 0)


REFUND_TICKET = "refund amount disputed"


async def _a_ticket_for_the_amount(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order,
                                   text: str) -> List[Dict[Text, Any]]:
    """What was refunded against what the return was worth, an apology, and a ticket for the team
    to check it (one per order: said again, it is the same ticket), with a person offered. A refund
    that is not short is still checked, as the customer expected more."""
    if mentions_a_refund_email(text):
        say_no_refund_email(dispatcher, order, text)
    values = dict(number=order.number, amount=format_price(order.refund_amount_minor or 0, order.currency),
                  date=(order.refunded_at or "")[:10] or "recently")
    ours = {order.refund_amount_minor, order.refund_due_minor, _short_by(order)}
    if not _short_by(order) or sums_in(text) - ours:
        # not short, or the customer's sums are not ours ("paid 12.90" of a return worth €17.80): the
        # team checks it, without arguing over the figures
        return await ticket_with_an_offer(dispatcher, tracker, REFUND_TICKET, "utter_refund_amount_ticket",
                                          order=order.number, **values)
    return await ticket_with_an_offer(
        dispatcher, tracker, REFUND_TICKET, "utter_refund_short_ticket", order=order.number,
        if_open="utter_refund_short_ticket_open", due=format_price(order.refund_due_minor, order.currency),
        missing=format_price(_short_by(order), order.currency), **values)


async def answer_a_refund_dispute(dispatcher: CollectingDispatcher,
                                  tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "why only 23.80, where is the rest 11.90??" (out of scope to the NLU) right after a refund was
    talked about, or naming the refund: the same answer as a refund question disputing the amount
    (for action_fallback). None when it isn't about a refund, or no order of theirs was refunded."""
    text = tracker.latest_message.get("text") or ""
    disputes, sums = DISPUTES_THE_AMOUNT.search(text), sums_in(text)
    about = ABOUT_THE_REFUND.search(text) or _refund_talked_about(tracker)
    if not (disputes or sums) or not (about or (disputes and sums)):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order_or_last(requested_order_number(tracker),
                                                    usable=lambda o: o.refund_status == "refunded")
    except BackendError as error:
        logger.warning("refund lookup for a disputed amount failed: %s", error)
        return None
    if order is None or not disputes_the_refund(text, order):
        return None
    if not about and order.refund_amount_minor not in sums:
        return None  # "why only 2.50 off, where is the rest of the discount": no refund of theirs named
    return [SlotSet("order_id", order.number)] + await _a_ticket_for_the_amount(dispatcher, tracker, order, text)


# How many of the customer's latest messages a refund answer stays the subject for ("No, thanks" to the
# person offered, then "why only 23.80, where is the rest 16.80??": QA16 verify 8, out of scope).
_REFUND_TALK_TURNS = 3


def _refund_talked_about(tracker: Tracker) -> bool:
    """A refund answer ("utter_refund_…") among the bot's last few turns."""
    users = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users += 1
            if users > _REFUND_TALK_TURNS:
                return False
        elif event.get("event") == "bot" and str((event.get("metadata") or {}).get("utter_action") or "").startswith(
                "utter_refund_"):
            return True
    return False


def _has_refund(order: Order) -> bool:
    """Without a number, "where is my refund" means the newest order with a return or refund
    under way, not an order placed since."""
    return order.refund_status != "none"


def utter_refund(dispatcher: CollectingDispatcher, order: Order) -> None:
    if order.refund_status == "none":
        response = "utter_refund_cancelled" if order.status == "cancelled" else "utter_refund_none"
    else:
        response = f"utter_refund_{order.refund_status}"
    dispatcher.utter_message(
        response=response, number=order.number, status=status_words(order.status),
        total=format_price(order.total_minor, order.currency),
        amount=format_price(order.refund_amount_minor or order.refund_due_minor or order.total_minor,
                            order.currency),
        date=(order.refunded_at or "")[:10] or "recently")

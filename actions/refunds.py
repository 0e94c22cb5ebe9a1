"""Where is my refund: the order's refund status, amount and date, read from the backend's
`refund` of the order (by number, another chat's after the email or phone on it, as tracking asks;
else another chat's order just opened with them; else the customer's newest order with a refund
under way, else their last order)."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_questions import answer_about_the_cancel
from actions.order_forms import TARGET, status_words
from actions.orders import (REQUESTED, TASK, ask_for_the_contact, given_contact, order_checked_elsewhere,
                            leaves_the_check, requested_order_number, verified_with, while_a_form_waits)
from actions.parsing import format_price, order_number
from actions.returns import ITEMS, PENDING, refund_due
from actions.support import ticket_with_an_offer

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
        target = tracker.get_slot(TARGET)
        if tracker.get_slot(PENDING) == "return_order" and target and tracker.get_slot(ITEMS):
            # "how long does the refund take?" while the return waits for its yes: when, then ask on
            dispatcher.utter_message(
                response="utter_refund_after_return", number=target["number"],
                amount=format_price(refund_due(target, tracker.get_slot(ITEMS)), target["currency"]))
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
        if order.refund_status == "refunded" and DISPUTES_THE_AMOUNT.search(tracker.latest_message.get("text") or ""):
            # "i only got 20 euros back but paid 39.80": the team checks it (the same status line came back)
            return found + await ticket_with_an_offer(
                dispatcher, tracker, "refund amount disputed", "utter_refund_amount_ticket", number=order.number,
                amount=format_price(order.refund_amount_minor or 0, order.currency),
                date=(order.refunded_at or "")[:10] or "recently")
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


# A refund less than the customer expected: "only got 20 back", "where is the rest", "not the full amount".
DISPUTES_THE_AMOUNT = re.compile(r"(?i)\bonly (?:got|received|refunded|get|gave)\b|\bwhere(?:'s| is) the rest\b|"
                                 r"\b(?:not|wasn'?t|isn'?t) the (?:full|whole|right|correct) (?:amount|refund|sum)\b|"
                                 r"\b(?:partial|short|missing|less than)\b|\bwhy only\b")


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

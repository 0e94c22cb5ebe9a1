"""Returns and refunds: a return request for a delivered order (reason, confirmation, then
`POST /orders/{n}/return`), and where a refund is, read from the order's `refund`.

The backend returns whole orders only; a customer who sends back some items names them in the
reason, which staff read before marking the refund (its amount may be less than the total).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused
from actions.order_forms import TARGET, TargetOrderForm, events_clearing, status_words, total_of
from actions.orders import REQUESTED, TASK, requested_order_number
from actions.parsing import format_price

logger = logging.getLogger(__name__)
REASON = "return_reason"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, REASON, PENDING)


class ValidateReturnForm(TargetOrderForm):
    finds_order_by_product = True

    def name(self) -> Text:
        return "validate_return_form"

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        if order.returnable:
            return None
        if order.cancellable:  # not sent yet: cancelling is what they can do
            return "utter_return_not_delivered", {}
        response = {
            "shipped": "utter_return_not_arrived",
            "return_requested": "utter_return_already_requested",
            "returned": "utter_return_already_requested",
            "refunded": "utter_return_already_refunded",
            "cancelled": "utter_return_cancelled",
        }.get(order.status, "utter_return_not_possible")
        return response, {}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reason = " ".join(str(value or "").split())
        if len(reason) < 3:
            dispatcher.utter_message(response="utter_invalid_return_reason")
            return {REASON: None}
        return {REASON: reason[:500]}


class ActionConfirmReturn(Action):
    def name(self) -> Text:
        return "action_confirm_return"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, reason = tracker.get_slot(TARGET), tracker.get_slot(REASON)
        if not target or not reason:
            return events_clearing(FLOW_SLOTS)  # refused by the form, which said why
        dispatcher.utter_message(response="utter_confirm_return", number=target["number"],
                                 total=total_of(target), reason=reason)
        return [SlotSet(PENDING, "return_order")]


async def answer_return(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    target, reason = tracker.get_slot(TARGET) or {}, tracker.get_slot(REASON)
    number = target.get("number")
    if not affirmed:
        dispatcher.utter_message(response="utter_return_not_requested", number=number)
        return events_clearing(FLOW_SLOTS)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.request_return(number, reason)
    except Refused as refusal:
        dispatcher.utter_message(response="utter_return_refused", number=number, reason=refusal.detail)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: the user can say "yes" again
        logger.warning("return request for %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_return_requested", number=order.number,
                             total=format_price(order.total_minor, order.currency))
    return events_clearing(FLOW_SLOTS)


class ActionRefundStatus(Action):
    """"Where is my refund": the order's refund status, amount and date from the backend."""

    def name(self) -> Text:
        return "action_refund_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = requested_order_number(tracker)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                order = await backend.get_order_or_last(number)
        except NotFound:
            dispatcher.utter_message(response="utter_refund_order_not_found", number=number)
            return [SlotSet(REQUESTED, None), SlotSet(TASK, None)]
        except BackendError as error:
            logger.warning("refund lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if order is None:
            dispatcher.utter_message(response="utter_ask_refund_order_number")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "refund")]
        utter_refund(dispatcher, order)
        return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet("order_id", order.number)]


def utter_refund(dispatcher: CollectingDispatcher, order: Order) -> None:
    if order.refund_status == "none":
        response = "utter_refund_cancelled" if order.status == "cancelled" else "utter_refund_none"
    else:
        response = f"utter_refund_{order.refund_status}"
    dispatcher.utter_message(
        response=response, number=order.number, status=status_words(order.status),
        total=format_price(order.total_minor, order.currency),
        amount=format_price(order.refund_amount_minor or order.total_minor, order.currency),
        date=(order.refunded_at or "")[:10] or "recently")

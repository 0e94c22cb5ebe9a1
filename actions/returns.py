"""Returns and refunds: a return request for a delivered order (which items, why, confirmation,
then `POST /orders/{n}/return`), and where a refund is, read from the order's `refund`.

The items are asked only when there is a choice (more than one unit) and not already named
("I want to return the teapot"); sending everything back is sent without lines, so the backend
refunds shipping too.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused
from actions.form_answers import OTHER_REQUESTS, intent_of
from actions.order_forms import TARGET, TargetOrderForm, events_clearing, status_words
from actions.orders import REQUESTED, TASK, requested_order_number
from actions.parsing import format_price
from actions.return_items import ReturnChoice, choose_return_items, everything, is_whole_order

logger = logging.getLogger(__name__)
ITEMS = "return_items"
REASON = "return_reason"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, ITEMS, REASON, PENDING)


def items_text(items: List[Dict[str, Any]]) -> str:
    return ", ".join(f"{item['quantity']} × {item['name']}" for item in items)


def refund_due(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What the backend will refund: everything, shipping included, or the items' price."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


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

    def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The items too when there is no choice (one unit) or the request named them."""
        slots = super().validate_target_order(value, dispatcher, tracker, domain)
        target = slots.get(TARGET)
        if not target or tracker.get_slot(ITEMS):
            return slots
        lines = target["lines"]
        if sum(int(line["quantity"]) for line in lines) == 1:
            return {**slots, ITEMS: everything(lines)}
        named = choose_return_items(lines, tracker.latest_message.get("entities") or [],
                                    tracker.latest_message.get("text") or "")
        return {**slots, ITEMS: named.lines} if named.lines else slots

    async def extract_return_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        target = tracker.get_slot(TARGET)
        if tracker.get_slot("requested_slot") != ITEMS or not target or "lines" not in target:
            return {}
        choice = choose_return_items(target["lines"], tracker.latest_message.get("entities") or [],
                                     tracker.latest_message.get("text") or "")
        if choice.lines:
            return {ITEMS: choice.lines}
        if choice.problem == ("unclear",) and intent_of(tracker) in OTHER_REQUESTS - {"refund_return_request"}:
            return {}  # another request: its rule answers, then the form asks again
        self._explain(dispatcher, target, choice)
        return {ITEMS: None}

    @staticmethod
    def _explain(dispatcher: CollectingDispatcher, target: Dict[str, Any], choice: ReturnChoice) -> None:
        kind = choice.problem[0] if choice.problem else "unclear"
        values: Dict[str, Any] = {"number": target["number"]}
        if kind in ("ambiguous", "not_in_order"):
            values["name"] = choice.problem[1]
        elif kind == "too_many":
            values.update(name=choice.problem[1], ordered=choice.problem[2])
        dispatcher.utter_message(response=f"utter_return_items_{kind}", **values)

    def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {ITEMS: value if isinstance(value, list) and value else None}

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
        target, items = tracker.get_slot(TARGET), tracker.get_slot(ITEMS)
        reason = tracker.get_slot(REASON)
        if not target or not items or not reason:
            return events_clearing(FLOW_SLOTS)  # refused by the form, which said why
        whole = is_whole_order(items, target["lines"])
        dispatcher.utter_message(
            response="utter_confirm_return" if whole else "utter_confirm_return_items",
            number=target["number"], items=items_text(items), reason=reason,
            amount=format_price(refund_due(target, items), target["currency"]))
        return [SlotSet(PENDING, "return_order")]


class ActionAskReturnItems(Action):
    """Shows what the order holds and asks which of it goes back."""

    def name(self) -> Text:
        return "action_ask_return_items"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target = tracker.get_slot(TARGET) or {}
        lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines", []))
        dispatcher.utter_message(response="utter_ask_return_items", number=target.get("number", ""),
                                 lines=lines)
        return []


async def answer_return(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    target, reason = tracker.get_slot(TARGET) or {}, tracker.get_slot(REASON)
    items = tracker.get_slot(ITEMS) or []
    number = target.get("number")
    if not affirmed:
        dispatcher.utter_message(response="utter_return_not_requested", number=number)
        return events_clearing(FLOW_SLOTS)
    lines = None if is_whole_order(items, target.get("lines") or []) else items
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.request_return(number, reason, lines)
    except Refused as refusal:
        dispatcher.utter_message(response="utter_return_refused", number=number, reason=refusal.detail)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: the user can say "yes" again
        logger.warning("return request for %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_return_requested", number=order.number,
                             items=items_text(order.returning()),
                             amount=format_price(order.refund_due_minor, order.currency))
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
        amount=format_price(order.refund_amount_minor or order.refund_due_minor or order.total_minor,
                            order.currency),
        date=(order.refunded_at or "")[:10] or "recently")

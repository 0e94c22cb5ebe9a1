"""What the forms that act on an existing order share: finding that order and checking its state.

`target_order` holds a small view of the order the form acts on: {"number", "status", "currency",
"total_minor", "lines": [{"sku", "name", "quantity", "unit_price_minor"}], "address"}. It is
taken from the message's order number, else the order the conversation was about (`order_id`),
else the customer's last order; asked for when there is none. An order the form may not act on
is refused right away with the reason, and the form ends (`requested_slot` None) without asking more.
"""
from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.orders import entity_values, named_skus
from actions.parsing import format_price, order_number, within_address

logger = logging.getLogger(__name__)
TARGET = "target_order"
CHANGES = "order_changes"  # an item change's new lines (actions/change_order.py)
# "add a teapot" when several match: the change waits for "which teapot?" to be answered,
# {"text", "entities", "index": the ambiguous product entity's, "options": [{"sku", "name"}]}.
CHOICE = "order_change_choice"
# Slots of the flows on an existing order; a finished flow and "stop" clear them.
CHANGE_SLOTS = (TARGET, CHANGES, CHOICE, "new_shipping_address", "return_items", "return_reason")
# What extraction gives for an order the form can't act on (it has said why); validation then
# ends the form: only validation may set slots other than the one it validates.
REFUSED = {"refused": True}
ENDED = {TARGET: None, "requested_slot": None}


def order_view(order: Order) -> Dict[str, Any]:
    return {"number": order.number, "status": order.status, "currency": order.currency,
            "total_minor": order.total_minor, "address": order.shipping_address,
            "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                       "unit_price_minor": line.unit_price_minor} for line in order.lines]}


def status_words(status: str) -> str:
    return status.replace("_", " ")


def total_of(view: Dict[str, Any]) -> str:
    return format_price(int(view["total_minor"]), view["currency"])


class TargetOrderForm(FormValidationAction):
    """Base of the validation actions of change_order_form, change_address_form and return_form."""

    # A product named on activation picks the order holding it ("return the tea"); not where the
    # product is what changes ("add a french press to my order" means the last order).
    finds_order_by_product = False

    def order_skus(self, tracker: Tracker) -> List[str]:
        """The products whose order the message means (see finds_order_by_product)."""
        return named_skus(tracker) if self.finds_order_by_product else []

    # Which orders the form can act on, if not only the last: without a number, the newest of
    # them is meant ("return my order" after ordering again means the delivered one).
    usable: Optional[Callable[[Order], bool]] = None

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>"""

    @abstractmethod
    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        """The response (and its values) that says why this form can't act on `order`, or None."""

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        if tracker.get_slot(TARGET) or requested not in (None, TARGET):
            return {}
        text = tracker.latest_message.get("text") or ""
        # "change the address of OB-7C5FXG94 to …, 11143 Stockholm, Sweden": the number that isn't the postcode
        number = next((number for number in map(order_number, entity_values(tracker, "order_id", "order_number"))
                       if number and not within_address(number, text)), None)
        if number is None and requested == TARGET:
            number = order_number(text)
            if number is None:
                return {}  # not an answer: the form's rules may reply, then it asks again
        skus = self.order_skus(tracker)
        talked_about = number is None and not skus
        if talked_about:  # activation: the order talked about, else the last one
            number = order_number(tracker.get_slot("order_id"))
        try:
            async with BackendClient(tracker.sender_id) as backend:
                order = await backend.get_order_or_last(number, skus, self.usable)
                if number and talked_about and order is not None and self.usable and not self.usable(order):
                    # "send the rest back too" after cancelling another order: the one it can act on
                    order = await backend.get_order_or_last(None, skus, self.usable)
        except NotFound:
            dispatcher.utter_message(response="utter_change_order_not_found", number=number)
            return {TARGET: REFUSED}
        except BackendError as error:
            logger.warning("order lookup for %s failed: %s", self.name(), error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {TARGET: REFUSED}
        if order is None:
            return {}  # no orders on this chat: the form asks for the number
        refused = self.refusal(order)
        if refused is not None:
            response, values = refused
            dispatcher.utter_message(response=response, number=order.number,
                                     status=status_words(order.status), **values)
            return {TARGET: REFUSED}
        return {TARGET: order_view(order)}

    def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not isinstance(value, dict) or value == REFUSED:
            return dict(ENDED)
        return {TARGET: value}


def not_editable(order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
    """Items and address change only before shipping (the backend's `editable`)."""
    if order.editable:
        return None
    if order.status in ("shipped", "delivered"):
        return "utter_order_locked_shipped", {}
    return "utter_order_locked", {}


def events_clearing(slots: Tuple[str, ...]) -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in slots]

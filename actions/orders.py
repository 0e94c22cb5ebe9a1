"""Track an order: the customer's own (by number or their last one), or anyone's after verification."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.parsing import contact_detail, format_price, order_number

logger = logging.getLogger(__name__)
REQUESTED = "requested_info"
# Which order task a bare answer ("1042") continues: tracking or cancelling.
TASK = "order_task"


def latest_entity(tracker: Tracker, *names: str) -> Optional[str]:
    for name in names:
        value = next(tracker.get_latest_entity_values(name), None)
        if value:
            return str(value)
    return None


def requested_order_number(tracker: Tracker) -> Optional[str]:
    """The order number in the latest message, or the one asked for a moment ago."""
    requested = tracker.get_slot(REQUESTED)
    text = tracker.latest_message.get("text") or ""
    return (
        order_number(latest_entity(tracker, "order_id"))
        or (order_number(text) if requested == "order_id" else None)
        or (order_number(tracker.get_slot("order_id")) if requested == "contact" else None)
    )


def utter_order_status(dispatcher: CollectingDispatcher, order: Order) -> None:
    """One response per status, so the wording lives in the domain."""
    dispatcher.utter_message(
        response=f"utter_order_status_{order.status}",
        number=order.number,
        total=format_price(order.total_minor, order.currency),
        carrier=order.carrier or "our carrier",
        tracking_number=order.tracking_number or "not yet available",
        estimated_delivery=order.estimated_delivery or "soon",
    )


class ActionTrackOrder(Action):
    def name(self) -> Text:
        return "action_track_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = requested_order_number(tracker)
        contact = None
        if tracker.get_slot(REQUESTED) == "contact":
            text = tracker.latest_message.get("text") or ""
            contact = contact_detail(latest_entity(tracker, "email", "phone")) or contact_detail(text)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                if number is None:
                    return await self._last_order(dispatcher, backend)
                return await self._order_by_number(dispatcher, backend, number, contact)
        except BackendError as error:
            logger.warning("order lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []

    @staticmethod
    async def _last_order(dispatcher: CollectingDispatcher, backend: BackendClient) -> List[Dict[Text, Any]]:
        order = await backend.get_last_order()
        if order is None:
            dispatcher.utter_message(response="utter_ask_order_number")
            return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "track")]
        utter_order_status(dispatcher, order)
        dispatcher.utter_message(response="utter_other_order_hint")
        return [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)]

    @staticmethod
    async def _order_by_number(
        dispatcher: CollectingDispatcher, backend: BackendClient, number: str, contact: Optional[str]
    ) -> List[Dict[Text, Any]]:
        try:
            order = await backend.get_order(number, contact)
        except NotFound:
            if contact:
                dispatcher.utter_message(response="utter_order_not_verified", number=number)
                return [SlotSet(REQUESTED, None), SlotSet("order_id", None), SlotSet("contact", None)]
            dispatcher.utter_message(response="utter_ask_order_contact", number=number)
            return [SlotSet(REQUESTED, "contact"), SlotSet("order_id", number), SlotSet(TASK, "track")]
        utter_order_status(dispatcher, order)
        return [SlotSet(REQUESTED, None), SlotSet("order_id", order.number)]

"""Change the shipping address of an order: the form finds the order and collects the new address
(read like the order form reads one), the change is shown and confirmed, then
`PUT /orders/{n}/address`. Refused once the order has shipped (the backend's `editable`).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Invalid, Order, Refused
from actions.change_order import said_why_locked
from actions.form_answers import answer_before_a_correction, free_text_answer
from actions.order_forms import TARGET, TargetOrderForm, events_clearing, not_editable
from actions.order_slots import ADDRESS, PENDING_ORDER
from actions.parsing import complete_address, format_address, is_address, looks_like_address, parse_address
from actions.place_order import ActionPlaceOrder

logger = logging.getLogger(__name__)
NEW_ADDRESS = "new_shipping_address"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, NEW_ADDRESS, PENDING)


class ValidateChangeAddressForm(TargetOrderForm):
    finds_order_by_product = True  # "the address of the grinder order": the order holding it

    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return order.editable

    def name(self) -> Text:
        return "validate_change_address_form"

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        return not_editable(order)

    async def extract_new_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") is None and looks_like_address(text):
            return {NEW_ADDRESS: text}  # "change the address to Ada Lovelace, ...": no need to ask
        return free_text_answer(tracker, NEW_ADDRESS, is_address, "change_shipping_address")

    def validate_new_shipping_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, dict):
            return {NEW_ADDRESS: value}
        # "… to 5 Avenue Foch, 75116 Paris, France": the name on the order stays
        name = ((tracker.get_slot(TARGET) or {}).get("address") or {}).get("name")
        address, problem = parse_address(str(value or ""), name=name)
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_") if address is None else None
        address = address or (complete_address(earlier, str(value or ""), name=name) if earlier else None)
        if address is None:
            dispatcher.utter_message(response=f"utter_invalid_address_{problem}")
            return {NEW_ADDRESS: None}
        return {NEW_ADDRESS: address}


class ActionConfirmAddressChange(Action):
    """The filled form: the old and the new address, and "shall I change it?"."""

    def name(self) -> Text:
        return "action_confirm_address_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, address = tracker.get_slot(TARGET), tracker.get_slot(NEW_ADDRESS)
        if not target or not address:
            return events_clearing(FLOW_SLOTS)  # refused by the form, which said why
        if target["number"] == tracker.get_slot(PENDING_ORDER) and tracker.get_slot(PENDING) == "place_order":
            # The order still at its summary ("actually send it to …"): that summary again with the
            # new address, one question instead of two.
            tracker.slots[ADDRESS] = address
            return (events_clearing((TARGET, NEW_ADDRESS)) + [SlotSet(ADDRESS, address)]
                    + await ActionPlaceOrder().run(dispatcher, tracker, domain))
        dispatcher.utter_message(response="utter_confirm_address_change", number=target["number"],
                                 old_address=format_address(target.get("address") or {}) or "none",
                                 new_address=format_address(address))
        return [SlotSet(PENDING, "change_address")]


async def answer_change_address(dispatcher: CollectingDispatcher, tracker: Tracker,
                                affirmed: bool) -> List[Dict[Text, Any]]:
    target, address = tracker.get_slot(TARGET) or {}, tracker.get_slot(NEW_ADDRESS)
    number = target.get("number")
    if not affirmed:
        dispatcher.utter_message(response="utter_address_change_kept", number=number)
        return events_clearing(FLOW_SLOTS)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.change_address(number, address)
    except (Refused, Invalid) as refusal:
        if not (isinstance(refusal, Refused) and await said_why_locked(dispatcher, tracker, number)):
            dispatcher.utter_message(response="utter_address_change_refused", number=number, reason=refusal.detail)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: "yes" again retries (a PUT is safe to repeat)
        logger.warning("changing the address of %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_address_changed", number=order.number,
                             address=format_address(order.shipping_address or address))
    return events_clearing(FLOW_SLOTS)


async def another_address_at_the_question(dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: Dict[Text, Any], text: str) -> List[Dict[Text, Any]]:
    """Another address said at "shall I change the address to …?": that one is asked about
    instead, or what is wrong with it is said (the question stays open)."""
    name = ((tracker.get_slot(TARGET) or {}).get("address") or {}).get("name")
    address, problem = parse_address(text, name=name)
    if address is None:
        dispatcher.utter_message(response=f"utter_invalid_address_{problem}")
        return []
    tracker.slots[NEW_ADDRESS] = address
    return [SlotSet(NEW_ADDRESS, address)] + await ActionConfirmAddressChange().run(dispatcher, tracker, domain)

"""Place an order, part 2: the filled order form becomes a pending order, shown for confirmation.

The order is created `pending` (stock reserved) with one Idempotency-Key per attempt, kept in a
slot: a retry after a timeout or an outage returns the same order instead of a second one. The
yes/no answer is handled by ActionAnswerConfirmation (actions/cancel.py): confirm or cancel. An
order not confirmed in time lapses (actions/order_hold.py): a later answer hears so, and a "yes"
gets the same items as a new order.
"""
from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Invalid, Order, Refused
from actions.order_slots import ADDRESS, ALTERNATIVES, CONTACT, DRAFT, ITEMS, KEY, ORDER_SLOTS, PENDING_ORDER
from actions.form_answers import intent_of, last_utterance
from actions.more_questions import answer_the_other_questions, asks_when_it_arrives
from actions.order_hold import lapsed
from actions.order_address import address_of
from actions.parsing import contact_parts, format_address, format_price, joined_contact, yes_then_a_question
from actions.short_stock import say_short_stock

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"


def order_summary(order: Order) -> Dict[str, str]:
    lines = "\n".join(
        f"• {line.quantity} × {line.name}: {format_price(line.line_total_minor, order.currency)}"
        for line in order.lines)
    return {"number": order.number, "lines": lines,
            "subtotal": format_price(order.subtotal_minor, order.currency),
            "shipping": format_price(order.shipping_minor, order.currency),
            "total": format_price(order.total_minor, order.currency),
            "address": format_address(order.shipping_address or {}) or "none",
            "contact": joined_contact(order.contact_email, order.contact_phone) or "none"}


class ActionPlaceOrder(Action):
    """Creates the pending order from the form's slots and asks the user to confirm it."""

    def name(self) -> Text:
        return "action_place_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        items = tracker.get_slot(ITEMS) or []
        contact = tracker.get_slot(CONTACT) or ""
        replaced = tracker.get_slot(PENDING_ORDER)
        # A key is reused only to retry a creation that got no answer. An order already created and
        # then edited at its summary ("add a teapot too") is changed in place; where it can't be
        # (it expired, or the contact changed) a new one is made with a new key and the first,
        # still unconfirmed, is cancelled so its stock comes back.
        key = (None if replaced else tracker.get_slot(KEY)) or uuid.uuid4().hex
        lines = [{"sku": item["sku"], "quantity": int(item["quantity"])} for item in items]
        address = tracker.get_slot(ADDRESS)
        gone: List[Dict[Text, Any]] = []  # the replaced order, once cancelled, is forgotten
        try:
            async with BackendClient(tracker.sender_id) as backend:
                try:
                    order = await _edited_in_place(backend, replaced, lines, address, contact) if replaced else None
                    if order is None:
                        if replaced:
                            await _cancel_replaced(backend, replaced)
                            gone = [SlotSet(PENDING_ORDER, None)]
                        order = await backend.create_order(lines, address, *contact_parts(contact), key)
                except Refused as refusal:
                    if refusal.code != "insufficient_stock":
                        raise
                    return gone + await self._short_stock(dispatcher, backend, items, refusal)
        except Invalid as invalid:
            logger.info("order refused as invalid: %s", invalid.detail)
            dispatcher.utter_message(response="utter_order_invalid", reason=invalid.detail)
            return gone + [SlotSet(ADDRESS, None), SlotSet(KEY, None), FollowupAction("order_form")]
        except Refused as refusal:
            dispatcher.utter_message(response="utter_order_invalid", reason=refusal.detail)
            return gone + [SlotSet(KEY, None)]
        except BackendError as error:
            logger.warning("order creation failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            dispatcher.utter_message(response="utter_order_retry_hint")
            return gone + [SlotSet(KEY, key)]  # the form's slots stay; a retry reuses the key
        dispatcher.utter_message(response="utter_confirm_order", **order_summary(order))
        return [SlotSet(KEY, key), SlotSet(PENDING_ORDER, order.number), SlotSet(PENDING, "place_order")]

    @staticmethod
    async def _short_stock(
        dispatcher: CollectingDispatcher, backend: BackendClient, items: List[Dict[str, Any]], refusal: Refused
    ) -> List[Dict[Text, Any]]:
        """Says what is short with the available amount and alternatives (kept, so that "the blue
        ones then" can pick one), then asks for items again."""
        draft = [dict(item) for item in items]
        short = {entry["sku"]: int(entry["available"]) for entry in refusal.items}
        offered = await say_short_stock(dispatcher, backend, draft, short)
        return [SlotSet(ITEMS, None), SlotSet(DRAFT, draft), SlotSet(KEY, None),
                SlotSet(ALTERNATIVES, offered), FollowupAction("order_form")]


def _filled(address: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in (address or {}).items() if value}


async def _edited_in_place(backend: BackendClient, number: str, lines: List[Dict[str, Any]],
                           address: Dict[str, Any], contact: str) -> Optional[Order]:
    """The unconfirmed order changed to the edited summary: same number, nothing cancelled (a
    cancellation would count in the shop's reports). None when it is no longer pending or its
    contact lost a part (the backend replaces an email or phone, never clears one)."""
    order = await backend.get_order(number)
    email, phone = contact_parts(contact)
    if order.status != "pending" or (order.contact_email and not email) or (order.contact_phone and not phone):
        return None
    if joined_contact(order.contact_email, order.contact_phone) != contact:
        given = {"contact_email": email, "contact_phone": phone}
        order = await backend.change_contact(number, {key: value for key, value in given.items() if value})
    if sorted((line.sku, line.quantity) for line in order.lines) != sorted(
            (line["sku"], line["quantity"]) for line in lines):
        order = await backend.change_items(number, lines)
    if _filled(order.shipping_address) != _filled(address):
        order = await backend.change_address(number, address)
    return order


async def _cancel_replaced(backend: BackendClient, number: str) -> None:
    try:
        await backend.cancel_order(number, reason="replaced by an edited order in chat")
    except Refused as refusal:  # confirmed or expired meanwhile: nothing to release
        logger.info("not cancelling the replaced order %s: %s", number, refusal.detail)


def _finished() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in ORDER_SLOTS + (PENDING,)]


# "yes but without the caddy", "ok yes, except the infuser": a yes that asks for a change first.
_YES_WITH_A_CHANGE = re.compile(r"(?i)\b(?:but|without|except|minus|apart from|other than|instead|remove|take out|"
                                r"leave out|drop|no more(?!\s+changes?\b)|don'?t (?:add|include|want|need))\b")


async def answer_place_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """"yes" confirms the pending order and gives its number; "no" cancels it, releasing the stock.
    A yes with a change in it places nothing: the order form makes the change, or it is asked for
    (the order had been placed with the item the customer said to leave out)."""
    number = tracker.get_slot(PENDING_ORDER)
    affirmed = intent_of(tracker) == "affirm"
    if affirmed and last_utterance(tracker) == "utter_what_to_change_first":
        # "yes" to "What should I change first?" changes nothing and places nothing: the summary again
        return await ask_to_place_again(dispatcher, tracker, number)
    waiting = next((item for item in tracker.get_slot(DRAFT) or [] if not item.get("sku")), None)
    if affirmed and waiting is not None:
        # "yes place the order" while "which kettle?" waits (it had been placed without the kettle):
        # the order form says the kettle comes first and asks which
        return [FollowupAction("order_form")]
    if affirmed and _YES_WITH_A_CHANGE.search(tracker.latest_message.get("text") or ""):
        if any(e.get("entity") == "product" for e in tracker.latest_message.get("entities") or []):
            return [FollowupAction("order_form")]
        dispatcher.utter_message(response="utter_what_to_change_first")
        return []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            if affirmed:
                order = await backend.confirm_order(number)
            else:
                order = await backend.cancel_order(number, reason="not confirmed in chat")
    except Refused as refusal:
        unplaced = await _lapsed_order(tracker, number)
        if unplaced is not None:  # lapsed: said so, not as "'cancelled' cannot become 'confirmed'"
            return await _answer_after_the_lapse(dispatcher, tracker, unplaced, affirmed)
        dispatcher.utter_message(response="utter_order_confirm_refused", number=number, reason=refusal.detail)
        return _finished()
    except BackendError as error:
        logger.warning("answering the order confirmation failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []  # still pending: the user can answer again
    if affirmed:
        dispatcher.utter_message(response="utter_order_placed", number=order.number,
                                 total=format_price(order.total_minor, order.currency))
        answer_what_the_yes_asks(dispatcher, tracker.latest_message.get("text") or "")
    else:
        dispatcher.utter_message(response="utter_order_not_placed")
    return _finished()


def answer_what_the_yes_asks(dispatcher: CollectingDispatcher, text: str) -> None:
    """ "yes go ahead, when will it get here?": after the order is placed, when it comes (the shop's
    delivery times) and any other shop question asked with the yes (verify QA: placed, the
    question left unanswered)."""
    question = yes_then_a_question(text)
    if question is None:
        return
    answered = None
    if asks_when_it_arrives(question):
        dispatcher.utter_message(response="utter_delivery_time")
        answered = "utter_delivery_time"
    answer_the_other_questions(dispatcher, question, answered)


async def _lapsed_order(tracker: Tracker, number: str) -> Optional[Order]:
    """The order, if it lapsed unplaced (the backend released it after its hold); else None."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(number)
    except BackendError as error:
        logger.warning("reading the refused order %s failed: %s", number, error)
        return None
    return order if lapsed(order) else None


async def _answer_after_the_lapse(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order,
                                  affirmed: bool) -> List[Dict[Text, Any]]:
    """"no" to an order that lapsed meanwhile leaves it so; "yes" hears that it lapsed and gets the
    same items, to the same address, as a new order, whose summary asks again (nothing is placed
    without that yes; the released stock may be gone: the new order says)."""
    if not affirmed:
        dispatcher.utter_message(response="utter_order_not_placed")
        return _finished()
    dispatcher.utter_message(response="utter_order_lapsed", number=order.number)
    return [SlotSet(PENDING, None)] + await order_the_same_again(dispatcher, tracker, order)


async def order_the_same_again(dispatcher: CollectingDispatcher, tracker: Tracker,
                               order: Order) -> List[Dict[Text, Any]]:
    """The items and address of `order` (cancelled, or lapsed) as a new order, whose summary asks
    "Shall I place it?": neither that order nor its key may be reused for it."""
    slots = order_form_slots(order) + [SlotSet(PENDING_ORDER, None), SlotSet(KEY, None)]
    tracker.slots.update({event["name"]: event["value"] for event in slots})
    return slots + await ActionPlaceOrder().run(dispatcher, tracker, {})


async def ask_to_place_again(dispatcher: CollectingDispatcher, tracker: Tracker, number: str) -> List[Dict[Text, Any]]:
    """The summary of the order still waiting for its "yes", and the question again; [] when it no
    longer waits (confirmed, expired) or can't be read."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(number)
    except BackendError as error:
        logger.warning("reading the unplaced order %s failed: %s", number, error)
        return []
    if order.status != "pending":
        return []
    dispatcher.utter_message(response="utter_confirm_order", **order_summary(order))
    return [SlotSet(PENDING, "place_order"), *order_form_slots(order)]


def order_form_slots(order: Order) -> List[Dict[Text, Any]]:
    """The order form's slots as the changed order now is: a later edit at the summary ("add a
    grinder too") builds the replacing order from them, and must not bring back the old address."""
    items = [{"sku": line.sku, "name": line.name, "quantity": line.quantity, "candidates": []}
             for line in order.lines]
    return [SlotSet(ITEMS, items), SlotSet(DRAFT, items), SlotSet(ADDRESS, address_of(order) or None),
            SlotSet(CONTACT, joined_contact(order.contact_email, order.contact_phone))]

"""The customer's order a cancel request means, found in the backend and asked about, or said why it can't be cancelled."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_items import items_out_of_an_order, propose_without
from actions.cancel_questions import PENDING, answer_a_shop_cancel
from actions.cancel_refusals import ask_confirmation, clear_the_cancel, refuse, say_why_not
from actions.cancel_request import CancelRequest
from actions.order_wording import ORDINAL, ORDINALS, of_category
from actions.orders import REQUESTED, TASK
from actions.parsing import format_price
from actions.support import end_active_form

logger = logging.getLogger(__name__)

# Orders past cancelling that "cancel all my orders" names, and at most how many.
PAST_CANCELLING, AT_MOST_NAMED = ("shipped", "delivered"), 4


@dataclass
class _Found:
    """What the backend told of the order a cancel means."""
    order: Optional[Order] = None
    others: List[Order] = field(default_factory=list)  # the others still cancellable, named beside it
    past: List[Order] = field(default_factory=list)  # those past cancelling, each said why ("cancel all")
    answered: Optional[List[Dict[Text, Any]]] = None  # already asked about: items out, "which one?"


async def ask_about_the_order_meant(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                    request: CancelRequest) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order …?" about the order the request means; why not, for one past
    cancelling; its number asked for when there is none to tell."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            found = await _find(dispatcher, tracker, backend, request)
    except NotFound:
        dispatcher.utter_message(response="utter_cancel_order_not_found", number=request.number)
        return clear_the_cancel()
    except BackendError as error:
        logger.warning("cancel lookup failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if found.answered is not None:
        return found.answered
    return await _ask_or_say_why_not(dispatcher, tracker, domain, request, found)


async def _find(dispatcher: CollectingDispatcher, tracker: Tracker, backend: BackendClient,
                request: CancelRequest) -> _Found:
    """The order meant (its number set on `request` once items tell it), or the question already
    asked when items of an order, or which of several, are what the request is about."""
    whole_order = request.other_than is None and not request.offered and not request.all_of_them \
        and not request.earliest
    out = await items_out_of_an_order(tracker, backend, request.number) if whole_order else None
    if out is not None and out.left:
        # "cancel the filters from it", "cancel the mugs from my order, keep the rest": a change
        # taking them out, not the whole order's cancel
        return _Found(answered=request.forgotten + await propose_without(dispatcher, tracker, out)
                      + end_active_form(tracker))
    if out is not None:  # "cancel the mugs and the press from my order": all it holds
        request.number = out.order.number
    if request.number is None and request.other_than is None and (request.skus or request.categories
                                                                  or request.offered):
        # "cancel the mug order", "the one with the red mugs" to "which one?"
        return _Found(answered=request.forgotten + await _the_order_holding(
            dispatcher, tracker, backend, request.skus, request.categories, request.offered))
    # without a number: the newest order that can still be cancelled ("the other one": not the
    # order just talked about)
    if request.earliest and not request.skus:
        order = await _the_oldest_cancellable(backend)
    else:
        order = await backend.get_order_or_last(
            request.number, request.skus, usable=lambda order: order.cancellable and order.number != request.other_than)
    newest_of = request.number is None and request.other_than is None and not request.all_of_them \
        and not request.earliest
    others = await _also_cancellable(backend, order) if newest_of else []
    # "cancel all my orders": the ones past cancelling are named too, with why
    past = await _past_cancelling(backend) if request.all_of_them and request.number is None and not request.skus \
        else []
    return _Found(order, others, past)


async def _ask_or_say_why_not(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                              request: CancelRequest, found: _Found) -> List[Dict[Text, Any]]:
    """The order found asked about (the others open named beside it), or why it can't be cancelled."""
    order = found.order
    if request.other_than is not None and order is not None and order.number == request.other_than:
        dispatcher.utter_message(response="utter_no_other_cancellable")
        return clear_the_cancel()
    if order is None:
        return _no_order_to_cancel(dispatcher, tracker)
    for refused in found.past:
        say_why_not(dispatcher, refused)
    if not order.cancellable:
        if found.past:  # none of them can be cancelled any more: each was said so
            return request.forgotten + clear_the_cancel() + [SlotSet("order_id", found.past[0].number)]
        # "why was it cancelled?", "i didnt cancel it!": the shop's cancel said, not "already cancelled"
        by_the_shop = await answer_a_shop_cancel(dispatcher, tracker, domain, order)
        return request.forgotten + (by_the_shop if by_the_shop is not None else refuse(dispatcher, order))
    if found.others:  # "cancel my order" with more than one open: which one is asked about, and the others
        dispatcher.utter_message(response="utter_cancel_newest_of_several", orders=_order_lines(found.others))
    # its yes must reach us, not the form
    return request.forgotten + ask_confirmation(dispatcher, order) + end_active_form(tracker)


def _no_order_to_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """No order on this chat to cancel: right after the order at its summary was not placed, that
    nothing was placed, so nothing is to cancel (QA16: "Which order would you like to cancel?"
    asked for a number there is none of); else its number asked for, once (a form waiting for an
    answer ends: it had asked its own question under it)."""
    if _declined_in_this_chat(tracker):
        dispatcher.utter_message(response="utter_cancel_nothing_placed")
        return clear_the_cancel() + end_active_form(tracker)
    dispatcher.utter_message(response="utter_ask_cancel_order_number")
    return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "cancel"), SlotSet(PENDING, None)] + end_active_form(tracker)


def _declined_in_this_chat(tracker: Tracker) -> bool:
    """An order was shown at its summary in this chat and not placed ("No" released it)."""
    return any(event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in (
        "utter_order_not_placed", "utter_order_left_goodbye") for event in tracker.events or [])


async def _the_order_holding(dispatcher: CollectingDispatcher, tracker: Tracker, backend: BackendClient,
                             skus: List[str], categories: List[str], offered: List[str]) -> List[Dict[Text, Any]]:
    """The one order holding what was named that can still be cancelled, asked about; with several,
    which one is asked (naming them); with none holding it, that is said (naming the orders there
    are). Answering "which one?", among the orders it named: "the second one", "the red mug one"."""
    text = tracker.latest_message.get("text") or ""
    orders = await backend.list_orders()
    if offered:
        orders = sorted((o for o in orders if o.number in offered), key=lambda o: offered.index(o.number))
        ordinal = ORDINAL.search(text)
        index = ORDINALS[ordinal.group(1).lower()] if ordinal else None
        if index is not None and orders:
            orders = [orders[index] if -len(orders) <= index < len(orders) else orders[-1]]
    holding = [order for order in orders if _holds(order, skus, categories)] if skus or categories else orders
    holding.sort(key=lambda order: order.status in ("cancelled", "expired"))  # stable: newest first
    asking = [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "cancel"), SlotSet(PENDING, None)]
    listed = [order for order in orders if order.status not in ("cancelled", "expired")] or orders
    if not orders:
        dispatcher.utter_message(response="utter_ask_cancel_order_number")
        return asking
    if not holding:  # "cancel the french press order" with none: not some other order instead
        name = next((str(e.get("value")) for e in tracker.latest_message.get("entities") or []
                     if e.get("entity") in ("product", "category")), "that")
        dispatcher.utter_message(response="utter_cancel_no_order_holds", name=name, orders=_order_lines(listed))
        return asking
    open_ones = [order for order in holding if order.cancellable]
    if len(open_ones) > 1:
        dispatcher.utter_message(response="utter_cancel_which_order", orders=_order_lines(open_ones))
        return asking
    if not open_ones:
        return refuse(dispatcher, holding[0])
    return ask_confirmation(dispatcher, open_ones[0]) + end_active_form(tracker)


def _holds(order: Order, skus: List[str], categories: List[str]) -> bool:
    return any(line.sku in skus or any(of_category(line.name, category) for category in categories)
               for line in order.lines)


def _order_lines(orders: List[Order]) -> str:
    """ "• OB-…: 2 × Ceramic Mug Red (€30.70) – confirmed" per order, newest first."""
    def line(order: Order) -> str:
        items = ", ".join(f"{item.quantity} × {item.name}" for item in order.lines)
        total, status = format_price(order.total_minor, order.currency), order.status.replace("_", " ")
        return f"• {order.number}: {items} ({total}) – {status}"
    return "\n".join(line(order) for order in orders[:6])


async def _the_oldest_cancellable(backend: BackendClient) -> Optional[Order]:
    """The customer's oldest order that can still be cancelled; else their last one (said why not)."""
    orders = await backend.list_orders()
    return next((order for order in reversed(orders) if order.cancellable), orders[0] if orders else None)


async def _also_cancellable(backend: BackendClient, order: Optional[Order]) -> List[Order]:
    """The customer's other orders that can still be cancelled, besides the newest one asked about."""
    if order is None or not order.cancellable:
        return []
    return [other for other in await backend.list_orders() if other.cancellable and other.number != order.number]


async def _past_cancelling(backend: BackendClient) -> List[Order]:
    """The customer's orders on their way or delivered, which "cancel all" can't cancel (newest first)."""
    orders = await backend.list_orders()
    return [order for order in orders if order.status in PAST_CANCELLING and not order.cancellable][:AT_MOST_NAMED]

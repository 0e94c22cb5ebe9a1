"""The return form's order: which order the return is for, whether it may go back, and what was said with it."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Order
from actions.order_forms import CHANGES, ENDED, TARGET, TargetOrderForm, events_clearing, order_view, status_words
from actions.orders import named_skus
from actions.return_form_items import explain_the_choice
from actions.return_form_reason import reason_said, reason_said_before, sorry_for_the_fault
from actions.return_items import choose_from_message, everything, is_whole_order, items_text
from actions.return_reasons import never_arrived
from actions.return_state import (FLOW_SLOTS, ITEMS, PENDING, REASON, entities_of, return_under_way, stop_the_form,
                                  text_of)
from actions.support import ticket_with_an_offer

logger = logging.getLogger(__name__)
# "(it's {status})" of utter_return_already_requested: "(it's returned)" read oddly (t2 QA m14).
RETURN_STATES = {"return_requested": "waiting for the items to reach us",
                 "returned": "back with us, and its refund is being processed"}
# The form's question for the order; asked again after one unrelated answer, but not under each (QA).
WHICH_ORDER_ASKED = "utter_ask_target_order"
NOT_RECEIVED_TICKET = "delivered order not received"  # as support.py's "yes" to the tracking offer names it


def may_go_back(order: Order) -> bool:
    """Delivered, or its return on the way (more joins it)."""
    return order.returnable or order.adds_to_return


def return_state_words(status: str) -> str:
    return RETURN_STATES.get(status, status_words(status))


def refusal_for(status: str) -> str:
    """Why an order in `status` can't go back, in the shop's words: not sent yet (cancelling is
    what the customer can do), on its way, already returned, refunded or cancelled."""
    if status in ("pending", "confirmed", "processing"):
        return "utter_return_not_delivered"
    return {
        "shipped": "utter_return_not_arrived",
        "return_requested": "utter_return_already_requested",
        "returned": "utter_return_already_requested",
        "refunded": "utter_return_already_refunded",
        "cancelled": "utter_return_cancelled",
    }.get(status, "utter_return_not_possible")


def refused(dispatcher: CollectingDispatcher, number: str, status: str) -> List[Dict[Text, Any]]:
    """Why the order can't go back, in the shop's words; "I can cancel it instead" for one not sent
    yet leaves that question open, so its "yes" asks to cancel it (as the form's refusal does)."""
    response = refusal_for(status)
    dispatcher.utter_message(response=response, number=number, status=return_state_words(status))
    if response == "utter_return_not_delivered":
        return events_clearing((TARGET, ITEMS, REASON)) + [SlotSet(PENDING, "cancel_order"), SlotSet("order_id", number)]
    return events_clearing(FLOW_SLOTS)


def asked_which_order_enough(tracker: Tracker) -> bool:
    """The return form is back after another side answer while "Which order is it?" waits, and has
    asked it again once already since it started: the customer has moved on, so it ends quietly."""
    if tracker.get_slot("requested_slot") != TARGET or tracker.get_slot(TARGET):
        return False
    asked, answered_since = 0, False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "active_loop" and event.get("name") == "return_form":
            break  # the form's start
        if kind == "user" and asked == 0 and not answered_since:
            return False  # a fresh message: validated as an answer, not a return after a side answer
        said = (event.get("metadata") or {}).get("utter_action") if kind == "bot" else None
        if said == WHICH_ORDER_ASKED:
            asked += 1
        elif kind == "bot" and asked == 0:
            answered_since = True
    return answered_since and asked >= 2


def forget_another_flows_order(tracker: Tracker) -> List[Dict[Text, Any]]:
    """At the return's start, an order another flow left in `target_order` ("how do i send it back"
    while changing the address of an order on its way) is not the return's: it is looked up afresh,
    so an order not delivered is refused in the shop's words before anything is asked. The other
    flow's unanswered question goes with it (its "yes" would act on the order this form picks)."""
    if return_under_way(tracker) or not tracker.get_slot(TARGET):
        return []
    events = [SlotSet(TARGET, None), SlotSet("requested_slot", None)]
    if tracker.get_slot(PENDING) in ("change_order", "change_address", "withdraw_return"):
        events.append(SlotSet(PENDING, None))
    tracker.slots.update({event["name"]: None for event in events})
    return events


async def take_off_instead(form: TargetOrderForm, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """ "i want to return the scale, dont need it" about an order not sent yet (the scale and
    beans): the scale taken off the order, proposed as the change form proposes it (QA: "nothing
    to return, I can cancel it instead", and its "Cancel it" would have cancelled the beans too).
    None when the return names no items, all of the order, or an order that may be returned or
    can't change any more (the form's own answer says why)."""
    if (tracker.get_slot("requested_slot") is not None or return_under_way(tracker) or tracker.get_slot(TARGET)
            or not (form.order_skus(tracker) or form.order_kinds(tracker))):
        return None
    found = await form.extract_target_order(CollectingDispatcher(), tracker, domain)
    offered = (found.get(TARGET) or {}).get("offered")  # not sent yet: a cancel would be offered
    if not offered:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(offered)
    except BackendError as error:
        logger.warning("reading the order a return was asked of failed: %s", error)
        return None
    view = order_view(order)
    lines = await _with_categories(tracker, view["lines"])
    choice, _ = choose_from_message(lines, text_of(tracker), entities_of(tracker))
    if not order.editable or not choice.lines or is_whole_order(choice.lines, lines):
        return None
    dispatcher.utter_message(response="utter_return_not_sent_remove_instead", number=order.number,
                             status=status_words(order.status), items=items_text(choice.lines))
    off = {item["sku"]: int(item["quantity"]) for item in choice.lines}
    kept = [{**line, "quantity": int(line["quantity"]) - off.get(line["sku"], 0)} for line in view["lines"]]
    tracker.slots.update({TARGET: view, CHANGES: [line for line in kept if line["quantity"] > 0]})
    from actions.change_order import ActionConfirmOrderChange  # here: actions.change_order imports the return modules
    proposed = await ActionConfirmOrderChange().run(dispatcher, tracker, domain)
    return events_clearing((ITEMS, REASON)) + [SlotSet(TARGET, view), SlotSet("order_id", order.number)] + \
        proposed + stop_the_form()


async def with_what_was_said(dispatcher: CollectingDispatcher, tracker: Tracker,
                             slots: Dict[Text, Any]) -> Dict[Text, Any]:
    """The order found, made ready for the return (what is left of it to send back, its products'
    categories), with the items and the reason said with it; ended where nothing can go back."""
    target = slots[TARGET]
    if target.get("status") == "return_requested":
        target = await _joining_its_return(tracker, target)
        if target is None:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return dict(ENDED)
    if never_arrived(text_of(tracker)):  # "return it, it never arrived": nothing to send back
        return {**ENDED, **_as_slots(await not_received(dispatcher, tracker, target["number"]))}
    target = {**target, "lines": await _with_categories(tracker, target["lines"])}
    slots[TARGET] = target
    slots.update(sorry_for_the_fault(dispatcher, tracker))  # "you sent me the wrong mugs": sorry first
    if _named_items_already_going(dispatcher, tracker, target):
        return dict(ENDED)
    return _items_and_reason_said(dispatcher, tracker, slots)


def _named_items_already_going(dispatcher: CollectingDispatcher, tracker: Tracker, target: Dict[str, Any]) -> bool:
    """ "return 3 mugs" when the mugs already go back: said so, not the teapot that is left."""
    said = set(named_skus(tracker))
    going = {item["sku"] for item in target.get("returning") or []}
    if not (said & going and not said & {line["sku"] for line in target["lines"]}):
        return False
    dispatcher.utter_message(response="utter_return_items_already_going", number=target["number"],
                             returning=items_text(target["returning"]),
                             left=items_text(target["lines"]))
    return True


def _items_and_reason_said(dispatcher: CollectingDispatcher, tracker: Tracker,
                           slots: Dict[Text, Any]) -> Dict[Text, Any]:
    """The items too when there is no choice (one unit) or the request named them, and the reason
    when it was said with them ("I want to return the teapot, the lid is cracked")."""
    target = slots[TARGET]
    lines = target["lines"]
    # "2 red mugs and the teapot, mugs are the wrong shade": the items before the reason
    named, message = choose_from_message(lines, text_of(tracker), entities_of(tracker))
    too_many = bool(named.problem) and named.problem[0] == "too_many"  # "2 red mugs" with 1 left
    # "return it for a refund" after "my kettle arrived dented": that reason, not "why?" again
    reason = reason_said(tracker, target, message) or ({} if slots.get(REASON) else
                                                        reason_said_before(tracker, target))
    if sum(int(line["quantity"]) for line in lines) == 1 and not too_many:
        return {**slots, ITEMS: everything(lines), **reason}
    if named.problem and named.problem[0] in ("how_many", "too_many"):  # "some of the mugs": how many
        explain_the_choice(dispatcher, target, named)
    # "i want to return my order, it doesnt fit my kitchen": the reason is kept while the items are asked
    return {**slots, **({ITEMS: named.lines} if named.lines else {}), **reason}


async def _joining_its_return(tracker: Tracker, target: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """An order whose return is on the way: what is left of it to send back, and what its return
    holds and is worth so far (more joins the same return)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(target["number"])
    except BackendError as error:
        logger.warning("reading the return of %s failed: %s", target["number"], error)
        return None
    return {**target, "lines": order.left_to_return(), "returning": order.returning(),
            "refund_due_minor": order.refund_due_minor, "reason_so_far": order.return_reason,
            "shipping_minor": order.shipping_minor}


async def _with_categories(tracker: Tracker, lines: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The lines with their products' categories, so "the mugs" can name them; without them if
    the backend can't say (products are then named one by one)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            categories = {line["sku"]: (await backend.get_product(line["sku"])).category for line in lines}
    except BackendError as error:
        logger.warning("product categories for a return failed: %s", error)
        return lines
    return [{**line, "category": categories[line["sku"]]} for line in lines]


async def not_received(dispatcher: CollectingDispatcher, tracker: Tracker, number: str) -> List[Dict[Text, Any]]:
    """An order the customer never got is no return (QA: "return it, it never arrived" registered
    one and asked them to post back what they don't have): the team claims it from the carrier
    (a ticket, the one already open about it if any) and a person is offered."""
    dispatcher.utter_message(response="utter_return_not_received", number=number)
    tracker.slots["order_id"] = number
    return [SlotSet("order_id", number)] + await ticket_with_an_offer(
        dispatcher, tracker, NOT_RECEIVED_TICKET, "utter_complaint_ticket", order=number,
        if_open="utter_ticket_already_open")


def _as_slots(events: List[Dict[Text, Any]]) -> Dict[Text, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}

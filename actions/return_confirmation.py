"""The return's summary (items, reason, refund due) before its yes, and its registration after it."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order, Refused
from actions.order_forms import TARGET, events_clearing
from actions.parsing import format_price
from actions.return_form_order import may_go_back, refused
from actions.return_form_reason import SORRY
from actions.return_items import is_whole_order, items_text
from actions.return_reasons import shops_fault
from actions.return_state import FLOW_SLOTS, ITEMS, PENDING, REASON, said_during_this_return
from actions.tickets import OFFERED_TICKET, open_ticket

logger = logging.getLogger(__name__)
# The shop's policy (faq/refund_policy): opened coffee and tea go back only if faulty.
CONSUMABLES = ("Tea", "Coffee")
OPENED = re.compile(r"(?i)\b(?:opened|open|tasted|tried|brewed|used|drank|drunk|(?:don'?t|didn'?t|do not|did not) like|"
                    r"not (?:my|to my) taste|taste)\b")
UNOPENED = re.compile(r"(?i)\b(?:(?:haven'?t|have not|hasn'?t|has not|not|never|didn'?t|did not)\s+(?:\w+\s+)?"
                      r"(?:opened?|open(?:ed)? it|tried|tasted|used)|unopened|sealed|still (?:closed|packed|wrapped))\b")
FAULTY = re.compile(r"(?i)\b(?:faulty|damaged|broken|torn|stale|mou?ldy?|expired|wrong|spoil\w*|contaminat\w*|"
                    r"insects?|bugs?|smell(?:s|ed|ing)? (?:bad|off|weird|funny|strange)|"
                    r"tast(?:es?|ed|ing) (?:like|off|weird|bad|funny)|leak\w*|defect\w*)\b")
# Why the team is asked to send a prepaid label: the return is the shop's fault, so its postage is ours.
LABEL_TICKET = "prepaid return label"
# The return registered, by who pays its postage: the customer, or the shop (by the fault).
REGISTERED = {None: "utter_return_requested", "damaged": "utter_return_requested_label",
              "wrong_item": "utter_return_requested_wrong_item"}


def refund_due(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What the backend will refund: everything, shipping included, or the items' price."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


def added_to_refund(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What `items` add to the refund of the return they join: their price, and the shipping too
    when they are the rest of the order (the whole order then goes back)."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"]) - int(target["refund_due_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


def show_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker, target: Dict[str, Any],
                     items: List[Dict[str, Any]], reason: str) -> List[Dict[Text, Any]]:
    """What goes back, why, and the refund due, for a yes; opened tea or coffee stays out of it."""
    opened = _opened_consumables(target, items, reason)
    events: List[Dict[Text, Any]] = []
    if opened:
        rest = [item for item in items if item not in opened]
        if not rest:
            dispatcher.utter_message(response="utter_return_opened_consumable", items=items_text(opened))
            return events_clearing(FLOW_SLOTS)
        # "the mugs are too small and i opened the tea": the tea stays, the mugs still go back
        # (QA: the whole return was dropped, and "ok just the mugs then" became a product search)
        dispatcher.utter_message(response="utter_return_opened_consumable_rest", items=items_text(opened),
                                 rest=items_text(rest))
        items, events = rest, [SlotSet(ITEMS, rest)]
    _own_the_fault(dispatcher, tracker, items, reason)
    _summarise(dispatcher, target, items, reason)
    return events + [SlotSet(PENDING, "return_order")]


def _opened_consumables(target: Dict[str, Any], items: List[Dict[str, Any]], reason: str) -> List[Dict[str, Any]]:
    """The tea or coffee of `items` that the reason says was opened, and not faulty."""
    categories = {line["sku"]: line.get("category") for line in target["lines"]}
    opened = [item for item in items if categories.get(item["sku"]) in CONSUMABLES]
    if opened and OPENED.search(reason) and not FAULTY.search(reason) and not UNOPENED.search(reason):
        return opened
    return []


def _own_the_fault(dispatcher: CollectingDispatcher, tracker: Tracker, items: List[Dict[str, Any]],
                   reason: str) -> None:
    """The shop's fault: sorry first (once per return), and what goes back when the wrong item came."""
    fault = shops_fault(reason)
    if fault and not said_during_this_return(tracker, *SORRY.values()):
        dispatcher.utter_message(response=SORRY[fault])
    if fault == "wrong_item" and not said_during_this_return(tracker, "utter_return_wrong_item_note"):
        # the order's lines are refunded, but what goes back is what came instead (QA: "send back
        # the espresso cups" to a customer who got mugs)
        dispatcher.utter_message(response="utter_return_wrong_item_note", items=items_text(items))


def _summarise(dispatcher: CollectingDispatcher, target: Dict[str, Any], items: List[Dict[str, Any]],
               reason: str) -> None:
    if target.get("returning"):  # its return is on the way: these join it (the rest: shipping back too)
        # "so the shipping is refunded too" only when there was shipping to refund (t2 QA m6)
        rest = is_whole_order(items, target["lines"]) and int(target.get("shipping_minor", 1)) > 0
        dispatcher.utter_message(
            response="utter_confirm_return_rest" if rest else "utter_confirm_return_more",
            number=target["number"], items=items_text(items),
            returning=items_text(target["returning"]), reason=reason,
            amount=format_price(added_to_refund(target, items), target["currency"]))
        return
    whole = is_whole_order(items, target["lines"])
    dispatcher.utter_message(
        response="utter_confirm_return" if whole else "utter_confirm_return_items",
        number=target["number"], items=items_text(items), reason=reason,
        amount=format_price(refund_due(target, items), target["currency"]))


async def answer_return(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    target, reason = tracker.get_slot(TARGET) or {}, tracker.get_slot(REASON)
    items = tracker.get_slot(ITEMS) or []
    number = target.get("number")
    if not affirmed and target.get("returning"):  # its registered return stays as it is
        dispatcher.utter_message(response="utter_return_more_not_added", number=number,
                                 returning=items_text(target["returning"]))
        return events_clearing(FLOW_SLOTS)
    if not affirmed:
        dispatcher.utter_message(response="utter_return_not_requested", number=number)
        return events_clearing(FLOW_SLOTS)
    lines = None if is_whole_order(items, target.get("lines") or []) else items
    try:
        async with BackendClient(tracker.sender_id) as backend:
            try:
                order = await backend.request_return(number, reason, lines)
            except Refused as refusal:  # said from the order's state, in the shop's words
                now = await backend.get_order(number)
                if not may_go_back(now):
                    return refused(dispatcher, number, now.status)
                dispatcher.utter_message(response="utter_return_refused", number=number, reason=refusal.detail)
                return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: the user can say "yes" again
        logger.warning("return request for %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return events_clearing(FLOW_SLOTS) + await _say_registered(dispatcher, tracker, order, reason)


async def _say_registered(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order,
                          reason: Optional[str]) -> List[Dict[Text, Any]]:
    """ "Done: the return … is registered", with where and how it goes back. The shop's fault
    (damaged, faulty, the wrong item sent) goes back free, as the policy says: a ticket asks the
    team for the prepaid label, and a person asked for later takes that ticket (QA: the customer
    was told to post a broken mug to Dublin at their own cost)."""
    returning = order.returning()
    values = dict(number=order.number, items=items_text(returning),
                  them="it" if sum(item["quantity"] for item in returning) == 1 else "them",
                  amount=format_price(order.refund_due_minor, order.currency))
    fault = shops_fault(reason)
    if fault is None:
        dispatcher.utter_message(response=REGISTERED[None], **values)
        return []
    try:
        ticket = await open_ticket(tracker, LABEL_TICKET, order=order.number)
    except BackendError as error:  # registered all the same: a person sends the label
        logger.warning("could not open the return label ticket of %s: %s", order.number, error)
        dispatcher.utter_message(response="utter_return_requested_no_label", **values)
        return []
    dispatcher.utter_message(response=REGISTERED[fault], ticket_id=ticket.id, **values)
    return [SlotSet(OFFERED_TICKET, ticket.id)]

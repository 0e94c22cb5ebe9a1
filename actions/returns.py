"""Returns: a return request for a delivered order (which items, why, confirmation, then
`POST /orders/{n}/return`). Where a refund is: actions/refunds.py.

The items are asked only when there is a choice (more than one unit) and not already named
("I want to return the teapot"); sending everything back is sent without lines, so the backend
refunds shipping too. While a return is on its way (requested, not yet received), more of the
same order joins it: the items asked about are those not going back yet.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Order, Refused
from actions.form_answers import OTHER_REQUESTS, intent_of, last_utterance, said_this_turn
from actions.order_forms import ENDED, TARGET, TargetOrderForm, events_clearing
from actions.order_wording import ALSO, RETURNING
from actions.orders import named_skus
from actions.parsing import format_price, quantity_in
from actions.placed_order_edits import swaps_an_item_of_a_placed_order
from actions.return_items import (ReturnChoice, choose_return_items, everything, is_whole_order,
                                  reason_after_items, tidy_reason)

logger = logging.getLogger(__name__)
ITEMS = "return_items"
REASON = "return_reason"
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, ITEMS, REASON, PENDING)
NONE = "none"  # the answer to "what goes back?" was "nothing"
NOTHING = re.compile(r"(?i)^\s*(no|nope|nah|nothing|none|neither|not now)\b[\w\s,']{0,30}$")
# The shop's policy (faq/refund_policy): opened coffee and tea go back only if faulty.
CONSUMABLES = ("Tea", "Coffee")
OPENED = re.compile(r"(?i)\b(?:opened|open|tasted|tried|brewed|used|drank|drunk|(?:don'?t|didn'?t|do not|did not) like|"
                    r"not (?:my|to my) taste|taste)\b")
UNOPENED = re.compile(r"(?i)\b(?:(?:haven'?t|have not|hasn'?t|has not|not|never|didn'?t|did not)\s+(?:\w+\s+)?"
                      r"(?:opened?|open(?:ed)? it|tried|tasted|used)|unopened|sealed|still (?:closed|packed|wrapped))\b")
FAULTY = re.compile(r"(?i)\b(?:faulty|damaged|broken|torn|stale|mou?ldy?|expired|wrong|spoil\w*|contaminat\w*|"
                    r"insects?|bugs?|smells? (?:bad|off|weird)|leak\w*|defect\w*)\b")
# "same reason", "same as before": the reason of the return the items join.
SAME_REASON = re.compile(r"(?i)^\W*(?:the\s+)?same(?:\s+(?:reason|as before|as the (?:other|first|last)|thing|problem|issue))?\W*$")
# A yes, no or okay is no reason (it answers a question the customer thought was asked).
NO_REASON = re.compile(r"(?i)^\s*(yes|yeah|yep|yup|ok|okay|sure|no|nope|fine|right|correct|done|y|n)\W*$")


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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("requested_slot") is None and await swaps_an_item_of_a_placed_order(tracker):
            # "replace the hand grinder with the electric grinder", not sent yet: the change form's
            return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return order.returnable or order.adds_to_return

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        if order.returnable or order.adds_to_return:
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

    async def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The items too when there is no choice (one unit) or the request named them, and the
        reason when it was said with them ("I want to return the teapot, the lid is cracked")."""
        slots = super().validate_target_order(value, dispatcher, tracker, domain)
        target = slots.get(TARGET)
        if not target or tracker.get_slot(ITEMS):
            return slots
        if target.get("status") == "return_requested":
            target = await _joining_its_return(tracker, target)
            if target is None:
                dispatcher.utter_message(response="utter_backend_unavailable")
                return dict(ENDED)
        target = {**target, "lines": await _with_categories(tracker, target["lines"])}
        slots[TARGET] = target
        lines = target["lines"]
        said = set(named_skus(tracker))
        going = {item["sku"] for item in target.get("returning") or []}
        if said & going and not said & {line["sku"] for line in lines}:
            # "return 3 mugs" when the mugs already go back: not the teapot that is left
            dispatcher.utter_message(response="utter_return_items_already_going", number=target["number"],
                                     returning=items_text(target["returning"]),
                                     left=items_text(lines))
            return dict(ENDED)
        named = choose_return_items(lines, _entities(tracker), _text(tracker))
        too_many = bool(named.problem) and named.problem[0] == "too_many"  # "2 red mugs" with 1 left
        if sum(int(line["quantity"]) for line in lines) == 1 and not too_many:
            return {**slots, ITEMS: everything(lines), **_reason_said(tracker)}
        if named.problem and named.problem[0] in ("how_many", "too_many"):  # "some of the mugs": how many
            self._explain(dispatcher, target, named)
        return {**slots, ITEMS: named.lines, **_reason_said(tracker)} if named.lines else slots

    async def extract_return_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        target = tracker.get_slot(TARGET)
        chosen = tracker.get_slot(ITEMS)
        if target and "lines" in target and isinstance(chosen, list) and chosen and ALSO.search(_text(tracker)):
            # "the teapot too" at the summary of the return: it joins the items chosen
            more = choose_return_items(target["lines"], _entities(tracker), _text(tracker))
            return {ITEMS: _together(chosen, more.lines)} if more.lines else {}
        if tracker.get_slot("requested_slot") != ITEMS or not target or "lines" not in target:
            return {}
        choice = choose_return_items(target["lines"], _entities(tracker), _text(tracker))
        if not choice.lines and choice.problem == ("unclear",):
            choice = _count_for_the_product_before(tracker, target["lines"]) or choice
        if choice.lines:
            return {ITEMS: choice.lines}
        if choice.problem == ("unclear",) and (intent_of(tracker) == "deny" or NOTHING.match(_text(tracker))):
            return {ITEMS: NONE}
        if choice.problem == ("unclear",) and intent_of(tracker) in OTHER_REQUESTS - {"refund_return_request"}:
            return {}  # another request: its rule answers, then the form asks again
        self._explain(dispatcher, target, choice)
        return {ITEMS: None}

    @staticmethod
    def _explain(dispatcher: CollectingDispatcher, target: Dict[str, Any], choice: ReturnChoice) -> None:
        kind = choice.problem[0] if choice.problem else "unclear"
        values: Dict[str, Any] = {"number": target["number"]}
        if kind in ("ambiguous", "ambiguous_kept", "not_in_order"):
            values["name"] = choice.problem[1]
        elif kind in ("too_many", "how_many"):
            values.update(name=choice.problem[1], ordered=choice.problem[2])
        dispatcher.utter_message(response=f"utter_return_items_{kind}", **values)

    def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == NONE:  # "no", "nothing after all": the return is left
            dispatcher.utter_message(response="utter_return_not_requested",
                                     number=(tracker.get_slot(TARGET) or {}).get("number", ""))
            return {ITEMS: None, **ENDED}
        if not isinstance(value, list) or not value:
            return {ITEMS: None}
        return {ITEMS: value, **_reason_said(tracker)}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reason = tidy_reason(" ".join(str(value or "").split()))
        held = {line["sku"] for line in (tracker.get_slot(TARGET) or {}).get("lines", [])}
        if ALSO.search(_text(tracker)) and held & set(named_skus(tracker)):
            return {REASON: None}  # "the teapot too": more items (extract_return_items), the reason asked again
        so_far = (tracker.get_slot(TARGET) or {}).get("reason_so_far")
        if so_far and SAME_REASON.match(reason):  # "same reason", adding to a return: its reason
            return {REASON: so_far[:500]}
        if len(reason) < 3 or NO_REASON.match(reason):
            dispatcher.utter_message(response="utter_invalid_return_reason")
            return {REASON: None}
        return {REASON: reason[:500]}


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
            "refund_due_minor": order.refund_due_minor, "reason_so_far": order.return_reason}


def added_to_refund(target: Dict[str, Any], items: List[Dict[str, Any]]) -> int:
    """What `items` add to the refund of the return they join: their price, and the shipping too
    when they are the rest of the order (the whole order then goes back)."""
    if is_whole_order(items, target["lines"]):
        return int(target["total_minor"]) - int(target["refund_due_minor"])
    prices = {line["sku"]: int(line["unit_price_minor"]) for line in target["lines"]}
    return sum(prices[item["sku"]] * int(item["quantity"]) for item in items)


# What the bot says while a return is asked about or just registered.
RETURN_TURNS = ("utter_return_requested", "utter_confirm_return", "utter_confirm_return_items",
                "utter_confirm_return_more", "utter_confirm_return_rest", "utter_ask_return_items",
                "utter_ask_return_more_items")


def continues_a_return(tracker: Tracker) -> bool:
    """ "i want to return 2 blue mugs" (read as an order), or "the teapot too" right after a return
    was asked about or registered: the return form's, never checkout's."""
    text = _text(tracker)
    return bool(RETURNING.search(text)) or (last_utterance(tracker) in RETURN_TURNS and bool(ALSO.search(text)))


def _together(chosen: List[Dict[str, Any]], more: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The items chosen and more of the order's: one entry per product, the larger count."""
    items = {item["sku"]: dict(item) for item in chosen}
    for item in more:
        if item["sku"] not in items or int(item["quantity"]) > int(items[item["sku"]]["quantity"]):
            items[item["sku"]] = dict(item)
    return list(items.values())


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return tracker.latest_message.get("entities") or []


def _reason_said(tracker: Tracker) -> Dict[Text, Any]:
    reason = reason_after_items(_text(tracker), _entities(tracker))
    return {REASON: reason[:500]} if reason and not NO_REASON.match(reason) else {}


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


def _count_for_the_product_before(tracker: Tracker, lines: List[Dict[str, Any]]) -> Optional[ReturnChoice]:
    """"2" right after "3 blue mugs" got "you can return up to 2" (or "some mugs" got "how many?"):
    the count is for that product."""
    count = quantity_in(_text(tracker))
    previous = [e for e in tracker.events if e.get("event") == "user"][-2:-1]
    if count is None or not previous:
        return None
    said = (previous[0].get("parse_data") or {}).get("entities") or []
    choice = choose_return_items(
        lines, [{**e, "quantity": count} for e in said if e.get("entity") in ("product", "category")], "")
    return choice if len(choice.lines) == 1 else None


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
        categories = {line["sku"]: line.get("category") for line in target["lines"]}
        opened = [item for item in items if categories.get(item["sku"]) in CONSUMABLES]
        if opened and OPENED.search(reason) and not FAULTY.search(reason) and not UNOPENED.search(reason):
            dispatcher.utter_message(response="utter_return_opened_consumable", items=items_text(opened))
            return events_clearing(FLOW_SLOTS)
        if target.get("returning"):  # its return is on the way: these join it (the rest: shipping back too)
            rest = is_whole_order(items, target["lines"])
            dispatcher.utter_message(
                response="utter_confirm_return_rest" if rest else "utter_confirm_return_more",
                number=target["number"], items=items_text(items),
                returning=items_text(target["returning"]), reason=reason,
                amount=format_price(added_to_refund(target, items), target["currency"]))
            return [SlotSet(PENDING, "return_order")]
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
        if said_this_turn(tracker, "utter_return_items_"):
            return []  # "you can return up to 2. How many go back?" already asks
        target = tracker.get_slot(TARGET) or {}
        lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines", []))
        if target.get("returning"):
            dispatcher.utter_message(response="utter_ask_return_more_items", number=target.get("number", ""),
                                     lines=lines, returning=items_text(target["returning"]))
            return []
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
    returning = order.returning()
    dispatcher.utter_message(response="utter_return_requested", number=order.number,
                             items=items_text(returning),
                             them="it" if sum(item["quantity"] for item in returning) == 1 else "them",
                             amount=format_price(order.refund_due_minor, order.currency))
    return events_clearing(FLOW_SLOTS)

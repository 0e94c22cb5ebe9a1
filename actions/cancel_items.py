"""Cancelling items of an order, not the order: "hang on can I cancel the filters from it", "pls
cancel the mugs from my order, keep the rest", and at "Do you want me to cancel order …?" "no just
take the filters off", "NO not the whole thing!! only the mugs" (QA16: the whole order was asked
about, then kept untouched, or the mugs listed from the catalogue).

Some of the order's lines named: their removal is proposed as any change of items is (the order as
it would be, "Shall I change it?"), made only on that yes. All of its lines named: the order's own
cancel, asked as ever. "the mugs order", "the mug one" tell an order by what it holds
(actions/cancel_questions.py), never items out of one. At "Shall I change it?" of such a change,
"no just take the filters off" reads the filters from the order, not from the change shown (which
may have taken them out already), and shows the change without them.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order
from actions.cancel_questions import (OTHER_ORDER, REQUESTED, TASK, another_order_named, naming_the_order_to_cancel,
                                      number_asked_about)
from actions.change_order import ActionConfirmOrderChange
from actions.conversation import CANCEL_THE_ORDER
from actions.order_changes import explicit_quantity, mark_implicit
from actions.order_forms import CHANGES, CHOICE, TARGET, not_editable, order_view, status_words
from actions.order_wording import of_category
from actions.parsing import order_number
from actions.placed_order_edits import lines_named_by_words

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"

# "cancel the filters from it", "the mugs in my order", "cancel the teapot off my last order": items
# out of an order (not "the order with the mugs in it": the order told by what it holds).
_OUT_OF_AN_ORDER = re.compile(
    r"(?i)\b(?:from|in|out of|off|outta)\s+(?:(?:my|the|this|that|your|our)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:order|it|basket|cart|parcel)\b|\bof\s+(?:my|the|this|that)\s+(?:[\w-]+\s+)?order\b")
_THE_ORDER_WITH = re.compile(r"(?i)\b(?:order|one)s?\s+(?:with|that has|that have|holding|containing|having)\b")
# "keep the rest", "keep everything else", "the rest is fine": what is not named stays.
_KEEPS_THE_REST = re.compile(
    r"(?i)\bkeep(?:ing)?\s+(?:the\s+rest|everything\s+else|all\s+(?:the\s+)?(?:rest|others?)|the\s+others?|"
    r"the\s+other\s+(?:items?|things?|stuff|bits|ones?|products?)|what'?s\s+left|the\s+remaining)\b|"
    r"\b(?:the\s+)?rest\s+(?:is\s+|are\s+)?(?:fine|ok|okay|stays?|can stay)\b")
# "cancel just the mugs", "not the whole thing!!", "dont cancel the whole order": part of it only.
_PART_ONLY = re.compile(
    r"(?i)\bcancel\s+(?:just|only)\b|\b(?:not|dont|don'?t|do not)\s+(?:cancel\s+)?(?:the\s+|my\s+)?"
    r"(?:whole|entire|full|complete)\b|\bnot\s+(?:all|everything)\b")
# "take the filters off", "take out the mugs", "remove the mugs": items out.
_TAKEN_OFF = re.compile(
    r"(?i)\btake\s+(?:(?:the|my|those|these|that|this)\s+)?(?:[\w-]+\s+){0,4}?(?:off|out|away)\b|"
    r"\btake\s+(?:off|out|away)\b|\b(?:remove|delete|drop|minus|get rid of)\b")
# At the cancel question: "no just the mugs", "only the filters" (not "keep only the mugs").
_JUST_THESE = re.compile(r"(?i)(?<!keep )(?<!keeping )\b(?:just|only)\s+(?:cancel\s+|remove\s+)?"
                         r"(?:the|my|those|these|that)\b")
# "no, the mugs one", "just the teapot order": another order told by what it holds (not "the mugs
# from my order").
_AN_ORDER_TOLD = re.compile(
    r"(?i)\b(?:the|that|this)\s+(?:(?!(?:from|in|of|off|out)\b)[\w-]+\s+){1,3}?(?:one|order)s?\b")
# "now cancel the teapot, it's too expensive", "cancel 2 of the mugs": items named right after the
# cancel (QA17: the whole order was asked about, and cancelled on its yes); all of an order's lines
# named is still that order's cancel, and "cancel the teapot order" tells an order.
_CANCEL_THE_NAMED = re.compile(
    r"(?i)\bcancel\s+(?:(?:\d{1,2}|one|two|three)\s+of\s+)?(?:the|my|those|these|that|this)\s+"
    r"(?!(?:whole|entire|order|orders|lot|thing|things|stuff|one|ones|other|last|first|second|previous|new|"
    r"latest|same|return|refund|payment|delivery|subscription)\b)")
# Said of what stays: "keep the rest", "keep the teapot".
_KEEP = re.compile(r"(?i)\bkeep\w*(?:\s+(?:just|only))?\b")  # "keep only the mugs": they stay
# Said of what goes: the last such word before an item (after a "keep") makes it go again.
_TAKE = re.compile(r"(?i)\b(?:cancel\w*|remove|delete|drop|take|only|just|without|minus|not)\b")


@dataclass
class ItemsOut:
    """The order items are taken out of, and its lines as they would be ([]: every one named); the
    names of items named that the change shown had taken out already."""
    order: Order
    left: List[Dict[str, Any]]
    already_out: List[str] = field(default_factory=list)


def _says_items_out(text: str, at_the_question: bool) -> bool:
    """Worded as items out of an order, not as an order told by what it holds, nor as the whole
    order's cancel ("cancel my order, i dont want the mugs in it") unless part of it is said to stay."""
    part = _KEEPS_THE_REST.search(text) or _PART_ONLY.search(text)
    if _THE_ORDER_WITH.search(text) or (CANCEL_THE_ORDER.search(text) and not part):
        return False
    said = part or _OUT_OF_AN_ORDER.search(text) or _TAKEN_OFF.search(text) or _CANCEL_THE_NAMED.search(text)
    return bool(said or (at_the_question and _JUST_THESE.search(text)))


def _kept(text: str, start: int) -> bool:
    """The item at `start` is said to stay: a "keep" comes after the last word taking something out."""
    before = text[:start]
    keep = max((match.end() for match in _KEEP.finditer(before)), default=-1)
    take = max((match.end() for match in _TAKE.finditer(before)), default=-1)
    return keep >= take and keep >= 0


def _taken(lines: List[Dict[str, Any]], tracker: Tracker) -> Tuple[Dict[str, int], Set[str]]:
    """SKU → how many the message takes out of `lines`: the products and kinds it names, all of a
    line unless a smaller count is said, else a line a word names; and the lines said to stay ("keep
    the teapot")."""
    text = tracker.latest_message.get("text") or ""
    entities = [entity for entity in tracker.latest_message.get("entities") or []
                if entity.get("entity") in ("product", "category", "quantity")]
    held = {line["sku"]: int(line["quantity"]) for line in lines}
    taken: Dict[str, int] = {}
    kept: Set[str] = set()
    for entity in entities:
        start = entity.get("start")
        if entity.get("entity") == "quantity":
            continue
        if entity.get("entity") == "category":
            named = {line["sku"]: held[line["sku"]] for line in lines
                     if of_category(line["name"], str(entity.get("value") or ""))}
        else:
            counted = next((explicit_quantity(marked) for marked in mark_implicit(entities, text)
                            if marked.get("start") == start and marked.get("value") == entity.get("value")), None)
            named = {sku: min(counted, held[sku]) if counted else held[sku]
                     for sku in set(entity.get("skus") or []) & set(held)}
        if isinstance(start, int) and _kept(text, start):
            kept.update(named)
        else:
            taken.update(named)
    if not taken and not kept:
        for entity in lines_named_by_words(lines, text, entities):
            sku = entity["skus"][0]
            if _kept(text, entity["start"]):
                kept.add(sku)
            else:
                taken[sku] = held[sku]
    return taken, kept


def _out_of(order: Order, tracker: Tracker, worded: bool) -> Optional[ItemsOut]:
    """The order without the items the message takes out of it: worded as items out, or naming
    others of its items that stay ("cancel the mugs, keep the teapot"); None when it names none."""
    taken, kept = _taken(order_view(order)["lines"], tracker)
    if not taken or not (worded or kept - set(taken)):
        return None
    return ItemsOut(order, _without(order, taken))


def _without(order: Order, taken: Dict[str, int]) -> List[Dict[str, Any]]:
    lines = order_view(order)["lines"]
    left = [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"]) - taken.get(line["sku"], 0)}
            for line in lines]
    return [line for line in left if line["quantity"] > 0]


def _named(tracker: Tracker) -> bool:
    entities = tracker.latest_message.get("entities") or []
    return any(entity.get("entity") in ("product", "category") for entity in entities)


async def items_out_of_an_order(tracker: Tracker, backend: BackendClient,
                                number: Optional[str]) -> Optional[ItemsOut]:
    """ "cancel the mugs from my order, keep the rest": the order (`number`, else the one talked
    about, else the newest that can change holding what is named) and its lines without what is
    named; None when the message cancels no items of an order ("cancel the mugs order")."""
    text = tracker.latest_message.get("text") or ""
    worded = _says_items_out(text, at_the_question=False)
    if not (worded or _KEEP.search(text)) or _THE_ORDER_WITH.search(text) or naming_the_order_to_cancel(tracker):
        return None
    candidates: List[Order] = []
    if number:
        candidates = [await backend.get_order(number)]
    else:
        talked_about = order_number(tracker.get_slot("order_id"))
        orders = await backend.list_orders()
        candidates = sorted((order for order in orders if order.cancellable),
                            key=lambda order: order.number != talked_about)  # stable: newest first
    return next((out for out in (_out_of(order, tracker, worded) for order in candidates) if out), None)


async def items_out_at_the_question(tracker: Tracker) -> Optional[ItemsOut]:
    """At "Do you want me to cancel order …?", "no just take the filters off", "only the mugs": that
    order's lines without what is named; None when the message takes none of its items out (it
    picks another order, keeps it, or says yes)."""
    if tracker.get_slot(PENDING) != "cancel_order":
        return None
    text = tracker.latest_message.get("text") or ""
    worded = _says_items_out(text, at_the_question=True)
    if (not _named(tracker) and not re.search(r"(?i)\b(?:take|remove|only|just)\b", text)) \
            or not (worded or _KEEP.search(text)) or _THE_ORDER_WITH.search(text) \
            or naming_the_order_to_cancel(tracker) or OTHER_ORDER.search(text) or another_order_named(tracker) \
            or _AN_ORDER_TOLD.search(text):
        return None
    number = number_asked_about(tracker) or order_number(tracker.get_slot("order_id"))
    if number is None:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(number)
    except BackendError as error:  # the question's own answer goes on without it
        logger.warning("reading the order asked to cancel failed: %s", error)
        return None
    return _out_of(order, tracker, worded)


# "no, remove the mugs instead of the teapot", "not the filters, the mugs": another change, the change form's.
_ANOTHER_CHANGE = re.compile(r"(?i)\b(?:instead|rather|not the|put (?:\w+ )?back|add|keep (?:the|my|both))\b")


async def items_out_at_the_change_question(tracker: Tracker) -> Optional[ItemsOut]:
    """At "Order … would then be: … Shall I change it?", "no just take the filters off": the lines the
    words name are read from the ORDER (the change shown may have taken them out already, and read
    against it "filters" had become a choice of the whole catalogue's: "Which filter do you mean: Paper
    Filters 100 pack, Stainless Tea Infuser?", then nothing changed; qv16b-0006) and taken out of the
    change shown. None when the message takes none of the order's items out."""
    target, shown = tracker.get_slot(TARGET), tracker.get_slot(CHANGES)
    if tracker.get_slot(PENDING) != "change_order" or not target or shown is None:
        return None
    text = tracker.latest_message.get("text") or ""
    if not _TAKEN_OFF.search(text) or _ANOTHER_CHANGE.search(text) or _THE_ORDER_WITH.search(text):
        return None
    taken, kept = _taken(target.get("lines") or [], tracker)
    if not taken or kept & set(taken):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(target["number"])
    except BackendError as error:  # the question's own answer goes on without it
        logger.warning("reading the order of the change shown failed: %s", error)
        return None
    in_the_change = {line["sku"]: int(line["quantity"]) for line in shown}
    named = {line["sku"]: line["name"] for line in target.get("lines") or []}
    left = [{"sku": line["sku"], "name": line["name"],
             "quantity": int(line["quantity"]) - min(taken.get(line["sku"], 0), int(line["quantity"]))}
            for line in shown]
    return ItemsOut(order, [line for line in left if line["quantity"] > 0],
                    already_out=[named[sku] for sku in taken if sku not in in_the_change])


async def propose_without(dispatcher: CollectingDispatcher, tracker: Tracker,
                          out: ItemsOut) -> List[Dict[Text, Any]]:
    """The change taking the items out, shown for its yes as any change of items is ("Order … would
    then be: … Shall I change it?"); an order past changing is said so. The cancel question, if one
    was open, is answered by it."""
    order = out.order
    asked = [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, None), SlotSet("order_id", order.number)]
    refused = not_editable(order)
    if refused is not None:
        response, values = refused
        dispatcher.utter_message(response=response, number=order.number, status=status_words(order.status), **values)
        return asked
    if out.already_out:  # "no just take the filters off" at a change that takes them off: said so
        dispatcher.utter_message(response="utter_change_takes_them_off", number=order.number,
                                 items=", ".join(out.already_out))
    view = order_view(order)
    tracker.slots.update({TARGET: view, CHANGES: out.left, CHOICE: None, PENDING: None})
    proposed = await ActionConfirmOrderChange().run(dispatcher, tracker, {})
    return asked + [SlotSet(TARGET, view), SlotSet(CHANGES, out.left), SlotSet(CHOICE, None)] + proposed

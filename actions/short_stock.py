"""Counts an order being made can't have: more than one line may hold, or more than is in stock
(said with up to three similar products offered; the count is asked again, or the item goes when
none are left), and "whatever you have" for as many as there are."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order, Refused
from actions.order_draft import is_complete
from actions.order_slots import PENDING_ORDER, at_the_summary

logger = logging.getLogger(__name__)

MAX_QUANTITY = 20  # the backend's MAX_LINE_QUANTITY
ALL_THERE_IS = re.compile(r"(?i)\b(?:whatever|all|as many as) (?:you(?:'ve| have)?|u) (?:have|got|can)\b|"
                          r"\b(?:the rest|what(?:'s| is) left|all (?:of )?(?:them|those) left)\b")


def refuse_counts_out_of_range(dispatcher: CollectingDispatcher, draft: List[Dict[str, Any]]) -> None:
    """Counts over what one line may hold ("25 mugs"), said; the item waits for a new count."""
    for item in draft:
        if item.get("quantity") is not None and not 1 <= int(item["quantity"]) <= MAX_QUANTITY:
            _unsay_counts(dispatcher, {item["name"]})  # "Okay, 25 × …" was said as it was read
            dispatcher.utter_message(response="utter_order_quantity_out_of_range",
                                     name=item["name"], max=MAX_QUANTITY)
            item["quantity"] = None


async def check_stock(dispatcher: CollectingDispatcher, tracker: Tracker,
                      draft: List[Dict[str, Any]]) -> Tuple[Dict[str, int], List[Dict[str, str]]]:
    """The items short of stock ({sku: available}) and the products offered instead, said now, not
    after the address and contact (none left: before "how many?"); ({}, []) when the stock can't be
    read (creating the order checks it again)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            waiting = await _order_waiting(backend, tracker)
            short = await _short_now(backend, draft, waiting)
            _unsay_counts(dispatcher, {item["name"] for item in draft if item["sku"] in short})
            # what the order had and the edit took out is offered for none ("drop the blue")
            left_out = {line.sku for line in waiting.lines} if waiting else set()
            offered = await say_short_stock(dispatcher, backend, draft, short, left_out) if short else []
            if waiting is not None and at_the_summary(tracker) and not is_complete(draft):
                await _keep_what_is_done(backend, waiting, draft)
    except BackendError as error:
        logger.warning("stock check failed: %s", error)
        return {}, []
    return short, offered


async def all_there_is(tracker: Tracker, item: Dict[str, Any], text: str) -> Optional[int]:
    """ "whatever you have", "all you've got": as many as are in stock."""
    if not ALL_THERE_IS.search(text):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            return min((await backend.get_product(item["sku"])).available, MAX_QUANTITY) or None
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return None


async def say_short_stock(dispatcher: CollectingDispatcher, backend: BackendClient, draft: List[Dict[str, Any]],
                          short: Dict[str, int], not_offered: frozenset = frozenset()) -> List[Dict[str, str]]:
    """Says, per item short of stock ({sku: available}), how many are left and up to three similar
    products in stock (not those `not_offered`); the item then waits for a new quantity, or goes when
    none are left. Returns the products offered ({"sku", "name"}), so that "the blue ones then" can
    pick one."""
    ordered = {item["sku"] for item in draft} | set(not_offered)
    offered: List[Dict[str, str]] = []
    for sku, available in short.items():
        product = await backend.get_product(sku)
        others = await backend.search_products(category=product.category, limit=20)
        alternatives = [p for p in others if p.available > 0 and p.sku not in ordered][:3]
        item = next(i for i in draft if i["sku"] == sku)
        # "ok red ones instead then": as many as were asked for of the short one
        offered += [{"sku": p.sku, "name": p.name, "count": item["quantity"]} for p in alternatives]
        dispatcher.utter_message(  # its SKU: "when will it be back" next is about this product
            response="utter_order_short_stock" if available > 0 else "utter_order_out_of_stock",
            name=product.name, sku=product.sku, requested=item["quantity"], available=available,
            alternatives=", ".join(p.name for p in alternatives) or "nothing similar right now")
        if available > 0:
            item["quantity"] = None
        else:
            draft.remove(item)
    return offered


async def _order_waiting(backend: BackendClient, tracker: Tracker) -> Optional[Order]:
    """The order made from this draft that waits for its "yes" (edited at its summary), if pending."""
    number = tracker.get_slot(PENDING_ORDER)
    order = await backend.get_order(number) if number else None
    return order if order is not None and order.status == "pending" else None


async def _short_now(backend: BackendClient, draft: List[Dict[str, Any]], waiting: Optional[Order]) -> Dict[str, int]:
    """{sku: available} for the items asking for more than is in stock now, or waiting for a count
    with none left ("got any decaf?": said before "how many?"). The order waiting for its "yes"
    (`waiting`) holds stock that this draft takes over: it counts as available (3 green mugs, the
    last 3, then "also add a red mug": not out of stock)."""
    held = {line.sku: line.quantity for line in waiting.lines} if waiting else {}
    available = {item["sku"]: (await backend.get_product(item["sku"])).available + held.get(item["sku"], 0)
                 for item in draft if item["sku"]}
    return {sku: left for sku, left in available.items()
            if left < max(1, sum(int(i["quantity"] or 0) for i in draft if i["sku"] == sku))}


def _unsay_counts(dispatcher: CollectingDispatcher, names: set) -> None:
    """ "Okay, 3 × Ceramic Teapot" was said as the count was read; the stock has fewer, which the
    short-stock answer says instead (it had said "Okay" and then "Sorry, we only have 2")."""
    dispatcher.messages[:] = [message for message in dispatcher.messages if not (
        message.get("response") == "utter_order_quantity_changed" and message.get("name") in names)]


async def _keep_what_is_done(backend: BackendClient, waiting: Order, draft: List[Dict[str, Any]]) -> None:
    """An edit at the summary waits for an answer ("only 1 green left: how many?", "which kettle?")
    while the rest of it is done ("Taken out of your order: Ceramic Mug Blue"): the order waiting
    for its "yes" is changed to what is done, an item still waiting keeping its count, so that what
    comes next (its summary shown again, a "yes") has it so (the blue had come back)."""
    held = {line.sku: line.quantity for line in waiting.lines}
    lines = [{"sku": item["sku"], "quantity": int(item["quantity"] or held[item["sku"]])} for item in draft
             if item["sku"] and (item["quantity"] or item["sku"] in held)]
    if not lines or sorted((line["sku"], line["quantity"]) for line in lines) == sorted(held.items()):
        return
    try:
        await backend.change_items(waiting.number, lines)
    except Refused as refusal:  # stock gone meanwhile: the summary after the answer changes it
        logger.info("keeping the done part of the edit of %s refused: %s", waiting.number, refusal.detail)

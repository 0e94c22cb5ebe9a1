"""Edits of an order being made, said while its address or contact is asked or at its summary:
items dropped ("drop the colombia", "none" to "how many?"), kept only ("just the dripper"),
swapped, recounted ("make the mugs 4"), or a product offered for a short item taken."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.draft_questions import count_asked_for
from actions.form_answers import intent_of
from actions.order_changes import dropped_by_name
from actions.order_draft import (fewer_of, is_complete, is_removed, kept_only, merge_into_draft, pick_alternative,
                                 remove_from_draft, removes_one_described, take_alternative)
from actions.order_slots import ADDRESS, ALTERNATIVES, CONTACT, DRAFT, ITEMS, at_the_summary
from actions.parsing import only_asks, quantity_in, wants_to_order, within_phone_number, without_phone_numbers
from actions.replacements import REPLACING, replacement

logger = logging.getLogger(__name__)

# Messages that may carry items; anything else while items are asked lets other rules answer.
# "add a teapot" while ordering may read as change_order: it changes the order being made.
ITEM_INTENTS = ("place_order", "inform", "product_info", "change_order")
# "please add a teapot too" reads as a product question to the NLU; while ordering it adds.
ADDING = re.compile(r"(?i)\b(add|also|plus|as well|too)\b")
# "actually make it 3": a new quantity for the one product being ordered.
RESIZING = re.compile(r"(?i)\b(make it|make that|change it to|change to|instead|only)\b")
# "How many X?" answered "none", "0", "no", "skip it": X is not wanted after all.
NONE_OF_IT = re.compile(r"(?i)^\s*(?:0|zero|none|no|nope|nah|nothing|skip(?: it| that)?|not (?:that|this|it|any)|"
                        r"(?:i )?don'?t (?:want|need) (?:it|that|any)|remove (?:it|that))\b")


def edits_items(tracker: Tracker) -> bool:
    """ "And a teapot too", "remove the blue mugs" while the form asks for the address or contact."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    products = [e for e in entities if e.get("entity") == "product"
                or (e.get("entity") == "category" and is_removed(e, text))]  # "remove the tea"
    if tracker.get_slot("requested_slot") not in (ADDRESS, CONTACT):
        return False
    if removes_one_described(tracker.get_slot(DRAFT) or [], text):
        return True  # "remove the red ones": no product to the NLU
    if dropped_by_name(tracker.get_slot(DRAFT) or [], text, entities)[0]:
        return True  # "drop the colombia", "nevermind the mugs": an item named by a word of its name
    if kept_only(tracker.get_slot(DRAFT) or [], text, entities) is not None:
        return True  # "actually just the dripper pls": the rest goes
    return bool(products) and (intent_of(tracker) in ("place_order", "change_order") or wants_to_order(text)
                               or ADDING.search(text) is not None or any(is_removed(e, text) for e in products))


def changes_items(tracker: Tracker) -> bool:
    """The message edits the order being made while the form asks for something else."""
    return (edits_items(tracker) or new_quantity(tracker, tracker.get_slot(DRAFT) or []) is not None
            or offer_picked(tracker) is not None)


def drops_an_item(tracker: Tracker) -> bool:
    """ "i said drop the colombia", "forget the decaf" (a stop to the NLU) while an order is made: an
    item of it taken out and the rest kept, not the order thrown away; not when it names every item
    (then the whole order goes)."""
    draft = [item for item in tracker.get_slot(DRAFT) or [] if item.get("sku")]
    dropped = dropped_by_name(draft, tracker.latest_message.get("text") or "",
                              tracker.latest_message.get("entities") or [])[0]
    return bool(dropped) and len(dropped) < len(draft)


def keeps_only_some(tracker: Tracker) -> bool:
    """ "nevermind the mugs just the glasses", "actually just the dripper pls" (a product question to
    the NLU) at the summary: the lines named are kept and the others go, an edit of the order waiting
    for its "yes" (QA16: a product list or card answered, and nothing was taken out)."""
    return at_the_summary(tracker) and kept_only(tracker.get_slot(DRAFT) or [], tracker.latest_message.get("text") or "",
                                                 tracker.latest_message.get("entities") or []) is not None


def recount_or_keep_only(dispatcher: CollectingDispatcher, tracker: Tracker,
                         draft: List[Dict[str, Any]]) -> Optional[Dict[Text, Any]]:
    """The items after "make the mugs 4", "remove 1 white mug", "one less enamel mug" (3 mugs become
    2) or "nevermind the mugs just the glasses" (the rest goes), said; None for any other message."""
    resized = new_quantity(tracker, draft) or (fewer_of(draft, tracker.latest_message.get("entities") or [],
                                                        tracker.latest_message.get("text") or "") if draft else None)
    if resized is not None:
        at, quantity = resized
        draft[at]["quantity"] = quantity
        dispatcher.utter_message(response="utter_order_quantity_changed", quantity=quantity, name=draft[at]["name"])
        return {ITEMS: draft}
    kept = _keep_only(tracker, draft)
    if kept is not None:
        dispatcher.utter_message(response="utter_order_items_removed",
                                 names=", ".join(item["name"] for item in draft if item not in kept))
        return {ITEMS: kept}
    return None


def _keep_only(tracker: Tracker, draft: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """The items "just the X" keeps of an order made (at its summary, or while its address or contact
    is asked); None for any other message."""
    asked = tracker.get_slot("requested_slot")
    if not is_complete(draft) or not (asked in (ADDRESS, CONTACT) or (asked is None and at_the_summary(tracker))):
        return None
    return kept_only(draft, tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or [])


def new_quantity(tracker: Tracker, draft: List[Dict[str, Any]]) -> Optional[Tuple[int, int]]:
    """(which item, its new count) for "actually make it 3" (a one-product order) or "make the red
    ones 3", "change the mugs to 4" (a word only that item's name has) while the address or
    contact is asked, or at the summary."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    asked = tracker.get_slot("requested_slot")
    # "same address but contact me on 012 345 6789" was a new count of 12
    quantity = quantity_in(without_phone_numbers(text)) or next(
        (int(e["value"]) for e in entities if e.get("entity") == "quantity" and not within_phone_number(e["value"], text)),
        None)
    if not (asked in (ADDRESS, CONTACT) or (asked is None and at_the_summary(tracker))) or quantity is None:
        return None
    if len(draft) == 1 and RESIZING.search(text) and not any(e.get("entity") == "product" for e in entities):
        return 0, quantity
    named = _RESIZING_NAMED.search(text)
    if named is None:
        return None
    said = {word.rstrip("s") for word in re.findall(r"[a-z]+", named.group("what").lower())}
    names = [{word.rstrip("s") for word in re.findall(r"[a-z]+", item["name"].lower())} for item in draft]
    shared = set.intersection(*names) if len(names) > 1 else set()  # one item: any word of its name
    meant = [at for at, words in enumerate(names) if said & (words - shared)]
    if len(meant) != 1:
        meant = _items_named_within(draft, entities, named.span("what"))
    return (meant[0], quantity) if len(meant) == 1 else None


def _items_named_within(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                        span: Tuple[int, int]) -> List[int]:
    """The draft's items a product the NLU found within `span` names: "make the moka pots 2" is the
    Stovetop Espresso Maker, though its name has no "moka"."""
    skus = {sku for e in entities if e.get("entity") == "product" and isinstance(e.get("start"), int)
            and span[0] <= e["start"] < span[1] for sku in e.get("skus") or []}
    return [at for at, item in enumerate(draft) if item["sku"] in skus]


# "make the red ones 3", "change the mugs to 4", "make the blue mugs 3 instead"
_RESIZING_NAMED = re.compile(r"(?i)\b(?:make|change|set|update)\s+(?:the|my|those|these)\s+(?P<what>[a-z][a-z ]*?)\s+"
                             r"(?:to\s+|into\s+)?(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b")


def take_out(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
             text: str) -> Tuple[Optional[Dict[Text, Any]], List[Dict[str, Any]]]:
    """Items taken out of the draft, said: named ("remove the blue mugs"), by a word of their name
    ("drop the colombia"), or "none" to "how many?"; what else the message says is merged ("…, just
    the mugs"). (the items, or None when nothing goes; the entities not used to name what went)"""
    removed, entities = remove_from_draft(draft, tracker.latest_message.get("entities") or [], text)
    if not removed:  # "drop the colombia", "nevermind the mugs just the kettle": by a word of its name
        removed, entities = _drop_by_name(draft, entities, text)
    asked_about = count_asked_for(draft)
    if not removed and tracker.get_slot("requested_slot") == ITEMS and asked_about is not None \
            and NONE_OF_IT.match(text):
        draft.remove(asked_about)  # "how many tea infusers?" "none": it goes
        removed = [asked_about["name"]]
    if not removed:
        return None, entities
    dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(removed))
    merge_into_draft(draft, entities, text, answering=False)  # "..., just the mugs"
    _just_the_one(draft, text)
    return {ITEMS: draft}, entities


def _drop_by_name(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                  text: str) -> Tuple[List[str], List[Dict[str, Any]]]:
    """Takes out of the draft the items the message drops by name ("lose the colombia"); (their
    names, the entities not used to name them)."""
    dropped, spans = dropped_by_name([item for item in draft if item["sku"]], text, entities)
    for item in dropped:
        draft.remove(item)
    kept = [e for e in entities if not (isinstance(e.get("start"), int) and any(
        start <= e["start"] < end for start, end in spans))]
    return [item["name"] for item in dropped], kept


# "…, just the kettle": one of the item kept, still waiting for its count ("the mugs": how many?).
_JUST_THE_ONE = re.compile(r"(?i)\b(?:just|only)\s+(?:the|a|an|one)\s+(?P<what>[a-z][a-z -]*?)\s*"
                           r"(?=$|[,.;!?]|\b(?:and|please|pls|plz|then|thanks)\b)")


def _just_the_one(draft: List[Dict[str, Any]], text: str) -> None:
    """ "nevermind the mugs just the kettle" to "how many kettles?": one kettle."""
    match = _JUST_THE_ONE.search(text)
    words = re.findall(r"[a-z]+", match.group("what").lower()) if match else []
    if not words or (words[-1].endswith("s") and not words[-1].endswith("ss")):
        return
    for item in draft:
        if item["sku"] and not item["quantity"] and set(words) <= set(re.findall(r"[a-z]+", item["name"].lower())):
            item["quantity"] = 1


async def swap(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
               entities: List[Dict[str, Any]], text: str) -> Optional[Dict[Text, Any]]:
    """ "replace the french press with a moka pot" (it had added the moka pot): the items with the
    swap made, said; None when the message swaps nothing."""
    swapped = await _swapped(tracker, draft, entities, text)
    if swapped is None:
        return None
    _say_swap(dispatcher, draft, swapped)
    return {ITEMS: swapped}


async def _swapped(tracker: Tracker, draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                   text: str) -> Optional[List[Dict[str, Any]]]:
    """The draft with one item swapped for another product, as a placed order's items are
    ("swap the kettles for one gooseneck kettle"); None when the message swaps nothing."""
    if not draft or not REPLACING.search(text) or any(not item["sku"] or not item["quantity"] for item in draft):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            result = await replacement(backend, [dict(item) for item in draft], entities, text)
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return None
    if result is None or result.problem or not result.changed:
        return None
    return [{"sku": line["sku"], "name": line["name"], "quantity": line["quantity"], "candidates": []}
            for line in result.lines]


def _say_swap(dispatcher: CollectingDispatcher, before: List[Dict[str, Any]], after: List[Dict[str, Any]]) -> None:
    kept = {item["sku"] for item in after}
    gone = [item["name"] for item in before if item["sku"] not in kept]
    if gone:
        dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(gone))
    say_what_changed(dispatcher, {item["sku"]: item["quantity"] for item in before}, after)


def say_what_changed(dispatcher: CollectingDispatcher, before: Dict[str, Any], draft: List[Dict[str, Any]]) -> None:
    """"Added to your order: Glass Teapot", or "Okay, 3 × Ceramic Mug Blue" for "make it 3 mugs"."""
    added = [item["name"] for item in draft if not item["sku"] or item["sku"] not in before]
    if added:
        dispatcher.utter_message(response="utter_order_items_added", names=", ".join(added))
    for item in draft:
        if item["sku"] in before and item["quantity"] and item["quantity"] != before[item["sku"]]:
            dispatcher.utter_message(response="utter_order_quantity_changed", quantity=item["quantity"], name=item["name"])


def offer_picked(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The product offered for a short item that the message takes: "the cast iron one then" (the
    NLU names it), "ok, 2 blue ones then" (a word only its name has); also once the rest of the
    order went on to the address. None for a question ("how much is the blue one?": its rule)."""
    alternatives = tracker.get_slot(ALTERNATIVES) or []
    text = tracker.latest_message.get("text") or ""
    if not alternatives or only_asks(text) or tracker.get_slot("requested_slot") not in (ITEMS, ADDRESS, CONTACT):
        return None
    products = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product"]
    waiting = any(item.get("sku") and not item.get("quantity") for item in tracker.get_slot(DRAFT) or [])
    if products and waiting:
        return None  # "5 is fine, also 2 sencha" for the short chai: both (the merge reads them)
    if products:
        named = {sku for entity in products for sku in entity.get("skus") or []}
        offered = [offer for offer in alternatives if offer["sku"] in named]
        if len(products) == 1 and len(offered) == 1:
            return offered[0]
        vague = len(products) == 1 and len(named) > 1 and not offered
        # "the glass one then" after the teapots offered: not "which glass?" (drinking glasses)
        return pick_alternative(alternatives, text) if vague else None
    if intent_of(tracker) not in ITEM_INTENTS + ("affirm", "deny"):
        return None
    return pick_alternative(alternatives, text)


def offer_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
    """ "ok, 2 blue ones then" names no product: it may pick one offered for a short item (not
    "how much is the blue one?", which its rule answers)."""
    offer = offer_picked(tracker)
    return {ITEMS: draft} if offer and take_alternative(draft, tracker.get_slot(ALTERNATIVES) or [], text,
                                                         offer) else {}

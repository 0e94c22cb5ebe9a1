"""The items an order's message adds, beyond the products the NLU found: a count said apart ("got
any decaf? need 2 bags") or alone to "how many?", colours said alone ("2 white and 2 red"), the
last order again; said back, with the words that matched no product and a way to pay said with it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.draft_edits import ITEM_INTENTS, say_what_changed
from actions.draft_questions import count_asked_for, open_choice
from actions.form_answers import OTHER_REQUESTS, intent_of
from actions.message_parts import message_view
from actions.order_address import address_found, last_order, orders_with_its_address
from actions.order_draft import (colours_named, drop_replaced, merge_into_draft, offers_named, ones_of_the_same_kind,
                                 settle_by_names)
from actions.order_form_start import orders_with_a_request
from actions.order_slots import ALTERNATIVES, DRAFT, ITEMS
from actions.parsing import contact_detail, is_address, tries_an_address, unmatched_items, within_phone_number
from actions.short_stock import all_there_is

# A way to pay said with an order ("pay in 3 instalments", "paying with klarna"): chat orders are
# paid on delivery, the rest only at the website's checkout (utter_order_paid_in_the_chat); never a product.
PAYING = re.compile(r"(?i)\b(?:instal+ments?|klarna|pay\s?pal|afterpay|clearpay|pay later|bnpl|apple ?pay|google ?pay|"
                    r"(?:credit|debit) card|bank transfer|pay(?:ing|ment)?\s+(?:by|with|via|in|using|through|over)\b)")
# "same as last time", "reorder my last order", "my usual": the last order's items again.
REORDER = re.compile(r"(?i)\b(?:re-?order|order (?:it|that|them|the same) again|same (?:order )?as (?:last time|before|"
                     r"my last(?: one| order)?|the last(?: one| order)?)|same again|(?:my|the) usual|repeat (?:my )?"
                     r"(?:last |previous )?order|same (?:order|thing) again)\b")


async def the_last_order_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """The last order's lines as this order's items, said so (they had read as an unknown product
    or nothing); with no earlier order, that is said and the form asks what to order."""
    last = await last_order(tracker)
    if last is None or not last.lines:
        dispatcher.utter_message(response="utter_no_order_to_repeat")
        return {}
    items = [{"sku": line.sku, "name": line.name, "quantity": line.quantity, "candidates": []} for line in last.lines]
    dispatcher.utter_message(response="utter_order_again", number=last.number,
                             lines="\n".join(f"• {line.quantity} × {line.name}" for line in last.lines))
    return {ITEMS: items}


async def answer_how_many(tracker: Tracker, draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                          text: str) -> bool:
    """The count for the item "how many?" asks about: said with another product ("5 is fine, also 2
    sencha", "whatever you have plus 2 sencha": the count is for the chai, the sencha joins; the chai
    had been dropped for the sencha), or "ok give me whatever you have" alone (a "no" to the NLU)
    when it is short; True when that alone answered it."""
    asked_about = count_asked_for(draft) if tracker.get_slot("requested_slot") == ITEMS else None
    if asked_about is None:
        return False
    products = [e for e in entities if e.get("entity") == "product"]
    if products and all(e.get("start") is not None for e in products):
        asked_about["quantity"] = loose_count(text, entities) or await all_there_is(tracker, asked_about, text)
    elif not products:
        everything = await all_there_is(tracker, asked_about, text)
        if everything:
            asked_about["quantity"] = everything
            return True
    return False


async def add_items(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
                    entities: List[Dict[str, Any]], text: str, adding: bool) -> Dict[Text, Any]:
    """The items with what the message adds or answers merged in, said back (`adding`: an edit while
    the address or contact is asked); {} when it is no answer to the question asked."""
    requested = tracker.get_slot("requested_slot")
    if not adding and intent_of(tracker) not in ITEM_INTENTS and not orders_with_a_request(tracker) \
            and not orders_with_its_address(tracker):
        # "ok 3 then" reads as a yes: a quantity or a product still answers the question asked.
        answers = requested == ITEMS and intent_of(tracker) not in OTHER_REQUESTS
        return {ITEMS: draft} if answers and _merge(dispatcher, tracker, draft, entities, text, True) else {}
    before = {item["sku"]: item["quantity"] for item in draft if item["sku"]}
    if _merge(dispatcher, tracker, draft, entities, text, requested == ITEMS):
        if adding:
            say_what_changed(dispatcher, before, draft)
        found = await ones_of_the_same_kind(tracker, draft, text, entities)
        if any(not item["sku"] for item in draft):
            await settle_by_names(tracker, draft)  # "4 mugs - 2 blue 2 white": those two, said now
        named = {word for item in draft for word in re.findall(r"[a-z]+", item["name"].lower())}
        _say_unmatched(dispatcher, text, entities, found + sorted(named))
        if PAYING.search(text):  # "… and pay in 3 instalments", "paying with klarna in 3"
            dispatcher.utter_message(response="utter_order_paid_in_the_chat")
        return {ITEMS: draft}
    if requested != ITEMS:
        return {}
    # Asked and got nothing new: ask again, or say no product matched (validate_order_items).
    return {ITEMS: draft or None}


def _merge(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
           entities: List[Dict[str, Any]], text: str, answering: bool) -> bool:
    """merge_into_draft; an offered product named in place of a short item replaces it. A new
    count for the item "which mug?" waits on ("make it 3") is said, as "which" is asked again."""
    choice = open_choice(draft)
    count = choice["quantity"] if choice else None
    if not merge_into_draft(draft, entities, text, answering):
        return False
    _count_said_last(draft, entities, text)
    named = offers_named(entities, tracker.get_slot(ALTERNATIVES) or [])
    if named:
        drop_replaced(draft, named)
    if choice is not None and choice is open_choice(draft) and choice["quantity"] not in (None, count):
        dispatcher.utter_message(response="utter_order_quantity_changed", quantity=choice["quantity"],
                                 name=choice["name"])
    return True


# "got any decaf? need 2 bags", "the ceramic teapot. 2 please": a count that ends the message.
_COUNT_AT_THE_END = re.compile(r"(?i)\b(\d{1,2})\s*(?:x|bags?|packs?|packets?|pcs|pieces?|units?|boxes|box|tins?|jars?|"
                               r"sets?|of (?:them|those|these|it))?\s*(?:please|pls|plz|thanks|thx)?\W*$")


def _count_said_last(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str) -> None:
    """The count of the one product named, said after it and apart ("got any decaf? need 2 bags"),
    for its item still without one: not "how many?" again."""
    products = [e for e in entities if e.get("entity") == "product"]
    if len(products) != 1 or not isinstance(products[0].get("end"), int):
        return
    said = _COUNT_AT_THE_END.search(text, products[0]["end"])
    between = text[products[0]["end"]:said.start()] if said else ""
    if said is None or re.search(r"\d", between) or len(between.split()) > 4 or PAYING.search(between):
        return  # "gooseneck kettle to Ada, 1 Main St, Dublin 8": no 8 kettles; "…, klarna in 3": no 3
    item = next((item for item in draft if item["sku"] and item["sku"] in (products[0].get("skus") or [])), None)
    if item is not None and not item["quantity"] and not within_phone_number(said.group(1), text):
        item["quantity"] = int(said.group(1))


def loose_count(text: str, entities: List[Dict[str, Any]]) -> Optional[int]:
    """A count said on its own, not a product's ("5 is fine, also 2 sencha": 5; "2 of the filters": none)."""
    starts = [int(e["start"]) for e in entities if e.get("entity") == "product" and e.get("start") is not None]
    for match in re.finditer(r"\b(\d{1,3})\b", text):
        following = [start for start in starts if start >= match.end()]
        between = text[match.end():min(following)] if following else " alone"
        if re.search(r"[a-z]{2,}", re.sub(r"(?i)\b(?:of|the|x|pcs|packs?|more)\b", " ", between).lower()):
            return int(match.group(1))
    return None


def _say_unmatched(dispatcher: CollectingDispatcher, text: str, entities: List[Dict[str, Any]],
                   found: List[str]) -> None:
    """ "2 glases and a teapot": the teapot goes in, and the customer hears the glasses did not."""
    products = [e for e in entities if e.get("entity") == "product"]
    if any(e.get("start") is None or e.get("end") is None for e in products):
        return  # a button's payload: no words to check
    address = address_found(text)
    ordered = text[:address[0]] if address else text  # "… to Al Reed, 1 Main Street, …": no item "Main"
    spans = [(int(e["start"]), int(e["end"])) for e in products]
    missing = [word for word in unmatched_items(ordered, spans) + _packed_unmatched(ordered, spans)
               if word.lower() not in found and word.lower() not in COUNT_WORDS and not PAYING.fullmatch(word)]
    if missing:
        dispatcher.utter_message(response="utter_order_items_not_found", names=", ".join(f'"{w}"' for w in missing))


# "2 nos blue mug", "3 pcs": words that count, no item
COUNT_WORDS = frozenset("nos nums qty pcs pieces piece units unit numbers".split())
# "2 bags of colombia", "a pack of the kenya": what is counted in bags (QA16: beans the NLU missed
# were dropped without a word).
_PACKED = re.compile(r"(?i)\b(?:\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:bags?|packs?|"
                     r"packets?|boxes|box|tins?|jars?|pouch(?:es)?)\s+of\s+(?:the\s+)?(?P<word>[a-z][a-z'-]{2,})")
_NO_ITEM = frozenset("those these them it each your my our his her their that this what which same other usual "
                     "new last".split())


def _packed_unmatched(text: str, spans: List[Tuple[int, int]]) -> List[str]:
    """Words counted in bags or packs ("2 bags of colombia") that no product entity covers."""
    return [match.group("word") for match in _PACKED.finditer(text)
            if match.group("word").lower() not in _NO_ITEM
            and not any(start < match.end("word") and match.start("word") < end for start, end in spans)]


async def with_colours_named(tracker: Tracker) -> Tracker:
    """The tracker with a product entity for each colour said alone that names a variant of a product
    named before it or in the order ("make it 2 white and 2 red": the red mugs); as it was else."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    draft = tracker.get_slot(DRAFT) or []
    address = address_found(text)  # "2 mugs red n 1 blue … ship to <address>": the colours of the items
    ordered = text[:address[0]] if address else text
    if tracker.get_slot(ALTERNATIVES) or open_choice(draft) or contact_detail(ordered) or is_address(ordered) \
            or tries_an_address(ordered):
        return tracker  # "2 red ones then" picks an offer, "red" answers "which mug?"; "12 Red Lion St" is no mug
    found = await colours_named(tracker, draft, ordered, [e for e in entities if not isinstance(e.get("start"), int)
                                                          or e["start"] < len(ordered)])
    if not found:
        return tracker
    return message_view(tracker, text, sorted(entities + found, key=lambda e: e.get("start") or 0))

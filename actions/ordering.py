"""Place an order, part 1: the order form collects items, a shipping address and a contact.

Slots: `order_draft` holds what the user asked for so far (actions/order_draft.py reads messages
into it). `order_items` is the same list once every item has a SKU and a quantity; the form asks
until then. `order_alternatives` holds the in-stock products offered
when an item was short ({"sku", "name"} each), so "ok, 2 blue ones instead" can pick one. Creating
the order is in actions/place_order.py.
"""
from __future__ import annotations

import copy
import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Order, Refused
from actions.conversation import leave, takes_leave
from actions.form_answers import (OTHER_REQUESTS, acknowledge_details, answer_before_a_correction, free_text_answer,
                                  goes_on, intent_of, last_utterance, said_this_turn)
from actions.language import is_foreign, only_english
from actions.order_changes import clauses, dropped_by_name
from actions.order_draft import (EACH_OF_THEM, colours_named, drop_replaced, fewer_of, is_complete, is_removed,
                                 kept_only, merge_into_draft, offers_named, ones_of_the_same_kind, option_picked,
                                 pick_alternative, remove_from_draft,
                                 removes_one_described, settle_by_description, settle_by_names, settle_by_rank,
                                 take_alternative)
from actions.order_slots import ADDRESS, ALTERNATIVES, CONTACT, DRAFT, ITEMS, PENDING_ORDER, SAVED, at_the_summary
from actions.order_wording import RETURNING, asks_about_orders
from actions.order_forms import order_number_named
from actions.orders import ActionTrackOrder, asks_after_an_ordered_product
from actions.parsing import (address_refusal, agrees, asks_to_buy, complete_address, contact_detail, contact_details,
                             contact_with_address, format_address, format_price, is_address, joined_contact, only_asks, order_number,
                             parse_address, quantity_in, tries_an_address, unmatched_items, wants_to_order,
                             within_phone_number, without_phone_numbers)
from actions.placed_order_edits import SENDS_AN_ORDER, TO_AN_ORDER, adds_to_a_placed_order
from actions.product_questions import PRICE_ASKED, asks_only_the_price, asks_when_back
from actions.replacements import REPLACING, replacement
from actions.returns import continues_a_return
from actions.yes_to_cancel import says_yes_to_the_cancel
from actions.separate_order import added_items, leave_the_change, wants_a_separate_order
from actions.support import complain_about_what_came, complains
from actions.tickets import PAUSED_FORM, PENDING

logger = logging.getLogger(__name__)

MAX_QUANTITY = 20  # the backend's MAX_LINE_QUANTITY
# The form asks for the contact with its own response, found by name:
# "utter_ask_order_form_order_contact".
# Messages that may carry items; anything else while items are asked lets other rules answer.
# "add a teapot" while ordering may read as change_order: it changes the order being made.
ITEM_INTENTS = ("place_order", "inform", "product_info", "change_order")
# "please add a teapot too" reads as a product question to the NLU; while ordering it adds.
ADDING = re.compile(r"(?i)\b(add|also|plus|as well|too)\b")
# A way to pay said with an order ("pay in 3 instalments", "paying with klarna"): chat orders are
# paid on delivery, the rest only at the website's checkout (utter_order_paid_in_the_chat); never a product.
PAYING = re.compile(r"(?i)\b(?:instal+ments?|klarna|pay\s?pal|afterpay|clearpay|pay later|bnpl|apple ?pay|google ?pay|"
                    r"(?:credit|debit) card|bank transfer|pay(?:ing|ment)?\s+(?:by|with|via|in|using|through|over)\b)")
# "actually make it 3": a new quantity for the one product being ordered.
RESIZING = re.compile(r"(?i)\b(make it|make that|change it to|change to|instead|only)\b")
# "How many X?" answered "none", "0", "no", "skip it": X is not wanted after all.
NONE_OF_IT = re.compile(r"(?i)^\s*(?:0|zero|none|no|nope|nah|nothing|skip(?: it| that)?|not (?:that|this|it|any)|"
                        r"(?:i )?don'?t (?:want|need) (?:it|that|any)|remove (?:it|that))\b")
# "ok i'll take it", "i want 2 of those": the product just shown.
TAKES_THE_SHOWN = re.compile(r"(?i)\b(?:take|buy|order|want|get|have|need|add|put)\s+(?:\d+\s+(?:of\s+)?)?"
                             r"(?:it|that|this|that one|this one|them|these|those|one)\b|\bi'?ll take\b|"
                             r"^\s*(?:ok(?:ay)?|fine|alright|then)?[\s,]*\d{1,2}\s*(?:then|please|pls|of (?:them|those))?"
                             r"[\s.!]*$")  # "ok 1 then"


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


def _keep_only(tracker: Tracker, draft: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """The items "just the X" keeps of an order made (at its summary, or while its address or contact
    is asked); None for any other message."""
    asked = tracker.get_slot("requested_slot")
    if not is_complete(draft) or not (asked in (ADDRESS, CONTACT) or (asked is None and at_the_summary(tracker))):
        return None
    return kept_only(draft, tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or [])


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


# "forget it, keep 20", "never mind, just 20", "nvm the glass one": leave words, then an answer to
# the question the form asked (it had been a stop, and the whole order was thrown away).
_NEVER_MIND_THEN = re.compile(r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|actually|hmm+)[\s,.!]+)*"
                              r"(?:never\s*mind|nvm|forget (?:it|about it|that)|scrap that|leave it)[\s,.;:!-]+(?=\w)")
_KEEP = re.compile(r"(?i)^keep\b")


async def answer_after_a_never_mind(tracker: Tracker) -> Optional[Tracker]:
    """The tracker as if the message were only its answer, when it answers "how many?" or "which
    one?" after words of leaving (a count, a product, an option; "keep it" at the summary: the count
    the order waiting for its "yes" has); None for anything else ("never mind, bye" leaves)."""
    draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
    text = tracker.latest_message.get("text") or ""
    lead = _NEVER_MIND_THEN.match(text)
    if tracker.get_slot("requested_slot") != ITEMS or lead is None or is_complete(draft) or dropped_by_name(
            draft, text, tracker.latest_message.get("entities") or [])[0]:
        return None  # "nevermind the mugs": they go
    rest = text[lead.end():]
    entities = [{**e, "start": e["start"] - lead.end(), "end": e["end"] - lead.end()}
                for e in tracker.latest_message.get("entities") or []
                if isinstance(e.get("start"), int) and e["start"] >= lead.end()]
    choice = open_choice(draft)
    answers = quantity_in(rest) is not None or any(e.get("entity") == "product" for e in entities) or (
        choice is not None and option_picked(choice["candidates"], rest, entities) is not None)
    if not answers and not (_KEEP.match(rest) and await _as_it_waits(tracker, draft)):
        return None
    view = message_view(tracker, rest, entities, draft)
    view.latest_message["intent"] = {"name": "inform", "confidence": 1.0}
    return view


# "nah leave it as it was", "as before", "keep it like it was", "no change" to "how many?" after a new
# count at the summary was refused: the count the order waiting for its "yes" has.
_AS_IT_WAS = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|nope|actually|hmm+|sorry|never\s*mind|nvm|forget (?:it|that)|then)[\s,.!]+)*"
    r"(?:(?:just\s+)?(?:leave|keep)\s+(?:it|them|that|those|these|everything|the (?:order|count|number|quantity))\s*)?"
    r"(?:(?:as|like|how)\s+(?:(?:it|they|that|those|these)\s+(?:was|were|is|are)|before|is)|"
    r"(?:the\s+)?same(?:\s+as\s+(?:before|it was|they were))?|unchanged|no change|don'?t change (?:it|them|anything))"
    r"[\s,.!]*(?:(?:please|pls|plz|then|thanks?|thx)[\s.!]*)?$")


async def kept_as_it_was(tracker: Tracker) -> Optional[Tracker]:
    """The tracker as if the message answered "how many?" with the order waiting for its "yes" as it
    is, for "leave it as it was" and its like (QA16: "nah" of it took the item out): its count for an
    item it holds, and an item it doesn't hold ("add 30 teapots", then "as before") left out; None
    for anything else."""
    text = tracker.latest_message.get("text") or ""
    draft = tracker.get_slot(DRAFT) or []
    if tracker.get_slot("requested_slot") != ITEMS or is_complete(draft) or not _AS_IT_WAS.match(text):
        return None
    held = await _held_by_the_waiting_order(tracker)
    kept = [dict(item, quantity=item["quantity"] or held[item["sku"]]) for item in draft
            if item["sku"] and (item["quantity"] or item["sku"] in held)]
    if not is_complete(kept):
        return None
    view = message_view(tracker, text, [], kept)
    view.latest_message["intent"] = {"name": "inform", "confidence": 1.0}
    return view


async def _as_it_waits(tracker: Tracker, draft: List[Dict[str, Any]]) -> bool:
    """The counts the order waiting for its "yes" has, for the items of `draft` that wait for one
    ("forget it, keep it" to "how many?" after "add 5 more"); True if every item has one now."""
    held = await _held_by_the_waiting_order(tracker)
    for item in draft:
        item["quantity"] = item["quantity"] or held.get(item["sku"])
    return is_complete(draft)


async def _held_by_the_waiting_order(tracker: Tracker) -> Dict[str, int]:
    """{sku: count} of the order waiting for its "yes"; {} when there is none (or it can't be read)."""
    if not at_the_summary(tracker):
        return {}
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(tracker.get_slot(PENDING_ORDER))
    except BackendError as error:
        logger.warning("reading the order waiting for its yes failed: %s", error)
        return {}
    return {line.sku: line.quantity for line in order.lines}


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


ALL_THERE_IS = re.compile(r"(?i)\b(?:whatever|all|as many as) (?:you(?:'ve| have)?|u) (?:have|got|can)\b|"
                          r"\b(?:the rest|what(?:'s| is) left|all (?:of )?(?:them|those) left)\b")


def loose_count(text: str, entities: List[Dict[str, Any]]) -> Optional[int]:
    """A count said on its own, not a product's ("5 is fine, also 2 sencha": 5; "2 of the filters": none)."""
    starts = [int(e["start"]) for e in entities if e.get("entity") == "product" and e.get("start") is not None]
    for match in re.finditer(r"\b(\d{1,3})\b", text):
        following = [start for start in starts if start >= match.end()]
        between = text[match.end():min(following)] if following else " alone"
        if re.search(r"[a-z]{2,}", re.sub(r"(?i)\b(?:of|the|x|pcs|packs?|more)\b", " ", between).lower()):
            return int(match.group(1))
    return None


# "same address", "same as last time", "use the same one": the last order's address offered.
SAME_AS_BEFORE = re.compile(r"(?i)\bsame (?:address|one|place|details|as (?:before|last time|last|the last|my last|previous|that|"
                            r"before))\b|\buse (?:that|the same|my last|the last)(?: one| address)?\b|"
                            r"\b(?:that|this) (?:address|one) (?:is )?(?:fine|ok|okay|good)\b")
# "make the red ones 3", "change the mugs to 4", "make the blue mugs 3 instead"
_RESIZING_NAMED = re.compile(r"(?i)\b(?:make|change|set|update)\s+(?:the|my|those|these)\s+(?P<what>[a-z][a-z ]*?)\s+"
                             r"(?:to\s+|into\s+)?(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b")


# "same as last time", "reorder my last order", "my usual": the last order's items again.
REORDER = re.compile(r"(?i)\b(?:re-?order|order (?:it|that|them|the same) again|same (?:order )?as (?:last time|before|"
                     r"my last(?: one| order)?|the last(?: one| order)?)|same again|(?:my|the) usual|repeat (?:my )?"
                     r"(?:last |previous )?order|same (?:order|thing) again)\b")


async def last_order(tracker: Tracker) -> Optional[Order]:
    """The customer's last order, or None (none, or the backend unreachable: asked as if none)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            return await backend.get_last_order()
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return None


async def _the_last_order_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
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


async def _used_before(tracker: Tracker) -> Dict[Text, Any]:
    """ "same as before" for the address with no order placed to offer one from: the address (and
    contact, if none is given yet) of the customer's newest order, whatever became of it (the one
    declined at its summary by mistake, say); {} when there is none."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            newest = next(iter(await backend.list_orders(limit=1)), None)
    except BackendError as error:
        logger.warning("reading the newest order failed: %s", error)
        return {}
    if newest is None or not newest.shipping_address:
        return {}
    contact = None if tracker.get_slot(CONTACT) else joined_contact(newest.contact_email, newest.contact_phone)
    return {ADDRESS: address_of(newest), **({CONTACT: contact} if contact else {})}


def address_of(order: Order) -> Dict[str, Any]:
    """An order's shipping address as the order form's slot holds it (fields left empty dropped)."""
    return {key: value for key, value in (order.shipping_address or {}).items() if value is not None}


# Where an order's message goes on with its address: "2 red mugs to Marta …", "… ship to …".
_ADDRESS_FOLLOWS = re.compile(r"(?i)(?:\b(?:ship|send|deliver|post)(?:\s+(?:it|them|this|that))?\s+to|\bto|"
                              r"\baddress(?:\s+is)?\s*:?)\s+")


def address_in_the_order(text: str) -> Optional[str]:
    """The address an order's message ends with ("2 red mugs please. ship to Marta Kowalska,
    Mokotowska 15, 00-640 Warszawa, Poland. email marta@wp.pl"), with any contact after it; None
    when it holds none (it was asked for again)."""
    found = _address_found(text)
    return found[1] if found else None


def _address_found(text: str) -> Optional[Tuple[int, str]]:
    """Where the address an order's message ends with starts (its "to"), and the address."""
    for marker in _ADDRESS_FOLLOWS.finditer(text):
        rest = re.sub(r"(?i)[.;]?\s*(?:e-?mail|phone|mobile|tel)\s*(?:is|:)?\s*", ", ", text[marker.end():])
        if is_address(rest) or parse_address(rest)[1] == "not_shipped":  # "… to Mary Lee, …, Australia": said so
            return marker.start(), rest
    return None


def orders_with_its_address(tracker: Tracker) -> bool:
    """ "3 cast iron teapots to Ines Costa, Rua das Flores 5, 4050-262 Porto, Portugal", "2 red mugs
    … ship to Arjun Mehta, …, 1010 Wien, Austria": products ordered, then the address they go to; a
    new order whatever the NLU read (its postcode is no order number, "Costa" no question of
    cost). Not an order placed sent elsewhere ("send the teapot order to …", "ship OB-… to …")."""
    text = tracker.latest_message.get("text") or ""
    found = _address_found(text)
    if found is None:
        return False
    before, entities = text[:found[0]], tracker.latest_message.get("entities") or []
    said_before = [e for e in entities if isinstance(e.get("end"), int) and e["end"] <= found[0]]
    products = [e for e in said_before if e.get("entity") == "product"]
    counted = any(e.get("quantity") for e in products) or any(
        e.get("entity") == "quantity" and not e.get("implicit") for e in said_before)
    return (bool(products) and (counted or asks_to_buy(before)) and not order_number(before)
            and not SENDS_AN_ORDER.search(before) and not TO_AN_ORDER.search(before))


def _without_contact_lines(text: str) -> str:
    """An address without the contact lines written under it ("Email: oliver@example.co.uk",
    "Phone: 07700 900123"), which made it end in no country (the contact is read from them)."""
    return _CONTACT_LINE.sub("", text).strip()


_CONTACT_LINE = re.compile(r"(?im)^\s*(?:e-?mail|phone|tel(?:ephone)?|mobile|cell|contact)\s*(?:no\.?|number)?\s*:.*$\n?")


def early_address(tracker: Tracker) -> bool:
    """An address given while the form still asks about the items ("how many?" answered with
    "Arjun Rao, 12 Market Street, Dublin ..."): it is the address, and 12 is no quantity."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    return (tracker.get_slot("requested_slot") == ITEMS and not tracker.get_slot(ADDRESS)
            and not any(e.get("entity") == "product" for e in entities) and is_address(text))


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


# "order them", "i'll take both", "all of them": every product shown, not one of them.
_ALL_OF_THEM = re.compile(r"(?i)\b(?:them|these|those|both|all)\b")


def _named_one_by_one_before(tracker: Tracker) -> set:
    """The SKUs the customer's message before the latest named one product each ("how much are the
    travel mug and the french press?"; not "do you have kettles?", which names several at once)."""
    said = [event for event in tracker.events or [] if event.get("event") == "user"][-2:-1]
    entities = (said[0].get("parse_data") or {}).get("entities") or [] if said else []
    return {e["skus"][0] for e in entities if e.get("entity") == "product" and len(e.get("skus") or []) == 1}


def _count_priced_before(tracker: Tracker, sku: str) -> Optional[int]:
    """The count the customer's message before asked the price of `sku` for ("how much are 3 bags of
    the ethiopia beans": 3); None when it said none ("how much is a french press")."""
    said = [event for event in tracker.events or [] if event.get("event") == "user"][-2:-1]
    entities = (said[0].get("parse_data") or {}).get("entities") or [] if said else []
    if not any(e.get("entity") == "quantity" and not e.get("implicit") for e in entities):
        return None
    return next((int(e["quantity"]) for e in entities if e.get("entity") == "product"
                 and e.get("skus") == [sku] and e.get("quantity")), None)


async def _all_the_shown(tracker: Tracker, draft: List[Dict[str, Any]], shown: List[str],
                         text: str) -> Dict[Text, Any]:
    """ "ok so order them??" after the prices of products the customer named one by one: each of
    them, how many asked for each (QA16: "What would you like to order?"); {} after a list they
    asked for by kind ("do you have kettles?": which of them is meant is not said)."""
    if not _ALL_OF_THEM.search(text) or not set(shown) <= _named_one_by_one_before(tracker):
        return {}
    try:
        async with BackendClient(tracker.sender_id) as backend:
            products = [await backend.get_product(sku) for sku in shown]
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return {}
    return {ITEMS: draft + [{"sku": p.sku, "name": p.name, "quantity": None, "candidates": []} for p in products]}


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
    _say_what_changed(dispatcher, {item["sku"]: item["quantity"] for item in before}, after)


def _say_what_changed(dispatcher: CollectingDispatcher, before: Dict[str, Any], draft: List[Dict[str, Any]]) -> None:
    """"Added to your order: Glass Teapot", or "Okay, 3 × Ceramic Mug Blue" for "make it 3 mugs"."""
    added = [item["name"] for item in draft if not item["sku"] or item["sku"] not in before]
    if added:
        dispatcher.utter_message(response="utter_order_items_added", names=", ".join(added))
    for item in draft:
        if item["sku"] in before and item["quantity"] and item["quantity"] != before[item["sku"]]:
            dispatcher.utter_message(response="utter_order_quantity_changed", quantity=item["quantity"], name=item["name"])


def _say_unmatched(dispatcher: CollectingDispatcher, text: str, entities: List[Dict[str, Any]],
                   found: List[str]) -> None:
    """ "2 glases and a teapot": the teapot goes in, and the customer hears the glasses did not."""
    products = [e for e in entities if e.get("entity") == "product"]
    if any(e.get("start") is None or e.get("end") is None for e in products):
        return  # a button's payload: no words to check
    address = _address_found(text)
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


_FILLER = frozenset("a an the some one pls plz please ok okay hi hello hey and or ? ! .".split())


def names_only_an_order(tracker: Tracker) -> bool:
    """An order number and no product: "order YJK4DZZC" is about that order, not a new one (nor
    is the postcode of an address: "Tom Weber, Lange Straße 3, 26122 Oldenburg, Germany")."""
    kinds = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    return "order_id" in kinds and "product" not in kinds and order_number_named(tracker) is not None


def only_names_a_product(tracker: Tracker) -> bool:
    """The message is a product's name and nothing more: no count, no wish to buy."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    spans = [(e.get("start"), e.get("end")) for e in entities if e.get("entity") == "product"]
    if not spans or any(None in span for span in spans) or wants_to_order(text) or any(
            e.get("entity") == "quantity" and not e.get("implicit") for e in entities):
        return False
    if _PLEASE.search(text):
        return False  # "a tea infuser please", "a sencha please": one item asked for (qa15 N3)
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:int(start)] + " " + rest[int(end):]
    return all(word in _FILLER for word in re.findall(r"[a-z]+|[?!.]", rest.lower()))


_PLEASE = re.compile(r"(?i)\b(?:please|pls|plz)\b")
# "btw do you have english breakfast tea", "siri ask the shop if they have chai", "what is masala chai"
STOCK_QUESTION = re.compile(
    r"(?i)\b(?:do|does)\s+(?:you|u|ya|they|the (?:shop|store))(?:\s+(?:guys|also|still|even|currently))?\s+"
    r"(?:have|sell|stock|carry|got)\b|\bif (?:you|u|they|the (?:shop|store)) (?:(?:also|still) )?(?:have|sell|stock|carry)\b|"
    r"^\s*(?:btw\s+|so\s+|and\s+)?what(?:'?s| is| are)\b|\bis there (?:any|a|an)\b")
# Words that make a product question an order ("do you have sencha? add 2 then").
_ORDERS_IT = re.compile(r"(?i)\b(?:add|put|order|buy|i'?ll take|i want|i'?d like|i would like|give me|send me)\b")


def asks_of_a_product_instead(tracker: Tracker) -> bool:
    """At the order form's start, a message about products that orders none: a product named alone
    ("mokka pot"), a question about one ("what is masala chai"), its price for a count ("how much
    are 3 bags of the ethiopia beans", QA16: an order was started and the price never said), or
    when one is back in stock ("when will the decaf be back?": not an item refused again)."""
    text = tracker.latest_message.get("text") or ""
    return (only_names_a_product(tracker) or asks_about_a_product(tracker) or asks_the_price_first(tracker)
            or asks_when_back(text))


def asks_the_price_first(tracker: Tracker) -> bool:
    """ "how much are 3 bags of the ethiopia beans", "price of 2 travel mugs?": the price asked, then
    the products it is for; not "i need 3 bags of the beans, how much?" (an order, its price asked)."""
    text = tracker.latest_message.get("text") or ""
    asked = PRICE_ASKED.search(text)
    starts = [int(e["start"]) for e in tracker.latest_message.get("entities") or []
              if e.get("entity") == "product" and isinstance(e.get("start"), int)]
    return asked is not None and bool(starts) and asked.start() < min(starts) and asks_only_the_price(text)


def asks_about_a_product(tracker: Tracker) -> bool:
    """A question about a product named ("do you have X", "what is X"), no count nor wish to buy it:
    the product's card answers; nothing is ordered (qa15 N2, N14, N25)."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    if not any(e.get("entity") == "product" for e in entities) or _ORDERS_IT.search(text) or any(
            e.get("entity") == "quantity" and not e.get("implicit") for e in entities):
        return False
    return bool(STOCK_QUESTION.search(text)) or (only_asks(text) and not wants_to_order(text))


# "can i return it if i don't like it?", "how do returns work": the policy, asked while ordering.
_RETURN_POLICY_ASKED = re.compile(r"(?i)\bif\b|\bhow (?:do|does|can|would)\b|\bcan (?:i|we)\b|\bcould (?:i|we)\b|"
                                  r"\bwhat if\b|\bpossible\b|\bpolicy\b|\ballowed\b")


_RETURNS = re.compile(r"(?i)\breturns\b|\brefunds?\b")


def asks_the_return_policy(tracker: Tracker) -> bool:
    """While an order is being made (nothing placed yet), a return asked about as a policy."""
    text = tracker.latest_message.get("text") or ""
    return (bool(tracker.get_slot(DRAFT)) and bool(RETURNING.search(text) or _RETURNS.search(text))
            and _RETURN_POLICY_ASKED.search(text) is not None and order_number_named(tracker) is None)


def open_choice(draft: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The item "which kettle would you like?" is asked about: several products match its name."""
    return next((item for item in draft if not item["sku"]), None)


def paused_under_an_offer(tracker: Tracker) -> bool:
    """The order form the offer of a person paused, the offer still open (neither yes nor no yet)."""
    return tracker.get_slot(PAUSED_FORM) == "order_form" and tracker.get_slot(PENDING) == "human_handoff"


def answers_the_paused_choice(tracker: Tracker) -> bool:
    """ "the gooseneck one" after "Which kettle would you like?", then the offer of a person: an
    answer to the order's question, not a product search (QA verify-3 F10)."""
    choice = open_choice(tracker.get_slot(DRAFT) or [])
    return paused_under_an_offer(tracker) and choice is not None and option_picked(
        choice["candidates"], tracker.latest_message.get("text") or "",
        tracker.latest_message.get("entities") or []) is not None


def back_to_the_paused_order(tracker: Tracker, answers_it: bool) -> List[Dict[Text, Any]]:
    """The offer of a person is left and the order form it paused goes on; `answers_it`: the message
    answers the form's open question ("which kettle?"), so the form reads it as that answer."""
    if not paused_under_an_offer(tracker):
        return [FollowupAction("order_form")]
    asked = [SlotSet("requested_slot", ITEMS)] if answers_it else []
    return [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)] + asked + [FollowupAction("order_form")]


def leaves_the_choice(tracker: Tracker) -> bool:
    """ "thanks", "ok bye", "never mind" to "which kettle would you like?", picking none of them."""
    choice = open_choice(tracker.get_slot(DRAFT) or [])
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot("requested_slot") == ITEMS and choice is not None and takes_leave(tracker)
            and option_picked(choice["candidates"], text, tracker.latest_message.get("entities") or []) is None)


# "yes", "yes place the order", "ok confirm it": a yes to placing the order, and nothing else.
_PLACE_IT = re.compile(r"(?i)^\W*(?:(?:yes|yeah|yea|yep|yup|ya|ok(?:ay)?|sure|fine|please|pls|go ahead|just|now|do it|"
                       r"confirm|place|send|it|the|my|order|that|all good)\b\W*)+$")


def places_before_the_choice(tracker: Tracker) -> bool:
    """ "yes", "yes place the order" at the summary while "which kettle?" asks about an item added
    there: not placed (it had been placed without the kettle), the choice comes first."""
    return (at_the_summary(tracker) and tracker.get_slot("requested_slot") in (None, ITEMS)
            and open_choice(tracker.get_slot(DRAFT) or []) is not None
            and _PLACE_IT.match(tracker.latest_message.get("text") or "") is not None)


def places_before_the_count(tracker: Tracker) -> bool:
    """ "fine", "ok" at the summary while "how many green mugs?" waits (an edit there was short of
    stock or over the limit): no yes to placing it, the count comes first (the summary as it was
    before the edit had been shown again, the item the edit took out back in it)."""
    return (at_the_summary(tracker) and tracker.get_slot("requested_slot") == ITEMS
            and any(item["sku"] and not item["quantity"] for item in tracker.get_slot(DRAFT) or [])
            and _PLACE_IT.match(tracker.latest_message.get("text") or "") is not None)


# "bye", "i have to go, ill come back later": leaving, not a thank-you ("thanks" alone is answered in kind).
_GOING = re.compile(r"(?i)\b(?:(?:good)?bye+|cya|see (?:you|ya)|ttyl|gtg|g2g|later|(?:have|need|must|got|gotta) (?:to )?go|"
                    r"leave it|gotta run|good ?night)\b")


def says_goodbye(tracker: Tracker) -> bool:
    """ "bye", "thanks, bye" while the form asks for the items, address or contact: the order is
    left as "stop" leaves it (it had been read as a wrong address, and the form would not let go)."""
    text = tracker.latest_message.get("text") or ""
    return (tracker.get_slot("requested_slot") in (ITEMS, ADDRESS, CONTACT) and takes_leave(tracker)
            and (intent_of(tracker) == "goodbye" or _GOING.search(text) is not None)
            and not is_address(text) and contact_detail(text) is None)


def message_view(tracker: Tracker, text: str, entities: List[Dict[str, Any]],
                 draft: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    """The tracker as if its latest message were `text` with `entities` (one edit of several, or
    the message with what the NLU missed), holding `draft` if given (what the edits before left)."""
    view = copy.copy(tracker)
    view.latest_message = {**tracker.latest_message, "text": text, "entities": entities}
    view.slots = {**tracker.slots, **({DRAFT: draft} if draft is not None else {})}
    return view


def edits_one_by_one(tracker: Tracker) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """ "make the moka pots 2, drop the french press and add a hand grinder" to an order made (at its
    summary, or while its address or contact is asked): each edit with its entities, to be read in
    turn as if said alone (only the first had been made). One part for one edit, or for items
    listed at once ("2 blue mugs and a teapot": no verb starts its second part)."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    asked = tracker.get_slot("requested_slot")
    if not (asked in (ADDRESS, CONTACT) or (asked is None and at_the_summary(tracker))):
        return [(text, entities)]
    parts = clauses(text, entities)
    if any(_SWAP_IT.match(part) for part, _ in parts[1:]):
        return [(text, entities)]  # "i'd prefer the cast iron one, swap it": one swap, not an add
    return [recount for part in parts for recount in _recounts(*part)]


# "swap it", "pls replace that": a swap of what the message named before it.
_SWAP_IT = re.compile(r"(?i)^\W*(?:(?:and|then|so|pls|please|just)\s+)*(?:swap|switch|replace|exchange)\w*"
                      r"(?:\s+(?:it|that|them|this|those|these)(?:\s+one)?)?(?:\s+(?:pls|please|then|instead|for me))?\W*$")


_RECOUNT_VERB = re.compile(r"(?i)^\s*(make|change|set|update)\b")
# "… and the teapot 2" after "make the mugs 4": a second recount without its verb.
_NEXT_RECOUNT = re.compile(r"(?i)\s*(?:,|\band\b)\s*(?=(?:the|my|those|these)\s+[a-z][a-z ]*?\s+(?:to\s+)?"
                           r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b)")


def _recounts(text: str, entities: List[Dict[str, Any]]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """ "make the mugs 4 and the teapot 2": each recount said with the verb ("make the teapot 2"),
    its entities moved with it; the part as it was when it recounts one item or none."""
    verb = _RECOUNT_VERB.match(text)
    cuts = [match.span() for match in _NEXT_RECOUNT.finditer(text)] if verb else []
    if not cuts or any(e.get("start") is None for e in entities):
        return [(text, entities)]
    bounds = [0] + [edge for cut in cuts for edge in cut] + [len(text)]
    parts = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        prefix = "" if start == 0 else f"{verb.group(1)} "
        moved = len(prefix) - start
        parts.append((prefix + text[start:end], [{**e, "start": e["start"] + moved, "end": e["end"] + moved}
                                                 for e in entities if start <= e["start"] < end]))
    return parts


async def with_colours_named(tracker: Tracker) -> Tracker:
    """The tracker with a product entity for each colour said alone that names a variant of a product
    named before it or in the order ("make it 2 white and 2 red": the red mugs); as it was else."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    draft = tracker.get_slot(DRAFT) or []
    address = _address_found(text)  # "2 mugs red n 1 blue … ship to <address>": the colours of the items
    ordered = text[:address[0]] if address else text
    if tracker.get_slot(ALTERNATIVES) or open_choice(draft) or contact_detail(ordered) or is_address(ordered) \
            or tries_an_address(ordered):
        return tracker  # "2 red ones then" picks an offer, "red" answers "which mug?"; "12 Red Lion St" is no mug
    found = await colours_named(tracker, draft, ordered, [e for e in entities if not isinstance(e.get("start"), int)
                                                          or e["start"] < len(ordered)])
    if not found:
        return tracker
    return message_view(tracker, text, sorted(entities + found, key=lambda e: e.get("start") or 0))


def orders_with_a_request(tracker: Tracker) -> bool:
    """ "1 sencha gift wrapped please", "2 mugs please, can i use my discount code": an order read as
    the FAQ about what comes with it, nothing being ordered yet. The FAQ's answer says what the chat
    can't do (a person can, before the "yes"); the order form takes the items."""
    text = tracker.latest_message.get("text") or ""
    return (intent_of(tracker) in ("faq", "delivery_time", "delivery_options")
            and tracker.active_loop_name in (None, "order_form")
            and not tracker.get_slot(DRAFT) and not tracker.get_slot(PENDING_ORDER)
            and any(e.get("entity") == "product" for e in tracker.latest_message.get("entities") or [])
            and any(asks_to_buy(part) and not RETURNING.search(part) for part in _SENTENCES.split(text)))


# "can i get 2 espresso cup sets? and how long does delivery take", "… 2 ethiopia beans, also whats
# ur return policy": the order and the question apart (the question alone reads as no order; qa15 N2)
_SENTENCES = re.compile(r"(?i)[?.!;]+|,?\s*\b(?:also|and|but|btw)\b\s*(?=(?:what|whats|how|when|where|which|why|do|does|"
                        r"can you|could you|is|are|will)\b)")


PREORDER = re.compile(r"(?i)\bpre-?\s?orders?(?:ing|ed)?\b|\b(?:reserve|hold) (?:one|it|them|some|a \w+) for me\b")


def _answered_instead(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The form, just started, ends with another action's answer, and the turn with it: after
    the form no rule says what comes next."""
    return events + [SlotSet("requested_slot", None), FollowupAction("action_listen")]


class ValidateOrderForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("requested_slot") is None and says_yes_to_the_cancel(tracker):
            # "yes, found the mugs cheaper elsewhere too" at the cancel question, read as an order
            from actions.cancel import ActionAnswerConfirmation  # here: actions.cancel imports this module
            return _answered_instead(await ActionAnswerConfirmation().run(dispatcher, tracker, domain))
        # "forget it, keep 20", "nah leave it as it was": the answer to "how many?"
        tracker = await answer_after_a_never_mind(tracker) or await kept_as_it_was(tracker) or tracker
        if leaves_the_choice(tracker):
            return await self._leave_the_choice(dispatcher, tracker, domain)
        if says_goodbye(tracker):
            return await self._leave_saying_goodbye(dispatcher, tracker, domain)
        if wants_a_separate_order(tracker):
            return await self._separate_order(dispatcher, tracker, domain)
        if places_before_the_choice(tracker):
            draft = tracker.get_slot(DRAFT)
            dispatcher.utter_message(response="utter_order_choice_first", name=open_choice(draft)["name"])
            return [SlotSet(DRAFT, draft)]  # the form asks "which kettle?" again
        if places_before_the_count(tracker):
            return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]  # the form asks "how many?" again
        # not after the only item went out of stock at the summary ("…, 26122 Oldenburg" was order 26122)
        starting = tracker.get_slot("requested_slot") is None and not tracker.get_slot(DRAFT) \
            and not tracker.get_slot(ALTERNATIVES)
        if starting and continues_a_return(tracker):
            # "i want to return 2 blue mugs", "the teapot too" after a return: never a new order
            return [SlotSet("requested_slot", None), FollowupAction("return_form")]
        if not orders_with_its_address(tracker) and await adds_to_a_placed_order(tracker):
            # Ending this form at its activation hands the same message to the change form.
            return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
        if starting and asks_of_a_product_instead(tracker):
            # "mokka pot", "kettle" on its own, "what is masala chai": its price and stock, not "how many?"
            return [SlotSet("requested_slot", None), FollowupAction("action_show_products")]
        if not starting:  # not only with items: "when will it be back" after the only one was refused
            from actions.order_so_far import answer_the_order_so_far  # here: it imports this module
            so_far = await answer_the_order_so_far(dispatcher, tracker)
            if so_far is not None:  # "whats in my basket so far", "what have i ordered so far" while it asks
                return so_far
            if goes_on(tracker):  # "fine continue", "carry on": its question again
                return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]
            from actions.change_address import renamed_at_the_summary  # here: it imports this module
            renamed = renamed_at_the_summary(tracker)
            if renamed is not None:  # "actually put it under Dr Anjali Sharma-Rao" at the summary: its summary again
                return [SlotSet(ADDRESS, renamed), SlotSet("requested_slot", None)]
            answered = await self._answer_aside(dispatcher, tracker, domain)
            if answered is not None:
                return answered
        text = tracker.latest_message.get("text") or ""
        if starting and complains(text) and not asks_to_buy(text):
            # "the teapot i got is cracked", "the sencha is stale": a complaint, never a new order
            complained = await complain_about_what_came(dispatcher, tracker, domain)
            if any(event.get("event") == "followup" for event in complained):  # the return form's
                return [SlotSet("requested_slot", None)] + complained
            return _answered_instead(complained)
        if starting and PREORDER.search(text):  # "can i preorder one": the shop takes no pre-orders
            dispatcher.utter_message(response="utter_no_preorders")
            return _answered_instead([])
        if starting and is_foreign(text):  # "Ich möchte zwei Tassen kaufen": no English checkout
            return _answered_instead(only_english(dispatcher))
        if starting and (names_only_an_order(tracker) or asks_about_orders(text)):
            # "order YJK4DZZC", "order details pls", "and the other order?": not "what would you like to order?"
            return _answered_instead(await ActionTrackOrder().run(dispatcher, tracker, domain))
        if starting and await asks_after_an_ordered_product(tracker):
            # "hello? my moka pot still not here" with the moka pot ordered: its order's status (QA16)
            return _answered_instead(await ActionTrackOrder().run(dispatcher, tracker, domain))
        # "make it 2 white and 2 red": every slot's reading knows the red mugs
        return await super().run(dispatcher, await with_colours_named(tracker), domain)

    @staticmethod
    async def _answer_aside(dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
        """ "btw do you have english breakfast tea", "can i return it if i don't like it?" while the
        address or contact is asked, "when will it be back" while any question is (QA16: "decaf" was
        read as an item and refused again): answered, nothing added, the order kept (the draft set
        again, so the form goes on and asks its question again); None for anything else."""
        requested = tracker.get_slot("requested_slot")
        restock = requested in (ITEMS, ADDRESS, CONTACT) and asks_when_back(tracker.latest_message.get("text") or "")
        if requested in (ITEMS, ADDRESS, CONTACT) and asks_the_return_policy(tracker):
            dispatcher.utter_message(response="utter_faq/refund_policy")
        elif restock or (requested in (ADDRESS, CONTACT) and asks_about_a_product(tracker)):
            from actions.catalogue import ActionShowProducts  # here: actions.catalogue imports this module
            shown = await ActionShowProducts().run(dispatcher, tracker, domain)
            return [event for event in shown if event.get("event") == "slot" and event.get("name") != DRAFT
                    and event.get("name") != "requested_slot"] + [SlotSet(DRAFT, tracker.get_slot(DRAFT))]
        else:
            return None
        return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]

    async def extract_order_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        edits = edits_one_by_one(tracker)
        if len(edits) == 1:
            return await self._items_said(dispatcher, tracker)
        found: Dict[Text, Any] = {}
        for text, entities in edits:  # each edit on the draft the ones before it left
            draft = found.get(ITEMS, tracker.get_slot(DRAFT))
            said = await self._items_said(dispatcher, message_view(tracker, text, entities, draft))
            found.update({slot: value for slot, value in said.items() if value is not None})
        return found

    async def _items_said(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """The order's items after the latest message: added, taken out, recounted, or a question answered."""
        requested = tracker.get_slot("requested_slot")
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        if not draft and requested in (None, ITEMS) and REORDER.search(tracker.latest_message.get("text") or ""):
            return await _the_last_order_again(dispatcher, tracker)
        resized = new_quantity(tracker, draft) or (fewer_of(draft, tracker.latest_message.get("entities") or [],
                                                            tracker.latest_message.get("text") or "") if draft else None)
        if resized is not None:  # "make the mugs 4"; "remove 1 white mug", "one less enamel mug": 3 mugs become 2
            at, quantity = resized
            draft[at]["quantity"] = quantity
            dispatcher.utter_message(response="utter_order_quantity_changed", quantity=quantity, name=draft[at]["name"])
            return {ITEMS: draft}
        kept = _keep_only(tracker, draft)
        if kept is not None:  # "nevermind the mugs just the glasses": the rest goes
            dispatcher.utter_message(response="utter_order_items_removed",
                                     names=", ".join(item["name"] for item in draft if item not in kept))
            return {ITEMS: kept}
        adding = edits_items(tracker)
        text = tracker.latest_message.get("text") or ""
        if requested in (ADDRESS, CONTACT):  # "how much is the v60?", "add that too" while the address is asked
            taken = self._offer_taken(tracker, draft, text) or await self._shown_taken(tracker, draft, text)
            if taken:
                return taken
        if not adding and requested not in (None, ITEMS):
            return {}
        if early_address(tracker):
            return {}  # its house number is not a quantity; extract_shipping_address keeps it
        if requested == ITEMS and open_choice(draft) is not None and only_asks(text):
            return {}  # "how much is the electric kettle?" to "which kettle?": its rule answers, then we ask again
        choice = open_choice(draft) if requested == ITEMS else None
        if choice is not None and (await settle_by_rank(tracker, choice) or await settle_by_description(tracker, choice)):
            return {ITEMS: draft}  # "the cheaper one", "the first one", "the manual one", "the big one"
        taken = self._offer_taken(tracker, draft, text) or await self._shown_taken(tracker, draft, text)
        if taken:
            return taken
        removed, entities = remove_from_draft(draft, tracker.latest_message.get("entities") or [], text)
        if not removed:  # "drop the colombia", "nevermind the mugs just the kettle": by a word of its name
            removed, entities = _drop_by_name(draft, entities, text)
        # the item "how many?" was asked about: the first without a count, once none waits for "which?"
        asked_about = None if any(not item["sku"] for item in draft) else next(
            (item for item in draft if not item["quantity"]), None)
        if not removed and requested == ITEMS and asked_about is not None and NONE_OF_IT.match(text):
            draft.remove(asked_about)  # "how many tea infusers?" "none": it goes
            removed = [asked_about["name"]]
        if removed:
            dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(removed))
            merge_into_draft(draft, entities, text, answering=False)  # "..., just the mugs"
            _just_the_one(draft, text)
            return {ITEMS: draft}
        swapped = await _swapped(tracker, draft, entities, text)
        if swapped is not None:  # "replace the french press with a moka pot" (it had added the moka pot)
            _say_swap(dispatcher, draft, swapped)
            return {ITEMS: swapped}
        products = [e for e in entities if e.get("entity") == "product"]
        if requested == ITEMS and asked_about is not None and products and all(e.get("start") is not None for e in products):
            # "5 is fine, also 2 sencha", "whatever you have plus 2 sencha" to "how many masala chai?":
            # the count is for the chai, the sencha joins (the chai had been dropped for the sencha)
            asked_about["quantity"] = loose_count(text, entities) or await self._all_there_is(tracker, asked_about, text)
        elif requested == ITEMS and asked_about is not None and not products:
            everything = await self._all_there_is(tracker, asked_about, text)
            if everything:  # "ok give me whatever you have" (a "no" to the NLU) to "how many?" when short
                asked_about["quantity"] = everything
                return {ITEMS: draft}
        if not adding and intent_of(tracker) not in ITEM_INTENTS and not orders_with_a_request(tracker) \
                and not orders_with_its_address(tracker):
            # "ok 3 then" reads as a yes: a quantity or a product still answers the question asked.
            answers = requested == ITEMS and intent_of(tracker) not in OTHER_REQUESTS
            return {ITEMS: draft} if answers and self._merge(dispatcher, tracker, draft, entities, text, True) else {}
        before = {item["sku"]: item["quantity"] for item in draft if item["sku"]}
        if self._merge(dispatcher, tracker, draft, entities, text, requested == ITEMS):
            if adding:
                _say_what_changed(dispatcher, before, draft)
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

    async def _separate_order(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> List[Dict[Text, Any]]:
        """ "as a new order" to the change proposed for a placed order: that order stays, and what the
        change would have added are this order's items, checked as any items are."""
        events = leave_the_change(dispatcher, tracker)
        items = await self.validate_order_items(added_items(tracker), dispatcher, tracker, domain)
        return events + [SlotSet(slot, value) for slot, value in items.items()]

    @staticmethod
    async def _leave_the_choice(dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> List[Dict[Text, Any]]:
        """Leaves "which kettle?" as "stop" leaves the form; an edit of the order waiting for its "yes"
        drops only the item asked about: the order stays, and its summary is asked again."""
        kept = [item for item in tracker.get_slot(DRAFT) if item["sku"]]
        if not (at_the_summary(tracker) and is_complete(kept)):
            return await leave(dispatcher, tracker, domain)
        return [SlotSet(ITEMS, kept), SlotSet(DRAFT, kept)]  # the form ends, action_place_order asks again

    @staticmethod
    async def _leave_saying_goodbye(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[Dict[Text, Any]]:
        """Leaves the order as "stop" does (an order waiting for its "yes" is released), said as a goodbye."""
        events = await leave(CollectingDispatcher(), tracker, domain)  # its "What else can I do?" asks on
        dispatcher.utter_message(response="utter_order_left_goodbye")
        return events

    @staticmethod
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

    @staticmethod
    async def _all_there_is(tracker: Tracker, item: Dict[str, Any], text: str) -> Optional[int]:
        """ "whatever you have", "all you've got": as many as are in stock."""
        if not ALL_THERE_IS.search(text):
            return None
        try:
            async with BackendClient(tracker.sender_id) as backend:
                return min((await backend.get_product(item["sku"])).available, MAX_QUANTITY) or None
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            return None

    @staticmethod
    async def _shown_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
        """ "ok i'll take it", "i want 2 of those" right after one product was shown: that one; "ok
        so order them??" after several the customer named: all of them, how many asked."""
        shown = tracker.get_slot("shown_products") or []
        entities = tracker.latest_message.get("entities") or []
        # with an order under way, only a product the bot has just shown ("how much is the glass
        # teapot?" at the summary, then "ok add it"), and one it doesn't hold yet
        just_shown = str(last_utterance(tracker) or "").startswith("utter_product")
        if (draft and (not just_shown or any(item["sku"] in shown for item in draft))) or not shown \
                or not TAKES_THE_SHOWN.search(text) or any(e.get("entity") == "product" for e in entities):
            return {}
        if len(shown) > 1:
            return await _all_the_shown(tracker, draft, shown, text)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                product = await backend.get_product(shown[0])
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            return {}
        # "i'll take it": one of it; "i'll take them": how many is asked, unless the price was asked for
        # a count ("how much are 3 bags of the ethiopia beans", then "ok so order them??": 3)
        one = re.search(r"(?i)\b(?:it|that|this|one)\b", text) and not re.search(r"(?i)\b(?:them|these|those)\b", text)
        quantity = quantity_in(text) or _count_priced_before(tracker, product.sku) or (1 if one else None)
        choice = open_choice(draft)
        if choice is not None and product.sku in {option["sku"] for option in choice["candidates"]}:
            # one of the kettles "which kettle?" asks about, shown on its own: that kettle (verify-3 F10)
            choice.update(sku=product.sku, name=product.name, candidates=[],
                          quantity=quantity_in(text) or choice["quantity"] or quantity)
            return {ITEMS: draft}
        return {ITEMS: draft + [{"sku": product.sku, "name": product.name, "quantity": quantity, "candidates": []}]}

    @staticmethod
    def _offer_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
        """ "ok, 2 blue ones then" names no product: it may pick one offered for a short item (not
        "how much is the blue one?", which its rule answers)."""
        offer = offer_picked(tracker)
        return {ITEMS: draft} if offer and take_alternative(draft, tracker.get_slot(ALTERNATIVES) or [], text,
                                                             offer) else {}

    async def validate_order_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == []:  # everything taken out: the form asks what to order
            return {ITEMS: None, DRAFT: []}
        if not value:
            dispatcher.utter_message(response="utter_order_product_not_found")
            return {ITEMS: None}
        draft = [dict(item) for item in value]
        for item in draft:
            if item.get("quantity") is not None and not 1 <= int(item["quantity"]) <= MAX_QUANTITY:
                _unsay_counts(dispatcher, {item["name"]})  # "Okay, 25 × …" was said as it was read
                dispatcher.utter_message(response="utter_order_quantity_out_of_range",
                                         name=item["name"], max=MAX_QUANTITY)
                item["quantity"] = None
        if any(not item["sku"] for item in draft):
            await settle_by_names(tracker, draft)
        try:  # short stock is said now, not after the address and contact (none left: before "how many?")
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
            short = {}  # creating the order checks stock again
        if short and draft and is_complete(draft):
            # only items with none left went: the rest goes on to the address ("What would you
            # like to order?" had been asked with the rest kept); an offer can still be added
            dispatcher.utter_message(response="utter_order_goes_on_without")
            return {ITEMS: draft, DRAFT: draft, ALTERNATIVES: offered}
        if short or not is_complete(draft):
            return {ITEMS: None, DRAFT: draft, **({ALTERNATIVES: offered} if short else {})}
        moot = {ALTERNATIVES: None} if tracker.get_slot(ALTERNATIVES) else {}  # offers for a short item
        return {ITEMS: draft, DRAFT: draft, **moot}

    async def extract_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if changes_items(tracker):
            return {}
        if early_address(tracker):
            return {ADDRESS: tracker.latest_message.get("text")}
        given = address_in_the_order(tracker.latest_message.get("text") or "") if tracker.get_slot(
            "requested_slot") in (None, ITEMS) and not tracker.get_slot(ADDRESS) else None
        if given:  # "2 red mugs to Marta Kowalska, …, Poland": the address came with the order
            return {ADDRESS: given}
        saved = tracker.get_slot(SAVED) or {}
        text = tracker.latest_message.get("text") or ""
        if saved and tracker.get_slot("requested_slot") == ADDRESS and (
                SAME_AS_BEFORE.search(text) or (agrees(text) and contact_detail(text))):
            # "same address pls", "yes but use my phone +49 151 2345678" to "the address of your last
            # order?": that address (it had gone to changing the last order's address)
            return {ADDRESS: saved["address"], CONTACT: contact_details(text) or saved.get("contact"), SAVED: {}}
        if not saved and tracker.get_slot("requested_slot") == ADDRESS and SAME_AS_BEFORE.search(text):
            used = await _used_before(tracker)  # no order placed to offer one from: the one declined, say
            if used:
                return used
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_")
        if earlier and tracker.get_slot("requested_slot") == ADDRESS and complete_address(earlier, text):
            # "uk", "switzerland", "CH" to "Which country is that in?": a question or a stop to the NLU
            return {ADDRESS: text}
        # "deliver to 4 Elm Road, …", "send it to my home" read as changing a placed order's
        # address: the answer (wrong or right) to this question, unless an order is named
        own = ("place_order",) if order_number(text) else ("place_order", "change_shipping_address")
        return free_text_answer(tracker, ADDRESS,
                                lambda text: is_address(_without_contact_lines(text)) or tries_an_address(text),
                                own, yes_no_asked=bool(tracker.get_slot(SAVED)))

    async def extract_order_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if changes_items(tracker):
            return {}
        return free_text_answer(tracker, CONTACT, lambda text: contact_detail(text) is not None,
                                "place_order")

    def validate_shipping_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        saved = tracker.get_slot(SAVED) or {}
        if saved and intent_of(tracker) == "affirm":
            return {ADDRESS: saved["address"], CONTACT: saved.get("contact"), SAVED: {}}
        if saved and intent_of(tracker) == "deny":
            return {ADDRESS: None, SAVED: {}}
        if isinstance(value, dict):
            return {ADDRESS: value}
        address, problem = parse_address(_without_contact_lines(str(value or "")))
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_") if address is None else None
        address = address or (complete_address(earlier, str(value or "")) if earlier else None)
        if address is None:
            response, values = address_refusal(_without_contact_lines(str(value or "")), problem)
            dispatcher.utter_message(response=response, **values)
            return {ADDRESS: None}
        contact = contact_with_address(str(value or "")) if not tracker.get_slot(CONTACT) else None
        return {ADDRESS: address, **({CONTACT: contact} if contact else {})}  # "…, Ireland, ada@example.com"

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        contact = contact_details(str(value or ""))  # "ada@example.com, +353 85 123 4567": both
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
        return {CONTACT: contact}


class ActionAskOrderItems(Action):
    """Asks for what the draft lacks: which product, how many, or what to order at all."""

    def name(self) -> Text:
        return "action_ask_order_items"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        acknowledge_details(dispatcher, tracker)  # "Got the address and email." before "How many …?" again
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        choice = open_choice(draft)
        if choice is not None:
            if EACH_OF_THEM.search(tracker.latest_message.get("text") or ""):
                # "one of each" for 2 of 3 teapots: which ones isn't said; how to say it
                example = " and ".join(f"1 {c['name']}" for c in choice["candidates"][:2])
                dispatcher.utter_message(response="utter_which_ones", example=example)
            return await self._ask_which(dispatcher, tracker, draft, choice)
        missing = next((item for item in draft if not item["quantity"]), None)
        if missing is not None:
            if not said_this_turn(tracker, "utter_order_quantity_out_of_range"):
                # not under "I can take between 1 and 20 … How many would you like?": asked once
                dispatcher.utter_message(response="utter_ask_order_quantity", name=missing["name"])
            return []
        dispatcher.utter_message(response="utter_ask_order_products")
        return []

    @staticmethod
    async def _ask_which(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
                         choice: Dict[str, Any]) -> List[Dict[Text, Any]]:
        try:
            async with BackendClient(tracker.sender_id) as backend:
                products = [await backend.get_product(c["sku"]) for c in choice["candidates"]]
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        choice["candidates"] = [{"sku": p.sku, "name": p.name} for p in products]
        # Buttons only for what can be ordered now; the list still names the rest, marked.
        buttons = [{"title": f"{p.name} ({format_price(p.price_minor, p.currency)})",
                    "payload": f'/inform{{"product": "{p.sku}"}}'} for p in products if p.available > 0]
        options = "\n".join(f"• {p.name}: {format_price(p.price_minor, p.currency)}"
                            + ("" if p.available > 0 else " (out of stock)") for p in products)
        dispatcher.utter_message(response="utter_ask_which_product", name=choice["name"], options=options,
                                 buttons=buttons)
        return [SlotSet(DRAFT, draft)]


class ActionAskShippingAddress(Action):
    """Offers a known customer their last order's address and contact once, else asks for one."""

    def name(self) -> Text:
        return "action_ask_shipping_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if said_this_turn(tracker, "utter_invalid_address_"):
            return []  # "Which country is that in? …" asks already
        saved = tracker.get_slot(SAVED)
        if saved:  # asked again after a side question: the offer still stands
            dispatcher.utter_message(response="utter_ask_reuse_address", address=format_address(saved["address"]),
                                     contact=saved.get("contact") or "none")
            return []
        if saved is None:
            last = await last_order(tracker)
            if last is not None and last.shipping_address:
                contact = joined_contact(last.contact_email, last.contact_phone)
                dispatcher.utter_message(response="utter_ask_reuse_address",
                                         address=format_address(last.shipping_address),
                                         contact=contact or "none")
                saved = {"address": address_of(last),
                         "contact": contact}
                return [SlotSet(SAVED, saved)]
        dispatcher.utter_message(response="utter_ask_shipping_address")
        return [SlotSet(SAVED, {})]

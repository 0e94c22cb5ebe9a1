"""Place an order, part 1: the order form collects items, a shipping address and a contact.

Slots: `order_draft` holds what the user asked for so far, one dict per product:
{"sku", "name", "quantity", "candidates": [{"sku", "name"}]} (sku is None while several products
match, quantity is None until known). `order_items` is the same list once every item has a SKU
and a quantity; the form asks until then. `order_alternatives` holds the in-stock products offered
when an item was short ({"sku", "name"} each), so "ok, 2 blue ones instead" can pick one. Creating
the order is in actions/place_order.py.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Order
from actions.form_answers import (OTHER_REQUESTS, answer_before_a_correction, free_text_answer, intent_of,
                                  said_this_turn)
from actions.orders import ActionTrackOrder, named_skus
from actions.support import complains, open_complaint
from actions.parsing import (complete_address, contact_detail, format_address, format_price, is_address, only_asks,
                             order_number, parse_address, quantity_in, unmatched_items, wants_to_order)

logger = logging.getLogger(__name__)

DRAFT = "order_draft"
ITEMS = "order_items"
ADDRESS = "shipping_address"
CONTACT = "order_contact"
SAVED = "order_saved_address"  # the last order's address and contact, offered once; {} = not offered
KEY = "order_idempotency_key"
PENDING_ORDER = "pending_order"
ALTERNATIVES = "order_alternatives"
# Everything an unfinished order remembers; "stop" and a finished order clear them all.
ORDER_SLOTS = (ITEMS, DRAFT, ADDRESS, CONTACT, SAVED, KEY, PENDING_ORDER, ALTERNATIVES)
MAX_QUANTITY = 20  # the backend's MAX_LINE_QUANTITY
# The form asks for the contact with its own response, found by name:
# "utter_ask_order_form_order_contact".
# Messages that may carry items; anything else while items are asked lets other rules answer.
# "add a teapot" while ordering may read as change_order: it changes the order being made.
ITEM_INTENTS = ("place_order", "inform", "product_info", "change_order")
# "please add a teapot too" reads as a product question to the NLU; while ordering it adds.
ADDING = re.compile(r"(?i)\b(add|also|plus|as well|too)\b")
# "actually make it 3": a new quantity for the one product being ordered.
RESIZING = re.compile(r"(?i)\b(make it|make that|change it to|change to|instead|only)\b")
# Right after an order is placed, these edit it: "oh and a teapot too", "make it 4", "remove one".
EDITING = re.compile(r"(?i)\b(add|also|plus|as well|too|throw in|make it|make that|instead|only|remove|"
                     r"take out|drop|just need)\b")
# Words that only change something that exists: "make it 3 mugs", "remove the blue mugs".
CHANGING = re.compile(r"(?i)\b(make it|make that|change (?:it|that|the)|remove|take out|instead of)\b")
# "ok i'll take it", "i want 2 of those": the product just shown.
TAKES_THE_SHOWN = re.compile(r"(?i)\b(?:take|buy|order|want|get|have|need)\s+(?:\d+\s+(?:of\s+)?)?"
                             r"(?:it|that|this|that one|this one|them|these|those|one)\b|\bi'?ll take\b")
# "add a teapot to my order" / "to order OB-7KB8JMGK": an order already placed, not the one being made.
TO_AN_ORDER = re.compile(r"(?i)\b(?:to|in|into|on)\s+(?:my|the|that|this|our)\s+(?:last\s+|previous\s+|"
                         r"existing\s+|current\s+|recent\s+)?order\b|\bto\s+(?:order\s+)?(?:#\s*\d{3,}|"
                         r"OB-[0-9A-Z]{8})\b")
# A product named right after one of these is taken out: "remove the blue mugs", "no teapot";
# "no the glass teapot" corrects an answer instead.
REMOVING = re.compile(r"(?i)(?:\b(remove|drop|delete|without|take out|don'?t want|do not want)"
                      r"\s+(?:the\s+|a\s+|an\s+|any\s+|my\s+)?|\b(?:no|not)\s+(?:any\s+|more\s+)?)$")


def edits_items(tracker: Tracker) -> bool:
    """ "And a teapot too", "remove the blue mugs" while the form asks for the address or contact."""
    text = tracker.latest_message.get("text") or ""
    products = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "product"]
    return (tracker.get_slot("requested_slot") in (ADDRESS, CONTACT) and bool(products)
            and (intent_of(tracker) in ("place_order", "change_order") or wants_to_order(text)
                 or ADDING.search(text) is not None or any(_is_removed(e, text) for e in products)))


def changes_items(tracker: Tracker) -> bool:
    """The message edits the order being made while the form asks for something else."""
    return edits_items(tracker) or new_quantity(tracker, tracker.get_slot(DRAFT) or []) is not None


def new_quantity(tracker: Tracker, draft: List[Dict[str, Any]]) -> Optional[int]:
    """ "actually make it 3" while the address or contact is asked, for a one-product order."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    if (tracker.get_slot("requested_slot") not in (ADDRESS, CONTACT) or len(draft) != 1
            or RESIZING.search(text) is None or any(e.get("entity") == "product" for e in entities)):
        return None
    return quantity_in(text)


def address_of(order: Order) -> Dict[str, Any]:
    """An order's shipping address as the order form's slot holds it (fields left empty dropped)."""
    return {key: value for key, value in (order.shipping_address or {}).items() if value is not None}


def early_address(tracker: Tracker) -> bool:
    """An address given while the form still asks about the items ("how many?" answered with
    "Arjun Rao, 12 Market Street, Dublin ..."): it is the address, and 12 is no quantity."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    return (tracker.get_slot("requested_slot") == ITEMS and not tracker.get_slot(ADDRESS)
            and not any(e.get("entity") == "product" for e in entities) and is_address(text))


def _is_removed(entity: Dict[str, Any], text: str) -> bool:
    """ "no teapot, just the mugs": the teapot is named right after a word that takes it out."""
    start = entity.get("start")
    if start is None:
        start = text.lower().find(str(entity["value"]).lower())
    return start > 0 and REMOVING.search(text[:start]) is not None


def _skus_of(item: Dict[str, Any]) -> set:
    return {item["sku"]} if item["sku"] else {c["sku"] for c in item["candidates"]}


def remove_from_draft(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                      text: str) -> Tuple[List[str], List[Dict[str, Any]]]:
    """Takes out of the draft the products named to be removed; (their names, the other entities)."""
    removed, kept = [], []
    for entity in entities:
        if entity.get("entity") != "product" or not _is_removed(entity, text):
            kept.append(entity)
            continue
        named = _skus_of(_product_item(entity))
        for item in list(draft):
            if named & _skus_of(item):
                draft.remove(item)
                removed.append(item["name"])
    return removed, kept


def is_complete(draft: List[Dict[str, Any]]) -> bool:
    return bool(draft) and all(item.get("sku") and item.get("quantity") for item in draft)


def _product_item(entity: Dict[str, Any]) -> Dict[str, Any]:
    # A button's payload (/inform{"product": "TEA-POT-GLS"}) carries the SKU itself as the value.
    is_sku = re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", str(entity["value"])) is not None
    skus = entity.get("skus") or ([entity["value"]] if is_sku else [])
    quantity = entity.get("quantity")
    if len(skus) == 1:
        return {"sku": skus[0], "name": str(entity["value"]), "quantity": quantity, "candidates": []}
    return {"sku": None, "name": str(entity["value"]), "quantity": quantity,
            "candidates": [{"sku": sku, "name": sku} for sku in skus]}


def _resolve_choice(item: Dict[str, Any], skus: List[str], text: str, products: List[Dict[str, Any]]) -> bool:
    """Settles an ambiguous item from a SKU (a button) or words of a candidate's name ("the glass one")."""
    candidates = item["candidates"]
    chosen = [c for c in candidates if c["sku"] in skus]
    if not chosen:
        words = [w for w in re.findall(r"[a-z0-9.]+", text.lower()) if w not in ("the", "one", "a", "please")]
        chosen = [c for c in candidates if words and all(w in c["name"].lower() for w in words)]
    if not chosen:  # "glass pls": a word only one candidate's name has
        picked = option_picked(candidates, text, products)
        chosen = [picked] if picked else []
    if len(chosen) != 1:
        return False
    item.update(sku=chosen[0]["sku"], name=chosen[0]["name"], candidates=[])
    return True


def _settle_by_draft(item: Dict[str, Any], draft: List[Dict[str, Any]]) -> None:
    """"make it 3 mugs" with only red mugs in the draft means the red ones, not "which mug?"."""
    if item["sku"]:
        return
    held = [d for d in draft if d["sku"] and any(c["sku"] == d["sku"] for c in item["candidates"])]
    if len(held) == 1:
        item.update(sku=held[0]["sku"], name=held[0]["name"], candidates=[])


def merge_into_draft(draft: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str,
                     answering: bool) -> bool:
    """Adds the message's products to the draft, or answers the open question; True if it changed."""
    products = [e for e in entities if e.get("entity") == "product"]
    open_choice = next((item for item in draft if not item["sku"]), None)
    if answering and open_choice is not None:
        skus: List[str] = []
        for entity in products:
            item = _product_item(entity)
            skus += [item["sku"]] if item["sku"] else [c["sku"] for c in item["candidates"]]
        if _resolve_choice(open_choice, skus, text, products):
            open_choice["quantity"] = open_choice["quantity"] or next(
                (e.get("quantity") for e in products if e.get("quantity")), None)
            # "make it 3 mugs", then "red": the red mugs already in the draft become 3, not 2 + 3
            draft[:] = [d for d in draft if d is open_choice or d["sku"] != open_choice["sku"]]
            return True
        candidates = {c["sku"] for c in open_choice["candidates"]}
        if products and set(skus) <= candidates:
            return False  # the same ambiguous words again: ask again
    if products:
        for entity in products:
            item = _product_item(entity)
            _settle_by_draft(item, draft)
            same = next((d for d in draft if item["sku"] and d["sku"] == item["sku"]), None)
            if same is None:
                draft.append(item)
            elif item["quantity"]:
                same["quantity"] = item["quantity"]
        return True
    if answering:
        missing = next((item for item in draft if item["sku"] and not item["quantity"]), None)
        quantities = [e["value"] for e in entities if e.get("entity") == "quantity"]
        quantity = int(quantities[0]) if quantities else quantity_in(text)
        if missing is not None and quantity is not None:
            missing["quantity"] = quantity
            return True
    return False


def _words(text: str) -> set:
    return {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())}


async def _settle_by_names(tracker: Tracker, draft: List[Dict[str, Any]]) -> None:
    """"1 electric kettle", "the Electric Kettle 1.7 L Steel": the catalogue matcher found every
    kettle, but the words said fit one product's name only; no need to ask which."""
    said = _words(tracker.latest_message.get("text") or "")
    try:
        async with BackendClient(tracker.sender_id) as backend:
            for item in draft:
                if item["sku"]:
                    continue
                products = [await backend.get_product(c["sku"]) for c in item["candidates"]]
                fits = [p for p in products if _words(item["name"]) <= _words(p.name)]
                if len(fits) != 1:
                    fits = [p for p in products if {w for w in _words(p.name) if len(w) > 2} <= said]
                if len(fits) == 1:
                    item.update(sku=fits[0].sku, name=fits[0].name, candidates=[])
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)  # the form asks which one


def pick_alternative(alternatives: List[Dict[str, Any]], text: str) -> Optional[Dict[str, Any]]:
    """ "ok, 2 of the blue ones" after the red mug was short: the one offered product whose name has
    a word of the message that the other offers' names do not all share ("blue", "glass")."""
    names = [set(re.findall(r"[a-z]+", offer["name"].lower())) for offer in alternatives]
    shared = set.intersection(*names) if names else set()
    said = set(re.findall(r"[a-z]+", text.lower()))
    picked = [offer for offer, words in zip(alternatives, names) if said & (words - shared)]
    return picked[0] if len(picked) == 1 else None


def option_picked(options: List[Dict[str, Any]], text: str,
                  entities: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The option ({"sku", "name"}) a reply to "which teapot?" picks: by SKU (a button, "the glass
    teapot"), else by a word only its name has ("glass pls", though "glass" also finds drinking
    glasses); not when the reply names another product ("and 2 blue mugs" is no blue teapot)."""
    named = [e for e in entities if e.get("entity") == "product"]
    skus = {sku for e in named for sku in (e.get("skus") or [e.get("value")])}
    by_sku = [option for option in options if option["sku"] in skus]
    if len(by_sku) == 1:
        return by_sku[0]
    picked = pick_alternative(options, text)
    if picked is None:
        return None
    name = set(re.findall(r"[a-z]+", picked["name"].lower()))
    other = any(not {w.rstrip("s") for w in re.findall(r"[a-z]+", str(e.get("value")).lower())}
                <= {w.rstrip("s") for w in name} for e in named)
    return None if other else picked


def take_alternative(draft: List[Dict[str, Any]], alternatives: List[Dict[str, Any]], text: str) -> bool:
    """Adds the offered product the message picks, with its quantity, in place of the short item.
    True if one was picked."""
    offer = pick_alternative(alternatives, text)
    if offer is None:
        return False
    drop_replaced(draft, {offer["sku"]})
    same = next((item for item in draft if item["sku"] == offer["sku"]), None)
    if same is None:
        draft.append({"sku": offer["sku"], "name": offer["name"], "quantity": quantity_in(text),
                      "candidates": []})
    else:
        same["quantity"] = quantity_in(text) or same["quantity"]
    return True


def drop_replaced(draft: List[Dict[str, Any]], offered: set) -> None:
    """A product offered for a short item was chosen: the short item, still waiting for a new
    quantity, goes (or the form would keep asking "how many of the blue teapot?")."""
    draft[:] = [item for item in draft if item.get("quantity") or item.get("sku") in offered
                or not item.get("sku")]


def _offers_named(entities: List[Dict[str, Any]], alternatives: List[Dict[str, Any]]) -> set:
    """The offered products the message names ("3 cast iron teapots instead", a button's SKU)."""
    offered = {offer["sku"] for offer in alternatives}
    named = set()
    for entity in entities:
        if entity.get("entity") == "product":
            skus = _skus_of(_product_item(entity)) & offered
            named |= skus if len(skus) == 1 else set()
    return named


async def say_short_stock(dispatcher: CollectingDispatcher, backend: BackendClient,
                          draft: List[Dict[str, Any]], short: Dict[str, int]) -> List[Dict[str, str]]:
    """Says, per item short of stock ({sku: available}), how many are left and up to three similar
    products in stock; the item then waits for a new quantity, or goes when none are left. Returns
    the products offered ({"sku", "name"}), so that "the blue ones then" can pick one."""
    ordered = {item["sku"] for item in draft}
    offered: List[Dict[str, str]] = []
    for sku, available in short.items():
        product = await backend.get_product(sku)
        others = await backend.search_products(category=product.category, limit=20)
        alternatives = [p for p in others if p.available > 0 and p.sku not in ordered][:3]
        offered += [{"sku": p.sku, "name": p.name} for p in alternatives]
        item = next(i for i in draft if i["sku"] == sku)
        dispatcher.utter_message(
            response="utter_order_short_stock" if available > 0 else "utter_order_out_of_stock",
            name=product.name, requested=item["quantity"], available=available,
            alternatives=", ".join(p.name for p in alternatives) or "nothing similar right now")
        if available > 0:
            item["quantity"] = None
        else:
            draft.remove(item)
    return offered


async def _short_now(backend: BackendClient, draft: List[Dict[str, Any]]) -> Dict[str, int]:
    """{sku: available} for the items asking for more than is in stock now."""
    available = {item["sku"]: (await backend.get_product(item["sku"])).available for item in draft}
    return {sku: left for sku, left in available.items()
            if left < sum(int(i["quantity"]) for i in draft if i["sku"] == sku)}


def _say_unmatched(dispatcher: CollectingDispatcher, text: str, entities: List[Dict[str, Any]],
                   found: List[str]) -> None:
    """ "2 glases and a teapot": the teapot goes in, and the customer hears the glasses did not."""
    products = [e for e in entities if e.get("entity") == "product"]
    if any(e.get("start") is None or e.get("end") is None for e in products):
        return  # a button's payload: no words to check
    missing = [word for word in unmatched_items(text, [(int(e["start"]), int(e["end"])) for e in products])
               if word.lower() not in found]
    if missing:
        dispatcher.utter_message(response="utter_order_items_not_found", names=", ".join(f'"{w}"' for w in missing))


# "two green mugs and three white ones": the count, and the word before "ones".
_SAME_KIND = re.compile(r"(?i)\b(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                        r"([a-z][a-z-]{2,})\s+ones?\b")


_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT_WORDS[word.lower()]


async def _ones_of_the_same_kind(tracker: Tracker, draft: List[Dict[str, Any]], text: str,
                                 entities: List[Dict[str, Any]]) -> List[str]:
    """ "two green mugs and three white ones": three white mugs join the draft, when one product
    is a white mug. Returns the words so placed ("white")."""
    named = [e for e in entities if e.get("entity") == "product" and e.get("end") is not None]
    matches = list(_SAME_KIND.finditer(text))
    if not named or not matches:
        return []
    kind = text[int(named[0]["start"]):int(named[0]["end"])].split()[-1].lower().rstrip("s")
    found = []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            for match in matches:
                word = match.group(2).lower()
                hits = [p for p in await backend.search_products(query=f"{word} {kind}", limit=5)
                        if word in p.name.lower() and kind in p.name.lower()]
                if len(hits) == 1 and all(item["sku"] != hits[0].sku for item in draft):
                    draft.append({"sku": hits[0].sku, "name": hits[0].name, "candidates": [],
                                  "quantity": _count(match.group(1))})
                    found.append(word)
    except BackendError as error:
        logger.warning("product search failed: %s", error)  # said as not found
    return found


def _just_placed(tracker: Tracker) -> bool:
    """The bot's last turn before this message said an order was placed."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif (seen_user and event.get("event") == "bot"
              and (event.get("metadata") or {}).get("utter_action") == "utter_order_placed"):
            return True
    return False


_FILLER = frozenset("a an the some one pls plz please ok okay hi hello hey and or ? ! .".split())


def names_only_an_order(tracker: Tracker) -> bool:
    """An order number and no product: "order YJK4DZZC" is about that order, not a new one."""
    kinds = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    return "order_id" in kinds and "product" not in kinds


def only_names_a_product(tracker: Tracker) -> bool:
    """The message is a product's name and nothing more: no count, no wish to buy."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    spans = [(e.get("start"), e.get("end")) for e in entities if e.get("entity") == "product"]
    if not spans or any(None in span for span in spans) or wants_to_order(text) or any(
            e.get("entity") == "quantity" and not e.get("implicit") for e in entities):
        return False
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:int(start)] + " " + rest[int(end):]
    return all(word in _FILLER for word in re.findall(r"[a-z]+|[?!.]", rest.lower()))


async def adds_to_a_placed_order(tracker: Tracker) -> bool:
    """ "add a teapot to my order", or "oh and a teapot too" / "make it 4" right after an order was
    placed, or "make it 3 mugs" / "remove the blue mugs" later while the last order can still
    change, while no order is being made: that order changes (the NLU reads such messages as
    ordering or as product questions, as customers' wording usually means)."""
    text = tracker.latest_message.get("text") or ""
    follow_up = _just_placed(tracker) and EDITING.search(text) is not None
    to_an_order = TO_AN_ORDER.search(text)
    explicit = follow_up or to_an_order is not None
    changing = CHANGING.search(text) is not None
    if (tracker.get_slot("requested_slot") is not None or tracker.get_slot(DRAFT)
            or tracker.get_slot(PENDING_ORDER) or not (explicit or changing)):
        return False
    if to_an_order is not None and order_number(to_an_order.group(0)):
        return True  # "add a mug to order OB-…": the change form finds it, or says it is not theirs
    try:
        async with BackendClient(tracker.sender_id) as backend:
            last = await backend.get_last_order()
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return False  # a new order then, as without an order
    # "remove the teapot" after the order holding it shipped: the change form says it can't change
    holds_named = last is not None and bool({line.sku for line in last.lines} & set(named_skus(tracker)))
    return last is not None and (explicit or last.editable or holds_named)


class ValidateOrderForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if await adds_to_a_placed_order(tracker):
            # Ending this form at its activation hands the same message to the change form.
            return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
        starting = tracker.get_slot("requested_slot") is None and not tracker.get_slot(DRAFT)
        if starting and only_names_a_product(tracker):
            # "mokka pot", "kettle" on its own: its price and stock, not "how many?"
            return [SlotSet("requested_slot", None), FollowupAction("action_show_products")]
        text = tracker.latest_message.get("text") or ""
        if starting and complains(text) and not wants_to_order(text):
            # "the teapot i got is cracked": a complaint, not "which teapot would you like?"; the
            # turn ends here (after the form no rule says what comes next)
            events = await open_complaint(dispatcher, tracker, domain)
            return events + [SlotSet("requested_slot", None), FollowupAction("action_listen")]
        if starting and names_only_an_order(tracker):
            # "order YJK4DZZC": that order's status, not "what would you like to order?"
            events = await ActionTrackOrder().run(dispatcher, tracker, domain)
            return events + [SlotSet("requested_slot", None), FollowupAction("action_listen")]
        return await super().run(dispatcher, tracker, domain)

    async def extract_order_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        quantity = new_quantity(tracker, draft)
        if quantity is not None:
            draft[0]["quantity"] = quantity
            dispatcher.utter_message(response="utter_order_quantity_changed", quantity=quantity, name=draft[0]["name"])
            return {ITEMS: draft}
        adding = edits_items(tracker)
        if not adding and requested not in (None, ITEMS):
            return {}
        text = tracker.latest_message.get("text") or ""
        if early_address(tracker):
            return {}  # its house number is not a quantity; extract_shipping_address keeps it
        taken = self._offer_taken(tracker, draft, text) or await self._shown_taken(tracker, draft, text)
        if taken:
            return taken
        removed, entities = remove_from_draft(draft, tracker.latest_message.get("entities") or [], text)
        if removed:
            dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(removed))
            merge_into_draft(draft, entities, text, answering=False)  # "..., just the mugs"
            return {ITEMS: draft}
        if not adding and intent_of(tracker) not in ITEM_INTENTS:
            # "ok 3 then" reads as a yes: a quantity or a product still answers the question asked.
            answers = requested == ITEMS and intent_of(tracker) not in OTHER_REQUESTS
            return {ITEMS: draft} if answers and self._merge(tracker, draft, entities, text, True) else {}
        if self._merge(tracker, draft, entities, text, requested == ITEMS):
            if adding:
                added = ", ".join(str(e["value"]) for e in entities if e.get("entity") == "product")
                dispatcher.utter_message(response="utter_order_items_added", names=added)
            found = await _ones_of_the_same_kind(tracker, draft, text, entities)
            _say_unmatched(dispatcher, text, entities, found)
            return {ITEMS: draft}
        if requested != ITEMS:
            return {}
        # Asked and got nothing new: ask again, or say no product matched (validate_order_items).
        return {ITEMS: draft or None}

    @staticmethod
    def _merge(tracker: Tracker, draft: List[Dict[str, Any]], entities: List[Dict[str, Any]], text: str,
               answering: bool) -> bool:
        """merge_into_draft; an offered product named in place of a short item replaces it."""
        if not merge_into_draft(draft, entities, text, answering):
            return False
        named = _offers_named(entities, tracker.get_slot(ALTERNATIVES) or [])
        if named:
            drop_replaced(draft, named)
        return True

    @staticmethod
    async def _shown_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
        """ "ok i'll take it", "i want 2 of those" right after one product was shown: that one."""
        shown = tracker.get_slot("shown_products") or []
        entities = tracker.latest_message.get("entities") or []
        if draft or len(shown) != 1 or not TAKES_THE_SHOWN.search(text) or any(
                e.get("entity") == "product" for e in entities):
            return {}
        try:
            async with BackendClient(tracker.sender_id) as backend:
                product = await backend.get_product(shown[0])
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            return {}
        return {ITEMS: [{"sku": product.sku, "name": product.name, "quantity": quantity_in(text),
                         "candidates": []}]}

    @staticmethod
    def _offer_taken(tracker: Tracker, draft: List[Dict[str, Any]], text: str) -> Dict[Text, Any]:
        """ "ok, 2 blue ones then" names no product: it may pick one offered for a short item (not
        "how much is the blue one?", which its rule answers)."""
        entities = tracker.latest_message.get("entities") or []
        if (tracker.get_slot("requested_slot") != ITEMS or any(e.get("entity") == "product" for e in entities)
                or intent_of(tracker) not in ITEM_INTENTS + ("affirm", "deny") or only_asks(text)):
            return {}
        return {ITEMS: draft} if take_alternative(draft, tracker.get_slot(ALTERNATIVES) or [], text) else {}

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
                dispatcher.utter_message(response="utter_order_quantity_out_of_range",
                                         name=item["name"], max=MAX_QUANTITY)
                item["quantity"] = None
        if any(not item["sku"] for item in draft):
            await _settle_by_names(tracker, draft)
        if not is_complete(draft):
            return {ITEMS: None, DRAFT: draft}
        try:  # short stock is said now, not after the address and contact
            async with BackendClient(tracker.sender_id) as backend:
                short = await _short_now(backend, draft)
                offered = await say_short_stock(dispatcher, backend, draft, short) if short else []
        except BackendError as error:
            logger.warning("stock check failed: %s", error)
            short = {}  # creating the order checks stock again
        if short:
            return {ITEMS: None, DRAFT: draft, ALTERNATIVES: offered}
        moot = {ALTERNATIVES: None} if tracker.get_slot(ALTERNATIVES) else {}  # offers for a short item
        return {ITEMS: draft, DRAFT: draft, **moot}

    async def extract_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if changes_items(tracker):
            return {}
        if early_address(tracker):
            return {ADDRESS: tracker.latest_message.get("text")}
        return free_text_answer(tracker, ADDRESS, is_address, "place_order",
                                yes_no_asked=bool(tracker.get_slot(SAVED)))

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
        address, problem = parse_address(str(value or ""))
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_") if address is None else None
        address = address or (complete_address(earlier, str(value or "")) if earlier else None)
        if address is None:
            dispatcher.utter_message(response=f"utter_invalid_address_{problem}")
            return {ADDRESS: None}
        return {ADDRESS: address}

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        contact = contact_detail(str(value or ""))
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
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        choice = next((item for item in draft if not item["sku"]), None)
        if choice is not None:
            return await self._ask_which(dispatcher, tracker, draft, choice)
        missing = next((item for item in draft if not item["quantity"]), None)
        if missing is not None:
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
            try:
                async with BackendClient(tracker.sender_id) as backend:
                    last = await backend.get_last_order()
            except BackendError as error:
                logger.warning("last order lookup failed: %s", error)
                last = None
            if last is not None and last.shipping_address:
                contact = last.contact_email or last.contact_phone
                dispatcher.utter_message(response="utter_ask_reuse_address",
                                         address=format_address(last.shipping_address),
                                         contact=contact or "none")
                saved = {"address": address_of(last),
                         "contact": contact}
                return [SlotSet(SAVED, saved)]
        dispatcher.utter_message(response="utter_ask_shipping_address")
        return [SlotSet(SAVED, {})]

"""Messages that change the order already placed, though the NLU reads them as a new order or a
product question, as customers' wording usually means: "add a teapot to my order", "oh and a teapot
too" right after placing, "make it 3 mugs", "2 aur chai", "swap the hand grinder for the electric
one". The order form (actions/ordering.py) and product answers (actions/catalogue.py) hand such a
message to the change form (actions/change_order.py), which hands on what is no change of items:
a new address ("send the tea caddy order to <address>") or contact ("update my email on the order
to …") of an order placed, and an answer to the cancel question ("and the other one too").
"""
from __future__ import annotations

import copy
import logging
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_questions import answers_the_cancel
from actions.change_contact import changes_the_contact
from actions.form_answers import last_utterance
from actions.order_forms import (CHANGES, NEW_ADDRESS, TARGET, holds_named, naming_the_order, not_editable,
                                 order_number_named, order_view, status_words)
from actions.order_slots import DRAFT, PENDING_ORDER, at_the_summary
from actions.order_wording import RETURNING, STATUS_QUESTION, TO_THAT_ORDER
from actions.orders import about_a_verified_order, named_skus
from actions.parsing import decided_answer, looks_like_address, only_asks, order_number, quantity_in
from actions.replacements import REPLACING, replacement
from actions.separate_order import NEW_ORDER

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"

# Right after an order is placed, these edit it: "oh and a teapot too", "make it 4", "remove one".
EDITING = re.compile(r"(?i)\b(add|also|plus|as well|too|throw in|make it|make that|instead|only|remove|"
                     r"take out|drop|just need)\b")
# "arre 2 aur add kar do chai", "ek aur chai", "2 more of the tea": more of an item already ordered.
MORE_OF = re.compile(r"(?i)\b(?:\d{1,2}|one|ek)\s+(?:more|aur|extra)\b")
# Words that only change something that exists: "make it 3 mugs", "remove the blue mugs".
CHANGING = re.compile(r"(?i)\b(make it|make that|change (?:it|that|the)|remove|take out|instead of)\b")
# "add a teapot to my order" / "to the mugs order" / "to order OB-7KB8JMGK": an order already
# placed, not the one being made (nor "to my next order").
TO_AN_ORDER = re.compile(r"(?i)\b(?:to|in|into|on)\s+(?:my|the|that|this|our)\s+(?:(?!(?:new|next|another|separate|"
                         r"second)\b)[\w-]+\s+){0,3}?order\b|\bto\s+(?:order\s+)?(?:#\s*\d{3,}|"
                         r"OB-[0-9A-Z]{8})\b")
# "send the tea caddy order to …", "ship OB-… to …", "deliver my order to …": an order placed goes
# elsewhere (not "send an order to my mum": a new one).
SENDS_AN_ORDER = re.compile(r"(?i)\b(?:send|ship|deliver|redirect|forward|move|divert)\s+(?!(?:an?|another|new)\s)"
                            r"(?:[\w-]+\s+){0,3}?(?:order\b|OB-?[0-9A-Z]{8}\b)")
# What the bot says of an order placed, changed or moved: the next messages may be about that order.
ORDER_TALK = ("utter_order_placed", "utter_order_changed", "utter_address_changed", "utter_contact_changed")
# How many messages after that (this one included) "add a blue mug to it" still means that order.
RECENT_TURNS = 3
# "and 2 red mugs", "oh and the teapot": the next words about the order just placed (t4 M2: a second
# order had started, with its own shipping).
AND_MORE = re.compile(r"(?i)^\W*(?:(?:oh|ok(?:ay)?|ah|um+|hmm+|wait|sorry|actually)\W+)*(?:and|aur|also|plus)\b")
# "can you add a blue mug to it", "aur ek mug add kar do", "put 2 white mugs in it as well": more for
# the order talked about a moment ago, a side question or two between.
ADDS_TO_IT = re.compile(r"(?i)\b(?:add|throw in|include|put)\b")
# At a new order's summary: "no, add it to my existing order", "put them in the order i already
# placed", "add it to OB-… instead": its items go to the order placed before (t4 M3).
TO_THE_PLACED_ORDER = re.compile(
    r"(?i)\b(?:to|in|into|on|onto|with)\s+(?:my|the|our|that)\s+(?:existing|other|previous|earlier|first|last|old|"
    r"older|original|current|open|placed|already placed|real)\s+(?:[\w-]+\s+){0,2}?order\b|"
    r"\border (?:i|we) (?:have )?(?:already |just )?(?:placed|made|have|had|did)\b")
# "no, to the other order", "wrong order": the change shown is meant for another order of theirs.
ANOTHER_OF_THEIRS = re.compile(r"(?i)\bother order\b|\b(?:to|for|on|into|in) (?:the|my) other one\b|\bwrong order\b|"
                               r"\bnot (?:to |for |in |on )?(?:that|this) order\b")
# "no the other one" to "Change the address of order …?": an address has no "other one" but the order.
_THE_OTHER_ONE = re.compile(r"(?i)\b(?:the|my) other one\b")


# "is my order shipped yet? also add 1 more grinder", "where's my order? also pls send it to <address>":
# where a question about the order ends and a second request begins.
_THEN = re.compile(r"(?i)\?|\b(?:also|btw|by the way|plus|and (?:pls|plz|please|can you|could you|can u))\b")
# "send it to …", "ship them to … instead", "change the address to …": the order goes elsewhere.
_SENDS_IT = re.compile(r"(?i)\b(?:send|ship|deliver|redirect|forward|divert)\s+(?:it|them|the (?:parcel|package|"
                       r"order))\s+to\b|\bchange (?:the|my) (?:delivery |shipping )?address\b")
# "add 1 more grinder", "remove the mugs", "make it 2", "make the chai 5 packets": its items change.
_CHANGES_ITEMS = re.compile(r"(?i)\b(?:add|remove|take out|make it|make that|swap|replace|drop)\b|"
                             r"\bmake (?:the|my|those|these)\s+(?:[a-z-]+\s+){1,3}?\d{1,2}\b|"
                             + MORE_OF.pattern.removeprefix("(?i)"))


def change_after_a_question(tracker: Tracker) -> Optional[str]:
    """The form of a change asked after a question about the order in the same message ("is my
    order shipped yet? also add 1 more grinder": change_order_form; "where's my order? also pls send
    it to <address> instead": change_address_form), for the tracking answer to hand over to once
    the status is said (QA N3, N7); None without one, or while an order is being made."""
    text = tracker.latest_message.get("text") or ""
    then = _THEN.search(text)
    if then is None or tracker.get_slot("requested_slot") or tracker.get_slot(DRAFT) or tracker.get_slot(PENDING_ORDER):
        return None
    rest = text[then.end():]
    if _SENDS_IT.search(rest) and looks_like_address(rest):
        return "change_address_form"
    named_after = any(e.get("entity") in ("product", "category") and (e.get("start") or 0) >= then.end()
                      for e in tracker.latest_message.get("entities") or [])
    if _CHANGES_ITEMS.search(rest) and named_after and not RETURNING.search(rest) and not NEW_ORDER.search(rest):
        return "change_order_form"
    return None


def change_starts_at(tracker: Tracker) -> Optional[int]:
    """Where the change asked after a question about the order begins in the latest message ("is it
    shipped? also add 1 more grinder": at "also"'s end), or None when the message asks no such change."""
    if change_after_a_question(tracker) is None:
        return None
    return _THEN.search(tracker.latest_message.get("text") or "").end()


def the_question_alone(tracker: Tracker) -> Tracker:
    """The tracker as if the latest message were only the question asked before a change ("is the
    grinder good for espresso?" of "… also pls make the chai 5 packets"), with its entities; the
    key QUESTION_BEFORE_A_CHANGE marks it, so that the answer asks nothing of its own."""
    cut = change_starts_at(tracker)
    return part_of_the_message(tracker, 0, len(tracker.latest_message.get("text") or "") if cut is None else cut,
                                {QUESTION_BEFORE_A_CHANGE: True})


def the_change_alone(tracker: Tracker) -> Tracker:
    """The tracker as if the latest message were only the change asked after a question ("also pls
    make the chai 5 packets"): for the change form, which read "is the grinder good for espresso?"
    as a grinder to add ("Which grinder do you mean?")."""
    cut = change_starts_at(tracker)
    return tracker if cut is None else part_of_the_message(tracker, cut, len(tracker.latest_message.get("text") or ""))


# Marks a message cut down to the question asked before a change (`the_question_alone`).
QUESTION_BEFORE_A_CHANGE = "question_before_a_change"


def part_of_the_message(tracker: Tracker, start: int, end: int, marks: Optional[Dict[str, Any]] = None) -> Tracker:
    """The tracker as if the latest message were its text from `start` to `end` and the entities
    there (their offsets kept within the part)."""
    message = tracker.latest_message
    entities = [{**entity, "start": int(entity["start"]) - start, "end": int(entity["end"]) - start}
                for entity in message.get("entities") or []
                if entity.get("start") is not None and start <= int(entity["start"]) < end]
    view = copy.copy(tracker)
    view.latest_message = {**message, "text": str(message.get("text") or "")[start:end], "entities": entities,
                           **(marks or {})}
    return view


async def question_then_a_change(tracker: Tracker) -> Optional[str]:
    """The form of a change of the order placed asked after a question in one message ("is it
    shipped? also add 1 more grinder", "is the grinder good for espresso? also pls make the chai 5
    packets"), when the customer has an order it can act on (one that can still change, for its
    items); after a product question only a change said of that order: "to it", just after it was
    placed, or of an item it holds ("how much is the mug? also add a teapot" is a new order). None
    otherwise."""
    form = change_after_a_question(tracker)
    if form is None:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            last = await backend.get_order_or_last(None, (), lambda order: order.editable)
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return None
    if last is None or (form == "change_order_form" and not last.editable):
        return None
    question, change = the_question_alone(tracker), the_change_alone(tracker)
    about_the_order = STATUS_QUESTION.search(question.latest_message.get("text") or "") is not None
    change_text = change.latest_message.get("text") or ""
    said_of_it = (TO_AN_ORDER.search(change_text) is not None or TO_THAT_ORDER.search(change_text) is not None
                  or _messages_since_order_talk(tracker) is not None or _holds_named(last, change))
    return form if about_the_order or form == "change_address_form" or said_of_it else None


async def answer_the_question_first(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """The answer to the question asked before a change in the same message (QA16: "hi any update
    on my order? also can i add 1 japanese sencha to it" got only the change proposed, "is the
    grinder good for espresso? also pls make the chai 5 packets" only the change): a question about
    the order by its status (the products of the change are no order's), one about a product by
    that product. Its events, without a hand-over; None when the message asks no question before
    a change, or the bot has already answered in this turn (the change's form runs after the answer)."""
    if change_starts_at(tracker) is None or _answered_this_turn(tracker):
        return None
    question = the_question_alone(tracker)
    text = question.latest_message.get("text") or ""
    named = any(e.get("entity") in ("product", "category") for e in question.latest_message.get("entities") or [])
    if STATUS_QUESTION.search(text):
        from actions.orders import ActionTrackOrder  # here: actions.orders imports this module
        events = await ActionTrackOrder().answer(dispatcher, tracker, domain)
    elif named:
        from actions.catalogue import ActionShowProducts  # here: actions.catalogue imports this module
        events = await ActionShowProducts().answer(dispatcher, question, domain)
    else:
        return None  # "ok thanks! also add a teapot": no question
    return [event for event in events if event.get("event") != "followup"]


def asks_back(events: List[Dict[str, Any]]) -> bool:
    """An answer's events ask the customer something (an order number, an email, "shall I ask
    someone?"): a change's form must not bury that question under its own."""
    return any(event.get("name") in ("requested_info", PENDING) and event.get("value") for event in events)


def _answered_this_turn(tracker: Tracker) -> bool:
    """The bot has said something since the latest user message."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def _messages_since_order_talk(tracker: Tracker) -> Optional[int]:
    """How many messages (this one included) the customer sent since the bot said an order was
    placed or changed (`ORDER_TALK`): 1 right after it; None when that was longer ago."""
    messages = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            messages += 1
            if messages > RECENT_TURNS:
                return None
        elif (messages and event.get("event") == "bot"
              and (event.get("metadata") or {}).get("utter_action") in ORDER_TALK):
            return messages
    return None


def _follows_up_on_a_placed_order(tracker: Tracker) -> bool:
    """ "oh and a teapot too", "and 2 red mugs" right after an order was placed or changed, or "can
    you add a blue mug to it" a side question later: more for that order."""
    text = tracker.latest_message.get("text") or ""
    since = _messages_since_order_talk(tracker)
    if only_asks(text):  # "and how much is the blue mug?": a question, no change
        return False
    if since == 1 and (EDITING.search(text) or AND_MORE.match(text)):
        return True
    return since is not None and ADDS_TO_IT.search(text) is not None


def moves_the_new_order(tracker: Tracker) -> bool:
    """ "no, add it to my existing order", "… to OB-… instead" at the summary of an order not placed
    yet: its items are a change of the order placed before (actions/change_order.py), not the
    summary again (t4 M3)."""
    text = tracker.latest_message.get("text") or ""
    if not at_the_summary(tracker) or NEW_ORDER.search(text):
        return False
    named = order_number_named(tracker)
    return TO_THE_PLACED_ORDER.search(text) is not None or (
        named is not None and named != tracker.get_slot(PENDING_ORDER) and TO_AN_ORDER.search(text) is not None)


async def adds_to_a_placed_order(tracker: Tracker) -> bool:
    """ "add a teapot to my order", or "oh and a teapot too" / "make it 4" right after an order was
    placed, or "make it 3 mugs" / "remove the blue mugs" later while the last order can still
    change, or "2 aur chai" / "swap the hand grinder for the electric one" about an item it holds,
    while no order is being made: that order changes; not "... as a new order". While a change
    waits for its "yes", more edits amend it (`amends_the_change`) or move it to another order
    (`moves_the_change`). Also what is about an order placed but changes no items, which the change
    form hands on: its new address or contact, an answer to the cancel question."""
    text = tracker.latest_message.get("text") or ""
    if (amends_the_change(tracker) or moves_the_change(tracker) or answers_the_cancel(tracker)
            or moves_the_new_order(tracker)):
        return True
    if (tracker.get_slot("requested_slot") is None and not NEW_ORDER.search(text)
            and (moves_a_placed_order(tracker) or changes_the_contact(tracker))):
        return True  # the change form hands it to the address change or the contact change
    if (tracker.get_slot("requested_slot") is None and not tracker.get_slot(DRAFT)
            and not tracker.get_slot(PENDING_ORDER) and await _changes_a_verified_order(tracker)):
        return True  # "… and pls add a french press to it" about another chat's order: refused there, no checkout
    follow_up = _follows_up_on_a_placed_order(tracker)
    to_an_order = TO_AN_ORDER.search(text)
    explicit = follow_up or to_an_order is not None
    changing = CHANGING.search(text) is not None
    about_an_item = MORE_OF.search(text) is not None or REPLACING.search(text) is not None
    if (tracker.get_slot("requested_slot") is not None or tracker.get_slot(DRAFT) or tracker.get_slot(PENDING_ORDER)
            or NEW_ORDER.search(text) or RETURNING.search(text) or not (explicit or changing or about_an_item)):
        return False
    if to_an_order is not None and order_number(to_an_order.group(0)):
        return True  # "add a mug to order OB-…": the change form finds it, or says it is not theirs
    try:
        async with BackendClient(tracker.sender_id) as backend:
            # "make it 4 red mugs", "2 aur chai", "swap the tea caddy for …": the order holding the
            # item that can still change, as the change form picks it; not just the newest (it may
            # have shipped, or hold other things)
            last = await backend.get_order_or_last(None, named_skus(tracker), lambda order: order.editable)
            if last is None or explicit or changing:
                # "remove the teapot" after the order holding it shipped: the change form says it can't change
                return last is not None and (explicit or last.editable or _holds_named(last, tracker))
            return await _changes_an_item(backend, last, tracker)
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return False  # a new order then, as without an order


async def _changes_a_verified_order(tracker: Tracker) -> bool:
    """A change of the order of another chat opened here with its email or phone (it can't change
    from this chat: the change form says so; QA16 had started a new order's checkout)."""
    about = await about_a_verified_order(tracker)
    return about is not None and about.changes_it


def amends_the_change(tracker: Tracker) -> bool:
    """ "add the teapot too", "no i mean 3 red mugs not 2", "actually make it 4", "remove the mugs"
    while a change of an order waits for its "yes": more of that change (actions/change_order.py
    reads it onto the change shown), not a new order; not a question about a product, nor a yes,
    nor "as a new order". A no that says what instead ("no, 3 red mugs") corrects the change."""
    text = tracker.latest_message.get("text") or ""
    waiting = (tracker.get_slot(PENDING) == "change_order" and (tracker.get_slot(TARGET) or {}).get("number")
               and tracker.get_slot(CHANGES)) or change_refused_for_stock(tracker) is not None
    if (not waiting or NEW_ORDER.search(text) or RETURNING.search(text) or only_asks(text)
            or decided_answer(text) == "yes"):
        return False
    # after a refusal for stock, a product ("ok 2 english breakfast then"), not a kind ("show me teas")
    kinds = ("product", "category") if tracker.get_slot(PENDING) == "change_order" else ("product",)
    named = any(e.get("entity") in kinds for e in tracker.latest_message.get("entities") or [])
    return named or quantity_in(text) is not None


def change_refused_for_stock(tracker: Tracker) -> Optional[Tuple[Dict[str, Any], List[Dict[str, Any]]]]:
    """The order and the lines of the change the bot's last turn refused for short stock ("Only 3
    left … I haven't changed the order"), read back from the conversation: "ok make it 2 then"
    amends that change (t2 M4: it had set the mugs of the order to 2); None after any other turn."""
    if last_utterance(tracker) != "utter_order_change_not_sent":
        return None
    target = lines = None
    for event in reversed(tracker.events or []):
        value = event.get("value") if event.get("event") == "slot" else None
        if target is None and event.get("name") == TARGET and isinstance(value, dict) and value.get("lines"):
            target = value
        elif lines is None and event.get("name") == CHANGES and isinstance(value, list) and value:
            lines = value
        if target is not None and lines is not None:
            return target, lines
    return None


def moves_the_change(tracker: Tracker) -> bool:
    """ "no, to the other order, the filters one", "wrong order, add it to OB-…" while "Shall I change
    order …?" waits, or "no, the other order, the french press one" at "Change the address of order
    …?" (also "no the other one"): the same change for another order of theirs (proposed again for
    that one, actions/change_order.py and actions/change_address.py), not "as a new order"."""
    text = tracker.latest_message.get("text") or ""
    target = (tracker.get_slot(TARGET) or {}).get("number")
    pending = tracker.get_slot(PENDING)
    waiting = {"change_order": CHANGES, "change_address": NEW_ADDRESS}.get(pending)
    if not waiting or not target or not tracker.get_slot(waiting) or NEW_ORDER.search(text):
        return False
    named = order_number_named(tracker)
    return (named is not None and named != target) or ANOTHER_OF_THEIRS.search(text) is not None \
        or (pending == "change_address" and _THE_OTHER_ONE.search(text) is not None) \
        or bool(told_by_its_items(tracker))


def told_by_its_items(tracker: Tracker) -> List[Dict[str, Any]]:
    """The products or kinds of "the filters one" / "the mug order" when the change waiting neither
    holds nor adds them: another order is meant by what it holds."""
    held = list((tracker.get_slot(TARGET) or {}).get("lines", [])) + list(tracker.get_slot(CHANGES) or [])
    return [entity for entity in naming_the_order(tracker, one=True)
            if (entity.get("skus") or entity.get("entity") == "category") and not holds_named(held, [entity])]


async def the_other_orders(backend: BackendClient, tracker: Tracker) -> List[Order]:
    """The orders a change waiting may be moved to: the one the message names ("wrong order, add it
    to OB-…"; NotFound when not theirs), else their others that can still change, those holding
    what it names if it does ("the filters one")."""
    number = order_number_named(tracker)
    if number:
        return [await backend.get_order(number)]
    target = (tracker.get_slot(TARGET) or {}).get("number")
    named = told_by_its_items(tracker)
    return [order for order in await backend.list_orders() if order.editable and order.number != target
            and (not named or holds_named(order.lines, named))]


def listed_orders(orders: List[Order]) -> str:
    """ "• OB-…: 2 × Ceramic Mug White" per order, for "which order should the change go to?"."""
    return "\n".join(f"• {order.number}: " + ", ".join(f"{line.quantity} × {line.name}" for line in order.lines)
                     for order in orders[:6])


def moves_a_placed_order(tracker: Tracker) -> bool:
    """ "send the tea caddy order to Hans Mueller, 5 Hauptstrasse, 10117 Berlin, Germany", "send OB-…
    to <address>": a new address for an order placed (the address form), not a new order; not while
    an order is being made (an address is then that order's)."""
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot("requested_slot") or tracker.get_slot(DRAFT) or tracker.get_slot(PENDING_ORDER):
        return False
    return SENDS_AN_ORDER.search(text) is not None and looks_like_address(text)


def _holds_named(order: Order, tracker: Tracker) -> bool:
    """The order holds a product the message names, by the NLU or by a word of its name ("2 more
    bags of colombia")."""
    text, entities = tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or []
    return bool({line.sku for line in order.lines} & set(named_skus(tracker))) or bool(
        lines_named_by_words(order_view(order)["lines"], text, entities))


# Words of product names that tell no line apart: "Glass Teapot with Infuser", "Paper Filters 100 pack".
_NAME_FILLER = frozenset("with pair pack".split())


def lines_named_by_words(lines: List[Dict[str, Any]], text: str,
                         entities: Sequence[Dict[str, Any]] = ()) -> List[Dict[str, Any]]:
    """ "add 2 more bags of colombia" about an order of several lines (QA16; one line was enough
    before): the catalogue matcher wants "colombia beans" and found no product. The order's one
    line whose name has a word of the message that no other line's name has ("Colombia Huila
    Beans 250 g"), as a product entity at that word, so the change reads it as if named; [] when
    the message names a product or a kind itself, or its words name no line, or several."""
    if any(entity.get("entity") in ("product", "category") for entity in entities):
        return []
    names = {line["sku"]: set(re.findall(r"[a-z]{4,}", str(line["name"]).lower())) - _NAME_FILLER for line in lines}
    found: Dict[str, "re.Match[str]"] = {}
    for said in re.finditer(r"[a-z]{4,}", text.lower()):
        owners = [sku for sku, words in names.items() if any(_same_word(said.group(0), word) for word in words)]
        if len(owners) == 1:
            found.setdefault(owners[0], said)
    if len(found) != 1:
        return []
    (sku, said), = found.items()
    name = next(line["name"] for line in lines if line["sku"] == sku)
    return [{"entity": "product", "value": name, "skus": [sku], "start": said.start(), "end": said.end()}]


def _same_word(said: str, named: str) -> bool:
    """ "colombia" or "colombian" for Colombia, "filters" for Filters, "glasses" for Glass."""
    return _singular(said) == _singular(named) or (len(named) >= 5 and said.startswith(named))


def _singular(word: str) -> str:
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


async def _changes_an_item(backend: BackendClient, order: Order, tracker: Tracker) -> bool:
    """ "2 aur chai" adds to a product the order holds, while it can change (after, it is a new
    order); "make the mugs blue instead" replaces one of its items (once shipped, the change form
    says it can't); "the french press instead" replaces none of a grinder order's: a new order."""
    text = tracker.latest_message.get("text") or ""
    if MORE_OF.search(text):
        return order.editable and _holds_named(order, tracker)
    entities = tracker.latest_message.get("entities") or []
    return await replacement(backend, order_view(order)["lines"], entities, text) is not None


async def swaps_an_item_of_a_placed_order(tracker: Tracker) -> bool:
    """ "replace the hand grinder with the electric grinder", read as a return request: a swap in the
    order placed while it can still change (once delivered, returning is what is left)."""
    text = tracker.latest_message.get("text") or ""
    if REPLACING.search(text) is None or NEW_ORDER.search(text):
        return False
    entities = tracker.latest_message.get("entities") or []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            last = await backend.get_last_order()
            return (last is not None and last.editable
                    and await replacement(backend, order_view(last)["lines"], entities, text) is not None)
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return False


async def the_other_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                          current: Optional[str]) -> Tuple[Optional[Order], bool]:
    """(the one other order of theirs a change waiting is moved to, False) for "no, the other
    order, the french press one"; (None, False) after saying what stands in the way: an order
    number unknown, none other, the backend down, one that can no longer change; (None, True)
    after asking which, with several."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            candidates = await the_other_orders(backend, tracker)
    except NotFound:
        dispatcher.utter_message(response="utter_change_order_not_found", number=order_number_named(tracker))
        return None, False
    except BackendError as error:
        logger.warning("reading the order to move the change to failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return None, False
    if not candidates:
        dispatcher.utter_message(response="utter_change_no_other_order", number=current)
        return None, False
    if len(candidates) > 1:
        dispatcher.utter_message(response="utter_change_which_order", orders=listed_orders(candidates))
        return None, True
    locked = not_editable(candidates[0])
    if locked is not None:
        response, values = locked
        dispatcher.utter_message(response=response, number=candidates[0].number,
                                 status=status_words(candidates[0].status), **values)
        return None, False
    return candidates[0], False

"""Items taken out of, or put back into, the order waiting at its summary, where a "no" had thrown it all away."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_answers import intent_of
from actions.order_draft import remove_from_draft
from actions.order_slots import DRAFT, ITEMS
from actions.place_order import ActionPlaceOrder, answer_place_order

# "make it 3 then", "keep both", "swap the mug for a red one" read as a no at the summary: an edit.
_AN_EDIT = re.compile(r"(?i)\b(?:add|put|make|change|swap|switch|replace|instead|keep (?:the|my|both|those|that)|bring|"
                      r"more|less|fewer)\b|\b\d{1,2}\b")
# "actually put it back", "ok then keep the red one after all", "add the mug back": at the summary,
# the last edit undone (the whole order had been thrown away).
_PUTS_BACK = re.compile(r"(?i)\b(?:put|add|bring|get)\s+(?:\w+\s+){0,3}?back\b|\bundo\b|\bre-?add\b|"
                        r"\bkeep\s+(?:the|my|that|those|both)\b.*\b(?:after all|too|as well)\b")
_NOT_PUT_BACK = re.compile(r"(?i)\b(?:don'?t|dont|do not|no need to|never)\s+(?:\w+\s+)?(?:put|add|bring|keep)\b")
# "cancel the caddy, just the mugs", "yes but without the tea", "no filters": the words naming what
# is taken out ("caddy", which the NLU finds no product in), up to where the message goes on; a
# bare "no" only right before them ("no the blue ones" picks, it takes nothing out).
_CANCELLED_WORDS = re.compile(
    r"(?i)(?:\b(?:cancel|remove|drop|delete|skip|without|minus|take\s+(?:off|out))\s+"
    r"(?:the\s+|my\s+|a\s+|an\s+|that\s+|those\s+|any\s+)?|\bno\s+(?!the\b|thanks?\b|wait\b))"
    r"(?P<what>[a-z][a-z -]*?)\s*(?=[,.;:!?]|\b(?:and|but|just|only|keep|please|pls|plz|from|out|off|then|too|now|"
    r"though)\b|$)")
# Words a cancel names no item with: "cancel it", "cancel the whole order", "cancel everything".
_NOT_AN_ITEM = frozenset("it all order orders everything thing things whole entire lot one ones item items this that "
                         "them".split())
# Words of "put it back", "keep the red one after all" that name no item.
_NO_NAME_WORDS = frozenset("a an the it them that those this one ones of with for and back put add keep bring "
                           "all after then too well as ok okay actually please pl".split())


async def answer_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                             decided: Optional[str], text: Optional[str]) -> List[Dict[Text, Any]]:
    """The yes or no to "Shall I place it?" (`decided` when its words decide it): an item named is
    taken out, an edit read as a no asks what to change, else the order is placed or released."""
    taken_out = await take_out_of_the_unplaced_order(dispatcher, tracker, domain)
    if taken_out is not None:  # "no filters", "yes but without the tea": that item out, asked again
        return taken_out
    if intent_of(tracker) == "deny" and decided is None and _AN_EDIT.search(text or ""):
        # "make it 3 then", "keep both": an edit read as a no, which had thrown the order away
        dispatcher.utter_message(response="utter_what_to_change_first")
        return []
    return await answer_place_order(dispatcher, tracker)


def puts_back(text: Optional[str]) -> bool:
    """ "actually put it back", "ok then keep the red one after all", not "dont add it back"."""
    return bool(_PUTS_BACK.search(text or "") and not _NOT_PUT_BACK.search(text or ""))


async def take_out_of_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """ "cancel the tea caddy" at "Shall I place it?" of an order holding more: that item is taken
    out and the summary shown again (the whole order had been thrown away). A product the NLU found
    the order form takes out, as "remove the tea caddy"; an item named by a word of its name alone
    ("the caddy") is taken out here. None when no item of the order is named, or every one is: a
    no to the order."""
    items = [dict(item) for item in tracker.get_slot(ITEMS) or tracker.get_slot(DRAFT) or []]
    text = tracker.latest_message.get("text") or ""
    left = [dict(item) for item in items]
    if remove_from_draft(left, tracker.latest_message.get("entities") or [], text)[0]:
        return [FollowupAction("order_form")] if left else None
    named = _items_named_by_word(items, text)
    if not named or len(named) == len(items):
        return None
    left = [item for item in items if item not in named]
    dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(item["name"] for item in named))
    tracker.slots.update({ITEMS: left, DRAFT: left})
    return [SlotSet(ITEMS, left), SlotSet(DRAFT, left)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


def _items_named_by_word(items: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The items whose names hold every word the cancel names ("cancel the caddy": Tea Caddy Tin)."""
    cancelled = _CANCELLED_WORDS.search(text)
    words = re.findall(r"[a-z]+", cancelled.group("what").lower()) if cancelled else []
    said = {word.rstrip("s") for word in words if word not in _NOT_AN_ITEM}
    if not said:
        return []
    return [item for item in items
            if said <= {word.rstrip("s") for word in re.findall(r"[a-z]+", item["name"].lower())}]


async def put_back_into_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                           domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """ "actually put it back" at "Shall I place it?": what the last edit took out (or made fewer)
    goes back in and the summary is shown again; when nothing was, what to change is asked."""
    items = [dict(item) for item in tracker.get_slot(ITEMS) or tracker.get_slot(DRAFT) or []]
    back = _taken_out_lately(tracker, items, tracker.latest_message.get("text") or "")
    if not back:
        dispatcher.utter_message(response="utter_what_to_change_first")
        return []
    restored = {item["sku"]: item for item in items}
    for item in back:
        restored[item["sku"]] = {**restored.get(item["sku"], item), "quantity": item["quantity"]}
    kept = list(restored.values())
    dispatcher.utter_message(response="utter_order_items_put_back", names=", ".join(item["name"] for item in back))
    tracker.slots.update({ITEMS: kept, DRAFT: kept})
    return [SlotSet(ITEMS, kept), SlotSet(DRAFT, kept)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


def _taken_out_lately(tracker: Tracker, items: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The items of the order being made that an earlier version of it had more of, as they were
    then: the newest such version, or the newest holding an item the message names a word of ("keep
    the red one": not the black mug that was out of stock)."""
    now = {item["sku"]: int(item.get("quantity") or 0) for item in items}
    said = {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())} - _NO_NAME_WORDS
    versions = []
    for event in reversed(tracker.events or []):
        if event.get("event") != "slot" or event.get("name") not in (ITEMS, DRAFT):
            continue
        if event.get("value") is None and event.get("name") == DRAFT:
            break  # the order being made began after it
        fewer = [dict(item, quantity=int(item.get("quantity") or 0)) for item in event.get("value") or []
                 if item.get("sku") and int(item.get("quantity") or 0) > now.get(item["sku"], 0)]
        if fewer:
            versions.append(fewer)

    def named(item: Dict[str, Any]) -> bool:
        return bool(said & {word.rstrip("s") for word in re.findall(r"[a-z]+", item["name"].lower())})
    if not any(named(item) for fewer in versions for item in fewer):
        return versions[0] if versions else []
    return next([item for item in fewer if named(item)] for fewer in versions if any(map(named, fewer)))

"""The return form's items: which of the order goes back, from the answer and the messages just before it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.form_answers import OTHER_REQUESTS, intent_of, last_utterance
from actions.order_changes import explicit_quantity
from actions.order_forms import ENDED, TARGET
from actions.parsing import quantity_in
from actions.return_form_reason import reason_said
from actions.return_items import ItemChange, ReturnChoice, change_of_items, choose_from_message, choose_return_items
from actions.return_state import ITEMS, entities_of, text_of

NONE = "none"  # the answer to "what goes back?" was "nothing"
NOTHING = re.compile(r"(?i)^\s*(no|nope|nah|nothing|none|neither|not now)\b[\w\s,']{0,30}$")


def extract_items(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    target = tracker.get_slot(TARGET)
    change = item_change(tracker)
    if change is not None:
        # "the teapot too", "no only 2 mugs not 3" at the summary or while the reason is asked
        if change.items is not None:
            return {ITEMS: change.items}
        if change.choice.problem and change.choice.problem[0] == "not_in_order":
            dispatcher.utter_message(response="utter_return_item_not_in_order", number=target["number"],
                                     name=change.choice.problem[1])
            return {}  # the items chosen stay
        explain_the_choice(dispatcher, target, change.choice)
        return {ITEMS: None}
    if tracker.get_slot("requested_slot") != ITEMS or not target or "lines" not in target:
        return {}
    choice, _ = choose_from_message(target["lines"], text_of(tracker), entities_of(tracker))
    if not choice.lines and choice.problem and choice.problem[0] in ("unclear", "ambiguous"):
        choice = _count_for_the_product_before(tracker, target["lines"], choice) or choice
    elif len(choice.lines) == 1 and not choice.counted and last_utterance(tracker) == "utter_return_items_ambiguous":
        choice = _with_the_count_said_before(tracker, choice)  # "1 mug" → "which one?" → "the blue one"
    if choice.lines:
        return {ITEMS: choice.lines}
    if choice.problem == ("unclear",) and (intent_of(tracker) == "deny" or NOTHING.match(text_of(tracker))):
        return {ITEMS: NONE}
    if choice.problem == ("unclear",) and intent_of(tracker) in OTHER_REQUESTS - {"refund_return_request"}:
        return {}  # another request: its rule answers, then the form asks again
    explain_the_choice(dispatcher, target, choice)
    # "sorry i meant 1 mug, the color is wrong": which mug is asked, the reason is kept (QA: asked again)
    return {ITEMS: None, **reason_said(tracker)}


def validate_items(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    if value == NONE:  # "no", "nothing after all": the return is left
        dispatcher.utter_message(response="utter_return_not_requested",
                                 number=(tracker.get_slot(TARGET) or {}).get("number", ""))
        return {ITEMS: None, **ENDED}
    if not isinstance(value, list) or not value:
        return {ITEMS: None}
    return {ITEMS: value, **reason_said(tracker)}


def explain_the_choice(dispatcher: CollectingDispatcher, target: Dict[str, Any], choice: ReturnChoice) -> None:
    """What stands in the way of the items named: unclear, which one, how many, too many, not in the order."""
    kind = choice.problem[0] if choice.problem else "unclear"
    values: Dict[str, Any] = {"number": target["number"]}
    if kind in ("ambiguous", "ambiguous_kept", "not_in_order"):
        values["name"] = choice.problem[1]
    elif kind in ("too_many", "how_many"):
        values.update(name=choice.problem[1], ordered=choice.problem[2])
    dispatcher.utter_message(response=f"utter_return_items_{kind}", **values)


def item_change(tracker: Tracker) -> Optional[ItemChange]:
    """More items or fewer for those chosen, at the return's summary or while its reason is asked."""
    target, chosen = tracker.get_slot(TARGET) or {}, tracker.get_slot(ITEMS)
    if "lines" not in target or not isinstance(chosen, list) or not chosen:
        return None
    return change_of_items(target["lines"], chosen, text_of(tracker), entities_of(tracker),
                           at_summary=tracker.get_slot("requested_slot") is None)


def _count_for_the_product_before(tracker: Tracker, lines: List[Dict[str, Any]],
                                  choice: ReturnChoice) -> Optional[ReturnChoice]:
    """"2" right after "3 blue mugs" got "you can return up to 2" (or "some mugs" got "how many?"):
    the count is for that product; so is "sorry i meant 1 mug" when the mug asked about is one of
    the mugs it could mean (QA: "which mug?" was asked, and 2 blue mugs proposed after)."""
    count = quantity_in(text_of(tracker))
    previous = [e for e in tracker.events if e.get("event") == "user"][-2:-1]
    if count is None or not previous:
        return None
    said = (previous[0].get("parse_data") or {}).get("entities") or []
    before = choose_return_items(
        lines, [{**e, "quantity": count} for e in said if e.get("entity") in ("product", "category")], "")
    if len(before.lines) != 1:
        return None
    if choice.problem and choice.problem[0] == "ambiguous":
        asked_how_many = last_utterance(tracker) in ("utter_return_items_too_many", "utter_return_items_how_many")
        could_mean = {sku for e in entities_of(tracker) for sku in (e.get("skus") or [])}
        if not asked_how_many or before.lines[0]["sku"] not in could_mean:
            return None
    return before


def _with_the_count_said_before(tracker: Tracker, choice: ReturnChoice) -> ReturnChoice:
    """ "the blue one" answering "which mug?" for "1 mug": that many of it, not all of them."""
    previous = [e for e in tracker.events if e.get("event") == "user"][-2:-1]
    if not previous:
        return choice
    said = [explicit_quantity(e) for e in (previous[0].get("parse_data") or {}).get("entities") or []
            if e.get("entity") in ("product", "category")]
    count = next((n for n in said if n is not None), None) or quantity_in(previous[0].get("text") or "")
    line = choice.lines[0]
    if count is None or not 1 <= count <= int(line["quantity"]):
        return choice
    return ReturnChoice(lines=[{**line, "quantity": count}], named={line["sku"]: count}, counted=[line["sku"]])

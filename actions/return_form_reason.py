"""The return form's reason: the answer to "why are you sending it back?", or a reason said before it was asked."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.form_answers import OTHER_REQUESTS, intent_of
from actions.order_forms import TARGET
from actions.parsing import asks_instead_of_answering, format_price
from actions.return_items import (ReturnMessage, about_items, choose_from_message, items_text, read_return_message,
                                  tidy_reason)
from actions.return_reasons import never_arrived, shops_fault
from actions.return_state import ITEMS, REASON, REGISTRATIONS, entities_of, said_during_this_return, text_of

# "same reason", "same as before", "same reason as the other mugs": the reason of the return the
# items join.
SAME_REASON = re.compile(
    r"(?i)^\W*(?:(?:its|it'?s|it is|they'?re|for)\s+)?(?:the\s+)?same(?:\s+(?:reason|thing|problem|issue|here))?"
    r"(?:\s+as\s+(?:before|(?:the|with the|for the|my)\s+(?:(?:other|first|last|previous|earlier)\b\s*)?[a-z\s]{0,25}))?\W*$")
# A yes, no or okay is no reason (it answers a question the customer thought was asked).
NO_REASON = re.compile(r"(?i)^\s*(yes|yeah|yep|yup|ok|okay|sure|no|nope|fine|right|correct|done|y|n)\W*$")
# Intents that are no reason: leaving, waiting, help, a policy question, a person (their rules answer).
NOT_A_REASON = frozenset({"stop", "wait", "help", "faq", "bot_challenge", "contact_human_agent"})
# A question asked instead of the reason that another intent's rule answers ("where is my other
# order?"); a complaint or a return request worded as a question is still a reason.
QUESTION_INTENTS = (OTHER_REQUESTS - {"complaint", "refund_return_request"}) | {"out_of_scope", "nlu_fallback"}
# Asked instead of the reason, and answered here: "how long will the refund take?", "do i need a reason?".
REFUND_WHEN = re.compile(r"(?i)\b(?:how (?:long|soon|many days|fast)|when)\b.{0,40}\b(?:refund\w*|money|paid|credited)\b|"
                         r"\brefund\w*\b.{0,30}\b(?:take|how long|when)\b")
WHY_A_REASON = re.compile(r"(?i)\b(?:need|have|must|required?|necessary|mandatory|compulsory)\b.{0,25}\breason\b|"
                          r"\breason\b.{0,10}\b(?:needed|required|necessary|mandatory|compulsory)\b|"
                          r"\bwhy (?:do|does|should) (?:you|it|i) (?:need|want|have|matter|ask)|\bwhat (?:kind of |sort of )?reason\b")
# "wait which order is that", "hmm what order is this about?", "what am i returning?": asked at the
# reason prompt, which names no order (t2 QA M2).
WHICH_ORDER = re.compile(r"(?i)\b(?:which|what|wich|wat)\s+(?:order|one|items?|products?|parcel|package)\b|"
                         r"\bwhat (?:am i|are we|is (?:it|this|that))\s+(?:returning|sending|about)\b")
# The apology for a return that is the shop's fault (actions/return_reasons.py), said once per return.
SORRY = {"damaged": "utter_return_sorry_faulty", "wrong_item": "utter_return_sorry_wrong_item"}
EARLIER_TURNS = 6  # how far back a reason said before the return counts


def extract_reason(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """Any text answers "why are you sending it back?", but not a change of the items, a
    question (answered here or by its rule, then the reason is asked again), leaving or help."""
    if tracker.get_slot("requested_slot") != REASON:
        return {}
    text, intent = text_of(tracker), intent_of(tracker)
    if asks_which_order(text):  # "wait which order is that": never the reason, nor a new order
        _say_which_order(dispatcher, tracker)
        return {REASON: None}
    if intent in NOT_A_REASON:
        return {}  # its rule answers ("stop", "do i pay for return shipping?")
    message = read_return_message(text, entities_of(tracker))
    if about_items(message):  # "the teapot too, it's cracked": its reason if said, else asked again
        return {REASON: message.reason}
    if WHY_A_REASON.search(text):  # "what? do i need a reason?"
        dispatcher.utter_message(response="utter_return_reason_why")
        return {REASON: None}
    if REFUND_WHEN.search(text) and asks_instead_of_answering(text):  # "how long will the refund take?"
        dispatcher.utter_message(response="utter_return_refund_when")
        return {REASON: None}
    if asks_instead_of_answering(text) and intent in QUESTION_INTENTS:
        return {}  # "where is my other order?": its rule answers, then the reason is asked again
    if only_names_items(text, entities_of(tracker)):  # "the espresso beans": which item, not why
        return _items_named_at_the_reason(dispatcher, tracker)
    return {REASON: text}


def validate_reason(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    if value is None:  # not a reason: extraction has said why, and the form asks again
        return {REASON: None}
    reason = tidy_reason(" ".join(str(value or "").split()))
    if SAME_REASON.match(reason):  # "same reason", adding to a return: its reason
        earlier = same_reason((tracker.get_slot(TARGET) or {}).get("reason_so_far"), reason)
        if earlier:
            return {REASON: earlier[:500]}
    if len(reason) < 3 or NO_REASON.match(reason):
        dispatcher.utter_message(response="utter_invalid_return_reason")
        return {REASON: None}
    return {REASON: reason[:500]}


def only_names_items(text: str, entities: List[Dict[str, Any]]) -> bool:
    """ "the espresso beans", "just the mug": products named and nothing else, so no reason."""
    named = [e for e in entities if e.get("entity") in ("product", "category") and e.get("start") is not None]
    if not named:
        return False
    rest = text
    for entity in sorted(named, key=lambda e: -int(e["start"])):
        rest = rest[:int(entity["start"])] + " " + rest[int(entity["end"]):]
    return all(word in ONLY_ITEM_WORDS for word in re.findall(r"[a-z']+", rest.lower()))


# Words said around the items named: "just the beans", "the espresso beans pls", "oh the mug".
ONLY_ITEM_WORDS = frozenset("""the a an one of my those these this that just only please pls plz oh ah ok okay
    and also too both it is its it's""".split())


def _items_named_at_the_reason(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """An item named when the reason was asked (the customer heard "which item?"): the items are
    those named, if the order holds them, and the reason is asked again (QA: "the espresso beans" was
    stored as the reason)."""
    target = tracker.get_slot(TARGET) or {}
    choice, _ = choose_from_message(target.get("lines") or [], text_of(tracker), entities_of(tracker))
    if not choice.lines:
        if choice.problem and choice.problem[0] == "not_in_order":
            dispatcher.utter_message(response="utter_return_item_not_in_order", number=target.get("number", ""),
                                     name=choice.problem[1])
        return {REASON: None}
    dispatcher.utter_message(response="utter_return_items_noted", items=items_text(choice.lines))
    return {ITEMS: choice.lines, REASON: None}


def asks_which_order(text: str) -> bool:
    """ "wait which order is that", "what order is this about?": a short question, not a reason that
    mentions an order ("not the one i ordered")."""
    return WHICH_ORDER.search(text) is not None and ("?" in text or len(text.split()) <= 8)


def _say_which_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The order the return is about and what it holds (of a return on its way: what is still with
    the customer); the form then asks the reason again."""
    target = tracker.get_slot(TARGET) or {}
    lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines") or [])
    dispatcher.utter_message(response="utter_order_contents", number=target.get("number", ""), lines=lines,
                             total=format_price(int(target.get("total_minor") or 0), target.get("currency") or "EUR"))


def sorry_for_the_fault(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """A return started by the shop's fault ("you sent me green mugs instead of blue ones", "wrong
    item received", "it arrived broken") hears the apology first, and the message is its reason
    (unless a reason is read with the items), so "why?" is not asked."""
    text = text_of(tracker)
    fault = shops_fault(text)
    if fault is None:
        return {}
    if not said_during_this_return(tracker, *SORRY.values()):
        dispatcher.utter_message(response=SORRY[fault])
    reason = tidy_reason(" ".join(text.split()))
    return {REASON: reason[:500]} if len(reason) >= 3 else {}


def reason_said_before(tracker: Tracker, target: Dict[str, Any]) -> Dict[Text, Any]:
    """The shop's fault said a few messages before this return started, of this order's items or of
    none named ("my kettle arrived dented", then "return it for a refund"); not of a return already
    registered or left since."""
    skus = {line["sku"] for line in target.get("lines") or []}
    seen_latest, turns = False, 0
    for event in reversed(tracker.events or []):
        said = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if said in REGISTRATIONS or said in ("utter_return_not_requested", "utter_stopped"):
            return {}
        if event.get("event") != "user":
            continue
        if not seen_latest:  # the message being read
            seen_latest = True
            continue
        turns += 1
        if turns > EARLIER_TURNS:
            return {}
        text = " ".join(str(event.get("text") or "").split())
        named = {sku for entity in (event.get("parse_data") or {}).get("entities") or []
                 for sku in entity.get("skus") or []}
        if text.startswith("/") or shops_fault(text) is None or never_arrived(text) or (named and not named & skus):
            continue
        return {REASON: tidy_reason(text)[:500]}
    return {}


def reason_said(tracker: Tracker, target: Optional[Dict[str, Any]] = None,
                message: Optional[ReturnMessage] = None) -> Dict[Text, Any]:
    """The reason said with the items ("the teapot, the lid is cracked"); "same reason" is the
    reason of the return they join, or the one already given."""
    message = message or read_return_message(text_of(tracker), entities_of(tracker))
    reason = message.reason
    if not reason or NO_REASON.match(reason):
        return {}
    if SAME_REASON.match(reason):
        target = target or tracker.get_slot(TARGET) or {}
        reason = same_reason(target.get("reason_so_far"), reason) or tracker.get_slot(REASON)
        return {REASON: reason[:500]} if reason else {}
    return {REASON: reason[:500]}


_NOT_NAMING = frozenset("same reason thing problem issue here as before the with for my other first last previous "
                        "earlier a its it is they re".split())


def same_reason(so_far: Optional[str], said: str) -> Optional[str]:
    """The reason "same reason" means: the return's (the backend joins each addition's with "; "),
    or of those the one about the products named ("same reason as the other mugs")."""
    if not so_far:
        return None
    words = {w.rstrip("s") for w in re.findall(r"[a-z]+", said.lower()) if w not in _NOT_NAMING}
    about = [r for r in so_far.split("; ") if words & {w.rstrip("s") for w in re.findall(r"[a-z]+", r.lower())}]
    return about[0] if len(about) == 1 else so_far

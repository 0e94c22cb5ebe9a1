"""What is said at the cancel's questions, whatever the NLU made of it: which order ("the other
one", "the one with the red mugs", "the second one"; actions/cancel.py then asks about that one),
and questions about the order a cancel waits for its "yes" on ("is it already packed?", "what
happens to my money?": a product question, tracking, refund status or an FAQ to the NLU), answered
about THAT order (its status; that cancelling refunds it in full) and "Do you want me to cancel
order …?" asked again, so that a "yes" answers it.

Apart from actions/cancel.py so that the actions answering such messages (catalogue, tracking,
refunds, FAQ) can ask here first without importing the cancel flow.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order, order_or_none
from actions.form_answers import intent_of, previous_turn
from actions.yes_to_cancel import says_yes_to_the_cancel
from actions.order_slots import KEY, PENDING_ORDER
from actions.order_wording import ORDINAL
from actions.parsing import (asks_instead_of_answering, decided_answer, format_price, order_number, wants_to_order,
                             within_address, within_phone_number)

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"
REQUESTED, TASK = "requested_info", "order_task"  # as actions/orders.py names them
ASKED = "utter_confirm_cancel"
# Said instead of a cancel question, offering one: "… nothing to return. I can cancel it instead, with
# a full refund" (a return asked for before the order has shipped). A yes to it asks ASKED about it.
CANCEL_OFFERS = ("utter_return_not_delivered",)

# "is it already packed?", "has it shipped yet?", "what's its status": where the order is.
_ABOUT_ITS_STATE = re.compile(r"(?i)\b(?:pack(?:ed|ing)?|ship(?:ped|ping|s)?|sent|dispatch\w*|posted|status|"
                              r"on (?:its|the) way|left (?:the )?(?:warehouse|already)|process(?:ed|ing)|too late)\b")
# "how long does that take", "when will it come": after the refund was explained (or about the
# cancel itself) the refund's time, else where the order is.
_ABOUT_TIMING = re.compile(r"(?i)\bhow (?:long|many days|soon|quickly|fast)\b|\bwhen (?:will|would|do|does|is|can|am)\b")
# "what happens to my money?", "do i get a refund", "is there a fee": what cancelling costs.
_ABOUT_THE_MONEY = re.compile(r"(?i)\b(?:money|refund\w*|paid|pay(?:ment)?|charged?|card|paypal|fees?|cost|"
                              r"(?:get|have) (?:it|that|everything) back)\b")
_A_QUESTION = re.compile(r"(?i)\?|^\s*(?:and\s+|but\s+|so\s+)?(?:is|are|has|have|was|will|would|do|does|did|can|"
                         r"what|how|when|where)\b")

# "the other one", "my other order", "the second one": not the order just talked about.
OTHER_ORDER = re.compile(r"(?i)\b(?:other|another|second|2nd)\b(?:\s+(?:one|order|1))?|\bboth\b")
# The questions that name the orders a cancel may be about; the answer picks one of them.
WHICH_ORDER = ("utter_cancel_which_order", "utter_cancel_no_order_holds")
# "the one with the red mugs", "the teapot one", "the mug order": an order told by what it holds.
_ONE_OR_ORDER = re.compile(r"(?i)\b(?:one|ones|order|orders)\b|\bwith (?:the|my)\b")

# "cancel the mugs order too, keep only the french press", "cancel the mug one and keep the press":
# a message that starts as a cancel of an order told by what it holds is that cancel, whatever
# follows (not "cancel the mugs in my order": an item out); a sentence before it is its own ("ugh
# fine. then cancel the glasses pair one, found them cheaper").
_CANCELS_THE_ORDER_OF = re.compile(
    r"(?i)(?:^|[.!?;]\s)\W*(?:(?:ok(?:ay)?|so|and|also|then|now|actually|no|yes|yeah|just|hi|hey|pls|plz|please|"
    r"fine|ugh|hmm+|well)\W+)*"
    r"(?:(?:can|could|would|will) (?:you|u) (?:please |pls )?|(?:can|could|may) i (?:please |pls )?|"
    r"i (?:want|wanna|would like|need) (?:you |u )?to )?"
    r"cancel\s+(?:the|my|that|this)\s+(?P<what>(?:(?!(?:from|in|of|out|on|off|and|but)\b)[\w-]+\s+){1,4}?)"
    r"(?:order|one)s?\b")


def naming_the_order_to_cancel(tracker: Tracker) -> List[Dict[str, Any]]:
    """The product and category entities of "cancel the mugs order …" that tell which order to
    cancel ("the mugs"), not those said after it ("keep only the french press"); [] when the message
    starts as no such cancel."""
    match = _CANCELS_THE_ORDER_OF.search(tracker.latest_message.get("text") or "")
    if match is None:
        return []
    return [entity for entity in tracker.latest_message.get("entities") or []
            if entity.get("entity") in ("product", "category") and isinstance(entity.get("start"), int)
            and isinstance(entity.get("end"), int) and match.start("what") <= entity["start"]
            and entity["end"] <= match.end("what")]


# "and the other one too", "that one as well", "cancel it too", "also the other one": the same again
# (not "this is taking too long").
_ONE_MORE_TOO = re.compile(r"(?i)\b(?:(?:the\s+)?(?:other|second|2nd)|this|that)(?:\s+(?:one|order|1))?\s+"
                           r"(?:too|as well|also)\b|\bit\s+(?:too|as well)\b|\b(?:also|too)\s+(?:the\s+)?(?:other|this|that)\b")


def _said_last(tracker: Tracker) -> List[str]:
    """The responses of the bot's last turn (a cancel question said again as it was, by its text,
    is ASKED too: asked again after "hmm idk", it has no response name)."""
    questions = _cancel_questions(tracker)
    return [ASKED if event.get("text") in questions else (event.get("metadata") or {}).get("utter_action")
            for event in previous_turn(tracker) if event.get("event") == "bot"]


def _cancel_questions(tracker: Tracker) -> set:
    """The texts of the cancel questions asked in the conversation."""
    return {event.get("text") for event in tracker.events or [] if event.get("event") == "bot" and event.get("text")
            and (event.get("metadata") or {}).get("utter_action") == ASKED}


def asked_just_now(tracker: Tracker) -> bool:
    """The bot's last turn asked "Do you want me to cancel order …?" (or said it again)."""
    return ASKED in _said_last(tracker)


def cancel_run(tracker: Tracker) -> Tuple[List[str], List[str]]:
    """The bot's turns up to the latest message that each asked a cancel question ("cancel all my
    orders", then each next order; a question about the order answered and asked again): the
    customer's messages those turns answered and the orders they asked about. A turn without a cancel
    question (the customer went on to a return, say) ends the run: nothing before it counts, so an
    order kept in an earlier run is never asked about again."""
    questions = _cancel_questions(tracker)
    said: List[str] = []
    asked: List[str] = []
    turn: List[Dict[Text, Any]] = []
    seen_latest = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and seen_latest:
            turn.append(event)
        elif event.get("event") == "user":
            if seen_latest:
                numbers = [order_number(e.get("text")) for e in turn if e.get("text") in questions]
                if not numbers:
                    break
                said.insert(0, event.get("text") or "")
                asked[:0] = [number for number in numbers if number]
            seen_latest, turn = True, []
    return said, asked


def says_the_next_one_too(tracker: Tracker) -> bool:
    """The bot's last turn cancelled an order and asked about the next ("cancel all my orders"), and
    the answer says "and the other one too" or "this one as well": a yes to that next one (not "no,
    another one")."""
    text = tracker.latest_message.get("text") or ""
    said = _said_last(tracker)
    return (tracker.get_slot(PENDING) == "cancel_order" and "utter_order_cancelled" in said and ASKED in said
            and _ONE_MORE_TOO.search(text) is not None and decided_answer(text) != "no")


def answers_the_cancel(tracker: Tracker) -> bool:
    """An answer to the cancel just asked about or done, whatever the NLU made of it: "and the other
    one too" (after a cancel, or at the next order's question), or a plain yes or no naming no
    product at "Do you want me to cancel order …?". The forms that get such a message (read as a new
    order, a change, a return) hand it to the confirmation's answer instead of asking their question."""
    text = tracker.latest_message.get("text") or ""
    said = _said_last(tracker)
    if tracker.get_slot(PENDING) != "cancel_order":  # "Done: … cancelled." then "and the other one too"
        return "utter_order_cancelled" in said and bool(OTHER_ORDER.search(text) and _ONE_MORE_TOO.search(text))
    if ASKED not in said and not set(said) & set(CANCEL_OFFERS):
        return False
    named = any(e.get("entity") in ("product", "category") for e in tracker.latest_message.get("entities") or [])
    plain = not named and not wants_to_order(text) and (decided_answer(text) is not None or keeps_the_order(text))
    # (not "no, i want to order …")
    return says_the_next_one_too(tracker) or plain or keeps_its_items(tracker) or says_yes_to_the_cancel(tracker)


# "can i change it to 1 pair instead of cancelling", "no, just 1 pair", "reduce it to 2": a change of
# the order asked about, not its cancel (t2 F22: "yes 1 pair please" then cancelled the whole order).
_CHANGE_INSTEAD = re.compile(
    r"(?i)\binstead of (?:cancel\w*|that|it)\b|\brather than cancel\w*|"
    r"\b(?:change|edit|modify|amend)\s+(?:it|that|this|the order|my order|this order|the quantity)\b")
# "no, just 1 pair", "reduce it to 2", "keep only the mugs", "yes 1 pair please": a change when no
# cancel is said with it ("cancel just one of them" is a cancel).
_FEWER = re.compile(
    r"(?i)\b(?:reduce|lower|cut|make|update)\s+(?:it|that|this|the order|my order|them|the quantity)\s+"
    r"(?:(?:down\s+)?to\s+|into\s+)?(?:\d{1,2}|one|two|three|just|only)\b|"
    r"\b(?:just|only)\s+(?:(?:want|need)\s+)?(?:\d{1,2}|one|two|three)\b|\b(?:keep|want|need)\s+(?:just|only)\b|"
    r"\binstead of\s+(?:\d{1,2}|two|three|four|five)\b")  # "i just want 1 bag instead of 2"
_A_COUNT = re.compile(r"\b\d{1,2}\b")
_CANCEL_DENIED = re.compile(r"(?i)\b(?:don'?t|dont|do not|no need to|never)\s+cancel\w*(?:\s+(?:it|that|this|the order))?")
# "dont change it, cancel it": no change meant.
_NOT_CHANGED = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|no need to|never)\s+(?:\w+\s+)?"
                          r"(?:change|edit|modify|reduce)\b")


# At "Do you want me to cancel order …?", words keeping the order or going ahead with it: "keep it",
# "i still want it", "i confirm the order", "place it", "don't cancel", "please don't". A "confirm"
# there is about the order, not its cancel (parsing.decided_answer reads it as a yes, right at "Shall
# I place it?"): "no, i actually want to confirm it" had cancelled the order (qa2 F35).
_KEEPS = re.compile(
    r"(?i)\bkeep (?:it|them|the order|my order|this order|that order|both|everything)\b|"
    r"\b(?:still|do|really) (?:want|need) (?:it|them|this|that|the order|my order)\b|\bwant (?:it|them) after all\b|"
    r"\b(?:place|submit|book) (?:it|them|the order|my order|this order|that)\b|\bconfirm (?:the|my|this) order\b|"
    r"^\W*(?:please|pls|plz)?\s*(?:no\W+)?(?:don'?t|dont|do not)\W*$")
# "confirm it" keeps the order after a no ("no, i actually want to confirm it"); alone it may confirm the cancel.
_CONFIRMS_IT = re.compile(r"(?i)\bconfirm (?:it|that|them)\b")
_A_NO = re.compile(r"(?i)\b(?:no|nope|nah|not|don'?t|dont)\b")
# "don't cancel", "no need to cancel it", "not cancel": no cancel asked for.
_DONT_CANCEL = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|never|no need to)\s+(?:\w+\s+)?cancel\w*")
# What places an order (not only keeps it): "no, i actually want to confirm it, place it".
_PLACES = re.compile(r"(?i)\b(?:place|submit|book|confirm)\b")


def keeps_the_order(text: Optional[str]) -> bool:
    """At the cancel question, a message that keeps (or confirms) the order: a no, whatever
    parsing.decided_answer reads. A cancel it asks for without a "don't" makes it no keeping one."""
    text = text or ""
    if _DONT_CANCEL.search(text):
        return True
    if re.search(r"(?i)\bcancel", _DONT_CANCEL.sub(" ", text)):
        return False  # "yes cancel it, confirm it": the cancel is asked for
    return bool(_KEEPS.search(text) or (_CONFIRMS_IT.search(text) and _A_NO.search(text)))


# "no wait keep the french press", "keep my mugs": what is kept, named after "keep".
_KEEPS_AN_ITEM = re.compile(r"(?i)\bkeep(?:ing)?\s+(?:the|my|that|those|this|these)\s+(?P<what>[a-z][a-z -]*)")
_ITEMS_ASKED = re.compile(r"\(([^;)]*)")  # "(1 × French Press 800 ml; €39.80)" of the cancel question


def keeps_its_items(tracker: Tracker) -> bool:
    """At "Do you want me to cancel order …?", "no wait keep the french press" naming an item of that
    order: a no to its cancel (it had become a product search, and "cancel all my orders" stopped
    there, never asking about the orders left). A cancel asked for with it is no keeping."""
    text = tracker.latest_message.get("text") or ""
    kept = _KEEPS_AN_ITEM.search(text)
    if tracker.get_slot(PENDING) != "cancel_order" or kept is None \
            or re.search(r"(?i)\bcancel", _DONT_CANCEL.sub(" ", text)):
        return False
    questions = _cancel_questions(tracker)
    asked = next((event.get("text") for event in reversed(tracker.events or []) if event.get("event") == "bot"
                  and event.get("text") in questions), None)
    items = _ITEMS_ASKED.search(asked or "")
    return bool(items and _words(kept.group("what")) & _words(items.group(1)))


def _words(text: str) -> set:
    """The words of a product name, singular ("mugs": mug), without counts and units."""
    return {word.rstrip("s") for word in re.findall(r"[a-z]{3,}", text.lower())} - {"the", "and", "one", "order"}


def wants_it_placed(text: Optional[str]) -> bool:
    """A message keeping the order that asks to place (or confirm) it: an order not yet placed is
    asked about again ("Shall I place it?"), not merely kept waiting."""
    return keeps_the_order(text) and _PLACES.search(text or "") is not None


def changes_instead_of_cancelling(tracker: Tracker) -> bool:
    """At "Do you want me to cancel order …?", a change of that order asked for instead ("can i change
    it to 1 pair instead of cancelling"), or a yes carrying a count and no cancel ("yes 1 pair
    please"): never a yes to the cancel."""
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot(PENDING) != "cancel_order" or another_order_named(tracker) or _NOT_CHANGED.search(text):
        return False
    fewer = _FEWER.search(text) is not None or (_A_COUNT.search(text) is not None and decided_answer(text) != "no")
    # "no dont cancel!! i just want 1 bag instead of 2": a cancel said only to be denied is no cancel
    asked = _CANCEL_DENIED.sub(" ", text)
    return _CHANGE_INSTEAD.search(text) is not None or (fewer and re.search(r"(?i)\bcancel|\borders?\b", asked) is None)


def another_order_named(tracker: Tracker) -> Optional[str]:
    """An order number the message names ("yes cancel OB-…") other than the one the open cancel
    question is about: that order is meant, never the one asked about (not a postcode or phone)."""
    if tracker.get_slot(PENDING) != "cancel_order":
        return None
    text = tracker.latest_message.get("text") or ""
    asked = number_asked_about(tracker) or offered_cancel(tracker) or order_number(tracker.get_slot("order_id"))
    named = [order_number(str(e.get("value"))) for e in tracker.latest_message.get("entities") or []
             if e.get("entity") in ("order_id", "order_number")] + [order_number(text)]
    return next((number for number in named if number and number != asked and not number.isdigit()
                 and not within_address(number, text) and not within_phone_number(number, text)), None)


def offered_cancel(tracker: Tracker) -> Optional[str]:
    """The order of the bot's latest offer to cancel ("I can cancel it instead"), unless a cancel
    question was asked since: a yes to it asks that question about the order, with its items."""
    said = next((event for event in reversed(tracker.events or []) if event.get("event") == "bot"
                 and (event.get("metadata") or {}).get("utter_action") in (ASKED,) + CANCEL_OFFERS), None)
    if said is None or (said.get("metadata") or {}).get("utter_action") == ASKED:
        return None
    return order_number(said.get("text"))


def offered_orders(tracker: Tracker) -> List[str]:
    """The order numbers of "which order should I cancel?" just asked; [] when it wasn't."""
    if tracker.get_slot(REQUESTED) != "order_id" or tracker.get_slot(TASK) != "cancel":
        return []
    said = next((event for event in previous_turn(tracker) if event.get("event") == "bot"
                 and (event.get("metadata") or {}).get("utter_action") in WHICH_ORDER), None)
    return re.findall(r"\bOB-[0-9A-Z]{8}\b", said.get("text") or "") if said else []


def picks_an_order_to_cancel(tracker: Tracker) -> bool:
    """ "the other one", "no!! the one with the red mugs" at "Do you want me to cancel order …?", or
    "the second one", "the teapot one" to "which order should I cancel?", however the NLU read it."""
    text = tracker.latest_message.get("text") or ""
    named = any(e.get("entity") in ("product", "category") for e in tracker.latest_message.get("entities") or [])
    if offered_orders(tracker):
        return named or ORDINAL.search(text) is not None or order_number(text) is not None
    if says_the_next_one_too(tracker):  # "and the other one too": the one asked about, not another
        return False
    return tracker.get_slot(PENDING) == "cancel_order" and (
        OTHER_ORDER.search(text) is not None or (named and _ONE_OR_ORDER.search(text) is not None))


def ask_to_cancel(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order … (its items; total)?" with Yes/No buttons."""
    dispatcher.utter_message(response=ASKED, number=order.number,
                             items=", ".join(f"{line.quantity} × {line.name}" for line in order.lines),
                             total=format_price(order.total_minor, order.currency))
    return [SlotSet(PENDING, "cancel_order"), SlotSet("order_id", order.number)]


def number_asked_about(tracker: Tracker) -> Optional[str]:
    """The order the latest "Do you want me to cancel order …?" names: a side question in between
    ("where is OB-…?") moves the conversation's order, not the one a yes answers about."""
    asked = next((event for event in reversed(tracker.events or []) if event.get("event") == "bot"
                  and (event.get("metadata") or {}).get("utter_action") == ASKED), None)
    return order_number(asked.get("text")) if asked else None


async def answer_about_the_cancel(dispatcher: CollectingDispatcher,
                                  tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """At "Do you want me to cancel order …?", a question about that order answered about it and
    the question asked again, or items of it named instead ("no just take the filters off": their
    removal proposed); None when the message is no such question (another order or a product
    named, or not about its state or the money). With no cancel question open, what goes with a
    cancel however the NLU read it (`answer_beside_a_cancel`)."""
    if tracker.get_slot(PENDING) != "cancel_order":
        return await answer_beside_a_cancel(dispatcher, tracker)
    from actions.cancel_items import items_out_at_the_question, propose_without  # here: it imports this module
    out = await items_out_at_the_question(tracker)
    if out is not None and out.left:  # "NO not the whole thing!! only the mugs": those out, not the order
        ended = [ActiveLoop(None), SlotSet("requested_slot", None)] if (tracker.active_loop or {}).get("name") else []
        return await propose_without(dispatcher, tracker, out) + ended
    if keeps_its_items(tracker):  # "no wait keep the french press", read as a product search: a no
        from actions.cancel import ActionAnswerConfirmation  # here: actions.cancel imports this module
        return await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    text = tracker.latest_message.get("text") or ""
    state, money = _ABOUT_ITS_STATE.search(text), _ABOUT_THE_MONEY.search(text)
    if _ABOUT_TIMING.search(text) and not (state or money):
        # "how long does that take" right after the refund was explained: the refund's time, asked
        # again under it (it had got the order's status, and the question was dropped)
        arrives = re.search(r"(?i)\b(?:arriv\w*|deliver\w*|come|get here|be here|reach\w*)\b", text)
        if not arrives and ("utter_cancel_refund" in _said_last(tracker) or re.search(r"(?i)\bcancel", text)):
            money = _ABOUT_TIMING.search(text)
        else:
            state = _ABOUT_TIMING.search(text)
    asked = number_asked_about(tracker) or order_number(tracker.get_slot("order_id"))
    if asked is None or not (state or money) or not (_A_QUESTION.search(text) or asks_instead_of_answering(text)):
        return None
    named = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") in ("order_id", "product")]
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(asked)
    except BackendError as error:
        logger.warning("reading the order asked to cancel failed: %s", error)
        return None
    if not order.cancellable or not all(_about(entity, order) for entity in named):
        return None  # shipped meanwhile; "where is OB-other?", "is the kettle in stock?": a question of its own
    if state:  # the plain status of an order that can still be cancelled (pending, confirmed, processing)
        dispatcher.utter_message(response=f"utter_order_status_{order.status}", number=order.number,
                                 total=format_price(order.total_minor, order.currency))
    if money:
        dispatcher.utter_message(response="utter_cancel_refund", number=order.number,
                                 total=format_price(order.total_minor, order.currency))
    # a form the question was read as (a return, for "will i get my money back") asks nothing under it
    ended = [ActiveLoop(None), SlotSet("requested_slot", None)] if (tracker.active_loop or {}).get("name") else []
    return ask_to_cancel(dispatcher, order) + ended


# "until when can i cancel an order?", "is there a fee to cancel": the policy, not a cancel.
CANCEL_POLICY_QUESTION = re.compile(
    r"(?i)\b(?:until|till|up to|by) when\b|\bhow (?:long|late)\b.*\bcancel|\bcancel\w*\s+(?:policy|fees?|charges?)\b|"
    r"\b(?:fees?|charges?|costs?|penalt(?:y|ies))\b.*\bcancel|"
    r"\bcancel\w*\b.*\b(?:fees?|charges?|costs?|penalt(?:y|ies))\b|"
    r"\bcan (?:i|we|you) (?:still )?cancel (?:an|a|any) order\b|"
    r"\b(?:after|once) (?:it|an order|the order) (?:has )?(?:ship|is ship)")
_CLAUSES = re.compile(r"[,.;!?]+|\b(?:and|but|also)\b")
_A_CANCEL_ASKED = re.compile(r"(?i)\bcancel\b(?!\s*(?:policy|fees?|charges?))")
_NOT_ASKED = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|never|no need to|if|when|whether)\b")


def asks_to_cancel_too(text: Optional[str]) -> bool:
    """A policy question said with a cancel of its own: "cancel it, is there a fee?" (QA16: only the
    fee was answered); not "is there a fee to cancel my order?" or "if i cancel is there a fee"."""
    text = text or ""
    return bool(CANCEL_POLICY_QUESTION.search(text)) and any(
        _A_CANCEL_ASKED.search(clause) and not CANCEL_POLICY_QUESTION.search(clause) and not _NOT_ASKED.search(clause)
        for clause in _CLAUSES.split(text))


# Said when there was no order to cancel: the order at its summary was never placed, or none at all.
NO_ORDER_TO_CANCEL = ("utter_cancel_nothing_placed", "utter_ask_cancel_order_number")
# "i never placed one lol", "there is no order", "i dont have any orders": no order to name.
_NO_ORDER = re.compile(
    r"(?i)\b(?:never|didn'?t|didnt|did not|haven'?t|havent|have not|not)\s+(?:even\s+|actually\s+|really\s+|yet\s+)?"
    r"(?:placed?|made|order(?:ed)?|submitted|confirmed)\b(?!\s+(?:a|the|my)?\s*(?:number|no\b))|"
    r"\b(?:never|didn'?t|didnt|did not|haven'?t|havent|have not)\s+(?:got|have|had|bought)\s+(?:an?|any)\s+"
    r"(?:orders?|thing|anything)\b|\b(?:never|didn'?t|didnt|did not|haven'?t|havent)\s+(?:bought|buy) anything\b|"
    r"\b(?:there(?:'?s| is| was| are| were)?|i (?:have|got|had)|i'?ve got)\s+no\s+orders?\b(?!\s*(?:number|no\b|#|id))|"
    r"\b(?:don'?t|dont|do not)\s+have\s+(?:one|any|an order|any orders?)\b|\bno orders? (?:was|were|got) placed\b|"
    r"^\W*(?:there (?:is|was) )?no (?:order|orders)\W*$")


async def answer_beside_a_cancel(dispatcher: CollectingDispatcher,
                                 tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """With no cancel question open, what goes with a cancel whatever the NLU read: "cancel it, is
    there a fee?" (an FAQ to it) asks that cancel, the fee answered first (actions/cancel.py);
    "i never placed one lol", "there is no order" right after there was no order to cancel ends
    that (QA16: "What's your order number?" again and again). None for any other message."""
    text = tracker.latest_message.get("text") or ""
    if asks_to_cancel_too(text) and intent_of(tracker) != "cancel_order":
        tracker.latest_message["intent"] = {"name": "cancel_order", "confidence": 1.0}
        from actions.cancel import ActionCancelOrder  # here: actions.cancel imports this module
        return await ActionCancelOrder().run(dispatcher, tracker, {})
    said = {(event.get("metadata") or {}).get("utter_action") for event in previous_turn(tracker)
            if event.get("event") == "bot"}
    if not said & set(NO_ORDER_TO_CANCEL) or not _NO_ORDER.search(text) or order_number(text):
        return None
    dispatcher.utter_message(response="utter_cancel_nothing_then")
    ended = [ActiveLoop(None), SlotSet("requested_slot", None)] if (tracker.active_loop or {}).get("name") else []
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None)] + ended


def _about(entity: Dict[str, Any], order: Order) -> bool:
    """An order number or product the message names is the order's own."""
    if entity.get("entity") == "order_id":
        return order_number(str(entity.get("value"))) in (None, order.number)
    return bool(set(entity.get("skus") or []) & {line.sku for line in order.lines})


# Cancel reasons of the customer's own side: the chat's ("customer: …", "… in chat"), the API's
# default, an expiry, a customer's own words. Any other reason is the shop's note ("cancelled by
# staff", "item damaged in warehouse"): the customer's API gives the reason, not who cancelled.
_CUSTOMERS_OWN_CANCEL = re.compile(r"(?i)\bcustomer\b|\bin chat\b|^\s*expired\b|\bmy mind\b|\bby mistake\b|"
                                   r"\bcheaper\b")
_NO_NOTE = re.compile(r"(?i)^\s*cancell?ed by (?:staff|the shop|us)\s*$")


def shop_cancel_note(order: Order) -> Optional[str]:
    """The note of a cancel made by the shop ("" without one); None if the order isn't cancelled or
    its cancel was the customer's (or an expiry)."""
    reason = order.cancel_reason or ""
    if order.status != "cancelled" or not reason or _CUSTOMERS_OWN_CANCEL.search(reason):
        return None
    return "" if _NO_NOTE.match(reason) else reason.strip()


async def answer_a_shop_cancel(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                               order: Order) -> Optional[List[Dict[Text, Any]]]:
    """An order the shop cancelled, asked about ("why was it cancelled?", "i didnt cancel it!", where
    it is): that the shop cancelled it and its note, an apology, a person offered, and the same
    items (and address) as a new order, its summary asking "Shall I place it?". None for any other order."""
    note = shop_cancel_note(order)
    if note is None:
        return None
    why = f' with this note: "{note}"' if note else ""
    dispatcher.utter_message(response="utter_cancelled_by_the_shop", number=order.number, why=why)
    if not order.lines:
        return [SlotSet("order_id", order.number)]
    from actions.place_order import ActionPlaceOrder, order_form_slots  # here: it imports this module
    # a new order: no key or unplaced order of an earlier one may be reused for it
    slots = order_form_slots(order) + [SlotSet(PENDING_ORDER, None), SlotSet(KEY, None)]
    tracker.slots.update({event["name"]: event["value"] for event in slots})
    return ([SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, None), SlotSet("order_id", order.number)]
            + slots + await ActionPlaceOrder().run(dispatcher, tracker, domain))


# "why was it cancelled?", "i didnt cancel it!", "who cancelled my order": about a cancel already made.
ASKS_WHY_CANCELLED = re.compile(r"(?i)\b(?:why|how come|who)\b[^.!?]*\bcancell?ed\b|"
                                r"\b(?:didn'?t|did not|didnt|never)\s+(?:cancel|ask)\w*\b")


async def answer_why_it_was_cancelled(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """For actions that read such a question as theirs (tracking, returns): the order talked
    about, if the shop cancelled it, answered as answer_a_shop_cancel does; else None."""
    number = order_number(tracker.get_slot("order_id"))
    if number is None or not ASKS_WHY_CANCELLED.search(tracker.latest_message.get("text") or ""):
        return None
    order = await order_or_none(tracker.sender_id, number, f"the cancelled order {number}")
    return None if order is None else await answer_a_shop_cancel(dispatcher, tracker, domain, order)

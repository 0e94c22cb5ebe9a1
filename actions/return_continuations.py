"""Whether a message goes on with a return, whatever the NLU read: the return form's, not an order's nor a yes/no."""
from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.form_answers import last_utterance
from actions.order_forms import TARGET
from actions.order_wording import ALSO, RETURNING
from actions.parsing import asks_instead_of_answering, decided_answer
from actions.return_exchanges import asks_for_an_exchange, wants_a_replacement
from actions.return_form_items import item_change
from actions.return_items import choose_return_items
from actions.return_reasons import reports_a_wrong_item
from actions.return_state import PENDING, REGISTRATIONS, entities_of, text_of
from actions.return_withdrawal import keeps_items
from actions.warranty_claims import claims_a_warranty

# What the bot says while a return is asked about or just registered.
RETURN_TURNS = REGISTRATIONS + ("utter_confirm_return", "utter_confirm_return_items", "utter_confirm_return_more",
                                "utter_confirm_return_rest", "utter_ask_return_items", "utter_ask_return_more_items",
                                "utter_return_opened_consumable", "utter_return_opened_consumable_rest")
BUYING = re.compile(r"(?i)\b(?:buy|purchase|order (?:more|another|new|some)|(?:like|want|wanna|need) to order)\b")
# "not buy", "i don't want to buy": said before the buying word, no purchase.
NOT_BEFORE = re.compile(r"(?i)\b(?:not|no|never|don'?t|dont|do not|didn'?t|isn'?t)\b(?:\s+\w+){0,3}\s*$")
# "ok send them back", "sure, return them": a yes to the summary that names what it agrees to.
LEADING_YES = re.compile(r"(?i)^\W*(?:ok(?:ay)?|yes|yeah|yep|yup|sure|fine|alright|go ahead|please|pls|plz)\b")


def continues_a_return(tracker: Tracker) -> bool:
    """ "i want to return 2 blue mugs" (read as an order), "the teapot too" or "I'd rather have the
    right ones sent" right after a return was asked about or registered, "you sent me green mugs
    instead of blue ones", or any message about the items at a return's summary ("no only 2 mugs
    not 3", "no!! i want to RETURN 1 white mug not buy"): the return form's, never checkout's. A
    purchase said in so many words ("i also want to buy a teapot") is checkout's."""
    text = text_of(tracker)
    if buys(text):
        return False
    asked_about = last_utterance(tracker) in RETURN_TURNS
    about_a_return = asked_about or tracker.get_slot(PENDING) in ("return_order", "withdraw_return")
    return bool(RETURNING.search(text)) or (asked_about and bool(ALSO.search(text))) \
        or corrects_the_return(tracker) or reports_a_wrong_item(text) or (asked_about and wants_a_replacement(text)) \
        or (about_a_return and keeps_items(text, entities_of(tracker)))  # "keep the chai, only send the teapot"


def buys(text: str) -> bool:
    """ "buy", "purchase", "i want to order …", not negated ("not buy", "i don't want to buy")."""
    return any(not NOT_BEFORE.search(text[:match.start()]) for match in BUYING.finditer(text))


def corrects_the_return(tracker: Tracker) -> bool:
    """While the return's summary waits for its yes, a message about its items, whatever the NLU
    read: a change ("no only 2 mugs not 3", "the teapot too"), or the items said again ("no!! i want
    to RETURN 1 white mug not buy"), which shows the summary again. Not a purchase said in so many
    words, nor a question about something else ("how much is the white mug?")."""
    if tracker.get_slot(PENDING) != "return_order" or tracker.get_slot("requested_slot"):
        return False
    text = text_of(tracker)
    if buys(text):
        return False
    named = [e for e in entities_of(tracker) if e.get("entity") in ("product", "category")]
    if RETURNING.search(text):  # "i want to RETURN 1 white mug", not "ok send them back" or "no, don't return it"
        return bool(named) or (decided_answer(text) is None and not LEADING_YES.match(text))
    if asks_instead_of_answering(text):
        return False
    if item_change(tracker) is not None:
        return True
    lines = (tracker.get_slot(TARGET) or {}).get("lines") or []
    return bool(named) and bool(choose_return_items(lines, named, text).lines)  # its items named again


def changes_the_return(tracker: Tracker) -> bool:
    """At the return's summary, a change of its items or a replacement asked for instead: the return
    form's to handle, not a yes or no."""
    return tracker.get_slot(PENDING) == "return_order" and (
        corrects_the_return(tracker) or wants_a_replacement(text_of(tracker)) or asks_for_an_exchange(text_of(tracker))
        or claims_a_warranty(text_of(tracker)))

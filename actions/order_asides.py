"""Asides while an order is being made, answered and the order kept: a question about a product or
when it is back, the return policy, the order so far, "carry on", a new name at the summary; the
form then asks its question again."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.change_address import renamed_at_the_summary
from actions.form_answers import goes_on
from actions.order_forms import order_number_named
from actions.order_slots import ADDRESS, CONTACT, DRAFT, ITEMS
from actions.order_so_far import answer_the_order_so_far
from actions.order_wording import RETURNING
from actions.parsing import only_asks, wants_to_order
from actions.product_questions import asks_when_back


async def answer_while_ordering(dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """An aside to one of the order form's questions answered; None when the message is none."""
    so_far = await answer_the_order_so_far(dispatcher, tracker)
    if so_far is not None:  # "whats in my basket so far", "what have i ordered so far" while it asks
        return so_far
    if goes_on(tracker):  # "fine continue", "carry on": its question again
        return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]
    renamed = renamed_at_the_summary(tracker)
    if renamed is not None:  # "actually put it under Dr Anjali Sharma-Rao" at the summary: its summary again
        return [SlotSet(ADDRESS, renamed), SlotSet("requested_slot", None)]
    return await _answer_aside(dispatcher, tracker, domain)


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
        from actions.catalogue import ActionShowProducts  # here: catalogue imports this module (via order_form_start)
        shown = await ActionShowProducts().run(dispatcher, tracker, domain)
        return [event for event in shown if event.get("event") == "slot" and event.get("name") != DRAFT
                and event.get("name") != "requested_slot"] + [SlotSet(DRAFT, tracker.get_slot(DRAFT))]
    else:
        return None
    return [SlotSet(DRAFT, tracker.get_slot(DRAFT))]


# "btw do you have english breakfast tea", "siri ask the shop if they have chai", "what is masala chai"
STOCK_QUESTION = re.compile(
    r"(?i)\b(?:do|does)\s+(?:you|u|ya|they|the (?:shop|store))(?:\s+(?:guys|also|still|even|currently))?\s+"
    r"(?:have|sell|stock|carry|got)\b|\bif (?:you|u|they|the (?:shop|store)) (?:(?:also|still) )?(?:have|sell|stock|carry)\b|"
    r"^\s*(?:btw\s+|so\s+|and\s+)?what(?:'?s| is| are)\b|\bis there (?:any|a|an)\b")
# Words that make a product question an order ("do you have sencha? add 2 then").
_ORDERS_IT = re.compile(r"(?i)\b(?:add|put|order|buy|i'?ll take|i want|i'?d like|i would like|give me|send me)\b")


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

"""The order form's first message when it is no plain order: a product only named or asked about,
its price asked first, a complaint, a pre-order, another language, an order to look up (answered
instead, and the form ends), or an order worded as a question about it ("1 sencha gift wrapped
please"), which still starts it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_answers import intent_of
from actions.language import is_foreign, only_english
from actions.order_asides import asks_about_a_product
from actions.order_forms import order_number_named
from actions.order_slots import DRAFT, PENDING_ORDER
from actions.order_wording import RETURNING, asks_about_orders
from actions.orders import ActionTrackOrder, asks_after_an_ordered_product
from actions.parsing import asks_to_buy, wants_to_order
from actions.product_questions import PRICE_ASKED, asks_only_the_price, asks_when_back
from actions.support import complain_about_what_came, complains


async def answer_instead_of_an_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """The form's first message answered instead when it orders nothing: a complaint about what came,
    a pre-order, another language, an order to look up; None for anything else."""
    text = tracker.latest_message.get("text") or ""
    if complains(text) and not asks_to_buy(text):
        # "the teapot i got is cracked", "the sencha is stale": a complaint, never a new order
        complained = await complain_about_what_came(dispatcher, tracker, domain)
        if any(event.get("event") == "followup" for event in complained):  # the return form's
            return [SlotSet("requested_slot", None)] + complained
        return answered_instead(complained)
    if PREORDER.search(text):  # "can i preorder one": the shop takes no pre-orders
        dispatcher.utter_message(response="utter_no_preorders")
        return answered_instead([])
    if is_foreign(text):  # "Ich möchte zwei Tassen kaufen": no English checkout
        return answered_instead(only_english(dispatcher))
    if names_only_an_order(tracker) or asks_about_orders(text):
        # "order YJK4DZZC", "order details pls", "and the other order?": not "what would you like to order?"
        return answered_instead(await ActionTrackOrder().run(dispatcher, tracker, domain))
    if STARTS_WITH_A_CANCEL.search(text):
        # "cancel the teapot, it's too expensive" read as an order (QA17: "What would you like to order?")
        from actions.cancel import ActionCancelOrder  # here: its imports reach this module
        tracker.active_loop = {}  # the form this message started is no order being made to leave
        return answered_instead(await ActionCancelOrder().run(dispatcher, tracker, domain))
    if await asks_after_an_ordered_product(tracker):
        # "hello? my moka pot still not here" with the moka pot ordered: its order's status (QA16)
        return answered_instead(await ActionTrackOrder().run(dispatcher, tracker, domain))
    return None


def answered_instead(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The form, just started, ends with another action's answer, and the turn with it: after
    the form no rule says what comes next."""
    return events + [SlotSet("requested_slot", None), FollowupAction("action_listen")]


# A message that starts by cancelling: "now cancel the teapot, …", "ok pls cancel the espresso cups".
STARTS_WITH_A_CANCEL = re.compile(r"(?i)^\W*(?:(?:now|ok|okay|so|pls|plz|please|and|then|also|actually|hey|hi|hmm|"
                                  r"wait|sorry)\W+)*(?:can (?:you|u|i)\s+)?cancel\b(?!\s+(?:that|it)\s+(?:and|,))")
PREORDER = re.compile(r"(?i)\bpre-?\s?orders?(?:ing|ed)?\b|\b(?:reserve|hold) (?:one|it|them|some|a \w+) for me\b")


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

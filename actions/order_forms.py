"""What the forms that act on an existing order share: finding that order and checking its state.

`target_order` holds a small view of the order the form acts on: {"number", "status", "currency",
"total_minor", "lines": [{"sku", "name", "quantity", "unit_price_minor"}], "address"}. It is
taken from the message's order number, else the order the conversation was about (`order_id`),
else the customer's last order; asked for when there is none. An order the form may not act on
is refused right away with the reason, and the form ends (`requested_slot` None) without asking more.
"""
from __future__ import annotations

import logging
import re
from abc import abstractmethod
from typing import Any, Callable, Dict, Iterable, List, Optional, Text, Tuple

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, NotFound, Order
from actions.cancel_questions import CANCEL_OFFERS, answer_about_the_cancel, answers_the_cancel
from actions.feedback import correct_the_rating_just_given
from actions.form_answers import intent_of
from actions.order_wording import of_category
from actions.orders import answer_about_a_verified_order, entity_values, latest_entity, named_skus
from actions.parsing import contact_detail, format_price, order_number, within_address, within_phone_number
from actions.tickets import PAUSED_FORM, PENDING

logger = logging.getLogger(__name__)
TARGET = "target_order"
CHANGES = "order_changes"  # an item change's new lines (actions/change_order.py)
# "add a teapot" when several match: the change waits for "which teapot?" to be answered,
# {"text", "entities", "index": the ambiguous product entity's, "options": [{"sku", "name"}]}.
CHOICE = "order_change_choice"
NEW_CONTACT = "new_order_contact"  # {"contact_email"} and/or {"contact_phone"} (actions/change_contact.py)
NEW_ADDRESS = "new_shipping_address"  # an address change's new address (actions/change_address.py)
# Slots of the flows on an existing order; a finished flow and "stop" clear them.
CHANGE_SLOTS = (TARGET, CHANGES, CHOICE, NEW_ADDRESS, NEW_CONTACT, "return_items", "return_reason")
# What extraction gives for an order the form can't act on (it has said why); validation then
# ends the form: only validation may set slots other than the one it validates.
REFUSED = {"refused": True}
ENDED = {TARGET: None, "requested_slot": None}


# "no", "i dont have it", "i dont know my order number!!", "lost the email": no number to give.
NO_NUMBER = re.compile(
    r"(?i)^\W*(?:no+|nope|nah|idk|dunno|no idea|not sure|none)\W*$|"
    r"\b(?:(?:do ?n'?t|do not|didn'?t|did not|never|haven'?t|have not) (?:have|know|remember|recall|got|get|see|"
    r"find|keep|received?)|(?:can'?t|cannot|could ?n'?t|unable to) (?:find|remember|recall|see|locate|get)|"
    r"no idea|no clue|not sure|lost|forgot|forgotten|deleted|without (?:the |a |an |my )?(?:order )?(?:number|no))\b")


def without_its_number(tracker: Tracker) -> bool:
    """Asked which order, an answer that has no number to give: "no", "i dont know my order
    number", or the email or phone used for the order instead."""
    text = tracker.latest_message.get("text") or ""
    number = order_number(latest_entity(tracker, "order_id", "order_number")) or order_number(text)
    if number and not within_phone_number(number, text):
        return False
    return bool(NO_NUMBER.search(text) or intent_of(tracker) == "deny" or contact_given(tracker))


def contact_given(tracker: Tracker) -> Optional[str]:
    return contact_detail(latest_entity(tracker, "email", "phone") or tracker.latest_message.get("text"))


def offer_to_find_the_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Where the number is, and the team, who find an order by the email or phone used for it
    (the bot reads only this chat's orders by itself, and changes no other). The form ends: its
    question again would be the same dead end; a "yes" hands over, a "no" leaves it."""
    contact = contact_given(tracker)
    if contact:
        dispatcher.utter_message(response="utter_order_lookup_by_contact", contact=contact)
    else:
        dispatcher.utter_message(response="utter_order_number_unknown")
    return [SlotSet(PENDING, "human_handoff"), SlotSet(PAUSED_FORM, None), ActiveLoop(None),
            SlotSet("requested_slot", None), FollowupAction("action_listen")]


def order_number_named(tracker: Tracker) -> Optional[str]:
    """The order number the latest message names: not a postcode of the address in it, nor a part
    of a phone number ("send OB-… to …, 10115 Berlin, Germany", "my phone is +49 170 1234567")."""
    text = tracker.latest_message.get("text") or ""
    named = [order_number(value) for value in entity_values(tracker, "order_id", "order_number")] + [order_number(text)]
    return next((number for number in named
                 if number and not within_address(number, text) and not within_phone_number(number, text)), None)


# "to the mugs order", "the french press one"; "the order with the french press": what an order
# holds tells which order is meant (the words after a product or kind, and before it).
_ORDER_AFTER = re.compile(r"(?i)^\s*orders?\b")
_ONE_AFTER = re.compile(r"(?i)^\s*(?:one|orders?)\b")
_ORDER_WITH = re.compile(r"(?i)\border\s+(?:with|that has|which has|having|holding|containing|that contains|of)\s+"
                         r"(?:(?:the|my|a|an|\d{1,2})\s+)*$")


def naming_the_order(tracker: Tracker, one: bool = False) -> List[Dict[str, Any]]:
    """The product and category entities of the latest message that say which order is meant, not
    what it gets: "the mugs" of "add 2 masala chai to the mugs order", "the french press" of "…
    to the order with the french press"; with `one`, "the filters one" too (an answer to "which
    order?" or "no, the other order")."""
    text = tracker.latest_message.get("text") or ""
    after = _ONE_AFTER if one else _ORDER_AFTER
    return [entity for entity in tracker.latest_message.get("entities") or []
            if entity.get("entity") in ("product", "category") and entity.get("start") is not None
            and entity.get("end") is not None
            and (after.match(text[int(entity["end"]):]) or _ORDER_WITH.search(text[:int(entity["start"])]))]


def holds_named(lines: Iterable[Any], named: List[Dict[str, Any]]) -> bool:
    """The lines (an order's, or their views {"sku", "name"}) hold a product named, or one of a kind
    named ("the mugs order": a mug)."""
    skus = {sku for entity in named if entity.get("entity") == "product" for sku in entity.get("skus") or []}
    kinds = [str(entity.get("value")) for entity in named if entity.get("entity") == "category"]
    pairs = [(line["sku"], line.get("name") or "") if isinstance(line, dict) else (line.sku, line.name) for line in lines]
    return any(sku in skus or any(of_category(name, kind) for kind in kinds) for sku, name in pairs)


def order_view(order: Order) -> Dict[str, Any]:
    return {"number": order.number, "status": order.status, "currency": order.currency,
            "total_minor": order.total_minor, "address": order.shipping_address,
            "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                       "unit_price_minor": line.unit_price_minor} for line in order.lines]}


def status_words(status: str) -> str:
    return status.replace("_", " ")


def total_of(view: Dict[str, Any]) -> str:
    return format_price(int(view["total_minor"]), view["currency"])


class TargetOrderForm(FormValidationAction):
    """Base of the validation actions of change_order_form, change_address_form and return_form."""

    # A product named on activation picks the order holding it ("return the tea"); not where the
    # product is what changes ("add a french press to my order" means the last order).
    finds_order_by_product = False

    def order_skus(self, tracker: Tracker) -> List[str]:
        """The products whose order the message means (see finds_order_by_product)."""
        return named_skus(tracker) if self.finds_order_by_product else []

    def order_kinds(self, tracker: Tracker) -> List[str]:
        """The kinds of product whose order the message means ("the mugs order"): none unless a form says."""
        return []

    # Which orders the form can act on, if not only the last: without a number, the newest of
    # them is meant ("return my order" after ordering again means the delivered one).
    usable: Optional[Callable[[Order], bool]] = None

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>"""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        about_the_cancel = await _about_the_cancel(dispatcher, tracker, domain)
        if about_the_cancel is not None:
            return about_the_cancel
        requested = tracker.get_slot("requested_slot")
        if requested is None and self.name() != "validate_return_form" and _orders_with_its_address(tracker):
            # "3 cast iron teapots to Ines Costa, …, Portugal" read as changing an order's address or
            # items: a new order (ending this form at its activation hands the message to the order form)
            return [SlotSet("requested_slot", None), FollowupAction("order_form")]
        if requested == TARGET and not tracker.get_slot(TARGET) and without_its_number(tracker):
            return offer_to_find_the_order(dispatcher, tracker)
        if requested is None:  # "oh sorry i meant 4" right after a rating, read as "make it 4"
            corrected = await correct_the_rating_just_given(dispatcher, tracker)
            if corrected is not None:
                return corrected + [SlotSet("requested_slot", None), FollowupAction("action_listen")]
        if requested is None and not tracker.get_slot(TARGET):
            # "whats the delivery address on it? and pls add a french press to it" about another chat's
            # order opened with its email: refused as such, not "I can't find order …" (QA16)
            verified = await answer_about_a_verified_order(dispatcher, tracker)
            if verified is not None:
                return verified + [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]
        return await super().run(dispatcher, tracker, domain)

    @abstractmethod
    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        """The response (and its values) that says why this form can't act on `order`, or None."""

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        if tracker.get_slot(TARGET) or requested not in (None, TARGET):
            return {}
        text = tracker.latest_message.get("text") or ""
        # "change the address of OB-7C5FXG94 to …, 11143 Stockholm, Sweden": the number that isn't the postcode
        number = next((number for number in map(order_number, entity_values(tracker, "order_id", "order_number"))
                       if number and not within_address(number, text)), None)
        if number is None and requested == TARGET:
            number = order_number(text)
            if number is None:
                return {}  # not an answer: the form's rules may reply, then it asks again
        skus, kinds = self.order_skus(tracker), self.order_kinds(tracker)
        talked_about = number is None and not skus and not kinds
        if talked_about:  # activation: the order talked about, else the last one
            number = order_number(tracker.get_slot("order_id"))
        try:
            async with BackendClient(tracker.sender_id) as backend:
                if kinds and number is None:  # "the mugs order": the products of that kind their orders hold
                    skus = skus + [line.sku for held in await backend.list_orders() for line in held.lines
                                   if any(of_category(line.name, kind) for kind in kinds)]
                order = await backend.get_order_or_last(number, skus, self.usable)
                if number and talked_about and order is not None and self.usable and not self.usable(order):
                    # "send the rest back too" after cancelling another order: the one it can act on
                    order = await backend.get_order_or_last(None, skus, self.usable)
        except NotFound:
            dispatcher.utter_message(response="utter_change_order_not_found", number=number)
            return {TARGET: REFUSED}
        except BackendError as error:
            logger.warning("order lookup for %s failed: %s", self.name(), error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {TARGET: REFUSED}
        if order is None:
            return {}  # no orders on this chat: the form asks for the number
        refused = self.refusal(order)
        if refused is not None:
            response, values = refused
            dispatcher.utter_message(response=response, number=order.number,
                                     status=status_words(order.status), **values)
            _how_to_exchange(dispatcher, order, text)
            # "I can cancel it instead": its yes asks to cancel that order
            return {TARGET: {**REFUSED, "offered": order.number} if response in CANCEL_OFFERS else REFUSED}
        return {TARGET: order_view(order)}

    def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, dict) and value.get("offered"):  # a cancel offered instead: a question open
            return {**ENDED, PENDING: "cancel_order", "order_id": value["offered"]}
        if not isinstance(value, dict) or value.get("refused"):
            return dict(ENDED)
        return {TARGET: value}


def _how_to_exchange(dispatcher: CollectingDispatcher, order: Order, text: str) -> None:
    """After "it's already delivered, so it can't be changed": how an exchange works, when the change
    was one ("i want to swap my blue mug for a red one"; QA16 left it at the refusal)."""
    from actions.return_exchanges import asks_for_an_exchange  # here: it imports this module
    if order.status == "delivered" and asks_for_an_exchange(text):
        dispatcher.utter_message(response="utter_return_exchange")


def _orders_with_its_address(tracker: Tracker) -> bool:
    from actions.order_address import orders_with_its_address  # here: it imports this module (placed_order_edits)
    return orders_with_its_address(tracker)


async def _about_the_cancel(dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """At "Do you want me to cancel order …?", a question about it read as this form's request
    ("will i get my money back" as a return) is answered and the question asked again; an answer
    to it ("and the other one too" as a change) goes to the confirmation. The form asks nothing."""
    if tracker.get_slot(PENDING) != "cancel_order" and not answers_the_cancel(tracker):
        return None
    events = await answer_about_the_cancel(dispatcher, tracker)
    if events is None and answers_the_cancel(tracker):
        from actions.cancel import ActionAnswerConfirmation  # here: actions.cancel imports this module
        events = await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
    if events is None:
        return None
    return events + [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]


def not_editable(order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
    """Items and address change only before shipping (the backend's `editable`)."""
    if order.editable:
        return None
    if order.status in ("shipped", "delivered"):
        return "utter_order_locked_shipped", {}
    return "utter_order_locked", {}


def events_clearing(slots: Tuple[str, ...]) -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in slots]


async def said_why_locked(dispatcher: CollectingDispatcher, tracker: Tracker, number: str,
                          locked: Callable[[Order], Optional[Tuple[str, Dict[str, Any]]]] = not_editable) -> bool:
    """A change refused because the order shipped since its summary: said as the shop says it ("is
    already shipped, … you can return it"; `locked` words it), not in the backend's words; False if
    it can still change."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order(number)
    except BackendError as error:
        logger.warning("reading the order whose change was refused failed: %s", error)
        return False
    refusal = locked(order)
    if refusal is not None:
        response, values = refusal
        dispatcher.utter_message(response=response, number=order.number, status=status_words(order.status), **values)
    return refusal is not None

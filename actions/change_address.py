"""Change the shipping address of an order: the form finds the order and collects the new address
(read like the order form reads one), the change is shown and confirmed, then
`PUT /orders/{n}/address`. Refused once the order has shipped (the backend's `editable`). A phone
or email given with the new address is the order's new contact, shown and changed with it; a
change of the contact alone ("update my email on the order") is actions/change_contact.py's.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, Invalid, NotFound, Order, Refused
from actions.change_contact import (changes_the_contact, changes_the_contact_at_the_summary, contact_changed,
                                    contact_text, new_contact, propose_contact_change)
from actions.form_answers import answer_before_a_correction, free_text_answer, last_utterance
from actions.order_forms import (NEW_ADDRESS, NEW_CONTACT, REFUSED, TARGET, TargetOrderForm, events_clearing,
                                 not_editable, order_number_named, order_view, said_why_locked, status_words)
from actions.order_draft import is_complete
from actions.order_slots import ADDRESS, CONTACT, DRAFT, ITEMS, PENDING_ORDER
from actions.order_address import orders_with_its_address
from actions.parsing import (address_refusal, complete_address, contact_with_address, format_address, is_address,
                             joined_contact, looks_like_address, new_name_in, order_number, parse_address,
                             tries_an_address)
from actions.place_order import ActionPlaceOrder
from actions.tickets import PAUSED_FORM
from actions.placed_order_edits import (ANOTHER_OF_THEIRS, moves_the_change, the_other_order, the_other_orders,
                                        told_by_its_items)

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"
FLOW_SLOTS = (TARGET, NEW_ADDRESS, PENDING)
OTHER_ORDER = "other_order"  # extraction's value for another order named instead of the address


# "I've moved! Please send it to <address> instead", "my new address is …": the new address follows
# the last of these words, whatever came before (a pasted email holding the old one).
_NEW_ONE_FOLLOWS = re.compile(
    r"(?i)\b(?:(?:send|ship|deliver|post|forward|redirect|divert|move)\s+(?:[\w'-]+\s+){0,4}?(?:to|at)|"
    r"new (?:delivery |shipping |postal |home )?address(?:\s+is)?|(?:i|we)(?:'ve| have)? moved to|"
    r"address is now)\s*:?\s*")
# Words of a sentence or a request, never of a name, street or town: an address read across two
# addresses and the talk between them ("Flat 4, Brighton BN1 3FS', I've moved! Please send it to …").
_NO_ADDRESS_LINE = re.compile(r"(?i)[!?:;]|\b(?:send|ship|deliver|moved?|please|pls|address|instead|email)\b")
TWO_ADDRESSES = "two_addresses"  # the problem of a message holding two addresses with no word of which is new


def the_new_address(text: str, name: Optional[str]) -> Tuple[Optional[Dict[str, str]], Optional[str]]:
    """The new address in a request to move an order (`parse_address`'s address and problem): the
    one after "send it to" / "new address is" when that one is whole, else the message read as one
    address; two addresses read as one (t4 C2: the old street became line1 and "…, I've moved!
    Please send it to Chloe Harris, 9 Preston Park Avenue" line2) are no address: the new one is
    asked for (`TWO_ADDRESSES`)."""
    for match in reversed(list(_NEW_ONE_FOLLOWS.finditer(text))):
        address = parse_address(text[match.end():], name=name)[0]
        if address is not None and not _two_in_one(address):
            return address, None
    address, problem = parse_address(text, name=name)
    if address is not None and _two_in_one(address):
        return None, TWO_ADDRESSES
    return address, problem


def _two_in_one(address: Dict[str, str]) -> bool:
    """Lines holding talk, or a second line holding the name again or another postcode of the town
    ("Flat 4, Brighton BN1 3FS, Chloe Harris, 9 Preston Park Avenue"): two addresses read as one."""
    if any(_NO_ADDRESS_LINE.search(str(address.get(part) or "")) for part in ("name", "line1", "line2", "city")):
        return True
    extra = [part.strip().lower() for part in str(address.get("line2") or "").split(",")]
    name, city = address["name"].lower(), address["city"].lower()
    return any(part == name or (part.startswith(city) and re.search(r"\d", part)) for part in extra)


def _renamed(tracker: Tracker, text: str) -> Optional[Dict[str, str]]:
    """ "change the name to Nina Kovač", "the name is wrong, it should be just Nina Kovač": the order's
    address with that name (QA F8: the whole address had to be written again); None otherwise."""
    name = new_name_in(text) if not looks_like_address(text) else None
    address = (tracker.get_slot(TARGET) or {}).get("address") or {}
    if name is None or not address.get("line1"):
        return None
    return {**{part: value for part, value in address.items() if value}, "name": name}


def renamed_at_the_summary(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The address of the order at its summary with the new name the message gives ("actually put it
    under Dr Anjali Sharma-Rao", "the name shud be Anjali Rao not Anjali Sharma"); None when no
    order waits there or the message gives no new name alone. For the order form, which an edit
    at the summary reaches: its summary follows with the address set."""
    text, address = tracker.latest_message.get("text") or "", tracker.get_slot(ADDRESS)
    at_the_summary = tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER)
    name = new_name_in(text) if at_the_summary and address and not looks_like_address(text) else None
    return {**address, "name": name} if name else None


async def new_name_at_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """ "the name is wrong, it should be just Nina Kovač" at "Shall I place it?", however the NLU read
    it: the order waiting changed to that name (in the backend) and its summary again (QA F8); None
    when no order waits there or the message gives no new name alone."""
    address = renamed_at_the_summary(tracker)
    if address is None:
        return None
    tracker.slots[ADDRESS] = address
    return [SlotSet(ADDRESS, address)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


async def _new_contact_at_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> List[Dict[Text, Any]]:
    """ "change the email to alek2@example.pl" at "Shall I place it?": the summary again with that
    contact (QA F44: the address form had opened and rejected the email); without one in the
    message, it is asked for (its answer changes the summary: actions/inform.py)."""
    contact = contact_changed(tracker.get_slot(CONTACT), tracker.latest_message.get("text") or "")
    if not new_contact(tracker.latest_message.get("text")):
        dispatcher.utter_message(response="utter_ask_new_contact", number=tracker.get_slot(PENDING_ORDER))
        return []
    tracker.slots[CONTACT] = contact
    return [SlotSet(CONTACT, contact)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


def _ending_the_form(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The form ends having replied itself: the next action is the one `events` hand over to, or listening."""
    handed_over = any(event.get("event") == "followup" for event in events)
    return events + [ActiveLoop(None), SlotSet("requested_slot", None)] + (
        [] if handed_over else [FollowupAction("action_listen")])


def _cleared(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The flow's slots cleared, the contact given with the address too if there was one."""
    return events_clearing(FLOW_SLOTS) + ([SlotSet(NEW_CONTACT, None)] if tracker.get_slot(NEW_CONTACT) else [])


# "can i still change the address?", "is it too late to change my address", "is it possible to
# update the delivery address": whether it can, not a change (a request would give or await the address).
_CHANGED = r"(?:change|update|edit|correct|modify|fix)"
_CAN_IT_CHANGE = re.compile(
    rf"(?i)\b(?:can|could|may)\s+(?:i|we|you)\s+still\s+{_CHANGED}\b[^.!?]*\baddress\b|"
    rf"\b(?:is it|am i|are we)\s+(?:still\s+)?(?:possible|too late|able)\s+to\s+{_CHANGED}\b[^.!?]*\baddress\b|"
    rf"\btoo late to\s+{_CHANGED}\b[^.!?]*\baddress\b|\baddress\b[^.!?]*\bstill be\s+{_CHANGED}(?:d|ed)?\b")
# "just asking", "i dont have the new address yet", "not yet", "later": no address now.
_NOT_YET = re.compile(r"(?i)\b(?:just|only)\s+(?:asking|wondering|checking)\b|\bnot\s+(?:yet|sure yet|now)\b|"
                      r"\bdon'?t\s+(?:have|know)\b[^.!?]*\byet\b|\b(?:later|tomorrow)\b")
# "where's my order and can i still change the address?": its status too.
_WHERE_IS_IT = re.compile(r"(?i)\bwhere(?:'?s| is| are)\b|\bstatus\b|\bshipped yet\b")


def asks_if_it_can_change(text: str) -> bool:
    return bool(_CAN_IT_CHANGE.search(text)) and not looks_like_address(text)


async def _read_the_order(tracker: Tracker) -> Optional[Order]:
    """The order named or talked about, else the newest that can still change, else the last."""
    number = order_number_named(tracker) or order_number(tracker.get_slot("order_id"))
    async with BackendClient(tracker.sender_id) as backend:
        return await backend.get_order_or_last(number, (), lambda order: order.editable)


def _status_if_asked(dispatcher: CollectingDispatcher, order: Order, text: str) -> None:
    if _WHERE_IS_IT.search(text):
        from actions.orders import utter_order_status  # here: actions.orders leads back to this module
        utter_order_status(dispatcher, order, text)


async def _whether_it_can_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Yes while the order hasn't shipped (the new address whenever they have it); no once it has, and why."""
    text = tracker.latest_message.get("text") or ""
    try:
        order = await _read_the_order(tracker)
    except BackendError as error:
        logger.warning("reading the order for an address question failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return _cleared(tracker)
    if order is None:
        dispatcher.utter_message(response="utter_address_change_no_order")
        return _cleared(tracker)
    _status_if_asked(dispatcher, order, text)
    refused = not_editable(order)
    if refused is None:
        dispatcher.utter_message(response="utter_address_can_still_change", number=order.number,
                                 status=status_words(order.status))
    else:
        response, values = refused
        dispatcher.utter_message(response=response, number=order.number, status=status_words(order.status), **values)
    return _cleared(tracker) + [SlotSet("order_id", order.number)]


async def _address_later(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """No new address yet at "What's the new address?": the order keeps its address (its status if
    asked too), and how to change it later."""
    number, text = (tracker.get_slot(TARGET) or {}).get("number"), tracker.latest_message.get("text") or ""
    if number and _WHERE_IS_IT.search(text):
        try:
            async with BackendClient(tracker.sender_id) as backend:
                _status_if_asked(dispatcher, await backend.get_order(number), text)
        except BackendError as error:
            logger.info("reading the order's status failed: %s", error)
    dispatcher.utter_message(response="utter_address_change_later", number=number or "your order")
    return _cleared(tracker) + ([SlotSet("order_id", number)] if number else [])


# "no leave it", "nope keep the old one", "i dont want to change it anymore", "never mind" to "What's
# the new address?": the order keeps its address (QA16 F2: "Okay." and the same question again).
_KEEPS_THE_ADDRESS = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|actually|hmm+|oh|sorry|wait|no+|nope|nah)\W+)*"
    r"(?:no+|nope|nah|nvm|never\s?mind|forget (?:it|that|about it)|no need|leave it|keep it|not anymore)\W*$|"
    r"\b(?:keep|leave|stay with|stick with)\s+(?:it|that|the\s+(?:old|same|current|original|existing|first)"
    r"(?:\s+(?:one|address))?|my\s+(?:old|current|original)\s+(?:one|address))\b|"
    r"\b(?:don'?t|dont|do not|no longer|not)\s+(?:\w+\s+)?(?:want|need|wanna)\s+(?:to\s+)?(?:change|update|move|edit)\b|"
    r"\b(?:don'?t|dont|do not)\s+change\b|\bno need to change\b|\bnever\s?mind\b")


def _keeps_the_address(text: str) -> bool:
    """A no to a new address, not a new address, another order meant, or a question about the address."""
    return bool(_KEEPS_THE_ADDRESS.search(text)) and not (
        looks_like_address(text) or ANOTHER_OF_THEIRS.search(text) or asks_for_the_address(text))


def declines_the_new_address(tracker: Tracker) -> bool:
    """ "no leave it", "i dont want to change it anymore" right after "What's the new address?",
    whatever the NLU read and whichever action got it: a no (action_answer_confirmation) or a
    change of items (change_order_form) as well as the address form itself."""
    text = tracker.latest_message.get("text") or ""
    return last_utterance(tracker) == "utter_ask_new_shipping_address" and _keeps_the_address(text)


async def keep_the_address(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The order keeps its address and the form that asked ends, asking nothing more."""
    dispatcher.utter_message(response="utter_address_change_kept", number=(tracker.get_slot(TARGET) or {}).get("number"))
    return _ending_the_form(_cleared(tracker))


# "which address is it being delivered to?", "where is it going", "what address do you have for my
# order", "i just want to know the address u have": the order's address asked, not changed (QA16 F4).
_ASKS_THE_ADDRESS = re.compile(
    r"(?i)\b(?:which|what|wat|wht)(?:'?s|\s+is)?\s+(?:the\s+|my\s+)?(?:delivery\s+|shipping\s+|postal\s+)?address\b|"
    r"\baddress\b[^.!?]*?\b(?:(?:do|did)\s+(?:you|u)\s+have|(?:you|u)\s+have|on\s+(?:file|it|the\s+order|my\s+order|record)|"
    r"(?:is\s+)?it\s+(?:is\s+)?(?:going|being\s+(?:sent|delivered|shipped))|"
    r"(?:are|will)\s+(?:you|u)\s+(?:sending|shipping|delivering|send|ship|deliver))\b|"
    r"\b(?:know|see|check|confirm|tell\s+me|show\s+me)\s+(?:the|my|which|what)\s+(?:delivery\s+|shipping\s+)?address\b|"
    r"\bwhere\s+(?:is|are|'s)\s+(?:it|my\s+order|the\s+order|my\s+parcel|the\s+parcel|they|this|that)\s+"
    r"(?:going|being\s+(?:sent|delivered|shipped)|headed|heading)\b|"
    r"\bwhere\s+(?:will|are|r)\s+(?:you|u)\s+(?:send|ship|deliver)(?:ing)?\s+(?:it|my\s+order|the\s+order|my\s+parcel|them)\b")
# The shop's or a return's address, a new one, or what to write: not the order's address.
_ANOTHER_ADDRESS = re.compile(r"(?i)\breturns?\b|\b(?:your|ur)\s+(?:shop|store|warehouse|office|company|address)\b|"
                              r"\bnew\s+address\b|\bformat\b|\bshould\s+i\b|\b(?:you|u)\s+need\b")
ADDRESS_TASK = "address"  # order_task while the email or phone of another chat's order is asked for its address


def asks_for_the_address(text: Optional[str]) -> bool:
    text = text or ""
    return bool(_ASKS_THE_ADDRESS.search(text)) and not _ANOTHER_ADDRESS.search(text) and not looks_like_address(text)


# Where an order goes, by its status; words of their own until the domain has a response for them.
_ON_ITS_WAY_TO = "Order {number} is on its way to {address}."
_DELIVERED_TO = "Order {number} was delivered to {address}."
_WAS_TO_GO_TO = "Order {number} was cancelled; it was to go to {address}."
_WILL_GO_TO = ("Order {number} will be delivered to {address}. It can still change until the order ships: "
               "just send me the new address if it should go elsewhere.")
_WHERE_IT_GOES = {"shipped": _ON_ITS_WAY_TO, "delivered": _DELIVERED_TO, "return_requested": _DELIVERED_TO,
                  "returned": _DELIVERED_TO, "refunded": _DELIVERED_TO, "cancelled": _WAS_TO_GO_TO,
                  "expired": _WAS_TO_GO_TO}


def say_where_it_goes(dispatcher: CollectingDispatcher, order: Order) -> None:
    """ "Order OB-… will be delivered to Ada Lovelace, 12 Market Street, …", as its status has it."""
    wording = _WHERE_IT_GOES.get(order.status, _WILL_GO_TO)
    dispatcher.utter_message(text=wording.format(number=order.number,
                                                 address=format_address(order.shipping_address or {}) or "no address"))


async def tell_the_address(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The address of the order named, else the one talked about, else the last one. Another chat's
    order is found only with the email or phone on it (asked for, as for its status: `ADDRESS_TASK`),
    and then its address is not shown: knowing an email is no right to someone's home address (its
    items, total and status are shown, as tracking does)."""
    from actions.orders import (REQUESTED, TASK, ask_for_the_contact, given_contact, requested_order_number,
                                verified_with)  # here: actions.orders leads back to this module
    talked_about = order_number(tracker.get_slot("order_id"))
    number = order_number_named(tracker) or requested_order_number(tracker) or talked_about
    given = given_contact(tracker)
    contact = given or (tracker.get_slot("contact") if number and number == talked_about else None)
    own = True
    try:
        async with BackendClient(tracker.sender_id) as backend:
            try:
                order = await backend.get_order(number) if number else await backend.get_last_order()
            except NotFound:
                if not contact:
                    raise
                own, order = False, await backend.get_order(number, contact)
    except NotFound:
        return ask_for_the_contact(dispatcher, number, ADDRESS_TASK, tried=given)
    except BackendError as error:
        logger.warning("reading the order's address failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if order is None:  # no order on this chat: its number, then its email or phone
        dispatcher.utter_message(response="utter_ask_order_number")
        return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, ADDRESS_TASK)]
    if own:
        say_where_it_goes(dispatcher, order)
    else:
        dispatcher.utter_message(response="utter_verified_order_address_private", number=order.number)
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet("order_id", order.number)] + verified_with(contact)


# "no i dont want to change it", "i dont want to change it i just want to know …": said with an
# address question, no change asked for.
_A_CHANGE = re.compile(r"(?i)\b(?:change|update|edit|correct|modify|fix|move[ds]?|wrong|instead|new address|"
                       r"send it to|ship it to)\b")
_NO_CHANGE = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|no need to|never)\s+(?:\w+\s+)?(?:to\s+)?"
                        r"(?:change|update|edit|move)\b")


def _asks_no_change(text: str) -> bool:
    return not _A_CHANGE.search(_NO_CHANGE.sub(" ", text))


def _address_change_dropped(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The address change's slots cleared; a question of another flow ("Shall I place it?") stays open."""
    pending = [SlotSet(PENDING, None)] if tracker.get_slot(PENDING) == "change_address" else []
    return events_clearing((TARGET, NEW_ADDRESS)) + pending


# "the address of my last order", "the other order": an order placed, not the one being made.
_A_PLACED_ORDER = re.compile(r"(?i)\b(?:placed|last|previous|earlier|old|other|existing)\s+order\b")


def address_for_the_order_being_made(tracker: Tracker) -> bool:
    """An address (right or wrong) sent while an order is being made, before its summary, whatever
    the NLU read and whether its form asks or was left (a stop misread, the offer of a person
    pausing it): the order's address, never a placed order's new one (verify QA: "You can change
    the delivery address of an order until it ships. I don't see an order…" twice)."""
    text = tracker.latest_message.get("text") or ""
    return (bool(tracker.get_slot(DRAFT)) and not tracker.get_slot(PENDING_ORDER) and not tracker.get_slot(TARGET)
            and (looks_like_address(text) or tries_an_address(text)) and order_number_named(tracker) is None
            and _A_PLACED_ORDER.search(text) is None)


def to_the_order_form(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The message handed to the order form as the answer to its question (the address, or with
    items still asked "how many?", what its early address reading takes), whichever form or
    action has it: the order form starts over on it (an order form left rejected would not read
    it), the offer of a person pausing it dropped."""
    draft = tracker.get_slot(DRAFT) or []
    asked = ADDRESS if is_complete(draft) else ITEMS
    paused = [SlotSet(PAUSED_FORM, None), SlotSet(PENDING, None)] if tracker.get_slot(PAUSED_FORM) else []
    return [ActiveLoop(None), *paused, SlotSet("requested_slot", asked), FollowupAction("order_form")]


def _starting(tracker: Tracker) -> bool:
    """The form has just started: none of its own questions asked, no order found yet (the
    requested slot may still be the order form's)."""
    return tracker.get_slot("requested_slot") not in (TARGET, NEW_ADDRESS) and not tracker.get_slot(TARGET)


async def _left_for_something_else(dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """ "a human please" hands over from the form; "no, the address is fine" at the summary of a
    re-order made for a shop-cancelled order declines that re-order; a new address for a shipped
    order, asked again, is offered a person (the carrier may redirect it). None otherwise."""
    # here: actions.support and actions.cancel import this module
    from actions.cancel import ActionAnswerConfirmation
    from actions.support import asks_for_a_person, declines_the_reorder, hand_over, offer_to_redirect
    if asks_for_a_person(tracker):
        return await hand_over(dispatcher, tracker, domain) + [FollowupAction("action_listen")]
    if declines_the_reorder(tracker):
        tracker.latest_message["intent"] = {"name": "deny", "confidence": 1.0}
        return _ending_the_form(await ActionAnswerConfirmation().run(dispatcher, tracker, domain))
    redirect = await offer_to_redirect(dispatcher, tracker)
    return None if redirect is None else _ending_the_form(redirect)


class ValidateChangeAddressForm(TargetOrderForm):
    finds_order_by_product = True  # "the address of the grinder order": the order holding it

    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return order.editable

    def name(self) -> Text:
        return "validate_change_address_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        left = await _left_for_something_else(dispatcher, tracker, domain)
        if left is not None:
            return left
        if _starting(tracker) and address_for_the_order_being_made(tracker):
            # "Liam Byrne, 44 Main St, …" while an order is made (its form left by a misread "fine
            # continue"): the order's address
            return to_the_order_form(tracker)
        if _starting(tracker) and orders_with_its_address(tracker):
            # "ok then 1 tea caddy tin to Carlos Perez, …, Spain": a new order with its address (its
            # postcode is no order; "I don't see an order" had answered, the order form's question
            # still the requested slot, where TargetOrderForm.run looks for a form just started)
            return [SlotSet("requested_slot", None), FollowupAction("order_form")]
        if changes_the_contact_at_the_summary(tracker):
            return _ending_the_form(await _new_contact_at_the_summary(dispatcher, tracker, domain))
        renamed = await new_name_at_the_summary(dispatcher, tracker, domain)
        if renamed is not None:
            return _ending_the_form(renamed)
        if changes_the_contact(tracker):
            # "pls update my email on the order to …", read as a change of address: the contact changes
            return await propose_contact_change(dispatcher, tracker) + [
                ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]
        if tracker.get_slot("requested_slot") is None and moves_the_change(tracker):
            # "no, the other order, the french press one" at its summary, read as a new address change
            return await move_the_address_change(dispatcher, tracker) + [
                ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]
        requested, text = tracker.get_slot("requested_slot"), tracker.latest_message.get("text") or ""
        if requested is None and not tracker.get_slot(TARGET) and asks_if_it_can_change(text):
            # "can i still change the address?": answered for its order, no form asking for an address
            return _ending_the_form(await _whether_it_can_change(dispatcher, tracker))
        if requested in (None, NEW_ADDRESS) and asks_for_the_address(text) and _asks_no_change(text):
            # "which address is it being delivered to?", "i just want to know the address u have"
            return _ending_the_form(_address_change_dropped(tracker) + await tell_the_address(dispatcher, tracker))
        if requested == NEW_ADDRESS and _keeps_the_address(text):
            # "no leave it", "nope keep the old one": the order keeps its address
            return await keep_the_address(dispatcher, tracker)
        if requested == NEW_ADDRESS and _NOT_YET.search(text) and not looks_like_address(text):
            # "i am just asking, i dont have the new address yet": the form is left, the order as it was
            return _ending_the_form(await _address_later(dispatcher, tracker))
        return await super().run(dispatcher, tracker, domain)

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        return not_editable(order)

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        found = await super().extract_target_order(dispatcher, tracker, domain)
        if found or tracker.get_slot(TARGET) or tracker.get_slot("requested_slot") is not None:
            return found
        # No order on this chat ("can i change my delivery address"): the answer, not a question for a
        # number that no order of theirs has (QA t3 F12: it was asked again after every question).
        dispatcher.utter_message(response="utter_address_change_no_order")
        return {TARGET: REFUSED}

    async def extract_new_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") is None and looks_like_address(text):
            return {NEW_ADDRESS: text}  # "change the address to Ada Lovelace, ...": no need to ask
        renamed = _renamed(tracker, text)
        if renamed is not None:  # "change the name to Nina Kovač": the address with that name
            return {NEW_ADDRESS: renamed}
        if tracker.get_slot("requested_slot") == NEW_ADDRESS and not looks_like_address(text):
            other = await _the_other_order_meant(tracker)
            if other is not None:  # validation changes the order: only it may set another slot
                return {NEW_ADDRESS: {OTHER_ORDER: order_view(other)}}
        return free_text_answer(tracker, NEW_ADDRESS, is_address, "change_shipping_address")

    def validate_new_shipping_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, dict) and OTHER_ORDER in value:
            # "the french press one" at "What's the new address?": that order's address is asked for
            return {TARGET: value[OTHER_ORDER], NEW_ADDRESS: None}
        if not tracker.get_slot(TARGET):
            # the order refused ("already shipped") or not found just now, which was said: nothing
            # about the address after it (QA16 F6: "I need the address as name, street, …" followed)
            return {NEW_ADDRESS: None}
        if isinstance(value, dict):
            return {NEW_ADDRESS: value}
        # "… to 5 Avenue Foch, 75116 Paris, France": the name on the order stays
        name = ((tracker.get_slot(TARGET) or {}).get("address") or {}).get("name")
        address, problem = the_new_address(str(value or ""), name)
        if problem == TWO_ADDRESSES:  # the form asks for the new one
            return {NEW_ADDRESS: None}
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_") if address is None else None
        address = address or (complete_address(earlier, str(value or ""), name=name) if earlier else None)
        if address is None:
            response, values = address_refusal(str(value or ""), problem, name)
            dispatcher.utter_message(response=response, **values)
            return {NEW_ADDRESS: None}
        # "…, Germany, +49 170 5556666": the phone is the order's new contact, not dropped
        contact = new_contact(contact_with_address(str(value or "")))
        return {NEW_ADDRESS: address, **({NEW_CONTACT: contact} if contact else {})}


class ActionConfirmAddressChange(Action):
    """The filled form: the old and the new address, and "shall I change it?"."""

    def name(self) -> Text:
        return "action_confirm_address_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, address = tracker.get_slot(TARGET), tracker.get_slot(NEW_ADDRESS)
        contact = tracker.get_slot(NEW_CONTACT)
        if not target or not address:
            return _cleared(tracker)  # refused by the form, which said why
        if target["number"] == tracker.get_slot(PENDING_ORDER) and tracker.get_slot(PENDING) == "place_order":
            # The order still at its summary ("actually send it to …"): that summary again with the
            # new address (and contact), one question instead of two.
            tracker.slots[ADDRESS] = address
            given = [SlotSet(ADDRESS, address)]
            if contact:
                tracker.slots[CONTACT] = joined_contact(contact.get("contact_email"), contact.get("contact_phone"))
                given.append(SlotSet(CONTACT, tracker.slots[CONTACT]))
            return (events_clearing((TARGET, NEW_ADDRESS, NEW_CONTACT)) + given
                    + await ActionPlaceOrder().run(dispatcher, tracker, domain))
        values = {"number": target["number"], "old_address": format_address(target.get("address") or {}) or "none",
                  "new_address": format_address(address)}
        if contact:
            dispatcher.utter_message(response="utter_confirm_address_and_contact_change", contact=contact_text(contact),
                                     **values)
        else:
            dispatcher.utter_message(response="utter_confirm_address_change", **values)
        return [SlotSet(PENDING, "change_address")]


# "change the address on all my orders", "both orders", "every order": each order that can still
# change is asked about in turn (only the newest had been, and the others were never mentioned).
ALL_THE_ORDERS = re.compile(r"(?i)\b(?:all|both|every|each)\b(?:\s+(?:of\s+)?(?:my|the|our|these|those))?\s+orders?\b|"
                            r"\b(?:all|both) of them\b")
_ASKS_ABOUT_ADDRESS = ("utter_confirm_address_change", "utter_confirm_address_and_contact_change")
# Orders on their way that no longer change, named at the end of such a run.
_ON_THE_WAY = ("processing", "shipped")


def _address_run(tracker: Tracker) -> Optional[List[str]]:
    """The orders asked about since the customer asked to change the address of all their orders,
    the bot having talked of nothing but address changes since; None outside such a run."""
    asked: List[str] = []
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and ALL_THE_ORDERS.search(event.get("text") or ""):
            return asked
        said = (event.get("metadata") or {}).get("utter_action") or ""
        if event.get("event") != "bot" or not said:  # a question said again by its text alone
            continue
        if said in _ASKS_ABOUT_ADDRESS:
            asked += re.findall(r"\bOB-[0-9A-Z]{8}\b", event.get("text") or "")
        elif "address" not in said and "contact" not in said:
            return None
    return None


async def _the_next_order_of_the_run(dispatcher: CollectingDispatcher, tracker: Tracker,
                                     events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """In "change the address on all my orders", after a yes or no: the next order that can still
    change asked about, with the same new address; at the run's end, the orders on their way that
    can't change any more are named. `events` unchanged outside such a run."""
    asked = _address_run(tracker)
    address, contact = tracker.get_slot(NEW_ADDRESS), tracker.get_slot(NEW_CONTACT)
    if asked is None or not address:
        return events
    try:
        async with BackendClient(tracker.sender_id) as backend:
            orders = await backend.list_orders()
    except BackendError as error:
        logger.warning("listing the orders left for the address change failed: %s", error)
        return events
    asked.append((tracker.get_slot(TARGET) or {}).get("number"))
    following = next((order for order in orders if order.editable and order.number not in asked
                      and format_address(order.shipping_address or {}) != format_address(address)), None)
    if following is None:
        for order in orders:
            refusal = not_editable(order) if order.status in _ON_THE_WAY else None
            if refusal is not None:
                dispatcher.utter_message(response=refusal[0], number=order.number, status=status_words(order.status), **refusal[1])
        return events
    tracker.slots.update({TARGET: order_view(following), NEW_ADDRESS: address, NEW_CONTACT: contact})
    return events + [SlotSet(TARGET, tracker.slots[TARGET]), SlotSet(NEW_ADDRESS, address),
                     SlotSet(NEW_CONTACT, contact)] + await ActionConfirmAddressChange().run(dispatcher, tracker, {})


async def answer_change_address(dispatcher: CollectingDispatcher, tracker: Tracker,
                                affirmed: bool) -> List[Dict[Text, Any]]:
    target, address = tracker.get_slot(TARGET) or {}, tracker.get_slot(NEW_ADDRESS)
    number = target.get("number")
    if moves_the_change(tracker):  # "no the other one": that order is asked about, nothing is changed
        return await move_the_address_change(dispatcher, tracker)
    if not affirmed:
        dispatcher.utter_message(response="utter_address_change_kept", number=number)
        return await _the_next_order_of_the_run(dispatcher, tracker, _cleared(tracker))
    contact, contact_refused = tracker.get_slot(NEW_CONTACT), None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.change_address(number, address)
            if contact:  # given with the address: changed with it
                try:
                    order = await backend.change_contact(number, contact)
                except (Refused, Invalid) as refusal:
                    contact_refused = refusal.detail
    except (Refused, Invalid) as refusal:
        if not (isinstance(refusal, Refused) and await said_why_locked(dispatcher, tracker, number)):
            dispatcher.utter_message(response="utter_address_change_refused", number=number, reason=refusal.detail)
        return await _the_next_order_of_the_run(dispatcher, tracker, _cleared(tracker))
    except BackendError as error:  # still pending: "yes" again retries (a PUT is safe to repeat)
        logger.warning("changing the address of %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_address_changed", number=order.number,
                             address=format_address(order.shipping_address or address))
    if contact_refused:
        dispatcher.utter_message(response="utter_contact_change_refused", number=order.number, reason=contact_refused)
    elif contact:
        dispatcher.utter_message(response="utter_contact_changed", number=order.number, contact=contact_text(
            {"contact_email": order.contact_email, "contact_phone": order.contact_phone}))
    return await _the_next_order_of_the_run(dispatcher, tracker, _cleared(tracker))


async def another_address_at_the_question(dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: Dict[Text, Any], text: str) -> List[Dict[Text, Any]]:
    """Another address said at "shall I change the address to …?": that one is asked about
    instead, or what is wrong with it is said (the question stays open)."""
    name = ((tracker.get_slot(TARGET) or {}).get("address") or {}).get("name")
    address, problem = the_new_address(text, name)
    if address is None:  # two addresses: the new one is asked for on its own
        response, values = ("utter_ask_new_shipping_address", {}) if problem == TWO_ADDRESSES else address_refusal(
            text, problem, name)
        dispatcher.utter_message(response=response, **values)
        return []
    contact = new_contact(contact_with_address(text)) or None
    events = [SlotSet(NEW_ADDRESS, address)] + ([SlotSet(NEW_CONTACT, contact)]
                                                if contact or tracker.get_slot(NEW_CONTACT) else [])
    tracker.slots.update({NEW_ADDRESS: address, NEW_CONTACT: contact})
    return events + await ActionConfirmAddressChange().run(dispatcher, tracker, domain)


async def _the_other_order_meant(tracker: Tracker) -> Optional[Order]:
    """ "the french press one", "no, the other order" at "What's the new address?": the one other order
    of theirs that can still change it means (t2 M3: a product card was shown and the address then
    went to the order asked about); None when the message names none, or several could be meant."""
    text = tracker.latest_message.get("text") or ""
    target = (tracker.get_slot(TARGET) or {}).get("number")
    named = order_number_named(tracker)
    if not target or not ((named and named != target) or ANOTHER_OF_THEIRS.search(text) or told_by_its_items(tracker)):
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            candidates = await the_other_orders(backend, tracker)
    except BackendError as error:  # not theirs, or not there: read as any other answer
        logger.info("no other order for the address change: %s", error)
        return None
    return candidates[0] if len(candidates) == 1 and candidates[0].editable else None


async def move_the_address_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "no, the other order, the french press one", "no the other one", "wrong order, OB-…" at
    "Change the address of order …?": the same new address (and contact) asked about for that
    order, changed only on its own yes (t2 M3: a second french press was being ordered and the new
    address was lost). What stands in the way is said, the question staying about the order it
    was; with several orders it could be, which one is asked."""
    other, _ = await the_other_order(dispatcher, tracker, (tracker.get_slot(TARGET) or {}).get("number"))
    if other is None:  # said why, or asked which (its number, the answer, moves the change then)
        return []
    tracker.slots[TARGET] = order_view(other)
    return [SlotSet(TARGET, tracker.slots[TARGET])] + await ActionConfirmAddressChange().run(dispatcher, tracker, {})

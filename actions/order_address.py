"""The shipping address of an order being made, wherever the message gives it: with the order ("2
red mugs to Marta Kowalska, …, Poland"), early (to "how many?"), "same as before" (an earlier
order's), a country after a correction, or with contact lines written under it."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, Optional, Text, Tuple

from rasa_sdk import Tracker

from actions.backend_client import BackendClient, BackendError, Order
from actions.form_answers import answer_before_a_correction, free_text_answer
from actions.order_slots import ADDRESS, CONTACT, ITEMS, SAVED
from actions.parsing import (agrees, asks_to_buy, complete_address, contact_detail, contact_details, is_address,
                             joined_contact, order_number, parse_address, tries_an_address)
from actions.placed_order_edits import SENDS_AN_ORDER, TO_AN_ORDER

logger = logging.getLogger(__name__)


async def address_given(tracker: Tracker) -> Dict[Text, Any]:
    """The address slots the message fills: an address given early or with the order, the one used
    before ("same address pls"), a country to "Which country is that in?", else the answer (wrong or
    right) to the form's question, if the message is one."""
    if early_address(tracker):
        return {ADDRESS: tracker.latest_message.get("text")}
    given = address_in_the_order(tracker.latest_message.get("text") or "") if tracker.get_slot(
        "requested_slot") in (None, ITEMS) and not tracker.get_slot(ADDRESS) else None
    if given:  # "2 red mugs to Marta Kowalska, …, Poland": the address came with the order
        return {ADDRESS: given}
    saved = tracker.get_slot(SAVED) or {}
    text = tracker.latest_message.get("text") or ""
    if saved and tracker.get_slot("requested_slot") == ADDRESS and (
            SAME_AS_BEFORE.search(text) or (agrees(text) and contact_detail(text))):
        # "same address pls", "yes but use my phone +49 151 2345678" to "the address of your last
        # order?": that address (it had gone to changing the last order's address)
        return {ADDRESS: saved["address"], CONTACT: contact_details(text) or saved.get("contact"), SAVED: {}}
    if not saved and tracker.get_slot("requested_slot") == ADDRESS and SAME_AS_BEFORE.search(text):
        used = await _used_before(tracker)  # no order placed to offer one from: the one declined, say
        if used:
            return used
    earlier = answer_before_a_correction(tracker, "utter_invalid_address_")
    if earlier and tracker.get_slot("requested_slot") == ADDRESS and complete_address(earlier, text):
        # "uk", "switzerland", "CH" to "Which country is that in?": a question or a stop to the NLU
        return {ADDRESS: text}
    # "deliver to 4 Elm Road, …", "send it to my home" read as changing a placed order's
    # address: the answer (wrong or right) to this question, unless an order is named
    own = ("place_order",) if order_number(text) else ("place_order", "change_shipping_address")
    return free_text_answer(tracker, ADDRESS,
                            lambda text: is_address(without_contact_lines(text)) or tries_an_address(text),
                            own, yes_no_asked=bool(tracker.get_slot(SAVED)))


# "same address", "same as last time", "use the same one": the last order's address offered.
SAME_AS_BEFORE = re.compile(r"(?i)\bsame (?:address|one|place|details|as (?:before|last time|last|the last|my last|previous|that|"
                            r"before))\b|\buse (?:that|the same|my last|the last)(?: one| address)?\b|"
                            r"\b(?:that|this) (?:address|one) (?:is )?(?:fine|ok|okay|good)\b")


async def last_order(tracker: Tracker) -> Optional[Order]:
    """The customer's last order, or None (none, or the backend unreachable: asked as if none)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            return await backend.get_last_order()
    except BackendError as error:
        logger.warning("last order lookup failed: %s", error)
        return None


async def _used_before(tracker: Tracker) -> Dict[Text, Any]:
    """ "same as before" for the address with no order placed to offer one from: the address (and
    contact, if none is given yet) of the customer's newest order, whatever became of it (the one
    declined at its summary by mistake, say); {} when there is none."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            newest = next(iter(await backend.list_orders(limit=1)), None)
    except BackendError as error:
        logger.warning("reading the newest order failed: %s", error)
        return {}
    if newest is None or not newest.shipping_address:
        return {}
    contact = None if tracker.get_slot(CONTACT) else joined_contact(newest.contact_email, newest.contact_phone)
    return {ADDRESS: address_of(newest), **({CONTACT: contact} if contact else {})}


def address_of(order: Order) -> Dict[str, Any]:
    """An order's shipping address as the order form's slot holds it (fields left empty dropped)."""
    return {key: value for key, value in (order.shipping_address or {}).items() if value is not None}


# Where an order's message goes on with its address: "2 red mugs to Marta …", "… ship to …".
_ADDRESS_FOLLOWS = re.compile(r"(?i)(?:\b(?:ship|send|deliver|post)(?:\s+(?:it|them|this|that))?\s+to|\bto|"
                              r"\baddress(?:\s+is)?\s*:?)\s+")


def address_in_the_order(text: str) -> Optional[str]:
    """The address an order's message ends with ("2 red mugs please. ship to Marta Kowalska,
    Mokotowska 15, 00-640 Warszawa, Poland. email marta@wp.pl"), with any contact after it; None
    when it holds none (it was asked for again)."""
    found = address_found(text)
    return found[1] if found else None


def address_found(text: str) -> Optional[Tuple[int, str]]:
    """Where the address an order's message ends with starts (its "to"), and the address."""
    for marker in _ADDRESS_FOLLOWS.finditer(text):
        rest = re.sub(r"(?i)[.;]?\s*(?:e-?mail|phone|mobile|tel)\s*(?:is|:)?\s*", ", ", text[marker.end():])
        if is_address(rest) or parse_address(rest)[1] == "not_shipped":  # "… to Mary Lee, …, Australia": said so
            return marker.start(), rest
    return None


def orders_with_its_address(tracker: Tracker) -> bool:
    """ "3 cast iron teapots to Ines Costa, Rua das Flores 5, 4050-262 Porto, Portugal", "2 red mugs
    … ship to Arjun Mehta, …, 1010 Wien, Austria": products ordered, then the address they go to; a
    new order whatever the NLU read (its postcode is no order number, "Costa" no question of
    cost). Not an order placed sent elsewhere ("send the teapot order to …", "ship OB-… to …")."""
    text = tracker.latest_message.get("text") or ""
    found = address_found(text)
    if found is None:
        return False
    before, entities = text[:found[0]], tracker.latest_message.get("entities") or []
    said_before = [e for e in entities if isinstance(e.get("end"), int) and e["end"] <= found[0]]
    products = [e for e in said_before if e.get("entity") == "product"]
    counted = any(e.get("quantity") for e in products) or any(
        e.get("entity") == "quantity" and not e.get("implicit") for e in said_before)
    return (bool(products) and (counted or asks_to_buy(before)) and not order_number(before)
            and not SENDS_AN_ORDER.search(before) and not TO_AN_ORDER.search(before))


def without_contact_lines(text: str) -> str:
    """An address without the contact lines written under it ("Email: oliver@example.co.uk",
    "Phone: 07700 900123"), which made it end in no country (the contact is read from them)."""
    return _CONTACT_LINE.sub("", text).strip()


_CONTACT_LINE = re.compile(r"(?im)^\s*(?:e-?mail|phone|tel(?:ephone)?|mobile|cell|contact)\s*(?:no\.?|number)?\s*:.*$\n?")


def early_address(tracker: Tracker) -> bool:
    """An address given while the form still asks about the items ("how many?" answered with
    "Arjun Rao, 12 Market Street, Dublin ..."): it is the address, and 12 is no quantity."""
    text = tracker.latest_message.get("text") or ""
    entities = tracker.latest_message.get("entities") or []
    return (tracker.get_slot("requested_slot") == ITEMS and not tracker.get_slot(ADDRESS)
            and not any(e.get("entity") == "product" for e in entities) and is_address(text))

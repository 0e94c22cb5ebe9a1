"""A bare value from the user ("1042", "ada@example.com", "blue mugs") goes where it was asked for."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.cancel_questions import answers_the_cancel, picks_an_order_to_cancel
from actions.change_address import (ADDRESS_TASK, address_for_the_order_being_made, another_address_at_the_question,
                                    new_name_at_the_summary, tell_the_address, to_the_order_form)
from actions.change_contact import answer_new_contact, changes_the_contact, propose_contact_change
from actions.catalogue import ActionShowProducts, counted_product
from actions.form_answers import goes_on
from actions.order_so_far import tell_the_order_so_far
from actions.orders import REQUESTED, TASK, ActionTrackOrder
from actions.place_order import PENDING, ActionPlaceOrder
from actions.order_slots import ADDRESS, CONTACT, PENDING_ORDER
from actions.order_address import orders_with_its_address
from actions.parsing import (address_refusal, contact_detail, contact_details, contact_parts, is_address,
                             joined_contact, looks_like_address, parse_address)
from actions.placed_order_edits import moves_a_placed_order, moves_the_change
from actions.refunds import ActionRefundStatus


class ActionHandleInform(Action):
    def name(self) -> Text:
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        asked = tracker.get_slot(REQUESTED) in ("order_id", "contact")
        text = tracker.latest_message.get("text")
        if tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER) and looks_like_address(text):
            return await _new_address_at_the_summary(dispatcher, tracker, domain, text)
        if tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER) and contact_detail(text):
            return await _new_contact_at_the_summary(dispatcher, tracker, domain, text)
        renamed = await new_name_at_the_summary(dispatcher, tracker, domain)
        if renamed is not None:  # "the name is wrong, it should be just Nina Kovač" at "Shall I place it?"
            return renamed
        if tracker.get_slot(PENDING) == "change_address" and looks_like_address(text):
            return await another_address_at_the_question(dispatcher, tracker, domain, text)
        if address_for_the_order_being_made(tracker):  # the order form left or paused: its address
            return to_the_order_form(tracker)
        if orders_with_its_address(tracker):  # "2 red mugs. ship to …, 1010 Wien, Austria": no order 1010
            return [FollowupAction("order_form")]
        so_far = await tell_the_order_so_far(dispatcher, tracker)
        if so_far is not None:  # "whats in my basket so far" while ordering
            return so_far
        if goes_on(tracker):  # "continue" while a form asks: its question again, no product search
            return [FollowupAction(tracker.active_loop_name)]
        new_contact = answer_new_contact(dispatcher, tracker)
        if new_contact is not None:  # "priya.new@example.com" to "what's the new email or phone number?"
            return new_contact
        if answers_the_cancel(tracker):  # "and the other one too" at the next order's cancel question
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        if moves_the_change(tracker):  # "wrong order, add it to OB-…" at "Shall I change it?"
            return [FollowupAction("change_order_form")]
        if moves_a_placed_order(tracker):  # "send OB-… to <address>": that order's new address
            return [FollowupAction("change_address_form")]
        if not asked and changes_the_contact(tracker):  # "update the email on my order to …"
            return await propose_contact_change(dispatcher, tracker)
        if not asked and is_address(text):
            # Its postcode would read as an order number ("..., 8001 Zurich, ...").
            dispatcher.utter_message(response="utter_address_without_task")
            return []
        if not asked and looks_like_address(text):  # "…, New York 10001, USA": what's wrong with it
            response, values = address_refusal(text, parse_address(text)[1])
            dispatcher.utter_message(response=response, **values)
            return []
        if picks_an_order_to_cancel(tracker):  # "the other one" at "Do you want me to cancel order …?"
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        gave_order_number = next(tracker.get_latest_entity_values("order_id"), None) is not None
        if asked or gave_order_number:
            if tracker.get_slot(TASK) == "cancel":
                return await ActionCancelOrder().run(dispatcher, tracker, domain)
            if tracker.get_slot(TASK) == "refund":
                return await ActionRefundStatus().run(dispatcher, tracker, domain)
            if tracker.get_slot(TASK) == ADDRESS_TASK:  # the email on another chat's order, asked for its address
                return await tell_the_address(dispatcher, tracker)
            return await ActionTrackOrder().run(dispatcher, tracker, domain)
        if counted_product(tracker):  # "1 red mug", "3 glass teapots": an order, not a search
            return [FollowupAction("order_form")]
        return await ActionShowProducts().run(dispatcher, tracker, domain)


async def _new_address_at_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: Dict[Text, Any], text: str) -> List[Dict[Text, Any]]:
    """"actually send it to <address>" at "Shall I place it?": the order changed and its summary
    again (run here: a follow-up action after this one would be unknown to the policies)."""
    address, problem = parse_address(text)
    if address is None:
        response, values = address_refusal(text, problem)
        dispatcher.utter_message(response=response, **values)
        return []
    tracker.slots[ADDRESS] = address
    return [SlotSet(ADDRESS, address)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


async def _new_contact_at_the_summary(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: Dict[Text, Any], text: str) -> List[Dict[Text, Any]]:
    """ "oops the email is wrong, it's priya@example.com" at "Shall I place it?": the order's
    contact changes and its summary is shown again."""
    contact = _changed_contact(tracker.get_slot(CONTACT), text)
    tracker.slots[CONTACT] = contact
    return [SlotSet(CONTACT, contact)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


# "use my phone instead", "only my email": the new detail replaces both, not just its kind.
_INSTEAD = re.compile(r"(?i)\b(?:instead|only|just|rather)\b")


# "my phone is 070 123 4567 too", "also my phone …": given besides the one the order has.
_ALSO = re.compile(r"(?i)\b(?:too|also|as well|add|and my)\b")


def _changed_contact(contact: Optional[str], text: str) -> Optional[str]:
    """The order's new contact: what `text` gives; when the order had both an email and a phone, or
    the new one comes "too", the one of the other kind stays ("the email is wrong, it's
    priya@example.com" keeps the phone; "my phone is 070 123 4567 too" the email)."""
    email, phone = contact_parts(contact_details(text))
    kept_email, kept_phone = contact_parts(contact)
    if _INSTEAD.search(text) or not (kept_email and kept_phone or _ALSO.search(text)):
        return joined_contact(email, phone)
    return joined_contact(email or kept_email, phone or kept_phone)

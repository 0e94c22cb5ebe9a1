"""How a cancel request is read: which order it means, and what it asks short of a cancel (the fee, a change dropped)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.back_to_the_order import back_to_the_unplaced_order
from actions.cancel_follow_ups import CANCEL_EVERYTHING, CANCEL_THEM_ALL
from actions.cancel_questions import (CANCEL_POLICY_QUESTION, OTHER_ORDER, PENDING, asks_to_cancel_too,
                                      naming_the_order_to_cancel, offered_orders)
from actions.change_address import NEW_ADDRESS
from actions.confirmations import ANSWERS, change_under_way
from actions.conversation import CANCEL_THE_ORDER, ActionStop
from actions.order_forms import CHANGES, CHOICE, NEW_CONTACT, TARGET
from actions.order_slots import PENDING_ORDER
from actions.order_wording import EARLIEST
from actions.orders import REQUESTED, entity_values, follows_up_on_the_order, named_skus, requested_order_number
from actions.parsing import order_number
from actions.place_order import answer_place_order
from actions.support import end_active_form
from actions.unplaced_order_items import take_out_of_the_unplaced_order

# A change of the order waiting for its "yes" (or its new address), forgotten when the whole order
# is to be cancelled instead.
CHANGE_FLOW = (TARGET, CHANGES, CHOICE, NEW_ADDRESS, NEW_CONTACT)


@dataclass
class CancelRequest:
    """What a cancel request says of the order it means."""
    text: str
    named: Optional[str]  # the order number it names (or gives to "which number?")
    all_of_them: bool  # "cancel both my orders", "cancel everything"
    change: Optional[str]  # the change of a placed order under way (`change_under_way`)
    changing: Optional[str]  # the order of that change
    drops_the_change: bool  # "cancel" at "Shall I change it?": that change, not the order
    number: Optional[str]  # the order meant: named, the change's ("cancel the whole order"), or the one talked about
    offered: List[str]  # the orders "which one?" named, if that was just asked
    other_than: Optional[str]  # "the other one": any but the order just talked about
    earliest: bool  # "cancel my first order", "the older order"
    skus: List[str]  # the products that tell the order ("the mug order")
    categories: List[str]  # the kinds that tell it ("the teapot one")

    @property
    def forgotten(self) -> List[Dict[Text, Any]]:
        """The change under way forgotten: the whole order is to be cancelled instead."""
        return [SlotSet(slot, None) for slot in CHANGE_FLOW] if self.changing else []


def read_the_request(tracker: Tracker) -> CancelRequest:
    """The latest message read as a cancel request."""
    text = tracker.latest_message.get("text") or ""
    named = requested_order_number(tracker)
    all_of_them = named is None and (CANCEL_THEM_ALL.search(text) or CANCEL_EVERYTHING.search(text)) is not None
    change = change_under_way(tracker)
    changing = (tracker.get_slot(TARGET) or {}).get("number") if change else None
    number, drops_the_change = named, False
    if named is None and changing and not named_skus(tracker):
        # "cancel" at "Shall I change it?" or "What's the new address?": that change is dropped, the
        # order stays as it was; "cancel the whole order": the order the change was for
        drops_the_change = not CANCEL_THE_ORDER.search(text)
        number = None if drops_the_change else changing
    offered = offered_orders(tracker)
    other_than = (order_number(tracker.get_slot("order_id"))  # not "both": all of them
                  if number is None and not offered and OTHER_ORDER.search(text) and not all_of_them else None)
    # "cancel my first order", "the older order": the oldest that can still be cancelled (it had
    # asked about the newest, which a quick "yes" cancelled)
    earliest = number is None and other_than is None and not all_of_them and EARLIEST.search(text) is not None
    if number is None and other_than is None and not earliest and not named_skus(tracker) \
            and follows_up_on_the_order(tracker, text):
        # "cancel it" right after an order was talked about: that one (not theirs: refused)
        number = order_number(tracker.get_slot("order_id"))
    skus, categories = _what_tells_the_order(tracker)
    return CancelRequest(text, named, all_of_them, change, changing, drops_the_change, number, offered, other_than,
                         earliest, skus, categories)


async def answer_short_of_a_cancel(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                   request: CancelRequest) -> Optional[List[Dict[Text, Any]]]:
    """What the request asks short of cancelling a placed order: the fee, the change under way
    dropped, the order being made or waiting at its summary left; None when it asks for a cancel."""
    if _answers_the_fee_alone(dispatcher, tracker, request):
        return []
    if request.drops_the_change:
        events = await ANSWERS[request.change](dispatcher, tracker, False) + end_active_form(tracker)
        return events + await back_to_the_unplaced_order(dispatcher, tracker, events)
    if request.number is None and (tracker.active_loop or {}).get("name") == "order_form":
        # "cancel" while an order is being made: that one is left, no placed order is touched
        return await ActionStop().run(dispatcher, tracker, domain)
    if request.number is None and tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER):
        taken_out = await take_out_of_the_unplaced_order(dispatcher, tracker, domain)
        if taken_out is not None:  # "cancel the tea caddy", "cancel the caddy, just the mugs"
            return taken_out
        # "cancel" at "Shall I place it?" (or "cancel the tea caddy" with nothing else in it): a
        # no to that order, not a cancel of another
        tracker.latest_message["intent"] = {"name": "deny", "confidence": 1.0}
        return await answer_place_order(dispatcher, tracker)
    return None


def _answers_the_fee_alone(dispatcher: CollectingDispatcher, tracker: Tracker, request: CancelRequest) -> bool:
    """ "is there a fee to cancel?" answered, and True when that is all it asks; "cancel it, is there
    a fee?" gets the fee in a word, then the cancel is asked (it had been dropped)."""
    if request.named is None and CANCEL_POLICY_QUESTION.search(request.text) and tracker.get_slot(REQUESTED) is None:
        if not asks_to_cancel_too(request.text):
            dispatcher.utter_message(response="utter_faq/cancellation_fee")
            return True
        dispatcher.utter_message(response="utter_cancel_no_fee")
    return False


def _what_tells_the_order(tracker: Tracker) -> Tuple[List[str], List[str]]:
    """The products and kinds that tell which order to cancel: of "cancel the mugs order too, keep
    only the french press" the mugs (both orders held one of them, and "which one?" was asked),
    else all the message names ("the teapot one")."""
    naming = naming_the_order_to_cancel(tracker)
    if not naming:
        return named_skus(tracker), entity_values(tracker, "category")
    return ([sku for entity in naming if entity.get("entity") == "product" for sku in entity.get("skus") or []],
            [str(entity.get("value")) for entity in naming if entity.get("entity") == "category"])

"""A cancel taken back ("undo that", "restore my order"): a cancelled order stays so, its items offered as a new order."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, Order
from actions.cancel_questions import PENDING
from actions.cancel_refusals import clear_the_cancel
from actions.confirmations import change_under_way
from actions.order_forms import TARGET
from actions.order_slots import KEY, PENDING_ORDER
from actions.orders import requested_order_number
from actions.parsing import order_number
from actions.place_order import ActionPlaceOrder, order_form_slots

logger = logging.getLogger(__name__)

# "oops i didnt mean to cancel, can you undo that", "restore my order", "uncancel it", "reinstate it",
# "bring back my order": a cancel taken back (not "reverse the charge": a refund). The one list: the
# forms such a message is read as (a return, a change) ask undo_the_cancel_at_a_form.
UNDOES_A_CANCEL = re.compile(
    r"(?i)\b(?:undo|un-?cancel\w*|restore|reinstate|reactivate|revive)\b|"
    r"\breverse\b(?!\s+(?:the\s+|my\s+|that\s+)?(?:charge|payment|transaction|refund|debit))|"
    r"\bbring (?:it|that|them|the order|my order|my cancell?ed order) back\b|"
    r"\bbring back (?:it|that|them|the order|my order|my cancell?ed order|the cancell?ed order)\b|"
    r"\b(?:didn'?t|did not|didnt|never) (?:mean|want|wanted) (?:to|u to|you to) cancel|"
    r"\bcancell?ed (?:it |that |the order |my order )?by (?:mistake|accident)")
# "undo the address change", "undo removing the mug": an edit taken back, not a cancel.
_UNDOES_AN_EDIT = re.compile(r"(?i)\b(?:chang\w*|edit\w*|address|swap\w*|remov\w*|add\w*)\b")


async def undo_the_cancel(dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """A cancel taken back: a cancelled order can't be restored, so that is said and the same items
    (and address) are offered as a new order, its summary asking "Shall I place it?" (it had only
    said "is already cancelled"). None when the message takes back no cancel, or the order meant
    isn't cancelled."""
    text = tracker.latest_message.get("text") or ""
    if not UNDOES_A_CANCEL.search(text) or tracker.get_slot(PENDING) == "place_order":  # "undo" there: put back
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await _the_cancelled_order_meant(tracker, backend)
    except BackendError as error:  # not theirs, or not there: the cancel itself says why
        logger.info("reading the order to restore failed: %s", error)
        return None
    if order is None or order.status != "cancelled" or not order.lines:
        return None
    dispatcher.utter_message(response="utter_cancel_cannot_undo", number=order.number)
    # a new order: no key or unplaced order of an earlier one may be reused for it
    slots = order_form_slots(order) + [SlotSet(PENDING_ORDER, None), SlotSet(KEY, None)]
    tracker.slots.update({event["name"]: event["value"] for event in slots})
    return clear_the_cancel() + slots + await ActionPlaceOrder().run(dispatcher, tracker, domain)


async def undo_the_cancel_at_a_form(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """For a form a cancel taken back is read as ("reinstate it" as a return, "bring back my order"
    as a change): the cancel's own answer (undo_the_cancel), and the form ends asking nothing
    (no rule may show its summary under the new order's). None when it takes back no cancel."""
    undone = await undo_the_cancel(dispatcher, tracker, domain)
    if undone is None:
        return None
    return undone + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


async def _the_cancelled_order_meant(tracker: Tracker, backend: BackendClient) -> Optional[Order]:
    """The order a cancel taken back is about: the one the message names, else the one talked
    about; with none talked about, or "restore my cancelled order", "uncancel it" while another is,
    the newest cancelled one (not while a change is made or named: "undo" drops that)."""
    named = requested_order_number(tracker)
    if named:
        return await backend.get_order(named)
    talked_about = order_number(tracker.get_slot("order_id"))
    order = await backend.get_order(talked_about) if talked_about else None
    if order is not None and order.status == "cancelled":
        return order
    text = tracker.latest_message.get("text") or ""
    changing = change_under_way(tracker) and tracker.get_slot(TARGET)  # not a change form just started
    if (order is not None and "cancel" not in text.lower()) or changing or _UNDOES_AN_EDIT.search(text):
        return order
    return next((order for order in await backend.list_orders() if order.status == "cancelled"), None)

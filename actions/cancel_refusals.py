"""The cancel question asked only of an order its state lets be cancelled; else why not, from that state."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import Order, Refused, order_or_none
from actions.cancel_questions import PENDING, ask_to_cancel
from actions.form_answers import say_again
from actions.orders import REQUESTED, TASK
from actions.support import offer_a_person

# A cancel refused, which "why not??" asks about.
CANCEL_REFUSALS = ("utter_cannot_cancel_shipped", "utter_cannot_cancel_delivered", "utter_cannot_cancel",
                   "utter_cancel_refused")
_ASKS_WHY = re.compile(r"(?i)^\W*(?:(?:but|and|so|ok|okay|wait)\W+)*(?:(?:why|how come|what do you mean|seriously|"
                       r"huh|really)\b|what\s*\?)")


def clear_the_cancel() -> List[Dict[Text, Any]]:
    """The cancel's slots emptied: nothing asked for, no task, no confirmation waiting."""
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, None)]


def ask_confirmation(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order …?", no order number asked for any more."""
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None)] + ask_to_cancel(dispatcher, order)


def refuse(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    """Why the order can't be cancelled, the cancel ended but the order still the one talked about."""
    say_why_not(dispatcher, order)
    return clear_the_cancel() + [SlotSet("order_id", order.number)]  # "ok cancel it" next is still about it


def ask_or_refuse(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order …?" of an order that can still be cancelled; else why not."""
    return ask_confirmation(dispatcher, order) if order.cancellable else refuse(dispatcher, order)


def say_why_not(dispatcher: CollectingDispatcher, order: Order) -> None:
    """Why the order can't be cancelled, from its state ("has already shipped … return it")."""
    response = {
        "shipped": "utter_cannot_cancel_shipped",
        "delivered": "utter_cannot_cancel_delivered",
        "cancelled": "utter_cannot_cancel_cancelled",
    }.get(order.status, "utter_cannot_cancel")
    dispatcher.utter_message(response=response, number=order.number, status=order.status.replace("_", " "))


async def cancel_asked_about(dispatcher: CollectingDispatcher, tracker: Tracker,
                             number: str) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order …?" about order `number`, found by a flow that read the
    cancel as its own (a change naming all the order holds); one past cancelling is said why."""
    order = await order_or_none(tracker.sender_id, number, "the order to cancel")
    if order is None:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return ask_or_refuse(dispatcher, order)


async def say_why_refused(dispatcher: CollectingDispatcher, tracker: Tracker, refusal: Refused,
                          number: str) -> List[Dict[Text, Any]]:
    """Why the backend refused the cancel, from the order's state now ("has already shipped")."""
    order = await order_or_none(tracker.sender_id, number, "the order whose cancel was refused")
    if order is None or order.cancellable:  # refused for a reason its state doesn't tell
        dispatcher.utter_message(response="utter_cancel_refused", number=number, reason=refusal.detail)
        return clear_the_cancel()
    return refuse(dispatcher, order)


def explain_the_refusal(dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                        last: Optional[str]) -> Optional[List[Dict[Text, Any]]]:
    """ "why not??" when the bot's `last` response was "… has already shipped, so it can't be
    cancelled": why again, and a person (it had got "Okay."); None for another message."""
    if last in CANCEL_REFUSALS and _ASKS_WHY.search(text) and say_again(dispatcher, tracker, CANCEL_REFUSALS):
        return offer_a_person(dispatcher, tracker, "utter_offer_a_person")
    return None

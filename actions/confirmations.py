"""The yes/no questions the bot asks (pending_confirmation): who asks each, its words, and whose flow answers it."""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel_questions import CANCEL_OFFERS, PENDING
from actions.change_address import answer_change_address
from actions.change_contact import answer_change_contact
from actions.change_order import answer_change_order
from actions.form_answers import say_again
from actions.order_slots import DRAFT, ITEMS
from actions.return_confirmation import answer_return
from actions.return_withdrawal import answer_withdrawal
from actions.support import PERSON_OFFERS

# Which actions ask each confirmation. A retry after an outage answers the failed attempt's question.
ASKED_BY = {
    "cancel_order": ("action_cancel_order",),
    "place_order": ("action_place_order", "action_answer_confirmation"),
    "change_order": ("action_confirm_order_change", "action_answer_confirmation"),
    "change_address": ("action_confirm_address_change", "action_answer_confirmation"),
    "change_contact": ("action_handle_inform", "action_answer_confirmation"),
    "return_order": ("action_confirm_return", "action_answer_confirmation", "action_refund_status"),
    "withdraw_return": ("return_form", "action_answer_confirmation"),
    "human_handoff": ("action_fallback", "action_open_ticket", "action_track_order"),
}
# Each confirmation's question, asked again when a "yes" or "no" comes after other messages.
QUESTIONS = {"cancel_order": ("utter_confirm_cancel",) + CANCEL_OFFERS, "place_order": ("utter_confirm_order", "utter_confirm_order_after_aside"),
             "change_order": ("utter_confirm_order_change",),
             "change_address": ("utter_confirm_address_change", "utter_confirm_address_and_contact_change"),
             "change_contact": ("utter_confirm_contact_change",),
             "return_order": ("utter_confirm_return", "utter_confirm_return_items", "utter_confirm_return_more",
                              "utter_confirm_return_rest", "utter_refund_after_return"),
             "withdraw_return": ("utter_confirm_return_withdrawal",),
             "human_handoff": PERSON_OFFERS}
# The flows whose confirmation is answered elsewhere: (dispatcher, tracker, affirmed) -> events.
ANSWERS = {"change_order": answer_change_order, "change_address": answer_change_address,
           "change_contact": answer_change_contact, "return_order": answer_return,
           "withdraw_return": answer_withdrawal}
# The confirmations of a change of a placed order (`change_under_way`).
CHANGE_QUESTIONS = ("change_order", "change_address", "change_contact")


def ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, pending: str) -> bool:
    """Sends the open question again as it was asked (text and Yes/No buttons); False if it is
    not in the conversation any more."""
    return say_again(dispatcher, tracker, QUESTIONS[pending])


def change_under_way(tracker: Tracker) -> Optional[str]:
    """The change of a placed order the bot is asking about (its confirmation, or the new address
    or the item change the form asks for), as `pending_confirmation` names it; None when none is."""
    pending = tracker.get_slot(PENDING)
    if pending in CHANGE_QUESTIONS:
        return pending
    return {"change_address_form": "change_address", "change_order_form": "change_order"}.get(
        (tracker.active_loop or {}).get("name"))


def stray_order_form(tracker: Tracker) -> bool:
    """An order form holding nothing while a question of ours waits: an answer misread as an order
    started it, and asked again under every answer its "What would you like to order?" kept the
    customer in a loop. The answer to the question ends it."""
    return (tracker.get_slot(PENDING) in ASKED_BY and (tracker.active_loop or {}).get("name") == "order_form"
            and not tracker.get_slot(DRAFT) and not tracker.get_slot(ITEMS))

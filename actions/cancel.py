"""Cancel an order: only the customer's own, only where its state allows, only after a clear yes."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Refused, order_or_none
from actions.cancel_items import (items_out_at_the_change_question, items_out_at_the_question, items_out_of_an_order,
                                  propose_without)
from actions.cancel_questions import (ASKED, CANCEL_OFFERS, CANCEL_POLICY_QUESTION, OTHER_ORDER, another_order_named,
                                      answer_a_shop_cancel, answer_about_the_cancel, answer_beside_a_cancel,
                                      ask_to_cancel, asked_just_now, asks_to_cancel_too, cancel_run,
                                      changes_instead_of_cancelling, keeps_its_items, keeps_the_order,
                                      naming_the_order_to_cancel, number_asked_about, offered_cancel, offered_orders,
                                      picks_an_order_to_cancel, says_the_next_one_too, wants_it_placed)
from actions.change_address import (NEW_ADDRESS, answer_change_address, declines_the_new_address, keep_the_address,
                                   new_name_at_the_summary)
from actions.change_contact import answer_change_contact
from actions.change_order import answer_change_order
from actions.conversation import CANCEL_THE_ORDER, ActionStop
from actions.form_answers import intent_of, last_utterance, previous_turn, say_again
from actions.order_hold import pass_the_extra_on
from actions.order_changes import apply_changes
from actions.order_forms import CHANGES, CHOICE, NEW_CONTACT, TARGET, order_view
from actions.order_draft import remove_from_draft
from actions.order_slots import DRAFT, ITEMS, KEY, PENDING_ORDER
from actions.order_wording import EARLIEST, NOT_RECEIVED, ORDINAL, ORDINALS, cancel_reason, of_category
from actions.orders import (REQUESTED, TASK, ActionTrackOrder, entity_values, follows_up_on_the_order, named_skus,
                            requested_order_number)
from actions.parsing import (agrees, asks_instead_of_answering, decided_answer, format_price, hesitates, is_noise, torn,
                             looks_like_gibberish, order_number, qualified_yes, yes_then_a_question)
from actions.place_order import ActionPlaceOrder, answer_place_order, ask_to_place_again, order_form_slots
from actions.placed_order_edits import amends_the_change, moves_the_change, moves_the_new_order
from actions.return_withdrawal import answer_withdrawal, withdraws_a_return
from actions.returns import answer_return, changes_the_return
from actions.separate_order import added_items, leave_the_change, wants_a_separate_order
from actions.feedback import correct_the_rating_just_given, stated_rating
from actions.support import (PERSON_OFFERS, WANTS_A_PERSON, ActionOpenTicket, answer_an_emoji, chase_the_late_order,
                             end_active_form, hand_over, offer_a_person, refuses_a_bot)
from actions.ticket_follow_ups import add_to_the_ticket, says_more
from actions.tickets import OFFERED_TICKET, PAUSED_FORM
from actions.yes_to_cancel import read_as_a_yes

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"


def _clear() -> List[Dict[Text, Any]]:
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None), SlotSet(PENDING, None)]


def _ask_confirmation(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    return [SlotSet(REQUESTED, None), SlotSet(TASK, None)] + ask_to_cancel(dispatcher, order)


def _refuse(dispatcher: CollectingDispatcher, order: Order) -> List[Dict[Text, Any]]:
    _say_why_not(dispatcher, order)
    return _clear() + [SlotSet("order_id", order.number)]  # "ok cancel it" next is still about it


def _say_why_not(dispatcher: CollectingDispatcher, order: Order) -> None:
    """Why the order can't be cancelled, from its state ("has already shipped … return it")."""
    response = {
        "shipped": "utter_cannot_cancel_shipped",
        "delivered": "utter_cannot_cancel_delivered",
        "cancelled": "utter_cannot_cancel_cancelled",
    }.get(order.status, "utter_cannot_cancel")
    dispatcher.utter_message(response=response, number=order.number, status=order.status.replace("_", " "))


# "cancel both my orders", "cancel all of them": one question per order, one after the other.
CANCEL_THEM_ALL = re.compile(r"(?i)\b(?:both|all (?:my |of (?:my |them|it)|the )?(?:orders|of them)|every order|"
                             r"all \d+ orders)\b")
# "cancel everything" with no order in hand: all of them too (it had asked about the newest only
# and left the other open); while an order is changed or made, that one (CANCEL_THE_ORDER).
CANCEL_EVERYTHING = re.compile(r"(?i)\bcancel\s+(?:\w+\s+)?everything\b")
# What the bot said about a cancel, after which "and the other one too" is another cancel.
ABOUT_A_CANCEL = ("utter_order_cancelled", "utter_cancel_kept", "utter_cannot_cancel_shipped",
                  "utter_cannot_cancel_delivered", "utter_cannot_cancel_cancelled", "utter_cannot_cancel")
# A cancel refused, which "why not??" asks about.
CANCEL_REFUSALS = ("utter_cannot_cancel_shipped", "utter_cannot_cancel_delivered", "utter_cannot_cancel",
                   "utter_cancel_refused")
_ASKS_WHY = re.compile(r"(?i)^\W*(?:(?:but|and|so|ok|okay|wait)\W+)*(?:(?:why|how come|what do you mean|seriously|"
                       r"huh|really)\b|what\s*\?)")
# Orders past cancelling that "cancel all my orders" names, and at most how many.
PAST_CANCELLING, AT_MOST_NAMED = ("shipped", "delivered"), 4


class ActionCancelOrder(Action):
    """Finds the order to cancel and asks for confirmation; cancels nothing by itself."""

    def name(self) -> Text:
        return "action_cancel_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if withdraws_a_return(tracker.latest_message.get("text")):  # "cancel my return": the return form asks
            return [FollowupAction("return_form")]
        if _wants_the_order_after_all(tracker):
            # "actually i changed my mind, place it after all" (a cancel to the NLU) right after the
            # order was not placed: it had asked "Which order would you like to cancel?"
            return await _order_again(dispatcher, tracker, domain)
        said = await _what_the_cancel_did(dispatcher, tracker)
        if said is not None:  # "is it cancelled now?", "did you cancel both" right after a cancel
            return said
        undone = await undo_the_cancel(dispatcher, tracker, domain)
        if undone is not None:  # "oops i didnt mean to cancel, can you undo that"
            return undone
        answered = await answer_about_the_cancel(dispatcher, tracker)
        if answered is not None:  # "what happens to my money if i cancel?" at the question: about its order
            return answered
        if changes_instead_of_cancelling(tracker):  # "can i change it to 1 pair instead of cancelling"
            return await _change_instead(dispatcher, tracker)
        if says_the_next_one_too(tracker) or _says_yes_to_the_question(tracker) or keeps_its_items(tracker):
            # "cancel the other one too" at the next order's question, "ok yes cancel it, found it
            # cheaper elsewhere" (read as a cancel, and asked again without a word): a yes, its reason stored
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        number = requested_order_number(tracker)
        text = tracker.latest_message.get("text") or ""
        all_of_them = number is None and (CANCEL_THEM_ALL.search(text) or CANCEL_EVERYTHING.search(text)) is not None
        if number is None and CANCEL_POLICY_QUESTION.search(text) and tracker.get_slot(REQUESTED) is None:
            if not asks_to_cancel_too(text):
                dispatcher.utter_message(response="utter_faq/cancellation_fee")
                return []
            # "cancel it, is there a fee?": the fee in a word, then the cancel asked (it had been dropped)
            dispatcher.utter_message(response="utter_cancel_no_fee")
        change = _change_under_way(tracker)
        changing = (tracker.get_slot(TARGET) or {}).get("number") if change else None
        forgotten = [SlotSet(slot, None) for slot in CHANGE_FLOW] if changing else []  # asked to cancel instead
        if number is None and changing and not named_skus(tracker):
            if not CANCEL_THE_ORDER.search(text):
                # "cancel" at "Shall I change it?" or "What's the new address?": that change is
                # dropped, the order stays as it was
                events = await ANSWERS[change](dispatcher, tracker, False) + end_active_form(tracker)
                return events + await _back_to_the_unplaced_order(dispatcher, tracker, events)
            number = changing  # "cancel the whole order": the order the change was for
        offered = offered_orders(tracker)  # the orders "which one?" named, if that was asked
        other_than = (order_number(tracker.get_slot("order_id"))  # not "both": all of them
                      if number is None and not offered and OTHER_ORDER.search(text) and not all_of_them else None)
        # "cancel my first order", "the older order": the oldest that can still be cancelled (it had
        # asked about the newest, which a quick "yes" cancelled)
        earliest = number is None and other_than is None and not all_of_them and EARLIEST.search(text) is not None
        if number is None and other_than is None and not earliest and not named_skus(tracker) \
                and follows_up_on_the_order(tracker, text):
            # "cancel it" right after an order was talked about: that one (not theirs: refused)
            number = order_number(tracker.get_slot("order_id"))
        if number is None and (tracker.active_loop or {}).get("name") == "order_form":
            # "cancel" while an order is being made: that one is left, no placed order is touched
            return await ActionStop().run(dispatcher, tracker, domain)
        if number is None and tracker.get_slot(PENDING) == "place_order" and tracker.get_slot(PENDING_ORDER):
            taken_out = await _take_out_of_the_unplaced_order(dispatcher, tracker, domain)
            if taken_out is not None:  # "cancel the tea caddy", "cancel the caddy, just the mugs"
                return taken_out
            # "cancel" at "Shall I place it?" (or "cancel the tea caddy" with nothing else in it): a
            # no to that order, not a cancel of another
            tracker.latest_message["intent"] = {"name": "deny", "confidence": 1.0}
            return await answer_place_order(dispatcher, tracker)
        skus, categories = _what_tells_the_order(tracker)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                out = (await items_out_of_an_order(tracker, backend, number)
                       if other_than is None and not offered and not all_of_them and not earliest else None)
                if out is not None and out.left:
                    # "cancel the filters from it", "cancel the mugs from my order, keep the rest": a
                    # change taking them out, not the whole order's cancel
                    return forgotten + await propose_without(dispatcher, tracker, out) + end_active_form(tracker)
                if out is not None:  # "cancel the mugs and the press from my order": all it holds
                    number = out.order.number
                if number is None and other_than is None and (skus or categories or offered):
                    # "cancel the mug order", "the one with the red mugs" to "which one?"
                    return forgotten + await _the_order_holding(dispatcher, tracker, backend, skus, categories, offered)
                # without a number: the newest order that can still be cancelled ("the other
                # one": not the order just talked about)
                if earliest and not skus:
                    order = await _the_oldest_cancellable(backend)
                else:
                    order = await backend.get_order_or_last(
                        number, skus, usable=lambda order: order.cancellable and order.number != other_than)
                newest_of = number is None and other_than is None and not all_of_them and not earliest
                others = await _also_cancellable(backend, order) if newest_of else []
                # "cancel all my orders": the ones past cancelling are named too, with why
                past = await _past_cancelling(backend) if all_of_them and number is None and not skus else []
        except NotFound:
            dispatcher.utter_message(response="utter_cancel_order_not_found", number=number)
            return _clear()
        except BackendError as error:
            logger.warning("cancel lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if other_than is not None and order is not None and order.number == other_than:
            dispatcher.utter_message(response="utter_no_other_cancellable")
            return _clear()
        if order is None:
            return _no_order_to_cancel(dispatcher, tracker)
        for refused in past:
            _say_why_not(dispatcher, refused)
        if not order.cancellable:
            if past:  # none of them can be cancelled any more: each was said so
                return forgotten + _clear() + [SlotSet("order_id", past[0].number)]
            # "why was it cancelled?", "i didnt cancel it!": the shop's cancel said, not "already cancelled"
            by_the_shop = await answer_a_shop_cancel(dispatcher, tracker, domain, order)
            return forgotten + (by_the_shop if by_the_shop is not None else _refuse(dispatcher, order))
        if others:  # "cancel my order" with more than one open: which one is asked about, and the others
            dispatcher.utter_message(response="utter_cancel_newest_of_several", orders=_order_lines(others))
        # its yes must reach us, not the form
        return forgotten + _ask_confirmation(dispatcher, order) + end_active_form(tracker)


async def cancel_asked_about(dispatcher: CollectingDispatcher, tracker: Tracker,
                             number: str) -> List[Dict[Text, Any]]:
    """ "Do you want me to cancel order …?" about order `number`, found by a flow that read the
    cancel as its own (a change naming all the order holds); one past cancelling is said why."""
    order = await order_or_none(tracker.sender_id, number, "the order to cancel")
    if order is None:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return _ask_confirmation(dispatcher, order) if order.cancellable else _refuse(dispatcher, order)


def _no_order_to_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """No order on this chat to cancel: right after the order at its summary was not placed, that
    nothing was placed, so nothing is to cancel (QA16: "Which order would you like to cancel?"
    asked for a number there is none of); else its number asked for, once (a form waiting for an
    answer ends: it had asked its own question under it)."""
    if _declined_in_this_chat(tracker):
        dispatcher.utter_message(response="utter_cancel_nothing_placed")
        return _clear() + end_active_form(tracker)
    dispatcher.utter_message(response="utter_ask_cancel_order_number")
    return [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "cancel"), SlotSet(PENDING, None)] + end_active_form(tracker)


def _declined_in_this_chat(tracker: Tracker) -> bool:
    """An order was shown at its summary in this chat and not placed ("No" released it)."""
    return any(event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in (
        "utter_order_not_placed", "utter_order_left_goodbye") for event in tracker.events or [])


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
    return _clear() + slots + await ActionPlaceOrder().run(dispatcher, tracker, domain)


# "undo the address change", "undo removing the mug": an edit taken back, not a cancel.
_UNDOES_AN_EDIT = re.compile(r"(?i)\b(?:chang\w*|edit\w*|address|swap\w*|remov\w*|add\w*)\b")


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
    changing = _change_under_way(tracker) and tracker.get_slot(TARGET)  # not a change form just started
    if (order is not None and "cancel" not in text.lower()) or changing or _UNDOES_AN_EDIT.search(text):
        return order
    return next((order for order in await backend.list_orders() if order.status == "cancelled"), None)


async def undo_the_cancel_at_a_form(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """For a form a cancel taken back is read as ("reinstate it" as a return, "bring back my order"
    as a change): the cancel's own answer (undo_the_cancel), and the form ends asking nothing
    (no rule may show its summary under the new order's). None when it takes back no cancel."""
    undone = await undo_the_cancel(dispatcher, tracker, domain)
    if undone is None:
        return None
    return undone + [SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


async def cancel_at_a_form(dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """ "cancel the mugs order too, keep only the french press" read as a change of items: a cancel
    of the order told by its items, asked as any cancel is; the form ends asking nothing."""
    events = await ActionCancelOrder().run(dispatcher, tracker, domain)
    ending = [SlotSet("requested_slot", None), ActiveLoop(None)]
    return events + [event for event in ending if event not in events] + [FollowupAction("action_listen")]


# A change of the order waiting for its "yes" (or its new address), forgotten when the whole order
# is to be cancelled instead.
CHANGE_FLOW = (TARGET, CHANGES, CHOICE, NEW_ADDRESS, NEW_CONTACT)


def _change_under_way(tracker: Tracker) -> Optional[str]:
    """The change of a placed order the bot is asking about (its confirmation, or the new address
    or the item change the form asks for), as `pending_confirmation` names it; None when none is."""
    pending = tracker.get_slot(PENDING)
    if pending in ("change_order", "change_address", "change_contact"):
        return pending
    return {"change_address_form": "change_address", "change_order_form": "change_order"}.get(
        (tracker.active_loop or {}).get("name"))


async def _past_cancelling(backend: BackendClient) -> List[Order]:
    """The customer's orders on their way or delivered, which "cancel all" can't cancel (newest first)."""
    orders = await backend.list_orders()
    return [order for order in orders if order.status in PAST_CANCELLING and not order.cancellable][:AT_MOST_NAMED]


def _says_yes_to_the_question(tracker: Tracker) -> bool:
    """A yes to the cancel question just asked that the NLU read as a new cancel ("ok yes cancel it,
    found it cheaper elsewhere"), or a no ("don't cancel it", "no, keep it, i confirm the order"):
    no other order picked or named, nothing but that order."""
    text = tracker.latest_message.get("text") or ""
    answered = keeps_the_order(text) or decided_answer(text) == "yes"
    return (tracker.get_slot(PENDING) == "cancel_order" and asked_just_now(tracker) and answered
            and not named_skus(tracker) and not entity_values(tracker, "category")
            and not picks_an_order_to_cancel(tracker) and not another_order_named(tracker))


async def _the_oldest_cancellable(backend: BackendClient) -> Optional[Order]:
    """The customer's oldest order that can still be cancelled; else their last one (said why not)."""
    orders = await backend.list_orders()
    return next((order for order in reversed(orders) if order.cancellable), orders[0] if orders else None)


async def _also_cancellable(backend: BackendClient, order: Optional[Order]) -> List[Order]:
    """The customer's other orders that can still be cancelled, besides the newest one asked about."""
    if order is None or not order.cancellable:
        return []
    return [other for other in await backend.list_orders() if other.cancellable and other.number != order.number]


def _what_tells_the_order(tracker: Tracker) -> Tuple[List[str], List[str]]:
    """The products and kinds that tell which order to cancel: of "cancel the mugs order too, keep
    only the french press" the mugs (both orders held one of them, and "which one?" was asked),
    else all the message names ("the teapot one")."""
    naming = naming_the_order_to_cancel(tracker)
    if not naming:
        return named_skus(tracker), entity_values(tracker, "category")
    return ([sku for entity in naming if entity.get("entity") == "product" for sku in entity.get("skus") or []],
            [str(entity.get("value")) for entity in naming if entity.get("entity") == "category"])


def _holds(order: Order, skus: List[str], categories: List[str]) -> bool:
    return any(line.sku in skus or any(of_category(line.name, category) for category in categories)
               for line in order.lines)


def _order_lines(orders: List[Order]) -> str:
    """ "• OB-…: 2 × Ceramic Mug Red (€30.70) – confirmed" per order, newest first."""
    def line(order: Order) -> str:
        items = ", ".join(f"{item.quantity} × {item.name}" for item in order.lines)
        total, status = format_price(order.total_minor, order.currency), order.status.replace("_", " ")
        return f"• {order.number}: {items} ({total}) – {status}"
    return "\n".join(line(order) for order in orders[:6])


async def _the_order_holding(dispatcher: CollectingDispatcher, tracker: Tracker, backend: BackendClient,
                             skus: List[str], categories: List[str], offered: List[str]) -> List[Dict[Text, Any]]:
    """The one order holding what was named that can still be cancelled, asked about; with several,
    which one is asked (naming them); with none holding it, that is said (naming the orders there
    are). Answering "which one?", among the orders it named: "the second one", "the red mug one"."""
    text = tracker.latest_message.get("text") or ""
    orders = await backend.list_orders()
    if offered:
        orders = sorted((o for o in orders if o.number in offered), key=lambda o: offered.index(o.number))
        ordinal = ORDINAL.search(text)
        index = ORDINALS[ordinal.group(1).lower()] if ordinal else None
        if index is not None and orders:
            orders = [orders[index] if -len(orders) <= index < len(orders) else orders[-1]]
    holding = [order for order in orders if _holds(order, skus, categories)] if skus or categories else orders
    holding.sort(key=lambda order: order.status in ("cancelled", "expired"))  # stable: newest first
    asking = [SlotSet(REQUESTED, "order_id"), SlotSet(TASK, "cancel"), SlotSet(PENDING, None)]
    listed = [order for order in orders if order.status not in ("cancelled", "expired")] or orders
    if not orders:
        dispatcher.utter_message(response="utter_ask_cancel_order_number")
        return asking
    if not holding:  # "cancel the french press order" with none: not some other order instead
        name = next((str(e.get("value")) for e in tracker.latest_message.get("entities") or []
                     if e.get("entity") in ("product", "category")), "that")
        dispatcher.utter_message(response="utter_cancel_no_order_holds", name=name, orders=_order_lines(listed))
        return asking
    open_ones = [order for order in holding if order.cancellable]
    if len(open_ones) > 1:
        dispatcher.utter_message(response="utter_cancel_which_order", orders=_order_lines(open_ones))
        return asking
    if not open_ones:
        return _refuse(dispatcher, holding[0])
    return _ask_confirmation(dispatcher, open_ones[0]) + end_active_form(tracker)


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


# The questions that would change an order already placed (its items, address, contact, a return).
_CHANGES_A_PLACED_ORDER = ("change_order", "change_address", "change_contact", "return_order")
_STARTS_WITH_NO = re.compile(r"(?i)^\W*(?:no+|nope|nah|nahi)\b")
_AS_IT_IS = re.compile(r"(?i)\b(?:as it is|as is|the way it is|unchanged|as before|(?:keep|leave) (?:it|them|the order|"
                       r"my order|everything|that)|confirm (?:it|the order|my order|the original|the old))\b")


def keeps_it_as_it_is(text: Optional[str]) -> bool:
    """ "no, i confirm the order as it is", "no keep it": a no that confirms things as they are (the
    word "confirm" had read as a yes and made the change)."""
    return bool(_STARTS_WITH_NO.search(text or "") and _AS_IT_IS.search(text or ""))


def _ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, pending: str) -> bool:
    """Sends the open question again as it was asked (text and Yes/No buttons); False if it is
    not in the conversation any more."""
    return say_again(dispatcher, tracker, QUESTIONS[pending])


def _just_asked_to_confirm(tracker: Tracker, askers: Tuple[str, ...] = ASKED_BY["cancel_order"]) -> bool:
    """True when the bot's last action before the latest user message was the question."""
    name = next((event.get("name") for event in previous_turn(tracker) if event.get("event") == "action"
                 and event.get("name") not in ("action_listen", None)), None)
    return name in askers


# Said after a "no" to the offer of a person: a yes right after it changes that answer.
DECLINED_A_PERSON = ("utter_no_human_then", "utter_ticket_without_person")
INSULTS = re.compile(r"(?i)\b(?:useless|stupid|dumb|idiot\w*|pathetic|worst bot|rubbish|garbage|trash|hopeless|"
                     r"waste of (?:my )?time|hate (?:you|this)|you suck|this sucks|wtf)\b")
# Answers that offer a person without asking a yes/no question of their own.
OFFERS_A_PERSON = ("utter_iamabot",)


# A yes that says what it agrees to ("ok yes place it") answers the question even after a side answer.
_NAMED_ACTIONS = {
    "place_order": re.compile(r"(?i)\b(?:place|confirm|send) (?:it|the order|my order|that)\b"),
    # "yes cancel OB-…": a number other than the one asked about never gets here (another_order_named)
    "cancel_order": re.compile(r"(?i)\bcancel (?:it|the order|my order|that|(?:order\s*)?#?\s*(?:OB-?)?[0-9A-Z]{8})\b"),
    "return_order": re.compile(r"(?i)\b(?:register|return|send) (?:it|them|the return)\b"),
    "withdraw_return": re.compile(r"(?i)\b(?:withdraw|cancel) (?:it|the return|my return)\b"),
}


def _answers_the_offer_of_a_person(tracker: Tracker, pending: str) -> bool:
    """A "no" to the offer of a person changes nothing, so it stands after other messages too ("no
    thanks, just pls fix it" after a payment FAQ: not the whole ticket message again); a "yes"
    stands when the offer was in the bot's last turn, even with a form's question after it."""
    if pending != "human_handoff":
        return False
    return intent_of(tracker) == "deny" or any(
        (event.get("metadata") or {}).get("utter_action") in QUESTIONS[pending]
        for event in previous_turn(tracker) if event.get("event") == "bot")


# The confirmations that cancel or change an order placed: a yes with a "but" is asked again there.
_ACTS_ON_AN_ORDER = ("cancel_order", "change_order", "change_address", "change_contact")
# "i don't need it", "dont want them anymore" to "Do you want me to cancel …?": the NLU's no, meaning a yes.
_NO_LONGER_WANTED = re.compile(r"(?i)\b(?:don'?t|dont|do not|no longer)\s+(?:really\s+)?(?:need|want)\s+"
                               r"(?:it|them|this|that|those|the order)\b|\bno longer (?:need|want)")
# "make it 3 then", "keep both", "swap the mug for a red one" read as a no at the summary: an edit.
_AN_EDIT = re.compile(r"(?i)\b(?:add|put|make|change|swap|switch|replace|instead|keep (?:the|my|both|those|that)|bring|"
                      r"more|less|fewer)\b|\b\d{1,2}\b")
# "actually put it back", "ok then keep the red one after all", "add the mug back": at the summary,
# the last edit undone (the whole order had been thrown away).
_PUTS_BACK = re.compile(r"(?i)\b(?:put|add|bring|get)\s+(?:\w+\s+){0,3}?back\b|\bundo\b|\bre-?add\b|"
                        r"\bkeep\s+(?:the|my|that|those|both)\b.*\b(?:after all|too|as well)\b")
_NOT_PUT_BACK = re.compile(r"(?i)\b(?:don'?t|dont|do not|no need to|never)\s+(?:\w+\s+)?(?:put|add|bring|keep)\b")


def _offer_lapsed(tracker: Tracker) -> bool:
    """ "I can cancel it instead" (a return asked for too early), and the bot's last turn answered
    something else ("where is my order"): the customer moved on, and the offer stands no more."""
    if offered_cancel(tracker) is None:
        return False
    offers = {event.get("text") for event in tracker.events or [] if event.get("event") == "bot"
              and (event.get("metadata") or {}).get("utter_action") in CANCEL_OFFERS}
    said = [event for event in previous_turn(tracker) if event.get("event") == "bot"]
    return bool(said) and not any((event.get("metadata") or {}).get("utter_action") in CANCEL_OFFERS
                                  or event.get("text") in offers for event in said)


async def _change_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The order the cancel question is about changed instead: its change form proposes the change
    read from the message ("1 pair"), or asks what to change; nothing is cancelled."""
    number = number_asked_about(tracker) or offered_cancel(tracker) or order_number(tracker.get_slot("order_id"))
    try:
        async with BackendClient(tracker.sender_id) as backend:
            view = order_view(await backend.get_order(number))
    except BackendError as error:
        logger.warning("reading the order to change instead of cancelling failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    result = apply_changes(view["lines"], tracker.latest_message.get("entities") or [],
                           tracker.latest_message.get("text") or "")
    changes = [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])}
               for line in result.lines] if result.changed and result.problem is None else None
    return [SlotSet(PENDING, None), SlotSet("order_id", number), SlotSet(TARGET, view), SlotSet(CHANGES, changes),
            SlotSet(CHOICE, None), FollowupAction("change_order_form")]


def _cancel_asked_before_the_offer(tracker: Tracker) -> Optional[str]:
    """The order the cancel question asked about in the bot's turn before its offer of a person
    ("kindly do the needful" to the cancel question, read as a request for someone)."""
    if tracker.get_slot(PENDING) != "human_handoff":
        return None
    users = 0
    for event in reversed(tracker.events or []):
        users += event.get("event") == "user"
        if users > 2:
            return None
        if users == 2 and event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == ASKED:
            return order_number(event.get("text"))
    return None


# "dont cancel it", "no need to cancel": no cancel asked for.
_NOT_CANCELLED = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|never|no need to)\s+(?:\w+\s+)?cancel")


async def _cancel_after_the_offer_of_a_person(dispatcher: CollectingDispatcher,
                                              tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "no just cancel it" to the offer of a person made at the cancel question: that question
    again (it had got "Okay." and the cancel was dropped); None for another answer."""
    text = tracker.latest_message.get("text") or ""
    number = _cancel_asked_before_the_offer(tracker)
    if number is None or not re.search(r"(?i)\bcancel", text) or _NOT_CANCELLED.search(text):
        return None
    order = await order_or_none(tracker.sender_id, number, "the order asked to cancel")
    if order is None:
        return None
    return _ask_confirmation(dispatcher, order) if order.cancellable else _refuse(dispatcher, order)


def _names_the_action(text: str, pending: str) -> bool:
    named = _NAMED_ACTIONS.get(pending)
    return bool(named and named.search(text)) and decided_answer(text) == "yes"


def _last_said_was_the_question(tracker: Tracker, pending: str) -> bool:
    """True when the bot's last message before the latest user message was the question itself
    (asked by another action too: an address at the summary shows the summary again)."""
    return last_utterance(tracker) in QUESTIONS[pending]


class ActionAnswerConfirmation(Action):
    """Handles "yes" and "no": acts only on a confirmation the bot has just asked for."""

    def name(self) -> Text:
        return "action_answer_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        stray = _stray_order_form(tracker)
        events = await self._answer(dispatcher, tracker, domain)
        if stray and not any(event.get("event") in ("followup", "active_loop") for event in events):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot(PENDING)
        if pending == "cancel_order":
            read_as_a_yes(tracker)  # "yep. found it cheaper": a yes with its reason, whatever the NLU read
        text = tracker.latest_message.get("text")
        if refuses_a_bot(text):  # "no bots please", read as a no: a person wanted
            return await hand_over(dispatcher, tracker, domain)
        said = await _what_the_cancel_did(dispatcher, tracker)
        if said is not None:  # "did it work" right after a cancel (or at the next order's question)
            return said
        if declines_the_new_address(tracker):  # "no leave it" at "What's the new address?"
            return await keep_the_address(dispatcher, tracker)
        if pending == "place_order":
            renamed = await new_name_at_the_summary(dispatcher, tracker, domain)
            if renamed is not None:  # "no wait the name shud be just Anjali Sharma", read as a yes or no
                return renamed
            passed_on = await pass_the_extra_on(dispatcher, tracker)
            if passed_on is not None:  # "yes get a person to do it" after asking about a discount code
                return passed_on
        if pending not in ASKED_BY:
            return await _with_no_question_open(dispatcher, tracker, domain, text or "")
        if pending == "return_order" and changes_the_return(tracker):
            # "no only 2 mugs not 3", "no, i want a replacement" at the return's summary: its form's
            return [FollowupAction("return_form")]
        if wants_a_separate_order(tracker):
            # "no, as a new order": the placed order stays, and what the change added is ordered anew
            items = added_items(tracker)
            return leave_the_change(dispatcher, tracker) + [SlotSet(ITEMS, items), SlotSet(DRAFT, items),
                                                            FollowupAction("order_form")]
        if pending == "place_order" and moves_the_new_order(tracker):
            # "no, add it to my existing order" at a new order's summary: a change of the placed one
            return [FollowupAction("change_order_form")]
        if pending == "change_order":
            out = await items_out_at_the_change_question(tracker)
            if out is not None and out.left:  # "no just take the filters off" at "Shall I change it?"
                return await propose_without(dispatcher, tracker, out)
        if pending == "change_order" and (moves_the_change(tracker) or amends_the_change(tracker)):
            # "no i mean 3 red mugs not 2", "ok make it 4" at "Shall I change it?": the change is amended;
            # "no, to the other order": the same change proposed for that order
            return [FollowupAction("change_order_form")]
        if pending == "cancel_order" and another_order_named(tracker):
            # "yes cancel OB-…" naming another order than the one asked about: that one is asked about
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        if pending == "cancel_order" and _offer_lapsed(tracker):
            # "refund?" → "I can cancel it instead", then "where is my order" answered: a later "ok"
            # or 😡 is about that answer, not a yes to the offer (it had walked on to a cancel)
            tracker.slots[PENDING] = None
            return [SlotSet(PENDING, None)] + await _with_no_question_open(dispatcher, tracker, domain, text or "")
        if pending == "cancel_order":
            out = await items_out_at_the_question(tracker)
            if out is not None and out.left:  # "no just take the filters off": those out, not the order
                return await propose_without(dispatcher, tracker, out)
        if changes_instead_of_cancelling(tracker):
            # "yes 1 pair please", "no, just 1 pair" at the cancel question: that order changed instead
            return await _change_instead(dispatcher, tracker)
        back_to_the_cancel = await _cancel_after_the_offer_of_a_person(dispatcher, tracker)
        if back_to_the_cancel is not None:  # "no just cancel it" to "Shall I ask someone…?"
            return back_to_the_cancel
        if pending == "place_order" and _PUTS_BACK.search(text or "") and not _NOT_PUT_BACK.search(text or ""):
            # "actually put it back", "ok then keep the red one after all": the last edit undone, not a no
            return await _put_back_into_the_unplaced_order(dispatcher, tracker, domain)
        decided = "yes" if pending == "cancel_order" and says_the_next_one_too(tracker) else decided_answer(text)
        if decided is None and pending == "place_order" and yes_then_a_question(text) is not None:
            decided = "yes"  # "yes pls. will it arrive before friday?": placed, then the question answered
        if pending == "cancel_order" and (keeps_the_order(text) or keeps_its_items(tracker)):
            # "no, i actually want to confirm it", "keep it. i confirm the order": the order, not its
            # cancel, is confirmed (a "confirm" read as a yes had cancelled it); a cancel needs a plain yes
            decided = "no"
        if pending in _CHANGES_A_PLACED_ORDER and keeps_it_as_it_is(text):
            decided = "no"  # "no, i confirm the order as it is" to "Shall I change it?" had changed it
        picks = pending == "cancel_order" and intent_of(tracker) != "deny" and picks_an_order_to_cancel(tracker)
        if decided is None and picks:
            # "the one with the red mugs", "the other one": that order is asked about instead (after a
            # no, the order asked about is said to stay first)
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        if decided is not None:
            # the words decide, not the NLU: "no its fine" and "sorry i meant yes" read either way
            tracker.latest_message["intent"] = {"name": "affirm" if decided == "yes" else "deny", "confidence": 1.0}
        elif (asks_instead_of_answering(text) or hesitates(text) or torn(text) or looks_like_gibberish(text) or is_noise(text)
              or intent_of(tracker) not in ("affirm", "deny") or (intent_of(tracker) == "affirm" and not agrees(text))
              or (pending in _ACTS_ON_AN_ORDER and qualified_yes(text))
              or (pending == "cancel_order" and _NO_LONGER_WANTED.search(text or ""))):
            # "yes but …" to a cancel or a change, "i don't need it" to "cancel it?": asked again
            answered = await answer_about_the_cancel(dispatcher, tracker)
            if answered is None:  # "so what now?" after a late order: the team chases it
                answered = await chase_the_late_order(dispatcher, tracker)
            if answered is not None:  # "is it already packed?" read as a yes or no: answered, asked again
                return answered
            emoji = answer_an_emoji(dispatcher, tracker)
            if emoji is not None:  # "😀😀😀" to an offer of a person: not an answer
                return emoji
            # "what happens next?", "hmm idk", "." or "lkjlkj" read as a yes would act without consent
            dispatcher.utter_message(response="utter_yes_or_no_first")
            _ask_again(dispatcher, tracker, pending)
            return []
        # Asked again by this action itself below: a "yes" to that answers the same question.
        # A person is offered by actions that say other things too: after another of their answers
        # the offer stands no more ("ok" two turns after one had handed the chat over)
        offer_passed = pending == "human_handoff" and last_utterance(tracker) not in (None,) + QUESTIONS[pending]
        if not ((_just_asked_to_confirm(tracker, ASKED_BY[pending] + (self.name(),)) and not offer_passed)
                or _last_said_was_the_question(tracker, pending) or _names_the_action(text or "", pending)
                or _answers_the_offer_of_a_person(tracker, pending)
                or (pending == "return_order" and intent_of(tracker) == "deny")):  # a no to a return changes nothing
            # Other messages came between the question and this "yes" (a product question, say),
            # so it may answer them: the question is asked again, not acted on or dropped.
            if _ask_again(dispatcher, tracker, pending):
                return []
            dispatcher.utter_message(response="utter_ok")
            return [SlotSet(PENDING, None)]
        if pending == "place_order":
            taken_out = await _take_out_of_the_unplaced_order(dispatcher, tracker, domain)
            if taken_out is not None:  # "no filters", "yes but without the tea": that item out, asked again
                return taken_out
            if intent_of(tracker) == "deny" and decided is None and _AN_EDIT.search(text or ""):
                # "make it 3 then", "keep both": an edit read as a no, which had thrown the order away
                dispatcher.utter_message(response="utter_what_to_change_first")
                return []
            return await answer_place_order(dispatcher, tracker)
        if pending == "cancel_order" and offered_cancel(tracker):
            return await _take_up_the_offer(dispatcher, tracker, intent_of(tracker) == "affirm")
        if pending in ANSWERS:
            events = await ANSWERS[pending](dispatcher, tracker, intent_of(tracker) == "affirm")
            return events + await _back_to_the_unplaced_order(dispatcher, tracker, events)
        if pending == "human_handoff":
            return await _answer_human_offer(dispatcher, tracker, intent_of(tracker) == "affirm")
        number = number_asked_about(tracker) or tracker.get_slot("order_id")
        if intent_of(tracker) != "affirm":
            dispatcher.utter_message(response="utter_cancel_kept", number=number)
            if picks_an_order_to_cancel(tracker):  # "no the other one", "no, the red mug one": that one now
                return _clear() + await ActionCancelOrder().run(dispatcher, tracker, domain)
            if wants_it_placed(text):  # "no, place it": an order not yet placed is asked about again
                return _clear() + await _ask_to_place(dispatcher, tracker, number)
            return _clear() + await _ask_about_the_next_one(dispatcher, tracker)  # "cancel all": on to the next
        try:
            async with BackendClient(tracker.sender_id) as backend:
                said = cancel_reason(text or "", _asked_after(tracker), _cancel_request(tracker))
                await backend.cancel_order(number, f"customer: {said}" if said else "cancelled by the customer in chat")
        except Refused as refusal:
            # shipped since the question: said as the shop says it, not in the backend's words
            events = await _refused(dispatcher, tracker, refusal, number)
            return events + await _ask_about_the_next_one(dispatcher, tracker)
        except BackendError as error:
            logger.warning("cancel failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return _clear()
        dispatcher.utter_message(response="utter_order_cancelled", number=number)
        return _clear() + await _ask_about_the_next_one(dispatcher, tracker)  # "cancel both my orders"


def _stray_order_form(tracker: Tracker) -> bool:
    """An order form holding nothing while a question of ours waits: an answer misread as an order
    started it, and asked again under every answer its "What would you like to order?" kept the
    customer in a loop. The answer to the question ends it."""
    return (tracker.get_slot(PENDING) in ASKED_BY and (tracker.active_loop or {}).get("name") == "order_form"
            and not tracker.get_slot(DRAFT) and not tracker.get_slot(ITEMS))


async def _take_up_the_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                             affirmed: bool) -> List[Dict[Text, Any]]:
    """A yes to "I can cancel it instead, with a full refund": the cancel question about that order,
    with its items and total (nothing is cancelled before its own yes); a no keeps it."""
    number = offered_cancel(tracker)
    if not affirmed:
        dispatcher.utter_message(response="utter_cancel_kept", number=number)
        return _clear()
    order = await order_or_none(tracker.sender_id, number, "the order offered to cancel")
    if order is None:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    return _ask_confirmation(dispatcher, order) if order.cancellable else _refuse(dispatcher, order)


async def _refused(dispatcher: CollectingDispatcher, tracker: Tracker, refusal: Refused,
                   number: str) -> List[Dict[Text, Any]]:
    """Why the backend refused the cancel, from the order's state now ("has already shipped")."""
    order = await order_or_none(tracker.sender_id, number, "the order whose cancel was refused")
    if order is None or order.cancellable:  # refused for a reason its state doesn't tell
        dispatcher.utter_message(response="utter_cancel_refused", number=number, reason=refusal.detail)
        return _clear()
    return _refuse(dispatcher, order)


async def _ask_about_the_next_one(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """In "cancel all my orders", after a yes or a no, the next order that can still be cancelled
    and wasn't asked about in this run is asked about; [] outside such a run or at its end. After a
    no it had stopped, and the orders left came back in a later, unrelated cancel, asking again
    about the order the customer had just kept."""
    said, asked = cancel_run(tracker)
    if not _asked_for_them_all(tracker, said + [tracker.latest_message.get("text") or ""]):
        return []
    try:
        async with BackendClient(tracker.sender_id) as backend:
            following = next((order for order in await backend.list_orders()
                              if order.cancellable and order.number not in asked), None)
    except BackendError as error:
        logger.warning("listing the orders left to cancel failed: %s", error)
        return []
    return _ask_confirmation(dispatcher, following) if following is not None else []


def _asked_for_them_all(tracker: Tracker, said: List[str]) -> bool:
    """One of the messages `said` asks to cancel all the orders: "cancel both my orders", or "cancel
    everything" said with no order being changed (that order alone was meant: cancelled, the run
    would have gone on to ask about the others)."""
    if any(CANCEL_THEM_ALL.search(message) for message in said):
        return True
    pending, form = None, None  # as they were when each message came
    for event in tracker.events or []:
        if event.get("event") == "slot" and event.get("name") == PENDING:
            pending = event.get("value")
        elif event.get("event") == "active_loop":
            form = event.get("name")
        elif (event.get("event") == "user" and event.get("text") in said
              and CANCEL_EVERYTHING.search(event.get("text") or "")
              and pending not in _CHANGE_QUESTIONS and form not in ("change_order_form", "change_address_form")):
            return True
    return False


# The confirmations of a change of a placed order (`_change_under_way`).
_CHANGE_QUESTIONS = ("change_order", "change_address", "change_contact")
# "did it work", "is it cancelled now?", "did you cancel both", "ok so what got cancelled": whether the
# cancel just answered was done (it had got "Okay.", or at the next order's question "Nothing has
# happened yet").
_ASKS_IF_DONE = re.compile(
    r"(?i)\bdid (?:it|that|this|you|u|they|the cancel\w*)\b[^?.!]*?\b(?:work\w*|go through|cancel\w*|happen\w*)\b|"
    r"\b(?:(?:is|was|are|were) (?:it|that|they|both|the orders?|my orders?|everything|all)|(?:has|have) "
    r"(?:it|that|they|both|the orders?|my orders?|everything|all)(?: \w+)? been)(?: (?:now|really|both|all|already|"
    r"of them))*\s+(?:done|cancel\w*|gone through|worked)\b|"
    r"\bwhat (?:got|was|were|has been|have been|did you) cancel\w*")


def _orders_of_the_cancel(tracker: Tracker) -> List[str]:
    """The orders the bot's cancel answers just before the latest message named (the turns in a row
    that were about a cancel), first named first; [] when the bot's last turn was about none."""
    asked = {event.get("text") for event in tracker.events or [] if event.get("event") == "bot"
             and (event.get("metadata") or {}).get("utter_action") == "utter_confirm_cancel"}
    numbers: List[str] = []
    turn: List[str] = []
    seen_latest = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_latest and not turn:
                break
            numbers = turn + numbers
            turn, seen_latest = [], True
        elif seen_latest and event.get("event") == "bot" and (  # a question asked again has only its text
                (event.get("metadata") or {}).get("utter_action") in _ABOUT_ORDERS_CANCELLED
                or event.get("text") in asked):
            turn = re.findall(r"\bOB-[0-9A-Z]{8}\b", event.get("text") or "") + turn
    return list(dict.fromkeys(turn + numbers))


# What the bot says in a cancel about the orders it names.
_ABOUT_ORDERS_CANCELLED = ABOUT_A_CANCEL + ("utter_confirm_cancel", "utter_cancel_newest_of_several",
                                            "utter_cancel_refused")


async def _what_the_cancel_did(dispatcher: CollectingDispatcher,
                               tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """ "did it work" right after a cancel: each order it named as it is now (cancelled, or still
    confirmed), and the cancel question still open asked again; None for another message."""
    text = tracker.latest_message.get("text") or ""
    numbers = _orders_of_the_cancel(tracker) if _ASKS_IF_DONE.search(text) else []
    if not numbers:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            orders = [await backend.get_order(number) for number in numbers]
    except BackendError as error:
        logger.warning("reading the orders of the cancel failed: %s", error)
        return None
    for order in orders:
        if order.status == "cancelled" or order.cancellable:
            dispatcher.utter_message(response=f"utter_order_status_{order.status}", number=order.number,
                                     total=format_price(order.total_minor, order.currency))
        else:  # shipped meanwhile: why it can't be cancelled
            _say_why_not(dispatcher, order)
    if tracker.get_slot(PENDING) == "cancel_order":
        _ask_again(dispatcher, tracker, "cancel_order")
    return []


def _asked_after(tracker: Tracker) -> str:
    """The customer's message the latest cancel question answered ("ugh fine. then cancel the glasses
    pair one, found them cheaper", whatever the NLU read it as: its reason is the cancel's)."""
    seen_question = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == ASKED:
            seen_question = True
        elif event.get("event") == "user" and seen_question:
            return event.get("text") or ""
    return ""


def _cancel_request(tracker: Tracker) -> str:
    """The customer's message that asked to cancel ("cancel both my orders"), before this answer."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"][:-1]
    asked = next((e for e in reversed(users)
                  if ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "cancel_order"), {})
    return asked.get("text") or ""


async def _with_no_question_open(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                 text: str) -> List[Dict[Text, Any]]:
    """A yes or no with nothing asked: what it answers from what was said before, else "Okay."."""
    says_yes = intent_of(tracker) == "affirm" or decided_answer(text) == "yes"
    last = last_utterance(tracker)
    if intent_of(tracker) == "affirm" and (WANTS_A_PERSON.search(text) or (
            last in OFFERS_A_PERSON and decided_answer(text) == "yes")):
        # "yes, a person please" with no offer open, or "yes" to "I can fetch a person" (not
        # "haha cool" or "ok": a ticket for the team each time)
        return await _answer_human_offer(dispatcher, tracker, True)
    if says_yes and last in DECLINED_A_PERSON:
        return await _answer_human_offer(dispatcher, tracker, True)  # "hmm ok actually yes"
    if OTHER_ORDER.search(text) and last in ABOUT_A_CANCEL:
        return await ActionCancelOrder().run(dispatcher, tracker, domain)  # "and the other one too"
    beside = await answer_beside_a_cancel(dispatcher, tracker)
    if beside is not None:  # "no i never placed one" when there was no order to cancel
        return beside
    if _asks_to_cancel(text) and (last in ABOUT_A_CANCEL or named_skus(tracker) or entity_values(tracker, "category")
                                  or requested_order_number(tracker)):
        # "ok actually yes cancel the mugs one" after "… stays as it is" (read as a yes): that order
        # is asked about (it had got "Okay.")
        return await ActionCancelOrder().run(dispatcher, tracker, domain)
    if last in CANCEL_REFUSALS and _ASKS_WHY.search(text) and say_again(dispatcher, tracker, CANCEL_REFUSALS):
        # "why not??" after "… has already shipped, so it can't be cancelled": why again, and a person
        # (it had got "Okay.")
        return offer_a_person(dispatcher, tracker, "utter_offer_a_person")
    if offered_orders(tracker):  # to "which order should I cancel?": "no, the red mug one" picks; a plain no leaves
        if picks_an_order_to_cancel(tracker) or not (intent_of(tracker) == "deny" or decided_answer(text) == "no"):
            return await ActionCancelOrder().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_ok")
        return _clear()
    if INSULTS.search(text):  # "you are useless": an apology and a person, not "Okay."
        return offer_a_person(dispatcher, tracker, "utter_sorry_offer_a_person")
    corrected = await correct_the_rating_just_given(dispatcher, tracker)
    if corrected is not None:  # "no sorry, 4" right after the feedback was stored
        return corrected
    waiting = await back_to_the_waiting_order(dispatcher, tracker, text)
    if waiting is not None:  # "sorry i meant yes place the order" after a detour at the summary
        return waiting
    if stated_rating(text) is not None and tracker.get_slot("requested_slot") is None:
        return [FollowupAction("feedback_form")]  # "⭐⭐⭐⭐⭐" read as a yes to nothing: a rating
    if (says_yes and last == "utter_order_not_placed" and not _asks_to_cancel(text)) \
            or _wants_the_order_after_all(tracker):
        return await _order_again(dispatcher, tracker, domain)  # "sorry i meant yes", "no wait i want it after all"
    if NOT_RECEIVED.search(text) and tracker.get_slot("order_id"):
        # "but i never got it!" after its status: help with the order, not "Okay."
        return await ActionTrackOrder().run(dispatcher, tracker, domain)
    if not (agrees(text) or decided_answer(text) or _ACKNOWLEDGES.search(text)):
        # "mmm", "uh", "i mean the", "?" read as a yes: not understood, which "Okay." hid (five in
        # a row never got to a person); inside a form, its question follows
        from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module
        return await ActionFallback().run(dispatcher, tracker, domain)
    dispatcher.utter_message(response="utter_ok")
    return [SlotSet(PENDING, None)]


# "yes place it", "confirm OB-… please", "how do i confirm it?": about placing the order waiting.
_PLACING = re.compile(r"(?i)\b(?:place|confirm|submit|finali[sz]e|complete)\b")


async def back_to_the_waiting_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                     text: str) -> Optional[List[Dict[Text, Any]]]:
    """The order made in this chat still waits for its yes, but its question was left (a person
    offered at the summary and handed over, qa2 F1: every "yes place it" then got "Okay."): a yes
    naming placing it places it; another yes, or a question how to, shows its summary and asks
    again. None when no such order waits, or the message is no yes to it (another order named)."""
    number = tracker.get_slot(PENDING_ORDER)
    decided = decided_answer(text)
    # "yes pls. will it arrive before friday?" to "Shall I place it?": the yes answers it, then the
    # question is answered (verify QA: read as a delivery question, the order stayed unplaced)
    answers_the_summary = tracker.get_slot(PENDING) == "place_order" and yes_then_a_question(text) is not None
    if not number or decided == "no" or not (decided == "yes" or text.startswith("/affirm") or _PLACING.search(text)
                                             or answers_the_summary):
        return None
    if re.search(r"(?i)\bcancel", text):  # "yes cancel it": no yes to placing it
        return None
    if order_number(text) not in (None, number):
        return None
    order = await order_or_none(tracker.sender_id, number, "the order waiting for its yes")
    if order is None:
        return None
    if order.status != "pending":  # confirmed or expired meanwhile: not waiting any more
        return None
    if answers_the_summary or (decided == "yes" and _PLACING.search(text) and not asks_instead_of_answering(text)):
        tracker.latest_message["intent"] = {"name": "affirm", "confidence": 1.0}
        return await answer_place_order(dispatcher, tracker)
    return await ask_to_place_again(dispatcher, tracker, number)


async def _ask_to_place(dispatcher: CollectingDispatcher, tracker: Tracker, number: str) -> List[Dict[Text, Any]]:
    """ "no, place it" at the cancel question of an order not yet placed: its summary and "Shall I
    place it?" again (nothing is placed without that yes); [] for an order placed already."""
    asked = await ask_to_place_again(dispatcher, tracker, number)
    return asked + [SlotSet(PENDING_ORDER, number)] if asked else []


# "sorry", "actually", "wait": what follows the last of them is what the customer means now.
_CHANGE_OF_MIND = re.compile(r"(?i)\b(?:actually|wait|sorry|i mean|i meant|on second thought)\b|[.!;]")
# A change of mind towards the order just declined: "i changed my mind", "i want it after all".
_AFTER_ALL = re.compile(r"(?i)\bafter all\b|\bchang\w* (?:of )?my mind\b|\bon second thought\b|\bwrong button\b|"
                        r"\bby mistake\b|\bmis-?click\w*|\bi (?:did|do) want (?:it|that|them|the order)\b|"
                        r"\b(?:place|want|order) (?:it|that|them|the order|that order|it all) again\b")
# A "no" or a cancel that the last part still says: "dont cancel anything", "changed my mind, dont place it".
_NOT_WANTED = re.compile(r"(?i)\b(?:no|nope|nah|not|don'?t|dont|do not|never|no need)\b")


def _last_part(text: str) -> str:
    parts = [part for part in _CHANGE_OF_MIND.split(text) if re.search(r"\w", part)]
    return parts[-1] if parts else ""


def _asks_to_cancel(text: str) -> bool:
    """The message's last part asks to cancel ("ok actually yes cancel the mugs one"), not "hmm
    actually no dont cancel anything" or "no need to cancel"."""
    last = _last_part(text)
    return re.search(r"(?i)\bcancel\b", last) is not None and not _NOT_WANTED.search(last)


def _wants_the_order_after_all(tracker: Tracker) -> bool:
    """Right after "no" released the order at its summary: "actually i changed my mind, place it
    after all", "no wait i want it after all", whatever the NLU read (a cancel, for "changed my
    mind"): the same order wanted after all, not a cancel or a new order."""
    text = tracker.latest_message.get("text") or ""
    if last_utterance(tracker) != "utter_order_not_placed" or _asks_to_cancel(text):
        return False
    last = _last_part(text)
    return decided_answer(text) == "yes" or bool(_AFTER_ALL.search(text) and not _NOT_WANTED.search(last))


# Said to take something in, not agreeing to anything: "Okay." answers them.
_ACKNOWLEDGES = re.compile(r"(?i)\b(?:thanks?|thank you|thx|ty|np|no (?:problem|prob|probs|worries)|got it|understood|"
                           r"noted|i see|makes sense|fair enough|ah+|oh+|aha)\b")


async def _back_to_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                      events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """A change to the order still waiting for its "yes" in this chat ("add two red mugs" at the
    summary) leaves it unplaced: its summary is shown again with the question, or it would expire."""
    number = tracker.get_slot(PENDING_ORDER)
    target = tracker.get_slot("target_order") or {}
    if not number or target.get("number") != number or SlotSet(PENDING, None) not in events:
        return []
    return await ask_to_place_again(dispatcher, tracker, number)


# "cancel the caddy, just the mugs", "yes but without the tea", "no filters": the words naming what
# is taken out ("caddy", which the NLU finds no product in), up to where the message goes on; a
# bare "no" only right before them ("no the blue ones" picks, it takes nothing out).
_CANCELLED_WORDS = re.compile(
    r"(?i)(?:\b(?:cancel|remove|drop|delete|skip|without|minus|take\s+(?:off|out))\s+"
    r"(?:the\s+|my\s+|a\s+|an\s+|that\s+|those\s+|any\s+)?|\bno\s+(?!the\b|thanks?\b|wait\b))"
    r"(?P<what>[a-z][a-z -]*?)\s*(?=[,.;:!?]|\b(?:and|but|just|only|keep|please|pls|plz|from|out|off|then|too|now|"
    r"though)\b|$)")
# Words a cancel names no item with: "cancel it", "cancel the whole order", "cancel everything".
_NOT_AN_ITEM = frozenset("it all order orders everything thing things whole entire lot one ones item items this that "
                         "them".split())


async def _take_out_of_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """ "cancel the tea caddy" at "Shall I place it?" of an order holding more: that item is taken
    out and the summary shown again (the whole order had been thrown away). A product the NLU found
    the order form takes out, as "remove the tea caddy"; an item named by a word of its name alone
    ("the caddy") is taken out here. None when no item of the order is named, or every one is: a
    no to the order."""
    items = [dict(item) for item in tracker.get_slot(ITEMS) or tracker.get_slot(DRAFT) or []]
    text = tracker.latest_message.get("text") or ""
    left = [dict(item) for item in items]
    if remove_from_draft(left, tracker.latest_message.get("entities") or [], text)[0]:
        return [FollowupAction("order_form")] if left else None
    named = _items_named_by_word(items, text)
    if not named or len(named) == len(items):
        return None
    left = [item for item in items if item not in named]
    dispatcher.utter_message(response="utter_order_items_removed", names=", ".join(item["name"] for item in named))
    tracker.slots.update({ITEMS: left, DRAFT: left})
    return [SlotSet(ITEMS, left), SlotSet(DRAFT, left)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


def _items_named_by_word(items: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The items whose names hold every word the cancel names ("cancel the caddy": Tea Caddy Tin)."""
    cancelled = _CANCELLED_WORDS.search(text)
    words = re.findall(r"[a-z]+", cancelled.group("what").lower()) if cancelled else []
    said = {word.rstrip("s") for word in words if word not in _NOT_AN_ITEM}
    if not said:
        return []
    return [item for item in items
            if said <= {word.rstrip("s") for word in re.findall(r"[a-z]+", item["name"].lower())}]


async def _put_back_into_the_unplaced_order(dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """ "actually put it back" at "Shall I place it?": what the last edit took out (or made fewer)
    goes back in and the summary is shown again; when nothing was, what to change is asked."""
    items = [dict(item) for item in tracker.get_slot(ITEMS) or tracker.get_slot(DRAFT) or []]
    back = _taken_out_lately(tracker, items, tracker.latest_message.get("text") or "")
    if not back:
        dispatcher.utter_message(response="utter_what_to_change_first")
        return []
    restored = {item["sku"]: item for item in items}
    for item in back:
        restored[item["sku"]] = {**restored.get(item["sku"], item), "quantity": item["quantity"]}
    kept = list(restored.values())
    dispatcher.utter_message(response="utter_order_items_put_back", names=", ".join(item["name"] for item in back))
    tracker.slots.update({ITEMS: kept, DRAFT: kept})
    return [SlotSet(ITEMS, kept), SlotSet(DRAFT, kept)] + await ActionPlaceOrder().run(dispatcher, tracker, domain)


# Words of "put it back", "keep the red one after all" that name no item.
_NO_NAME_WORDS = frozenset("a an the it them that those this one ones of with for and back put add keep bring "
                           "all after then too well as ok okay actually please pl".split())


def _taken_out_lately(tracker: Tracker, items: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """The items of the order being made that an earlier version of it had more of, as they were
    then: the newest such version, or the newest holding an item the message names a word of ("keep
    the red one": not the black mug that was out of stock)."""
    now = {item["sku"]: int(item.get("quantity") or 0) for item in items}
    said = {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())} - _NO_NAME_WORDS
    versions = []
    for event in reversed(tracker.events or []):
        if event.get("event") != "slot" or event.get("name") not in (ITEMS, DRAFT):
            continue
        if event.get("value") is None and event.get("name") == DRAFT:
            break  # the order being made began after it
        fewer = [dict(item, quantity=int(item.get("quantity") or 0)) for item in event.get("value") or []
                 if item.get("sku") and int(item.get("quantity") or 0) > now.get(item["sku"], 0)]
        if fewer:
            versions.append(fewer)

    def named(item: Dict[str, Any]) -> bool:
        return bool(said & {word.rstrip("s") for word in re.findall(r"[a-z]+", item["name"].lower())})
    if not any(named(item) for fewer in versions for item in fewer):
        return versions[0] if versions else []
    return next([item for item in fewer if named(item)] for fewer in versions if any(map(named, fewer)))


async def _order_again(dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A yes just after "no" released the order at its summary: the same order is made again and
    its summary asked about once more (the released stock may be gone meanwhile: the order says)."""
    try:
        async with BackendClient(tracker.sender_id) as backend:
            released = next(iter(await backend.list_orders(limit=1)), None)
    except BackendError as error:
        logger.warning("reading the released order failed: %s", error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if released is None or released.status != "cancelled":
        dispatcher.utter_message(response="utter_ok")
        return []
    slots = order_form_slots(released)
    tracker.slots.update({event["name"]: event["value"] for event in slots})
    return slots + await ActionPlaceOrder().run(dispatcher, tracker, domain)


async def _answer_human_offer(dispatcher: CollectingDispatcher, tracker: Tracker,
                             affirmed: bool) -> List[Dict[Text, Any]]:
    """After two unclear messages, a complaint, a payment problem or a late order: "yes" leaves any
    form and hands the chat over (a new ticket, or the one just opened), here rather than as a
    follow-up action, after which Rasa's policies had no next step and said "I didn't get that";
    "no" goes back to the form the offer interrupted, if any."""
    paused = tracker.get_slot(PAUSED_FORM)
    events = [SlotSet(PENDING, None), SlotSet(PAUSED_FORM, None)]
    if not affirmed:
        offered = tracker.get_slot(OFFERED_TICKET)
        if offered and says_more(tracker.latest_message.get("text") or ""):
            # "no need, just wanted u to know. also the courier was DHL": the rest is for the ticket
            return await add_to_the_ticket(dispatcher, tracker, declined=True)
        if offered:  # kept: a person asked for later takes this ticket, not a second one
            dispatcher.utter_message(response="utter_ticket_without_person", ticket_id=offered)
        else:
            dispatcher.utter_message(response="utter_no_human_then")
        return events + ([FollowupAction(paused)] if paused else [])
    handover = await ActionOpenTicket().run(dispatcher, tracker, {})
    return events + [ActiveLoop(None), SlotSet("requested_slot", None)] + handover

"""Returns: a return request for a delivered order (which items, why, confirmation, then
`POST /orders/{n}/return`). Where a refund is: actions/refunds.py.

The items are asked only when there is a choice (more than one unit) and not already named
("I want to return the teapot"); sending everything back is sent without lines, so the backend
refunds shipping too. While a return is on its way (requested, not yet received), more of the
same order joins it: the items asked about are those not going back yet.

At the summary, or while the reason is asked, a message about the items changes them ("the teapot
too", "no only 2 mugs not 3") or, said again, shows the summary again; whatever the NLU read, it
never starts an order (`continues_a_return`, asked by the actions a message may reach first). A
question at the reason step is answered (or left to its rule) and the reason asked again. The
shop's fault (damage, the wrong item sent: actions/return_reasons.py) gets an apology first, and
once registered a ticket asks the team for the prepaid label (its postage is ours). A replacement
or a warranty repair is the team's to arrange: a ticket and the offer of a person, and the refund
return lapses; an exchange is said to be a return plus a new order (or a person's to arrange). An
order that never arrived is no return: a ticket for the team. Opened tea or coffee stays, the rest
of the return goes on. "Cancel my return" takes back a registered one, "take the mug out of the
return" or "i'll keep the mug" one item of it (actions/return_withdrawal.py). An order another flow
was about when the return started is looked up afresh, so one not delivered is refused in the shop's
words; some of its items named ("return the scale") are offered to be taken off it instead, as the
change form proposes a change. A reason said before the request, or a fault said earlier in the chat,
is not asked again; "which order?" is asked again under one unrelated answer, not under each.

Where each part is:
- actions/return_form_order.py: which order, whether it may go back, what was said with it;
- actions/return_form_items.py, actions/return_form_reason.py: the form's two questions;
- actions/return_form_asides.py: what the form answers besides them (with actions/return_exchanges.py,
  actions/warranty_claims.py, actions/return_policy_questions.py);
- actions/return_confirmation.py: the summary and, after its yes, the registration;
- actions/return_continuations.py: whether a message goes on with a return;
- actions/return_state.py: the return's slots and where it stands in the chat.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import Order
from actions.form_answers import said_this_turn
from actions.order_forms import TARGET, TargetOrderForm, events_clearing
from actions.return_confirmation import show_the_summary
from actions.return_exchanges import explain_the_exchange
from actions.return_form_asides import answer_about_a_return, answer_instead_of_a_return
from actions.return_form_items import extract_items, validate_items
from actions.return_form_order import (asked_which_order_enough, forget_another_flows_order, may_go_back,
                                       not_received, refusal_for, refused, return_state_words, take_off_instead,
                                       with_what_was_said)
from actions.return_form_reason import extract_reason, validate_reason
from actions.return_items import items_text
from actions.return_reasons import never_arrived
from actions.return_state import FLOW_SLOTS, ITEMS, PENDING, REASON, RETURNING_STATUSES, stop_the_form


class ValidateReturnForm(TargetOrderForm):
    finds_order_by_product = True

    def name(self) -> Text:
        return "validate_return_form"

    def order_kinds(self, tracker: Tracker) -> List[str]:
        """ "i want to return the mugs, too small": the order holding mugs (a kind to the NLU), not
        the newest delivered one (QA: the french press order's return was registered)."""
        return [str(entity.get("value")) for entity in tracker.latest_message.get("entities") or []
                if entity.get("entity") == "category"]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if asked_which_order_enough(tracker):  # back after another side answer: not a third "which order?"
            return stop_the_form()
        answered = await answer_instead_of_a_return(dispatcher, tracker, domain)
        if answered is not None:  # a cancel taken back, a swap, a repair, a replacement: no refund return
            return answered
        exchange = explain_the_exchange(dispatcher, tracker)  # "can i exchange it for the blue one?"
        answered = await answer_about_a_return(dispatcher, tracker)
        if answered is not None:  # the registered return withdrawn or cut, this one left, how returns work
            return answered
        forgotten = forget_another_flows_order(tracker)
        taken_off = await take_off_instead(self, dispatcher, tracker, domain)
        if taken_off is not None:  # "return the scale" of an order not sent: off the order, not a cancel
            return forgotten + taken_off
        return forgotten + exchange + await super().run(dispatcher, tracker, domain)

    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return may_go_back(order)

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        if may_go_back(order):
            return None
        return refusal_for(order.status), {}

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        slots = await super().extract_target_order(dispatcher, tracker, domain)
        for message in dispatcher.messages:  # the refusal names the return's state in words
            if message.get("response") == "utter_return_already_requested":
                message["status"] = return_state_words(str(message.get("status", "")).replace(" ", "_"))
        return slots

    async def validate_target_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The items too when there is no choice (one unit) or the request named them, and the
        reason when it was said with them ("I want to return the teapot, the lid is cracked")."""
        slots = super().validate_target_order(value, dispatcher, tracker, domain)
        if not slots.get(TARGET) or tracker.get_slot(ITEMS):
            return slots
        return await with_what_was_said(dispatcher, tracker, slots)

    async def extract_return_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return extract_items(dispatcher, tracker)

    def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return validate_items(value, dispatcher, tracker)

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return extract_reason(dispatcher, tracker)

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return validate_reason(value, dispatcher, tracker)


class ActionConfirmReturn(Action):
    def name(self) -> Text:
        return "action_confirm_return"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, items = tracker.get_slot(TARGET), tracker.get_slot(ITEMS)
        reason = tracker.get_slot(REASON)
        if not target or not items or not reason:  # refused by the form, which said why
            ours = tracker.get_slot(PENDING) == "return_order"  # not a cancel offered instead
            return events_clearing(FLOW_SLOTS if ours else (TARGET, ITEMS, REASON))
        if target.get("status", "delivered") not in RETURNING_STATUSES:  # another flow's order: why not
            return refused(dispatcher, target["number"], target["status"])
        if never_arrived(reason):  # "why?" "it never came": nothing to send back
            return events_clearing(FLOW_SLOTS) + await not_received(dispatcher, tracker, target["number"])
        return show_the_summary(dispatcher, tracker, target, items, reason)


class ActionAskReturnItems(Action):
    """Shows what the order holds and asks which of it goes back."""

    def name(self) -> Text:
        return "action_ask_return_items"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if said_this_turn(tracker, "utter_return_items_"):
            return []  # "you can return up to 2. How many go back?" already asks
        target = tracker.get_slot(TARGET) or {}
        lines = "\n".join(f"• {line['quantity']} × {line['name']}" for line in target.get("lines", []))
        if target.get("returning"):
            dispatcher.utter_message(response="utter_ask_return_more_items", number=target.get("number", ""),
                                     lines=lines, returning=items_text(target["returning"]))
            return []
        dispatcher.utter_message(response="utter_ask_return_items", number=target.get("number", ""),
                                 lines=lines)
        return []

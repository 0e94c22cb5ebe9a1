"""Change the items of an order: the form finds the order and reads the change, a summary with the
new total is confirmed, then `PUT /orders/{n}/items` sends the full new list of lines.

Only while the backend says the order is `editable` (before shipping); a refusal at sending
(order_locked, insufficient_stock with alternatives) is said with the backend's reason.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError, NotFound, Order, Product, Refused
from actions.cancel_questions import naming_the_order_to_cancel
from actions.cancel_refusals import cancel_asked_about
from actions.catalogue import stock_alternatives
from actions.change_address import declines_the_new_address, keep_the_address, move_the_address_change
from actions.change_contact import changes_the_contact, propose_contact_change
from actions.conversation import leave, takes_leave
from actions.form_answers import said_this_turn, say_again
from actions.order_changes import MAX_QUANTITY, ChangeResult, apply_changes, carried_over, clauses
from actions.order_draft import besides, colours_named, option_picked, pick_alternative
from actions.order_forms import (CHANGES, CHOICE, ENDED, TARGET, TargetOrderForm, events_clearing, naming_the_order,
                                 not_editable, order_number_named, order_view, said_why_locked, status_words)
from actions.order_slots import DRAFT, ORDER_SLOTS, PENDING_ORDER, at_the_summary
from actions.placed_order_edits import (CHANGING, MORE_OF, amends_the_change, answer_the_question_first, asks_back,
                                        change_after_a_question, change_refused_for_stock, lines_named_by_words,
                                        listed_orders, moves_a_placed_order, moves_the_change, moves_the_new_order,
                                        the_change_alone, the_other_order)
from actions.orders import about_a_verified_order, named_skus
from actions.parsing import decided_answer, format_price, looks_like_address, only_asks, tries_an_address
from actions.place_order import ask_to_place_again
from actions.replacements import REPLACING, replacement
from actions.return_reasons import shops_fault
from actions.return_withdrawal import keeps_part_of_a_registered_return
from actions.return_continuations import corrects_the_return
from actions.support import complains

logger = logging.getLogger(__name__)
PENDING = "pending_confirmation"
WHICH = "which"  # extraction's value for a change waiting for "which teapot?"; validation sets CHOICE
# Extraction's value for a cancel naming all the order holds ("cancel the other one, the mugs and
# press"): {CANCEL_ALL: number}, that order's cancel asked instead once the form has run.
CANCEL_ALL = "cancel_all"
FLOW_SLOTS = (TARGET, CHANGES, PENDING, CHOICE)
EMPTIED = "emptied"  # the change takes everything out of the chat's order not yet placed
NOTHING = "nothing"  # "no" to "what should I change?": the form is left
# What a message that may describe a change is classified as; others go to their own rules.
CHANGE_INTENTS = ("change_order", "inform", "place_order", "product_info")
# The backend's shipping rule (docs/api.md), for the summary before the change is sent; the
# answer after sending gives the backend's own total.
SHIPPING_MINOR, FREE_SHIPPING_FROM_MINOR = 490, 5000


def _lines_text(lines: List[Dict[str, Any]], currency: str) -> str:
    return "\n".join(f"• {line['quantity']} × {line['name']}: "
                     f"{format_price(line['quantity'] * line['unit_price_minor'], currency)}" for line in lines)


class ValidateChangeOrderForm(TargetOrderForm):
    @staticmethod
    def usable(order: Order) -> bool:  # type: ignore[override]
        return order.editable

    def name(self) -> Text:
        return "validate_change_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if declines_the_new_address(tracker):  # "i dont want to change it anymore" at "What's the new address?"
            return await keep_the_address(dispatcher, tracker)
        if _leaves_the_choice(tracker):
            return await _leave_the_choice(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot") is None and moves_the_new_order(tracker):
            # "no, add it to my existing order" at "Shall I place it?": a change of that order instead
            return await _into_the_placed_order(dispatcher, tracker)
        if tracker.get_slot("requested_slot") is None and at_the_summary(tracker):
            # "remove the grinder" at "Shall I place it?": an edit of the order being made
            return [SlotSet("requested_slot", None), FollowupAction("order_form")]
        if tracker.get_slot("requested_slot") is None:
            about_a_cancel = await _a_cancel_instead(dispatcher, tracker, domain)
            if about_a_cancel is not None:
                return about_a_cancel
        if tracker.get_slot("requested_slot") in (None, CHANGES) and gives_an_address(tracker):
            # "Arjun Mehta, 9 Mariahilfer Strasse, 1060 Wien, Austria" to "What should I change?": the
            # order's new address (t4 C1: the house number had become 9 tea caddies, and was stored)
            return [SlotSet(CHANGES, None), SlotSet(CHOICE, None), SlotSet("requested_slot", None),
                    FollowupAction("change_address_form")]
        if tracker.get_slot("requested_slot") is None and corrects_the_return(tracker):
            # "make it 2 mugs" at the summary of a return: the return's items, not the order's
            return [SlotSet("requested_slot", None), FollowupAction("return_form")]
        if tracker.get_slot("requested_slot") is None and await keeps_part_of_a_registered_return(tracker):
            # "oh wait can i keep the filters actually? only send the mug": the return's, not a change
            return [SlotSet("requested_slot", None), FollowupAction("return_form")]
        if tracker.get_slot("requested_slot") is None:
            handed_on = await _no_change_of_items(dispatcher, tracker)
            if handed_on is not None:
                return handed_on
        if (tracker.get_slot("requested_slot") is None and not tracker.get_slot(TARGET)
                and await _fault_of_a_sent_order(tracker)):
            # "you've sent me two white mugs instead of the red ones I ordered. What can be done?": the
            # apology and a free return, as "you sent me white mugs instead of red ones" gets (t4 M8: it
            # was refused as "already delivered, so its items can't be changed")
            return [SlotSet("requested_slot", None), FollowupAction("return_form")]
        first = await _the_question_first(dispatcher, tracker, domain)
        if first is not None and asks_back(first):  # "which order?", "shall I bring in a person?": that first
            return first + [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]
        events = (first or []) + await super().run(dispatcher, tracker, domain)
        cancelled = next((event["value"][CANCEL_ALL] for event in events if event.get("name") == CHANGES
                          and isinstance(event.get("value"), dict) and CANCEL_ALL in event["value"]), None)
        return events if cancelled is None else await _ask_to_cancel_instead(dispatcher, tracker, cancelled)

    def order_skus(self, tracker: Tracker) -> List[str]:
        """ "remove the teapot", "make it 3 mugs", "2 aur chai": the order holding them (refused if
        it shipped); a product to add goes to the newest order that can change, or to the order
        told by what it holds ("add 2 masala chai to the order with the french press")."""
        text = tracker.latest_message.get("text") or ""
        naming = naming_the_order(tracker)
        if naming:
            return [sku for entity in naming if entity.get("entity") == "product" for sku in entity.get("skus") or []]
        return named_skus(tracker) if CHANGING.search(text) or REPLACING.search(text) or MORE_OF.search(text) else []

    def order_kinds(self, tracker: Tracker) -> List[str]:
        """ "add 2 masala chai to the mugs order": the order holding a mug (t2 M4: a new order had
        started, with its own shipping)."""
        return [str(entity.get("value")) for entity in naming_the_order(tracker) if entity.get("entity") == "category"]

    async def extract_target_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        refused = change_refused_for_stock(tracker)
        if (refused is not None and tracker.get_slot("requested_slot") is None and not tracker.get_slot(TARGET)
                and amends_the_change(tracker)):
            return {TARGET: refused[0]}  # "ok make it 2 then" after "only 2 left": the order of that change
        return await super().extract_target_order(dispatcher, tracker, domain)

    def refusal(self, order: Order) -> Optional[Tuple[str, Dict[str, Any]]]:
        return not_editable(order)

    async def extract_order_changes(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        target = tracker.slots.get(TARGET)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # "is the grinder good for espresso? also pls make the chai 5 packets": the change alone (the
        # grinder had been read as a product to add: "Which grinder do you mean?")
        change = the_change_alone(tracker)
        text = change.latest_message.get("text") or ""
        if not target or "lines" not in target or requested not in (None, CHANGES):
            return {}  # no order (or a refused one) yet
        if intent == "product_info" and only_asks(text):
            return {}  # a price question: its rule answers, the form asks again
        if requested == CHANGES and (intent == "deny" or decided_answer(text) == "no") and not named_skus(change):
            # "no" to "what should I change?": nothing, and the question is left
            dispatcher.utter_message(response="utter_order_change_kept", number=target["number"])
            return {CHANGES: NOTHING}
        naming = naming_the_order(change)  # "to the mugs order": which order, not a change of its mugs
        entities = [e for e in change.latest_message.get("entities") or [] if e not in naming]
        choice = tracker.get_slot(CHOICE)
        # "and remove the teapot" while "Shall I change it?" waits: that change is amended, not redone
        proposed = _proposed(tracker)
        lines = proposed if proposed is not None else target["lines"]
        # "make it 1 red and 1 blue": a colour alone is that variant of a mug named or in the order
        entities = sorted(entities + await colours_named(tracker, lines, text, entities),
                          key=lambda e: e.get("start") if isinstance(e.get("start"), int) else -1)
        answered = _answer_to_choice(choice, entities, text) if choice and requested == CHANGES else None
        if answered is not None:  # "the glass one" to "which teapot?": the change asked for then
            text, entities, lines = choice["text"], answered, choice.get("lines") or target["lines"]
        elif not REPLACING.search(text):
            entities = await _told_apart(tracker, entities, text)
        entities = entities + lines_named_by_words(lines, text, entities)  # "add 2 more bags of colombia"
        replaced = await _replaced(tracker, lines, entities, text)
        if (replaced is None and intent not in CHANGE_INTENTS and not amends_the_change(tracker)
                and change_after_a_question(tracker) != "change_order_form"):  # "is it shipped? also add a grinder"
            # not an answer (a swap read as a return request is one): its rule answers; but "yes but
            # make it 2 caddies" at "Shall I change it?" amends the change waiting (qa2 F23)
            return {}
        result = replaced or apply_changes(lines, entities, text, _changed_skus(target["lines"], lines))
        if proposed is not None and result.changed and result.problem is None and change_refused_for_stock(tracker):
            result = _instead_of_the_short(target["lines"], proposed, result)
        if result.problem == ("empty", "") and target["number"] == tracker.get_slot(PENDING_ORDER):
            return {CHANGES: EMPTIED}  # everything out of the order not yet placed: it is dropped
        if (result.problem == ("empty", "") and proposed is None and _CANCELS.search(text)
                and not _NO_CANCEL.search(text)):
            # "ok then cancel the other one, the mugs and press": all it holds, so the order's cancel
            # (QA16: "That would leave order … empty. To cancel the whole order, say …")
            return {CHANGES: {CANCEL_ALL: target["number"]}}
        if result.problem is not None and result.problem[0] == "ambiguous":
            asked = await self._ask_which(dispatcher, tracker, result.problem, text, entities)
            if asked and proposed is not None:
                asked["lines"] = proposed  # the answer amends the change waiting, not the order as placed
            return {CHANGES: {WHICH: asked} if asked else None}
        if result.problem is not None:
            await self._explain(dispatcher, target, result.problem)
            return {} if proposed is not None else {CHANGES: None}  # the change waiting is shown again
        if not result.changed:
            if requested == CHANGES or proposed is not None:
                dispatcher.utter_message(response="utter_change_not_understood")
                return {} if proposed is not None else {CHANGES: None}
            return {}  # "I want to change my order": the form asks what to change
        return {CHANGES: [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])}
                          for line in result.lines]}

    @staticmethod
    async def _ask_which(dispatcher: CollectingDispatcher, tracker: Tracker, problem: Tuple[Any, ...],
                         text: str, entities: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """ "Which teapot do you mean?" with a button per product; the change is kept for the answer."""
        name, skus = problem[1], problem[2]
        try:
            async with BackendClient(tracker.sender_id) as backend:
                products = [await backend.get_product(sku) for sku in skus]
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return None
        buttons = [{"title": f"{p.name} ({format_price(p.price_minor, p.currency)})",
                    "payload": f'/inform{{"product": "{p.sku}"}}'} for p in products]
        dispatcher.utter_message(response="utter_change_which_product", name=name,
                                 options=", ".join(p.name for p in products), buttons=buttons)
        index = next(i for i, e in enumerate(entities) if e.get("entity") == "product" and e.get("value") == name)
        return {"text": text, "entities": entities, "index": index,
                "options": [{"sku": p.sku, "name": p.name} for p in products]}

    @staticmethod
    async def _explain(dispatcher: CollectingDispatcher, target: Dict[str, Any], problem: Tuple[Any, ...]) -> None:
        kind, name = problem[0], problem[1]
        if kind == "not_in_order":
            dispatcher.utter_message(response="utter_change_not_in_order", name=name, number=target["number"])
        elif kind == "empty":
            dispatcher.utter_message(response="utter_change_would_empty", number=target["number"])
        else:
            dispatcher.utter_message(response="utter_order_quantity_out_of_range", name=name, max=MAX_QUANTITY)

    async def validate_order_changes(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, dict) and CANCEL_ALL in value:  # asked by run() once the form has run
            return {CHANGES: value}
        if isinstance(value, dict) and WHICH in value:  # asked which product: the change waits for it
            # and no "yes" answers a change not shown yet
            return {CHANGES: None, CHOICE: value[WHICH], PENDING: None}
        moot = {CHOICE: None} if tracker.get_slot(CHOICE) else {}  # answered, or something else said
        if value == NOTHING:
            return {CHANGES: None, **ENDED, **moot}
        if value != EMPTIED:
            return {CHANGES: value or None, **moot}
        number = tracker.get_slot(PENDING_ORDER)
        try:
            async with BackendClient(tracker.sender_id) as backend:
                await backend.cancel_order(number, reason="emptied in chat before it was placed")
        except BackendError as error:
            logger.warning("dropping the emptied order %s failed: %s", number, error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {CHANGES: None}
        dispatcher.utter_message(response="utter_order_not_placed")
        # the form ends without asking more, and the dropped order is forgotten
        return {CHANGES: None, **ENDED, PENDING: None, **moot, **{slot: None for slot in ORDER_SLOTS}}


async def _the_question_first(dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """At the form's start, the answer to a question asked before the change in the same message
    ("hi any update on my order? also can i add 1 japanese sencha to it": its status, QA16: only the
    change was proposed); None without one, or when it was answered before the form (the product
    answer hands over to the form)."""
    if tracker.get_slot("requested_slot") is not None or tracker.get_slot(TARGET) \
            or await about_a_verified_order(tracker) is not None:  # another chat's order: refused as such first
        return None
    return await answer_the_question_first(dispatcher, tracker, domain)


async def _no_change_of_items(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """What the message changes instead of this order's items, read as a change of items (or as a
    new order, which hands it here): the change waiting moved to another order ("no, to the other
    order"), a new address ("send the tea caddy order to <address>") or a new contact ("change the
    phone number on my order to …") of an order placed. None when it is a change of items."""
    if moves_the_change(tracker):
        return await _move_the_change(dispatcher, tracker)
    if moves_a_placed_order(tracker):  # the address form finds the order and reads the address
        return [SlotSet("requested_slot", None), FollowupAction("change_address_form")]
    if changes_the_contact(tracker):
        return await propose_contact_change(dispatcher, tracker) + [
            SlotSet("requested_slot", None), FollowupAction("action_listen")]
    return None


# "cancel the mugs and the press", "i want to cancel it all": a cancel, not a removal ("don't cancel").
_CANCELS = re.compile(r"(?i)\bcancel\w*\b")
_NO_CANCEL = re.compile(r"(?i)\b(?:don'?t|dont|do not|not|never|no need to)\s+(?:\w+\s+)?cancel\w*\b")


async def _ask_to_cancel_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                                 number: str) -> List[Dict[Text, Any]]:
    """The cancel of order `number` asked about (its items and total, Yes/No), the change form
    ended asking nothing; an order past cancelling is said why, as a cancel says it."""
    cleared = events_clearing(FLOW_SLOTS)
    return cleared + await cancel_asked_about(dispatcher, tracker, number) + [
        SlotSet("requested_slot", None), ActiveLoop(None), FollowupAction("action_listen")]


async def _a_cancel_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """What a cancel says, read as a change of items: "cancel the mugs order too, keep only the
    french press" cancels the order holding the mugs (its confirmation asked; it had become a change
    of that order), "bring back my order" takes a cancel back. None for a change of items."""
    from actions.cancel import cancel_at_a_form  # here: actions.cancel imports this module
    from actions.cancel_undo import undo_the_cancel_at_a_form  # here: it imports this module (through confirmations)
    if naming_the_order_to_cancel(tracker):
        return await cancel_at_a_form(dispatcher, tracker, domain)
    return await undo_the_cancel_at_a_form(dispatcher, tracker, domain)


async def _move_the_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "no, to the other order, the filters one", "wrong order, add it to OB-…": the change waiting
    is proposed for that order instead, never made without its own yes (the form, filled, shows
    its summary). What stands in the way is said and the change waiting is shown again; with
    several orders it could be, which one is asked. An address change waiting moves likewise
    (actions/change_address.py)."""
    if tracker.get_slot(PENDING) == "change_address":
        return await move_the_address_change(dispatcher, tracker) + [
            SlotSet("requested_slot", None), FollowupAction("action_listen")]
    target, lines = tracker.get_slot(TARGET), _proposed(tracker) or []
    other, which_asked = await the_other_order(dispatcher, tracker, target["number"])
    if which_asked:  # the question is the turn's last: the change waits for its answer
        return [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    if other is None:
        return []
    view = order_view(other)
    moved = carried_over(target["lines"], lines, view["lines"])
    if moved.problem is not None:
        await ValidateChangeOrderForm._explain(dispatcher, view, moved.problem)
        return []
    return [SlotSet(TARGET, view), SlotSet(CHANGES, moved.lines), SlotSet(CHOICE, None)]


def gives_an_address(tracker: Tracker) -> bool:
    """The message is an address, no product named: a new address of the order, never a count of
    its items (a house number or a postcode); not while an order is being made (its address)."""
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot(DRAFT) or tracker.get_slot(PENDING_ORDER):
        return False
    named = any(e.get("entity") == "product" for e in tracker.latest_message.get("entities") or [])
    return not named and (looks_like_address(text) or tries_an_address(text))


async def _fault_of_a_sent_order(tracker: Tracker) -> bool:
    """A complaint of what came ("you sent me white mugs instead of the red ones", "it arrived
    broken") about an order that can no longer change: the return form's, with its apology."""
    text = tracker.latest_message.get("text") or ""
    if not complains(text) or shops_fault(text) is None:
        return False
    try:
        async with BackendClient(tracker.sender_id) as backend:
            order = await backend.get_order_or_last(order_number_named(tracker), (),
                                                    lambda order: order.returnable or order.adds_to_return)
    except BackendError as error:  # not theirs, or not there: the form says so
        logger.info("no order for the complaint: %s", error)
        return False
    return order is not None and not order.editable


async def _into_the_placed_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "no, add it to my existing order", "add it to OB-… instead" at a new order's summary (t4 M3:
    the summary came again): its items are proposed as a change of the order placed, made only on
    that change's own yes, and the new order, never placed, is dropped at once, so its stock is free
    for the change. What stands in the way is said and the new order waits as it was; with several
    orders it could go to, which one is asked."""
    pending = tracker.get_slot(PENDING_ORDER)
    named = order_number_named(tracker)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            new = await backend.get_order(pending)
            if named and named != pending:
                candidates = [await backend.get_order(named)]
            else:
                candidates = [order for order in await backend.list_orders()
                              if order.editable and order.number != pending]
            if len(candidates) != 1 or not_editable(candidates[0]) is not None:
                await _say_why_it_stays(dispatcher, candidates, pending)
                return await ask_to_place_again(dispatcher, tracker, pending) + [
                    SlotSet("requested_slot", None), FollowupAction("action_listen")]
            view = order_view(candidates[0])
            moved = carried_over([], order_view(new)["lines"], view["lines"])
            if moved.problem is not None:
                await ValidateChangeOrderForm._explain(dispatcher, view, moved.problem)
                return [SlotSet("requested_slot", None), FollowupAction("action_listen")]
            await backend.cancel_order(pending, reason=f"added to order {view['number']} in chat")
    except NotFound:
        dispatcher.utter_message(response="utter_change_order_not_found", number=named)
        return [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    except BackendError as error:
        logger.warning("moving the new order %s to an order placed failed: %s", pending, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return [SlotSet("requested_slot", None), FollowupAction("action_listen")]
    # the form, filled, shows the change for its yes
    return events_clearing(ORDER_SLOTS) + [SlotSet(PENDING, None), SlotSet(TARGET, view),
                                           SlotSet(CHANGES, moved.lines), SlotSet(CHOICE, None)]


async def _say_why_it_stays(dispatcher: CollectingDispatcher, candidates: List[Order], pending: str) -> None:
    """Why the new order's items can't go to an order placed: none that can change, several, or the
    one named has shipped."""
    if not candidates:
        dispatcher.utter_message(response="utter_change_no_other_order", number=pending)
    elif len(candidates) > 1:
        dispatcher.utter_message(response="utter_change_which_order", orders=listed_orders(candidates))
    else:
        response, values = not_editable(candidates[0]) or ("utter_change_no_other_order", {})
        dispatcher.utter_message(response=response, number=candidates[0].number,
                                 status=status_words(candidates[0].status), **values)


def _proposed(tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """The order's lines as the change waiting for its "yes" would make them, or as the change just
    refused for short stock would have ("ok make it 2 then" resizes it); None when none waits."""
    changes = tracker.get_slot(CHANGES)
    if tracker.get_slot(PENDING) != "change_order" or not isinstance(changes, list) or not changes:
        refused = change_refused_for_stock(tracker)
        if refused is None or tracker.get_slot(TARGET) != refused[0]:
            return None
        changes = refused[1]
    return [{"sku": line["sku"], "name": line["name"], "quantity": int(line["quantity"])} for line in changes]


def _instead_of_the_short(lines: List[Dict[str, Any]], refused: List[Dict[str, Any]],
                          result: ChangeResult) -> ChangeResult:
    """ "ok 2 english breakfast then" after "Masala Chai is out of stock. Similar items in stock: …":
    the other product instead of what the refused change added, which keeps the order's count;
    "ok make it 2 then" changes that count and keeps it."""
    held = {line["sku"]: int(line["quantity"]) for line in lines}
    asked = {line["sku"]: int(line["quantity"]) for line in refused}
    after = {line["sku"]: dict(line) for line in result.lines}
    added_other = any(sku not in asked for sku in after)
    untouched = [sku for sku in _changed_skus(lines, refused) if sku in after and after[sku]["quantity"] == asked[sku]]
    if not added_other or not untouched:
        return result
    for sku in untouched:
        if sku in held:
            after[sku]["quantity"] = held[sku]
        else:
            del after[sku]
    return ChangeResult(lines=list(after.values()), changed=True)


def _same_lines(before: List[Dict[str, Any]], after: List[Dict[str, Any]]) -> bool:
    """The change leaves every item and count as the order has them."""
    return ({line["sku"]: int(line["quantity"]) for line in before}
            == {line["sku"]: int(line["quantity"]) for line in after})


def _changed_skus(before: List[Dict[str, Any]], after: List[Dict[str, Any]]) -> List[str]:
    """The items a change is about: added, or their count changed."""
    held = {line["sku"]: int(line["quantity"]) for line in before}
    return [line["sku"] for line in after if held.get(line["sku"]) != int(line["quantity"])]


async def _replaced(tracker: Tracker, lines: List[Dict[str, Any]], entities: List[Dict[str, Any]],
                    text: str) -> Optional[ChangeResult]:
    """ "swap the hand grinder for the electric one": the order's lines with that item replaced;
    None when the message replaces no item (then it reads as any other change). With more changes
    in the message ("remove the blue mugs and swap the red mug for a white one"), each in turn."""
    if REPLACING.search(text) is None:
        return None
    parts = clauses(text, entities)
    try:
        async with BackendClient(tracker.sender_id) as backend:
            if len(parts) == 1:
                return await replacement(backend, lines, entities, text)
            result = ChangeResult(lines=list(lines))
            for number, (part, found) in enumerate(parts, 1):
                step = await replacement(backend, result.lines, found, part) or apply_changes(result.lines, found, part)
                if step.problem is not None and (step.problem != ("empty", "") or number == len(parts)):
                    return step  # "empty" only once every change is made: one may add what another took out
                result = ChangeResult(lines=step.lines, changed=result.changed or step.changed)
            return result
    except BackendError as error:
        logger.warning("reading a replacement failed: %s", error)
        return None


# Words of product names that tell none apart: "add the teapot with the lid" is no "Glass Teapot with Infuser".
_TELLS_NOTHING = frozenset("with and for the of a an in on to l ml g kg cm set pair pack".split())


async def _told_apart(tracker: Tracker, entities: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """ "ok aur ek mug add kar do blue wala": the one product named, of several it could be, that a word
    of the message tells apart (the blue mug, whose name alone has "blue"; t4 M2: not the red mug
    the order held, nor "which mug?"). The entities as they were when it names several products,
    or no word tells."""
    products = [entity for entity in entities if entity.get("entity") == "product"]
    if len(products) != 1 or len(products[0].get("skus") or []) < 2:
        return entities
    try:
        async with BackendClient(tracker.sender_id) as backend:
            options = [{"sku": p.sku, "name": p.name} for p in [await backend.get_product(sku)
                                                                  for sku in products[0]["skus"]]]
    except BackendError as error:
        logger.warning("product lookup failed: %s", error)
        return entities
    said = " ".join(word for word in re.findall(r"[a-z]+", besides(text, str(products[0].get("value") or "")).lower())
                    if word not in _TELLS_NOTHING)
    picked = pick_alternative(options, said)
    if picked is None:
        return entities
    return [{**entity, "skus": [picked["sku"]], "value": picked["name"]} if entity is products[0] else entity
            for entity in entities]


def _answer_to_choice(choice: Dict[str, Any], entities: List[Dict[str, Any]],
                      text: str) -> Optional[List[Dict[str, Any]]]:
    """The waiting change's entities with the product picked ("the glass one", a button's SKU, "glass
    teapot"); None if the message picks none of the options (it is then a change of its own)."""
    picked = option_picked(choice["options"], text, entities)
    if picked is None:
        return None
    answered = [dict(e) for e in choice["entities"]]
    answered[choice["index"]].update(skus=[picked["sku"]], value=picked["name"])
    return answered


def _leaves_the_choice(tracker: Tracker) -> bool:
    """ "thanks", "ok bye", "never mind" to "which kettle do you mean?", picking none of them."""
    choice = tracker.get_slot(CHOICE)
    text = tracker.latest_message.get("text") or ""
    return (bool(choice) and tracker.get_slot("requested_slot") == CHANGES and takes_leave(tracker)
            and option_picked(choice["options"], text, tracker.latest_message.get("entities") or []) is None)


async def _leave_the_choice(dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> List[Dict[Text, Any]]:
    """Leaves "which kettle do you mean?" as "stop" leaves the form, the order unchanged; a change to
    the order still waiting for its "yes" leaves it waiting, its summary asked again."""
    number = tracker.get_slot(PENDING_ORDER)
    target = tracker.get_slot(TARGET) or {}
    if number and target.get("number") == number and tracker.get_slot(PENDING) == "place_order":
        asked = await ask_to_place_again(dispatcher, tracker, number)
        if asked:  # the form ends here: action_confirm_order_change would drop the question
            return events_clearing((CHOICE, CHANGES, TARGET, "requested_slot")) + asked + [
                FollowupAction("action_listen")]
    return await leave(dispatcher, tracker, domain)


class ActionAskOrderChanges(Action):
    """Shows what the order holds now and asks what to change; while "which teapot?" waits, that."""

    def name(self) -> Text:
        return "action_ask_order_changes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot(CHOICE):
            # asked by the validation just now; after a side question's answer, asked again as it was
            if not said_this_turn(tracker, "utter_change_which_product"):
                say_again(dispatcher, tracker, ("utter_change_which_product",))
            return []
        target = tracker.get_slot(TARGET) or {}
        dispatcher.utter_message(response="utter_ask_order_changes", number=target.get("number", ""),
                                 lines=_lines_text(target.get("lines", []), target.get("currency", "EUR")))
        return []


class ActionConfirmOrderChange(Action):
    """The filled form: the order as it would be, with its new total, and "shall I change it?"."""

    def name(self) -> Text:
        return "action_confirm_order_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        target, changes = tracker.get_slot(TARGET), tracker.get_slot(CHANGES)
        if not target or not changes:
            return events_clearing(FLOW_SLOTS)  # refused by the form, which said why
        if _same_lines(target["lines"], changes):  # nothing to propose: never "shall I change it?" (qa15 F30)
            dispatcher.utter_message(response="utter_order_change_kept", number=target["number"])
            return events_clearing(FLOW_SLOTS)
        prices = {line["sku"]: line for line in target["lines"]}
        try:
            async with BackendClient(tracker.sender_id) as backend:
                short, read = await _short_of_stock(backend, target, changes)
                if short:  # said now, not after the "yes": the summary would promise what isn't there
                    await _say_short_stock(dispatcher, backend, short, {line["sku"] for line in changes}, read)
                    return events_clearing(FLOW_SLOTS)
                lines = [await self._priced(backend, line, prices) for line in changes]
        except BackendError as error:
            logger.warning("pricing the order change failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return events_clearing(FLOW_SLOTS)
        subtotal = sum(line["quantity"] * line["unit_price_minor"] for line in lines)
        shipping = 0 if subtotal >= FREE_SHIPPING_FROM_MINOR else SHIPPING_MINOR
        currency = target["currency"]
        dispatcher.utter_message(
            response="utter_confirm_order_change", number=target["number"], lines=_lines_text(lines, currency),
            subtotal=format_price(subtotal, currency), shipping=format_price(shipping, currency),
            total=format_price(subtotal + shipping, currency))
        return [SlotSet(CHANGES, lines), SlotSet(PENDING, "change_order")]

    @staticmethod
    async def _priced(backend: BackendClient, line: Dict[str, Any], prices: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
        """Agreed prices stay for SKUs already in the order; new SKUs cost today's price."""
        known = prices.get(line["sku"])
        if known is not None:
            return {**line, "name": known["name"], "unit_price_minor": known["unit_price_minor"]}
        product = await backend.get_product(line["sku"])
        return {**line, "name": product.name, "unit_price_minor": product.price_minor}


async def answer_change_order(dispatcher: CollectingDispatcher, tracker: Tracker, affirmed: bool) -> List[Dict[Text, Any]]:
    """"yes" sends the new lines; "no" keeps the order as it was."""
    target, changes = tracker.get_slot(TARGET) or {}, tracker.get_slot(CHANGES) or []
    number = target.get("number")
    if not affirmed:
        dispatcher.utter_message(response="utter_order_change_kept", number=number)
        return events_clearing(FLOW_SLOTS)
    if _same_lines(target.get("lines") or [], changes):  # a "done, changed" would say what didn't happen
        dispatcher.utter_message(response="utter_order_change_kept", number=number)
        return events_clearing(FLOW_SLOTS)
    lines = [{"sku": line["sku"], "quantity": int(line["quantity"])} for line in changes]
    try:
        async with BackendClient(tracker.sender_id) as backend:
            try:
                order = await backend.change_items(number, lines)
            except Refused as refusal:
                if refusal.code != "insufficient_stock":
                    raise
                await _say_short_stock(dispatcher, backend, refusal.items, {line["sku"] for line in lines})
                return events_clearing(FLOW_SLOTS)
    except Refused as refusal:
        if not await said_why_locked(dispatcher, tracker, number):
            dispatcher.utter_message(response="utter_order_change_refused", number=number, reason=refusal.detail)
        return events_clearing(FLOW_SLOTS)
    except BackendError as error:  # still pending: "yes" again retries (a PUT is safe to repeat)
        logger.warning("changing the items of %s failed: %s", number, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_order_changed", number=order.number,
                             total=format_price(order.total_minor, order.currency))
    return events_clearing(FLOW_SLOTS)


async def _short_of_stock(backend: BackendClient, target: Dict[str, Any],
                          changes: List[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Dict[str, Product]]:
    """The lines whose added units exceed what is free now, as the backend's refusal lists them
    ({"sku", "requested", "available"}): the order's own units are held already. With the
    products read for it, by SKU."""
    held = {line["sku"]: int(line["quantity"]) for line in target["lines"]}
    short, read = [], {}
    for line in changes:
        extra = int(line["quantity"]) - held.get(line["sku"], 0)
        if extra > 0:
            product = read[line["sku"]] = await backend.get_product(line["sku"])
            if extra > product.available:
                short.append({"sku": line["sku"], "requested": int(line["quantity"]),
                              "available": held.get(line["sku"], 0) + max(product.available, 0)})
    return short, read


async def _say_short_stock(dispatcher: CollectingDispatcher, backend: BackendClient,
                           short: List[Dict[str, Any]], ordered: set, read: Optional[Dict[str, Product]] = None) -> None:
    for entry in short:
        product = (read or {}).get(entry["sku"]) or await backend.get_product(entry["sku"])
        available = int(entry["available"])
        dispatcher.utter_message(  # its SKU: "when will it be back" next is about this product
            response="utter_order_short_stock" if available > 0 else "utter_order_out_of_stock",
            name=product.name, sku=product.sku, requested=entry["requested"], available=available,
            alternatives=await stock_alternatives(backend, product, ordered))
    dispatcher.utter_message(response="utter_order_change_not_sent")

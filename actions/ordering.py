"""Place an order, part 1: the order form collects items, a shipping address and a contact.

Slots: `order_draft` holds what the user asked for so far (actions/order_draft.py reads messages
into it). `order_items` is the same list once every item has a SKU and a quantity; the form asks
until then. `order_alternatives` holds the in-stock products offered
when an item was short ({"sku", "name"} each), so "ok, 2 blue ones instead" can pick one. Creating
the order is in actions/place_order.py.

How the form reads a message, in turn: words of leaving around an answer (never_mind_answers.py),
its question left or put off (unanswered_questions.py), a first message that is no order
(order_form_start.py) or an aside while it asks (order_asides.py); then the items: edits of the
draft (draft_edits.py, several at once: message_parts.py), "which kettle?" and "how many?"
(draft_questions.py), a product offered or shown taken (takes_the_shown.py), what else the message
adds (items_said.py), and the stock (short_stock.py); the address (order_address.py).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendError
from actions.cancel import ActionAnswerConfirmation
from actions.draft_edits import changes_items, edits_items, recount_or_keep_only, swap, take_out
from actions.draft_questions import answer_to_the_choice, open_choice
from actions.form_answers import (acknowledge_details, answer_before_a_correction, free_text_answer, intent_of,
                                  said_this_turn)
from actions.items_said import REORDER, add_items, answer_how_many, the_last_order_again, with_colours_named
from actions.message_parts import edits_one_by_one, message_view
from actions.never_mind_answers import answer_after_a_never_mind, kept_as_it_was
from actions.order_address import (address_given, address_of, early_address, last_order, orders_with_its_address,
                                   without_contact_lines)
from actions.order_asides import answer_while_ordering
from actions.order_draft import EACH_OF_THEM, is_complete, settle_by_names
from actions.order_form_start import answer_instead_of_an_order, answered_instead, asks_of_a_product_instead
from actions.order_slots import ADDRESS, ALTERNATIVES, CONTACT, DRAFT, ITEMS, SAVED
from actions.parsing import (address_refusal, complete_address, contact_detail, contact_details, contact_with_address,
                             format_address, format_price, joined_contact, parse_address)
from actions.placed_order_edits import adds_to_a_placed_order
from actions.return_continuations import continues_a_return
from actions.yes_to_cancel import says_yes_to_the_cancel
from actions.separate_order import added_items, leave_the_change, wants_a_separate_order
from actions.short_stock import check_stock, refuse_counts_out_of_range
from actions.takes_the_shown import offered_or_shown_taken
from actions.unanswered_questions import leave_the_question, the_question_first

logger = logging.getLogger(__name__)

# The form asks for the contact with its own response, found by name:
# "utter_ask_order_form_order_contact".


class ValidateOrderForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("requested_slot") is None and says_yes_to_the_cancel(tracker):
            # "yes, found the mugs cheaper elsewhere too" at the cancel question, read as an order
            return answered_instead(await ActionAnswerConfirmation().run(dispatcher, tracker, domain))
        # "forget it, keep 20", "nah leave it as it was": the answer to "how many?"
        tracker = await answer_after_a_never_mind(tracker) or await kept_as_it_was(tracker) or tracker
        left = await leave_the_question(dispatcher, tracker, domain)  # "thanks" to "which kettle?", "bye"
        if left is not None:
            return left
        if wants_a_separate_order(tracker):
            return await self._separate_order(dispatcher, tracker, domain)
        first = the_question_first(dispatcher, tracker)  # "yes" at the summary before "which kettle?" is answered
        if first is not None:
            return first
        # not after the only item went out of stock at the summary ("…, 26122 Oldenburg" was order 26122)
        starting = tracker.get_slot("requested_slot") is None and not tracker.get_slot(DRAFT) \
            and not tracker.get_slot(ALTERNATIVES)
        handed_on = await self._handed_on(tracker, starting)
        if handed_on is not None:
            return handed_on
        # at its start, what orders nothing ("the teapot i got is cracked"); later, an aside to its question
        answer = answer_instead_of_an_order if starting else answer_while_ordering
        answered = await answer(dispatcher, tracker, domain)
        if answered is not None:
            return answered
        # "make it 2 white and 2 red": every slot's reading knows the red mugs
        return await super().run(dispatcher, await with_colours_named(tracker), domain)

    @staticmethod
    async def _handed_on(tracker: Tracker, starting: bool) -> Optional[List[Dict[Text, Any]]]:
        """The form ends and another takes the message: a return going on or a product asked about
        (at the form's start), a change to a placed order (at any time); None for anything else."""
        if starting and continues_a_return(tracker):
            # "i want to return 2 blue mugs", "the teapot too" after a return: never a new order
            return [SlotSet("requested_slot", None), FollowupAction("return_form")]
        if not orders_with_its_address(tracker) and await adds_to_a_placed_order(tracker):
            # Ending this form at its activation hands the same message to the change form.
            return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
        if starting and asks_of_a_product_instead(tracker):
            # "mokka pot", "kettle" on its own, "what is masala chai": its price and stock, not "how many?"
            return [SlotSet("requested_slot", None), FollowupAction("action_show_products")]
        return None

    async def extract_order_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        edits = edits_one_by_one(tracker)
        if len(edits) == 1:
            return await self._items_said(dispatcher, tracker)
        found: Dict[Text, Any] = {}
        for text, entities in edits:  # each edit on the draft the ones before it left
            draft = found.get(ITEMS, tracker.get_slot(DRAFT))
            said = await self._items_said(dispatcher, message_view(tracker, text, entities, draft))
            found.update({slot: value for slot, value in said.items() if value is not None})
        return found

    async def _items_said(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """The order's items after the latest message: added, taken out, recounted, or a question answered."""
        requested = tracker.get_slot("requested_slot")
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        text = tracker.latest_message.get("text") or ""
        if not draft and requested in (None, ITEMS) and REORDER.search(text):
            return await the_last_order_again(dispatcher, tracker)
        recounted = recount_or_keep_only(dispatcher, tracker, draft)  # "make the mugs 4", "just the glasses"
        if recounted is not None:
            return recounted
        adding = edits_items(tracker)
        if requested in (ADDRESS, CONTACT):  # "how much is the v60?", "add that too" while the address is asked
            taken = await offered_or_shown_taken(tracker, draft, text)
            if taken:
                return taken
        if not adding and requested not in (None, ITEMS):
            return {}
        if early_address(tracker):
            return {}  # its house number is not a quantity; extract_shipping_address keeps it
        chosen = await answer_to_the_choice(tracker, draft, text)  # "the cheaper one" to "which kettle?"
        if chosen is not None:
            return chosen
        taken = await offered_or_shown_taken(tracker, draft, text)
        if taken:
            return taken
        removed, entities = take_out(dispatcher, tracker, draft, text)  # "drop the colombia", "none"
        if removed is not None:
            return removed
        swapped = await swap(dispatcher, tracker, draft, entities, text)  # "replace the french press with a moka pot"
        if swapped is not None:
            return swapped
        if await answer_how_many(tracker, draft, entities, text):  # "ok give me whatever you have"
            return {ITEMS: draft}
        return await add_items(dispatcher, tracker, draft, entities, text, adding)

    async def _separate_order(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> List[Dict[Text, Any]]:
        """ "as a new order" to the change proposed for a placed order: that order stays, and what the
        change would have added are this order's items, checked as any items are."""
        events = leave_the_change(dispatcher, tracker)
        items = await self.validate_order_items(added_items(tracker), dispatcher, tracker, domain)
        return events + [SlotSet(slot, value) for slot, value in items.items()]

    async def validate_order_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == []:  # everything taken out: the form asks what to order
            return {ITEMS: None, DRAFT: []}
        if not value:
            dispatcher.utter_message(response="utter_order_product_not_found")
            return {ITEMS: None}
        draft = [dict(item) for item in value]
        refuse_counts_out_of_range(dispatcher, draft)
        if any(not item["sku"] for item in draft):
            await settle_by_names(tracker, draft)
        short, offered = await check_stock(dispatcher, tracker, draft)
        if short and draft and is_complete(draft):
            # only items with none left went: the rest goes on to the address ("What would you
            # like to order?" had been asked with the rest kept); an offer can still be added
            dispatcher.utter_message(response="utter_order_goes_on_without")
            return {ITEMS: draft, DRAFT: draft, ALTERNATIVES: offered}
        if short or not is_complete(draft):
            return {ITEMS: None, DRAFT: draft, **({ALTERNATIVES: offered} if short else {})}
        moot = {ALTERNATIVES: None} if tracker.get_slot(ALTERNATIVES) else {}  # offers for a short item
        return {ITEMS: draft, DRAFT: draft, **moot}

    async def extract_shipping_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if changes_items(tracker):
            return {}
        return await address_given(tracker)

    async def extract_order_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if changes_items(tracker):
            return {}
        return free_text_answer(tracker, CONTACT, lambda text: contact_detail(text) is not None,
                                "place_order")

    def validate_shipping_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        saved = tracker.get_slot(SAVED) or {}
        if saved and intent_of(tracker) == "affirm":
            return {ADDRESS: saved["address"], CONTACT: saved.get("contact"), SAVED: {}}
        if saved and intent_of(tracker) == "deny":
            return {ADDRESS: None, SAVED: {}}
        if isinstance(value, dict):
            return {ADDRESS: value}
        address, problem = parse_address(without_contact_lines(str(value or "")))
        earlier = answer_before_a_correction(tracker, "utter_invalid_address_") if address is None else None
        address = address or (complete_address(earlier, str(value or "")) if earlier else None)
        if address is None:
            response, values = address_refusal(without_contact_lines(str(value or "")), problem)
            dispatcher.utter_message(response=response, **values)
            return {ADDRESS: None}
        contact = contact_with_address(str(value or "")) if not tracker.get_slot(CONTACT) else None
        return {ADDRESS: address, **({CONTACT: contact} if contact else {})}  # "…, Ireland, ada@example.com"

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        contact = contact_details(str(value or ""))  # "ada@example.com, +353 85 123 4567": both
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
        return {CONTACT: contact}


class ActionAskOrderItems(Action):
    """Asks for what the draft lacks: which product, how many, or what to order at all."""

    def name(self) -> Text:
        return "action_ask_order_items"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        acknowledge_details(dispatcher, tracker)  # "Got the address and email." before "How many …?" again
        draft = [dict(item) for item in tracker.get_slot(DRAFT) or []]
        choice = open_choice(draft)
        if choice is not None:
            if EACH_OF_THEM.search(tracker.latest_message.get("text") or ""):
                # "one of each" for 2 of 3 teapots: which ones isn't said; how to say it
                example = " and ".join(f"1 {c['name']}" for c in choice["candidates"][:2])
                dispatcher.utter_message(response="utter_which_ones", example=example)
            return await self._ask_which(dispatcher, tracker, draft, choice)
        missing = next((item for item in draft if not item["quantity"]), None)
        if missing is not None:
            if not said_this_turn(tracker, "utter_order_quantity_out_of_range"):
                # not under "I can take between 1 and 20 … How many would you like?": asked once
                dispatcher.utter_message(response="utter_ask_order_quantity", name=missing["name"])
            return []
        dispatcher.utter_message(response="utter_ask_order_products")
        return []

    @staticmethod
    async def _ask_which(dispatcher: CollectingDispatcher, tracker: Tracker, draft: List[Dict[str, Any]],
                         choice: Dict[str, Any]) -> List[Dict[Text, Any]]:
        try:
            async with BackendClient(tracker.sender_id) as backend:
                products = [await backend.get_product(c["sku"]) for c in choice["candidates"]]
        except BackendError as error:
            logger.warning("product lookup failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        choice["candidates"] = [{"sku": p.sku, "name": p.name} for p in products]
        # Buttons only for what can be ordered now; the list still names the rest, marked.
        buttons = [{"title": f"{p.name} ({format_price(p.price_minor, p.currency)})",
                    "payload": f'/inform{{"product": "{p.sku}"}}'} for p in products if p.available > 0]
        options = "\n".join(f"• {p.name}: {format_price(p.price_minor, p.currency)}"
                            + ("" if p.available > 0 else " (out of stock)") for p in products)
        dispatcher.utter_message(response="utter_ask_which_product", name=choice["name"], options=options,
                                 buttons=buttons)
        return [SlotSet(DRAFT, draft)]


class ActionAskShippingAddress(Action):
    """Offers a known customer their last order's address and contact once, else asks for one."""

    def name(self) -> Text:
        return "action_ask_shipping_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if said_this_turn(tracker, "utter_invalid_address_"):
            return []  # "Which country is that in? …" asks already
        saved = tracker.get_slot(SAVED)
        if saved:  # asked again after a side question: the offer still stands
            dispatcher.utter_message(response="utter_ask_reuse_address", address=format_address(saved["address"]),
                                     contact=saved.get("contact") or "none")
            return []
        if saved is None:
            last = await last_order(tracker)
            if last is not None and last.shipping_address:
                contact = joined_contact(last.contact_email, last.contact_phone)
                dispatcher.utter_message(response="utter_ask_reuse_address",
                                         address=format_address(last.shipping_address),
                                         contact=contact or "none")
                saved = {"address": address_of(last),
                         "contact": contact}
                return [SlotSet(SAVED, saved)]
        dispatcher.utter_message(response="utter_ask_shipping_address")
        return [SlotSet(SAVED, {})]

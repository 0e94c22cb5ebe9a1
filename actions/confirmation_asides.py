"""Answers to a confirmation that say more than yes or no ("no bots please", "no, as a new order"), taken as what they say."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel_answers import change_instead, offer_lapsed
from actions.cancel_follow_ups import what_the_cancel_did
from actions.cancel_items import items_out_at_the_change_question, items_out_at_the_question, propose_without
from actions.cancel_questions import PENDING, another_order_named, changes_instead_of_cancelling
from actions.change_address import declines_the_new_address, keep_the_address, new_name_at_the_summary
from actions.no_question_open import with_no_question_open
from actions.order_hold import pass_the_extra_on
from actions.order_slots import DRAFT, ITEMS
from actions.person_offer_answers import cancel_after_the_offer_of_a_person
from actions.placed_order_edits import amends_the_change, moves_the_change, moves_the_new_order
from actions.return_continuations import changes_the_return
from actions.separate_order import added_items, leave_the_change, wants_a_separate_order
from actions.support import hand_over, refuses_a_bot
from actions.unplaced_order_items import put_back_into_the_unplaced_order, puts_back


async def answer_beside_the_question(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                     pending: Optional[str]) -> Optional[List[Dict[Text, Any]]]:
    """What a yes or no says whatever is asked, or nothing is: a person wanted, "did it work?", the
    address kept, a new name or an extra at the summary; None for none of them."""
    if refuses_a_bot(tracker.latest_message.get("text")):  # "no bots please", read as a no: a person wanted
        return await hand_over(dispatcher, tracker, domain)
    said = await what_the_cancel_did(dispatcher, tracker)
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
    return None


async def answer_other_than_yes_or_no(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                      pending: str, text: Optional[str]) -> Optional[List[Dict[Text, Any]]]:
    """An answer to the open question that asks for something else: an edit of the return, the
    change or the order, another order's cancel, a change instead of the cancel, the last edit at
    the summary put back; None for a plain yes or no."""
    edit = await _an_edit_instead(dispatcher, tracker, pending)
    if edit is not None:
        return edit
    other = await _other_than_this_cancel(dispatcher, tracker, domain, pending, text)
    if other is not None:
        return other
    if pending == "place_order" and puts_back(text):
        # "actually put it back", "ok then keep the red one after all": the last edit undone, not a no
        return await put_back_into_the_unplaced_order(dispatcher, tracker, domain)
    return None


async def _an_edit_instead(dispatcher: CollectingDispatcher, tracker: Tracker,
                           pending: str) -> Optional[List[Dict[Text, Any]]]:
    """A no that edits what the question is about: the return, a separate order, the change."""
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
    return None


async def _other_than_this_cancel(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                                  pending: str, text: Optional[str]) -> Optional[List[Dict[Text, Any]]]:
    """At a cancel's question (or a person offered at it): another order, the offer gone, items
    out or a change instead of the cancel, or the cancel asked again."""
    if pending == "cancel_order" and another_order_named(tracker):
        # "yes cancel OB-…" naming another order than the one asked about: that one is asked about
        from actions.cancel import ActionCancelOrder  # here: actions.cancel imports this module
        return await ActionCancelOrder().run(dispatcher, tracker, domain)
    if pending == "cancel_order" and offer_lapsed(tracker):
        # "refund?" → "I can cancel it instead", then "where is my order" answered: a later "ok"
        # or 😡 is about that answer, not a yes to the offer (it had walked on to a cancel)
        tracker.slots[PENDING] = None
        return [SlotSet(PENDING, None)] + await with_no_question_open(dispatcher, tracker, domain, text or "")
    if pending == "cancel_order":
        out = await items_out_at_the_question(tracker)
        if out is not None and out.left:  # "no just take the filters off": those out, not the order
            return await propose_without(dispatcher, tracker, out)
    if changes_instead_of_cancelling(tracker):
        # "yes 1 pair please", "no, just 1 pair" at the cancel question: that order changed instead
        return await change_instead(dispatcher, tracker)
    back_to_the_cancel = await cancel_after_the_offer_of_a_person(dispatcher, tracker)
    if back_to_the_cancel is not None:  # "no just cancel it" to "Shall I ask someone…?"
        return back_to_the_cancel
    return None

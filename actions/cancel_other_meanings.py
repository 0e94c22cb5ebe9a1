"""Messages read as a cancel that ask no new cancel: a return withdrawn, "did it work?", an undo, an answer to the question."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.back_to_the_order import order_again, wants_the_order_after_all
from actions.cancel_answers import change_instead
from actions.cancel_follow_ups import what_the_cancel_did
from actions.cancel_questions import (PENDING, another_order_named, answer_about_the_cancel, asked_just_now,
                                      changes_instead_of_cancelling, keeps_its_items, keeps_the_order,
                                      picks_an_order_to_cancel, says_the_next_one_too)
from actions.cancel_undo import undo_the_cancel
from actions.orders import entity_values, named_skus
from actions.parsing import decided_answer
from actions.return_withdrawal import withdraws_a_return


async def not_a_new_cancel(dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """What a message read as a cancel asks instead of a new cancel, answered; None when it asks one."""
    if withdraws_a_return(tracker.latest_message.get("text")):  # "cancel my return": the return form asks
        return [FollowupAction("return_form")]
    if wants_the_order_after_all(tracker):
        # "actually i changed my mind, place it after all" (a cancel to the NLU) right after the
        # order was not placed: it had asked "Which order would you like to cancel?"
        return await order_again(dispatcher, tracker, domain)
    said = await what_the_cancel_did(dispatcher, tracker)
    if said is not None:  # "is it cancelled now?", "did you cancel both" right after a cancel
        return said
    undone = await undo_the_cancel(dispatcher, tracker, domain)
    if undone is not None:  # "oops i didnt mean to cancel, can you undo that"
        return undone
    answered = await answer_about_the_cancel(dispatcher, tracker)
    if answered is not None:  # "what happens to my money if i cancel?" at the question: about its order
        return answered
    if changes_instead_of_cancelling(tracker):  # "can i change it to 1 pair instead of cancelling"
        return await change_instead(dispatcher, tracker)
    return None


def answers_the_cancel_question(tracker: Tracker) -> bool:
    """An answer to the cancel question open, read as a new cancel: "cancel the other one too" at the
    next order's question, "ok yes cancel it, found it cheaper elsewhere" (asked again without a
    word, it had lost its reason), "no wait keep the french press" (a no)."""
    return says_the_next_one_too(tracker) or _says_yes_to_the_question(tracker) or keeps_its_items(tracker)


def _says_yes_to_the_question(tracker: Tracker) -> bool:
    """A yes to the cancel question just asked that the NLU read as a new cancel ("ok yes cancel it,
    found it cheaper elsewhere"), or a no ("don't cancel it", "no, keep it, i confirm the order"):
    no other order picked or named, nothing but that order."""
    text = tracker.latest_message.get("text") or ""
    answered = keeps_the_order(text) or decided_answer(text) == "yes"
    return (tracker.get_slot(PENDING) == "cancel_order" and asked_just_now(tracker) and answered
            and not named_skus(tracker) and not entity_values(tracker, "category")
            and not picks_an_order_to_cancel(tracker) and not another_order_named(tracker))

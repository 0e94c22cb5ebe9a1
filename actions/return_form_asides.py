"""What the return form answers besides its questions: no return after all, or a word about one."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.order_forms import TARGET, events_clearing
from actions.placed_order_edits import swaps_an_item_of_a_placed_order
from actions.return_exchanges import exchange_without_an_order, offer_a_replacement, wants_a_replacement
from actions.return_policy_questions import asks_how_returns_work, how_returns_work
from actions.return_state import ITEMS, PENDING, REASON, entities_of, return_under_way, stop_the_form, text_of
from actions.return_withdrawal import (ask_to_take_out, ask_to_withdraw, keeps_items, takes_out_of_the_return,
                                       withdraws_a_return)
from actions.warranty_claims import claim_under_warranty

# "ok never mind the return for now", "forget the return", "i don't want to return it anymore": the
# whole message leaves the return ("never mind, it's just too big" is a reason).
LEAVES_THE_RETURN = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|oh|ah|no|nah|hmm+|well|actually|sorry|wait|i(?:'ve| have)? changed my mind)\W+)*"
    r"(?:never ?mind|nvm|forget (?:about )?(?:it|that|this|(?:the|my|this) return)|leave it|cancel (?:the|my|this) return|"
    r"(?:i )?(?:don'?t|do not|no longer) (?:want|need) to (?:return|send) (?:it|them|anything)(?: back)?|"
    r"no need to return(?: it| them| anything)?|i'?ll keep (?:it|them))"
    r"(?:\W+(?:(?:the|my|this) return|returning|for now|not now|later|then|after all|anyway|anymore|any more|thanks?|thank you|"
    r"i'?ll keep (?:it|them)))*\W*$")


async def answer_instead_of_a_return(dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """A message that wants no refund return after all: a cancel taken back, an item swapped on an
    order not sent, a repair, a replacement, or an exchange with no order to return. None otherwise."""
    undone = await _takes_back_a_cancel(dispatcher, tracker, domain)
    if undone is not None:  # "reinstate it", "uncancel it" about a cancelled order: no return
        return undone
    if tracker.get_slot("requested_slot") is None and await swaps_an_item_of_a_placed_order(tracker):
        # "replace the hand grinder with the electric grinder", not sent yet: the change form's
        return [SlotSet("requested_slot", None), FollowupAction("change_order_form")]
    claimed = await claim_under_warranty(dispatcher, tracker)
    if claimed is not None:  # "i want it repaired under warranty": the team's, not a refund
        return claimed
    if wants_a_replacement(text_of(tracker)):
        return await offer_a_replacement(dispatcher, tracker, domain)
    if await exchange_without_an_order(dispatcher, tracker):  # how exchanges work, not "which order?"
        return stop_the_form()
    return None


async def answer_about_a_return(dispatcher: CollectingDispatcher,
                                tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """A word about the registered return (an item out of it, or all of it withdrawn), leaving this
    one, or how returns work. None otherwise."""
    text = text_of(tracker)
    if tracker.get_slot("requested_slot") is None and keeps_items(text, entities_of(tracker)) \
            and _means_the_registered_return(tracker):
        # "ill keep the chai, still returning the teapot": the chai out of the return registered
        taken = await ask_to_take_out(dispatcher, tracker, only_what_it_holds=True)
        if taken is not None:
            return taken
    if takes_out_of_the_return(text) and _means_the_registered_return(tracker):
        # "withdraw the blue mug from the return, i keep it": that item out, the rest stays
        return await ask_to_take_out(dispatcher, tracker)
    if withdraws_a_return(text) and _means_the_registered_return(tracker):
        # "actually cancel my return, i'll keep them": the return already registered
        return await ask_to_withdraw(dispatcher, tracker)
    if leaves_the_return(tracker):
        return _leave_the_return(dispatcher, tracker)
    if asks_how_returns_work(text):
        return how_returns_work(dispatcher, tracker)
    return None


def leaves_the_return(tracker: Tracker) -> bool:
    """ "ok never mind the return for now", "forget the return", "no i don't want to send them back":
    no product named to send back."""
    products = any(e.get("entity") in ("product", "category") for e in entities_of(tracker))
    text = text_of(tracker)
    return (LEAVES_THE_RETURN.search(text) is not None or withdraws_a_return(text)) and not products


def _leave_the_return(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The return is left (or not started); another task's open question stays as it was."""
    under_way = bool(tracker.get_slot(TARGET) or tracker.get_slot(ITEMS)) or tracker.get_slot(PENDING) == "return_order"
    dispatcher.utter_message(response="utter_stopped" if under_way else "utter_nothing_to_stop")
    slots = (TARGET, ITEMS, REASON) + ((PENDING,) if tracker.get_slot(PENDING) == "return_order" else ())
    return events_clearing(slots) + stop_the_form()


def _means_the_registered_return(tracker: Tracker) -> bool:
    """ "cancel my return" with no return being made, or while more joins a registered one: the
    registered return (else it leaves the one being made)."""
    return not return_under_way(tracker) or bool((tracker.get_slot(TARGET) or {}).get("returning"))


async def _takes_back_a_cancel(dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Optional[List[Dict[Text, Any]]]:
    """ "reinstate it", "can you reinstate my order", "restore my cancelled order" read as a return:
    the cancel's answer (a cancelled order stays so, its items offered as a new order), never the
    return's refusal or questions; only as a return starts ("undo my return" withdraws one)."""
    text = text_of(tracker)
    if return_under_way(tracker) or withdraws_a_return(text) or takes_out_of_the_return(text):
        return None
    from actions.cancel_undo import undo_the_cancel_at_a_form  # here: actions.cancel_undo imports the return modules
    return await undo_the_cancel_at_a_form(dispatcher, tracker, domain)

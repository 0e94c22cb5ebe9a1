"""Cancel an order: only the customer's own, only where its state allows, only after a clear yes."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.back_to_the_order import back_to_the_unplaced_order
from actions.cancel_answers import cancel_or_keep, take_up_the_offer
from actions.cancel_other_meanings import answers_the_cancel_question, not_a_new_cancel
from actions.cancel_questions import PENDING, offered_cancel
from actions.cancel_request import answer_short_of_a_cancel, read_the_request
from actions.cancel_target import ask_about_the_order_meant
from actions.confirmation_asides import answer_beside_the_question, answer_other_than_yes_or_no
from actions.confirmation_readings import (answers_the_question, ask_again_or_drop, ask_for_a_yes_or_no, decide,
                                           is_unclear, picks_another_order)
from actions.confirmations import ANSWERS, ASKED_BY, stray_order_form
from actions.form_answers import intent_of
from actions.no_question_open import with_no_question_open
from actions.person_offer_answers import answer_human_offer
from actions.unplaced_order_items import answer_the_summary
from actions.yes_to_cancel import read_as_a_yes


class ActionCancelOrder(Action):
    """Finds the order to cancel and asks for confirmation; cancels nothing by itself."""

    def name(self) -> Text:
        return "action_cancel_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        instead = await not_a_new_cancel(dispatcher, tracker, domain)
        if instead is not None:  # "cancel my return", "did it work?", "undo that", "what about my money?"
            return instead
        if answers_the_cancel_question(tracker):  # "ok yes cancel it, found it cheaper": a yes, its reason stored
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        request = read_the_request(tracker)
        answered = await answer_short_of_a_cancel(dispatcher, tracker, domain, request)
        if answered is not None:  # the fee alone, a change dropped, the order being made or at its summary
            return answered
        return await ask_about_the_order_meant(dispatcher, tracker, domain, request)


async def cancel_at_a_form(dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """ "cancel the mugs order too, keep only the french press" read as a change of items: a cancel
    of the order told by its items, asked as any cancel is; the form ends asking nothing."""
    events = await ActionCancelOrder().run(dispatcher, tracker, domain)
    ending = [SlotSet("requested_slot", None), ActiveLoop(None)]
    return events + [event for event in ending if event not in events] + [FollowupAction("action_listen")]


class ActionAnswerConfirmation(Action):
    """Handles "yes" and "no": acts only on a confirmation the bot has just asked for."""

    def name(self) -> Text:
        return "action_answer_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        stray = stray_order_form(tracker)
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
        aside = await answer_beside_the_question(dispatcher, tracker, domain, pending)
        if aside is not None:
            return aside
        if pending not in ASKED_BY:
            return await with_no_question_open(dispatcher, tracker, domain, text or "")
        instead = await answer_other_than_yes_or_no(dispatcher, tracker, domain, pending, text)
        if instead is not None:
            return instead
        decided = decide(tracker, pending, text)
        if decided is None and picks_another_order(tracker, pending):
            return await ActionCancelOrder().run(dispatcher, tracker, domain)  # "the other one": asked about
        if decided is not None:
            # the words decide, not the NLU: "no its fine" and "sorry i meant yes" read either way
            tracker.latest_message["intent"] = {"name": "affirm" if decided == "yes" else "deny", "confidence": 1.0}
        elif is_unclear(tracker, pending, text):
            return await ask_for_a_yes_or_no(dispatcher, tracker, pending)
        if not answers_the_question(tracker, pending, text, self.name()):
            return ask_again_or_drop(dispatcher, tracker, pending)
        return await self._carry_out(dispatcher, tracker, domain, pending, decided, text)

    @staticmethod
    async def _carry_out(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any],
                         pending: str, decided: Optional[str], text: Optional[str]) -> List[Dict[Text, Any]]:
        """The yes or no to `pending` carried out by its flow."""
        affirmed = intent_of(tracker) == "affirm"
        if pending == "place_order":
            return await answer_the_summary(dispatcher, tracker, domain, decided, text)
        if pending == "cancel_order" and offered_cancel(tracker):
            return await take_up_the_offer(dispatcher, tracker, affirmed)
        if pending in ANSWERS:
            events = await ANSWERS[pending](dispatcher, tracker, affirmed)
            return events + await back_to_the_unplaced_order(dispatcher, tracker, events)
        if pending == "human_handoff":
            return await answer_human_offer(dispatcher, tracker, affirmed)
        return await cancel_or_keep(dispatcher, tracker, domain, text)

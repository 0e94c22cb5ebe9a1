"""QA round 15, support: data deletion asked before it is filed, the fallback's declined person,
"no bots please", what the customer hears after a handoff, clear out-of-scope requests, closing a
ticket, and a person asked for in an FAQ question."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.conversation import ActionGreet
from actions.faq import ActionAnswerFaq
from actions.fallback import ActionFallback
from actions.orders import ActionDeliveryTime
from actions.support import ActionOpenTicket
from actions.ticket_follow_ups import when_the_team_answers
from tests.actions.test_faq import faq_tracker
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_support import staff_ticket, tickets_of


def turn(identity: str, text: str, intent: str, said=(), slots=None, confidence: float = 0.9):
    """The customer's `text` after the bot's replies `said` ((response, text) pairs, oldest first)."""
    tracker = tracker_for(identity, text, slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": confidence}
    tracker.events = [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]
    for response, words in said:
        tracker.events += [{"event": "bot", "text": words, "metadata": {"utter_action": response}},
                           {"event": "action", "name": "action_listen"},
                           {"event": "user", "text": "…", "parse_data": {"intent": {"name": "inform"}}}]
    tracker.events[-1] = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return tracker


def responses(dispatcher: CollectingDispatcher) -> list:
    return [m["response"] for m in dispatcher.messages]


# --- F1: deleting the account or a detail is asked first; a question about it is answered ----------

@pytest.mark.parametrize("text", ["how do i delete my account and data",
                                  "is it possible to delete my account later if i want?"])
async def test_a_question_how_to_delete_the_account_is_answered_and_files_nothing(backend, text):
    dispatcher = CollectingDispatcher()
    tracker = faq_tracker(text, "utter_faq/account")
    tracker.sender_id = new_identity()
    assert await ActionAnswerFaq().run(dispatcher, tracker, {}) == []
    assert responses(dispatcher) == ["utter_data_deletion_how"]
    assert tickets_of(backend, tracker.sender_id) == []


@pytest.mark.parametrize("text", ["i want to delete my account", "close my account"])
async def test_deleting_the_account_is_asked_first_and_filed_on_yes(backend, text):
    identity = new_identity()
    asked = faq_tracker(text, "utter_faq/account")
    asked.sender_id = identity
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, asked, {}) == [SlotSet("pending_confirmation", "human_handoff")]
    assert responses(dispatcher) == ["utter_confirm_data_deletion"]
    assert tickets_of(backend, identity) == []

    question = [("utter_confirm_data_deletion", "This deletes your account … Shall I ask our team to delete it?")]
    yes = turn(identity, "yes", "affirm", question, {"pending_confirmation": "human_handoff"})
    filed = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(filed, yes, {})
    assert responses(filed) == ["utter_data_deletion_ticket"] and not filed.messages[0]["custom"]
    assert SlotSet("pending_confirmation", None) in events
    assert [t["reason"] for t in tickets_of(backend, identity)] == ["data deletion request"]


async def test_no_to_deleting_the_account_files_nothing(backend):
    identity = new_identity()
    question = [("utter_confirm_data_deletion", "This deletes your account … Shall I ask our team to delete it?")]
    no = turn(identity, "no, keep it", "deny", question, {"pending_confirmation": "human_handoff"})
    kept = CollectingDispatcher()
    await ActionAnswerConfirmation().run(kept, no, {})
    assert responses(kept) == ["utter_no_human_then"]
    assert tickets_of(backend, identity) == []


async def test_removing_a_phone_number_from_the_records_is_asked_then_filed(backend):
    """qa3-79: "please remove my phone number from your system" got the shop's phone number."""
    identity = new_identity()
    asked = turn(identity, "please remove my phone number from your system", "contact_human_agent")
    dispatcher = CollectingDispatcher()
    assert await ActionOpenTicket().run(dispatcher, asked, {}) == [SlotSet("pending_confirmation", "human_handoff")]
    assert [(m["response"], m["detail"]) for m in dispatcher.messages] == [("utter_confirm_detail_removal", "phone number")]
    question = [("utter_confirm_detail_removal", "Shall I ask our team to remove your phone number from our records?")]
    filed = CollectingDispatcher()
    await ActionAnswerConfirmation().run(filed, turn(identity, "yes please", "affirm", question,
                                                     {"pending_confirmation": "human_handoff"}), {})
    assert responses(filed) == ["utter_detail_removal_ticket"]
    assert [t["reason"] for t in tickets_of(backend, identity)] == ["personal details removal request"]


# --- F16: a declined person is not handed over on the next unclear message ------------------------

async def test_nonsense_read_as_a_yes_after_declining_a_person_starts_the_fallback_again(backend):
    """qa3-53: "hmmm" offered a person, "no thanks", then "ghhh" (read as a yes) opened ticket #117."""
    identity = new_identity()
    declined = [("utter_ask_rephrase", "Sorry, I didn't quite get that."),
                ("utter_offer_human", "Sorry, I still don't understand. Shall I ask someone?"),
                ("utter_no_human_then", "Okay. Anything else I can help with?")]
    dispatcher = CollectingDispatcher()
    await ActionAnswerConfirmation().run(dispatcher, turn(identity, "ghhh", "affirm", declined, confidence=0.3), {})
    assert responses(dispatcher) == ["utter_ask_rephrase"]
    again = CollectingDispatcher()
    await ActionAnswerConfirmation().run(again, turn(identity, "meh", "affirm", declined + [
        ("utter_ask_rephrase", "Sorry, I didn't quite get that.")], confidence=0.5), {})
    assert responses(again) == ["utter_offer_human"]
    assert tickets_of(backend, identity) == []
    changed_mind = CollectingDispatcher()
    await ActionAnswerConfirmation().run(changed_mind, turn(identity, "hmm ok actually yes", "affirm", declined), {})
    assert responses(changed_mind) == ["utter_handoff_ticket"]


# --- F20: "no bots please" ------------------------------------------------------------------------

@pytest.mark.parametrize("text, intent", [("I don't want to talk to a robot", "contact_human_agent"),
                                          ("not a bot, a real person", "contact_human_agent"),
                                          ("no bots please", "nlu_fallback")])
async def test_refusing_the_bot_hands_over_to_a_person(backend, text, intent):
    dispatcher = CollectingDispatcher()
    tracker = turn(new_identity(), text, intent)
    action = ActionOpenTicket() if intent == "contact_human_agent" else ActionFallback()
    await action.run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_handoff_ticket"]
    assert dispatcher.messages[0]["custom"] == {"handoff": {"ticket_id": dispatcher.messages[0]["ticket_id"]}}


# --- F4/F5: after a handoff ------------------------------------------------------------------------

@pytest.mark.parametrize("now, heard", [
    (datetime(2026, 12, 7, 3, 29, tzinfo=timezone.utc), "Our team is offline right now; someone will answer you here today from 9:00 CET."),
    (datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc), "Someone should answer you here soon."),
    (datetime(2026, 12, 11, 18, 30, tzinfo=timezone.utc), "Our team is offline right now; someone will answer you here tomorrow from 10:00 CET."),
    (datetime(2026, 12, 12, 14, 0, tzinfo=timezone.utc), "Our team is offline right now; someone will answer you here on Monday from 9:00 CET."),
])
def test_when_the_team_answers_follows_the_support_hours(now, heard):
    assert when_the_team_answers(now) == heard


async def test_a_call_me_request_hears_that_the_team_answers_here(backend):
    """qa3-12: "can someone call me on +49 …" was never told whether anyone would call."""
    dispatcher = CollectingDispatcher()
    await ActionOpenTicket().run(dispatcher, turn(new_identity(), "can someone call me on +49 151 2345678",
                                                  "contact_human_agent"), {})
    assert responses(dispatcher) == ["utter_handoff_ticket_no_calls"]
    assert "handoff" in dispatcher.messages[0]["custom"]


async def test_follow_ups_after_a_handoff_are_about_the_waiting_ticket_and_join_it(backend):
    """qa3-6: "hello? anyone there?" got the greeting, and the ticket never got the follow-ups."""
    identity = new_identity()
    handed = CollectingDispatcher()
    await ActionOpenTicket().run(handed, turn(identity, "can i just talk to someone", "contact_human_agent"), {})
    ticket_id = handed.messages[0]["ticket_id"]
    handoff = [("utter_handoff_ticket", f"I've asked our team to take over (ticket #{ticket_id}).")]

    greeted = CollectingDispatcher()
    assert await ActionGreet().run(greeted, turn(identity, "hello? anyone there?", "greet", handoff), {}) == []
    assert [(m["response"], m["ticket_id"]) for m in greeted.messages] == [("utter_ticket_waiting", ticket_id)]
    assert greeted.messages[0]["when"] == when_the_team_answers()
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == "hello? anyone there?"

    waiting = handoff + [("utter_ticket_waiting", f"Your ticket #{ticket_id} is with our team …")]
    call = CollectingDispatcher()
    await ActionOpenTicket().run(call, turn(identity, "so will they call me or not?", "contact_human_agent", waiting), {})
    assert [(m["response"], m["ticket_id"]) for m in call.messages] == [("utter_ticket_waiting_no_calls", ticket_id)]
    assert [t["id"] for t in tickets_of(backend, identity)] == [ticket_id]

    when = CollectingDispatcher()  # read as a delivery time question
    await ActionDeliveryTime().run(when, turn(identity, "how long will it take for someone to answer", "delivery_time",
                                              handoff), {})
    assert [(m["response"], m["ticket_id"]) for m in when.messages] == [("utter_ticket_waiting", ticket_id)]

    hello = CollectingDispatcher()  # no handoff before it: a greeting
    await ActionGreet().run(hello, turn(identity, "hello? anyone there?", "greet"), {})
    assert responses(hello) == ["utter_greet"]


# --- F14: clear out-of-scope requests, and a ticket the customer wants closed ---------------------

async def test_a_clear_out_of_scope_request_twice_offers_no_person(dispatcher):
    """qa3-18: "book me a flight to paris" after "can you check my bank balance" offered a person."""
    tracker = turn(new_identity(), "book me a flight to paris", "out_of_scope",
                   [("utter_out_of_scope", "Sorry, that's outside what I can help with.")], confidence=1.0)
    tracker.events[-3]["parse_data"] = {"intent": {"name": "out_of_scope"}}
    assert await ActionFallback().run(dispatcher, tracker, {}) == []
    assert responses(dispatcher) == ["utter_out_of_scope"]


async def test_closing_the_ticket_is_noted_on_it_and_offers_no_person(backend):
    """qa3-37: "it was my mistake … please close the ticket" was offered a person."""
    identity = new_identity()
    opened = CollectingDispatcher()
    await ActionOpenTicket().run(opened, turn(identity, "i was charged twice for my order", "payment_issue"), {})
    ticket_id = opened.messages[0]["ticket_id"]
    text = "oh wait, it was my mistake, the second charge was a different purchase. please close the ticket"
    closing = turn(identity, text, "payment_issue",
                   [("utter_payment_issue_ticket", f"I've opened ticket #{ticket_id} … Would you like someone?")],
                   {"pending_confirmation": "human_handoff", "offered_ticket": ticket_id})
    dispatcher = CollectingDispatcher()
    events = await ActionOpenTicket().run(dispatcher, closing, {})
    assert [(m["response"], m["ticket_id"]) for m in dispatcher.messages] == [("utter_ticket_close_noted", ticket_id)]
    assert SlotSet("pending_confirmation", None) in events and SlotSet("offered_ticket", None) in events
    assert staff_ticket(backend, ticket_id)["transcript"][-1]["text"] == text


# --- findings-1 F6: a person asked for in an FAQ question -----------------------------------------

async def test_a_person_asked_for_with_an_faq_question_is_handed_over(backend):
    dispatcher = CollectingDispatcher()
    tracker = faq_tracker("ok I want gift wrap, can i talk to a person about it before confirming",
                          "utter_faq/gift_wrapping")
    tracker.sender_id = new_identity()
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_handoff_ticket"]


@pytest.mark.parametrize("text", ["my friend works in your customer service",
                                  "i spoke to someone yesterday about my order"])
async def test_naming_someone_without_asking_for_them_offers_a_person_first(backend, text):
    """verify-3 N22: such statements (read as contact_human_agent) were handed over at once, and the
    gateway then kept the chat with staff until Monday."""
    dispatcher = CollectingDispatcher()
    events = await ActionOpenTicket().run(dispatcher, turn(new_identity(), text, "contact_human_agent"), {})
    assert responses(dispatcher) == ["utter_offer_a_person"]
    assert SlotSet("pending_confirmation", "human_handoff") in events

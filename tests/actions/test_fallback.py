"""Two-stage fallback: rephrase with suggestions, then a person on a second miss; "yes" hands over."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.fallback import ActionFallback
from tests.actions.test_change_order import confirmation
from tests.actions.test_orders import new_identity, tracker_for


def unclear(misses: int, before: str = "greet"):
    """A tracker whose last `misses` user messages were not understood."""
    tracker = tracker_for(new_identity(), "blorp")
    tracker.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.1}
    tracker.events = [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": before}}}]
    for _ in range(misses):
        tracker.events += [{"event": "action", "name": "action_listen"},
                           {"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    return tracker


async def test_fallback_first_miss_asks_to_rephrase_with_suggestions(dispatcher):
    events = await ActionFallback().run(dispatcher, unclear(1), {})
    assert events == [] and [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_fallback_second_miss_in_a_row_offers_a_person(dispatcher):
    events = await ActionFallback().run(dispatcher, unclear(2), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_human"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


async def test_out_of_scope_says_what_the_bot_can_do_then_offers_a_person(dispatcher):
    tracker = unclear(0)
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.8}
    tracker.events += [{"event": "user", "text": "asdkjh qwpoe", "parse_data": {"intent": {"name": "out_of_scope"}}}]
    assert await ActionFallback().run(dispatcher, tracker, {}) == []
    tracker.events += [{"event": "user", "text": "lkjsdf mnbv", "parse_data": {"intent": {"name": "out_of_scope"}}}]
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope", "utter_offer_human_out_of_scope"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


async def test_fallback_miss_after_understood_message_starts_over(dispatcher):
    tracker = unclear(1)
    tracker.events = [{"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                      {"event": "user", "text": "where is my order", "parse_data": {"intent": {"name": "track_order"}}},
                      {"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_fallback_yes_leaves_any_form_and_hands_over(backend, dispatcher):
    tracker = confirmation(new_identity(), "affirm", "action_fallback", {"pending_confirmation": "human_handoff"})
    events = await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_confirmation", None), SlotSet("paused_form", None), ActiveLoop(None),
                      SlotSet("requested_slot", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    assert dispatcher.messages[0]["custom"] == {"handoff": {"ticket_id": dispatcher.messages[0]["ticket_id"]}}


async def test_fallback_no_says_what_to_do_instead(dispatcher):
    tracker = confirmation(new_identity(), "deny", "action_fallback", {"pending_confirmation": "human_handoff"})
    events = await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_human_then"]
    assert events == [SlotSet("pending_confirmation", None), SlotSet("paused_form", None)]


async def test_fallback_late_yes_opens_nothing():
    dispatcher = CollectingDispatcher()
    tracker = confirmation(new_identity(), "affirm", "action_show_products", {"pending_confirmation": "human_handoff"})
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == [SlotSet("pending_confirmation", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ok"]

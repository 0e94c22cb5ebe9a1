"""Two-stage fallback: rephrase with suggestions, then a person on a second miss; "yes" hands over."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.fallback import ActionDefaultFallback, ActionFallback
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


async def test_how_many_left_read_as_out_of_scope_after_a_product_gives_its_stock(backend, dispatcher):
    tracker = tracker_for(new_identity(), "how many left")
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.5}
    tracker.slots["shown_products"] = ["MUG-CER-BLU"]
    await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_product_list"]
    assert "Ceramic Mug Blue" in dispatcher.messages[0]["products"]


async def test_gibberish_at_the_offer_of_a_person_hands_nothing_over(backend, dispatcher):
    tracker = confirmation(new_identity(), "affirm", "action_fallback", {"pending_confirmation": "human_handoff"})
    tracker.latest_message["text"] = "lkjlkj"
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages][:1] == ["utter_yes_or_no_first"]


async def test_a_yes_after_declining_a_person_and_an_insult_get_a_person(backend, dispatcher):
    """ "no thanks" to the offer, then "hmm ok actually yes": handed over; "you are useless" with
    nothing open: an apology and the offer, not "Okay."."""
    tracker = tracker_for(new_identity(), "hmm ok actually yes")
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.8}
    tracker.events = [{"event": "bot", "text": "Okay.", "metadata": {"utter_action": "utter_no_human_then"}},
                      {"event": "action", "name": "action_listen"}, {"event": "user", "text": "hmm ok actually yes"}]
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    insulted = CollectingDispatcher()
    tracker = tracker_for(new_identity(), "you are useless")
    tracker.latest_message["intent"] = {"name": "deny", "confidence": 0.6}
    events = await ActionAnswerConfirmation().run(insulted, tracker, {})
    assert [m["response"] for m in insulted.messages] == ["utter_sorry_offer_a_person"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


async def test_a_message_in_another_language_hears_english_only_and_is_offered_a_person(dispatcher):
    tracker = unclear(1)
    tracker.latest_message["text"] = "¿Dónde está mi pedido? Lo necesito para el viernes"
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_only_english"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


async def test_ja_bitte_to_the_offer_of_a_person_read_as_out_of_scope_hands_over(backend, dispatcher):
    tracker = confirmation(new_identity(), "out_of_scope", "action_fallback", {"pending_confirmation": "human_handoff"})
    tracker.latest_message["text"] = "ja bitte"
    await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]


async def test_a_turn_rasas_core_fallback_answered_counts_as_a_miss(dispatcher):
    """"do i get a return label" (an intent no action fitted: Rasa's core fallback said "didn't get
    that"), then an unclear message: the second miss in a row offers a person."""
    tracker = tracker_for(new_identity(), "do u guys give a return label")
    tracker.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.1}
    tracker.events = [
        {"event": "user", "text": "do i get a return label", "parse_data": {"intent": {"name": "refund_status"}}},
        {"event": "action", "name": "action_default_fallback"},
        {"event": "bot", "text": "Sorry, I didn't get that.", "metadata": {"utter_action": "utter_default"}},
        {"event": "rewind"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "do u guys give a return label", "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_human"]
    assert events == [SlotSet("pending_confirmation", "human_handoff")]


def answered_by_default(tracker, text: str = "and the thing", intent: str = "affirm"):
    """Adds a message Rasa's core fallback answered with `utter_default` (and reverted)."""
    tracker.events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                       {"event": "bot", "text": "Sorry, I didn't get that.", "metadata": {"utter_action": "utter_default"}},
                       {"event": "rewind"}]
    return tracker


async def test_core_fallback_says_it_did_not_get_it_and_reverts_the_message(dispatcher):
    tracker = unclear(0)
    tracker.events += [{"event": "user", "text": "and the thing", "parse_data": {"intent": {"name": "affirm"}}}]
    events = await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert events == [UserUtteranceReverted()]
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]


async def test_core_fallback_after_another_miss_offers_a_person(dispatcher):
    tracker = answered_by_default(unclear(0))
    tracker.events += [{"event": "user", "text": "the other thing then", "parse_data": {"intent": {"name": "deny"}}}]
    events = await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_human"]
    assert events == [UserUtteranceReverted(), SlotSet("pending_confirmation", "human_handoff")]


async def test_unclear_message_after_a_core_fallback_offers_a_person(dispatcher):
    tracker = answered_by_default(unclear(0))
    tracker.events += [{"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_human"]


async def test_core_fallback_inside_a_form_pauses_it_under_the_offer(dispatcher):
    tracker = answered_by_default(unclear(0))
    tracker.active_loop = {"name": "order_form"}
    tracker.events += [{"event": "user", "text": "hmm the what", "parse_data": {"intent": {"name": "inform"}}}]
    events = await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert events[:3] == [UserUtteranceReverted(), SlotSet("pending_confirmation", "human_handoff"),
                          SlotSet("paused_form", "order_form")]
    assert ActiveLoop(None) in events


async def test_a_place_we_dont_deliver_to_is_said_not_out_of_scope(dispatcher):
    """"how long to new york" and "what about australia" after Canada read as out of scope."""
    tracker = unclear(0)
    tracker.latest_message.update(text="how long to new york", intent={"name": "out_of_scope", "confidence": 0.7})
    assert await ActionFallback().run(dispatcher, tracker, {}) == []
    tracker = unclear(0)
    tracker.events += [{"event": "user", "text": "do you deliver to canada"},
                       {"event": "bot", "text": "Sorry, we don't deliver to Canada.",
                        "metadata": {"utter_action": "utter_not_delivered_there"}},
                       {"event": "action", "name": "action_listen"},
                       {"event": "user", "text": "what about australia"}]
    tracker.latest_message.update(text="what about australia", intent={"name": "out_of_scope", "confidence": 0.7})
    assert await ActionFallback().run(dispatcher, tracker, {}) == []
    weather = unclear(0)
    weather.latest_message.update(text="weather in new york", intent={"name": "out_of_scope", "confidence": 0.7})
    await ActionFallback().run(dispatcher, weather, {})
    assert [(m["response"], m.get("place")) for m in dispatcher.messages] == [
        ("utter_not_delivered_there", "New York"), ("utter_not_delivered_there", "Australia"), ("utter_out_of_scope", None)]


async def test_german_french_and_portuguese_hear_that_the_bot_speaks_english(dispatcher):
    for text in ("Guten Tag, wie lange dauert der Versand nach München?",
                 "Bonjour, je voudrais savoir si vous livrez en France", "olá, vocês entregam em Portugal?"):
        said = CollectingDispatcher()
        tracker = unclear(0)
        tracker.latest_message.update(text=text, intent={"name": "out_of_scope", "confidence": 0.7})
        await ActionFallback().run(said, tracker, {})
        assert [m["response"] for m in said.messages] == ["utter_only_english"], text


async def test_ok_after_another_answer_than_the_offer_of_a_person_hands_nothing_over(backend, dispatcher):
    """"." "?" "..." "ok": the "ok" came after an out-of-scope answer, two turns after the offer, and
    opened a ticket for the team."""
    tracker = confirmation(new_identity(), "affirm", "action_fallback", {"pending_confirmation": "human_handoff"})
    tracker.latest_message["text"] = "ok"
    tracker.events = [{"event": "bot", "text": "Shall I ask someone?", "metadata": {"utter_action": "utter_offer_human"}},
                      {"event": "action", "name": "action_listen"}, {"event": "user", "text": "..."},
                      {"event": "action", "name": "action_fallback"},
                      {"event": "bot", "text": "Sorry, that's outside", "metadata": {"utter_action": "utter_out_of_scope"}},
                      {"event": "action", "name": "action_listen"}, {"event": "user", "text": "ok"}]
    await ActionAnswerConfirmation().run(dispatcher, tracker, {})
    assert not any(m.get("json_message") for m in dispatcher.messages)
    assert "utter_handoff_ticket" not in [m.get("response") for m in dispatcher.messages]

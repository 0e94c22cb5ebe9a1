"""QA round 15, confirmations reached through other actions, against a real backend: a "no … keep
it … confirm the order" at the cancel question keeps the order (and an order not yet placed is asked
about again), "yes but make it 2 caddies" amends the change waiting, "no more changes, place it"
and "forget that, place it as it is" place the order, "kindly do the needful" answers the question
open, "no bots please" hands over, and the order left waiting after a detour at its summary can
still be placed."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.cancel_questions import keeps_the_order, wants_it_placed
from actions.conversation import ActionStop
from actions.place_order import ActionPlaceOrder
from actions.support import ActionOpenTicket
from tests.actions.test_cancel import status_of
from tests.actions.test_cancel_turns import Chat
from tests.actions.test_change_order import confirmation
from tests.actions.test_ordering import ORDER_SLOTS_FILLED
from tests.actions.test_orders import new_identity
from tests.actions.test_pending_change import proposed, shown
from tests.actions.test_replacements import named, placed_order
from tests.actions.test_support import tickets_of

BLUE_MUGS = [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2, "candidates": []}]


@pytest.mark.parametrize("text, keeps, places", [
    ("no, i actually want to confirm it", True, True), ("no no, keep it. i confirm the order", True, True),
    ("no, i actually want to confirm it, place it", True, True), ("don't cancel it", True, False),
    ("please don't", True, False), ("i still want it", True, False), ("no need to cancel", True, False),
    ("yes", False, False), ("yes cancel it", False, False), ("confirm", False, False),
    ("yes, confirm it", False, False), ("confirm cancellation", False, False), ("kindly do the needful", False, False),
    ("yes please cancel it, confirm it", False, False), ("i don't want it", False, False),
])
def test_what_keeps_the_order_at_the_cancel_question(text, keeps, places):
    assert keeps_the_order(text) is keeps and wants_it_placed(text) is places


async def asked_to_cancel(backend, lines, confirmed: bool = True) -> tuple:
    """A chat whose bot has just asked "Do you want me to cancel order …?": (chat, the order)."""
    identity = new_identity()
    number = placed_order(backend, identity, lines, confirmed=confirmed)
    chat = Chat(identity)
    assert await chat.say(f"cancel {number}", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", number)]
    return chat, number


@pytest.mark.parametrize("text, intent, action", [
    ("no, i actually want to confirm it", "affirm", ActionAnswerConfirmation),
    ("no no, keep it. i confirm the order", "affirm", ActionAnswerConfirmation),
    ("no, i actually want to confirm it, place it", "deny", ActionAnswerConfirmation),
    ("please don't", "deny", ActionAnswerConfirmation),
    ("don't cancel it", "cancel_order", ActionCancelOrder),
])
async def test_a_no_that_confirms_the_order_at_the_cancel_question_keeps_it(backend, text, intent, action):
    """qa2 F35: "no, i actually want to confirm it" cancelled the order (three orders lost)."""
    chat, number = await asked_to_cancel(backend, [("TEA-CAD-TIN", 1)])
    assert await chat.say(text, intent, action) == [("utter_cancel_kept", number)]
    assert status_of(backend, chat.identity, number) == "confirmed"
    assert chat.slots["pending_confirmation"] is None


async def test_place_it_at_the_cancel_question_of_an_unplaced_order_asks_to_place_it(backend):
    """qa2 F35 (web:qa2-1): the pending order was cancelled; kept, it is asked about again, and a yes places it."""
    chat, number = await asked_to_cancel(backend, [("BRW-FRP-800", 1)], confirmed=False)
    said = await chat.say("no, i actually want to confirm it, place it", "affirm")
    assert said == [("utter_cancel_kept", number), ("utter_confirm_order", number)]
    assert chat.slots["pending_confirmation"] == "place_order" and chat.slots["pending_order"] == number
    assert status_of(backend, chat.identity, number) == "pending"
    assert await chat.say("yes", "affirm") == [("utter_order_placed", number)]
    assert status_of(backend, chat.identity, number) == "confirmed"


async def test_kindly_do_the_needful_at_the_cancel_question_is_a_yes(backend):
    """Read as a request for a person, it got the offer of one, and the cancel was left."""
    chat, number = await asked_to_cancel(backend, [("MUG-CER-WHT", 1)])
    assert await chat.say("kindly do the needful", "contact_human_agent", ActionOpenTicket) == [
        ("utter_order_cancelled", number)]
    assert status_of(backend, chat.identity, number) == "cancelled"
    assert tickets_of(backend, chat.identity) == []


async def test_no_bots_please_at_the_cancel_question_hands_over_and_cancels_nothing(backend):
    chat, number = await asked_to_cancel(backend, [("MUG-CER-WHT", 1)])
    assert [said for said, _ in await chat.say("no bots please", "deny")] == ["utter_handoff_ticket"]
    assert status_of(backend, chat.identity, number) == "confirmed"
    assert [t["reason"] for t in tickets_of(backend, chat.identity)] == ["customer asked for a person"]


async def test_yes_but_make_it_2_caddies_proposes_2_caddies(backend):
    """qa2 F23: the NLU finds no product in "caddies"; the change waiting (1 caddy) was made."""
    identity = new_identity()
    placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    text = "add a tea caddy"
    slots, _ = await proposed(identity, text, [named(text, "tea caddy", ["TEA-CAD-TIN"], "Tea Caddy Tin")],
                              "change_order")
    text = "yes but make it 2 caddies"
    tracker = confirmation(identity, "affirm", "action_confirm_order_change", slots)
    tracker.latest_message["text"] = text
    await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {})
    slots, summary = await proposed(identity, text, [], "affirm", slots)
    assert summary["response"] == "utter_confirm_order_change"
    assert shown(summary) == ["2 × Ceramic Mug White", "2 × Tea Caddy Tin"]


async def at_the_summary(backend) -> Chat:
    """A chat whose bot has just shown a new order's summary ("Shall I place it?")."""
    chat = Chat(new_identity())
    chat.slots.update({"order_items": BLUE_MUGS, "order_draft": BLUE_MUGS, **ORDER_SLOTS_FILLED})
    assert [said for said, _ in await chat.say("that's all", "inform", ActionPlaceOrder)] == ["utter_confirm_order"]
    return chat


@pytest.mark.parametrize("text, intent, action", [
    ("no more changes, place it", "affirm", ActionAnswerConfirmation),  # qa1 F25
    ("forget that, place it as it is", "stop", ActionStop),  # qa1 F25 (web:qa1-61)
])
async def test_a_request_to_place_at_the_summary_places_it(backend, text, intent, action):
    chat = await at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert await chat.say(text, intent, action) == [("utter_order_placed", number)]
    assert status_of(backend, chat.identity, number) == "confirmed"


async def test_a_yes_with_a_cancel_read_as_a_stop_at_the_summary_places_nothing(backend):
    chat = await at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert [said for said, _ in await chat.say("yes cancel", "stop", ActionStop)] == ["utter_order_not_placed"]
    assert status_of(backend, chat.identity, number) == "cancelled"


async def test_same_email_at_the_summary_keeps_the_contact_and_asks_again(backend):
    """qa2 F1: "same email" got the shop's email and the offer of a person; its "yes" left the order unplaced."""
    chat = await at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert await chat.say("same email", "contact_human_agent", ActionOpenTicket) == [("utter_confirm_order", number)]
    assert chat.slots["pending_confirmation"] == "place_order"
    assert await chat.say("yes", "affirm") == [("utter_order_placed", number)]
    assert tickets_of(backend, chat.identity) == []


async def after_a_handoff_at_the_summary(backend) -> Chat:
    """The summary, then a person offered ("same email" as it was read before) and handed over."""
    chat = await at_the_summary(backend)
    chat.events += [{"event": "user", "text": "same email"}, {"event": "action", "name": "action_open_ticket"},
                    {"event": "bot", "text": "You can email us … Would you like someone from the team to talk to you?",
                     "metadata": {"utter_action": "utter_contact_details"}}, {"event": "action", "name": "action_listen"}]
    chat.slots["pending_confirmation"] = "human_handoff"
    assert [said for said, _ in await chat.say("yes", "affirm")] == ["utter_handoff_ticket"]
    assert chat.slots["pending_confirmation"] is None and chat.slots["pending_order"]
    return chat


@pytest.mark.parametrize("text", ["sorry i meant yes place the order", "yes place it", "confirm {number} please"])
async def test_after_a_detour_a_request_to_place_the_waiting_order_places_it(backend, text):
    """qa2 F1: each of these got "Okay." and the order stayed "waiting for your confirmation"."""
    chat = await after_a_handoff_at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert await chat.say(text.format(number=number), "affirm") == [("utter_order_placed", number)]
    assert status_of(backend, chat.identity, number) == "confirmed"


@pytest.mark.parametrize("text", ["how do i confirm it?", "/affirm"])
async def test_after_a_detour_a_yes_or_how_to_shows_the_waiting_order_again(backend, text):
    chat = await after_a_handoff_at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert await chat.say(text, "affirm") == [("utter_confirm_order", number)]
    assert chat.slots["pending_confirmation"] == "place_order"
    assert status_of(backend, chat.identity, number) == "pending"


async def test_after_a_detour_confirm_the_order_read_as_tracking_places_it(backend):
    """qa2 F1 live: "confirm OB-… please" read as track_order only said the order was waiting."""
    from actions.orders import ActionTrackOrder
    chat = await after_a_handoff_at_the_summary(backend)
    number = chat.slots["pending_order"]
    assert await chat.say(f"confirm {number} please", "track_order", ActionTrackOrder) == [("utter_order_placed", number)]
    assert status_of(backend, chat.identity, number) == "confirmed"
    assert [said for said, _ in await chat.say(f"where is {number}", "track_order", ActionTrackOrder)] != [
        "utter_order_placed"]  # a status question places nothing


async def test_stars_read_as_a_yes_to_nothing_are_a_rating():
    """qa2 F28: "⭐⭐⭐⭐⭐" with nothing asked read as affirm and got "Okay."."""
    from rasa_sdk.events import FollowupAction
    from rasa_sdk.executor import CollectingDispatcher
    from actions.cancel import ActionAnswerConfirmation
    from tests.actions.test_orders import new_identity, tracker_for
    tracker = tracker_for(new_identity(), "⭐⭐⭐⭐⭐")
    tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.9}
    assert await ActionAnswerConfirmation().run(CollectingDispatcher(), tracker, {}) == [FollowupAction("feedback_form")]

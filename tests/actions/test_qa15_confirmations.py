"""Yes/no at the bot's confirmations (QA round 15), against a real backend: a request to place wins
over the no words before it, an edit at the summary is never a no to the order, a yes asked back or
with a change in it is no consent, a change asked for at the cancel question changes the order
instead, and an offer to cancel lapses once the customer moved on."""
from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation, ActionCancelOrder
from actions.cancel_questions import changes_instead_of_cancelling
from actions.parsing import asks_instead_of_answering, decided_answer, qualified_yes
from actions.place_order import ActionPlaceOrder
from tests.actions.test_cancel import status_of
from tests.actions.test_cancel_turns import Chat
from tests.actions.test_cancel_which_order import after_the_bot, said_by
from tests.actions.test_change_order import DOMAIN, confirmation, lines_of
from tests.actions.test_ordering import ORDER_SLOTS_FILLED
from tests.actions.test_orders import new_identity, tracker_for
from tests.actions.test_pending_change import proposed, shown
from tests.actions.test_replacements import named, placed_order

RED = {"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "candidates": []}
BLUE = {"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "candidates": []}
BLACK = {"sku": "MUG-CER-BLK", "name": "Ceramic Mug Black", "candidates": []}
SENCHA = {"sku": "TEA-SEN-100", "name": "Japanese Sencha 100 g", "candidates": []}


def items(*pairs) -> list:
    return [{**item, "quantity": quantity} for item, quantity in pairs]


@pytest.mark.parametrize("text, decided", [
    ("no more changes, place it", "yes"), ("nope that's all, go ahead", "yes"),
    ("don't change anything, just place it", "yes"), ("no changes needed, please go ahead", "yes"),
    ("forget that, place it as it is", "yes"), ("kindly do the needful", "yes"),
    ("no don't place it", "no"), ("dont place it yet", "no"), ("no need to go ahead", "no"),
    ("no, go ahead and cancel it", "no"), ("place it? no", "no"),
    ("yes? whats the total again", None), ("yes but make it 2 caddies", None), ("ok yes, except the infuser", None),
])
def test_a_request_to_go_ahead_wins_and_a_yes_with_more_is_undecided(text, decided):
    assert decided_answer(text) == decided


def test_a_yes_asked_back_is_a_question():
    assert asks_instead_of_answering("yes? whats the total again") and qualified_yes("yes? whats the total again")
    assert not asks_instead_of_answering("yes, and when will it come?")


async def at_the_summary(backend, identity: str, lines: list, history=()) -> tuple:
    """A pending order of `lines`, its summary just shown; `history`: earlier values of the order's
    items, as the order form set them (oldest first). (number, the summary's slots, its events)."""
    said = CollectingDispatcher()
    slots = {"order_items": lines, "order_draft": lines, "order_idempotency_key": f"key-{identity}",
             **ORDER_SLOTS_FILLED}
    events = await ActionPlaceOrder().run(said, tracker_for(identity, "ada@example.com", slots=slots), {})
    slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    earlier = [{"event": "slot", "name": "order_draft", "value": None}] + [
        {"event": "slot", "name": name, "value": value} for value in history for name in ("order_items", "order_draft")]
    spoken = [{"event": "bot", "text": "Here's your order … Shall I place it?",
               "metadata": {"utter_action": m["response"]}} for m in said.messages]
    summary = earlier + [{"event": "slot", "name": "order_items", "value": lines},
                         {"event": "action", "name": "action_place_order"}, *spoken,
                         {"event": "action", "name": "action_listen"}]
    return slots["pending_order"], slots, summary


def answering(identity: str, text: str, intent: str, slots: dict, summary: list, entities=None):
    tracker = tracker_for(identity, text, entities=entities or [], slots=slots)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.4}
    tracker.events = summary + [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                                {"event": "action", "name": "action_extract_slots"}]
    return tracker


async def test_a_request_to_place_with_no_words_in_it_places_the_order(backend):
    """qa1 F25: "nope that's all, go ahead" (read as a no) had thrown the order away."""
    for text, intent in (("nope that's all, go ahead", "deny"), ("don't change anything, just place it", "affirm"),
                         ("no changes needed, please go ahead", "affirm")):
        identity = new_identity()
        number, slots, summary = await at_the_summary(backend, identity, items((BLUE, 2)))
        said = CollectingDispatcher()
        await ActionAnswerConfirmation().run(said, answering(identity, text, intent, slots, summary), {})
        assert [m["response"] for m in said.messages] == ["utter_order_placed"], text
        assert status_of(backend, identity, number) == "confirmed", text
    identity = new_identity()  # the order form's "no more" asks what to change; the order is never dropped
    number, slots, summary = await at_the_summary(backend, identity, items((BLUE, 2)))
    await ActionAnswerConfirmation().run(CollectingDispatcher(), answering(
        identity, "no more changes, place it", "deny", slots, summary), {})
    assert status_of(backend, identity, number) != "cancelled"


async def test_a_yes_asked_back_with_a_question_places_nothing(backend):
    """qa1 F26: "yes? whats the total again" placed the order."""
    identity = new_identity()
    number, slots, summary = await at_the_summary(backend, identity, items((BLUE, 1)))
    said = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(said, answering(identity, "yes? whats the total again", "affirm",
                                                                  slots, summary), {})
    assert said.messages[0]["response"] == "utter_yes_or_no_first" and len(said.messages) == 2  # the summary again
    assert events == [] and status_of(backend, identity, number) == "pending"


@pytest.mark.parametrize("text, intent", [("actually put it back", "deny"),
                                          ("put the mug back and place it", "affirm")])
async def test_put_it_back_at_the_summary_undoes_the_last_edit(backend, text, intent):
    """qa1 F24: "actually put it back" right after "remove one mug" threw the whole order away; with
    "and place it", the order changed is shown for its yes, not placed without the mug."""
    identity = new_identity()
    before = items((RED, 2), (SENCHA, 2))
    number, slots, summary = await at_the_summary(backend, identity, items((RED, 1), (SENCHA, 2)), [before])
    said = CollectingDispatcher()
    events = await ActionAnswerConfirmation().run(said, answering(identity, text, intent, slots, summary), {})
    assert [m["response"] for m in said.messages] == ["utter_order_items_put_back", "utter_confirm_order"]
    assert said.messages[0]["names"] == "Ceramic Mug Red"
    assert SlotSet("pending_confirmation", "place_order") in events
    assert status_of(backend, identity, number) == "pending"  # changed in place, never cancelled
    assert sorted(lines_of(backend, identity, number)) == [("MUG-CER-RED", 2), ("TEA-SEN-100", 2)]


async def test_keep_the_red_one_after_all_puts_back_the_one_it_names(backend):
    """qa1 F24: "remove the red mug and add a black one" (none in stock), then "ok then keep the red
    one after all": the red mug back, not the black one never ordered; the order not thrown away."""
    identity = new_identity()
    history = [items((BLUE, 2), (RED, 1)), items((BLUE, 2), (BLACK, 1))]
    number, slots, summary = await at_the_summary(backend, identity, items((BLUE, 2)), history)
    said = CollectingDispatcher()
    await ActionAnswerConfirmation().run(said, answering(identity, "ok then keep the red one after all", "deny",
                                                         slots, summary), {})
    assert said.messages[0]["names"] == "Ceramic Mug Red"
    assert sorted(lines_of(backend, identity, number)) == [("MUG-CER-BLU", 2), ("MUG-CER-RED", 1)]


async def test_an_edit_read_as_a_no_asks_what_to_change_and_keeps_the_order(backend):
    identity = new_identity()
    number, slots, summary = await at_the_summary(backend, identity, items((BLUE, 2)))
    for text in ("actually put it back", "make it 3 then"):  # nothing was taken out; an edit not understood
        said = CollectingDispatcher()
        assert await ActionAnswerConfirmation().run(said, answering(identity, text, "deny", slots, summary), {}) == []
        assert [m["response"] for m in said.messages] == ["utter_what_to_change_first"], text
    assert status_of(backend, identity, number) == "pending"


async def test_a_change_asked_for_at_the_cancel_question_changes_the_order_instead(backend):
    """qa2 F22: "wait, can i change it to 1 pair instead of cancelling" got the cancel question again,
    and "yes 1 pair please" cancelled the whole order."""
    for text, intent, action in (("wait, can i change it to 1 pair instead of cancelling", "cancel_order",
                                  ActionCancelOrder),
                                 ("yes 1 pair please", "affirm", ActionAnswerConfirmation),
                                 ("no, just 1 pair", "deny", ActionAnswerConfirmation),
                                 # QA16: these kept the order as it was
                                 ("no dont cancel!! i just want 1 instead of 2", "deny", ActionAnswerConfirmation),
                                 ("no dont cancel!! i just want 1 instead of 2", "cancel_order", ActionCancelOrder)):
        identity = new_identity()
        number = placed_order(backend, identity, [("GLS-DBW-2PC", 2)])
        asked = CollectingDispatcher()
        slots = {e["name"]: e["value"] for e in await ActionCancelOrder().run(
            asked, tracker_for(identity, "cancel it", slots={"order_id": number}), {})}
        assert said_by(asked) == [("utter_confirm_cancel", number)]
        said = CollectingDispatcher()
        events = await action().run(said, after_the_bot(identity, text, intent, asked, slots), {})
        assert events[-1] == FollowupAction("change_order_form"), text
        changes = next(e["value"] for e in events if e.get("name") == "order_changes")
        assert [(line["sku"], line["quantity"]) for line in changes] == [("GLS-DBW-2PC", 1)], text
        assert SlotSet("pending_confirmation", None) in events
        assert status_of(backend, identity, number) == "confirmed", text
        slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        _, summary = await proposed(identity, text, [], intent, slots)
        assert summary["response"] == "utter_confirm_order_change" and shown(summary) == ["1 × Double-Wall Glasses Pair"]


@pytest.mark.parametrize("text, changes", [
    ("wait, can i change it to 1 pair instead of cancelling", True), ("yes 1 pair please", True),
    ("no, just 1 pair", True), ("reduce it to 2", True), ("yes cancel it", False), ("no keep all 3", False),
    ("cancel just one of them", False), ("dont change it, cancel it", False), ("yes cancel both 2 orders", False),
])
def test_what_changes_the_order_instead_of_cancelling_it(text, changes):
    tracker = tracker_for(new_identity(), text, slots={"pending_confirmation": "cancel_order"})
    assert changes_instead_of_cancelling(tracker) is changes


async def test_a_yes_with_a_change_to_the_change_proposed_amends_it(backend):
    """qa2 F23: "yes but make it 2 caddies" at "Shall I change it?" changed the order to 1 caddy."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 2)])
    text = "add a tea caddy"
    slots, _ = await proposed(identity, text, [named(text, "tea caddy", ["TEA-CAD-TIN"], "Tea Caddy Tin")],
                              "change_order")
    text = "yes but make it 2 caddies"
    tracker = confirmation(identity, "affirm", "action_confirm_order_change", slots)
    tracker.latest_message.update(text=text, entities=[named(text, "caddies", ["TEA-CAD-TIN"], "Tea Caddy Tin", 2)])
    said = CollectingDispatcher()
    assert await ActionAnswerConfirmation().run(said, tracker, {}) == [FollowupAction("change_order_form")]
    assert said.messages == []
    assert lines_of(backend, identity, number) == [("MUG-CER-WHT", 2)]


async def test_a_yes_but_to_the_cancel_question_cancels_nothing(backend):
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-RED", 1)])
    asked = CollectingDispatcher()
    slots = {e["name"]: e["value"] for e in await ActionCancelOrder().run(
        asked, tracker_for(identity, "cancel my order", slots={"order_id": number}), {})}
    for text, intent in (("yes but keep the mug", "affirm"), ("i don't need it", "deny")):
        said = CollectingDispatcher()
        await ActionAnswerConfirmation().run(said, after_the_bot(identity, text, intent, asked, slots), {})
        assert said_by(said)[0] == ("utter_yes_or_no_first", None), text
        assert status_of(backend, identity, number) == "confirmed", text


async def test_an_offer_to_cancel_lapses_once_something_else_was_answered(backend):
    """qa3 F6: "refund?" → "I can cancel it instead", "where is my order" answered, then "ok", 😡 and
    👍 walked on to a cancel. After the other answer the offer stands no more."""
    from actions.orders import ActionTrackOrder
    from actions.returns import ValidateReturnForm

    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 1)])
    chat = Chat(identity)

    def as_the_return_form(tracker):
        tracker.active_loop = {}
    assert await chat.say("refund?", "refund_return_request", ValidateReturnForm,
                          tracker_hook=as_the_return_form) == [("utter_return_not_delivered", number)]
    assert chat.slots["pending_confirmation"] == "cancel_order"
    said = await chat.say("where is my order", "track_order", ActionTrackOrder)
    assert said[0] == ("utter_order_status_confirmed", number)
    events, slots = list(chat.events), dict(chat.slots)
    for text in ("ok", "😡😡😡", "👍"):
        chat.events, chat.slots = list(events), dict(slots)
        said = await chat.say(text, "affirm")
        assert ("utter_confirm_cancel", number) not in said and ("utter_order_cancelled", number) not in said, text
        assert all(response != "utter_return_not_delivered" for response, _ in said), text
        assert chat.slots["pending_confirmation"] is None, text
    assert status_of(backend, identity, number) == "confirmed"


async def test_the_offer_answered_right_away_still_asks_the_cancel_question(backend):
    from actions.returns import ValidateReturnForm

    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 1)])
    chat = Chat(identity)
    await chat.say("refund?", "refund_return_request", ValidateReturnForm,
                   tracker_hook=lambda tracker: setattr(tracker, "active_loop", {}))
    assert await chat.say("👍", "affirm") == [("utter_confirm_cancel", number)]


async def test_just_cancel_it_after_declining_a_person_asks_the_cancel_question_again(backend):
    """qa2 F16: "kindly do the needful" at the cancel question got the offer of a person, and "no
    just cancel it" then "Okay. Anything else…" with the cancel dropped."""
    identity = new_identity()
    number = placed_order(backend, identity, [("MUG-CER-WHT", 3)])
    chat = Chat(identity)
    chat.slots["order_id"] = number
    assert await chat.say("cancle my ordr plz", "cancel_order", ActionCancelOrder) == [("utter_confirm_cancel", number)]
    offer = CollectingDispatcher()  # as action_open_ticket offers a person for "kindly do the needful"
    offer.utter_message(response="utter_offer_a_person")
    chat.events += [{"event": "user", "text": "kindly do the needful"}, {"event": "action", "name": "action_open_ticket"},
                    {"event": "bot", "text": "Shall I ask someone from our team to help you here in the chat?",
                     "metadata": {"utter_action": "utter_offer_a_person"}}, {"event": "action", "name": "action_listen"}]
    chat.slots["pending_confirmation"] = "human_handoff"
    assert await chat.say("no just cancel it", "affirm") == [("utter_confirm_cancel", number)]
    assert chat.slots["pending_confirmation"] == "cancel_order"
    assert await chat.say("yes", "affirm") == [("utter_order_cancelled", number)]
    assert status_of(backend, identity, number) == "cancelled"


def test_the_cancel_texts_say_nothing_is_charged_for_an_order_paid_on_delivery():
    """qa2 F5, qa3 F7: chat orders are paid on delivery: no "full refund" as if it had been charged."""
    for name in ("utter_order_cancelled", "utter_cancel_refund", "utter_return_not_delivered"):
        text = DOMAIN["responses"][name][0]["text"]
        assert "if anything was already paid" in text and "with a full refund" not in text, name

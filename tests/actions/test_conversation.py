"""Leaving a question: which messages only take leave of it ("thanks", "ok bye", "never mind")."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.conversation import ActionStop, takes_leave
from tests.actions.test_orders import new_identity, tracker_for


def leaving(text, intent="inform", entities=None) -> bool:
    tracker = tracker_for(new_identity(), text, entities=entities)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    return takes_leave(tracker)


def test_takes_leave_by_its_words_whatever_the_intent():
    for text in ["thanks", "Thank you so much!", "ok bye", "bye", "never mind", "nevermind", "forget it",
                 "no thanks", "ok thanks bye", "nvm"]:
        assert leaving(text), text
    for text in ["ok", "no", "the glass one", "thanks, the glass one", "2 please", "how much is it?"]:
        assert not leaving(text), text


def test_takes_leave_by_a_thank_or_goodbye_intent_unless_a_product_is_named():
    assert leaving("ta very much", "thank") and leaving("see you later", "goodbye")
    glass = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "start": 4, "end": 16}]
    assert not leaving("the glass teapot thanks", "thank", glass)


async def test_just_cancel_it_while_changing_an_order_asks_to_cancel_that_order(dispatcher):
    """"i want to remove everything, just cancel it" in the change form had only stopped the change."""
    tracker = tracker_for(new_identity(), "i want to remove everything, just cancel it",
                          slots={"target_order": {"number": "OB-7KB8JMGK", "lines": []},
                                 "requested_slot": "order_changes"})
    tracker.active_loop = {"name": "change_order_form"}
    events = await ActionStop().run(dispatcher, tracker, {})
    assert events[-2:] == [SlotSet("order_id", "OB-7KB8JMGK"), FollowupAction("action_cancel_order")]
    assert ActiveLoop(None) in events and dispatcher.messages == []

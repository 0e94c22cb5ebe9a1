"""Leaving a question: which messages only take leave of it ("thanks", "ok bye", "never mind")."""
from __future__ import annotations

from actions.conversation import takes_leave
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

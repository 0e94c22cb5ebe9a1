"""With the backend unreachable, the new flows say so, keep what the user gave, and allow a retry."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel import ActionAnswerConfirmation
from actions.feedback import ValidateFeedbackForm
from actions.refunds import ActionRefundStatus
from actions.settings import get_settings
from tests.actions.test_change_order import DOMAIN, change_requested, confirmation, flow_tracker
from tests.actions.test_orders import new_identity, tracker_for


@pytest.fixture
def backend_down(backend, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_change_order_start_with_backend_down_ends_the_form(backend_down):
    events, dispatcher = await change_requested(None, new_identity())
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]
    assert SlotSet("requested_slot", None) in events


async def test_change_order_yes_with_backend_down_keeps_the_question_open(backend_down, dispatcher):
    slots = {"target_order": {"number": "OB-AAAAAAAA", "currency": "EUR"}, "pending_confirmation": "change_order",
             "order_changes": [{"sku": "MUG-CER-BLU", "name": "Ceramic Mug Blue", "quantity": 2}]}
    tracker = confirmation(new_identity(), "affirm", "action_confirm_order_change", slots)
    assert await ActionAnswerConfirmation().run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]


async def test_feedback_rating_with_backend_down_is_asked_again(backend_down, dispatcher):
    tracker = flow_tracker(new_identity(), "5", "inform", "feedback_form", slots={"requested_slot": "feedback_rating"})
    assert await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("feedback_rating", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]


async def test_refund_status_with_backend_down_says_so(backend_down):
    dispatcher = CollectingDispatcher()
    assert await ActionRefundStatus().run(dispatcher, tracker_for(new_identity(), "where is my refund"), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]

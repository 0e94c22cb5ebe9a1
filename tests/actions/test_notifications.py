""""stop notifications" / "start notifications" switch the customer's preference in the real backend."""
from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.notifications import ActionSetNotifications, wants_notifications
from tests.actions.test_orders import BOT, new_identity, tracker_for


def preference(backend, identity: str) -> bool:
    response = httpx.get(f"{backend.url}/api/v1/me/notifications", headers={**BOT, "X-Channel-Identity": identity})
    response.raise_for_status()
    return response.json()["enabled"]


def said(intent: str, identity: str, text: str):
    tracker = tracker_for(identity, text)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.99}
    return tracker


@pytest.mark.parametrize("intent, text, response, enabled", [
    ("stop_notifications", "don't message me about my orders", "utter_notifications_off", False),
    ("start_notifications", "turn notifications back on", "utter_notifications_on", True),
])
async def test_set_notifications(backend, dispatcher, intent, text, response, enabled):
    identity = new_identity()
    if enabled:  # switched off first, so turning them on is a change
        await ActionSetNotifications().run(CollectingDispatcher(), said("stop_notifications", identity, "stop"), {})
        assert preference(backend, identity) is False
    events = await ActionSetNotifications().run(dispatcher, said(intent, identity, text), {})
    assert events == [] and [m["response"] for m in dispatcher.messages] == [response]
    assert preference(backend, identity) is enabled


def test_wants_notifications_reads_clear_words_over_the_intent():
    assert wants_notifications("stop_notifications", "turn notifications back on") is True
    assert wants_notifications("start_notifications", "turn off order updates") is False
    assert wants_notifications("stop_notifications", "no shipping updates please") is False
    assert wants_notifications("start_notifications", "keep me posted about my orders") is True

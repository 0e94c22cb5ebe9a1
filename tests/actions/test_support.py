"""action_open_ticket stores a ticket with a readable transcript in the real backend."""
from __future__ import annotations

import uuid

import httpx
import pytest

from rasa_sdk.events import ActiveLoop, SlotSet

from actions.settings import get_settings
from actions.support import ActionOpenTicket
from tests.actions.conftest import load_tracker

STAFF = {"Authorization": "Bearer dev-staff-token"}


def tracker_with(intent: str, text: str):
    tracker = load_tracker("product_question", text=text)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    tracker.sender_id = f"web:{uuid.uuid4().hex}"
    tracker.events.append({"event": "bot", "text": "Here's what I found", "timestamp": 1764064800.0})
    tracker.events.append({"event": "user", "text": text, "timestamp": 1764064860.0})
    return tracker


def staff_ticket(backend, ticket_id: int) -> dict:
    response = httpx.get(f"{backend.url}/api/v1/staff/tickets", headers=STAFF, params={"limit": 100})
    response.raise_for_status()
    return next(t for t in response.json()["data"] if t["id"] == ticket_id)


@pytest.mark.parametrize("intent, reason, reply", [
    ("contact_human_agent", "customer asked for a person", "utter_handoff_ticket"),
    ("complaint", "complaint", "utter_complaint_ticket"),
    ("payment_issue", "payment issue", "utter_payment_issue_ticket"),
])
async def test_open_ticket_stores_reason_and_transcript(backend, dispatcher, intent, reason, reply):
    tracker = tracker_with(intent, "this is not ok, I need someone")
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [reply]
    ticket = staff_ticket(backend, dispatcher.messages[0]["ticket_id"])
    assert dispatcher.messages[0]["custom"] == {"handoff": {"ticket_id": ticket["id"]}}
    assert ticket["reason"] == reason
    assert ticket["conversation_id"] == tracker.sender_id
    assert [(t["sender"], t["text"]) for t in ticket["transcript"]][-2:] == [
        ("bot", "Here's what I found"), ("user", "this is not ok, I need someone")]


async def test_open_ticket_during_a_form_ends_the_form(backend, dispatcher):
    # The team takes over; the form must not ask for the address again under their reply.
    tracker = tracker_with("contact_human_agent", "can i talk to a person")
    tracker.active_loop = {"name": "order_form"}
    tracker.slots.update(requested_slot="shipping_address")
    events = await ActionOpenTicket().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)]


async def test_open_ticket_backend_down_says_so(backend, dispatcher, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    try:
        events = await ActionOpenTicket().run(dispatcher, tracker_with("complaint", "bad"), {})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert events == []  # no ticket, no handoff: a form goes on
    assert [m["response"] for m in dispatcher.messages] == ["utter_ticket_failed"]

"""The customer ends the handoff themselves (POST /staff/tickets/{id}/back-to-bot): the handoff
ends, the message is on the ticket with a note, the ticket stays open, the customer is told
through the gateway's push. A change of mind ("never mind") counts only until staff answer.
Pushes go to a recording gateway of the test's own, or to an address where nothing listens."""
from __future__ import annotations

import uuid

import pytest

from backend.support.handoff import BACK_TO_BOT_NOTE
from backend.support.texts import render

from tests.backend.factories import STAFF
from tests.backend.support.conftest import open_ticket
from tests.fakes.recording_server import RecordedCall, RecordingServer

TICKETS = "/api/v1/staff/tickets"


class Gateway(RecordingServer):
    """Takes every push, like the gateway's POST /internal/push."""

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        return 200, "application/json", b'{"duplicate": false}'

    def pushed(self) -> list[dict]:
        return [call.fields for call in self.named("push")]


@pytest.fixture
def gateway(handoff_app):
    """The backend's pushes go to a recording gateway for one test."""
    server = Gateway().start()
    settings = handoff_app.state.settings
    handoff_app.state.settings = settings.model_copy(update={"GATEWAY_URL": server.url})
    yield server
    handoff_app.state.settings = settings
    server.stop()


async def handed_off(client) -> tuple[str, dict]:
    who = f"web:{uuid.uuid4().hex}"
    ticket = await open_ticket(client, who)
    response = await client.post(f"{TICKETS}/{ticket['id']}/handoff", headers=STAFF)
    assert response.status_code == 200 and response.json()["ticket"]["handoff_active"]
    return who, ticket


async def back_to_bot(client, ticket_id: int, text: str, **extra):
    return await client.post(f"{TICKETS}/{ticket_id}/back-to-bot", headers=STAFF,
                             json={"text": text, **extra})


async def read(client, ticket_id: int) -> dict:
    return (await client.get(f"{TICKETS}/{ticket_id}", headers=STAFF)).json()


async def active_for(client, who: str) -> list[int]:
    response = await client.get(TICKETS, headers=STAFF,
                                params={"conversation_id": who, "handoff_active": "true"})
    return [ticket["id"] for ticket in response.json()["data"]]


async def test_a_change_of_mind_before_staff_answer_ends_the_handoff(client, gateway,
                                                                    handoff_app):
    who, ticket = await handed_off(client)
    response = await back_to_bot(client, ticket["id"], "never mind, I don't need a person anymore",
                                 command=False, external_id=f"{who}:m1")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["outcome"] == "ended" and result["customer_notified"] is True
    assert result["ticket"]["handoff_active"] is False and result["ticket"]["handoff_ended_at"]
    assert result["ticket"]["status"] == "open"  # staff may still follow up
    assert await active_for(client, who) == []
    last = (await read(client, ticket["id"]))["transcript"][-1]
    assert last["sender"] == "user"
    assert last["text"] == f"never mind, I don't need a person anymore\n{BACK_TO_BOT_NOTE}"
    [push] = gateway.pushed()
    assert push["sender_id"] == who
    assert push["messages"] == [{"text": render(handoff_app.state.settings.NOTIFY_DOMAIN_PATH,
                                                "utter_handoff_back_to_bot",
                                                ticket_id=ticket["id"])}]
    assert "back with me" in push["messages"][0]["text"]
    assert f"#{ticket['id']}" in push["messages"][0]["text"]
    assert push["dedupe_key"].startswith(f"handoff:{ticket['id']}:back-to-bot:")


async def test_after_staff_answered_only_a_command_ends_it(client, gateway):
    who, ticket = await handed_off(client)
    answer = await client.post(f"{TICKETS}/{ticket['id']}/messages", headers=STAFF,
                               json={"text": "Hi, Maria here. Which order?", "author": "Maria"})
    assert answer.status_code == 201, answer.text
    before = await read(client, ticket["id"])

    said = await back_to_bot(client, ticket["id"], "never mind", command=False)
    assert said.status_code == 200 and said.json()["outcome"] == "staff_answered"
    assert said.json()["customer_notified"] is False
    after = await read(client, ticket["id"])
    assert after["transcript"] == before["transcript"]  # nothing recorded: it is for staff
    assert await active_for(client, who) == [ticket["id"]]

    command = await back_to_bot(client, ticket["id"], "back to the bot")
    assert command.json()["outcome"] == "ended"
    assert command.json()["ticket"]["status"] == "assigned"  # Maria's, still open
    assert await active_for(client, who) == []
    assert len(gateway.pushed()) == 2  # Maria's answer, then "you're back with me"


async def test_the_same_message_twice_ends_it_once(client, gateway):
    who, ticket = await handed_off(client)
    body = {"text": "back to the bot", "external_id": f"{who}:again"}
    first = await back_to_bot(client, ticket["id"], **body)
    again = await back_to_bot(client, ticket["id"], **body)
    assert first.json()["outcome"] == "ended" and again.json()["outcome"] == "duplicate"
    assert again.json()["ticket"]["handoff_ended_at"] == first.json()["ticket"]["handoff_ended_at"]
    without_id = await back_to_bot(client, ticket["id"], "/bot")
    assert without_id.status_code == 200 and without_id.json()["outcome"] == "not_handed_off"
    texts = [turn["text"] for turn in (await read(client, ticket["id"]))["transcript"]]
    assert len([text for text in texts if BACK_TO_BOT_NOTE in text]) == 1
    assert len(gateway.pushed()) == 1


async def test_a_ticket_never_handed_off_records_nothing(client):
    ticket = await open_ticket(client, f"web:{uuid.uuid4().hex}")
    response = await back_to_bot(client, ticket["id"], "back to the bot")
    assert response.status_code == 200 and response.json()["outcome"] == "not_handed_off"
    assert len((await read(client, ticket["id"]))["transcript"]) == 1


async def test_the_customer_unreachable_still_ends_it(client):
    who, ticket = await handed_off(client)  # the gateway address has nothing listening
    result = (await back_to_bot(client, ticket["id"], "back to the bot")).json()
    assert result["outcome"] == "ended" and result["customer_notified"] is False
    assert await active_for(client, who) == []


async def test_staff_follow_up_takes_the_conversation_again(client, gateway):
    who, ticket = await handed_off(client)
    await back_to_bot(client, ticket["id"], "never mind", command=False)
    follow_up = await client.post(f"{TICKETS}/{ticket['id']}/messages", headers=STAFF,
                                  json={"text": "Still need a hand with the parcel?"})
    assert follow_up.status_code == 201, follow_up.text
    assert await active_for(client, who) == [ticket["id"]]


async def test_resolve_after_back_to_bot_does_not_tell_the_customer_again(client, gateway):
    _, ticket = await handed_off(client)
    await back_to_bot(client, ticket["id"], "back to the bot")
    resolved = await client.post(f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF)
    assert resolved.json()["ticket"]["status"] == "resolved"
    assert resolved.json()["handoff_ended"] is False
    assert len(gateway.pushed()) == 1


async def test_errors_are_problems(client):
    _, ticket = await handed_off(client)
    unknown = await back_to_bot(client, 999999, "back to the bot")
    assert unknown.status_code == 404 and unknown.json()["code"] == "ticket_not_found"
    assert unknown.headers["content-type"] == "application/problem+json"
    empty = await back_to_bot(client, ticket["id"], "")
    assert empty.status_code == 422 and empty.json()["code"] == "validation_error"
    unexpected = await back_to_bot(client, ticket["id"], "back to the bot", resolve=True)
    assert unexpected.status_code == 422
    no_token = await client.post(f"{TICKETS}/{ticket['id']}/back-to-bot", json={"text": "/bot"})
    assert no_token.status_code == 401
    assert (await read(client, ticket["id"]))["handoff_active"] is True  # nothing happened

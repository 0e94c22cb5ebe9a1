"""A widget retrying a message with the same client id gets the same replies; the bot is asked once."""
from __future__ import annotations

import asyncio

from tests.connectors.webchat.conftest import SESSION

CLIENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def message(text: str = "hello", client_id: str | None = CLIENT_ID) -> dict:
    body = {"session_id": SESSION, "text": text}
    if client_id:
        body["client_message_id"] = client_id
    return body


async def test_post_web_message_retry_same_client_id_asks_rasa_once(gateway, rasa):
    first = await gateway.post("/webchat/messages", json=message())
    retry = await gateway.post("/webchat/messages", json=message())
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json() == {"replies": [{"recipient_id": f"web:{SESSION}", "text": "echo: hello"}]}
    assert len(rasa.messages()) == 1


async def test_post_web_message_retry_while_first_waits_asks_rasa_once(gateway, rasa):
    rasa.delay = 0.3
    first, retry = await asyncio.gather(gateway.post("/webchat/messages", json=message()),
                                        gateway.post("/webchat/messages", json=message()))
    assert retry.json() == first.json()
    assert len(rasa.messages()) == 1


async def test_post_web_message_new_client_id_asks_again(gateway, rasa):
    await gateway.post("/webchat/messages", json=message(client_id="aaaaaaaa-1"))
    await gateway.post("/webchat/messages", json=message(client_id="bbbbbbbb-2"))
    assert len(rasa.messages()) == 2


async def test_post_web_message_without_client_id_is_not_remembered(gateway, rasa):
    await gateway.post("/webchat/messages", json=message(client_id=None))
    await gateway.post("/webchat/messages", json=message(client_id=None))
    assert len(rasa.messages()) == 2


async def test_post_web_message_failure_is_not_remembered(gateway, rasa):
    rasa.failing = True
    failed = await gateway.post("/webchat/messages", json=message())
    assert failed.json()["replies"][0]["error"] == "bot_unavailable"
    rasa.failing = False
    retry = await gateway.post("/webchat/messages", json=message())
    assert retry.json()["replies"][0]["text"] == "echo: hello"
    assert len(rasa.messages()) == 2


async def test_post_web_message_bad_client_id_is_422(gateway):
    response = await gateway.post("/webchat/messages", json=message(client_id="<x>"))
    assert response.status_code == 422

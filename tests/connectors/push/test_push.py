"""POST /internal/push: the token guard, delivery to each channel, and dedupe keys that hold
across a gateway restart."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from connectors.config import GatewaySettings
from connectors.gateway import create_app
from tests.connectors.push.conftest import SESSION, push_headers

WEB = {"sender_id": f"web:{SESSION}", "messages": [{"text": "Your order shipped"}]}
BUTTONS = [{"title": str(n), "payload": f'/give_feedback{{"rating": {n}}}'} for n in (1, 2)]


@asynccontextmanager
async def running(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process with its lifespan; leaving it is a gateway shutdown."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


async def push(client: httpx.AsyncClient, body: dict) -> httpx.Response:
    return await client.post("/internal/push", json=body, headers=push_headers())


async def test_push_messages_without_token_is_401(gateway):
    response = await gateway.post("/internal/push", json=WEB)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_push_messages_wrong_token_is_403(gateway):
    response = await gateway.post("/internal/push", json=WEB, headers=push_headers("not-it"))
    assert response.status_code == 403


async def test_push_messages_web_goes_to_the_session_backlog(gateway):
    body = (await push(gateway, WEB)).json()
    assert body["delivered_to"] == 0 and len(body["event_ids"]) == 1
    assert body["duplicate"] is False


async def test_push_messages_ids_increase(gateway):
    two = {**WEB, "messages": [{"text": "one"}, {"text": "two"}]}
    ids = (await push(gateway, two)).json()["event_ids"] + (await push(gateway, two)).json()["event_ids"]
    assert ids == sorted(set(ids))


async def test_push_messages_bad_web_session_is_422_problem(gateway):
    response = await push(gateway, {**WEB, "sender_id": "web:<script>"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_push_messages_unknown_channel_is_422(gateway):
    response = await push(gateway, {**WEB, "sender_id": "fax:12345"})
    assert response.status_code == 422


async def test_push_messages_empty_list_is_422(gateway):
    assert (await push(gateway, {**WEB, "messages": []})).status_code == 422


async def test_push_messages_telegram_sends_to_the_users_chat(gateway, telegram_api):
    body = {"sender_id": "telegram:4242", "messages": [{"text": "Rate it", "buttons": BUTTONS}]}
    assert (await push(gateway, body)).status_code == 200
    [sent] = telegram_api.named("sendMessage")
    assert sent.fields["chat_id"] in (4242, "4242") and sent.fields["text"] == "Rate it"
    keyboard = sent.fields["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [
        'p:/give_feedback{"rating": 1}', 'p:/give_feedback{"rating": 2}']


async def test_push_messages_slack_opens_a_dm_and_posts(gateway, slack_api):
    body = {"sender_id": "slack:T0TEST:U123ABC", "messages": [{"text": "Shipped", "buttons": BUTTONS}]}
    assert (await push(gateway, body)).status_code == 200
    [opened] = slack_api.named("conversations.open")
    assert opened.fields["users"] == "U123ABC"
    [posted] = slack_api.posted()
    assert posted["channel"] == "D123ABC" and posted["text"] == "Shipped"
    assert [b["type"] for b in posted["blocks"]] == ["section", "actions"]


async def test_push_messages_unconfigured_channel_is_503_problem(settings, telegram_api):
    async with running(settings.model_copy(update={"telegram_bot_token": ""})) as gateway:
        response = await push(gateway, {"sender_id": "telegram:4242", "messages": [{"text": "x"}],
                                        "dedupe_key": "k-unconfigured"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "TELEGRAM_BOT_TOKEN" in response.json()["detail"]
    assert telegram_api.named("sendMessage") == []


async def test_push_messages_failed_delivery_does_not_burn_the_key(settings, telegram_api):
    body = {"sender_id": "telegram:4242", "messages": [{"text": "x"}], "dedupe_key": "k-retry"}
    async with running(settings.model_copy(update={"telegram_bot_token": ""})) as gateway:
        assert (await push(gateway, body)).status_code == 503
    async with running(settings) as gateway:
        response = await push(gateway, body)
    assert response.json()["duplicate"] is False
    assert len(telegram_api.named("sendMessage")) == 1


async def test_push_messages_same_dedupe_key_is_sent_once(gateway, telegram_api):
    body = {"sender_id": "telegram:4242", "messages": [{"text": "once"}], "dedupe_key": "k-1"}
    first, second = (await push(gateway, body)).json(), (await push(gateway, body)).json()
    assert first["duplicate"] is False and second == {"duplicate": True}
    assert telegram_api.sent_texts() == ["once"]


async def test_push_messages_dedupe_key_survives_a_gateway_restart(settings, telegram_api):
    body = {"sender_id": "telegram:4242", "messages": [{"text": "once"}], "dedupe_key": "k-2"}
    async with running(settings) as gateway:
        assert (await push(gateway, body)).json()["duplicate"] is False
    async with running(settings) as gateway:
        assert (await push(gateway, body)).json() == {"duplicate": True}
    assert telegram_api.sent_texts() == ["once"]

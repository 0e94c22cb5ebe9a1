"""POST /telegram/webhook in the gateway: secret check, queueing, one reply per update."""
from __future__ import annotations

import asyncio

import httpx

from connectors.gateway import create_app

from tests.connectors.telegram.conftest import WEBHOOK_SECRET
from tests.fakes import telegram_updates as tg

URL = "/telegram/webhook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def test_webhook_registers_with_secret(gateway, telegram_api):
    (call,) = telegram_api.named("setWebhook")
    assert call.fields["url"] == "https://orderbot.example/telegram/webhook"
    assert call.fields["secret_token"] == WEBHOOK_SECRET


async def test_webhook_without_secret_is_forbidden(gateway, telegram_api):
    response = await gateway.post(URL, json=tg.update(tg.message("hi")))
    assert response.status_code == 403


async def test_webhook_wrong_secret_is_forbidden(gateway, telegram_api):
    response = await gateway.post(URL, json=tg.update(tg.message("hi")), headers={HEADER: "nope"})
    assert response.status_code == 403
    await asyncio.sleep(0.2)
    assert telegram_api.named("sendMessage") == []


async def test_webhook_right_secret_replies_once(gateway, telegram_api, rasa):
    rasa.replies["hi"] = [{"text": "Hello from the bot"}]
    response = await gateway.post(URL, json=tg.update(tg.message("hi")),
                                  headers={HEADER: WEBHOOK_SECRET})
    assert response.status_code == 200
    await telegram_api.wait_for("sendMessage")
    await asyncio.sleep(0.2)
    (call,) = telegram_api.named("sendMessage")
    assert call.fields["text"] == "Hello from the bot"
    assert call.fields["chat_id"] == str(tg.USER_ID)
    assert "parse_mode" not in call.fields
    (message,) = rasa.messages()
    assert message["sender"] == f"telegram:{tg.USER_ID}"
    assert message["metadata"]["channel"] == "telegram"


async def test_webhook_duplicate_update_processed_once(gateway, telegram_api, rasa):
    body = tg.update(tg.message("twice"))
    for _ in range(3):
        response = await gateway.post(URL, json=body, headers={HEADER: WEBHOOK_SECRET})
        assert response.status_code == 200
    await telegram_api.wait_for("sendMessage")
    await asyncio.sleep(0.3)
    assert len(telegram_api.named("sendMessage")) == 1
    assert len(rasa.messages()) == 1


async def test_webhook_unreadable_body_is_rejected_not_500(gateway):
    response = await gateway.post(URL, content=b"\xff not json",
                                  headers={HEADER: WEBHOOK_SECRET})
    assert response.status_code == 400


async def test_webhook_not_mounted_without_url(settings):
    app = create_app(settings.model_copy(update={"telegram_webhook_url": ""}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        response = await client.post(URL, json={}, headers={HEADER: WEBHOOK_SECRET})
    assert response.status_code == 404


async def test_webhook_telegram_unreachable_keeps_gateway_up(settings):
    app = create_app(settings.model_copy(update={"telegram_api_base_url": "http://127.0.0.1:9/bot"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            health = await client.get("/health")
            response = await client.post(URL, json=tg.update(tg.message("hi")),
                                         headers={HEADER: WEBHOOK_SECRET})
    assert health.status_code == 200
    assert response.status_code == 503

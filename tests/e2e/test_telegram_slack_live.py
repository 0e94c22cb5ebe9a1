"""Telegram and Slack through the real stack: our gateway (webhook and HTTP events routes, in
process) asks the live Rasa, whose custom action reads the live backend; only Telegram's and
Slack's servers are fakes."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from connectors.config import GatewaySettings
from connectors.gateway import create_app
from connectors.slack.rendering import escape
from tests.fakes import slack_requests as sr
from tests.fakes import telegram_updates as tg
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

pytestmark = pytest.mark.live
SECRET = "live-secret"


@pytest.fixture(scope="module")
def fakes():
    telegram, slack = FakeTelegramAPI().start(), FakeSlackAPI().start()
    yield telegram, slack
    telegram.stop()
    slack.stop()


@pytest.fixture
async def gateway(stack, fakes):
    telegram, slack = fakes
    settings = GatewaySettings(
        _env_file=None, rasa_url=stack.rasa.url, rasa_timeout_seconds=60,
        telegram_bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
        telegram_webhook_url="https://orderbot.example/telegram/webhook",
        telegram_webhook_secret=SECRET, slack_bot_token="xoxb-live",
        slack_signing_secret=SECRET, slack_api_base_url=slack.base_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


async def replies_text(fake, method: str, key: str, value: str, expected: list[str]) -> str:
    """Waits until the replies sent to one chat mention every expected name (or 60 s pass)."""
    text = ""
    for _ in range(600):
        calls = [call for call in fake.named(method) if call.fields[key] == value]
        text = " ".join(call.fields["text"] for call in calls)
        if calls and all(name in text for name in expected):
            break
        await asyncio.sleep(0.1)
    return text


def categories(stack) -> list[str]:
    response = httpx.get(f"{stack.backend.url}/api/v1/categories", timeout=10)
    return [category["name"] for category in response.json()["data"]]


async def test_telegram_live_catalogue_answer_comes_from_backend(stack, fakes, gateway):
    telegram, _ = fakes
    body = tg.update(tg.message("what do you sell?", user_id=880001))
    response = await gateway.post("/telegram/webhook", json=body,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200
    names = categories(stack)
    text = await replies_text(telegram, "sendMessage", "chat_id", "880001", names)
    assert names and all(name in text for name in names)


async def test_slack_live_catalogue_answer_comes_from_backend(stack, fakes, gateway):
    _, slack = fakes
    body = sr.event_body({**sr.dm_event("what do you sell?", user="U0LIVE"), "channel": "D0LIVE"})
    response = await gateway.post("/slack/events", content=body,
                                  headers=sr.signed_headers(SECRET, body))
    assert response.status_code == 200
    names = [escape(name) for name in categories(stack)]  # Slack text is escaped mrkdwn
    text = await replies_text(slack, "chat.postMessage", "channel", "D0LIVE", names)
    assert names and all(name in text for name in names)

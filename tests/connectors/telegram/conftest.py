"""Telegram connector fixtures: a fake Bot API and a Rasa stand-in (each one thread for the
session), settings pointing at both, and the gateway in-process with the webhook mounted."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.config import GatewaySettings
from connectors.telegram.app import build_application
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.telegram_api import FakeTelegramAPI

WEBHOOK_SECRET = "test-webhook-secret_123"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeTelegramAPI]:
    server = FakeTelegramAPI().start()
    yield server
    server.stop()


@pytest.fixture
def settings(telegram_api: FakeTelegramAPI, rasa: FakeRasa) -> GatewaySettings:
    telegram_api.reset()
    rasa.reset()
    return GatewaySettings(
        _env_file=None,
        rasa_url=rasa.url,
        rasa_timeout_seconds=2,
        telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url,
        telegram_webhook_url="https://orderbot.example/telegram/webhook",
        telegram_webhook_secret=WEBHOOK_SECRET,
    )


@pytest.fixture
async def application(settings: GatewaySettings):
    """The PTB application without the gateway: tests feed it updates with process_update."""
    app = build_application(settings, webhook=True)
    await app.initialize()
    yield app
    await app.shutdown()
    await app.bot_data["rasa"].aclose()


"""Push fixtures: the fake Telegram and Slack Web APIs (one thread each for the session), the
gateway's settings pointing at both with its own dedupe-key file, and the gateway in-process."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.config import GatewaySettings
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

PUSH_TOKEN = "test-push-token"
SESSION = "abcdef0123456789"
STAFF_CHANNEL = "C0STAFF"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeTelegramAPI]:
    server = FakeTelegramAPI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def slack_api() -> Iterator[FakeSlackAPI]:
    server = FakeSlackAPI().start()
    yield server
    server.stop()


def push_settings(state_db: Path, rasa: FakeRasa, telegram_api: FakeTelegramAPI,
                  slack_api: FakeSlackAPI, **overrides) -> GatewaySettings:
    values = dict(
        _env_file=None, rasa_url=rasa.url, gateway_push_token=PUSH_TOKEN,
        gateway_state_db=state_db, telegram_bot_token=telegram_api.token,
        telegram_api_base_url=telegram_api.base_url, slack_bot_token="xoxb-test-token",
        slack_api_base_url=slack_api.base_url, slack_staff_channel=STAFF_CHANNEL)
    return GatewaySettings(**{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path, rasa: FakeRasa, telegram_api: FakeTelegramAPI,
             slack_api: FakeSlackAPI) -> GatewaySettings:
    telegram_api.reset()
    slack_api.reset()
    return push_settings(tmp_path / "gateway.db", rasa, telegram_api, slack_api)


def push_headers(token: str = PUSH_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

"""Slack connector fixtures: a fake Slack Web API and a Rasa stand-in (one thread each for the
session), settings pointing at both, the Bolt app, a signer, and the gateway in-process."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from slack_bolt.request.async_request import AsyncBoltRequest

from connectors.config import GatewaySettings
from connectors.slack.app import build_app
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import signed_headers

SIGNING_SECRET = "test-signing-secret"


@pytest.fixture(scope="session")
def slack_api() -> Iterator[FakeSlackAPI]:
    server = FakeSlackAPI().start()
    yield server
    server.stop()


@pytest.fixture
def settings(slack_api: FakeSlackAPI, rasa: FakeRasa) -> GatewaySettings:
    slack_api.reset()
    rasa.reset()
    return GatewaySettings(
        _env_file=None,
        rasa_url=rasa.url,
        rasa_timeout_seconds=3,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_base_url=slack_api.base_url,
    )


@pytest.fixture
async def bolt_app(settings: GatewaySettings):
    app = build_app(settings)
    yield app
    await app.rasa_client.aclose()


def signed_request(body: str, content_type: str = "application/json",
                   **headers: str) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=body, headers={
        **signed_headers(SIGNING_SECRET, body, content_type=content_type), **headers})


"""Fixtures every channel's tests share: a stand-in for Rasa's REST webhook on its own thread, and
the gateway in-process built from the channel's own `settings` fixture."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from connectors.config import GatewaySettings
from connectors.gateway import create_app
from tests.fakes.rasa_webhook import FakeRasa


@pytest.fixture(scope="session")
def rasa() -> Iterator[FakeRasa]:
    server = FakeRasa().start()
    yield server
    server.stop()


@pytest.fixture
async def gateway(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client

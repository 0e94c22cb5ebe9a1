"""Handoff tests: the backend in-process with staff always in, and a gateway address where
nothing listens (the success path of a push is tested end to end in tests/e2e/test_handoff.py)."""
from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.backend.factories import bot
from tests.services import free_port

ALWAYS = "mon-sun 00:00-24:00"


@pytest.fixture(scope="session")
async def handoff_app(db_kind: str, databases):
    from backend.core.config import Settings
    from backend.main import create_app

    settings = Settings(**databases.get(db_kind), STAFF_HOURS=ALWAYS, STAFF_TIMEZONE="UTC",
                        GATEWAY_URL=f"http://127.0.0.1:{free_port()}",
                        NOTIFY_TIMEOUT_SECONDS=2)
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(handoff_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=handoff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def staff_hours(handoff_app):
    """Sets STAFF_HOURS for one test: `staff_hours("")` means never staffed."""
    original = handoff_app.state.settings

    def use(spec: str) -> None:
        handoff_app.state.settings = original.model_copy(update={"STAFF_HOURS": spec})

    yield use
    handoff_app.state.settings = original


async def open_ticket(client: httpx.AsyncClient, who: str, reason: str = "wants a person") -> dict:
    response = await client.post("/api/v1/tickets", headers=bot(who), json={
        "reason": reason, "conversation_id": who,
        "transcript": [{"sender": "user", "text": "a person please"}]})
    assert response.status_code == 201, response.text
    return response.json()

"""Web chat fixtures: settings pointing at the shared Rasa stand-in, the gateway in-process over
ASGI, and the gateway on a real port (uvicorn on this event loop) for the streaming tests."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from connectors.config import GatewaySettings
from connectors.gateway import create_app
from tests.fakes.rasa_webhook import FakeRasa

SESSION = "abcdef0123456789"
PUSH_TOKEN = "test-push-token"


@pytest.fixture
def settings(rasa: FakeRasa) -> GatewaySettings:
    rasa.reset()
    return GatewaySettings(_env_file=None, rasa_url=rasa.url, rasa_timeout_seconds=2,
                           gateway_push_token=PUSH_TOKEN, webchat_backlog_size=5,
                           webchat_heartbeat_seconds=0.2)



@pytest.fixture
async def served(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    """ASGITransport buffers whole responses, so event streams need a real server."""
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        yield client
    server.should_exit = True
    await task


def push_headers(token: str = PUSH_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def read_events(response: httpx.Response, count: int, timeout: float = 5.0) -> list[dict]:
    """Reads `count` SSE events ({"id", "data"}) from an open stream, skipping comments."""
    events: list[dict] = []
    current: dict = {}

    lines = response.extensions.setdefault("sse_lines", response.aiter_lines())  # read on later

    async def collect() -> None:
        async for line in lines:
            if line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
            elif line == "" and "data" in current:
                events.append(dict(current))
                current.clear()
                if len(events) == count:
                    return

    await asyncio.wait_for(collect(), timeout)
    return events

"""Socket Mode, the `python -m connectors.slack` path: events arrive over a WebSocket, are acked
by envelope id, and are answered through the Web API; a redelivered event is answered once."""
from __future__ import annotations

import asyncio
import contextlib

from connectors.slack.socket_mode import run
from tests.fakes import slack_requests as sr
from tests.fakes.slack_socket import FakeSocketMode


async def test_socket_mode_acks_and_replies_once(settings, slack_api, rasa):
    socket = await FakeSocketMode().start()
    slack_api.socket_url = socket.url
    runner = asyncio.create_task(run(settings.model_copy(update={"slack_app_token": "xapp-test"})))
    try:
        body = sr.event_body(sr.dm_event("hi"), event_id="Ev0SOCKET1")
        first = await socket.send_event(body)
        second = await socket.send_event(body, retry_attempt=1)
        await slack_api.wait_for("chat.postMessage")
        await asyncio.sleep(0.3)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await socket.stop()
    assert {ack["envelope_id"] for ack in socket.acks} == {first, second}
    assert [post["text"] for post in slack_api.posted()] == ["echo: hi"]
    assert slack_api.named("apps.connections.open")

"""A headless chat widget: what connectors/webchat/static/widget.js does, over plain HTTP, for the
benchmark. One web session; a live Server-Sent Events stream (GET /webchat/stream, resumed with
Last-Event-ID after a drop, like EventSource); messages posted to /webchat/messages with a client
message id and sent again with the same id after a network error, the bot's replies coming back in
the response."""
from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import uuid
from collections.abc import Callable

import httpx

RETRY_DELAYS = [0.5, 1.0, 2.0, 4.0]  # shorter than the widget's: a benchmark should not idle


class HeadlessWidget:
    def __init__(self, http: httpx.AsyncClient, on_event: Callable[[dict], None] | None = None):
        """on_event runs for every live message (a dict in Rasa's reply format) as it arrives."""
        self.http = http
        self.session_id = secrets.token_hex(16)
        self.last_event_id = 0
        self.on_event = on_event or (lambda message: None)
        self._connected = asyncio.Event()
        self._stream: asyncio.Task | None = None

    async def open(self) -> HeadlessWidget:
        """Opens the live stream and waits until the gateway has registered it."""
        self._stream = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._connected.wait(), 10)
        return self

    async def close(self) -> None:
        if self._stream:
            self._stream.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stream

    async def send(self, text: str) -> list[dict]:
        """Posts one message and returns the bot's replies; a retry reuses the client id."""
        body = {"session_id": self.session_id, "text": text, "client_message_id": uuid.uuid4().hex}
        for delay in [*RETRY_DELAYS, None]:
            try:
                response = await self.http.post("/webchat/messages", json=body)
                response.raise_for_status()
                return response.json()["replies"]
            except httpx.TransportError:
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _listen(self) -> None:
        while True:
            try:
                await self._read_stream()
            except (httpx.TransportError, httpx.HTTPStatusError):
                pass
            await asyncio.sleep(1)  # the gateway's `retry:` hint is 3 s; a benchmark waits less

    async def _read_stream(self) -> None:
        params = {"session_id": self.session_id}
        headers = {"Accept": "text/event-stream"}
        if self.last_event_id:
            headers["Last-Event-ID"] = str(self.last_event_id)
        async with self.http.stream("GET", "/webchat/stream", params=params, headers=headers,
                                    timeout=httpx.Timeout(10, read=None)) as response:
            response.raise_for_status()
            event: dict = {}
            async for line in response.aiter_lines():
                self._connected.set()  # the first line (retry hint) comes once subscribed
                if line.startswith("id:"):
                    event["id"] = int(line[3:].strip())
                elif line.startswith("data:"):
                    event["data"] = line[5:].strip()
                elif line == "" and "data" in event:
                    self.last_event_id = event.get("id", self.last_event_id)
                    self.on_event(json.loads(event["data"]))
                    event = {}

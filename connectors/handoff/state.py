"""The handoff state client: asks the backend (the truth) about tickets in handoff, with the staff
token, and remembers for a moment whether a conversation is with staff."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0


class BackendUnavailable(Exception):
    """The backend could not be reached or failed."""


class Refused(Exception):
    """The backend said no (problem+json): e.g. the ticket is resolved or its handoff ended."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class HandoffBackend:
    def __init__(self, settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = str(settings.backend_url).rstrip("/") + "/api/v1/staff/tickets"
        self._headers = {"Authorization": f"Bearer {settings.staff_api_token}"}
        self._transport = transport
        self._client: httpx.AsyncClient | None = None  # made on first use, in the running loop

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, headers=self._headers,
                                             transport=self._transport)
        try:
            response = await self._client.request(method, self._base + path, **kwargs)
        except httpx.HTTPError as error:
            raise BackendUnavailable(repr(error)) from error
        if response.status_code >= 500:
            raise BackendUnavailable(f"backend answered {response.status_code}")
        if response.status_code >= 400:
            problem = _json(response)
            raise Refused(response.status_code, problem.get("code", ""), problem.get("detail", ""))
        return response.json()

    async def active_ticket(self, conversation_id: str) -> dict | None:
        found = await self._call("GET", params={"conversation_id": conversation_id,
                                                "handoff_active": "true", "limit": 1})
        return found["data"][0] if found["data"] else None

    async def ticket_for_thread(self, thread_ts: str) -> dict | None:
        found = await self._call("GET", params={"slack_thread_ts": thread_ts, "limit": 1})
        return found["data"][0] if found["data"] else None

    async def start(self, ticket_id: int) -> dict:
        return await self._call("POST", f"/{ticket_id}/handoff")

    async def set_thread(self, ticket_id: int, channel: str, thread_ts: str) -> dict:
        return await self._call("PUT", f"/{ticket_id}/slack-thread",
                                json={"channel": channel, "thread_ts": thread_ts})

    async def add_customer_message(self, ticket_id: int, text: str,
                                   external_id: str | None) -> dict:
        return await self._call("POST", f"/{ticket_id}/customer-messages",
                                json={"text": text, "external_id": external_id})

    async def back_to_bot(self, ticket_id: int, text: str, external_id: str | None,
                          command: bool) -> dict:
        return await self._call("POST", f"/{ticket_id}/back-to-bot", json={
            "text": text, "external_id": external_id, "command": command})

    async def staff_reply(self, ticket_id: int, text: str, author: str | None,
                          external_id: str | None) -> dict:
        return await self._call("POST", f"/{ticket_id}/messages",
                                json={"text": text, "author": author, "external_id": external_id})

    async def resolve(self, ticket_id: int, actor: str | None) -> dict:
        return await self._call("POST", f"/{ticket_id}/resolve", json={"actor": actor})


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class ActiveHandoffs:
    """conversation id → its active ticket (or None), kept `ttl` seconds. The backend stays the
    truth: a resolve in another process is seen here after at most `ttl` seconds."""

    def __init__(self, ttl: float, capacity: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._capacity, self._clock = ttl, capacity, clock
        self._entries: dict[str, tuple[float, dict | None]] = {}

    def get(self, conversation_id: str) -> tuple[bool, dict | None]:
        entry = self._entries.get(conversation_id)
        if entry is None or entry[0] < self._clock():
            return False, None
        return True, entry[1]

    def put(self, conversation_id: str, ticket: dict | None) -> None:
        if self._ttl <= 0:
            return
        if len(self._entries) >= self._capacity:
            now = self._clock()
            self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
            if len(self._entries) >= self._capacity:
                self._entries.clear()
        self._entries[conversation_id] = (self._clock() + self._ttl, ticket)

    def forget(self, conversation_id: str) -> None:
        self._entries.pop(conversation_id, None)

"""What the handoff tests run: a real backend (uvicorn, SQLite) and a real gateway (uvicorn) that
know each other, the fake Slack Web API and a stand-in for Rasa's REST webhook whose "ask for a
person" answer does what action_open_ticket does; and a web-chat customer (HTTP + SSE)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes import slack_requests as sr
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.services import APP_PYTHON, Service, free_port

STAFF_TOKEN, BOT_TOKEN, PUSH_TOKEN = "handoff-staff-token", "handoff-bot-token", "handoff-push-token"
SIGNING_SECRET = "handoff-signing-secret"
TELEGRAM_SECRET = "handoff-telegram-secret"
STAFF_CHANNEL = "C0STAFF"
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


@dataclass
class HandoffStack:
    backend: Service
    gateway: Service
    slack: FakeSlackAPI | None

    def stop(self) -> None:
        self.gateway.stop()
        self.backend.stop()

    def tickets(self, **params) -> list[dict]:
        response = httpx.get(f"{self.backend.url}/api/v1/staff/tickets", headers=STAFF,
                             params=params, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def ticket(self, ticket_id: int) -> dict:
        response = httpx.get(f"{self.backend.url}/api/v1/staff/tickets/{ticket_id}",
                             headers=STAFF, timeout=10)
        response.raise_for_status()
        return response.json()

    def telegram_post(self, update: dict) -> httpx.Response:
        return httpx.post(f"{self.gateway.url}/telegram/webhook", json=update, timeout=10,
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})

    def slack_post(self, body: str, content_type: str = "application/json",
                   headers: dict | None = None) -> httpx.Response:
        """A request signed like Slack's, into the gateway's HTTP events route."""
        signed = sr.signed_headers(SIGNING_SECRET, body, content_type=content_type)
        return httpx.post(f"{self.gateway.url}/slack/events", content=body,
                          headers={**signed, **(headers or {})}, timeout=10)


def start_stack(database_url: str, rasa: FakeRasa, staff_hours: str,
                slack: FakeSlackAPI | None, workdir: Path,
                telegram: FakeTelegramAPI | None = None) -> HandoffStack:
    gateway_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    backend_port = free_port()
    backend = Service(f"backend-handoff-{backend_port}", [
        str(APP_PYTHON), "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1",
        "--port", str(backend_port)], {
        "DATABASE_URL": database_url, "STAFF_API_TOKEN": STAFF_TOKEN, "BOT_API_TOKEN": BOT_TOKEN,
        "EXPIRY_INTERVAL_SECONDS": "0", "GATEWAY_URL": gateway_url,
        "GATEWAY_PUSH_TOKEN": PUSH_TOKEN, "STAFF_HOURS": staff_hours, "STAFF_TIMEZONE": "UTC"},
        f"http://127.0.0.1:{backend_port}", "/health")
    env = {"RASA_URL": rasa.url, "BACKEND_URL": backend.url, "STAFF_API_TOKEN": STAFF_TOKEN,
           "GATEWAY_PUSH_TOKEN": PUSH_TOKEN, "HANDOFF_CACHE_SECONDS": "0",
           "GATEWAY_STATE_DB": str(workdir / f"gateway-{gateway_port}.db"),
           "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_WEBHOOK_URL": "", "SLACK_APP_TOKEN": "",
           "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_STAFF_CHANNEL": ""}
    if slack is not None:
        env.update(SLACK_BOT_TOKEN="xoxb-handoff", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   SLACK_API_BASE_URL=slack.base_url, SLACK_STAFF_CHANNEL=STAFF_CHANNEL)
    if telegram is not None:  # webhook mode: the gateway itself answers Telegram
        env.update(TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_API_BASE_URL=telegram.base_url,
                   TELEGRAM_WEBHOOK_URL="https://orderbot.example/telegram/webhook",
                   TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET)
    gateway = Service(f"gateway-handoff-{gateway_port}", [
        str(APP_PYTHON), "-m", "uvicorn", "connectors.gateway:app", "--host", "127.0.0.1",
        "--port", str(gateway_port)], env, gateway_url, "/health")
    try:
        backend.wait_healthy(60)
        gateway.wait_healthy(60)
    except Exception:
        gateway.stop()
        backend.stop()
        raise
    return HandoffStack(backend, gateway, slack)


def act_like_open_ticket(stack: HandoffStack, rasa: FakeRasa, sender_id: str, text: str) -> None:
    """The bot's answer to `text` from `sender_id`: what action_open_ticket does (a ticket in the
    backend, the customer's text, the handoff payload), without running Rasa."""

    def answer(_text: str) -> list[dict]:
        response = httpx.post(f"{stack.backend.url}/api/v1/tickets", timeout=10, headers={
            "Authorization": f"Bearer {BOT_TOKEN}", "X-Channel-Identity": sender_id}, json={
            "reason": "customer asked for a person", "conversation_id": sender_id,
            "transcript": [{"sender": "user", "text": text}]})
        response.raise_for_status()
        ticket_id = response.json()["id"]
        return [{"text": f"I've asked our team to take over (ticket #{ticket_id})."},
                {"custom": {"handoff": {"ticket_id": ticket_id}}}]

    rasa.replies[text] = answer


class WebCustomer:
    """The widget, headless: posts messages and reads the live stream (pushed messages)."""

    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=10)
        self.session_id = secrets.token_hex(16)
        self.sender_id = f"web:{self.session_id}"
        self.pushed: list[dict] = []
        self._connected = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> WebCustomer:
        self._task = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._connected.wait(), 10)
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.http.aclose()

    async def send(self, text: str) -> list[dict]:
        response = await self.http.post("/webchat/messages", json={
            "session_id": self.session_id, "text": text,
            "client_message_id": secrets.token_hex(8)})
        response.raise_for_status()
        return response.json()["replies"]

    async def wait_pushed(self, fragment: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.pushed:
                if fragment in (message.get("text") or ""):
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no pushed message with {fragment!r}; got {self.pushed}")

    async def _listen(self) -> None:
        async with self.http.stream("GET", "/webchat/stream", params={
                "session_id": self.session_id}, timeout=httpx.Timeout(10, read=None)) as response:
            async for line in response.aiter_lines():
                self._connected.set()
                if line.startswith("data:"):
                    self.pushed.append(json.loads(line[5:]))

"""The notification pipeline as real processes for the end-to-end tests and the benchmark:
backend (uvicorn, fresh SQLite file), gateway (uvicorn) pointed at the fake Telegram and Slack
APIs, and the dispatcher (python -m backend.notifications), which can be killed and restarted."""
from __future__ import annotations

import json
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.backend import servers
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.services import Service, free_port

PUSH_TOKEN = "e2e-push-token"
STAFF_CHANNEL = "C0STAFF"
STAFF = {"Authorization": f"Bearer {servers.STAFF_TOKEN}"}
ADDRESS = {"name": "Ada Lovelace", "line1": "12 Market Street", "city": "Dublin",
           "postal_code": "D02 X285", "country": "IE"}


class FlakyTelegramAPI(FakeTelegramAPI):
    """The fake Bot API, except that messages to chats in `failing_chats` get a 500."""

    def __init__(self) -> None:
        super().__init__()
        self.failing_chats: set[int] = set()

    def respond(self, call):
        if call.name == "sendMessage" and int(call.fields.get("chat_id") or 0) in self.failing_chats:
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return 500, "application/json", json.dumps(body).encode()
        return super().respond(call)


@dataclass
class NotificationStack:
    workdir: Path
    telegram: FlakyTelegramAPI
    slack: FakeSlackAPI
    dispatcher_env: dict = field(default_factory=dict)
    backend: servers.LiveServer | None = None
    gateway: Service | None = None
    dispatchers: list[Service] = field(default_factory=list)

    def start(self, backend_env: dict | None = None, dispatcher_env: dict | None = None):
        env = servers.database_env("sqlite", self.workdir)
        servers.migrate(env)
        self.dispatcher_env = {**env, "GATEWAY_PUSH_TOKEN": PUSH_TOKEN,
                               "NOTIFY_POLL_SECONDS": "0.05", "NOTIFY_SCAN_SECONDS": "0.5",
                               "NOTIFY_LEASE_SECONDS": "2", "NOTIFY_BACKOFF_SECONDS": "0.1",
                               "NOTIFY_MAX_ATTEMPTS": "3", **(dispatcher_env or {})}
        self.backend = servers.LiveServer({**env, "FEEDBACK_REQUEST_DELAY_MINUTES": "0",
                                           **(backend_env or {})})
        self.backend.start(self.workdir / "backend.log")
        self.gateway = self._start_gateway()
        self.dispatcher_env["GATEWAY_URL"] = self.gateway.url
        return self

    def _start_gateway(self) -> Service:
        port = free_port()
        env = {"GATEWAY_PUSH_TOKEN": PUSH_TOKEN, "GATEWAY_STATE_DB": str(self.workdir / "gw.db"),
               "TELEGRAM_BOT_TOKEN": self.telegram.token,
               "TELEGRAM_API_BASE_URL": self.telegram.base_url, "TELEGRAM_WEBHOOK_URL": "",
               "SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_API_BASE_URL": self.slack.base_url,
               "SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": "",
               "SLACK_STAFF_CHANNEL": STAFF_CHANNEL, "RASA_URL": "http://127.0.0.1:9"}
        gateway = Service("notify-gateway", [sys.executable, "-m", "uvicorn",
                                             "connectors.gateway:app", "--host", "127.0.0.1",
                                             "--port", str(port), "--log-level", "warning"],
                          env, f"http://127.0.0.1:{port}", "/health")
        gateway.wait_healthy(60)
        return gateway

    def start_dispatcher(self, **extra_env: str) -> Service:
        name = f"notifier-{len(self.dispatchers) + 1}"
        # No health URL: the dispatcher serves nothing; the backend's /health is a stand-in.
        dispatcher = Service(name, [sys.executable, "-m", "backend.notifications"],
                             {**self.dispatcher_env, **extra_env}, self.backend.url, "/health")
        self.dispatchers.append(dispatcher)
        return dispatcher

    def kill(self, dispatcher: Service) -> None:
        dispatcher.process.send_signal(signal.SIGKILL)
        dispatcher.process.wait(timeout=10)

    def stop(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        if self.gateway:
            self.gateway.stop()
        if self.backend:
            self.backend.stop()

    # --- the shop, through the backend's HTTP API -------------------------------------------

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.backend.url}/api/v1", timeout=10)

    def product(self, stock: int = 50) -> str:
        sku = f"SKU-{uuid.uuid4().hex[:10].upper()}"
        with self.api() as api:
            response = api.post("/staff/products", headers=STAFF, json={
                "sku": sku, "name": "Blue mug", "category": "Mugs", "price_minor": 1250,
                "initial_stock": stock})
            assert response.status_code == 201, response.text
        return sku

    def confirmed_order(self, identity: str, sku: str) -> str:
        bot = {"Authorization": f"Bearer {servers.BOT_TOKEN}", "X-Channel-Identity": identity}
        with self.api() as api:
            response = api.post("/orders", headers=bot, json={
                "lines": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS,
                "contact_email": "ada@example.com"})
            assert response.status_code == 201, response.text
            number = response.json()["number"]
            assert api.post(f"/orders/{number}/confirm", headers=bot).status_code == 200
        return number

    def move(self, number: str, status: str, **extra) -> None:
        with self.api() as api:
            response = api.post(f"/staff/orders/{number}/transition", headers=STAFF,
                                json={"status": status, **extra})
            assert response.status_code == 200, response.text

    def ship(self, number: str, tracking: str) -> None:
        self.move(number, "processing")
        self.move(number, "shipped", carrier="DHL", tracking_number=tracking,
                  estimated_delivery="2030-01-15")

    def notifications(self, **params) -> list[dict]:
        with self.api() as api:
            response = api.get("/staff/notifications", headers=STAFF,
                               params={"limit": 200, **params})
            assert response.status_code == 200, response.text
            return response.json()["data"]

    def row(self, dedupe_key: str) -> dict | None:
        return next((n for n in self.notifications() if n["dedupe_key"] == dedupe_key), None)

    def wait_for_state(self, dedupe_key: str, state: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.row(dedupe_key)
            if row and row["state"] == state:
                return row
            time.sleep(0.1)
        raise AssertionError(f"{dedupe_key} not {state} after {timeout} s: {self.row(dedupe_key)}")


def wait_until(predicate, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")

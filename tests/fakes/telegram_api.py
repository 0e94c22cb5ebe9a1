"""A fake Telegram Bot API: `<url>/bot<token>/<method>` like api.telegram.org. Serves queued
updates to getUpdates, answers sendMessage, sendPhoto, answerCallbackQuery, setWebhook and the
rest with Bot API shaped results, and records every call. Point PTB at `base_url`."""
from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from tests.fakes.recording_server import RecordedCall, RecordingServer

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "OrderBot",
            "username": "orderbot_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


class FakeTelegramAPI(RecordingServer):
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        super().__init__()
        self.token = token
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(5000)
        self._updates_ready = threading.Condition()

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def reset(self) -> None:
        super().reset()
        with self._updates_ready:
            self._updates.clear()

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def queue_update(self, update: dict) -> dict:
        update.setdefault("update_id", self.next_update_id())
        with self._updates_ready:
            self._updates.append(update)
            self._updates_ready.notify_all()
        return update

    def sent_texts(self) -> list[str]:
        return [call.fields["text"] for call in self.named("sendMessage")]

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        prefix = f"/bot{self.token}/"
        if not call.path.startswith(prefix):
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = call.path[len(prefix):]
        result = getattr(self, f"_{method}", self._true)(call.fields)
        return self._json(200, {"ok": True, "result": result})

    @staticmethod
    def _json(status: int, payload: dict) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(payload).encode()

    def _true(self, fields: dict) -> Any:
        return True

    def _getMe(self, fields: dict) -> dict:  # noqa: N802 - Bot API method names
        return BOT_USER

    def _getUpdates(self, fields: dict) -> list[dict]:  # noqa: N802
        offset = int(fields.get("offset") or 0)
        wait = min(float(fields.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + wait
        with self._updates_ready:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._updates_ready.wait(deadline - time.monotonic())
            return list(self._updates)

    def _sendMessage(self, fields: dict) -> dict:  # noqa: N802
        return self._message(fields, text=fields.get("text", ""))

    def _sendPhoto(self, fields: dict) -> dict:  # noqa: N802
        photo = {"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}
        return self._message(fields, photo=[photo])

    def _editMessageReplyMarkup(self, fields: dict) -> dict:  # noqa: N802
        return self._message(fields, message_id=int(fields.get("message_id") or 0))

    def _getWebhookInfo(self, fields: dict) -> dict:  # noqa: N802
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _message(self, fields: dict, **extra: Any) -> dict:
        chat_id = int(fields.get("chat_id") or 0)
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": BOT_USER, **extra}

"""A stand-in for Rasa's REST webhook (POST /webhooks/rest/webhook) for connector unit tests.
Replies are canned per message text (default: an echo); `failing = True` makes it answer 503."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.fakes.recording_server import RecordedCall, RecordingServer

Replies = list[dict] | Callable[[str], list[dict]]


class FakeRasa(RecordingServer):
    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, Replies] = {}
        self.failing = False
        self.delay = 0.0  # seconds before answering, to play a slow bot

    def reset(self) -> None:
        super().reset()
        self.replies.clear()
        self.failing = False
        self.delay = 0.0

    def messages(self) -> list[dict]:
        return [call.fields for call in self.named("webhook")]

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        if call.path != "/webhooks/rest/webhook":
            return 404, "text/plain", b"not found"
        time.sleep(self.delay)
        if self.failing:
            return 503, "text/plain", b"unavailable"
        text = call.fields.get("message", "")
        canned = self.replies.get(text, [{"text": f"echo: {text}"}])
        replies = canned(text) if callable(canned) else canned
        replies = [{"recipient_id": call.fields.get("sender"), **reply} if isinstance(reply, dict)
                   else reply for reply in replies]
        return 200, "application/json", json.dumps(replies).encode()

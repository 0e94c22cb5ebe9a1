"""A fake Slack Web API: `<url>/api/<method>` like slack.com/api, plus response_url endpoints
under `<url>/respond/...`. Answers auth.test, chat.postMessage, apps.connections.open and the
rest (`{"ok": true}`), and records every call.
Point the WebClient at `base_url`."""
from __future__ import annotations

import itertools
import json

from tests.fakes.recording_server import RecordedCall, RecordingServer

TEAM_ID = "T0TEST"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"


class FakeSlackAPI(RecordingServer):
    def __init__(self) -> None:
        super().__init__()
        self._timestamps = itertools.count(1)
        self.socket_url = ""  # what apps.connections.open hands out (see slack_socket.py)

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/respond/{name}"

    def posted(self) -> list[dict]:
        return [call.fields for call in self.named("chat.postMessage")]

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        if call.path.startswith("/respond/"):
            return 200, "text/plain", b"ok"
        if not call.path.startswith("/api/"):
            return 404, "text/plain", b"not found"
        method = call.path[len("/api/"):]
        if method == "auth.test":
            result = {"url": "https://test.slack.com/", "team": "Test", "user": "orderbot",
                      "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._timestamps):06d}"
            result = {"channel": call.fields.get("channel"), "ts": ts,
                      "message": {"text": call.fields.get("text", ""), "ts": ts}}
        elif method == "apps.connections.open":
            result = {"url": self.socket_url}
        elif method == "conversations.open":  # a DM with the bot: "D" + the user's id
            result = {"channel": {"id": "D" + str(call.fields.get("users", "")).lstrip("UW")}}
        elif method == "users.info":  # every user's display name is "Staff <user id>"
            user = str(call.fields.get("user", ""))
            result = {"user": {"id": user, "profile": {"display_name": f"Staff {user}"}}}
        else:
            result = {}
        return 200, "application/json", json.dumps({"ok": True, **result}).encode()

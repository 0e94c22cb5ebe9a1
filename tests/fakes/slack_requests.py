"""Builders for what Slack sends us (Events API, block_actions, slash commands), and signing
them the way Slack does (v0 HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret)."""
from __future__ import annotations

import itertools
import json
import time
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID

USER_ID = "U0CUSTOMER"
DM_CHANNEL = "D0CUSTOMER"
_event_ids = itertools.count(1)


def signed_headers(secret: str, body: str, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"content-type": content_type, "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature}


def event_body(event: dict, event_id: str | None = None) -> str:
    return json.dumps({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "type": "event_callback",
        "event": event, "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    })


def dm_event(text: str, user: str = USER_ID, **extra) -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "message", "channel_type": "im", "channel": DM_CHANNEL, "user": user,
            "text": text, "ts": ts, "event_ts": ts, **extra}


def mention_event(text: str, channel: str = "C0SHOP", user: str = USER_ID) -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "app_mention", "channel": channel, "user": user, "ts": ts, "event_ts": ts,
            "text": f"<@{BOT_USER_ID}> {text}"}


def action_body(value: str, response_url: str, channel: str = DM_CHANNEL,
                ephemeral: bool = False) -> str:
    payload = {
        "type": "block_actions", "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": USER_ID, "team_id": TEAM_ID}, "api_app_id": "A0APP", "trigger_id": "t1",
        "container": {"type": "message", "message_ts": "1.2", "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": "1.2", "text": "Pick one"},
        "response_url": response_url,
        "actions": [{"action_id": "rasa_button_0", "block_id": "b1", "type": "button",
                     "value": value, "text": {"type": "plain_text", "text": "Yes"},
                     "action_ts": "1.3"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def command_body(text: str, response_url: str, command: str = "/order") -> str:
    return urlencode({
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "test", "channel_id": "C0SHOP",
        "channel_name": "shop", "user_id": USER_ID, "user_name": "customer",
        "command": command, "text": text, "api_app_id": "A0APP",
        "response_url": response_url, "trigger_id": "t2",
    })


FORM = "application/x-www-form-urlencoded"

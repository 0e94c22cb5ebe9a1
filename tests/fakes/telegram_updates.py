"""Builders for Bot API update JSON, as Telegram would send it (webhook body or getUpdates item)."""
from __future__ import annotations

import itertools
import time

from tests.fakes.telegram_api import BOT_USER

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
USER_ID = 4242
OTHER_USER_ID = 4343
GROUP_ID = -100555


def user(user_id: int = USER_ID) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def chat(chat_id: int) -> dict:
    kind = "private" if chat_id > 0 else "supergroup"
    return {"id": chat_id, "type": kind, **({"title": "Shop fans"} if chat_id < 0 else {})}


def message(text: str | None = None, user_id: int = USER_ID, chat_id: int | None = None,
            **extra) -> dict:
    body = {"message_id": next(_message_ids), "date": int(time.time()),
            "chat": chat(chat_id or user_id), "from": user(user_id), **extra}
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0,
                                 "length": len(text.split()[0])}]
    return body


def mention_message(text: str, user_id: int = USER_ID, chat_id: int = GROUP_ID) -> dict:
    """A group message starting with @orderbot_test_bot."""
    mention = f"@{BOT_USER['username']}"
    body = message(f"{mention} {text}", user_id, chat_id)
    body["entities"] = [{"type": "mention", "offset": 0, "length": len(mention)}]
    return body


def update(message_body: dict, update_id: int | None = None) -> dict:
    return {"update_id": update_id or next(_update_ids), "message": message_body}


def callback_update(data: str, user_id: int = USER_ID, chat_id: int | None = None,
                    reply_to: dict | None = None) -> dict:
    bot_message = {"message_id": next(_message_ids), "date": int(time.time()),
                   "chat": chat(chat_id or user_id), "from": BOT_USER, "text": "Pick one"}
    if reply_to:
        bot_message["reply_to_message"] = reply_to
    query = {"id": f"cbq-{next(_update_ids)}", "from": user(user_id), "chat_instance": "ci-1",
             "message": bot_message, "data": data}
    return {"update_id": next(_update_ids), "callback_query": query}

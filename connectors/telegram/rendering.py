"""Turns the bot's replies into Telegram messages: plain text (never parsed as Markdown, so the
bot's text cannot break formatting), split at Telegram's limit, inline keyboards for buttons."""
from __future__ import annotations

import logging
import secrets
from collections import OrderedDict

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import TelegramError

from connectors.common import split_text, utf16_length

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096  # Telegram counts UTF-16 code units
CALLBACK_DATA_LIMIT = 64  # bytes
CHOOSE_TEXT = "Please choose:"


class PayloadStore:
    """Button payloads for callback data: short ones travel inline ("p:<payload>"), longer ones
    are kept here under a short random key ("k:<key>"), the newest `capacity` of them."""

    def __init__(self, capacity: int = 10_000):
        self._capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        inline = "p:" + payload
        if len(inline.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return inline
        key = secrets.token_urlsafe(12)
        self._payloads[key] = payload
        if len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return "k:" + key

    def payload(self, data: str | None) -> str | None:
        if not data:
            return None
        if data.startswith("p:"):
            return data[2:]
        if data.startswith("k:"):
            return self._payloads.get(data[2:])
        return None


def keyboard(buttons: list[dict] | None, store: PayloadStore) -> InlineKeyboardMarkup | None:
    rows = []
    for button in buttons or []:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title)
        if title:
            rows.append([InlineKeyboardButton(title, callback_data=store.callback_data(payload))])
    return InlineKeyboardMarkup(rows) if rows else None


def reply_text(reply: dict) -> str:
    text = reply.get("text") or ""
    custom = reply.get("custom")
    if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
        text = custom["text"]
    return str(text)


async def send_replies(bot: Bot, chat_id: int, replies: list[dict], store: PayloadStore,
                       reply_to: int | None = None) -> None:
    quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    for reply in replies:
        await _send_reply(bot, chat_id, reply, store, quote)


async def _send_reply(bot: Bot, chat_id: int, reply: dict, store: PayloadStore,
                      quote: ReplyParameters | None) -> None:
    text = reply_text(reply)
    image = reply.get("image")
    if image and not await _send_photo(bot, chat_id, str(image), quote):
        text = f"{text}\n{image}".strip()
    markup = keyboard(reply.get("buttons"), store)
    if not text and markup:
        text = CHOOSE_TEXT
    if not text:
        if not image:
            logger.debug("reply with nothing to show on Telegram: %s", sorted(reply))
        return
    chunks = split_text(text, TEXT_LIMIT, utf16_length)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await bot.send_message(chat_id, chunk, reply_markup=markup if last else None,
                               reply_parameters=quote)


async def _send_photo(bot: Bot, chat_id: int, url: str, quote: ReplyParameters | None) -> bool:
    try:
        await bot.send_photo(chat_id, photo=url, reply_parameters=quote)
        return True
    except TelegramError as error:
        logger.warning("could not send image to chat %s: %s", chat_id, error)
        return False

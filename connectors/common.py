"""Helpers every chat channel shares: polite fallback texts, input checks, splitting, dedupe."""
from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

BOT_UNAVAILABLE_TEXT = "Sorry, I can't answer right now. Please try again in a moment."
EMPTY_INPUT_TEXT = "I didn't catch anything there. What can I help you with?"
NON_TEXT_INPUT_TEXT = "Sorry, I can only read text messages. Could you type your question?"
ERROR_TEXT = "Sorry, something went wrong on my side. Please try again."


def too_long_text(limit: int) -> str:
    return f"That message is a bit long for me. Could you keep it under {limit} characters?"


def is_blank(text: str | None) -> bool:
    return not text or not re.sub(r"[\s\x00-\x1f\u200b-\u200d\ufeff]", "", text)


def check_input(text: str | None, max_chars: int) -> str | None:
    """Returns a polite answer when the text should not go to the bot, else None."""
    if is_blank(text):
        return EMPTY_INPUT_TEXT
    if len(text) > max_chars:
        return too_long_text(max_chars)
    if "\x00" in text:
        return NON_TEXT_INPUT_TEXT
    return None


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Splits text into pieces of at most `limit` (as measured by `length`), preferring line
    breaks, then spaces. Never returns an empty list for a non-empty text."""
    pieces: list[str] = []
    rest = text
    while length(rest) > limit:
        cut = _longest_prefix(rest, limit, length)
        boundary = max(rest.rfind("\n", 0, cut), rest.rfind(" ", 0, cut))
        if boundary > cut // 2:
            cut = boundary
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece] or [text[:limit]]


def _longest_prefix(text: str, limit: int, length: Callable[[str], int]) -> int:
    low, high = 1, min(len(text), limit)
    while low < high:  # binary search: the largest prefix that still fits
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class RecentIds:
    """Remembers the last `capacity` ids: `seen(x)` is False the first time, True after."""

    def __init__(self, capacity: int = 10_000):
        self._capacity = capacity
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def seen(self, item: Hashable) -> bool:
        if item in self._ids:
            self._ids.move_to_end(item)
            return True
        self._ids[item] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._ids)


class KeyedLocks:
    """One asyncio.Lock per key (a sender id), kept only while someone holds or awaits it, so a
    user's messages are answered in order while different users run concurrently."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class RedactSecret(logging.Filter):
    """Replaces a secret (a bot token) in the records of the logger it is attached to."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<redacted>"), ()
        return True


def redact_in_logs(secret: str, *logger_names: str) -> None:
    """Libraries that log request URLs (httpx at INFO, PTB at DEBUG) would print a Telegram bot
    token, which is part of every Bot API URL."""
    if not secret:
        return
    for name in logger_names:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecret) and f.secret == secret for f in target.filters):
            target.addFilter(RedactSecret(secret))

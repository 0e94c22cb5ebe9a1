"""ReplyCache on its own: bounded, expiring, failures forgotten."""
from __future__ import annotations

import pytest

from connectors.webchat.reply_cache import ReplyCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def asker(calls: list[str], text: str):
    async def ask() -> list[dict]:
        calls.append(text)
        return [{"text": text}]
    return ask


async def test_reply_cache_expires_after_ttl():
    clock, calls = Clock(), []
    cache = ReplyCache(capacity=10, ttl_seconds=60, clock=clock)
    await cache.get_or_ask(("s", "1"), asker(calls, "a"))
    clock.now = 59
    assert await cache.get_or_ask(("s", "1"), asker(calls, "b")) == [{"text": "a"}]
    clock.now = 61
    assert await cache.get_or_ask(("s", "1"), asker(calls, "c")) == [{"text": "c"}]
    assert calls == ["a", "c"]


async def test_reply_cache_is_bounded():
    calls: list[str] = []
    cache = ReplyCache(capacity=2, ttl_seconds=60)
    for key in "123":
        await cache.get_or_ask(("s", key), asker(calls, key))
    assert len(cache) == 2
    await cache.get_or_ask(("s", "1"), asker(calls, "again"))
    assert calls == ["1", "2", "3", "again"]


async def test_reply_cache_forgets_failures():
    cache = ReplyCache()

    async def fail() -> list[dict]:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        await cache.get_or_ask(("s", "1"), fail)
    assert len(cache) == 0

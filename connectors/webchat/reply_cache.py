"""Remembers the bot's replies to recent web messages by (session, client message id), so a widget
retrying after a network loss gets the same replies instead of asking the bot a second time."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

Replies = list[dict]


class ReplyCache:
    """Bounded (oldest first out) and with a time to live. A retry that arrives while the first
    attempt still waits for the bot shares its answer. Failures are not remembered."""

    def __init__(self, capacity: int = 10_000, ttl_seconds: float = 600.0,
                 clock: Callable[[], float] = time.monotonic):
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[float, asyncio.Future[Replies]]] = OrderedDict()

    async def get_or_ask(self, key: tuple[str, str], ask: Callable[[], Awaitable[Replies]]) -> Replies:
        self._expire()
        entry = self._entries.get(key)
        if entry is not None:
            await asyncio.wait([entry[1]])
            if not entry[1].cancelled():
                return entry[1].result()  # the first attempt's replies, or its error
        future: asyncio.Future[Replies] = asyncio.get_running_loop().create_future()
        self._entries[key] = (self._clock(), future)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        try:
            replies = await ask()
        except BaseException as error:
            if self._entries.get(key, (0, None))[1] is future:
                del self._entries[key]
            if isinstance(error, Exception):
                future.set_exception(error)
                future.exception()  # retrieved: no "never retrieved" warning if nobody waits
            else:  # cancelled: a waiting retry asks the bot itself
                future.cancel()
            raise
        future.set_result(replies)
        return replies

    def _expire(self) -> None:
        deadline = self._clock() - self._ttl
        while self._entries:
            stored_at, future = next(iter(self._entries.values()))
            if stored_at > deadline or not future.done():
                break
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

"""Live web chat events: per-session subscribers (open SSE streams, one per tab) and a short
backlog with increasing ids, so a reconnecting widget gets what it missed exactly once."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveEvent:
    id: int
    message: dict[str, Any]


CLOSED = LiveEvent(-1, {})  # put on a subscriber's queue to end its stream


@dataclass(eq=False)
class Subscription:
    session_id: str
    replay: list[LiveEvent]
    queue: asyncio.Queue[LiveEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=256))


class LiveHub:
    """Ids come from the clock in microseconds (and at least last + 1), so they keep increasing
    across gateway restarts and a widget's Last-Event-ID stays meaningful. Everything here runs on
    the event loop without awaiting, so subscribing and publishing never interleave."""

    def __init__(self, backlog_size: int = 100, max_sessions: int = 10_000):
        self._backlog_size = backlog_size
        self._max_sessions = max_sessions
        self._backlogs: OrderedDict[str, deque[LiveEvent]] = OrderedDict()
        self._subscribers: dict[str, set[Subscription]] = {}
        self._last_id = 0
        self.closed = False

    def _next_id(self) -> int:
        self._last_id = max(self._last_id + 1, time.time_ns() // 1000)
        return self._last_id

    def subscribe(self, session_id: str, after: int | None) -> Subscription:
        """after: the last event id the client has; None means live events only."""
        backlog = self._backlogs.get(session_id, ())
        replay = [] if after is None else [event for event in backlog if event.id > after]
        subscription = Subscription(session_id, replay)
        if self.closed:
            subscription.queue.put_nowait(CLOSED)
        self._subscribers.setdefault(session_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.session_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.session_id]

    def publish(self, session_id: str, messages: list[dict[str, Any]]) -> tuple[list[int], int]:
        """Returns the new events' ids and how many open streams they reached."""
        events = [LiveEvent(self._next_id(), message) for message in messages]
        backlog = self._backlogs.pop(session_id, None) or deque(maxlen=self._backlog_size)
        backlog.extend(events)
        self._backlogs[session_id] = backlog  # most recently used last
        while len(self._backlogs) > self._max_sessions:
            self._backlogs.popitem(last=False)
        subscribers = list(self._subscribers.get(session_id, ()))
        for subscription in subscribers:
            self._deliver(subscription, events)
        return [event.id for event in events], len(subscribers)

    def _deliver(self, subscription: Subscription, events: list[LiveEvent]) -> None:
        try:
            for event in events:
                subscription.queue.put_nowait(event)
        except asyncio.QueueFull:  # a stuck client: end its stream, it resumes from the backlog
            logger.warning("web chat stream too slow, closing it for a resume")
            self.unsubscribe(subscription)
            self._end(subscription)

    @staticmethod
    def _end(subscription: Subscription) -> None:
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait(CLOSED)

    def close(self) -> None:
        """Ends every open stream (the server is stopping); widgets reconnect by themselves."""
        self.closed = True
        for subscribers in list(self._subscribers.values()):
            for subscription in list(subscribers):
                self._end(subscription)

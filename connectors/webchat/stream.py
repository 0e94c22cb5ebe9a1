"""GET /webchat/stream: a Server-Sent Events stream per web session for proactive messages
(notifications, a human agent). The widget's EventSource reconnects by itself and sends the last id
it saw (Last-Event-ID), or the widget passes `last_event_id` when it opens a new stream."""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from connectors.webchat.deps import SESSION_ID_PATTERN, HubDep, SettingsDep
from connectors.webchat.live import CLOSED, LiveHub, LiveEvent, Subscription

logger = logging.getLogger(__name__)
router = APIRouter(tags=["webchat"])
RECONNECT_MILLISECONDS = 3000


def format_event(event: LiveEvent) -> str:
    data = json.dumps(event.message, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event.id}\nevent: message\ndata: {data}\n\n"


def _resume_after(header: str | None, query: int | None) -> int | None:
    """The header wins: EventSource sends it on reconnects, newer than the page's query value."""
    if header is not None and header.strip().isdigit():
        return int(header.strip())
    return query


async def _events(hub: LiveHub, subscription: Subscription, heartbeat: float) -> AsyncIterator[str]:
    try:
        yield f"retry: {RECONNECT_MILLISECONDS}\n: connected\n\n"
        for event in subscription.replay:
            yield format_event(event)
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), heartbeat)
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"  # also how a vanished client is noticed
                continue
            if event is CLOSED:
                return
            yield format_event(event)
    finally:
        hub.unsubscribe(subscription)


@router.get("/webchat/stream", name="stream_web_events", response_class=StreamingResponse)
async def stream_web_events(
    hub: HubDep,
    settings: SettingsDep,
    session_id: Annotated[str, Query(pattern=SESSION_ID_PATTERN)],
    last_event_id: Annotated[int | None, Query(ge=0)] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    subscription = hub.subscribe(session_id, _resume_after(last_event_id_header, last_event_id))
    return StreamingResponse(
        _events(hub, subscription, settings.webchat_heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@contextmanager
def end_streams_on_exit(hub: LiveHub) -> Iterator[None]:
    """uvicorn waits for open responses before it stops, and an SSE stream never finishes: on
    SIGINT/SIGTERM end the streams first, then let uvicorn's own handler run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(sig, frame):
        loop.call_soon_threadsafe(hub.close)
        handler = previous[sig]
        if callable(handler):
            handler(sig, frame)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, handler)
        hub.close()

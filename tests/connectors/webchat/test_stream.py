"""GET /webchat/stream: pushed messages reach every open stream of the session, and a
reconnecting stream gets the backlog after its Last-Event-ID, without duplicates."""
from __future__ import annotations

import asyncio

from tests.connectors.webchat.conftest import SESSION, push_headers, read_events

STREAM = f"/webchat/stream?session_id={SESSION}"


async def push(client, *texts: str) -> list[int]:
    body = {"sender_id": f"web:{SESSION}", "messages": [{"text": text} for text in texts]}
    response = await client.post("/internal/push", json=body, headers=push_headers())
    assert response.status_code == 200
    return response.json()["event_ids"]


async def test_stream_web_events_delivers_push_to_every_open_tab(served):
    async with served.stream("GET", STREAM) as tab1, served.stream("GET", STREAM) as tab2:
        assert tab1.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.05)
        ids = await push(served, "Your order shipped")
        for tab in (tab1, tab2):
            events = await read_events(tab, 1)
            assert events == [{"id": ids[0], "data": {"text": "Your order shipped"}}]


async def test_stream_web_events_replays_backlog_after_last_event_id(served):
    ids = await push(served, "one", "two", "three")
    headers = {"Last-Event-ID": str(ids[0])}
    async with served.stream("GET", STREAM, headers=headers) as stream:
        events = await read_events(stream, 2)
        assert [event["data"]["text"] for event in events] == ["two", "three"]
        later = await push(served, "four")
        assert await read_events(stream, 1) == [{"id": later[0], "data": {"text": "four"}}]


async def test_stream_web_events_query_last_event_id_replays_too(served):
    ids = await push(served, "one", "two")
    async with served.stream("GET", f"{STREAM}&last_event_id={ids[0]}") as stream:
        assert [event["data"]["text"] for event in await read_events(stream, 1)] == ["two"]


async def test_stream_web_events_without_id_gets_live_events_only(served):
    await push(served, "old")
    async with served.stream("GET", STREAM) as stream:
        await asyncio.sleep(0.05)
        await push(served, "new")
        assert [event["data"]["text"] for event in await read_events(stream, 1)] == ["new"]


async def test_stream_web_events_backlog_is_bounded(served):
    await push(served, *[f"m{n}" for n in range(8)])  # backlog size 5 in these settings
    async with served.stream("GET", f"{STREAM}&last_event_id=0") as stream:
        texts = [event["data"]["text"] for event in await read_events(stream, 5)]
    assert texts == ["m3", "m4", "m5", "m6", "m7"]


async def test_stream_web_events_other_session_gets_nothing(served):
    other = "zzzzzzzz99999999"
    async with served.stream("GET", f"/webchat/stream?session_id={other}&last_event_id=0") as stream:
        await push(served, "not for you")
        events = []
        try:
            events = await read_events(stream, 1, timeout=0.5)
        except asyncio.TimeoutError:
            pass
        assert events == []


async def test_stream_web_events_bad_session_is_422(served):
    response = await served.get("/webchat/stream?session_id=bad id")
    assert response.status_code == 422

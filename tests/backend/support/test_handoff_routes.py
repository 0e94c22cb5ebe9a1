"""Handoff state in the backend: start, Slack thread, customer messages, staff replies, resolve.
The gateway is not running here, so pushes fail: a staff reply is then refused and writes
nothing, and a resolve still resolves but says the customer was not told. One test starts a
gateway of its own, to make a staff reply and a resolve cross."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

from backend.support.staff_hours import DAYS

from tests.backend.factories import STAFF
from tests.backend.support.conftest import open_ticket
from tests.fakes.recording_server import RecordedCall, RecordingServer

TICKETS = "/api/v1/staff/tickets"


def web_customer() -> str:
    return f"web:{uuid.uuid4().hex}"


async def start(client, ticket_id: int) -> dict:
    response = await client.post(f"{TICKETS}/{ticket_id}/handoff", headers=STAFF)
    assert response.status_code == 200, response.text
    return response.json()


async def active_for(client, who: str) -> list[int]:
    response = await client.get(TICKETS, headers=STAFF,
                                params={"conversation_id": who, "handoff_active": "true"})
    return [ticket["id"] for ticket in response.json()["data"]]


async def test_start_handoff_in_staff_hours(client):
    who = web_customer()
    ticket = await open_ticket(client, who)
    handoff = await start(client, ticket["id"])
    assert handoff["staff_available"] is True and handoff["staff_available_at"] is None
    assert handoff["customer_notice"].startswith("Someone from our team will answer you")
    assert handoff["ticket"]["handoff_active"] is True
    assert handoff["ticket"]["customer_name"] is not None
    assert await active_for(client, who) == [ticket["id"]]


async def test_start_handoff_out_of_hours_says_when(client, staff_hours):
    day = (datetime.now(timezone.utc) + timedelta(days=2)).date()
    staff_hours(f"{DAYS[day.weekday()]} 10:00-11:00")  # only the day after tomorrow
    handoff = await start(client, (await open_ticket(client, web_customer()))["id"])
    assert handoff["staff_available"] is False
    assert handoff["staff_available_at"] == f"{day.isoformat()}T10:00:00Z"
    assert f"{day:%A} 10:00 (UTC)" in handoff["customer_notice"]


async def test_start_handoff_never_staffed(client, staff_hours):
    staff_hours("")
    handoff = await start(client, (await open_ticket(client, web_customer()))["id"])
    assert handoff["staff_available"] is False and handoff["staff_available_at"] is None
    assert "as soon as we can" in handoff["customer_notice"]


async def test_start_handoff_twice_is_the_same(client):
    ticket = await open_ticket(client, web_customer())
    first = await start(client, ticket["id"])
    second = await start(client, ticket["id"])
    assert first["ticket"]["handoff_started_at"] == second["ticket"]["handoff_started_at"]


async def test_start_handoff_ends_an_older_one_of_the_conversation(client):
    who = web_customer()
    older = await open_ticket(client, who)
    await start(client, older["id"])
    newer = await open_ticket(client, who, reason="customer complaint")  # another problem
    await start(client, newer["id"])
    assert await active_for(client, who) == [newer["id"]]


async def test_start_handoff_unknown_ticket_is_404(client):
    response = await client.post(f"{TICKETS}/999999/handoff", headers=STAFF)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "ticket_not_found"


async def test_staff_routes_need_the_staff_token(client):
    ticket = await open_ticket(client, web_customer())
    response = await client.post(f"{TICKETS}/{ticket['id']}/handoff")
    assert response.status_code == 401


async def test_slack_thread_is_stored_and_found(client):
    ticket = await open_ticket(client, web_customer())
    thread = f"1700000000.{uuid.uuid4().int % 10**6:06d}"
    response = await client.put(f"{TICKETS}/{ticket['id']}/slack-thread", headers=STAFF,
                                json={"channel": "C0STAFF", "thread_ts": thread})
    assert response.status_code == 200 and response.json()["slack_thread_ts"] == thread
    found = await client.get(TICKETS, headers=STAFF, params={"slack_thread_ts": thread})
    assert [t["id"] for t in found.json()["data"]] == [ticket["id"]]


async def test_slack_thread_rejects_a_bad_ts(client):
    ticket = await open_ticket(client, web_customer())
    response = await client.put(f"{TICKETS}/{ticket['id']}/slack-thread", headers=STAFF,
                                json={"channel": "C0STAFF", "thread_ts": "yesterday"})
    assert response.status_code == 422


async def test_customer_message_joins_the_transcript_once(client):
    ticket = await open_ticket(client, web_customer())
    await start(client, ticket["id"])
    url = f"{TICKETS}/{ticket['id']}/customer-messages"
    body = {"text": "my parcel is wet", "external_id": f"web:{uuid.uuid4().hex}"}
    first = await client.post(url, headers=STAFF, json=body)
    again = await client.post(url, headers=STAFF, json=body)
    assert first.status_code == 201 and again.json()["duplicate"] is True
    assert again.json()["id"] == first.json()["id"]
    read = (await client.get(f"{TICKETS}/{ticket['id']}", headers=STAFF)).json()
    assert [(t["sender"], t["text"]) for t in read["transcript"]] == [
        ("user", "a person please"), ("user", "my parcel is wet")]


async def test_customer_message_after_the_handoff_is_refused(client):
    ticket = await open_ticket(client, web_customer())
    response = await client.post(f"{TICKETS}/{ticket['id']}/customer-messages", headers=STAFF,
                                 json={"text": "hello?"})
    assert response.status_code == 409 and response.json()["code"] == "ticket_not_open"


async def test_staff_message_gateway_down_writes_nothing(client):
    ticket = await open_ticket(client, web_customer())
    response = await client.post(f"{TICKETS}/{ticket['id']}/messages", headers=STAFF,
                                 json={"text": "Hi, Maria here", "author": "Maria"})
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "customer_unreachable"
    read = (await client.get(f"{TICKETS}/{ticket['id']}", headers=STAFF)).json()
    assert len(read["transcript"]) == 1 and read["status"] == "open"
    assert read["handoff_active"] is False


async def test_staff_message_on_a_resolved_ticket_is_refused(client):
    ticket = await open_ticket(client, web_customer())
    await client.post(f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF)
    response = await client.post(f"{TICKETS}/{ticket['id']}/messages", headers=STAFF,
                                 json={"text": "still there?"})
    assert response.status_code == 409 and response.json()["code"] == "ticket_not_open"


class GatewayWhereStaffResolve(RecordingServer):
    """A gateway that delivers every push, but a staff reply reaching the customer makes staff
    resolve the ticket before the gateway answers: the reply and the resolve cross."""

    def __init__(self, resolve) -> None:
        super().__init__()
        self._resolve = resolve

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        texts = [message["text"] for message in call.fields.get("messages", [])]
        if any("(shop team)" in text for text in texts):
            self._resolve()
        return 200, "application/json", b'{"status": "sent"}'


async def test_a_staff_reply_crossing_a_resolve_leaves_the_ticket_resolved(client, handoff_app):
    who = web_customer()
    ticket = await open_ticket(client, who)
    await start(client, ticket["id"])
    loop = asyncio.get_running_loop()

    def resolve() -> None:  # on the gateway's thread, while the reply waits for its answer
        asyncio.run_coroutine_threadsafe(client.post(
            f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF, json={"actor": "maria"}),
            loop).result(timeout=10)

    gateway = GatewayWhereStaffResolve(resolve).start()
    settings = handoff_app.state.settings
    handoff_app.state.settings = settings.model_copy(update={"GATEWAY_URL": gateway.url})
    try:
        response = await client.post(f"{TICKETS}/{ticket['id']}/messages", headers=STAFF,
                                     json={"text": "Found it, refund on its way", "author": "Maria"})
    finally:
        handoff_app.state.settings = settings
        gateway.stop()
    assert response.status_code == 201, response.text
    read = (await client.get(f"{TICKETS}/{ticket['id']}", headers=STAFF)).json()
    assert read["status"] == "resolved" and read["handoff_active"] is False
    assert await active_for(client, who) == []  # the customer talks to the bot again
    assert ("agent", "Found it, refund on its way") in [
        (line["sender"], line["text"]) for line in read["transcript"]]  # it was delivered


async def test_resolve_ends_the_handoff_even_if_the_customer_is_unreachable(client):
    who = web_customer()
    ticket = await open_ticket(client, who)
    await start(client, ticket["id"])
    response = await client.post(f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF,
                                 json={"actor": "maria"})
    result = response.json()
    assert response.status_code == 200 and result["handoff_ended"] is True
    assert result["customer_notified"] is False
    assert result["ticket"]["status"] == "resolved" and result["ticket"]["assignee"] == "maria"
    assert await active_for(client, who) == []


async def test_resolve_twice_is_a_no_op(client):
    ticket = await open_ticket(client, web_customer())
    await start(client, ticket["id"])
    await client.post(f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF)
    again = await client.post(f"{TICKETS}/{ticket['id']}/resolve", headers=STAFF)
    assert again.status_code == 200 and again.json()["handoff_ended"] is False


async def test_patch_resolved_ends_the_handoff(client):
    who = web_customer()
    ticket = await open_ticket(client, who)
    await start(client, ticket["id"])
    response = await client.patch(f"{TICKETS}/{ticket['id']}", headers=STAFF,
                                  json={"status": "resolved"})
    assert response.json()["handoff_active"] is False and await active_for(client, who) == []

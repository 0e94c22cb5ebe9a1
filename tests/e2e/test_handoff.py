"""Human handoff end to end: a web-chat customer, the real backend and gateway, Slack's Web API
faked and Slack's events signed into the gateway. Rasa is a stand-in whose answer to "a person
please" is what action_open_ticket returns (the action itself is tested in tests/actions)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx
import pytest

from backend.support.staff_hours import DAYS
from connectors.config import GatewaySettings
from connectors.slack.socket_mode import run as run_socket_mode
from tests.e2e.handoff_stack import (STAFF, STAFF_CHANNEL, HandoffStack, WebCustomer,
                                     act_like_open_ticket, start_stack)
from tests.fakes import slack_requests as sr
from tests.fakes import telegram_updates as tg
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_socket import FakeSocketMode
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.services import prepare_database

pytestmark = pytest.mark.live
ASK = "a person please"
STAFF_USER = "U0MARIA"


@pytest.fixture(scope="module")
def rasa():
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def slack():
    fake = FakeSlackAPI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, rasa, slack):
    """Stacks by (staff hours, with Slack), started on first use, sharing one database."""
    workdir = tmp_path_factory.mktemp("handoff")
    database_url = f"sqlite+aiosqlite:///{workdir / 'orderbot.db'}"
    prepare_database(database_url)
    started: dict[tuple, HandoffStack] = {}

    def get(staff_hours: str = "mon-sun 00:00-24:00", with_slack: bool = True,
            telegram: FakeTelegramAPI | None = None) -> HandoffStack:
        key = (staff_hours, with_slack, telegram is not None)
        if key not in started:
            started[key] = start_stack(database_url, rasa, staff_hours,
                                       slack if with_slack else None, workdir, telegram)
        return started[key]

    yield get
    for stack in started.values():
        stack.stop()


def staff_posts(slack: FakeSlackAPI, **match) -> list[dict]:
    return [fields for fields in slack.posted()
            if all(fields.get(key) == value for key, value in match.items())]


async def eventually(condition, timeout: float = 10) -> bool:
    """Whether `condition()` became true within `timeout` seconds (Slack work after an ack)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def updates_of(slack: FakeSlackAPI, ts: str) -> list[dict]:
    return [call.fields for call in slack.named("chat.update") if call.fields["ts"] == ts]


async def hand_off(stack: HandoffStack, rasa: FakeRasa, customer: WebCustomer) -> dict:
    """The customer asks for a person; returns the ticket."""
    text = f"{ASK} ({customer.session_id})"
    act_like_open_ticket(stack, rasa, customer.sender_id, text)
    replies = await customer.send(text)
    assert all("custom" not in reply for reply in replies)  # the payload is never shown
    [ticket] = stack.tickets(conversation_id=customer.sender_id, handoff_active="true")
    assert replies[0]["text"] == f"I've asked our team to take over (ticket #{ticket['id']})."
    return {**ticket, "notice": replies[1]["text"]}


def thread_reply(thread_ts: str, text: str, **extra) -> dict:
    ts = f"{time.time():.6f}"
    return {"type": "message", "channel": STAFF_CHANNEL, "channel_type": "channel",
            "user": STAFF_USER, "text": text, "ts": ts, "thread_ts": thread_ts, **extra}


def resolve_click(ticket_id: int, message: dict, response_url: str) -> str:
    payload = {
        "type": "block_actions", "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": STAFF_USER, "team_id": "T0TEST"}, "api_app_id": "A0APP",
        "trigger_id": "t1", "response_url": response_url,
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": STAFF_CHANNEL},
        "channel": {"id": STAFF_CHANNEL, "name": "staff"}, "message": message,
        "actions": [{"action_id": "handoff_resolve", "block_id": "r", "type": "button",
                     "value": str(ticket_id), "action_ts": "1.3"}]}
    return urlencode({"payload": json.dumps(payload)})


async def test_handoff_round_trip_through_slack(stacks, rasa, slack):
    stack = stacks()
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        assert ticket["notice"].startswith("Someone from our team will answer you right here")

        # The ticket is in the staff channel, with a Resolve button; its ts is the thread.
        [post] = [p for p in staff_posts(slack, channel=STAFF_CHANNEL)
                  if f"Ticket #{ticket['id']}" in p["text"]]
        blocks = post["blocks"]
        assert any(b["type"] == "actions" and b["elements"][0]["action_id"] == "handoff_resolve"
                   for b in blocks)
        assert ASK in json.dumps(blocks)  # the transcript
        thread = ticket["slack_thread_ts"]
        assert thread and ticket["slack_channel"] == STAFF_CHANNEL

        # While handed off, the customer's messages go to the thread, not to the bot.
        asked_before = len(rasa.messages())
        assert await customer.send("the teapot arrived broken") == []
        assert len(rasa.messages()) == asked_before
        [line] = staff_posts(slack, thread_ts=thread)
        assert "the teapot arrived broken" in line["text"] and "web chat" in line["text"]

        # Staff answer in the thread: once, even when Slack retries the event.
        body = sr.event_body(thread_reply(thread, "So sorry! A new one ships today &amp; free."))
        assert stack.slack_post(body).status_code == 200
        pushed = await customer.wait_pushed("A new one ships today & free.")
        assert pushed["text"] == f"Staff {STAFF_USER} (shop team): So sorry! A new one ships today & free."
        assert stack.slack_post(body, headers={"X-Slack-Retry-Num": "1"}).status_code == 200
        transcript = stack.ticket(ticket["id"])["transcript"]
        assert [t["sender"] for t in transcript] == ["user", "user", "agent"]

        # Resolve: the customer is told the bot is back; the next message goes to the bot.
        click = resolve_click(ticket["id"], {"ts": thread, "text": post["text"], "blocks": blocks},
                              slack.response_url("resolve"))
        assert stack.slack_post(click, content_type=sr.FORM).status_code == 200
        await customer.wait_pushed("you're back with me")
        assert len([m for m in customer.pushed if "(shop team)" in m["text"]]) == 1
        assert stack.ticket(ticket["id"])["status"] == "resolved"
        assert await customer.send("where is my order?") == [
            {"recipient_id": customer.sender_id, "text": "echo: where is my order?"}]
        assert await eventually(lambda: updates_of(slack, thread))
        [update] = updates_of(slack, thread)
        assert "Resolved by" in json.dumps(update["blocks"]) and "handoff_resolve" not in json.dumps(
            update["blocks"])


async def test_handoff_resolve_typed_in_the_thread(stacks, rasa, slack):
    stack = stacks()
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        body = sr.event_body(thread_reply(ticket["slack_thread_ts"], "/resolve"))
        assert stack.slack_post(body).status_code == 200
        await customer.wait_pushed("you're back with me")
        assert await eventually(lambda: any(
            f"resolved ticket #{ticket['id']}" in note["text"]
            for note in staff_posts(slack, thread_ts=ticket["slack_thread_ts"])))
        assert not any("(shop team)" in m["text"] for m in customer.pushed)  # not relayed


async def test_handoff_resolve_slash_command(stacks, rasa, slack):
    stack = stacks()
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        url = slack.response_url(f"cmd-{ticket['id']}")
        body = sr.command_body(str(ticket["id"]), url, command="/resolve")
        assert stack.slack_post(body, content_type=sr.FORM).status_code == 200
        await customer.wait_pushed("you're back with me")
        answers = await slack.wait_for(f"cmd-{ticket['id']}")
        assert f"resolved ticket #{ticket['id']}" in answers[0].fields["text"]


async def test_handoff_bot_posts_and_other_threads_are_not_relayed(stacks, rasa, slack):
    stack = stacks()
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        thread = ticket["slack_thread_ts"]
        for event in (thread_reply(thread, "bot echo", bot_id="B0BOT"),
                      thread_reply("1600000000.000001", "about an alert"),
                      thread_reply(thread, "edited", subtype="message_changed")):
            assert stack.slack_post(sr.event_body(event)).status_code == 200
        mention = sr.mention_event("what do you think?", channel=STAFF_CHANNEL, user=STAFF_USER)
        asked_before = len(rasa.messages())
        assert stack.slack_post(sr.event_body(mention)).status_code == 200
        await asyncio.sleep(0.5)
        assert customer.pushed == [] and len(rasa.messages()) == asked_before
        assert len(stack.ticket(ticket["id"])["transcript"]) == 1


async def test_handoff_out_of_hours_says_when_and_keeps_the_ticket(stacks, rasa, slack):
    day = (datetime.now(timezone.utc) + timedelta(days=2)).date()
    stack = stacks(staff_hours=f"{DAYS[day.weekday()]} 09:00-17:00")
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        assert ticket["notice"].startswith("Our team is offline right now")
        assert f"{day:%A} 09:00 (UTC)" in ticket["notice"]
        [post] = [p for p in staff_posts(slack, channel=STAFF_CHANNEL)
                  if f"Ticket #{ticket['id']}" in p["text"]]
        assert "Outside staff hours" in json.dumps(post["blocks"])
        assert await customer.send("ok, I'll wait") == []
        assert stack.ticket(ticket["id"])["transcript"][-1]["text"] == "ok, I'll wait"


async def test_handoff_without_slack_through_the_staff_api(stacks, rasa, slack):
    stack = stacks(with_slack=False)
    posts_before = len(slack.posted())
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        assert ticket["slack_thread_ts"] is None
        assert await customer.send("hello? anyone?") == []
        listed = stack.tickets(handoff_active="true")
        assert ticket["id"] in [t["id"] for t in listed]

        url = f"{stack.backend.url}/api/v1/staff/tickets/{ticket['id']}"
        reply = httpx.post(f"{url}/messages", headers=STAFF, timeout=10, json={
            "text": "Hi, Maria here. Which order is it?", "author": "Maria"})
        assert reply.status_code == 201, reply.text
        await customer.wait_pushed("Maria (shop team): Hi, Maria here. Which order is it?")
        resolved = httpx.post(f"{url}/resolve", headers=STAFF, timeout=10, json={"actor": "maria"})
        assert resolved.json()["customer_notified"] is True
        await customer.wait_pushed("you're back with me")
        assert (await customer.send("thanks"))[0]["text"] == "echo: thanks"
        assert [(t["sender"], t["text"]) for t in stack.ticket(ticket["id"])["transcript"]] == [
            ("user", f"{ASK} ({customer.session_id})"), ("user", "hello? anyone?"),
            ("agent", "Hi, Maria here. Which order is it?")]
    assert len(slack.posted()) == posts_before


async def test_handoff_staff_reply_through_socket_mode(stacks, rasa, slack):
    """The Slack connector as its own process (`python -m connectors.slack`, here in-process):
    a staff reply arriving over Socket Mode reaches the web customer through the backend and
    the gateway's push; the same message delivered twice is relayed once."""
    stack = stacks()
    settings = GatewaySettings(
        _env_file=None, rasa_url=rasa.url, slack_bot_token="xoxb-handoff",
        slack_app_token="xapp-handoff", slack_api_base_url=slack.base_url,
        slack_staff_channel=STAFF_CHANNEL, backend_url=stack.backend.url,
        staff_api_token=STAFF["Authorization"].split()[1], handoff_cache_seconds=0)
    socket = await FakeSocketMode().start()
    slack.socket_url = socket.url
    runner = asyncio.create_task(run_socket_mode(settings))
    try:
        async with WebCustomer(stack.gateway.url) as customer:
            ticket = await hand_off(stack, rasa, customer)
            event = thread_reply(ticket["slack_thread_ts"], "Checking it now")
            await socket.send_event(sr.event_body(event))
            await customer.wait_pushed("Checking it now")
            await socket.send_event(sr.event_body(event))  # a new event id, the same message
            await asyncio.sleep(0.5)
            assert len([m for m in customer.pushed if "Checking it now" in m["text"]]) == 1
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await socket.stop()


async def wait_sent(telegram: FakeTelegramAPI, chat_id: int, fragment: str) -> list[str]:
    for _ in range(100):
        texts = [call.fields["text"] for call in telegram.named("sendMessage")
                 if int(call.fields["chat_id"]) == chat_id]
        if any(fragment in text for text in texts):
            return texts
        await asyncio.sleep(0.1)
    raise AssertionError(f"Telegram chat {chat_id} never got {fragment!r}")


async def test_handoff_round_trip_for_a_telegram_customer(stacks, rasa, slack):
    telegram = FakeTelegramAPI().start()
    try:
        stack = stacks(telegram=telegram)
        user_id = 700000 + int(time.time() * 1000) % 100000
        sender_id, text = f"telegram:{user_id}", f"{ASK} (telegram {user_id})"
        act_like_open_ticket(stack, rasa, sender_id, text)
        assert stack.telegram_post(tg.update(tg.message(text, user_id))).status_code == 200
        await wait_sent(telegram, user_id, "Someone from our team will answer you")
        [ticket] = stack.tickets(conversation_id=sender_id, handoff_active="true")
        thread = ticket["slack_thread_ts"]

        assert stack.telegram_post(tg.update(tg.message("it's order 42", user_id))).status_code == 200
        assert await eventually(lambda: staff_posts(slack, thread_ts=thread))
        [line] = staff_posts(slack, thread_ts=thread)
        assert "it's order 42" in line["text"] and "Telegram" in line["text"]

        body = sr.event_body(thread_reply(thread, "Found it, refund on its way"))
        assert stack.slack_post(body).status_code == 200
        await wait_sent(telegram, user_id, "Found it, refund on its way")
        command = sr.command_body(str(ticket["id"]), slack.response_url("tg"), command="/resolve")
        assert stack.slack_post(command, content_type=sr.FORM).status_code == 200
        await wait_sent(telegram, user_id, "you're back with me")
        assert stack.telegram_post(tg.update(tg.message("thanks", user_id))).status_code == 200
        await wait_sent(telegram, user_id, "echo: thanks")
    finally:
        telegram.stop()
